//! One big SFTP file moved in segments over several connections (`transfer/segments.rs`,
//! `worker/segmented.rs`), against OpenSSH's sshd and Dropbear: the bytes arrive exactly, both
//! ways; connections cut half way still end in the exact file and no temporary name; a cancelled
//! upload leaves the server's old file whole. The threshold is lowered so files stay small.

use crate::cutting_proxy;
use crate::driver;
use crate::support;

use std::path::Path;
use std::time::{Duration, Instant};

use cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use driver::{Driver, spec};
use ferry::model::Protocol;
use ferry::transfer::policy::OnExists;
use ferry::worker::TransferSettings;
use ferry::worker::{Command as WorkerCommand, Direction, ItemAction, ItemState, QueueCommand, RateLimits};
use support::{Dropbear, Sshd, TEST_PASSWORD, TEST_USER};

const MIB: usize = 1024 * 1024;

/// The queue's defaults (four connections at once), cutting every file of 1 MiB or more.
fn settings() -> TransferSettings {
    TransferSettings { segment_threshold: MIB as u64, backoff: Duration::from_millis(200), ..Default::default() }
}

/// A worker that trusts the server whose known_hosts line is `line`.
fn trusting(line: String) -> Driver {
    let dir = tempfile::tempdir().unwrap().keep();
    let known = dir.join("known_hosts");
    std::fs::write(&known, line + "\n").unwrap();
    Driver::with_known_hosts_and_transfer(known, settings())
}

fn sshd_driver(sshd: &Sshd) -> Driver {
    trusting(format!("[127.0.0.1]:{} {}", sshd.port(), sshd.host_key_public_line()))
}

/// Ferry's temporary names left in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".ferry-"))
        .collect()
}

/// Waits until `path` exists (the segmented transfer began), at most 20 s.
fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn logins(sshd: &Sshd) -> usize {
    sshd.log().matches("Accepted password for ferrytest").count()
}

#[test]
fn a_big_file_moves_in_segments_both_ways_and_arrives_exactly() {
    let sshd = Sshd::start();
    let mut driver = sshd_driver(&sshd);
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    // Not a multiple of anything: the last range is longer than the others.
    let data = driver::pattern(6 * MIB + 12_345, 7);
    let source = local.path().join("big.bin");
    std::fs::write(&source, &data).unwrap();
    let before = logins(&sshd);
    driver.upload(session, &source, "big.bin").unwrap();
    assert!(std::fs::read(sshd.data_dir().join("big.bin")).unwrap() == data, "the upload arrived exactly");
    assert_eq!(leftovers(sshd.data_dir()), Vec::<String>::new());
    assert!(logins(&sshd) - before >= 4, "moved over four connections: {} logins", logins(&sshd) - before);

    let back = local.path().join("back.bin");
    driver.download(session, "big.bin", &back).unwrap();
    assert!(std::fs::read(&back).unwrap() == data, "the download arrived exactly");
    assert_eq!(leftovers(local.path()), Vec::<String>::new());
}

#[test]
fn a_segmented_upload_to_dropbear_arrives_exactly() {
    let dropbear = Dropbear::start();
    let mut driver = trusting(dropbear.known_hosts_line());
    let session = driver.connect(spec(Protocol::Sftp, dropbear.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let data = driver::pattern(3 * MIB + 999, 3);
    let source = local.path().join("big.bin");
    std::fs::write(&source, &data).unwrap();
    let before = dropbear.log().matches("auth succeeded").count();
    driver.upload(session, &source, "big.bin").unwrap();
    assert!(std::fs::read(dropbear.data_dir().join("big.bin")).unwrap() == data, "arrived exactly");
    assert_eq!(leftovers(dropbear.data_dir()), Vec::<String>::new());
    let used = dropbear.log().matches("auth succeeded").count() - before;
    assert!(used >= 4, "moved over four connections: {used} logins\n{}", dropbear.log());
}

/// Moves a file one way while every connection of the first attempt is cut part way through
/// its range (connections 2 to 5: the item's own and its crew of three); the item logs in again,
/// continues, and ends with the exact bytes and no temporary name on either side.
fn survives_cut_connections(direction: Direction) {
    let sshd = Sshd::start();
    let counted = match direction {
        Direction::Download => CutDirection::ToClient,
        Direction::Upload => CutDirection::ToServer,
    };
    let session = Cut { direction: counted, after_bytes: u64::MAX, fault: Fault::Drop };
    let cut = Cut { direction: counted, after_bytes: 1_000_000, fault: Fault::Drop };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![session, cut, cut, cut, cut]);
    let mut driver = trusting(format!("[127.0.0.1]:{} {}", proxy.port(), sshd.host_key_public_line()));
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let data = driver::pattern(6 * MIB, 11);
    let (source, arrived) = match direction {
        Direction::Download => {
            std::fs::write(sshd.data_dir().join("big.bin"), &data).unwrap();
            (local.path().join("big.bin"), local.path().join("big.bin"))
        }
        Direction::Upload => {
            std::fs::write(local.path().join("big.bin"), &data).unwrap();
            (local.path().join("big.bin"), sshd.data_dir().join("big.bin"))
        }
    };
    let before = logins(&sshd);
    driver.transfer(session, direction, &source, "big.bin", false, OnExists::Overwrite).unwrap();
    assert!(std::fs::read(&arrived).unwrap() == data, "arrived exactly after the cuts");
    assert!(logins(&sshd) - before > 4, "the cut attempt was followed by another");
    assert_eq!(leftovers(local.path()), Vec::<String>::new());
    assert_eq!(leftovers(sshd.data_dir()), Vec::<String>::new());
}

#[test]
fn a_segmented_download_survives_cut_connections() {
    survives_cut_connections(Direction::Download);
}

#[test]
fn a_segmented_upload_survives_cut_connections() {
    survives_cut_connections(Direction::Upload);
}

#[test]
fn a_cancelled_segmented_upload_leaves_the_old_file_whole() {
    const OLD: &[u8] = b"the good old file, which must survive a cancelled upload\n";
    let sshd = Sshd::start();
    let target = sshd.data_dir().join("keep.bin");
    std::fs::write(&target, OLD).unwrap();
    let mut driver = sshd_driver(&sshd);
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let limits = RateLimits { down: None, up: Some(MIB as u64) };
    driver.handle.send(WorkerCommand::Queue(QueueCommand::SetRateLimits { limits }));
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, driver::pattern(4 * MIB, 5)).unwrap();
    let items = driver.enqueue(session, Direction::Upload, &source, "keep.bin", false, OnExists::Overwrite).unwrap();
    let temporary = sshd.data_dir().join(".keep.bin.ferry-segments");
    wait_for(&temporary);
    std::thread::sleep(Duration::from_millis(500));
    driver.handle.send(WorkerCommand::Queue(QueueCommand::Action { item: items[0].id, action: ItemAction::Cancel }));
    let cancelled = driver.wait_for_items(&items);
    assert_eq!(cancelled[0].state, ItemState::Cancelled);
    let deadline = Instant::now() + Duration::from_secs(10);
    while temporary.exists() {
        assert!(Instant::now() < deadline, "the temporary file is removed after a cancel");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read(&target).unwrap(), OLD, "the old file is whole");
}
