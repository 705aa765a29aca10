//! "Delete N items?", listing the first names.

use super::{escape_pressed, modal};
use crate::model::{Entry, EntryKind, escape_control};

/// "Delete N items?"
pub struct ConfirmDelete {
    entries: Vec<Entry>,
}

/// How many names the delete dialog lists before "and N more".
pub(super) const NAMES_LISTED: usize = 5;

impl ConfirmDelete {
    /// Asks about deleting `entries` (folders with everything in them).
    pub fn new(entries: Vec<Entry>) -> Self {
        ConfirmDelete { entries }
    }

    /// The entries to delete.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The question: "Delete 3 items?".
    pub fn question(&self) -> String {
        let count = self.entries.len();
        format!("Delete {count} {}?", if count == 1 { "item" } else { "items" })
    }

    /// Draws it; `Some(true)` to delete, `Some(false)` to keep.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<bool> {
        modal(ctx, "confirm_delete", Some(&self.question()), |ui| {
            for entry in self.entries.iter().take(NAMES_LISTED) {
                let name = escape_control(&entry.name);
                ui.label(if entry.kind == EntryKind::Dir { format!("{name}/") } else { name });
            }
            if self.entries.len() > NAMES_LISTED {
                ui.label(format!("and {} more", self.entries.len() - NAMES_LISTED));
            }
            let folders = self.entries.iter().filter(|entry| entry.kind == EntryKind::Dir).count();
            if folders > 0 {
                ui.add_space(4.0);
                ui.label(format!(
                    "including everything inside {folders} {}",
                    if folders == 1 { "folder" } else { "folders" }
                ));
            }
            ui.add_space(4.0);
            ui.strong("This cannot be undone.");
            ui.add_space(6.0);
            let mut decision = None;
            ui.horizontal(|ui| {
                if ui.button("Delete").clicked() {
                    decision = Some(true);
                }
                let cancel = ui.button("Cancel");
                crate::gui::a11y::safe_button(&cancel);
                if cancel.clicked() {
                    decision = Some(false);
                }
            });
            if decision.is_none() && escape_pressed(ui.ctx()) {
                decision = Some(false);
            }
            decision
        })
    }
}
