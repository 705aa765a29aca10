//! The whole window driven by the keyboard alone, as someone who uses no mouse would: the
//! shortcuts to the connect bar and between the areas, the menus, the pane's menu on the Menu
//! key, every pane action by key, and the queue's rows. No pointer event is sent here.

use crate::support;
use crate::window_driver;

use egui::{Event, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;
use window_driver::{app_harness, wait_for, wait_until};

/// A local folder with three files and a folder, and a config folder, both temporary.
struct Desk {
    config: tempfile::TempDir,
    local: tempfile::TempDir,
}

fn desk() -> Desk {
    let desk = Desk { config: tempfile::tempdir().unwrap(), local: tempfile::tempdir().unwrap() };
    for (name, bytes) in [("alpha.txt", &b"a"[..]), ("beta.txt", b"bb"), ("gamma.txt", b"ccc")] {
        std::fs::write(desk.local.path().join(name), bytes).unwrap();
    }
    std::fs::create_dir(desk.local.path().join("sub")).unwrap();
    std::fs::write(desk.local.path().join("sub/inner.txt"), b"inside").unwrap();
    desk
}

fn window(desk: &Desk) -> Harness<'static, FerryApp> {
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "gamma.txt");
    harness
}

fn press(harness: &mut Harness<'_, FerryApp>, key: Key) {
    harness.key_press(key);
    harness.run_steps(3);
}

fn press_with(harness: &mut Harness<'_, FerryApp>, modifiers: Modifiers, key: Key) {
    harness.key_press_modifiers(modifiers, key);
    harness.run_steps(3);
}

/// Alt pressed and released with no other key, as a keyboard sends it: a change of modifiers only.
fn tap_alt(harness: &mut Harness<'_, FerryApp>) {
    harness.event(Event::ModifiersChanged(Modifiers::ALT));
    harness.event(Event::ModifiersChanged(Modifiers::NONE));
    harness.run_steps(3);
}

/// What has the keyboard. A table's active row (the cursor's, which a screen reader reads) counts
/// as its table.
fn focused_label(harness: &Harness<'_, FerryApp>) -> Option<String> {
    let focused = harness.root().children_recursive().find(|node| node.is_focused())?;
    let node = focused.accesskit_node();
    match node.role() {
        egui::accesskit::Role::Row => node.parent().and_then(|table| table.label()),
        _ => node.label(),
    }
}

/// The pane's status line: "4 items, 2 selected (3 B)".
fn status_of_local(harness: &Harness<'_, FerryApp>) -> String {
    harness
        .query_all_by_label_contains(" items")
        // Not the announcement of the listing ("Listed /x: 4 items"), which has no place on screen.
        .filter(|node| node.accesskit_node().role() != egui::accesskit::Role::Status)
        .min_by(|a, b| a.rect().center().y.total_cmp(&b.rect().center().y))
        .and_then(|node| node.value())
        .unwrap_or_default()
}

#[test]
fn ctrl_k_puts_the_keyboard_in_the_host_field() {
    let desk = desk();
    let mut harness = window(&desk);
    press_with(&mut harness, Modifiers::CTRL, Key::K);
    harness.event(Event::Text("example.org".into()));
    harness.run_steps(2);
    let host = window_driver::text_field(&harness, "Host");
    assert!(host.is_focused(), "the Host field has the keyboard");
    assert_eq!(host.value().as_deref(), Some("example.org"));
}

#[test]
fn f6_cycles_local_remote_queue_connect_bar_and_shift_f6_goes_back() {
    let desk = desk();
    let mut harness = window(&desk);
    // At start the local pane is the active one: F6 goes on from it.
    let expected = ["Remote files", "Transfers", "Host", "Local files", "Remote files"];
    for label in expected {
        press(&mut harness, Key::F6);
        assert_eq!(focused_label(&harness).as_deref(), Some(label), "F6 lands on {label}");
    }
    press_with(&mut harness, Modifiers::SHIFT, Key::F6);
    assert_eq!(focused_label(&harness).as_deref(), Some("Local files"));
    press_with(&mut harness, Modifiers::SHIFT, Key::F6);
    assert_eq!(focused_label(&harness).as_deref(), Some("Host"));
    // From the local pane, the keys act on its rows.
    press(&mut harness, Key::F6);
    press(&mut harness, Key::ArrowDown);
    assert!(status_of_local(&harness).contains("1 selected"), "{}", status_of_local(&harness));
}

#[test]
fn arrows_home_end_shift_ctrl_space_and_ctrl_a_select_rows() {
    let desk = desk();
    let mut harness = window(&desk);
    press(&mut harness, Key::F6);
    press_with(&mut harness, Modifiers::SHIFT, Key::F6);
    assert_eq!(focused_label(&harness).as_deref(), Some("Local files"));
    // Rows: sub, alpha.txt, beta.txt, gamma.txt.
    press(&mut harness, Key::End);
    assert!(status_of_local(&harness).contains("1 selected (3 B)"), "End: gamma.txt, {}", status_of_local(&harness));
    press_with(&mut harness, Modifiers::SHIFT, Key::ArrowUp);
    assert!(status_of_local(&harness).contains("2 selected (5 B)"), "Shift+Up extends, {}", status_of_local(&harness));
    press(&mut harness, Key::Home);
    assert!(status_of_local(&harness).contains("1 selected"), "Home: sub alone, {}", status_of_local(&harness));
    press_with(&mut harness, Modifiers::SHIFT, Key::End);
    assert!(status_of_local(&harness).contains("4 selected (6 B)"), "Shift+End, {}", status_of_local(&harness));
    press(&mut harness, Key::PageUp);
    assert!(status_of_local(&harness).contains("1 selected"), "Page Up: the first row, {}", status_of_local(&harness));
    // Ctrl moves the cursor only; Space adds its row.
    press_with(&mut harness, Modifiers::CTRL, Key::ArrowDown);
    press_with(&mut harness, Modifiers::CTRL, Key::ArrowDown);
    press(&mut harness, Key::Space);
    assert!(status_of_local(&harness).contains("2 selected (2 B)"), "sub and beta.txt, {}", status_of_local(&harness));
    press(&mut harness, Key::Space);
    assert!(
        status_of_local(&harness).contains("1 selected"),
        "Space again takes it out, {}",
        status_of_local(&harness)
    );
    press(&mut harness, Key::Escape);
    assert!(!status_of_local(&harness).contains("selected"), "Escape clears, {}", status_of_local(&harness));
    assert_eq!(focused_label(&harness).as_deref(), Some("Local files"), "Escape keeps the keyboard in the list");
    press_with(&mut harness, Modifiers::CTRL, Key::A);
    assert!(status_of_local(&harness).contains("4 selected"), "{}", status_of_local(&harness));
}

#[test]
fn enter_opens_alt_up_goes_up_alt_left_and_alt_right_go_back_and_forward() {
    let desk = desk();
    let mut harness = window(&desk);
    press(&mut harness, Key::Home);
    press(&mut harness, Key::Enter);
    wait_for(&mut harness, "inner.txt");
    press_with(&mut harness, Modifiers::ALT, Key::ArrowUp);
    wait_until(&mut harness, "back up", |h| h.query_by_label("gamma.txt").is_some());
    press_with(&mut harness, Modifiers::ALT, Key::ArrowLeft);
    wait_until(&mut harness, "back in sub", |h| h.query_by_label("inner.txt").is_some());
    press_with(&mut harness, Modifiers::ALT, Key::ArrowRight);
    wait_until(&mut harness, "forward again", |h| h.query_by_label("gamma.txt").is_some());
}

#[test]
fn f2_renames_and_delete_asks_first_then_f5_shows_the_folder_again() {
    let desk = desk();
    let mut harness = window(&desk);
    press(&mut harness, Key::End);
    press(&mut harness, Key::F2);
    wait_until(&mut harness, "the rename dialog", |h| window_driver::text_field(h, "Rename").is_focused());
    // The dialog opens with the name's stem selected: typing replaces it.
    harness.event(Event::Text("omega".into()));
    press(&mut harness, Key::Enter);
    wait_until(&mut harness, "renamed", |_| desk.local.path().join("omega.txt").exists());
    assert!(!desk.local.path().join("gamma.txt").exists());
    wait_for(&mut harness, "omega.txt");
    // Delete asks; Escape answers no, and the file stays.
    press(&mut harness, Key::Home);
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::Delete);
    wait_until(&mut harness, "the question", |h| h.query_all_by_label_contains("alpha.txt").count() >= 2);
    press(&mut harness, Key::Escape);
    harness.run_steps(4);
    assert!(desk.local.path().join("alpha.txt").exists(), "Escape keeps the file");
    std::fs::write(desk.local.path().join("delta.txt"), b"new").unwrap();
    press(&mut harness, Key::F5);
    wait_for(&mut harness, "delta.txt");
}

#[test]
fn the_menu_key_and_shift_f10_open_the_pane_menu_at_the_selected_row() {
    let desk = desk();
    let mut harness = window(&desk);
    press(&mut harness, Key::End);
    press(&mut harness, Key::ArrowUp);
    press(&mut harness, Key::Menu);
    harness.run_steps(3);
    let row = harness.get_by_label("beta.txt").rect();
    let rename = window_driver::topmost(&harness, "Rename").rect();
    assert!((rename.top() - row.bottom()).abs() < 120.0, "the menu opens at the row: {rename:?} under {row:?}");
    // With no server connected, Upload is off: the first entry that can act has the keyboard.
    assert_eq!(focused_label(&harness).as_deref(), Some("New folder"), "its first live entry has the keyboard");
    // New folder, Rename: Enter asks for the new name.
    press(&mut harness, Key::ArrowDown);
    assert_eq!(focused_label(&harness).as_deref(), Some("Rename"));
    press(&mut harness, Key::Enter);
    wait_until(&mut harness, "the rename dialog", |h| {
        h.query_all_by_label("Rename").any(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
    });
    press(&mut harness, Key::Escape);
    wait_until(&mut harness, "the dialog closed", |h| {
        !h.query_all_by_label("Rename").any(|node| node.accesskit_node().role() == egui::accesskit::Role::TextInput)
    });
    assert!(status_of_local(&harness).contains("1 selected"), "Escape answered the dialog only");
    // Shift+F10 opens the same menu; Escape closes it and the rows keep the keyboard.
    press(&mut harness, Key::F6);
    press_with(&mut harness, Modifiers::SHIFT, Key::F6);
    press_with(&mut harness, Modifiers::SHIFT, Key::F10);
    harness.run_steps(3);
    assert_eq!(focused_label(&harness).as_deref(), Some("New folder"));
    press(&mut harness, Key::Escape);
    harness.run_steps(3);
    assert!(harness.query_by_label("Permissions...").is_none(), "the menu closed");
    assert!(status_of_local(&harness).contains("1 selected"), "Escape closed the menu only");
}

#[test]
fn alt_or_f10_reaches_the_menus_and_arrows_and_enter_choose_an_entry() {
    let desk = desk();
    let mut harness = window(&desk);
    tap_alt(&mut harness);
    assert_eq!(focused_label(&harness).as_deref(), Some("File"), "Alt alone: the menu bar");
    press(&mut harness, Key::ArrowRight);
    assert_eq!(focused_label(&harness).as_deref(), Some("Transfer"));
    press(&mut harness, Key::ArrowRight);
    press(&mut harness, Key::ArrowRight);
    assert_eq!(focused_label(&harness).as_deref(), Some("Help"));
    press(&mut harness, Key::ArrowDown);
    harness.run_steps(3);
    assert_eq!(
        focused_label(&harness).as_deref(),
        Some("Keyboard shortcuts"),
        "Down opens the menu on its first entry"
    );
    press(&mut harness, Key::Enter);
    harness.run_steps(3);
    // The shortcuts window lists the table the keys are handled from.
    for keys in ["Ctrl+K", "F6", "Menu, Shift+F10", "Alt+Left", "Space"] {
        assert!(harness.query_all_by_label(keys).next().is_some(), "Help lists {keys}");
    }
    // F10 too: Enter opens File on its first entry.
    press(&mut harness, Key::F10);
    assert_eq!(focused_label(&harness).as_deref(), Some("File"));
    press(&mut harness, Key::Enter);
    harness.run_steps(3);
    assert!(harness.query_by_label("Site manager...").is_some(), "Enter opens File");
    assert_eq!(focused_label(&harness).as_deref(), Some("Site manager..."), "on its first entry");
    // Right and Left open the menu beside it, on its first entry; Enter chooses and closes it.
    press(&mut harness, Key::ArrowRight);
    harness.run_steps(3);
    assert!(harness.query_by_label("Site manager...").is_none(), "File closed");
    assert!(harness.query_by_label("Upload selection").is_some(), "Transfer open");
    press(&mut harness, Key::ArrowRight);
    harness.run_steps(3);
    assert_eq!(focused_label(&harness).as_deref(), Some("Follow the system"), "View open");
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::Enter);
    assert_eq!(harness.ctx.theme(), egui::Theme::Dark, "Enter chose the dark theme");
    assert!(harness.query_by_label("Follow the system").is_none(), "and closed the menu");
    tap_alt(&mut harness);
    press(&mut harness, Key::ArrowDown);
    harness.run_steps(3);
    press(&mut harness, Key::ArrowLeft);
    harness.run_steps(3);
    assert_eq!(focused_label(&harness).as_deref(), Some("Keyboard shortcuts"), "Left from File: Help, open");
    press(&mut harness, Key::Escape);
    harness.run_steps(3);
    assert!(harness.query_by_label("Open log folder").is_none(), "Escape closes it");
}

/// A whole task by keyboard alone against a real sshd: Ctrl+K, the URL, Enter to connect, F6 to
/// the remote pane, a row chosen with the arrows, Enter to download it, F6 to the queue.
#[test]
fn connect_choose_and_download_a_file_with_the_keyboard_alone() {
    support::require_password_logins();
    let sshd = support::Sshd::start();
    std::fs::write(sshd.data_dir().join("zz-report.txt"), b"quarterly numbers").unwrap();
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(sshd.data_dir()).status().unwrap();
    let desk = desk();
    // The host key is known already, so no question comes between (answering it is a dialog's part).
    std::fs::write(
        desk.config.path().join("known_hosts"),
        format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line()),
    )
    .unwrap();
    let mut harness = window(&desk);
    press_with(&mut harness, Modifiers::CTRL, Key::K);
    let url = format!("sftp://{}:{}@127.0.0.1:{}", support::TEST_USER, support::TEST_PASSWORD, sshd.port());
    harness.event(Event::Text(url));
    press(&mut harness, Key::Enter);
    wait_for(&mut harness, "zz-report.txt");
    press(&mut harness, Key::F6);
    assert_eq!(focused_label(&harness).as_deref(), Some("Remote files"));
    // Names sort naturally and folders first: the report is the last row.
    press(&mut harness, Key::End);
    press(&mut harness, Key::Enter);
    let local_copy = desk.local.path().join("zz-report.txt");
    wait_until(&mut harness, "the download", |_| {
        std::fs::read(&local_copy).ok().as_deref() == Some(&b"quarterly numbers"[..])
    });
    press(&mut harness, Key::F6);
    assert_eq!(focused_label(&harness).as_deref(), Some("Transfers"));
    wait_until(&mut harness, "the queue says it is done", |h| h.query_all_by_label_contains("Done").next().is_some());
}

const RING_FOLDER: &str = "/tmp/ferry-snapshots/keyboard-local";

const RING_ITEMS: &[crate::gui_snapshots::Item] = &[
    crate::gui_snapshots::folder("photos", "2025-03-09 11:42"),
    crate::gui_snapshots::file("budget-2025.ods", 48_213, "2025-01-17 09:12"),
    crate::gui_snapshots::file("meeting-notes.txt", 1_204, "2025-03-13 14:31"),
    crate::gui_snapshots::file("todo.md", 3_517, "2025-02-02 10:03"),
];

/// A picture of the ring on the row the keyboard is on (and on the list that has the keyboard),
/// reached by F6 and the arrows, in `theme`.
fn focus_ring_snapshot(name: &str, theme: egui::Theme) {
    use crate::gui_snapshots;
    let _one_at_a_time = gui_snapshots::ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    std::fs::create_dir_all(gui_snapshots::FIXTURE_ROOT).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(gui_snapshots::FIXTURE_ROOT, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    gui_snapshots::make_folder(std::path::Path::new(RING_FOLDER), RING_ITEMS);
    let config = tempfile::tempdir().unwrap();
    let mut harness = gui_snapshots::window_showing(config.path(), 1.0, RING_FOLDER);
    wait_for(&mut harness, "meeting-notes.txt");
    harness.ctx.set_theme(theme);
    harness.remove_cursor();
    press(&mut harness, Key::F6);
    press_with(&mut harness, Modifiers::SHIFT, Key::F6);
    press(&mut harness, Key::ArrowDown);
    press(&mut harness, Key::ArrowDown);
    harness.run_steps(4);
    assert_eq!(focused_label(&harness).as_deref(), Some("Local files"));
    harness.snapshot(name);
}

#[test]
fn focus_ring_on_a_row_light() {
    focus_ring_snapshot("focus_ring_on_a_row_light", egui::Theme::Light);
}

#[test]
fn focus_ring_on_a_row_dark() {
    focus_ring_snapshot("focus_ring_on_a_row_dark", egui::Theme::Dark);
}

/// Escape that closes a menu closes only the menu: the pane under it keeps its selection.
#[test]
fn escape_that_closes_a_menu_keeps_the_selection() {
    let desk = desk();
    let mut harness = window(&desk);
    window_driver::click(&mut harness, "beta.txt");
    assert!(status_of_local(&harness).contains("1 selected"), "{}", status_of_local(&harness));
    window_driver::click(&mut harness, "View");
    assert!(harness.query_by_label("Follow the system").is_some(), "the View menu is open");
    press(&mut harness, Key::Escape);
    harness.run_steps(3);
    assert!(harness.query_by_label("Follow the system").is_none(), "Escape closed the menu");
    assert!(status_of_local(&harness).contains("1 selected"), "and only the menu: {}", status_of_local(&harness));
    press(&mut harness, Key::Escape);
    assert!(!status_of_local(&harness).contains("selected"), "a second Escape clears the selection");
}

/// Enter that ends a text field's edit is the field's: the pane under it, with a folder
/// selected, does not also open it (nor, with files selected, start a transfer).
#[test]
fn enter_in_a_text_field_never_acts_on_the_panes_selection() {
    let desk = desk();
    let mut harness = window(&desk);
    window_driver::click(&mut harness, "sub");
    assert!(status_of_local(&harness).contains("1 selected"), "{}", status_of_local(&harness));
    window_driver::type_into(&mut harness, "Port", "2222");
    press(&mut harness, Key::Enter);
    harness.run_steps(4);
    assert!(harness.query_by_label("inner.txt").is_none(), "the folder was not opened");
    assert!(harness.query_by_label("gamma.txt").is_some(), "the pane still shows its folder");
    assert!(status_of_local(&harness).contains("1 selected"), "{}", status_of_local(&harness));
}

#[test]
fn a_folder_opened_with_enter_starts_without_the_old_cursor() {
    let desk = desk();
    let deep = desk.local.path().join("deep");
    std::fs::create_dir(&deep).unwrap();
    for (name, bytes) in [("a.txt", &b"1"[..]), ("b.txt", b"22"), ("c.txt", b"333"), ("d.txt", b"4444")] {
        std::fs::write(deep.join(name), bytes).unwrap();
    }
    let mut harness = window(&desk);
    // Rows: deep, sub, alpha.txt, beta.txt, gamma.txt; the cursor goes to "deep", then into it.
    press(&mut harness, Key::Home);
    press(&mut harness, Key::Enter);
    wait_for(&mut harness, "d.txt");
    // The first arrow lands on the folder's first row, not next to where the cursor was before.
    press(&mut harness, Key::ArrowDown);
    assert!(status_of_local(&harness).contains("1 selected (1 B)"), "a.txt: {}", status_of_local(&harness));
}

/// Waits for the delete question about `name`, then answers no.
fn delete_asks_about(harness: &mut Harness<'_, FerryApp>, name: &str) {
    press(harness, Key::Delete);
    wait_until(harness, &format!("the question about {name}"), |h| h.query_all_by_label_contains(name).count() >= 2);
    press(harness, Key::Escape);
    harness.run_steps(4);
}

#[test]
fn the_renamed_row_and_a_new_folder_are_selected_so_delete_acts_on_them() {
    let desk = desk();
    let mut harness = window(&desk);
    press(&mut harness, Key::End);
    press(&mut harness, Key::F2);
    wait_until(&mut harness, "the rename dialog", |h| window_driver::text_field(h, "Rename").is_focused());
    harness.event(Event::Text("aaa".into()));
    press(&mut harness, Key::Enter);
    wait_until(&mut harness, "renamed", |_| desk.local.path().join("aaa.txt").exists());
    wait_for(&mut harness, "aaa.txt");
    harness.run_steps(3);
    assert!(status_of_local(&harness).contains("1 selected (3 B)"), "aaa.txt: {}", status_of_local(&harness));
    delete_asks_about(&mut harness, "aaa.txt");
    assert!(desk.local.path().join("aaa.txt").exists(), "Escape keeps the file");

    // New folder in the pane's menu (its Upload is off: no site is connected).
    press_with(&mut harness, Modifiers::SHIFT, Key::F10);
    assert_eq!(focused_label(&harness).as_deref(), Some("New folder"));
    press(&mut harness, Key::Enter);
    wait_until(&mut harness, "the new folder dialog", |h| window_driver::text_field(h, "New folder").is_focused());
    harness.event(Event::Text("fresh".into()));
    press(&mut harness, Key::Enter);
    wait_until(&mut harness, "folder made", |_| desk.local.path().join("fresh").is_dir());
    wait_for(&mut harness, "fresh");
    harness.run_steps(3);
    assert!(status_of_local(&harness).contains("1 selected"), "fresh: {}", status_of_local(&harness));
    delete_asks_about(&mut harness, "fresh");
}

#[test]
fn end_right_after_f6_moves_the_cursor() {
    let desk = desk();
    let mut harness = window(&desk);
    // F6 to the remote side and back with Shift+F6, then End in the very next frame.
    press(&mut harness, Key::F6);
    harness.key_press_modifiers(Modifiers::SHIFT, Key::F6);
    harness.key_press(Key::End);
    harness.run_steps(3);
    assert!(status_of_local(&harness).contains("1 selected (3 B)"), "End: gamma.txt, {}", status_of_local(&harness));
}

#[test]
fn the_shortcuts_window_shows_every_line_whole_and_escape_closes_it() {
    let desk = desk();
    // A small screen: the window must fit it, its words wrapped rather than cut off.
    let mut harness = window_driver::app_harness_sized(desk.config.path(), desk.local.path(), egui::vec2(520.0, 700.0));
    wait_for(&mut harness, "gamma.txt");
    window_driver::click_node(&mut harness, |h| h.get_by_label("Help"));
    window_driver::click_node(&mut harness, |h| window_driver::topmost(h, "Keyboard shortcuts"));
    wait_for(&mut harness, "Open the selected folder");
    harness.run_steps(4);
    let frame = harness.get_by_label("Keyboard shortcuts").rect();
    let screen = harness.ctx.content_rect();
    assert!(frame.right() <= screen.right(), "the shortcuts window at {frame:?} fits the {screen:?} screen");
    for line in harness.query_all_by_label_contains("other pane") {
        let rect = line.rect();
        assert!(
            rect.right() <= frame.right() + 0.5,
            "\"{}\" at {rect:?} runs past the right edge of the window at {frame:?}",
            line.accesskit_node().label().unwrap_or_default()
        );
    }

    // The list itself says Escape closes a dialog: it closes this one too.
    press(&mut harness, Key::Escape);
    assert!(
        harness.query_all_by_label_contains("Open the selected folder").next().is_none(),
        "Escape closed the shortcuts window: {:#?}",
        harness.root()
    );
}
