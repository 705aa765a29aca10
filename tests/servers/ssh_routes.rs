//! Routes to an SSH server that the user's ssh config names: `ProxyCommand` and `ProxyJump`,
//! against real sshds, with the real `ferry` command. Each test proves the route from a server's
//! log, never from Ferry's own words alone.

use crate::driver::{self, Driver};
use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use ferry::model::Protocol;
use ferry::route::{JumpHost, Route};
use ferry::trust::TrustDecision;
use ferry::worker::Question;
use support::{Sshd, TEST_PASSWORD, TEST_USER, client_keys};

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
    assert!(message.contains("ended (exit status 1) before the SSH connection was made"), "{message}");
    assert_eq!(connections_to(&sshd), before, "Ferry connected around the ProxyCommand:\n{message}");
}

/// The lines of an ssh config Host section for `sshd`, logging in with the test key.
fn host_section(alias: &str, sshd: &Sshd, extra: &str) -> String {
    format!(
        "Host {alias}\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  IdentityFile {}\n{extra}\n",
        sshd.port(),
        sshd.login_user(),
        client_keys().ed25519.display()
    )
}

/// Whether `jump`'s log shows it opened a `direct-tcpip` connection to 127.0.0.1:`port`.
fn forwarded_to(jump: &Sshd, port: u16) -> bool {
    let log = jump.log();
    log.contains("direct-tcpip") && log.contains(&format!("target 127.0.0.1 port {port}"))
}

#[test]
fn a_proxy_command_carries_the_connection_with_its_tokens_expanded_and_its_stderr_logged() {
    let jump = Sshd::start();
    let target = Sshd::start();
    std::fs::write(target.data_dir().join("behind.txt"), b"reached through ssh -W").unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&jump, &target]);
    // The command OpenSSH users write (`ssh -W %h:%p jump`), in a script that first notes its
    // arguments, to see each token expanded, and says something on stderr.
    let tokens = config.path().join("tokens");
    let proxy = config.path().join("proxy.sh");
    std::fs::write(
        &proxy,
        format!(
            "#!/bin/sh\necho \"$@\" > {tokens}\necho 'proxy says hello' >&2\n\
             exec ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile={known} \
             -o IdentitiesOnly=yes -i {key} -p {port} -l {user} -W \"$1:$2\" 127.0.0.1\n",
            tokens = tokens.display(),
            known = known.display(),
            key = client_keys().ed25519.display(),
            port = jump.port(),
            user = jump.login_user(),
        ),
    )
    .unwrap();
    std::fs::set_permissions(&proxy, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let ssh_config = config.path().join("ssh_config");
    let command = format!("  ProxyCommand {} %h %p %r %n 100%%", proxy.display());
    std::fs::write(&ssh_config, host_section("inner", &target, &command)).unwrap();

    let data = target.data_dir().display().to_string();
    let args = ["--known-hosts", known.to_str().unwrap(), "--verbose", "ls"];
    let output = ferry(config.path(), &ssh_config, &[&args[..], &[&format!("inner:{data}")]].concat());

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("behind.txt"), "{}", stdout(&output));
    let expanded = std::fs::read_to_string(&tokens).unwrap();
    assert_eq!(expanded.trim(), format!("127.0.0.1 {} {} inner 100%", target.port(), target.login_user()));
    assert!(forwarded_to(&jump, target.port()), "the jump host forwarded nothing:\n{}", jump.log());
    assert!(stderr(&output).contains("ProxyCommand: proxy says hello"), "{}", stderr(&output));
}

#[test]
fn a_proxy_jump_chain_goes_through_every_hop_with_its_own_settings() {
    let first = Sshd::start();
    let second = Sshd::start();
    let target = Sshd::start();
    std::fs::write(target.data_dir().join("deep.txt"), b"two hops away").unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&first, &second, &target]);
    let ssh_config = config.path().join("ssh_config");
    let text = [
        host_section("inner", &target, "  ProxyJump first,second"),
        host_section("first", &first, ""),
        host_section("second", &second, ""),
    ]
    .concat();
    std::fs::write(&ssh_config, text).unwrap();

    let data = target.data_dir().display().to_string();
    let local = tempfile::tempdir().unwrap();
    let output = ferry(
        config.path(),
        &ssh_config,
        &[
            "--known-hosts",
            known.to_str().unwrap(),
            "get",
            &format!("inner:{data}/deep.txt"),
            local.path().to_str().unwrap(),
        ],
    );

    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read(local.path().join("deep.txt")).unwrap(), b"two hops away");
    assert!(forwarded_to(&first, second.port()), "the first hop forwarded nothing:\n{}", first.log());
    assert!(forwarded_to(&second, target.port()), "the second hop forwarded nothing:\n{}", second.log());
    assert!(!forwarded_to(&first, target.port()), "the first hop went straight to the target");
}

#[test]
fn jump_on_the_command_line_like_ssh_j() {
    let jump = Sshd::start();
    let target = Sshd::start();
    std::fs::write(target.data_dir().join("via.txt"), b"via --jump").unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&jump, &target]);
    let ssh_config = config.path().join("ssh_config");
    std::fs::write(&ssh_config, host_section("gw", &jump, "")).unwrap();
    let url = format!("sftp://{}@127.0.0.1:{}{}", target.login_user(), target.port(), target.data_dir().display());
    let key = client_keys().ed25519.display().to_string();
    let known = known.to_str().unwrap();

    let output =
        ferry(config.path(), &ssh_config, &["--known-hosts", known, "--identity", &key, "--jump", "gw", "ls", &url]);

    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("via.txt"), "{}", stdout(&output));
    assert!(forwarded_to(&jump, target.port()), "the jump host forwarded nothing:\n{}", jump.log());
    // Recent keeps URLs, and a URL cannot say it went through a jump host: reopened, it would
    // go straight to the server. So it is not kept.
    let saved = std::fs::read_to_string(config.path().join("bookmarks.json")).unwrap_or_default();
    assert!(!saved.contains(&format!(":{}", target.port())), "{saved}");
}

#[test]
fn an_unknown_jump_host_key_is_refused_before_any_credential_goes_to_it() {
    let jump = Sshd::start();
    let target = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    // Only the target is known: the jump host's key was never seen.
    let known = known_hosts(config.path(), &[&target]);
    let ssh_config = config.path().join("ssh_config");
    let text = [host_section("inner", &target, "  ProxyJump gw"), host_section("gw", &jump, "")].concat();
    std::fs::write(&ssh_config, text).unwrap();
    let before = connections_to(&target);

    let output = ferry(config.path(), &ssh_config, &["--known-hosts", known.to_str().unwrap(), "ls", "inner:/"]);

    assert!(!output.status.success(), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(message.contains(&format!("jump host 127.0.0.1:{}", jump.port())), "{message}");
    assert!(message.contains(&jump.host_key_fingerprint()), "{message}");
    let log = jump.log();
    assert!(
        !log.contains("userauth-request") && !log.contains("Accepted"),
        "a credential went to the jump host:\n{log}"
    );
    assert_eq!(connections_to(&target), before, "the target was reached past an unchecked jump host");
}

#[test]
fn a_jump_host_that_refuses_to_forward_is_named() {
    let jump = Sshd::start_with_extra_config("AllowTcpForwarding no\n");
    let target = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&jump, &target]);
    let ssh_config = config.path().join("ssh_config");
    let text = [host_section("inner", &target, "  ProxyJump gw"), host_section("gw", &jump, "")].concat();
    std::fs::write(&ssh_config, text).unwrap();

    let output = ferry(config.path(), &ssh_config, &["--known-hosts", known.to_str().unwrap(), "ls", "inner:/"]);

    assert!(!output.status.success(), "{}", stdout(&output));
    let message = stderr(&output);
    let expected = format!(
        "jump host {}@127.0.0.1:{} could not connect to 127.0.0.1:{}",
        jump.login_user(),
        jump.port(),
        target.port()
    );
    assert!(message.contains(&expected), "{message}");
}

/// Whether a process whose command line mentions `marker` is still running.
fn process_running(marker: &str) -> bool {
    std::fs::read_dir("/proc").unwrap().filter_map(Result::ok).any(|entry| {
        std::fs::read(entry.path().join("cmdline"))
            .map(|cmdline| String::from_utf8_lossy(&cmdline).contains(marker))
            .unwrap_or(false)
    })
}

#[test]
fn a_proxy_command_that_never_answers_times_out_and_is_ended() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&sshd]);
    let hang = config.path().join("hang.sh");
    std::fs::write(&hang, "#!/bin/sh\nwhile :; do sleep 1; done\n").unwrap();
    std::fs::set_permissions(&hang, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let ssh_config = ssh_config(config.path(), "stuck", &sshd, &format!("  ProxyCommand {}\n", hang.display()));
    let started = std::time::Instant::now();

    let args = ["--known-hosts", known.to_str().unwrap(), "--timeout", "2", "ls", "stuck:/"];
    let output = ferry(config.path(), &ssh_config, &args);

    assert!(!output.status.success(), "{}", stdout(&output));
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "took {:?}", started.elapsed());
    let expected = format!("timed out: SSH handshake with 127.0.0.1:{} through the ProxyCommand", sshd.port());
    assert!(stderr(&output).contains(&expected), "{}", stderr(&output));
    assert!(!process_running(&hang.display().to_string()), "the ProxyCommand was left running");
}

#[test]
fn a_link_cannot_put_shell_code_into_a_proxy_command() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&sshd]);
    let owned = config.path().join("owned");
    let ssh_config = config.path().join("ssh_config");
    std::fs::write(&ssh_config, "Host *\n  ProxyCommand ssh -W %h:%p -l %r gw\n").unwrap();
    // A link's user name: $(touch .../owned), percent-encoded as a URL carries it.
    let path = owned.display().to_string().replace('/', "%2F");
    let url = format!("sftp://%24%28touch%20{path}%29@127.0.0.1:{}/", sshd.port());

    let output = ferry(config.path(), &ssh_config, &["--known-hosts", known.to_str().unwrap(), "ls", &url]);

    assert!(!output.status.success(), "{}", stdout(&output));
    assert!(stderr(&output).contains("holds characters a shell would act on"), "{}", stderr(&output));
    assert!(!owned.exists(), "the shell ran the link's code");
}

#[test]
fn a_saved_site_connects_through_its_own_jump_hosts() {
    let jump = Sshd::start();
    let target = Sshd::start();
    std::fs::write(target.data_dir().join("saved.txt"), b"a saved route").unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &[&jump, &target]);
    let known = known.to_str().unwrap();
    let ssh_config = config.path().join("ssh_config");
    std::fs::write(&ssh_config, host_section("gw", &jump, "")).unwrap();
    let url = format!("sftp://{}@127.0.0.1:{}", target.login_user(), target.port());
    let key = client_keys().ed25519.display().to_string();
    let data = target.data_dir().display().to_string();

    let add = ["bookmarks", "add", "behind", &url, "--key-file", &key, "--remote-dir", &data, "--jump", "gw"];
    let output = ferry(config.path(), &ssh_config, &add);
    assert!(output.status.success(), "{}", stderr(&output));
    let saved = std::fs::read_to_string(config.path().join("bookmarks.json")).unwrap();
    assert!(saved.contains("\"connect_through\": \"gw\""), "{saved}");

    let output = ferry(config.path(), &ssh_config, &["--known-hosts", known, "ls", "behind"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("saved.txt"), "{}", stdout(&output));
    assert!(forwarded_to(&jump, target.port()), "the jump host forwarded nothing:\n{}", jump.log());

    // A chain that cannot be read is refused when saved, not when used.
    let add = ["bookmarks", "add", "broken", &url, "--jump", "gw:notaport"];
    let output = ferry(config.path(), &ssh_config, &add);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("has no valid port"), "{}", stderr(&output));
}

#[test]
fn a_jump_host_is_asked_about_by_name_its_key_first_then_its_password_once() {
    let jump = Sshd::start();
    let target = Sshd::start();
    std::fs::write(target.data_dir().join("after-two-logins.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    // Only the target's key is known; the jump host logs in with a password only.
    let known = known_hosts(config.path(), &[&target]);
    let mut spec = driver::spec(Protocol::Sftp, target.port(), TEST_USER, Some(TEST_PASSWORD));
    let hop = JumpHost {
        name: "gw".into(),
        host: "127.0.0.1".into(),
        port: jump.port(),
        user: TEST_USER.into(),
        identity: None,
        password: None,
    };
    spec.route = Route::Jump(vec![hop]);
    let mut driver = Driver::with_user_known_hosts(Some(known));
    driver.secret_answer = Some(TEST_PASSWORD.into());

    // Refused: asked about the jump host's key, and nothing went to it.
    driver.trust_answer = TrustDecision::Reject;
    let error = driver.connect(spec.clone()).unwrap_err();
    assert!(error.context.contains(&format!("jump host 127.0.0.1:{}", jump.port())), "{error}");
    assert!(
        matches!(driver.questions.as_slice(), [Question::UnknownHostKey { port, via: Some(site), .. }]
            if *port == jump.port() && site.contains(&format!(":{}", target.port()))),
        "{:?}",
        driver.questions
    );
    assert!(!jump.log().contains("userauth-request"), "a credential went to the jump host:\n{}", jump.log());

    // Accepted: then its password is asked, naming it, once for two connections.
    driver.trust_answer = TrustDecision::AcceptOnce;
    driver.questions.clear();
    let first = driver.connect(spec.clone()).unwrap();
    let second = driver.connect(spec).unwrap();
    let listing = driver.list(second, &target.data_dir().display().to_string()).unwrap();
    assert!(listing.iter().any(|entry| entry.name == "after-two-logins.txt"));
    driver.list(first, &target.data_dir().display().to_string()).unwrap();
    let asked: Vec<String> = driver
        .questions
        .iter()
        .filter_map(|question| match question {
            Question::Password { url } => Some(url.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(asked, vec![format!("sftp://{TEST_USER}@127.0.0.1:{}", jump.port())]);
    assert!(jump.log().contains(&format!("Accepted password for {TEST_USER}")), "{}", jump.log());
    assert!(forwarded_to(&jump, target.port()), "the jump host forwarded nothing:\n{}", jump.log());
}
