//! The file tables as a screen reader expects them: a table with a header row of column headers
//! (the sorted one with its direction), then one row per file shown, named after the file, with
//! its cells and its selection. egui_extras draws a table as loose cells; the pane records here
//! what belongs together, and `rewrite` regroups the nodes at the end of the frame.

use egui::accesskit::{self, Action, Node, NodeId, Role, SortDirection};
use egui::{Context, Id};

/// One table as drawn this frame.
#[derive(Debug, Clone)]
pub struct TableRecord {
    /// The widget that becomes the table node (the pane's table background).
    pub table: Id,
    /// What the table is called ("Remote files").
    pub name: String,
    /// How many rows the table has in all, drawn or not (it is virtualised).
    pub total_rows: usize,
    /// The column headers, left to right.
    pub headers: Vec<HeaderCell>,
    /// The rows drawn this frame.
    pub rows: Vec<RowRecord>,
    /// The column-resize handles: widget and the column each one widens.
    pub resize_handles: Vec<(Id, String)>,
    /// The position of the row the keyboard's cursor is on, when it is drawn: a screen reader
    /// reads it as the table's active row when the arrows move it.
    pub current_row: Option<usize>,
}

/// A column header: the button that sorts by it, named after the column.
#[derive(Debug, Clone)]
pub struct HeaderCell {
    /// The header's button.
    pub button: Id,
    /// The cell around it (focusable in egui, but the button is what a screen reader stops on).
    pub cell: Option<Id>,
    /// `Some(ascending)` for the column the table is sorted by.
    pub sorted: Option<bool>,
}

/// A row drawn this frame.
#[derive(Debug, Clone)]
pub struct RowRecord {
    /// Its place among all rows (0 for the first row under the header).
    pub position: usize,
    /// What a screen reader reads for it: "notes.txt, file, 3 B".
    pub name: String,
    /// Whether it is selected.
    pub selected: bool,
    /// Its cells' `Ui`s, left to right.
    pub cells: Vec<Id>,
    /// Where it is drawn (egui learns its cells' places only after their nodes are made).
    pub rect: egui::Rect,
}

fn records_key() -> Id {
    Id::unique("ferry_a11y_tables")
}

/// Records a table drawn this frame (nothing when no screen reader is listening).
pub fn record_table(ctx: &Context, record: TableRecord) {
    if super::enabled(ctx) {
        ctx.data_mut(|data| data.get_temp_mut_or_default::<Vec<TableRecord>>(records_key()).push(record));
    }
}

/// The tables recorded this frame; clears them.
pub(super) fn take_records(ctx: &Context) -> Vec<TableRecord> {
    ctx.data_mut(|data| data.remove_temp::<Vec<TableRecord>>(records_key())).unwrap_or_default()
}

impl TableRecord {
    /// The id of the header row, a node egui does not make.
    pub(super) fn header_row_id(&self) -> NodeId {
        self.table.with("a11y_header_row").accesskit_id()
    }

    /// The id of the row at `position`, a node egui does not make.
    pub(super) fn row_id(&self, position: usize) -> NodeId {
        self.table.with(("a11y_row", position)).accesskit_id()
    }
}

/// Turns a header's button (or label) into a column header (it keeps its name and its click, which sorts).
pub(super) fn make_header(node: &mut Node, header: &HeaderCell, column: usize) {
    node.set_role(Role::ColumnHeader);
    // A header that is a plain label (the queue's) holds its title as its text: a header is named.
    if node.label().is_none()
        && let Some(title) = node.value().map(str::to_string)
    {
        node.set_label(title);
        node.clear_value();
    }
    // Selected means "sorted by" for egui's button; the sort direction says it for a header.
    node.clear_toggled();
    node.set_column_index(column);
    node.set_row_index(0);
    match header.sorted {
        Some(true) => node.set_sort_direction(SortDirection::Ascending),
        Some(false) => node.set_sort_direction(SortDirection::Descending),
        None => node.clear_sort_direction(),
    }
}

/// Turns a body cell's node into a cell of row `row_index`, read through the text it shows.
pub(super) fn make_cell(node: &mut Node, row_index: usize, column: usize) {
    node.set_role(Role::Cell);
    // The row is what a screen reader moves through and names; a cell on its own would be an
    // unnamed stop (egui makes every cell of a clickable table focusable).
    node.remove_action(Action::Focus);
    node.set_row_index(row_index);
    node.set_column_index(column);
}

/// A new row node; a click on it (from a screen reader) selects it.
pub(super) fn row_node(row: &RowRecord) -> Node {
    let mut node = Node::new(Role::Row);
    node.set_label(row.name.clone());
    node.set_selected(row.selected);
    node.set_row_index(row.position + 1);
    node.add_action(Action::Click);
    let rect = row.rect;
    node.set_bounds(accesskit::Rect::new(rect.min.x.into(), rect.min.y.into(), rect.max.x.into(), rect.max.y.into()));
    node
}

/// The position of the row of `table` a screen reader clicked this frame, if any.
pub fn clicked_row(ctx: &Context, table: &TableRecord) -> Option<usize> {
    let targets: Vec<NodeId> = ctx.input(|input| {
        input
            .events
            .iter()
            .filter_map(|event| match event {
                egui::Event::AccessKitActionRequest(request) if request.action == Action::Click => {
                    Some(request.target_node)
                }
                _ => None,
            })
            .collect()
    });
    table.rows.iter().map(|row| row.position).find(|&position| targets.contains(&table.row_id(position)))
}

/// The column-resize handles of an egui_extras table built in `ui` with `id_salt(table_salt)`,
/// each with the title of the column it widens: egui_extras gives them no name, and derives
/// their ids from the table's id as below.
pub fn resize_handles(ui: &egui::Ui, table_salt: impl egui::AsIdSalt, titles: &[&str]) -> Vec<(Id, String)> {
    let state_id = ui.scope_id().with(egui::IdSalt::new(table_salt));
    titles
        .iter()
        .enumerate()
        .map(|(index, title)| (state_id.with("resize_column").with(index), title.to_string()))
        .collect()
}
