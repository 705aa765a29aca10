//! Test harness: real servers for Ferry's integration tests.
//!
//! Every test starts its own servers on free ports of 127.0.0.1 and drops
//! them at the end; nothing is shared between tests except the client keys
//! and the TLS certificate, which are made once per test process.
//!
//! - [`Sshd`]: OpenSSH's sshd (SFTP), key and password logins.
//! - [`Dropbear`]: Dropbear with OpenSSH's sftp-server, its small default
//!   channel window or one given with `-W`.
//! - [`Vsftpd`]: vsftpd with plain FTP, explicit or implicit FTPS.
//! - [`PureFtpd`]: pure-ftpd (MLSD/MLST) with plain FTP or explicit FTPS.
//! - [`Microsocks`], [`Tinyproxy`]: a SOCKS5 and an HTTP proxy, each with an optional login.
//! - [`SshAgent`]: an ssh-agent holding test keys.
//! - [`client_keys`], [`test_certificate`]: the key pairs and certificate.
//!
//! `tests/run.sh` prepares a machine for this (packages, the vsftpd, Dropbear and
//! pure-ftpd binaries, the `ferrytest` account). Use it from an integration test with
//! `mod support;`. Only std and `tempfile` are used.
//!
//! Linux only: child processes are found through /proc.

#![allow(dead_code)] // Each test crate uses a different part of the harness.

mod accounts;
mod certificates;
mod dropbear;
mod files;
mod keys;
mod ports;
mod process;
mod proxies;
mod pure_ftpd;
mod ssh_agent;
mod sshd;
mod syslog;
mod vsftpd;

// Not every test crate uses every part: the re-exports below are allowed to go unused.
#[allow(unused_imports)]
pub use accounts::{
    Account, is_root, password_logins_available, require_password_logins, ssh_login_user, test_account,
};
#[allow(unused_imports)]
pub use certificates::{TestCertificate, other_name_certificate, self_signed_ca_certificate, test_certificate};
#[allow(unused_imports)]
pub use dropbear::{DROPBEAR_DEFAULT_WINDOW, Dropbear};
#[allow(unused_imports)]
pub use keys::{ClientKeys, client_keys, new_key_pair};
#[allow(unused_imports)]
pub use ports::{free_port, free_port_block};
#[allow(unused_imports)]
pub use proxies::{Microsocks, PROXY_LOGIN, ProxyLogin, Tinyproxy};
#[allow(unused_imports)]
pub use pure_ftpd::{PureFtpd, PureFtpdOptions};
#[allow(unused_imports)]
pub use ssh_agent::SshAgent;
#[allow(unused_imports)]
pub use sshd::Sshd;
#[allow(unused_imports)]
pub use vsftpd::{FtpTls, ServedCertificate, Vsftpd, VsftpdOptions};

/// The system account that password logins use (created by `tests/run.sh`).
pub const TEST_USER: &str = "ferrytest";
/// The password `tests/run.sh` gives [`TEST_USER`] on every run.
pub const TEST_PASSWORD: &str = "ferry-test-password";
/// The passphrase of [`ClientKeys::ed25519_protected`].
pub const KEY_PASSPHRASE: &str = "correct horse";

/// The name by which the test harness finds the test `name` of the module `module` (pass
/// `module_path!()`) with `--exact`: its path below the test crate's root, which a test binary that
/// holds several files' tests puts before it ("cli::name").
pub fn exact_test_name(module: &str, name: &str) -> String {
    match module.split_once("::") {
        Some((_crate, path)) => format!("{path}::{name}"),
        None => name.to_string(),
    }
}
