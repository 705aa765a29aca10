//! [`SshAgent`]: a private ssh-agent holding test keys.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::KEY_PASSPHRASE;
use super::files::{run, server_dir, tails, write_file};
use super::process::{STARTUP_TIMEOUT, ServerProcess};

/// A private ssh-agent with some keys loaded. Point a client at it with
/// `SSH_AUTH_SOCK=<socket>`. Killed when dropped.
pub struct SshAgent {
    // Declared first so it is dropped (killed) before `dir` is removed.
    process: ServerProcess,
    dir: TempDir,
    socket: PathBuf,
}

impl SshAgent {
    /// Starts ssh-agent and adds each key (passphrase-protected keys of
    /// [`client_keys`] too: the passphrase comes through SSH_ASKPASS).
    pub fn start<P: AsRef<Path>>(keys: &[P]) -> Self {
        let dir = server_dir("agent-");
        let socket = dir.path().join("agent.sock");
        let output = dir.path().join("ssh-agent.out");
        let mut process =
            ServerProcess::spawn("ssh-agent", Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket), &output);
        wait_for_socket(&mut process, &socket, &output);
        let agent = SshAgent { process, dir, socket };
        for key in keys {
            agent.add_key(key.as_ref());
        }
        agent
    }

    /// The agent's socket (the value for SSH_AUTH_SOCK).
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// `ssh-add KEY`. For a protected key the passphrase is
    /// [`KEY_PASSPHRASE`], given through an askpass script.
    pub fn add_key(&self, key: &Path) {
        let askpass = self.dir.path().join("askpass.sh");
        if !askpass.exists() {
            write_file(&askpass, &format!("#!/bin/sh\necho '{KEY_PASSPHRASE}'\n"), 0o700);
        }
        run(self
            .ssh_add()
            .arg(key)
            .env("SSH_ASKPASS", &askpass)
            // OpenSSH >= 8.4: use askpass even without a display or tty.
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("DISPLAY", ":0"));
    }

    /// `ssh-add -l`: one line per loaded key ("256 SHA256:... comment (ED25519)").
    pub fn list_keys(&self) -> String {
        run(self.ssh_add().arg("-l"))
    }

    /// An ssh-add command talking to this agent only.
    fn ssh_add(&self) -> Command {
        let mut command = Command::new("ssh-add");
        command.env("SSH_AUTH_SOCK", &self.socket);
        command
    }
}

/// Waits until ssh-agent accepts connections on its socket.
fn wait_for_socket(process: &mut ServerProcess, socket: &Path, output: &Path) {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while UnixStream::connect(socket).is_err() {
        if let Some(status) = process.exit_status() {
            panic!("ssh-agent exited ({status}){}", tails(&[output], 20));
        }
        assert!(
            Instant::now() < deadline,
            "ssh-agent made no socket at {} within {STARTUP_TIMEOUT:?}{}",
            socket.display(),
            tails(&[output], 20)
        );
        thread::sleep(Duration::from_millis(20));
    }
}
