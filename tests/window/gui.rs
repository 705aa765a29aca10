//! The two-pane window, driven with egui_kittest as a user would (find by label, click, type,
//! drop files), through the real worker against real servers.

use crate::scripted_ftp;
use crate::support;
use crate::window_driver;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::{FerryApp, Startup, TITLE, native_options};
use ferry::config::ConfigDir;
use ferry::worker::WorkerOptions;
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};
use window_driver::{
    app_harness, click, click_node, drag_and_drop, rightmost, text_field, topmost, type_into, wait_for, wait_until,
};

pub(crate) fn wait_for_file(harness: &mut Harness<'_, FerryApp>, path: &Path, bytes: &[u8]) {
    wait_until(harness, &format!("{} written", path.display()), |_| std::fs::read(path).ok().as_deref() == Some(bytes));
}

/// Types a URL into the connect bar, connects, and accepts the host key once if asked.
pub(crate) fn connect(harness: &mut Harness<'_, FerryApp>, url: &str, expect_file: &str) {
    type_into(harness, "Host", url);
    click(harness, "Connect");
    wait_until(harness, "connected", |h| {
        h.query_by_label("Accept once").is_some() || h.query_all_by_label_contains(expect_file).next().is_some()
    });
    if harness.query_by_label("Accept once").is_some() {
        click(harness, "Accept once");
    }
    wait_for(harness, expect_file);
}

pub(crate) fn sftp_url(sshd: &Sshd) -> String {
    format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", sshd.port())
}

/// A local folder with one file, and a config folder, both temporary.
pub(crate) struct Desk {
    pub(crate) config: tempfile::TempDir,
    pub(crate) local: tempfile::TempDir,
}

pub(crate) fn desk() -> Desk {
    let desk = Desk { config: tempfile::tempdir().unwrap(), local: tempfile::tempdir().unwrap() };
    std::fs::write(desk.local.path().join("local-note.txt"), b"from my desk").unwrap();
    desk
}

/// A file dropped from the desktop's file manager, as the windowing layer hands it to egui.
#[derive(Debug)]
struct DesktopFile(std::path::PathBuf);

impl egui::DroppedFile for DesktopFile {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|error| error.to_string())
    }
}

pub(crate) fn open_up(path: &Path) {
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(path).status().unwrap();
}

#[test]
fn the_window_is_titled_ferry_and_has_every_part() {
    assert_eq!(native_options().viewport.title.as_deref(), Some(TITLE));
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    for label in ["Protocol", "Host", "Port", "User", "Password", "Connect", "Recent", "Local", "Queue", "Log"] {
        assert!(harness.query_by_label(label).is_some(), "the window has \"{label}\"");
    }
    harness.get_by_label("Not connected");
    // Nothing animates once the listing is in: an idle window asks for no frames.
    harness.try_run().expect("an idle window stops repainting");
}

#[test]
fn connects_asks_about_the_key_and_opens_sites_in_tabs() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("on-sftp.txt"), b"hi").unwrap();
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("on-ftp.txt"), b"hi").unwrap();
    open_up(ftpd.data_dir());
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");

    type_into(&mut harness, "Host", &sftp_url(&sshd));
    click(&mut harness, "Connect");
    wait_for(&mut harness, &sshd.host_key_fingerprint());
    assert!(harness.query_all_by_label_contains("ssh-ed25519").next().is_some(), "the key type is shown");
    click(&mut harness, "Accept once");
    wait_for(&mut harness, "on-sftp.txt");
    assert!(!desk.config.path().join("known_hosts").exists(), "accepted once, not remembered");

    let ftp_url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", ftpd.port());
    connect(&mut harness, &ftp_url, "on-ftp.txt");
    // Tabs are named by their site, not their URL.
    let sftp_tab = format!("{TEST_USER}@127.0.0.1:{}", sshd.port());
    click(&mut harness, &sftp_tab);
    wait_for(&mut harness, "on-sftp.txt");
    assert!(harness.query_all_by_label_contains("on-ftp.txt").next().is_none(), "one tab shows at a time");
}

#[test]
fn files_dropped_from_the_desktop_upload_and_selected_rows_download() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("server-report.txt"), b"numbers").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let dropped = tempfile::tempdir().unwrap();
    let dropped_file = dropped.path().join("dropped.bin");
    std::fs::write(&dropped_file, vec![7u8; 300_000]).unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "server-report.txt");

    // A file dragged in from the file manager, released over the remote pane.
    let over_remote = harness.get_by_label("server-report.txt").rect().center();
    harness.hover_at(over_remote);
    harness
        .input_mut()
        .hovered_files
        .push(egui::HoveredFile { path: Some(dropped_file.clone()), ..Default::default() });
    harness.step();
    harness.input_mut().dropped_files.push(std::sync::Arc::new(DesktopFile(dropped_file.clone())));
    harness.step();
    wait_for_file(&mut harness, &sshd.data_dir().join("dropped.bin"), &vec![7u8; 300_000]);
    wait_for(&mut harness, "dropped.bin");

    // A remote row, selected and downloaded from its context menu, lands in the local folder.
    click(&mut harness, "server-report.txt");
    harness.run_steps(2);
    harness.get_by_label("server-report.txt").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Download"));
    wait_for_file(&mut harness, &desk.local.path().join("server-report.txt"), b"numbers");
    // The queue shows both transfers, done.
    click(&mut harness, "Queue");
    wait_for(&mut harness, "Done");
}

#[test]
fn new_folder_rename_permissions_and_delete_change_the_server() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::create_dir_all(sshd.data_dir().join("old-folder/inner")).unwrap();
    std::fs::write(sshd.data_dir().join("old-folder/inner/deep.txt"), b"deep").unwrap();
    std::fs::write(sshd.data_dir().join("plain.txt"), b"plain").unwrap();
    let owner = format!("{TEST_USER}:{TEST_USER}");
    for name in ["old-folder", "plain.txt"] {
        std::process::Command::new("chown").args(["-R", &owner]).arg(sshd.data_dir().join(name)).status().unwrap();
    }
    open_up(sshd.data_dir());
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "plain.txt");

    harness.get_by_label("plain.txt").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "New folder"));
    harness.run_steps(2);
    type_into(&mut harness, "New folder", "fresh");
    click(&mut harness, "OK");
    wait_until(&mut harness, "folder made", |_| sshd.data_dir().join("fresh").is_dir());
    wait_until(&mut harness, "folder listed", |h| h.query_all_by_label("fresh").count() == 1);

    click(&mut harness, "plain.txt");
    harness.run_steps(2);
    harness.key_press(egui::Key::F2);
    harness.run_steps(2);
    text_field(&harness, "Rename").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    text_field(&harness, "Rename").type_text("renamed.txt");
    harness.run_steps(2);
    click(&mut harness, "OK");
    wait_until(&mut harness, "renamed", |_| {
        std::fs::read(sshd.data_dir().join("renamed.txt")).ok().as_deref() == Some(b"plain")
    });
    wait_until(&mut harness, "renamed row", |h| h.query_all_by_label("renamed.txt").count() == 1);

    harness.get_by_label("renamed.txt").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Permissions..."));
    harness.run_steps(2);
    text_field(&harness, "Octal").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    text_field(&harness, "Octal").type_text("640");
    harness.run_steps(2);
    click(&mut harness, "OK");
    wait_until(&mut harness, "mode 640", |_| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(sshd.data_dir().join("renamed.txt")).map(|m| m.permissions().mode() & 0o777).ok()
            == Some(0o640)
    });

    click(&mut harness, "old-folder");
    harness.run_steps(2);
    harness.key_press(egui::Key::Delete);
    wait_for(&mut harness, "Delete 1 item");
    click(&mut harness, "Delete");
    wait_until(&mut harness, "folder deleted", |_| !sshd.data_dir().join("old-folder").exists());
    wait_until(&mut harness, "row gone", |h| h.query_by_label("old-folder").is_none());
}

#[test]
fn a_dropped_connection_is_reopened_and_a_lost_server_is_reported_once_with_reconnect() {
    support::require_password_logins();
    let mut sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("still-here.txt"), b"x").unwrap();
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "still-here.txt");

    // A dropped connection while the server is up: the refresh connects again on its own.
    sshd.restart();
    std::fs::write(sshd.data_dir().join("after-the-drop.txt"), b"y").unwrap();
    click(&mut harness, "still-here.txt");
    harness.run_steps(2);
    harness.key_press(egui::Key::F5);
    wait_for(&mut harness, "after-the-drop.txt");
    assert!(harness.query_by_label("Reconnect").is_none(), "nothing to ask while connecting again works");

    // A server that is gone: the loss is shown, once, with a way back.
    sshd.stop();
    click(&mut harness, "still-here.txt");
    harness.run_steps(2);
    harness.key_press(egui::Key::F5);
    wait_for(&mut harness, "Reconnect");
    assert_eq!(harness.query_all_by_label("Reconnect").count(), 1, "the loss is shown once");
    sshd.restart();
    click(&mut harness, "Reconnect");
    wait_until(&mut harness, "listed again", |h| {
        h.query_by_label("Reconnect").is_none() && h.query_all_by_label_contains("still-here.txt").next().is_some()
    });
}

#[test]
fn a_server_that_stops_answering_leaves_the_window_responsive_and_cancel_works() {
    use scripted_ftp::{Script, ScriptedFtp};
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("slow", &["-rw-r--r-- 1 u g 5 Jan 01 2025 never.txt"])
            .delay("LIST", Duration::from_secs(30)),
    );
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    type_into(&mut harness, "Host", &format!("ftp://anonymous@127.0.0.1:{}/slow", server.port()));
    click(&mut harness, "Connect");
    // Logged in; the listing is what hangs.
    wait_for(&mut harness, &format!("Connected to 127.0.0.1:{}", server.port()));
    wait_for(&mut harness, "Cancel");
    // The window keeps drawing while the listing hangs.
    let frames = Instant::now();
    for _ in 0..20 {
        harness.step();
    }
    assert!(frames.elapsed() < Duration::from_secs(5), "frames keep coming while the server is silent");
    let cancelled = Instant::now();
    click(&mut harness, "Cancel");
    wait_until(&mut harness, "cancelled", |h| h.query_by_label("Cancel").is_none());
    assert!(cancelled.elapsed() < Duration::from_secs(1), "Cancel works within a second");
    // The connection may be out of step after a request cut off half way: it is closed, and the
    // window offers to open it again.
    wait_for(&mut harness, "Reconnect");
}

#[test]
fn a_changed_host_key_is_a_warning_with_no_way_to_accept() {
    support::require_password_logins();
    let mut sshd = Sshd::start();
    let desk = desk();
    std::fs::write(desk.config.path().join("known_hosts"), format!("{}\n", sshd.known_hosts_line())).unwrap();
    sshd.restart_with_new_host_key();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    type_into(&mut harness, "Host", &sftp_url(&sshd));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Host key changed");
    assert!(harness.query_all_by_label_contains("Accept").next().is_none(), "no way to accept a changed key");
    assert!(!sshd.log().contains("userauth-request"), "no credential was sent");
}

#[test]
fn a_host_offering_another_key_type_than_the_one_on_record_is_a_changed_key() {
    support::require_password_logins();
    let keys = tempfile::tempdir().unwrap();
    let (rsa, _) = support::new_key_pair(keys.path(), "rsa_host", "rsa");
    let (_, recorded) = support::new_key_pair(keys.path(), "ed25519_host", "ed25519");
    let sshd = Sshd::start_with_host_key(&rsa);
    let desk = desk();
    std::fs::write(desk.config.path().join("known_hosts"), format!("[127.0.0.1]:{} {recorded}\n", sshd.port()))
        .unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    type_into(&mut harness, "Host", &sftp_url(&sshd));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Host key changed");
    harness.get_by_label_contains("man-in-the-middle");
    // Named in the dialog and in the protocol log.
    assert!(harness.query_all_by_label_contains("known_hosts:1").next().is_some(), "names the key on record");
    assert!(harness.query_all_by_label_contains("Accept").next().is_none(), "no way to accept a changed key");
    assert!(!sshd.log().contains("userauth-request"), "no credential was sent");
}

#[test]
fn hostile_names_are_shown_escaped() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("evil\nname\u{1b}[31m.txt"), b"x").unwrap();
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "evil");
    // The name as drawn, and the row's name read to a screen reader.
    let shown: Vec<String> = harness
        .query_all_by_label_contains("evil")
        .map(|node| node.accesskit_node().label().or_else(|| node.accesskit_node().value()).unwrap_or_default())
        .collect();
    assert!(!shown.is_empty());
    for shown in shown {
        assert!(!shown.contains('\n') && !shown.contains('\u{1b}'), "shown escaped: {shown:?}");
        assert!(
            shown.contains("\\n") || shown.contains("\\x1b") || shown.contains("\\u{1b}"),
            "escapes visible: {shown:?}"
        );
    }
}

#[test]
fn theme_sort_order_and_local_folder_are_kept_between_runs() {
    let desk = desk();
    let other_folder = tempfile::tempdir().unwrap();
    std::fs::write(other_folder.path().join("elsewhere.txt"), b"x").unwrap();
    {
        let mut harness = app_harness(desk.config.path(), desk.local.path());
        wait_for(&mut harness, "local-note.txt");
        click(&mut harness, "View");
        harness.run_steps(2);
        click(&mut harness, "Dark");
        harness.run_steps(2);
        click(&mut harness, "Size");
        harness.run_steps(2);
        click(&mut harness, "Show hidden");
        harness.run_steps(2);
        let path_text = other_folder.path().to_string_lossy().into_owned();
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::L);
        harness.run_steps(2);
        harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        text_field(&harness, "Path").type_text(&path_text);
        harness.key_press(egui::Key::Enter);
        wait_for(&mut harness, "elsewhere.txt");
        click(&mut harness, "Help");
        harness.run_steps(2);
        click(&mut harness, "Keyboard shortcuts");
        wait_for(&mut harness, "Ctrl+L");
        harness.run_steps(5);
    }
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ConfigDir::at(desk.config.path()).window_state()).unwrap()).unwrap();
    assert_eq!(saved["theme"], "dark");
    assert_eq!(saved["local_view"]["show_hidden"], true);
    assert_eq!(saved["local_view"]["sort"], "Size");
    assert!(saved["window_size"][0].as_f64().is_some_and(|width| width > 0.0), "the window size: {saved}");
    let split = saved["local_pane_fraction"].as_f64();
    assert!(split.is_some_and(|share| share > 0.0 && share < 1.0), "the pane split, as a share: {saved}");

    // A new run without a folder given opens where the last one left off, in the dark theme.
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(desk.config.path())) };
    let mut harness = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_eframe(move |creation| {
        FerryApp::start(&creation.egui_ctx, Startup { worker: options, url: None, local_folder: None }).unwrap()
    });
    wait_for(&mut harness, "elsewhere.txt");
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark);
}
#[test]
fn transfers_left_unfinished_are_offered_again_and_can_be_discarded() {
    let config = tempfile::tempdir().unwrap();
    let mut site = ferry::model::ConnectSpec::new(ferry::model::Protocol::Sftp, "127.0.0.1");
    site.port = 9; // never contacted: the item is discarded
    let item = ferry::worker::QueueItem {
        id: ferry::worker::ItemId(1),
        request: ferry::model::RequestId(1),
        site,
        direction: ferry::worker::Direction::Download,
        remote: "/srv/big.iso".into(),
        local: config.path().join("big.iso"),
        local_root: config.path().to_path_buf(),
        is_folder: false,
        size: Some(1 << 30),
        modified: None,
        mode: None,
        bytes_done: 1 << 20,
        started: true,
        state: ferry::worker::ItemState::Running,
        error: None,
        on_exists: ferry::transfer::policy::OnExists::Overwrite,
        verify: false,
        integrity: None,
        retry_note: None,
        success_note: None,
    };
    let queue_file = ConfigDir::at(config.path()).queue();
    ferry::worker::queue::save(&queue_file, &[item]).unwrap();

    let mut harness = app_harness(config.path(), config.path());
    wait_for(&mut harness, "1 transfer left unfinished last time");
    click(&mut harness, "Discard");
    let deadline = Instant::now() + Duration::from_secs(10);
    while queue_file.exists() {
        assert!(Instant::now() < deadline, "the discarded transfer is forgotten");
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }
    assert!(harness.query_all_by_label_contains("left unfinished").next().is_none());
}

#[test]
fn rows_dragged_between_the_panes_upload_and_download() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::create_dir(sshd.data_dir().join("inbox")).unwrap();
    std::fs::write(sshd.data_dir().join("from-server.txt"), b"server bytes").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "from-server.txt");

    // A local row onto the remote folder "inbox": uploaded into that folder.
    let from = harness.get_by_label("local-note.txt").rect().center();
    let to = harness.get_by_label("inbox").rect().center();
    drag_and_drop(&mut harness, from, to);
    wait_for_file(&mut harness, &sshd.data_dir().join("inbox/local-note.txt"), b"from my desk");

    // A remote row onto the local pane's empty space: downloaded into the local folder.
    let from = harness.get_by_label("from-server.txt").rect().center();
    let to = harness.get_by_label("Local").rect().center() + egui::vec2(0.0, 250.0);
    drag_and_drop(&mut harness, from, to);
    wait_for_file(&mut harness, &desk.local.path().join("from-server.txt"), b"server bytes");
    wait_for(&mut harness, "from-server.txt");
}

#[test]
fn an_existing_target_asks_with_both_sizes_and_dates() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("clash.txt"), b"the server's longer version").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    std::fs::write(desk.local.path().join("clash.txt"), b"mine").unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");

    type_into(&mut harness, "Host", &sftp_url(&sshd));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Accept once");
    click(&mut harness, "Accept once");
    wait_until(&mut harness, "remote listing", |h| h.query_all_by_label("clash.txt").count() == 2);

    // Downloading onto an existing file (the remote row dragged to the local pane) asks,
    // showing both sizes; Overwrite replaces it.
    let from = rightmost(&harness, "clash.txt").rect().center();
    let to = harness.get_by_label("Local").rect().center() + egui::vec2(0.0, 250.0);
    drag_and_drop(&mut harness, from, to);
    wait_for(&mut harness, "Apply to all");
    assert!(harness.query_all_by_label_contains("27 B").next().is_some(), "the server's size is shown");
    assert!(harness.query_all_by_label_contains("4 B").next().is_some(), "the local size is shown");
    click(&mut harness, "Overwrite");
    wait_for_file(&mut harness, &desk.local.path().join("clash.txt"), b"the server's longer version");
}

#[test]
fn copy_url_puts_the_remote_address_on_the_clipboard() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("share-me.txt"), b"x").unwrap();
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "share-me.txt");
    harness.get_by_label("share-me.txt").click_secondary();
    harness.run_steps(2);
    topmost(&harness, "Copy URL").hover();
    harness.run_steps(2);
    topmost(&harness, "Copy URL").click();
    harness.step();
    let copied = window_driver::copied_texts(&harness);
    let expected = format!("sftp://{TEST_USER}@127.0.0.1:{}", sshd.port());
    assert!(
        copied.iter().any(|text| text.starts_with(&expected) && text.ends_with("/share-me.txt")),
        "copied {copied:?}"
    );
    assert!(copied.iter().all(|text| !text.contains(TEST_PASSWORD)), "never the password");
}
