//! Links on the server, through the whole window on a real SSH server: a link to a file opens
//! (double-click) as that file and is downloaded; a link to a folder opens the folder; the row
//! shows where the link leads.

use crate::gui::{connect, desk, open_up, sftp_url, wait_for_file};
use crate::support::{self, Sshd};
use crate::window_driver::{app_harness, double_click, wait_for};

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
