//! A server must not exhaust Ferry's memory or the disk: a listing that never ends, a folder that
//! contains itself forever, and a download that goes on past the size the server announced each
//! stop at a limit, with an error that names it. The hostile cases run against the scripted FTP
//! server (tests/scripted_ftp); small limits injected through the connection settings keep them
//! quick. Real servers (sshd, vsftpd) show that a cut listing leaves the connection usable.

use crate::driver;
use crate::scripted_ftp;
use crate::support;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use driver::Driver;
use ferry::backend::{Backend, ConnectError, ConnectSettings};
use ferry::config::ConfigDir;
use ferry::error::{ErrorKind, FerryError};
use ferry::model::{ConnectSpec, Protocol};
use ferry::transfer::limits::Limits;
use ferry::transfer::policy::OnExists;
use ferry::trust::TrustStore;
use ferry::worker::{Direction, FileCommand, TransferSettings};
use scripted_ftp::{ENDLESS_BYTES, Script, ScriptedFtp};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// Ferry's timeout for a connection and for any one reply in these tests.
const TIMEOUT: Duration = Duration::from_secs(2);
/// No scenario may take longer than this: past it, it hung.
const BOUND: Duration = Duration::from_secs(20);
/// Far less than the server would send if Ferry kept reading (kernel buffers hold a few MiB).
const STOPPED_EARLY: u64 = 64 * 1024 * 1024;

fn settings(limits: Limits) -> ConnectSettings {
    ConnectSettings { timeout: TIMEOUT, keep_alive_interval: Duration::from_secs(600), limits }
}

/// Small limits: 10,000 entries or 1 MiB of listing, 20 folders deep.
fn small_limits() -> Limits {
    Limits { listing_entries: 10_000, listing_bytes: 1024 * 1024, plan_depth: 20, ..Limits::default() }
}

fn login(server: &ScriptedFtp) -> ConnectSpec {
    driver::spec(Protocol::Ftp, server.port(), "tester", Some("not-a-secret"))
}

fn run<T>(future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        tokio::time::timeout(BOUND, future).await.unwrap_or_else(|_| panic!("hung: no outcome within {BOUND:?}"))
    })
}

/// Opens one connection straight through the backend, trusting `sshd`'s host key if given.
async fn connect(spec: &ConnectSpec, sshd: Option<&Sshd>, limits: Limits) -> Box<dyn Backend> {
    let dir = tempfile::tempdir().expect("config folder");
    let known_hosts = dir.path().join("known_hosts");
    if let Some(sshd) = sshd {
        std::fs::write(&known_hosts, sshd.known_hosts_line()).expect("known_hosts");
    }
    let trust = Arc::new(TrustStore::new(ConfigDir::at(dir.path()), Some(known_hosts)));
    match ferry::backend::connect(spec, trust, &settings(limits)).await {
        Ok(backend) => backend,
        Err(ConnectError::Failed(error)) => panic!("connecting: {error}"),
        Err(other) => panic!("unexpected question while connecting: {other:?}"),
    }
}

fn assert_names_limit(error: &FerryError, words: &str) {
    assert_eq!(error.kind, ErrorKind::TooLarge, "{error:?}");
    assert!(error.to_string().contains(words), "the error names the limit: {error}");
}

#[test]
fn a_listing_that_never_ends_stops_at_the_entry_limit_and_the_connection_goes_on() {
    let server = ScriptedFtp::start(Script::new().endless_listings());
    run(async {
        let mut ftp = connect(&login(&server), None, small_limits()).await;
        let started = Instant::now();
        let error = ftp.list("/").await.unwrap_err();
        assert_names_limit(&error, "the listing of / has more than 10000 entries; Ferry stops there");
        assert!(started.elapsed() < TIMEOUT, "stopped at once, not by the timeout: {:?}", started.elapsed());
        // Ferry closed the data connection: the server could not go on sending.
        let sent = server.data_bytes_sent();
        assert!(sent < STOPPED_EARLY, "the server sent {sent} of {ENDLESS_BYTES} bytes");
        // The control connection is back in step.
        ftp.keep_alive().await.unwrap();
    });

    // In the worker (the window's and the command line's engine): the same error, and the
    // session stays open for the next request.
    let mut driver = Driver::with_settings(None, settings(Limits { listing_bytes: 1024 * 1024, ..Limits::default() }));
    let session = driver.connect(login(&server)).unwrap();
    let error = driver.list(session, "/").unwrap_err();
    assert_names_limit(&error, "the listing of / is longer than 1048576 bytes");
    let error = driver.list(session, "/").unwrap_err();
    assert_eq!(error.kind, ErrorKind::TooLarge, "the session still answers: {error:?}");
}

#[test]
fn a_download_that_goes_past_its_announced_size_stops_there_and_keeps_nothing() {
    let server = ScriptedFtp::start(
        Script::new().file("seven.txt", &b"7 bytes"[..]).streams_past_its_size("seven.txt", 256 * 1024 * 1024),
    );
    let local = tempfile::tempdir().unwrap();
    let transfer =
        TransferSettings { concurrency: 1, retries: 2, backoff: Duration::from_millis(100), ..Default::default() };
    let mut driver = Driver::custom(None, settings(Limits::default()), transfer);
    let session = driver.connect(login(&server)).unwrap();
    let target = local.path().join("seven.txt");
    let started = Instant::now();
    let error = driver.download(session, "seven.txt", &target).unwrap_err();
    assert_eq!(error.kind, ErrorKind::FileChanged, "{error:?}");
    assert!(error.to_string().contains("the file grew while it was downloaded (announced 7 bytes)"), "{error}");
    assert!(started.elapsed() < TIMEOUT * 2, "took {:?}", started.elapsed());
    assert!(!target.exists(), "nothing under the final name");
    let part = local.path().join(".seven.txt.ferry-part");
    let kept = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    assert!(kept <= 7, "the part file holds {kept} bytes");
    let sent = server.data_bytes_sent();
    assert!(sent < STOPPED_EARLY, "the server sent {sent} bytes");
    assert_eq!(server.count("RETR"), 1, "not retried on its own: {:?}", server.commands());
}

#[test]
fn a_folder_that_contains_itself_stops_the_plan_at_the_depth_limit() {
    let server = ScriptedFtp::start(Script::new().nests_forever("loop"));
    let local = tempfile::tempdir().unwrap();
    let mut driver = Driver::with_settings(None, settings(small_limits()));
    let session = driver.connect(login(&server)).unwrap();
    let error =
        driver.transfer(session, Direction::Download, local.path(), "top", true, OnExists::Overwrite).unwrap_err();
    assert_names_limit(&error, "is more than 20 folders deep; Ferry stops there");
    assert!(server.count("LIST") <= 22, "{} listings", server.count("LIST"));
    let made: Vec<_> = std::fs::read_dir(local.path()).unwrap().collect();
    assert!(made.is_empty(), "nothing was queued or made: {made:?}");

    // A recursive delete walks the same way and stops the same way, before deleting anything.
    let error = driver
        .request(|request| {
            ferry::worker::Command::Files(FileCommand::RemoveTree { request, session, path: "top".into() })
        })
        .unwrap_err();
    assert_names_limit(&error, "more than 20 folders deep");
    assert_eq!(server.count("RMD"), 0, "{:?}", server.commands());
}

#[test]
fn sftp_and_vsftpd_listings_past_the_entry_limit_are_errors_and_the_connection_goes_on() {
    let limits = Limits { listing_entries: 20, ..Limits::default() };
    let sshd = Sshd::start();
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    for dir in [sshd.data_dir(), ftpd.data_dir()] {
        std::fs::create_dir_all(dir.join("many")).unwrap();
        for i in 0..30 {
            std::fs::write(dir.join("many").join(format!("f{i}")), b"x").unwrap();
        }
        std::fs::write(dir.join("few.txt"), b"x").unwrap();
    }
    let sftp = driver::spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD));
    let ftp = driver::spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    run(async {
        for (spec, server) in [(sftp, Some(&sshd)), (ftp, None)] {
            let mut backend = connect(&spec, server, limits).await;
            let error = backend.list("many").await.unwrap_err();
            assert_names_limit(&error, "has more than 20 entries; Ferry stops there");
            let names: Vec<String> = backend.list(".").await.unwrap().into_iter().map(|e| e.name).collect();
            assert!(names.contains(&"few.txt".to_string()), "{:?}: {names:?}", spec.protocol);
        }
    });
}
