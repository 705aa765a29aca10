//! Uploads never leave a broken file on the server: the new copy is written under a hidden
//! temporary name and renamed over the target only when complete, so a killed `ferry put`, a cut
//! connection or a server that refuses to resume leaves the old file whole; `--in-place` writes the
//! target directly. Downloads that are cancelled leave no part file behind.

use crate::cutting_proxy;
use crate::driver;
use crate::scripted_ftp;
use crate::support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use driver::{Driver, spec};
use ferry::model::Protocol;
use ferry::transfer::policy::OnExists;
use ferry::worker::{Command as WorkerCommand, Direction, ItemAction, ItemState, QueueCommand, TransferSettings};
use scripted_ftp::{Script, ScriptedFtp};
use support::{Dropbear, FtpTls, PureFtpd, PureFtpdOptions, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

const OLD: &[u8] = b"the good old file, which must survive any failed upload\n";

/// A worker that trusts the sshd behind `port` (a proxy's), so no question costs a connection.
fn trusting(sshd: &Sshd, port: u16, transfer: TransferSettings) -> Driver {
    let dir = tempfile::tempdir().unwrap().keep();
    let known = dir.join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{port} {}\n", sshd.host_key_public_line())).unwrap();
    Driver::with_known_hosts_and_transfer(known, transfer)
}

/// Writes `bytes` to `path` as the server's account owns it, with `mode`.
fn server_file(path: &Path, bytes: &[u8], mode: u32) {
    std::fs::write(path, bytes).unwrap();
    let account = support::test_account().expect("the test account");
    std::os::unix::fs::chown(path, Some(account.uid), Some(account.gid)).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".ferry-"))
        .collect()
}

fn ferry_put(config: &Path, extra: &[&str], put_flags: &[&str], local: &Path, url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config)
        .args(extra)
        .arg("put")
        .args(put_flags)
        .arg(local)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env("FERRY_PASSWORD", TEST_PASSWORD)
        .env_remove("SSH_AUTH_SOCK")
        .spawn()
        .expect("run ferry")
}

/// Runs `ferry put` of 2 MB over the server's `keep.bin` through a slow path (a stalled proxy, a
/// rate-limited server), waits until the server holds some new bytes, then sends SIGKILL.
fn kill_put_half_way(extra: &[&str], url: &str, server_dir: &Path) {
    let local = tempfile::tempdir().unwrap();
    let config = tempfile::tempdir().unwrap();
    let source = local.path().join("new.bin");
    std::fs::write(&source, driver::pattern(2 * 1024 * 1024, 5)).unwrap();
    let mut child = ferry_put(config.path(), extra, &[], &source, url);
    let target = server_dir.join("keep.bin");
    let part = server_dir.join(".keep.bin.ferry-part");
    let deadline = Instant::now() + Duration::from_secs(20);
    // Wait until the server holds new bytes somewhere (the part file, or the target itself).
    loop {
        let part_held = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        let target_changed = std::fs::read(&target).map(|bytes| bytes != OLD).unwrap_or(true);
        if part_held > 0 || target_changed {
            break;
        }
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!("{url}: no upload began: {}", String::from_utf8_lossy(&output.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Compared as a whole, but reported by size: a failure must not print megabytes of bytes.
    let held = std::fs::read(&target).unwrap();
    assert!(
        held == OLD,
        "{url}: the old file is whole after SIGKILL (it holds {} bytes, not the old {})",
        held.len(),
        OLD.len()
    );
}

#[test]
fn a_killed_put_leaves_the_old_file_whole_over_sftp_ftp_and_ftps() {
    // SFTP: connection 1 plans and connection 2 (the queue's) moves the bytes; both stall after
    // 500 kB sent, so the put is surely half way whichever carries it. A clean connection would
    // finish 2 MB between two looks at the part file.
    let sshd = Sshd::start();
    server_file(&sshd.data_dir().join("keep.bin"), OLD, 0o644);
    let stall = Cut { direction: CutDirection::ToServer, after_bytes: 500_000, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![stall, stall]);
    let config = tempfile::tempdir().unwrap();
    let known = config.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", proxy.port(), sshd.host_key_public_line())).unwrap();
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", proxy.port(), sshd.data_dir().display());
    kill_put_half_way(&["--known-hosts", known.to_str().unwrap()], &url, sshd.data_dir());

    // FTP and FTPS: vsftpd takes at most 200 kB/s.
    let slow = VsftpdOptions { max_rate: 200_000, ..VsftpdOptions::default() };
    let ftpd = Vsftpd::start(slow.clone());
    server_file(&ftpd.data_dir().join("keep.bin"), OLD, 0o644);
    kill_put_half_way(&[], &format!("ftp://{TEST_USER}@127.0.0.1:{}/keep.bin", ftpd.port()), ftpd.data_dir());

    let ftps = Vsftpd::start(VsftpdOptions { tls: FtpTls::Explicit, ..slow });
    server_file(&ftps.data_dir().join("keep.bin"), OLD, 0o644);
    let ca = support::test_certificate().cert_pem.to_str().unwrap().to_string();
    let url = format!("ftpes://{TEST_USER}@127.0.0.1:{}/keep.bin", ftps.port());
    kill_put_half_way(&["--ca-file", &ca], &url, ftps.data_dir());
}

/// `ferry put` of `new` over the server's `keep.bin`; returns the hard link the test made to the
/// old file beforehand (it shows whether the old file was written into or replaced).
fn put_over(extra: &[&str], put_flags: &[&str], url: &str, server_dir: &Path, new: &[u8]) -> PathBuf {
    let target = server_dir.join("keep.bin");
    server_file(&target, OLD, 0o600);
    let link = server_dir.join("old-link.bin");
    let _ = std::fs::remove_file(&link);
    std::fs::hard_link(&target, &link).unwrap();
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("new.bin");
    std::fs::write(&source, new).unwrap();
    let config = tempfile::tempdir().unwrap();
    let output = ferry_put(config.path(), extra, put_flags, &source, url).wait_with_output().unwrap();
    assert!(output.status.success(), "{url}: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read(&target).unwrap(), new, "{url}: the new bytes are in place");
    assert!(leftovers(server_dir).is_empty(), "{url}: left behind {:?}", leftovers(server_dir));
    link
}

#[test]
fn a_finished_overwrite_replaces_the_file_and_keeps_its_mode() {
    let new = driver::pattern(300_000, 9);
    let sshd = Sshd::start();
    let known = tempfile::tempdir().unwrap();
    let known = known.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", sshd.port(), sshd.data_dir().display());
    let link = put_over(&["--known-hosts", known.to_str().unwrap()], &[], &url, sshd.data_dir(), &new);
    assert_eq!(std::fs::read(&link).unwrap(), OLD, "the old file was replaced, never written into");
    let mode = std::fs::metadata(sshd.data_dir().join("keep.bin")).unwrap().mode() & 0o7777;
    assert_eq!(mode, 0o600, "SFTP: the target's mode is kept");

    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/keep.bin", ftpd.port());
    let link = put_over(&[], &[], &url, ftpd.data_dir(), &new);
    assert_eq!(std::fs::read(&link).unwrap(), OLD, "FTP: replaced by RNFR/RNTO, never written into");

    let pure = PureFtpd::start(PureFtpdOptions::default());
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/keep.bin", pure.port());
    let link = put_over(&[], &[], &url, pure.data_dir(), &new);
    assert_eq!(std::fs::read(&link).unwrap(), OLD, "pure-ftpd: replaced, never written into");
    // pure-ftpd tells the mode (MLST's UNIX.mode) and takes SITE CHMOD; vsftpd (no MLST) is in
    // `an_overwrite_keeps_the_targets_mode_on_vsftpd_which_has_no_mlst`.
    let mode = std::fs::metadata(pure.data_dir().join("keep.bin")).unwrap().mode() & 0o7777;
    assert_eq!(mode, 0o600, "pure-ftpd: the target's mode is kept");
}

/// `ferry put` over the server's `keep.bin` (mode 0600) beside a folder that bears the name the
/// move-aside rename would use, holding a file of the user's: with `posix-rename@openssh.com` the
/// new bytes land in one rename, the old file is replaced (not written into), its mode is kept,
/// and the folder and its file are untouched.
fn overwrite_in_one_rename(extra: &[&str], url: &str, server_dir: &Path) {
    let new = driver::pattern(200_000, 11);
    let target = server_dir.join("keep.bin");
    server_file(&target, OLD, 0o600);
    let link = server_dir.join("old-link.bin");
    std::fs::hard_link(&target, &link).unwrap();
    let aside = server_dir.join(".keep.bin.ferry-old");
    std::fs::create_dir(&aside).unwrap();
    let account = support::test_account().expect("the test account");
    std::os::unix::fs::chown(&aside, Some(account.uid), Some(account.gid)).unwrap();
    server_file(&aside.join("mine.txt"), b"not Ferry's\n", 0o644);

    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("new.bin");
    std::fs::write(&source, &new).unwrap();
    let config = tempfile::tempdir().unwrap();
    let output = ferry_put(config.path(), extra, &[], &source, url).wait_with_output().unwrap();
    assert!(output.status.success(), "{url}: {}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read(&target).unwrap(), new, "{url}: the new bytes are in place");
    assert_eq!(std::fs::read(&link).unwrap(), OLD, "{url}: the old file was replaced, never written into");
    assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o600, "{url}: the target's mode is kept");
    assert_eq!(std::fs::read(aside.join("mine.txt")).unwrap(), b"not Ferry's\n", "{url}: the folder is untouched");
    assert_eq!(std::fs::read_dir(&aside).unwrap().count(), 1, "{url}: nothing was moved into the folder");
    assert!(!server_dir.join(".keep.bin.ferry-part").exists(), "{url}: the part file is gone");
}

#[test]
fn an_sftp_overwrite_is_one_posix_rename_on_openssh_and_dropbear() {
    let sshd = Sshd::start();
    let known = tempfile::tempdir().unwrap();
    let known = known.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", sshd.port(), sshd.data_dir().display());
    overwrite_in_one_rename(&["--known-hosts", known.to_str().unwrap()], &url, sshd.data_dir());

    // Dropbear runs OpenSSH's sftp-server, which offers the extension too.
    let dropbear = support::Dropbear::start();
    let known = tempfile::tempdir().unwrap();
    let known = known.path().join("known_hosts");
    std::fs::write(&known, dropbear.known_hosts_line() + "\n").unwrap();
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", dropbear.port(), dropbear.data_dir().display());
    overwrite_in_one_rename(&["--known-hosts", known.to_str().unwrap()], &url, dropbear.data_dir());
}

/// An SFTP server that refuses `posix-rename@openssh.com` (OpenSSH's `sftp-server -P
/// posix-rename`: "permission denied", though the extension is offered) still gets the overwrite,
/// by the move-aside rename: the new bytes in place, the mode kept, nothing left beside it.
#[test]
fn an_sftp_overwrite_moves_the_old_file_aside_where_posix_rename_is_refused() {
    let sshd = Sshd::start_with_sftp_options("-P posix-rename");
    let target = sshd.data_dir().join("keep.bin");
    server_file(&target, OLD, 0o600);
    let new = driver::pattern(200_000, 12);
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("new.bin");
    std::fs::write(&source, &new).unwrap();
    let known = local.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let config = tempfile::tempdir().unwrap();
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", sshd.port(), sshd.data_dir().display());
    let extra = ["--known-hosts", known.to_str().unwrap()];
    let output = ferry_put(config.path(), &extra, &[], &source, &url).wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read(&target).unwrap(), new, "the new bytes are in place");
    assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o600, "the target's mode is kept");
    assert_eq!(leftovers(sshd.data_dir()), Vec::<String>::new(), "no .keep.bin.ferry-old or -part is left");
}

#[test]
fn an_overwrite_keeps_the_targets_mode_on_vsftpd_which_has_no_mlst() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let target = ftpd.data_dir().join("keep.bin");
    server_file(&target, OLD, 0o640);
    let new = driver::pattern(100_000, 6);
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("new.bin");
    std::fs::write(&source, &new).unwrap();
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/keep.bin", ftpd.port());
    let output = ferry_put(config.path(), &[], &[], &source, &url).wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read(&target).unwrap(), new, "the new bytes are in place");
    assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o640, "the target's mode is kept");

    // A new file gets the server's own mode, and no listing was asked for it.
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/fresh.bin", ftpd.port());
    let output = ferry_put(config.path(), &[], &[], &source, &url).wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(std::fs::read(ftpd.data_dir().join("fresh.bin")).unwrap(), new);
    assert!(!ftpd.log().contains("LIST fresh.bin"), "a new file costs no listing");
}

#[test]
fn in_place_writes_the_target_directly() {
    let new = driver::pattern(100_000, 4);
    let sshd = Sshd::start();
    let known = tempfile::tempdir().unwrap();
    let known = known.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", sshd.port(), sshd.data_dir().display());
    let extra = ["--known-hosts", known.to_str().unwrap()];
    let link = put_over(&extra, &["--in-place"], &url, sshd.data_dir(), &new);
    assert_eq!(std::fs::read(&link).unwrap(), new, "written into the very file the link names: in place");
}

/// Uploads `SIZE` bytes over the server's `keep.bin` through a proxy that drops the transfer part
/// way, with no retries: the upload fails and the old file is whole. A retry continues the
/// temporary file (far fewer bytes cross than the whole file) and the result is byte-identical.
fn resume_continues_the_temporary_file(
    protocol: Protocol,
    mut driver: Driver,
    proxy: &CuttingProxy,
    server_dir: &Path,
) {
    const SIZE: usize = 4 * 1024 * 1024;
    let target = server_dir.join("keep.bin");
    server_file(&target, OLD, 0o644);
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, driver::pattern(SIZE, 8)).unwrap();
    let session = driver.connect(spec(protocol, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let items = driver.enqueue(session, Direction::Upload, &source, "keep.bin", false, OnExists::Overwrite).unwrap();
    let failed = driver.wait_for_items(&items);
    assert_eq!(failed[0].state, ItemState::Failed, "{protocol:?}: {:?}", failed[0]);
    assert_eq!(std::fs::read(&target).unwrap(), OLD, "{protocol:?}: the target is untouched by the cut upload");
    let part = server_dir.join(".keep.bin.ferry-part");
    // The server may still be writing what it received before the cut.
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut held = 0;
    while held == 0 && Instant::now() < deadline {
        held = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(part.exists(), "{protocol:?}: what arrived waits in the temporary file: {:?}", failed[0].error);

    let before = proxy.bytes_relayed();
    driver.handle.send(WorkerCommand::Queue(QueueCommand::Action { item: items[0].id, action: ItemAction::Retry }));
    let mut retried = failed.clone();
    retried[0].state = ItemState::Queued;
    let done = driver.wait_for_items(&retried);
    assert_eq!(done[0].state, ItemState::Done, "{protocol:?}: {:?}", done[0]);
    assert_eq!(std::fs::read(&target).unwrap(), std::fs::read(&source).unwrap(), "{protocol:?}");
    assert!(!part.exists(), "{protocol:?}: the temporary file became the target");
    let crossed = proxy.bytes_relayed() - before;
    let rest = (SIZE as u64 - held) as f64;
    assert!(
        held > 0 && (crossed as f64) < 1.2 * rest + 200_000.0,
        "{protocol:?}: resumed: {crossed} bytes after {held}"
    );
}

#[test]
fn resume_after_a_cut_continues_the_temporary_file_and_leaves_the_target_alone() {
    let no_retries = TransferSettings { retries: 0, ..TransferSettings::default() };
    let cut = Cut { direction: CutDirection::ToServer, after_bytes: 1_500_000, fault: Fault::Drop };
    let untouched = Cut { direction: CutDirection::ToServer, after_bytes: u64::MAX, fault: Fault::Drop };

    // SFTP: connection 1 browses, connection 2 (pooled) plans and transfers.
    let sshd = Sshd::start();
    let proxy = CuttingProxy::tcp(sshd.port(), vec![untouched, cut]);
    let driver = trusting(&sshd, proxy.port(), no_retries.clone());
    resume_continues_the_temporary_file(Protocol::Sftp, driver, &proxy, sshd.data_dir());

    // FTP: the first data connection carries the upload.
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let proxy = CuttingProxy::ftp(ftpd.port(), vec![cut]);
    let driver = Driver::with_transfer(no_retries);
    resume_continues_the_temporary_file(Protocol::Ftp, driver, &proxy, ftpd.data_dir());
}

#[test]
fn a_server_that_refuses_resume_gets_the_file_again_from_zero_once() {
    let data = driver::pattern(200_000, 6);
    // The first upload ends with "426" (the connection broke at the end); the retry asks to
    // resume, which this server refuses as ProFTPD does by default.
    let ftpd = ScriptedFtp::start(
        Script::new()
            .file("/keep.bin", OLD.to_vec())
            .after_data_n("STOR", 1, "426 Connection closed; transfer aborted.")
            .reply("REST", "451 Append/Restart not permitted")
            .reply("APPE", "451 Append/Restart not permitted"),
    );
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, &data).unwrap();
    let settings = TransferSettings { backoff: Duration::from_millis(50), ..TransferSettings::default() };
    let mut driver = Driver::with_transfer(settings);
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let items = driver.enqueue(session, Direction::Upload, &source, "keep.bin", false, OnExists::Overwrite).unwrap();
    let done = driver.wait_for_items(&items);
    assert_eq!(done[0].state, ItemState::Done, "{:?}", done[0]);
    assert_eq!(ftpd.file("/keep.bin").as_deref(), Some(&data[..]), "arrived whole");
    assert!(ftpd.file("/.keep.bin.ferry-part").is_none(), "no temporary file is left");
    let note = done[0].success_note.clone().unwrap_or_default();
    assert!(note.contains("refused to resume") && note.contains("451"), "the item says so: {note:?}");
    assert_eq!(ftpd.count("STOR"), 2, "once cut, then (the resume refused) once from zero: {:?}", ftpd.verbs());
}

#[test]
fn a_server_that_refuses_site_chmod_still_gets_its_upload() {
    let data = driver::pattern(50_000, 3);
    // No MLST: the mode comes from `LIST keep.bin`, and SITE CHMOD is refused.
    let ftpd =
        ScriptedFtp::start(Script::new().file("/keep.bin", OLD.to_vec()).reply("SITE", "550 Permission denied."));
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, &data).unwrap();
    let mut driver = Driver::with_transfer(TransferSettings::default());
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let items = driver.enqueue(session, Direction::Upload, &source, "keep.bin", false, OnExists::Overwrite).unwrap();
    let done = driver.wait_for_items(&items);
    assert_eq!(done[0].state, ItemState::Done, "{:?}", done[0]);
    assert_eq!(ftpd.file("/keep.bin").as_deref(), Some(&data[..]), "arrived whole");
    assert_eq!(ftpd.count("SITE"), 1, "the old mode was asked to be kept, once: {:?}", ftpd.verbs());
}

#[test]
fn a_cancelled_download_leaves_no_part_file_and_a_paused_one_keeps_it() {
    const SIZE: usize = 8 * 1024 * 1024;
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("big.bin"), driver::pattern(SIZE, 1)).unwrap();
    // Connection 2 (the transfer) stalls after 3 MB: the download is surely half way.
    let untouched = Cut { direction: CutDirection::ToClient, after_bytes: u64::MAX, fault: Fault::Drop };
    let stall = Cut { direction: CutDirection::ToClient, after_bytes: 6_000_000, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![untouched, stall]);
    let mut driver = trusting(&sshd, proxy.port(), TransferSettings::default());
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let items =
        driver.enqueue(session, Direction::Download, local.path(), "big.bin", false, OnExists::Overwrite).unwrap();
    let id = items[0].id;
    let part = local.path().join(".big.bin.ferry-part");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "no bytes arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    driver.handle.send(WorkerCommand::Queue(QueueCommand::Action { item: id, action: ItemAction::Pause }));
    std::thread::sleep(Duration::from_millis(300));
    assert!(part.exists(), "a paused download keeps what arrived, to resume");
    driver.handle.send(WorkerCommand::Queue(QueueCommand::Action { item: id, action: ItemAction::Cancel }));
    let cancelled = driver.wait_for_items(&items);
    assert_eq!(cancelled[0].state, ItemState::Cancelled);
    assert!(!part.exists(), "a cancelled download leaves nothing behind");
    assert!(!local.path().join("big.bin").exists());
}

#[test]
fn a_cancelled_upload_leaves_no_temporary_file_and_the_old_file_whole() {
    let sshd = Sshd::start();
    let target = sshd.data_dir().join("keep.bin");
    server_file(&target, OLD, 0o644);
    // Connection 2 (plan and transfer) stalls after 1 MB sent: the upload is surely half way.
    let untouched = Cut { direction: CutDirection::ToServer, after_bytes: u64::MAX, fault: Fault::Drop };
    let stall = Cut { direction: CutDirection::ToServer, after_bytes: 1_000_000, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![untouched, stall]);
    let mut driver = trusting(&sshd, proxy.port(), TransferSettings::default());
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, driver::pattern(4 * 1024 * 1024, 2)).unwrap();
    let items = driver.enqueue(session, Direction::Upload, &source, "keep.bin", false, OnExists::Overwrite).unwrap();
    let part = sshd.data_dir().join(".keep.bin.ferry-part");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) == 0 {
        assert!(Instant::now() < deadline, "no bytes arrived");
        std::thread::sleep(Duration::from_millis(20));
    }
    driver.handle.send(WorkerCommand::Queue(QueueCommand::Action { item: items[0].id, action: ItemAction::Cancel }));
    let cancelled = driver.wait_for_items(&items);
    assert_eq!(cancelled[0].state, ItemState::Cancelled);
    let deadline = Instant::now() + Duration::from_secs(10);
    while part.exists() {
        assert!(Instant::now() < deadline, "the temporary file is removed after a cancel");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(std::fs::read(&target).unwrap(), OLD, "the old file is whole");
}

/// OpenSSH's plain SFTP rename is a link, then an unlink: a connection cut between the two leaves
/// the temporary name as a second link to the target, and renaming one link of a file over another
/// does nothing. The resumed upload that finishes the job removes that second name.
#[test]
fn a_resumed_upload_leaves_no_temporary_name_linked_to_its_target() {
    let sshd = Sshd::start();
    let data = driver::pattern(300_000, 9);
    let target = sshd.data_dir().join("keep.bin");
    let part = sshd.data_dir().join(".keep.bin.ferry-part");
    server_file(&target, &data[..200_000], 0o644);
    std::fs::hard_link(&target, &part).unwrap();
    let mut driver = trusting(&sshd, sshd.port(), TransferSettings::default());
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, &data).unwrap();
    driver.transfer(session, Direction::Upload, &source, "keep.bin", false, OnExists::Resume).unwrap();
    assert!(std::fs::read(&target).unwrap() == data, "the target holds the whole file");
    assert!(!part.exists(), "no temporary name is left beside the target");
}

#[test]
fn resuming_a_partial_target_continues_it_through_the_temporary_file() {
    let sshd = Sshd::start();
    let data = driver::pattern(2 * 1024 * 1024, 3);
    // An earlier in-place upload (or another client) left the first 1.5 MB under the real name.
    server_file(&sshd.data_dir().join("keep.bin"), &data[..1_500_000], 0o644);
    let proxy = CuttingProxy::tcp(sshd.port(), Vec::new());
    let mut driver = trusting(&sshd, proxy.port(), TransferSettings::default());
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, &data).unwrap();
    let before = proxy.bytes_relayed();
    driver.transfer(session, Direction::Upload, &source, "keep.bin", false, OnExists::Resume).unwrap();
    assert_eq!(std::fs::read(sshd.data_dir().join("keep.bin")).unwrap(), data);
    let crossed = proxy.bytes_relayed() - before;
    assert!(crossed < 1_000_000, "only the rest moved: {crossed} bytes");
    assert!(leftovers(sshd.data_dir()).is_empty(), "{:?}", leftovers(sshd.data_dir()));
}

/// How long the stall tests let a server accept nothing (`--timeout`), in seconds.
const STALL_LIMIT_SECS: u64 = 2;

/// `ferry put --timeout 2` of 3 MB over the server's `keep.bin` through a proxy (in front of the
/// server on `server_port`, known by `host_key_line`) whose upload's connection stops passing the
/// client's bytes on after 1 MB but stays open. The first attempt must be reported as a stall,
/// the retry must go over a fresh connection and continue the part file, and the old file must
/// stay whole until the new one is renamed over it.
fn a_stalled_put_is_retried_on_a_fresh_connection(name: &str, server_port: u16, host_key_line: &str, dir: &Path) {
    let target = dir.join("keep.bin");
    server_file(&target, OLD, 0o644);
    let link = dir.join("old-link.bin");
    let _ = std::fs::remove_file(&link);
    std::fs::hard_link(&target, &link).unwrap();
    let new = driver::pattern(3_000_000, 7);
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("keep.bin");
    std::fs::write(&source, &new).unwrap();

    // Connection 1 logs in and plans; connection 2 carries the upload and stalls after 1 MB.
    let untouched = Cut { direction: CutDirection::ToServer, after_bytes: u64::MAX, fault: Fault::Drop };
    let stall = Cut { direction: CutDirection::ToServer, after_bytes: 1_000_000, fault: Fault::OneWayStall };
    let proxy = CuttingProxy::tcp(server_port, vec![untouched, stall]);
    let config = tempfile::tempdir().unwrap();
    let known = config.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {host_key_line}\n", proxy.port())).unwrap();
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", proxy.port(), dir.display());
    let timeout = STALL_LIMIT_SECS.to_string();
    let extra = ["--known-hosts", known.to_str().unwrap(), "--timeout", &timeout];
    let mut child = ferry_put(config.path(), &extra, &[], &source, &url);

    // Until the rename, the target holds the old bytes and nothing else.
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        let now = std::fs::read(&target).unwrap_or_default();
        assert!(now == OLD || now == new, "{name}: the target held {} other bytes during the upload", now.len());
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{name}: the put did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{name}: {stderr}");
    assert_eq!(std::fs::read(&target).unwrap(), new, "{name}: the new bytes are in place");
    assert_eq!(std::fs::read(&link).unwrap(), OLD, "{name}: the old file was replaced, never written into");
    assert!(leftovers(dir).is_empty(), "{name}: left behind {:?}", leftovers(dir));
    let stalled = format!("the server accepted no data for {STALL_LIMIT_SECS} s");
    assert!(stderr.contains(&stalled), "{name}: the first attempt is reported as a stall: {stderr}");
    assert!(!stderr.contains("connection lost"), "{name}: a stall is not a lost connection: {stderr}");
    assert!(proxy.connections() >= 3, "{name}: the retry used a fresh connection");
    // The stalled connection passed 1 MB on; had the retry started over, 3 MB more would cross.
    let crossed = proxy.bytes_relayed();
    assert!(
        crossed < new.len() as u64 + 300_000,
        "{name}: the retry continued the part file ({crossed} bytes crossed)"
    );
}

#[test]
fn a_stalled_sftp_upload_is_retried_once_and_continues_its_part_file() {
    let sshd = Sshd::start();
    a_stalled_put_is_retried_on_a_fresh_connection("sshd", sshd.port(), &sshd.host_key_public_line(), sshd.data_dir());
    let dropbear = Dropbear::start();
    let key = dropbear.host_key_public_line();
    a_stalled_put_is_retried_on_a_fresh_connection("dropbear", dropbear.port(), &key, dropbear.data_dir());
}
