//! Owner and group names in listings, where the server sends them: OpenSSH's sftp-server writes
//! them into each entry's `ls -l` line, vsftpd into its LIST lines, and Ferry shows them instead
//! of the uid and gid numbers.

use crate::driver;
use crate::support;

use std::sync::Arc;

use ferry::backend::{self, ConnectSettings};
use ferry::config::ConfigDir;
use ferry::model::Protocol;
use ferry::trust::TrustStore;
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// The name of group `gid`, from /etc/group.
fn group_name(gid: u32) -> String {
    let groups = std::fs::read_to_string("/etc/group").expect("read /etc/group");
    groups
        .lines()
        .find_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            (fields.get(2) == Some(&gid.to_string().as_str())).then(|| fields[0].to_string())
        })
        .unwrap_or_else(|| panic!("no group {gid} in /etc/group"))
}

/// A file in `dir` owned by the test account; returns the account's uid and gid.
fn owned_file(dir: &std::path::Path, name: &str) -> (u32, u32) {
    let account = support::test_account().expect("the test account");
    let file = dir.join(name);
    std::fs::write(&file, b"x").unwrap();
    std::os::unix::fs::chown(&file, Some(account.uid), Some(account.gid)).unwrap();
    (account.uid, account.gid)
}

#[tokio::test]
async fn an_sftp_listing_shows_the_owner_and_group_names_openssh_sends() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let (uid, gid) = owned_file(sshd.data_dir(), "owned.txt");
    let file = sshd.data_dir().join("owned.txt");
    let root_file = sshd.data_dir().join("root-owned.txt");
    std::fs::write(&root_file, b"x").unwrap();
    std::os::unix::fs::chown(&root_file, Some(0), Some(0)).unwrap();

    let known_hosts = tempfile::tempdir().unwrap();
    let known = known_hosts.path().join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let trust = Arc::new(TrustStore::new(ConfigDir::at(known_hosts.path().join("config")), Some(known)));
    let spec = driver::spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD));
    let mut sftp = backend::connect(&spec, trust, &ConnectSettings::default()).await.expect("connect");

    let entries = sftp.list(&sshd.data_dir().to_string_lossy()).await.expect("list");
    let owner_of = |name: &str| {
        let entry = entries.iter().find(|entry| entry.name == name).unwrap_or_else(|| panic!("{name} listed"));
        (entry.owner.clone(), entry.group.clone())
    };
    assert_eq!(owner_of("owned.txt"), (Some(TEST_USER.to_string()), Some(group_name(gid))));
    assert_eq!(owner_of("root-owned.txt"), (Some("root".to_string()), Some(group_name(0))));
    // Stat has no `ls -l` line: it keeps the numbers.
    let stat = sftp.stat(&file.to_string_lossy()).await.expect("stat");
    assert_eq!(stat.owner, Some(uid.to_string()));
}

#[tokio::test]
async fn an_ftp_listing_shows_the_owner_and_group_names_vsftpd_sends() {
    support::require_password_logins();
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let (_, gid) = owned_file(ftpd.data_dir(), "owned.txt");
    let spec = driver::spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD));
    let trust_dir = tempfile::tempdir().unwrap();
    let trust = Arc::new(TrustStore::new(ConfigDir::at(trust_dir.path().join("config")), None));
    let mut ftp = backend::connect(&spec, trust, &ConnectSettings::default()).await.expect("connect");
    let entries = ftp.list(".").await.expect("list");
    let entry = entries.iter().find(|entry| entry.name == "owned.txt").expect("owned.txt listed");
    assert_eq!((entry.owner.clone(), entry.group.clone()), (Some(TEST_USER.to_string()), Some(group_name(gid))));
}
