//! Whole-tree operations the window's Delete and Permissions use, against real servers: a folder
//! goes with everything in it, links are removed and never followed, and "recursive" permissions
//! reach every file and folder.

use crate::driver;
use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use driver::{Driver, spec};
use ferry::model::{Protocol, SessionId};
use ferry::worker::{Command, Event, FileCommand};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

fn make_tree(root: &Path) {
    std::fs::create_dir_all(root.join("top/sub/deeper")).unwrap();
    std::fs::create_dir_all(root.join("keep")).unwrap();
    std::fs::write(root.join("top/a.txt"), b"a").unwrap();
    std::fs::write(root.join("top/sub/b.txt"), b"b").unwrap();
    std::fs::write(root.join("top/sub/deeper/c.txt"), b"c").unwrap();
    std::fs::write(root.join("keep/precious.txt"), b"precious").unwrap();
    // A link inside the tree to a folder outside it: deleting the tree must not follow it.
    std::os::unix::fs::symlink(root.join("keep"), root.join("top/link-to-keep")).unwrap();
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(root).status().unwrap();
    // Only the owner may change permissions: the tree belongs to the account that logs in.
    let owner = format!("{TEST_USER}:{TEST_USER}");
    for folder in ["top", "keep"] {
        let status = std::process::Command::new("chown").args(["-Rh", &owner]).arg(root.join(folder)).status().unwrap();
        assert!(status.success(), "chown {folder}");
    }
}

fn done(driver: &mut Driver, make: impl FnOnce(ferry::model::RequestId) -> Command) {
    match driver.request(make) {
        Ok(Event::Done { .. }) => {}
        other => panic!("expected Done, got {other:?}"),
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o7777
}

fn exercise(driver: &mut Driver, session: SessionId, root: &Path) {
    make_tree(root);
    done(driver, |request| {
        Command::Files(FileCommand::ChmodTree { request, session, path: "top".into(), mode: 0o750 })
    });
    for path in ["top", "top/a.txt", "top/sub", "top/sub/b.txt", "top/sub/deeper", "top/sub/deeper/c.txt"] {
        assert_eq!(mode(&root.join(path)), 0o750, "{path}");
    }
    assert_ne!(mode(&root.join("keep")), 0o750, "a link's target is left alone");

    done(driver, |request| Command::Files(FileCommand::RemoveTree { request, session, path: "top".into() }));
    assert!(!root.join("top").exists(), "the folder is gone with everything in it");
    assert_eq!(std::fs::read(root.join("keep/precious.txt")).unwrap(), b"precious", "the link was not followed");

    done(driver, |request| {
        Command::Files(FileCommand::RemoveTree { request, session, path: "keep/precious.txt".into() })
    });
    assert!(!root.join("keep/precious.txt").exists(), "a single file is deleted too");
    let missing = driver
        .request(|request| Command::Files(FileCommand::RemoveTree { request, session, path: "nothing-here".into() }));
    assert_eq!(missing.unwrap_err().kind, ferry::error::ErrorKind::NotFound);
}

#[test]
fn sftp_deletes_and_chmods_whole_trees() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    exercise(&mut driver, session, sshd.data_dir());
}

#[test]
fn ftp_deletes_and_chmods_whole_trees() {
    support::require_password_logins();
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    exercise(&mut driver, session, ftpd.data_dir());
}
