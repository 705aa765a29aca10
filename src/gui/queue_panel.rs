//! The transfer queue panel: a row per item with progress, speed, ETA and state, the buttons to
//! cancel, pause, resume and retry, and the totals the status bar shows. It only reflects
//! worker Events and answers with worker Commands.

mod accessible;
mod cells;
mod keyboard;
mod rate_control;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use egui_extras::{Column, TableBuilder};

use cells::{direction_cell, name_cell, text_cell};

use crate::model::escape_control;
use crate::transfer::progress::{format_bytes, format_duration};
use crate::worker::{
    Command, Integrity, ItemAction, ItemId, ItemState, QueueCommand, QueueEvent, QueueItem, TransferSettings,
};

/// The most transfers the "at once" control offers: each one is a connection of its own, and
/// servers commonly refuse more than about ten per user.
const MAX_CONCURRENCY: usize = 16;

/// The queue as the window shows it.
pub struct QueuePanel {
    /// Every item, by id: progress events find their row without a search.
    rows: HashMap<ItemId, Row>,
    /// The items in the order they were queued; the table draws only the visible slice of it,
    /// so a queue of tens of thousands costs no more per frame than one of ten.
    order: Vec<ItemId>,
    /// Sums over all rows, kept up to date on each change so the status bar never has to add up
    /// the whole queue each frame.
    tally: Tally,
    /// The whole queue's speed and time left, as the worker last measured them.
    totals: Option<Totals>,
    /// How many items move at once, as the control shows it.
    concurrency: usize,
    /// The row the keyboard's cursor is on.
    cursor: Option<ItemId>,
    /// The bandwidth limits, as the control shows them.
    rate: rate_control::RateControl,
}

impl Default for QueuePanel {
    fn default() -> Self {
        QueuePanel {
            rows: HashMap::new(),
            order: Vec::new(),
            tally: Tally::default(),
            totals: None,
            concurrency: TransferSettings::default().concurrency,
            cursor: None,
            rate: rate_control::RateControl::default(),
        }
    }
}

/// The whole queue's progress, for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueStatus {
    /// Done fraction, 0.0 to 1.0.
    pub fraction: f32,
    /// For example "3 of 10 files · 12.0 MiB of 40.0 MiB · 5.1 MiB/s · 6 s left".
    pub text: String,
}

/// One item and what its latest progress report said.
struct Row {
    item: QueueItem,
    /// The size the transfer reported, where the item did not know it when planned.
    reported_total: Option<u64>,
    /// Smoothed bytes per second while running.
    speed: f64,
    /// Time left while running, where it can be estimated.
    eta: Option<Duration>,
}

impl Row {
    fn new(item: QueueItem) -> Self {
        Row { item, reported_total: None, speed: 0.0, eta: None }
    }

    /// The size to measure progress against, where known.
    fn total(&self) -> Option<u64> {
        self.item.size.or(self.reported_total)
    }

    /// How far along it is, 0.0 to 1.0.
    fn fraction(&self) -> f32 {
        if self.item.state == ItemState::Done {
            return 1.0;
        }
        match self.total() {
            Some(0) | None => 0.0,
            Some(total) => (self.item.bytes_done as f64 / total as f64).clamp(0.0, 1.0) as f32,
        }
    }

    fn bytes_text(&self) -> String {
        if self.item.is_folder {
            return String::new();
        }
        match self.total() {
            Some(total) => format!("{} of {}", format_bytes(self.item.bytes_done), format_bytes(total)),
            None => format_bytes(self.item.bytes_done),
        }
    }

    fn speed_text(&self) -> String {
        if self.item.state == ItemState::Running && self.speed >= 1.0 {
            format!("{}/s", format_bytes(self.speed as u64))
        } else {
            String::new()
        }
    }

    fn eta_text(&self) -> String {
        match (self.item.state, self.eta) {
            (ItemState::Running, Some(eta)) => format_duration(eta),
            _ => String::new(),
        }
    }
}

/// The state of an item in plain words: "Queued", "Failed: permission denied (553 No)".
pub fn state_text(item: &QueueItem) -> String {
    match item.state {
        ItemState::Queued => "Queued".into(),
        ItemState::Running => item.retry_note.clone().unwrap_or_else(|| "Running".into()),
        ItemState::Paused => "Paused".into(),
        ItemState::Done => {
            let verified = if item.integrity == Some(Integrity::Verified) { ", verified" } else { "" };
            match &item.success_note {
                Some(note) => format!("Done{verified} ({})", escape_control(note)),
                None => format!("Done{verified}"),
            }
        }
        ItemState::Cancelled => "Cancelled".into(),
        ItemState::Failed => format!("Failed: {}", reason(item).unwrap_or_else(|| "unknown error".into())),
        ItemState::Skipped => {
            format!("Skipped: {}", reason(item).unwrap_or_else(|| "the target exists".into()))
        }
    }
}

/// Why an item failed or was skipped, short enough for a table cell: the kind and the server's
/// words. The full error is in the row's tooltip.
fn reason(item: &QueueItem) -> Option<String> {
    let error = item.error.as_ref()?;
    Some(match error.server_reply.as_ref().or(error.detail.as_ref()) {
        Some(words) => format!("{} ({})", error.kind.label(), escape_control(words)),
        None => error.kind.label().to_string(),
    })
}

/// The button word for an action.
pub fn action_label(action: ItemAction) -> &'static str {
    match action {
        ItemAction::Cancel => "Cancel",
        ItemAction::Pause => "Pause",
        ItemAction::Resume => "Resume",
        ItemAction::Retry => "Retry",
    }
}

/// Counts and byte sums over the queue, kept by adding and removing each row's share.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    /// Files that are to move (not cancelled or skipped).
    files: usize,
    /// Of those, the ones done.
    done_files: usize,
    /// Bytes in place, of the items that are to move.
    bytes: u64,
    /// Bytes to move in all.
    total: u64,
    /// Items waiting or moving.
    active: usize,
    /// Items moving now.
    running: usize,
    /// Items that "Clear finished" would remove.
    finished: usize,
    /// Items that failed: the status bar names them, so it never reads as all well beside red rows.
    failed: usize,
}

impl Tally {
    /// One row's share. Counted as the worker counts its totals: cancelled and skipped items
    /// leave the sums.
    fn of(row: &Row) -> Tally {
        let state = row.item.state;
        let counted = !matches!(state, ItemState::Cancelled | ItemState::Skipped);
        let is_file = !row.item.is_folder;
        Tally {
            files: usize::from(counted && is_file),
            done_files: usize::from(is_file && state == ItemState::Done),
            bytes: if counted { row.item.bytes_done } else { 0 },
            total: if counted { row.total().unwrap_or(row.item.bytes_done) } else { 0 },
            active: usize::from(matches!(state, ItemState::Queued | ItemState::Running)),
            running: usize::from(state == ItemState::Running),
            finished: usize::from(state.is_finished()),
            failed: usize::from(state == ItemState::Failed),
        }
    }

    fn add(&mut self, share: Tally) {
        self.files += share.files;
        self.done_files += share.done_files;
        self.bytes = self.bytes.saturating_add(share.bytes);
        self.total = self.total.saturating_add(share.total);
        self.active += share.active;
        self.running += share.running;
        self.finished += share.finished;
        self.failed += share.failed;
    }

    fn remove(&mut self, share: Tally) {
        self.files = self.files.saturating_sub(share.files);
        self.done_files = self.done_files.saturating_sub(share.done_files);
        self.bytes = self.bytes.saturating_sub(share.bytes);
        self.total = self.total.saturating_sub(share.total);
        self.active = self.active.saturating_sub(share.active);
        self.running = self.running.saturating_sub(share.running);
        self.finished = self.finished.saturating_sub(share.finished);
        self.failed = self.failed.saturating_sub(share.failed);
    }
}

/// The worker's measure of the whole queue's pace.
#[derive(Debug, Clone, Copy)]
struct Totals {
    speed: f64,
    eta: Option<Duration>,
}

impl QueuePanel {
    /// Takes in a queue event: new items, a change of state, progress, totals, cleared or restored
    /// items.
    pub fn apply(&mut self, event: &QueueEvent) {
        match event {
            QueueEvent::Enqueued { items, .. } => {
                for item in items {
                    self.upsert(item.clone());
                }
            }
            QueueEvent::Changed { item } => self.upsert(item.as_ref().clone()),
            QueueEvent::Progress { item, bytes, total, speed, eta } => {
                self.update(*item, |row| {
                    row.item.bytes_done = *bytes;
                    row.reported_total = *total;
                    row.speed = *speed;
                    row.eta = *eta;
                });
            }
            QueueEvent::Totals { speed, eta, .. } => self.totals = Some(Totals { speed: *speed, eta: *eta }),
            QueueEvent::Cleared { items } => self.remove(items),
            QueueEvent::Restored { items, .. } => {
                for item in items {
                    // The last run's items wait for the user: they never start by themselves.
                    let mut item = item.clone();
                    item.state = ItemState::Paused;
                    self.upsert(item);
                }
            }
        }
        if self.tally.running == 0 {
            // A pace measured while something moved means nothing once all have stopped.
            self.totals = None;
        }
    }

    /// Draws the panel; returns the commands the user's clicks ask for.
    pub fn show(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        self.toolbar(ui, &mut commands);
        ui.separator();
        let scroll = self.keyboard(ui, &mut commands);
        if self.order.is_empty() {
            ui.weak("No transfers yet.");
            // Still a table to a screen reader, with no rows.
            crate::gui::a11y::record_table(ui.ctx(), accessible::table_record(ui, "empty", &[], 0));
            return commands;
        }
        self.table(ui, scroll, &mut commands);
        commands
    }

    /// The totals for the status bar, while anything is queued or running, or failed and not
    /// cleared: the same counts the rows show.
    pub fn status(&self) -> Option<QueueStatus> {
        if self.tally.active == 0 && self.tally.failed == 0 {
            return None;
        }
        let tally = self.tally;
        let fraction =
            if tally.total == 0 { 0.0 } else { (tally.bytes as f64 / tally.total as f64).clamp(0.0, 1.0) as f32 };
        let mut parts = vec![format!(
            "{} of {} {}",
            tally.done_files,
            tally.files,
            if tally.files == 1 { "file" } else { "files" }
        )];
        if tally.failed > 0 {
            parts.push(format!("{} failed", tally.failed));
        }
        parts.push(format!("{} of {}", format_bytes(tally.bytes), format_bytes(tally.total)));
        if let Some(totals) = self.totals.filter(|_| tally.running > 0) {
            if totals.speed >= 1.0 {
                parts.push(format!("{}/s", format_bytes(totals.speed as u64)));
            }
            if let Some(eta) = totals.eta {
                parts.push(format!("{} left", format_duration(eta)));
            }
        }
        Some(QueueStatus { fraction, text: parts.join(" · ") })
    }

    /// How many items the queue holds.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the queue is empty.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// One item as last reported, with its latest byte count.
    pub fn item(&self, id: ItemId) -> Option<&QueueItem> {
        self.rows.get(&id).map(|row| &row.item)
    }

    /// The items in queue order.
    pub fn items(&self) -> impl Iterator<Item = &QueueItem> {
        self.order.iter().filter_map(|id| self.rows.get(id)).map(|row| &row.item)
    }

    /// The global bandwidth limits the panel shows (the ones it last sent).
    pub fn rate_limits(&self) -> crate::transfer::rate_limit::RateLimits {
        self.rate.limits()
    }

    /// Shows `limits` as in force (the caller sends them to the worker), as remembered from the
    /// last run.
    pub fn set_rate_limits(&mut self, limits: crate::transfer::rate_limit::RateLimits) {
        self.rate.set_limits(limits);
    }

    /// Sets the "at once" control to what the worker was started with.
    pub fn set_concurrency(&mut self, limit: usize) {
        self.concurrency = limit.clamp(1, MAX_CONCURRENCY);
    }

    /// Adds an item, or replaces the one with its id (keeping its place in the order).
    fn upsert(&mut self, item: QueueItem) {
        let id = item.id;
        if self.rows.contains_key(&id) {
            self.update(id, |row| {
                row.item = item;
                // A row that waits to retry or reconnects moves nothing: the last pace is stale.
                if row.item.state != ItemState::Running || row.item.retry_note.is_some() {
                    row.speed = 0.0;
                    row.eta = None;
                }
            });
        } else {
            let row = Row::new(item);
            self.tally.add(Tally::of(&row));
            self.rows.insert(id, row);
            self.order.push(id);
        }
    }

    /// Changes one row, keeping the tally in step.
    fn update(&mut self, id: ItemId, change: impl FnOnce(&mut Row)) {
        if let Some(row) = self.rows.get_mut(&id) {
            self.tally.remove(Tally::of(row));
            change(row);
            self.tally.add(Tally::of(row));
        }
    }

    fn remove(&mut self, ids: &[ItemId]) {
        for id in ids {
            if let Some(row) = self.rows.remove(id) {
                self.tally.remove(Tally::of(&row));
            }
        }
        let removed: HashSet<ItemId> = ids.iter().copied().collect();
        self.order.retain(|id| !removed.contains(id));
    }

    fn toolbar(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let clear = ui
                .add_enabled(self.tally.finished > 0, egui::Button::new("Clear finished"))
                .on_hover_text("Remove the finished, failed, cancelled and skipped items from the list");
            if clear.clicked() {
                commands.push(Command::Queue(QueueCommand::ClearFinished));
            }
            ui.separator();
            let label = ui.label("Transfers at once");
            let limit = ui
                .add(egui::DragValue::new(&mut self.concurrency).range(1..=MAX_CONCURRENCY))
                .labelled_by(label.id)
                .on_hover_text("How many files move at the same time, each on its own connection");
            if limit.changed() {
                commands.push(Command::Queue(QueueCommand::SetConcurrency { limit: self.concurrency }));
            }
            ui.separator();
            if let Some(limits) = self.rate.show(ui) {
                commands.push(Command::Queue(QueueCommand::SetRateLimits { limits }));
            }
            ui.separator();
            let count = self.order.len();
            ui.label(format!("{count} {}", if count == 1 { "item" } else { "items" }));
        });
    }

    fn table(&self, ui: &mut egui::Ui, scroll_to: Option<usize>, commands: &mut Vec<Command>) {
        const QUEUE_COLUMNS: [&str; 8] = ["Name", "Direction", "Progress", "Bytes", "Speed", "ETA", "State", "Actions"];
        let line = ui.text_style_height(&egui::TextStyle::Body);
        let header_height = ui.spacing().interact_size.y.max(line) + 2.0;
        // Two lines: the name, and under it the site and both paths.
        let row_height = ui.spacing().interact_size.y.max(line * 2.0 + ui.spacing().item_spacing.y) + 2.0;
        // The gaps between the eight columns take their share of the width too.
        let widths = ColumnWidths::for_width(ui.available_width() - 8.0 * ui.spacing().item_spacing.x);
        // A table of its own per width class: egui keeps a table's column widths, and those of a
        // wide window would push Actions out of a narrow one.
        let salt = ("transfer_queue", widths.narrow);
        let mut record = accessible::table_record(ui, salt, &QUEUE_COLUMNS, self.order.len());
        let ring_item = self.ring_item(ui);
        let ring_painter = ui.painter().clone();
        let [name, direction, progress, bytes, speed, eta, state] = widths.columns;
        let mut builder = TableBuilder::new(ui)
            .id_salt(salt)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .auto_shrink([false, false])
            .max_scroll_height(f32::INFINITY)
            // As high as the panel, never higher: the panel keeps the height the user gave it.
            .min_scrolled_height(0.0)
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::initial(name).at_least(80.0).clip(true))
            .column(Column::initial(direction).at_least(30.0).clip(true))
            .column(Column::initial(progress).at_least(50.0))
            .column(Column::initial(bytes).at_least(60.0).clip(true))
            .column(Column::initial(speed).at_least(40.0).clip(true))
            .column(Column::initial(eta).at_least(30.0).clip(true))
            .column(Column::initial(state).at_least(60.0).clip(true))
            .column(Column::remainder().at_least(ACTIONS_WIDTH));
        if let Some(row) = scroll_to {
            builder = builder.scroll_to_row(row, None);
        }
        builder
            .header(header_height, |mut header| {
                for title in QUEUE_COLUMNS {
                    let mut label = None;
                    let (_, cell) = header.col(|ui| {
                        label = Some(ui.strong(title).id);
                    });
                    if let Some(label) = label {
                        record.headers.push(accessible::header(label, cell.id));
                    }
                }
            })
            .body(|body| {
                body.rows(row_height, self.order.len(), |mut table_row| {
                    let Some(row) = self.order.get(table_row.index()).and_then(|id| self.rows.get(id)) else {
                        return;
                    };
                    let item = &row.item;
                    let on_cursor = self.cursor == Some(item.id);
                    table_row.set_selected(on_cursor);
                    let name = escape_control(&item.name());
                    let name = if item.is_folder { format!("{name}/") } else { name };
                    let mut cells = Vec::new();
                    cells.push(table_row.col(|ui| name_cell(ui, &name, item)).1.id);
                    cells.push(table_row.col(|ui| direction_cell(ui, item.direction)).1.id);
                    let (_, progress) = table_row.col(|ui| {
                        ui.add(egui::ProgressBar::new(row.fraction()).show_percentage())
                            .accessible_name(format!("Progress of {name}"));
                    });
                    cells.push(progress.id);
                    cells.push(text_cell(&mut table_row, row.bytes_text()));
                    cells.push(text_cell(&mut table_row, row.speed_text()));
                    cells.push(text_cell(&mut table_row, row.eta_text()));
                    let (_, state_cell) = table_row.col(|ui| {
                        let state = ui.label(state_text(item));
                        if let Some(error) = &item.error {
                            state.on_hover_text(error.to_string());
                        }
                    });
                    cells.push(state_cell.id);
                    let (_, actions) = table_row.col(|ui| {
                        // The worker's own rule: the panel offers exactly what it accepts.
                        for action in item.state.actions() {
                            let button = ui
                                .small_button(action_label(action))
                                // A screen reader (and a test) needs to know which row's button it is.
                                .accessible_name(format!("{} {name}", action_label(action)));
                            if button.clicked() {
                                commands.push(Command::Queue(QueueCommand::Action { item: item.id, action }));
                            }
                        }
                    });
                    cells.push(actions.id);
                    let position = table_row.index();
                    let rect = table_row.response().rect;
                    record.rows.push(accessible::row_record(
                        position,
                        &name,
                        item,
                        row.fraction(),
                        on_cursor,
                        cells,
                        rect,
                    ));
                    if on_cursor {
                        record.current_row = Some(position);
                    }
                    if ring_item == Some(item.id) {
                        crate::gui::keys::paint_focus_ring(&ring_painter, table_row.response().rect);
                    }
                    table_row.response().context_menu(|ui| {
                        for action in item.state.actions() {
                            if ui.button(action_label(action)).clicked() {
                                commands.push(Command::Queue(QueueCommand::Action { item: item.id, action }));
                                ui.close();
                            }
                        }
                        if item.state.actions().next().is_none() {
                            ui.weak("Nothing to do");
                        }
                    });
                });
            });
        crate::gui::a11y::record_table(ui.ctx(), record);
    }
}

/// Room kept for the Actions column (two small buttons).
const ACTIONS_WIDTH: f32 = 120.0;

/// The queue's first widths: as designed on a wide window. On a narrow one the numbers keep room
/// to be read, Direction shows only its arrow, and Name and State share what is left, so that
/// Actions stays in view (down to an 800-wide window).
struct ColumnWidths {
    /// Name, Direction, Progress, Bytes, Speed, ETA, State (Actions takes the rest).
    columns: [f32; 7],
    narrow: bool,
}

impl ColumnWidths {
    const WIDE: [f32; 7] = [300.0, 90.0, 100.0, 150.0, 80.0, 60.0, 200.0];
    /// Direction, Progress, Bytes, Speed and ETA on a narrow window.
    const NARROW_MIDDLE: [f32; 5] = [30.0, 70.0, 110.0, 75.0, 45.0];

    fn for_width(available: f32) -> Self {
        let spare = available - ACTIONS_WIDTH - 10.0;
        if spare >= Self::WIDE.iter().sum::<f32>() {
            return Self { columns: Self::WIDE, narrow: false };
        }
        let rest = (spare - Self::NARROW_MIDDLE.iter().sum::<f32>()).max(140.0);
        let [direction, progress, bytes, speed, eta] = Self::NARROW_MIDDLE;
        let name = (rest * 0.6).floor();
        Self { columns: [name, direction, progress, bytes, speed, eta, rest - name], narrow: true }
    }
}
