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
