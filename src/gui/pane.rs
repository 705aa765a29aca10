//! One file pane (local or remote): path bar with breadcrumbs, history, a sortable, filterable,
//! virtualised table with multi-select, drag and drop. It does no I/O: it shows a listing it is
//! given and reports what the user asked for as `PaneAction`s.

mod view;

use std::path::PathBuf;

use egui::text::CCursorRange;
use egui::text_edit::TextEditState;
use egui::{Align, DragAndDrop, Event, Id, Key, Label, Layout, Modifiers, Rect, Sense, TextEdit, Ui, Vec2};
use egui_extras::{Column, TableBuilder};

use crate::gui::icons;
use crate::model::{Entry, EntryKind, escape_control, join_remote, parent_remote};
use crate::transfer::progress::format_bytes;

pub use view::{compare_natural, format_modified, format_permissions};

/// Which side of the window a pane is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The local file system, on the left.
    Local,
    /// A remote site, on the right.
    Remote,
}

/// What the user asked a pane for; the window turns these into worker Commands.
#[derive(Debug, Clone, PartialEq)]
pub enum PaneAction {
    /// List this folder (path bar, breadcrumb, double-click, Enter, Back, Forward, Up, Home...).
    Navigate(String),
    /// List the current folder again (F5).
    Refresh,
    /// Stop the pending listing.
    CancelLoading,
    /// Upload or download these entries of the current folder into the other pane's folder.
    Transfer(Vec<Entry>),
    /// Ask for a name and create a folder in the current folder.
    NewFolder,
    /// Ask for a new name for this entry (F2).
    Rename(Entry),
    /// Confirm and delete these entries (Del), folders recursively.
    Delete(Vec<Entry>),
    /// Open the permissions dialog for these entries.
    Permissions(Vec<Entry>),
    /// Copy the URLs of these entries (or of the folder when empty) to the clipboard.
    CopyUrl(Vec<Entry>),
    /// Files or folders from the desktop were dropped onto this pane, into folder `into`.
    DropFiles { paths: Vec<PathBuf>, into: String },
    /// Rows dragged from the other pane were dropped onto this one, into folder `into`.
    DropRows { rows: Vec<Entry>, from_folder: String, into: String },
}

/// The view choices a user expects to find again at the next start.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PaneViewSettings {
    /// The column sorted by.
    pub sort: SortColumn,
    /// Ascending or descending.
    pub ascending: bool,
    /// Show names starting with a dot.
    pub show_hidden: bool,
}

impl Default for PaneViewSettings {
    fn default() -> Self {
        PaneViewSettings { sort: SortColumn::Name, ascending: true, show_hidden: false }
    }
}

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SortColumn {
    /// File name.
    Name,
    /// Size in bytes.
    Size,
    /// Modification time.
    Modified,
    /// Permission bits.
    Permissions,
    /// Owner (remote only).
    Owner,
}

impl SortColumn {
    fn title(self) -> &'static str {
        match self {
            SortColumn::Name => "Name",
            SortColumn::Size => "Size",
            SortColumn::Modified => "Modified",
            SortColumn::Permissions => "Permissions",
            SortColumn::Owner => "Owner",
        }
    }
}

/// The drag-and-drop payload of rows dragged out of a pane.
#[derive(Debug, Clone, PartialEq)]
pub struct DraggedRows {
    /// The pane the rows come from.
    pub from: Side,
    /// The folder they are in.
    pub folder: String,
    /// The rows themselves.
    pub entries: Vec<Entry>,
}

/// How the navigation in flight moves through the history once its listing arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HistoryMove {
    /// A new place: the old folder goes on the Back stack, Forward is forgotten.
    Visit,
    /// One step back.
    Back,
    /// One step forward.
    Forward,
}

/// The path bar while the user types into it.
struct PathEdit {
    text: String,
    /// Focus and select-all on the first frame the field exists.
    just_opened: bool,
}

/// One pane's state.
pub struct FilePane {
    side: Side,
    path: String,
    home: Option<String>,
    entries: Vec<Entry>,
    loading: bool,
    view: PaneViewSettings,
    filter: String,
    /// Indices into `entries` in display order; recomputed only when `rows_stale`.
    rows: Vec<usize>,
    rows_stale: bool,
    /// One flag per entry of `entries`.
    selected: Vec<bool>,
    /// The entry a Shift+click range starts from.
    anchor: Option<usize>,
    back: Vec<String>,
    forward: Vec<String>,
    pending_move: Option<HistoryMove>,
    path_edit: Option<PathEdit>,
    scroll_to_row: Option<usize>,
    drop_highlighted: bool,
    drop_target: Option<String>,
}

impl FilePane {
    /// An empty pane on `side`.
    pub fn new(side: Side) -> Self {
        FilePane {
            side,
            path: String::new(),
            home: None,
            entries: Vec::new(),
            loading: false,
            view: PaneViewSettings::default(),
            filter: String::new(),
            rows: Vec::new(),
            rows_stale: false,
            selected: Vec::new(),
            anchor: None,
            back: Vec::new(),
            forward: Vec::new(),
            pending_move: None,
            path_edit: None,
            scroll_to_row: None,
            drop_highlighted: false,
            drop_target: None,
        }
    }

    /// Which side it is on.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The folder shown.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The folder the Home button goes to (the local home, or the remote login folder).
    pub fn set_home(&mut self, path: String) {
        self.home = Some(path);
    }

    /// Shows a listing of `path` (the answer to a `Navigate` or `Refresh`); ends the spinner.
    /// A listing of another folder moves the Back/Forward history; a listing of the same folder
    /// (a refresh) keeps the selection of names still present.
    pub fn set_listing(&mut self, path: String, entries: Vec<Entry>) {
        let same_folder = path == self.path;
        let kept: std::collections::HashSet<String> = if same_folder {
            self.selected_entries().into_iter().map(|entry| entry.name).collect()
        } else {
            Default::default()
        };
        let anchor_name = self.anchor.and_then(|index| self.entries.get(index)).map(|entry| entry.name.clone());
        if !same_folder {
            let old = std::mem::take(&mut self.path);
            match self.pending_move.take().unwrap_or(HistoryMove::Visit) {
                HistoryMove::Visit => {
                    if !old.is_empty() {
                        self.back.push(old);
                    }
                    self.forward.clear();
                }
                HistoryMove::Back => {
                    self.back.pop();
                    self.forward.push(old);
                }
                HistoryMove::Forward => {
                    self.forward.pop();
                    self.back.push(old);
                }
            }
            self.filter.clear();
            self.scroll_to_row = Some(0);
        }
        // A refresh of the same folder may arrive while a navigation is still pending: it leaves
        // that navigation's history move in place.
        self.path = path;
        self.selected = entries.iter().map(|entry| kept.contains(&entry.name)).collect();
        self.anchor =
            if same_folder { anchor_name.and_then(|name| entries.iter().position(|e| e.name == name)) } else { None };
        self.entries = entries;
        // The spinner stays while the navigation it stands for is still on its way.
        self.loading = self.loading && same_folder && self.pending_move.is_some();
        self.rows_stale = true;
        self.refresh_rows();
    }

    /// Shows or hides the spinner of a pending listing. Ending it without a listing (the listing
    /// failed or was cancelled) keeps the folder and its history as they were.
    pub fn set_loading(&mut self, loading: bool) {
        self.loading = loading;
        if !loading {
            self.pending_move = None;
        }
    }

    /// Whether a listing is pending.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// The entries of the folder shown, as given.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The names of the rows shown, in display order (after hidden toggle, filter and sort).
    pub fn visible_names(&self) -> Vec<String> {
        self.rows.iter().map(|&index| self.entries[index].name.clone()).collect()
    }

    /// The selected entries, in display order. Rows hidden by the filter or the hidden toggle are
    /// never part of it, so an action never touches what the user cannot see.
    pub fn selected_entries(&self) -> Vec<Entry> {
        self.rows
            .iter()
            .filter(|&&index| self.selected.get(index).copied().unwrap_or(false))
            .map(|&index| self.entries[index].clone())
            .collect()
    }

    /// The quick filter's text.
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Whether Back has somewhere to go.
    pub fn can_go_back(&self) -> bool {
        !self.back.is_empty()
    }

    /// Whether Forward has somewhere to go.
    pub fn can_go_forward(&self) -> bool {
        !self.forward.is_empty()
    }

    /// Whether the pane is highlighted as a drop target this frame (desktop files or rows of the
    /// other pane hovering over it).
    pub fn is_drop_highlighted(&self) -> bool {
        self.drop_highlighted
    }

    /// The folder a drop would go into this frame, while the pane is highlighted.
    pub fn drop_target(&self) -> Option<&str> {
        self.drop_target.as_deref()
    }

    /// The view settings to save.
    pub fn view_settings(&self) -> PaneViewSettings {
        self.view.clone()
    }

    /// Restores saved view settings.
    pub fn apply_view_settings(&mut self, view: PaneViewSettings) {
        if view != self.view {
            self.view = view;
            self.rows_stale = true;
            self.refresh_rows();
        }
    }

    /// Draws the pane into `ui`. `active` says whether keyboard shortcuts go to this pane.
    pub fn show(&mut self, ui: &mut Ui, active: bool) -> Vec<PaneAction> {
        let mut actions = Vec::new();
        let salt = ui.scope_id().with(("ferry_pane", self.side));
        let pane = ui.scope(|ui| {
            self.toolbar(ui, salt, active, &mut actions);
            self.path_bar(ui, salt, active, &mut actions);
            self.refresh_rows();
            if active && self.path_edit.is_none() && !ui.ctx().text_edit_focused() {
                self.shortcuts(ui, &mut actions);
            }
            let row_rects = self.table(ui, salt, &mut actions);
            self.status_line(ui);
            row_rects
        });
        // Sort, filter and hidden changes made this frame show in what the caller reads next.
        self.refresh_rows();
        self.drops(ui, pane.response.rect, &pane.inner, &mut actions);
        actions
    }

    fn refresh_rows(&mut self) {
        if self.rows_stale {
            self.rows = view::visible_rows(&self.entries, &self.view, &self.filter);
            self.rows_stale = false;
        }
    }

    /// Every navigation goes through here, so the history knows how to move when it arrives.
    fn navigate(&mut self, path: String, history: HistoryMove, actions: &mut Vec<PaneAction>) {
        self.pending_move = Some(history);
        actions.push(PaneAction::Navigate(path));
    }

    fn parent(&self) -> Option<String> {
        let parent = parent_remote(&self.path);
        (!self.path.is_empty() && parent != "." && parent != self.path).then_some(parent)
    }

    fn go_up(&mut self, actions: &mut Vec<PaneAction>) {
        if let Some(parent) = self.parent() {
            self.navigate(parent, HistoryMove::Visit, actions);
        }
    }

    fn go_back(&mut self, actions: &mut Vec<PaneAction>) {
        if let Some(target) = self.back.last().cloned() {
            self.navigate(target, HistoryMove::Back, actions);
        }
    }

    fn go_forward(&mut self, actions: &mut Vec<PaneAction>) {
        if let Some(target) = self.forward.last().cloned() {
            self.navigate(target, HistoryMove::Forward, actions);
        }
    }

    fn toolbar(&mut self, ui: &mut Ui, salt: Id, active: bool, actions: &mut Vec<PaneAction>) {
        let filter_id = salt.with("filter");
        if active && !ui.ctx().text_edit_focused() && take_key(ui, Key::F, true) {
            ui.memory_mut(|memory| memory.request_focus(filter_id));
        }
        ui.horizontal(|ui| {
            use icons::{ToolIcon, tool_button};
            if tool_button(ui, self.can_go_back(), ToolIcon::Back, "Back", "Back").clicked() {
                self.go_back(actions);
            }
            if tool_button(ui, self.can_go_forward(), ToolIcon::Forward, "Forward", "Forward").clicked() {
                self.go_forward(actions);
            }
            if tool_button(ui, self.parent().is_some(), ToolIcon::Up, "Up", "Parent folder (Backspace)").clicked() {
                self.go_up(actions);
            }
            let home_hint = match &self.home {
                Some(home) => format!("Home: {}", escape_control(home)),
                None => "Home".to_string(),
            };
            if tool_button(ui, self.home.is_some(), ToolIcon::Home, "Home", &home_hint).clicked()
                && let Some(home) = self.home.clone()
            {
                self.navigate(home, HistoryMove::Visit, actions);
            }
            if tool_button(ui, true, ToolIcon::Refresh, "Refresh", "List again (F5)").clicked() {
                actions.push(PaneAction::Refresh);
            }
            if ui.button("New folder").clicked() {
                actions.push(PaneAction::NewFolder);
            }
            if ui.checkbox(&mut self.view.show_hidden, "Show hidden").changed() {
                self.rows_stale = true;
            }
            let label = ui.label("Filter");
            let filter = TextEdit::singleline(&mut self.filter).id(filter_id).hint_text("Filter (Ctrl+F)");
            let filter = ui.add(filter.desired_width(140.0)).labelled_by(label.id);
            // Escape in the filter gives the whole list back, as in the file managers.
            let cleared = filter.lost_focus() && ui.input(|i| i.key_pressed(Key::Escape)) && !self.filter.is_empty();
            if cleared {
                self.filter.clear();
            }
            if filter.changed() || cleared {
                self.rows_stale = true;
            }
            if self.loading {
                ui.add(egui::Spinner::new());
                if ui.button("Cancel").on_hover_text("Stop listing this folder").clicked() {
                    actions.push(PaneAction::CancelLoading);
                }
            }
        });
    }

    fn path_bar(&mut self, ui: &mut Ui, salt: Id, active: bool, actions: &mut Vec<PaneAction>) {
        let edit_id = salt.with("path_edit");
        if active && self.path_edit.is_none() && !ui.ctx().text_edit_focused() && take_key(ui, Key::L, true) {
            self.path_edit = Some(PathEdit { text: self.path.clone(), just_opened: true });
        }
        ui.horizontal(|ui| {
            if let Some(edit) = &mut self.path_edit {
                let opening = edit.just_opened;
                if opening {
                    // Focus first: a field without focus collapses its selection when drawn.
                    ui.memory_mut(|memory| memory.request_focus(edit_id));
                    let mut state = TextEditState::load(ui.ctx(), edit_id).unwrap_or_default();
                    state.cursor.set_char_range(Some(CCursorRange::select_all_str(&edit.text)));
                    state.store(ui.ctx(), edit_id);
                    edit.just_opened = false;
                }
                let output = TextEdit::singleline(&mut edit.text)
                    .id(edit_id)
                    .desired_width(f32::INFINITY)
                    .hint_text("/folder/to/open")
                    .show(ui);
                let response = &output.response;
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Path"));
                if !opening && (response.lost_focus() || !response.has_focus()) {
                    let target = edit.text.trim().to_string();
                    let confirmed = ui.input(|i| i.key_pressed(Key::Enter));
                    self.path_edit = None;
                    if confirmed && !target.is_empty() && target != self.path {
                        self.navigate(target, HistoryMove::Visit, actions);
                    } else if confirmed && target == self.path {
                        actions.push(PaneAction::Refresh);
                    }
                }
            } else {
                self.breadcrumbs(ui, actions);
            }
        });
    }

    /// The folder as clickable components; the free space after them opens the path editor.
    fn breadcrumbs(&mut self, ui: &mut Ui, actions: &mut Vec<PaneAction>) {
        let absolute = self.path.starts_with('/');
        let mut target = if absolute { String::from("/") } else { String::new() };
        let mut crumbs: Vec<(String, String)> = Vec::new();
        if absolute {
            crumbs.push(("/".to_string(), target.clone()));
        }
        for component in self.path.split('/').filter(|c| !c.is_empty()) {
            target = join_remote(&target, component);
            crumbs.push((escape_control(component), target.clone()));
        }
        let chevron_color = ui.visuals().weak_text_color();
        let last = crumbs.len().saturating_sub(1);
        for (index, (label, crumb_path)) in crumbs.into_iter().enumerate() {
            if index > 0 && !(index == 1 && absolute) {
                let (rect, _) = ui.allocate_exact_size(Vec2::new(8.0, 14.0), Sense::hover());
                icons::paint_chevron(ui.painter(), rect.center(), chevron_color);
            }
            let button = egui::Button::new(label).frame(false).selected(index == last);
            if ui.add(button).on_hover_text(&crumb_path).clicked() && crumb_path != self.path {
                self.navigate(crumb_path, HistoryMove::Visit, actions);
            }
        }
        let rest = ui.available_size_before_wrap();
        let (rect, response) = ui.allocate_exact_size(Vec2::new(rest.x.max(24.0), 20.0), Sense::click());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "Path"));
        if response.hovered() {
            ui.painter().rect_stroke(rect, 2.0, ui.visuals().widgets.hovered.bg_stroke, egui::StrokeKind::Inside);
        }
        if response.on_hover_text("Type a path (Ctrl+L)").clicked() {
            self.path_edit = Some(PathEdit { text: self.path.clone(), just_opened: true });
        }
    }

    fn shortcuts(&mut self, ui: &mut Ui, actions: &mut Vec<PaneAction>) {
        if take_key(ui, Key::A, true) {
            for &index in &self.rows {
                self.selected[index] = true;
            }
        }
        // Escape closes an open menu first; only then does it clear the selection.
        if !egui::Popup::is_any_open(ui.ctx()) && take_key(ui, Key::Escape, false) {
            self.selected.iter_mut().for_each(|flag| *flag = false);
        }
        if take_key(ui, Key::Enter, false) {
            let selection = self.selected_entries();
            if let [entry] = selection.as_slice() {
                self.open(entry.clone(), actions);
            }
        }
        if take_key(ui, Key::Backspace, false) {
            self.go_up(actions);
        }
        if take_key(ui, Key::F5, false) {
            actions.push(PaneAction::Refresh);
        }
        if take_key(ui, Key::F2, false)
            && let [entry] = self.selected_entries().as_slice()
        {
            actions.push(PaneAction::Rename(entry.clone()));
        }
        if take_key(ui, Key::Delete, false) {
            let selection = self.selected_entries();
            if !selection.is_empty() {
                actions.push(PaneAction::Delete(selection));
            }
        }
        let step: isize = if take_key(ui, Key::ArrowDown, false) {
            1
        } else if take_key(ui, Key::ArrowUp, false) {
            -1
        } else {
            0
        };
        if step != 0 && !self.rows.is_empty() {
            let current = self.anchor.and_then(|anchor| self.rows.iter().position(|&index| index == anchor));
            let next = match current {
                Some(position) => position.saturating_add_signed(step).min(self.rows.len() - 1),
                None => 0,
            };
            self.select_only(self.rows[next]);
            self.scroll_to_row = Some(next);
        }
    }

    /// Double-click or Enter: folders and links are opened (the window decides what a link is),
    /// a file is transferred to the other pane, as in the commander-style clients.
    fn open(&mut self, entry: Entry, actions: &mut Vec<PaneAction>) {
        match entry.kind {
            EntryKind::Dir | EntryKind::Symlink => {
                let target = join_remote(&self.path, &entry.name);
                self.navigate(target, HistoryMove::Visit, actions);
            }
            EntryKind::File | EntryKind::Other => actions.push(PaneAction::Transfer(vec![entry])),
        }
    }

    fn select_only(&mut self, index: usize) {
        self.selected.iter_mut().for_each(|flag| *flag = false);
        self.selected[index] = true;
        self.anchor = Some(index);
    }

    fn click_row(&mut self, position: usize, modifiers: Modifiers) {
        let index = self.rows[position];
        let toggle = modifiers.ctrl || modifiers.command;
        let anchor_position = self.anchor.and_then(|anchor| self.rows.iter().position(|&i| i == anchor));
        match (modifiers.shift, anchor_position) {
            (true, Some(anchor_position)) => {
                if !toggle {
                    self.selected.iter_mut().for_each(|flag| *flag = false);
                }
                let (from, to) = (anchor_position.min(position), anchor_position.max(position));
                for &row in &self.rows[from..=to] {
                    self.selected[row] = true;
                }
            }
            _ if toggle => {
                self.selected[index] = !self.selected[index];
                self.anchor = Some(index);
            }
            _ => self.select_only(index),
        }
    }

    /// The table; returns the rectangles of the rows drawn this frame (entry index, rect) so a drop
    /// can find the folder under the pointer.
    fn table(&mut self, ui: &mut Ui, salt: Id, actions: &mut Vec<PaneAction>) -> Vec<(usize, Rect)> {
        let status_height = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
        let table_rect = {
            let mut rect = ui.available_rect_before_wrap();
            rect.max.y -= status_height;
            rect
        };
        // Registered before the rows so the rows, added later, sit on top of it.
        let background = ui.interact(table_rect, salt.with("background"), Sense::click());
        if background.clicked() {
            self.selected.iter_mut().for_each(|flag| *flag = false);
        }
        background.context_menu(|ui| pane_menu(ui, self.side, self.selected_entries(), actions));

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
        let highlight_painter = ui.painter().with_clip_rect(table_rect);
        let highlight_color = ui.visuals().selection.stroke.color;
        let mut builder = TableBuilder::new(ui)
            .id_salt(salt.with("table"))
            .striped(true)
            .resizable(true)
            .sense(Sense::click_and_drag())
            .auto_shrink(false)
            .max_scroll_height(body_height)
            .cell_layout(Layout::left_to_right(Align::Center))
            .column(Column::remainder().at_least(120.0).clip(true))
            .column(Column::initial(80.0).at_least(40.0).clip(true))
            .column(Column::initial(120.0).at_least(60.0).clip(true))
            .column(Column::initial(90.0).at_least(50.0).clip(true));
        if remote {
            builder = builder.column(Column::initial(80.0).at_least(40.0).clip(true));
        }
        if let Some(row) = self.scroll_to_row.take() {
            builder = builder.scroll_to_row(row, None);
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
        let path = &self.path;
        let mut menu_row = None;
        let body = builder
            .header(header_height, |mut header| {
                for column in &columns {
                    header.col(|ui| {
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
                        if response.clicked() {
                            clicked_header = Some(*column);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(row_height, rows.len(), |mut row| {
                    let position = row.index();
                    let index = rows[position];
                    let entry = &entries[index];
                    row.set_selected(selected[index]);
                    row.col(|ui| {
                        icons::entry_icon(ui, entry.kind);
                        let name = Label::new(escape_control(&entry.name)).selectable(false).truncate();
                        let label = ui.add(name);
                        if let (EntryKind::Symlink, Some(target)) = (entry.kind, &entry.link_target) {
                            label.on_hover_text(format!("Link to {}", escape_control(target)));
                        }
                    });
                    row.col(|ui| {
                        if let (Some(size), false) = (entry.size, entry.kind == EntryKind::Dir) {
                            // Right-aligned, so sizes line up by their units like in every file manager.
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                let label = ui.add(Label::new(format_bytes(size)).selectable(false));
                                label.on_hover_text(format!("{size} bytes"));
                            });
                        }
                    });
                    row.col(|ui| {
                        if let Some(modified) = entry.modified {
                            ui.add(Label::new(format_modified(modified)).selectable(false));
                        }
                    });
                    row.col(|ui| {
                        if let Some(mode) = entry.permissions {
                            let label = ui.add(
                                Label::new(egui::RichText::new(format_permissions(mode)).monospace()).selectable(false),
                            );
                            label.on_hover_text(format!("{:04o}", mode & 0o7777));
                        }
                    });
                    if remote {
                        row.col(|ui| {
                            if let Some(owner) = &entry.owner {
                                let text = match &entry.group {
                                    Some(group) => format!("{} {}", escape_control(owner), escape_control(group)),
                                    None => escape_control(owner),
                                };
                                ui.add(Label::new(text).selectable(false));
                            }
                        });
                    }
                    let response = row.response();
                    row_rects.push((index, response.rect));
                    if drop_row.as_deref() == Some(join_remote(path, &entry.name).as_str()) {
                        icons::paint_drop_highlight(&highlight_painter, response.rect, highlight_color);
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
        // Rows scrolled half under the header only count where they can be seen.
        let row_rects = row_rects.into_iter().map(|(index, rect)| (index, rect.intersect(body.inner_rect))).collect();

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
        if let Some(index) = context_row
            && !self.selected[index]
        {
            self.select_only(index);
        }
        if let Some(response) = menu_row {
            response.context_menu(|ui| pane_menu(ui, self.side, self.selected_entries(), actions));
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
    fn status_line(&self, ui: &mut Ui) {
        let (mut count, mut bytes) = (0usize, 0u64);
        for &index in self.rows.iter().filter(|&&index| self.selected[index]) {
            count += 1;
            bytes += self.entries[index].size.unwrap_or(0);
        }
        let mut text = format!("{} items", self.rows.len());
        if count > 0 {
            text.push_str(&format!(", {count} selected ({})", format_bytes(bytes)));
        }
        if self.rows.len() < self.entries.len() {
            text.push_str(&format!(", {} not shown", self.entries.len() - self.rows.len()));
        }
        ui.weak(text);
    }

    /// Drop handling: rows of the other pane, and (remote side only) files from the desktop.
    fn drops(&mut self, ui: &Ui, pane_rect: Rect, row_rects: &[(usize, Rect)], actions: &mut Vec<PaneAction>) {
        let ctx = ui.ctx().clone();
        let pointer = ctx.input(|i| i.pointer.interact_pos());
        let over_pane = pointer.is_some_and(|pos| pane_rect.contains(pos));
        let rows_payload = DragAndDrop::payload::<DraggedRows>(&ctx).filter(|rows| rows.from != self.side);
        let accepts_desktop = self.side == Side::Remote;
        let (hovering_files, dropped_files) = ctx.input(|i| {
            let dropped: Vec<PathBuf> = i.raw.dropped_files.iter().map(|file| file.path().to_path_buf()).collect();
            (!i.raw.hovered_files.is_empty(), dropped)
        });
        // Some desktops give no pointer position while an OS drag is over the window; the remote
        // pane is the only one accepting desktop files, so it takes them then.
        let over_for_desktop = over_pane || pointer.is_none();
        let target = |this: &Self| -> String {
            let under_pointer = pointer.and_then(|pos| row_rects.iter().find(|(_, rect)| rect.contains(pos)));
            match under_pointer {
                Some(&(index, _)) if this.entries[index].kind == EntryKind::Dir => {
                    join_remote(&this.path, &this.entries[index].name)
                }
                _ => this.path.clone(),
            }
        };

        self.drop_highlighted = false;
        self.drop_target = None;
        if accepts_desktop && over_for_desktop && !dropped_files.is_empty() {
            actions.push(PaneAction::DropFiles { paths: dropped_files, into: target(self) });
        } else if accepts_desktop && over_for_desktop && hovering_files {
            self.drop_highlighted = true;
        }
        if let Some(rows) = rows_payload
            && over_pane
        {
            if ctx.input(|i| i.pointer.any_released()) {
                DragAndDrop::clear_payload(&ctx);
                actions.push(PaneAction::DropRows {
                    rows: rows.entries.clone(),
                    from_folder: rows.folder.clone(),
                    into: target(self),
                });
            } else {
                self.drop_highlighted = true;
            }
        }
        if self.drop_highlighted {
            self.drop_target = Some(target(self));
            let color = ui.visuals().selection.stroke.color;
            icons::paint_drop_highlight(&ctx.layer_painter(ui.layer_id()), pane_rect, color);
            ctx.request_repaint();
        }
        // While our own rows travel, show how many go with the pointer.
        if let (Some(rows), Some(pos)) = (DragAndDrop::payload::<DraggedRows>(&ctx), ctx.pointer_latest_pos())
            && rows.from == self.side
        {
            let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Tooltip, Id::unique("ferry_drag_count")));
            let text = match rows.entries.as_slice() {
                [one] => escape_control(&one.name),
                many => format!("{} items", many.len()),
            };
            painter.text(
                pos + Vec2::new(14.0, 6.0),
                egui::Align2::LEFT_TOP,
                text,
                egui::TextStyle::Body.resolve(ui.style()),
                ui.visuals().strong_text_color(),
            );
        }
    }
}

/// The context menu of rows and of the empty space: the same actions on the selection.
fn pane_menu(ui: &mut Ui, side: Side, selection: Vec<Entry>, actions: &mut Vec<PaneAction>) {
    let any = !selection.is_empty();
    let transfer = if side == Side::Local { "Upload" } else { "Download" };
    if ui.add_enabled(any, egui::Button::new(transfer)).clicked() {
        actions.push(PaneAction::Transfer(selection.clone()));
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
    if ui.button("Refresh").clicked() {
        actions.push(PaneAction::Refresh);
    }
}

/// Consumes a press of `key`, with Ctrl (or Cmd) held exactly when `ctrl` and no Alt. Other
/// panes and widgets no longer see it.
fn take_key(ui: &Ui, key: Key, ctrl: bool) -> bool {
    ui.input_mut(|input| {
        let mut found = false;
        input.events.retain(|event| {
            let hit = matches!(event,
                Event::Key { key: pressed_key, pressed: true, modifiers, .. }
                    if *pressed_key == key && (modifiers.ctrl || modifiers.command) == ctrl && !modifiers.alt);
            found |= hit;
            !hit
        });
        found
    })
}
