//! The window's layout at any size, driven through the real app: every control of the connect bar
//! inside a small window, the pane split kept as a share of the width through a resize and a
//! restart, tabs shown whole between the split and the buttons, tabs past the edge reached through
//! the tab menu, the queue panel's height kept while rows come and go, through a shrink and a
//! grow, and across a restart, its edge following a fast drag, and column widths kept across a
//! restart.

use crate::support;
use crate::window_driver;

use std::path::Path;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;
use ferry::config::ConfigDir;
use support::{Sshd, TEST_PASSWORD, TEST_USER};
use window_driver::{app_harness_sized, click, click_node, drag_and_drop, type_into, wait_for, wait_until};

/// A local folder with `names` in it (a few bytes each), and a config folder.
fn desk(names: &[&str]) -> (tempfile::TempDir, tempfile::TempDir) {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    for name in names {
        std::fs::write(local.path().join(name), name.as_bytes()).unwrap();
    }
    (config, local)
}

/// The window's rectangle, in points.
fn window_rect(harness: &Harness<'_, FerryApp>) -> egui::Rect {
    harness.ctx.content_rect()
}

/// Fails unless `rect` (of the widget `what`) lies wholly inside the window.
fn assert_inside(harness: &Harness<'_, FerryApp>, what: &str, rect: egui::Rect) {
    let window = window_rect(harness);
    assert!(window.expand(0.5).contains_rect(rect), "{what} at {rect:?} is not inside the window {window:?}");
}

/// The x position of the divider between the panes.
fn split_x(harness: &Harness<'_, FerryApp>) -> f32 {
    harness.get_by_label("Pane split").rect().center().x
}

fn saved_state(config: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(ConfigDir::at(config).window_state()).unwrap()).unwrap()
}

#[test]
fn every_control_of_the_connect_bar_and_both_panes_are_inside_an_800_by_600_window() {
    let (config, local) = desk(&["notes.txt"]);
    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(800.0, 600.0));
    wait_for(&mut harness, "notes.txt");
    harness.run_steps(3);
    for field in ["Host", "Port", "User", "Password"] {
        let rect = harness
            .query_all_by_label(field)
            .find(|node| matches!(node.accesskit_node().role(), Role::TextInput | Role::PasswordInput))
            .unwrap_or_else(|| panic!("no field {field}: {:#?}", harness.root()))
            .rect();
        assert_inside(&harness, field, rect);
    }
    for control in ["Protocol", "Connect", "Recent", "Local", "notes.txt", "All tabs", "Queue", "Log"] {
        let rect = harness.get_by_label(control).rect();
        assert_inside(&harness, control, rect);
    }
    // Both panes have room: the remote side is wider than a sliver.
    let remote = harness.get_by_label_contains("Not connected. Type a host").rect();
    assert!(remote.left() < 800.0 - 200.0, "the remote pane starts at {}", remote.left());
    let split = split_x(&harness);
    assert!((240.0..=560.0).contains(&split), "the split is at {split}");
}

#[test]
fn the_split_keeps_its_share_through_a_resize_and_a_restart() {
    let (config, local) = desk(&["notes.txt"]);
    {
        let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1600.0, 900.0));
        wait_for(&mut harness, "notes.txt");
        let start = split_x(&harness);
        assert!((start - 800.0).abs() < 8.0, "half each at first: {start}");
        let y = harness.get_by_label("Pane split").rect().center().y;
        // Grabbing the divider moves nothing by itself.
        harness.hover_at(egui::pos2(start, y));
        harness.step();
        harness.drag_at(egui::pos2(start, y));
        harness.run_steps(2);
        assert!((split_x(&harness) - start).abs() < 1.0, "no jump when the drag starts");
        harness.event(egui::Event::PointerButton {
            pos: egui::pos2(start, y),
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: egui::Modifiers::NONE,
        });
        harness.run_steps(2);
        drag_and_drop(&mut harness, egui::pos2(start, y), egui::pos2(start - 240.0, y));
        let dragged = split_x(&harness);
        assert!((dragged - 560.0).abs() < 8.0, "dragged to 35 %: {dragged}");

        harness.set_size(egui::vec2(800.0, 600.0));
        harness.run_steps(4);
        let narrow = split_x(&harness);
        assert!((narrow - 280.0).abs() < 8.0, "still 35 % at 800 wide: {narrow}");
        harness.run_steps(2);
    }
    let fraction = saved_state(config.path())["local_pane_fraction"].as_f64().unwrap_or(0.0);
    assert!((fraction - 0.35).abs() < 0.01, "the split is saved as a share: {fraction}");

    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1000.0, 700.0));
    wait_for(&mut harness, "notes.txt");
    let restored = split_x(&harness);
    assert!((restored - 350.0).abs() < 8.0, "35 % of 1000 after a restart: {restored}");
}

/// The remote folder of tab `n`, holding one file named after it.
fn tab_folder(sshd: &Sshd, n: usize) -> std::path::PathBuf {
    let folder = sshd.data_dir().join(format!("tab{n}"));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(format!("only-in-tab-{n}.txt")), b"x").unwrap();
    folder
}

/// The window of `size` with `count` SFTP tabs open on `sshd` (host key known), the last one in
/// front; tab `n` shows its own folder holding `only-in-tab-n.txt`.
fn window_with_tabs(
    sshd: &Sshd,
    config: &Path,
    local: &Path,
    size: egui::Vec2,
    count: usize,
) -> Harness<'static, FerryApp> {
    std::fs::write(config.join("known_hosts"), format!("{}\n", sshd.known_hosts_line())).unwrap();
    let mut harness = app_harness_sized(config, local, size);
    wait_for(&mut harness, "notes.txt");
    for n in 1..=count {
        let folder = tab_folder(sshd, n);
        let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), folder.display());
        type_into(&mut harness, "Host", &url);
        click(&mut harness, "Connect");
        wait_for(&mut harness, &format!("only-in-tab-{n}.txt"));
    }
    harness
}

#[test]
fn the_last_of_five_tabs_is_reached_through_the_tab_menu() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let (config, local) = desk(&["notes.txt"]);
    let mut harness = window_with_tabs(&sshd, config.path(), local.path(), egui::vec2(1024.0, 700.0), 5);
    // The first tab, chosen from the menu, then the last one.
    let port = sshd.port().to_string();
    for (entry, shows) in [(0, "only-in-tab-1.txt"), (4, "only-in-tab-5.txt")] {
        click(&mut harness, "All tabs");
        // The menu's entries: the titles below the menu button, top to bottom.
        let entry_center = |h: &Harness<'_, FerryApp>| {
            let below = h.get_by_label("All tabs").rect().bottom();
            let mut titles: Vec<_> = h
                .query_all_by_label_contains(&port)
                // Entries of a menu are menu items to a screen reader.
                .filter(|node| node.accesskit_node().role() == Role::MenuItem)
                .map(|node| node.rect())
                .filter(|rect| rect.top() > below)
                .collect();
            titles.sort_by(|a, b| a.top().total_cmp(&b.top()));
            assert_eq!(titles.len(), 5, "the menu lists every tab: {:#?}", h.root());
            titles[entry].center()
        };
        harness.hover_at(entry_center(&harness));
        harness.run_steps(2);
        let center = entry_center(&harness);
        for pressed in [true, false] {
            let button = egui::PointerButton::Primary;
            harness.event(egui::Event::PointerButton {
                pos: center,
                button,
                pressed,
                modifiers: egui::Modifiers::NONE,
            });
        }
        harness.run_steps(2);
        wait_for(&mut harness, shows);
        // The chosen tab is scrolled into view in the strip, right of the pane split.
        harness.run_steps(4);
        let split = split_x(&harness);
        let chosen = strip_tabs(&harness, &port)[entry].center().x;
        assert!(chosen > split && chosen < 1024.0, "tab {} shows in the strip: at {chosen}", entry + 1);
    }
}

#[test]
fn the_queue_panel_keeps_its_height_while_rows_come_and_go() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let names: Vec<String> = (1..=10).map(|n| format!("file-{n:02}.txt")).collect();
    let (config, local) = desk(&names.iter().map(String::as_str).collect::<Vec<_>>());
    std::fs::write(config.path().join("known_hosts"), format!("{}\n", sshd.known_hosts_line())).unwrap();
    let remote = sshd.data_dir().join("uploads");
    std::fs::create_dir_all(&remote).unwrap();
    // The server's login user writes here.
    std::fs::set_permissions(&remote, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    std::fs::write(remote.join("already-there.txt"), b"x").unwrap();
    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1024.0, 700.0));
    wait_for(&mut harness, "file-10.txt");
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), remote.display());
    type_into(&mut harness, "Host", &url);
    click(&mut harness, "Connect");
    wait_for(&mut harness, "already-there.txt");
    let panel_top = |h: &Harness<'_, FerryApp>| h.query_all_by_label("Queue").next().unwrap().rect().top();
    let before = panel_top(&harness);

    click(&mut harness, "file-01.txt");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(2);
    harness.get_by_label("file-01.txt").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| h.query_all_by_label("Upload").last().unwrap());
    wait_until(&mut harness, "ten uploads done", |h| {
        h.query_all_by(|node| node.value().is_some_and(|value| value.starts_with("Done"))).next().is_some()
            && names.iter().all(|name| remote.join(name).exists())
            && h.query_all_by(|node| node.value().is_some_and(|value| value == "Running" || value == "Queued"))
                .next()
                .is_none()
    });
    assert_eq!(panel_top(&harness), before, "ten rows came: the panel kept its height");

    click(&mut harness, "Clear finished");
    wait_for(&mut harness, "No transfers yet.");
    harness.run_steps(2);
    assert_eq!(panel_top(&harness), before, "the rows went: the panel kept its height");
}

#[test]
fn a_column_width_the_user_set_is_kept_after_a_restart() {
    let (config, local) = desk(&["notes.txt"]);
    let size_width = |h: &Harness<'_, FerryApp>| {
        let size = h.query_all_by_label("Size").next().unwrap().rect().left();
        let modified = h.query_all_by_label("Modified").next().unwrap().rect().left();
        modified - size
    };
    let widened;
    {
        let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1400.0, 900.0));
        wait_for(&mut harness, "notes.txt");
        harness.run_steps(2);
        let before = size_width(&harness);
        let modified = harness.query_all_by_label("Modified").next().unwrap().rect();
        // The edge between Size and Modified, half the spacing left of Modified's title.
        let edge = egui::pos2(modified.left() - 4.0, modified.center().y);
        drag_and_drop(&mut harness, edge, edge + egui::vec2(60.0, 0.0));
        harness.run_steps(2);
        widened = size_width(&harness);
        assert!(widened > before + 40.0, "the Size column was widened: {before} -> {widened}");
        harness.run_steps(2);
    }
    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1400.0, 900.0));
    wait_for(&mut harness, "notes.txt");
    harness.run_steps(2);
    let restored = size_width(&harness);
    assert!((restored - widened).abs() < 2.0, "the Size column is as wide after a restart: {widened} -> {restored}");

    // A narrower window: Name gives up the room, Size keeps its width, the last column stays in view.
    harness.set_size(egui::vec2(1000.0, 900.0));
    harness.run_steps(4);
    let narrower = size_width(&harness);
    assert!((narrower - widened).abs() < 2.0, "the Size column keeps its width: {widened} -> {narrower}");
    let permissions = harness.query_all_by_label("Permissions").next().unwrap().rect();
    let split = split_x(&harness);
    assert!(
        permissions.right() < split,
        "the local pane's last column ends at {} before the split at {split}",
        permissions.right()
    );
}

#[test]
fn the_queue_panel_height_the_user_dragged_is_kept_after_a_restart() {
    let (config, local) = desk(&["notes.txt"]);
    let panel_top = |h: &Harness<'_, FerryApp>| h.query_all_by_label("Queue").next().unwrap().rect().top();
    let dragged;
    {
        let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1024.0, 768.0));
        wait_for(&mut harness, "notes.txt");
        let before = panel_top(&harness);
        let edge = harness.get_by_label("Queue and log height").rect().center();
        drag_and_drop(&mut harness, edge, edge - egui::vec2(0.0, 100.0));
        dragged = panel_top(&harness);
        assert!((before - dragged - 100.0).abs() < 4.0, "dragged 100 up: {before} -> {dragged}");
        harness.run_steps(2);
    }
    let height = saved_state(config.path())["bottom_panel_height"].as_f64().unwrap_or(0.0);
    assert!((height - 300.0).abs() < 4.0, "the height is saved: {height}");
    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1024.0, 768.0));
    wait_for(&mut harness, "notes.txt");
    let restored = panel_top(&harness);
    assert!((restored - dragged).abs() < 1.0, "as high after a restart: {dragged} -> {restored}");
}

/// The queue and log panel's height with the status bar below it: from its top edge to the
/// window's bottom.
fn panel_height(harness: &Harness<'_, FerryApp>) -> f32 {
    let edge = harness.get_by_label("Queue and log height").rect().center().y;
    window_rect(harness).bottom() - edge
}

#[test]
fn the_queue_panel_comes_back_whole_after_the_window_shrank_and_grew() {
    let (config, local) = desk(&["notes.txt"]);
    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1200.0, 800.0));
    wait_for(&mut harness, "notes.txt");
    harness.run_steps(2);
    let before = panel_height(&harness);
    let queue_before = harness.get_by_label("Queue").rect();
    // A resize by hand goes through every size between, one frame each.
    for step in (0..=8).chain((0..=8).rev()) {
        let t = step as f32 / 8.0;
        harness.set_size(egui::vec2(1200.0 - 400.0 * t, 800.0 - 200.0 * t));
        harness.step();
    }
    harness.run_steps(4);
    let after = panel_height(&harness);
    assert!((after - before).abs() < 1.0, "the panel's height came back: {before} -> {after}");
    // Its tabs are whole: nothing of the panes is drawn over them.
    let queue = harness.get_by_label("Queue").rect();
    assert!((queue.height() - queue_before.height()).abs() < 0.5, "Queue button whole: {queue_before:?} -> {queue:?}");
    let local_title = harness.get_by_label("notes.txt").rect();
    assert!(local_title.bottom() <= queue.top(), "the panes end above the panel: {local_title:?} / {queue:?}");
}

#[test]
fn a_fast_drag_of_the_queue_panel_edge_follows_the_pointer() {
    let (config, local) = desk(&["notes.txt"]);
    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1200.0, 800.0));
    wait_for(&mut harness, "notes.txt");
    harness.run_steps(2);
    let edge = harness.get_by_label("Queue and log height").rect().center();
    // One frame with the button down, then the whole way in a single move.
    harness.hover_at(edge);
    harness.step();
    // The press, the whole move and the release arrive within one frame, as from a quick hand.
    harness.drag_at(edge);
    let to = edge - egui::vec2(0.0, 150.0);
    harness.hover_at(to);
    harness.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    harness.run_steps(4);
    let moved = harness.get_by_label("Queue and log height").rect().center();
    assert!((moved.y - to.y).abs() < 4.0, "the edge followed the pointer to {}: it is at {}", to.y, moved.y);
}

/// The tabs in the strip (not the menu's entries, not their close buttons), left to right.
fn strip_tabs(harness: &Harness<'_, FerryApp>, port: &str) -> Vec<egui::Rect> {
    let below = harness.get_by_label("All tabs").rect().bottom();
    let mut strip: Vec<_> = harness
        .query_all_by_label_contains(port)
        .filter(|node| node.accesskit_node().role() == Role::Button)
        .filter(|node| !node.accesskit_node().label().unwrap_or_default().starts_with("Close tab"))
        .map(|node| node.rect())
        .filter(|rect| rect.bottom() <= below)
        .collect();
    strip.sort_by(|a, b| a.left().total_cmp(&b.left()));
    strip
}

#[test]
fn three_tabs_show_whole_between_the_split_and_the_buttons_at_1200_and_800_wide() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let (config, local) = desk(&["notes.txt"]);
    let mut harness = window_with_tabs(&sshd, config.path(), local.path(), egui::vec2(1200.0, 800.0), 3);
    let port = sshd.port().to_string();
    for width in [1200.0, 800.0] {
        harness.set_size(egui::vec2(width, 800.0));
        harness.run_steps(4);
        let split = split_x(&harness);
        let plus = harness.get_by_label("New tab").rect().left();
        let tabs = strip_tabs(&harness, &port);
        assert_eq!(tabs.len(), 3, "three tabs in the strip at {width} wide");
        for (n, tab) in tabs.iter().enumerate() {
            assert!(
                tab.left() >= split && tab.right() <= plus,
                "tab {} at {tab:?} lies between the split at {split} and \"+\" at {plus} ({width} wide)",
                n + 1
            );
            assert!(tab.width() >= 50.0, "tab {} is more than a sliver at {width} wide: {tab:?}", n + 1);
        }
    }
}

/// The value a screen reader reads for the divider `label`, e.g. "50 %".
fn divider_value(harness: &Harness<'_, FerryApp>, label: &str) -> (Option<f64>, Option<String>) {
    let node = harness.get_by_role_and_label(Role::Splitter, label);
    let node = node.accesskit_node();
    (node.numeric_value(), node.value())
}

#[test]
fn both_dividers_move_by_the_arrow_keys_and_say_where_they_are() {
    let (config, local) = desk(&["notes.txt"]);
    let mut harness = app_harness_sized(config.path(), local.path(), egui::vec2(1024.0, 768.0));
    wait_for(&mut harness, "notes.txt");
    assert_eq!(divider_value(&harness, "Pane split"), (Some(50.0), Some("50 %".to_string())));

    // Right twice: the local pane widens by two steps, and the divider keeps the keyboard.
    let before = split_x(&harness);
    harness.get_by_role_and_label(Role::Splitter, "Pane split").focus();
    harness.run_steps(2);
    for key in [egui::Key::ArrowRight, egui::Key::ArrowRight, egui::Key::ArrowLeft, egui::Key::ArrowRight] {
        harness.key_press(key);
        harness.run_steps(2);
    }
    let after = split_x(&harness);
    assert!((after - before - 40.0).abs() < 2.0, "two steps right: {before} -> {after}");
    assert!(harness.get_by_role_and_label(Role::Splitter, "Pane split").is_focused(), "it keeps the keyboard");
    let (percent, text) = divider_value(&harness, "Pane split");
    assert!(percent.is_some_and(|percent| percent > 50.0), "{percent:?}");
    assert_eq!(text, percent.map(|percent| format!("{percent} %")));

    // Up on the queue's edge makes the panel taller.
    let panel_top = |h: &Harness<'_, FerryApp>| h.query_all_by_label("Queue").next().unwrap().rect().top();
    let (share_before, _) = divider_value(&harness, "Queue and log height");
    let top = panel_top(&harness);
    harness.get_by_role_and_label(Role::Splitter, "Queue and log height").focus();
    harness.run_steps(2);
    harness.key_press(egui::Key::ArrowUp);
    harness.run_steps(3);
    let raised = panel_top(&harness);
    assert!((top - raised - 20.0).abs() < 2.0, "one step up: {top} -> {raised}");
    let (share_after, _) = divider_value(&harness, "Queue and log height");
    assert!(share_after > share_before, "{share_before:?} -> {share_after:?}");
    harness.run_steps(2);
    drop(harness);
    let height = saved_state(config.path())["bottom_panel_height"].as_f64().unwrap_or(0.0);
    assert!((height - 220.0).abs() < 2.0, "the height is kept with the window: {height}");
}
