//! Faults injected in front of the real servers: connections cut at many points, a stalled
//! connection, an SSH server that hangs up during key exchange, a wrong passphrase, a damaged
//! known_hosts. Each ends byte-identical or with the right error kind, and writes nothing it
//! should not.

use crate::cutting_proxy;
use crate::driver;
use crate::support;

use std::path::Path;
use std::time::Duration;

use cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use driver::{Driver, spec};
use ferry::backend::ConnectSettings;
use ferry::error::ErrorKind;
use ferry::model::Protocol;
use ferry::trust::TrustDecision;
use ferry::worker::TransferSettings;
use sha2::{Digest, Sha256};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions, client_keys};

const SIZE: usize = 64 * 1024 * 1024;

fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// Patient retries, quick backoff: five cuts need five retries.
fn patient() -> TransferSettings {
    TransferSettings { retries: 6, backoff: Duration::from_millis(100), ..TransferSettings::default() }
}

fn known_hosts(dir: &Path, sshd: &Sshd, port: u16) -> std::path::PathBuf {
    let path = dir.join("known_hosts");
    std::fs::write(&path, format!("[127.0.0.1]:{port} {}\n", sshd.host_key_public_line())).unwrap();
    path
}

/// Five cuts, each on a fresh connection after ~11 MB of that connection.
fn five_cuts(direction: CutDirection) -> Vec<Cut> {
    (0..5).map(|_| Cut { direction, after_bytes: 11_000_000, fault: Fault::Drop }).collect()
}

fn assert_crossed_less_than(proxy: &CuttingProxy, factor: f64, what: &str) {
    let crossed = proxy.bytes_relayed() as f64;
    assert!(crossed < factor * SIZE as f64, "{what}: {crossed} bytes crossed for {SIZE}");
}

#[test]
fn sftp_survives_five_cuts_each_way() {
    let sshd = Sshd::start();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(sshd.data_dir().join("big.bin"), driver::pattern(SIZE, 11)).unwrap();
    for direction in [CutDirection::ToClient, CutDirection::ToServer] {
        // The first connection browses; every later one moves data and is cut once.
        let mut cuts = vec![Cut { direction, after_bytes: u64::MAX, fault: Fault::Drop }];
        cuts.extend(five_cuts(direction));
        let proxy = CuttingProxy::tcp(sshd.port(), cuts);
        let known = known_hosts(local.path(), &sshd, proxy.port());
        let mut driver = Driver::custom(Some(known), ConnectSettings::default(), patient());
        let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
        if direction == CutDirection::ToClient {
            driver.download(session, "big.bin", &local.path().join("big.bin")).unwrap();
            assert_eq!(sha256(&local.path().join("big.bin")), sha256(&sshd.data_dir().join("big.bin")));
        } else {
            driver.upload(session, &local.path().join("big.bin"), "up.bin").unwrap();
            assert_eq!(sha256(&sshd.data_dir().join("up.bin")), sha256(&local.path().join("big.bin")));
        }
        assert!(proxy.connections() >= 7, "five cuts forced five new connections: {}", proxy.connections());
        assert_crossed_less_than(&proxy, 1.3, "SFTP");
    }
}

#[test]
fn ftp_survives_five_cuts_each_way() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let local = tempfile::tempdir().unwrap();
    std::fs::write(ftpd.data_dir().join("big.bin"), driver::pattern(SIZE, 12)).unwrap();
    for direction in [CutDirection::ToClient, CutDirection::ToServer] {
        let proxy = CuttingProxy::ftp(ftpd.port(), five_cuts(direction));
        let mut driver = Driver::custom(None, ConnectSettings::default(), patient());
        let session = driver.connect(spec(Protocol::Ftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
        if direction == CutDirection::ToClient {
            driver.download(session, "big.bin", &local.path().join("big.bin")).unwrap();
            assert_eq!(sha256(&local.path().join("big.bin")), sha256(&ftpd.data_dir().join("big.bin")));
        } else {
            driver.upload(session, &local.path().join("big.bin"), "up.bin").unwrap();
            assert_eq!(sha256(&ftpd.data_dir().join("up.bin")), sha256(&local.path().join("big.bin")));
        }
        assert_crossed_less_than(&proxy, 1.3, "FTP");
    }
}

#[test]
fn a_stalled_transfer_times_out_and_is_retried() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("big.bin"), driver::pattern(8 * 1024 * 1024, 13)).unwrap();
    let stall = Cut { direction: CutDirection::ToClient, after_bytes: 3_000_000, fault: Fault::Stall };
    let proxy = CuttingProxy::ftp(ftpd.port(), vec![stall]);
    let quick = ConnectSettings { timeout: Duration::from_secs(2), ..ConnectSettings::default() };
    let mut driver = Driver::custom(None, quick, patient());
    let session = driver.connect(spec(Protocol::Ftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    driver.download(session, "big.bin", &local.path().join("big.bin")).unwrap();
    assert_eq!(sha256(&local.path().join("big.bin")), sha256(&ftpd.data_dir().join("big.bin")));
    assert!(started.elapsed() >= Duration::from_secs(2), "the stall was waited out, then retried");
}

#[test]
fn an_ssh_server_that_hangs_up_during_key_exchange_is_connection_lost() {
    let sshd = Sshd::start();
    // Let the banner through, then cut in the middle of the key exchange.
    let proxy = CuttingProxy::tcp(
        sshd.port(),
        vec![Cut { direction: CutDirection::ToClient, after_bytes: 200, fault: Fault::Drop }],
    );
    let mut driver = Driver::new();
    let error = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::ConnectionLost, "{error}");
    assert!(driver.questions.is_empty(), "nothing to ask about");
    assert_eq!(std::fs::read_dir(driver.config_dir()).unwrap().count(), 0, "nothing written");
}

#[test]
fn a_wrong_passphrase_is_auth_failed_and_writes_nothing() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let known = known_hosts(dir.path(), &sshd, sshd.port());
    let mut driver = Driver::with_user_known_hosts(Some(known));
    let mut login = spec(Protocol::Sftp, sshd.port(), TEST_USER, None);
    login.identity = Some(client_keys().ed25519_protected.clone());
    login.key_passphrase = Some("not the passphrase".to_string().into());
    let error = driver.connect(login).unwrap_err();
    assert_eq!(error.kind, ErrorKind::AuthFailed, "{error}");
    assert_eq!(std::fs::read_dir(driver.config_dir()).unwrap().count(), 0, "nothing written");
}

#[test]
fn a_damaged_known_hosts_is_not_trusted_and_not_rewritten() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let known = dir.path().join("known_hosts");
    let damaged = format!(
        "garbage line without fields\n[127.0.0.1]:{} ssh-ed25519 AAAA-not-base64!!\n\u{0}\u{1}binary\n|1|bad|hash ssh-rsa x\n",
        sshd.port()
    );
    std::fs::write(&known, &damaged).unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known.clone()));
    driver.trust_answer = TrustDecision::Reject;
    let error = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::HostKeyUnknown, "{error}");
    assert_eq!(std::fs::read_to_string(&known).unwrap(), damaged, "the user's file is never written");
    assert!(!sshd.log().contains("userauth-request for user"), "no credential sent");
}

#[test]
fn a_stalled_sftp_transfer_times_out_and_is_retried() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), driver::pattern(8 * 1024 * 1024, 14)).unwrap();
    let untouched = Cut { direction: CutDirection::ToClient, after_bytes: u64::MAX, fault: Fault::Drop };
    let stall = Cut { direction: CutDirection::ToClient, after_bytes: 3_000_000, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![untouched, stall]);
    let local = tempfile::tempdir().unwrap();
    let known = known_hosts(local.path(), &sshd, proxy.port());
    let quick = ConnectSettings { timeout: Duration::from_secs(2), ..ConnectSettings::default() };
    let mut driver = Driver::custom(Some(known), quick, patient());
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    driver.download(session, "big.bin", &local.path().join("big.bin")).unwrap();
    assert_eq!(sha256(&local.path().join("big.bin")), sha256(&sshd.data_dir().join("big.bin")));
    assert!(proxy.connections() >= 3, "the stalled connection was given up for a new one");
}
