//! The window's protocol log against real servers: the FTP commands sent and the replies
//! received (PASS masked), the SFTP requests with their paths, the connection and login steps,
//! and transfer failures and retries as they happen. Never a password.

use crate::cutting_proxy;
use crate::driver;
use crate::support;

use std::time::Duration;

use cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use driver::{Driver, pattern, spec};
use ferry::model::Protocol;
use ferry::transfer::policy::OnExists;
use ferry::worker::{Direction, Event, ItemState, LogKind, QueueEvent, TransferSettings};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// The log as the window would show it: one "Kind text" line each.
fn shown(driver: &Driver) -> Vec<String> {
    driver.log.iter().map(|line| format!("{:?} {}", line.kind, line.text)).collect()
}

fn has(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|line| line.contains(wanted))
}

#[test]
fn the_log_shows_ftp_commands_and_replies_and_never_the_password() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("hello.txt"), b"hello").unwrap();
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    driver.list(session, "").unwrap();
    let local = tempfile::tempdir().unwrap();
    driver.download(session, "hello.txt", &local.path().join("hello.txt")).unwrap();
    // A file the server will not send (root's, 0600): the transfer itself fails.
    std::fs::write(ftpd.data_dir().join("secret.bin"), b"not yours").unwrap();
    std::fs::set_permissions(ftpd.data_dir().join("secret.bin"), std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .unwrap();
    assert!(driver.download(session, "secret.bin", &local.path().join("secret.bin")).is_err());

    let lines = shown(&driver);
    let all = lines.join("\n");
    eprintln!("{all}");
    assert!(has(&lines, &format!("Command USER {TEST_USER}")), "{all}");
    assert!(has(&lines, "Command PASS ****"), "{all}");
    assert!(has(&lines, "Reply 230"), "the login's reply: {all}");
    assert!(has(&lines, "Command LIST") || has(&lines, "Command MLSD"), "{all}");
    assert!(lines.iter().any(|line| line.starts_with("Command RETR ") && line.ends_with("/hello.txt")), "{all}");
    assert!(has(&lines, "Reply 226"), "{all}");
    // The failed transfer is in the log, with the server's words.
    let failed = lines.iter().find(|line| line.starts_with("Error") && line.contains("secret.bin"));
    assert!(failed.is_some_and(|line| line.contains("failed") && line.contains("550")), "{all}");
    assert!(!all.contains(TEST_PASSWORD), "no password in the log: {all}");
    // The lines of a request carry its session.
    assert!(driver.log.iter().any(|line| line.kind == LogKind::Command && line.session == Some(session)), "{all}");
}

#[test]
fn the_log_shows_sftp_requests_with_their_paths_and_the_login_steps() {
    let sshd = Sshd::start();
    let data = sshd.data_dir().to_path_buf();
    std::fs::write(data.join("hello.txt"), b"hello").unwrap();
    let known = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(known.path(), sshd.known_hosts_line() + "\n").unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known.path().to_path_buf()));
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let folder = data.display().to_string();
    driver.list(session, &folder).unwrap();
    let local = tempfile::tempdir().unwrap();
    driver.download(session, &format!("{folder}/hello.txt"), &local.path().join("hello.txt")).unwrap();

    let lines = shown(&driver);
    let all = lines.join("\n");
    eprintln!("{all}");
    assert!(has(&lines, "Info SSH handshake with 127.0.0.1"), "{all}");
    assert!(has(&lines, "host key ssh-ed25519 SHA256:"), "{all}");
    assert!(has(&lines, &format!("Info logged in as {TEST_USER}")), "{all}");
    assert!(has(&lines, &format!("Command OPENDIR {folder}")), "{all}");
    assert!(has(&lines, &format!("Command OPEN {folder}/hello.txt to READ")), "{all}");
    assert!(has(&lines, "Reply OK"), "{all}");
    assert!(!all.contains(TEST_PASSWORD), "no password in the log: {all}");
}

/// A cut transfer's retry is in the log when it is scheduled, with why.
#[test]
fn the_log_shows_a_transfer_retry_as_it_happens() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("big.bin"), pattern(2_000_000, 3)).unwrap();
    let proxy = CuttingProxy::ftp(
        ftpd.port(),
        vec![Cut { direction: CutDirection::ToClient, after_bytes: 500_000, fault: Fault::Drop }],
    );
    let mut driver = Driver::with_transfer(TransferSettings { backoff: Duration::from_secs(1), ..Default::default() });
    let session = driver.connect(spec(Protocol::Ftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let items = driver
        .enqueue(session, Direction::Download, &local.path().join("big.bin"), "big.bin", false, OnExists::Overwrite)
        .unwrap();
    let finished = driver.wait_for_items(&items);
    assert_eq!(finished[0].state, ItemState::Done);
    assert_eq!(std::fs::read(local.path().join("big.bin")).unwrap(), pattern(2_000_000, 3));

    let lines = shown(&driver);
    let all = lines.join("\n");
    eprintln!("{all}");
    assert!(
        lines.iter().any(|line| line.starts_with("Error") && line.contains("big.bin") && line.contains("retry 1 of 3")),
        "{all}"
    );
    assert!(lines.iter().any(|line| line.starts_with("Info Download") && line.contains("big.bin: done")), "{all}");
}

/// A download that `rename` writes as "big (1).bin" is named so in its row while it runs, when it
/// is done, and in the log: never as the "big.bin" it did not write.
#[test]
fn a_renamed_download_is_named_as_written_in_its_row_and_the_log() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("big.bin"), pattern(300_000, 9)).unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("big.bin"), b"the old copy").unwrap();
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let items = driver
        .enqueue(session, Direction::Download, &local.path().join("big.bin"), "big.bin", false, OnExists::Rename)
        .unwrap();
    let mut names = Vec::new();
    let done = loop {
        match driver.handle.recv_timeout(Duration::from_secs(60)).expect("the queue moves") {
            Event::Queue(QueueEvent::Changed { item }) if item.id == items[0].id => {
                if item.state != ItemState::Queued {
                    names.push((item.state, item.name()));
                }
                if item.state.is_finished() {
                    break item;
                }
            }
            Event::Log { line } => driver.log.push(line),
            _ => {}
        }
    };
    assert_eq!(done.state, ItemState::Done, "{done:?}");
    assert_eq!(std::fs::read(local.path().join("big (1).bin")).unwrap(), pattern(300_000, 9));
    assert_eq!(std::fs::read(local.path().join("big.bin")).unwrap(), b"the old copy");
    assert!(names.iter().any(|(state, name)| *state == ItemState::Running && name == "big (1).bin"), "{names:?}");
    assert!(names.iter().skip(1).all(|(_, name)| name == "big (1).bin"), "once renamed, always so: {names:?}");
    assert_eq!(done.success_note.as_deref(), Some("big.bin exists: written as big (1).bin"));
    let lines = shown(&driver);
    let all = lines.join("\n");
    assert!(lines.iter().any(|line| line.starts_with("Info Download") && line.contains("/big (1).bin: done")), "{all}");
}
