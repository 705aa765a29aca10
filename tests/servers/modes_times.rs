//! Permission bits and times on real servers: a 0755 script goes up as 0755 and a private file
//! stays private, downloads keep the mode (less the umask, never a set-id bit), recursive copies
//! give folders their times after their contents, both ways; `--no-keep-modes` and
//! `--no-keep-times` leave both to the server.

use crate::cli::{assert_ok, ferry_with_umask_022, known_hosts_for, mode_of, stderr};
use crate::support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// A time long past, to the second, that no copy would get by chance.
fn long_ago(offset: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000 + offset)
}

fn set_time(path: &Path, time: SystemTime) {
    std::fs::File::open(path).unwrap().set_modified(time).unwrap();
}

fn time_of(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `tools/` holding a 0755 script, a 0600 key and `docs/guide.txt`; each folder with an old time
/// (set last, since writing into a folder changes its time).
fn local_tree(root: &Path) -> std::path::PathBuf {
    let tools = root.join("tools");
    std::fs::create_dir_all(tools.join("docs")).unwrap();
    std::fs::write(tools.join("run.sh"), b"#!/bin/sh\necho hi\n").unwrap();
    std::fs::write(tools.join("id_key"), b"private").unwrap();
    std::fs::write(tools.join("docs/guide.txt"), b"read me").unwrap();
    set_mode(&tools.join("run.sh"), 0o755);
    set_mode(&tools.join("id_key"), 0o600);
    set_time(&tools.join("docs"), long_ago(1));
    set_time(&tools, long_ago(2));
    tools
}

fn sftp_base(sshd: &Sshd) -> String {
    format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display())
}

#[test]
fn put_r_and_get_r_keep_modes_and_folder_times_over_sftp() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let local = tempfile::tempdir().unwrap();
    let tools = local_tree(local.path());

    assert_ok(&ferry_with_umask_022(
        config.path(),
        &["--known-hosts", known, "put", "-r", tools.to_str().unwrap(), &format!("{}/", sftp_base(&sshd))],
    ));
    let remote = sshd.data_dir().join("tools");
    assert_eq!(mode_of(&remote.join("run.sh")), 0o755, "a script keeps its execute bits");
    assert_eq!(mode_of(&remote.join("id_key")), 0o600, "a private file stays private");
    assert_eq!(time_of(&remote.join("docs")), long_ago(1), "a folder's time, set after its contents");
    assert_eq!(time_of(&remote), long_ago(2), "the top folder's time");

    // And back, into a fresh folder; a set-id bit on the server never comes along.
    set_mode(&remote.join("run.sh"), 0o4755);
    let back = tempfile::tempdir().unwrap();
    assert_ok(&ferry_with_umask_022(
        config.path(),
        &["--known-hosts", known, "get", "-r", &format!("{}/tools", sftp_base(&sshd)), back.path().to_str().unwrap()],
    ));
    let copy = back.path().join("tools");
    assert_eq!(std::fs::read(copy.join("run.sh")).unwrap(), b"#!/bin/sh\necho hi\n");
    assert_eq!(mode_of(&copy.join("run.sh")), 0o755, "execute bits kept, the set-id bit dropped");
    assert_eq!(std::fs::metadata(copy.join("run.sh")).unwrap().permissions().mode() & 0o7000, 0);
    assert_eq!(mode_of(&copy.join("id_key")), 0o600);
    assert_eq!(time_of(&copy.join("docs")), long_ago(1), "a downloaded folder's time");
    assert_eq!(time_of(&copy), long_ago(2));
}

#[test]
fn no_keep_modes_and_no_keep_times_leave_both_to_the_receiving_side() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let local = tempfile::tempdir().unwrap();
    let tools = local_tree(local.path());
    let output = ferry_with_umask_022(
        config.path(),
        &[
            "--known-hosts",
            known,
            "put",
            "-r",
            "--no-keep-modes",
            "--no-keep-times",
            tools.to_str().unwrap(),
            &format!("{}/", sftp_base(&sshd)),
        ],
    );
    assert_ok(&output);
    let remote = sshd.data_dir().join("tools");
    assert_eq!(std::fs::read(remote.join("run.sh")).unwrap(), b"#!/bin/sh\necho hi\n");
    assert_ne!(mode_of(&remote.join("run.sh")), 0o755, "the mode was sent anyway");
    assert_ne!(time_of(&remote.join("docs")), long_ago(1), "the folder's time was sent anyway");
    assert_ne!(time_of(&remote.join("run.sh")), time_of(&tools.join("run.sh")), "the file's time was sent anyway");
}

#[test]
fn a_script_goes_up_as_0755_over_vsftpd_and_a_refused_folder_time_fails_nothing() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let tools = local_tree(local.path());
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());
    let output = ferry_with_umask_022(config.path(), &["--verbose", "put", "-r", tools.to_str().unwrap(), &url]);
    // vsftpd sets no folder's time (its MDTM takes files only): told in the log, not a failure.
    assert_ok(&output);
    let remote = ftpd.data_dir().join("tools");
    assert_eq!(mode_of(&remote.join("run.sh")), 0o755, "SITE CHMOD kept the execute bits: {}", stderr(&output));
    assert_eq!(mode_of(&remote.join("id_key")), 0o600);
    assert_eq!(std::fs::read(remote.join("docs/guide.txt")).unwrap(), b"read me");
}
