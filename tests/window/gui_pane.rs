//! The file pane on its own, driven with egui_kittest as a user would: clicks, keys, drops.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use egui::{Event, HoveredFile, Key, Modifiers, PointerButton, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ferry::gui::pane::{FilePane, PaneAction, Side, SortColumn};
use ferry::model::{Entry, EntryKind};

/// One frame per queued event, at 60 frames a second, so two clicks make a double-click.
const STEP: f32 = 1.0 / 60.0;

struct PaneUnderTest {
    pane: FilePane,
    actions: Vec<PaneAction>,
}

fn harness(pane: FilePane) -> Harness<'static, PaneUnderTest> {
    Harness::builder().with_step_dt(STEP).with_size(Vec2::new(900.0, 500.0)).build_ui_state(
        |ui, state: &mut PaneUnderTest| {
            let actions = state.pane.show(ui, true);
            state.actions.extend(actions);
        },
        PaneUnderTest { pane, actions: Vec::new() },
    )
}

/// Takes the actions emitted so far.
fn actions(harness: &mut Harness<'_, PaneUnderTest>) -> Vec<PaneAction> {
    std::mem::take(&mut harness.state_mut().actions)
}

fn file(name: &str, size: u64) -> Entry {
    Entry { size: Some(size), ..Entry::new(name, EntryKind::File) }
}

fn dir(name: &str) -> Entry {
    Entry::new(name, EntryKind::Dir)
}

fn pane_with(side: Side, path: &str, entries: Vec<Entry>) -> FilePane {
    let mut pane = FilePane::new(side);
    pane.set_listing(path.to_string(), entries);
    pane
}

fn visible(harness: &mut Harness<'_, PaneUnderTest>) -> Vec<String> {
    harness.state_mut().pane.visible_names()
}

fn selected(harness: &Harness<'_, PaneUnderTest>) -> Vec<String> {
    harness.state().pane.selected_entries().into_iter().map(|entry| entry.name).collect()
}

/// A centre of a row, found through its name label.
fn row_center(harness: &Harness<'_, PaneUnderTest>, name: &str) -> Pos2 {
    harness.get_by_label(name).rect().center()
}

#[test]
fn headers_sort_and_toggle_with_folders_first() {
    let at = |day| Utc.with_ymd_and_hms(2026, 11, day, 10, 0, 0).single();
    let owned = |name: &str, size, day, mode, owner: &str| Entry {
        size: Some(size),
        modified: at(day),
        permissions: Some(mode),
        owner: Some(owner.to_string()),
        ..Entry::new(name, EntryKind::File)
    };
    let entries = vec![
        owned("big.iso", 3000, 1, 0o600, "carol"),
        owned("mid.txt", 2000, 3, 0o755, "alice"),
        owned("small.txt", 1000, 2, 0o644, "bob"),
        Entry { size: Some(10), modified: at(20), ..dir("zfolder") },
    ];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries));
    harness.run();
    assert_eq!(visible(&mut harness), ["zfolder", "big.iso", "mid.txt", "small.txt"]);

    let expectations = [
        ("Size", ["small.txt", "mid.txt", "big.iso"]),
        ("Modified", ["big.iso", "small.txt", "mid.txt"]),
        ("Permissions", ["big.iso", "small.txt", "mid.txt"]),
        ("Owner", ["mid.txt", "small.txt", "big.iso"]),
        ("Name", ["big.iso", "mid.txt", "small.txt"]),
    ];
    for (header, ascending) in expectations {
        harness.get_by_label(header).click();
        harness.run();
        let shown = visible(&mut harness);
        assert_eq!(shown[0], "zfolder", "folders first when sorted by {header}");
        assert_eq!(shown[1..], ascending, "ascending by {header}");
        harness.get_by_label(header).click();
        harness.run();
        let shown = visible(&mut harness);
        let descending: Vec<&str> = ascending.iter().rev().copied().collect();
        assert_eq!(shown[0], "zfolder", "folders first in descending {header} too");
        assert_eq!(shown[1..], descending, "descending by {header}");
    }
    let view = harness.state().pane.view_settings();
    assert_eq!((view.sort, view.ascending), (SortColumn::Name, false));
}

#[test]
fn the_local_pane_has_no_owner_column() {
    let mut harness = harness(pane_with(Side::Local, "/home/me", vec![file("a", 1)]));
    harness.run();
    assert!(harness.query_by_label("Owner").is_none());
    harness.get_by_label("Permissions");
}

#[test]
fn names_sort_naturally_case_insensitively() {
    let entries = vec![file("file10", 1), file("file2", 1), file("File1", 1), dir("zdir"), dir("Adir")];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries));
    harness.run();
    assert_eq!(visible(&mut harness), ["Adir", "zdir", "File1", "file2", "file10"]);
    let top = |harness: &Harness<'_, PaneUnderTest>, name| harness.get_by_label(name).rect().top();
    assert!(top(&harness, "file2") < top(&harness, "file10"), "drawn in that order too");
}

#[test]
fn the_filter_narrows_the_list_as_you_type() {
    let entries = vec![file("report.pdf", 1), file("Reports-2026.xlsx", 1), file("photo.jpg", 1)];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries));
    harness.run();
    harness.get_by_label("Filter").click();
    harness.run();
    harness.get_by_label("Filter").type_text("rep");
    harness.run();
    assert_eq!(visible(&mut harness), ["report.pdf", "Reports-2026.xlsx"]);
    assert!(harness.query_by_label("photo.jpg").is_none(), "filtered rows are not drawn");
    harness.get_by_label("Filter").type_text("ort.");
    harness.run();
    assert_eq!(visible(&mut harness), ["report.pdf"]);
    assert_eq!(harness.state().pane.filter(), "report.");
}

#[test]
fn ctrl_f_focuses_the_filter_and_escape_clears_it() {
    let entries = vec![file("report.pdf", 1), file("photo.jpg", 1)];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries));
    harness.run();
    harness.key_press_modifiers(Modifiers::CTRL, Key::F);
    harness.run();
    let filter = harness.get_by_label("Filter");
    assert!(filter.is_focused());
    filter.type_text("photo");
    harness.run();
    assert_eq!(visible(&mut harness), ["photo.jpg"]);
    harness.key_press(Key::Escape);
    harness.run();
    assert_eq!(visible(&mut harness), ["photo.jpg", "report.pdf"]);
    assert_eq!(harness.state().pane.filter(), "");
}

#[test]
fn hidden_files_show_only_when_asked() {
    let entries = vec![file(".profile", 1), file("notes.txt", 1)];
    let mut harness = harness(pane_with(Side::Local, "/home/me", entries));
    harness.run();
    assert!(harness.query_by_label(".profile").is_none());
    harness.get_by_label("Show hidden").click();
    harness.run();
    harness.get_by_label(".profile");
    assert!(harness.state().pane.view_settings().show_hidden);
    harness.get_by_label("Show hidden").click();
    harness.run();
    assert!(harness.query_by_label(".profile").is_none());
}

#[test]
fn click_ctrl_shift_and_ctrl_a_select() {
    let entries = ["a", "b", "c", "d", "e"].iter().map(|name| file(name, 1)).collect();
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries));
    harness.run();
    harness.get_by_label("b").click();
    harness.run();
    assert_eq!(selected(&harness), ["b"]);
    harness.get_by_label("d").click_modifiers(Modifiers::CTRL);
    harness.run();
    assert_eq!(selected(&harness), ["b", "d"]);
    harness.get_by_label("b").click_modifiers(Modifiers::CTRL);
    harness.run();
    assert_eq!(selected(&harness), ["d"], "Ctrl+click toggles");
    harness.get_by_label("a").click();
    harness.run();
    harness.get_by_label("c").click_modifiers(Modifiers::SHIFT);
    harness.run();
    assert_eq!(selected(&harness), ["a", "b", "c"], "Shift+click extends from the last click");
    harness.key_press_modifiers(Modifiers::CTRL, Key::A);
    harness.run();
    assert_eq!(selected(&harness), ["a", "b", "c", "d", "e"]);
    harness.key_press(Key::Escape);
    harness.run();
    assert!(selected(&harness).is_empty());
}

#[test]
fn double_click_and_enter_open_a_folder_backspace_goes_up() {
    let entries = vec![dir("docs"), file("a.txt", 1)];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries));
    harness.run();
    let docs = harness.get_by_label("docs");
    docs.click();
    docs.click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/srv/docs".into())]);

    harness.get_by_label("docs").click();
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/srv/docs".into())]);

    harness.key_press(Key::Backspace);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/".into())]);
}

#[test]
fn back_and_forward_follow_listings_that_arrived() {
    let mut harness = harness(pane_with(Side::Remote, "/a", vec![dir("b")]));
    harness.run();
    let b = harness.get_by_label("b");
    b.click();
    b.click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/a/b".into())]);
    harness.state_mut().pane.set_listing("/a/b".into(), vec![file("inner.txt", 1)]);
    harness.run();

    harness.get_by_label("Back").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/a".into())]);
    harness.state_mut().pane.set_listing("/a".into(), vec![dir("b")]);
    harness.run();
    assert!(harness.state().pane.can_go_forward());

    harness.get_by_label("Forward").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/a/b".into())]);
    harness.state_mut().pane.set_listing("/a/b".into(), vec![file("inner.txt", 1)]);
    harness.run();
    assert!(!harness.state().pane.can_go_forward());

    // A navigation that fails leaves the folder and the history alone.
    harness.get_by_label("Up").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/a".into())]);
    harness.state_mut().pane.set_loading(true);
    harness.state_mut().pane.set_loading(false);
    harness.run();
    assert_eq!(harness.state().pane.path(), "/a/b");
    harness.get_by_label("Back").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/a".into())]);
}

#[test]
fn a_refresh_arriving_during_back_keeps_the_history_right() {
    let mut harness = harness(pane_with(Side::Remote, "/a", vec![]));
    harness.state_mut().pane.set_listing("/a/b".into(), vec![]);
    harness.run();
    harness.get_by_label("Back").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/a".into())]);
    harness.state_mut().pane.set_listing("/a/b".into(), vec![file("new", 1)]);
    harness.state_mut().pane.set_listing("/a".into(), vec![]);
    harness.run();
    assert!(!harness.state().pane.can_go_back(), "Back went back, it did not add a step");
    assert!(harness.state().pane.can_go_forward());
}

#[test]
fn arrow_keys_move_the_selection_and_enter_on_a_file_transfers_it() {
    let entries = vec![dir("docs"), file("a.txt", 1), file("b.txt", 2)];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries.clone()));
    harness.run();
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert_eq!(selected(&harness), ["docs"]);
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert_eq!(selected(&harness), ["b.txt"], "stops at the last row");
    harness.key_press(Key::ArrowUp);
    harness.run();
    assert_eq!(selected(&harness), ["a.txt"]);
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Transfer(vec![entries[1].clone()])]);
}

#[test]
fn home_goes_to_the_home_folder() {
    let mut pane = pane_with(Side::Local, "/tmp", vec![]);
    pane.set_home("/home/me".into());
    let mut harness = harness(pane);
    harness.run();
    harness.get_by_label("Home").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/home/me".into())]);
}

#[test]
fn breadcrumbs_navigate_to_their_folder() {
    let mut harness = harness(pane_with(Side::Remote, "/srv/data/deep", vec![file("x", 1)]));
    harness.run();
    harness.get_by_label("data").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/srv/data".into())]);
    harness.get_by_label("/").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/".into())]);
}

#[test]
fn ctrl_l_edits_the_path_enter_navigates_escape_cancels() {
    let mut harness = harness(pane_with(Side::Remote, "/srv", vec![file("x", 1)]));
    harness.run();
    harness.key_press_modifiers(Modifiers::CTRL, Key::L);
    harness.run();
    let path = harness.get_by_label("Path");
    assert!(path.is_focused(), "Ctrl+L puts the cursor in the path bar");
    path.type_text("/etc/ssh");
    harness.run();
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Open("/etc/ssh".into())]);

    harness.key_press_modifiers(Modifiers::CTRL, Key::L);
    harness.run();
    harness.get_by_label("Path").type_text("/nowhere");
    harness.run();
    harness.key_press(Key::Escape);
    harness.run();
    assert!(actions(&mut harness).is_empty(), "Escape cancels");
    harness.get_by_label("srv");
}

#[test]
fn f2_delete_and_f5_ask_for_their_actions() {
    let entries = vec![file("a", 1), file("b", 2)];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries.clone()));
    harness.run();
    harness.get_by_label("a").click();
    harness.run();
    harness.key_press(Key::F2);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Rename(entries[0].clone())]);
    harness.key_press_modifiers(Modifiers::CTRL, Key::A);
    harness.key_press(Key::Delete);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Delete(entries.clone())]);
    harness.key_press(Key::F5);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Refresh]);
    harness.key_press(Key::F2);
    harness.run();
    assert!(actions(&mut harness).is_empty(), "F2 renames only one entry");
}

#[test]
fn shortcuts_wait_while_a_text_field_has_focus() {
    let mut harness = harness(pane_with(Side::Remote, "/srv", vec![file("a", 1)]));
    harness.run();
    harness.get_by_label("Filter").click();
    harness.run();
    harness.key_press(Key::F5);
    harness.key_press(Key::Backspace);
    harness.run();
    assert!(actions(&mut harness).is_empty());
}

#[test]
fn context_menu_items_act_on_the_selection() {
    let entries = vec![file("a", 1), file("b", 2)];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries.clone()));
    harness.run();
    harness.get_by_label("a").click();
    harness.run();
    harness.get_by_label("b").click_secondary();
    harness.run();
    assert_eq!(selected(&harness), ["b"], "right-clicking an unselected row selects it");
    harness.key_press(Key::Escape);
    harness.run();
    assert!(harness.query_by_label("Copy URL").is_none(), "Escape closes the menu");
    assert_eq!(selected(&harness), ["b"], "and keeps the selection");
    let cases: [(&str, PaneAction); 5] = [
        ("Download", PaneAction::Transfer(vec![entries[1].clone()])),
        ("Rename", PaneAction::Rename(entries[1].clone())),
        ("Delete", PaneAction::Delete(vec![entries[1].clone()])),
        ("Permissions...", PaneAction::Permissions(vec![entries[1].clone()])),
        ("Copy URL", PaneAction::CopyUrl(vec![entries[1].clone()])),
    ];
    for (item, expected) in cases {
        harness.get_by_label("b").click_secondary();
        harness.run();
        // The menu's item, over the toolbar's button of the same name.
        harness.get_all_by_label(item).last().expect("menu item").click();
        harness.run();
        assert_eq!(actions(&mut harness), [expected], "menu item {item}");
        assert!(harness.query_by_label("Copy URL").is_none(), "the menu closes after {item}");
    }
    for (item, expected) in [("New folder", PaneAction::NewFolder), ("Refresh", PaneAction::Refresh)] {
        harness.get_by_label("b").click_secondary();
        harness.run();
        let items = harness.get_all_by_label(item).collect::<Vec<_>>();
        items.last().expect("menu item").click();
        harness.run();
        assert_eq!(actions(&mut harness), [expected], "menu item {item}");
    }
}

#[test]
fn the_local_menu_uploads_and_empty_space_has_a_menu_too() {
    let entries = vec![file("a", 1)];
    let mut harness = harness(pane_with(Side::Local, "/home/me", entries.clone()));
    harness.run();
    harness.get_by_label("a").click();
    harness.run();
    let below_rows = row_center(&harness, "a") + Vec2::new(0.0, 200.0);
    harness.hover_at(below_rows);
    harness.event(Event::PointerButton {
        pos: below_rows,
        button: PointerButton::Secondary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    harness.event(Event::PointerButton {
        pos: below_rows,
        button: PointerButton::Secondary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    harness.run();
    assert!(harness.query_by_label("Download").is_none());
    harness.get_all_by_label("Upload").last().expect("menu item").click();
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Transfer(entries)]);
}

#[test]
fn a_hostile_name_is_shown_escaped_on_one_line() {
    let hostile = "evil\n\x1b[31mred";
    let mut harness = harness(pane_with(Side::Remote, "/srv", vec![file(hostile, 1), file("next", 1)]));
    harness.run();
    let escaped = harness.get_by_label("evil\\n\\u{1b}[31mred");
    assert!(harness.query_by_label(hostile).is_none());
    let line = harness.get_by_label("next").rect().height();
    assert!(escaped.rect().height() <= line + 0.5, "one line: {} vs {line}", escaped.rect().height());
}

#[test]
fn sizes_are_human_and_exact_on_hover() {
    let mut harness = harness(pane_with(Side::Remote, "/srv", vec![file("big", 1_258_291)]));
    harness.run();
    let size = harness.get_by_label("1.20 MiB");
    size.hover();
    for _ in 0..90 {
        harness.step();
    }
    assert!(harness.query_by_label_contains("1258291 bytes").is_some());
}

#[test]
fn the_spinner_keeps_old_rows_and_cancel_asks_to_stop() {
    let mut harness = harness(pane_with(Side::Remote, "/srv", vec![file("old", 1)]));
    harness.state_mut().pane.set_loading(true);
    harness.step();
    harness.step();
    harness.get_by_label("old");
    harness.get_by_label("Cancel").click();
    harness.step();
    harness.step();
    assert_eq!(actions(&mut harness), [PaneAction::CancelLoading]);
}

/// A file dropped from the desktop, as the integration reports it.
#[derive(Debug)]
struct DesktopFile(PathBuf);

impl egui::DroppedFile for DesktopFile {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        Err("not read in tests".into())
    }
}

fn hover_desktop_file(harness: &mut Harness<'_, PaneUnderTest>, at: Pos2) {
    harness.input_mut().hovered_files = vec![HoveredFile { path: Some("/home/me/a.txt".into()), mime: String::new() }];
    harness.hover_at(at);
    harness.step();
    harness.step();
}

fn drop_desktop_file(harness: &mut Harness<'_, PaneUnderTest>, at: Pos2) {
    harness.input_mut().hovered_files.clear();
    harness.input_mut().dropped_files.push(Arc::new(DesktopFile("/home/me/a.txt".into())));
    harness.hover_at(at);
    harness.step();
}

#[test]
fn desktop_files_dropped_on_a_folder_row_go_into_it() {
    let mut harness = harness(pane_with(Side::Remote, "/srv", vec![dir("docs"), file("a", 1)]));
    harness.run();
    let docs = row_center(&harness, "docs");
    assert!(!harness.state().pane.is_drop_highlighted());
    hover_desktop_file(&mut harness, docs);
    assert!(harness.state().pane.is_drop_highlighted(), "highlighted while files hover");
    assert_eq!(harness.state().pane.drop_target(), Some("/srv/docs"));
    drop_desktop_file(&mut harness, docs);
    assert_eq!(
        actions(&mut harness),
        [PaneAction::DropFiles { paths: vec!["/home/me/a.txt".into()], into: "/srv/docs".into() }]
    );
    harness.step();
    assert!(!harness.state().pane.is_drop_highlighted());
}

#[test]
fn desktop_files_dropped_on_empty_space_or_a_file_go_into_the_folder() {
    let mut harness = harness(pane_with(Side::Remote, "/srv", vec![dir("docs"), file("a", 1)]));
    harness.run();
    let empty = row_center(&harness, "a") + Vec2::new(0.0, 150.0);
    hover_desktop_file(&mut harness, empty);
    assert!(harness.state().pane.is_drop_highlighted());
    assert_eq!(harness.state().pane.drop_target(), Some("/srv"));
    drop_desktop_file(&mut harness, empty);
    assert_eq!(
        actions(&mut harness),
        [PaneAction::DropFiles { paths: vec!["/home/me/a.txt".into()], into: "/srv".into() }]
    );

    let on_file = row_center(&harness, "a");
    drop_desktop_file(&mut harness, on_file);
    assert_eq!(
        actions(&mut harness),
        [PaneAction::DropFiles { paths: vec!["/home/me/a.txt".into()], into: "/srv".into() }]
    );
}

#[test]
fn the_local_pane_ignores_desktop_drops() {
    let mut harness = harness(pane_with(Side::Local, "/home/me", vec![dir("docs")]));
    harness.run();
    let docs = row_center(&harness, "docs");
    hover_desktop_file(&mut harness, docs);
    assert!(!harness.state().pane.is_drop_highlighted());
    drop_desktop_file(&mut harness, docs);
    assert!(actions(&mut harness).is_empty());
}

struct TwoPanes {
    local: FilePane,
    remote: FilePane,
    local_actions: Vec<PaneAction>,
    remote_actions: Vec<PaneAction>,
}

fn two_panes() -> Harness<'static, TwoPanes> {
    let state = TwoPanes {
        local: pane_with(Side::Local, "/home/me", vec![file("up.txt", 5), dir("stuff")]),
        remote: pane_with(Side::Remote, "/srv", vec![dir("incoming"), file("down.txt", 7)]),
        local_actions: Vec::new(),
        remote_actions: Vec::new(),
    };
    Harness::builder().with_step_dt(STEP).with_size(Vec2::new(1400.0, 500.0)).build_ui_state(
        |ui, state: &mut TwoPanes| {
            ui.columns(2, |columns| {
                let local = state.local.show(&mut columns[0], false);
                state.local_actions.extend(local);
                let remote = state.remote.show(&mut columns[1], true);
                state.remote_actions.extend(remote);
            });
        },
        state,
    )
}

fn drag(harness: &mut Harness<'_, TwoPanes>, from: Pos2, to: Pos2) {
    harness.hover_at(from);
    harness.step();
    harness.drag_at(from);
    harness.step();
    let middle = from + (to - from) * 0.5;
    harness.hover_at(middle);
    harness.step();
    harness.hover_at(to);
    harness.step();
    harness.step();
}

fn release(harness: &mut Harness<'_, TwoPanes>, at: Pos2) {
    harness.event(Event::PointerButton {
        pos: at,
        button: PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    harness.step();
    harness.step();
}

#[test]
fn rows_dragged_from_local_to_a_remote_folder_upload_into_it() {
    let mut harness = two_panes();
    harness.run();
    let from = harness.get_by_label("up.txt").rect().center();
    let to = harness.get_by_label("incoming").rect().center();
    drag(&mut harness, from, to);
    assert!(harness.state().remote.is_drop_highlighted(), "the remote pane shows it will take the rows");
    assert_eq!(harness.state().remote.drop_target(), Some("/srv/incoming"));
    assert!(!harness.state().local.is_drop_highlighted());
    release(&mut harness, to);
    assert_eq!(
        harness.state().remote_actions,
        [PaneAction::DropRows {
            rows: vec![file("up.txt", 5)],
            from_folder: "/home/me".into(),
            into: "/srv/incoming".into()
        }]
    );
    assert!(harness.state().local_actions.is_empty());
}

#[test]
fn rows_dragged_from_remote_to_local_empty_space_download_into_its_folder() {
    let mut harness = two_panes();
    harness.run();
    let from = harness.get_by_label("down.txt").rect().center();
    let to = harness.get_by_label("stuff").rect().center() + Vec2::new(0.0, 200.0);
    drag(&mut harness, from, to);
    assert!(harness.state().local.is_drop_highlighted());
    release(&mut harness, to);
    assert_eq!(
        harness.state().local_actions,
        [PaneAction::DropRows { rows: vec![file("down.txt", 7)], from_folder: "/srv".into(), into: "/home/me".into() }]
    );
    assert!(harness.state().remote_actions.is_empty(), "dropping never acts on the source pane");
}

#[test]
fn dragging_a_selected_row_carries_the_whole_selection() {
    let mut harness = two_panes();
    harness.run();
    harness.get_by_label("up.txt").click();
    harness.run();
    harness.get_by_label("stuff").click_modifiers(Modifiers::CTRL);
    harness.run();
    let from = harness.get_by_label("up.txt").rect().center();
    let to = harness.get_by_label("down.txt").rect().center() + Vec2::new(0.0, 150.0);
    drag(&mut harness, from, to);
    release(&mut harness, to);
    assert_eq!(
        harness.state().remote_actions,
        [PaneAction::DropRows {
            rows: vec![dir("stuff"), file("up.txt", 5)],
            from_folder: "/home/me".into(),
            into: "/srv".into()
        }]
    );
}

#[test]
fn rows_dropped_back_on_their_own_pane_do_nothing() {
    let mut harness = two_panes();
    harness.run();
    let from = harness.get_by_label("down.txt").rect().center();
    let to = harness.get_by_label("incoming").rect().center();
    drag(&mut harness, from, to);
    assert!(!harness.state().remote.is_drop_highlighted());
    release(&mut harness, to);
    assert!(harness.state().remote_actions.is_empty());
    assert!(harness.state().local_actions.is_empty());
}

/// Prints the mean time of one egui pass (layout, interaction, tessellation-free) while a folder
/// of 100,000 entries scrolls; it never asserts a time, as machines differ.
#[test]
fn a_folder_of_100000_entries_scrolls_with_a_short_frame_time() {
    let entries: Vec<Entry> = (0..100_000).map(|i| file(&format!("file-{i:06}.dat"), i * 1000)).collect();
    let started = Instant::now();
    let mut harness = harness(pane_with(Side::Remote, "/big", entries));
    harness.run();
    let first = started.elapsed();
    let over_table = harness.get_by_label("file-000000.dat").rect().center();
    harness.hover_at(over_table);
    harness.step();
    let frames = 200;
    let started = Instant::now();
    for _ in 0..frames {
        harness.event(Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: Vec2::new(0.0, -400.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: Modifiers::NONE,
        });
        harness.step();
    }
    let per_frame = started.elapsed() / frames;
    assert!(harness.query_by_label("file-000000.dat").is_none(), "the table scrolled");
    println!(
        "100000 entries: listing sorted and first frames drawn in {first:?}, mean frame while scrolling {per_frame:?}"
    );
}

#[test]
fn the_parent_row_is_reached_with_the_arrow_keys_and_never_selected() {
    let entries = vec![dir("docs"), file("a.txt", 1)];
    let mut harness = harness(pane_with(Side::Remote, "/srv", entries.clone()));
    harness.run();
    harness.key_press(Key::ArrowDown);
    harness.key_press(Key::ArrowUp);
    harness.run();
    assert!(selected(&harness).is_empty(), "the cursor is on `..`, which is never selected");
    harness.key_press(Key::Delete);
    harness.key_press(Key::F2);
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Navigate("/".into())], "only Enter acts: it goes up");
    harness.key_press(Key::ArrowDown);
    harness.run();
    assert_eq!(selected(&harness), ["docs"]);
    harness.key_press_modifiers(Modifiers::CTRL, Key::A);
    harness.run();
    assert_eq!(selected(&harness), ["docs", "a.txt"], "Ctrl+A leaves `..` out");
    harness.key_press(Key::Enter);
    harness.run();
    assert_eq!(actions(&mut harness), [PaneAction::Transfer(entries)], "Enter sends several rows across");
}
