//! The transfer queue against real servers: recursive trees, parallel pooled connections,
//! resuming after a cut connection, existing targets, verification, hostile names, restarts.

use crate::cutting_proxy;
use crate::driver;
use crate::support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use driver::{Driver, spec};
use ferry::model::{Protocol, SessionId};
use ferry::transfer::policy::OnExists;
use ferry::worker::{
    Command, Direction, Event, FileCommand, FileEvent, Integrity, ItemAction, ItemState, QueueCommand, QueueEvent,
    TransferSettings,
};
use sha2::{Digest, Sha256};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

fn sha256(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

/// Makes a folder writable by the server's account (tests create files as root).
fn open_up(path: &Path) {
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(path).status().unwrap();
}

/// A small tree: nested folders, an empty folder, files from 0 bytes to 1.5 MiB.
fn make_tree(root: &Path) {
    std::fs::create_dir_all(root.join("a/b/c")).unwrap();
    std::fs::create_dir_all(root.join("empty")).unwrap();
    for (index, name) in
        ["top.txt", "a/one.bin", "a/b/two.bin", "a/b/c/three.bin", "a/zero.bin", "a/ünï cødé.txt"].iter().enumerate()
    {
        let size = [100, 1_500_000, 70_000, 3, 0, 12][index];
        std::fs::write(root.join(name), driver::pattern(size, index as u8)).unwrap();
    }
    open_up(root);
}

/// Every file and folder below `root`, relative, with file contents.
fn tree(root: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                found.push((relative, None));
                pending.push(path);
            } else {
                found.push((relative, Some(std::fs::read(&path).unwrap())));
            }
        }
    }
    found.sort();
    found
}

/// A worker that already trusts `host_key` (an sshd's public key line) on 127.0.0.1:`port`, so no
/// host key question costs a connection of its own (the cutting proxies count connections).
fn trusting(host_key: Option<&str>, port: u16) -> Driver {
    trusting_with(host_key, port, TransferSettings::default())
}

fn trusting_with(host_key: Option<&str>, port: u16, transfer: TransferSettings) -> Driver {
    let Some(key) = host_key else { return Driver::with_transfer(transfer) };
    let dir = tempfile::tempdir().unwrap().keep();
    let known = dir.join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{port} {key}\n")).unwrap();
    Driver::with_known_hosts_and_transfer(known, transfer)
}

fn sftp_driver(sshd: &Sshd) -> (Driver, SessionId) {
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    (driver, session)
}

fn ftp_driver(ftpd: &Vsftpd) -> (Driver, SessionId) {
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    (driver, session)
}

fn round_trip_a_tree(driver: &mut Driver, session: SessionId, server_root: &Path) {
    make_tree(&server_root.join("src"));
    let local = tempfile::tempdir().unwrap();
    driver.transfer(session, Direction::Download, local.path(), "src", true, OnExists::Overwrite).unwrap();
    assert_eq!(tree(&local.path().join("src")), tree(&server_root.join("src")), "downloaded tree");
    assert!(local.path().join("src/empty").is_dir(), "empty folders come too");
    let remote_time = std::fs::metadata(server_root.join("src/a/one.bin")).unwrap().modified().unwrap();
    let local_time = std::fs::metadata(local.path().join("src/a/one.bin")).unwrap().modified().unwrap();
    assert_eq!(
        remote_time.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
        local_time.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
        "modification time kept"
    );

    driver.transfer(session, Direction::Upload, &local.path().join("src"), "copy", true, OnExists::Overwrite).unwrap();
    assert_eq!(tree(&server_root.join("copy")), tree(&local.path().join("src")), "uploaded tree");
    let uploaded_time = std::fs::metadata(server_root.join("copy/a/one.bin")).unwrap().modified().unwrap();
    assert_eq!(
        uploaded_time.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs(),
        local_time.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
    );
}

#[test]
fn sftp_trees_go_both_ways_with_empty_folders_and_times() {
    let sshd = Sshd::start();
    let (mut driver, session) = sftp_driver(&sshd);
    round_trip_a_tree(&mut driver, session, sshd.data_dir());
}

#[test]
fn ftp_trees_go_both_ways_with_empty_folders_and_times() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let (mut driver, session) = ftp_driver(&ftpd);
    round_trip_a_tree(&mut driver, session, ftpd.data_dir());
}

/// Downloads and uploads a 24 MiB file through a proxy that drops the transfer's connection
/// part-way; the queue retries, continues from what arrived, and the result is byte-identical.
fn survives_a_cut(
    protocol: Protocol,
    host_key: Option<&str>,
    server_root: &Path,
    proxy_for: impl Fn(Vec<Cut>) -> CuttingProxy,
) {
    const SIZE: usize = 24 * 1024 * 1024;
    std::fs::write(server_root.join("big.bin"), driver::pattern(SIZE, 7)).unwrap();
    let local = tempfile::tempdir().unwrap();
    // SFTP: connection 1 browses, connection 2 (pooled) transfers. FTP: cuts count data connections.
    let untouched = Cut { direction: CutDirection::ToClient, after_bytes: u64::MAX, fault: Fault::Drop };
    let mut cuts = if protocol == Protocol::Sftp { vec![untouched] } else { Vec::new() };
    cuts.push(Cut { direction: CutDirection::ToClient, after_bytes: 9_000_000, fault: Fault::Drop });
    let proxy = proxy_for(cuts);
    let mut driver = trusting(host_key, proxy.port());
    let session = driver.connect(spec(protocol, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    driver.download(session, "big.bin", &local.path().join("big.bin")).expect("resumed after the cut");
    assert_eq!(sha256(&local.path().join("big.bin")), sha256(&server_root.join("big.bin")));
    let crossed = proxy.bytes_relayed();
    assert!((crossed as f64) < 1.3 * SIZE as f64, "{crossed} bytes crossed the wire for a {SIZE}-byte file");
    assert!(proxy.connections() >= 3, "the cut forced a new connection: {}", proxy.connections());
}

#[test]
fn sftp_download_resumes_after_a_cut() {
    let sshd = Sshd::start();
    let key = sshd.host_key_public_line();
    survives_a_cut(Protocol::Sftp, Some(&key), sshd.data_dir(), |cuts| CuttingProxy::tcp(sshd.port(), cuts));
}

#[test]
fn ftp_download_resumes_after_a_cut() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    survives_a_cut(Protocol::Ftp, None, ftpd.data_dir(), |cuts| CuttingProxy::ftp(ftpd.port(), cuts));
}

#[test]
fn uploads_resume_after_a_cut() {
    const SIZE: usize = 24 * 1024 * 1024;
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("up.bin");
    std::fs::write(&source, driver::pattern(SIZE, 3)).unwrap();
    // SFTP through a TCP proxy (connection 2 transfers), FTP through the FTP-aware one (first data connection).
    let sshd = Sshd::start();
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let untouched = Cut { direction: CutDirection::ToServer, after_bytes: u64::MAX, fault: Fault::Drop };
    let cut = Cut { direction: CutDirection::ToServer, after_bytes: 9_000_000, fault: Fault::Drop };
    let cases = [
        (Protocol::Sftp, CuttingProxy::tcp(sshd.port(), vec![untouched, cut]), sshd.data_dir().to_path_buf()),
        (Protocol::Ftp, CuttingProxy::ftp(ftpd.port(), vec![cut]), ftpd.data_dir().to_path_buf()),
    ];
    let key = sshd.host_key_public_line();
    for (protocol, proxy, root) in cases {
        let mut driver = trusting((protocol == Protocol::Sftp).then_some(key.as_str()), proxy.port());
        let session = driver.connect(spec(protocol, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
        driver.upload(session, &source, "up.bin").unwrap_or_else(|e| panic!("{protocol:?}: {e}"));
        assert_eq!(sha256(&root.join("up.bin")), sha256(&source), "{protocol:?}");
        let crossed = proxy.bytes_relayed();
        assert!((crossed as f64) < 1.3 * SIZE as f64, "{protocol:?}: {crossed} bytes crossed for {SIZE}");
        assert!(proxy.connections() >= 3, "{protocol:?}: the cut forced a new connection");
    }
}

#[test]
fn an_interrupted_download_never_replaces_the_good_file() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), driver::pattern(8 * 1024 * 1024, 1)).unwrap();
    let untouched = Cut { direction: CutDirection::ToClient, after_bytes: u64::MAX, fault: Fault::Drop };
    let cut = Cut { direction: CutDirection::ToClient, after_bytes: 2_000_000, fault: Fault::Drop };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![untouched, cut]);
    let no_retries = TransferSettings { retries: 0, ..TransferSettings::default() };
    let mut driver = trusting_with(Some(&sshd.host_key_public_line()), proxy.port(), no_retries);
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    std::fs::write(&target, b"the good old file").unwrap();
    let error = driver.download(session, "big.bin", &target).unwrap_err();
    assert_eq!(error.kind, ferry::error::ErrorKind::ConnectionLost, "{error}");
    assert_eq!(std::fs::read(&target).unwrap(), b"the good old file");
    let part = local.path().join(".big.bin.ferry-part");
    assert!(part.exists(), "what arrived is kept for resuming");
}

#[test]
fn existing_targets_follow_the_policy() {
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    std::fs::write(data.join("doc.txt"), b"new contents").unwrap();
    let (mut driver, session) = sftp_driver(&sshd);
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("doc.txt");
    let reset = || std::fs::write(&target, b"old").unwrap();

    reset();
    driver.transfer(session, Direction::Download, &target, "doc.txt", false, OnExists::Skip).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"old");

    driver.transfer(session, Direction::Download, &target, "doc.txt", false, OnExists::Overwrite).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"new contents");

    reset();
    driver.transfer(session, Direction::Download, &target, "doc.txt", false, OnExists::Rename).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    assert_eq!(std::fs::read(local.path().join("doc (1).txt")).unwrap(), b"new contents");

    // Resume: the local file holds the first bytes; only the rest moves.
    std::fs::write(&target, b"new ").unwrap();
    driver.transfer(session, Direction::Download, &target, "doc.txt", false, OnExists::Resume).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"new contents");

    // Same size: size-differs skips. A newer local file: newer skips.
    std::fs::write(&target, b"xxxxxxxxxxxx").unwrap();
    driver.transfer(session, Direction::Download, &target, "doc.txt", false, OnExists::OverwriteIfSizeDiffers).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"xxxxxxxxxxxx");
    driver.transfer(session, Direction::Download, &target, "doc.txt", false, OnExists::OverwriteIfNewer).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"xxxxxxxxxxxx", "the local copy is newer");

    // Ask, with "apply to all": one question for a batch of three.
    for name in ["x1", "x2", "x3"] {
        std::fs::create_dir_all(data.join("batch")).unwrap();
        std::fs::write(data.join("batch").join(name), b"server").unwrap();
        std::fs::create_dir_all(local.path().join("batch")).unwrap();
        std::fs::write(local.path().join("batch").join(name), b"local").unwrap();
    }
    driver.exists_answer = OnExists::Overwrite;
    driver.exists_apply_to_all = true;
    driver.questions.clear();
    driver.transfer(session, Direction::Download, local.path(), "batch", true, OnExists::Ask).unwrap();
    let asked = driver.questions.iter().filter(|q| matches!(q, ferry::worker::Question::TargetExists { .. })).count();
    assert_eq!(asked, 1, "asked once for the batch");
    for name in ["x1", "x2", "x3"] {
        assert_eq!(std::fs::read(local.path().join("batch").join(name)).unwrap(), b"server");
    }
}

#[test]
fn verification_says_verified_over_sftp_and_size_checked_over_vsftpd() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("v.bin"), driver::pattern(300_000, 5)).unwrap();
    let (mut driver, session) = sftp_driver(&sshd);
    let local = tempfile::tempdir().unwrap();
    let transfer = ferry::worker::TransferRequest {
        direction: Direction::Download,
        local: local.path().to_path_buf(),
        remote: "v.bin".into(),
        recursive: false,
        on_exists: OnExists::Overwrite,
        verify: true,
        follow_links: Default::default(),
    };
    let items = match driver
        .request(|request| Command::Queue(QueueCommand::Enqueue { request, session, transfer: transfer.clone() }))
        .unwrap()
    {
        Event::Queue(QueueEvent::Enqueued { items, .. }) => items,
        other => panic!("{other:?}"),
    };
    let done = driver.wait_for_items(&items);
    assert_eq!(done[0].integrity, Some(Integrity::Verified), "{:?}", done[0]);

    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("v.bin"), driver::pattern(300_000, 5)).unwrap();
    let (mut driver, session) = ftp_driver(&ftpd);
    let items =
        match driver.request(|request| Command::Queue(QueueCommand::Enqueue { request, session, transfer })).unwrap() {
            Event::Queue(QueueEvent::Enqueued { items, .. }) => items,
            other => panic!("{other:?}"),
        };
    let done = driver.wait_for_items(&items);
    assert_eq!(done[0].state, ItemState::Done);
    assert_eq!(done[0].integrity, Some(Integrity::SizeChecked), "vsftpd offers no HASH");
}

#[test]
fn hostile_names_and_symlink_loops_over_sftp_stay_inside() {
    let sshd = Sshd::start();
    let tree = sshd.data_dir().join("odd");
    std::fs::create_dir_all(&tree).unwrap();
    for name in ["back\\slash", "line\nfeed", "carriage\rreturn", "\u{1b}[31mred", "fine.txt"] {
        std::fs::write(tree.join(name), b"x").unwrap();
    }
    std::os::unix::fs::symlink(".", tree.join("loop")).unwrap();
    std::os::unix::fs::symlink("fine.txt", tree.join("link-to-file")).unwrap();
    let (mut driver, session) = sftp_driver(&sshd);
    let outer = tempfile::tempdir().unwrap();
    let destination = outer.path().join("dest");
    std::fs::create_dir(&destination).unwrap();
    let items = driver.enqueue(session, Direction::Download, &destination, "odd", true, OnExists::Overwrite).unwrap();
    let done = driver.wait_for_items(&items);
    let skipped: Vec<String> =
        done.iter().filter(|i| i.state == ItemState::Skipped).map(|i| i.remote.clone()).collect();
    for refused in ["back\\slash", "line\nfeed", "carriage\rreturn", "loop"] {
        assert!(skipped.iter().any(|r| r.ends_with(refused)), "{refused:?} refused and reported: {skipped:?}");
    }
    assert!(done.iter().filter(|i| i.state == ItemState::Skipped).all(|i| i.error.is_some()), "each with its reason");
    assert!(destination.join("odd/fine.txt").is_file());
    assert!(destination.join("odd/link-to-file").is_file(), "a link to a file is copied as the file");
    assert!(
        destination.join("odd/\u{1b}[31mred").is_file(),
        "control characters are legal in names, only shown escaped"
    );
    let outside: Vec<_> = std::fs::read_dir(outer.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(outside, vec![std::ffi::OsString::from("dest")], "nothing written outside the destination");
}

/// Puts `count` files of 16 MiB in `folder` under `data`.
fn big_files(data: &Path, folder: &str, count: u8) {
    std::fs::create_dir(data.join(folder)).unwrap();
    for index in 0..count {
        std::fs::write(data.join(folder).join(format!("f{index}.bin")), driver::pattern(16 * 1024 * 1024, index))
            .unwrap();
    }
}

/// Follows the queue until every one of `items` is done, and returns how many files ran at once at
/// most. Every other event goes to `other`, with whether items were still unfinished.
fn most_at_once(driver: &mut Driver, items: &[ferry::worker::QueueItem], mut other: impl FnMut(Event, bool)) -> usize {
    let mut running = std::collections::HashSet::new();
    let mut most = 0;
    let mut open: std::collections::HashSet<_> =
        items.iter().filter(|i| !i.state.is_finished()).map(|i| i.id).collect();
    while !open.is_empty() {
        match driver.handle.recv_timeout(Duration::from_secs(60)).expect("queue events") {
            Event::Queue(QueueEvent::Changed { item }) => {
                if item.state == ItemState::Running && !item.is_folder {
                    running.insert(item.id);
                } else {
                    running.remove(&item.id);
                }
                most = most.max(running.len());
                if item.state.is_finished() {
                    assert_eq!(item.state, ItemState::Done, "{item:?}");
                    open.remove(&item.id);
                }
            }
            event => other(event, !open.is_empty()),
        }
    }
    most
}

#[test]
fn four_run_at_once_each_on_its_own_connection_and_browsing_is_not_held_up() {
    let sshd = Sshd::start();
    big_files(sshd.data_dir(), "many", 8);
    let (mut driver, session) = sftp_driver(&sshd);
    let local = tempfile::tempdir().unwrap();
    let items = driver.enqueue(session, Direction::Download, local.path(), "many", true, OnExists::Overwrite).unwrap();
    // Browse while the queue runs: the listing is answered before the queue is done.
    let listing = driver.handle.next_request();
    driver.handle.send(Command::Files(FileCommand::List { request: listing, session, path: ".".into() }));
    let mut listed_while_busy = false;
    let mut progress_per_item: std::collections::HashMap<_, usize> = std::collections::HashMap::new();
    let started = std::time::Instant::now();
    let most = most_at_once(&mut driver, &items, |event, busy| match event {
        Event::Files(FileEvent::Listing { request, .. }) if request == listing => listed_while_busy = busy,
        Event::Queue(QueueEvent::Progress { item, .. }) => *progress_per_item.entry(item).or_default() += 1,
        _ => {}
    });
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(most, 4, "four items at once by default, never more");
    assert!(listed_while_busy, "the browsing connection answered while transfers ran");
    for (item, count) in progress_per_item {
        assert!((count as f64) <= 10.0 * elapsed + 3.0, "item {item:?}: {count} progress events in {elapsed:.1} s");
    }
    let logins = sshd.log().matches("Accepted password for ferrytest").count();
    assert!(logins >= 5, "the browsing connection plus one pooled connection per running item: {logins}");
}

#[test]
fn pause_cancel_retry_and_a_restart_resume_from_what_arrived() {
    const SIZE: usize = 48 * 1024 * 1024;
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), driver::pattern(SIZE, 2)).unwrap();
    let proxy = CuttingProxy::tcp(sshd.port(), Vec::new());
    let mut driver = trusting_with(
        Some(&sshd.host_key_public_line()),
        proxy.port(),
        TransferSettings { concurrency: 1, ..TransferSettings::default() },
    );
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let items =
        driver.enqueue(session, Direction::Download, local.path(), "big.bin", false, OnExists::Overwrite).unwrap();
    let id = items[0].id;
    // Pause once some bytes have arrived.
    loop {
        match driver.handle.recv_timeout(Duration::from_secs(30)).expect("progress") {
            Event::Queue(QueueEvent::Progress { item, bytes, .. }) if item == id && bytes > 4_000_000 => break,
            _ => {}
        }
    }
    driver.handle.send(Command::Queue(QueueCommand::Action { item: id, action: ItemAction::Pause }));
    std::thread::sleep(Duration::from_millis(300));
    let saved = std::fs::read_to_string(driver.config_dir().join("queue.json")).unwrap();
    assert!(saved.contains("big.bin") && !saved.contains(TEST_PASSWORD), "saved without the password");

    // Ferry restarts: the item comes back paused and resumes from its part file.
    let mut again = driver.restarted();
    drop(driver);
    // Passwords are never saved: the restored item's site asks again.
    again.secret_answer = Some(TEST_PASSWORD.into());
    let restored = loop {
        let event = again.handle.recv_timeout(Duration::from_secs(10)).expect("the queue is offered again");
        if let Event::Queue(QueueEvent::Restored { items, .. }) = event {
            break items;
        }
    };
    assert_eq!(restored.len(), 1);
    assert_eq!(restored[0].state, ItemState::Paused);
    let before = proxy.bytes_relayed();
    again.handle.send(Command::Queue(QueueCommand::Action { item: restored[0].id, action: ItemAction::Resume }));
    let done = again.wait_for_items(&restored);
    assert_eq!(done[0].state, ItemState::Done, "{:?}", done[0]);
    assert_eq!(sha256(&local.path().join("big.bin")), sha256(&sshd.data_dir().join("big.bin")));
    let after_restart = proxy.bytes_relayed() - before;
    assert!((after_restart as f64) < 0.95 * SIZE as f64, "resumed, not restarted: {after_restart} bytes for {SIZE}");

    // Cancel a queued item, then retry it.
    let session = again.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    std::fs::remove_file(local.path().join("big.bin")).unwrap();
    let items =
        again.enqueue(session, Direction::Download, local.path(), "big.bin", false, OnExists::Overwrite).unwrap();
    again.handle.send(Command::Queue(QueueCommand::Action { item: items[0].id, action: ItemAction::Cancel }));
    let cancelled = again.wait_for_items(&items);
    assert_eq!(cancelled[0].state, ItemState::Cancelled);
    again.handle.send(Command::Queue(QueueCommand::Action { item: items[0].id, action: ItemAction::Retry }));
    let mut retried = cancelled.clone();
    retried[0].state = ItemState::Queued;
    let done = again.wait_for_items(&retried);
    assert_eq!(done[0].state, ItemState::Done);
    assert_eq!(sha256(&local.path().join("big.bin")), sha256(&sshd.data_dir().join("big.bin")));
}

#[test]
fn concurrency_can_be_changed_and_finished_items_cleared() {
    let sshd = Sshd::start();
    big_files(sshd.data_dir(), "six", 6);
    let (mut driver, session) = sftp_driver(&sshd);
    driver.handle.send(Command::Queue(QueueCommand::SetConcurrency { limit: 2 }));
    let local = tempfile::tempdir().unwrap();
    let items = driver.enqueue(session, Direction::Download, local.path(), "six", true, OnExists::Overwrite).unwrap();
    assert_eq!(most_at_once(&mut driver, &items, |_, _| {}), 2, "the new limit holds");
    driver.handle.send(Command::Queue(QueueCommand::ClearFinished));
    loop {
        if let Event::Queue(QueueEvent::Cleared { items: cleared }) =
            driver.handle.recv_timeout(Duration::from_secs(10)).expect("cleared")
        {
            assert_eq!(cleared.len(), items.len(), "every finished item is removed");
            break;
        }
    }
}

/// A queue restored after a restart knows no password (none is ever saved): resumed with several
/// connections at once, it asks for the site's password once, not once per connection.
#[test]
fn a_restored_queue_asks_for_the_password_once_per_site() {
    const SIZE: usize = 8 * 1024 * 1024;
    let sshd = Sshd::start();
    std::fs::create_dir(sshd.data_dir().join("four")).unwrap();
    for index in 0..4u8 {
        std::fs::write(sshd.data_dir().join(format!("four/{index}.bin")), driver::pattern(SIZE, index)).unwrap();
    }
    let key = sshd.host_key_public_line();
    let one_at_a_time = TransferSettings { concurrency: 1, ..TransferSettings::default() };
    let mut driver = trusting_with(Some(&key), sshd.port(), one_at_a_time);
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let items = driver.enqueue(session, Direction::Download, local.path(), "four", true, OnExists::Overwrite).unwrap();
    for item in &items {
        driver.handle.send(Command::Queue(QueueCommand::Action { item: item.id, action: ItemAction::Pause }));
    }
    // The queue is saved within a second of a change.
    std::thread::sleep(Duration::from_millis(1500));

    let mut again = driver.restarted();
    drop(driver);
    again.secret_answer = Some(TEST_PASSWORD.into());
    let restored = loop {
        let event = again.handle.recv_timeout(Duration::from_secs(10)).expect("the queue is offered again");
        if let Event::Queue(QueueEvent::Restored { items, .. }) = event {
            break items;
        }
    };
    let files = restored.iter().filter(|item| !item.is_folder).count();
    assert!(files >= 3, "paused before they finished: {restored:#?}");
    again.handle.send(Command::Queue(QueueCommand::SetConcurrency { limit: 4 }));
    for item in &restored {
        again.handle.send(Command::Queue(QueueCommand::Action { item: item.id, action: ItemAction::Resume }));
    }
    let done = again.wait_for_items(&restored);
    assert!(done.iter().all(|item| item.state == ItemState::Done), "{done:#?}");
    for index in 0..4u8 {
        let name = format!("four/{index}.bin");
        assert_eq!(sha256(&local.path().join(&name)), sha256(&sshd.data_dir().join(&name)), "{name}");
    }
    let asked = again.questions.iter().filter(|q| matches!(q, ferry::worker::Question::Password { .. })).count();
    assert_eq!(asked, 1, "one question for the one site: {:?}", again.questions);
    let logins = sshd.log().matches("Accepted password for ferrytest").count();
    assert!(logins >= 3, "several connections used the one answer: {logins}");
}
