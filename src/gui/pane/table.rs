//! The pane's virtualised table: header sorting, the `..` row, rows, clicks, the context menu,
//! drags out, and the status line under it.

use egui::{Align, DragAndDrop, Event, Id, Label, Layout, Modifiers, Rect, RichText, Sense, Ui, Vec2};
use egui_extras::{Column, TableBuilder};

use super::columns as column_widths;
use super::{DraggedRows, FilePane, PaneAction, Side, SortColumn, accessible, format_modified, format_permissions};
use crate::gui::{a11y, icons};
use crate::model::{Entry, EntryKind, escape_control, join_remote};
use crate::transfer::folder_compare::CompareMark;
use crate::transfer::progress::format_bytes;

impl FilePane {
    /// The table; returns the rectangles of the rows drawn this frame (entry index, rect) so a drop
    /// can find the folder under the pointer.
    pub(super) fn table(&mut self, ui: &mut Ui, salt: Id, actions: &mut Vec<PaneAction>) -> Vec<(usize, Rect)> {
        let status_height = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
        let table_rect = {
            let mut rect = ui.available_rect_before_wrap();
            rect.max.y -= status_height;
            rect
        };
        // Registered before the rows so the rows, added later, sit on top of it. Clicks only: the
        // keyboard's stop is the pane's list (`keyboard.rs`), which is also the table a screen
        // reader reads.
        let background = ui.interact(table_rect, salt.with("background"), Sense::CLICK);
        if background.clicked() {
            self.selected.iter_mut().for_each(|flag| *flag = false);
            self.parent_cursor = false;
        }
        let blocked = self.transfer_unavailable();
        background
            .context_menu(|ui| pane_menu(ui, self.side, self.selected_entries(), blocked, self.comparing, actions));

        let row_height = ui.text_style_height(&egui::TextStyle::Body).max(icons::ICON_SIZE) + 2.0;
        let header_height = row_height + 2.0;
        let body_height = table_rect.height() - header_height - 2.0 * ui.spacing().item_spacing.y;
        let remote = self.side == Side::Remote;
        let mut columns = vec![SortColumn::Name, SortColumn::Size, SortColumn::Modified, SortColumn::Permissions];
        if remote {
            columns.push(SortColumn::Owner);
        }
        let click_modifiers = ui.input(|i| {
            i.events
                .iter()
                .rev()
                .find_map(|event| match event {
                    Event::PointerButton { modifiers, .. } => Some(*modifiers),
                    _ => None,
                })
                .unwrap_or(i.modifiers)
        });
        let mut record =
            accessible::table_record(ui, self.side, Self::focus_id(self.side), salt.with("table"), &columns);
        record.total_rows = self.rows.len();
        let highlight_painter = ui.painter().with_clip_rect(table_rect);
        let highlight_color = ui.visuals().selection.stroke.color;
        let ui_visuals = &ui.visuals().clone();
        let pane_resized = column_widths::width_changed(ui.ctx(), salt.with("table_width"), table_rect.width());
        let ring_row = self.ring_row(ui);
        let mut builder = TableBuilder::new(ui)
            .id_salt(salt.with("table"))
            .striped(true)
            .resizable(true)
            .sense(Sense::click_and_drag())
            .auto_shrink(false)
            .max_scroll_height(body_height)
            // In a low window the rows get what is left, so the status line under them stays in view.
            .min_scrolled_height(0.0)
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(column_widths::sized(&self.view.column_widths, 0, 80.0, 40.0))
            .column(column_widths::sized(&self.view.column_widths, 1, 120.0, 60.0))
            .column(column_widths::sized(&self.view.column_widths, 2, 90.0, 50.0));
        if remote {
            builder = builder.column(column_widths::sized(&self.view.column_widths, 3, 80.0, 40.0));
        }
        // A `..` row leads up, above the entries, wherever there is a folder above.
        let parent_rows = usize::from(self.parent().is_some());
        if let Some(row) = self.scroll_to_row.take() {
            // The first entry shows with the `..` row above it.
            let row = if row == 0 { 0 } else { row + parent_rows };
            builder = builder.scroll_to_row(row, None);
        }
        if pane_resized {
            // The table keeps every column's width once drawn; Name is to fill the pane again, and
            // the other columns start from the widths remembered for them.
            builder.reset();
        }

        let mut clicked_header = None;
        let mut row_rects = Vec::new();
        let mut clicked_row: Option<(usize, Modifiers)> = None;
        let mut opened_row = None;
        let mut dragged_row = None;
        let mut context_row = None;
        let view = self.view.clone();
        let drop_row = self.drop_target.clone();
        let rows = &self.rows;
        let entries = &self.entries;
        let selected = &self.selected;
        let marks = &self.compare_marks;
        let local_side = self.side == Side::Local;
        let path = &self.path;
        let mut menu_row = None;
        let mut used_widths = Vec::new();
        let parent_cursor = self.parent_cursor;
        let cursor = self.cursor.or(self.anchor);
        let (mut parent_clicked, mut parent_opened) = (false, false);
        let column_count = columns.len();
        let body = builder
            .header(header_height, |mut header| {
                for column in &columns {
                    let (_, cell) = header.col(|ui| {
                        let sorted = view.sort == *column;
                        let response = ui.add(egui::Button::new(column.title()).frame(false).selected(sorted));
                        if sorted {
                            let (rect, _) = ui.allocate_exact_size(Vec2::new(10.0, 10.0), Sense::hover());
                            icons::paint_sort_arrow(
                                ui.painter(),
                                rect.center(),
                                view.ascending,
                                ui.visuals().text_color(),
                            );
                        }
                        let sorted = sorted.then_some(view.ascending);
                        record.headers.push(a11y::HeaderCell { button: response.id, cell: None, sorted });
                        if response.clicked() {
                            clicked_header = Some(*column);
                        }
                    });
                    if let Some(header) = record.headers.last_mut() {
                        header.cell = Some(cell.id);
                    }
                }
            })
            .body(|body| {
                used_widths = column_widths::to_remember(body.widths());
                body.rows(row_height, rows.len() + parent_rows, |mut row| {
                    if row.index() < parent_rows {
                        let response = parent_row(&mut row, parent_cursor, column_count);
                        parent_opened |= response.double_clicked();
                        parent_clicked |= response.clicked();
                        return;
                    }
                    let position = row.index() - parent_rows;
                    let index = rows[position];
                    let entry = &entries[index];
                    row.set_selected(selected[index]);
                    let mark = marks.get(&entry.name);
                    let mut cells = Vec::new();
                    let (_, cell) = row.col(|ui| {
                        icons::row_icon(ui, entry);
                        if let Some(mark) = mark {
                            compare_tag(ui, mark, local_side);
                        }
                        let name = Label::new(escape_control(&entry.name)).selectable(false).truncate();
                        let label = ui.add(name);
                        if let (EntryKind::Symlink, Some(target)) = (entry.kind, &entry.link_target) {
                            label.on_hover_text(format!("Link to {}", escape_control(target)));
                            // Beside the name, so where a link leads is seen without hovering.
                            let shown = Label::new(RichText::new(format!("→ {}", escape_control(target))).weak());
                            ui.add(shown.selectable(false).truncate());
                        }
                    });
                    cells.push(cell.id);
                    let (_, cell) = row.col(|ui| {
                        // A link to a folder is a folder to the user: its own size is the link's.
                        if let (Some(size), false) = (entry.size, entry.opens_as() == EntryKind::Dir) {
                            // Right-aligned, so sizes line up by their units like in every file manager.
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                let label = ui.add(Label::new(format_bytes(size)).selectable(false));
                                label.on_hover_text(format!("{size} bytes"));
                            });
                        }
                    });
                    cells.push(cell.id);
                    let (_, cell) = row.col(|ui| {
                        if let Some(modified) = entry.modified {
                            ui.add(Label::new(format_modified(modified, entry.modified_precision)).selectable(false));
                        }
                    });
                    cells.push(cell.id);
                    let (_, cell) = row.col(|ui| {
                        if let Some(mode) = entry.permissions {
                            let label = ui.add(
                                Label::new(egui::RichText::new(format_permissions(mode)).monospace()).selectable(false),
                            );
                            label.on_hover_text(format!("{:04o}", mode & 0o7777));
                        }
                    });
                    cells.push(cell.id);
                    if remote {
                        let (_, cell) = row.col(|ui| {
                            if let Some(owner) = &entry.owner {
                                let text = match &entry.group {
                                    Some(group) => format!("{} {}", escape_control(owner), escape_control(group)),
                                    None => escape_control(owner),
                                };
                                ui.add(Label::new(text).selectable(false));
                            }
                        });
                        cells.push(cell.id);
                    }
                    let response = row.response();
                    if let Some(mark) = mark {
                        paint_compare_edge(&highlight_painter, response.rect, mark_color(ui_visuals, mark));
                    }
                    let mark_label = mark.map(|mark| mark.label(local_side));
                    let rect = response.rect;
                    record.rows.push(accessible::row_record(position, entry, selected[index], cells, rect, mark_label));
                    if cursor == Some(index) {
                        record.current_row = Some(position);
                    }
                    row_rects.push((index, response.rect));
                    if drop_row.as_deref() == Some(join_remote(path, &entry.name).as_str()) {
                        icons::paint_drop_highlight(&highlight_painter, response.rect, highlight_color);
                    }
                    if ring_row == Some(index) {
                        crate::gui::keys::paint_focus_ring(&highlight_painter, response.rect);
                    }
                    if response.double_clicked() {
                        opened_row = Some(index);
                    } else if response.clicked() {
                        clicked_row = Some((position, click_modifiers));
                    }
                    if response.secondary_clicked() {
                        context_row = Some(index);
                    }
                    if response.drag_started() {
                        dragged_row = Some(index);
                    }
                    // The menu is shown after the table, where the pane's state can be borrowed.
                    if response.secondary_clicked() || response.context_menu_opened() {
                        menu_row = Some(response);
                    }
                });
            });
        if !used_widths.is_empty() && used_widths != self.view.column_widths {
            self.view.column_widths = used_widths;
        }
        // Rows scrolled half under the header only count where they can be seen.
        let row_rects = row_rects.into_iter().map(|(index, rect)| (index, rect.intersect(body.inner_rect))).collect();
        // A screen reader's "click" on a row selects it, as a click with the mouse does.
        if let Some(position) = a11y::clicked_row(ui.ctx(), &record) {
            clicked_row = Some((position, Modifiers::NONE));
        }
        a11y::record_table(ui.ctx(), record);

        if let Some(column) = clicked_header {
            if self.view.sort == column {
                self.view.ascending = !self.view.ascending;
            } else {
                self.view.sort = column;
                self.view.ascending = true;
            }
            self.rows_stale = true;
        }
        if let Some((position, modifiers)) = clicked_row {
            self.click_row(position, modifiers);
        }
        if parent_opened {
            self.go_up(actions);
        } else if parent_clicked {
            self.put_cursor_on_parent_row();
        }
        if let Some(index) = context_row
            && !self.selected[index]
        {
            self.select_only(index);
        }
        if let Some(response) = menu_row {
            let blocked = self.transfer_unavailable();
            response
                .context_menu(|ui| pane_menu(ui, self.side, self.selected_entries(), blocked, self.comparing, actions));
        }
        if let Some(index) = opened_row {
            self.select_only(index);
            self.open(self.entries[index].clone(), actions);
        }
        if let Some(index) = dragged_row {
            if !self.selected[index] {
                self.select_only(index);
            }
            let payload = DraggedRows { from: self.side, folder: self.path.clone(), entries: self.selected_entries() };
            DragAndDrop::set_payload(ui.ctx(), payload);
        }
        row_rects
    }

    /// "12 items, 3 selected (1.20 MiB)": counted without cloning, as it runs every frame.
    pub(super) fn status_line(&self, ui: &mut Ui) {
        let (mut count, mut bytes) = (0usize, 0u64);
        for &index in self.rows.iter().filter(|&&index| self.selected[index]) {
            count += 1;
            bytes += self.entries[index].size.unwrap_or(0);
        }
        let mut text = crate::model::count_of(self.rows.len(), "item", "items");
        if count > 0 {
            text.push_str(&format!(", {count} selected ({})", format_bytes(bytes)));
        }
        if self.rows.len() < self.entries.len() {
            text.push_str(&format!(", {} not shown", self.entries.len() - self.rows.len()));
        }
        ui.weak(text);
    }
}

/// The colour of a compare mark: FileZilla's (yellow for one side only, green for newer, red for
/// a different size), in the theme's own warning and error shades where it has them.
fn mark_color(visuals: &egui::Visuals, mark: &CompareMark) -> egui::Color32 {
    match mark {
        CompareMark::OnlyHere => visuals.warn_fg_color,
        CompareMark::Newer if visuals.dark_mode => egui::Color32::from_rgb(110, 200, 110),
        CompareMark::Newer => egui::Color32::from_rgb(30, 130, 50),
        CompareMark::DifferentSize { .. } | CompareMark::DifferentKind => visuals.error_fg_color,
    }
}

/// The mark's words in its colour, before the name, with the longer explanation on hover: a
/// colour alone would tell nothing to a user who cannot tell red from green.
fn compare_tag(ui: &mut Ui, mark: &CompareMark, local: bool) {
    let color = mark_color(ui.visuals(), mark);
    let tag = Label::new(RichText::new(format!("[{}]", mark.label(local))).small().strong().color(color));
    ui.add(tag.selectable(false)).on_hover_text(mark.explanation(local));
}

/// A bar down the left edge of a marked row, in the mark's colour.
fn paint_compare_edge(painter: &egui::Painter, row: Rect, color: egui::Color32) {
    let edge = Rect::from_min_size(row.min, Vec2::new(3.0, row.height()));
    painter.rect_filled(edge, 0.0, color);
}

/// The `..` row: it goes up on double-click (or Enter, with the keyboard cursor on it) and is
/// never part of the selection, so no transfer, deletion or rename ever sees it.
fn parent_row(row: &mut egui_extras::TableRow<'_, '_>, has_cursor: bool, columns: usize) -> egui::Response {
    row.set_selected(has_cursor);
    row.col(|ui| {
        icons::entry_icon(ui, EntryKind::Dir);
        ui.add(Label::new("..").selectable(false)).on_hover_text("Parent folder");
    });
    for _ in 1..columns {
        row.col(|_| {});
    }
    row.response()
}

/// The context menu of rows and of the empty space: the same actions on the selection.
/// `transfer_blocked` is why Upload or Download cannot go now, as the pane's own button says;
/// `comparing` whether "Compare folders" is on.
pub(super) fn pane_menu(
    ui: &mut Ui,
    side: Side,
    selection: Vec<Entry>,
    transfer_blocked: Option<String>,
    comparing: bool,
    actions: &mut Vec<PaneAction>,
) {
    let any = !selection.is_empty();
    let transfer = if side == Side::Local { "Upload" } else { "Download" };
    let button = ui.add_enabled(any && transfer_blocked.is_none(), egui::Button::new(transfer));
    let button = match &transfer_blocked {
        Some(reason) => button.on_disabled_hover_text(reason),
        None => button,
    };
    if button.clicked() {
        actions.push(PaneAction::Transfer(selection.clone()));
    }
    if side == Side::Remote {
        // Links in a folder are followed only when asked: one may lead anywhere on the server.
        let folders = selection.iter().any(|entry| entry.opens_as() == EntryKind::Dir);
        let button = ui
            .add_enabled(folders && transfer_blocked.is_none(), egui::Button::new("Download following links"))
            .on_hover_text("Download the folders with what their links lead to, inside them or not (each folder once)")
            .on_disabled_hover_text(transfer_blocked.as_deref().unwrap_or("Select a folder to download"));
        if button.clicked() {
            actions.push(PaneAction::DownloadFollowingLinks(selection.clone()));
        }
    }
    ui.separator();
    if ui.button("New folder").clicked() {
        actions.push(PaneAction::NewFolder);
    }
    if ui.add_enabled(selection.len() == 1, egui::Button::new("Rename")).clicked()
        && let Some(entry) = selection.first()
    {
        actions.push(PaneAction::Rename(entry.clone()));
    }
    if side == Side::Remote {
        let one_file = matches!(selection.as_slice(), [entry] if entry.kind == EntryKind::File);
        let button = ui
            .add_enabled(one_file, egui::Button::new("Edit"))
            .on_hover_text("Open it in an external editor; each save is uploaded (F4)")
            .on_disabled_hover_text("Select one file to edit");
        if button.clicked()
            && let Some(entry) = selection.first()
        {
            actions.push(PaneAction::Edit(entry.clone()));
        }
    }
    if ui.add_enabled(any, egui::Button::new("Delete")).clicked() {
        actions.push(PaneAction::Delete(selection.clone()));
    }
    if ui.add_enabled(any, egui::Button::new("Permissions...")).clicked() {
        actions.push(PaneAction::Permissions(selection.clone()));
    }
    if ui.button("Copy URL").clicked() {
        actions.push(PaneAction::CopyUrl(selection));
    }
    ui.separator();
    // Both need the other side connected, as Upload and Download do.
    let compare = ui.add_enabled(transfer_blocked.is_none(), egui::Button::new("Compare folders").selected(comparing));
    let compare = match &transfer_blocked {
        Some(reason) => compare.on_disabled_hover_text(reason),
        None => compare.on_hover_text("Mark what differs from the other pane's folder (again: remove the marks)"),
    };
    if compare.clicked() {
        actions.push(PaneAction::CompareFolders);
    }
    let sync = ui.add_enabled(transfer_blocked.is_none(), egui::Button::new("Synchronize..."));
    let sync = match &transfer_blocked {
        Some(reason) => sync.on_disabled_hover_text(reason),
        None => sync.on_hover_text("Make one folder like the other, after a preview of every change"),
    };
    if sync.clicked() {
        actions.push(PaneAction::Synchronize);
    }
    ui.separator();
    if ui.button("Refresh").clicked() {
        actions.push(PaneAction::Refresh);
    }
}
