//! The Help menu: the keyboard shortcuts window (drawn from the same table the keys are handled
//! by) and opening the log folder.

use super::FerryApp;
use crate::gui::keys::{Place, SHORTCUTS};

/// Draws the Help window while `open`.
pub(super) fn show(ctx: &egui::Context, open: &mut bool) {
    egui::Window::new("Keyboard shortcuts").open(open).collapsible(false).resizable(false).show(ctx, |ui| {
        egui::ScrollArea::vertical().max_height(ctx.content_rect().height() * 0.7).show(ui, |ui| {
            for place in [Place::Window, Place::Pane, Place::Queue] {
                ui.heading(place.title());
                egui::Grid::new(("shortcuts", place.title())).striped(true).show(ui, |ui| {
                    for shortcut in SHORTCUTS.iter().filter(|shortcut| shortcut.place == place) {
                        ui.strong(shortcut.keys);
                        ui.label(shortcut.what);
                        ui.end_row();
                    }
                });
                ui.add_space(6.0);
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
