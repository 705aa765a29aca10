//! The window, driven with egui_kittest through the real worker against a real sshd.

mod support;

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ferry::app::{FerryApp, TITLE, native_options};
use ferry::config::ConfigDir;
use ferry::worker::WorkerOptions;
use support::{Sshd, TEST_PASSWORD, TEST_USER};

fn app_harness(config: &std::path::Path) -> Harness<'static, FerryApp> {
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config)) };
    Harness::new_eframe(move |creation| FerryApp::new(&creation.egui_ctx, options, None).expect("worker starts"))
}

/// Steps the UI until `label` appears, as a user would wait for it.
fn wait_for(harness: &mut Harness<'_, FerryApp>, label: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while harness.query_by_label_contains(label).is_none() {
        assert!(Instant::now() < deadline, "\"{label}\" never appeared in {:#?}", harness.root());
        std::thread::sleep(Duration::from_millis(30));
        harness.step();
    }
}

#[test]
fn the_window_is_titled_ferry() {
    assert_eq!(native_options().viewport.title.as_deref(), Some(TITLE));
    assert_eq!(TITLE, "Ferry");
    let config = tempfile::tempdir().unwrap();
    let mut harness = app_harness(config.path());
    harness.run();
    harness.get_by_label("Ferry");
    harness.get_by_label("Not connected");
}

#[test]
fn connects_through_the_worker_asks_about_the_key_and_lists() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("hello.txt"), b"hi").unwrap();
    let config = tempfile::tempdir().unwrap();
    let mut harness = app_harness(config.path());
    harness.run();
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", sshd.port());
    harness.get_by_label("Address").click();
    harness.run();
    harness.get_by_label("Address").type_text(&url);
    harness.run();
    harness.get_by_label("Connect").click();
    wait_for(&mut harness, &sshd.host_key_fingerprint());
    harness.get_by_label("Accept once").click();
    wait_for(&mut harness, "hello.txt");
    assert!(harness.query_by_label_contains("Connected to sftp://").is_some());
    assert!(!config.path().join("known_hosts").exists(), "accepted once, not remembered");
}

#[test]
fn transfers_left_unfinished_are_offered_again_and_can_be_discarded() {
    let config = tempfile::tempdir().unwrap();
    let mut site = ferry::model::ConnectSpec::new(ferry::model::Protocol::Sftp, "127.0.0.1");
    site.port = 9; // never contacted: the item is discarded
    let item = ferry::worker::QueueItem {
        id: ferry::worker::ItemId(1),
        request: ferry::model::RequestId(1),
        site,
        direction: ferry::worker::Direction::Download,
        remote: "/srv/big.iso".into(),
        local: config.path().join("big.iso"),
        local_root: config.path().to_path_buf(),
        is_folder: false,
        size: Some(1 << 30),
        modified: None,
        bytes_done: 1 << 20,
        started: true,
        state: ferry::worker::ItemState::Running,
        error: None,
        on_exists: ferry::transfer::policy::OnExists::Overwrite,
        verify: false,
        integrity: None,
    };
    let queue_file = ConfigDir::at(config.path()).queue();
    ferry::worker::queue::save(&queue_file, &[item]).unwrap();

    let mut harness = app_harness(config.path());
    harness.run();
    wait_for(&mut harness, "1 transfer left unfinished last time");
    harness.get_by_label("Discard").click();
    harness.run();
    let deadline = Instant::now() + Duration::from_secs(10);
    while queue_file.exists() {
        assert!(Instant::now() < deadline, "the discarded transfer is forgotten");
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
    }
    assert!(harness.query_by_label_contains("left unfinished").is_none());
}
