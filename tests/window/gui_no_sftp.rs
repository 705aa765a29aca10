//! A server without SFTP in the window: its folder opens over SCP, and the pane says so above
//! the listing, so a user knows why some things (resuming an upload) work differently there.

use crate::support;
use crate::window_driver;

use egui_kittest::kittest::Queryable;
use support::{Sshd, TEST_PASSWORD, TEST_USER};
use window_driver::{app_harness, click, type_into, wait_for, wait_until};

#[test]
fn a_server_without_sftp_opens_over_scp_and_the_pane_says_so() {
    support::require_password_logins();
    let sshd = Sshd::start_without_sftp();
    std::fs::write(sshd.data_dir().join("over-scp.txt"), b"x").unwrap();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("local-note.txt"), b"from my desk").unwrap();
    let mut harness = app_harness(config.path(), local.path());
    wait_for(&mut harness, "local-note.txt");
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    type_into(&mut harness, "Host", &url);
    click(&mut harness, "Connect");
    wait_until(&mut harness, "connected", |h| {
        h.query_by_label("Accept once").is_some() || h.query_all_by_label_contains("over-scp.txt").next().is_some()
    });
    if harness.query_by_label("Accept once").is_some() {
        click(&mut harness, "Accept once");
    }
    wait_for(&mut harness, "over-scp.txt");
    let notices = harness.query_all_by_label_contains("does not offer SFTP: Ferry works over SCP").count();
    assert_eq!(notices, 1, "the pane says so once");
}
