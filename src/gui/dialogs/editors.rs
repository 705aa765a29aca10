//! View > Editors...: the external editor Edit (F4) opens a remote file with, for every file and
//! by extension. Empty means the desktop's default application. Each command is checked the way it
//! will be run: split into words like a shell would, but never given to a shell.

use super::{Closed, escape_pressed, modal};
use crate::transfer::edit::{EditorChoice, editor_argv};

/// The editors being chosen, until OK or Cancel.
pub struct EditorsDialog {
    global: String,
    by_extension: Vec<(String, String)>,
    /// The diff tool a conflict's "Compare" opens (empty: none).
    diff_tool: String,
    problem: Option<String>,
}

/// Why `choice` cannot be used, if it cannot: a command that does not split into words.
fn editors_problem(choice: &EditorChoice) -> Option<String> {
    let commands = choice
        .global
        .iter()
        .chain(choice.by_extension.iter().map(|(_, command)| command))
        .chain(choice.diff_tool.iter());
    for command in commands.filter(|command| !command.trim().is_empty()) {
        if editor_argv(command, std::path::Path::new("file")).is_err() {
            return Some(format!("{command:?} does not split into words: is a quote left open?"));
        }
    }
    None
}

impl EditorsDialog {
    /// A dialog starting from the editors chosen so far.
    pub fn new(choice: &EditorChoice) -> Self {
        EditorsDialog {
            global: choice.global.clone().unwrap_or_default(),
            by_extension: choice.by_extension.clone(),
            diff_tool: choice.diff_tool.clone().unwrap_or_default(),
            problem: None,
        }
    }

    fn choice(&self) -> EditorChoice {
        let global = Some(self.global.trim().to_string()).filter(|command| !command.is_empty());
        let by_extension = self
            .by_extension
            .iter()
            .map(|(extension, command)| {
                (extension.trim().trim_start_matches('.').to_lowercase(), command.trim().to_string())
            })
            .filter(|(extension, command)| !extension.is_empty() && !command.is_empty())
            .collect();
        let diff_tool = Some(self.diff_tool.trim().to_string()).filter(|command| !command.is_empty());
        EditorChoice { global, by_extension, diff_tool }
    }

    /// Draws it; the editors on OK, `Cancelled` on Cancel, `None` while it stays open.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Closed<EditorChoice>> {
        modal(ctx, "editors", Some("Editors"), |ui| {
            ui.label(
                "Edit (F4) opens a remote file with this command, the file added last; empty: the desktop's default.",
            );
            ui.add_space(4.0);
            let label = ui.label("Editor for every file");
            ui.add(egui::TextEdit::singleline(&mut self.global).hint_text("xdg-open").desired_width(360.0))
                .labelled_by(label.id);
            ui.add_space(6.0);
            let label = ui.label("Diff tool for Compare on a conflict (your copy, then theirs)");
            ui.add(egui::TextEdit::singleline(&mut self.diff_tool).hint_text("meld").desired_width(360.0))
                .labelled_by(label.id);
            ui.add_space(6.0);
            ui.label("By extension");
            let mut remove = None;
            for (index, (extension, command)) in self.by_extension.iter_mut().enumerate() {
                ui.horizontal(|ui| {
                    let label = ui.label("Extension");
                    ui.add(egui::TextEdit::singleline(extension).hint_text("md").desired_width(60.0))
                        .labelled_by(label.id);
                    let label = ui.label("Command");
                    ui.add(egui::TextEdit::singleline(command).hint_text("code --wait").desired_width(240.0))
                        .labelled_by(label.id);
                    if ui.button("Remove").clicked() {
                        remove = Some(index);
                    }
                });
            }
            if let Some(index) = remove {
                self.by_extension.remove(index);
            }
            if ui.button("Add an extension").clicked() {
                self.by_extension.push((String::new(), String::new()));
            }
            if let Some(problem) = &self.problem {
                ui.colored_label(ui.visuals().error_fg_color, problem);
            }
            ui.add_space(6.0);
            let (mut ok, mut cancel) = (false, false);
            ui.horizontal(|ui| {
                ok = ui.button("OK").clicked();
                let cancel_button = ui.button("Cancel");
                crate::gui::a11y::safe_button(&cancel_button);
                cancel = cancel_button.clicked();
            });
            if cancel || (!ok && escape_pressed(ui.ctx())) {
                return Some(Closed::Cancelled);
            }
            if !ok {
                return None;
            }
            let choice = self.choice();
            self.problem = editors_problem(&choice);
            match self.problem {
                Some(_) => None,
                None => Some(Closed::Confirmed(choice)),
            }
        })
    }
}
