//! `ferry sync` against real servers (sshd, vsftpd) and the scripted hostile FTP server: new,
//! changed, unchanged and deleted files both ways, a second run that copies nothing (FTP's
//! minute-precise times included), a dry run that changes nothing, excludes, deletes held back
//! by a failed copy, a sync killed half way that a rerun finishes, and names that would lead out
//! of the target.

use crate::cli::{assert_ok, ferry, ferry_command, ferry_with_env, known_hosts_for, stderr, stdout};
use crate::driver::pattern;
use crate::scripted_ftp::{Script, ScriptedFtp};
use crate::support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Every file and folder below `root`: relative path to its bytes (`None` for a folder).
pub(crate) fn snapshot(root: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(reader) = std::fs::read_dir(&dir) else { continue };
        for entry in reader.flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if entry.file_type().unwrap().is_dir() {
                pending.push(path);
                found.insert(relative, None);
            } else if let Ok(bytes) = std::fs::read(&path) {
                // A file renamed away between the listing and the read (a sync running) is skipped.
                found.insert(relative, Some(bytes));
            }
        }
    }
    found
}

/// Makes a folder writable by the server's account (tests create files as root).
pub(crate) fn open_up(path: &Path) {
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(path).status().unwrap();
}

pub(crate) fn write(root: &Path, relative: &str, bytes: &[u8]) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A local tree of a few small files in folders, one of them empty.
pub(crate) fn small_tree(root: &Path) {
    write(root, "a.txt", b"alpha");
    write(root, "keep.txt", &pattern(3000, 1));
    write(root, "dir/b.txt", b"bravo");
    write(root, "dir/c.txt", b"charlie");
    std::fs::create_dir_all(root.join("empty")).unwrap();
}

/// `ferry sync` with the options, as the test's SSH server knows it.
pub(crate) struct Sftp {
    pub(crate) sshd: Sshd,
    pub(crate) config: tempfile::TempDir,
    pub(crate) known: String,
}

impl Sftp {
    pub(crate) fn start() -> Self {
        let sshd = Sshd::start();
        let config = tempfile::tempdir().unwrap();
        let known = known_hosts_for(&sshd, config.path()).to_str().unwrap().to_string();
        Sftp { sshd, config, known }
    }

    pub(crate) fn url(&self, folder: &str) -> String {
        let root = self.sshd.data_dir().display();
        format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{root}/{folder}", self.sshd.port())
    }

    pub(crate) fn sync(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--known-hosts", &self.known, "sync"];
        all.extend_from_slice(args);
        ferry(self.config.path(), &all)
    }
}

#[test]
fn sftp_sync_both_ways_copies_new_and_changed_deletes_only_when_asked_and_a_second_run_copies_nothing() {
    let server = Sftp::start();
    let local = tempfile::tempdir().unwrap();
    small_tree(local.path());
    let remote = server.sshd.data_dir().join("site");
    let url = server.url("site");
    let here = local.path().to_str().unwrap();

    // A first sync makes the remote folder and copies everything.
    let output = server.sync(&[here, &url]);
    assert_ok(&output);
    assert_eq!(snapshot(&remote), snapshot(local.path()));
    let keep_inode = std::fs::metadata(remote.join("keep.txt")).unwrap().ino();

    // Nothing changed: the dry run says so, and a run copies nothing.
    let output = server.sync(&["--dry-run", here, &url]);
    assert_ok(&output);
    assert!(stdout(&output).contains("nothing to do"), "{}", stdout(&output));
    let output = server.sync(&[here, &url]);
    assert_ok(&output);
    assert!(stderr(&output).contains("synced: 0 copied, 0 deleted"), "{}", stderr(&output));

    // A changed file, a new one, one deleted here, and one only the server has.
    write(local.path(), "dir/b.txt", b"BRAVO, changed");
    write(local.path(), "new/n.txt", b"november");
    std::fs::remove_file(local.path().join("dir/c.txt")).unwrap();
    write(&remote, "extra.txt", b"only there");
    open_up(&remote);
    let before = snapshot(&remote);
    let output = server.sync(&["--dry-run", "--delete", here, &url]);
    assert_ok(&output);
    let plan = stdout(&output);
    for line in ["new", "new/n.txt", "changed", "dir/b.txt", "delete", "dir/c.txt", "extra.txt"] {
        assert!(plan.contains(line), "{line} in the plan: {plan}");
    }
    assert!(!plan.contains("keep.txt"), "unchanged files are only counted: {plan}");
    let output = server.sync(&["--dry-run", "--delete", "--json", here, &url]);
    assert_ok(&output);
    let json: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    let totals = &json["plan"]["totals"];
    assert_eq!(
        (totals["new"].as_u64(), totals["changed"].as_u64(), totals["deleted"].as_u64()),
        (Some(2), Some(1), Some(2))
    );
    assert!(json["result"].is_null(), "a dry run has no result");
    assert_eq!(snapshot(&remote), before, "a dry run changes nothing");

    // Without --delete, what the server alone has stays.
    assert_ok(&server.sync(&[here, &url]));
    assert_eq!(std::fs::read(remote.join("dir/b.txt")).unwrap(), b"BRAVO, changed");
    assert_eq!(std::fs::read(remote.join("new/n.txt")).unwrap(), b"november");
    assert!(remote.join("extra.txt").exists() && remote.join("dir/c.txt").exists());

    // With it, the remote folder is the local one, and the unchanged file was never rewritten.
    let output = server.sync(&["--delete", "--json", here, &url]);
    assert_ok(&output);
    let json: serde_json::Value = serde_json::from_str(stdout(&output).trim()).expect("one JSON object");
    assert_eq!((json["result"]["copied"].as_u64(), json["result"]["deleted"].as_u64()), (Some(0), Some(2)));
    assert_eq!(snapshot(&remote), snapshot(local.path()));
    assert_eq!(std::fs::metadata(remote.join("keep.txt")).unwrap().ino(), keep_inode, "keep.txt untouched");

    // A source that does not exist (a typo) is an error, never an empty folder to mirror.
    let before = snapshot(&remote);
    let typo = local.path().join("no-such-folder");
    let output = server.sync(&["--delete", typo.to_str().unwrap(), &url]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("does not exist; nothing was changed"), "{}", stderr(&output));
    let output = server.sync(&["--delete", &server.url("no-such-folder"), here]);
    assert!(stderr(&output).contains("does not exist; nothing was changed"), "{}", stderr(&output));
    assert_eq!(snapshot(&remote), before);
    assert_eq!(snapshot(local.path()), before, "the local folder was left whole too");

    // The other way: into a new local folder, then a change on the server comes back.
    let copy = tempfile::tempdir().unwrap();
    let back = copy.path().join("back");
    assert_ok(&server.sync(&[&url, back.to_str().unwrap()]));
    assert_eq!(snapshot(&back), snapshot(&remote));
    write(&remote, "dir/b.txt", b"changed on the server");
    std::fs::remove_file(remote.join("a.txt")).unwrap();
    let output = server.sync(&["--delete", &url, back.to_str().unwrap()]);
    assert_ok(&output);
    assert_eq!(snapshot(&back), snapshot(&remote));
    let output = server.sync(&["--dry-run", &url, back.to_str().unwrap()]);
    assert!(stdout(&output).contains("nothing to do"), "times kept both ways: {}", stdout(&output));
}

#[test]
fn ftp_times_in_minutes_never_recopy_an_unchanged_tree_and_excludes_are_neither_copied_nor_deleted() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/site", ftpd.port());
    let local = tempfile::tempdir().unwrap();
    small_tree(local.path());
    write(local.path(), "debug.log", b"noise");
    write(local.path(), "cache/blob", b"cached");
    write(local.path(), "dir/keep.log", b"kept by a negation");
    let here = local.path().to_str().unwrap();
    let sync = |args: &[&str]| {
        let mut all = vec!["sync", "--exclude", "*.log", "--exclude", "!keep.log", "--exclude", "cache/"];
        all.extend_from_slice(args);
        ferry_with_env(config.path(), &all, &env)
    };

    assert_ok(&sync(&[here, &url]));
    let remote = ftpd.data_dir().join("site");
    assert_eq!(std::fs::read(remote.join("dir/b.txt")).unwrap(), b"bravo");
    assert_eq!(std::fs::read(remote.join("dir/keep.log")).unwrap(), b"kept by a negation");
    assert!(!remote.join("debug.log").exists() && !remote.join("cache").exists(), "excluded");

    // vsftpd lists minutes; the local times have seconds and more: still nothing to do.
    let output = sync(&["--dry-run", here, &url]);
    assert_ok(&output);
    assert!(stdout(&output).contains("nothing to do"), "{}", stdout(&output));
    let output = sync(&[here, &url]);
    assert!(stderr(&output).contains("synced: 0 copied"), "{}", stderr(&output));

    // An excluded file the server alone has is not deleted; an ordinary one is.
    write(&remote, "server.log", b"the server's log");
    write(&remote, "stale.txt", b"stale");
    open_up(&remote);
    assert_ok(&sync(&["--delete", here, &url]));
    assert!(remote.join("server.log").exists(), "excluded, so never deleted");
    assert!(!remote.join("stale.txt").exists());

    // Down again into a fresh folder; a second run finds the tree the same.
    let back = tempfile::tempdir().unwrap();
    let back_path = back.path().to_str().unwrap();
    assert_ok(&sync(&[&url, back_path]));
    assert_eq!(std::fs::read(back.path().join("keep.txt")).unwrap(), pattern(3000, 1));
    assert!(!back.path().join("server.log").exists(), "excluded");
    let output = sync(&["--dry-run", &url, back_path]);
    assert!(stdout(&output).contains("nothing to do"), "{}", stdout(&output));
}

#[test]
fn a_failed_copy_holds_back_every_delete_and_nothing_outside_the_target_is_touched() {
    let server = Sftp::start();
    let local = tempfile::tempdir().unwrap();
    small_tree(local.path());
    write(local.path(), "locked/new.txt", b"cannot land");
    let data = server.sshd.data_dir();
    let remote = data.join("site");
    write(data, "outside.txt", b"not part of the sync");
    write(data, "site-other/x.txt", b"a neighbour with a similar name");
    write(&remote, "gone.txt", b"to delete");
    std::fs::create_dir_all(remote.join("locked")).unwrap();
    open_up(data);
    // The server's account may not write into this folder: the copy into it fails.
    std::fs::set_permissions(remote.join("locked"), std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
    let url = server.url("site");
    let here = local.path().to_str().unwrap();

    let output = server.sync(&["--delete", here, &url]);
    assert!(!output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("held back"), "{}", stderr(&output));
    assert!(remote.join("gone.txt").exists(), "no delete while a copy failed");
    assert_eq!(std::fs::read(remote.join("a.txt")).unwrap(), b"alpha", "the other copies arrived");

    std::fs::set_permissions(remote.join("locked"), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    assert_ok(&server.sync(&["--delete", here, &url]));
    assert!(!remote.join("gone.txt").exists());
    assert_eq!(snapshot(&remote), snapshot(local.path()));
    assert_eq!(std::fs::read(data.join("outside.txt")).unwrap(), b"not part of the sync");
    assert_eq!(std::fs::read(data.join("site-other/x.txt")).unwrap(), b"a neighbour with a similar name");
}

/// Starts `ferry sync` of `here` to `url` one file at a time, waits until `files` of `.bin`
/// files are in `remote`, then calls `cut` and waits for the command to end.
fn cut_half_way(
    server: &Sftp,
    here: &str,
    url: &str,
    remote: &Path,
    files: usize,
    cut: impl FnOnce(&mut std::process::Child),
) {
    let args = ["--known-hosts", &server.known, "sync", "--parallel", "1", here, url];
    let mut child = ferry_command(server.config.path(), &args, &[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let arrived = || snapshot(remote).keys().filter(|path| path.ends_with(".bin")).count();
    while std::time::Instant::now() < deadline && arrived() < files {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    cut(&mut child);
    child.wait().unwrap();
}

#[test]
fn a_sync_cut_half_way_is_finished_by_a_rerun() {
    let server = Sftp::start();
    let local = tempfile::tempdir().unwrap();
    for index in 0..24u8 {
        write(local.path(), &format!("d{}/f{index:02}.bin", index % 3), &pattern(400_000, index));
    }
    let remote = server.sshd.data_dir().join("site");
    let url = server.url("site");
    let here = local.path().to_str().unwrap();

    // The server drops every connection half way: the queue retries on fresh ones, and a rerun
    // finds whatever is left.
    cut_half_way(&server, here, &url, &remote, 2, |_| server.sshd.kill_sessions());
    assert_ok(&server.sync(&[here, &url]));
    assert_eq!(snapshot(&remote), snapshot(local.path()));

    // The command itself is killed half way (a laptop lid, a lost terminal) on a changed tree.
    for index in 0..24u8 {
        write(local.path(), &format!("d{}/f{index:02}.bin", index % 3), &pattern(400_001, index));
    }
    let changed = |remote: &Path| {
        snapshot(remote).values().filter(|bytes| bytes.as_ref().is_some_and(|b| b.len() == 400_001)).count()
    };
    cut_half_way(&server, here, &url, &remote, 0, |child| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < deadline && changed(&remote) < 2 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        child.kill().unwrap();
    });
    assert!(changed(&remote) < 24, "killed before the end ({} files changed)", changed(&remote));
    let output = server.sync(&[here, &url]);
    assert_ok(&output);
    let finished = snapshot(&remote);
    assert!(finished.keys().all(|path| !path.contains("ferry-part")), "no part file left: {finished:?}");
    assert_eq!(finished, snapshot(local.path()));
    let output = server.sync(&["--dry-run", here, &url]);
    assert!(stdout(&output).contains("nothing to do"), "{}", stdout(&output));
}

#[test]
fn a_server_whose_folders_contain_themselves_stops_the_sync_before_anything_changes() {
    let server = ScriptedFtp::start(Script::new().nests_forever("loop"));
    let config = tempfile::tempdir().unwrap();
    let target = tempfile::tempdir().unwrap();
    write(target.path(), "mine.txt", b"stays");
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/top", server.port());
    let output = ferry(config.path(), &["sync", "--delete", &url, target.path().to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("folders deep; Ferry stops there"), "{}", stderr(&output));
    assert_eq!(snapshot(target.path()).into_keys().collect::<Vec<_>>(), vec!["mine.txt".to_string()]);
}

#[test]
fn names_a_hostile_server_lists_never_make_a_sync_write_or_delete_outside_the_target() {
    const HOSTILE: [&str; 3] = ["notes/../../X", "../../Y", "evil\\name"];
    let line = |name: &str| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}");
    let lines: Vec<String> = HOSTILE.iter().chain(&["..", "fine.txt"]).map(|name| line(name)).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
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
    let target = outer.path().join("home").join("dest");
    // What a trusted `..` would overwrite or delete: files beside and above the target.
    write(outer.path(), "home/X", b"mine");
    write(outer.path(), "Y", b"mine too");
    write(&target, "local-only.txt", b"deleted by --delete");
    // A link in the target to a file outside it: a copy replaces the link, never writes through it.
    std::os::unix::fs::symlink(outer.path().join("home/X"), target.join("fine.txt")).unwrap();
    let before_outside: BTreeMap<_, _> =
        snapshot(outer.path()).into_iter().filter(|(path, _)| !path.starts_with("home/dest")).collect();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/dir", server.port());

    let output = ferry(config.path(), &["sync", "--delete", &url, target.to_str().unwrap()]);
    let printed = stderr(&output);
    assert!(!output.status.success(), "refused names make the sync fail: {printed}");
    for name in HOSTILE {
        assert!(printed.contains(&format!("refusing the name \"{name}\"")), "{name} refused: {printed}");
    }
    assert_eq!(std::fs::read(target.join("fine.txt")).unwrap(), b"fine!");
    assert!(!std::fs::symlink_metadata(target.join("fine.txt")).unwrap().is_symlink(), "the link was replaced");
    assert!(!target.join("local-only.txt").exists(), "an ordinary delete inside the target");
    let after_outside: BTreeMap<_, _> =
        snapshot(outer.path()).into_iter().filter(|(path, _)| !path.starts_with("home/dest")).collect();
    assert_eq!(after_outside, before_outside, "nothing outside the target was written or deleted");
    assert_eq!(snapshot(&target).into_keys().collect::<Vec<_>>(), vec!["fine.txt".to_string()]);
}

#[test]
fn checksum_compare_finds_a_change_that_size_and_time_hide_and_a_server_without_checksums_says_so() {
    let server = Sftp::start();
    let local = tempfile::tempdir().unwrap();
    small_tree(local.path());
    let remote = server.sshd.data_dir().join("site");
    let url = server.url("site");
    let here = local.path().to_str().unwrap();
    assert_ok(&server.sync(&[here, &url]));

    // Same size, same time, other bytes: only a checksum tells.
    write(&remote, "dir/b.txt", b"BRAVO");
    let touched = std::process::Command::new("touch")
        .arg("-r")
        .arg(local.path().join("dir/b.txt"))
        .arg(remote.join("dir/b.txt"))
        .status()
        .unwrap();
    assert!(touched.success());
    let output = server.sync(&["--dry-run", here, &url]);
    assert!(stdout(&output).contains("nothing to do"), "{}", stdout(&output));
    let output = server.sync(&["--dry-run", "--compare", "checksum", here, &url]);
    assert_ok(&output);
    assert!(stdout(&output).contains("dir/b.txt  (the SHA-256 differs)"), "{}", stdout(&output));
    assert_ok(&server.sync(&["--compare", "checksum", here, &url]));
    assert_eq!(std::fs::read(remote.join("dir/b.txt")).unwrap(), b"bravo");

    // vsftpd computes no checksum: the sync says so and changes nothing.
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let ftp_url = format!("ftp://{TEST_USER}@127.0.0.1:{}/site", ftpd.port());
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    assert_ok(&ferry_with_env(config.path(), &["sync", here, &ftp_url], &env));
    let output = ferry_with_env(config.path(), &["sync", "--compare", "checksum", here, &ftp_url], &env);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("no way to compute a SHA-256"), "{}", stderr(&output));
}

#[test]
fn names_a_hostile_target_server_lists_are_never_deleted_or_written_through() {
    let line = |name: &str| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}");
    let names = ["notes/../../X", "../../Y", "evil\\name", "..", "stale.txt"];
    let lines: Vec<String> = names.iter().map(|name| line(name)).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("dir", &lines)
            .file("X", &b"xxxxx"[..])
            .file("Y", &b"yyyyy"[..])
            .file("dir/stale.txt", &b"stale"[..]),
    );
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "fine.txt", b"fine!");
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/dir", server.port());

    let output = ferry(config.path(), &["sync", "--delete", local.path().to_str().unwrap(), &url]);
    assert!(!output.status.success(), "refused names make the sync fail: {}", stderr(&output));
    let commands = server.commands();
    let changing: Vec<&String> = commands
        .iter()
        .filter(|c| ["DELE", "RMD", "STOR", "APPE", "RNFR", "RNTO", "MKD"].iter().any(|verb| c.starts_with(verb)))
        .collect();
    assert!(changing.iter().all(|c| !c.contains("..") && !c.contains('\\')), "{changing:?}");
    let deletes: Vec<&&String> = changing.iter().filter(|c| c.starts_with("DELE")).collect();
    assert_eq!(deletes.len(), 1, "{changing:?}");
    assert!(deletes[0].ends_with("dir/stale.txt"), "{deletes:?}");
    assert!(changing.iter().any(|c| c.starts_with("RNTO") && c.ends_with("dir/fine.txt")), "{changing:?}");
}

/// A link on the server to a folder elsewhere is never written through, whatever the source holds
/// under that name; a link the source does not have is deleted as itself with --delete, and what
/// it led to stays whole.
#[test]
fn a_link_on_the_target_is_never_written_through_and_is_deleted_only_as_itself() {
    let server = Sftp::start();
    let data = server.sshd.data_dir();
    let outside = data.join("outside");
    write(&outside, "theirs.txt", b"theirs");
    std::fs::create_dir_all(data.join("site")).unwrap();
    std::os::unix::fs::symlink(&outside, data.join("site/linkout")).unwrap();
    std::os::unix::fs::symlink(&outside, data.join("site/current")).unwrap();
    open_up(data);
    let local = tempfile::tempdir().unwrap();
    write(local.path(), "linkout/injected.txt", b"mine");
    write(local.path(), "a.txt", b"alpha");

    let output = server.sync(&["--delete", local.path().to_str().unwrap(), &server.url("site")]);
    assert!(!output.status.success(), "the link stays a conflict: {}", stderr(&output));
    assert!(stdout(&output).contains("a link there"), "{}", stdout(&output));
    assert!(!outside.join("injected.txt").exists(), "nothing was written through the link");
    assert_eq!(std::fs::read(data.join("site/a.txt")).unwrap(), b"alpha", "the rest was synced");
    assert!(std::fs::symlink_metadata(data.join("site/linkout")).unwrap().file_type().is_symlink());
    assert!(std::fs::symlink_metadata(data.join("site/current")).is_err(), "the extra link was deleted");
    assert_eq!(std::fs::read(outside.join("theirs.txt")).unwrap(), b"theirs", "what it led to is whole");
}

#[test]
fn a_sync_with_nothing_to_do_costs_one_listing_per_folder_and_nothing_per_file() {
    let file = |name: &str| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}");
    let mut top: Vec<String> = (0..40).map(|index| file(&format!("f{index:02}.txt"))).collect();
    top.push("drwxr-xr-x    2 ftp      ftp          4096 Jan 02  2024 sub".to_string());
    let sub: Vec<String> = (0..40).map(|index| file(&format!("g{index:02}.txt"))).collect();
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("tree", &top.iter().map(String::as_str).collect::<Vec<_>>())
            .dir_listing("tree/sub", &sub.iter().map(String::as_str).collect::<Vec<_>>()),
    );
    // The same files here, with the day the listing gives (an FTP listing of an old file).
    let local = tempfile::tempdir().unwrap();
    for index in 0..40 {
        write(local.path(), &format!("f{index:02}.txt"), b"12345");
        write(local.path(), &format!("sub/g{index:02}.txt"), b"12345");
    }
    let touched = std::process::Command::new("find")
        .arg(local.path())
        .args(["-exec", "touch", "-d", "2024-01-02 13:37:00", "{}", "+"])
        .status()
        .unwrap();
    assert!(touched.success());
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/tree", server.port());

    let output = ferry(config.path(), &["sync", &url, local.path().to_str().unwrap()]);
    assert_ok(&output);
    assert!(stdout(&output).contains("nothing to do"), "{}", stdout(&output));
    let per_file: Vec<String> = server
        .commands()
        .into_iter()
        .filter(|c| ["RETR", "SIZE", "MDTM", "STOR"].iter().any(|verb| c.starts_with(verb)))
        .collect();
    assert!(per_file.is_empty(), "no request per file: {per_file:?}");
    assert_eq!(server.count("LIST"), 2, "one listing per folder: {:?}", server.commands());
}

#[test]
fn a_bookmark_names_the_remote_side_as_name_colon_path() {
    let server = Sftp::start();
    let key = crate::support::client_keys().ed25519.to_str().unwrap().to_string();
    let url = format!("sftp://{}@127.0.0.1:{}", server.sshd.login_user(), server.sshd.port());
    assert_ok(&ferry(server.config.path(), &["bookmarks", "add", "mybox", &url, "--key-file", &key]));
    let local = tempfile::tempdir().unwrap();
    small_tree(local.path());
    let remote = server.sshd.data_dir().join("site");
    let target = format!("mybox:{}", remote.display());

    assert_ok(&server.sync(&[local.path().to_str().unwrap(), &target]));
    assert_eq!(snapshot(&remote), snapshot(local.path()));
    let back = tempfile::tempdir().unwrap();
    assert_ok(&server.sync(&[&target, back.path().to_str().unwrap()]));
    assert_eq!(snapshot(back.path()), snapshot(local.path()));
}
