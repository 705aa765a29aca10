//! What a screen reader is told about the window, read from the AccessKit tree egui_kittest sees:
//! file tables with rows, headers and selection; a role and a name on everything that takes
//! focus; dialogs named, focused on their safe button and giving focus back; progress named;
//! announcements of what happens away from the focus.

use crate::support;
use crate::window_driver;

use egui::accesskit::{Role, SortDirection};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;
use ferry::gui::dialogs::PromptDialog;
use ferry::model::PromptId;
use ferry::trust::known_hosts::HostKey;
use ferry::worker::Question;
use support::{Sshd, TEST_PASSWORD, TEST_USER};
use window_driver::{app_harness, click, click_node, topmost, type_into, wait_for, wait_until};

/// A local folder with a 3-byte file and a folder, and a config folder, both temporary.
struct Desk {
    config: tempfile::TempDir,
    local: tempfile::TempDir,
}

fn desk() -> Desk {
    let desk = Desk { config: tempfile::tempdir().unwrap(), local: tempfile::tempdir().unwrap() };
    std::fs::write(desk.local.path().join("notes.txt"), b"abc").unwrap();
    std::fs::create_dir(desk.local.path().join("docs")).unwrap();
    desk
}

fn opened(desk: &Desk) -> Harness<'static, FerryApp> {
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "notes.txt");
    harness
}

/// Whether the keyboard is on the table named `name`, or on its active row (where a screen reader
/// then sits).
fn table_has_focus(harness: &Harness<'_, FerryApp>, name: &str) -> bool {
    harness.query_by(|node| node.is_focused()).is_some_and(|node| {
        let node = node.accesskit_node();
        let table = if node.role() == Role::Row { node.parent() } else { Some(node) };
        table.is_some_and(|table| table.role() == Role::Table && table.label().as_deref() == Some(name))
    })
}

/// The row named `name` (file name, kind, size).
fn row<'a>(harness: &'a Harness<'_, FerryApp>, name: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_role_and_label(Role::Row, name)
        .next()
        .unwrap_or_else(|| panic!("no row \"{name}\" in {:#?}", harness.root()))
}

fn column_header<'a>(harness: &'a Harness<'_, FerryApp>, title: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_role_and_label(Role::ColumnHeader, title)
        .next()
        .unwrap_or_else(|| panic!("no column header \"{title}\" in {:#?}", harness.root()))
}

#[test]
fn a_file_list_is_a_table_of_named_rows_with_selection_and_sorted_headers() {
    let desk = desk();
    let mut harness = opened(&desk);

    let table = harness.get_by_role_and_label(Role::Table, "Local files");
    // Two rows under one header row, all of them counted even though the list is virtualised.
    assert_eq!(table.accesskit_node().data().row_count(), Some(3));
    let rows: Vec<String> = table
        .children()
        .filter(|node| node.accesskit_node().role() == Role::Row)
        .map(|node| node.accesskit_node().label().unwrap_or_default())
        .collect();
    assert_eq!(rows, ["", "docs, folder", "notes.txt, file, 3 B"], "the header row, then the rows in order");
    let notes = row(&harness, "notes.txt, file, 3 B");
    assert_eq!(notes.accesskit_node().data().row_index(), Some(2));
    let cells: Vec<Role> = notes.children().map(|cell| cell.accesskit_node().role()).collect();
    assert_eq!(cells, [Role::Cell; 4], "a cell per column: name, size, modified, permissions");
    assert_eq!(notes.accesskit_node().is_selected(), Some(false));

    click(&mut harness, "notes.txt");
    assert_eq!(row(&harness, "notes.txt, file, 3 B").accesskit_node().is_selected(), Some(true), "selected");
    assert_eq!(row(&harness, "docs, folder").accesskit_node().is_selected(), Some(false));
    // A screen reader's click on a row selects it too.
    row(&harness, "docs, folder").click_accesskit();
    harness.run_steps(2);
    assert_eq!(row(&harness, "docs, folder").accesskit_node().is_selected(), Some(true));
    assert_eq!(row(&harness, "notes.txt, file, 3 B").accesskit_node().is_selected(), Some(false));

    let name = column_header(&harness, "Name");
    assert_eq!(name.accesskit_node().data().sort_direction(), Some(SortDirection::Ascending));
    assert_eq!(column_header(&harness, "Size").accesskit_node().data().sort_direction(), None);
    click_node(&mut harness, |h| column_header(h, "Name"));
    let name = column_header(&harness, "Name");
    assert_eq!(name.accesskit_node().data().sort_direction(), Some(SortDirection::Descending));
}

/// Every node a screen reader can move focus to, as "role 'name'".
fn focusable_nodes(harness: &Harness<'_, FerryApp>) -> Vec<(Role, String)> {
    harness
        .query_all_by(|node| node.data().supports_action(egui::accesskit::Action::Focus))
        .map(|node| (node.accesskit_node().role(), node.accesskit_node().label().unwrap_or_default()))
        .collect()
}

fn assert_every_focusable_node_is_named(harness: &Harness<'_, FerryApp>) {
    let unnamed: Vec<(Role, String)> = focusable_nodes(harness)
        .into_iter()
        .filter(|(role, name)| *role == Role::Unknown || *role == Role::GenericContainer || name.trim().is_empty())
        .collect();
    assert!(unnamed.is_empty(), "focusable nodes without a role or a name: {unnamed:?}");
}

#[test]
fn every_focusable_node_has_a_role_and_a_name() {
    let desk = desk();
    let mut harness = opened(&desk);
    assert_every_focusable_node_is_named(&harness);

    assert_eq!(harness.root().accesskit_node().label().as_deref(), Some("Ferry"), "the window is named");
    // The tab itself is called "New tab" too, until it connects.
    assert_eq!(harness.query_all_by_role_and_label(Role::Button, "New tab").count(), 2, "the tab and the + button");
    harness.get_by_role_and_label(Role::Button, "Close tab New tab");
    for symbol in ["+", "x"] {
        assert!(harness.query_by_label(symbol).is_none(), "a button named \"{symbol}\"");
    }
    harness.get_by_role_and_label(Role::Splitter, "Width of the Size column");

    // "File" also names the icon of each file row.
    click_node(&mut harness, |h| {
        h.query_all_by_label("File").find(|node| node.accesskit_node().role() != Role::Image).expect("the File menu")
    });
    let item = topmost(&harness, "Site manager...");
    assert_eq!(item.accesskit_node().role(), Role::MenuItem, "a menu entry is a menu item");
}

/// A dialog drawn alone until it answers, as the window draws it.
fn host_key_dialog() -> Harness<'static, (PromptDialog, bool)> {
    let question = Question::UnknownHostKey {
        host: "files.example.org".into(),
        via: None,
        port: 2222,
        key: HostKey {
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU".into(),
            base64: "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl".into(),
        },
    };
    let mut harness = Harness::builder().with_size([900.0, 700.0]).build_ui_state(
        |ui, (dialog, answered): &mut (PromptDialog, bool)| {
            if !*answered {
                *answered = dialog.show(ui.ctx()).is_some();
            }
        },
        (PromptDialog::new(PromptId(1), question), false),
    );
    harness.run();
    harness
}

#[test]
fn the_host_key_dialog_is_a_named_dialog_that_opens_with_focus_on_cancel() {
    let harness = host_key_dialog();
    let dialog = harness.get_by_role_and_label(Role::Dialog, "Unknown host key");
    assert!(dialog.accesskit_node().data().is_modal());
    let focused = harness.query_by(|node| node.is_focused()).expect("something has focus in the dialog");
    assert_eq!(focused.accesskit_node().label().as_deref(), Some("Cancel"), "the safe answer has focus");
    assert_eq!(focused.accesskit_node().role(), Role::Button);
}

#[test]
fn a_dialog_gives_focus_back_where_it_was_when_it_closes() {
    let desk = desk();
    let mut harness = opened(&desk);
    click(&mut harness, "notes.txt");
    harness.get_by_role_and_label(Role::Table, "Local files").focus();
    harness.run_steps(2);
    assert!(table_has_focus(&harness, "Local files"));

    harness.key_press(egui::Key::Delete);
    harness.run_steps(2);
    harness.get_by_role(Role::Dialog);
    assert!(harness.get_by_label("Cancel").is_focused(), "the delete question opens on Cancel");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    let dialogs: Vec<String> =
        harness.query_all_by_role(Role::Dialog).map(|node| format!("{:?}", node.accesskit_node())).collect();
    assert!(dialogs.is_empty(), "closed: {dialogs:?}");
    assert!(desk.local.path().join("notes.txt").exists(), "nothing deleted");
    assert!(table_has_focus(&harness, "Local files"), "focus is back on the list");
}

/// The id of the live region that says the latest news.
fn announcement_node(harness: &Harness<'_, FerryApp>) -> Option<String> {
    harness
        .query_by(|node| node.live() == egui::accesskit::Live::Polite)
        .map(|node| format!("{:?}", node.accesskit_node().id()))
}

fn announcement(harness: &Harness<'_, FerryApp>) -> String {
    harness
        .query_by(|node| node.live() == egui::accesskit::Live::Polite)
        .and_then(|node| node.accesskit_node().label())
        .unwrap_or_default()
}

#[test]
fn a_listing_a_download_and_its_progress_are_told_without_moving_focus() {
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("remote.txt"), b"from the server").unwrap();
    let desk = desk();
    let mut harness = opened(&desk);
    let local_folder = desk.local.path().display().to_string();
    wait_until(&mut harness, "the local listing announced", |h| {
        announcement(h) == format!("Listed {local_folder}: 2 items")
    });
    // The same words again (F5) are news again: a screen reader hears a region that appears.
    let first = announcement_node(&harness);
    harness.key_press(egui::Key::F5);
    wait_until(&mut harness, "the refresh announced", |h| {
        announcement_node(h) != first && announcement(h) == format!("Listed {local_folder}: 2 items")
    });

    type_into(&mut harness, "Host", &format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", sshd.port()));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Accept once");
    harness.get_by_role_and_label(Role::Dialog, "Unknown host key");
    click(&mut harness, "Accept once");
    wait_until(&mut harness, "the remote listing", |h| {
        h.query_all_by_role_and_label(Role::Row, "remote.txt, file, 15 B").next().is_some()
    });
    assert!(announcement(&harness).starts_with("Listed "), "the remote listing is announced");
    assert!(
        harness
            .root()
            .accesskit_node()
            .label()
            .unwrap_or_default()
            .starts_with(&format!("Ferry: {TEST_USER}@127.0.0.1"))
    );

    click(&mut harness, "remote.txt");
    let focused_before = harness.query_by(|node| node.is_focused()).map(|node| node.accesskit_node().id());
    harness.get_by_label("remote.txt").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Download"));
    wait_until(&mut harness, "the download announced", |h| announcement(h) == "Downloaded remote.txt");
    assert_eq!(std::fs::read(desk.local.path().join("remote.txt")).unwrap(), b"from the server");
    let focused_after = harness.query_by(|node| node.is_focused()).map(|node| node.accesskit_node().id());
    assert_eq!(focused_before, focused_after, "the announcement moved no focus");
    let progress = harness
        .query_all_by_role(Role::ProgressIndicator)
        .map(|node| node.accesskit_node().label().unwrap_or_default())
        .collect::<Vec<_>>();
    assert!(progress.iter().any(|name| name == "Progress of remote.txt"), "the item's bar is named: {progress:?}");
    assert!(progress.iter().all(|name| !name.is_empty()), "every bar is named: {progress:?}");
    // With the remote pane and the queue's rows shown too.
    assert_every_focusable_node_is_named(&harness);
}

#[test]
fn a_listing_that_takes_long_shows_a_named_progress_indicator() {
    use crate::scripted_ftp::{Script, ScriptedFtp};
    use std::time::Duration;
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("slow", &["-rw-r--r-- 1 u g 5 Jan 01 2025 never.txt"])
            .delay("LIST", Duration::from_secs(30)),
    );
    let desk = desk();
    let mut harness = opened(&desk);
    type_into(&mut harness, "Host", &format!("ftp://anonymous@127.0.0.1:{}/slow", server.port()));
    click(&mut harness, "Connect");
    wait_until(&mut harness, "the listing under way", |h| {
        h.query_all_by_role_and_label(Role::ProgressIndicator, "Loading the folder listing").next().is_some()
    });
    click(&mut harness, "Cancel");
}

#[test]
fn a_lost_connection_is_announced_and_its_error_opens_on_close() {
    support::require_password_logins();
    let mut sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("remote.txt"), b"x").unwrap();
    let desk = desk();
    let mut harness = opened(&desk);
    type_into(&mut harness, "Host", &format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}", sshd.port()));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "Accept once");
    click(&mut harness, "Accept once");
    wait_until(&mut harness, "the remote listing", |h| {
        h.query_all_by_role_and_label(Role::Row, "remote.txt, file, 1 B").next().is_some()
    });

    sshd.stop();
    click(&mut harness, "remote.txt");
    harness.key_press(egui::Key::F5);
    wait_until(&mut harness, "the loss announced", |h| {
        let said = announcement(h);
        said.starts_with(&format!("Connection to {TEST_USER}@127.0.0.1")) && said.ends_with(" lost")
    });
    wait_for(&mut harness, "Reconnect");
    harness.run_steps(2);
    let focused = harness.query_by(|node| node.is_focused()).expect("focus in the error dialog");
    assert_eq!(focused.accesskit_node().label().as_deref(), Some("Close"), "the error opens on Close");
}

/// The arrows move the table's active row, which a screen reader reads without the focus leaving
/// the table: the row under the keyboard's cursor is the table's active descendant.
#[test]
fn the_arrows_make_the_row_under_the_cursor_the_tables_active_row() {
    let desk = desk();
    let mut harness = opened(&desk);
    harness.get_by_role_and_label(Role::Table, "Local files").focus();
    harness.run_steps(2);
    let active = |h: &Harness<'_, FerryApp>| {
        let table = h.get_by_role_and_label(Role::Table, "Local files");
        table.accesskit_node().active_descendant().and_then(|row| row.label())
    };
    assert_eq!(active(&harness), None, "no cursor yet");
    // Rows: docs, notes.txt (folders first).
    for (key, expected) in [(egui::Key::ArrowDown, "docs, folder"), (egui::Key::ArrowDown, "notes.txt, file, 3 B")] {
        harness.key_press(key);
        harness.run_steps(2);
        assert_eq!(active(&harness).as_deref(), Some(expected));
        assert!(row(&harness, expected).accesskit_node().is_selected() == Some(true), "{expected} is selected");
    }
}

/// What has the keyboard: its role and name.
fn focused(harness: &Harness<'_, FerryApp>) -> Option<(Role, String)> {
    let node = harness.query_by(|node| node.is_focused())?;
    let node = node.accesskit_node();
    Some((node.role(), node.label().unwrap_or_default()))
}

#[test]
fn the_site_manager_is_a_dialog_that_opens_on_its_search_and_gives_focus_back() {
    let desk = desk();
    let mut harness = opened(&desk);
    harness.get_by_role_and_label(Role::Table, "Local files").focus();
    harness.run_steps(2);
    // F10 puts the keyboard on File; Enter opens it on "Site manager...", Enter chooses that.
    for key in [egui::Key::F10, egui::Key::Enter, egui::Key::Enter] {
        harness.key_press(key);
        harness.run_steps(3);
    }
    harness.get_by_role_and_label(Role::Dialog, "Site manager");
    assert_eq!(focused(&harness), Some((Role::TextInput, "Search".to_string())), "it opens on its search box");
    harness.get_by_role_and_label(Role::Button, "Close").click();
    harness.run_steps(3);
    assert!(harness.query_by_role_and_label(Role::Dialog, "Site manager").is_none(), "closed");
    assert!(table_has_focus(&harness, "Local files"), "focus is back on the list: {:?}", focused(&harness));
}

#[test]
fn the_shortcuts_window_is_a_dialog_that_opens_on_close_and_gives_focus_back() {
    let desk = desk();
    let mut harness = opened(&desk);
    harness.get_by_role_and_label(Role::Table, "Local files").focus();
    harness.run_steps(2);
    // F10 and Down open File; Left opens Help beside it on "Keyboard shortcuts"; Enter chooses it.
    for key in [egui::Key::F10, egui::Key::ArrowDown, egui::Key::ArrowLeft, egui::Key::Enter] {
        harness.key_press(key);
        harness.run_steps(3);
    }
    harness.get_by_role_and_label(Role::Dialog, "Keyboard shortcuts");
    assert_eq!(focused(&harness), Some((Role::Button, "Close".to_string())), "it opens on Close");
    harness.key_press(egui::Key::Escape);
    harness.run_steps(3);
    assert!(harness.query_by_role_and_label(Role::Dialog, "Keyboard shortcuts").is_none(), "Escape closes it");
    assert!(table_has_focus(&harness, "Local files"), "focus is back on the list: {:?}", focused(&harness));
}
