//! Compare folders and Synchronize..., through the whole window on the real worker against a real
//! sshd: the rows marked in both panes, and a sync that does exactly what its preview showed and
//! the user ticked (an unticked file stays behind, nothing is deleted unless asked, a file that
//! appeared after the preview is never deleted, a hostile name is refused, not tickable).

use std::path::Path;
use std::time::{Duration, SystemTime};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::app::FerryApp;

use crate::gui::{connect, desk, open_up, sftp_url};
use crate::support::{self, Sshd};
use crate::window_driver::{app_harness, click, click_node, topmost, wait_for, wait_until};

fn write_at(path: &Path, bytes: &[u8], modified: SystemTime) {
    std::fs::write(path, bytes).unwrap();
    std::fs::File::options().write(true).open(path).unwrap().set_modified(modified).unwrap();
}

/// Whether a pane row reads `label` to a screen reader (the marks are part of it).
fn row_reads(harness: &Harness<'_, FerryApp>, label: &str) -> bool {
    harness.query_all_by_role_and_label(Role::Row, label).next().is_some()
}

/// The preview's box for `path`.
fn tick_box<'a>(harness: &'a Harness<'_, FerryApp>, path: &'a str) -> egui_kittest::Node<'a> {
    harness
        .query_all_by_role_and_label(Role::CheckBox, path)
        .last()
        .unwrap_or_else(|| panic!("no box for \"{path}\" in {:#?}", harness.root()))
}

/// Opens Transfer > Synchronize... and waits for its preview to list `expect`.
fn open_synchronize(harness: &mut Harness<'_, FerryApp>, expect: &str) {
    click(harness, "Transfer");
    click_node(harness, |h| topmost(h, "Synchronize..."));
    wait_until(harness, "the preview", |h| h.query_all_by_role_and_label(Role::CheckBox, expect).next().is_some());
}

/// Starts the sync and waits for its end in the status line.
fn start_and_wait(harness: &mut Harness<'_, FerryApp>) {
    click(harness, "Start");
    wait_until(harness, "the sync ended", |h| h.query_all_by_label_contains("Synchronized:").next().is_some());
}

#[test]
fn compare_folders_marks_only_here_newer_and_different_size_and_the_marks_go_when_a_folder_changes() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let desk = desk();
    let (local, remote) = (desk.local.path(), sshd.data_dir());
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    write_at(&remote.join("theirs.txt"), b"server only", hour_ago);
    write_at(&remote.join("same.txt"), b"same", hour_ago);
    write_at(&local.join("same.txt"), b"same", hour_ago);
    write_at(&remote.join("grown.txt"), b"short", hour_ago);
    write_at(&local.join("grown.txt"), b"much longer", hour_ago);
    write_at(&remote.join("edited.txt"), b"v1", hour_ago);
    write_at(&local.join("edited.txt"), b"v2", SystemTime::now());
    std::fs::create_dir(local.join("sub")).unwrap();
    open_up(remote);
    let mut harness = app_harness(desk.config.path(), local);
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "theirs.txt");

    click(&mut harness, "View");
    click_node(&mut harness, |h| topmost(h, "Compare folders"));
    let marked = [
        "local-note.txt, file, 12 B, only on this computer",
        "theirs.txt, file, 11 B, only on the server",
        "edited.txt, file, 2 B, newer",
        "grown.txt, file, 11 B, different size",
        "grown.txt, file, 5 B, different size",
        "sub, folder, only on this computer",
    ];
    wait_until(&mut harness, "the rows marked", |h| marked.iter().all(|label| row_reads(h, label)));
    assert!(crate::window_driver::shown(&harness, "Compared: 6 rows differ (marked)"));
    assert!(row_reads(&harness, "same.txt, file, 4 B"), "a file the same on both sides is not marked");
    assert_eq!(
        harness.query_all_by_role_and_label(Role::Row, "edited.txt, file, 2 B").count(),
        1,
        "the older copy is not marked"
    );
    assert!(harness.query_all_by_label("[newer]").next().is_some(), "the mark is seen beside the name too");

    // Another folder in the local pane: the marks go, in both panes.
    crate::window_driver::double_click(&mut harness, "sub");
    wait_until(&mut harness, "the marks gone", |h| row_reads(h, "theirs.txt, file, 11 B"));
    assert!(!marked.iter().any(|label| row_reads(&harness, label)));

    // Back, on again, then off again.
    click_node(&mut harness, |h| crate::window_driver::leftmost(h, "Back"));
    wait_for(&mut harness, "local-note.txt");
    click(&mut harness, "View");
    click_node(&mut harness, |h| topmost(h, "Compare folders"));
    wait_until(&mut harness, "marked again", |h| row_reads(h, marked[0]));
    click(&mut harness, "View");
    click_node(&mut harness, |h| topmost(h, "Compare folders"));
    wait_until(&mut harness, "the marks off", |h| !row_reads(h, marked[0]));
    assert!(row_reads(&harness, "local-note.txt, file, 12 B"));
}

#[test]
fn a_preview_with_one_row_unticked_copies_all_but_that_file_and_deletes_nothing_by_default() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let desk = desk();
    let (local, remote) = (desk.local.path(), sshd.data_dir());
    for name in ["a.txt", "b.txt", "c.txt"] {
        std::fs::write(local.join(name), format!("bytes of {name}")).unwrap();
    }
    std::fs::write(remote.join("old.txt"), b"only on the server").unwrap();
    open_up(remote);
    let mut harness = app_harness(desk.config.path(), local);
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "old.txt");
    click(&mut harness, "View");
    click_node(&mut harness, |h| topmost(h, "Compare folders"));
    wait_until(&mut harness, "marked", |h| row_reads(h, "a.txt, file, 14 B, only on this computer"));

    open_synchronize(&mut harness, "b.txt");
    assert!(crate::window_driver::shown(&harness, "1 only in the remote folder: left alone"));
    assert!(harness.query_all_by_role_and_label(Role::CheckBox, "old.txt").next().is_none(), "no delete row");
    let delete_box = "Delete files that are not in the source";
    assert_eq!(tick_box(&harness, delete_box).accesskit_node().toggled(), Some(egui::accesskit::Toggled::False));
    assert!(crate::window_driver::shown(&harness, "Ticked: 4 to copy"));
    click_node(&mut harness, |h| tick_box(h, "b.txt"));
    assert_eq!(tick_box(&harness, "b.txt").accesskit_node().toggled(), Some(egui::accesskit::Toggled::False));
    assert!(crate::window_driver::shown(&harness, "Ticked: 3 to copy"));
    start_and_wait(&mut harness);

    for name in ["a.txt", "c.txt"] {
        assert_eq!(std::fs::read(remote.join(name)).unwrap(), format!("bytes of {name}").as_bytes());
    }
    assert_eq!(std::fs::read(remote.join("local-note.txt")).unwrap(), b"from my desk");
    assert!(!remote.join("b.txt").exists(), "the unticked file stays behind");
    assert_eq!(std::fs::read(remote.join("old.txt")).unwrap(), b"only on the server", "nothing deleted");

    // Both folders are listed again and compared again; the sync's word stays in the status line.
    wait_until(&mut harness, "compared again", |h| row_reads(h, "a.txt, file, 14 B"));
    assert!(row_reads(&harness, "b.txt, file, 14 B, only on this computer"), "the file left behind is marked");
    assert!(crate::window_driver::shown(&harness, "Synchronized: 3 copied, 0 deleted"));
}

#[test]
fn a_file_that_appears_between_preview_and_start_is_not_deleted() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let desk = desk();
    let (local, remote) = (desk.local.path(), sshd.data_dir());
    std::fs::write(remote.join("old.txt"), b"only on the server").unwrap();
    open_up(remote);
    let mut harness = app_harness(desk.config.path(), local);
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "old.txt");

    open_synchronize(&mut harness, "local-note.txt");
    click_node(&mut harness, |h| tick_box(h, "Delete files that are not in the source"));
    wait_until(&mut harness, "the delete row", |h| {
        h.query_all_by_role_and_label(Role::CheckBox, "old.txt").next().is_some()
    });
    assert!(crate::window_driver::shown(&harness, "1 to delete"));
    std::fs::write(remote.join("appeared.txt"), b"new since the preview").unwrap();
    start_and_wait(&mut harness);

    assert!(!remote.join("old.txt").exists(), "the ticked delete was done");
    assert_eq!(std::fs::read(remote.join("appeared.txt")).unwrap(), b"new since the preview");
    assert_eq!(std::fs::read(remote.join("local-note.txt")).unwrap(), b"from my desk");
}

#[test]
fn a_hostile_name_from_the_server_is_shown_refused_and_never_written() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let desk = desk();
    let (local, remote) = (desk.local.path(), sshd.data_dir());
    std::fs::write(remote.join("fine.txt"), b"fine").unwrap();
    std::fs::write(remote.join("..\\escape.txt"), b"hostile").unwrap();
    open_up(remote);
    let mut harness = app_harness(desk.config.path(), local);
    wait_for(&mut harness, "local-note.txt");
    connect(&mut harness, &sftp_url(&sshd), "fine.txt");

    open_synchronize(&mut harness, "local-note.txt");
    click_node(&mut harness, |h| topmost(h, "the local folder like the remote one"));
    wait_until(&mut harness, "the download preview", |h| {
        h.query_all_by_role_and_label(Role::CheckBox, "fine.txt").next().is_some()
    });
    let refused = harness
        .query_all_by_role(Role::CheckBox)
        .find(|node| node.accesskit_node().label().is_some_and(|label| label.contains("escape.txt")))
        .unwrap_or_else(|| panic!("no refused row in {:#?}", harness.root()));
    assert!(refused.accesskit_node().is_disabled(), "a refused row cannot be ticked");
    assert!(crate::window_driver::shown(&harness, "1 refused"));
    start_and_wait(&mut harness);

    assert_eq!(std::fs::read(local.join("fine.txt")).unwrap(), b"fine");
    let names: Vec<String> =
        std::fs::read_dir(local).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
    assert!(!names.iter().any(|name| name.contains("escape")), "nothing of the hostile name was written: {names:?}");
    assert!(!local.parent().unwrap().join("escape.txt").exists());
}

/// The window `size` points big, drawn by the snapshots' software renderer.
fn rendered_window(config: &Path, local: &Path, size: egui::Vec2) -> Harness<'static, FerryApp> {
    use ferry::app::Startup;
    use ferry::config::ConfigDir;
    use ferry::worker::WorkerOptions;
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config)) };
    let local = local.to_string_lossy().into_owned();
    Harness::builder().with_size(size).renderer(crate::gui_snapshots::software_renderer()).build_eframe(
        move |creation| {
            let startup = Startup { worker: options, url: None, local_folder: Some(local) };
            FerryApp::start(&creation.egui_ctx, startup).expect("worker starts")
        },
    )
}

#[test]
fn the_preview_fits_a_large_and_a_small_window_with_its_buttons_in_view() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let desk = desk();
    let (local, remote) = (desk.local.path(), sshd.data_dir());
    std::fs::create_dir(local.join("photos")).unwrap();
    for index in 0..40 {
        std::fs::write(local.join(format!("photos/holiday-{index:02}.jpg")), vec![7u8; 1000 + index]).unwrap();
    }
    std::fs::write(remote.join("old.txt"), b"only on the server").unwrap();
    std::fs::write(remote.join("local-note.txt"), b"an older note").unwrap();
    open_up(remote);
    for (size, name) in
        [(egui::vec2(1280.0, 800.0), "sync_preview_1280x800"), (egui::vec2(800.0, 600.0), "sync_preview_800x600")]
    {
        let mut harness = rendered_window(desk.config.path(), local, size);
        wait_for(&mut harness, "local-note.txt");
        connect(&mut harness, &sftp_url(&sshd), "old.txt");
        open_synchronize(&mut harness, "photos/");
        click_node(&mut harness, |h| tick_box(h, "Delete files that are not in the source"));
        // The delete row is last, below the rows in view: the counts say it is there.
        wait_until(&mut harness, "the delete planned", |h| crate::window_driver::shown(h, "1 to delete"));
        harness.run_steps(4);
        let window = egui::Rect::from_min_size(egui::Pos2::ZERO, size);
        for label in ["Start", "Cancel", "Delete files that are not in the source", "photos/"] {
            let rect = harness.get_by_label(label).rect();
            assert!(window.contains_rect(rect), "{name}: \"{label}\" at {rect:?} is not inside the window");
        }
        assert!(crate::window_driver::shown(&harness, "Ticked: 42 to copy"), "{name}: the total of the ticked rows");
        // The picture, to look at, where one is asked for.
        if let Some(folder) = std::env::var_os("FERRY_SYNC_PICTURES") {
            let image = harness.render().expect("the window renders");
            image.save(Path::new(&folder).join(format!("{name}.png"))).unwrap();
        }
    }
}
