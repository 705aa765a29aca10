//! What a screen reader sees of the window: the roles, names and states egui's own AccessKit tree
//! leaves out (file tables, menu items, dialogs), announcements, and dialog focus.
//!
//! Widgets record what they are while they are drawn (`record_table`, `dialog_shown`,
//! `announce`); the `Accessibility` plugin then reshapes the finished AccessKit tree of each
//! frame, so the drawing code stays as it is.

mod announce;
mod dialog_focus;
mod rewrite;
mod table;

pub use announce::announce;
pub use dialog_focus::{dialog_shown, menu_bar_buttons, safe_button, window_is_dialog};
pub use table::{HeaderCell, RowRecord, TableRecord, clicked_row, record_table, resize_handles};

/// The egui plugin that finishes the accessibility tree of every frame.
struct Accessibility;

impl egui::Plugin for Accessibility {
    fn debug_name(&self) -> &'static str {
        "ferry_accessibility"
    }

    fn on_end_pass(&mut self, ui: &mut egui::Ui) {
        dialog_focus::end_pass(ui.ctx());
        announce::publish(ui.ctx());
    }

    fn output_hook(&mut self, ctx: &egui::Context, output: &mut egui::FullOutput) {
        let tables = table::take_records(ctx);
        if let Some(update) = output.platform_output.accesskit_update.as_mut() {
            rewrite::finish_tree(update, &tables);
        }
    }
}

/// Adds the plugin to `ctx` (once; later calls do nothing).
pub fn install(ctx: &egui::Context) {
    ctx.add_plugin(Accessibility);
}

/// Names the window itself ("Ferry", plus the site shown), as a screen reader reads the frame.
pub fn name_window(ctx: &egui::Context, name: &str) {
    ctx.accesskit_node_builder(egui::accesskit_root_id(), |node| node.set_label(name.to_string()));
}

/// Whether AccessKit is building a tree this frame (a screen reader or a test is listening), so
/// that work done only for it can be skipped otherwise.
pub fn enabled(ctx: &egui::Context) -> bool {
    ctx.accesskit_node_builder(egui::accesskit_root_id(), |_| ()).is_some()
}
