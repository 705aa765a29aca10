//! A path typed into a pane's path bar (Ctrl+L), in the whole window against the local disk and
//! a real SSH server: a file's path opens its folder with the file selected and in view, as the
//! file managers do; a path that is not there says so in plain words.

use crate::gui::{connect, desk, sftp_url};
use crate::support;
use crate::window_driver;

use egui::accesskit::Role;
use egui::{Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;
use support::Sshd;
use window_driver::{app_harness, click, text_field, wait_for, wait_until};

/// A folder with 80 files, so that the one asked for lies far below the first screen.
fn many_files(folder: &std::path::Path) {
    std::fs::create_dir(folder).unwrap();
    for number in 0..80 {
        std::fs::write(folder.join(format!("f{number:02}.txt")), b"x").unwrap();
    }
}

/// Types `path` into the active pane's path bar and presses Enter.
fn type_path(harness: &mut Harness<'_, FerryApp>, path: &str) {
    harness.key_press_modifiers(Modifiers::COMMAND, Key::L);
    harness.run_steps(2);
    harness.key_press_modifiers(Modifiers::COMMAND, Key::A);
    text_field(harness, "Path").type_text(path);
    harness.key_press(Key::Enter);
    harness.run_steps(2);
}

/// Whether the row of `name` is drawn (in view) and is the only one selected in table `table`.
fn only_selected(harness: &Harness<'_, FerryApp>, table: &str, name: &str) -> bool {
    let prefix = format!("{name}, ");
    let in_table = |row: &egui_kittest::Node<'_>| {
        row.accesskit_node().parent().and_then(|parent| parent.label()).as_deref() == Some(table)
    };
    let selected: Vec<String> = harness
        .query_all_by_role(Role::Row)
        .filter(|row| in_table(row) && row.accesskit_node().is_selected() == Some(true))
        .map(|row| row.accesskit_node().label().unwrap_or_default())
        .collect();
    selected.len() == 1 && selected[0].starts_with(&prefix) && harness.query_all_by_label(name).next().is_some()
}

#[test]
fn a_typed_file_path_opens_its_folder_with_the_file_selected() {
    support::require_password_logins();
    let desk = desk();
    many_files(&desk.local.path().join("deep"));
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");

    // The local pane: the file's folder is shown, the file selected and scrolled into view.
    let local_file = desk.local.path().join("deep/f75.txt");
    type_path(&mut harness, &local_file.to_string_lossy());
    wait_until(&mut harness, "f75.txt selected in the local pane", |h| only_selected(h, "Local files", "f75.txt"));
    assert!(harness.query_by_label("local-note.txt").is_none(), "the file's folder is shown");

    // A path that is not there says so, and the pane stays where it was.
    let missing = desk.local.path().join("deep/nothing-here.txt");
    type_path(&mut harness, &missing.to_string_lossy());
    wait_until(&mut harness, "the missing path is named", |h| {
        h.query_all_by_label_contains("there is no file or folder by that name").next().is_some()
    });
    assert!(harness.query_by_label("f75.txt").is_some(), "the folder shown is kept");
    // The error's own Close (a tab's close button is "Close tab …": not that one).
    wait_until(&mut harness, "the error's Close button", |h| h.query_by_label("Close").is_some());
    click(&mut harness, "Close");

    // The remote pane, on a real SSH server.
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("on-top.txt"), b"top").unwrap();
    many_files(&sshd.data_dir().join("www"));
    connect(&mut harness, &sftp_url(&sshd), "on-top.txt");
    click(&mut harness, "on-top.txt");
    let remote_file = format!("{}/www/f70.txt", sshd.data_dir().display());
    type_path(&mut harness, &remote_file);
    wait_until(&mut harness, "f70.txt selected in the remote pane", |h| only_selected(h, "Remote files", "f70.txt"));
    assert!(harness.query_by_label("on-top.txt").is_none(), "the file's folder is shown");
    assert!(!desk.local.path().join("deep/on-top.txt").exists(), "Enter in the path bar transfers nothing");

    let missing = format!("{}/www/gone.html", sshd.data_dir().display());
    type_path(&mut harness, &missing);
    wait_until(&mut harness, "the missing remote path is named", |h| {
        h.query_all_by_label_contains("there is no file or folder by that name").next().is_some()
    });
}
