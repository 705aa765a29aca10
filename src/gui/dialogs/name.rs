//! Asks for a name: a new folder's, or a new name for a rename, refusing names no file can have.

use super::{Closed, escape_pressed, modal, submitted};

/// Asks for a name: a new folder's, or a new name for a rename.
pub struct NameDialog {
    title: String,
    name: String,
    /// Why the name was refused, once the user tried it.
    problem: Option<&'static str>,
    /// The field takes the focus, with the name's stem selected, on the first frame.
    focus_pending: bool,
}

/// Why `name` cannot name a file or folder, if it cannot.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.trim().is_empty() {
        Some("Enter a name.")
    } else if name.contains('/') {
        Some("A name cannot contain \"/\".")
    } else if name.contains('\0') {
        Some("A name cannot contain a NUL character.")
    } else if name == "." || name == ".." {
        Some("\".\" and \"..\" are not names of their own.")
    } else {
        None
    }
}

impl NameDialog {
    /// A dialog titled `title` (for example "New folder"), starting with `name`.
    pub fn new(title: impl Into<String>, name: impl Into<String>) -> Self {
        NameDialog { title: title.into(), name: name.into(), problem: None, focus_pending: true }
    }

    /// Draws it; the name on OK, `Cancelled` on Cancel, `None` while it stays open.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Closed<String>> {
        modal(ctx, "name", None, |ui| {
            // The title is the field's label, so a screen reader names the field by it.
            let label = ui.heading(&self.title);
            super::name_dialog(ui, label.id);
            ui.add_space(6.0);
            let output = egui::TextEdit::singleline(&mut self.name).desired_width(f32::INFINITY).show(ui);
            let field = output.response.response.labelled_by(label.id);
            if std::mem::take(&mut self.focus_pending) {
                // As Finder does on a rename: the part before the extension is selected, ready to retype.
                let stem = match self.name.rfind('.') {
                    Some(dot) if dot > 0 => self.name[..dot].chars().count(),
                    _ => self.name.chars().count(),
                };
                let mut state = output.state;
                state.cursor.set_char_range(Some(egui::text::CCursorRange::two(
                    egui::text::CCursor::new(0),
                    egui::text::CCursor::new(stem),
                )));
                state.store(ui.ctx(), field.id);
                field.request_focus();
            }
            if field.changed() && self.problem.is_some() {
                self.problem = name_problem(&self.name);
            }
            let mut send = submitted(ui, &field);
            if let Some(problem) = self.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
            ui.add_space(6.0);
            let mut cancel = false;
            ui.horizontal(|ui| {
                send |= ui.button("OK").clicked();
                cancel = ui.button("Cancel").clicked();
            });
            if cancel || (!send && escape_pressed(ui.ctx())) {
                return Some(Closed::Cancelled);
            }
            if !send {
                return None;
            }
            self.problem = name_problem(&self.name);
            match self.problem {
                Some(_) => {
                    field.request_focus();
                    None
                }
                None => Some(Closed::Confirmed(self.name.clone())),
            }
        })
    }
}
