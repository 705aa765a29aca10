//! The edit list: every remote file open in an external editor, with its state (watching,
//! uploading, conflict, failed), what last happened, and a Close button that ends the edit
//! (a last save is uploaded first, then the private copy is removed).

use crate::model::{EditId, escape_control};
use crate::transfer::edit::EditState;
use crate::worker::{Command, EditCommand, EditEvent};

/// One open edit as the list shows it.
struct EditRow {
    edit: EditId,
    remote: String,
    state: EditState,
    note: Option<String>,
}

/// The open edits, fed by the worker's edit events.
#[derive(Default)]
pub struct EditList {
    rows: Vec<EditRow>,
}

impl EditList {
    /// Takes in one edit event.
    pub fn apply(&mut self, event: &EditEvent) {
        match event {
            EditEvent::Opened { edit, remote, .. } => {
                self.rows.push(EditRow { edit: *edit, remote: remote.clone(), state: EditState::Watching, note: None });
            }
            EditEvent::Changed { edit, remote, state, note } => {
                if let Some(row) = self.rows.iter_mut().find(|row| row.edit == *edit) {
                    row.remote = remote.clone();
                    row.state = *state;
                    if note.is_some() {
                        row.note = note.clone();
                    }
                }
            }
            EditEvent::Closed { edit, .. } => self.rows.retain(|row| row.edit != *edit),
        }
    }

    /// How many edits are open.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no edit is open.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// How many edits have a save on its way or waiting for an answer: closing Ferry now would
    /// lose them.
    pub fn unsaved(&self) -> usize {
        self.rows.iter().filter(|row| matches!(row.state, EditState::Uploading | EditState::Conflict)).count()
    }

    /// The commands that close every open edit.
    pub fn close_all(&self) -> Vec<Command> {
        self.rows.iter().map(|row| Command::Edit(EditCommand::Close { edit: row.edit })).collect()
    }

    /// Draws the list; returns the Close commands clicked.
    pub fn show(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let mut commands = Vec::new();
        if self.rows.is_empty() {
            ui.weak("No file is open in an editor. Choose Edit (F4) on a remote file to open one.");
            return commands;
        }
        egui::Grid::new("edit_list").num_columns(4).striped(true).spacing([16.0, 4.0]).show(ui, |ui| {
            ui.strong("File");
            ui.strong("State");
            ui.strong("Last");
            ui.label("");
            ui.end_row();
            for row in &self.rows {
                ui.label(escape_control(&row.remote));
                ui.label(row.state.label());
                ui.label(row.note.as_deref().map(escape_control).unwrap_or_default());
                let close = ui
                    .button("Close")
                    .on_hover_text("Stop uploading saves (a last save is uploaded first) and remove the private copy");
                if close.clicked() {
                    commands.push(Command::Edit(EditCommand::Close { edit: row.edit }));
                }
                ui.end_row();
            }
        });
        commands
    }
}
