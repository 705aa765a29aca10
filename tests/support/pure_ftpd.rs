//! [`PureFtpd`]: a private pure-ftpd (MLSD, MLST, MFMT), plain FTP or explicit FTPS.

use std::fs;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tempfile::TempDir;

use super::accounts::{create_data_dir, expect_test_account, require_root};
use super::certificates::test_certificate;
use super::files::{extracted_binary, read_lossy, run, server_dir, tails, write_file};
use super::ports::{free_port_block, localhost};
use super::process::{ServerProcess, start_on_free_port};
use super::syslog::SyslogCapture;
use super::vsftpd::{FtpTls, PASV_PORTS};
use super::{TEST_PASSWORD, TEST_USER};

/// How to start a [`PureFtpd`].
#[derive(Clone, Debug)]
pub struct PureFtpdOptions {
    /// [`FtpTls::None`] or [`FtpTls::Explicit`]; this pure-ftpd has no
    /// implicit FTPS.
    pub tls: FtpTls,
}

impl Default for PureFtpdOptions {
    /// Plain FTP only.
    fn default() -> Self {
        PureFtpdOptions { tls: FtpTls::None }
    }
}

/// A private pure-ftpd on 127.0.0.1: a second FTP server, with MLSD, MLST
/// and MFMT (vsftpd has none of them). Needs root (pure-ftpd switches to the
/// account and chroots) and [`TEST_USER`]'s uid: log in with [`TEST_USER`]
/// / [`TEST_PASSWORD`]. Killed when dropped.
///
/// The login is a pure-ftpd virtual user (PureDB) with the uid and gid of
/// [`TEST_USER`], chrooted to [`PureFtpd::data_dir`]: the session's home
/// and working directory is "/", which is the data directory.
///
/// Differences from [`Vsftpd`] that tests meet: FEAT lists "UTF8" but
/// `OPTS UTF8 ON` gets "504 Unknown command" (Debian builds it without
/// RFC 2640 support; names are passed through as bytes, so UTF-8 names
/// work); FEAT lists "AUTH TLS" even for [`FtpTls::None`], whose `AUTH TLS`
/// then gets "500 This security scheme is not implemented"; LIST hides
/// dot files unless asked with `LIST -a` (MLSD shows them); at most 10
/// clients at a time (pure-ftpd allows half as many as it has passive
/// ports).
pub struct PureFtpd {
    // Declared first so it is dropped (killed) before the syslog reader
    // stops and `dir` is removed.
    process: ServerProcess,
    syslog: SyslogCapture,
    dir: TempDir,
    port: u16,
    pasv_ports: RangeInclusive<u16>,
    data_dir: PathBuf,
    log_file: PathBuf,
    options: PureFtpdOptions,
}

impl PureFtpd {
    /// Starts pure-ftpd and waits until it answers "220". Panics for
    /// [`FtpTls::Implicit`].
    pub fn start(options: PureFtpdOptions) -> Self {
        assert!(
            options.tls != FtpTls::Implicit,
            "PureFtpd cannot do implicit FTPS (Debian's pure-ftpd is built without it): use Vsftpd with FtpTls::Implicit"
        );
        let binary = pure_ftpd_binary();
        require_root("pure-ftpd", "it switches to the test account and chroots");

        let dir = server_dir("pure-ftpd-");
        let data_dir = dir.path().join("data");
        create_data_dir(&data_dir);
        let user_db = pure_ftpd_user_db(&binary, dir.path(), &data_dir);
        let certificate = dir.path().join("pure-ftpd.pem");
        if options.tls == FtpTls::Explicit {
            // pure-ftpd reads the certificate and its key from one file.
            let test = test_certificate();
            write_file(&certificate, &(read_lossy(&test.cert_pem) + &read_lossy(&test.key_pem)), 0o600);
        }

        // stderr (start-up errors) and, through `syslog`, everything else.
        let log_file = dir.path().join("pure-ftpd.log");
        let syslog = SyslogCapture::start(dir.path().join("dev"), &log_file);
        let pasv_ports = free_port_block(PASV_PORTS);
        let (process, port) = start_on_free_port(
            "pure-ftpd",
            Some("220"),
            &[&log_file],
            "Address already in use",
            || tails(&[&log_file], 40),
            |port| {
                let command = || {
                    let mut command = Command::new(&binary);
                    command.args(pure_ftpd_args(&options, dir.path(), port, &pasv_ports, &user_db, &certificate));
                    command
                };
                syslog.spawn("pure-ftpd", command, &log_file)
            },
        );
        PureFtpd { process, syslog, dir, port, pasv_ports, data_dir, log_file, options }
    }

    /// Drops every open FTP connection (kills the pure-ftpd children serving them); the
    /// server keeps listening.
    pub fn kill_sessions(&self) {
        self.process.kill_sessions();
    }

    /// The control port (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> SocketAddr {
        localhost(self.port)
    }

    /// The passive-mode data ports pure-ftpd may use.
    pub fn pasv_ports(&self) -> RangeInclusive<u16> {
        self.pasv_ports.clone()
    }

    /// The session's "/" (pure-ftpd chroots into it); owned by [`TEST_USER`].
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The options it was started with.
    pub fn options(&self) -> &PureFtpdOptions {
        &self.options
    }

    /// pure-ftpd's log so far: its syslog messages with every FTP command
    /// and reply ("pure-ftpd: (ferrytest@127.0.0.1) [DEBUG] Command [pwd] []",
    /// the password shown as "<*>"), logins and transfers, plus its stderr.
    /// Where the harness cannot capture syslog (no mount namespaces, see
    /// [`SyslogCapture`]), only stderr and a line saying so. Everything
    /// pure-ftpd logged before the call is in it.
    pub fn log(&self) -> String {
        self.syslog.flush();
        read_lossy(&self.log_file)
    }
}

impl Drop for PureFtpd {
    /// Kills pure-ftpd and its sessions. A killed session leaves its entry
    /// in pure-ftpd's session list (/var/run/pure-ftpd/client-<pid>, which
    /// `pure-ftpwho` reads): remove those, so they do not pile up.
    fn drop(&mut self) {
        let killed = self.process.stop();
        let Ok(entries) = fs::read_dir(PURE_FTPD_SESSIONS_DIR) else { return };
        for entry in entries.flatten() {
            // "client-00012345"
            let name = entry.file_name();
            let pid = name.to_str().and_then(|name| name.strip_prefix("client-")).and_then(|pid| pid.parse().ok());
            if pid.is_some_and(|pid| killed.contains(&pid)) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Where pure-ftpd lists its sessions (compiled in; shared by every
/// pure-ftpd on the machine).
const PURE_FTPD_SESSIONS_DIR: &str = "/var/run/pure-ftpd";

/// `FERRY_PURE_FTPD`, else the binary tests/run.sh extracted into target/.
fn pure_ftpd_binary() -> PathBuf {
    extracted_binary("FERRY_PURE_FTPD", "pure-ftpd/usr/sbin/pure-ftpd")
}

/// pure-ftpd's command line. No config file: pure-ftpd reads none unless
/// given one (Debian's wrapper script, which reads /etc/pure-ftpd, is not
/// used). Stays in the foreground (no -B).
fn pure_ftpd_args(
    options: &PureFtpdOptions,
    dir: &Path,
    port: u16,
    pasv_ports: &RangeInclusive<u16>,
    user_db: &Path,
    certificate: &Path,
) -> Vec<String> {
    let path = |path: &Path| path.display().to_string();
    let mut args: Vec<String> = [
        // Listen on 127.0.0.1 only; passive mode on the ports picked for it,
        // announced as 127.0.0.1.
        "-S".to_owned(),
        format!("127.0.0.1,{port}"),
        "-p".to_owned(),
        format!("{}:{}", pasv_ports.start(), pasv_ports.end()),
        "-P".to_owned(),
        "127.0.0.1".to_owned(),
        // No anonymous logins; the virtual users of `user_db` only.
        "-E".to_owned(),
        "-l".to_owned(),
        format!("puredb:{}", path(user_db)),
        // No DNS look-ups of clients (and their delays).
        "-H".to_owned(),
        // Log every command, and with the second -d every reply.
        "-d".to_owned(),
        "-d".to_owned(),
        // Its own pid file instead of the shared /var/run/pure-ftpd.pid.
        "-g".to_owned(),
        path(&dir.join("pure-ftpd.pid")),
    ]
    .into();
    match options.tls {
        FtpTls::None => args.extend(["-Y".to_owned(), "0".to_owned()]),
        // TLS offered, not required.
        FtpTls::Explicit => args.extend(["-Y".to_owned(), "1".to_owned(), "-2".to_owned(), path(certificate)]),
        FtpTls::Implicit => unreachable!("checked in PureFtpd::start"),
    }
    args
}

/// Writes the PureDB user database of one [`PureFtpd`]: [`TEST_USER`] with
/// [`TEST_PASSWORD`], the account's uid and gid, chrooted to `data_dir`.
/// Returns the .pdb file for `-l puredb:`.
///
/// The text file is written here rather than with `pure-pw useradd`,
/// which hashes with argon2id at a cost that makes every login take about
/// 4 s on a test machine; pure-ftpd also accepts crypt(3) hashes, and a
/// SHA-512 one takes milliseconds. `pure-pw mkdb` then builds the
/// database.
fn pure_ftpd_user_db(pure_ftpd: &Path, dir: &Path, data_dir: &Path) -> PathBuf {
    let account = expect_test_account();
    let passwd_file = dir.join("pureftpd.passwd");
    let pdb_file = dir.join("pureftpd.pdb");
    // Fields: login:hash:uid:gid:gecos:home, then 12 empty ones (limits).
    // A home of "<dir>/./" chroots the session to <dir>.
    let line = format!(
        "{TEST_USER}:{}:{}:{}::{}/./{}\n",
        test_password_crypt(),
        account.uid,
        account.gid,
        data_dir.display(),
        ":".repeat(12)
    );
    write_file(&passwd_file, &line, 0o600);
    // pure-pw comes with pure-ftpd: usr/sbin/pure-ftpd -> usr/bin/pure-pw.
    let pure_pw = pure_ftpd.parent().and_then(Path::parent).map(|usr| usr.join("bin/pure-pw"));
    let pure_pw = pure_pw.filter(|path| path.exists()).unwrap_or_else(|| {
        panic!("no pure-pw next to {} (expected ../bin/pure-pw): run tests/run.sh", pure_ftpd.display())
    });
    run(Command::new(pure_pw).arg("mkdb").arg(&pdb_file).arg("-f").arg(&passwd_file));
    pdb_file
}

/// [`TEST_PASSWORD`] as a SHA-512 crypt(3) hash ("$6$..."), made once per
/// process.
fn test_password_crypt() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let output = run(Command::new("openssl").args(["passwd", "-6", "-salt", "ferrytestsalt", TEST_PASSWORD]));
        let hash = output.trim().to_owned();
        assert!(hash.starts_with("$6$"), "unexpected `openssl passwd -6` output: {output:?}");
        hash
    })
}
