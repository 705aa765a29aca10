//! What the user asked for this frame, as widgets report it, and the one place that acts on it:
//! drawing code only collects `Intent`s; `FerryApp::apply` sends the worker commands, once a
//! frame, after everything is drawn.

use super::{FerryApp, TabId, Target};
use crate::gui::connect_bar::ConnectRequest;
use crate::gui::dialogs::PermissionsChoice;
use crate::gui::pane::PaneAction;
use crate::gui::site_manager::SiteAction;
use crate::model::Entry;
use crate::worker::QueueCommand;
use crate::worker::{Command, ItemAction};

/// One thing the user asked for.
#[derive(Debug)]
pub(super) enum Intent {
    /// Connect as the connect bar says (fields, a URL, a saved site).
    Connect(ConnectRequest),
    /// Something asked of a pane (navigate, transfer, rename...).
    Pane { target: Target, action: PaneAction },
    /// A command a widget already phrased: a queue button, the answer to a worker's question.
    Worker(Command),
    /// Resume the transfers the last run left unfinished.
    ResumeUnfinished,
    /// Forget the transfers the last run left unfinished, without connecting anywhere.
    DiscardUnfinished,
    /// Something asked of the site manager.
    Site(SiteAction),
    /// Open an empty remote tab.
    NewTab,
    /// Close the remote tab at this index (disconnecting it).
    CloseTab(usize),
    /// Disconnect the active remote tab.
    DisconnectActiveTab,
    /// Open the site manager with the active connection as a new bookmark.
    SaveAsBookmark,
    /// Open the log folder in the desktop's file manager.
    OpenLogFolder,
    /// Connect a tab again after its connection was lost.
    Reconnect(TabId),
    /// Create folder `name` in the target's folder (the new-folder dialog's answer).
    MakeDir { target: Target, name: String },
    /// Rename `entry` of the target's folder to `name` (the rename dialog's answer).
    Rename { target: Target, entry: Entry, name: String },
    /// Delete these entries of the target's folder (the delete dialog's confirmation).
    Delete { target: Target, entries: Vec<Entry> },
    /// Change these entries' permissions (the permissions dialog's answer).
    Chmod { target: Target, entries: Vec<Entry>, choice: PermissionsChoice },
    /// Close the window although edited files have saves pending (the user said so).
    Quit,
    /// Open View > Editors...
    ChooseEditors,
    /// Use these editors for Edit from now on (the editors dialog's answer).
    SetEditors(crate::transfer::edit::EditorChoice),
    /// Turn "Compare folders" on or off.
    ToggleCompare,
    /// Open the Synchronize dialog for the two folders shown.
    Synchronize,
    /// Plan this sync again for the open Synchronize dialog (its options changed).
    SyncPreview { tab: TabId, job: crate::worker::SyncJob },
    /// Run this sync, limited to the steps the user ticked (the dialog's Start).
    SyncStart { tab: TabId, job: crate::worker::SyncJob },
}

/// What "Discard" on the unfinished transfers does, for its hover text.
pub(super) const DISCARD_HINT: &str = "Forget these transfers and their partial files on this computer. \
     Partial uploads on a server (named .NAME.ferry-part) are left there, unless a connection to it is open.";

impl FerryApp {
    /// Acts on what the user asked for this frame, in the order they asked.
    pub(super) fn apply(&mut self, intents: Vec<Intent>) {
        for intent in intents {
            match intent {
                Intent::Connect(request) => self.handle_connect_request(request),
                Intent::Pane { target, action } => self.handle_pane_action(target, action),
                Intent::Worker(command) => self.requests.send(command),
                Intent::ResumeUnfinished => {
                    for item in self.unfinished.drain(..) {
                        let action = ItemAction::Resume;
                        self.requests.send(Command::Queue(QueueCommand::Action { item, action }));
                    }
                }
                Intent::DiscardUnfinished => {
                    let items = std::mem::take(&mut self.unfinished);
                    self.requests.send(Command::Queue(QueueCommand::Forget { items }));
                }
                Intent::Site(action) => self.handle_site_action(action),
                Intent::NewTab => {
                    self.open_tab();
                }
                Intent::CloseTab(index) => self.close_tab(index),
                Intent::DisconnectActiveTab => self.disconnect_active_tab(),
                Intent::ChooseEditors => {
                    let dialog = crate::gui::dialogs::EditorsDialog::new(&self.memory.state.editors);
                    self.dialogs.open(super::Modal::Editors { dialog });
                }
                Intent::SetEditors(choice) => self.memory.state.editors = choice,
                Intent::ToggleCompare => self.toggle_compare(),
                Intent::Synchronize => self.open_synchronize(),
                Intent::SyncPreview { tab, job } => self.preview_sync(tab, job),
                Intent::SyncStart { tab, job } => self.start_sync(tab, job),
                Intent::Quit => {
                    self.quit_confirmed = true;
                    self.repaint.send_viewport_cmd(egui::ViewportCommand::Close);
                }
                Intent::SaveAsBookmark => self.save_as_bookmark(),
                Intent::OpenLogFolder => self.open_log_folder(),
                Intent::Reconnect(tab) => self.reconnect(tab),
                Intent::MakeDir { target, name } => self.make_dir(target, &name),
                Intent::Rename { target, entry, name } => self.rename(target, &entry, &name),
                Intent::Delete { target, entries } => self.delete(target, &entries),
                Intent::Chmod { target, entries, choice } => self.chmod(target, &entries, choice),
            }
        }
    }
}
