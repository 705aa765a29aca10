//! Feedback that tells the truth, through the whole window on the real worker against real
//! servers: a failed transfer ends "Failed", a connection that ended says so and offers Reconnect,
//! the connect bar shows the active tab's site, a URL's folder is kept and made absolute, copied
//! URLs are encoded, and the dialogs' words and dates hold.

use crate::cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use crate::scripted_ftp::{Script, ScriptedFtp};
use crate::support;
use crate::window_driver;

use std::path::Path;
use std::time::{Duration, SystemTime};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::{FerryApp, Startup};
use ferry::config::ConfigDir;
use ferry::worker::{TransferSettings, WorkerOptions};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};
use window_driver::{app_harness, click, click_node, rightmost, text_field, topmost, type_into};
use window_driver::{wait_for, wait_until};

fn sftp_url(port: u16) -> String {
    format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{port}")
}

/// Types a URL into the connect bar, connects, and accepts the host key once if asked.
fn connect(harness: &mut Harness<'_, FerryApp>, url: &str, expect: &str) {
    type_into(harness, "Host", url);
    click(harness, "Connect");
    accept_key_and_wait(harness, expect);
}

fn accept_key_and_wait(harness: &mut Harness<'_, FerryApp>, expect: &str) {
    wait_until(harness, "connected", |h| {
        h.query_by_label("Accept once").is_some() || h.query_all_by_label_contains(expect).next().is_some()
    });
    if harness.query_by_label("Accept once").is_some() {
        click(harness, "Accept once");
    }
    wait_for(harness, expect);
}

/// A local folder with one file, and a config folder, both temporary.
struct Desk {
    config: tempfile::TempDir,
    local: tempfile::TempDir,
}

fn desk() -> Desk {
    let desk = Desk { config: tempfile::tempdir().unwrap(), local: tempfile::tempdir().unwrap() };
    std::fs::write(desk.local.path().join("local-note.txt"), b"from my desk").unwrap();
    desk
}

fn open_up(path: &Path) {
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(path).status().unwrap();
}

/// Every text the window shows, for "never says X" checks.
fn all_text(harness: &Harness<'_, FerryApp>) -> String {
    format!("{:?}", harness.root())
}

/// The value of the text field labelled `label`.
fn field(harness: &Harness<'_, FerryApp>, label: &str) -> String {
    text_field(harness, label).value().unwrap_or_default()
}

/// The tab whose title holds `text` (the highest widget holding it: the status bar may too).
fn tab<'a>(harness: &'a Harness<'_, FerryApp>, text: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label_contains(text)
        // Its close button is named after it too.
        .filter(|node| !node.accesskit_node().label().unwrap_or_default().starts_with("Close tab"))
        .min_by(|a, b| a.rect().top().total_cmp(&b.rect().top()))
        .unwrap_or_else(|| panic!("no tab {text}"))
}

/// The protocol the connect bar shows.
fn protocol(harness: &Harness<'_, FerryApp>) -> String {
    harness.get_by_role_and_label(egui::accesskit::Role::ComboBox, "Protocol").value().unwrap_or_default()
}

/// Right-clicks the row `name` furthest left or right and chooses `action` in its menu.
fn row_menu(harness: &mut Harness<'_, FerryApp>, name: &str, remote: bool, action: &'static str) {
    row_menu_open(harness, name, remote);
    click_node(harness, |h| topmost(h, action));
}

/// Selects the row `name` furthest left or right and opens its menu.
fn row_menu_open(harness: &mut Harness<'_, FerryApp>, name: &str, remote: bool) {
    let pick = |h: &Harness<'_, FerryApp>| {
        let rows = h.query_all_by_label(name);
        if remote {
            rows.max_by(|a, b| a.rect().left().total_cmp(&b.rect().left())).map(|n| n.rect().center())
        } else {
            rows.min_by(|a, b| a.rect().left().total_cmp(&b.rect().left())).map(|n| n.rect().center())
        }
    };
    let at = pick(harness).unwrap_or_else(|| panic!("no row {name}"));
    harness.hover_at(at);
    harness.run_steps(2);
    // A click selects the row, then the secondary button opens its menu, each press and release
    // in frames of their own, as a hand makes them.
    for button in [egui::PointerButton::Primary, egui::PointerButton::Secondary] {
        for pressed in [true, false] {
            harness.event(egui::Event::PointerButton { pos: at, button, pressed, modifiers: egui::Modifiers::NONE });
            harness.step();
        }
    }
    harness.run_steps(2);
}

#[test]
fn a_refused_upload_and_a_download_whose_server_is_gone_end_failed_never_running() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let locked = sshd.data_dir().join("locked");
    std::fs::create_dir(&locked).unwrap();
    let big: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(sshd.data_dir().join("big.bin"), &big).unwrap();
    open_up(sshd.data_dir());
    std::process::Command::new("chmod").arg("0555").arg(&locked).status().unwrap();
    // The first connection browses; every later one (the queue's, and each retry) is cut early
    // in the file's bytes, so the download can never finish.
    let browse = Cut { direction: CutDirection::ToClient, after_bytes: u64::MAX, fault: Fault::Drop };
    let cut = Cut { direction: CutDirection::ToClient, after_bytes: 120_000, fault: Fault::Drop };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![browse, cut, cut, cut, cut, cut, cut]);
    let desk = desk();
    let options = WorkerOptions {
        user_known_hosts: None,
        transfer: TransferSettings { retries: 2, backoff: Duration::from_millis(200), ..TransferSettings::default() },
        ..WorkerOptions::new(ConfigDir::at(desk.config.path()))
    };
    let local = desk.local.path().to_string_lossy().into_owned();
    let mut harness = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_eframe(move |creation| {
        let startup = Startup { worker: options, url: None, local_folder: Some(local) };
        FerryApp::start(&creation.egui_ctx, startup).expect("worker starts")
    });
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &format!("{}{}", sftp_url(proxy.port()), locked.display()), "Connected to");

    // A write the server refuses: the row ends Failed, in plain words.
    // The remote folder listed: its name is the path bar's last crumb.
    wait_until(&mut harness, "the locked folder listed", |h| h.query_by_label("locked").is_some());
    row_menu(&mut harness, "local-note.txt", false, "Upload");
    wait_until(&mut harness, "the refused upload failed", |h| {
        h.query_all_by_label_contains("Failed").next().is_some() && h.query_by_label("Running").is_none()
    });
    assert!(all_text(&harness).contains("permission denied"), "{:#?}", harness.root());
    assert!(!all_text(&harness).contains("connection lost"), "no connection was lost: {:#?}", harness.root());

    // A download cut again and again: retried, then Failed, and it says the connection was lost.
    click_node(&mut harness, |h| rightmost(h, "Up"));
    wait_for(&mut harness, "big.bin");
    row_menu(&mut harness, "big.bin", true, "Download");
    // The queue's row for it reads "big.bin, download, …, Failed: …" once it has failed.
    wait_until(&mut harness, "the cut download failed", |h| {
        h.query_all_by_label_contains("big.bin, download")
            .any(|row| row.accesskit_node().label().is_some_and(|l| l.contains("Failed")))
            && h.query_by_label("Running").is_none()
    });
    assert!(all_text(&harness).contains("connection lost"), "{:#?}", harness.root());
    assert!(!desk.local.path().join("big.bin").exists(), "no partial file under the final name");
}

#[test]
fn disconnect_closes_every_connection_to_the_site_and_the_pane_says_it_is_not_connected() {
    let vsftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(vsftpd.data_dir().join("server-file.txt"), b"from the server").unwrap();
    open_up(vsftpd.data_dir());
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", vsftpd.port()), "server-file.txt");
    // A download leaves a pooled connection besides the browsing one.
    row_menu(&mut harness, "server-file.txt", true, "Download");
    let copy = desk.local.path().join("server-file.txt");
    wait_until(&mut harness, "downloaded", |_| std::fs::read(&copy).ok().as_deref() == Some(b"from the server"));
    assert!(vsftpd.session_processes() >= 2, "a browsing and a pooled connection are open");

    click_node(&mut harness, |h| h.query_all_by_label("File").next().unwrap());
    click_node(&mut harness, |h| topmost(h, "Disconnect"));
    wait_until(&mut harness, "every connection closed", |_| vsftpd.session_processes() == 0);
    wait_for(&mut harness, "Not connected");
    harness.get_by_label("Reconnect");
    let row = rightmost(&harness, "server-file.txt");
    assert!(row.accesskit_node().is_disabled(), "the old listing is greyed, not live");

    click(&mut harness, "Reconnect");
    wait_until(&mut harness, "connected again", |h| {
        h.query_all_by_label_contains("Not connected").next().is_none()
            && !rightmost(h, "server-file.txt").accesskit_node().is_disabled()
    });
}

#[test]
fn the_connect_bar_shows_the_active_tabs_site() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("on-sftp.txt"), b"x").unwrap();
    let ftp = ScriptedFtp::start(Script::new().dir_listing("/", &["-rw-r--r-- 1 u g 5 Jan 01 2025 on-ftp.txt"]));
    // Tabs are named user@host:port (the port only when not the usual one).
    let (sftp_tab, ftp_tab) = (format!("{TEST_USER}@127.0.0.1"), format!("127.0.0.1:{}", ftp.port()));
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(sshd.port()), "on-sftp.txt");
    click(&mut harness, "New tab");
    connect(&mut harness, &format!("ftp://anonymous@127.0.0.1:{}", ftp.port()), "on-ftp.txt");
    assert_eq!(field(&harness, "Port"), ftp.port().to_string());

    click_node(&mut harness, |h| tab(h, &sftp_tab));
    wait_for(&mut harness, "on-sftp.txt");
    assert_eq!(field(&harness, "Port"), sshd.port().to_string());
    assert_eq!(field(&harness, "User"), TEST_USER);
    assert_eq!(field(&harness, "Host"), "127.0.0.1");
    assert_eq!(protocol(&harness), "SFTP");
    let password = harness.get_by_role_and_label(egui::accesskit::Role::PasswordInput, "Password");
    assert!(password.value().unwrap_or_default().is_empty(), "no password is shown");

    click_node(&mut harness, |h| tab(h, &ftp_tab));
    wait_for(&mut harness, "on-ftp.txt");
    assert_eq!(field(&harness, "Port"), ftp.port().to_string());
    assert_eq!(field(&harness, "User"), "anonymous");
    assert_eq!(protocol(&harness), "FTP");
}

#[test]
fn an_ftp_url_below_the_login_folder_opens_it_by_its_full_path_with_up_enabled() {
    let vsftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::create_dir(vsftpd.data_dir().join("sub")).unwrap();
    std::fs::write(vsftpd.data_dir().join("sub/inside.txt"), b"x").unwrap();
    std::fs::write(vsftpd.data_dir().join("beside.txt"), b"x").unwrap();
    open_up(vsftpd.data_dir());
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/sub", vsftpd.port()), "inside.txt");
    let up = harness.query_all_by_label("Up").max_by(|a, b| a.rect().left().total_cmp(&b.rect().left())).unwrap();
    assert!(!up.accesskit_node().is_disabled(), "Up leads out of the URL's folder");
    click_node(&mut harness, |h| {
        h.query_all_by_label("Up").max_by(|a, b| a.rect().left().total_cmp(&b.rect().left())).unwrap()
    });
    wait_for(&mut harness, "beside.txt");
}

#[test]
fn connecting_again_after_a_refused_password_opens_the_urls_folder() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::create_dir(sshd.data_dir().join("deep")).unwrap();
    std::fs::write(sshd.data_dir().join("deep/inside.txt"), b"x").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    let folder = sshd.data_dir().join("deep");
    let url = format!("sftp://{TEST_USER}:wrong-password@127.0.0.1:{}{}", sshd.port(), folder.display());
    connect(&mut harness, &url, "Login failed");
    click(&mut harness, "Close");
    harness.get_by_role_and_label(egui::accesskit::Role::PasswordInput, "Password").click();
    harness.run_steps(2);
    harness.get_by_role_and_label(egui::accesskit::Role::PasswordInput, "Password").type_text(TEST_PASSWORD);
    harness.run_steps(2);
    click(&mut harness, "Connect");
    wait_for(&mut harness, "inside.txt");
}

#[test]
fn copy_url_is_percent_encoded_and_opens_the_same_file() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let name = "my file #1 ?naïve.txt";
    std::fs::write(sshd.data_dir().join(name), b"x").unwrap();
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(sshd.port()), name);
    row_menu_open(&mut harness, name, true);
    topmost(&harness, "Copy URL").hover();
    harness.run_steps(2);
    topmost(&harness, "Copy URL").click();
    harness.step();
    let copied = window_driver::copied_texts(&harness);
    let [url] = copied.as_slice() else { panic!("one URL copied: {copied:?}") };
    assert!(url.ends_with("/my%20file%20%231%20%3Fna%C3%AFve.txt"), "{url}");
    let parsed = ferry::url::parse_url(url).unwrap();
    let expected = sshd.data_dir().join(name);
    assert_eq!(parsed.path.as_deref(), Some(expected.to_str().unwrap()), "the URL names the file");
}

#[test]
fn a_fraction_of_a_second_is_not_newer_and_resume_says_why_it_is_not_offered() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("same-time.txt"), b"server").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    // The local copy: longer, and half a second after the server's file, which SFTP gives in
    // whole seconds.
    let local = desk.local.path().join("same-time.txt");
    std::fs::write(&local, b"a longer local copy").unwrap();
    let second = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    std::fs::File::options()
        .write(true)
        .open(sshd.data_dir().join("same-time.txt"))
        .unwrap()
        .set_modified(second)
        .unwrap();
    std::fs::File::options()
        .write(true)
        .open(&local)
        .unwrap()
        .set_modified(second + Duration::from_millis(500))
        .unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(sshd.port()), "Connected to");
    wait_until(&mut harness, "both listed", |h| h.query_all_by_label("same-time.txt").count() == 2);
    row_menu(&mut harness, "same-time.txt", true, "Download");
    wait_for(&mut harness, "Apply to all");
    assert!(harness.query_all_by_label_contains("(newer)").next().is_none(), "{:#?}", harness.root());
    assert!(harness.get_by_label("Resume").accesskit_node().is_disabled());
    harness.get_by_label_contains("Resume is not offered: the existing file is as large as the new one");
    click(&mut harness, "Skip");
}

#[test]
fn an_unknown_host_key_shows_its_fingerprint_on_one_line() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    type_into(&mut harness, "Host", &sftp_url(sshd.port()));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Accept once");
    let fingerprint = sshd.host_key_fingerprint();
    let shown = harness.get_by_label(&fingerprint);
    let line = harness.get_by_label("Fingerprint").rect().height();
    assert!(shown.rect().height() < line * 1.5, "one line: {:?} against {line}", shown.rect());
    click_node(&mut harness, |h| topmost(h, "Cancel"));
}

#[test]
fn a_host_that_is_not_found_gives_its_advice_once() {
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    // `.invalid` never resolves (RFC 2606): no traffic leaves this machine for it.
    type_into(&mut harness, "Host", "sftp://nobody@ferry-test.invalid");
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Host not found");
    let advice = harness.query_all_by_label_contains("heck the").count();
    assert_eq!(advice, 1, "one piece of advice: {:#?}", harness.root());
    assert!(!all_text(&harness).to_lowercase().contains("connection lost"), "{:#?}", harness.root());
}

#[test]
fn a_refused_login_and_a_missing_folder_are_not_called_a_lost_connection() {
    let vsftpd = Vsftpd::start(VsftpdOptions::default());
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    let lost = |h: &Harness<'_, FerryApp>| all_text(h).to_lowercase().contains("connection lost");

    type_into(&mut harness, "Host", &format!("ftp://{TEST_USER}:wrong-password@127.0.0.1:{}", vsftpd.port()));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Login failed");
    assert!(!lost(&harness), "a refused password is no lost connection: {:#?}", harness.root());
    assert!(harness.query_by_label("Reconnect").is_none());
    click(&mut harness, "Close");

    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/no-such-folder", vsftpd.port());
    type_into(&mut harness, "Host", &url);
    click(&mut harness, "Connect");
    wait_until(&mut harness, "the missing folder reported", |h| {
        h.query_all_by_label_contains("no-such-folder").any(|node| node.rect().top() > 300.0)
            && h.query_by_label("Close").is_some()
    });
    assert!(!lost(&harness), "a missing folder is no lost connection: {:#?}", harness.root());
}
