//! Saved sites in the window, through the real worker and a real sshd: the connect bar offers
//! bookmarks as you type, the site manager connects one, "Save as bookmark" keeps the open
//! connection, and a damaged bookmark file is reported, not replaced.

use crate::support;
use crate::window_driver;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::{FerryApp, Startup};
use ferry::bookmarks::{Bookmark, BookmarkId, BookmarkStore, LoginMethod};
use ferry::config::ConfigDir;
use ferry::model::{FtpMode, Protocol};
use ferry::worker::WorkerOptions;
use support::{Sshd, TEST_USER};
use window_driver::{click, open_file_menu, shown};

fn app_harness(config: &Path) -> Harness<'static, FerryApp> {
    // Trust the test server's key up front: these tests are about sites, not host keys.
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config)) };
    let local = config.to_string_lossy().into_owned();
    Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_eframe(move |creation| {
        FerryApp::start(&creation.egui_ctx, Startup { worker: options, url: None, local_folder: Some(local) })
            .expect("worker starts")
    })
}

fn wait_until(harness: &mut Harness<'_, FerryApp>, what: &str, done: impl Fn(&Harness<'_, FerryApp>) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(harness) {
        assert!(Instant::now() < deadline, "{what}: never happened; the window shows {:#?}", harness.root());
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
        // A first connection to the test server asks about its key: accept it once.
        if let Some(button) = harness.query_by_label("Accept once") {
            button.hover();
            harness.run_steps(2);
            if let Some(button) = harness.query_by_label("Accept once") {
                button.click();
            }
        }
    }
}

/// A site that logs in with the test key, saved as the window would save it.
fn key_site(sshd: &Sshd, name: &str) -> Bookmark {
    Bookmark {
        id: BookmarkId(format!("test-{name}")),
        name: name.into(),
        folder: vec!["Work".into()],
        protocol: Protocol::Sftp,
        host: "127.0.0.1".into(),
        port: sshd.port(),
        user: TEST_USER.into(),
        login: LoginMethod::KeyFile,
        key_file: Some(support::client_keys().ed25519.clone()),
        ftp_mode: FtpMode::Passive,
        remote_dir: Some(sshd.data_dir().to_string_lossy().into_owned()),
        local_dir: None,
        comment: String::new(),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset: Default::default(),
        server_time_zone: Default::default(),
    }
}

#[test]
fn the_connect_bar_offers_a_bookmark_as_you_type_and_connects_it() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("bookmarked.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    BookmarkStore::new(&ConfigDir::at(config.path())).upsert(key_site(&sshd, "Staging box")).unwrap();
    let mut harness = app_harness(config.path());
    harness.run_steps(5);

    let host = harness
        .query_all_by_label("Host")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .unwrap()
        .rect()
        .center();
    harness.hover_at(host);
    harness.run_steps(1);
    harness.get_by_label("Host").click();
    harness.run_steps(2);
    harness.get_by_label("Host").type_text("stag");
    wait_until(&mut harness, "the bookmark offered", |h| shown(h, "Staging box ("));
    let suggestion = harness.get_by_label_contains("Staging box (").rect().center();
    harness.hover_at(suggestion);
    harness.run_steps(2);
    harness.get_by_label_contains("Staging box (").click();
    // It opens in the bookmark's remote folder, with the key the bookmark names.
    wait_until(&mut harness, "connected and listed", |h| shown(h, "bookmarked.txt"));
    let recent = BookmarkStore::new(&ConfigDir::at(config.path())).load().unwrap();
    assert!(
        recent.file.recent.iter().any(|url| url.contains(&sshd.port().to_string())),
        "the connection is among the recent ones: {:?}",
        recent.file.recent
    );
}

#[test]
fn the_site_manager_connects_a_site_and_save_as_bookmark_keeps_an_open_connection() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("from-manager.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    BookmarkStore::new(&ConfigDir::at(config.path())).upsert(key_site(&sshd, "Deploy target")).unwrap();
    let mut harness = app_harness(config.path());
    harness.run_steps(5);

    open_file_menu(&mut harness);
    click(&mut harness, "Site manager...");
    wait_until(&mut harness, "the tree shows the site's folder", |h| shown(h, "Work"));
    if !shown(&harness, "Deploy target") {
        click(&mut harness, "Work");
    }
    wait_until(&mut harness, "the site in its folder", |h| shown(h, "Deploy target"));
    click(&mut harness, "Deploy target");
    wait_until(&mut harness, "the form shows the site", |h| h.query_all_by_label("Connect").count() >= 2);
    // The site manager's Connect (the connect bar has one too: it is the lower one).
    let lower_connect = harness
        .query_all_by_label("Connect")
        .map(|node| node.rect().center())
        .max_by(|a, b| a.y.total_cmp(&b.y))
        .unwrap();
    harness.hover_at(lower_connect);
    harness.run_steps(2);
    harness
        .query_all_by_label("Connect")
        .max_by(|a, b| a.rect().center().y.total_cmp(&b.rect().center().y))
        .unwrap()
        .click();
    wait_until(&mut harness, "connected from the site manager", |h| shown(h, "from-manager.txt"));

    open_file_menu(&mut harness);
    click(&mut harness, "Save as bookmark...");
    wait_until(&mut harness, "a draft of the open connection", |h| h.query_all_by_label("Save").next().is_some());
    click(&mut harness, "Save");
    let store = BookmarkStore::new(&ConfigDir::at(config.path()));
    wait_until(&mut harness, "the draft is saved", |_| {
        store.load().map(|l| l.file.bookmarks.len() == 2).unwrap_or(false)
    });
    let saved = store.load().unwrap();
    let draft = saved.file.bookmarks.iter().find(|b| b.id.0 != "test-Deploy target").unwrap();
    assert_eq!((draft.host.as_str(), draft.port), ("127.0.0.1", sshd.port()));
    assert_eq!(draft.remote_dir.as_deref(), Some(&*sshd.data_dir().to_string_lossy()), "it keeps the open folder");
}

#[test]
fn a_damaged_bookmark_file_is_kept_aside_and_reported() {
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("bookmarks.json"), b"{ this is not json").unwrap();
    let mut harness = app_harness(config.path());
    wait_until(&mut harness, "the problem is shown", |h| shown(h, "broken"));
    let aside: Vec<_> = std::fs::read_dir(config.path())
        .unwrap()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("bookmarks.json.broken-"))
        .collect();
    assert_eq!(aside.len(), 1, "kept aside under a dated name");
    assert_eq!(std::fs::read(config.path().join(&aside[0])).unwrap(), b"{ this is not json", "bytes kept");
}

#[test]
fn a_start_up_url_that_does_not_parse_is_shown_without_its_password() {
    let config = tempfile::tempdir().unwrap();
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config.path())) };
    let local = config.path().to_string_lossy().into_owned();
    // Port 99999 does not exist: the URL does not parse, and is shown as given, less the password.
    let url = "sftp://alice:hunter2secret@127.0.0.1:99999/srv".to_string();
    let mut harness = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_eframe(move |creation| {
        FerryApp::start(&creation.egui_ctx, Startup { worker: options, url: Some(url), local_folder: Some(local) })
            .expect("worker starts")
    });
    wait_until(&mut harness, "the tab named after the URL", |h| shown(h, "sftp://alice:***@127.0.0.1:99999"));
    harness.run_steps(5);
    assert!(!shown(&harness, "hunter2secret"), "the password is on screen: {:#?}", harness.root());
}
