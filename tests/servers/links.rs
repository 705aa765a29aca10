//! Links on a real SSH server: `ls --json` says where each leads, `get -r` copies links to files
//! inside the folder and leaves the rest with a reason, and `get -r --follow-links` follows links
//! to folders and outside the folder, each folder once, so a loop ends.

use crate::cli::{assert_ok, ferry, known_hosts_for, stderr, stdout};
use crate::support::{Sshd, TEST_PASSWORD, TEST_USER};

use std::os::unix::fs::symlink;
use std::path::Path;

/// `site/` with a file, a link to it, a link to a file outside, a link to a folder outside, a link
/// to its own folder and one to its parent's parent (loops); `shared/` outside it links back.
fn tree_with_links(data: &Path) {
    std::fs::create_dir_all(data.join("site/sub")).unwrap();
    std::fs::create_dir_all(data.join("shared")).unwrap();
    std::fs::write(data.join("site/index.html"), b"<html>").unwrap();
    std::fs::write(data.join("secret.txt"), b"outside bytes").unwrap();
    std::fs::write(data.join("shared/common.css"), b"body{}").unwrap();
    symlink("index.html", data.join("site/home.html")).unwrap();
    symlink("../secret.txt", data.join("site/secret-link")).unwrap();
    symlink("../shared", data.join("site/shared-link")).unwrap();
    symlink(".", data.join("site/sub/self")).unwrap();
    symlink("../..", data.join("site/sub/up")).unwrap();
    symlink("../site", data.join("shared/back")).unwrap();
}

fn base(sshd: &Sshd) -> String {
    format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display())
}

#[test]
fn ls_json_shows_where_each_link_leads_and_what_it_is() {
    let sshd = Sshd::start();
    tree_with_links(sshd.data_dir());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let output = ferry(
        config.path(),
        &["--known-hosts", known.to_str().unwrap(), "ls", "--json", &format!("{}/site", base(&sshd))],
    );
    assert_ok(&output);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
    let row = |name: &str| rows.iter().find(|row| row["name"] == name).unwrap_or_else(|| panic!("{name}: {rows:?}"));
    assert_eq!(row("home.html")["kind"], "symlink");
    assert_eq!(row("home.html")["link_target"], "index.html");
    assert_eq!(row("home.html")["link_kind"], "file");
    assert_eq!(row("shared-link")["link_target"], "../shared");
    assert_eq!(row("shared-link")["link_kind"], "dir");
    assert!(row("index.html").get("link_target").is_none(), "a plain file has no target");
}

#[test]
fn get_r_copies_links_to_files_inside_and_leaves_the_others_with_a_reason() {
    let sshd = Sshd::start();
    tree_with_links(sshd.data_dir());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let local = tempfile::tempdir().unwrap();
    let into = local.path().to_str().unwrap();
    let output = ferry(
        config.path(),
        &["--known-hosts", known.to_str().unwrap(), "get", "-r", &format!("{}/site", base(&sshd)), into],
    );
    let printed = stderr(&output);
    assert!(!output.status.success(), "links left out make the copy incomplete: {printed}");
    let site = local.path().join("site");
    assert_eq!(std::fs::read(site.join("home.html")).unwrap(), b"<html>", "a link to a file inside is the file");
    assert!(!site.join("secret-link").exists(), "a link outside was followed without --follow-links");
    assert!(!site.join("shared-link").exists(), "a link to a folder was followed without --follow-links");
    assert!(printed.contains("secret-link") && printed.contains("--follow-links"), "{printed}");
    assert!(printed.contains("shared-link"), "{printed}");
}

#[test]
fn get_r_follow_links_follows_folders_and_outside_links_and_ends_loops() {
    let sshd = Sshd::start();
    tree_with_links(sshd.data_dir());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let local = tempfile::tempdir().unwrap();
    let into = local.path().to_str().unwrap();
    let started = std::time::Instant::now();
    let output = ferry(
        config.path(),
        &[
            "--known-hosts",
            known.to_str().unwrap(),
            "get",
            "-r",
            "--follow-links",
            &format!("{}/site", base(&sshd)),
            into,
        ],
    );
    let printed = stderr(&output);
    assert!(started.elapsed() < std::time::Duration::from_secs(60), "a loop held the copy: {printed}");
    let site = local.path().join("site");
    assert_eq!(std::fs::read(site.join("index.html")).unwrap(), b"<html>");
    assert_eq!(std::fs::read(site.join("secret-link")).unwrap(), b"outside bytes");
    assert_eq!(std::fs::read(site.join("shared-link/common.css")).unwrap(), b"body{}");
    // The loops: `self` and `shared/back` lead to folders copied already; `up` leads to the
    // server folder above, whose `site` and `shared` are copied already too.
    assert!(!site.join("sub/self").exists(), "a link to its own folder was copied again");
    assert!(!site.join("shared-link/back").exists(), "a link back into the copy was copied again");
    assert!(printed.contains("link loop"), "{printed}");
    assert!(!site.join("sub/up/site").exists(), "the copied folder was copied again through a link");
    let nested = walkdir_depth(local.path());
    assert!(nested < 8, "the copy went round a loop: {nested} levels deep");
}

/// How many folder levels deep `root` goes.
fn walkdir_depth(root: &Path) -> usize {
    std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .filter(|entry| entry.file_type().unwrap().is_dir())
        .map(|entry| 1 + walkdir_depth(&entry.path()))
        .max()
        .unwrap_or(0)
}

/// `bad/` with a link loop (`a -> b`, `b -> a`), a link to nothing (`x -> /nowhere`), a file, a
/// folder, and a link to each.
fn broken_links(data: &Path) {
    std::fs::create_dir_all(data.join("bad/real")).unwrap();
    std::fs::write(data.join("bad/real/inside.txt"), b"inside").unwrap();
    std::fs::write(data.join("bad/file.txt"), b"file").unwrap();
    symlink("b", data.join("bad/a")).unwrap();
    symlink("a", data.join("bad/b")).unwrap();
    symlink("/nowhere", data.join("bad/x")).unwrap();
    symlink("real", data.join("bad/dirlink")).unwrap();
    symlink("file.txt", data.join("bad/filelink")).unwrap();
}

#[test]
fn get_and_ls_say_a_link_loop_and_a_link_to_nothing_are_what_they_are() {
    let sshd = Sshd::start();
    broken_links(sshd.data_dir());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let bad = format!("{}/bad", base(&sshd));
    let local = tempfile::tempdir().unwrap();
    let into = local.path().to_str().unwrap();
    let nowhere = "is a link to nothing (its target /nowhere does not exist)";
    for (command, name, says) in
        [("get", "a", "is a link loop"), ("get", "x", nowhere), ("ls", "a", "is a link loop"), ("ls", "x", nowhere)]
    {
        let url = format!("{bad}/{name}");
        let mut args = vec!["--known-hosts", known, command, &url];
        if command == "get" {
            args.push(into);
        }
        let output = ferry(config.path(), &args);
        let printed = stderr(&output);
        assert!(!output.status.success(), "{command} {name}: {printed}");
        assert!(printed.contains(&format!("/bad/{name} {says}")), "{command} {name}: {printed}");
        assert!(!printed.contains("not found"), "{command} {name}: {printed}");
    }
    // In a folder's download, each is left with the same words.
    let output = ferry(config.path(), &["--known-hosts", known, "get", "-r", &bad, into]);
    let printed = stderr(&output);
    assert!(printed.contains("/bad/a is a link loop") && printed.contains("/bad/b is a link loop"), "{printed}");
    assert!(printed.contains(&format!("/bad/x {nowhere}")), "{printed}");
    assert!(!printed.contains("not found"), "{printed}");
    assert_eq!(std::fs::read(local.path().join("bad/filelink")).unwrap(), b"file");
}

#[test]
fn stat_shows_a_link_as_the_link_with_its_target() {
    let sshd = Sshd::start();
    broken_links(sshd.data_dir());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let bad = format!("{}/bad", base(&sshd));
    let stat = |name: &str| {
        let output = ferry(config.path(), &["--known-hosts", known, "stat", "--json", &format!("{bad}/{name}")]);
        assert_ok(&output);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&output)).unwrap();
        rows[0].clone()
    };
    let dirlink = stat("dirlink");
    assert_eq!(dirlink["kind"], "symlink", "{dirlink}");
    assert_eq!(dirlink["link_target"], "real", "{dirlink}");
    assert_eq!(dirlink["link_kind"], "dir", "{dirlink}");
    let filelink = stat("filelink");
    assert_eq!((filelink["kind"].as_str(), filelink["link_target"].as_str()), (Some("symlink"), Some("file.txt")));
    // A loop and a link to nothing are links too: stat shows them, leading nowhere.
    let looped = stat("a");
    assert_eq!((looped["kind"].as_str(), looped["link_target"].as_str()), (Some("symlink"), Some("b")));
    assert!(looped.get("link_kind").is_none(), "{looped}");
    // The text form shows the target as `ls -l` does; a plain file is still itself.
    let output = ferry(config.path(), &["--known-hosts", known, "stat", &format!("{bad}/x")]);
    assert_ok(&output);
    assert!(stdout(&output).starts_with('l') && stdout(&output).contains("x -> /nowhere"), "{}", stdout(&output));
    assert_eq!(stat("file.txt")["kind"], "file");
    assert_eq!(stat("real")["kind"], "dir");
}

/// The summary line's count of each cause and the last line agree, for `get -r`.
#[test]
fn get_r_summary_counts_agree_and_mixed_causes_are_not_given_one_kind() {
    let sshd = Sshd::start();
    broken_links(sshd.data_dir());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let local = tempfile::tempdir().unwrap();
    let bad = format!("{}/bad", base(&sshd));
    let output = ferry(
        config.path(),
        &["--known-hosts", known.to_str().unwrap(), "get", "-r", &bad, local.path().to_str().unwrap()],
    );
    let printed = stderr(&output);
    assert!(!output.status.success(), "{printed}");
    // a, b, x (broken links) and dirlink (a link to a folder, not followed by default).
    assert!(printed.contains("0 failed, 4 refused, 0 skipped"), "{printed}");
    let last = printed.trim_end().lines().last().unwrap_or_default();
    assert_eq!(
        last, "ferry: not all done: 4 files refused (broken link: 3, not supported: 1), named above",
        "{printed}"
    );

    // Causes that are one: the last line keeps their kind.
    let data = sshd.data_dir();
    std::fs::create_dir_all(data.join("broken")).unwrap();
    std::fs::write(data.join("broken/ok.txt"), b"ok").unwrap();
    symlink("b", data.join("broken/a")).unwrap();
    symlink("a", data.join("broken/b")).unwrap();
    symlink("gone", data.join("broken/x")).unwrap();
    let url = format!("{}/broken", base(&sshd));
    let output = ferry(
        config.path(),
        &["--known-hosts", known.to_str().unwrap(), "get", "-r", &url, local.path().to_str().unwrap()],
    );
    let printed = stderr(&output);
    assert_eq!(std::fs::read(local.path().join("broken/ok.txt")).unwrap(), b"ok");
    assert!(printed.contains("1 file, 2 B") && printed.contains("0 failed, 3 refused, 0 skipped"), "{printed}");
    assert!(printed.trim_end().ends_with("ferry: broken link: 3 files refused, named above"), "{printed}");
}

/// `ferry sync` counts a name it refused in its summary line as in its last line.
#[test]
fn sync_summary_counts_the_names_it_refused() {
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    std::fs::create_dir_all(data.join("site")).unwrap();
    std::fs::write(data.join("site/fine.txt"), b"fine").unwrap();
    std::fs::write(data.join("site/evil\\name"), b"bad").unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let local = tempfile::tempdir().unwrap();
    let output = ferry(
        config.path(),
        &[
            "--known-hosts",
            known.to_str().unwrap(),
            "sync",
            &format!("{}/site", base(&sshd)),
            local.path().to_str().unwrap(),
        ],
    );
    let printed = stderr(&output);
    assert!(!output.status.success(), "{printed}");
    assert_eq!(std::fs::read(local.path().join("fine.txt")).unwrap(), b"fine");
    assert!(printed.contains("1 file, 4 B") && printed.contains("0 failed, 1 refused"), "{printed}");
    assert!(printed.trim_end().ends_with("the folders are not in sync: 1 refused, named above"), "{printed}");
}

/// A local link to a folder is said to be one in a sync's plan, wherever the folder is.
#[test]
fn sync_says_a_local_link_to_a_folder_is_one_and_not_followed() {
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    std::fs::create_dir_all(data.join("target")).unwrap();
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(data).status().unwrap();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("private.txt"), b"private").unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("page.html"), b"page").unwrap();
    symlink(outside.path(), local.path().join("elsewhere")).unwrap();
    let output = ferry(
        config.path(),
        &[
            "--known-hosts",
            known.to_str().unwrap(),
            "sync",
            local.path().to_str().unwrap(),
            &format!("{}/target", base(&sshd)),
        ],
    );
    let (plan, printed) = (stdout(&output), stderr(&output));
    assert!(!output.status.success(), "{printed}");
    let line = plan.lines().find(|line| line.contains("elsewhere")).unwrap_or_else(|| panic!("{plan}"));
    assert!(line.contains("a link to a folder, not followed"), "{line}");
    assert!(!plan.contains("outside") && !printed.contains("permission denied"), "{plan}{printed}");
    assert!(!data.join("target/elsewhere").exists(), "the link was followed");
    assert_eq!(std::fs::read(data.join("target/page.html")).unwrap(), b"page");
}
