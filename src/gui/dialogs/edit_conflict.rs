//! An edited file was saved, but the file on the server changed since it was opened: both
//! versions' size and date, and the choices (compare, overwrite, save as a new name, reload
//! theirs, keep the server's version without uploading).

use super::modal;
use super::target_exists::{describe_date, describe_size};
use crate::model::escape_control;
use crate::transfer::edit::ConflictChoice;
use crate::transfer::policy::FileFacts;
use crate::worker::Answer;

/// The choices, with what each does; the last one changes nothing on the server.
const CHOICES: [(&str, ConflictChoice, &str); 5] = [
    (
        "Compare",
        ConflictChoice::Compare,
        "Download theirs beside your copy and open both in the diff tool (View > Editors...), or theirs in the \
         editor; then choose",
    ),
    ("Overwrite", ConflictChoice::Overwrite, "Replace the server's version with yours"),
    ("Save as new name", ConflictChoice::SaveAsNew, "Upload yours beside it as \"name (edited <date>).ext\""),
    ("Reload theirs", ConflictChoice::ReloadTheirs, "Throw your save away and load the server's version"),
    ("Keep theirs", ConflictChoice::Refuse, "Upload nothing; your copy stays open and the next save asks again"),
];

pub(super) fn edit_conflict_ui(
    ctx: &egui::Context,
    remote: &str,
    opened: &FileFacts,
    now: &FileFacts,
) -> Option<Answer> {
    modal(ctx, "edit_conflict", Some("Changed on the server"), |ui| {
        ui.label(format!("\"{}\" was changed on the server since you opened it.", escape_control(remote)));
        ui.add_space(4.0);
        egui::Grid::new("edit_conflict_facts").num_columns(3).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("");
            ui.strong("Size");
            ui.strong("Modified");
            ui.end_row();
            for (label, facts) in [("When opened", opened), ("On the server now", now)] {
                ui.label(label);
                ui.label(describe_size(facts.size));
                ui.label(describe_date(facts.modified));
                ui.end_row();
            }
        });
        ui.add_space(6.0);
        let mut choice = None;
        ui.horizontal_wrapped(|ui| {
            for (label, conflict_choice, explanation) in CHOICES {
                let button = ui.button(label).on_hover_text(explanation);
                if conflict_choice == ConflictChoice::Refuse {
                    crate::gui::a11y::safe_button(&button);
                }
                if button.clicked() {
                    choice = Some(conflict_choice);
                }
            }
        });
        choice.map(Answer::Conflict)
    })
}
