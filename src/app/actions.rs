//! The window's layout and what the user's clicks, keys and drops become: the menu, the panes
//! and tabs, the bottom panel, the status bar, and the dialogs they open.

use std::path::PathBuf;

use super::{BottomTab, FerryApp, Modal, Pending, TabId, Target};
use crate::error::{ErrorKind, FerryError};
use crate::gui::dialogs::{ConfirmDelete, ErrorChoice, NameDialog, PermissionsDialog};
use crate::gui::pane::{PaneAction, Side};
use crate::gui::settings::ThemeChoice;
use crate::model::{Entry, EntryKind, escape_control, join_remote};
use crate::transfer::names::{UnsafeName, check_name, remote_join};
use crate::transfer::policy::OnExists;
use crate::worker::{Command, Direction, FileCommand, ItemAction, QueueCommand, SessionCommand, TransferRequest};

impl FerryApp {
    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        egui::Panel::top("menu_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| {
                    if ui.button("Site manager...").clicked() {
                        self.site_manager.open();
                    }
                    if ui.button("Save as bookmark...").clicked() {
                        self.save_as_bookmark();
                    }
                    if ui.button("New tab").clicked() {
                        self.open_tab();
                    }
                    if ui.button("Disconnect").clicked() {
                        self.disconnect_active_tab();
                    }
                    if ui.button("Quit").clicked() {
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                });
                ui.menu_button("View", |ui| {
                    ui.label("Theme");
                    for (theme, label) in [
                        (ThemeChoice::System, "Follow the system"),
                        (ThemeChoice::Light, "Light"),
                        (ThemeChoice::Dark, "Dark"),
                    ] {
                        if ui.radio(self.state.theme == theme, label).clicked() {
                            self.set_theme(&ctx, theme);
                        }
                    }
                });
                ui.menu_button("Help", |ui| {
                    if ui.button("Keyboard shortcuts").clicked() {
                        self.show_help = true;
                    }
                    if ui.button("Open log folder").clicked() {
                        self.open_log_folder();
                    }
                });
            });
        });
    }

    /// Opens the folder the log files are in, in the desktop's file manager (without waiting).
    fn open_log_folder(&mut self) {
        let folder = crate::logging::log_dir()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_else(|| crate::desktop::log_dir(Some(&self.config_dir)));
        match crate::desktop::open_folder(&folder) {
            Ok(()) => self.status = format!("Opened {}", folder.display()),
            Err(error) => self.status = format!("Could not open the log folder {}: {error}", folder.display()),
        }
    }

    pub(super) fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(crate::model::escape_control(&self.status));
                if let Some(status) = self.queue.status() {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.add(egui::ProgressBar::new(status.fraction).desired_width(160.0));
                        ui.label(status.text);
                    });
                }
            });
        });
    }

    /// Offers the transfers the last run left unfinished: resume them (from their part files) or drop them.
    pub(super) fn unfinished_ui(&mut self, ui: &mut egui::Ui) {
        if self.unfinished.is_empty() {
            return;
        }
        let mut chosen = None;
        egui::Panel::bottom("unfinished_transfers").show(ui, |ui| {
            ui.horizontal(|ui| {
                let count = self.unfinished.len();
                ui.label(format!("{count} transfer{} left unfinished last time", if count == 1 { "" } else { "s" }));
                if ui.button("Resume all").clicked() {
                    chosen = Some(ItemAction::Resume);
                }
                if ui.button("Discard").clicked() {
                    chosen = Some(ItemAction::Cancel);
                }
            });
        });
        if let Some(action) = chosen {
            for item in self.unfinished.drain(..) {
                self.worker.send(Command::Queue(QueueCommand::Action { item, action }));
            }
        }
    }

    pub(super) fn bottom_panel(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("bottom_panel").resizable(true).default_size(200.0).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.bottom_tab, BottomTab::Queue, "Queue");
                ui.selectable_value(&mut self.bottom_tab, BottomTab::Log, "Log");
            });
            ui.separator();
            match self.bottom_tab {
                BottomTab::Queue => {
                    for command in self.queue.show(ui) {
                        self.worker.send(command);
                    }
                }
                BottomTab::Log => self.log.show(ui),
            }
        });
    }

    /// The local pane on the left, the remote tabs on the right.
    pub(super) fn panes(&mut self, ui: &mut egui::Ui) {
        let default_width = self.state.local_pane_width.unwrap_or_else(|| ui.available_width() / 2.0);
        // The central panel's frame (margins) on the left too, so both panes start at the same height.
        let frame = egui::Frame::central_panel(ui.style());
        let local =
            egui::Panel::left("local_pane").resizable(true).default_size(default_width).frame(frame).show(ui, |ui| {
                // A strip as tall as the remote side's tabs, so both panes' toolbars and columns line up.
                let height = pane_header(ui, self.header_height, |ui| {
                    ui.strong("Local");
                });
                self.header_height = self.header_height.max(height);
                self.local.show(ui, self.active_side == Side::Local)
            });
        let width = local.response.rect.width().round();
        if self.state.local_pane_width != Some(width) {
            self.state.local_pane_width = Some(width);
        }
        let clicked_local = clicked_inside(ui.ctx(), &local.response);
        let remote = egui::CentralPanel::default().show(ui, |ui| self.remote_side(ui));
        if clicked_local {
            self.active_side = Side::Local;
        } else if clicked_inside(ui.ctx(), &remote.response) {
            self.active_side = Side::Remote;
        }
        self.handle_pane_actions(Target::Local, local.inner);
        if let (Some(actions), Some(tab)) = (remote.inner, self.active_tab().map(|tab| tab.id)) {
            self.handle_pane_actions(Target::Tab(tab), actions);
        }
    }

    /// The tab strip and the active tab's pane.
    fn remote_side(&mut self, ui: &mut egui::Ui) -> Option<Vec<PaneAction>> {
        let mut close = None;
        let min_height = self.header_height;
        let height = pane_header(ui, min_height, |ui| {
            for (index, tab) in self.tabs.iter().enumerate() {
                if ui.selectable_label(index == self.active_tab, crate::model::escape_control(&tab.title)).clicked() {
                    self.active_tab = index;
                }
                if ui.small_button("x").on_hover_text("Close tab").clicked() {
                    close = Some(index);
                }
            }
            if ui.button("+").on_hover_text("New tab").clicked() {
                self.open_tab();
            }
        });
        self.header_height = self.header_height.max(height);
        if let Some(index) = close {
            self.close_tab(index);
        }
        let active = self.active_side == Side::Remote;
        let tab = self.tabs.get_mut(self.active_tab)?;
        if tab.session.is_none() && tab.connecting.is_none() && tab.pane.path().is_empty() {
            ui.label("Not connected. Type a host or a URL above and press Connect.");
            return None;
        }
        Some(tab.pane.show(ui, active))
    }

    fn close_tab(&mut self, index: usize) {
        if index >= self.tabs.len() {
            return;
        }
        let tab = self.tabs.remove(index);
        if let Some(session) = tab.session {
            self.worker.send(Command::Session(SessionCommand::Disconnect { session }));
        }
        if self.tabs.is_empty() {
            self.open_tab();
        }
        self.active_tab = self.active_tab.min(self.tabs.len() - 1);
    }

    fn disconnect_active_tab(&mut self) {
        if let Some(session) = self.active_tab().and_then(|tab| tab.session) {
            self.worker.send(Command::Session(SessionCommand::Disconnect { session }));
        }
    }

    fn handle_pane_actions(&mut self, target: Target, actions: Vec<PaneAction>) {
        for action in actions {
            match action {
                PaneAction::Navigate(path) => self.navigate(target, path),
                PaneAction::Refresh => self.refresh(target),
                PaneAction::CancelLoading => self.cancel_listing(target),
                PaneAction::Transfer(entries) => {
                    let from = self.folder_of(target);
                    let into = self.folder_of(other(target, self.active_tab().map(|tab| tab.id)));
                    self.transfer_rows(target, entries, from, into);
                }
                PaneAction::NewFolder => {
                    self.modal = Some(Modal::NewFolder { target, dialog: NameDialog::new("New folder", "") });
                }
                PaneAction::Rename(entry) => {
                    let dialog = NameDialog::new("Rename", entry.name.clone());
                    self.modal = Some(Modal::Rename { target, entry, dialog });
                }
                PaneAction::Delete(entries) if !entries.is_empty() => {
                    self.modal = Some(Modal::Delete { target, dialog: ConfirmDelete::new(entries) });
                }
                PaneAction::Permissions(entries) if !entries.is_empty() => {
                    self.modal = Some(Modal::Permissions { target, dialog: PermissionsDialog::new(entries) });
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
                PaneAction::Delete(_) | PaneAction::Permissions(_) => {}
            }
        }
    }

    fn folder_of(&self, target: Target) -> String {
        match target {
            Target::Local => self.local.path().to_string(),
            Target::Tab(id) => {
                self.tabs.iter().find(|tab| tab.id == id).map(|tab| tab.pane.path().to_string()).unwrap_or_default()
            }
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
            Target::Tab(tab) => self.download(tab, rows, &from, &into),
        }
    }

    /// Downloads remote rows of folder `from` into local folder `into`. Each name the server listed
    /// is checked before it is used: one that could lead outside `into` ("..", "a/../../b", a
    /// backslash...) is refused, all of them in one message, and the rest go ahead.
    fn download(&mut self, tab: TabId, rows: Vec<Entry>, from: &str, into: &str) {
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
                recursive: row.kind == EntryKind::Dir,
                on_exists: OnExists::Ask,
                verify: false,
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
            let remote = match remote_join(&into, &name) {
                Ok(remote) => remote,
                Err(why) => {
                    refused.push((name, why));
                    continue;
                }
            };
            // Folders or files alike: the worker's planner looks at what the path is.
            let transfer = TransferRequest {
                direction: Direction::Upload,
                remote,
                local: path,
                recursive: true,
                on_exists: OnExists::Ask,
                verify: false,
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
        self.request(Pending::Enqueue, |request| Command::Queue(QueueCommand::Enqueue { request, session, transfer }));
    }

    fn copy_urls(&mut self, target: Target, entries: &[Entry]) {
        let folder = self.folder_of(target);
        let base = match target {
            Target::Local => "file://".to_string(),
            Target::Tab(id) => {
                let spec = self.tabs.iter().find(|tab| tab.id == id).and_then(|tab| tab.spec.clone());
                match spec {
                    Some(spec) => spec.display_url(),
                    None => return,
                }
            }
        };
        let url_of = |path: &str| {
            let path = if path.starts_with('/') { path.to_string() } else { format!("/{path}") };
            format!("{base}{path}")
        };
        let text = if entries.is_empty() {
            url_of(&folder)
        } else {
            entries.iter().map(|entry| url_of(&join_remote(&folder, &entry.name))).collect::<Vec<_>>().join("\n")
        };
        self.repaint.copy_text(text);
        self.status = format!("Copied {} URL{}", entries.len().max(1), if entries.len() > 1 { "s" } else { "" });
    }

    /// Shows the one dialog due: a worker question first, then the user's own, then errors.
    pub(super) fn dialogs(&mut self, ctx: &egui::Context) {
        if let Some(prompt) = self.prompts.front_mut() {
            if let Some(answer) = prompt.show(ctx) {
                self.worker.send(answer);
                self.prompts.pop_front();
            }
            return;
        }
        if let Some(modal) = self.modal.take() {
            self.modal = self.show_modal(ctx, modal);
            return;
        }
        if let Some((dialog, tab)) = self.errors.front_mut() {
            let tab = *tab;
            if let Some(choice) = dialog.show(ctx) {
                self.errors.pop_front();
                if let (ErrorChoice::Reconnect, Some(tab)) = (choice, tab) {
                    self.reconnect(tab);
                }
            }
        }
    }

    /// Draws a user dialog; gives it back while it stays open.
    fn show_modal(&mut self, ctx: &egui::Context, modal: Modal) -> Option<Modal> {
        match modal {
            Modal::NewFolder { target, mut dialog } => match dialog.show(ctx) {
                None => Some(Modal::NewFolder { target, dialog }),
                Some(name) => {
                    if let (Some(name), Some(session)) = (name, self.session_of(target)) {
                        let path = join_remote(&self.folder_of(target), &name);
                        self.request(Pending::Change { target }, |request| {
                            Command::Files(FileCommand::MakeDir { request, session, path })
                        });
                    }
                    None
                }
            },
            Modal::Rename { target, entry, mut dialog } => match dialog.show(ctx) {
                None => Some(Modal::Rename { target, entry, dialog }),
                Some(name) => {
                    if let (Some(name), Some(session)) = (name, self.session_of(target)) {
                        let folder = self.folder_of(target);
                        if name != entry.name {
                            let from = join_remote(&folder, &entry.name);
                            let to = join_remote(&folder, &name);
                            self.request(Pending::Change { target }, |request| {
                                Command::Files(FileCommand::Rename { request, session, from, to })
                            });
                        }
                    }
                    None
                }
            },
            Modal::Delete { target, mut dialog } => match dialog.show(ctx) {
                None => Some(Modal::Delete { target, dialog }),
                Some(confirmed) => {
                    if let (true, Some(session)) = (confirmed, self.session_of(target)) {
                        let folder = self.folder_of(target);
                        for entry in dialog.entries() {
                            let path = join_remote(&folder, &entry.name);
                            self.request(Pending::Change { target }, |request| {
                                Command::Files(FileCommand::RemoveTree { request, session, path })
                            });
                        }
                    }
                    None
                }
            },
            Modal::Permissions { target, mut dialog } => match dialog.show(ctx) {
                None => Some(Modal::Permissions { target, dialog }),
                Some(choice) => {
                    if let (Some(choice), Some(session)) = (choice, self.session_of(target)) {
                        let folder = self.folder_of(target);
                        for entry in dialog.entries() {
                            let path = join_remote(&folder, &entry.name);
                            let mode = choice.mode;
                            self.request(Pending::Change { target }, |request| {
                                if choice.recursive && entry.kind == EntryKind::Dir {
                                    Command::Files(FileCommand::ChmodTree { request, session, path, mode })
                                } else {
                                    Command::Files(FileCommand::Chmod { request, session, path, mode })
                                }
                            });
                        }
                    }
                    None
                }
            },
        }
    }
}

/// The strip above a pane (the "Local" title, the remote tabs), then a line. Both strips get the
/// taller one's height (`min_height`, from the last frame), so the panes' toolbars and columns
/// line up; returns this strip's own height.
fn pane_header(ui: &mut egui::Ui, min_height: f32, content: impl FnOnce(&mut egui::Ui)) -> f32 {
    let strip = ui.horizontal(|ui| {
        ui.set_min_height(min_height);
        content(ui);
    });
    ui.separator();
    strip.response.rect.height()
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

/// The pane on the other side of `target` (the active tab for the local pane).
fn other(target: Target, active_tab: Option<TabId>) -> Target {
    match (target, active_tab) {
        (Target::Local, Some(tab)) => Target::Tab(tab),
        _ => Target::Local,
    }
}

/// Whether a pointer press happened inside `response`'s area this frame.
fn clicked_inside(ctx: &egui::Context, response: &egui::Response) -> bool {
    ctx.input(|i| i.pointer.any_pressed() && i.pointer.interact_pos().is_some_and(|pos| response.rect.contains(pos)))
}
