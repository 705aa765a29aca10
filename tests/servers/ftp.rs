//! FTP and FTPS through the real worker against vsftpd: logins, certificates asked about and
//! remembered, EPSV falling back to PASV, PASV addresses ignored, keep-alives.

use crate::driver;
use crate::ftp_proxy;
use crate::support;

use std::time::Duration;

use driver::{Driver, spec};
use ferry::backend::ConnectSettings;
use ferry::error::ErrorKind;
use ferry::model::Protocol;
use ferry::trust::TrustDecision;
use ferry::worker::Question;
use ftp_proxy::{Faults, FtpProxy};
use support::{
    FtpTls, ServedCertificate, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions, other_name_certificate,
    test_certificate,
};

#[test]
fn wrong_password_is_auth_failed_with_the_server_reply() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let mut driver = Driver::new();
    let error = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some("wrong"))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::AuthFailed, "{error}");
    assert!(error.server_reply.as_deref().unwrap_or_default().starts_with("530"), "{error:?}");
}

#[test]
fn untrusted_certificate_is_refused_then_accepted_and_remembered() {
    let ftpd =
        Vsftpd::start(VsftpdOptions { tls: FtpTls::Explicit, require_ssl_reuse: true, ..VsftpdOptions::default() });
    let login = spec(Protocol::Ftpes, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));

    let mut driver = Driver::new();
    driver.trust_answer = TrustDecision::Reject;
    let error = driver.connect(login.clone()).unwrap_err();
    assert_eq!(error.kind, ErrorKind::CertificateUntrusted, "{error}");
    match driver.questions.as_slice() {
        [Question::UntrustedCertificate { certificate, .. }] => {
            assert_eq!(certificate.sha256_hex, test_certificate().sha256_hex)
        }
        other => panic!("expected a certificate question, got {other:?}"),
    }
    assert!(!ftpd.log().contains("PASS"), "no password before the certificate was accepted");

    driver.questions.clear();
    driver.trust_answer = TrustDecision::AcceptAndRemember;
    let session = driver.connect(login.clone()).unwrap();
    assert_eq!(driver.questions.len(), 1);
    driver.list(session, ".").unwrap();
    let saved = std::fs::read_to_string(driver.config_dir().join("trusted_certificates")).unwrap();
    assert!(saved.contains(&test_certificate().sha256_hex), "{saved}");

    // Remembered: Ferry started again does not ask.
    let mut again = driver.restarted();
    again.trust_answer = TrustDecision::Reject;
    again.connect(login).unwrap();
    assert!(again.questions.is_empty());
}

#[test]
fn a_ca_file_makes_the_certificate_trusted() {
    let ftpd =
        Vsftpd::start(VsftpdOptions { tls: FtpTls::Implicit, require_ssl_reuse: true, ..VsftpdOptions::default() });
    let mut login = spec(Protocol::Ftps, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    login.ca_file = Some(test_certificate().cert_pem.clone());
    let mut driver = Driver::new();
    driver.trust_answer = TrustDecision::Reject;
    let session = driver.connect(login).unwrap();
    driver.list(session, ".").unwrap();
    assert!(driver.questions.is_empty());
}

#[test]
fn a_pinned_certificate_made_for_another_host_name_is_refused_before_the_password() {
    let ftpd = Vsftpd::start(VsftpdOptions { certificate: ServedCertificate::OtherName, ..VsftpdOptions::default() });
    let mut login = spec(Protocol::Ftpes, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    // The very certificate the server presents is in the CA file, but it names other.invalid.
    login.ca_file = Some(other_name_certificate().cert_pem.clone());
    let mut driver = Driver::new();
    driver.trust_answer = TrustDecision::Reject;
    let error = driver.connect(login).unwrap_err();
    assert_eq!(error.kind, ErrorKind::CertificateUntrusted, "{error}");
    let words = error.to_string();
    assert!(words.contains("other.invalid") && words.contains("127.0.0.1"), "names both names: {words}");
    assert!(words.contains("the name does not match"), "says so: {words}");
    assert!(error.server_reply.is_none(), "Ferry's verdict, not the server's: {error:?}");
    assert!(!ftpd.log().contains("PASS"), "no password was sent: {}", ftpd.log());
}

#[test]
fn epsv_refused_falls_back_to_pasv_and_the_pasv_address_is_ignored() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("a.txt"), b"through the proxy").unwrap();
    let proxy = FtpProxy::start(ftpd.port(), Faults { refuse_epsv: true, lie_in_pasv: true });
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let entries = driver.list(session, ".").unwrap();
    assert!(entries.iter().any(|e| e.name == "a.txt"), "{entries:?}");
    let local = tempfile::tempdir().unwrap();
    driver.download(session, "a.txt", &local.path().join("a.txt")).unwrap();
    assert_eq!(std::fs::read(local.path().join("a.txt")).unwrap(), b"through the proxy");
    assert!(proxy.epsv_refused() >= 1, "EPSV was tried first");
    assert!(
        proxy.pasv_rewritten() >= 1,
        "the PASV reply named 127.0.0.2, and the data still flowed from the control peer"
    );
}

#[test]
fn keep_alives_hold_an_idle_session_open() {
    let ftpd = Vsftpd::start(VsftpdOptions { idle_session_timeout: 2, ..VsftpdOptions::default() });
    let settings = ConnectSettings { keep_alive_interval: Duration::from_millis(700), ..ConnectSettings::default() };
    let mut driver = Driver::with_settings(None, settings);
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    std::thread::sleep(Duration::from_secs(4));
    driver.list(session, ".").expect("the session outlived the server's 2 s idle timeout");
}

#[test]
fn download_replaces_a_file_only_when_complete() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let data = driver::pattern(5 * 1024 * 1024, 9);
    std::fs::write(ftpd.data_dir().join("big.bin"), &data).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    std::fs::write(&target, b"the old good file").unwrap();
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    // A missing file fails and leaves the old one alone.
    let error = driver.download(session, "missing.bin", &target).unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound, "{error}");
    assert_eq!(std::fs::read(&target).unwrap(), b"the old good file");
    driver.download(session, "big.bin", &target).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
    let leftovers: Vec<_> = std::fs::read_dir(local.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no part file left behind: {leftovers:?}");
}
