//! The `ferry` command line against real servers: every command, JSON output, passwords from
//! the URL or the environment, host key handling without a terminal, and bounded memory.

use crate::driver;
use crate::scripted_ftp;
use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use scripted_ftp::{Script, ScriptedFtp};
use support::{FtpTls, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions, client_keys, new_key_pair};

/// Runs `ferry` with `args` and no terminal, and a fresh config folder unless `args` names one.
pub(crate) fn ferry(config: &Path, args: &[&str]) -> Output {
    ferry_with_env(config, args, &[])
}

pub(crate) fn ferry_with_env(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    ferry_command(config, args, env).output().expect("run ferry")
}

/// The `ferry` command `ferry_with_env` runs, for callers that change it further.
pub(crate) fn ferry_command(config: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("--config-dir")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("FERRY_PASSWORD")
        .env_remove("SSH_AUTH_SOCK");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub(crate) fn assert_ok(output: &Output) {
    assert!(output.status.success(), "ferry failed: {}\n{}", stderr(output), stdout(output));
}

pub(crate) fn known_hosts_for(sshd: &Sshd, dir: &Path) -> PathBuf {
    let path = dir.join("known_hosts");
    std::fs::write(&path, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    path
}

#[test]
fn version_names_libssh2() {
    let config = tempfile::tempdir().unwrap();
    let output = ferry(config.path(), &["--version"]);
    assert_ok(&output);
    assert!(stdout(&output).contains("libssh2 1.11"), "{}", stdout(&output));
}

/// A scanner cannot map libssh2's `_DEV` version: `--version` names the commit that pins the
/// bundled tree, and the release notes in the AppStream file name the same, with rustls and ring.
#[test]
fn version_and_release_notes_name_the_bundled_libssh2_commit_and_tls_libraries() {
    let config = tempfile::tempdir().unwrap();
    let output = ferry(config.path(), &["--version"]);
    assert_ok(&output);
    let text = stdout(&output);
    let commit_line = text.lines().find(|line| line.contains("ssh2-rs commit ")).unwrap_or_else(|| panic!("{text}"));
    let sha = commit_line.split("ssh2-rs commit ").nth(1).unwrap().trim_end_matches(')');
    assert_eq!(sha.len(), 40, "a full commit: {commit_line}");
    let notes = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/io.github.ferry_client.Ferry.metainfo.xml"),
    )
    .unwrap();
    let notes = notes.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(notes.contains(sha), "the release notes name {sha}");
    for library in ["libssh2-sys", "rustls", "ring"] {
        let version = text
            .split(&format!("{library} "))
            .nth(1)
            .and_then(|rest| rest.split([' ', ',', ')']).next())
            .unwrap_or_else(|| panic!("{library} in {text}"));
        assert!(notes.contains(&format!("{library} {version}")), "release notes name {library} {version}");
    }
    assert!(text.contains("OpenSSL"), "{text}");
}

#[test]
fn sftp_ls_json_get_put_mkdir_mv_rm() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let data = sshd.data_dir();
    std::fs::write(data.join("remote.txt"), b"remote bytes").unwrap();
    std::fs::create_dir(data.join("sub")).unwrap();
    // Made by the test (root); the server's account must be able to write into it.
    std::fs::set_permissions(data.join("sub"), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let base = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), data.display());

    let output = ferry(config.path(), &["--known-hosts", known, "ls", "--json", &base]);
    assert_ok(&output);
    let rows: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one JSON array");
    let rows = rows.as_array().expect("array");
    let file = rows.iter().find(|r| r["name"] == "remote.txt").expect("remote.txt listed");
    assert_eq!(file["kind"], "file");
    assert_eq!(file["size"], 12);
    assert!(chrono::DateTime::parse_from_rfc3339(file["modified"].as_str().unwrap()).is_ok());
    assert_eq!(file["permissions"], "0644");
    assert!(rows.iter().any(|r| r["name"] == "sub" && r["kind"] == "dir"));

    let local = tempfile::tempdir().unwrap();
    assert_ok(&ferry(
        config.path(),
        &["--known-hosts", known, "get", &format!("{base}/remote.txt"), local.path().to_str().unwrap()],
    ));
    assert_eq!(std::fs::read(local.path().join("remote.txt")).unwrap(), b"remote bytes");

    let upload = local.path().join("up.bin");
    std::fs::write(&upload, driver::pattern(2_000_000, 3)).unwrap();
    assert_ok(&ferry(
        config.path(),
        &["--known-hosts", known, "put", upload.to_str().unwrap(), &format!("{base}/sub/")],
    ));
    assert_eq!(std::fs::read(data.join("sub/up.bin")).unwrap(), driver::pattern(2_000_000, 3));

    assert_ok(&ferry(config.path(), &["--known-hosts", known, "mkdir", &format!("{base}/made")]));
    assert!(data.join("made").is_dir());
    assert_ok(&ferry(config.path(), &["--known-hosts", known, "mv", &format!("{base}/remote.txt"), "moved.txt"]));
    assert!(data.join("moved.txt").is_file() && !data.join("remote.txt").exists());
    // A new path ending in "/" is a folder to move into, keeping the name, as mv does.
    assert_ok(&ferry(config.path(), &["--known-hosts", known, "mv", &format!("{base}/moved.txt"), "made/"]));
    assert!(data.join("made/moved.txt").is_file() && !data.join("moved.txt").exists());
    assert_ok(&ferry(config.path(), &["--known-hosts", known, "mv", &format!("{base}/made/moved.txt"), "../"]));
    assert!(data.join("moved.txt").is_file() && !data.join("made/moved.txt").exists());
    assert_ok(&ferry(config.path(), &["--known-hosts", known, "rm", &format!("{base}/moved.txt")]));
    assert_ok(&ferry(config.path(), &["--known-hosts", known, "rm", &format!("{base}/made")]));
    assert!(!data.join("moved.txt").exists() && !data.join("made").exists());
}

#[test]
fn ftp_commands_with_password_from_the_environment() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    let base = format!("ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port());
    let local = tempfile::tempdir().unwrap();
    let upload = local.path().join("file one.txt");
    std::fs::write(&upload, b"ftp bytes").unwrap();

    assert_ok(&ferry_with_env(config.path(), &["mkdir", &format!("{base}/dir")], &env));
    assert_ok(&ferry_with_env(config.path(), &["put", upload.to_str().unwrap(), &format!("{base}/dir/")], &env));
    assert_eq!(std::fs::read(ftpd.data_dir().join("dir/file one.txt")).unwrap(), b"ftp bytes");
    let output = ferry_with_env(config.path(), &["ls", &format!("{base}/dir")], &env);
    assert_ok(&output);
    assert!(stdout(&output).contains("file one.txt"), "{}", stdout(&output));
    assert_ok(&ferry_with_env(
        config.path(),
        &["--ftp-active", "mv", &format!("{base}/dir/file%20one.txt"), "two.txt"],
        &env,
    ));
    let target = local.path().join("back.txt");
    assert_ok(&ferry_with_env(config.path(), &["get", &format!("{base}/dir/two.txt"), target.to_str().unwrap()], &env));
    assert_eq!(std::fs::read(&target).unwrap(), b"ftp bytes");
    assert_ok(&ferry_with_env(config.path(), &["rm", &format!("{base}/dir/two.txt")], &env));
    assert_ok(&ferry_with_env(config.path(), &["rm", &format!("{base}/dir")], &env));
    assert!(!ftpd.data_dir().join("dir").exists());
}

#[test]
fn get_refuses_server_names_leading_out_of_the_destination_and_says_so_in_its_status() {
    const HOSTILE: [&str; 3] = ["notes/../../X", "../../Y", "evil\\name"];
    let line = |name: &str| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}");
    let lines: Vec<String> = HOSTILE.iter().chain(&["..", "fine.txt"]).map(|name| line(name)).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    // The files the hostile names resolve to exist on the server, so trusting a name would write.
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("dir", &lines)
            .file("X", &b"xxxxx"[..])
            .file("Y", &b"yyyyy"[..])
            .file("dir/evil\\name", &b"bslsh"[..])
            .file("dir/fine.txt", &b"fine!"[..]),
    );
    let config = tempfile::tempdir().unwrap();
    let outer = tempfile::tempdir().unwrap();
    let destination = outer.path().join("home").join("dest");
    std::fs::create_dir_all(&destination).unwrap();
    let base = format!("ftp://tester:not-a-secret@127.0.0.1:{}", server.port());

    // A whole folder: the ordinary file arrives; each hostile name is refused, by name, and the
    // exit status says the copy is incomplete.
    let output = ferry(config.path(), &["get", "-r", &format!("{base}/dir"), destination.to_str().unwrap()]);
    let printed = stderr(&output);
    assert!(!output.status.success(), "refused names make the command fail: {printed}");
    for name in HOSTILE {
        assert!(printed.contains(&format!("refusing the name \"{name}\"")), "{name} refused: {printed}");
    }
    assert!(printed.contains("1 file,") && printed.contains("3 refused"), "{printed}");
    assert_eq!(std::fs::read(destination.join("dir/fine.txt")).unwrap(), b"fine!");

    // One file whose name is not a single harmless name: refused before anything is written.
    let output = ferry(config.path(), &["get", &format!("{base}/dir/evil%5Cname"), destination.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("refusing the name \"evil\\name\""), "{}", stderr(&output));

    // Nothing but the ordinary file, and nothing outside the destination.
    let mut written = Vec::new();
    let mut pending = vec![outer.path().to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            }
            written.push(entry.path());
        }
    }
    written.sort();
    let expected =
        [outer.path().join("home"), destination.clone(), destination.join("dir"), destination.join("dir/fine.txt")];
    assert_eq!(written, expected);
}

#[test]
fn ftpes_with_a_ca_file_and_an_untrusted_certificate_without_one() {
    let ftpd =
        Vsftpd::start(VsftpdOptions { tls: FtpTls::Explicit, require_ssl_reuse: true, ..VsftpdOptions::default() });
    let config = tempfile::tempdir().unwrap();
    std::fs::write(ftpd.data_dir().join("secure.txt"), b"tls").unwrap();
    let url = format!("ftpes://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());
    let output = ferry(config.path(), &["ls", &url]);
    assert!(!output.status.success());
    assert!(stderr(&output).starts_with("ferry: untrusted certificate"), "{}", stderr(&output));
    assert!(stderr(&output).contains("--ca-file FILE"), "{}", stderr(&output));
    let ca = support::test_certificate().cert_pem.to_str().unwrap().to_string();
    let output = ferry(config.path(), &["--ca-file", &ca, "ls", &url]);
    assert_ok(&output);
    assert!(stdout(&output).contains("secure.txt"));
}

#[test]
fn errors_are_one_line_naming_the_kind() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let output = ferry(config.path(), &["ls", &format!("ftp://{TEST_USER}:wrongpw@127.0.0.1:{}/", ftpd.port())]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert_eq!(text.trim_end().lines().count(), 1, "{text}");
    assert!(text.starts_with("ferry: authentication failed"), "{text}");
    assert!(!text.contains("wrongpw"), "the password is never printed: {text}");

    let output = ferry_with_env(
        config.path(),
        &["get", &format!("ftp://{TEST_USER}@127.0.0.1:{}/nope.txt", ftpd.port())],
        &[("FERRY_PASSWORD", TEST_PASSWORD)],
    );
    assert!(!output.status.success());
    assert!(stderr(&output).starts_with("ferry: not found"), "{}", stderr(&output));
}

#[test]
fn unknown_host_key_without_a_terminal_is_an_error_unless_accepted() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let empty_known = config.path().join("empty_known_hosts");
    std::fs::write(&empty_known, "").unwrap();
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", sshd.port());
    let output = ferry(config.path(), &["--known-hosts", empty_known.to_str().unwrap(), "ls", &url]);
    assert!(!output.status.success());
    assert!(stderr(&output).starts_with("ferry: unknown host key"), "{}", stderr(&output));
    assert!(stderr(&output).contains("run again with --accept-new-host-key"), "{}", stderr(&output));
    assert!(!config.path().join("known_hosts").exists());

    let output =
        ferry(config.path(), &["--known-hosts", empty_known.to_str().unwrap(), "--accept-new-host-key", "ls", &url]);
    assert_ok(&output);
    let saved = std::fs::read_to_string(config.path().join("known_hosts")).unwrap();
    assert!(saved.contains(&format!("[127.0.0.1]:{}", sshd.port())));
    // Remembered in the config folder: no flag needed now.
    assert_ok(&ferry(config.path(), &["--known-hosts", empty_known.to_str().unwrap(), "ls", &url]));
}

#[test]
fn accept_new_host_key_never_accepts_a_host_whose_key_type_changed() {
    let keys = tempfile::tempdir().unwrap();
    let (ecdsa, _) = new_key_pair(keys.path(), "ecdsa_host", "ecdsa");
    let (_, recorded) = new_key_pair(keys.path(), "ed25519_host", "ed25519");
    // An impostor that has only an ECDSA key, where an ed25519 key is on record.
    let sshd = Sshd::start_with_host_key(&ecdsa);
    let config = tempfile::tempdir().unwrap();
    let known = config.path().join("user_known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{} {recorded}\n", sshd.port())).unwrap();
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", sshd.port());
    let output = ferry(config.path(), &["--known-hosts", known.to_str().unwrap(), "--accept-new-host-key", "ls", &url]);
    assert!(!output.status.success(), "{}", stdout(&output));
    let message = stderr(&output);
    assert!(message.starts_with("ferry: HOST KEY CHANGED"), "{message}");
    assert!(message.contains(&sshd.host_key_fingerprint()), "names the offered key: {message}");
    assert!(message.contains(&format!("{}:1", known.display())), "names the key on record: {message}");
    assert!(!config.path().join("known_hosts").exists(), "the impostor's key was not remembered");
    assert!(!sshd.log().contains("userauth-request for user"), "the password went to the impostor");
}

#[test]
fn verbose_transcript_masks_the_password() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let output = ferry(
        config.path(),
        &["--verbose", "ls", &format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port())],
    );
    assert_ok(&output);
    let transcript = stderr(&output);
    assert!(transcript.contains("PASS ****"), "{transcript}");
    assert!(transcript.contains("LIST"), "{transcript}");
    assert!(!transcript.contains(TEST_PASSWORD), "{transcript}");
}

#[test]
fn key_login_from_the_command_line_and_the_agent() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}/", sshd.port());
    let keys = client_keys();
    assert_ok(&ferry(
        config.path(),
        &["--known-hosts", known.to_str().unwrap(), "--identity", keys.ed25519.to_str().unwrap(), "ls", &url],
    ));

    let agent = support::SshAgent::start(&[keys.ed25519.as_path()]);
    let socket = agent.socket().to_str().unwrap().to_string();
    let output = ferry_with_env(
        config.path(),
        &["--known-hosts", known.to_str().unwrap(), "ls", &url],
        &[("SSH_AUTH_SOCK", &socket)],
    );
    assert_ok(&output);
}

/// Peak resident memory of the children this process waited for, in bytes.
fn children_peak_rss() -> u64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as u64 * 1024
}

/// Runs the test `name` again in a child test process, alone, and returns true here; returns
/// false in that child, which then does the work. A peak measured in the child counts only the
/// `ferry` processes it started, not other tests'.
fn ran_in_a_child_process(name: &str) -> bool {
    if std::env::var_os("FERRY_MEASURING_CHILD").is_some() {
        return false;
    }
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &support::exact_test_name(module_path!(), name), "--nocapture", "--test-threads=1"])
        .env("FERRY_MEASURING_CHILD", "1")
        .output()
        .unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    // "1 passed": a name that matches no test would pass too, having measured nothing.
    assert!(output.status.success() && printed.contains("1 passed"), "{name} failed in its child process: {printed}");
    true
}

#[test]
fn a_gigabyte_streams_in_bounded_memory() {
    if ran_in_a_child_process("a_gigabyte_streams_in_bounded_memory") {
        return;
    }
    const GIB: u64 = 1 << 30;
    const LIMIT: u64 = 100 * 1024 * 1024;
    let sshd = Sshd::start();
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("gig.bin");
    std::fs::File::create(&source).unwrap().set_len(GIB).unwrap();
    let ftp = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", ftpd.port());
    let sftp = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    for base in [ftp, sftp] {
        assert_ok(&ferry(
            config.path(),
            &["--known-hosts", known.to_str().unwrap(), "put", source.to_str().unwrap(), &format!("{base}/gig.bin")],
        ));
        let back = local.path().join("back.bin");
        assert_ok(&ferry(
            config.path(),
            &["--known-hosts", known.to_str().unwrap(), "get", &format!("{base}/gig.bin"), back.to_str().unwrap()],
        ));
        assert_eq!(std::fs::metadata(&back).unwrap().len(), GIB);
        std::fs::remove_file(&back).unwrap();
    }
    let peak = children_peak_rss();
    eprintln!("peak resident memory of ferry over 1 GiB transfers: {} MiB", peak / 1024 / 1024);
    assert!(peak < LIMIT, "ferry used {} MiB", peak / 1024 / 1024);
}

/// Builds `count` small files spread over `folders` folders under `root`.
fn many_files(root: &Path, folders: usize, count: usize, size: usize) {
    for index in 0..count {
        let dir = root.join(format!("d{:02}", index % folders));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("f{index:05}.txt")), driver::pattern(size, index as u8)).unwrap();
    }
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(root).status().unwrap();
}

#[test]
fn recursive_get_and_put_with_parallel_connections_and_a_summary() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    many_files(&sshd.data_dir().join("tree"), 5, 60, 1000);
    let base = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    let local = tempfile::tempdir().unwrap();

    let output = ferry(
        config.path(),
        &[
            "--known-hosts",
            known,
            "get",
            "-r",
            "--parallel",
            "2",
            "--verify",
            &format!("{base}/tree"),
            local.path().to_str().unwrap(),
        ],
    );
    assert_ok(&output);
    let summary = stderr(&output);
    assert!(summary.contains("60 files") && summary.contains("verified") && summary.contains("0 failed"), "{summary}");
    assert!(local.path().join("tree/empty").is_dir());
    assert_eq!(std::fs::read(local.path().join("tree/d03/f00003.txt")).unwrap(), driver::pattern(1000, 3));

    // Again with --on-exists skip: nothing moves.
    let output = ferry(
        config.path(),
        &[
            "--known-hosts",
            known,
            "get",
            "-r",
            "--on-exists",
            "skip",
            &format!("{base}/tree"),
            local.path().to_str().unwrap(),
        ],
    );
    assert_ok(&output);
    assert!(stderr(&output).contains("0 files") && stderr(&output).contains("60 skipped"), "{}", stderr(&output));

    let output = ferry(
        config.path(),
        &["--known-hosts", known, "put", "-r", local.path().join("tree").to_str().unwrap(), &format!("{base}/copy")],
    );
    assert_ok(&output);
    assert!(stderr(&output).contains("60 files"), "{}", stderr(&output));
    assert_eq!(std::fs::read(sshd.data_dir().join("copy/d04/f00004.txt")).unwrap(), driver::pattern(1000, 4));
    assert!(sshd.data_dir().join("copy/empty").is_dir());

    let output =
        ferry(config.path(), &["--known-hosts", known, "get", &format!("{base}/tree"), local.path().to_str().unwrap()]);
    assert!(!output.status.success(), "a folder without -r is refused");
    assert!(stderr(&output).contains("-r"), "{}", stderr(&output));
}

#[test]
fn twenty_thousand_files_download_in_bounded_memory() {
    if ran_in_a_child_process("twenty_thousand_files_download_in_bounded_memory") {
        return;
    }
    const LIMIT: u64 = 150 * 1024 * 1024;
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    many_files(&ftpd.data_dir().join("many"), 40, 20_000, 16);
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/many", ftpd.port());
    let output = ferry(config.path(), &["get", "-r", "--parallel", "4", &url, local.path().to_str().unwrap()]);
    assert_ok(&output);
    assert!(stderr(&output).contains("20000 files"), "{}", stderr(&output));
    let peak = children_peak_rss();
    eprintln!("peak resident memory of ferry over 20,000 files: {} MiB", peak / 1024 / 1024);
    assert!(peak < LIMIT, "ferry used {} MiB", peak / 1024 / 1024);
}

/// `ferry` run as a user with the common umask 022 would run it, whatever this process's umask is.
pub(crate) fn ferry_with_umask_022(config: &Path, args: &[&str]) -> Output {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command.arg("--config-dir").arg(config).args(args).stdin(Stdio::null()).env_remove("FERRY_PASSWORD");
    // SAFETY: umask is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| {
            libc::umask(0o022);
            Ok(())
        });
    }
    command.output().expect("run ferry")
}

pub(crate) fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

#[test]
fn a_downloaded_file_keeps_the_remote_mode() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let data = sshd.data_dir();
    std::fs::create_dir(data.join("modes")).unwrap();
    std::fs::write(data.join("modes/id_private"), b"private key").unwrap();
    std::fs::write(data.join("modes/public.txt"), b"for all").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(data.join("modes/id_private"), std::fs::Permissions::from_mode(0o600)).unwrap();
    std::fs::set_permissions(data.join("modes/public.txt"), std::fs::Permissions::from_mode(0o644)).unwrap();
    if let Some(account) = support::test_account().filter(|_| support::is_root()) {
        for name in ["modes", "modes/id_private", "modes/public.txt"] {
            std::os::unix::fs::chown(data.join(name), Some(account.uid), Some(account.gid)).unwrap();
        }
    }
    let base = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), data.display());
    let local = tempfile::tempdir().unwrap();
    let into = local.path().to_str().unwrap();

    // One file on its own, and a folder.
    assert_ok(&ferry_with_umask_022(
        config.path(),
        &["--known-hosts", known, "get", &format!("{base}/modes/id_private"), into],
    ));
    assert_eq!(std::fs::read(local.path().join("id_private")).unwrap(), b"private key");
    assert_eq!(mode_of(&local.path().join("id_private")), 0o600, "a private remote file landed readable by others");
    assert_ok(&ferry_with_umask_022(
        config.path(),
        &["--known-hosts", known, "get", "-r", &format!("{base}/modes"), into],
    ));
    assert_eq!(mode_of(&local.path().join("modes/id_private")), 0o600);
    assert_eq!(mode_of(&local.path().join("modes/public.txt")), 0o644);
}

#[test]
fn a_new_config_folder_and_log_file_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("new").join("ferry");
    let output = ferry_with_umask_022(&config, &["bookmarks", "add", "web", "sftp://alice@127.0.0.1:2222/srv"]);
    assert_ok(&output);
    assert_eq!(mode_of(&config), 0o700, "the config folder");
    assert_eq!(mode_of(&config.join("bookmarks.json")), 0o600, "the bookmark file");
    let logs = config.join("logs");
    assert_eq!(mode_of(&logs), 0o700, "the log folder");
    let files: Vec<PathBuf> = std::fs::read_dir(&logs).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!files.is_empty(), "no log file");
    for file in files {
        assert_eq!(mode_of(&file), 0o600, "{}", file.display());
    }
}

#[test]
fn put_r_follows_links_inside_the_folder_only_and_lists_the_others() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("id_rsa"), b"-----BEGIN OPENSSH PRIVATE KEY-----").unwrap();
    let local = tempfile::tempdir().unwrap();
    let site = local.path().join("site");
    std::fs::create_dir_all(site.join("css")).unwrap();
    std::fs::write(site.join("index.html"), b"<html>").unwrap();
    std::os::unix::fs::symlink("../index.html", site.join("css/home.html")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("id_rsa"), site.join("deploy_key")).unwrap();
    let base = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());

    let output =
        ferry(config.path(), &["--known-hosts", known, "put", "-r", site.to_str().unwrap(), &format!("{base}/")]);
    // A refused entry means the copy is not whole: the command says so in its status.
    assert!(!output.status.success(), "a refused link makes the command fail: {}", stderr(&output));
    let remote = sshd.data_dir().join("site");
    assert_eq!(std::fs::read(remote.join("index.html")).unwrap(), b"<html>");
    assert_eq!(std::fs::read(remote.join("css/home.html")).unwrap(), b"<html>", "a link inside was not followed");
    assert!(!remote.join("deploy_key").exists(), "a file outside the chosen folder was uploaded");
    let printed = stderr(&output);
    assert!(
        printed.contains("deploy_key") && printed.contains("a link to a file outside the chosen folder"),
        "the skipped link is not listed with its reason: {printed}"
    );
    assert!(printed.contains("1 refused"), "{printed}");
}

#[test]
fn a_password_in_a_url_argument_is_hidden_from_the_process_list() {
    // A server that accepts the connection and never says a word: ferry waits, running.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config.path())
        .args(["ls", &format!("sftp://alice:hunter2secret@127.0.0.1:{port}/srv")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start ferry");
    // Ferry connects only after reading its arguments: from then on the password must be gone.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let _connection = loop {
        match listener.accept() {
            Ok((connection, _)) => break connection,
            Err(_) if std::time::Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(20)),
            Err(error) => panic!("ferry never connected: {error}"),
        }
    };
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", child.id()));
    let _ = child.kill();
    let _ = child.wait();
    let cmdline = String::from_utf8_lossy(&cmdline.expect("read the running ferry's command line")).replace('\0', " ");
    assert!(!cmdline.contains("hunter2secret"), "the password is readable by every user: {cmdline}");
    assert!(cmdline.contains("sftp://alice:") && cmdline.contains(&format!("@127.0.0.1:{port}/srv")), "{cmdline}");
}

#[test]
fn help_recommends_ferry_password_or_the_keychain() {
    let config = tempfile::tempdir().unwrap();
    let output = ferry(config.path(), &["--help"]);
    assert_ok(&output);
    let help = stdout(&output);
    assert!(help.contains("FERRY_PASSWORD") && help.contains("keychain"), "{help}");
}

/// Each failure in plain words, once, on one line, with nothing of Ferry's own shown as the
/// server's words and no library diagnostics.
fn assert_one_plain_line(output: &Output, starts: &str) {
    assert!(!output.status.success());
    let text = stderr(output);
    assert_eq!(text.trim_end().lines().count(), 1, "one line: {text}");
    assert!(text.starts_with(starts), "{text}");
    assert!(!text.contains("server said"), "nothing here came from a server: {text}");
    for noise in ["os error", "Session(", "WARN", "DEBUG"] {
        assert!(!text.contains(noise), "no {noise} without --verbose: {text}");
    }
}

#[test]
fn a_host_that_does_not_resolve_is_host_not_found() {
    let config = tempfile::tempdir().unwrap();
    // `.invalid` never resolves (RFC 2606): no traffic leaves this machine for it.
    for url in ["sftp://nobody@ferry-test.invalid/", "ftp://nobody:pw@ferry-test.invalid/"] {
        let output = ferry(config.path(), &["ls", url]);
        assert_one_plain_line(&output, "ferry: host not found: no address is known for ferry-test.invalid");
    }
}

#[test]
fn refused_and_ssh_failures_are_plain_words() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let config = tempfile::tempdir().unwrap();
    let output = ferry(config.path(), &["ls", &format!("sftp://nobody@127.0.0.1:{port}/")]);
    assert_one_plain_line(&output, &format!("ferry: connection refused: 127.0.0.1:{port} refused the connection"));
    // Something that is no SSH server: it says a line and hangs up, so the SSH handshake fails.
    let not_ssh = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = not_ssh.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut client, _)) = not_ssh.accept() {
            use std::io::Write;
            let _ = client.write_all(b"220 not an SSH server\r\n");
        }
    });
    let output = ferry(config.path(), &["ls", &format!("sftp://nobody@127.0.0.1:{port}/")]);
    assert_one_plain_line(&output, "ferry: connection lost: SSH handshake with 127.0.0.1");
}

#[test]
fn an_untrusted_certificate_is_ferrys_verdict_not_the_servers() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftpes://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());
    let output = ferry(config.path(), &["ls", &url]);
    assert_one_plain_line(&output, "ferry: untrusted certificate");
}

#[test]
fn a_failed_file_of_a_recursive_get_is_printed_once() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let root = ftpd.data_dir().join("tree");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("fine.txt"), b"fine").unwrap();
    std::fs::write(root.join("secret.bin"), b"root only").unwrap();
    std::process::Command::new("chmod").args(["a+rx"]).arg(&root).status().unwrap();
    std::process::Command::new("chmod").args(["a+r"]).arg(root.join("fine.txt")).status().unwrap();
    // Tests run as root; the server's account cannot read a root file with mode 0600.
    std::process::Command::new("chmod").args(["0600"]).arg(root.join("secret.bin")).status().unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/tree", ftpd.port());
    let output = ferry(config.path(), &["get", "-r", &url, local.path().to_str().unwrap()]);
    assert!(!output.status.success());
    let text = stderr(&output);
    assert_eq!(text.lines().filter(|line| line.contains("secret.bin")).count(), 1, "named once: {text}");
    assert!(text.trim_end().ends_with("1 file failed, named above"), "{text}");
    assert_eq!(std::fs::read(local.path().join("tree/fine.txt")).unwrap(), b"fine");
}

/// The server's root has no name to check: `get -r` of it copies its contents into the folder
/// named, and `put -r` into it works like into any folder.
#[test]
fn recursive_copies_of_and_into_a_servers_root() {
    let ftpd = support::PureFtpd::start(support::PureFtpdOptions::default());
    let data = ftpd.data_dir();
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(data.join("a.txt"), b"top").unwrap();
    std::fs::write(data.join("sub/b.txt"), b"below").unwrap();
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(data).status().unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let root = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());
    let output = ferry(config.path(), &["get", "-r", &root, local.path().to_str().unwrap()]);
    assert_ok(&output);
    assert_eq!(std::fs::read(local.path().join("a.txt")).unwrap(), b"top");
    assert_eq!(std::fs::read(local.path().join("sub/b.txt")).unwrap(), b"below");

    std::fs::create_dir_all(local.path().join("up/deep")).unwrap();
    std::fs::write(local.path().join("up/deep/c.txt"), b"up").unwrap();
    let output = ferry(config.path(), &["put", "-r", local.path().join("up").to_str().unwrap(), &root]);
    assert_ok(&output);
    assert_eq!(std::fs::read(data.join("up/deep/c.txt")).unwrap(), b"up");
    // The contents of "." go into the folder named.
    let output = ferry_in(local.path().join("up").as_path(), config.path(), &["put", "-r", ".", &format!("{root}sub")]);
    assert_ok(&output);
    assert_eq!(std::fs::read(data.join("sub/deep/c.txt")).unwrap(), b"up");
}

/// `ferry` run from the folder `cwd`.
fn ferry_in(cwd: &Path, config: &Path, args: &[&str]) -> Output {
    ferry_command(config, args, &[]).current_dir(cwd).output().expect("run ferry")
}

/// A self-signed certificate that is its own CA (CA:TRUE) named with --ca-file is trusted: it is
/// the very certificate the server presents, for the host name connected to.
#[test]
fn a_ca_file_holding_the_servers_own_self_signed_ca_certificate_is_trusted() {
    let ftpd = Vsftpd::start(VsftpdOptions {
        certificate: support::ServedCertificate::SelfSignedCa,
        ..VsftpdOptions::default()
    });
    std::fs::write(ftpd.data_dir().join("secure.txt"), b"tls").unwrap();
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftpes://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());
    let ca = support::self_signed_ca_certificate().cert_pem.to_str().unwrap().to_string();
    let output = ferry(config.path(), &["--ca-file", &ca, "ls", &url]);
    assert_ok(&output);
    assert!(stdout(&output).contains("secure.txt"), "{}", stdout(&output));
    // Another certificate in the CA file is no pin for this server.
    let other = support::test_certificate().cert_pem.to_str().unwrap().to_string();
    let output = ferry(config.path(), &["--ca-file", &other, "ls", &url]);
    assert!(stderr(&output).starts_with("ferry: untrusted certificate"), "{}", stderr(&output));
}
