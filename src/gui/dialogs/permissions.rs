//! The permissions dialog: owner/group/others boxes, the octal value, and "recursive".

use super::{Closed, escape_pressed, modal};
use crate::model::{Entry, EntryKind, escape_control};

/// The user's choice in the permissions dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PermissionsChoice {
    /// The new mode bits (0o7777 mask).
    pub mode: u32,
    /// Apply to everything inside the chosen folders too.
    pub recursive: bool,
}

/// Read/write/execute boxes for owner, group and others, the octal value, and "recursive".
pub struct PermissionsDialog {
    entries: Vec<Entry>,
    mode: u32,
    /// The octal field as typed; `mode` follows it while it is valid.
    octal: String,
    /// Why the octal field cannot be used, while it cannot.
    octal_error: Option<&'static str>,
    recursive: bool,
}

/// The rows of the grid and the shift of their three bits.
pub(super) const PERMISSION_CLASSES: [(&str, u32); 3] = [("Owner", 6), ("Group", 3), ("Others", 0)];
/// The columns of the grid and their bit within a class.
pub(super) const PERMISSION_KINDS: [(&str, u32); 3] = [("Read", 0o4), ("Write", 0o2), ("Execute", 0o1)];

/// The octal form of `mode`: three digits, four when setuid, setgid or sticky are set.
pub fn format_mode(mode: u32) -> String {
    if mode & 0o7000 != 0 { format!("{:04o}", mode & 0o7777) } else { format!("{:03o}", mode & 0o777) }
}

/// Reads one to four octal digits ("644", "0755"); `None` for anything else.
pub fn parse_mode(text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() || text.len() > 4 || !text.chars().all(|c| ('0'..='7').contains(&c)) {
        return None;
    }
    u32::from_str_radix(text, 8).ok()
}

impl PermissionsDialog {
    /// A dialog for `entries`, starting from the first one's mode.
    pub fn new(entries: Vec<Entry>) -> Self {
        let mode = entries
            .first()
            .map(|entry| match (entry.permissions, entry.kind) {
                (Some(mode), _) => mode & 0o7777,
                // Unknown: start from what a new file or folder usually gets.
                (None, EntryKind::Dir) => 0o755,
                (None, _) => 0o644,
            })
            .unwrap_or(0o644);
        PermissionsDialog { entries, mode, octal: format_mode(mode), octal_error: None, recursive: false }
    }

    /// The entries it applies to.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The mode as the dialog shows it now.
    pub fn mode(&self) -> u32 {
        self.mode
    }

    /// Draws it; the choice on OK, `Cancelled` on Cancel, `None` while it stays open.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Closed<PermissionsChoice>> {
        let has_folder = self.entries.iter().any(|entry| entry.kind == EntryKind::Dir);
        let subject = match self.entries.as_slice() {
            [one] => format!("\"{}\"", escape_control(&one.name)),
            many => format!("{} items", many.len()),
        };
        modal(ctx, "permissions", Some("Permissions"), |ui| {
            ui.label(format!("Who may read, change and run {subject}."));
            ui.add_space(4.0);
            self.bits_ui(ui);
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                let label = ui.label("Octal");
                let field =
                    ui.add(egui::TextEdit::singleline(&mut self.octal).desired_width(60.0)).labelled_by(label.id);
                if field.changed() {
                    match parse_mode(&self.octal) {
                        Some(mode) => {
                            self.mode = mode;
                            self.octal_error = None;
                        }
                        None => self.octal_error = Some("Enter three or four octal digits (0 to 7), like 644"),
                    }
                }
            });
            if let Some(error) = self.octal_error {
                ui.colored_label(ui.visuals().error_fg_color, error);
            }
            if has_folder {
                ui.checkbox(&mut self.recursive, "Apply to everything inside");
            }
            ui.add_space(6.0);
            let mut decision = None;
            ui.horizontal(|ui| {
                if ui.add_enabled(self.octal_error.is_none(), egui::Button::new("OK")).clicked() {
                    decision = Some(Closed::Confirmed(PermissionsChoice {
                        mode: self.mode,
                        recursive: has_folder && self.recursive,
                    }));
                }
                let cancel = ui.button("Cancel");
                crate::gui::a11y::safe_button(&cancel);
                if cancel.clicked() {
                    decision = Some(Closed::Cancelled);
                }
            });
            if decision.is_none() && escape_pressed(ui.ctx()) {
                decision = Some(Closed::Cancelled);
            }
            decision
        })
    }

    /// The 3x3 grid of boxes; a click changes the mode and rewrites the octal field.
    fn bits_ui(&mut self, ui: &mut egui::Ui) {
        egui::Grid::new("permission_bits").num_columns(4).spacing([16.0, 4.0]).show(ui, |ui| {
            ui.label("");
            for (kind, _) in PERMISSION_KINDS {
                ui.strong(kind);
            }
            ui.end_row();
            for (class, shift) in PERMISSION_CLASSES {
                ui.label(class);
                for (kind, bit) in PERMISSION_KINDS {
                    let bit = bit << shift;
                    let mut set = self.mode & bit != 0;
                    let name = format!("{class} {}", kind.to_lowercase());
                    if ui.checkbox(&mut set, "").accessible_name(name).changed() {
                        self.mode = if set { self.mode | bit } else { self.mode & !bit };
                        self.octal = format_mode(self.mode);
                        self.octal_error = None;
                    }
                }
                ui.end_row();
            }
        });
    }
}
