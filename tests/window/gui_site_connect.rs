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
use window_driver::{click, open_file_menu, shown, type_into, wait_until};

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

/// File > Site manager...
fn open_site_manager(harness: &mut Harness<'_, FerryApp>) {
    open_file_menu(harness);
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

/// Replaces the text of the site manager's field `label` (the connect bar has a Host, Port and User
/// too: the site manager's window is drawn after it).
fn fill(harness: &mut Harness<'_, FerryApp>, label: &str, text: &str) {
    fn field<'a>(h: &'a Harness<'_, FerryApp>, label: &'a str) -> egui_kittest::Node<'a> {
        h.query_all_by_label(label)
            .rfind(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
            .unwrap_or_else(|| panic!("no field {label}"))
    }
    field(harness, label).hover();
    harness.run_steps(2);
    field(harness, label).click();
    harness.run_steps(2);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    field(harness, label).type_text(text);
    harness.run_steps(2);
}

#[test]
fn connect_on_a_new_unsaved_site_saves_it_and_connects_in_a_tab_named_after_it() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("on-the-new-site.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut harness = small_window(config.path());
    harness.run_steps(5);
    // The bar shows another site, typed earlier: connecting from the site manager replaces it.
    type_into(&mut harness, "Host", "old.example.net");

    open_site_manager(&mut harness);
    wait_until(&mut harness, "the site manager", |h| shown(h, "New site"));
    click(&mut harness, "New site");
    wait_until(&mut harness, "the form", |h| shown(h, "Comment"));
    fill(&mut harness, "Name", "Fresh site");
    fill(&mut harness, "Host", "127.0.0.1");
    fill(&mut harness, "Port", &sshd.port().to_string());
    fill(&mut harness, "User", TEST_USER);
    let login = harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Login").rect().center();
    harness.hover_at(login);
    harness.run_steps(2);
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Login").click();
    harness.run_steps(2);
    click(&mut harness, "Key file");
    fill(&mut harness, "Key file", &support::client_keys().ed25519.to_string_lossy());
    fill(&mut harness, "Remote folder", &sshd.data_dir().to_string_lossy());

    // Connect at once, without Save (the site manager's Connect is the lower one).
    let lowest = |h: &Harness<'_, FerryApp>| {
        h.query_all_by_label("Connect").max_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).unwrap().rect()
    };
    harness.hover_at(lowest(&harness).center());
    harness.run_steps(2);
    harness.query_all_by_label("Connect").max_by(|a, b| a.rect().top().total_cmp(&b.rect().top())).unwrap().click();
    wait_accepting(&mut harness, "connected to the new site, or an error", |h| {
        shown(h, "on-the-new-site.txt") || shown(h, "Not found")
    });
    assert!(!shown(&harness, "Not found"), "the first Connect found the site: {:#?}", harness.root());

    let saved = BookmarkStore::new(&ConfigDir::at(config.path())).load().unwrap().file.bookmarks;
    let [site] = saved.as_slice() else { panic!("one site saved: {saved:?}") };
    assert_eq!(site.name, "Fresh site");
    assert!(shown(&harness, "Fresh site"), "the tab is named after the site: {:#?}", harness.root());
    assert!(!shown(&harness, &site.id.0), "no tab or line shows the site's inner id: {:#?}", harness.root());
    assert!(shown(&harness, "Connected to Fresh site"), "the status bar names the site: {:#?}", harness.root());
    wait_until(&mut harness, "the connect bar shows the site connected", |h| {
        window_driver::text_field(h, "Host").value().as_deref() == Some("127.0.0.1")
    });
}
