//! The common ways to move between folders and send files across, through the whole window on
//! the real worker: the Upload and Download buttons and the Transfer menu, Enter on several
//! rows, the `..` row, the folder you came from selected after Up and Back, and the frame that
//! marks the pane the keyboard goes to.

use crate::gui::{connect, desk, open_up, sftp_url, wait_for_file};
use crate::gui_snapshots::software_renderer;
use crate::support::{self, Sshd};
use crate::window_driver::{app_harness, click, click_node, double_click, rightmost, topmost, wait_for, wait_until};

use std::path::Path;

use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::{FerryApp, Startup};
use ferry::config::ConfigDir;
use ferry::worker::WorkerOptions;

/// Hovers the widget labelled `label` long enough for its tooltip, and tells whether a text
/// containing `hint` is then shown.
fn hover_shows(harness: &mut Harness<'_, FerryApp>, label: &str, hint: &str) -> bool {
    harness.get_by_label(label).hover();
    harness.run_steps(4);
    harness.query_all_by_label_contains(hint).next().is_some()
}

fn is_disabled(harness: &Harness<'_, FerryApp>, label: &str) -> bool {
    harness.get_by_label(label).accesskit_node().is_disabled()
}

#[test]
fn upload_and_download_buttons_and_the_transfer_menu_send_the_selection() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("from-server.txt"), b"server bytes").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    std::fs::write(desk.local.path().join("second.txt"), b"second file").unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");

    // Not connected: Upload is there, disabled, and says why.
    assert!(is_disabled(&harness, "Upload"), "no upload without a connection");
    assert!(hover_shows(&mut harness, "Upload", "Connect to a server first"));

    connect(&mut harness, &sftp_url(&sshd), "from-server.txt");
    assert!(is_disabled(&harness, "Upload") && is_disabled(&harness, "Download"), "nothing is selected yet");
    assert!(hover_shows(&mut harness, "Upload", "Select files or folders here"));

    click(&mut harness, "local-note.txt");
    assert!(!is_disabled(&harness, "Upload"));
    click(&mut harness, "Upload");
    wait_for_file(&mut harness, &sshd.data_dir().join("local-note.txt"), b"from my desk");

    click_node(&mut harness, |h| rightmost(h, "from-server.txt"));
    click(&mut harness, "Download");
    wait_for_file(&mut harness, &desk.local.path().join("from-server.txt"), b"server bytes");

    // The same from the menu bar.
    click(&mut harness, "second.txt");
    click(&mut harness, "Transfer");
    click_node(&mut harness, |h| topmost(h, "Upload selection"));
    wait_for_file(&mut harness, &sshd.data_dir().join("second.txt"), b"second file");
}

#[test]
fn enter_on_several_rows_sends_files_and_folders_and_enter_on_one_folder_opens_it() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("on-server.txt"), b"x").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    std::fs::create_dir(desk.local.path().join("album")).unwrap();
    std::fs::write(desk.local.path().join("album/photo.jpg"), b"jpeg bytes").unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "on-server.txt");

    click(&mut harness, "album");
    harness.get_by_label("local-note.txt").click_modifiers(Modifiers::CTRL);
    harness.run_steps(2);
    harness.key_press(Key::Enter);
    harness.run_steps(2);
    wait_for_file(&mut harness, &sshd.data_dir().join("album/photo.jpg"), b"jpeg bytes");
    wait_for_file(&mut harness, &sshd.data_dir().join("local-note.txt"), b"from my desk");

    // One folder: Enter opens it, in the remote pane once its listing shows the upload (the
    // remote pane holds three items, then the one photo).
    wait_for(&mut harness, "3 items");
    click_node(&mut harness, |h| rightmost(h, "album"));
    harness.key_press(Key::Enter);
    wait_until(&mut harness, "the remote album opened", |h| h.query_by_label("1 item").is_some());
}

/// A folder of 80 folders `d00`..`d79` and a file (81 items); `d75` holds `inner.txt`.
fn many_folders(root: &Path) {
    for n in 0..80 {
        std::fs::create_dir(root.join(format!("d{n:02}"))).unwrap();
    }
    std::fs::write(root.join("d75/inner.txt"), b"inside").unwrap();
    std::fs::write(root.join("top.txt"), b"top").unwrap();
}

/// Whether the folder shown has exactly one row selected and `name` is drawn (scrolled into view).
fn shows_selected(harness: &Harness<'_, FerryApp>, name: &str) -> bool {
    harness.query_by_label(name).is_some() && harness.query_all_by_label_contains(", 1 selected").next().is_some()
}

#[test]
fn the_parent_row_goes_up_and_the_folder_you_came_from_is_selected() {
    let config = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    many_folders(root.path());
    let mut harness = app_harness(config.path(), &root.path().join("d75"));
    wait_for(&mut harness, "inner.txt");

    // Up: the folder we were in is selected and scrolled into view, far down the list.
    click(&mut harness, "Up");
    wait_for(&mut harness, "81 items");
    wait_until(&mut harness, "d75 selected and shown after Up", |h| shows_selected(h, "d75"));

    // Enter opens the selected folder; Back comes up again with it selected.
    harness.key_press(Key::Enter);
    wait_for(&mut harness, "inner.txt");
    click(&mut harness, "Back");
    wait_for(&mut harness, "81 items");
    wait_until(&mut harness, "d75 selected and shown after Back", |h| shows_selected(h, "d75"));

    // The `..` row: a click puts the cursor on it, but it is never selected, so Delete asks
    // nothing; Enter on it goes up.
    harness.key_press(Key::Enter);
    wait_for(&mut harness, "inner.txt");
    click(&mut harness, "..");
    assert!(harness.query_all_by_label_contains(", 1 selected").next().is_none(), "`..` is not selected");
    harness.key_press(Key::Delete);
    harness.run_steps(2);
    assert!(harness.query_all_by_label_contains("Delete 1 item").next().is_none(), "nothing to delete");
    harness.key_press(Key::Enter);
    wait_until(&mut harness, "d75 selected and shown after `..`", |h| shows_selected(h, "d75"));

    // A double-click on it goes up too; at the root there is none.
    harness.key_press(Key::Enter);
    wait_for(&mut harness, "inner.txt");
    double_click(&mut harness, "..");
    wait_for(&mut harness, "81 items");
    let mut at_root = app_harness(config.path(), Path::new("/"));
    wait_for(&mut at_root, "etc");
    assert!(at_root.query_by_label("..").is_none(), "no `..` row at the root");
}

/// The window drawn by the same software renderer as the snapshots, so its pixels can be read.
fn rendered_window(config: &Path, local: &Path) -> Harness<'static, FerryApp> {
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config)) };
    let local = local.to_string_lossy().into_owned();
    Harness::builder().with_size(egui::vec2(1200.0, 800.0)).renderer(software_renderer()).build_eframe(
        move |creation| {
            let startup = Startup { worker: options, url: None, local_folder: Some(local) };
            FerryApp::start(&creation.egui_ctx, startup).expect("worker starts")
        },
    )
}

/// Whether the frame colour is drawn in the margin left of the widget whose label contains
/// `label` (the pane's edge lies there), on the line through its middle.
fn framed_left_of(harness: &mut Harness<'_, FerryApp>, label: &str) -> bool {
    let rect = harness.query_all_by_label_contains(label).next().expect("the label is shown").rect();
    let frame = harness.ctx.global_style().visuals.selection.bg_fill;
    let image = harness.render().expect("the window renders");
    let ppp = harness.ctx.pixels_per_point();
    let y = (rect.center().y * ppp) as u32;
    // The label sits 8 points in from the pane's edge; the frame is drawn in the 1 to 3 points
    // inside the edge. The other pane's frame, just beyond the edge, stays outside this range.
    let left = (rect.left() * ppp) as u32;
    (left.saturating_sub((8.0 * ppp) as u32)..left.saturating_sub((3.0 * ppp) as u32)).any(|x| {
        let [r, g, b, _] = image.get_pixel(x, y).0;
        [(r, frame.r()), (g, frame.g()), (b, frame.b())].iter().all(|(a, b)| a.abs_diff(*b) <= 12)
    })
}

#[test]
fn a_frame_marks_the_active_pane_and_follows_clicks_and_focus() {
    let desk = desk();
    let mut harness = rendered_window(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    let remote_text = "Not connected. Type a host";
    assert!(framed_left_of(&mut harness, "Local"), "the local pane starts active");
    assert!(!framed_left_of(&mut harness, remote_text));

    click_node(&mut harness, |h| h.query_all_by_label_contains(remote_text).next().expect("remote pane"));
    assert!(framed_left_of(&mut harness, remote_text), "a click makes the remote pane active");
    assert!(!framed_left_of(&mut harness, "Local"));

    // A menu opened over the local pane is not the pane: choosing in it leaves the remote active.
    click(&mut harness, "View");
    click_node(&mut harness, |h| topmost(h, "Light"));
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    assert!(framed_left_of(&mut harness, remote_text), "a menu item over the local pane is no click on it");

    // Keyboard focus (Tab, a screen reader) landing in the local pane makes it active again.
    harness.get_by_label("Filter").focus();
    harness.run_steps(2);
    assert!(framed_left_of(&mut harness, "Local"), "focus makes the local pane active");
    assert!(!framed_left_of(&mut harness, remote_text));
}
