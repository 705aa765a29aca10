//! What the command line tells a user when a file operation fails, against every real server:
//! the kind of error is the one the server meant (a folder not empty, a missing file, a refused
//! folder), in plain words, without a library's codes.

use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::{Dropbear, PureFtpd, PureFtpdOptions, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// One server under test: the URL of its data folder and the folder itself.
struct Server {
    name: &'static str,
    base: String,
    data: std::path::PathBuf,
    known_hosts: Option<String>,
}

fn ferry(server: &Server, config: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command.arg("--config-dir").arg(config);
    if let Some(line) = &server.known_hosts {
        let known = config.join("known_hosts_for_test");
        std::fs::write(&known, format!("{line}\n")).unwrap();
        command.arg("--known-hosts").arg(known);
    }
    command.args(args).stdin(Stdio::null()).env_remove("FERRY_PASSWORD").env_remove("SSH_AUTH_SOCK");
    command.output().expect("run ferry")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Lays out the files every case uses: a file, a folder with a file in it, and a folder the
/// login may not write into (made by root, 0755).
fn lay_out(data: &Path) {
    std::fs::write(data.join("file.txt"), b"some bytes").unwrap();
    std::fs::create_dir(data.join("full")).unwrap();
    std::fs::write(data.join("full/inside.txt"), b"inside").unwrap();
    std::fs::create_dir(data.join("locked")).unwrap();
    std::os::unix::fs::chown(data.join("full"), Some(uid_of_data(data)), None).unwrap();
    std::os::unix::fs::chown(data.join("full/inside.txt"), Some(uid_of_data(data)), None).unwrap();
    std::os::unix::fs::chown(data.join("file.txt"), Some(uid_of_data(data)), None).unwrap();
}

fn uid_of_data(data: &Path) -> u32 {
    std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(data).unwrap())
}

/// Runs one case and returns its stderr, printed for the test's log.
fn failing(server: &Server, config: &Path, args: &[&str]) -> String {
    let output = ferry(server, config, args);
    let text = stderr(&output);
    eprintln!("{} {args:?}: {text}", server.name);
    assert!(!output.status.success(), "{}: {args:?} should fail: {text}", server.name);
    text
}

/// Every case on one server: what a user reads when a delete, a listing or a move goes wrong.
fn messages_name_the_real_cause(server: &Server) {
    lay_out(&server.data);
    let config = tempfile::tempdir().unwrap();
    let config = config.path();
    let base = &server.base;
    let name = server.name;

    let mut shown = Vec::new();
    let text = failing(server, config, &["rm", &format!("{base}/full")]);
    shown.push(text.clone());
    assert!(text.contains("folder not empty: deleting folder") && text.contains("full"), "{name}: {text}");
    assert!(server.data.join("full/inside.txt").exists(), "{name}: nothing inside was deleted");

    let text = failing(server, config, &["rm", &format!("{base}/missing.txt")]);
    shown.push(text.clone());
    assert!(text.contains("not found: deleting") && text.contains("missing.txt"), "{name}: {text}");
    // The server's answer to the size check ("550 Could not get file size.") is not about the
    // delete: a missing file is just not found.
    assert!(!text.contains("server said") && !text.contains("550"), "{name}: {text}");

    let output = ferry(server, config, &["ls", &format!("{base}/file.txt")]);
    let listed = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{name}: ls of a file lists it: {}", stderr(&output));
    assert_eq!(listed.lines().count(), 1, "{name}: {listed}");
    assert!(
        listed.starts_with('-') && listed.trim_end().ends_with(" file.txt") && listed.contains(" 10 "),
        "{name}: {listed}"
    );

    let text = failing(server, config, &["mv", &format!("{base}/file.txt"), "locked/file.txt"]);
    assert!(text.contains("permission denied: renaming"), "{name}: {text}");
    assert!(!text.contains("/./"), "{name}: {text}");
    assert!(server.data.join("file.txt").exists(), "{name}: the file stays where it was");
    shown.push(text);

    // A library's codes and words are the log's business.
    for line in &shown {
        assert!(
            !line.contains("libssh2") && !line.contains("Session(") && !line.contains("(failure)"),
            "{name}: {line}"
        );
    }
}

fn sftp_server(name: &'static str, port: u16, data: &Path, known_hosts: String) -> Server {
    Server {
        name,
        base: format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{port}{}", data.display()),
        data: data.to_path_buf(),
        known_hosts: Some(known_hosts),
    }
}

fn ftp_server(name: &'static str, port: u16, data: &Path) -> Server {
    Server {
        name,
        base: format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{port}"),
        data: data.to_path_buf(),
        known_hosts: None,
    }
}

#[test]
fn openssh_messages_name_the_real_cause() {
    let sshd = Sshd::start();
    messages_name_the_real_cause(&sftp_server("sshd", sshd.port(), sshd.data_dir(), sshd.known_hosts_line()));
}

#[test]
fn dropbear_messages_name_the_real_cause() {
    let dropbear = Dropbear::start();
    let server = sftp_server("dropbear", dropbear.port(), dropbear.data_dir(), dropbear.known_hosts_line());
    messages_name_the_real_cause(&server);
}

#[test]
fn vsftpd_messages_name_the_real_cause() {
    let vsftpd = Vsftpd::start(VsftpdOptions::default());
    messages_name_the_real_cause(&ftp_server("vsftpd", vsftpd.port(), vsftpd.data_dir()));
}

#[test]
fn pure_ftpd_messages_name_the_real_cause() {
    let pure = PureFtpd::start(PureFtpdOptions::default());
    messages_name_the_real_cause(&ftp_server("pure-ftpd", pure.port(), pure.data_dir()));
}

/// `ferry get --on-exists POLICY` of `vsftpd`'s `big.bin` into a folder that holds an older
/// `big.bin`: what the command printed, and that folder.
fn get_over_an_old_copy(vsftpd: &Vsftpd, policy: &str) -> (std::process::Output, tempfile::TempDir) {
    let server = ftp_server("vsftpd", vsftpd.port(), vsftpd.data_dir());
    std::fs::write(server.data.join("big.bin"), b"the server's bytes").unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("big.bin"), b"the old copy").unwrap();
    let config = tempfile::tempdir().unwrap();
    let into = format!("{}/", local.path().display());
    let source = format!("{}/big.bin", server.base);
    (ferry(&server, config.path(), &["get", "--on-exists", policy, &source, &into]), local)
}

/// `--on-exists rename` writes `big (1).bin` beside the old `big.bin`: every line that names the
/// file names the one written, and one file is "1 file", not "1 files".
#[test]
fn a_renamed_download_is_named_as_written_and_counted_in_the_singular() {
    let vsftpd = Vsftpd::start(VsftpdOptions::default());
    let (output, local) = get_over_an_old_copy(&vsftpd, "rename");
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert_eq!(std::fs::read(local.path().join("big (1).bin")).unwrap(), b"the server's bytes");
    assert_eq!(std::fs::read(local.path().join("big.bin")).unwrap(), b"the old copy", "the old copy is intact");
    assert!(text.contains("big (1).bin"), "the name written is shown: {text}");
    assert!(text.contains("1 file,"), "{text}");
    assert!(!text.contains("1 files"), "{text}");
}

/// `--on-exists ask` with no terminal to ask on stops at once, saying what to choose instead,
/// rather than skipping every existing file unasked.
#[test]
fn on_exists_ask_without_a_terminal_fails_before_any_transfer() {
    let vsftpd = Vsftpd::start(VsftpdOptions::default());
    let (output, local) = get_over_an_old_copy(&vsftpd, "ask");
    let text = stderr(&output);
    assert!(!output.status.success(), "it fails: {text}");
    assert!(text.contains("--on-exists ask needs a terminal") && text.contains("choose another --on-exists"), "{text}");
    assert!(!text.contains("skipped"), "nothing was tried: {text}");
    assert_eq!(std::fs::read(local.path().join("big.bin")).unwrap(), b"the old copy");
    assert_eq!(std::fs::read_dir(local.path()).unwrap().count(), 1, "nothing else was written");
    assert!(!vsftpd.log().contains("RETR"), "no transfer began");
}

/// FTPES to a server that offers no TLS: vsftpd answers AUTH TLS with "530 Please login with USER
/// and PASS.", which is no verdict on the password. The user reads that the server offers no
/// TLS, never that the login failed (no password was even sent).
#[test]
fn ftpes_to_a_server_without_tls_says_so_not_a_wrong_password() {
    let vsftpd = Vsftpd::start(VsftpdOptions { tls: support::FtpTls::None, ..VsftpdOptions::default() });
    let config = tempfile::tempdir().unwrap();
    let server = ftp_server("vsftpd", vsftpd.port(), vsftpd.data_dir());
    let url = server.base.replacen("ftp://", "ftpes://", 1) + "/";
    let output = ferry(&server, config.path(), &["ls", &url]);
    let text = stderr(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("does not offer TLS"), "{text}");
    assert!(!text.contains("authentication failed"), "{text}");
    assert!(!vsftpd.log().contains("\"PASS "), "no password was sent in clear: {}", vsftpd.log());
}
