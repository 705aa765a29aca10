//! Connecting from a saved site or a URL as a new user would: the site manager opens tall enough
//! for its whole form, closes once it connects and takes the local pane to the site's local
//! folder; tabs are named by the bookmark or by `user@host`, never by the full URL.

use crate::support;
use crate::window_driver;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::{FerryApp, Startup};
use ferry::bookmarks::{Bookmark, BookmarkId, BookmarkStore, LoginMethod};
use ferry::config::ConfigDir;
use ferry::model::{FtpMode, Protocol};
use ferry::worker::WorkerOptions;
use support::{Sshd, TEST_PASSWORD, TEST_USER};
use window_driver::{click, type_into, wait_until};

/// The window at the size of a small laptop screen, where a short dialog shows.
fn small_window(config: &std::path::Path) -> Harness<'static, FerryApp> {
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config)) };
    let local = config.to_string_lossy().into_owned();
    Harness::builder().with_size(egui::vec2(1024.0, 700.0)).build_eframe(move |creation| {
        FerryApp::start(&creation.egui_ctx, Startup { worker: options, url: None, local_folder: Some(local) })
            .expect("worker starts")
    })
}

/// Accepts the test server's unknown key once, wherever a wait might meet the question.
fn wait_accepting(harness: &mut Harness<'_, FerryApp>, what: &str, done: impl Fn(&Harness<'_, FerryApp>) -> bool) {
    wait_until(harness, what, |h| done(h) || h.query_by_label("Accept once").is_some());
    if !done(harness) {
        click(harness, "Accept once");
        wait_until(harness, what, done);
    }
}

fn shown(harness: &Harness<'_, FerryApp>, text: &str) -> bool {
    harness.query_all_by_label_contains(text).next().is_some()
}

/// Opens the File menu (file rows are described as "File" too: the menu bar comes first).
fn open_site_manager(harness: &mut Harness<'_, FerryApp>) {
    let menu = harness.query_all_by_label("File").next().expect("the File menu").rect().center();
    harness.hover_at(menu);
    harness.run_steps(2);
    harness.query_all_by_label("File").next().expect("the File menu").click();
    harness.run_steps(2);
    click(harness, "Site manager...");
}

fn site(sshd: &Sshd, local_dir: &std::path::Path) -> Bookmark {
    Bookmark {
        id: BookmarkId("test-web".into()),
        name: "Web server".into(),
        folder: Vec::new(),
        protocol: Protocol::Sftp,
        host: "127.0.0.1".into(),
        port: sshd.port(),
        user: TEST_USER.into(),
        login: LoginMethod::KeyFile,
        key_file: Some(support::client_keys().ed25519.clone()),
        ftp_mode: FtpMode::Passive,
        remote_dir: Some(sshd.data_dir().to_string_lossy().into_owned()),
        local_dir: Some(local_dir.to_path_buf()),
        comment: String::new(),
        uploads_in_place: false,
    }
}

#[test]
fn the_site_manager_shows_its_whole_form_then_closes_on_connect_and_opens_the_local_folder() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("on-the-server.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("in-the-site-folder.txt"), b"x").unwrap();
    BookmarkStore::new(&ConfigDir::at(config.path())).upsert(site(&sshd, local.path())).unwrap();
    let mut harness = small_window(config.path());
    harness.run_steps(5);

    open_site_manager(&mut harness);
    wait_until(&mut harness, "the site listed", |h| shown(h, "Web server"));
    harness.run_steps(4);
    // Before a site is chosen, the window is as tall as it will be with the form.
    let close_before = harness.get_by_label("Close").rect();
    click(&mut harness, "Web server");
    wait_until(&mut harness, "the form shows the site", |h| shown(h, "Comment"));
    harness.run_steps(4);
    // Every field and the buttons under them are inside the window and on the screen.
    let screen = harness.ctx.content_rect();
    let dialog = harness.get_by_label(ferry::gui::site_manager::TITLE).rect();
    for label in ["Comment", "Close", "Import..."] {
        let rect = harness.query_all_by_label(label).last().unwrap().rect();
        assert!(
            screen.contains_rect(rect) && rect.bottom() <= screen.bottom(),
            "\"{label}\" at {rect:?} is off the {screen:?} screen (the site manager is {dialog:?})"
        );
    }
    let close_after = harness.get_by_label("Close").rect();
    assert!(
        close_after.top() - close_before.top() < 1.0,
        "the site manager opened short and grew when a site was chosen: Close moved from {close_before:?} to \
         {close_after:?}"
    );
    let connect = harness.query_all_by_label("Connect").max_by(|a, b| a.rect().top().total_cmp(&b.rect().top()));
    let connect = connect.expect("the site manager's Connect").rect();
    assert!(screen.contains_rect(connect), "Connect at {connect:?} is off the {screen:?} screen");

    // The site manager's Connect (the connect bar has one too: it is the lower one).
    harness.hover_at(connect.center());
    harness.run_steps(2);
    harness.query_all_by_label("Connect").max_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).unwrap().click();
    wait_accepting(&mut harness, "connected from the site manager", |h| shown(h, "on-the-server.txt"));
    assert!(!shown(&harness, "Import..."), "the site manager closed once it connected: {:#?}", harness.root());
    wait_until(&mut harness, "the local pane in the site's local folder", |h| shown(h, "in-the-site-folder.txt"));
    // The tab is named after the bookmark, not its address.
    assert!(shown(&harness, "Web server"), "the tab is named after the site: {:#?}", harness.root());
    assert!(!shown(&harness, "sftp://"), "no tab or status shows the URL: {:#?}", harness.root());
}

#[test]
fn a_tab_opened_from_a_url_is_named_user_at_host() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("by-url.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut harness = small_window(config.path());
    harness.run_steps(5);
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    type_into(&mut harness, "Host", &url);
    click(&mut harness, "Connect");
    wait_accepting(&mut harness, "connected", |h| shown(h, "by-url.txt"));
    let name = format!("{TEST_USER}@127.0.0.1:{}", sshd.port());
    assert!(
        harness.query_all_by_label(&name).next().is_some(),
        "a tab named exactly \"{name}\": {:#?}",
        harness.root()
    );
    assert!(
        !harness
            .query_all_by_label_contains("sftp://")
            .any(|node| node.rect().top() > 40.0 && node.accesskit_node().role() != egui::accesskit::Role::TextInput),
        "no tab is named by its URL: {:#?}",
        harness.root()
    );
}

#[test]
fn the_local_disk_an_older_ferry_saved_as_recent_is_not_offered() {
    let config = tempfile::tempdir().unwrap();
    let saved = r#"{"version": 1, "recent": ["file://:0", "sftp://me@example.org:22"]}"#;
    std::fs::write(config.path().join("bookmarks.json"), saved).unwrap();
    let mut harness = small_window(config.path());
    harness.run_steps(5);
    click(&mut harness, "Recent");
    wait_until(&mut harness, "the real recent site offered", |h| shown(h, "example.org"));
    assert!(!shown(&harness, "file:"), "the local disk is offered as a recent site: {:#?}", harness.root());
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    // The log says what happened in words, not as an address.
    click(&mut harness, "Log");
    wait_until(&mut harness, "the local disk opened", |h| shown(h, "Opened the local disk"));
    assert!(!shown(&harness, "file:"), "the log shows the local disk as a URL: {:#?}", harness.root());
}
