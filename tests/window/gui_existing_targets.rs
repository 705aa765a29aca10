//! Sending a folder or a file onto one that already exists, through the whole window on real
//! servers: a folder is merged into the existing one (never nested one level deeper, as FileZilla
//! and WinSCP merge), and each file that exists asks first, on SFTP and FTP alike, both ways.

use crate::gui::{connect, desk, open_up, sftp_url, wait_for_file};
use crate::scripted_ftp::{Reply, Script, ScriptedFtp};
use crate::support::{self, Dropbear, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};
use crate::window_driver::{app_harness, click, click_node, leftmost, rightmost, wait_for, wait_until};

use std::path::Path;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;

const FOLDER: &str = "日本語 フォルダ";
const FILE: &str = "ファイル.txt";

/// `FOLDER/FILE` under `root`, holding `bytes`, and `FOLDER/extra` when given.
fn folder_with_file(root: &Path, bytes: &[u8], extra: Option<(&str, &[u8])>) {
    std::fs::create_dir_all(root.join(FOLDER)).unwrap();
    std::fs::write(root.join(FOLDER).join(FILE), bytes).unwrap();
    if let Some((name, bytes)) = extra {
        std::fs::write(root.join(FOLDER).join(name), bytes).unwrap();
    }
}

/// The pane's Upload button (the queue may list an upload by that word too).
fn upload_button<'a>(harness: &'a Harness<'_, FerryApp>) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label("Upload")
        .find(|node| node.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the Upload button")
}

/// Waits for the target-exists question about `name`, and answers Overwrite.
fn overwrite_when_asked_about(harness: &mut Harness<'_, FerryApp>, name: &str) {
    wait_for(harness, "Apply to all");
    let asked = format!("\"{name}\" already exists");
    assert!(harness.query_all_by_label_contains(&asked).next().is_some(), "the question names {name}");
    click(harness, "Overwrite");
}

/// Selects the local `FOLDER` and uploads it; the server's `FOLDER/FILE` exists, so the window
/// asks, and after Overwrite the local files are in the server's folder itself.
fn upload_merges(harness: &mut Harness<'_, FerryApp>, remote_root: &Path) {
    click_node(harness, |h| leftmost(h, FOLDER));
    click_node(harness, upload_button);
    overwrite_when_asked_about(harness, FILE);
    let merged = remote_root.join(FOLDER);
    wait_for_file(harness, &merged.join(FILE), b"mine");
    wait_for_file(harness, &merged.join("only-mine.txt"), b"new");
    assert!(!merged.join(FOLDER).exists(), "nothing is nested one level deeper");
    assert_eq!(std::fs::read(merged.join("only-theirs.txt")).unwrap(), b"kept", "the server's other file stays");
}

/// The SFTP case on a server whose files are in `data_dir`, reached at `url`.
fn upload_merges_on_sftp(url: &str, data_dir: &Path) {
    folder_with_file(data_dir, b"the server's", Some(("only-theirs.txt", b"kept")));
    std::fs::write(data_dir.join("on-server.txt"), b"").unwrap();
    open_up(data_dir);
    let desk = desk();
    folder_with_file(desk.local.path(), b"mine", Some(("only-mine.txt", b"new")));
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, url, "on-server.txt");
    wait_until(&mut harness, "both listings", |h| h.query_all_by_label(FOLDER).count() == 2);
    upload_merges(&mut harness, data_dir);
}

#[test]
fn an_uploaded_folder_that_exists_on_sftp_is_merged_and_its_existing_file_asks() {
    support::require_password_logins();
    let sshd = Sshd::start();
    upload_merges_on_sftp(&sftp_url(&sshd), sshd.data_dir());
}

#[test]
fn an_uploaded_folder_that_exists_on_dropbear_is_merged_and_its_existing_file_asks() {
    support::require_password_logins();
    let dropbear = Dropbear::start();
    let url =
        format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", dropbear.port(), dropbear.data_dir().display());
    upload_merges_on_sftp(&url, dropbear.data_dir());
}

#[test]
fn on_vsftpd_a_file_over_an_existing_one_asks_and_an_existing_folder_is_merged() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("big.bin"), vec![7u8; 200_000]).unwrap();
    folder_with_file(ftpd.data_dir(), b"the server's", Some(("only-theirs.txt", b"kept")));
    std::fs::write(ftpd.data_dir().join("on-server.txt"), b"").unwrap();
    open_up(ftpd.data_dir());
    let desk = desk();
    let mine: Vec<u8> = (0..300_000u32).map(|n| (n % 251) as u8).collect();
    std::fs::write(desk.local.path().join("big.bin"), &mine).unwrap();
    folder_with_file(desk.local.path(), b"mine", Some(("only-mine.txt", b"new")));
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", ftpd.port()), "on-server.txt");
    wait_until(&mut harness, "both listings", |h| h.query_all_by_label(FOLDER).count() == 2);

    click_node(&mut harness, |h| leftmost(h, "big.bin"));
    click(&mut harness, "Upload");
    overwrite_when_asked_about(&mut harness, "big.bin");
    wait_for_file(&mut harness, &ftpd.data_dir().join("big.bin"), &mine);

    upload_merges(&mut harness, ftpd.data_dir());
}

#[test]
fn a_downloaded_folder_that_exists_locally_is_merged_and_its_existing_file_asks() {
    support::require_password_logins();
    let sshd = Sshd::start();
    folder_with_file(sshd.data_dir(), b"the server's", Some(("only-theirs.txt", b"new")));
    std::fs::write(sshd.data_dir().join("on-server.txt"), b"").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    folder_with_file(desk.local.path(), b"mine", Some(("only-mine.txt", b"kept")));
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "on-server.txt");
    wait_until(&mut harness, "both listings", |h| h.query_all_by_label(FOLDER).count() == 2);

    click_node(&mut harness, |h| rightmost(h, FOLDER));
    click(&mut harness, "Download");
    overwrite_when_asked_about(&mut harness, FILE);
    let merged = desk.local.path().join(FOLDER);
    wait_for_file(&mut harness, &merged.join(FILE), b"the server's");
    wait_for_file(&mut harness, &merged.join("only-theirs.txt"), b"new");
    assert!(!merged.join(FOLDER).exists(), "nothing is nested one level deeper");
    assert_eq!(std::fs::read(merged.join("only-mine.txt")).unwrap(), b"kept", "the local other file stays");
}

#[test]
fn a_connection_lost_while_looking_at_the_target_asks_again_and_never_overwrites_unasked() {
    // The first look at the server's file (SIZE) loses the connection: that is no proof the file
    // is absent, so the upload looks again on a fresh connection, and asks.
    let server = ScriptedFtp::start(
        Script::new().file("/big.bin", b"the server's copy".to_vec()).file("/on-server.txt", b"".to_vec()).reply_n(
            "SIZE",
            1,
            Reply::hang_up(),
        ),
    );
    let desk = desk();
    std::fs::write(desk.local.path().join("big.bin"), b"mine, which must not replace it unasked").unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &format!("ftp://anonymous@127.0.0.1:{}/", server.port()), "on-server.txt");
    wait_until(&mut harness, "both listings", |h| h.query_all_by_label("big.bin").count() == 2);

    click_node(&mut harness, |h| leftmost(h, "big.bin"));
    click_node(&mut harness, upload_button);
    wait_for(&mut harness, "Apply to all");
    click(&mut harness, "Skip");
    harness.run_steps(10);
    assert_eq!(server.file("/big.bin").as_deref(), Some(&b"the server's copy"[..]), "the server's file is intact");
}
