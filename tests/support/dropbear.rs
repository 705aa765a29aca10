//! [`Dropbear`]: the SSH server of routers and NAS boxes, with OpenSSH's `sftp-server` behind it.
//!
//! Debian's `dropbear-bin` is extracted by `tests/run.sh` (like the FTP daemons: installing it
//! would start a system service). Its SFTP subsystem is compiled in as `/usr/lib/sftp-server`,
//! which `openssh-sftp-server` provides. Dropbear has no option for an authorized_keys file of
//! its own, so key logins go through the test account's `~/.ssh/authorized_keys`, where each
//! test process adds its key under a comment naming its pid and removes those of processes that
//! have ended.

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

use super::accounts::{chown_recursive, create_data_dir, expect_test_account, require_root};
use super::files::{extracted_binary, read_lossy, run, server_dir, set_mode, tails, write_file};
use super::keys::{ClientKeys, client_keys};
use super::ports::localhost;
use super::process::{ServerProcess, start_on_free_port};

/// Dropbear's receive window when `-W` is not given (`dropbear -h` prints it): the smallest
/// that real servers commonly use, which every upload must get through.
pub const DROPBEAR_DEFAULT_WINDOW: u32 = 24_576;

/// Where `tests/run.sh` extracts `dropbear-bin`, below target/test-servers.
const DROPBEAR_BINARY: &str = "dropbear/usr/sbin/dropbear";
const DROPBEARKEY_BINARY: &str = "dropbear/usr/bin/dropbearkey";

/// A Dropbear server on a free port of 127.0.0.1, for [`super::TEST_USER`]: password login with
/// [`super::TEST_PASSWORD`], key login with [`ClientKeys::ed25519`]. Needs root (Dropbear must
/// switch to the test account). SFTP sessions start in [`Dropbear::data_dir`]. Killed, with every session it forked, when dropped.
pub struct Dropbear {
    // Declared first so it is dropped (killed) before `dir` is removed.
    process: ServerProcess,
    dir: TempDir,
    port: u16,
    data_dir: PathBuf,
    host_key: PathBuf,
    log_file: PathBuf,
}

impl Dropbear {
    /// Starts Dropbear with its default receive window ([`DROPBEAR_DEFAULT_WINDOW`]).
    pub fn start() -> Self {
        Self::start_with_window(None)
    }

    /// Starts Dropbear with `-W window` when given: the receive window of each channel, so the
    /// most a client may send before Dropbear adjusts it.
    pub fn start_with_window(window: Option<u32>) -> Self {
        require_root("Dropbear", "it must switch to the test account to log it in");
        let dropbear = extracted_binary("FERRY_DROPBEAR", DROPBEAR_BINARY);
        let dropbearkey = extracted_binary("FERRY_DROPBEARKEY", DROPBEARKEY_BINARY);
        authorize_client_key();
        let dir = server_dir("dropbear-");
        let data_dir = dir.path().join("data");
        create_data_dir(&data_dir);
        let host_key = dir.path().join("host_key");
        run(Command::new(&dropbearkey).args(["-t", "ed25519", "-f"]).arg(&host_key));
        let session_command = dir.path().join("session.sh");
        write_file(&session_command, &session_script(&data_dir), 0o755);
        let log_file = dir.path().join("dropbear.log");
        let report = || tails(&[&log_file], 40);
        let (process, port) =
            start_on_free_port("dropbear", Some("SSH-2.0-"), &[&log_file], "Address already in use", report, |port| {
                let mut command = Command::new(&dropbear);
                // -F: stay in the foreground; -E: log to stderr (the log file); -m: no motd.
                command.args(["-F", "-E", "-m", "-p", &format!("127.0.0.1:{port}"), "-r"]).arg(&host_key);
                command.arg("-c").arg(&session_command);
                if let Some(window) = window {
                    command.args(["-W", &window.to_string()]);
                }
                ServerProcess::spawn("dropbear", &mut command, &log_file)
            });
        Dropbear { process, dir, port, data_dir, host_key, log_file }
    }

    /// The port Dropbear listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> SocketAddr {
        localhost(self.port)
    }

    /// A folder owned by the test account, for the test's files.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The host public key as known_hosts holds it: "ssh-ed25519 AAAA...".
    pub fn host_key_public_line(&self) -> String {
        let dropbearkey = extracted_binary("FERRY_DROPBEARKEY", DROPBEARKEY_BINARY);
        let output = run(Command::new(dropbearkey).arg("-y").arg("-f").arg(&self.host_key));
        let line = output
            .lines()
            .find(|line| line.starts_with("ssh-"))
            .unwrap_or_else(|| panic!("no public key in dropbearkey -y output: {output:?}"));
        line.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    }

    /// A known_hosts line for this server: "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
    pub fn known_hosts_line(&self) -> String {
        format!("[127.0.0.1]:{} {}", self.port, self.host_key_public_line())
    }

    /// Everything Dropbear logged so far.
    pub fn log(&self) -> String {
        read_lossy(&self.log_file)
    }

    /// The server's process id (to tell its sessions apart in tests).
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}

/// What Dropbear runs for every session (`-c`, with the command asked for in
/// `SSH_ORIGINAL_COMMAND`): the SFTP subsystem Dropbear chose, started in `data_dir` as the
/// [`super::Sshd`] helper's is, and any other command as asked.
fn session_script(data_dir: &Path) -> String {
    format!(
        "#!/bin/sh\n\
         case \"$SSH_ORIGINAL_COMMAND\" in\n\
         \x20 */sftp-server) exec \"$SSH_ORIGINAL_COMMAND\" -d '{}' ;;\n\
         \x20 *) exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\" ;;\n\
         esac\n",
        data_dir.display()
    )
}

/// Puts this process's [`ClientKeys::ed25519`] into the test account's authorized_keys (once),
/// dropping keys that earlier, ended test processes put there; other lines are kept.
fn authorize_client_key() {
    static DONE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let account = expect_test_account();
        let ssh_dir = account.home.join(".ssh");
        // Dropbear refuses a ~/.ssh or an authorized_keys that others may write.
        fs::create_dir_all(&ssh_dir).unwrap_or_else(|err| panic!("create {}: {err}", ssh_dir.display()));
        let path = ssh_dir.join("authorized_keys");
        let public = read_lossy(&ClientKeys::public_key_path(&client_keys().ed25519));
        let key: Vec<&str> = public.split_whitespace().take(2).collect();
        let mut lines: Vec<String> =
            read_lossy(&path).lines().filter(|line| !is_stale_test_key(line)).map(str::to_owned).collect();
        lines.push(format!("{} {}{}", key.join(" "), KEY_COMMENT_PREFIX, std::process::id()));
        write_file(&path, &(lines.join("\n") + "\n"), 0o600);
        set_mode(&ssh_dir, 0o700);
        chown_recursive(&ssh_dir, &account);
    });
}

/// The comment of the keys test processes add: the pid follows.
const KEY_COMMENT_PREFIX: &str = "ferry-test-process-";

/// A key line a test process added, whose process no longer runs.
fn is_stale_test_key(line: &str) -> bool {
    line.split_whitespace()
        .nth(2)
        .and_then(|comment| comment.strip_prefix(KEY_COMMENT_PREFIX))
        .and_then(|pid| pid.parse::<u32>().ok())
        .is_some_and(|pid| !Path::new("/proc").join(pid.to_string()).exists())
}
