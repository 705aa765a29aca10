//! Every backend operation, on every backend, against real servers: the local disk, OpenSSH's
//! sshd and Dropbear (SFTP) and vsftpd (FTP passive and active, explicit FTPS requiring TLS session reuse,
//! implicit FTPS).

use crate::driver;
use crate::support;

use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use ferry::backend::{self, Backend, ConnectSettings, WriteStart};
use ferry::config::ConfigDir;
use ferry::error::ErrorKind;
use ferry::model::{EntryKind, FtpMode, Protocol};
use ferry::trust::TrustStore;
use support::{Dropbear, FtpTls, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// A trust store that knows the test sshd's host key, as a user's known_hosts would.
fn trust_for(sshd: Option<&Sshd>) -> (tempfile::TempDir, Arc<TrustStore>) {
    trust_known_hosts(sshd.map(|sshd| format!("[127.0.0.1]:{} {}", sshd.port(), sshd.host_key_public_line())))
}

/// A trust store whose known_hosts holds `line`, if any.
fn trust_known_hosts(line: Option<String>) -> (tempfile::TempDir, Arc<TrustStore>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let known_hosts = dir.path().join("user_known_hosts");
    if let Some(line) = line {
        std::fs::write(&known_hosts, line + "\n").expect("write known_hosts");
    }
    let trust = TrustStore::new(ConfigDir::at(dir.path().join("config")), Some(known_hosts));
    (dir, Arc::new(trust))
}

async fn open(spec: &ferry::model::ConnectSpec, trust: Arc<TrustStore>) -> Box<dyn Backend> {
    match backend::connect(spec, trust, &ConnectSettings::default()).await {
        Ok(backend) => backend,
        Err(error) => panic!("connecting to {}: {error:?}", spec.display_url()),
    }
}

/// Compares bytes, reporting lengths and the first difference rather than megabytes of numbers.
fn assert_same(actual: &[u8], expected: &[u8], what: &str) {
    let first_difference = actual.iter().zip(expected).position(|(a, b)| a != b);
    assert!(
        actual.len() == expected.len() && first_difference.is_none(),
        "{what}: {} bytes, expected {}; first difference at {first_difference:?}",
        actual.len(),
        expected.len()
    );
}

async fn read_all(backend: &mut dyn Backend, path: &str, offset: u64) -> Vec<u8> {
    let mut out = Vec::new();
    backend.read_to(path, offset, &mut out, &mut |_| {}).await.expect("read");
    out
}

async fn write_all(backend: &mut dyn Backend, path: &str, start: WriteStart, data: &[u8]) {
    let mut source = data;
    let written = backend.write_from(path, start, &mut source, &mut |_| {}).await.expect("write");
    assert_eq!(written, data.len() as u64);
}

/// Runs every operation of the trait on `backend`, whose home folder is `root` on this machine,
/// checking each effect on disk as a user would.
async fn exercise(backend: &mut dyn Backend, root: &Path, cuts_at_offset: bool) {
    assert!(!backend.home().is_empty());

    backend.mkdir("work").await.expect("mkdir");
    assert!(root.join("work").is_dir());
    assert_eq!(backend.mkdir("work").await.unwrap_err().kind, ErrorKind::AlreadyExists);

    // Write, append, and write at an offset (which cuts what lay beyond it).
    let first = driver::pattern(3 * 1024 * 1024 + 17, 1);
    let more = driver::pattern(1000, 2);
    write_all(backend, "work/data.bin", WriteStart::Truncate, &first).await;
    assert_same(&std::fs::read(root.join("work/data.bin")).unwrap(), &first, "after write");
    write_all(backend, "work/data.bin", WriteStart::Append, &more).await;
    let mut expected = first.clone();
    expected.extend_from_slice(&more);
    assert_same(&std::fs::read(root.join("work/data.bin")).unwrap(), &expected, "after append");
    write_all(backend, "work/data.bin", WriteStart::Offset(1_000_000), &more).await;
    let tail = expected.split_off(1_000_000);
    expected.extend_from_slice(&more);
    let on_disk = std::fs::read(root.join("work/data.bin")).unwrap();
    if !cuts_at_offset && on_disk.len() != expected.len() {
        // FTP has no way to ask for a cut: REST + STOR overwrites in place on vsftpd, keeping the
        // rest, while pure-ftpd cuts the file at the offset. Both are correct for resuming.
        expected.extend_from_slice(&tail[more.len()..]);
    }
    assert_same(&on_disk, &expected, "after write at an offset");

    // Read whole and from an offset.
    assert_same(&read_all(backend, "work/data.bin", 0).await, &expected, "read");
    assert_same(&read_all(backend, "work/data.bin", 999_000).await, &expected[999_000..], "read from an offset");

    // UTF-8 names survive the round trip.
    let unicode = "work/ünïcødé ✓ file.txt";
    write_all(backend, unicode, WriteStart::Truncate, b"hello").await;
    assert_eq!(std::fs::read(root.join(unicode)).unwrap(), b"hello");

    let listing = backend.list("work").await.expect("list");
    let data = listing.iter().find(|e| e.name == "data.bin").expect("data.bin listed");
    assert_eq!(data.kind, EntryKind::File);
    assert_eq!(data.size, Some(expected.len() as u64));
    assert!(listing.iter().any(|e| e.name == "ünïcødé ✓ file.txt"), "{listing:?}");
    assert!(listing.iter().all(|e| e.name != "." && e.name != ".."));

    assert_eq!(backend.stat("work/data.bin").await.expect("stat").size, Some(expected.len() as u64));
    assert_eq!(backend.stat("work").await.expect("stat dir").kind, EntryKind::Dir);
    assert_eq!(backend.stat("work/missing").await.unwrap_err().kind, ErrorKind::NotFound);
    assert_eq!(backend.list("no-such-folder").await.unwrap_err().kind, ErrorKind::NotFound);

    backend.chmod("work/data.bin", 0o640).await.expect("chmod");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(root.join("work/data.bin")).unwrap().permissions().mode() & 0o777, 0o640);

    let time = Utc.with_ymd_and_hms(2021, 3, 4, 5, 6, 7).unwrap();
    match backend.set_modified("work/data.bin", time).await {
        Ok(()) => {
            let modified: chrono::DateTime<Utc> =
                std::fs::metadata(root.join("work/data.bin")).unwrap().modified().unwrap().into();
            assert_eq!(modified, time);
        }
        Err(error) => panic!("setting the time: {error}"),
    }

    backend.rename("work/data.bin", "work/renamed.bin").await.expect("rename");
    assert!(root.join("work/renamed.bin").is_file() && !root.join("work/data.bin").exists());

    assert!(backend.remove_dir("work").await.is_err(), "a folder with files is not removed");
    backend.remove_file("work/renamed.bin").await.expect("remove file");
    backend.remove_file(unicode).await.expect("remove file");
    backend.remove_dir("work").await.expect("remove dir");
    assert!(!root.join("work").exists());

    backend.keep_alive().await.expect("keep-alive");
    backend.disconnect().await.expect("disconnect");
}

/// Writing where the server's account may not: the parent of its data folder belongs to root.
async fn refuses_writing_outside_its_folder(backend: &mut dyn Backend) {
    let mut source: &[u8] = b"x";
    let error =
        backend.write_from("../not-allowed.txt", WriteStart::Truncate, &mut source, &mut |_| {}).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::PermissionDenied, "{error}");
}

#[tokio::test]
async fn local_backend_does_everything() {
    let root = tempfile::tempdir().unwrap();
    let mut local = backend::local::LocalBackend::with_home(root.path().to_string_lossy());
    exercise(&mut local, root.path(), true).await;
}

#[tokio::test]
async fn sftp_with_password_does_everything() {
    let sshd = Sshd::start();
    let (_dir, trust) = trust_for(Some(&sshd));
    let spec = driver::spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD));
    let mut sftp = open(&spec, trust).await;
    assert_eq!(Path::new(sftp.home()), sshd.data_dir());
    refuses_writing_outside_its_folder(sftp.as_mut()).await;
    exercise(sftp.as_mut(), sshd.data_dir(), true).await;
}

/// Dropbear with its default receive window of 24,576 bytes: every write of `exercise` (3 MiB)
/// has to wait for window adjustments, which once left uploads hanging.
#[tokio::test]
async fn sftp_on_dropbear_with_its_small_window_does_everything() {
    let dropbear = Dropbear::start();
    let (_dir, trust) = trust_known_hosts(Some(dropbear.known_hosts_line()));
    let spec = driver::spec(Protocol::Sftp, dropbear.port(), TEST_USER, Some(TEST_PASSWORD));
    let mut sftp = open(&spec, trust).await;
    assert_eq!(Path::new(sftp.home()), dropbear.data_dir());
    refuses_writing_outside_its_folder(sftp.as_mut()).await;
    exercise(sftp.as_mut(), dropbear.data_dir(), true).await;
}

#[tokio::test]
async fn ftp_passive_does_everything() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let (_dir, trust) = trust_for(None);
    let spec = driver::spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    let mut ftp = open(&spec, trust).await;
    refuses_writing_outside_its_folder(ftp.as_mut()).await;
    exercise(ftp.as_mut(), ftpd.data_dir(), false).await;
}

#[tokio::test]
async fn ftp_active_does_everything() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let (_dir, trust) = trust_for(None);
    let mut spec = driver::spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    spec.ftp_mode = FtpMode::Active;
    let mut ftp = open(&spec, trust).await;
    exercise(ftp.as_mut(), ftpd.data_dir(), false).await;
    assert!(ftpd.log().contains("PORT"), "active mode sends PORT");
}

#[tokio::test]
async fn explicit_ftps_with_required_session_reuse_does_everything() {
    let ftpd =
        Vsftpd::start(VsftpdOptions { tls: FtpTls::Explicit, require_ssl_reuse: true, ..VsftpdOptions::default() });
    let (_dir, trust) = trust_for(None);
    let mut spec = driver::spec(Protocol::Ftpes, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    spec.ca_file = Some(support::test_certificate().cert_pem.clone());
    let mut ftp = open(&spec, trust).await;
    exercise(ftp.as_mut(), ftpd.data_dir(), false).await;
}

#[tokio::test]
async fn implicit_ftps_does_everything() {
    let ftpd =
        Vsftpd::start(VsftpdOptions { tls: FtpTls::Implicit, require_ssl_reuse: true, ..VsftpdOptions::default() });
    let (_dir, trust) = trust_for(None);
    let mut spec = driver::spec(Protocol::Ftps, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    spec.ca_file = Some(support::test_certificate().cert_pem.clone());
    let mut ftp = open(&spec, trust).await;
    exercise(ftp.as_mut(), ftpd.data_dir(), false).await;
}

#[tokio::test]
async fn ftp_with_mlsd_on_pure_ftpd_does_everything() {
    let ftpd = support::PureFtpd::start(support::PureFtpdOptions::default());
    let (_dir, trust) = trust_for(None);
    let spec = driver::spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    let mut ftp = open(&spec, trust).await;
    std::fs::write(ftpd.data_dir().join("listed.txt"), b"12345").unwrap();
    // pure-ftpd offers MLSD: its facts give exact sizes, kinds and times to the second.
    assert!(ftp.listing_times_are_exact(), "MLSD was chosen");
    let listing = ftp.list(".").await.unwrap();
    let listed = listing.iter().find(|e| e.name == "listed.txt").expect("listed");
    assert_eq!((listed.kind, listed.size), (EntryKind::File, Some(5)));
    std::fs::remove_file(ftpd.data_dir().join("listed.txt")).unwrap();
    exercise(ftp.as_mut(), ftpd.data_dir(), false).await;
    assert!(ftpd.log().contains("MLSD") || ftpd.log().to_ascii_lowercase().contains("mlsd"), "the listing used MLSD");
}
