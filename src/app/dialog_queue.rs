//! The window's dialogs waiting their turn: the worker's questions, the user's own dialog (a
//! name, a delete to confirm, permissions) and errors, shown one at a time in that order.

use std::collections::VecDeque;

use super::Target;
use super::intent::Intent;
use super::tabs::TabId;
use crate::error::FerryError;
use crate::gui::dialogs::{
    Closed, ConfirmDelete, ErrorChoice, ErrorDialog, NameDialog, PermissionsDialog, PromptDialog, SyncChoice,
};
use crate::model::Entry;

/// The one user dialog shown at a time (worker questions and errors have their own queues).
pub(super) enum Modal {
    NewFolder {
        target: Target,
        dialog: NameDialog,
    },
    Rename {
        target: Target,
        entry: Entry,
        dialog: NameDialog,
    },
    Delete {
        target: Target,
        dialog: ConfirmDelete,
    },
    Permissions {
        target: Target,
        dialog: PermissionsDialog,
    },
    /// The window is closing with `pending` edited files' saves not yet on the server.
    QuitWithEdits {
        pending: usize,
    },
    /// View > Editors...
    Editors {
        dialog: crate::gui::dialogs::EditorsDialog,
    },
    /// Synchronize...: the preview of a sync of the local folder and `tab`'s.
    Sync {
        tab: TabId,
        dialog: crate::gui::dialogs::SyncDialog,
    },
}

/// The dialogs due: worker questions first, then the user's own dialog, then errors (each error
/// with the tab a Reconnect would reopen).
#[derive(Default)]
pub(super) struct DialogQueue {
    prompts: VecDeque<PromptDialog>,
    modal: Option<Modal>,
    errors: VecDeque<(ErrorDialog, Option<TabId>)>,
}

impl DialogQueue {
    /// Queues a question from the worker.
    pub(super) fn ask(&mut self, prompt: PromptDialog) {
        self.prompts.push_back(prompt);
    }

    /// Opens the user's own dialog, in place of one still open.
    pub(super) fn open(&mut self, modal: Modal) {
        self.modal = Some(modal);
    }

    /// The Synchronize dialog, while it is open.
    pub(super) fn sync_dialog_mut(&mut self) -> Option<&mut crate::gui::dialogs::SyncDialog> {
        match &mut self.modal {
            Some(Modal::Sync { dialog, .. }) => Some(dialog),
            _ => None,
        }
    }

    /// Queues an error, once: the same message already waiting is not queued again. `reconnect`
    /// is the tab its Reconnect button reopens, if it offers one.
    pub(super) fn show_error(&mut self, error: FerryError, reconnect: Option<TabId>) {
        let text = error.to_string();
        if self.errors.iter().any(|(dialog, _)| dialog.error().to_string() == text) {
            return;
        }
        self.errors.push_back((ErrorDialog::new(error, reconnect.is_some()), reconnect));
    }

    /// Whether an error waiting here already offers to reconnect `tab`.
    pub(super) fn offers_reconnect(&self, tab: TabId) -> bool {
        self.errors.iter().any(|(_, reconnect)| *reconnect == Some(tab))
    }

    /// Shows the one dialog due: a worker question first, then the user's own, then errors.
    pub(super) fn show(&mut self, ctx: &egui::Context, intents: &mut Vec<Intent>) {
        if let Some(prompt) = self.prompts.front_mut() {
            if let Some(answer) = prompt.show(ctx) {
                intents.push(Intent::Worker(answer));
                self.prompts.pop_front();
            }
            return;
        }
        if let Some(modal) = self.modal.take() {
            self.modal = show_modal(ctx, modal, intents);
            return;
        }
        if let Some((dialog, tab)) = self.errors.front_mut() {
            let tab = *tab;
            if let Some(choice) = dialog.show(ctx) {
                self.errors.pop_front();
                if let (ErrorChoice::Reconnect, Some(tab)) = (choice, tab) {
                    intents.push(Intent::Reconnect(tab));
                }
            }
        }
    }
}

/// Draws a user dialog; gives it back while it stays open, and its answer as an intent once
/// the user gave one.
fn show_modal(ctx: &egui::Context, modal: Modal, intents: &mut Vec<Intent>) -> Option<Modal> {
    match modal {
        Modal::NewFolder { target, mut dialog } => match dialog.show(ctx) {
            None => Some(Modal::NewFolder { target, dialog }),
            Some(Closed::Confirmed(name)) => {
                intents.push(Intent::MakeDir { target, name });
                None
            }
            Some(Closed::Cancelled) => None,
        },
        Modal::Rename { target, entry, mut dialog } => match dialog.show(ctx) {
            None => Some(Modal::Rename { target, entry, dialog }),
            Some(Closed::Confirmed(name)) => {
                intents.push(Intent::Rename { target, entry, name });
                None
            }
            Some(Closed::Cancelled) => None,
        },
        Modal::Delete { target, mut dialog } => match dialog.show(ctx) {
            None => Some(Modal::Delete { target, dialog }),
            Some(confirmed) => {
                if confirmed {
                    intents.push(Intent::Delete { target, entries: dialog.entries().to_vec() });
                }
                None
            }
        },
        Modal::Permissions { target, mut dialog } => match dialog.show(ctx) {
            None => Some(Modal::Permissions { target, dialog }),
            Some(Closed::Confirmed(choice)) => {
                intents.push(Intent::Chmod { target, entries: dialog.entries().to_vec(), choice });
                None
            }
            Some(Closed::Cancelled) => None,
        },
        Modal::Editors { mut dialog } => match dialog.show(ctx) {
            None => Some(Modal::Editors { dialog }),
            Some(Closed::Confirmed(choice)) => {
                intents.push(Intent::SetEditors(choice));
                None
            }
            Some(Closed::Cancelled) => None,
        },
        Modal::Sync { tab, mut dialog } => match dialog.show(ctx) {
            None => Some(Modal::Sync { tab, dialog }),
            Some(SyncChoice::Preview { job, replaces }) => {
                if let Some(request) = replaces {
                    intents.push(Intent::Worker(crate::worker::Command::Cancel { request }));
                }
                intents.push(Intent::SyncPreview { tab, job });
                Some(Modal::Sync { tab, dialog })
            }
            Some(SyncChoice::Start(job)) => {
                intents.push(Intent::SyncStart { tab, job });
                None
            }
            Some(SyncChoice::Cancelled) => {
                // The preview still being made is wanted no more.
                if let Some(request) = dialog.awaited() {
                    intents.push(Intent::Worker(crate::worker::Command::Cancel { request }));
                }
                None
            }
        },
        Modal::QuitWithEdits { pending } => match crate::gui::dialogs::confirm_quit_ui(ctx, pending) {
            None => Some(Modal::QuitWithEdits { pending }),
            Some(quit) => {
                if quit {
                    intents.push(Intent::Quit);
                }
                None
            }
        },
    }
}
