//! The command line keeps no queue of its own: a `ferry put` killed half way leaves nothing in the
//! saved queue for the window to offer (and resolve against another folder) at its next start.

use crate::driver;
use crate::support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

#[test]
fn a_killed_put_with_a_relative_path_leaves_no_saved_queue() {
    // 2 MB at 200 kB/s: ten seconds, so the put is surely half way when it is killed.
    let ftpd = Vsftpd::start(VsftpdOptions { max_rate: 200_000, ..VsftpdOptions::default() });
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("big.bin"), driver::pattern(2 * 1024 * 1024, 4)).unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config.path())
        .args(["put", "big.bin", &format!("ftp://{TEST_USER}@127.0.0.1:{}/", ftpd.port())])
        .current_dir(local.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env("FERRY_PASSWORD", TEST_PASSWORD)
        .spawn()
        .expect("run ferry");
    let part = ftpd.data_dir().join(".big.bin.ferry-part");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline && child.try_wait().unwrap().is_none(), "no upload began");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Longer than the queue's one-second save delay: a saving command line has saved by now.
    std::thread::sleep(Duration::from_millis(1500));
    child.kill().unwrap();
    child.wait().unwrap();
    let saved = std::fs::read_to_string(config.path().join("queue.json")).unwrap_or_default();
    assert!(!saved.contains("big.bin"), "the killed put left its item for the window: {saved}");
}
