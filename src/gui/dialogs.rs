//! Modal dialogs: the worker's questions (host key, certificate, password, target exists), and
//! the window's own (confirm delete, permissions, a name for a new folder or a rename, errors).
//! Each `show` returns `None` while the dialog stays open.

use crate::error::FerryError;
use crate::model::{Entry, PromptId};
use crate::worker::{Command, Question};

/// A question from the worker, waiting for the user's answer.
pub struct PromptDialog {
    prompt: PromptId,
    question: Question,
}

impl PromptDialog {
    /// A dialog for `question`.
    pub fn new(prompt: PromptId, question: Question) -> Self {
        PromptDialog { prompt, question }
    }

    /// Draws it; once the user decides, returns the `Command::Answer` to send.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Command> {
        let _ = (ctx, self.prompt, &self.question);
        None
    }
}

/// "Delete N items?"
pub struct ConfirmDelete {
    entries: Vec<Entry>,
}

impl ConfirmDelete {
    /// Asks about deleting `entries` (folders with everything in them).
    pub fn new(entries: Vec<Entry>) -> Self {
        ConfirmDelete { entries }
    }

    /// The entries to delete.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Draws it; `Some(true)` to delete, `Some(false)` to keep.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<bool> {
        let _ = ctx;
        None
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
}

impl PermissionsDialog {
    /// A dialog for `entries`, starting from the first one's mode.
    pub fn new(entries: Vec<Entry>) -> Self {
        PermissionsDialog { entries }
    }

    /// The entries it applies to.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Draws it; `Some(Some(choice))` on OK, `Some(None)` on Cancel.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Option<PermissionsChoice>> {
        let _ = ctx;
        None
    }
}

/// Asks for a name: a new folder's, or a new name for a rename.
pub struct NameDialog {
    title: String,
    name: String,
}

impl NameDialog {
    /// A dialog titled `title` (for example "New folder"), starting with `name`.
    pub fn new(title: impl Into<String>, name: impl Into<String>) -> Self {
        NameDialog { title: title.into(), name: name.into() }
    }

    /// Draws it; `Some(Some(name))` on OK, `Some(None)` on Cancel.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Option<String>> {
        let _ = (ctx, &self.title, &self.name);
        None
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
        let _ = (ctx, self.offer_reconnect);
        None
    }
}
