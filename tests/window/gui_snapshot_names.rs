//! A picture of both panes listing names in Chinese, Japanese, Korean, Cyrillic and Arabic, and
//! with symbols (✓, arrows): drawn with the system's fonts where egui's own have no glyph, so no
//! name shows as boxes. Compared with `tests/snapshots/names_in_many_scripts.png` as the other
//! pictures are (see `gui_snapshots.rs` for how to write them again).

use crate::gui_snapshots::{self, Item, ONE_AT_A_TIME, file, folder};
use crate::support;
use crate::window_driver;

use std::path::Path;

use support::{Sshd, TEST_PASSWORD, TEST_USER};
use window_driver::{click, type_into, wait_for};

const LOCAL: &str = "/tmp/ferry-snapshots/names-local";
const REMOTE: &str = "/tmp/ferry-snapshots/names-remote";

const LOCAL_ITEMS: &[Item] = &[
    folder("照片", "2025-03-09 11:42"),
    folder("Документы", "2025-02-28 17:05"),
    file("報告書 2025.pdf", 48_213, "2025-01-17 09:12"),
    file("회의록.txt", 1_204, "2025-03-13 14:31"),
    file("مرحبا.txt", 3_517, "2025-02-02 10:03"),
    file("✓ done → archive.txt", 220, "2024-06-01 12:00"),
];

const REMOTE_ITEMS: &[Item] = &[
    folder("バックアップ", "2025-03-01 02:00"),
    folder("公开", "2025-03-10 18:33"),
    file("Привет мир.md", 12_877, "2025-03-02 15:48"),
    file("사진.jpg", 2_483_112, "2024-08-21 19:47"),
    file("التقرير.html", 5_120, "2025-03-10 18:31"),
    file("← older ↑ up ✓.txt", 68, "2024-11-05 08:15"),
];

#[test]
fn names_in_many_scripts() {
    support::require_password_logins();
    let _one_at_a_time = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    std::fs::create_dir_all(gui_snapshots::FIXTURE_ROOT).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let open = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(gui_snapshots::FIXTURE_ROOT, open).unwrap();
    }
    gui_snapshots::make_folder(Path::new(LOCAL), LOCAL_ITEMS);
    gui_snapshots::make_folder(Path::new(REMOTE), REMOTE_ITEMS);
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("known_hosts"),
        format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line()),
    )
    .unwrap();

    let mut harness = gui_snapshots::window_showing(config.path(), 1.0, LOCAL);
    wait_for(&mut harness, "회의록.txt");
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{REMOTE}", sshd.port());
    type_into(&mut harness, "Host", &url);
    click(&mut harness, "Connect");
    wait_for(&mut harness, "사진.jpg");
    harness.remove_cursor();
    harness.run_steps(4);

    // What a user checks: every name's characters have a font (no boxes).
    for item in LOCAL_ITEMS.iter().chain(REMOTE_ITEMS) {
        assert!(ferry::gui::fonts::can_draw(&harness.ctx, item.name), "{} would show boxes", item.name);
    }
    let masked = gui_snapshots::mask_widgets_showing(&mut harness, &sshd.port().to_string());
    assert!(masked >= 2, "the tab and the Port field show the port: {masked} masked");
    harness.snapshot("names_in_many_scripts");
}
