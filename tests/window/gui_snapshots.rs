//! Pictures of the main window, compared pixel by pixel with the images committed under
//! `tests/snapshots`: the window connected over SFTP to a real sshd, a listing on each side and a
//! download running in the queue, in the light and the dark theme (and at 200 % zoom).
//!
//! The pictures are drawn by wgpu on the CPU (Mesa's llvmpipe through EGL, no display and no GPU
//! needed), so they are the same on every machine within a small tolerance. After a deliberate
//! change to the window, write them again and look at them before committing:
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test --test window gui_snapshots      # rewrites the pictures that differ
//! UPDATE_SNAPSHOTS=force cargo test --test window gui_snapshots  # rewrites them all
//! ```
//!
//! A failing comparison leaves `NAME.new.png` (what the window looks like now) and `NAME.diff.png`
//! (the differing pixels) beside the committed `NAME.png`.
//!
//! What would change from run to run is kept fixed: the folders shown are fixed paths with fixed
//! names, sizes, permissions and times; the running download is stalled by a relay at a fixed byte
//! count, so its progress never moves. Only what shows the relay's port (the tab, the status line,
//! the Port field) differs between runs; it is painted over before the comparison.

use crate::cutting_proxy;
use crate::support;
use crate::window_driver;

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use cutting_proxy::{Cut, CuttingProxy, Direction as CutDirection, Fault};
use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions};
use ferry::app::{FerryApp, Startup};
use ferry::backend::ConnectSettings;
use ferry::config::ConfigDir;
use ferry::transfer::progress::format_bytes;
use ferry::worker::{TransferSettings, WorkerOptions};
use support::{Sshd, TEST_PASSWORD, TEST_USER};
use window_driver::{click, click_node, type_into, wait_for, wait_until};

/// Where the fixed folders live: their paths show in the window, so they must not change.
pub(crate) const FIXTURE_ROOT: &str = "/tmp/ferry-snapshots";
/// The folder the local pane shows.
const LOCAL_FOLDER: &str = "/tmp/ferry-snapshots/local";
/// The folder the remote pane shows.
const REMOTE_FOLDER: &str = "/tmp/ferry-snapshots/remote";

/// The file being downloaded: on the server whole, in the local folder an older partial copy
/// (its first 40 %), which the download replaces.
const DOWNLOAD_NAME: &str = "debian-12.9.0-amd64-netinst.iso";
const DOWNLOAD_SIZE: u64 = 663_748_608;
const DOWNLOAD_ALREADY: u64 = 265_289_728;

/// The window's size in points, as on a common laptop screen.
const WINDOW_SIZE: egui::Vec2 = egui::vec2(1280.0, 800.0);

/// The server-to-client bytes after which the download's connection stalls. Everything before
/// the first data reply (key exchange, login, opening the file: about 4 KB) gets through; the
/// first data reply (30 KB and more) does not, so the progress stays at what the local part held.
const STALL_AFTER_BYTES: u64 = 16_000;

/// The tests share the fixed folders (and the two CPU cores): one at a time.
pub(crate) static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A file or folder of a fixture: name, size (files; None for a folder), local wall-clock time
/// of its last change, permission bits.
pub(crate) struct Item {
    pub(crate) name: &'static str,
    pub(crate) size: Option<u64>,
    pub(crate) modified: &'static str,
    pub(crate) mode: u32,
}

pub(crate) const fn file(name: &'static str, size: u64, modified: &'static str) -> Item {
    Item { name, size: Some(size), modified, mode: 0o644 }
}

pub(crate) const fn folder(name: &'static str, modified: &'static str) -> Item {
    Item { name, size: None, modified, mode: 0o755 }
}

const LOCAL_ITEMS: &[Item] = &[
    folder("Invoices", "2025-02-28 17:05"),
    folder("Photos", "2025-03-09 11:42"),
    folder("website", "2025-03-12 16:20"),
    file("budget-2025.ods", 48_213, "2025-01-17 09:12"),
    file(DOWNLOAD_NAME, DOWNLOAD_ALREADY, "2025-03-14 08:55"),
    file("meeting-notes.txt", 1_204, "2025-03-13 14:31"),
    file("README.md", 3_517, "2025-02-02 10:03"),
    file("vacation.jpg", 2_483_112, "2024-08-21 19:47"),
    file(".bashrc", 220, "2024-06-01 12:00"),
];

const REMOTE_ITEMS: &[Item] = &[
    folder("backups", "2025-03-01 02:00"),
    folder("public_html", "2025-03-10 18:33"),
    folder("releases", "2025-01-11 10:30"),
    file("CHANGELOG.md", 12_877, "2025-03-02 15:48"),
    file(DOWNLOAD_NAME, DOWNLOAD_SIZE, "2025-01-11 10:24"),
    Item { name: "deploy.sh", size: Some(1_893), modified: "2025-02-20 21:07", mode: 0o755 },
    file("index.html", 5_120, "2025-03-10 18:31"),
    file("robots.txt", 68, "2024-11-05 08:15"),
    file("site-backup.tar.gz", 18_874_368, "2025-03-01 02:14"),
];

/// The instant at which the window, in this machine's time zone, shows `wall` ("2025-03-14
/// 08:55"): the pictures then read the same in every time zone.
fn shown_as(wall: &str) -> std::time::SystemTime {
    use chrono::TimeZone;
    let naive = chrono::NaiveDateTime::parse_from_str(wall, "%Y-%m-%d %H:%M").unwrap();
    chrono::Local.from_local_datetime(&naive).earliest().unwrap().into()
}

fn set_times_and_mode(path: &Path, item: &Item) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(item.mode)).unwrap();
    std::fs::File::open(path).unwrap().set_modified(shown_as(item.modified)).unwrap();
}

/// Makes `dir` hold exactly `items` (files of zeros, sparse), whatever an earlier run left there.
pub(crate) fn make_folder(dir: &Path, items: &[Item]) {
    if std::fs::symlink_metadata(dir).is_ok() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir).unwrap();
    for item in items {
        let path = dir.join(item.name);
        match item.size {
            Some(size) => std::fs::File::create(&path).unwrap().set_len(size).unwrap(),
            None => std::fs::create_dir(&path).unwrap(),
        }
        set_times_and_mode(&path, item);
    }
}

/// The fixed local and remote folders, made afresh. The server's login user must be able to
/// read them, hence the open modes up the path.
fn make_fixtures() {
    let root = Path::new(FIXTURE_ROOT);
    let metadata = std::fs::symlink_metadata(root);
    assert!(metadata.as_ref().map_or(true, |m| m.is_dir()), "{FIXTURE_ROOT} exists and is not a folder");
    std::fs::create_dir_all(root).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    make_folder(Path::new(LOCAL_FOLDER), LOCAL_ITEMS);
    make_folder(Path::new(REMOTE_FOLDER), REMOTE_ITEMS);
}

/// wgpu on the CPU through OpenGL (EGL without a display): present wherever Mesa is, and the same
/// rasteriser everywhere, so pictures from different machines compare. `WGPU_BACKEND` overrides.
pub(crate) fn software_renderer() -> egui_kittest::wgpu::WgpuTestRenderer {
    use eframe::egui_wgpu::{self, wgpu};
    let egui_wgpu::WgpuSetup::CreateNew(mut setup) = egui_kittest::wgpu::default_wgpu_setup() else {
        unreachable!("the default setup creates its own instance")
    };
    setup.instance_descriptor.backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::GL);
    egui_kittest::wgpu::WgpuTestRenderer::from_setup(egui_wgpu::WgpuSetup::CreateNew(setup))
}

/// The window at a laptop's size and `zoom` pixels per point, its local pane on `local`, its files
/// in `config`.
pub(crate) fn window_showing(config: &Path, zoom: f32, local: &str) -> Harness<'static, FerryApp> {
    window_sized(config, zoom, local, WINDOW_SIZE)
}

/// The same window, `size` points big.
fn window_sized(config: &Path, zoom: f32, local: &str, size: egui::Vec2) -> Harness<'static, FerryApp> {
    let local = local.to_owned();
    let worker = WorkerOptions {
        user_known_hosts: None,
        // The stalled download must stay "Running" for the picture, not time out and retry.
        settings: ConnectSettings { timeout: Duration::from_secs(300), ..ConnectSettings::default() },
        // On one connection, the one the relay stalls: in segments the others would move it on.
        transfer: TransferSettings { segment_threshold: u64::MAX, ..TransferSettings::default() },
        ..WorkerOptions::new(ConfigDir::at(config))
    };
    Harness::builder()
        .with_size(size)
        .with_pixels_per_point(zoom)
        .with_render_cursor(false)
        .with_options(snapshot_options())
        .renderer(software_renderer())
        .build_eframe(move |creation| {
            let startup = Startup { worker, url: None, local_folder: Some(local) };
            FerryApp::start(&creation.egui_ctx, startup).expect("worker starts")
        })
}

/// How close a picture must be to the committed one. A pixel counts as different when its colour
/// moved by more than the threshold (egui's default 0.6, weighted squared YIQ distance), and no
/// such pixel is allowed. Measured here: two runs give identical pictures; drawing through
/// Vulkan (lavapipe) instead of OpenGL moves 42 pixels of the 200 % picture, all below the
/// threshold; a file time one minute later ("08:16" for "08:15") moves 20 pixels far above it
/// (distance over 10). So a rasteriser's shading passes and a changed character fails.
fn snapshot_options() -> SnapshotOptions {
    SnapshotOptions::new().threshold(0.6).max_failed_pixels(0)
}

/// The row named `name` in the remote pane (the right-most of the widgets with that label: the
/// local pane may list the same name).
fn remote_row<'a>(harness: &'a Harness<'_, FerryApp>, name: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_label(name)
        .max_by(|a, b| a.rect().left().total_cmp(&b.rect().left()))
        .unwrap_or_else(|| panic!("no \"{name}\" in {:#?}", harness.root()))
}

/// Paints over every widget whose text contains `text`; returns how many there were. Names that
/// only a screen reader hears (the window's, "Close tab <site>" on a tab's "x") show nothing.
pub(crate) fn mask_widgets_showing(harness: &mut Harness<'_, FerryApp>, text: &str) -> usize {
    let text = text.to_owned();
    let rects: Vec<egui::Rect> = harness
        .query_all_by(move |node| {
            let spoken_only = node.role() == egui::accesskit::Role::Window
                || node.label().is_some_and(|label| label.starts_with("Close tab "));
            !spoken_only
                && (node.label().is_some_and(|label| label.contains(&text))
                    || node.value().is_some_and(|value| value.contains(&text)))
        })
        .map(|node| node.rect())
        .collect();
    for rect in &rects {
        harness.mask(*rect);
    }
    rects.len()
}

/// The window connected to a real sshd through a relay, with the local and remote folders listed
/// and the big download resumed and stalled at 40 %; themed `theme`, then compared with the
/// picture `name`.
fn main_window_snapshot(name: &str, theme: &str, zoom: f32) {
    main_window_snapshot_sized(name, theme, zoom, WINDOW_SIZE);
}

/// The same picture of a window `size` points big.
fn main_window_snapshot_sized(name: &str, theme: &str, zoom: f32, size: egui::Vec2) {
    support::require_password_logins();
    let _one_at_a_time = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    make_fixtures();
    let sshd = Sshd::start();
    // The first connection lists folders; the second is the download's, which stalls.
    let browse = Cut { direction: CutDirection::ToClient, after_bytes: u64::MAX, fault: Fault::Drop };
    let stall = Cut { direction: CutDirection::ToClient, after_bytes: STALL_AFTER_BYTES, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![browse, stall]);
    let config = tempfile::tempdir().unwrap();
    // The host key is known already: no question to answer, no extra connection.
    std::fs::write(
        config.path().join("known_hosts"),
        format!("[127.0.0.1]:{} {}\n", proxy.port(), sshd.host_key_public_line()),
    )
    .unwrap();

    let mut harness = window_sized(config.path(), zoom, LOCAL_FOLDER, size);
    wait_for(&mut harness, "meeting-notes.txt");
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{REMOTE_FOLDER}", proxy.port());
    type_into(&mut harness, "Host", &url);
    click(&mut harness, "Connect");
    wait_for(&mut harness, "CHANGELOG.md");

    // Download the big file over its older local copy, replacing it. (Not "Resume": a resume first
    // reads the server's bytes just before the local copy's end to check that it is the beginning
    // of the file, on this very connection, and the stall would hold that check, not the data.)
    click_node(&mut harness, |h| remote_row(h, DOWNLOAD_NAME));
    remote_row(&harness, DOWNLOAD_NAME).click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| h.query_all_by_label("Download").last().unwrap());
    wait_for(&mut harness, "already exists");
    click(&mut harness, "Overwrite");
    let progress = format!("{} of {}", format_bytes(0), format_bytes(DOWNLOAD_SIZE));
    wait_until(&mut harness, "the download running, stalled before its first data", |h| {
        h.query_by_label("Running").is_some() && h.query_by_label(&progress).is_some()
    });
    // Nothing arrives after the stall: the row keeps what the part file held.
    std::thread::sleep(Duration::from_millis(500));
    harness.run_steps(4);
    assert!(harness.query_by_label(&progress).is_some(), "the stalled download did not move: {:#?}", harness.root());

    click(&mut harness, "View");
    click_node(&mut harness, |h| h.query_all_by_label(theme).last().unwrap());
    // A menu left open after a choice is closed with Escape, as a user would (with none open,
    // Escape would clear the pane's selection).
    if harness.query_by_label("Follow the system").is_some() {
        harness.key_press(egui::Key::Escape);
    }
    harness.remove_cursor();
    harness.run_steps(4);
    assert!(harness.query_by_label("Follow the system").is_none(), "the View menu is closed");
    let expected_theme = if theme == "Dark" { egui::Theme::Dark } else { egui::Theme::Light };
    assert_eq!(harness.ctx.theme(), expected_theme);

    let masked = mask_widgets_showing(&mut harness, &proxy.port().to_string());
    assert!(masked >= 3, "the tab, the status line and the Port field show the port: {masked} masked");
    harness.snapshot(name);

    // The stalled connection is let go first, so the worker's shutdown does not wait on it.
    drop(proxy);
    drop(harness);
    let _ = std::fs::remove_file(Path::new(LOCAL_FOLDER).join(format!(".{DOWNLOAD_NAME}.ferry-part")));
}

#[test]
fn main_window_light() {
    main_window_snapshot("main_window_light", "Light", 1.0);
}

#[test]
fn main_window_dark() {
    main_window_snapshot("main_window_dark", "Dark", 1.0);
}

#[test]
fn main_window_light_at_200_percent() {
    main_window_snapshot("main_window_light_200", "Light", 2.0);
}

#[test]
fn small_window_light() {
    main_window_snapshot_sized("main_window_800x600_light", "Light", 1.0, egui::vec2(800.0, 600.0));
}

#[test]
fn small_window_dark() {
    main_window_snapshot_sized("main_window_800x600_dark", "Dark", 1.0, egui::vec2(800.0, 600.0));
}

#[test]
fn full_hd_window_light() {
    main_window_snapshot_sized("main_window_1920x1080_light", "Light", 1.0, egui::vec2(1920.0, 1080.0));
}

#[test]
fn full_hd_window_dark() {
    main_window_snapshot_sized("main_window_1920x1080_dark", "Dark", 1.0, egui::vec2(1920.0, 1080.0));
}
