//! `ferry rm -r`, `ferry stat` and `ferry sum` against real servers and the scripted hostile FTP
//! server: a recursive delete lists what goes first, asks unless `--yes`, deletes links and never
//! what they lead to, and a listing with `..` or `/x` in it deletes nothing at all.

use crate::cli::{ferry, known_hosts_for, stderr, stdout};
use crate::scripted_ftp::{Script, ScriptedFtp};
use crate::support::{Sshd, TEST_PASSWORD, TEST_USER};

use std::os::unix::fs::symlink;
use std::path::Path;

/// `doomed/` with files in two levels, a link to the folder `keep/` outside and a link to a file
/// in it; `keep/precious.txt` must outlive every delete.
fn doomed_tree(data: &Path) {
    std::fs::create_dir_all(data.join("doomed/sub")).unwrap();
    std::fs::create_dir_all(data.join("keep")).unwrap();
    std::fs::write(data.join("doomed/a.txt"), b"a").unwrap();
    std::fs::write(data.join("doomed/sub/b.txt"), b"b").unwrap();
    std::fs::write(data.join("keep/precious.txt"), b"precious").unwrap();
    symlink("../keep", data.join("doomed/to-keep")).unwrap();
    symlink("../../keep/precious.txt", data.join("doomed/sub/to-precious")).unwrap();
    symlink("keep", data.join("keep-link")).unwrap();
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(data).status().unwrap();
}

fn sftp(sshd: &Sshd, path: &str) -> String {
    format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}/{path}", sshd.port(), sshd.data_dir().display())
}

#[test]
fn rm_r_lists_what_goes_asks_without_yes_and_deletes_links_not_what_they_lead_to() {
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    doomed_tree(data);
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();

    // Without a folder flag: a plain word, and the way to do it.
    let output = ferry(config.path(), &["--known-hosts", known, "rm", &sftp(&sshd, "doomed")]);
    assert!(!output.status.success());
    let said = stderr(&output);
    assert!(said.contains("not empty") && said.contains("rm -r") && !said.contains("protocol error"), "{said}");

    // No terminal to ask on and no --yes: listed, nothing deleted.
    let output = ferry(config.path(), &["--known-hosts", known, "rm", "-r", &sftp(&sshd, "doomed")]);
    assert!(!output.status.success(), "deleted without asking");
    assert!(stderr(&output).contains("--yes"), "{}", stderr(&output));
    assert!(stdout(&output).contains("doomed/sub/b.txt"), "what would go is listed: {}", stdout(&output));
    assert!(data.join("doomed/sub/b.txt").exists(), "nothing is deleted unasked");

    let output = ferry(config.path(), &["--known-hosts", known, "rm", "-r", "--yes", &sftp(&sshd, "doomed")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let listed = stdout(&output);
    for name in ["doomed/a.txt", "doomed/sub/b.txt", "doomed/to-keep", "doomed/sub/", "doomed/"] {
        assert!(listed.contains(name), "{name} listed first: {listed}");
    }
    assert!(!data.join("doomed").exists(), "the folder is gone");
    assert_eq!(std::fs::read(data.join("keep/precious.txt")).unwrap(), b"precious", "a link was followed");

    // A link to a folder named on the command line: the link goes, the folder stays.
    let output = ferry(config.path(), &["--known-hosts", known, "rm", "-r", "--yes", &sftp(&sshd, "keep-link")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(std::fs::symlink_metadata(data.join("keep-link")).is_err(), "the link is gone");
    assert_eq!(std::fs::read(data.join("keep/precious.txt")).unwrap(), b"precious", "the link's folder is whole");
}

#[test]
fn rm_r_deletes_nothing_when_a_listing_names_dot_dot_or_an_absolute_path() {
    let entry = |name: &str| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}");
    for hostile in ["/etc/passwd", "a/../../x", "..\\up"] {
        let lines = [entry("fine.txt"), entry(".."), entry(hostile), entry("last.txt")];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let server = ScriptedFtp::start(
            Script::new()
                .dir_listing("doomed", &lines)
                .file("doomed/fine.txt", &b"fine!"[..])
                .file("doomed/last.txt", &b"last!"[..])
                .file("etc/passwd", &b"root:x:0:0"[..]),
        );
        let config = tempfile::tempdir().unwrap();
        let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/doomed", server.port());
        let output = ferry(config.path(), &["rm", "-r", "--yes", &url]);
        assert!(!output.status.success(), "{hostile}: {}", stdout(&output));
        // The folder was looked at, and the delete refused for that name before doing anything.
        assert!(server.count("LIST") >= 1, "{hostile}: {:?}", server.verbs());
        assert!(stderr(&output).contains("nothing more was changed"), "{hostile}: {}", stderr(&output));
        assert_eq!(server.count("DELE") + server.count("RMD"), 0, "{hostile}: {:?}", server.verbs());
        assert!(server.file("/etc/passwd").is_some() && server.file("/doomed/fine.txt").is_some());
    }
}

#[test]
fn stat_and_sum_tell_a_files_details_and_its_sha256() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("abc.txt"), b"abc").unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let output = ferry(config.path(), &["--known-hosts", known, "stat", "--json", &sftp(&sshd, "abc.txt")]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        (rows[0]["name"].as_str(), rows[0]["kind"].as_str(), rows[0]["size"].as_u64()),
        (Some("abc.txt"), Some("file"), Some(3))
    );
    let output = ferry(config.path(), &["--known-hosts", known, "sum", &sftp(&sshd, "abc.txt")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc.txt\n");
    // A folder has no checksum: said as such, not as a lost connection.
    std::fs::create_dir(sshd.data_dir().join("folder")).unwrap();
    let output = ferry(config.path(), &["--known-hosts", known, "sum", &sftp(&sshd, "folder")]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("is a folder"), "{}", stderr(&output));
}

#[test]
fn sum_reads_the_file_through_where_the_server_computes_no_hash() {
    let server = ScriptedFtp::start(Script::new().file("abc.txt", &b"abc"[..]));
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}/abc.txt", server.port());
    let output = ferry(config.path(), &["sum", &url]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  abc.txt\n");
}

/// `rm` and `rm -r` of a link to a folder delete the link, as `rm` does on a disk, and never the
/// folder it leads to or what is in it.
#[test]
fn rm_of_a_link_to_a_folder_deletes_the_link_and_never_the_folder() {
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    doomed_tree(data);
    symlink("keep", data.join("second-link")).unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();

    let output = ferry(config.path(), &["--known-hosts", known, "rm", &sftp(&sshd, "keep-link")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(data.join("keep-link").symlink_metadata().is_err(), "the link is gone");
    // With a trailing slash too, which on a disk would name what the link leads to.
    let output = ferry(config.path(), &["--known-hosts", known, "rm", "-r", "--yes", &sftp(&sshd, "second-link/")]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(data.join("second-link").symlink_metadata().is_err(), "the link is gone");
    assert_eq!(std::fs::read(data.join("keep/precious.txt")).unwrap(), b"precious", "the folder it led to is whole");
}
