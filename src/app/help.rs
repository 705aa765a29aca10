//! The Help menu: the keyboard shortcuts window (drawn from the same table the keys are handled
//! by) and opening the log folder.

use super::FerryApp;
use crate::gui::a11y;
use crate::gui::keys::{Place, SHORTCUTS};

/// The shortcuts window's width: room for the longest line, narrower on a small screen.
const WIDTH: f32 = 560.0;
/// The keys' column; the words beside them wrap in the rest.
const KEYS_WIDTH: f32 = 170.0;

/// Escape closes the window, as it closes a dialog; called before the panes, which would take
/// the key to clear their selection. A dialog or menu open above it takes the key first.
pub(super) fn close_on_escape(ctx: &egui::Context, open: &mut bool) {
    let nothing_above =
        ctx.memory(|memory| memory.top_modal_layer().is_none()) && !crate::gui::keys::popup_open_this_frame(ctx);
    if *open && nothing_above && ctx.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Escape)) {
        *open = false;
    }
}

/// Draws the Help window while `open`: a dialog to a screen reader that opens on its Close button;
/// Close or Escape closes it, and focus goes back where it was.
pub(super) fn show(ctx: &egui::Context, open: &mut bool) {
    if !*open {
        return;
    }
    let window = egui::Id::unique("ferry_help_shortcuts");
    a11y::dialog_shown(ctx, window);
    let mut close = false;
    let screen = ctx.content_rect();
    // Kept inside the screen, so nothing is cut off at its right edge: the words wrap instead.
    let width = WIDTH.min(screen.width() - 48.0).max(KEYS_WIDTH + 120.0);
    egui::Window::new("Keyboard shortcuts").id(window).open(open).collapsible(false).resizable(false).show(ctx, |ui| {
        ui.set_width(width);
        egui::ScrollArea::vertical().max_height(screen.height() * 0.7).show(ui, |ui| {
            for place in [Place::Window, Place::Pane, Place::Queue] {
                ui.heading(place.title());
                for shortcut in SHORTCUTS.iter().filter(|shortcut| shortcut.place == place) {
                    shortcut_row(ui, shortcut.keys, shortcut.what);
                }
                ui.add_space(6.0);
            }
        });
        ui.separator();
        let button = ui.button("Close");
        a11y::safe_button(&button);
        close = button.clicked();
    });
    a11y::window_is_dialog(ctx, window);
    if close {
        *open = false;
    }
}

/// One shortcut: its keys in a column of their own, what they do beside them, wrapped.
fn shortcut_row(ui: &mut egui::Ui, keys: &str, what: &str) {
    ui.horizontal_top(|ui| {
        let keys_size = egui::vec2(KEYS_WIDTH, ui.spacing().interact_size.y);
        ui.allocate_ui_with_layout(keys_size, egui::Layout::left_to_right(egui::Align::Min), |ui| {
            ui.set_min_width(KEYS_WIDTH);
            ui.add(egui::Label::new(egui::RichText::new(keys).strong()).wrap());
        });
        ui.vertical(|ui| {
            ui.add(egui::Label::new(what).wrap());
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
