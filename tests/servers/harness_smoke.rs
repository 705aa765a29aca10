//! Checks that the test harness (tests/support) starts real servers that
//! answer, so a failure elsewhere is about Ferry, not about the harness.

use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{FtpTls, PureFtpd, PureFtpdOptions, SshAgent, Sshd, Vsftpd, VsftpdOptions};

/// Connects to 127.0.0.1:port with read timeouts so a silent server fails
/// the test instead of hanging it.
fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the test server");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set a read timeout");
    stream
}

/// Reads one complete FTP reply (multi-line replies end with "NNN ").
fn read_ftp_reply(reader: &mut impl BufRead) -> String {
    let mut reply = String::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).expect("read an FTP reply line");
        assert!(read > 0, "FTP server closed the connection; got so far: {reply:?}");
        reply.push_str(&line);
        let bytes = line.as_bytes();
        if bytes.len() >= 4 && bytes[..3].iter().all(u8::is_ascii_digit) && bytes[3] == b' ' {
            return reply;
        }
    }
}

fn ftp_command(stream: &mut TcpStream, reader: &mut impl BufRead, command: &str) -> String {
    write!(stream, "{command}\r\n").expect("send an FTP command");
    read_ftp_reply(reader)
}

/// An OpenSSH `ssh` client for `sshd`: no user config, no known_hosts,
/// never prompting. `secret` (a password or key passphrase) is answered
/// through an SSH_ASKPASS script, as there is no terminal; the script lives
/// in the returned directory, which must outlive the command.
fn ssh_client(sshd: &Sshd, secret: &str, options: &[&str]) -> (tempfile::TempDir, Command) {
    let askpass_dir = tempfile::tempdir().expect("temporary directory for an askpass script");
    let askpass = askpass_dir.path().join("askpass.sh");
    std::fs::write(&askpass, format!("#!/bin/sh\necho '{secret}'\n")).expect("write askpass script");
    std::fs::set_permissions(&askpass, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .expect("make askpass script executable");
    let mut command = Command::new("ssh");
    command
        .args(["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        .args(["-o", "ConnectTimeout=10", "-o", "NumberOfPasswordPrompts=1", "-p"])
        .arg(sshd.port().to_string())
        .args(options)
        .arg(format!("{}@127.0.0.1", sshd.login_user()))
        .arg("true")
        .env("SSH_ASKPASS", &askpass)
        .env("SSH_ASKPASS_REQUIRE", "force")
        .env("DISPLAY", ":0")
        .stdin(Stdio::null());
    (askpass_dir, command)
}

fn run_ok(command: &mut Command) {
    let output = command.output().expect("run the ssh client");
    assert!(
        output.status.success(),
        "{command:?} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn sshd_sends_an_openssh_banner() {
    let sshd = Sshd::start();
    let mut reader = BufReader::new(connect(sshd.port()));
    let mut banner = String::new();
    reader.read_line(&mut banner).expect("read the SSH banner");
    assert!(banner.starts_with("SSH-2.0-OpenSSH"), "banner: {banner:?}");
    assert!(sshd.data_dir().is_dir());
    assert!(sshd.log().contains("Server listening on 127.0.0.1"), "log:\n{}", sshd.log());
}

#[test]
fn sshd_restart_changes_the_host_key_but_not_the_port() {
    let mut sshd = Sshd::start();
    let port = sshd.port();
    let old_fingerprint = sshd.host_key_fingerprint();
    let old_line = sshd.host_key_public_line();
    assert!(old_fingerprint.starts_with("SHA256:"), "{old_fingerprint}");
    assert!(old_line.starts_with("ssh-ed25519 AAAA"), "{old_line}");

    sshd.restart_with_new_host_key();

    assert_eq!(sshd.port(), port);
    assert_ne!(sshd.host_key_fingerprint(), old_fingerprint);
    assert_ne!(sshd.host_key_public_line(), old_line);
    let mut banner = String::new();
    BufReader::new(connect(port)).read_line(&mut banner).expect("read the SSH banner after restart");
    assert!(banner.starts_with("SSH-2.0-"), "banner after restart: {banner:?}");
}

#[test]
fn vsftpd_sends_220_and_accepts_the_test_password() {
    support::require_password_logins();
    let ftp = Vsftpd::start(VsftpdOptions::default());
    let (mut stream, mut reader) = log_in(ftp.port(), || ftp.log());
    let reply = ftp_command(&mut stream, &mut reader, "PWD");
    let data_dir = ftp.data_dir().display().to_string();
    assert!(reply.starts_with("257") && reply.contains(&data_dir), "PWD: {reply:?}");
    // Explicit FTPS is offered on the same instance.
    let reply = ftp_command(&mut stream, &mut reader, "FEAT");
    assert!(reply.contains("AUTH TLS"), "FEAT: {reply:?}");
    let reply = ftp_command(&mut stream, &mut reader, "QUIT");
    assert!(reply.starts_with("221"), "QUIT: {reply:?}");

    // log_ftp_protocol: commands are in the log, the password is not.
    let log = ftp.log();
    assert!(log.contains(r#""PWD""#), "log:\n{log}");
    assert!(!log.contains(support::TEST_PASSWORD), "password leaked into the log:\n{log}");
}

#[test]
fn vsftpd_plain_only_refuses_auth_tls() {
    support::require_password_logins();
    let ftp = Vsftpd::start(VsftpdOptions { tls: FtpTls::None, ..VsftpdOptions::default() });
    let mut stream = connect(ftp.port());
    let mut reader = BufReader::new(stream.try_clone().expect("clone the control stream"));
    assert!(read_ftp_reply(&mut reader).starts_with("220"));
    let reply = ftp_command(&mut stream, &mut reader, "AUTH TLS");
    assert!(reply.starts_with("530") || reply.starts_with("500"), "AUTH TLS: {reply:?}");
}

#[test]
fn vsftpd_implicit_tls_answers_220_inside_tls() {
    support::require_password_logins();
    let ftp = Vsftpd::start(VsftpdOptions { tls: FtpTls::Implicit, ..VsftpdOptions::default() });
    // The port accepts TCP, but says nothing in plain text.
    drop(connect(ftp.port()));

    // openssl s_client does the TLS handshake (TLS 1.2, the oldest version
    // rustls speaks), prints the decrypted replies and sends QUIT, after
    // which vsftpd closes the connection and s_client ends.
    let mut s_client = Command::new("openssl")
        .args(["s_client", "-quiet", "-crlf", "-tls1_2", "-connect"])
        .arg(format!("127.0.0.1:{}", ftp.port()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl s_client");
    s_client.stdin.take().expect("s_client's stdin is piped").write_all(b"QUIT\n").expect("send QUIT to s_client");
    let output = s_client.wait_with_output().expect("wait for openssl s_client");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("220"), "stdout: {stdout:?}\nstderr: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn pure_ftpd_logs_in_and_offers_mlst() {
    support::require_password_logins();
    let ftp = PureFtpd::start(PureFtpdOptions::default());
    std::fs::write(ftp.data_dir().join("marker.txt"), "12345").expect("write a file into the data directory");
    let (mut stream, mut reader) = log_in(ftp.port(), || ftp.log());
    let reply = ftp_command(&mut stream, &mut reader, "FEAT");
    assert!(reply.starts_with("211") && reply.contains("\n MLST ") && reply.contains("\n MLSD"), "FEAT: {reply:?}");
    // The session is chrooted to this instance's data directory.
    let reply = ftp_command(&mut stream, &mut reader, "PWD");
    assert!(reply.starts_with("257 \"/\""), "PWD: {reply:?}");
    let reply = ftp_command(&mut stream, &mut reader, "MLST marker.txt");
    assert!(reply.starts_with("250") && reply.contains("type=file;size=5;"), "MLST: {reply:?}");
    // Plain FTP only.
    let reply = ftp_command(&mut stream, &mut reader, "AUTH TLS");
    assert!(reply.starts_with("500"), "AUTH TLS: {reply:?}");
    let reply = ftp_command(&mut stream, &mut reader, "QUIT");
    assert!(reply.starts_with("221"), "QUIT: {reply:?}");

    // Commands reach the log through the syslog capture where the machine
    // allows it; the password never does.
    let log = ftp.log();
    assert!(log.contains("Command [pwd]") || log.contains("no syslog capture"), "log:\n{log}");
    assert!(!log.contains(support::TEST_PASSWORD), "password leaked into the log:\n{log}");
}

#[test]
fn pure_ftpd_explicit_tls_answers_auth_tls() {
    support::require_password_logins();
    let ftp = PureFtpd::start(PureFtpdOptions { tls: FtpTls::Explicit });
    let mut stream = connect(ftp.port());
    let mut reader = BufReader::new(stream.try_clone().expect("clone the control stream"));
    assert!(read_ftp_reply(&mut reader).starts_with("220"));
    let reply = ftp_command(&mut stream, &mut reader, "AUTH TLS");
    assert!(reply.starts_with("234"), "AUTH TLS: {reply:?}\nlog:\n{}", ftp.log());
    drop(stream);

    // The handshake works and shows the test certificate (s_client sends
    // AUTH TLS itself with -starttls ftp).
    let output = Command::new("openssl")
        .args(["s_client", "-brief", "-starttls", "ftp", "-connect"])
        .arg(format!("127.0.0.1:{}", ftp.port()))
        .stdin(Stdio::null())
        .output()
        .expect("run openssl s_client");
    let text = String::from_utf8_lossy(&output.stderr) + String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("CONNECTION ESTABLISHED") && text.contains("CN = localhost"), "s_client:\n{text}");
}

#[test]
fn certificate_fingerprint_is_sha256_hex() {
    let certificate = support::test_certificate();
    assert_eq!(certificate.sha256_hex.len(), 64);
    assert!(certificate.sha256_hex.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert!(certificate.cert_pem.is_file() && certificate.key_pem.is_file());
}

#[test]
fn client_keys_have_the_expected_formats() {
    let keys = support::client_keys();
    let read = |path: &std::path::Path| std::fs::read_to_string(path).expect("read a client key");
    assert!(read(&keys.ed25519).starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
    assert!(read(&keys.rsa_pem).starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    // Loading the protected key needs the passphrase: a wrong one fails.
    let wrong = Command::new("ssh-keygen")
        .args(["-y", "-P", "wrong passphrase", "-f"])
        .arg(&keys.ed25519_protected)
        .stdin(Stdio::null())
        .output()
        .expect("run ssh-keygen -y");
    assert!(!wrong.status.success());
    let right = Command::new("ssh-keygen")
        .args(["-y", "-P", keys.passphrase, "-f"])
        .arg(&keys.ed25519_protected)
        .stdin(Stdio::null())
        .output()
        .expect("run ssh-keygen -y");
    assert!(right.status.success(), "{}", String::from_utf8_lossy(&right.stderr));
}

#[test]
fn ssh_agent_holds_the_added_keys() {
    let keys = support::client_keys();
    let agent = SshAgent::start(&[&keys.ed25519, &keys.ed25519_protected]);
    let output = Command::new("ssh-add")
        .arg("-l")
        .env("SSH_AUTH_SOCK", agent.socket())
        .stdin(Stdio::null())
        .output()
        .expect("run ssh-add -l");
    let listing = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "ssh-add -l: {listing}");
    assert!(listing.contains("ferry-test-ed25519"), "{listing}");
    assert!(listing.contains("ferry-test-protected"), "{listing}");
    assert_eq!(listing.lines().count(), 2, "{listing}");
}

#[test]
fn sshd_accepts_every_client_key() {
    let sshd = Sshd::start();
    let keys = support::client_keys();
    for key in keys.private_keys() {
        let key = key.display().to_string();
        let (_askpass, mut ssh) = ssh_client(&sshd, keys.passphrase, &["-o", "IdentitiesOnly=yes", "-i", &key]);
        run_ok(&mut ssh);
    }
    assert_eq!(sshd.log().matches("Accepted publickey for").count(), 3, "{}", sshd.log());
}

#[test]
fn sftp_sessions_start_in_the_data_directory() {
    let sshd = Sshd::start();
    let key = support::client_keys().ed25519.display().to_string();
    let mut sftp = Command::new("sftp")
        .args(["-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"])
        .args(["-o", "IdentitiesOnly=yes", "-i", &key, "-b", "-", "-P"])
        .arg(sshd.port().to_string())
        .arg(format!("{}@127.0.0.1", sshd.login_user()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run sftp");
    sftp.stdin
        .take()
        .expect("sftp's stdin is piped")
        .write_all(b"pwd\nmkdir made-by-sftp\n")
        .expect("send sftp commands");
    let output = sftp.wait_with_output().expect("wait for sftp");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "sftp failed: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    let expected = format!("Remote working directory: {}", sshd.data_dir().display());
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(sshd.data_dir().join("made-by-sftp").is_dir(), "sftp mkdir landed elsewhere");
}

#[test]
fn sshd_accepts_the_test_password() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let options = ["-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password"];
    let (_askpass, mut ssh) = ssh_client(&sshd, support::TEST_PASSWORD, &options);
    run_ok(&mut ssh);
    assert!(sshd.log().contains("Accepted password for ferrytest"), "{}", sshd.log());

    let (_askpass, mut wrong) = ssh_client(&sshd, "wrong password", &options);
    assert!(!wrong.output().expect("run ssh").status.success(), "a wrong password was accepted");
}

#[test]
fn extra_config_overrides_the_defaults() {
    // The methods the server offers show in ssh's "Permission denied (...)".
    let offered = |sshd: &Sshd| {
        let (_askpass, mut ssh) = ssh_client(sshd, "", &["-o", "BatchMode=yes", "-o", "PubkeyAuthentication=no"]);
        let output = ssh.output().expect("run ssh");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let default = Sshd::start();
    let methods = offered(&default);
    assert!(methods.contains("(publickey,password,keyboard-interactive)"), "{methods}");
    let no_password = Sshd::start_with_extra_config("PasswordAuthentication no\n");
    let methods = offered(&no_password);
    assert!(methods.contains("(publickey,keyboard-interactive)"), "{methods}");
}

#[test]
fn ssh_agent_keys_log_in() {
    let sshd = Sshd::start();
    let agent = SshAgent::start(&[&support::client_keys().rsa_pem]);
    let (_askpass, mut ssh) = ssh_client(&sshd, "", &["-o", "BatchMode=yes"]);
    run_ok(ssh.env("SSH_AUTH_SOCK", agent.socket()));
    assert!(sshd.log().contains("Accepted publickey for"), "{}", sshd.log());
}

/// Connects to an FTP server on `port` and logs in as the test account, checking each reply.
fn log_in(port: u16, log: impl Fn() -> String) -> (TcpStream, BufReader<TcpStream>) {
    let mut stream = connect(port);
    let mut reader = BufReader::new(stream.try_clone().expect("clone the control stream"));
    let banner = read_ftp_reply(&mut reader);
    assert!(banner.starts_with("220"), "banner: {banner:?}");
    let reply = ftp_command(&mut stream, &mut reader, &format!("USER {}", support::TEST_USER));
    assert!(reply.starts_with("331"), "USER: {reply:?}");
    let reply = ftp_command(&mut stream, &mut reader, &format!("PASS {}", support::TEST_PASSWORD));
    assert!(reply.starts_with("230"), "PASS: {reply:?}\nlog:\n{}", log());
    (stream, reader)
}
