//! How the queue reads to a screen reader: a table named "Transfers" (the queue's keyboard stop),
//! a header row, and one row per transfer named "big.iso, download, 30 %, Running", the row under
//! the keyboard's cursor being the table's active row.

use egui::{Id, Rect, Ui};

use super::QueuePanel;
use crate::gui::a11y::{self, RowRecord, TableRecord};
use crate::worker::{Direction, QueueItem};

/// The record of the queue's table about to be drawn, with `total_rows` rows in all and the
/// column-resize handles of the egui_extras table built with `id_salt(table_salt)`.
pub(super) fn table_record(
    ui: &Ui,
    table_salt: impl egui::AsIdSalt,
    titles: &[&str],
    total_rows: usize,
) -> TableRecord {
    TableRecord {
        table: QueuePanel::focus_id(),
        name: "Transfers".into(),
        total_rows,
        headers: Vec::new(),
        rows: Vec::new(),
        resize_handles: a11y::resize_handles(ui, table_salt, titles),
        current_row: None,
    }
}

/// A column header: its title's label.
pub(super) fn header(title: Id, cell: Id) -> a11y::HeaderCell {
    a11y::HeaderCell { button: title, cell: Some(cell), sorted: None }
}

/// The record of the row at `position`: its name, whether the cursor is on it, its cells.
pub(super) fn row_record(
    position: usize,
    name: &str,
    item: &QueueItem,
    fraction: f32,
    on_cursor: bool,
    cells: Vec<Id>,
    rect: Rect,
) -> RowRecord {
    RowRecord { position, name: row_name(name, item, fraction), selected: on_cursor, cells, rect }
}

/// The shown name, the direction, how far it is and its state: "big.iso, download, 30 %, Running".
fn row_name(name: &str, item: &QueueItem, fraction: f32) -> String {
    let direction = match item.direction {
        Direction::Download => "download",
        Direction::Upload => "upload",
    };
    let percent = (fraction.clamp(0.0, 1.0) * 100.0).round();
    format!("{name}, {direction}, {percent} %, {}", super::state_text(item))
}
