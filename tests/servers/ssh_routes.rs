//! Routes to an SSH server that the user's ssh config names: `ProxyCommand` and `ProxyJump`,
//! against real sshds, with the real `ferry` command. Each test proves the route from a server's
//! log, never from Ferry's own words alone.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{Sshd, client_keys};

/// Runs `ferry` with no terminal, no agent, `config` as its config folder and `ssh_config` as the
/// ssh config.
fn ferry(config: &Path, ssh_config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config)
        .arg("--ssh-config")
        .arg(ssh_config)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("FERRY_PASSWORD")
        .env_remove("FERRY_SSH_CONFIG")
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("run ferry")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A known_hosts file in `dir` that trusts every server of `servers`.
fn known_hosts(dir: &Path, servers: &[&Sshd]) -> PathBuf {
    let path = dir.join("known_hosts");
    let lines: String = servers.iter().map(|s| format!("{}\n", s.known_hosts_line())).collect();
    std::fs::write(&path, lines).unwrap();
    path
}

/// How many TCP connections `sshd` has accepted so far, from its log.
fn connections_to(sshd: &Sshd) -> usize {
    sshd.log().matches("Connection from ").count()
}

/// An ssh config in `dir` whose Host `alias` is `sshd`, logging in with the test key, plus `extra`
/// lines in that section.
fn ssh_config(dir: &Path, alias: &str, sshd: &Sshd, extra: &str) -> PathBuf {
    let path = dir.join("ssh_config");
    std::fs::write(
        &path,
        format!(
            "Host {alias}\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityFile {}\n{extra}",
            sshd.port(),
            sshd.login_user(),
            client_keys().ed25519.display()
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_proxy_command_that_fails_is_never_gone_around() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&sshd]);
    let ssh_config = ssh_config(config.path(), "routed", &sshd, "  ProxyCommand /bin/false\n");
    let before = connections_to(&sshd);

    let output = ferry(config.path(), &ssh_config, &["--known-hosts", known.to_str().unwrap(), "ls", "routed:/"]);

    assert!(!output.status.success(), "ferry connected: {}", stdout(&output));
    let message = stderr(&output);
    assert!(message.contains("ProxyCommand /bin/false"), "{message}");
    assert_eq!(connections_to(&sshd), before, "Ferry connected around the ProxyCommand:\n{message}");
}
