//! `ferry shell` driven through a real pseudo-terminal (line editing, Tab completion, history,
//! Ctrl+C) and through batch files, against the real sshd and vsftpd and the scripted hostile
//! FTP server.

use crate::scripted_ftp;
use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use expectrl::session::OsSession;
use expectrl::{ControlCode, Expect, Session};
use scripted_ftp::{Script, ScriptedFtp};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// `ferry --config-dir CONFIG ARGS` on a pseudo-terminal, in `folder`.
fn shell_on_terminal(config: &Path, folder: &Path, args: &[&str]) -> OsSession {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("--config-dir")
        .arg(config)
        .args(args)
        .current_dir(folder)
        .env("TERM", "xterm")
        .env_remove("FERRY_PASSWORD")
        .env_remove("SSH_AUTH_SOCK");
    let mut session = Session::spawn(command).expect("start ferry on a terminal");
    session.set_expect_timeout(Some(Duration::from_secs(30)));
    session
}

/// `ferry --config-dir CONFIG ARGS` without a terminal, in `folder`, with `input` on stdin.
fn shell_batch(config: &Path, folder: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config)
        .args(args)
        .current_dir(folder)
        .env_remove("FERRY_PASSWORD")
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ferry");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write commands");
    child.wait_with_output().expect("ferry ends")
}

/// Waits for `needle` on the terminal; on a timeout, fails showing what the terminal got.
trait ExpectShown {
    fn wait_for(&mut self, needle: &str);
}

impl ExpectShown for OsSession {
    fn wait_for(&mut self, needle: &str) {
        if let Err(error) = self.expect(needle) {
            let mut seen = Vec::new();
            let mut buffer = [0u8; 4096];
            while let Ok(n) = self.try_read(&mut buffer) {
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buffer[..n]);
            }
            panic!("{needle:?} never came ({error}); the terminal shows: {:?}", String::from_utf8_lossy(&seen));
        }
    }
}

/// Types `line` and Enter once the line editor is ready for it: rustyline starts each prompt by
/// turning bracketed paste on (`ESC [?2004h`), and drops keys typed before it reads the line.
fn type_line(shell: &mut OsSession, line: &str) {
    shell.wait_for("\u{1b}[?2004h");
    shell.send(format!("{line}\r")).unwrap();
}

fn known_hosts_for(sshd: &Sshd, dir: &Path) -> PathBuf {
    let path = dir.join("known_hosts");
    std::fs::write(&path, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    path
}

fn sftp_url(sshd: &Sshd) -> String {
    format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display())
}

/// A folder on the server that its account may write into (the test runs as root).
fn writable_dir(path: &Path) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits for a file to hold `bytes` (the shell prints its summary just before the file is there
/// for certain, and the prompt comes back after).
fn wait_for_file(path: &Path, bytes: &[u8]) {
    for _ in 0..100 {
        if std::fs::read(path).is_ok_and(|found| found == bytes) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} never held the expected bytes", path.display());
}

#[test]
fn shell_on_a_terminal_opens_cds_lists_gets_and_puts_names_with_spaces_over_sftp() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    writable_dir(&sshd.data_dir().join("sub"));
    std::fs::write(sshd.data_dir().join("sub/remote file.txt"), b"remote bytes").unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("up load.bin"), b"uploaded bytes").unwrap();

    let mut shell =
        shell_on_terminal(config.path(), local.path(), &["--known-hosts", known.to_str().unwrap(), "shell"]);
    type_line(&mut shell, &format!("open {}", sftp_url(&sshd)));
    type_line(&mut shell, "cd sub");
    type_line(&mut shell, "pwd");
    shell.wait_for(&format!("Remote folder: {}/sub", sshd.data_dir().display()));
    type_line(&mut shell, "ls -l");
    shell.wait_for("remote file.txt");
    type_line(&mut shell, "get 'remote file.txt'");
    shell.wait_for("1 file,");
    wait_for_file(&local.path().join("remote file.txt"), b"remote bytes");
    type_line(&mut shell, "put up\\ load.bin");
    shell.wait_for("1 file,");
    wait_for_file(&sshd.data_dir().join("sub/up load.bin"), b"uploaded bytes");
    type_line(&mut shell, "get missing.txt");
    shell.wait_for("ferry: not found");
    // The failure left the shell running.
    type_line(&mut shell, "lpwd");
    shell.wait_for(&format!("Local folder: {}", local.path().display()));
    type_line(&mut shell, "bye");
    shell.expect(expectrl::Eof).unwrap();
}

#[test]
fn shell_completes_a_remote_name_with_tab_over_ftp() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("completion target.txt"), b"completed").unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());

    let mut shell = shell_on_terminal(config.path(), local.path(), &["shell", &url]);
    // "compl" is completed from the server's listing (escaping the space); Enter downloads it.
    shell.wait_for("\u{1b}[?2004h");
    shell.send("get compl\t").unwrap();
    shell.wait_for("completion\\ target.txt");
    shell.send("\r").unwrap();
    shell.wait_for("1 file,");
    wait_for_file(&local.path().join("completion target.txt"), b"completed");
    // A command name completes too.
    shell.wait_for("\u{1b}[?2004h");
    shell.send("lpw\t\r").unwrap();
    shell.wait_for(&format!("Local folder: {}", local.path().display()));
    type_line(&mut shell, "quit");
    shell.expect(expectrl::Eof).unwrap();
}

#[test]
fn shell_history_is_kept_privately_across_two_runs() {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut first = shell_on_terminal(config.path(), local.path(), &["shell"]);
    type_line(&mut first, "help rename");
    first.wait_for("rename FROM TO");
    type_line(&mut first, "exit");
    first.expect(expectrl::Eof).unwrap();

    let history = config.path().join("shell_history");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&history).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "the history is private");

    let mut second = shell_on_terminal(config.path(), local.path(), &["shell"]);
    // Up, Up: "exit", then "help rename" from the first run.
    second.wait_for("\u{1b}[?2004h");
    second.send("\x1b[A\x1b[A\r").unwrap();
    second.wait_for("rename or move a remote file");
    type_line(&mut second, "bye");
    second.expect(expectrl::Eof).unwrap();
}

#[test]
fn shell_batch_file_runs_every_line_over_sftp() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    writable_dir(&sshd.data_dir().join("sub"));
    std::fs::write(sshd.data_dir().join("sub/a.txt"), b"aaa").unwrap();
    std::fs::write(sshd.data_dir().join("sub/b.txt"), b"bbb").unwrap();
    std::fs::write(sshd.data_dir().join("sub/c.log"), b"ccc").unwrap();
    std::os::unix::fs::symlink("b.txt", sshd.data_dir().join("sub/to-b")).unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("one.up"), b"one").unwrap();
    std::fs::write(local.path().join("two.up"), b"two").unwrap();
    let batch = local.path().join("commands");
    // A partial copy of b.txt for reget to finish.
    std::fs::write(local.path().join("b.txt"), b"b").unwrap();
    let lines = [
        "cd sub",
        "reget b.txt",
        "mget a*.txt",
        "mput *.up",
        "mkdir made",
        "rename a.txt made/a2.txt",
        "ls made",
        "chmod 600 one.up",
        "stat one.up",
        "stat to-b",
        "rm c.log",
        "mkdir gone",
        "rmdir gone",
        "passive",
        "binary",
        "ascii",
        "bye",
        "get never.txt",
    ];
    std::fs::write(&batch, lines.join("\n")).unwrap();

    let output = shell_batch(
        config.path(),
        local.path(),
        &["--known-hosts", known.to_str().unwrap(), "shell", "-b", batch.to_str().unwrap(), &sftp_url(&sshd)],
        "",
    );
    assert!(output.status.success(), "{}{}", text(&output.stdout), text(&output.stderr));
    assert_eq!(std::fs::read(local.path().join("a.txt")).unwrap(), b"aaa");
    assert_eq!(std::fs::read(local.path().join("b.txt")).unwrap(), b"bbb");
    assert!(!local.path().join("c.log").exists());
    let sub = sshd.data_dir().join("sub");
    assert_eq!(std::fs::read(sub.join("one.up")).unwrap(), b"one");
    assert_eq!(std::fs::read(sub.join("two.up")).unwrap(), b"two");
    assert_eq!(std::fs::read(sub.join("made/a2.txt")).unwrap(), b"aaa");
    let printed = text(&output.stdout);
    assert!(printed.contains("ferry> ls made\na2.txt\n"), "each line is echoed, then its output: {printed}");
    assert!(printed.contains("permissions: 0600"), "{printed}");
    assert!(
        printed.contains("to-b: symbolic link") && printed.contains("link to: b.txt"),
        "stat shows a link: {printed}"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(sub.join("one.up")).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    assert!(!sub.join("c.log").exists() && !sub.join("gone").exists());
    let notes = text(&output.stderr);
    assert!(notes.contains("this is an SFTP connection"), "passive says where it applies: {notes}");
    assert!(notes.contains("ascii is not supported"), "{notes}");
    assert!(!printed.contains("never.txt"), "nothing runs after bye: {printed}");
}

#[test]
fn shell_batch_stops_at_a_failing_line_unless_it_starts_with_a_dash() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("later.txt"), b"later").unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());

    // From a pipe: the failing get ends the run with a failure, and the put after it never runs.
    let output = shell_batch(config.path(), local.path(), &["shell", &url], "get missing.txt\nput later.txt\n");
    assert!(!output.status.success());
    let errors = text(&output.stderr);
    assert_eq!(errors.lines().filter(|line| line.starts_with("ferry: ")).count(), 1, "one line: {errors}");
    assert!(errors.contains("ferry: not found"), "{errors}");
    assert!(!ftpd.data_dir().join("later.txt").exists(), "no line after the failing one ran");

    // With a dash, the failure is told and the batch goes on.
    let output = shell_batch(config.path(), local.path(), &["shell", &url], "-get missing.txt\nput later.txt\n");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(text(&output.stderr).contains("ferry: not found"));
    assert_eq!(std::fs::read(ftpd.data_dir().join("later.txt")).unwrap(), b"later");

    // Active mode reconnects and still lists; so does passive again.
    let output = shell_batch(config.path(), local.path(), &["shell", &url], "active\nls\npassive\nls\n");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout).matches("later.txt").count(), 2, "{}", text(&output.stdout));
    assert!(text(&output.stderr).contains("active mode"), "{}", text(&output.stderr));

    // A mistyped command is a failure too.
    let output = shell_batch(config.path(), local.path(), &["shell", &url], "frobnicate\nput later.txt\n");
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("no command \"frobnicate\""), "{}", text(&output.stderr));
}

#[test]
fn shell_ctrl_c_cancels_a_download_and_keeps_the_shell_and_the_old_file() {
    // 2 MiB at 64 KiB/s: half a minute, so Ctrl+C surely lands in the middle.
    let big = vec![7u8; 2 * 1024 * 1024];
    let server = ScriptedFtp::start(Script::new().file("big.bin", big).trickle(64 * 1024));
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("big.bin"), b"the old good copy").unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/", server.port());

    let mut shell = shell_on_terminal(config.path(), local.path(), &["shell", &url]);
    type_line(&mut shell, "get big.bin");
    // The bar shows bytes arriving.
    shell.wait_for("KiB/");
    shell.send(ControlCode::EndOfText).unwrap();
    shell.wait_for("cancelled");
    type_line(&mut shell, "lpwd");
    shell.wait_for(&format!("Local folder: {}", local.path().display()));
    assert_eq!(std::fs::read(local.path().join("big.bin")).unwrap(), b"the old good copy");
    let left: Vec<String> = std::fs::read_dir(local.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["big.bin"], "no partial file is left beside it");
    type_line(&mut shell, "bye");
    shell.expect(expectrl::Eof).unwrap();
}

#[test]
fn shell_mget_refuses_names_leading_out_and_never_prints_a_name_raw() {
    let line = |name: &str| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}");
    let escape_name = "title\u{1b}]0;pwned\u{7}.txt";
    let names = ["x/../../X.txt", "sub/../../Y.txt", escape_name, "fine.txt"];
    let lines: Vec<String> = names.iter().map(|name| line(name)).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("dir", &lines)
            .file("X.txt", &b"xxxxx"[..])
            .file("Y.txt", &b"yyyyy"[..])
            .file(&format!("dir/{escape_name}"), &b"esc!!"[..])
            .file("dir/fine.txt", &b"fine!"[..]),
    );
    let config = tempfile::tempdir().unwrap();
    let outer = tempfile::tempdir().unwrap();
    let local = outer.path().join("here");
    std::fs::create_dir(&local).unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/", server.port());

    let output = shell_batch(config.path(), &local, &["shell", &url], "cd dir\nls\nmget *.txt\n");
    let (printed, errors) = (text(&output.stdout), text(&output.stderr));
    assert!(!output.status.success(), "refused names make mget fail: {errors}{printed}");
    assert!(errors.contains("refusing the name \"x/../../X.txt\""), "{errors}");
    assert!(errors.contains("refusing the name \"sub/../../Y.txt\""), "{errors}");
    assert!(!printed.contains('\u{1b}') && !errors.contains('\u{1b}'), "no raw escape reaches the terminal");
    assert!(printed.contains("title\\u{1b}]0;pwned\\u{7}.txt"), "shown escaped: {printed}");
    assert_eq!(std::fs::read(local.join("fine.txt")).unwrap(), b"fine!");
    let mut written: Vec<String> = std::fs::read_dir(outer.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["here"], "nothing beside the local folder");
    let mut here: Vec<String> =
        std::fs::read_dir(&local).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    here.sort();
    assert_eq!(here, ["fine.txt", escape_name], "only the harmless names arrive, inside the folder");
}

#[test]
fn shell_ctrl_c_cancels_a_hanging_listing_and_the_next_command_reconnects() {
    let server =
        ScriptedFtp::start(Script::new().file("here.txt", &b"hello"[..]).delay_n("LIST", 1, Duration::from_secs(60)));
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/", server.port());

    let mut shell = shell_on_terminal(config.path(), local.path(), &["shell", &url]);
    type_line(&mut shell, "ls");
    std::thread::sleep(Duration::from_millis(500));
    shell.send(ControlCode::EndOfText).unwrap();
    shell.wait_for("ferry: cancelled");
    type_line(&mut shell, "ls");
    shell.wait_for("reconnecting");
    shell.wait_for("here.txt");
    type_line(&mut shell, "bye");
    shell.expect(expectrl::Eof).unwrap();
}

#[test]
fn shell_local_commands_verbose_and_help_in_a_batch_over_ftp() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("listed.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::create_dir(local.path().join("inner")).unwrap();
    std::fs::write(local.path().join("inner/local file.txt"), b"12345").unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());

    let commands = "lcd inner\nlpwd\nlls -l\n!echo made > by-bang.txt\nverbose\nls\nverbose\nhelp get\n";
    let output = shell_batch(config.path(), local.path(), &["shell", &url], commands);
    let (printed, notes) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{notes}");
    assert!(printed.contains(&format!("Local folder: {}", local.path().join("inner").display())), "{printed}");
    assert!(printed.contains("           5 ") && printed.contains("local file.txt"), "lls -l: {printed}");
    assert_eq!(std::fs::read(local.path().join("inner/by-bang.txt")).unwrap(), b"made\n");
    assert!(printed.contains("listed.txt"), "{printed}");
    assert!(notes.contains("LIST") || notes.contains("MLSD"), "verbose shows the transcript: {notes}");
    assert!(printed.contains("get [-r] REMOTE|GLOB [LOCAL]  download a file"), "{printed}");
}

/// Sends `line` at a prompt already shown and returns what the terminal showed until the next
/// prompt is ready (the line's echo, then its output).
fn ask(shell: &mut OsSession, line: &str) -> String {
    shell.send(format!("{line}\r")).unwrap();
    let found = shell.expect("\u{1b}[?2004h").unwrap_or_else(|error| panic!("{line}: no prompt came back ({error})"));
    text(found.before())
}

/// Found by a user trial over FTP: `ls -l FILE` showed `- ----` instead of the file's line,
/// `lls -l` had no mode column, and a wildcard in a folder part (`get dir*/x.txt`) matched
/// nothing.
#[test]
fn shell_over_ftp_lists_one_file_in_full_shows_local_modes_and_expands_folder_wildcards() {
    use std::os::unix::fs::PermissionsExt;
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let data = ftpd.data_dir();
    std::fs::create_dir_all(data.join("sub")).unwrap();
    std::fs::write(data.join("sub/x.txt"), b"12345").unwrap();
    std::fs::set_permissions(data.join("sub/x.txt"), std::fs::Permissions::from_mode(0o640)).unwrap();
    for (folder, name, bytes) in [("dir1", "x.txt", "from dir1"), ("dir2", "other.txt", "no"), ("else", "x.txt", "no")]
    {
        std::fs::create_dir_all(data.join(folder)).unwrap();
        std::fs::write(data.join(folder).join(name), bytes).unwrap();
    }
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("run.sh"), b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(local.path().join("run.sh"), std::fs::Permissions::from_mode(0o754)).unwrap();
    std::fs::write(local.path().join(".secret"), b"s").unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());

    let mut shell = shell_on_terminal(config.path(), local.path(), &["shell", &url]);
    shell.wait_for("\u{1b}[?2004h");
    let one_file = ask(&mut shell, "ls -l sub/x.txt");
    assert!(one_file.contains("- 0640            5 "), "the file's own line: {one_file:?}");
    let local_long = ask(&mut shell, "lls -l");
    assert!(local_long.contains("- 0754           10 "), "lls -l has the mode column: {local_long:?}");
    assert!(!local_long.contains(".secret"), "hidden names only with -a: {local_long:?}");
    let local_all = ask(&mut shell, "lls -a");
    assert!(local_all.contains(".secret"), "{local_all:?}");
    let got = ask(&mut shell, "get dir*/x.txt");
    assert!(got.contains("1 file,"), "{got:?}");
    wait_for_file(&local.path().join("x.txt"), b"from dir1");
    let listed = ask(&mut shell, "ls */x.txt");
    assert!(listed.contains("/dir1/x.txt") && listed.contains("/else/x.txt"), "{listed:?}");
    assert!(!listed.contains("other.txt"), "{listed:?}");
    let several = ask(&mut shell, "get */x.txt x.txt");
    assert!(several.contains("3 names match */x.txt: name a local folder"), "{several:?}");
    shell.send("bye\r").unwrap();
    shell.expect(expectrl::Eof).unwrap();
    assert_eq!(std::fs::read(local.path().join("x.txt")).unwrap(), b"from dir1", "the refused get wrote nothing");
}

/// `ls` hides names starting with a dot, as `sftp` and `ls` do, and `ls -a` shows them; `mget`
/// follows a wildcard through folders, and a server's folder named `..` leads nowhere.
#[test]
fn shell_over_sftp_shows_hidden_names_with_ls_a_and_mgets_through_folder_wildcards() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let data = sshd.data_dir();
    std::fs::write(data.join(".hidden"), b"h").unwrap();
    std::fs::write(data.join("shown.txt"), b"s").unwrap();
    for (folder, name) in [("logs-1", "a.log"), ("logs-2", "b.log"), ("other", "c.log")] {
        std::fs::create_dir_all(data.join(folder)).unwrap();
        std::fs::write(data.join(folder).join(name), name).unwrap();
    }
    let local = tempfile::tempdir().unwrap();

    let mut shell =
        shell_on_terminal(config.path(), local.path(), &["--known-hosts", known.to_str().unwrap(), "shell"]);
    shell.wait_for("\u{1b}[?2004h");
    ask(&mut shell, &format!("open {}", sftp_url(&sshd)));
    let plain = ask(&mut shell, "ls");
    assert!(plain.contains("shown.txt") && !plain.contains(".hidden"), "{plain:?}");
    let all = ask(&mut shell, "ls -a");
    assert!(all.contains("shown.txt") && all.contains(".hidden"), "{all:?}");
    let long_all = ask(&mut shell, "ls -la");
    assert!(long_all.contains(".hidden"), "{long_all:?}");
    let got = ask(&mut shell, "mget logs-*/*.log");
    assert!(!got.contains("ferry: "), "{got:?}");
    wait_for_file(&local.path().join("a.log"), b"a.log");
    wait_for_file(&local.path().join("b.log"), b"b.log");
    assert!(!local.path().join("c.log").exists());
    let none = ask(&mut shell, "mget nothing-*/*.log");
    assert!(none.contains("nothing matches nothing-*/*.log"), "{none:?}");
    shell.send("bye\r").unwrap();
    shell.expect(expectrl::Eof).unwrap();
}

/// The rest of the issue's list on a terminal: Tab completes a local path (`put`'s first
/// argument) and a remote folder made a moment ago (the listing kept for completion is refreshed
/// after a change), and `user NAME` logs in again, asking for the password.
#[test]
fn shell_completes_local_paths_and_fresh_remote_names_and_logs_in_again_with_user() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("local-only name.txt"), b"up").unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());

    let mut shell = shell_on_terminal(config.path(), local.path(), &["shell", &url]);
    shell.wait_for("\u{1b}[?2004h");
    // The remote folder is listed (and kept) before the change.
    ask(&mut shell, "ls");
    ask(&mut shell, "mkdir fresh-folder");
    shell.send("cd fresh-f\t").unwrap();
    shell.wait_for("fresh-folder/");
    let moved = ask(&mut shell, "");
    assert!(!moved.contains("ferry: "), "{moved:?}");
    let remote = ask(&mut shell, "pwd");
    assert!(remote.contains("Remote folder: ") && remote.contains("/fresh-folder\r\n"), "{remote:?}");

    shell.send("put local-o\t").unwrap();
    shell.wait_for("local-only\\ name.txt");
    let put = ask(&mut shell, "");
    assert!(put.contains("1 file,"), "{put:?}");
    wait_for_file(&ftpd.data_dir().join("fresh-folder/local-only name.txt"), b"up");

    shell.send(format!("user {TEST_USER}\r")).unwrap();
    shell.wait_for("Password for ");
    shell.send(format!("{TEST_PASSWORD}\r")).unwrap();
    shell.wait_for("\u{1b}[?2004h");
    let again = ask(&mut shell, "ls fresh-folder");
    assert!(again.contains("local-only name.txt"), "logged in again, at the login folder: {again:?}");
    shell.send("bye\r").unwrap();
    shell.expect(expectrl::Eof).unwrap();
}

/// A wildcard in a folder part follows only folders whose names are one harmless name: a
/// server that lists a "folder" named `x/../../secret` does not lead `mget */*.txt` out of the folder
/// it was asked about, and says so.
#[test]
fn shell_folder_wildcards_never_follow_a_server_name_leading_out() {
    let line = |name: &str| format!("drwxr-xr-x    2 ftp      ftp          4096 Jan 02  2024 {name}");
    // A name with a leading dot is hidden from `*` anyway; this one is not.
    let lines = [line("sub"), line("x/../../secret")];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("pub", &lines)
            .dir("pub/sub")
            .file("pub/sub/a.txt", &b"inside"[..])
            .dir("secret")
            .file("secret/b.txt", &b"outside"[..]),
    );
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/", server.port());

    let output = shell_batch(config.path(), local.path(), &["shell", &url], "cd pub\nmget */*.txt\n");
    let errors = text(&output.stderr);
    assert!(errors.contains("refusing the name \"x/../../secret\""), "{errors}");
    assert_eq!(std::fs::read(local.path().join("a.txt")).unwrap(), b"inside");
    assert!(!local.path().join("b.txt").exists(), "nothing from outside the folder: {errors}");
    let went_out =
        server.commands().into_iter().filter(|command| command.contains("/secret") || command.contains("x/..")).count();
    assert_eq!(went_out, 0, "{:?}", server.commands());
}

/// `reput` continues a partial remote file (an upload another client left unfinished) from
/// where it ends, over FTP and SFTP alike: the transcript shows the write starting there, and
/// the target ends up whole.
#[test]
fn shell_reput_finishes_a_partial_upload_over_ftp_and_sftp() {
    use std::os::unix::fs::PermissionsExt;
    let whole: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("r.bin"), &whole).unwrap();
    let config = tempfile::tempdir().unwrap();
    let partial = |folder: &Path, bytes: usize| {
        writable_dir(folder);
        let part = folder.join("r.bin");
        std::fs::write(&part, &whole[..bytes]).unwrap();
        std::fs::set_permissions(&part, std::fs::Permissions::from_mode(0o666)).unwrap();
    };

    let ftpd = Vsftpd::start(VsftpdOptions::default());
    partial(&ftpd.data_dir().join("up"), 70_000);
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/", ftpd.port());
    let output = shell_batch(config.path(), local.path(), &["shell", &url], "cd up\nverbose\nreput r.bin\n");
    let notes = text(&output.stderr);
    assert!(output.status.success(), "{notes}");
    assert!(notes.contains("REST 70000") || notes.contains("APPE"), "resumed: {notes}");
    assert_eq!(std::fs::read(ftpd.data_dir().join("up/r.bin")).unwrap(), whole, "FTP");

    let sshd = Sshd::start();
    let known = known_hosts_for(&sshd, config.path());
    partial(&sshd.data_dir().join("up"), 90_000);
    let args = ["--known-hosts", known.to_str().unwrap(), "shell", &sftp_url(&sshd)];
    let output = shell_batch(config.path(), local.path(), &args, "cd up\nverbose\nreput r.bin\n");
    let notes = text(&output.stderr);
    assert!(output.status.success(), "{notes}");
    assert!(notes.contains("90000"), "resumed: {notes}");
    assert_eq!(std::fs::read(sshd.data_dir().join("up/r.bin")).unwrap(), whole, "SFTP");
}
