//! Real proxies on free ports of 127.0.0.1, whose own logs show what went through them:
//! [`Microsocks`] (SOCKS5, optionally with a user name and password) and [`Tinyproxy`] (an HTTP
//! proxy's `CONNECT`, optionally with basic auth). Debian's `microsocks` and `tinyproxy-bin` are
//! extracted by `tests/run.sh` into target/test-servers (installing tinyproxy would start a system
//! service); neither needs root.

use std::path::PathBuf;
use std::process::Command;

use tempfile::TempDir;

use super::files::{extracted_binary, read_lossy, server_dir, tails, write_file};
use super::process::{ServerProcess, start_on_free_port};

/// Where `tests/run.sh` extracts them, below target/test-servers.
const MICROSOCKS_BINARY: &str = "microsocks/usr/bin/microsocks";
const TINYPROXY_BINARY: &str = "tinyproxy/usr/bin/tinyproxy";

/// A login a proxy asks for.
#[derive(Debug, Clone, Copy)]
pub struct ProxyLogin {
    pub user: &'static str,
    pub password: &'static str,
}

/// The login the test proxies ask for when started with one.
pub const PROXY_LOGIN: ProxyLogin = ProxyLogin { user: "proxyuser", password: "proxy-pass.1" };

/// microsocks, a SOCKS5 proxy, on a free port of 127.0.0.1. It logs each connection it makes
/// (`client[N] 127.0.0.1: connected to HOST:PORT`). Killed when dropped.
pub struct Microsocks {
    process: ServerProcess,
    _dir: TempDir,
    port: u16,
    log_file: PathBuf,
}

impl Microsocks {
    /// Starts it, asking for `login` when given.
    pub fn start(login: Option<ProxyLogin>) -> Self {
        let binary = extracted_binary("FERRY_MICROSOCKS", MICROSOCKS_BINARY);
        let dir = server_dir("microsocks-");
        let log_file = dir.path().join("microsocks.log");
        let report = || tails(&[&log_file], 40);
        let (process, port) =
            start_on_free_port("microsocks", None, &[&log_file], "Address already in use", report, |port| {
                let mut command = Command::new(&binary);
                command.args(["-i", "127.0.0.1", "-p", &port.to_string()]);
                if let Some(login) = login {
                    command.args(["-u", login.user, "-P", login.password]);
                }
                ServerProcess::spawn("microsocks", &mut command, &log_file)
            });
        Microsocks { process, _dir: dir, port, log_file }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        read_lossy(&self.log_file)
    }

    /// How many connections it made to `host`:`port`, from its log.
    pub fn connections_to(&self, host: &str, port: u16) -> usize {
        self.log().matches(&format!(": connected to {host}:{port}\n")).count()
    }

    /// How many connections it made to any port of `host`, from its log.
    pub fn connections_to_host(&self, host: &str) -> usize {
        self.log().matches(&format!(": connected to {host}:")).count()
    }
}

/// tinyproxy, an HTTP proxy, on a free port of 127.0.0.1, allowing `CONNECT` to any port. It logs
/// each request (`Request (file descriptor N): CONNECT HOST:PORT HTTP/1.1`). Killed when dropped.
pub struct Tinyproxy {
    process: ServerProcess,
    _dir: TempDir,
    port: u16,
    log_file: PathBuf,
}

impl Tinyproxy {
    /// Starts it, asking for `login` (basic auth) when given.
    pub fn start(login: Option<ProxyLogin>) -> Self {
        let binary = extracted_binary("FERRY_TINYPROXY", TINYPROXY_BINARY);
        let dir = server_dir("tinyproxy-");
        let log_file = dir.path().join("tinyproxy.log");
        let config = dir.path().join("tinyproxy.conf");
        let report = || tails(&[&log_file], 40);
        let (process, port) =
            start_on_free_port("tinyproxy", None, &[&log_file], "Address already in use", report, |port| {
                // No ConnectPort line: CONNECT may reach any port. No User line: it stays who it
                // was started as. Logged to stderr (-d), which is the log file.
                let mut text = format!(
                    "Port {port}\nListen 127.0.0.1\nTimeout 60\nLogLevel Connect\nAllow 127.0.0.1\nMaxClients 50\n"
                );
                if let Some(login) = login {
                    text.push_str(&format!("BasicAuth {} {}\n", login.user, login.password));
                }
                write_file(&config, &text, 0o644);
                let mut command = Command::new(&binary);
                command.arg("-d").arg("-c").arg(&config);
                ServerProcess::spawn("tinyproxy", &mut command, &log_file)
            });
        Tinyproxy { process, _dir: dir, port, log_file }
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Everything it logged so far.
    pub fn log(&self) -> String {
        read_lossy(&self.log_file)
    }

    /// How many `CONNECT` requests for `host`:`port` it received, from its log.
    pub fn connects_to(&self, host: &str, port: u16) -> usize {
        self.log().matches(&format!("CONNECT {host}:{port} HTTP/1.1")).count()
    }
}
