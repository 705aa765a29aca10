//! The transfers a last run left unfinished: "Discard" forgets them without connecting anywhere
//! (no question about a key or a password), removes their local part files, and leaves a partial
//! upload on a server it is not connected to.

use crate::support;
use crate::window_driver;

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use ferry::config::ConfigDir;
use ferry::model::{ConnectSpec, Protocol, RequestId};
use ferry::transfer::policy::OnExists;
use ferry::worker::{Direction, ItemId, ItemState, QueueItem};
use support::{Sshd, TEST_USER};
use window_driver::{app_harness, click, wait_for};

fn unfinished(
    id: u64,
    site: &ConnectSpec,
    direction: Direction,
    remote: String,
    local: std::path::PathBuf,
) -> QueueItem {
    QueueItem {
        id: ItemId(id),
        request: RequestId(1),
        site: site.clone(),
        direction,
        remote,
        local_root: local.parent().unwrap().to_path_buf(),
        local,
        is_folder: false,
        size: Some(1 << 20),
        modified: None,
        mode: None,
        bytes_done: 1 << 10,
        started: true,
        state: ItemState::Running,
        error: None,
        on_exists: OnExists::Overwrite,
        verify: false,
        integrity: None,
        retry_note: None,
        success_note: None,
    }
}

#[test]
fn discard_forgets_the_rows_and_local_parts_without_asking_for_a_password() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let mut site = ConnectSpec::new(Protocol::Sftp, "127.0.0.1");
    site.port = sshd.port();
    site.user = TEST_USER.into();
    // What the last run had written: a partial upload on the server, a partial download here.
    let remote_part = sshd.data_dir().join(".upload.bin.ferry-part");
    std::fs::write(&remote_part, vec![7u8; 1024]).unwrap();
    let local_part = local.path().join(".download.bin.ferry-part");
    std::fs::write(&local_part, vec![9u8; 1024]).unwrap();
    let upload_remote = sshd.data_dir().join("upload.bin").to_string_lossy().into_owned();
    let items = [
        unfinished(1, &site, Direction::Upload, upload_remote, local.path().join("upload.bin")),
        unfinished(2, &site, Direction::Download, "/srv/download.bin".into(), local.path().join("download.bin")),
    ];
    let queue_file = ConfigDir::at(config.path()).queue();
    ferry::worker::queue::save(&queue_file, &items).unwrap();

    let mut harness = app_harness(config.path(), local.path());
    wait_for(&mut harness, "2 transfers left unfinished last time");
    // The button says what it leaves behind.
    let discard = harness.get_by_label("Discard").rect().center();
    harness.hover_at(discard);
    harness.run_steps(8);
    assert!(
        harness.query_all_by_label_contains("left there").next().is_some(),
        "the hover text tells that partial uploads stay on the server: {:#?}",
        harness.root()
    );
    // The connect bar has a Password field of its own: a question would add another.
    let password_fields = harness.query_all_by_label("Password").count();
    click(&mut harness, "Discard");
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        harness.step();
        let asked = harness.query_all_by_label("Accept once").next().is_some()
            || harness.query_all_by_label("Password").count() > password_fields;
        assert!(!asked, "Discard asked about the server or a password: {:#?}", harness.root());
    }
    assert!(harness.query_all_by_label_contains("left unfinished").next().is_none());
    for row in ["upload.bin", "download.bin"] {
        assert!(harness.query_by_label(row).is_none(), "the row {row} is forgotten: {:#?}", harness.root());
    }
    assert!(harness.query_all_by_label("Cancelled").next().is_none(), "no row is left as Cancelled");
    assert!(!queue_file.exists(), "nothing is offered again next time");
    assert!(!local_part.exists(), "the local part file is removed");
    assert!(remote_part.exists(), "the server was not contacted: its part file is left");
}
