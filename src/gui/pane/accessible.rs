//! How a pane's table reads to a screen reader: its name, and each row's name and cells.

use egui::{Id, Rect, Ui};

use super::{Side, SortColumn};
use crate::gui::a11y::{self, RowRecord, TableRecord};
use crate::model::{Entry, EntryKind, escape_control};
use crate::transfer::progress::format_bytes;

/// The record of the table about to be drawn: its name, and its column-resize handles (whose ids
/// egui_extras derives from the table's id salt, `table_salt`).
pub(super) fn table_record(ui: &Ui, side: Side, table: Id, table_salt: Id, columns: &[SortColumn]) -> TableRecord {
    let name = match side {
        Side::Local => "Local files",
        Side::Remote => "Remote files",
    };
    let titles: Vec<&str> = columns.iter().map(|column| column.title()).collect();
    let resize_handles = a11y::resize_handles(ui, table_salt, &titles);
    TableRecord {
        table,
        name: name.into(),
        total_rows: 0,
        headers: Vec::new(),
        rows: Vec::new(),
        resize_handles,
        current_row: None,
    }
}

/// The record of one row: "notes.txt, file, 3 B", its selection, and its cells; with "Compare
/// folders" on, how it differs from the other side ("notes.txt, file, 3 B, newer").
pub(super) fn row_record(
    position: usize,
    entry: &Entry,
    selected: bool,
    cells: Vec<Id>,
    rect: Rect,
    mark: Option<&str>,
) -> RowRecord {
    let name = match mark {
        Some(mark) => format!("{}, {mark}", row_name(entry)),
        None => row_name(entry),
    };
    RowRecord { position, name, selected, cells, rect }
}

/// The file name, then its kind, then its size when it has one.
pub(crate) fn row_name(entry: &Entry) -> String {
    let name = escape_control(&entry.name);
    let kind = match (entry.kind, &entry.link_target) {
        (EntryKind::File, _) => "file".to_string(),
        (EntryKind::Dir, _) => "folder".to_string(),
        (EntryKind::Symlink, Some(target)) => format!("link to {}", escape_control(target)),
        (EntryKind::Symlink, None) => "link".to_string(),
        (EntryKind::Other, _) => "special file".to_string(),
    };
    match (entry.size, entry.opens_as()) {
        (Some(size), kind_of) if kind_of != EntryKind::Dir => format!("{name}, {kind}, {}", format_bytes(size)),
        _ => format!("{name}, {kind}"),
    }
}
