//! Bandwidth limits against real servers: `ferry get` and `ferry put` with `--limit-rate` are never
//! faster than the limit allows (a lower bound only, which a slow machine cannot break), the bytes
//! arrive whole, nonsense rates are refused in plain words, and a limit changed while a transfer
//! runs takes effect at once.

use crate::cutting_proxy::CuttingProxy;
use crate::driver;
use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use driver::{Driver, spec};
use ferry::model::Protocol;
use ferry::transfer::policy::OnExists;
use ferry::worker::{Command as WorkerCommand, Direction, Event, ItemState, QueueCommand, QueueEvent, RateLimits};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// 1 MiB at 200K (204 800 bytes a second): 5.1 s at the least.
const SIZE: usize = 1024 * 1024;
const RATE: &str = "200K";
const RATE_BYTES: f64 = 200.0 * 1024.0;

fn ferry(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .env("FERRY_PASSWORD", TEST_PASSWORD)
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("run ferry")
}

/// Runs `ferry` and returns how long it took, asserting that it succeeded.
fn timed_ferry(config: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let output = ferry(config, args);
    let took = start.elapsed();
    assert!(
        output.status.success(),
        "ferry failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    took
}

/// The least time `bytes` may take at the limit, less 10 % for the burst and the clock.
fn least_time(bytes: usize) -> Duration {
    Duration::from_secs_f64(bytes as f64 / RATE_BYTES * 0.9)
}

/// A get and a put of 1 MiB with `--limit-rate 200K` from and into `remote_dir` (the server's
/// folder `data`); `args` come first (the known_hosts file for SFTP).
fn get_and_put_are_held_to_the_limit(base: &str, data: &Path, args: &[&str]) {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(data.join("down.bin"), driver::pattern(SIZE, 7)).unwrap();
    let target = local.path().join("down.bin");
    let source = format!("{base}/down.bin");
    let get = [args, &["get", "--limit-rate", RATE, &source, target.to_str().unwrap()]].concat();
    let took = timed_ferry(config.path(), &get);
    assert_eq!(std::fs::read(&target).unwrap(), driver::pattern(SIZE, 7), "the download arrived whole");
    assert!(took >= least_time(SIZE), "1 MiB came down at 200K in {took:?}");

    let upload = local.path().join("up.bin");
    std::fs::write(&upload, driver::pattern(SIZE, 9)).unwrap();
    let destination = format!("{base}/up.bin");
    let put = [args, &["put", "--limit-rate-up", RATE, upload.to_str().unwrap(), &destination]].concat();
    let took = timed_ferry(config.path(), &put);
    assert_eq!(std::fs::read(data.join("up.bin")).unwrap(), driver::pattern(SIZE, 9), "the upload arrived whole");
    assert!(took >= least_time(SIZE), "1 MiB went up at 200K in {took:?}");
}

#[test]
fn sftp_get_and_put_with_a_rate_limit_are_never_faster_than_it() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = config.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let data = sshd.data_dir();
    std::process::Command::new("chmod").args(["a+rwx"]).arg(data).status().unwrap();
    let base = format!("sftp://{TEST_USER}@127.0.0.1:{}{}", sshd.port(), data.display());
    get_and_put_are_held_to_the_limit(&base, data, &["--known-hosts", known.to_str().unwrap()]);
}

#[test]
fn ftp_get_and_put_with_a_rate_limit_are_never_faster_than_it() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let base = format!("ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port());
    get_and_put_are_held_to_the_limit(&base, ftpd.data_dir(), &[]);
}

#[test]
fn nonsense_rates_are_refused_in_plain_words_before_connecting() {
    let config = tempfile::tempdir().unwrap();
    for (rate, words) in
        [("fast", "is not a rate"), ("-5K", "is not a rate"), ("0", "too slow"), ("1e30", "is not a rate")]
    {
        // Port 9 of 127.0.0.1: nothing listens, and nothing is tried before the options are read.
        let option = format!("--limit-rate={rate}");
        let output = ferry(config.path(), &["get", &option, "ftp://127.0.0.1:9/a.bin", "/nowhere"]);
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{rate} accepted");
        assert!(said.contains(words), "{rate}: {said}");
        assert!(!said.contains("refused"), "{rate}: nothing was connected to: {said}");
    }
    let output =
        ferry(config.path(), &["put", "--limit-rate-down", "99999999999999999999G", "/a", "ftp://127.0.0.1:9/"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("more than any connection carries"));
}

/// Queues the download of `remote` into `local` on `driver`'s session and returns when its first
/// bytes arrived: the time, and how many.
fn start_download(driver: &mut Driver, session: ferry::model::SessionId, remote: &str, local: &Path) -> (Instant, u64) {
    let items = driver.enqueue(session, Direction::Download, local, remote, false, OnExists::Overwrite).unwrap();
    let id = items[0].id;
    loop {
        match driver.handle.recv_timeout(Duration::from_secs(60)).expect("the download started") {
            Event::Queue(QueueEvent::Progress { item, bytes, .. }) if item == id && bytes > 0 => {
                return (Instant::now(), bytes);
            }
            Event::Queue(QueueEvent::Changed { item }) if item.id == id && item.state.is_finished() => {
                panic!("finished before any progress: {item:#?}")
            }
            _ => {}
        }
    }
}

/// Waits for the only item of the queue to finish, and returns when it did.
fn finished(driver: &mut Driver) -> Instant {
    loop {
        match driver.handle.recv_timeout(Duration::from_secs(60)).expect("the download ended") {
            Event::Queue(QueueEvent::Changed { item }) if item.state.is_finished() => {
                assert_eq!(item.state, ItemState::Done, "{item:#?}");
                return Instant::now();
            }
            _ => {}
        }
    }
}

#[test]
fn a_limit_changed_while_a_download_runs_takes_effect_at_once() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("file.bin"), driver::pattern(SIZE, 3)).unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let set = |driver: &Driver, down: Option<u64>| {
        driver.handle.send(WorkerCommand::Queue(QueueCommand::SetRateLimits { limits: RateLimits { down, up: None } }))
    };

    // Slowed down: at 1M a second 1 MiB takes one second; lowered to 200K at the first bytes, the
    // rest takes the new rate's time (less what was already paid for at the old rate).
    set(&driver, Some(1024 * 1024));
    let (changed, arrived) = start_download(&mut driver, session, "file.bin", &local.path().join("slowed.bin"));
    set(&driver, Some(200 * 1024));
    let took = finished(&mut driver) - changed;
    let paid_before = 2 * 100 * 1024;
    let rest = SIZE - arrived as usize - paid_before;
    assert!(took >= least_time(rest), "{rest} bytes after the change took {took:?}");
    assert_eq!(std::fs::read(local.path().join("slowed.bin")).unwrap(), driver::pattern(SIZE, 3));

    // Lifted: at 16K a second 1 MiB would take a minute; lifted at the first bytes, it ends at once.
    set(&driver, Some(16 * 1024));
    let (lifted, _) = start_download(&mut driver, session, "file.bin", &local.path().join("freed.bin"));
    set(&driver, None);
    let took = finished(&mut driver) - lifted;
    assert!(took < Duration::from_secs(30), "lifted, the rest took {took:?}");
    assert_eq!(std::fs::read(local.path().join("freed.bin")).unwrap(), driver::pattern(SIZE, 3));
}

#[test]
fn a_sites_own_limit_holds_when_no_global_one_is_set() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("site.bin"), driver::pattern(SIZE, 5)).unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut driver = Driver::new();
    let mut site = spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD));
    site.limit_down = Some(RATE_BYTES as u64);
    let session = driver.connect(site).unwrap();
    let remote = format!("{}/site.bin", sshd.data_dir().display());
    let start = Instant::now();
    driver.download(session, &remote, &local.path().join("site.bin")).unwrap();
    let took = start.elapsed();
    assert_eq!(std::fs::read(local.path().join("site.bin")).unwrap(), driver::pattern(SIZE, 5));
    assert!(took >= least_time(SIZE), "1 MiB came down at the site's 200K in {took:?}");
}

/// A limited SFTP download reads from the server no further ahead of its limit than one piece (a
/// tenth of a second of the rate): the bytes the server sent, counted by a relay in front of
/// sshd, never pass what the limit allowed so far by more than that (and the protocol's own
/// overhead). Before, libssh2's read-ahead and the reader's channel took about 5 MiB at once.
#[test]
fn a_limited_sftp_download_reads_from_the_server_no_faster_than_its_limit() {
    const LIMIT: u64 = 100 * 1024;
    const WATCHED: Duration = Duration::from_millis(1500);
    let sshd = Sshd::start();
    let size = 2 * 1024 * 1024;
    std::fs::write(sshd.data_dir().join("paced.bin"), driver::pattern(size, 8)).unwrap();
    let proxy = CuttingProxy::tcp(sshd.port(), Vec::new());
    let local = tempfile::tempdir().unwrap();
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    driver
        .handle
        .send(WorkerCommand::Queue(QueueCommand::SetRateLimits { limits: RateLimits { down: Some(LIMIT), up: None } }));
    let remote = format!("{}/paced.bin", sshd.data_dir().display());
    let target = local.path().join("paced.bin");
    let before = proxy.bytes_relayed();
    let start = Instant::now();
    driver.enqueue(session, Direction::Download, &target, &remote, false, OnExists::Overwrite).unwrap();
    // The transfer's own login (a pooled connection), its stat and open, and the SSH and SFTP
    // framing of each small read; a tenth of a second of the limit for the bucket's burst and
    // one piece for what may be read ahead.
    let overhead = |elapsed: Duration| 48 * 1024 + (LIMIT as f64 * elapsed.as_secs_f64() * 0.25) as u64;
    let mut most = 0u64;
    while start.elapsed() < WATCHED {
        let relayed = proxy.bytes_relayed() - before;
        let elapsed = start.elapsed();
        let allowed = (LIMIT as f64 * elapsed.as_secs_f64()) as u64 + 2 * LIMIT / 10 + overhead(elapsed);
        assert!(
            relayed <= allowed,
            "{relayed} bytes came from the server after {elapsed:?}; the limit allows {allowed}"
        );
        most = most.max(relayed);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(most > LIMIT / 2, "the download was running: {most} bytes in {WATCHED:?}");
    // Lifted, the rest comes at once, whole.
    driver.handle.send(WorkerCommand::Queue(QueueCommand::SetRateLimits { limits: RateLimits::default() }));
    finished(&mut driver);
    assert_eq!(std::fs::read(&target).unwrap(), driver::pattern(size, 8));
}
