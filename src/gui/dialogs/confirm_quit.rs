//! "Quit while a save is being uploaded?": asked when the window closes with an edited file's
//! save on its way to the server or waiting for an answer about a conflict.

use super::{escape_pressed, modal};

/// Draws it; `Some(true)` to quit anyway, `Some(false)` to stay.
pub fn confirm_quit_ui(ctx: &egui::Context, pending: usize) -> Option<bool> {
    modal(ctx, "confirm_quit", Some("Quit while saves are pending?"), |ui| {
        let files = if pending == 1 {
            "1 edited file has a save".to_string()
        } else {
            format!("{pending} edited files have saves")
        };
        ui.label(format!(
            "{files} not yet on the server: being uploaded, or waiting for your answer about a change made on \
             the server. Quitting now may leave the server without them."
        ));
        ui.add_space(6.0);
        let mut decision = None;
        ui.horizontal(|ui| {
            if ui.button("Quit anyway").clicked() {
                decision = Some(true);
            }
            let stay = ui.button("Cancel");
            crate::gui::a11y::safe_button(&stay);
            if stay.clicked() || escape_pressed(ui.ctx()) {
                decision = Some(false);
            }
        });
        decision
    })
}
