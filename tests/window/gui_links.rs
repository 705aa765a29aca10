//! Links on the server, through the whole window on a real SSH server: a link to a file opens
//! (double-click) as that file and is downloaded; a link to a folder opens the folder; the row
//! shows where the link leads.

use crate::gui::{connect, desk, open_up, sftp_url, wait_for_file};
use crate::support::{self, Sshd};
use crate::window_driver::{app_harness, click_node, double_click, rightmost, topmost, wait_for, wait_until};
use egui_kittest::kittest::Queryable;

#[test]
fn double_click_on_a_link_to_a_file_downloads_it_and_on_a_link_to_a_folder_opens_it() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    std::fs::write(data.join("report-2026.txt"), b"the real report").unwrap();
    std::os::unix::fs::symlink("report-2026.txt", data.join("latest.txt")).unwrap();
    std::fs::create_dir(data.join("releases")).unwrap();
    std::fs::write(data.join("releases/inside-the-folder.txt"), b"x").unwrap();
    std::os::unix::fs::symlink("releases", data.join("current")).unwrap();
    open_up(data);
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "latest.txt");
    // Where each link leads is shown in its row, without hovering.
    wait_for(&mut harness, "→ report-2026.txt");
    wait_for(&mut harness, "→ releases");

    double_click(&mut harness, "latest.txt");
    wait_for_file(&mut harness, &desk.local.path().join("latest.txt"), b"the real report");

    double_click(&mut harness, "current");
    wait_for(&mut harness, "inside-the-folder.txt");
}

/// A link to a folder has a folder's icon with the link arrow, no size, and sorts among the
/// folders; a link loop opened says it is one.
#[test]
fn a_link_to_a_folder_looks_and_sorts_like_a_folder_and_a_loop_says_what_it_is() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    std::fs::write(data.join("aaa.txt"), b"abc").unwrap();
    std::fs::create_dir(data.join("zdir")).unwrap();
    std::os::unix::fs::symlink("zdir", data.join("current")).unwrap();
    std::os::unix::fs::symlink("loop-b", data.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", data.join("loop-b")).unwrap();
    open_up(data);
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "aaa.txt");
    wait_for(&mut harness, "→ zdir");

    assert!(harness.query_by_label("Link to a folder").is_some(), "a link to a folder has a folder's icon");
    // The link's own size (4 bytes: "zdir") is not a folder's size: none is shown.
    assert!(harness.query_by_label("4 B").is_none(), "a link to a folder shows a size");
    let top = |label: &str| rightmost(&harness, label).rect().center().y;
    assert!(top("current") < top("zdir") && top("zdir") < top("aaa.txt"), "folders (and links to them) come first");

    double_click(&mut harness, "loop-a");
    wait_until(&mut harness, "the loop named", |h| {
        h.query_all_by_label_contains("loop-a is a link loop").next().is_some()
    });
    assert!(harness.query_all_by_label_contains("not found").next().is_none(), "a loop was said to be missing");
}

/// The remote menu's "Download following links" copies a folder with what its links lead to, as
/// `ferry get -r --follow-links` does; plain Download leaves a link to a folder out.
#[test]
fn download_following_links_copies_what_a_folders_links_lead_to() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let data = sshd.data_dir();
    std::fs::create_dir_all(data.join("site")).unwrap();
    std::fs::create_dir_all(data.join("shared")).unwrap();
    std::fs::write(data.join("site/index.html"), b"<html>").unwrap();
    std::fs::write(data.join("shared/common.css"), b"body{}").unwrap();
    std::os::unix::fs::symlink("../shared", data.join("site/shared-link")).unwrap();
    open_up(data);
    let desk = desk();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "site");

    rightmost(&harness, "site").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Download"));
    wait_for_file(&mut harness, &desk.local.path().join("site/index.html"), b"<html>");
    harness.run_steps(20);
    assert!(!desk.local.path().join("site/shared-link").exists(), "plain Download followed a link to a folder");

    std::fs::remove_dir_all(desk.local.path().join("site")).unwrap();
    rightmost(&harness, "site").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Download following links"));
    wait_for_file(&mut harness, &desk.local.path().join("site/shared-link/common.css"), b"body{}");
    assert_eq!(std::fs::read(desk.local.path().join("site/index.html")).unwrap(), b"<html>");
}
