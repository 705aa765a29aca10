//! [`Vsftpd`]: a private vsftpd with plain FTP, explicit or implicit FTPS.

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use super::TEST_USER;
use super::accounts::{create_data_dir, expect_test_account, require_root};
use super::certificates::{other_name_certificate, self_signed_ca_certificate, test_certificate};
use super::files::{create_dir, extracted_binary, fill_template, read_lossy, server_dir, tails, write_file};
use super::ports::{free_port_block, localhost};
use super::process::{ServerProcess, descendants, start_on_free_port};

const VSFTPD_CONFIG_TEMPLATE: &str = include_str!("vsftpd.conf.in");

/// Which TLS an FTP server ([`Vsftpd`], [`PureFtpd`]) offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FtpTls {
    /// Plain FTP only (AUTH TLS is refused).
    None,
    /// Explicit FTPS (AUTH TLS) offered but not required: plain FTP works
    /// on the same server too.
    Explicit,
    /// Implicit FTPS: TLS from the first byte; the 220 comes inside TLS
    /// ([`Vsftpd`] only). Data connections are still plain until the client sends `PBSZ 0` and
    /// `PROT P` (suppaftp's `connect_secure_implicit` sends neither, then
    /// starts TLS on a plain data connection and hangs).
    Implicit,
}

/// Which certificate a [`Vsftpd`] serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServedCertificate {
    /// [`test_certificate`].
    Test,
    /// [`self_signed_ca_certificate`] (CA:TRUE, as `openssl req -x509` makes by default).
    SelfSignedCa,
    /// [`other_name_certificate`]: made for another host name.
    OtherName,
}

/// How to start a [`Vsftpd`].
#[derive(Clone, Debug)]
pub struct VsftpdOptions {
    pub tls: FtpTls,
    /// vsftpd's `require_ssl_reuse`: data connections must resume the
    /// control connection's TLS session (clients that do not, fail).
    pub require_ssl_reuse: bool,
    /// Seconds of control-connection silence before vsftpd hangs up
    /// ("421 Timeout.").
    pub idle_session_timeout: u32,
    /// vsftpd's `local_max_rate` in bytes per second (0: no limit): a slow server, so a
    /// test can be sure a transfer is half way.
    pub max_rate: u32,
    /// The certificate served for FTPS.
    pub certificate: ServedCertificate,
    /// A `TZ` value (`Asia/Tokyo`, `UTC-9`): vsftpd runs in that time zone with `use_localtime`,
    /// so its LIST (and its MDTM) give local time, as many servers do. `None`: UTC.
    pub time_zone: Option<&'static str>,
}

impl Default for VsftpdOptions {
    /// Explicit FTPS available (not forced), session reuse required, 300 s.
    fn default() -> Self {
        VsftpdOptions {
            tls: FtpTls::Explicit,
            require_ssl_reuse: true,
            idle_session_timeout: 300,
            max_rate: 0,
            certificate: ServedCertificate::Test,
            time_zone: None,
        }
    }
}

/// How many passive-mode ports each FTP server gets: enough for a test that
/// opens several data connections at once, with some in TIME_WAIT.
pub(super) const PASV_PORTS: u16 = 20;

/// A private vsftpd on 127.0.0.1 for FTP and FTPS tests. Needs root (vsftpd
/// checks passwords and switches to the account) and [`TEST_USER`]: log in
/// with [`TEST_USER`] / [`TEST_PASSWORD`]. Sessions start in
/// [`Vsftpd::data_dir`]; every command and reply goes to [`Vsftpd::log`].
/// The TLS certificate is [`test_certificate`]. Killed when dropped.
pub struct Vsftpd {
    // Declared first so it is dropped (killed) before `dir` is removed.
    process: ServerProcess,
    dir: TempDir,
    port: u16,
    pasv_ports: RangeInclusive<u16>,
    data_dir: PathBuf,
    log_file: PathBuf,
    options: VsftpdOptions,
}

impl Vsftpd {
    /// Starts vsftpd and waits until it answers (for plain and explicit
    /// FTPS: until its "220" banner arrives; for implicit FTPS: until it
    /// accepts connections).
    pub fn start(options: VsftpdOptions) -> Self {
        let binary = vsftpd_binary();
        require_root("vsftpd", "vsftpd checks passwords");
        let account = expect_test_account();
        assert!(
            account.home.is_dir(),
            "{TEST_USER}'s home {} is missing; vsftpd refuses logins without it: run tests/run.sh",
            account.home.display()
        );

        let dir = server_dir("vsftpd-");
        let data_dir = dir.path().join("data");
        create_data_dir(&data_dir);
        // vsftpd's secure_chroot_dir: empty, root-owned, not writable.
        create_dir(&dir.path().join("empty"), 0o755);

        let log_file = dir.path().join("vsftpd.log");
        let output_file = dir.path().join("vsftpd.out");
        let config_file = dir.path().join("vsftpd.conf");
        let pasv_ports = free_port_block(PASV_PORTS);
        let banner = (options.tls != FtpTls::Implicit).then_some("220");
        let (process, port) = start_on_free_port(
            "vsftpd",
            banner,
            &[&output_file, &log_file],
            "could not bind listening",
            || tails(&[&output_file, &log_file, &config_file], 40),
            |port| {
                let config = vsftpd_config(&options, dir.path(), port, &pasv_ports, &data_dir, &log_file);
                write_file(&config_file, &config, 0o600);
                let mut command = Command::new(&binary);
                command.arg(&config_file);
                if let Some(zone) = options.time_zone {
                    command.env("TZ", zone);
                }
                ServerProcess::spawn("vsftpd", &mut command, &output_file)
            },
        );
        Vsftpd { process, dir, port, pasv_ports, data_dir, log_file, options }
    }

    /// How many processes serve connections now (vsftpd runs one or two per connection).
    pub fn session_processes(&self) -> usize {
        descendants(self.process.pid()).len()
    }

    /// Drops every open FTP connection (kills the vsftpd children serving them); the
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

    /// The passive-mode data ports vsftpd may use.
    pub fn pasv_ports(&self) -> RangeInclusive<u16> {
        self.pasv_ports.clone()
    }

    /// Where sessions start (vsftpd's local_root); owned by [`TEST_USER`].
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The options it was started with.
    pub fn options(&self) -> &VsftpdOptions {
        &self.options
    }

    /// vsftpd's log so far: connections, logins, every FTP command and
    /// reply ("FTP command: Client \"127.0.0.1\", \"PASV\"", passwords
    /// hidden) and transfers.
    pub fn log(&self) -> String {
        read_lossy(&self.log_file)
    }
}

/// `FERRY_VSFTPD`, else the binary tests/run.sh extracted into target/.
fn vsftpd_binary() -> PathBuf {
    extracted_binary("FERRY_VSFTPD", "vsftpd/usr/sbin/vsftpd")
}

fn vsftpd_config(
    options: &VsftpdOptions,
    dir: &Path,
    port: u16,
    pasv_ports: &RangeInclusive<u16>,
    data_dir: &Path,
    log_file: &Path,
) -> String {
    let yes_no = |on: bool| if on { "YES" } else { "NO" }.to_owned();
    let path = |path: &Path| path.display().to_string();
    let certificate = match options.certificate {
        ServedCertificate::Test => test_certificate(),
        ServedCertificate::SelfSignedCa => self_signed_ca_certificate(),
        ServedCertificate::OtherName => other_name_certificate(),
    };
    fill_template(
        VSFTPD_CONFIG_TEMPLATE,
        &[
            ("PORT", port.to_string()),
            ("DATA", path(data_dir)),
            ("SECURE_CHROOT", path(&dir.join("empty"))),
            ("PASV_MIN", pasv_ports.start().to_string()),
            ("PASV_MAX", pasv_ports.end().to_string()),
            ("IDLE_TIMEOUT", options.idle_session_timeout.to_string()),
            ("MAX_RATE", options.max_rate.to_string()),
            ("USE_LOCALTIME", yes_no(options.time_zone.is_some())),
            ("SSL_ENABLE", yes_no(options.tls != FtpTls::None)),
            ("IMPLICIT_SSL", yes_no(options.tls == FtpTls::Implicit)),
            ("REQUIRE_SSL_REUSE", yes_no(options.require_ssl_reuse)),
            ("CERT", path(&certificate.cert_pem)),
            ("KEY", path(&certificate.key_pem)),
            ("LOG_FILE", path(log_file)),
            ("XFERLOG_FILE", path(&dir.join("xferlog"))),
        ],
    )
}
