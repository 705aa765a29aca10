//! The test account (`ferrytest`), root checks, and the data folders that account owns.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::TEST_USER;
use super::files::create_dir;

/// A line of /etc/passwd.
#[derive(Clone, Debug)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
}

/// Looks an account up in /etc/passwd by name or by uid.
fn find_account(matches: impl Fn(&str, u32) -> bool) -> Option<Account> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        let [name, _, uid, gid, _, home, ..] = fields.as_slice() else {
            return None;
        };
        let uid: u32 = uid.parse().ok()?;
        if !matches(name, uid) {
            return None;
        }
        Some(Account { name: (*name).to_owned(), uid, gid: gid.parse().ok()?, home: PathBuf::from(home) })
    })
}

/// The [`TEST_USER`] account, if `tests/run.sh` created it.
pub fn test_account() -> Option<Account> {
    find_account(|name, _| name == TEST_USER)
}

/// The effective uid of this process (the owner of /proc/self).
fn effective_uid() -> u32 {
    fs::metadata("/proc/self").expect("stat /proc/self (the harness needs Linux /proc)").uid()
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    effective_uid() == 0
}

/// Whether password logins can work here: only a root-run sshd or vsftpd can
/// check the [`TEST_USER`] password, and `tests/run.sh` must have made the
/// account. Tests that log in with a password call
/// [`require_password_logins`] instead of skipping silently.
pub fn password_logins_available() -> bool {
    is_root() && test_account().is_some()
}

/// Panics with what to do when [`password_logins_available`] is false.
pub fn require_password_logins() {
    assert!(
        is_root(),
        "password-login tests need root (sshd and vsftpd must run as root to check \
         passwords): run `sudo bash tests/run.sh`"
    );
    assert!(
        test_account().is_some(),
        "the test account `{TEST_USER}` does not exist: run `bash tests/run.sh` once as root"
    );
}

/// The user that key logins to [`Sshd`] use: [`TEST_USER`] when the tests
/// run as root, else the user running them (a non-root sshd can only log
/// in the user it runs as).
pub fn ssh_login_user() -> String {
    if is_root() {
        return TEST_USER.to_owned();
    }
    let uid = effective_uid();
    find_account(|_, account_uid| account_uid == uid)
        .map(|account| account.name)
        .or_else(|| std::env::var("USER").ok())
        .expect("cannot tell the current user's name (no /etc/passwd entry, no $USER)")
}

/// The test account, or a panic that says how to create it.
pub(super) fn expect_test_account() -> Account {
    test_account().unwrap_or_else(|| {
        panic!("the test account `{TEST_USER}` does not exist: run `bash tests/run.sh` once as root")
    })
}

/// Hands `path` and everything below it to `account` (root only).
pub(super) fn chown_recursive(path: &Path, account: &Account) {
    std::os::unix::fs::chown(path, Some(account.uid), Some(account.gid))
        .unwrap_or_else(|err| panic!("chown {} to {}: {err}", path.display(), account.name));
    if path.is_dir() {
        let entries = fs::read_dir(path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
        for entry in entries {
            chown_recursive(&entry.expect("directory entry").path(), account);
        }
    }
}

/// Creates a server's data directory (mode 0755), owned by [`TEST_USER`]
/// when the tests run as root (else by the user running them).
pub(super) fn create_data_dir(path: &Path) {
    create_dir(path, 0o755);
    if is_root() {
        chown_recursive(path, &expect_test_account());
    }
}

/// Panics unless the tests run as root; `why` says what `server` needs it for.
pub(super) fn require_root(server: &str, why: &str) {
    assert!(is_root(), "{server} tests need root ({why}): run `sudo bash tests/run.sh`");
}
