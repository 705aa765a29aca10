//! Edit in the window: Edit in the remote pane's menu and F4 open a remote file in the editor
//! chosen in window.json (an editor stand-in script), each save reaches a real sshd, the Edits tab
//! shows the edit and closes it, and a file changed on the server meanwhile is asked about.

use crate::gui::{connect, desk, open_up, sftp_url};
use crate::support;
use crate::window_driver;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use egui_kittest::kittest::Queryable;
use window_driver::{app_harness, click, click_node, topmost, wait_for, wait_until};

/// An editor stand-in at `dir`, running `body` with the file as `$f`, chosen for every file in
/// the window's saved state.
fn choose_editor(config: &Path, dir: &Path, body: &str) -> PathBuf {
    let script = dir.join("editor stand-in.sh");
    std::fs::write(&script, format!("#!/bin/sh\nf=\"$1\"\n{body}\n")).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let state = serde_json::json!({ "editors": { "global": format!("'{}'", script.display()) } });
    std::fs::write(config.join("window.json"), state.to_string()).unwrap();
    script
}

fn private_copies(config: &Path) -> usize {
    std::fs::read_dir(config.join("edits")).map(|dir| dir.count()).unwrap_or(0)
}

#[test]
fn edit_from_the_remote_menu_uploads_each_save_and_close_removes_the_copy() {
    support::require_password_logins();
    let sshd = support::Sshd::start();
    let server_file = sshd.data_dir().join("page.txt");
    std::fs::write(&server_file, b"old").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let scratch = tempfile::tempdir().unwrap();
    let server = server_file.display();
    choose_editor(
        desk.config.path(),
        scratch.path(),
        &format!(
            "printf 'first' > \"$f\"\ni=0; until grep -q first '{server}'; do i=$((i+1)); [ $i -gt 150 ] && break; sleep \
             0.1; done\nprintf 'second save' > \"$f\""
        ),
    );
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "page.txt");

    harness.get_by_label("page.txt").click_secondary();
    harness.run_steps(2);
    click_node(&mut harness, |h| topmost(h, "Edit"));
    wait_until(&mut harness, "the last save on the server", |_| {
        std::fs::read(&server_file).ok().as_deref() == Some(&b"second save"[..])
    });
    wait_until(&mut harness, "the edit listed", |h| h.query_by_label("Edits (1)").is_some());
    wait_for(&mut harness, "uploaded 11 B");
    assert_eq!(private_copies(desk.config.path()), 1, "the copy lives while the edit is open");

    click(&mut harness, "Edits (1)");
    click(&mut harness, "Close");
    wait_until(&mut harness, "the edit closed", |h| h.query_by_label("Edits").is_some());
    assert_eq!(private_copies(desk.config.path()), 0, "closing the edit removes its copy");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"second save");
}

#[test]
fn f4_on_a_file_changed_on_the_server_asks_and_overwrite_replaces_it() {
    support::require_password_logins();
    let sshd = support::Sshd::start();
    let server_file = sshd.data_dir().join("conf.ini");
    std::fs::write(&server_file, b"opened version").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let scratch = tempfile::tempdir().unwrap();
    let server = server_file.display();
    choose_editor(
        desk.config.path(),
        scratch.path(),
        &format!("printf 'theirs, changed meanwhile' > '{server}'\nprintf 'mine' > \"$f\""),
    );
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "conf.ini");

    click(&mut harness, "conf.ini");
    harness.key_press(egui::Key::F4);
    harness.run_steps(2);
    wait_for(&mut harness, "Changed on the server");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"theirs, changed meanwhile", "nothing replaced unasked");
    click(&mut harness, "Overwrite");
    wait_until(&mut harness, "mine on the server", |_| {
        std::fs::read(&server_file).ok().as_deref() == Some(&b"mine"[..])
    });
}

/// Whether the window's last frame asked the platform for `command`.
fn window_asked(harness: &egui_kittest::Harness<'_, ferry::app::FerryApp>, command: &egui::ViewportCommand) -> bool {
    harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|output| output.commands.contains(command))
}

#[test]
fn closing_the_window_while_a_save_waits_for_an_answer_asks_first() {
    support::require_password_logins();
    let sshd = support::Sshd::start();
    let server_file = sshd.data_dir().join("conf.ini");
    std::fs::write(&server_file, b"opened version").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let scratch = tempfile::tempdir().unwrap();
    let server = server_file.display();
    choose_editor(
        desk.config.path(),
        scratch.path(),
        &format!("printf 'theirs, changed meanwhile' > '{server}'\nprintf 'mine' > \"$f\""),
    );
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "conf.ini");
    click(&mut harness, "conf.ini");
    harness.key_press(egui::Key::F4);
    harness.run_steps(2);
    wait_for(&mut harness, "Changed on the server");

    // The window manager's close button, while the save waits for the user's answer.
    harness.input_mut().viewports.entry(egui::ViewportId::ROOT).or_default().events.push(egui::ViewportEvent::Close);
    harness.step();
    assert!(window_asked(&harness, &egui::ViewportCommand::CancelClose), "the close is held back");

    click(&mut harness, "Keep theirs");
    wait_for(&mut harness, "Quit while saves are pending?");
    harness.get_by_label("Quit anyway").click();
    let mut closed = false;
    for _ in 0..3 {
        harness.step();
        closed |= window_asked(&harness, &egui::ViewportCommand::Close);
    }
    assert!(closed, "then the window closes");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"theirs, changed meanwhile");
}

#[test]
fn a_save_made_while_the_last_one_uploads_is_uploaded_after_it() {
    support::require_password_logins();
    let sshd = support::Sshd::start();
    let server_file = sshd.data_dir().join("big.log");
    std::fs::write(&server_file, b"small").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let scratch = tempfile::tempdir().unwrap();
    // Two saves of 8 MB: the second comes as the first starts uploading (past the settling time),
    // and the editor stays "open" in the window's sense: no final upload on its exit.
    choose_editor(
        desk.config.path(),
        scratch.path(),
        "head -c 8000000 /dev/zero | tr '\\0' a > \"$f\"\nsleep 0.5\nhead -c 8000000 /dev/zero | tr '\\0' b > \"$f\"",
    );
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "big.log");
    click(&mut harness, "big.log");
    harness.key_press(egui::Key::F4);
    harness.run_steps(2);
    wait_until(&mut harness, "the second save on the server", |_| {
        std::fs::read(&server_file).is_ok_and(|bytes| bytes.len() == 8_000_000 && bytes.iter().all(|&b| b == b'b'))
    });
}

#[test]
fn the_editor_chosen_in_view_editors_is_the_one_f4_starts() {
    support::require_password_logins();
    let sshd = support::Sshd::start();
    let server_file = sshd.data_dir().join("notes.md");
    std::fs::write(&server_file, b"# old").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let scratch = tempfile::tempdir().unwrap();
    let script = scratch.path().join("my editor.sh");
    std::fs::write(&script, "#!/bin/sh\nprintf '# chosen in the dialog' > \"$1\"\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "notes.md");

    click(&mut harness, "View");
    harness.run_steps(2);
    click(&mut harness, "Editors...");
    harness.run_steps(2);
    // A command that does not split into words is refused, and the dialog stays.
    window_driver::type_into(&mut harness, "Editor for every file", "'unclosed");
    click(&mut harness, "OK");
    wait_until(&mut harness, "the command refused", |h| {
        h.query_all_by_label_contains("is a quote left open").next().is_some()
    });
    window_driver::text_field(&harness, "Editor for every file").focus();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    window_driver::text_field(&harness, "Editor for every file").type_text(&format!("'{}'", script.display()));
    harness.run_steps(2);
    click(&mut harness, "OK");
    harness.run_steps(2);

    click(&mut harness, "notes.md");
    harness.key_press(egui::Key::F4);
    harness.run_steps(2);
    wait_until(&mut harness, "the chosen editor's save on the server", |_| {
        std::fs::read(&server_file).ok().as_deref() == Some(&b"# chosen in the dialog"[..])
    });
}

#[test]
fn compare_opens_the_diff_tool_on_both_versions_and_the_conflict_stays_open_until_a_choice() {
    support::require_password_logins();
    let sshd = support::Sshd::start();
    let server_file = sshd.data_dir().join("conf.ini");
    std::fs::write(&server_file, b"opened version").unwrap();
    open_up(sshd.data_dir());
    let desk = desk();
    let scratch = tempfile::tempdir().unwrap();
    let server = server_file.display();
    let editor = choose_editor(
        desk.config.path(),
        scratch.path(),
        &format!("printf 'theirs, changed meanwhile' > '{server}'\nprintf 'mine' > \"$f\""),
    );
    // The diff tool set beside the editor (View > Editors... writes the same).
    let seen = scratch.path().join("seen");
    let diff = scratch.path().join("diff tool.sh");
    let body = format!("#!/bin/sh\ncat \"$1\" > '{0}.ours'\ncat \"$2\" > '{0}.theirs'\n", seen.display());
    std::fs::write(&diff, body).unwrap();
    std::fs::set_permissions(&diff, std::fs::Permissions::from_mode(0o755)).unwrap();
    let editors = serde_json::json!({
        "global": format!("'{}'", editor.display()),
        "diff_tool": format!("'{}'", diff.display()),
    });
    let state = serde_json::json!({ "editors": editors });
    std::fs::write(desk.config.path().join("window.json"), state.to_string()).unwrap();

    let mut harness = app_harness(desk.config.path(), desk.local.path());
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "conf.ini");
    click(&mut harness, "conf.ini");
    harness.key_press(egui::Key::F4);
    harness.run_steps(2);
    wait_for(&mut harness, "Changed on the server");
    click(&mut harness, "Compare");
    wait_until(&mut harness, "the diff tool given both versions", |_| {
        std::fs::read(format!("{}.theirs", seen.display())).ok().as_deref() == Some(&b"theirs, changed meanwhile"[..])
    });
    assert_eq!(std::fs::read(format!("{}.ours", seen.display())).unwrap(), b"mine");
    // Still open: the server's version is untouched until a choice.
    wait_for(&mut harness, "Changed on the server");
    assert_eq!(std::fs::read(&server_file).unwrap(), b"theirs, changed meanwhile");
    click(&mut harness, "Overwrite");
    wait_until(&mut harness, "the overwrite on the server", |_| {
        std::fs::read(&server_file).ok().as_deref() == Some(&b"mine"[..])
    });
}
