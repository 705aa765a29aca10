//! The Help menu: the keyboard shortcuts window (drawn from the same table the keys are handled
//! by) and opening the log folder.

use super::FerryApp;
use crate::gui::a11y;
use crate::gui::keys::{Place, SHORTCUTS};

/// Draws the Help window while `open`: a dialog to a screen reader that opens on its Close button;
/// Close or Escape closes it, and focus goes back where it was.
pub(super) fn show(ctx: &egui::Context, open: &mut bool) {
    if !*open {
        return;
    }
    let window = egui::Id::unique("ferry_help_shortcuts");
    a11y::dialog_shown(ctx, window);
    let mut close = false;
    egui::Window::new("Keyboard shortcuts").id(window).open(open).collapsible(false).resizable(false).show(ctx, |ui| {
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
        ui.separator();
        let button = ui.button("Close");
        a11y::safe_button(&button);
        let has_keyboard = button.has_focus();
        ui.ctx().data_mut(|data| data.insert_temp(keyboard_key(), has_keyboard));
        close = button.clicked();
    });
    a11y::window_is_dialog(ctx, window);
    if close {
        *open = false;
    }
}

/// Where Help notes whether the keyboard was on it last frame (on its Close button, all it can
/// focus): egui lets go of the focus on Escape before the frame is drawn.
fn keyboard_key() -> egui::Id {
    egui::Id::unique("ferry_help_has_keyboard")
}

/// Escape closes Help while the keyboard is on it. Called before anything else takes Escape this
/// frame (a pane clears its selection with it).
pub(super) fn escape_closes(ctx: &egui::Context, open: &mut bool) {
    let on_help = ctx.data(|data| data.get_temp::<bool>(keyboard_key())).unwrap_or(false);
    if *open && on_help && ctx.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
        *open = false;
    }
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
