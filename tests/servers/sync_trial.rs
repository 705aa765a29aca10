//! `ferry sync` findings of a user trial, against a real sshd: a dry run to a target not made
//! yet plans the folder and every copy, a sync down keeps the folders' times, and a part file a
//! cut sync left is continued rather than sent again (a stale one is sent whole).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use crate::cli::{assert_ok, ferry, stdout};
use crate::driver::pattern;
use crate::support::{TEST_PASSWORD, TEST_USER};
use crate::sync::{Sftp, open_up, small_tree, snapshot, write};

#[test]
fn a_dry_run_to_a_target_not_made_yet_plans_the_folder_and_every_copy() {
    let server = Sftp::start();
    let local = tempfile::tempdir().unwrap();
    small_tree(local.path());
    let here = local.path().to_str().unwrap();

    // Up, to a remote folder whose parent does not exist either.
    let output = server.sync(&["--dry-run", here, &server.url("absent/site")]);
    assert_ok(&output);
    let plan = stdout(&output);
    let target = format!("{}/absent/site", server.sshd.data_dir().display());
    assert!(plan.contains(&format!("make folder {target}")), "{plan}");
    for file in ["a.txt", "keep.txt", "dir/b.txt", "dir/c.txt", "empty"] {
        assert!(plan.lines().any(|line| line.starts_with("new") && line.ends_with(file)), "{file}: {plan}");
    }
    assert!(!plan.contains("nothing to do"), "{plan}");
    assert!(!server.sshd.data_dir().join("absent").exists(), "a dry run makes nothing");

    // Down, to a local folder that does not exist.
    write(&server.sshd.data_dir().join("there"), "x/y.txt", b"yankee");
    let back = tempfile::tempdir().unwrap();
    let missing = back.path().join("not/yet");
    let output = server.sync(&["--dry-run", &server.url("there"), missing.to_str().unwrap()]);
    assert_ok(&output);
    let plan = stdout(&output);
    assert!(plan.contains(&format!("make folder {}", missing.display())), "{plan}");
    assert!(plan.lines().any(|line| line.starts_with("new") && line.ends_with("x/y.txt")), "{plan}");
    assert!(!back.path().join("not").exists(), "a dry run makes nothing");
}

/// The modification time of `path`, in seconds.
fn mtime(path: &Path) -> i64 {
    std::fs::metadata(path).unwrap().mtime()
}

#[test]
fn sftp_sync_down_keeps_the_folders_times_new_ones_and_those_it_copied_into() {
    let server = Sftp::start();
    let remote = server.sshd.data_dir().join("dated");
    write(&remote, "old/inner/a.txt", b"alpha");
    write(&remote, "old/b.txt", b"bravo");
    let back = tempfile::tempdir().unwrap();
    let touch = |path: &Path, when: &str| {
        let touched = std::process::Command::new("touch").args(["-d", when]).arg(path).status().unwrap();
        assert!(touched.success());
    };
    let date_remote = || {
        for folder in ["old/inner", "old"] {
            touch(&remote.join(folder), "2020-02-03 04:05:06");
        }
    };
    date_remote();
    let expected = mtime(&remote.join("old"));

    assert_ok(&server.sync(&[&server.url("dated"), back.path().to_str().unwrap()]));
    assert_eq!(mtime(&back.path().join("old")), expected, "a new folder gets the server's time");
    assert_eq!(mtime(&back.path().join("old/inner")), expected);

    // A new file on the server: copied into a folder that exists here, which keeps the time.
    write(&remote, "old/inner/new.txt", b"november");
    date_remote();
    assert_ok(&server.sync(&[&server.url("dated"), back.path().to_str().unwrap()]));
    assert_eq!(std::fs::read(back.path().join("old/inner/new.txt")).unwrap(), b"november");
    assert_eq!(mtime(&back.path().join("old/inner")), expected, "the folder copied into keeps the server's time");
    assert_eq!(mtime(&back.path().join("old")), expected);
}

#[test]
fn a_part_file_a_cut_sync_left_is_continued_not_sent_again_and_a_stale_one_is_not() {
    use crate::cutting_proxy::CuttingProxy;
    const SIZE: usize = 3_000_000;
    let server = Sftp::start();
    // Counts what crosses the wire between ferry and sshd.
    let proxy = CuttingProxy::tcp(server.sshd.port(), Vec::new());
    let known = server.config.path().join("known_hosts_proxy");
    std::fs::write(&known, format!("[127.0.0.1]:{} {}\n", proxy.port(), server.sshd.host_key_public_line())).unwrap();
    let url = |folder: &str| {
        let root = server.sshd.data_dir().display();
        format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{root}/{folder}", proxy.port())
    };
    let sync = |args: &[&str]| {
        let mut all = vec!["--known-hosts", known.to_str().unwrap(), "sync"];
        all.extend_from_slice(args);
        ferry(server.config.path(), &all)
    };

    // Up: the cut run had sent all of `whole.bin` and half of `half.bin`, not renamed yet;
    // `stale.bin`'s part holds another version's bytes.
    let local = tempfile::tempdir().unwrap();
    for (name, seed) in [("whole.bin", 1), ("half.bin", 2), ("stale.bin", 3)] {
        write(local.path(), name, &pattern(SIZE, seed));
    }
    let remote = server.sshd.data_dir().join("up");
    write(&remote, ".whole.bin.ferry-part", &pattern(SIZE, 1));
    write(&remote, ".half.bin.ferry-part", &pattern(SIZE, 2)[..SIZE / 2]);
    write(&remote, ".stale.bin.ferry-part", &pattern(SIZE, 9)[..SIZE / 2]);
    open_up(&remote);
    let before = proxy.bytes_relayed();
    assert_ok(&sync(&[local.path().to_str().unwrap(), &url("up")]));
    let crossed = proxy.bytes_relayed() - before;
    assert_eq!(snapshot(&remote), snapshot(local.path()), "every file whole, no part file left");
    // Half of `half.bin` and all of `stale.bin`: 2.5 files' worth would be 7.5 MB.
    assert!(crossed < (SIZE as u64) * 2 + 500_000, "{crossed} bytes crossed for 1.5 files to send");

    // Down: the cut run had fetched all of `whole.bin` into its part file here.
    let back = tempfile::tempdir().unwrap();
    write(back.path(), ".whole.bin.ferry-part", &pattern(SIZE, 1));
    write(back.path(), "half.bin", &pattern(SIZE, 2));
    write(back.path(), "stale.bin", &pattern(SIZE, 3));
    let touched = std::process::Command::new("touch")
        .arg("-r")
        .arg(remote.join("half.bin"))
        .arg(back.path().join("half.bin"))
        .status()
        .unwrap();
    assert!(touched.success());
    let touched = std::process::Command::new("touch")
        .arg("-r")
        .arg(remote.join("stale.bin"))
        .arg(back.path().join("stale.bin"))
        .status()
        .unwrap();
    assert!(touched.success());
    let before = proxy.bytes_relayed();
    assert_ok(&sync(&[&url("up"), back.path().to_str().unwrap()]));
    let crossed = proxy.bytes_relayed() - before;
    assert_eq!(snapshot(back.path()), snapshot(local.path()));
    assert!(crossed < (SIZE as u64) / 2, "{crossed} bytes crossed for a file already here");
}
