//! The system's file dialog for a key file, import or export, run on its own thread so the
//! window keeps drawing while it is open.

use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};

use super::{SiteAction, SiteManager};
use crate::bookmarks::BookmarkId;

impl SiteManager {
    pub(super) fn start_file_dialog(&mut self, ctx: &egui::Context, purpose: DialogPurpose) {
        if self.file_dialog.is_some() {
            return;
        }
        let (answer_sender, answer) = mpsc::channel();
        let ctx = ctx.clone();
        // The native dialog blocks its thread until the user picks; the window keeps drawing and
        // looks for the answer each frame.
        let spawned = std::thread::Builder::new().name("file dialog".to_owned()).spawn(move || {
            let picked = purpose.run();
            // The window may be gone by now; then nobody needs the answer.
            let _ = answer_sender.send(picked);
            ctx.request_repaint();
        });
        match spawned {
            Ok(_) => {
                let for_site = self.editor.as_ref().map(|editor| editor.id.clone());
                self.file_dialog = Some(PendingDialog { purpose, for_site, answer });
            }
            Err(error) => self.message = Some(format!("The file dialog could not be opened: {error}")),
        }
    }

    pub(super) fn poll_file_dialog(&mut self, actions: &mut Vec<SiteAction>) {
        let Some(pending) = &self.file_dialog else { return };
        let picked = match pending.answer.try_recv() {
            Ok(picked) => picked,
            Err(TryRecvError::Empty) => return,
            Err(TryRecvError::Disconnected) => None,
        };
        let Some(pending) = self.file_dialog.take() else { return };
        let Some(path) = picked else { return };
        match pending.purpose {
            DialogPurpose::Import => actions.push(SiteAction::Import(path)),
            DialogPurpose::Export => actions.push(SiteAction::Export(path)),
            DialogPurpose::KeyFile | DialogPurpose::LocalFolder => {
                // Only fill the form the dialog was opened for, not one chosen since.
                let Some(editor) = self.editor.as_mut().filter(|editor| Some(&editor.id) == pending.for_site.as_ref())
                else {
                    return;
                };
                let shown = path.display().to_string();
                if pending.purpose == DialogPurpose::KeyFile {
                    editor.fields.key_file = shown;
                } else {
                    editor.fields.local_dir = shown;
                }
            }
        }
    }
}

/// What a native file dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DialogPurpose {
    KeyFile,
    LocalFolder,
    Import,
    Export,
}

impl DialogPurpose {
    /// Shows the native dialog; blocks until the user picks or cancels.
    pub(super) fn run(self) -> Option<PathBuf> {
        let dialog = rfd::FileDialog::new();
        match self {
            DialogPurpose::KeyFile => {
                let dialog = dialog.set_title("Choose a private key file");
                match directories::BaseDirs::new().map(|dirs| dirs.home_dir().join(".ssh")) {
                    Some(ssh_dir) if ssh_dir.is_dir() => dialog.set_directory(ssh_dir).pick_file(),
                    _ => dialog.pick_file(),
                }
            }
            DialogPurpose::LocalFolder => dialog.set_title("Choose the local folder").pick_folder(),
            DialogPurpose::Import => dialog.set_title("Import bookmarks").pick_file(),
            DialogPurpose::Export => {
                dialog.set_title("Export bookmarks").set_file_name("ferry-bookmarks.json").save_file()
            }
        }
    }
}

/// A file dialog in flight, and the form it fills when it answers.
pub(super) struct PendingDialog {
    pub(super) purpose: DialogPurpose,
    pub(super) for_site: Option<BookmarkId>,
    pub(super) answer: Receiver<Option<PathBuf>>,
}
