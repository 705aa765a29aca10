//! The bottom panel's two tabs on their own: the transfer queue fed with worker events, and the
//! protocol log. No worker, no server: what a user sees and what their clicks ask for.

use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::error::{ErrorKind, FerryError};
use ferry::gui::log_panel::{LogPanel, MAX_LINES};
use ferry::gui::queue_panel::{QueuePanel, action_label};
use ferry::model::{ConnectSpec, Protocol, RequestId, SessionId};
use ferry::transfer::policy::OnExists;
use ferry::worker::{
    Command, Direction, Integrity, ItemAction, ItemId, ItemState, LogKind, LogLine, QueueCommand, QueueEvent, QueueItem,
};

const MIB: u64 = 1024 * 1024;

fn item(id: u64, remote: &str, direction: Direction, size: u64, state: ItemState) -> QueueItem {
    QueueItem {
        id: ItemId(id),
        request: RequestId(1),
        site: ConnectSpec::new(Protocol::Sftp, "127.0.0.1"),
        direction,
        remote: remote.into(),
        local: std::path::PathBuf::from("/tmp/ferry-test").join(remote.trim_start_matches('/')),
        local_root: "/tmp/ferry-test".into(),
        is_folder: false,
        size: Some(size),
        modified: None,
        mode: None,
        bytes_done: if state == ItemState::Done { size } else { 0 },
        started: state != ItemState::Queued,
        state,
        error: None,
        on_exists: OnExists::Overwrite,
        verify: false,
        integrity: None,
        retry_note: None,
        success_note: None,
    }
}

fn enqueued(items: Vec<QueueItem>) -> QueueEvent {
    QueueEvent::Enqueued { request: RequestId(1), items }
}

/// The panel drawn in a window of its own; every command a click asks for is kept.
struct QueueView {
    panel: QueuePanel,
    commands: Vec<Command>,
}

fn queue_harness(panel: QueuePanel) -> Harness<'static, QueueView> {
    queue_harness_sized(panel, [1300.0, 500.0])
}

fn queue_harness_sized(panel: QueuePanel, size: [f32; 2]) -> Harness<'static, QueueView> {
    Harness::builder().with_size(size).build_ui_state(
        |ui, view: &mut QueueView| {
            let commands = view.panel.show(ui);
            view.commands.extend(commands);
        },
        QueueView { panel, commands: Vec::new() },
    )
}

/// A queue with one of each kind of row: a running download, a failed upload, a verified download.
fn mixed_queue() -> QueuePanel {
    let mut panel = QueuePanel::default();
    let mut failed = item(2, "/srv/photo.jpg", Direction::Upload, 3 * MIB, ItemState::Failed);
    failed.error = Some(
        FerryError::new(ErrorKind::PermissionDenied, "uploading /srv/photo.jpg")
            .with_reply("553 Could not create file."),
    );
    let mut done = item(3, "/srv/notes.txt", Direction::Download, 2000, ItemState::Done);
    done.integrity = Some(Integrity::Verified);
    panel.apply(&enqueued(vec![
        item(1, "/srv/big.iso", Direction::Download, 40 * MIB, ItemState::Queued),
        failed,
        done,
    ]));
    let mut running = item(1, "/srv/big.iso", Direction::Download, 40 * MIB, ItemState::Running);
    running.bytes_done = 0;
    panel.apply(&QueueEvent::Changed { item: Box::new(running) });
    panel.apply(&QueueEvent::Progress {
        item: ItemId(1),
        bytes: 12 * MIB,
        total: Some(40 * MIB),
        speed: 5.0 * MIB as f64,
        eta: Some(Duration::from_secs(6)),
    });
    panel
}

#[test]
fn each_item_shows_its_name_direction_bytes_speed_and_state_in_words() {
    let mut harness = queue_harness(mixed_queue());
    harness.run();
    for label in [
        "Name",
        "Progress",
        "big.iso",
        "photo.jpg",
        "notes.txt",
        "12.0 MiB of 40.0 MiB",
        "5.00 MiB/s",
        "6 s",
        "Running",
        "Failed: permission denied (553 Could not create file.)",
        "Done, verified",
        "3 items",
    ] {
        assert!(harness.query_by_label(label).is_some(), "\"{label}\" is shown: {:#?}", harness.root());
    }
    assert_eq!(harness.query_all_by_label("Download").count(), 2);
    assert_eq!(harness.query_all_by_label("Upload").count(), 1);
    // Only the actions that apply to each state are offered.
    harness.get_by_label("Pause big.iso");
    harness.get_by_label("Cancel big.iso");
    harness.get_by_label("Retry photo.jpg");
    assert!(harness.query_by_label("Resume big.iso").is_none());
    assert!(harness.query_by_label("Pause photo.jpg").is_none());
    assert!(harness.query_by_label("Retry notes.txt").is_none(), "a done item has nothing to retry");
}

#[test]
fn pause_on_a_running_row_and_retry_on_a_failed_one_ask_the_worker() {
    let mut harness = queue_harness(mixed_queue());
    harness.run();
    harness.get_by_label("Pause big.iso").click();
    harness.run();
    harness.get_by_label("Retry photo.jpg").click();
    harness.run();
    let commands = &harness.state().commands;
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(
        matches!(commands[0], Command::Queue(QueueCommand::Action { item: ItemId(1), action: ItemAction::Pause })),
        "{commands:?}"
    );
    assert!(
        matches!(commands[1], Command::Queue(QueueCommand::Action { item: ItemId(2), action: ItemAction::Retry })),
        "{commands:?}"
    );
}

/// Every state an item can be in, and a row name that says which.
const EVERY_STATE: [(ItemState, &str); 7] = [
    (ItemState::Queued, "queued.bin"),
    (ItemState::Running, "running.bin"),
    (ItemState::Paused, "paused.bin"),
    (ItemState::Done, "done.bin"),
    (ItemState::Failed, "failed.bin"),
    (ItemState::Cancelled, "cancelled.bin"),
    (ItemState::Skipped, "skipped.bin"),
];

#[test]
fn each_row_offers_exactly_the_actions_the_worker_accepts() {
    let mut panel = QueuePanel::default();
    let items = EVERY_STATE
        .iter()
        .enumerate()
        .map(|(index, (state, name))| item(index as u64 + 1, &format!("/srv/{name}"), Direction::Download, 10, *state))
        .collect();
    panel.apply(&enqueued(items));
    let mut harness = queue_harness(panel);
    harness.run();
    for (state, name) in EVERY_STATE {
        for action in ItemAction::ALL {
            let label = format!("{} {name}", action_label(action));
            let accepted = state.after(action).is_some();
            let offered = harness.query_by_label(&label).is_some();
            assert_eq!(offered, accepted, "{label}: offered {offered}, the worker accepts it: {accepted}");
        }
    }
    // The two cells the panel and the worker used to disagree on.
    assert!(harness.query_by_label("Retry paused.bin").is_none(), "a paused item is resumed, not retried");
    harness.get_by_label("Cancel failed.bin").click();
    harness.run();
    assert!(
        matches!(
            harness.state().commands.as_slice(),
            [Command::Queue(QueueCommand::Action { item: ItemId(5), action: ItemAction::Cancel })]
        ),
        "a failed item can be given up for good: {:?}",
        harness.state().commands
    );
}

#[test]
fn clear_finished_asks_the_worker_and_the_cleared_rows_go() {
    let mut harness = queue_harness(mixed_queue());
    harness.run();
    harness.get_by_label("Clear finished").click();
    harness.run();
    assert!(matches!(harness.state().commands.as_slice(), [Command::Queue(QueueCommand::ClearFinished)]));
    harness.state_mut().panel.apply(&QueueEvent::Cleared { items: vec![ItemId(2), ItemId(3)] });
    harness.run();
    assert!(harness.query_by_label("photo.jpg").is_none());
    assert!(harness.query_by_label("notes.txt").is_none());
    harness.get_by_label("big.iso");
    assert!(harness.get_by_label("Clear finished").accesskit_node().is_disabled(), "nothing finished is left");
}

#[test]
fn paused_items_resume_and_the_transfers_at_once_can_change() {
    let mut panel = QueuePanel::default();
    panel.apply(&QueueEvent::Restored {
        items: vec![item(7, "/srv/left-over.bin", Direction::Upload, MIB, ItemState::Running)],
        problem: None,
    });
    let mut harness = queue_harness(panel);
    harness.run();
    harness.get_by_label("Paused");
    harness.get_by_label("Resume left-over.bin").click();
    harness.run();
    assert!(matches!(
        harness.state().commands.as_slice(),
        [Command::Queue(QueueCommand::Action { item: ItemId(7), action: ItemAction::Resume })]
    ));
    assert_eq!(harness.state().panel.item(ItemId(7)).map(|item| item.state), Some(ItemState::Paused));
}

#[test]
fn the_status_bar_sums_up_files_bytes_speed_and_time_left() {
    let mut panel = QueuePanel::default();
    assert_eq!(panel.status(), None, "nothing queued, nothing to say");
    let items: Vec<QueueItem> = (1..=10)
        .map(|n| item(n, &format!("/srv/part{n}.bin"), Direction::Download, 4 * MIB, ItemState::Queued))
        .collect();
    panel.apply(&enqueued(items.clone()));
    for done in &items[..3] {
        let mut done = done.clone();
        done.state = ItemState::Done;
        done.bytes_done = 4 * MIB;
        panel.apply(&QueueEvent::Changed { item: Box::new(done) });
    }
    let mut running = items[3].clone();
    running.state = ItemState::Running;
    panel.apply(&QueueEvent::Changed { item: Box::new(running) });
    panel.apply(&QueueEvent::Progress {
        item: ItemId(4),
        bytes: 0,
        total: Some(4 * MIB),
        speed: 5.1 * MIB as f64,
        eta: None,
    });
    panel.apply(&QueueEvent::Totals {
        bytes: 12 * MIB,
        total: 40 * MIB,
        speed: 5.1 * MIB as f64,
        eta: Some(Duration::from_secs(6)),
    });
    let status = panel.status().expect("a running queue has a status");
    assert_eq!(status.text, "3 of 10 files · 12.0 MiB of 40.0 MiB · 5.10 MiB/s · 6 s left");
    assert!((status.fraction - 0.3).abs() < 1e-6, "{}", status.fraction);

    // The same status, drawn: the middle dot is in the default font.
    let text = status.text.clone();
    let mut harness = Harness::new_ui(move |ui| {
        ui.label(&text);
    });
    harness.run();

    // Once nothing is queued or running, the status bar has nothing to show.
    for id in 4..=10 {
        let mut cancelled = items[id - 1].clone();
        cancelled.state = ItemState::Cancelled;
        panel.apply(&QueueEvent::Changed { item: Box::new(cancelled) });
    }
    assert_eq!(panel.status(), None);
}

#[test]
fn a_queue_of_twenty_thousand_draws_only_the_visible_rows() {
    let mut panel = QueuePanel::default();
    let items: Vec<QueueItem> = (0..20_000)
        .map(|n| item(n, &format!("/srv/file-{n}.dat"), Direction::Upload, 1000, ItemState::Queued))
        .collect();
    panel.apply(&enqueued(items));
    assert_eq!(panel.len(), 20_000);
    assert_eq!(panel.status().map(|status| status.text), Some("0 of 20000 files · 0 B of 19.1 MiB".to_string()));
    let mut harness = queue_harness(panel);
    harness.run();
    harness.get_by_label("file-0.dat");
    assert!(harness.query_by_label("file-19999.dat").is_none(), "rows out of sight are not drawn");
    assert!(harness.query_all_by_label_contains("file-").count() < 100);
    harness.get_by_label("20000 items");
}

#[test]
fn folders_and_files_of_unknown_size_read_plainly() {
    let mut panel = QueuePanel::default();
    let mut folder = item(1, "/srv/photos", Direction::Download, 0, ItemState::Queued);
    folder.is_folder = true;
    folder.size = None;
    let mut unknown = item(2, "/srv/stream.log", Direction::Download, 0, ItemState::Running);
    unknown.size = None;
    let mut skipped = item(3, "/srv/bad\u{1b}name", Direction::Download, 10, ItemState::Skipped);
    skipped.error = Some(FerryError::new(ErrorKind::Protocol, "the name is not safe"));
    panel.apply(&enqueued(vec![folder, unknown, skipped]));
    panel.apply(&QueueEvent::Progress { item: ItemId(2), bytes: 5000, total: None, speed: 0.0, eta: None });
    let mut harness = queue_harness(panel);
    harness.run();
    harness.get_by_label("photos/");
    harness.get_by_label("4.88 KiB");
    harness.get_by_label("Skipped: protocol error");
    harness.get_by_label("bad\\u{1b}name");
    harness.get_by_label("Progress of stream.log");
}

#[test]
fn progress_for_an_unknown_item_adds_no_row() {
    // Only queue events reach the panel (its `apply` takes nothing else); the rest is the window's.
    let mut panel = QueuePanel::default();
    panel.apply(&QueueEvent::Progress { item: ItemId(99), bytes: 1, total: None, speed: 0.0, eta: None });
    assert!(panel.is_empty(), "progress for an unknown item adds no row");
}

fn log_line(kind: LogKind, text: &str) -> LogLine {
    LogLine { time: chrono::Utc::now(), session: Some(SessionId(1)), kind, text: text.into() }
}

#[test]
fn the_log_keeps_the_newest_lines_and_shows_them_at_the_bottom() {
    let mut log = LogPanel::default();
    for n in 0..MAX_LINES + 100 {
        log.push(log_line(LogKind::Command, &format!("NOOP {n}")));
    }
    assert_eq!(log.len(), MAX_LINES);
    let text = log.text();
    assert!(!text.contains("NOOP 99\n"), "the oldest lines were dropped");
    assert!(text.contains("NOOP 100\n"));
    let last = format!("NOOP {}", MAX_LINES + 99);
    assert!(text.ends_with(&format!("{last}\n")));

    let mut harness =
        Harness::builder().with_size([900.0, 300.0]).build_ui_state(|ui, log: &mut LogPanel| log.show(ui), log);
    harness.run();
    harness.get_by_label(&last);
    assert!(harness.query_by_label("NOOP 100").is_none(), "lines out of sight are not drawn");

    // A new line arriving while at the bottom is shown.
    harness.state_mut().push(log_line(LogKind::Reply, "200 NOOP ok"));
    harness.run();
    harness.get_by_label("200 NOOP ok");
}

#[test]
fn the_log_stays_where_the_user_scrolled_up_to() {
    let mut log = LogPanel::default();
    for n in 0..200 {
        log.push(log_line(LogKind::Reply, &format!("226 line {n}")));
    }
    let mut harness =
        Harness::builder().with_size([900.0, 300.0]).build_ui_state(|ui, log: &mut LogPanel| log.show(ui), log);
    harness.run();
    harness.get_by_label("226 line 199");
    // The user scrolls up to read an older line.
    harness.get_by_label("226 line 199").hover();
    for _ in 0..20 {
        harness.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, 200.0),
            phase: egui::TouchPhase::Move,
            modifiers: egui::Modifiers::NONE,
            source: egui::MouseWheelSource::Wheel,
        });
        harness.step();
    }
    harness.run();
    assert!(harness.query_by_label("226 line 199").is_none(), "scrolled up: {:#?}", harness.root());
    harness.state_mut().push(log_line(LogKind::Reply, "226 arrived later"));
    harness.run();
    assert!(harness.query_by_label("226 arrived later").is_none(), "the view does not jump while the user reads");
}

#[test]
fn the_log_shows_control_characters_escaped_and_can_be_cleared() {
    let mut log = LogPanel::default();
    log.push(log_line(LogKind::Reply, "550 \u{1b}[31mno such file\r"));
    log.push(log_line(LogKind::Error, "connection lost"));
    let mut harness =
        Harness::builder().with_size([900.0, 300.0]).build_ui_state(|ui, log: &mut LogPanel| log.show(ui), log);
    harness.run();
    harness.get_by_label("550 \\u{1b}[31mno such file\\r");
    harness.get_by_label("connection lost");
    harness.get_by_label("Error");

    harness.get_by_label("Copy all").click();
    harness.step();
    let copied = crate::window_driver::copied_texts(&harness).into_iter().next();
    let copied = copied.expect("Copy all puts the log on the clipboard");
    assert!(copied.contains("550 \\u{1b}[31mno such file\\r") && copied.contains("connection lost"), "{copied}");
    assert!(!copied.contains('\u{1b}'));

    harness.get_by_label("Clear").click();
    harness.run();
    assert!(harness.state().is_empty());
    assert!(harness.query_by_label("connection lost").is_none());
}

/// A running item that waits to try again says so in its row, and "Running" once it goes on.
#[test]
fn a_waiting_retry_is_shown_in_the_row() {
    let mut panel = mixed_queue();
    let mut waiting = item(1, "/srv/big.iso", Direction::Download, 40 * MIB, ItemState::Running);
    waiting.retry_note = Some("connection lost; retry 2 of 3 in 4 s".into());
    panel.apply(&QueueEvent::Changed { item: Box::new(waiting.clone()) });
    let mut harness = queue_harness(panel);
    harness.run();
    harness.get_by_label("connection lost; retry 2 of 3 in 4 s");
    assert!(harness.query_by_label("Running").is_none(), "not a frozen \"Running\"");
    waiting.retry_note = None;
    harness.state_mut().panel.apply(&QueueEvent::Changed { item: Box::new(waiting) });
    harness.run();
    harness.get_by_label("Running");
}

/// A row that waits to retry (or reconnects) moves nothing: it shows no speed or time left from
/// before the cut, and a fresh pace once bytes move again.
#[test]
fn a_row_waiting_to_retry_shows_no_stale_speed_or_eta() {
    let mut panel = mixed_queue();
    let mut waiting = item(1, "/srv/big.iso", Direction::Download, 40 * MIB, ItemState::Running);
    waiting.bytes_done = 12 * MIB;
    waiting.retry_note = Some("connection lost; retry 1 of 3 in 1 s".into());
    panel.apply(&QueueEvent::Changed { item: Box::new(waiting.clone()) });
    let mut harness = queue_harness(panel);
    harness.run();
    harness.get_by_label("connection lost; retry 1 of 3 in 1 s");
    assert!(harness.query_by_label("5.00 MiB/s").is_none(), "no stale speed: {:#?}", harness.root());
    assert!(harness.query_by_label("6 s").is_none(), "no stale time left");
    harness.get_by_label("12.0 MiB of 40.0 MiB");

    waiting.retry_note = None;
    harness.state_mut().panel.apply(&QueueEvent::Changed { item: Box::new(waiting) });
    harness.state_mut().panel.apply(&QueueEvent::Progress {
        item: ItemId(1),
        bytes: 13 * MIB,
        total: Some(40 * MIB),
        speed: 2.0 * MIB as f64,
        eta: Some(Duration::from_secs(14)),
    });
    harness.run();
    harness.get_by_label("2.00 MiB/s");
    harness.get_by_label("14 s");
}

#[test]
fn each_row_names_its_site_and_where_it_comes_from_and_goes_to() {
    let mut panel = QueuePanel::default();
    let mut download = item(1, "/srv/reports/2026/big.iso", Direction::Download, MIB, ItemState::Queued);
    download.site.user = "alice".into();
    let mut upload = item(2, "/srv/photo.jpg", Direction::Upload, MIB, ItemState::Queued);
    upload.site = ConnectSpec::new(Protocol::Ftp, "files.example.org");
    upload.site.user = "anonymous".into();
    upload.local = "/home/me/Pictures/photo.jpg".into();
    panel.apply(&enqueued(vec![download, upload]));
    let mut harness = queue_harness(panel);
    harness.run();
    // A download goes from the server to the disk, an upload the other way.
    for route in [
        "alice@127.0.0.1: /srv/reports/2026/big.iso to /tmp/ferry-test/srv/reports/2026/big.iso",
        "files.example.org: /home/me/Pictures/photo.jpg to /srv/photo.jpg",
    ] {
        assert!(harness.query_by_label(route).is_some(), "\"{route}\" is shown: {:#?}", harness.root());
    }
    // The name is still there, on the line above, with the whole paths on hover.
    harness.get_by_label("big.iso").hover();
    harness.run();
    assert!(
        harness.query_by_label_contains("From: /srv/reports/2026/big.iso").is_some(),
        "the hover text names the source: {:#?}",
        harness.root()
    );
}

#[test]
fn the_status_bar_counts_the_failed_rows_as_the_rows_show_them() {
    let mut panel = QueuePanel::default();
    let items: Vec<QueueItem> =
        (1..=4).map(|n| item(n, &format!("/srv/f{n}.bin"), Direction::Download, MIB, ItemState::Queued)).collect();
    panel.apply(&enqueued(items.clone()));
    let finish = |panel: &mut QueuePanel, index: usize, state: ItemState| {
        let mut changed = items[index].clone();
        changed.state = state;
        changed.bytes_done = if state == ItemState::Done { MIB } else { 0 };
        panel.apply(&QueueEvent::Changed { item: Box::new(changed) });
    };
    finish(&mut panel, 0, ItemState::Done);
    finish(&mut panel, 1, ItemState::Failed);
    let status = panel.status().expect("a queue with waiting items has a status");
    assert_eq!(status.text, "1 of 4 files · 1 failed · 1.00 MiB of 4.00 MiB");
    // Once the rest end, the failure is still told: the rows show it in red until cleared.
    finish(&mut panel, 2, ItemState::Done);
    finish(&mut panel, 3, ItemState::Failed);
    let status = panel.status().expect("failed rows are still there");
    assert_eq!(status.text, "2 of 4 files · 2 failed · 2.00 MiB of 4.00 MiB");
}

fn actions_asked(harness: &Harness<'_, QueueView>) -> Vec<(u64, ItemAction)> {
    harness
        .state()
        .commands
        .iter()
        .filter_map(|command| match command {
            Command::Queue(QueueCommand::Action { item, action }) => Some((item.0, *action)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_keyboard_alone_chooses_a_row_then_space_pauses_or_resumes_and_delete_cancels() {
    let mut panel = mixed_queue();
    let mut paused = item(4, "/srv/later.zip", Direction::Upload, MIB, ItemState::Paused);
    paused.started = true;
    panel.apply(&enqueued(vec![paused]));
    let mut harness = queue_harness(panel);
    harness.run();
    // Tab: Clear finished, Transfers at once, the two limits, then the list of transfers.
    for _ in 0..5 {
        harness.key_press(egui::Key::Tab);
        harness.run();
    }
    let list = harness.get_by_label("Transfers");
    assert!(list.is_focused(), "Tab reaches the list");
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    harness.key_press(egui::Key::Space);
    harness.run();
    harness.key_press(egui::Key::Delete);
    harness.run();
    assert_eq!(actions_asked(&harness), [(1, ItemAction::Pause), (1, ItemAction::Cancel)], "the running big.iso");
    // A failed row has nothing to pause or resume; Delete cancels it as its Cancel does.
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    harness.key_press(egui::Key::Space);
    harness.run();
    assert_eq!(actions_asked(&harness).len(), 2, "Space asks nothing of the failed photo.jpg");
    harness.key_press(egui::Key::Delete);
    harness.run();
    assert_eq!(actions_asked(&harness)[2], (2, ItemAction::Cancel));
    harness.key_press(egui::Key::End);
    harness.run();
    harness.key_press(egui::Key::Space);
    harness.run();
    assert_eq!(actions_asked(&harness)[3], (4, ItemAction::Resume), "End: the paused later.zip resumes");
    harness.key_press(egui::Key::Home);
    harness.run();
    harness.key_press(egui::Key::Delete);
    harness.run();
    assert_eq!(actions_asked(&harness)[4], (1, ItemAction::Cancel), "Home: back on big.iso");
    assert!(harness.get_by_label("Transfers").is_focused(), "the list keeps the keyboard");
}

/// In a window 800 wide the queue panel is about 784: every column, Actions too, is in view, and
/// the numbers can still be read.
#[test]
fn in_a_narrow_window_the_actions_and_the_numbers_stay_in_view() {
    // big.iso runs at 5 MiB/s, 12 of 40 MiB done.
    let mut harness = queue_harness_sized(mixed_queue(), [784.0, 300.0]);
    harness.run();
    // The buttons are named after their row ("Cancel big.iso").
    for label in ["Actions", "Cancel", "Retry", "5.00 MiB/s", "12.0 MiB of 40.0 MiB"] {
        let rect = harness
            .query_all_by_label_contains(label)
            .next()
            .unwrap_or_else(|| panic!("no {label}: {:#?}", harness.root()))
            .rect();
        assert!(rect.right() <= 784.0, "{label} ends at {} in a panel 784 wide", rect.right());
    }
}

/// The queue panel as the window shows it to a screen reader (the accessibility plugin on).
fn accessible_queue_harness(panel: QueuePanel) -> Harness<'static, QueueView> {
    Harness::builder().with_size([1300.0, 500.0]).build_ui_state(
        |ui, view: &mut QueueView| {
            ferry::gui::a11y::install(ui.ctx());
            let commands = view.panel.show(ui);
            view.commands.extend(commands);
        },
        QueueView { panel, commands: Vec::new() },
    )
}

#[test]
fn the_queue_is_a_table_of_named_rows_whose_active_row_is_the_keyboards() {
    use egui::accesskit::Role;
    let mut harness = accessible_queue_harness(mixed_queue());
    harness.run();
    // Past Clear finished, Transfers at once and the two limits.
    for _ in 0..5 {
        harness.key_press(egui::Key::Tab);
        harness.run();
    }
    harness.key_press(egui::Key::ArrowDown);
    harness.run();
    let table = harness.get_by_role_and_label(Role::Table, "Transfers");
    let node = table.accesskit_node();
    assert_eq!(node.data().row_count(), Some(4), "three transfers under a header row");
    let rows: Vec<_> = table.children().filter(|row| row.accesskit_node().role() == Role::Row).collect();
    let names: Vec<String> = rows.iter().map(|row| row.accesskit_node().label().unwrap_or_default()).collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert_eq!(names[0], "", "the header row first");
    assert_eq!(names[1], "big.iso, download, 30 %, Running");
    assert!(names[2].starts_with("photo.jpg, upload, 0 %, Failed: permission denied"), "{}", names[2]);
    assert_eq!(names[3], "notes.txt, download, 100 %, Done, verified");
    let headers: Vec<String> =
        rows[0].children().map(|cell| cell.accesskit_node().label().unwrap_or_default()).collect();
    assert_eq!(headers[..3], ["Name", "Direction", "Progress"]);
    assert!(rows[0].children().all(|cell| cell.accesskit_node().role() == Role::ColumnHeader));
    // The arrows put the cursor on big.iso: that row is selected and the table's active row.
    let selected: Vec<bool> = rows[1..].iter().map(|row| row.accesskit_node().is_selected() == Some(true)).collect();
    assert_eq!(selected, [true, false, false]);
    let active = node.active_descendant().and_then(|row| row.label());
    assert_eq!(active.as_deref(), Some("big.iso, download, 30 %, Running"), "the table's active row");
}
