//! SSH servers without SFTP (a real sshd with no `Subsystem sftp`): Ferry falls back to SCP and
//! shell commands on the same connection, says so once, and keeps its promises there too: names
//! quoted so they run nothing, uploads under a temporary name, and a server's `ls` and `scp`
//! answers read as hostile (bounded, never trusted for a name or a size).

use crate::cutting_proxy;
use crate::driver;
use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use driver::{Driver, spec};
use ferry::backend::ConnectSettings;
use ferry::error::ErrorKind;
use ferry::model::Protocol;
use ferry::model::{RequestId, SessionId};
use ferry::transfer::limits::Limits;
use ferry::worker::{Command as WorkerCommand, FileCommand, TransferSettings};
use support::{Sshd, TEST_PASSWORD, TEST_USER};

const QUOTED: &str = "it's a \"test\" $(touch pwned).txt";
const OLD: &[u8] = b"the good old file, which must survive any failed upload\n";

fn known_hosts(sshd: &Sshd, port: u16) -> PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    let known = dir.join("known_hosts");
    std::fs::write(&known, format!("[127.0.0.1]:{port} {}\n", sshd.host_key_public_line())).unwrap();
    known
}

fn connect(sshd: &Sshd, driver: &mut Driver) -> SessionId {
    driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap()
}

/// Writes `bytes` to `path` as the server's account owns it.
fn server_file(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    let account = support::test_account().expect("the test account");
    std::os::unix::fs::chown(path, Some(account.uid), Some(account.gid)).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn at(sshd: &Sshd, name: &str) -> String {
    format!("{}/{name}", sshd.data_dir().display())
}

fn file_command(
    driver: &mut Driver,
    make: impl FnOnce(RequestId) -> FileCommand,
) -> Result<(), ferry::error::FerryError> {
    driver.request(|request| WorkerCommand::Files(make(request))).map(|_| ())
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".ferry-") || name == "pwned")
        .collect()
}

#[test]
fn a_server_without_sftp_is_browsed_and_changed_over_scp_and_says_so_once() {
    let sshd = Sshd::start_without_sftp();
    server_file(&sshd.data_dir().join(QUOTED), b"quoted\n");
    server_file(&sshd.data_dir().join("plain.txt"), b"12345");
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, sshd.port())));
    let session = connect(&sshd, &mut driver);
    let said = driver.log.iter().filter(|line| line.text.contains("no SFTP on this server: working over SCP")).count();
    assert_eq!(said, 1, "said once in the log: {:#?}", driver.log);

    // Browse: the names and sizes as on disk, the folder without `.` and `..`.
    let entries = driver.list(session, sshd.data_dir().to_str().unwrap()).unwrap();
    let quoted = entries.iter().find(|e| e.name == QUOTED).unwrap_or_else(|| panic!("{entries:#?}"));
    assert_eq!(quoted.size, Some(7));
    assert!(quoted.modified.is_some(), "a time from the listing");
    assert!(entries.iter().any(|e| e.name == "plain.txt" && e.size == Some(5)));
    assert!(!entries.iter().any(|e| e.name == "." || e.name == ".."));

    // mkdir, rename, delete, each with names a shell would otherwise read.
    let folder = at(&sshd, "new 'folder' $(touch pwned)");
    file_command(&mut driver, |request| FileCommand::MakeDir { request, session, path: folder.clone() }).unwrap();
    assert!(Path::new(&folder).is_dir(), "the folder was made under its own name");
    let renamed = at(&sshd, "renamed \"it's\" `touch pwned`.txt");
    let from = at(&sshd, QUOTED);
    file_command(&mut driver, |request| FileCommand::Rename { request, session, from, to: renamed.clone() }).unwrap();
    assert_eq!(std::fs::read(&renamed).unwrap(), b"quoted\n");
    // A rename onto an existing name is refused, as SFTP refuses it: nothing is replaced.
    let (from, to) = (renamed.clone(), at(&sshd, "plain.txt"));
    let error = file_command(&mut driver, |request| FileCommand::Rename { request, session, from, to }).unwrap_err();
    assert_eq!(error.kind, ErrorKind::AlreadyExists, "{error}");
    assert_eq!(std::fs::read(at(&sshd, "plain.txt")).unwrap(), b"12345");
    file_command(&mut driver, |request| FileCommand::RemoveFile { request, session, path: renamed.clone() }).unwrap();
    assert!(!Path::new(&renamed).exists());
    file_command(&mut driver, |request| FileCommand::RemoveDir { request, session, path: folder.clone() }).unwrap();
    assert!(!Path::new(&folder).exists());
    let missing = at(&sshd, "missing.txt");
    let error =
        file_command(&mut driver, |request| FileCommand::RemoveFile { request, session, path: missing }).unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound, "{error}");
    assert!(leftovers(sshd.data_dir()).is_empty(), "{:?}", leftovers(sshd.data_dir()));
    assert!(!Path::new("/home/ferrytest/pwned").exists(), "no name ran as a command");
}

#[test]
fn get_and_put_over_scp_move_the_bytes_whole_and_replace_by_rename() {
    let sshd = Sshd::start_without_sftp();
    let big = driver::pattern(700_000, 3);
    server_file(&sshd.data_dir().join(QUOTED), &big);
    server_file(&sshd.data_dir().join("keep.bin"), OLD);
    let link = sshd.data_dir().join("old-link.bin");
    std::fs::hard_link(sshd.data_dir().join("keep.bin"), &link).unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, sshd.port())));
    let session = connect(&sshd, &mut driver);
    let local = tempfile::tempdir().unwrap();

    let got = local.path().join("got.txt");
    assert_eq!(driver.download(session, &at(&sshd, QUOTED), &got).unwrap(), big.len() as u64);
    assert!(std::fs::read(&got).unwrap() == big, "the downloaded bytes are the server's");

    let new = driver::pattern(300_000, 8);
    let source = local.path().join("new.bin");
    std::fs::write(&source, &new).unwrap();
    driver.upload(session, &source, &at(&sshd, "keep.bin")).unwrap();
    assert!(std::fs::read(sshd.data_dir().join("keep.bin")).unwrap() == new, "the uploaded bytes are in place");
    assert_eq!(std::fs::read(&link).unwrap(), OLD, "the old file was replaced by a rename, never written into");
    driver.upload(session, &source, &at(&sshd, "put it's \"here\".bin")).unwrap();
    assert!(std::fs::read(sshd.data_dir().join("put it's \"here\".bin")).unwrap() == new);
    assert!(leftovers(sshd.data_dir()).is_empty(), "{:?}", leftovers(sshd.data_dir()));
}

#[test]
fn a_killed_put_over_scp_leaves_the_old_file_whole() {
    // The queue's connection stalls after 500 kB sent, so the put is surely half way when killed.
    let sshd = Sshd::start_without_sftp();
    server_file(&sshd.data_dir().join("keep.bin"), OLD);
    let stall = Cut { direction: CutDirection::ToServer, after_bytes: 500_000, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![stall, stall]);
    let known = known_hosts(&sshd, proxy.port());
    let url = format!("sftp://{TEST_USER}@127.0.0.1:{}{}/keep.bin", proxy.port(), sshd.data_dir().display());
    let local = tempfile::tempdir().unwrap();
    let source = local.path().join("new.bin");
    std::fs::write(&source, driver::pattern(2 * 1024 * 1024, 5)).unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config.path())
        .args(["--known-hosts", known.to_str().unwrap(), "put"])
        .arg(&source)
        .arg(&url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .env("FERRY_PASSWORD", TEST_PASSWORD)
        .env_remove("SSH_AUTH_SOCK")
        .spawn()
        .expect("run ferry");
    let part = sshd.data_dir().join(".keep.bin.ferry-part");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0) == 0 {
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!("no upload began: {}", String::from_utf8_lossy(&output.stderr));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let held = std::fs::read(sshd.data_dir().join("keep.bin")).unwrap();
    assert!(held == OLD, "the old file is whole after SIGKILL (it holds {} bytes)", held.len());
}

#[test]
fn a_server_that_runs_no_commands_either_says_exactly_that() {
    let sshd = Sshd::start_without_sftp_with_extra_config("ForceCommand /bin/false\n");
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, sshd.port())));
    let error = driver.connect(spec(Protocol::Sftp, sshd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error}");
    assert!(error.to_string().contains("neither SFTP nor shell commands"), "{error}");
}

/// A server whose `scp` and `ls` lie for some names (a forced command in front of the real
/// ones): `short` announces 1000 bytes and sends 10, `long` announces 5 and sends 40, a folder
/// named `crafted` lists names that climb out or hide a path, and `endless` never stops listing.
fn hostile_sshd() -> Sshd {
    let dir = tempfile::tempdir().unwrap().keep();
    let script = dir.join("hostile.sh");
    std::fs::write(
        &script,
        r#"#!/bin/sh
c="$SSH_ORIGINAL_COMMAND"
case "$c" in
  "scp -"*f*short*) head -c 1 >/dev/null; printf 'T1700000000 0 1700000000 0\n'; head -c 1 >/dev/null
     printf 'C0644 1000 short.bin\n'; head -c 1 >/dev/null; printf 'only ten b'; exit 0;;
  "scp -"*f*long*) head -c 1 >/dev/null; printf 'T1700000000 0 1700000000 0\n'; head -c 1 >/dev/null
     printf 'C0644 5 long.bin\n'; head -c 1 >/dev/null; printf '0123456789012345678901234567890123456789'
     head -c 1 >/dev/null; exit 0;;
  *" -la -- "*crafted*) printf 'total 1\n'
     for n in '..' '.' '../../escape.txt' 'a/b' '/etc/passwd' 'ok.txt'; do printf -- '-rw-r--r-- 1 u g 3 2024-01-02 03:04:05.000000000 +0000 %s\n' "$n"; done; exit 0;;
  *" -la -- "*endless*) yes -- '-rw-r--r-- 1 u g 3 2024-01-02 03:04:05.000000000 +0000 x'; exit 0;;
esac
exec /bin/sh -c "$c"
"#,
    )
    .unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let sshd = Sshd::start_without_sftp_with_extra_config(&format!("ForceCommand {}\n", script.display()));
    for name in ["short.bin", "long.bin"] {
        server_file(&sshd.data_dir().join(name), b"real bytes on disk\n");
    }
    for folder in ["crafted", "endless"] {
        std::fs::create_dir(sshd.data_dir().join(folder)).unwrap();
        server_file(&sshd.data_dir().join(folder).join("ok.txt"), b"ok\n");
    }
    sshd
}

#[test]
fn an_scp_reply_that_lies_about_its_size_never_gives_a_file() {
    let sshd = hostile_sshd();
    let transfer = TransferSettings { retries: 0, ..TransferSettings::default() };
    let mut driver = Driver::with_known_hosts_and_transfer(known_hosts(&sshd, sshd.port()), transfer);
    let session = connect(&sshd, &mut driver);
    let local = tempfile::tempdir().unwrap();
    // libssh2 may stop at the announced size itself; then the size the listing gave catches it.
    let cases = [
        ("short.bin", ["sent 10 of the 1000 bytes", "sent 10 of the 1000 bytes"]),
        ("long.bin", ["more than the 5 bytes", "5 of 19 bytes"]),
    ];
    for (name, says) in cases {
        let target = local.path().join(name);
        std::fs::write(&target, OLD).unwrap();
        let error = driver.download(session, &at(&sshd, name), &target).unwrap_err();
        assert!(says.iter().any(|said| error.to_string().contains(said)), "{name}: {error}");
        assert_eq!(std::fs::read(&target).unwrap(), OLD, "{name}: the local file is untouched");
        // A part file may stay to resume from; nothing else, and nothing under another name.
        let part = format!(".{name}.ferry-part");
        let others: Vec<_> = std::fs::read_dir(local.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|file| {
                !file.ends_with(".bin") && *file != part && !file.starts_with(".short") && !file.starts_with(".long")
            })
            .collect();
        assert!(others.is_empty(), "{name}: nothing else was written: {others:?}");
    }
}

#[test]
fn listed_names_that_climb_out_are_left_out_and_an_endless_listing_stops_at_its_limit() {
    let sshd = hostile_sshd();
    let settings =
        ConnectSettings { limits: Limits { listing_entries: 1000, ..Limits::default() }, ..ConnectSettings::default() };
    let mut driver = Driver::with_settings(Some(known_hosts(&sshd, sshd.port())), settings);
    let session = connect(&sshd, &mut driver);
    let entries = driver.list(session, &at(&sshd, "crafted")).unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["ok.txt"], "only the name a file can have");

    // A recursive download of that folder writes only inside the local folder.
    let local = tempfile::tempdir().unwrap();
    let into = local.path().join("into");
    std::fs::create_dir(&into).unwrap();
    let _ = driver.transfer(
        session,
        ferry::worker::Direction::Download,
        &into,
        &at(&sshd, "crafted"),
        true,
        ferry::transfer::policy::OnExists::Overwrite,
    );
    assert!(!local.path().join("escape.txt").exists() && !into.join("b").exists());

    let started = Instant::now();
    let error = driver.list(session, &at(&sshd, "endless")).unwrap_err();
    assert_eq!(error.kind, ErrorKind::TooLarge, "{error}");
    assert!(error.to_string().contains("more than 1000 entries"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(20), "stopped at once");
}

#[test]
fn a_name_with_a_line_break_is_listed_but_never_sent_to_the_shell() {
    let sshd = Sshd::start_without_sftp();
    server_file(&sshd.data_dir().join("two\nlines.txt"), b"x");
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, sshd.port())));
    let session = connect(&sshd, &mut driver);
    let entries = driver.list(session, sshd.data_dir().to_str().unwrap()).unwrap();
    assert!(entries.iter().any(|e| e.name == "two\nlines.txt" && e.size == Some(1)), "{entries:#?}");
    let path = at(&sshd, "two\nlines.txt");
    let error = file_command(&mut driver, |request| FileCommand::RemoveFile { request, session, path }).unwrap_err();
    assert_eq!(error.kind, ErrorKind::Unsupported, "{error}");
    assert!(error.to_string().contains("line break"), "{error}");
    assert!(sshd.data_dir().join("two\nlines.txt").exists());
}

#[test]
fn a_server_whose_ls_is_not_gnus_is_listed_with_the_plain_flags() {
    // An `ls` first in the PATH that refuses GNU's flags, as BusyBox's does.
    let dir = tempfile::tempdir().unwrap().keep();
    let fake_ls = "#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --time-style*|-b) echo \"ls: unrecognized option: $a\" >&2; exit 1;; esac; done\nexec /bin/ls \"$@\"\n";
    std::fs::write(dir.join("ls"), fake_ls).unwrap();
    let script = dir.join("plain-ls.sh");
    let run = format!("#!/bin/sh\nPATH={}:$PATH exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"\n", dir.display());
    std::fs::write(&script, run).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    for file in [&script, &dir.join("ls")] {
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let sshd = Sshd::start_without_sftp_with_extra_config(&format!("ForceCommand {}\n", script.display()));
    server_file(&sshd.data_dir().join("two  spaces it's.txt"), b"abc");
    std::fs::create_dir(sshd.data_dir().join("sub")).unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, sshd.port())));
    let session = connect(&sshd, &mut driver);
    let entries = driver.list(session, sshd.data_dir().to_str().unwrap()).unwrap();
    let file = entries.iter().find(|e| e.name == "two  spaces it's.txt").unwrap_or_else(|| panic!("{entries:#?}"));
    assert_eq!(file.size, Some(3));
    assert!(file.modified.is_some(), "a time, to the minute");
    assert!(entries.iter().any(|e| e.name == "sub" && e.kind == ferry::model::EntryKind::Dir), "{entries:#?}");
    // Listing a file is refused, as SFTP refuses to open a file as a folder.
    assert!(driver.list(session, &at(&sshd, "two  spaces it's.txt")).is_err());
}

#[test]
fn a_download_cut_half_way_over_scp_is_resumed_and_whole() {
    // The browsing connection is left alone; the queue's first is cut after 2.5 MB to Ferry
    // (far enough in that a busy machine has written some of the file), and the retry continues
    // from the bytes already here (SCP sends from the start: they are read and dropped).
    let sshd = Sshd::start_without_sftp();
    let big = driver::pattern(4_000_000, 7);
    server_file(&sshd.data_dir().join("big.bin"), &big);
    let browse = Cut { direction: CutDirection::ToClient, after_bytes: u64::MAX, fault: Fault::Drop };
    let cut = Cut { direction: CutDirection::ToClient, after_bytes: 2_500_000, fault: Fault::Drop };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![browse, cut]);
    let transfer = TransferSettings { retries: 2, backoff: Duration::from_millis(100), ..TransferSettings::default() };
    let mut driver = Driver::custom(Some(known_hosts(&sshd, proxy.port())), ConnectSettings::default(), transfer);
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    driver.download(session, &at(&sshd, "big.bin"), &target).unwrap();
    assert!(std::fs::read(&target).unwrap() == big, "the resumed copy is the server's file, byte for byte");
    let resumed =
        driver.log.iter().any(|line| line.text.contains("(from byte ") && !line.text.contains("(from byte 0)"));
    assert!(resumed, "the retry kept the bytes already here: {:#?}", driver.log);
}
