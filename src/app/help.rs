//! The Help menu: the keyboard shortcuts window (the same list the README gives) and opening
//! the log folder.

use super::FerryApp;

/// Every keyboard shortcut: keys, and what they do.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Enter or double-click", "Open the selected folder"),
    ("Backspace", "Go up to the parent folder"),
    ("F5", "Refresh the folder"),
    ("Ctrl+L", "Edit the path"),
    ("F2", "Rename the selected item"),
    ("Delete", "Delete the selection (asks first)"),
    ("Ctrl+A", "Select everything shown"),
    ("Ctrl+click, Shift+click", "Add to the selection, select a range"),
    ("Escape", "Clear the selection, close a dialog"),
    ("Ctrl+Plus, Ctrl+Minus, Ctrl+0", "Zoom in, zoom out, reset zoom"),
];

/// Draws the Help window while `open`.
pub(super) fn show(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts").open(open).collapsible(false).resizable(false).show(ctx, |ui| {
        egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
            for (keys, action) in SHORTCUTS {
                ui.strong(*keys);
                ui.label(*action);
                ui.end_row();
            }
        });
    });
}

impl FerryApp {
    /// Opens the folder the log files are in, in the desktop's file manager (without waiting).
    pub(super) fn open_log_folder(&mut self) {
        let folder = crate::logging::log_dir()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| crate::desktop::log_dir(Some(&self.config_dir)));
        match crate::desktop::open_folder(&folder) {
            Ok(()) => self.status = format!("Opened {}", folder.display()),
            Err(error) => self.status = format!("Could not open the log folder {}: {error}", folder.display()),
        }
    }
}
