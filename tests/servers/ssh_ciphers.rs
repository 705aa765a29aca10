//! Which cipher and MAC Ferry's SSH sessions negotiate with real servers, and that the log names
//! them: AES-GCM with OpenSSH, encrypt-then-MAC SHA-2 with AES-CTR, chacha20-poly1305 with
//! Dropbear (no AES-GCM there), and a server that offers only chacha20-poly1305 still reached.

use crate::driver;
use crate::support;

use driver::{Driver, pattern, spec};
use ferry::model::Protocol;
use support::{Dropbear, Sshd, TEST_PASSWORD, TEST_USER};

/// Logs in through the worker, sends a file up and fetches it back; returns Ferry's log lines.
fn round_trip(port: u16, known_hosts_line: String, data: &std::path::Path) -> Vec<String> {
    let known = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(known.path(), known_hosts_line + "\n").unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known.path().to_path_buf()));
    let session = driver.connect(spec(Protocol::Sftp, port, TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let bytes = pattern(300_000, 5);
    std::fs::write(local.path().join("up.bin"), &bytes).unwrap();
    let remote = format!("{}/up.bin", data.display());
    driver.upload(session, &local.path().join("up.bin"), &remote).unwrap();
    assert!(std::fs::read(data.join("up.bin")).unwrap() == bytes, "the upload arrived whole");
    driver.download(session, &remote, &local.path().join("back.bin")).unwrap();
    assert!(std::fs::read(local.path().join("back.bin")).unwrap() == bytes, "the download came back whole");
    driver.log.iter().map(|line| format!("{:?} {}", line.kind, line.text)).collect()
}

fn line_with<'a>(lines: &'a [String], wanted: &str) -> Option<&'a String> {
    lines.iter().find(|line| line.contains(wanted))
}

#[test]
fn an_openssh_session_uses_aes_gcm_and_the_log_says_so() {
    let sshd = Sshd::start();
    let lines = round_trip(sshd.port(), sshd.known_hosts_line(), sshd.data_dir());
    let all = lines.join("\n");
    assert!(
        line_with(&lines, "Info encryption: cipher aes128-gcm@openssh.com (MAC built in)").is_some(),
        "Ferry's log names the cipher: {all}"
    );
    // The server's own account of the key exchange, both directions.
    let log = sshd.log();
    assert!(log.contains("kex: client->server cipher: aes128-gcm@openssh.com"), "{log}");
    assert!(log.contains("kex: server->client cipher: aes128-gcm@openssh.com"), "{log}");
}

#[test]
fn with_only_aes_ctr_offered_the_mac_is_sha2_256_encrypt_then_mac() {
    let sshd = Sshd::start_with_extra_config("Ciphers aes256-ctr,aes128-ctr");
    let lines = round_trip(sshd.port(), sshd.known_hosts_line(), sshd.data_dir());
    let all = lines.join("\n");
    assert!(
        line_with(&lines, "Info encryption: cipher aes128-ctr, MAC hmac-sha2-256-etm@openssh.com").is_some(),
        "{all}"
    );
    let log = sshd.log();
    assert!(log.contains("kex: client->server cipher: aes128-ctr MAC: hmac-sha2-256-etm@openssh.com"), "{log}");
}

/// Asking for AES first must not break a login with a server that offers none of it.
#[test]
fn an_sshd_offering_only_chacha20_is_still_reached() {
    let sshd = Sshd::start_with_extra_config("Ciphers chacha20-poly1305@openssh.com");
    let lines = round_trip(sshd.port(), sshd.known_hosts_line(), sshd.data_dir());
    let all = lines.join("\n");
    assert!(
        line_with(&lines, "Info encryption: cipher chacha20-poly1305@openssh.com (MAC built in)").is_some(),
        "{all}"
    );
}

/// Dropbear offers no AES-GCM, and its own AES-CTR made uploads slower than chacha20 did.
#[test]
fn dropbear_is_reached_with_chacha20() {
    let dropbear = Dropbear::start();
    let lines = round_trip(dropbear.port(), dropbear.known_hosts_line(), dropbear.data_dir());
    let all = lines.join("\n");
    assert!(
        line_with(&lines, "Info encryption: cipher chacha20-poly1305@openssh.com (MAC built in)").is_some(),
        "{all}"
    );
}
