//! One file pane (local or remote): path bar with breadcrumbs, history, a sortable, filterable,
//! virtualised table with multi-select, drag and drop. It does no I/O: it shows a listing it is
//! given and reports what the user asked for as `PaneAction`s.

mod accessible;
mod came_from;
mod columns;
mod drop;
mod history;
mod keyboard;
mod listing;
mod path_bar;
mod selection;
mod table;
mod transfer_button;
mod view;

use std::path::PathBuf;

use egui::Ui;

use crate::model::Entry;
use history::HistoryMove;
use path_bar::PathEdit;

pub use keyboard::focus_target;
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
    /// Open a path typed into the path bar: a folder is listed; for a file, its folder is listed
    /// with the file selected, as the file managers do.
    Open(String),
    /// List the current folder again (F5).
    Refresh,
    /// Stop the pending listing.
    CancelLoading,
    /// Upload or download these entries of the current folder into the other pane's folder.
    Transfer(Vec<Entry>),
    /// Download these remote entries, following every link in the folders wherever it leads
    /// (each folder once), as `ferry get -r --follow-links` does.
    DownloadFollowingLinks(Vec<Entry>),
    /// Ask for a name and create a folder in the current folder.
    NewFolder,
    /// Ask for a new name for this entry (F2).
    Rename(Entry),
    /// Open this remote file in an external editor, uploading each save (F4).
    Edit(Entry),
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
    /// Turn "Compare folders" on or off (both panes' folders).
    CompareFolders,
    /// Open the Synchronize dialog for both panes' folders.
    Synchronize,
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
    /// The widths the user gave the columns after Name, in whole points (Name takes the rest);
    /// empty until a table was drawn.
    #[serde(default)]
    pub column_widths: Vec<u32>,
}

impl Default for PaneViewSettings {
    fn default() -> Self {
        PaneViewSettings { sort: SortColumn::Name, ascending: true, show_hidden: false, column_widths: Vec::new() }
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
    /// The entry the keyboard's cursor is on (moved by the arrows, toggled by Space).
    cursor: Option<usize>,
    back: Vec<String>,
    forward: Vec<String>,
    pending_move: Option<HistoryMove>,
    path_edit: Option<PathEdit>,
    scroll_to_row: Option<usize>,
    drop_highlighted: bool,
    drop_target: Option<String>,
    /// The keyboard cursor is on the `..` row (which is never part of the selection).
    parent_cursor: bool,
    /// Why the Upload or Download button cannot transfer now (no connection), as the window says.
    transfer_blocked: Option<String>,
    /// A name the next listing selects: the folder just made or the entry just renamed.
    select_when_listed: Option<String>,
    /// How rows differ from the other pane's, by name, while "Compare folders" is on.
    compare_marks: std::collections::HashMap<String, crate::transfer::folder_compare::CompareMark>,
    /// Whether "Compare folders" is on (its menu entry shows it).
    comparing: bool,
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
            cursor: None,
            back: Vec::new(),
            forward: Vec::new(),
            pending_move: None,
            path_edit: None,
            scroll_to_row: None,
            drop_highlighted: false,
            drop_target: None,
            parent_cursor: false,
            transfer_blocked: None,
            select_when_listed: None,
            compare_marks: Default::default(),
            comparing: false,
        }
    }

    /// Which side it is on.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The folder shown (empty until the first listing arrives).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The folder shown, once a listing has arrived.
    pub fn listed_folder(&self) -> Option<&str> {
        Some(self.path.as_str()).filter(|path| !path.is_empty())
    }

    /// The folder the Home button goes to (the local home, or the remote login folder).
    pub fn set_home(&mut self, path: String) {
        self.home = Some(path);
    }

    /// Marks rows as "Compare folders" found them; `None` when it is off.
    pub fn set_compare_marks(
        &mut self,
        marks: Option<std::collections::HashMap<String, crate::transfer::folder_compare::CompareMark>>,
    ) {
        self.comparing = marks.is_some();
        self.compare_marks = marks.unwrap_or_default();
    }

    /// The quick filter's text.
    pub fn filter(&self) -> &str {
        &self.filter
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
            let list = self.list_focus(ui);
            let menu_asked = self.keys_may_act(ui, active) && self.shortcuts(ui, &mut actions);
            let row_rects = self.table(ui, salt, &mut actions);
            self.keyboard_menu(ui, &list, menu_asked, &row_rects, &mut actions);
            self.status_line(ui);
            row_rects
        });
        // Sort, filter and hidden changes made this frame show in what the caller reads next.
        self.refresh_rows();
        self.drops(ui, pane.response.rect, &pane.inner, &mut actions);
        actions
    }
}
