//! The window against a server that lists names leading out of the local folder
//! ("notes/../../X", "../../Y", a backslash): every way of starting a download (double-click,
//! Enter, the Download menu, select-all, a drag to the local pane) refuses them with a message,
//! writes nothing outside the pane's folder, and still downloads the ordinary file beside them.

use crate::scripted_ftp;
use crate::window_driver;

use std::path::{Path, PathBuf};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;
use scripted_ftp::{Script, ScriptedFtp};
use window_driver::{
    app_harness, click, click_node, double_click, drag_and_drop, rightmost, topmost, type_into, wait_for, wait_until,
};

const ONE_UP: &str = "notes/../../X";
const TWO_UP: &str = "../../Y";
const BACKSLASH: &str = "evil\\name";
/// What the refusal says, whatever the names.
const REFUSAL: &str = "a name from the server must not lead outside";

/// A server whose folder "dir" lists the hostile names, "..", and "fine.txt" (Ferry's FTP
/// listing drops ".." itself). The files they resolve
/// to on the server exist too, so a client that trusted the names would really write them.
fn hostile_server() -> ScriptedFtp {
    let line = |name: &str| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}");
    let lines: Vec<String> = [ONE_UP, TWO_UP, "..", BACKSLASH, "fine.txt"].iter().map(|name| line(name)).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    ScriptedFtp::start(
        Script::new()
            .dir_listing("dir", &lines)
            .file("X", &b"xxxxx"[..])
            .file("Y", &b"yyyyy"[..])
            .file(&format!("dir/{BACKSLASH}"), &b"bslsh"[..])
            .file("dir/fine.txt", &b"fine!"[..]),
    )
}

/// Every path under `root`, symlinks not followed.
fn walk(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            }
            found.push(entry.path());
        }
    }
    found
}

/// What a widget shows: a button's label, a text's value.
fn text_of(node: &egui_kittest::Node<'_>) -> String {
    let node = node.accesskit_node();
    node.label().or_else(|| node.value()).unwrap_or_default()
}

/// Waits for the refusal naming `name`, then closes it.
fn refused(harness: &mut Harness<'_, FerryApp>, name: &str) {
    wait_until(harness, &format!("the refusal of {name:?}"), |h| {
        h.query_all_by_label_contains(REFUSAL).any(|node| text_of(&node).contains(name))
    });
    click(harness, "Close");
    wait_until(harness, "the refusal closed", |h| h.query_by_label("Close").is_none());
}

#[test]
fn names_leading_out_of_the_local_folder_are_refused_however_the_download_starts() {
    let server = hostile_server();
    let config = tempfile::tempdir().unwrap();
    // The pane shows outer/home/pane: "X" would land in outer/home, "Y" in outer.
    let outer = tempfile::tempdir().unwrap();
    let pane = outer.path().join("home").join("pane");
    std::fs::create_dir_all(&pane).unwrap();
    std::fs::write(pane.join("local-note.txt"), b"mine").unwrap();
    let mut harness = app_harness(config.path(), &pane);
    wait_for(&mut harness, "local-note.txt");
    type_into(&mut harness, "Host", &format!("ftp://anonymous@127.0.0.1:{}/dir", server.port()));
    click(&mut harness, "Connect");
    wait_for(&mut harness, "fine.txt");
    // "../../Y" starts with a dot: a hidden file.
    click_node(&mut harness, |h| rightmost(h, "Show hidden"));
    // The pane still shows what the server listed; only using it as a target is refused.
    for name in [ONE_UP, TWO_UP, BACKSLASH] {
        wait_for(&mut harness, name);
    }

    // Double-click.
    double_click(&mut harness, ONE_UP);
    refused(&mut harness, ONE_UP);

    // Selected, then Enter.
    click(&mut harness, TWO_UP);
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    refused(&mut harness, TWO_UP);

    // Download from the row's menu.
    click(&mut harness, BACKSLASH);
    harness.get_by_label(BACKSLASH).click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Download"));
    refused(&mut harness, BACKSLASH);

    // Dragged onto the local pane.
    let from = harness.get_by_label(ONE_UP).rect().center();
    let to = harness.get_by_label("Local").rect().center() + egui::vec2(0.0, 250.0);
    drag_and_drop(&mut harness, from, to);
    refused(&mut harness, ONE_UP);

    // Everything selected and downloaded: one message for the three, and the ordinary file arrives.
    click(&mut harness, "fine.txt");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(2);
    harness.get_by_label("fine.txt").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Download"));
    wait_until(&mut harness, "one refusal naming all three", |h| {
        h.query_all_by_label_contains(REFUSAL).any(|node| {
            let text = text_of(&node);
            [ONE_UP, TWO_UP, BACKSLASH].iter().all(|name| text.contains(name))
        })
    });
    wait_until(&mut harness, "fine.txt downloaded", |_| {
        std::fs::read(pane.join("fine.txt")).ok().as_deref() == Some(b"fine!")
    });
    click(&mut harness, "Close");
    harness.run_steps(5);

    // Nothing but the ordinary file was written, and nothing at all outside the pane's folder.
    let mut written: Vec<PathBuf> = walk(outer.path());
    written.sort();
    let expected = vec![outer.path().join("home"), pane.clone(), pane.join("fine.txt"), pane.join("local-note.txt")];
    assert_eq!(written, expected);
    let asked: Vec<String> = server.commands().into_iter().filter(|command| command.starts_with("RETR")).collect();
    assert!(!asked.is_empty() && asked.iter().all(|command| command.ends_with("/fine.txt")), "fetched: {asked:?}");
}
