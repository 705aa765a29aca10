//! The Help window: the keyboard shortcuts (the same list the README gives).

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
