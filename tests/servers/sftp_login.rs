//! SFTP logins and host keys through the real worker against a real sshd: every login method,
//! and the host key checked before any credential is sent.

use crate::driver;
use crate::support;

use std::process::Command as Process;

use driver::{Driver, spec};
use ferry::backend::ConnectSettings;
use ferry::error::ErrorKind;
use ferry::model::Protocol;
use ferry::trust::TrustDecision;
use ferry::worker::Question;
use secrecy::SecretString;
use support::{Sshd, TEST_PASSWORD, TEST_USER, client_keys, new_key_pair};

fn known_hosts_for(sshd: &Sshd, dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("known_hosts");
    std::fs::write(&path, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    path
}

/// A worker that already trusts the server's key, as after the first visit.
fn trusting_driver(sshd: &Sshd) -> (tempfile::TempDir, Driver) {
    let dir = tempfile::tempdir().unwrap();
    let known = known_hosts_for(sshd, dir.path());
    (dir, Driver::with_user_known_hosts(Some(known)))
}

#[test]
fn password_login_lists_the_data_folder() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("hello.txt"), b"hi").unwrap();
    let (_dir, mut driver) = trusting_driver(&sshd);
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let entries = driver.list(session, ".").unwrap();
    assert!(entries.iter().any(|e| e.name == "hello.txt" && e.size == Some(2)));
    assert!(driver.questions.is_empty());
}

#[test]
fn wrong_password_is_auth_failed() {
    let sshd = Sshd::start();
    let (_dir, mut driver) = trusting_driver(&sshd);
    let error = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some("wrong"))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::AuthFailed, "{error}");
}

#[test]
fn missing_password_is_asked_for() {
    let sshd = Sshd::start();
    let (_dir, mut driver) = trusting_driver(&sshd);
    driver.secret_answer = Some(TEST_PASSWORD.to_string());
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, None)).unwrap();
    assert!(matches!(driver.questions.as_slice(), [Question::Password { .. }]), "{:?}", driver.questions);
}

/// A server with no SFTP subsystem is reached over SCP (`scp_fallback.rs` has the rest): not
/// "protocol error", not a lost connection retried again and again.
#[test]
fn a_server_without_sftp_is_reached_over_scp() {
    let sshd = Sshd::start_without_sftp();
    std::fs::write(sshd.data_dir().join("hello.txt"), b"hi").unwrap();
    let (_dir, mut driver) = trusting_driver(&sshd);
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let entries = driver.list(session, sshd.data_dir().to_str().unwrap()).unwrap();
    assert!(entries.iter().any(|e| e.name == "hello.txt" && e.size == Some(2)), "{entries:#?}");
}

#[test]
fn keyboard_interactive_login() {
    let sshd = Sshd::start_with_extra_config("PasswordAuthentication no\nKbdInteractiveAuthentication yes\n");
    let (_dir, mut driver) = trusting_driver(&sshd);
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    assert!(sshd.log().contains("keyboard-interactive"), "the server saw keyboard-interactive");
}

#[test]
fn key_files_ed25519_rsa_pem_and_protected() {
    let sshd = Sshd::start();
    let keys = client_keys();
    let (_dir, mut driver) = trusting_driver(&sshd);
    for key in [&keys.ed25519, &keys.rsa_pem] {
        let mut login = spec(Protocol::Sftp, sshd.port(), TEST_USER, None);
        login.identity = Some(key.clone());
        driver.connect(login).unwrap_or_else(|e| panic!("{}: {e}", key.display()));
    }
    // A protected key with its passphrase given.
    let mut login = spec(Protocol::Sftp, sshd.port(), TEST_USER, None);
    login.identity = Some(keys.ed25519_protected.clone());
    login.key_passphrase = Some(SecretString::from(keys.passphrase));
    driver.connect(login.clone()).unwrap();
    // Without it, the worker asks.
    login.key_passphrase = None;
    driver.secret_answer = Some(keys.passphrase.to_string());
    driver.connect(login.clone()).unwrap();
    assert!(matches!(driver.questions.as_slice(), [Question::KeyPassphrase { .. }]), "{:?}", driver.questions);
    // A wrong passphrase is an authentication failure, not a crash or a hang.
    login.key_passphrase = Some(SecretString::from("wrong passphrase"));
    assert_eq!(driver.connect(login).unwrap_err().kind, ErrorKind::AuthFailed);
}

#[test]
fn unknown_host_key_is_asked_before_any_credential_is_sent() {
    let sshd = Sshd::start();
    let mut driver = Driver::new();
    driver.trust_answer = TrustDecision::Reject;
    let error = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::HostKeyUnknown);
    match driver.questions.as_slice() {
        [Question::UnknownHostKey { key, port, .. }] => {
            assert_eq!(*port, sshd.port());
            assert_eq!(key.key_type, "ssh-ed25519");
            assert_eq!(key.fingerprint, sshd.host_key_fingerprint(), "fingerprint as OpenSSH prints it");
        }
        other => panic!("expected one host key question, got {other:?}"),
    }
    // sshd logs every authentication request; none may have arrived.
    let log = sshd.log();
    assert!(!log.contains("userauth-request for user"), "a credential was sent before the key was accepted:\n{log}");
    assert!(!driver.config_dir().join("known_hosts").exists(), "a refused key is not remembered");
}

#[test]
fn accepted_host_key_is_remembered() {
    let sshd = Sshd::start();
    let mut driver = Driver::new();
    driver.trust_answer = TrustDecision::AcceptAndRemember;
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let saved = std::fs::read_to_string(driver.config_dir().join("known_hosts")).unwrap();
    let key_field = sshd.host_key_public_line().split_whitespace().nth(1).unwrap().to_string();
    assert!(saved.contains(&format!("[127.0.0.1]:{} ssh-ed25519 {key_field}", sshd.port())), "{saved}");

    // Ferry started again with the same config folder connects without asking.
    let mut again = driver.restarted();
    again.trust_answer = TrustDecision::Reject;
    again.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    assert!(again.questions.is_empty());
}

#[test]
fn accept_once_is_not_written() {
    let sshd = Sshd::start();
    let mut driver = Driver::new();
    driver.trust_answer = TrustDecision::AcceptOnce;
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    assert_eq!(driver.questions.len(), 1, "asked once for this run");
    assert!(!driver.config_dir().join("known_hosts").exists());
}

#[test]
fn hashed_user_known_hosts_entries_count() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, dir.path());
    let status = Process::new("ssh-keygen").arg("-H").arg("-f").arg(&known).output().unwrap();
    assert!(status.status.success());
    let text = std::fs::read_to_string(&known).unwrap();
    assert!(text.starts_with("|1|"), "hashed: {text}");
    let mut driver = Driver::with_user_known_hosts(Some(known));
    driver.trust_answer = TrustDecision::Reject;
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    assert!(driver.questions.is_empty());
}

#[test]
fn changed_host_key_is_refused_without_asking() {
    let mut sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, dir.path());
    sshd.restart_with_new_host_key();
    let mut driver = Driver::with_user_known_hosts(Some(known.clone()));
    driver.trust_answer = TrustDecision::AcceptAndRemember;
    let error = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::HostKeyChanged, "{error}");
    assert!(driver.questions.is_empty(), "a changed key is never offered for acceptance");
    let message = error.to_string();
    assert!(message.contains(&sshd.host_key_fingerprint()), "names the new fingerprint: {message}");
    assert!(message.contains(&format!("{}:1", known.display())), "names the line that disagrees: {message}");
    assert!(!sshd.log().contains("userauth-request for user"), "no credential sent to an impostor");
}

/// Asserts the connection was refused as a changed (or revoked) key, with no question asked and
/// no credential sent.
fn assert_refused_before_login(sshd: &Sshd, driver: &Driver, error: &ferry::error::FerryError) {
    assert_eq!(error.kind, ErrorKind::HostKeyChanged, "{error}");
    assert!(driver.questions.is_empty(), "never offered for acceptance: {:?}", driver.questions);
    assert!(!sshd.log().contains("userauth-request for user"), "a credential was sent:\n{}", sshd.log());
    assert!(!driver.config_dir().join("known_hosts").exists(), "nothing remembered");
}

#[test]
fn a_key_of_another_type_than_the_one_on_record_is_a_changed_key() {
    let keys = tempfile::tempdir().unwrap();
    let (rsa, _) = new_key_pair(keys.path(), "rsa_host", "rsa");
    let (_, recorded) = new_key_pair(keys.path(), "ed25519_host", "ed25519");
    let sshd = Sshd::start_with_host_key(&rsa);
    let known = keys.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {recorded}\n", sshd.port())).unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known.clone()));
    driver.trust_answer = TrustDecision::AcceptAndRemember;
    let error = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap_err();
    assert_refused_before_login(&sshd, &driver, &error);
    let message = error.to_string();
    assert!(message.contains(&sshd.host_key_fingerprint()), "names the offered key: {message}");
    assert!(message.contains(&format!("{}:1", known.display())), "names the line on record: {message}");
    assert!(message.contains("ssh-ed25519 SHA256:"), "names the key on record: {message}");
}

#[test]
fn host_names_are_compared_lower_cased() {
    let sshd = Sshd::start();
    let keys = tempfile::tempdir().unwrap();
    let (_, other) = new_key_pair(keys.path(), "other", "ed25519");
    let known = keys.path().join("known_hosts");
    // Another key on record for "localhost": the same host spelled LOCALHOST is changed, not new.
    std::fs::write(&known, format!("[localhost]:{} {other}\n", sshd.port())).unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known.clone()));
    driver.trust_answer = TrustDecision::AcceptAndRemember;
    let mut login = spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD));
    login.host = "LOCALHOST".into();
    let error = driver.connect(login.clone()).unwrap_err();
    assert_refused_before_login(&sshd, &driver, &error);

    // With the right key on record under the lower-case name, LOCALHOST connects without asking.
    let line = sshd.host_key_public_line();
    std::fs::write(&known, format!("[localhost]:{} {line}\n", sshd.port())).unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known));
    driver.trust_answer = TrustDecision::Reject;
    driver.connect(login).unwrap();
    assert!(driver.questions.is_empty(), "{:?}", driver.questions);
}

#[test]
fn a_key_revoked_in_another_file_is_refused_though_ferrys_file_lists_it() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let revocations = dir.path().join("known_hosts");
    let key = sshd.host_key_public_line().split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    std::fs::write(&revocations, format!("# retired keys\n@revoked * {key}\n")).unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(revocations.clone()));
    // Ferry's own file, read first, holds the very key as trusted.
    std::fs::write(driver.config_dir().join("known_hosts"), format!("{}\n", sshd.known_hosts_line())).unwrap();
    driver.trust_answer = TrustDecision::AcceptAndRemember;
    let error = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::HostKeyChanged, "{error}");
    assert!(driver.questions.is_empty());
    assert!(!sshd.log().contains("userauth-request for user"), "a credential was sent to a revoked key");
    let message = error.to_string();
    assert!(message.contains("@revoked") && message.contains(&format!("{}:2", revocations.display())), "{message}");
}

#[test]
fn a_host_name_that_would_add_patterns_is_never_written_to_known_hosts() {
    let config = tempfile::tempdir().unwrap();
    let trust = ferry::trust::TrustStore::new(ferry::config::ConfigDir::at(config.path()), None);
    let blob = [&11u32.to_be_bytes()[..], b"ssh-ed25519", &32u32.to_be_bytes(), &[7; 32]].concat();
    let key = ferry::trust::known_hosts::HostKey::from_blob(&blob);
    for host in ["good.example,victim.example", "*", "[victim.example]:22", "|1|a|b", "a\tb"] {
        let error = trust.accept_host_key(host, 22, &key, TrustDecision::AcceptAndRemember);
        assert!(error.is_err(), "{host:?} was accepted");
    }
    assert!(!config.path().join("known_hosts").exists(), "nothing written");
    // A real name is written lower-cased.
    trust.accept_host_key("Good.EXAMPLE", 22, &key, TrustDecision::AcceptAndRemember).unwrap();
    let saved = std::fs::read_to_string(config.path().join("known_hosts")).unwrap();
    assert!(saved.starts_with("good.example ssh-ed25519 "), "{saved}");
}

#[test]
fn keep_alives_are_sent_on_a_timer() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, dir.path());
    let settings =
        ConnectSettings { keep_alive_interval: std::time::Duration::from_secs(1), ..ConnectSettings::default() };
    let mut driver = Driver::with_settings(Some(known), settings);
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3500));
    // libssh2 names its keep-alive global request keepalive@libssh2.org.
    let sent = sshd.log().matches("rtype keepalive@libssh2.org").count();
    assert!(sent >= 2, "sshd saw {sent} keep-alive requests in 3.5 s at a 1 s interval");
}
