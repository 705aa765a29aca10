//! [`Sshd`]: a private OpenSSH sshd for SFTP tests, key and password logins.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use tempfile::TempDir;

use super::TEST_USER;
use super::accounts::{create_data_dir, is_root, ssh_login_user};
use super::files::{create_dir, fill_template, read_lossy, run, server_dir, set_mode, tails, write_file};
use super::keys::{ClientKeys, client_keys, ssh_keygen};
use super::ports::{free_port, localhost};
use super::process::{BIND_ATTEMPTS, STARTUP_TIMEOUT, ServerProcess, StartError, wait_until_ready};

/// Where sshd lives on Debian and Ubuntu; it must be started by absolute
/// path because it re-executes itself for every connection.
const DEFAULT_SSHD: &str = "/usr/sbin/sshd";

const SSHD_CONFIG_TEMPLATE: &str = include_str!("sshd_config.in");

/// A private OpenSSH sshd on 127.0.0.1 for SFTP tests.
///
/// It accepts every key of [`client_keys`] and, when the tests run as root,
/// the [`TEST_PASSWORD`] of [`TEST_USER`] (password and keyboard-interactive
/// through PAM). SFTP sessions start in [`Sshd::data_dir`]. Its host key is
/// a fresh ed25519 key. The server, and every session it forked, is killed
/// when the value is dropped.
pub struct Sshd {
    // Declared first so it is dropped (killed) before `dir` is removed.
    process: Option<ServerProcess>,
    dir: TempDir,
    port: u16,
    data_dir: PathBuf,
    config: PathBuf,
    host_key: PathBuf,
    log_file: PathBuf,
    output_file: PathBuf,
    /// Lines from [`Sshd::start_with_extra_config`].
    extra_config: String,
    /// Options from [`Sshd::start_with_sftp_options`].
    sftp_options: String,
    /// Set by [`Sshd::start_without_sftp`].
    without_sftp: bool,
}

impl Sshd {
    /// Starts sshd with a new ed25519 host key.
    pub fn start() -> Self {
        Self::start_inner(None, "")
    }

    /// Starts sshd with the given host private key (its `.pub` is used if
    /// present, else derived with ssh-keygen -y).
    pub fn start_with_host_key(host_key: &Path) -> Self {
        Self::start_inner(Some(host_key), "")
    }

    /// Starts sshd with `extra` sshd_config lines, e.g.
    /// "PasswordAuthentication no\n". They come before the harness's own
    /// settings, and sshd keeps the first value it reads for a keyword, so
    /// they override them. No `Match` blocks (they would swallow the rest of
    /// the file) and no second `Subsystem sftp`.
    pub fn start_with_extra_config(extra: &str) -> Self {
        Self::start_inner(None, extra)
    }

    /// Starts sshd whose SFTP server (OpenSSH's, in process) gets `options` as well, as
    /// `sftp-server` takes them: "-P posix-rename" refuses `posix-rename@openssh.com` requests
    /// with "permission denied", though the extension is still offered.
    pub fn start_with_sftp_options(options: &str) -> Self {
        let mut sshd = Self::prepare(None, "");
        sshd.sftp_options = options.to_owned();
        sshd.launch_on_free_port();
        sshd
    }

    /// Starts sshd with no SFTP subsystem at all, as on routers and boxes that only give a shell.
    pub fn start_without_sftp() -> Self {
        let mut sshd = Self::prepare(None, "");
        sshd.without_sftp = true;
        sshd.launch_on_free_port();
        sshd
    }

    /// [`Sshd::start_without_sftp`] with `extra` sshd_config lines as well, as
    /// [`Sshd::start_with_extra_config`] takes them (a `ForceCommand`, say).
    pub fn start_without_sftp_with_extra_config(extra: &str) -> Self {
        let mut sshd = Self::prepare(None, extra);
        sshd.without_sftp = true;
        sshd.launch_on_free_port();
        sshd
    }

    fn start_inner(host_key: Option<&Path>, extra_config: &str) -> Self {
        let mut sshd = Self::prepare(host_key, extra_config);
        sshd.launch_on_free_port();
        sshd
    }

    /// Everything but the launch: the folder, the data directory, the keys.
    fn prepare(host_key: Option<&Path>, extra_config: &str) -> Self {
        let binary = sshd_binary();
        assert!(binary.exists(), "{} not found: run tests/run.sh once (it installs openssh-server)", binary.display());
        if is_root() {
            // Privilege separation needs it; tests/run.sh makes it too.
            create_dir(Path::new("/run/sshd"), 0o755);
        }
        let dir = server_dir("sshd-");
        let sshd = Sshd {
            process: None,
            port: 0,
            data_dir: dir.path().join("data"),
            config: dir.path().join("sshd_config"),
            host_key: dir.path().join("host_key"),
            log_file: dir.path().join("sshd.log"),
            output_file: dir.path().join("sshd.out"),
            extra_config: extra_config.to_owned(),
            sftp_options: String::new(),
            without_sftp: false,
            dir,
        };
        sshd.make_data_dir();
        match host_key {
            Some(key) => sshd.copy_host_key(key),
            None => ssh_keygen(&sshd.host_key, &["-t", "ed25519"], "", "ferry-test-host"),
        }
        write_file(&sshd.dir.path().join("authorized_keys"), &client_keys().authorized_keys(), 0o644);
        sshd
    }

    /// Drops every open SSH connection (see [`ServerProcess::kill_sessions`]); sshd keeps
    /// listening.
    pub fn kill_sessions(&self) {
        if let Some(process) = &self.process {
            process.kill_sessions();
        }
    }

    /// The port sshd listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> SocketAddr {
        localhost(self.port)
    }

    /// Where SFTP sessions start; owned by the login user.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The user key logins use ([`ssh_login_user`]).
    pub fn login_user(&self) -> String {
        ssh_login_user()
    }

    /// The host private key file (its public key is beside it, `.pub`).
    pub fn host_key_path(&self) -> &Path {
        &self.host_key
    }

    /// The host key fingerprint as `ssh-keygen -lf` prints it:
    /// "SHA256:<base64 without padding>".
    pub fn host_key_fingerprint(&self) -> String {
        let output = run(Command::new("ssh-keygen")
            .args(["-E", "sha256", "-lf"])
            .arg(ClientKeys::public_key_path(&self.host_key)));
        // "256 SHA256:xxxx comment (ED25519)"
        output
            .split_whitespace()
            .nth(1)
            .filter(|field| field.starts_with("SHA256:"))
            .unwrap_or_else(|| panic!("unexpected ssh-keygen -l output: {output:?}"))
            .to_owned()
    }

    /// The host public key file's line: "ssh-ed25519 AAAA... comment".
    pub fn host_key_public_line(&self) -> String {
        read_lossy(&ClientKeys::public_key_path(&self.host_key)).trim().to_owned()
    }

    /// A known_hosts line for this server: "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
    pub fn known_hosts_line(&self) -> String {
        let line = self.host_key_public_line();
        let mut fields = line.split_whitespace();
        let (Some(key_type), Some(key)) = (fields.next(), fields.next()) else {
            panic!("malformed host public key: {line:?}");
        };
        format!("[127.0.0.1]:{} {key_type} {key}", self.port)
    }

    /// Everything sshd logged so far (LogLevel DEBUG3), across restarts.
    pub fn log(&self) -> String {
        read_lossy(&self.log_file)
    }

    /// Stops sshd and starts it again with a different ed25519 host key on
    /// the same port, as after a server reinstall. Open sessions are cut.
    pub fn restart_with_new_host_key(&mut self) {
        self.stop();
        ssh_keygen(&self.host_key, &["-t", "ed25519"], "", "ferry-test-host-new");
        self.relaunch();
    }

    /// Stops sshd and starts it again on the same port, same host key.
    /// Open sessions are cut.
    pub fn restart(&mut self) {
        self.stop();
        self.relaunch();
    }

    /// Kills sshd and every session it serves; the port stops answering.
    /// [`Sshd::restart`] brings it back.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.stop();
        }
    }

    fn make_data_dir(&self) {
        create_data_dir(&self.data_dir);
    }

    fn copy_host_key(&self, source: &Path) {
        fs::copy(source, &self.host_key).unwrap_or_else(|err| panic!("copy host key {}: {err}", source.display()));
        set_mode(&self.host_key, 0o600); // sshd refuses keys others can read.
        let source_pub = ClientKeys::public_key_path(source);
        let public = if source_pub.exists() {
            read_lossy(&source_pub)
        } else {
            run(Command::new("ssh-keygen").arg("-y").arg("-f").arg(&self.host_key))
        };
        write_file(&ClientKeys::public_key_path(&self.host_key), &public, 0o644);
    }

    fn write_config(&self) {
        let mut allow_users = TEST_USER.to_owned();
        if !is_root() {
            allow_users = format!("{allow_users} {}", ssh_login_user());
        }
        let path = |path: &Path| path.display().to_string();
        let config = fill_template(
            SSHD_CONFIG_TEMPLATE,
            &[
                ("PORT", self.port.to_string()),
                ("HOST_KEY", path(&self.host_key)),
                ("PID_FILE", path(&self.dir.path().join("sshd.pid"))),
                ("AUTHORIZED_KEYS", path(&self.dir.path().join("authorized_keys"))),
                ("ALLOW_USERS", allow_users),
                ("DATA", path(&self.data_dir)),
                ("SFTP_OPTIONS", self.sftp_options.clone()),
                ("EXTRA", format!("{}\n{}", self.extra_config, sshd_version_specific_options())),
            ],
        );
        let config = if self.without_sftp {
            config.replace("\nSubsystem sftp", "\n# This test's server has no SFTP: Subsystem sftp")
        } else {
            config
        };
        write_file(&self.config, &config, 0o644);
    }

    /// First start: a fresh port, and another one if something else took it
    /// before sshd could bind it.
    fn launch_on_free_port(&mut self) {
        for _ in 0..BIND_ATTEMPTS {
            self.port = free_port();
            self.write_config();
            match self.try_launch() {
                Ok(()) => return,
                Err(StartError::Exited { bind_failed: true, .. }) => continue,
                Err(error) => self.start_failed(error),
            }
        }
        panic!("sshd: no free port after {BIND_ATTEMPTS} attempts{}", self.report());
    }

    /// Later starts: the same port (a client may hold it in known_hosts).
    /// The old listener is gone, but give the kernel a moment if needed.
    fn relaunch(&mut self) {
        for _ in 0..BIND_ATTEMPTS {
            match self.try_launch() {
                Ok(()) => return,
                Err(StartError::Exited { bind_failed: true, .. }) => {
                    thread::sleep(Duration::from_millis(200));
                }
                Err(error) => self.start_failed(error),
            }
        }
        panic!("sshd: port {} stayed busy after a restart{}", self.port, self.report());
    }

    fn try_launch(&mut self) -> Result<(), StartError> {
        let mut process = ServerProcess::spawn(
            "sshd",
            Command::new(sshd_binary()).args(["-D", "-e", "-f"]).arg(&self.config).arg("-E").arg(&self.log_file),
            &self.output_file,
        );
        let logs = [self.log_file.as_path(), self.output_file.as_path()];
        let result = wait_until_ready(&mut process, self.port, Some("SSH-2.0-"), &logs, "Address already in use");
        if result.is_ok() {
            self.process = Some(process);
        }
        result
    }

    fn start_failed(&self, error: StartError) -> ! {
        match error {
            StartError::Exited { status, .. } => panic!("sshd exited ({status}){}", self.report()),
            StartError::Timeout(problem) => panic!(
                "sshd on port {} gave no SSH-2.0 banner within {STARTUP_TIMEOUT:?} ({problem}){}",
                self.port,
                self.report()
            ),
        }
    }

    fn report(&self) -> String {
        tails(&[&self.output_file, &self.log_file, &self.config], 40)
    }
}

/// `FERRY_SSHD`, else /usr/sbin/sshd.
fn sshd_binary() -> PathBuf {
    std::env::var_os("FERRY_SSHD").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_SSHD))
}

/// Options only some OpenSSH versions know (sshd refuses unknown ones).
fn sshd_version_specific_options() -> String {
    static OPTIONS: OnceLock<String> = OnceLock::new();
    OPTIONS
        .get_or_init(|| {
            // OpenSSH 9.8 penalises addresses whose logins fail; tests try
            // wrong passwords on purpose, all from 127.0.0.1.
            if openssh_version() >= (9, 8) { "PerSourcePenalties no\n".to_owned() } else { String::new() }
        })
        .clone()
}

/// (major, minor) from "OpenSSH_9.2p1, OpenSSL ...", which `sshd -V` prints
/// (older versions print it with their usage text).
fn openssh_version() -> (u32, u32) {
    let output =
        Command::new(sshd_binary()).arg("-V").stdin(Stdio::null()).output().expect("run sshd -V to learn its version");
    let text = String::from_utf8_lossy(&output.stderr) + String::from_utf8_lossy(&output.stdout);
    let version =
        text.split("OpenSSH_").nth(1).unwrap_or_else(|| panic!("no OpenSSH version in `sshd -V` output: {text:?}"));
    let mut numbers = version.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok());
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}
