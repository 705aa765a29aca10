//! Modal dialogs: the worker's questions (host key, certificate, password, target exists), and
//! the window's own (confirm delete, permissions, a name for a new folder or a rename, errors).
//! Each `show` returns `None` while the dialog stays open.

use secrecy::SecretString;
use secrecy::zeroize::Zeroize;

use crate::error::{ErrorKind, FerryError};
use crate::model::{Entry, EntryKind, PromptId, escape_control};
use crate::transfer::policy::{FileFacts, OnExists};
use crate::transfer::progress::format_bytes;
use crate::trust::TrustDecision;
use crate::trust::known_hosts::HostKey;
use crate::trust::tls::{RejectedCertificate, display_fingerprint};
use crate::worker::{Answer, Command, Question};

/// The width of every dialog: wide enough for a SHA-256 fingerprint in one line.
const DIALOG_WIDTH: f32 = 460.0;

/// Shows a centred modal with `title` as its heading (none when empty); returns what `content` returns.
fn modal<R>(ctx: &egui::Context, id: &str, title: &str, content: impl FnOnce(&mut egui::Ui) -> R) -> R {
    egui::Modal::new(egui::Id::unique(("ferry_dialog", id)))
        .show(ctx, |ui| {
            ui.set_width(DIALOG_WIDTH);
            if !title.is_empty() {
                ui.heading(title);
                ui.add_space(6.0);
            }
            content(ui)
        })
        .inner
}

/// Whether Escape was pressed this frame (and takes it, so nothing else reacts to it too).
fn escape_pressed(ctx: &egui::Context) -> bool {
    ctx.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
}

/// Whether `field` was left with Enter this frame.
fn submitted(ui: &egui::Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter))
}

/// A label that the user can select and copy, in monospace: fingerprints, replies, paths.
fn code(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).selectable(true).wrap())
}

/// `host:port`, with brackets around an IPv6 address, control characters escaped.
fn host_port(host: &str, port: u16) -> String {
    let host = escape_control(host);
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}

/// A question from the worker, waiting for the user's answer.
pub struct PromptDialog {
    prompt: PromptId,
    question: Question,
    /// What the user typed for a password or passphrase; wiped as soon as it is sent.
    secret: String,
    apply_to_all: bool,
    /// The text field takes the keyboard focus on the first frame.
    focus_pending: bool,
}

impl PromptDialog {
    /// A dialog for `question`.
    pub fn new(prompt: PromptId, question: Question) -> Self {
        PromptDialog { prompt, question, secret: String::new(), apply_to_all: false, focus_pending: true }
    }

    /// The prompt this dialog answers.
    pub fn prompt(&self) -> PromptId {
        self.prompt
    }

    /// The question asked.
    pub fn question(&self) -> &Question {
        &self.question
    }

    /// The answer that declines, for when the window must drop the dialog unanswered (it is
    /// closing, or the connection went away): reject the key, no password, skip the file.
    pub fn decline(&mut self, ctx: &egui::Context) -> Command {
        self.forget_secret(ctx);
        Command::Answer { prompt: self.prompt, answer: decline(&self.question) }
    }

    /// The id of the password or passphrase field. Its undo history in egui's memory holds what
    /// was typed, so it is removed as soon as the dialog is answered.
    pub fn secret_field_id() -> egui::Id {
        egui::Id::unique("ferry_secret_field")
    }

    /// Wipes what was typed, here and in the field's undo history.
    fn forget_secret(&mut self, ctx: &egui::Context) {
        self.secret.zeroize();
        ctx.data_mut(|data| data.remove::<egui::text_edit::TextEditState>(Self::secret_field_id()));
    }

    /// Draws it; once the user decides, returns the `Command::Answer` to send.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Command> {
        let PromptDialog { prompt: _, question, secret, apply_to_all, focus_pending } = self;
        let answer = match question {
            Question::UnknownHostKey { host, port, key } => host_key_ui(ctx, host, *port, key),
            Question::UntrustedCertificate { host, port, certificate } => certificate_ui(ctx, host, *port, certificate),
            Question::Password { url } => {
                let intro = format!("The server asks for the password of {}.", escape_control(url));
                secret_ui(ctx, "password", "Password required", &intro, "Password", secret, focus_pending)
            }
            Question::KeyPassphrase { key_file } => {
                let intro = format!(
                    "The private key {} is protected by a passphrase.",
                    escape_control(&key_file.display().to_string())
                );
                secret_ui(ctx, "passphrase", "Key passphrase required", &intro, "Passphrase", secret, focus_pending)
            }
            Question::TargetExists { name, source, target, .. } => {
                target_exists_ui(ctx, name, source, target, apply_to_all)
            }
        }?;
        // Whatever was typed is no longer needed once the answer holds it (or it was cancelled).
        self.forget_secret(ctx);
        Some(Command::Answer { prompt: self.prompt, answer })
    }
}

impl Drop for PromptDialog {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// The answer that says no to `question`.
fn decline(question: &Question) -> Answer {
    match question {
        Question::UnknownHostKey { .. } | Question::UntrustedCertificate { .. } => Answer::Trust(TrustDecision::Reject),
        Question::Password { .. } | Question::KeyPassphrase { .. } => Answer::Secret(None),
        Question::TargetExists { .. } => Answer::Exists { choice: OnExists::Skip, apply_to_all: false },
    }
}

/// The three trust buttons; Escape is Cancel.
fn trust_buttons(ui: &mut egui::Ui) -> Option<Answer> {
    let mut decision = None;
    ui.horizontal(|ui| {
        if ui.button("Accept once").on_hover_text("Trust it until Ferry quits").clicked() {
            decision = Some(TrustDecision::AcceptOnce);
        }
        if ui.button("Accept and remember").on_hover_text("Trust it from now on").clicked() {
            decision = Some(TrustDecision::AcceptAndRemember);
        }
        if ui.button("Cancel").on_hover_text("Do not connect").clicked() {
            decision = Some(TrustDecision::Reject);
        }
    });
    if decision.is_none() && escape_pressed(ui.ctx()) {
        decision = Some(TrustDecision::Reject);
    }
    decision.map(Answer::Trust)
}

fn host_key_ui(ctx: &egui::Context, host: &str, port: u16, key: &HostKey) -> Option<Answer> {
    modal(ctx, "host_key", "Unknown host key", |ui| {
        ui.label(format!("Ferry has no record of the key of the server {}.", host_port(host, port)));
        ui.add_space(4.0);
        egui::Grid::new("host_key_facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("Key type");
            code(ui, &escape_control(&key.key_type));
            ui.end_row();
            ui.label("Fingerprint");
            code(ui, &escape_control(&key.fingerprint));
            ui.end_row();
        });
        ui.add_space(4.0);
        ui.label(
            "No password has been sent yet. If this is the first connection to this server, compare the \
             fingerprint with the one its administrator gives you before accepting.",
        );
        ui.add_space(6.0);
        trust_buttons(ui)
    })
}

fn certificate_ui(ctx: &egui::Context, host: &str, port: u16, certificate: &RejectedCertificate) -> Option<Answer> {
    modal(ctx, "certificate", "Untrusted certificate", |ui| {
        ui.label(format!("The TLS certificate of the server {} is not trusted.", host_port(host, port)));
        ui.add_space(4.0);
        egui::Grid::new("certificate_facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("Reason");
            code(ui, &escape_control(&certificate.reason));
            ui.end_row();
            ui.label("SHA-256 fingerprint");
            code(ui, &display_fingerprint(&certificate.sha256_hex));
            ui.end_row();
        });
        ui.add_space(4.0);
        ui.label(
            "No password has been sent yet. A self-signed certificate is common on small servers; compare \
             the fingerprint with the one its administrator gives you before accepting.",
        );
        ui.add_space(6.0);
        trust_buttons(ui)
    })
}

/// A masked field for a password or passphrase; Enter or OK sends it, Cancel or Escape declines.
fn secret_ui(
    ctx: &egui::Context,
    id: &str,
    title: &str,
    intro: &str,
    field_label: &str,
    secret: &mut String,
    focus_pending: &mut bool,
) -> Option<Answer> {
    modal(ctx, id, title, |ui| {
        ui.label(intro);
        ui.add_space(4.0);
        let mut send = false;
        ui.horizontal(|ui| {
            let label = ui.label(field_label);
            let field = ui
                .add(
                    egui::TextEdit::singleline(secret)
                        .id(PromptDialog::secret_field_id())
                        .password(true)
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
            if std::mem::take(focus_pending) {
                field.request_focus();
            }
            send = submitted(ui, &field);
        });
        ui.add_space(6.0);
        let mut cancel = false;
        ui.horizontal(|ui| {
            send |= ui.button("OK").clicked();
            cancel = ui.button("Cancel").clicked();
        });
        if send {
            Some(Answer::Secret(Some(SecretString::from(secret.as_str()))))
        } else if cancel || escape_pressed(ui.ctx()) {
            Some(Answer::Secret(None))
        } else {
            None
        }
    })
}

/// Size and date of one side, in words: "12.0 MiB (12582912 bytes)", "2024-05-01 14:03:09".
fn describe_size(size: Option<u64>) -> String {
    match size {
        Some(bytes) if bytes >= 1000 => format!("{} ({bytes} bytes)", format_bytes(bytes)),
        Some(bytes) => format_bytes(bytes),
        None => "unknown".into(),
    }
}

fn describe_date(modified: Option<chrono::DateTime<chrono::Utc>>) -> String {
    modified
        .map(|time| time.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The choices for an existing target, with what each does.
const EXISTS_CHOICES: [(&str, OnExists, &str); 5] = [
    ("Overwrite", OnExists::Overwrite, "Replace the existing file"),
    ("Resume", OnExists::Resume, "Continue the existing file from where it ends (an interrupted transfer)"),
    ("Rename", OnExists::Rename, "Keep both: transfer under a free name such as \"name (1).ext\""),
    ("Skip", OnExists::Skip, "Leave the existing file alone and do not transfer this one"),
    ("Overwrite if newer", OnExists::OverwriteIfNewer, "Replace the existing file only if this one was modified later"),
];

fn target_exists_ui(
    ctx: &egui::Context,
    name: &str,
    source: &FileFacts,
    target: &FileFacts,
    apply_to_all: &mut bool,
) -> Option<Answer> {
    modal(ctx, "target_exists", "File exists", |ui| {
        ui.label(format!("\"{}\" already exists.", escape_control(name)));
        ui.add_space(4.0);
        let newer = match (source.modified, target.modified) {
            (Some(source), Some(target)) if source > target => Some("new"),
            (Some(source), Some(target)) if target > source => Some("existing"),
            _ => None,
        };
        egui::Grid::new("target_exists_facts").num_columns(3).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("");
            ui.strong("Size");
            ui.strong("Modified");
            ui.end_row();
            for (side, facts, label) in [("existing", target, "Existing file"), ("new", source, "New file")] {
                ui.label(label);
                ui.label(describe_size(facts.size));
                let date = describe_date(facts.modified);
                ui.label(if newer == Some(side) { format!("{date} (newer)") } else { date });
                ui.end_row();
            }
        });
        ui.add_space(6.0);
        ui.checkbox(apply_to_all, "Apply to all").on_hover_text("Do the same for every other file that exists");
        ui.add_space(4.0);
        // Resuming onto a target as big as the source or bigger would keep the target's bytes.
        let resumable = !matches!((source.size, target.size), (Some(source), Some(target)) if target >= source);
        let mut choice = None;
        ui.horizontal_wrapped(|ui| {
            for (label, on_exists, explanation) in EXISTS_CHOICES {
                let enabled = on_exists != OnExists::Resume || resumable;
                let button = ui
                    .add_enabled(enabled, egui::Button::new(label))
                    .on_hover_text(explanation)
                    .on_disabled_hover_text("The existing file is not smaller than the new one");
                if button.clicked() {
                    choice = Some(on_exists);
                }
            }
        });
        choice.map(|choice| Answer::Exists { choice, apply_to_all: *apply_to_all })
    })
}

/// "Delete N items?"
pub struct ConfirmDelete {
    entries: Vec<Entry>,
}

/// How many names the delete dialog lists before "and N more".
const NAMES_LISTED: usize = 5;

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
        modal(ctx, "confirm_delete", &self.question(), |ui| {
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
                if ui.button("Cancel").clicked() {
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
const PERMISSION_CLASSES: [(&str, u32); 3] = [("Owner", 6), ("Group", 3), ("Others", 0)];
/// The columns of the grid and their bit within a class.
const PERMISSION_KINDS: [(&str, u32); 3] = [("Read", 0o4), ("Write", 0o2), ("Execute", 0o1)];

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

    /// Draws it; `Some(Some(choice))` on OK, `Some(None)` on Cancel.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Option<PermissionsChoice>> {
        let has_folder = self.entries.iter().any(|entry| entry.kind == EntryKind::Dir);
        let subject = match self.entries.as_slice() {
            [one] => format!("\"{}\"", escape_control(&one.name)),
            many => format!("{} items", many.len()),
        };
        modal(ctx, "permissions", "Permissions", |ui| {
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
                    decision =
                        Some(Some(PermissionsChoice { mode: self.mode, recursive: has_folder && self.recursive }));
                }
                if ui.button("Cancel").clicked() {
                    decision = Some(None);
                }
            });
            if decision.is_none() && escape_pressed(ui.ctx()) {
                decision = Some(None);
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

    /// Draws it; `Some(Some(name))` on OK, `Some(None)` on Cancel.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Option<String>> {
        modal(ctx, "name", "", |ui| {
            // The title is the field's label, so a screen reader names the field by it.
            let label = ui.heading(&self.title);
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
                return Some(None);
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
                None => Some(Some(self.name.clone())),
            }
        })
    }
}

/// What the user chose in an error dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorChoice {
    /// Dismissed.
    Close,
    /// Open the lost connection again.
    Reconnect,
}

/// An error in plain words, with the server's reply; a lost connection offers Reconnect, a
/// changed host key is a red warning with no way to accept.
pub struct ErrorDialog {
    error: FerryError,
    offer_reconnect: bool,
}

/// The dialog title for an error of `kind`.
pub fn error_title(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::AuthFailed => "Login failed",
        ErrorKind::HostKeyUnknown => "Unknown host key",
        ErrorKind::HostKeyChanged => "Host key changed",
        ErrorKind::CertificateUntrusted => "Untrusted certificate",
        ErrorKind::NotFound => "Not found",
        ErrorKind::PermissionDenied => "Permission denied",
        ErrorKind::AlreadyExists => "Already exists",
        ErrorKind::ConnectionLost => "Connection lost",
        ErrorKind::HostNotFound => "Host not found",
        ErrorKind::ConnectionRefused => "Connection refused",
        ErrorKind::Timeout => "Timed out",
        ErrorKind::Unsupported => "Not supported",
        ErrorKind::Protocol => "Unexpected answer from the server",
        ErrorKind::Cancelled => "Cancelled",
        ErrorKind::LocalIo => "Local file error",
        ErrorKind::TooLarge => "Too much from the server",
        ErrorKind::FileChanged => "File changed during the transfer",
    }
}

/// What a user can do about an error of `kind`, where there is something to say.
fn error_advice(kind: ErrorKind) -> Option<&'static str> {
    match kind {
        ErrorKind::AuthFailed => Some("Check the user name, the password or the key, and try again."),
        ErrorKind::HostKeyUnknown | ErrorKind::CertificateUntrusted => {
            Some("The connection was not made because the server's identity was not accepted.")
        }
        ErrorKind::NotFound => Some("It may have been moved or deleted; refresh the listing."),
        ErrorKind::PermissionDenied => Some("Your account is not allowed to do this here."),
        ErrorKind::AlreadyExists => Some("Choose another name, or delete the existing one first."),
        ErrorKind::ConnectionLost => Some("Check the network and the server address."),
        ErrorKind::HostNotFound => Some("Check the spelling of the server's name, and that this computer is online."),
        ErrorKind::ConnectionRefused => Some("Check the port number, and that the server is running."),
        ErrorKind::Timeout => Some("The server may be busy or unreachable; try again later."),
        ErrorKind::Unsupported => Some("This server or protocol cannot do this."),
        ErrorKind::LocalIo => Some("Check the disk space and the local folder's permissions."),
        ErrorKind::TooLarge => {
            Some("Ferry stopped reading to protect this computer's memory; a smaller folder can be opened.")
        }
        ErrorKind::FileChanged => Some("Retry to fetch the file again, whole."),
        ErrorKind::HostKeyChanged | ErrorKind::Protocol | ErrorKind::Cancelled => None,
    }
}

/// The warning shown for a changed host key, in red, before the details.
pub const HOST_KEY_CHANGED_WARNING: &str = "WARNING: the server's host key is not one on record for it, or it \
     is revoked. Someone may be intercepting the connection (a man-in-the-middle attack), or the server's key was \
     replaced. Ferry did not connect and sent no password.";

/// How to get past a changed host key once the new key is known to be genuine.
const HOST_KEY_CHANGED_FIX: &str = "Ask the server's administrator whether its key really changed and what \
     its new fingerprint is. Only if it did, remove the old key from the known_hosts file at the line named \
     above, then connect again to check and accept the new key.";

impl ErrorDialog {
    /// A dialog for `error`; `offer_reconnect` adds a Reconnect button.
    pub fn new(error: FerryError, offer_reconnect: bool) -> Self {
        ErrorDialog { error, offer_reconnect }
    }

    /// The error shown.
    pub fn error(&self) -> &FerryError {
        &self.error
    }

    /// Draws it; returns the user's choice once made.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<ErrorChoice> {
        let error = &self.error;
        modal(ctx, "error", error_title(error.kind), |ui| {
            let host_key_changed = error.kind == ErrorKind::HostKeyChanged;
            if host_key_changed {
                ui.label(egui::RichText::new(HOST_KEY_CHANGED_WARNING).color(ui.visuals().error_fg_color).strong());
                ui.add_space(4.0);
            }
            ui.add(egui::Label::new(sentence(&escape_control(&error.context))).wrap());
            if let Some(advice) = error_advice(error.kind) {
                ui.weak(advice);
            }
            if let Some(reply) = &error.server_reply {
                ui.add_space(4.0);
                // For a changed key the "reply" is the keys on record (or the revocation), with their lines.
                ui.label(if host_key_changed { "On record in known_hosts:" } else { "The server said:" });
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    code(ui, &escape_control(reply));
                });
            }
            if let Some(detail) = &error.detail {
                ui.add_space(4.0);
                ui.label("Details:");
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    code(ui, &escape_control(detail));
                });
            }
            if host_key_changed {
                ui.add_space(4.0);
                ui.label(HOST_KEY_CHANGED_FIX);
            }
            ui.add_space(6.0);
            let mut choice = None;
            ui.horizontal(|ui| {
                if self.offer_reconnect && ui.button("Reconnect").clicked() {
                    choice = Some(ErrorChoice::Reconnect);
                }
                if ui.button("Close").clicked() {
                    choice = Some(ErrorChoice::Close);
                }
            });
            if choice.is_none() && escape_pressed(ui.ctx()) {
                choice = Some(ErrorChoice::Close);
            }
            choice
        })
    }
}

/// `text` as a sentence: a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut sentence: String = first.to_uppercase().chain(chars).collect();
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    sentence
}
