//! `--on-exists resume` continues a target only when it is the beginning of the source: another,
//! smaller file is sent whole (and the user told), a true partial is still continued, and a
//! resumed copy that fails its SHA-256 check is reported in plain words and not deleted.

use crate::cutting_proxy;
use crate::driver;
use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use cutting_proxy::CuttingProxy;
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// What a user finds in a file that is not the beginning of the new one.
const OTHER_BYTES: &[u8] = b"OLDCONTENT\n";

/// The note the command line prints for a target sent whole instead of resumed.
const SENT_WHOLE: &str = "the existing file is not the beginning of this one: sent whole";

/// Runs `ferry` with `args`, no terminal, the test password in the environment, and a fresh
/// config folder that trusts `sshd`'s host key on `port` (when given).
fn ferry(args: &[&str], trusted: Option<(&Sshd, u16)>) -> Output {
    let config = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command.arg("--config-dir").arg(config.path());
    if let Some((sshd, port)) = trusted {
        let known = config.path().join("known_hosts");
        std::fs::write(&known, format!("[127.0.0.1]:{port} {}\n", sshd.host_key_public_line())).unwrap();
        command.arg("--known-hosts").arg(known);
    }
    command
        .args(args)
        .stdin(Stdio::null())
        .env("FERRY_PASSWORD", TEST_PASSWORD)
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("run ferry")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `bytes` to `path` as the server's account owns it.
fn server_file(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    let account = support::test_account().expect("the test account");
    std::os::unix::fs::chown(path, Some(account.uid), Some(account.gid)).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn sftp_url(port: u16, dir: &Path, name: &str) -> String {
    format!("sftp://{TEST_USER}@127.0.0.1:{port}{}/{name}", dir.display())
}

fn ftp_url(port: u16, name: &str) -> String {
    format!("ftp://{TEST_USER}@127.0.0.1:{port}/{name}")
}

/// `ferry get --on-exists resume` of the server's `big.bin` over a local one holding other bytes.
fn get_over_other_bytes(url: &str, trusted: Option<(&Sshd, u16)>, source: &[u8]) {
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    std::fs::write(&target, OTHER_BYTES).unwrap();
    let output = ferry(&["get", "--on-exists", "resume", url, target.to_str().unwrap()], trusted);
    assert!(output.status.success(), "{url}: {}", stderr(&output));
    assert!(std::fs::read(&target).unwrap() == source, "{url}: the copy equals the source");
    assert!(stderr(&output).contains(SENT_WHOLE), "{url}: {}", stderr(&output));
}

#[test]
fn get_resume_over_another_file_sends_it_whole_over_sftp_and_ftp() {
    let source = driver::pattern(300_000, 5);
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), &source).unwrap();
    let url = sftp_url(sshd.port(), sshd.data_dir(), "big.bin");
    get_over_other_bytes(&url, Some((&sshd, sshd.port())), &source);

    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("big.bin"), &source).unwrap();
    get_over_other_bytes(&ftp_url(ftpd.port(), "big.bin"), None, &source);
}

/// `ferry put --on-exists resume` of a local file over the server's `big.bin` (in `server_dir`)
/// holding other bytes.
fn put_over_other_bytes(url: &str, trusted: Option<(&Sshd, u16)>, server_dir: &Path, source: &[u8]) {
    server_file(&server_dir.join("big.bin"), OTHER_BYTES);
    let local = tempfile::tempdir().unwrap();
    let file = local.path().join("big.bin");
    std::fs::write(&file, source).unwrap();
    let output = ferry(&["put", "--on-exists", "resume", file.to_str().unwrap(), url], trusted);
    assert!(output.status.success(), "{url}: {}", stderr(&output));
    assert!(std::fs::read(server_dir.join("big.bin")).unwrap() == source, "{url}: the server's file is the source");
    assert!(stderr(&output).contains(SENT_WHOLE), "{url}: {}", stderr(&output));
}

#[test]
fn put_resume_over_another_file_sends_it_whole_over_sftp_and_ftp() {
    let source = driver::pattern(300_000, 6);
    let sshd = Sshd::start();
    let url = sftp_url(sshd.port(), sshd.data_dir(), "big.bin");
    put_over_other_bytes(&url, Some((&sshd, sshd.port())), sshd.data_dir(), &source);

    let ftpd = Vsftpd::start(VsftpdOptions::default());
    put_over_other_bytes(&ftp_url(ftpd.port(), "big.bin"), None, ftpd.data_dir(), &source);
}

#[test]
fn a_true_partial_is_still_resumed_down_and_up() {
    let source = driver::pattern(4_000_000, 7);
    let partial = &source[..3_500_000];

    // Download over SFTP: the local file holds the source's first 3.5 MB.
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), &source).unwrap();
    let proxy = CuttingProxy::tcp(sshd.port(), Vec::new());
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    std::fs::write(&target, partial).unwrap();
    let url = sftp_url(proxy.port(), sshd.data_dir(), "big.bin");
    let output = ferry(&["get", "--on-exists", "resume", &url, target.to_str().unwrap()], Some((&sshd, proxy.port())));
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read(&target).unwrap() == source, "the resumed download equals the source");
    assert!(!stderr(&output).contains(SENT_WHOLE), "{}", stderr(&output));
    let crossed = proxy.bytes_relayed();
    assert!(crossed < 2_000_000, "only the rest moved, not the whole 4 MB: {crossed} bytes");

    // Upload over FTP: the server's file holds the first 3.5 MB.
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    server_file(&ftpd.data_dir().join("big.bin"), partial);
    let proxy = CuttingProxy::ftp(ftpd.port(), Vec::new());
    let file = local.path().join("up.bin");
    std::fs::write(&file, &source).unwrap();
    let url = ftp_url(proxy.port(), "big.bin");
    let output = ferry(&["put", "--on-exists", "resume", file.to_str().unwrap(), &url], None);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::read(ftpd.data_dir().join("big.bin")).unwrap() == source, "the resumed upload equals the source");
    let crossed = proxy.bytes_relayed();
    assert!(crossed < 2_000_000, "only the rest moved, not the whole 4 MB: {crossed} bytes");
}

#[test]
fn a_resumed_copy_that_fails_verify_is_reported_in_plain_words_and_kept() {
    let source = driver::pattern(300_000, 8);
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), &source).unwrap();
    // The last 64 KiB before the offset match, an earlier byte does not: resumed, then caught.
    let mut partial = source[..200_000].to_vec();
    partial[0] ^= 0xff;
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    std::fs::write(&target, &partial).unwrap();
    let url = sftp_url(sshd.port(), sshd.data_dir(), "big.bin");
    let output = ferry(
        &["get", "--on-exists", "resume", "--verify", &url, target.to_str().unwrap()],
        Some((&sshd, sshd.port())),
    );
    assert!(!output.status.success(), "a failed check is a failure");
    let said = stderr(&output);
    assert!(said.contains("the file on the server and the copy here differ (SHA-256)"), "{said}");
    assert!(!said.contains("protocol error"), "{said}");
    // The user's bytes were continued in the part file: they are still there, and named.
    let kept = local.path().join(".big.bin.ferry-part");
    assert!(said.contains(".big.bin.ferry-part"), "{said}");
    let kept = std::fs::read(&kept).expect("the resumed copy is kept");
    assert_eq!(&kept[..partial.len()], &partial[..], "the user's bytes are intact");
}

/// The window's "File exists" dialog answers "Resume": the worker takes the same path as
/// `--on-exists resume`, so another file is sent whole and the item says why.
#[test]
fn the_windows_resume_answer_sends_another_file_whole() {
    use ferry::model::Protocol;
    use ferry::transfer::policy::OnExists;
    use ferry::worker::{Direction, ItemState};

    let source = driver::pattern(300_000, 9);
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), &source).unwrap();
    let known = tempfile::tempdir().unwrap().keep().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let mut driver = driver::Driver::with_user_known_hosts(Some(known));
    driver.exists_answer = OnExists::Resume;
    let session = driver.connect(driver::spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    std::fs::write(&target, OTHER_BYTES).unwrap();
    let remote = format!("{}/big.bin", sshd.data_dir().display());
    let items = driver.enqueue(session, Direction::Download, &target, &remote, false, OnExists::Ask).unwrap();
    let finished = driver.wait_for_items(&items);
    assert!(std::fs::read(&target).unwrap() == source, "the copy equals the source");
    let item = finished.iter().find(|item| !item.is_folder).expect("the file's item");
    assert_eq!(item.state, ItemState::Done, "{item:?}");
    assert_eq!(item.success_note.as_deref(), Some(SENT_WHOLE));
}
