//! SFTP and FTP through real proxies (microsocks for SOCKS5, tinyproxy for an HTTP proxy's
//! CONNECT), with the real `ferry` command. Each test proves the way the traffic went from the
//! proxy's own log, never from Ferry's words alone.

use crate::cli::{assert_ok, ferry_command, stderr, stdout};
use crate::support;

use std::path::{Path, PathBuf};
use std::process::Output;

use support::{Microsocks, PROXY_LOGIN, Sshd, TEST_PASSWORD, TEST_USER, Tinyproxy, Vsftpd, VsftpdOptions};

/// Runs `ferry args` with `env`, and with no proxy from the environment unless `env` sets one.
fn ferry(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = ferry_command(config, args, env);
    for name in ["ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "FERRY_PROXY_PASSWORD"] {
        if !env.iter().any(|(key, _)| *key == name) {
            command.env_remove(name);
        }
    }
    command.output().expect("run ferry")
}

/// A known_hosts file in `dir` that trusts `sshd` under the name `host`.
fn known_hosts(dir: &Path, sshd: &Sshd, host: &str) -> PathBuf {
    let path = dir.join("known_hosts");
    std::fs::write(&path, format!("[{host}]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    path
}

/// How many TCP connections `sshd` has accepted so far, from its log.
fn connections_to(sshd: &Sshd) -> usize {
    sshd.log().matches("Connection from ").count()
}

fn socks_url(proxy: &Microsocks, password: &str) -> String {
    format!("socks5h://{}:{password}@127.0.0.1:{}", PROXY_LOGIN.user, proxy.port())
}

#[test]
fn sftp_goes_through_a_socks5_proxy_with_a_password_which_resolves_the_name() {
    let sshd = Sshd::start();
    let proxy = Microsocks::start(Some(PROXY_LOGIN));
    // The harness's own readiness probe is one.
    let before = connections_to(&sshd);
    std::fs::write(sshd.data_dir().join("far.txt"), b"fetched through SOCKS5").unwrap();
    let config = tempfile::tempdir().unwrap();
    // The server is named `localhost`: with socks5h:// the proxy resolves it (its log shows the name).
    let known = known_hosts(config.path(), &sshd, "localhost");
    let base = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@localhost:{}{}", sshd.port(), sshd.data_dir().display());
    let socks = socks_url(&proxy, PROXY_LOGIN.password);
    let common = ["--known-hosts", known.to_str().unwrap(), "--proxy", socks.as_str()];

    let listing = ferry(config.path(), &[&common[..], &["ls", &base]].concat(), &[]);
    assert_ok(&listing);
    assert!(stdout(&listing).contains("far.txt"), "{}", stdout(&listing));
    let local = tempfile::tempdir().unwrap();
    let got = ferry(
        config.path(),
        &[&common[..], &["get", &format!("{base}/far.txt"), local.path().to_str().unwrap()]].concat(),
        &[],
    );
    assert_ok(&got);
    assert_eq!(std::fs::read(local.path().join("far.txt")).unwrap(), b"fetched through SOCKS5");

    // Every connection the server took came through the proxy (a transfer may open its own).
    let taken = connections_to(&sshd) - before;
    assert!(taken >= 2, "sshd log:\n{}", sshd.log());
    assert_eq!(proxy.connections_to("localhost", sshd.port()), taken, "proxy log:\n{}", proxy.log());
}

#[test]
fn sftp_goes_through_an_http_proxy_with_basic_auth() {
    let sshd = Sshd::start();
    let proxy = Tinyproxy::start(Some(PROXY_LOGIN));
    let before = connections_to(&sshd);
    std::fs::write(sshd.data_dir().join("far.txt"), b"fetched through CONNECT").unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &sshd, "127.0.0.1");
    let base = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    let http = format!("http://{}:{}@127.0.0.1:{}", PROXY_LOGIN.user, PROXY_LOGIN.password, proxy.port());

    let local = tempfile::tempdir().unwrap();
    let got = ferry(
        config.path(),
        &[
            "--known-hosts",
            known.to_str().unwrap(),
            "--proxy",
            &http,
            "get",
            &format!("{base}/far.txt"),
            local.path().to_str().unwrap(),
        ],
        &[],
    );
    assert_ok(&got);
    assert_eq!(std::fs::read(local.path().join("far.txt")).unwrap(), b"fetched through CONNECT");
    let taken = connections_to(&sshd) - before;
    assert!(taken >= 1, "sshd log:\n{}", sshd.log());
    assert_eq!(proxy.connects_to("127.0.0.1", sshd.port()), taken, "proxy log:\n{}", proxy.log());
}

#[test]
fn passive_ftp_lists_and_fetches_with_control_and_data_through_a_socks5_proxy() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let proxy = Microsocks::start(Some(PROXY_LOGIN));
    std::fs::write(ftpd.data_dir().join("far.txt"), b"ftp data through SOCKS5").unwrap();
    let config = tempfile::tempdir().unwrap();
    let base = format!("ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port());
    let socks = format!("socks5://{}@127.0.0.1:{}", PROXY_LOGIN.user, proxy.port());
    // The proxy's password from the environment, the URL holding only the user name.
    let env = [("FERRY_PASSWORD", TEST_PASSWORD), ("FERRY_PROXY_PASSWORD", PROXY_LOGIN.password)];

    let listing = ferry(config.path(), &["--proxy", &socks, "ls", &base], &env);
    assert_ok(&listing);
    assert!(stdout(&listing).contains("far.txt"), "{}", stdout(&listing));
    let local = tempfile::tempdir().unwrap();
    let got = ferry(
        config.path(),
        &["--proxy", &socks, "get", &format!("{base}/far.txt"), local.path().to_str().unwrap()],
        &env,
    );
    assert_ok(&got);
    assert_eq!(std::fs::read(local.path().join("far.txt")).unwrap(), b"ftp data through SOCKS5");

    let control = proxy.connections_to("127.0.0.1", ftpd.port());
    let all = proxy.connections_to_host("127.0.0.1");
    assert!(control >= 2, "proxy log:\n{}", proxy.log());
    // Each command's data connection (the listing, the file) went through the proxy too.
    assert!(all >= control + 2, "only {all} connections through the proxy:\n{}", proxy.log());
}

#[test]
fn active_ftp_under_a_proxy_is_refused_before_anything_is_sent() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let proxy = Microsocks::start(None);
    let config = tempfile::tempdir().unwrap();
    let base = format!("ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port());
    let socks = format!("socks5://127.0.0.1:{}", proxy.port());

    let output =
        ferry(config.path(), &["--ftp-active", "--proxy", &socks, "ls", &base], &[("FERRY_PASSWORD", TEST_PASSWORD)]);

    assert!(!output.status.success(), "listed: {}", stdout(&output));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("active FTP cannot go through the SOCKS5 proxy 127.0.0.1:{}", proxy.port())),
        "{message}"
    );
    assert!(message.contains("passive"), "{message}");
    assert_eq!(proxy.connections_to_host("127.0.0.1"), 0, "proxy log:\n{}", proxy.log());
}

#[test]
fn a_wrong_proxy_password_is_named_as_the_proxys_and_the_server_is_never_reached() {
    let sshd = Sshd::start();
    let socks = Microsocks::start(Some(PROXY_LOGIN));
    let http = Tinyproxy::start(Some(PROXY_LOGIN));
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &sshd, "127.0.0.1");
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", sshd.port());
    let connections_before = connections_to(&sshd);

    let through = |proxy: String| {
        ferry(config.path(), &["--known-hosts", known.to_str().unwrap(), "--proxy", &proxy, "ls", &url], &[])
    };
    let by_socks = through(socks_url(&socks, "wrong-secret"));
    let by_http = through(format!("http://{}:wrong-secret@127.0.0.1:{}", PROXY_LOGIN.user, http.port()));

    for (output, label) in [
        (&by_socks, format!("the SOCKS5 proxy 127.0.0.1:{}", socks.port())),
        (&by_http, format!("the HTTP proxy 127.0.0.1:{}", http.port())),
    ] {
        assert!(!output.status.success(), "listed: {}", stdout(output));
        let message = stderr(output);
        assert!(message.contains(&format!("{label} refused the user name or password")), "{message}");
        assert!(!message.contains("wrong-secret"), "the password was shown: {message}");
        assert!(!message.contains("Check the user name, the password or the key"), "{message}");
    }
    assert_eq!(socks.connections_to_host("127.0.0.1"), 0, "proxy log:\n{}", socks.log());
    assert_eq!(http.connects_to("127.0.0.1", sshd.port()), 1, "proxy log:\n{}", http.log());
    assert_eq!(connections_to(&sshd), connections_before, "the server was reached");
}

#[test]
fn all_proxy_is_honoured_as_curl_does_unless_no_proxy_names_the_host() {
    let sshd = Sshd::start();
    let proxy = Microsocks::start(None);
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts(config.path(), &sshd, "127.0.0.1");
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", sshd.port());
    let all_proxy = format!("socks5h://127.0.0.1:{}", proxy.port());
    let args = ["--known-hosts", known.to_str().unwrap(), "ls", url.as_str()];

    assert_ok(&ferry(config.path(), &args, &[("all_proxy", &all_proxy)]));
    assert_eq!(proxy.connections_to("127.0.0.1", sshd.port()), 1, "proxy log:\n{}", proxy.log());
    let after_proxied = connections_to(&sshd);

    assert_ok(&ferry(config.path(), &args, &[("ALL_PROXY", &all_proxy), ("NO_PROXY", "localhost,127.0.0.1")]));
    assert_eq!(proxy.connections_to("127.0.0.1", sshd.port()), 1, "NO_PROXY was not honoured:\n{}", proxy.log());

    // `--proxy none` goes straight even where the environment names a proxy.
    let direct = ["--proxy", "none"];
    assert_ok(&ferry(config.path(), &[&direct[..], &args[..]].concat(), &[("ALL_PROXY", &all_proxy)]));
    assert_eq!(proxy.connections_to("127.0.0.1", sshd.port()), 1, "--proxy none went through:\n{}", proxy.log());
    assert_eq!(connections_to(&sshd), after_proxied + 2, "the direct connections did not reach the server");
}
