//! What the user asks of files becomes worker requests: a pane's actions (navigate, transfer,
//! copy URL, open a dialog), the dialogs' answers (new folder, rename, delete, permissions), and
//! the checks on names before a transfer is planned.

use std::path::PathBuf;

use super::{FerryApp, Modal, Pending, TabId, Target};
use crate::error::{ErrorKind, FerryError};
use crate::gui::dialogs::{ConfirmDelete, NameDialog, PermissionsChoice, PermissionsDialog};
use crate::gui::pane::PaneAction;
use crate::model::{Entry, EntryKind, escape_control, join_remote};
use crate::transfer::links::FollowLinks;
use crate::transfer::names::{UnsafeName, check_name, remote_join};
use crate::transfer::policy::OnExists;
use crate::worker::{Command, Direction, TransferRequest};
use crate::worker::{EditCommand, FileCommand, QueueCommand};

impl FerryApp {
    /// Acts on what the user asked of a pane.
    pub(super) fn handle_pane_action(&mut self, target: Target, action: PaneAction) {
        match action {
            PaneAction::Navigate(path) => self.navigate(target, path),
            PaneAction::Open(path) => self.open_path(target, path),
            PaneAction::Refresh => self.refresh(target),
            PaneAction::CancelLoading => self.requests.cancel_listing(target),
            PaneAction::Transfer(entries) => {
                let from = self.folder_of(target);
                let into = self.folder_of(other(target, self.active_tab().map(|tab| tab.id)));
                self.transfer_rows(target, entries, from, into);
            }
            PaneAction::DownloadFollowingLinks(entries) => {
                if let Target::Tab(tab) = target {
                    let from = self.folder_of(target);
                    let into = self.folder_of(Target::Local);
                    self.download(tab, entries, &from, &into, FollowLinks::Always);
                }
            }
            PaneAction::NewFolder => {
                self.dialogs.open(Modal::NewFolder { target, dialog: NameDialog::new("New folder", "") });
            }
            PaneAction::Rename(entry) => {
                let dialog = NameDialog::new("Rename", entry.name.clone());
                self.dialogs.open(Modal::Rename { target, entry, dialog });
            }
            PaneAction::Edit(entry) => self.edit_remote(target, &entry),
            PaneAction::Delete(entries) if !entries.is_empty() => {
                self.dialogs.open(Modal::Delete { target, dialog: ConfirmDelete::new(entries) });
            }
            PaneAction::Permissions(entries) if !entries.is_empty() => {
                self.dialogs.open(Modal::Permissions { target, dialog: PermissionsDialog::new(entries) });
            }
            PaneAction::CopyUrl(entries) => self.copy_urls(target, &entries),
            PaneAction::DropFiles { paths, into } => {
                if let Target::Tab(tab) = target {
                    self.upload(tab, paths, into);
                }
            }
            PaneAction::DropRows { rows, from_folder, into } => {
                // Rows dropped here came from the other side.
                let source = match target {
                    Target::Local => self.active_tab().map(|tab| Target::Tab(tab.id)),
                    Target::Tab(_) => Some(Target::Local),
                };
                if let Some(source) = source {
                    self.transfer_rows(source, rows, from_folder, into);
                }
            }
            PaneAction::CompareFolders => self.toggle_compare(),
            PaneAction::Synchronize => self.open_synchronize(),
            PaneAction::Delete(_) | PaneAction::Permissions(_) => {}
        }
    }

    fn folder_of(&self, target: Target) -> String {
        match target {
            Target::Local => self.local.path().to_string(),
            Target::Tab(id) => self.tabs.get(id).map(|tab| tab.pane.path().to_string()).unwrap_or_default(),
        }
    }

    /// Copies rows of `source`'s folder `from` into folder `into` on the other side.
    fn transfer_rows(&mut self, source: Target, rows: Vec<Entry>, from: String, into: String) {
        match source {
            Target::Local => {
                let Some(tab) = self.active_tab().map(|tab| tab.id) else { return };
                let paths = rows.iter().map(|row| PathBuf::from(join_remote(&from, &row.name))).collect();
                self.upload(tab, paths, into);
            }
            Target::Tab(tab) => self.download(tab, rows, &from, &into, FollowLinks::Inside),
        }
    }

    /// Downloads remote rows of folder `from` into local folder `into`. Each name the server listed
    /// is checked before it is used: one that could lead outside `into` ("..", "a/../../b", a
    /// backslash...) is refused, all of them in one message, and the rest go ahead. `follow` says
    /// which links in a folder are followed.
    fn download(&mut self, tab: TabId, rows: Vec<Entry>, from: &str, into: &str, follow: FollowLinks) {
        if into.is_empty() {
            return;
        }
        let mut refused = Vec::new();
        for row in rows {
            if let Err(why) = check_name(&row.name) {
                refused.push((row.name, why));
                continue;
            }
            // The folder itself, marked as one: the worker keeps the checked name inside it, and
            // the folder stays the root no write of this download may leave.
            let mut local = PathBuf::from(into).into_os_string();
            local.push(std::path::MAIN_SEPARATOR_STR);
            let transfer = TransferRequest {
                direction: Direction::Download,
                local: PathBuf::from(local),
                remote: join_remote(from, &row.name),
                recursive: row.opens_as() == EntryKind::Dir,
                on_exists: OnExists::Ask,
                verify: false,
                follow_links: follow,
            };
            self.enqueue(tab, transfer);
        }
        let why = format!("a name from the server must not lead outside {}", escape_control(into));
        if let Some(error) = refusal(ErrorKind::Protocol, "download", &refused, &why) {
            self.show_error(error, None);
        }
    }

    /// Uploads local files or folders into remote folder `into` of a tab.
    fn upload(&mut self, tab: TabId, paths: Vec<PathBuf>, into: String) {
        if into.is_empty() {
            self.status = "Connect to a server first, then drop files on it".into();
            return;
        }
        let mut refused = Vec::new();
        for path in paths {
            let Some(name) = path.file_name().map(|name| name.to_string_lossy().into_owned()) else { continue };
            // A local name may hold a line break, which would end an FTP command early.
            if let Err(why) = remote_join(&into, &name) {
                refused.push((name, why));
                continue;
            }
            // Folders or files alike: the worker's planner looks at what the path is. The remote
            // folder is named as one (a trailing '/'), so the copy keeps its name inside it: a
            // folder that exists there is merged into, never nested one level deeper, and each
            // file that exists is asked about.
            let transfer = TransferRequest {
                direction: Direction::Upload,
                remote: folder_named_as_one(&into),
                local: path,
                recursive: true,
                on_exists: OnExists::Ask,
                verify: false,
                follow_links: Default::default(),
            };
            self.enqueue(tab, transfer);
        }
        let why = "such a name cannot be sent to a server safely";
        if let Some(error) = refusal(ErrorKind::Unsupported, "upload", &refused, why) {
            self.show_error(error, None);
        }
    }

    fn enqueue(&mut self, tab: TabId, transfer: TransferRequest) {
        let Some(session) = self.session_of(Target::Tab(tab)) else {
            self.status = "That site is not connected".into();
            return;
        };
        self.requests
            .request(Pending::Enqueue, |request| Command::Queue(QueueCommand::Enqueue { request, session, transfer }));
    }

    fn copy_urls(&mut self, target: Target, entries: &[Entry]) {
        let folder = self.folder_of(target);
        let spec = match target {
            Target::Local => None,
            Target::Tab(id) => match self.site_of_tab(id) {
                Some(spec) => Some(spec),
                None => return,
            },
        };
        // Percent-encoded, so a name with a space, `#` or `?` still names that file when pasted.
        let url_of = |path: &str| match &spec {
            Some(spec) => crate::url::url_of(spec, path),
            None => crate::url::file_url(path),
        };
        let text = if entries.is_empty() {
            url_of(&folder)
        } else {
            entries.iter().map(|entry| url_of(&join_remote(&folder, &entry.name))).collect::<Vec<_>>().join("\n")
        };
        self.repaint.copy_text(text);
        self.status = format!("Copied {} URL{}", entries.len().max(1), if entries.len() > 1 { "s" } else { "" });
    }

    /// Creates folder `name` in the target's folder.
    pub(super) fn make_dir(&mut self, target: Target, name: &str) {
        let Some(session) = self.session_of(target) else { return };
        let path = join_remote(&self.folder_of(target), name);
        if let Some(pane) = self.pane_mut(target) {
            pane.select_when_listed(name);
        }
        self.requests.request(Pending::Change { target }, |request| {
            Command::Files(FileCommand::MakeDir { request, session, path })
        });
    }

    /// Opens a remote file in the editor chosen for it (the desktop's default when none is),
    /// uploading each save; the edit list follows it.
    pub(super) fn edit_remote(&mut self, target: Target, entry: &Entry) {
        let (Target::Tab(_), Some(session)) = (target, self.session_of(target)) else { return };
        let path = join_remote(&self.folder_of(target), &entry.name);
        let editor = self.memory.state.editors.for_file(&entry.name).map(str::to_string);
        let diff_tool = self.memory.state.editors.diff_tool.clone();
        let notice = format!("Opened {} in the editor", escape_control(&entry.name));
        self.status = format!("Opening {} for editing", escape_control(&entry.name));
        self.requests.request(Pending::Notice(notice), |request| {
            Command::Edit(EditCommand::Open { request, session, path, editor, diff_tool, close_with_editor: false })
        });
    }

    /// Renames `entry` of the target's folder to `name`.
    pub(super) fn rename(&mut self, target: Target, entry: &Entry, name: &str) {
        let Some(session) = self.session_of(target) else { return };
        if name == entry.name {
            return;
        }
        let folder = self.folder_of(target);
        let from = join_remote(&folder, &entry.name);
        let to = join_remote(&folder, name);
        if let Some(pane) = self.pane_mut(target) {
            pane.select_when_listed(name);
        }
        self.requests.request(Pending::Change { target }, |request| {
            Command::Files(FileCommand::Rename { request, session, from, to })
        });
    }

    /// Deletes entries of the target's folder, folders with everything in them.
    pub(super) fn delete(&mut self, target: Target, entries: &[Entry]) {
        let Some(session) = self.session_of(target) else { return };
        let folder = self.folder_of(target);
        for entry in entries {
            let path = join_remote(&folder, &entry.name);
            self.requests.request(Pending::Change { target }, |request| {
                Command::Files(FileCommand::RemoveTree { request, session, path })
            });
        }
    }

    /// Sets the permissions of entries of the target's folder, recursively where asked.
    pub(super) fn chmod(&mut self, target: Target, entries: &[Entry], choice: PermissionsChoice) {
        let Some(session) = self.session_of(target) else { return };
        let folder = self.folder_of(target);
        for entry in entries {
            let path = join_remote(&folder, &entry.name);
            let mode = choice.mode;
            self.requests.request(Pending::Change { target }, |request| {
                if choice.recursive && entry.kind == EntryKind::Dir {
                    Command::Files(FileCommand::ChmodTree { request, session, path, mode })
                } else {
                    Command::Files(FileCommand::Chmod { request, session, path, mode })
                }
            });
        }
    }
}

/// One error naming every refused item (escaped) with its reason, then `why` it matters;
/// `None` when nothing was refused.
fn refusal(kind: ErrorKind, verb: &str, refused: &[(String, UnsafeName)], why: &str) -> Option<FerryError> {
    if refused.is_empty() {
        return None;
    }
    let list: Vec<String> =
        refused.iter().map(|(name, reason)| format!("\"{}\" ({reason})", escape_control(name))).collect();
    Some(FerryError::new(kind, format!("refused to {verb} {}: {why}", list.join(", "))))
}

/// A remote folder with a trailing '/': the folder the user chose, which a copy goes into.
fn folder_named_as_one(folder: &str) -> String {
    if folder.ends_with('/') { folder.to_string() } else { format!("{folder}/") }
}

/// The pane on the other side of `target` (the active tab for the local pane).
fn other(target: Target, active_tab: Option<TabId>) -> Target {
    match (target, active_tab) {
        (Target::Local, Some(tab)) => Target::Tab(tab),
        _ => Target::Local,
    }
}
