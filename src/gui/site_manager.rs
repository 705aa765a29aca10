//! The site manager window: a searchable folder tree of bookmarks beside an editor for one of them.
//! It does no I/O: it draws the bookmarks it is given and returns what the user asked for as
//! `SiteAction`s, which the window turns into worker commands.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use secrecy::zeroize::Zeroize;

use crate::bookmarks::{Bookmark, BookmarkId, LoginMethod};
use crate::gui::pane::compare_natural;
use crate::model::{FtpMode, Protocol};

/// The window's title.
pub const TITLE: &str = "Site manager";

/// Shown under the password field when no keychain answers, so nothing could keep a password.
pub const NO_KEYCHAIN_NOTE: &str = "No keychain is available: the password will be asked at each connect";

/// The protocols a bookmark can use, in the order the combo box lists them.
const PROTOCOLS: [Protocol; 4] = [Protocol::Sftp, Protocol::Ftp, Protocol::Ftpes, Protocol::Ftps];

/// What the user asked the site manager for; the window turns each into a worker command.
// A handful of actions a frame at most: boxing the bookmark would only make matching clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum SiteAction {
    /// Store this bookmark (new, edited, duplicated or moved), replacing the one with its id.
    /// `password` is the secret typed into the form for the keychain: the password for password
    /// login, the key's passphrase for key file login; `None` leaves the stored one as it is.
    Save {
        /// The bookmark to store.
        bookmark: Bookmark,
        /// A newly typed password or key passphrase, only when a keychain is present.
        password: Option<SecretString>,
    },
    /// Remove this bookmark (and its keychain entry).
    Delete(BookmarkId),
    /// Connect with this bookmark (any pending edit was saved first, in an earlier `Save`).
    Connect(BookmarkId),
    /// Import bookmarks from this file (another client's or an export of Ferry's).
    Import(PathBuf),
    /// Export all bookmarks to this file.
    Export(PathBuf),
}

/// The site manager's state: the bookmarks it shows, the tree's search and selection, the form.
pub struct SiteManager {
    is_open: bool,
    bookmarks: Vec<Bookmark>,
    keychain_available: bool,
    message: Option<String>,
    search: String,
    /// The bookmark shown in the editor (or the new one being written).
    editor: Option<Editor>,
    /// The folder "New site" puts a site into: the last folder clicked, or the selected site's.
    current_folder: Vec<String>,
    /// Folders made with "New folder" that hold no bookmark yet. The bookmark file stores only
    /// bookmarks, so these live as long as the window's state; saving a site into one keeps it.
    empty_folders: BTreeSet<Vec<String>>,
    /// The name being typed for a new folder, while that row is shown.
    new_folder_name: Option<String>,
    /// A question waiting for the user's answer.
    confirm: Option<Confirm>,
    /// Why the last Save was refused, in words.
    problem: Option<String>,
    /// A native file dialog running on its own thread.
    file_dialog: Option<PendingDialog>,
    /// Makes ids made in the same clock tick distinct.
    id_counter: u64,
}

impl Default for SiteManager {
    fn default() -> Self {
        Self::new()
    }
}

impl SiteManager {
    /// A closed window with no bookmarks yet.
    pub fn new() -> Self {
        SiteManager {
            is_open: false,
            bookmarks: Vec::new(),
            keychain_available: true,
            message: None,
            search: String::new(),
            editor: None,
            current_folder: Vec::new(),
            empty_folders: BTreeSet::new(),
            new_folder_name: None,
            confirm: None,
            problem: None,
            file_dialog: None,
            id_counter: 0,
        }
    }

    /// Shows the window.
    pub fn open(&mut self) {
        self.is_open = true;
    }

    /// Shows the window with `draft` as a new, unsaved entry in the editor ("Save as bookmark").
    /// The draft's id is replaced by a fresh one when it is empty or already taken.
    pub fn open_new(&mut self, mut draft: Bookmark) {
        if draft.id.0.is_empty() || self.bookmarks.iter().any(|bookmark| bookmark.id == draft.id) {
            draft.id = self.fresh_id();
        }
        self.current_folder = draft.folder.clone();
        self.editor = Some(Editor::new_entry(&draft));
        self.problem = None;
        self.confirm = None;
        self.is_open = true;
    }

    /// Whether the window is shown.
    pub fn is_open(&self) -> bool {
        self.is_open
    }

    /// Replaces the bookmarks shown (the worker's list is the truth). An editor with unsaved
    /// changes keeps them; an unchanged one follows the new list.
    pub fn set_bookmarks(&mut self, bookmarks: Vec<Bookmark>, keychain_available: bool) {
        self.bookmarks = bookmarks;
        self.keychain_available = keychain_available;
        if let Some(editor) = self.editor.as_mut() {
            if !keychain_available {
                editor.password.0.zeroize();
            }
            let stored = self.bookmarks.iter().find(|bookmark| bookmark.id == editor.id);
            match stored {
                Some(stored) if !editor.is_dirty() => *editor = Editor::existing(stored),
                Some(_) => editor.is_new = false,
                None if !editor.is_new && !editor.is_dirty() => self.editor = None,
                None => {}
            }
        }
    }

    /// Shows a note at the top of the window (an unreadable bookmark file, an import report), or
    /// removes it.
    pub fn set_message(&mut self, message: Option<String>) {
        self.message = message;
    }

    /// Draws the window when it is open and returns what the user asked for this frame.
    pub fn show(&mut self, ctx: &egui::Context) -> Vec<SiteAction> {
        let mut actions = Vec::new();
        self.poll_file_dialog(&mut actions);
        if !self.is_open {
            return actions;
        }
        let mut stays_open = true;
        egui::Window::new(TITLE)
            .open(&mut stays_open)
            .default_width(820.0)
            .collapsible(false)
            .resizable([true, false])
            .show(ctx, |ui| self.window_ui(ui, &mut actions));
        if !stays_open {
            self.navigate(Step::Close, &mut actions);
        }
        actions
    }

    fn window_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        if let Some(message) = self.message.clone() {
            ui.horizontal_wrapped(|ui| {
                ui.label(message);
                if ui.button("Dismiss").clicked() {
                    self.message = None;
                }
            });
            ui.separator();
        }
        self.toolbar_ui(ui, actions);
        self.new_folder_ui(ui);
        ui.separator();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.set_width(260.0);
                self.tree_ui(ui, actions);
            });
            // Space, not a separator: a vertical separator takes all the height it is offered,
            // and the window would grow with it every frame.
            ui.add_space(16.0);
            ui.vertical(|ui| self.editor_ui(ui, actions));
        });
        ui.separator();
        self.confirm_ui(ui, actions);
        ui.horizontal(|ui| {
            let dialog_free = self.file_dialog.is_none();
            if ui.add_enabled(dialog_free, egui::Button::new("Import...")).clicked() {
                self.start_file_dialog(ui.ctx(), DialogPurpose::Import);
            }
            if ui.add_enabled(dialog_free, egui::Button::new("Export...")).clicked() {
                self.start_file_dialog(ui.ctx(), DialogPurpose::Export);
            }
            if ui.button("Close").clicked() {
                self.navigate(Step::Close, actions);
            }
        });
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        ui.horizontal(|ui| {
            if ui.button("New site").clicked() {
                self.navigate(Step::NewSite, actions);
            }
            if ui.button("New folder").clicked() {
                self.new_folder_name = Some(String::new());
            }
            let has_saved_selection = self.editor.as_ref().is_some_and(|editor| !editor.is_new);
            if ui.add_enabled(has_saved_selection, egui::Button::new("Duplicate")).clicked() {
                self.navigate(Step::Duplicate, actions);
            }
            if ui.add_enabled(self.editor.is_some(), egui::Button::new("Delete")).clicked()
                && let Some(editor) = &self.editor
            {
                let name = editor.fields.name.trim();
                let name = if name.is_empty() { "this site" } else { name };
                self.confirm = Some(Confirm::Delete { id: editor.id.clone(), name: name.to_owned() });
            }
        });
    }

    fn new_folder_ui(&mut self, ui: &mut egui::Ui) {
        let Some(name) = self.new_folder_name.as_mut() else { return };
        let mut create = false;
        let mut cancel = false;
        ui.horizontal(|ui| {
            let label = ui.label("Folder name");
            let field = ui.text_edit_singleline(name).labelled_by(label.id);
            let typed = !parse_folder(name).is_empty();
            create = typed && field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter));
            if !self.current_folder.is_empty() {
                ui.weak(format!("inside {}", format_folder(&self.current_folder)));
            }
            create |= ui.add_enabled(typed, egui::Button::new("Create folder")).clicked();
            cancel = ui.button("Cancel").clicked();
        });
        if cancel {
            self.new_folder_name = None;
        } else if create {
            let mut path = self.current_folder.clone();
            path.extend(parse_folder(name));
            self.empty_folders.insert(path.clone());
            self.current_folder = path;
            self.new_folder_name = None;
        }
    }

    fn tree_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        ui.horizontal(|ui| {
            let label = ui.label("Search");
            ui.add(egui::TextEdit::singleline(&mut self.search).desired_width(190.0)).labelled_by(label.id);
        });
        let query = self.search.trim().to_lowercase();
        let tree = FolderNode::build(&self.bookmarks, &self.empty_folders, &query);
        let selected = self.editor.as_ref().map(|editor| editor.id.clone());
        let mut events = Vec::new();
        egui::ScrollArea::vertical().id_salt("site tree").max_height(420.0).auto_shrink([false, true]).show(ui, |ui| {
            if tree.is_empty() {
                ui.weak(if query.is_empty() { "No sites yet" } else { "No site matches" });
            }
            let mut path = Vec::new();
            let view =
                TreeView { bookmarks: &self.bookmarks, selected: selected.as_ref(), expand_all: !query.is_empty() };
            view.folder_ui(ui, &tree, &mut path, &mut events);
        });
        for event in events {
            match event {
                TreeEvent::Select(id) => self.navigate(Step::Select(id), actions),
                TreeEvent::Connect(id) => actions.push(SiteAction::Connect(id)),
                TreeEvent::SelectFolder(path) => self.current_folder = path,
                TreeEvent::Move(id, folder) => self.move_bookmark(&id, folder, actions),
            }
        }
    }

    fn editor_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        let keychain_available = self.keychain_available;
        let dialog_free = self.file_dialog.is_none();
        let Some(editor) = self.editor.as_mut() else {
            ui.label("Choose a site in the tree, or make one with \"New site\".");
            return;
        };
        let mut browse = None;
        ui.strong("Site details");
        if editor.is_new {
            ui.weak("Not saved yet");
        }
        let fields = &mut editor.fields;
        egui::Grid::new("site fields").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            let name = labelled_text(ui, "Name", &mut fields.name);
            if std::mem::take(&mut editor.wants_focus) {
                name.request_focus();
            }

            let login_before = fields.login;
            let label = ui.label("Protocol");
            let before = fields.protocol;
            egui::ComboBox::from_id_salt("site protocol")
                .selected_text(protocol_label(fields.protocol))
                .width(240.0)
                .show_ui(ui, |ui| {
                    for protocol in PROTOCOLS {
                        ui.selectable_value(&mut fields.protocol, protocol, protocol_label(protocol));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            if fields.protocol != before {
                fields.protocol_changed(before);
            }

            labelled_text(ui, "Host", &mut fields.host);
            labelled_text(ui, "Port", &mut fields.port);
            labelled_text(ui, "User", &mut fields.user);

            let label = ui.label("Login");
            egui::ComboBox::from_id_salt("site login")
                .selected_text(login_label(fields.login))
                .width(240.0)
                .show_ui(ui, |ui| {
                    for &login in login_methods(fields.protocol) {
                        ui.selectable_value(&mut fields.login, login, login_label(login));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();

            // A secret typed for one login method is not meant for another.
            if fields.login != login_before {
                editor.password.0.zeroize();
            }
            match fields.login {
                LoginMethod::Password => {
                    secret_row(ui, "Password", &mut editor.password, editor.is_new, keychain_available);
                }
                LoginMethod::KeyFile => {
                    let label = ui.label("Key file");
                    ui.horizontal(|ui| {
                        let field = egui::TextEdit::singleline(&mut fields.key_file).desired_width(170.0);
                        ui.add(field).labelled_by(label.id);
                        let button = ui.add_enabled(dialog_free, egui::Button::new("Browse..."));
                        if button.accessible_name("Browse for a key file").clicked() {
                            browse = Some(DialogPurpose::KeyFile);
                        }
                    });
                    ui.end_row();
                    secret_row(ui, "Key passphrase", &mut editor.password, editor.is_new, keychain_available);
                }
                LoginMethod::Agent | LoginMethod::Ask => {}
            }

            if fields.protocol.is_ftp() {
                ui.label("FTP mode");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut fields.ftp_mode, FtpMode::Passive, "Passive");
                    ui.radio_value(&mut fields.ftp_mode, FtpMode::Active, "Active");
                });
                ui.end_row();
            }

            labelled_text(ui, "Remote folder", &mut fields.remote_dir);

            let label = ui.label("Local folder");
            ui.horizontal(|ui| {
                let field = egui::TextEdit::singleline(&mut fields.local_dir).desired_width(170.0);
                ui.add(field).labelled_by(label.id);
                let button = ui.add_enabled(dialog_free, egui::Button::new("Browse..."));
                if button.accessible_name("Browse for a local folder").clicked() {
                    browse = Some(DialogPurpose::LocalFolder);
                }
            });
            ui.end_row();

            labelled_text(ui, "Folder", &mut fields.folder);

            ui.label("Uploads");
            ui.checkbox(&mut fields.uploads_in_place, "Write uploads in place (no temporary file)").on_hover_text(
                "For servers without a rename right or room for two copies. \
                 An interrupted upload then leaves a partial file in place of the old one.",
            );
            ui.end_row();

            let label = ui.label("Comment");
            let field = egui::TextEdit::multiline(&mut fields.comment).desired_rows(3).desired_width(240.0);
            ui.add(field).labelled_by(label.id);
            ui.end_row();
        });

        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        let mut save = false;
        let mut connect = false;
        ui.horizontal(|ui| {
            save = ui.button("Save").clicked();
            connect = ui.button("Connect").clicked();
        });
        if let Some(purpose) = browse {
            self.start_file_dialog(ui.ctx(), purpose);
        }
        if connect {
            self.connect(actions);
        } else if save {
            self.save(actions);
        }
    }

    fn confirm_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<SiteAction>) {
        let Some(confirm) = &self.confirm else { return };
        let mut answer = None;
        ui.horizontal_wrapped(|ui| match confirm {
            Confirm::Delete { name, .. } => {
                ui.label(format!("Delete {name}?"));
                if ui.button("Yes, delete").clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            }
            Confirm::Discard { name, .. } => {
                ui.label(format!("Discard the unsaved changes to {name}?"));
                if ui.button("Discard changes").clicked() {
                    answer = Some(true);
                }
                if ui.button("Keep editing").clicked() {
                    answer = Some(false);
                }
            }
        });
        ui.separator();
        let Some(yes) = answer else { return };
        match self.confirm.take() {
            Some(Confirm::Delete { id, .. }) if yes => self.delete(id, actions),
            Some(Confirm::Discard { then, .. }) if yes => self.perform(then, actions),
            _ => {}
        }
    }

    /// Goes to another site, a new one, a copy, or closes, asking first when that would drop
    /// unsaved changes.
    fn navigate(&mut self, step: Step, actions: &mut Vec<SiteAction>) {
        let leaving_dirty = self.editor.as_ref().filter(|editor| editor.is_dirty());
        let stays = matches!(&step, Step::Select(id) if self.editor.as_ref().is_some_and(|editor| &editor.id == id));
        match leaving_dirty {
            Some(_) if stays => {}
            Some(editor) => {
                let name = editor.fields.name.trim();
                let name = if name.is_empty() { "this site".to_owned() } else { name.to_owned() };
                self.confirm = Some(Confirm::Discard { name, then: step });
            }
            None => self.perform(step, actions),
        }
    }

    fn perform(&mut self, step: Step, actions: &mut Vec<SiteAction>) {
        self.problem = None;
        match step {
            Step::Select(id) => {
                if let Some(bookmark) = self.bookmarks.iter().find(|bookmark| bookmark.id == id) {
                    self.current_folder = bookmark.folder.clone();
                    self.editor = Some(Editor::existing(bookmark));
                }
            }
            Step::NewSite => {
                let draft = Bookmark {
                    id: self.fresh_id(),
                    name: "New site".to_owned(),
                    folder: self.current_folder.clone(),
                    protocol: Protocol::Sftp,
                    host: String::new(),
                    port: Protocol::Sftp.default_port(),
                    user: String::new(),
                    login: LoginMethod::Password,
                    key_file: None,
                    ftp_mode: FtpMode::Passive,
                    remote_dir: None,
                    local_dir: None,
                    comment: String::new(),
                    uploads_in_place: false,
                };
                self.editor = Some(Editor::new_entry(&draft));
            }
            Step::Duplicate => self.duplicate(actions),
            Step::Close => {
                self.is_open = false;
                self.confirm = None;
                self.new_folder_name = None;
                // Unsaved edits are dropped with the window; a saved site is shown again next time.
                if self.editor.as_ref().is_some_and(|editor| editor.is_new || editor.is_dirty()) {
                    self.editor = None;
                }
            }
        }
    }

    /// Validates the form and, when it is sound, returns `Save` with the site and any new password.
    fn save(&mut self, actions: &mut Vec<SiteAction>) -> Option<BookmarkId> {
        let keychain_available = self.keychain_available;
        let editor = self.editor.as_mut()?;
        let bookmark = match editor.fields.to_bookmark(editor.id.clone()) {
            Ok(bookmark) => bookmark,
            Err(problem) => {
                self.problem = Some(problem);
                return None;
            }
        };
        let wants_secret = matches!(bookmark.login, LoginMethod::Password | LoginMethod::KeyFile);
        let wants_password = wants_secret && keychain_available;
        let password =
            (wants_password && !editor.password.0.is_empty()).then(|| SecretString::from(editor.password.0.as_str()));
        editor.password.0.zeroize();
        *editor = Editor::existing(&bookmark);
        self.problem = None;
        self.current_folder = bookmark.folder.clone();
        self.empty_folders.remove(&bookmark.folder);
        let id = bookmark.id.clone();
        upsert(&mut self.bookmarks, bookmark.clone());
        actions.push(SiteAction::Save { bookmark, password });
        Some(id)
    }

    /// Saves pending edits, then asks to connect.
    fn connect(&mut self, actions: &mut Vec<SiteAction>) {
        let Some(editor) = &self.editor else { return };
        let id = if editor.is_dirty() { self.save(actions) } else { Some(editor.id.clone()) };
        if let Some(id) = id {
            actions.push(SiteAction::Connect(id));
        }
    }

    fn duplicate(&mut self, actions: &mut Vec<SiteAction>) {
        let Some(editor) = &self.editor else { return };
        let Some(original) = self.bookmarks.iter().find(|bookmark| bookmark.id == editor.id) else {
            self.problem = Some("Save the site before duplicating it.".to_owned());
            return;
        };
        let mut copy = original.clone();
        // Names stay distinct, since the command line finds a site by its name.
        copy.name = (1..)
            .map(|n| if n == 1 { format!("{} (copy)", original.name) } else { format!("{} (copy {n})", original.name) })
            .find(|name| !self.bookmarks.iter().any(|bookmark| &bookmark.name == name))
            .unwrap_or_default();
        copy.id = self.fresh_id();
        self.editor = Some(Editor::existing(&copy));
        upsert(&mut self.bookmarks, copy.clone());
        actions.push(SiteAction::Save { bookmark: copy, password: None });
    }

    fn delete(&mut self, id: BookmarkId, actions: &mut Vec<SiteAction>) {
        let was_saved = self.bookmarks.iter().any(|bookmark| bookmark.id == id);
        self.bookmarks.retain(|bookmark| bookmark.id != id);
        if self.editor.as_ref().is_some_and(|editor| editor.id == id) {
            self.editor = None;
        }
        self.problem = None;
        // A site that was never saved only disappears from the form.
        if was_saved {
            actions.push(SiteAction::Delete(id));
        }
    }

    /// Moves a site into `folder` (a drop in the tree), keeping any edit in progress on it.
    fn move_bookmark(&mut self, id: &BookmarkId, folder: Vec<String>, actions: &mut Vec<SiteAction>) {
        let Some(stored) = self.bookmarks.iter_mut().find(|bookmark| &bookmark.id == id) else { return };
        if stored.folder == folder {
            return;
        }
        stored.folder = folder.clone();
        let bookmark = stored.clone();
        if let Some(editor) = self.editor.as_mut().filter(|editor| &editor.id == id) {
            let shown = format_folder(&folder);
            editor.fields.folder = shown.clone();
            editor.baseline.folder = shown;
        }
        self.empty_folders.remove(&folder);
        actions.push(SiteAction::Save { bookmark, password: None });
    }

    fn start_file_dialog(&mut self, ctx: &egui::Context, purpose: DialogPurpose) {
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

    fn poll_file_dialog(&mut self, actions: &mut Vec<SiteAction>) {
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

    /// An id no bookmark has: the clock in nanoseconds, the process and a counter, in hex.
    fn fresh_id(&mut self) -> BookmarkId {
        loop {
            self.id_counter += 1;
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|since| since.as_nanos()).unwrap_or_default();
            let id = BookmarkId(format!("{nanos:x}-{:x}-{:x}", std::process::id(), self.id_counter));
            if !self.bookmarks.iter().any(|bookmark| bookmark.id == id) {
                return id;
            }
        }
    }
}

/// A masked field for the secret the keychain keeps (a password or a key's passphrase), disabled
/// with a note when there is no keychain. Left empty, the stored secret stays as it is.
fn secret_row(ui: &mut egui::Ui, label: &str, secret: &mut TypedPassword, is_new: bool, keychain_available: bool) {
    let label = ui.label(label);
    ui.vertical(|ui| {
        let hint = if is_new { "" } else { "(unchanged)" };
        let field = egui::TextEdit::singleline(&mut secret.0).password(true).hint_text(hint).desired_width(240.0);
        ui.add_enabled(keychain_available, field).labelled_by(label.id);
        if !keychain_available {
            ui.weak(NO_KEYCHAIN_NOTE);
        }
    });
    ui.end_row();
}

/// A label and a one-line text field named by it, as one grid row.
fn labelled_text(ui: &mut egui::Ui, label: &str, text: &mut String) -> egui::Response {
    let label = ui.label(label);
    let field = ui.add(egui::TextEdit::singleline(text).desired_width(240.0)).labelled_by(label.id);
    ui.end_row();
    field
}

/// The form's working copy of a bookmark's fields, as the user types them.
#[derive(Clone, PartialEq)]
struct Fields {
    name: String,
    protocol: Protocol,
    host: String,
    port: String,
    user: String,
    login: LoginMethod,
    key_file: String,
    ftp_mode: FtpMode,
    remote_dir: String,
    local_dir: String,
    folder: String,
    comment: String,
    uploads_in_place: bool,
}

impl Fields {
    fn from_bookmark(bookmark: &Bookmark) -> Self {
        Fields {
            name: bookmark.name.clone(),
            protocol: bookmark.protocol,
            host: bookmark.host.clone(),
            port: bookmark.port.to_string(),
            user: bookmark.user.clone(),
            login: bookmark.login,
            key_file: bookmark.key_file.as_ref().map(|path| path.display().to_string()).unwrap_or_default(),
            ftp_mode: bookmark.ftp_mode,
            remote_dir: bookmark.remote_dir.clone().unwrap_or_default(),
            local_dir: bookmark.local_dir.as_ref().map(|path| path.display().to_string()).unwrap_or_default(),
            folder: format_folder(&bookmark.folder),
            comment: bookmark.comment.clone(),
            uploads_in_place: bookmark.uploads_in_place,
        }
    }

    /// A port still at the old protocol's default follows the new one; a login the new protocol
    /// cannot use falls back to a password.
    fn protocol_changed(&mut self, before: Protocol) {
        let port = self.port.trim();
        if port.is_empty() || port.parse::<u16>().ok() == Some(before.default_port()) {
            self.port = self.protocol.default_port().to_string();
        }
        if !login_methods(self.protocol).contains(&self.login) {
            self.login = LoginMethod::Password;
        }
    }

    /// The bookmark these fields describe, or what is wrong with them, in words.
    fn to_bookmark(&self, id: BookmarkId) -> Result<Bookmark, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("The name must not be empty.".to_owned());
        }
        let host = self.host.trim();
        if host.is_empty() {
            return Err("The host must not be empty.".to_owned());
        }
        let port = match self.port.trim().parse::<u16>() {
            Ok(port) if port > 0 => port,
            _ => return Err("The port must be a number from 1 to 65535.".to_owned()),
        };
        let key_file = non_empty(&self.key_file).map(PathBuf::from);
        if self.login == LoginMethod::KeyFile && key_file.is_none() {
            return Err("Choose the key file for key file login.".to_owned());
        }
        Ok(Bookmark {
            id,
            name: name.to_owned(),
            folder: parse_folder(&self.folder),
            protocol: self.protocol,
            host: host.to_owned(),
            port,
            user: self.user.trim().to_owned(),
            login: self.login,
            key_file,
            ftp_mode: self.ftp_mode,
            remote_dir: non_empty(&self.remote_dir).map(str::to_owned),
            local_dir: non_empty(&self.local_dir).map(PathBuf::from),
            comment: self.comment.clone(),
            uploads_in_place: self.uploads_in_place,
        })
    }
}

/// The editor: which bookmark, its fields as typed, and a password typed but not yet saved.
struct Editor {
    id: BookmarkId,
    /// Not in the bookmark list yet.
    is_new: bool,
    fields: Fields,
    /// The fields as last saved, to tell whether anything changed.
    baseline: Fields,
    /// Held only until Save moves it into the action; wiped then and when the editor goes.
    password: TypedPassword,
    /// A new entry puts the cursor in its name, the first thing to type.
    wants_focus: bool,
}

impl Editor {
    fn existing(bookmark: &Bookmark) -> Self {
        let fields = Fields::from_bookmark(bookmark);
        Editor {
            id: bookmark.id.clone(),
            is_new: false,
            baseline: fields.clone(),
            fields,
            password: TypedPassword::default(),
            wants_focus: false,
        }
    }

    fn new_entry(draft: &Bookmark) -> Self {
        Editor { is_new: true, wants_focus: true, ..Editor::existing(draft) }
    }

    fn is_dirty(&self) -> bool {
        self.is_new || self.fields != self.baseline || !self.password.0.is_empty()
    }
}

/// A password as typed, wiped from memory when dropped.
#[derive(Default)]
struct TypedPassword(String);

impl Drop for TypedPassword {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A question shown above the bottom buttons until the user answers.
enum Confirm {
    /// "Delete <name>?"
    Delete { id: BookmarkId, name: String },
    /// Leaving a form with unsaved changes.
    Discard { name: String, then: Step },
}

/// Where the user wants to go from the current form.
enum Step {
    Select(BookmarkId),
    NewSite,
    Duplicate,
    Close,
}

/// What a native file dialog is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DialogPurpose {
    KeyFile,
    LocalFolder,
    Import,
    Export,
}

impl DialogPurpose {
    /// Shows the native dialog; blocks until the user picks or cancels.
    fn run(self) -> Option<PathBuf> {
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
struct PendingDialog {
    purpose: DialogPurpose,
    for_site: Option<BookmarkId>,
    answer: Receiver<Option<PathBuf>>,
}

/// What the user did in the tree, applied after it is drawn.
enum TreeEvent {
    Select(BookmarkId),
    Connect(BookmarkId),
    SelectFolder(Vec<String>),
    Move(BookmarkId, Vec<String>),
}

/// One folder of the tree: its subfolders by name and the indices of its bookmarks.
#[derive(Default)]
struct FolderNode {
    folders: BTreeMap<String, FolderNode>,
    sites: Vec<usize>,
}

impl FolderNode {
    /// The tree of the bookmarks matching `query` (lowercase; empty matches all). Empty folders
    /// show only when nothing is searched for.
    fn build(bookmarks: &[Bookmark], empty_folders: &BTreeSet<Vec<String>>, query: &str) -> Self {
        let mut root = FolderNode::default();
        for (index, bookmark) in bookmarks.iter().enumerate() {
            if matches_search(bookmark, query) {
                root.folder_mut(&bookmark.folder).sites.push(index);
            }
        }
        if query.is_empty() {
            for folder in empty_folders {
                root.folder_mut(folder);
            }
        }
        root
    }

    fn folder_mut(&mut self, path: &[String]) -> &mut FolderNode {
        path.iter().fold(self, |node, name| node.folders.entry(name.clone()).or_default())
    }

    fn is_empty(&self) -> bool {
        self.folders.is_empty() && self.sites.is_empty()
    }
}

/// What drawing the tree needs to know besides the tree itself.
struct TreeView<'a> {
    bookmarks: &'a [Bookmark],
    selected: Option<&'a BookmarkId>,
    /// While searching, every folder with a match is open.
    expand_all: bool,
}

impl TreeView<'_> {
    /// Draws a folder's subfolders (first) and sites, each sorted naturally by name.
    fn folder_ui(&self, ui: &mut egui::Ui, node: &FolderNode, path: &mut Vec<String>, events: &mut Vec<TreeEvent>) {
        let mut folders: Vec<(&String, &FolderNode)> = node.folders.iter().collect();
        folders.sort_by(|(a, _), (b, _)| compare_natural(a, b));
        for (name, child) in folders {
            path.push(name.clone());
            let header = egui::CollapsingHeader::new(name.as_str())
                .id_salt(("site folder", path.clone()))
                .open(self.expand_all.then_some(true))
                .show(ui, |ui| self.folder_ui(ui, child, path, events));
            let response = &header.header_response;
            if response.clicked() {
                events.push(TreeEvent::SelectFolder(path.clone()));
            }
            if response.dnd_hover_payload::<BookmarkId>().is_some() {
                ui.painter().rect_stroke(response.rect, 2.0, ui.visuals().selection.stroke, egui::StrokeKind::Inside);
            }
            if let Some(id) = response.dnd_release_payload::<BookmarkId>() {
                events.push(TreeEvent::Move((*id).clone(), path.clone()));
            }
            path.pop();
        }
        let mut sites: Vec<&Bookmark> = node.sites.iter().filter_map(|&index| self.bookmarks.get(index)).collect();
        sites.sort_by(|a, b| compare_natural(&a.name, &b.name).then_with(|| a.id.cmp(&b.id)));
        for bookmark in sites {
            let is_selected = self.selected == Some(&bookmark.id);
            let button =
                egui::Button::selectable(is_selected, bookmark.name.as_str()).sense(egui::Sense::click_and_drag());
            let response = ui.push_id(&bookmark.id, |ui| ui.add(button)).inner;
            let response = response.on_hover_text(site_summary(bookmark));
            response.dnd_set_drag_payload(bookmark.id.clone());
            if response.double_clicked() {
                events.push(TreeEvent::Connect(bookmark.id.clone()));
            } else if response.clicked() {
                events.push(TreeEvent::Select(bookmark.id.clone()));
            }
            // Dropping onto a site puts the dragged one beside it.
            if let Some(id) = response.dnd_release_payload::<BookmarkId>() {
                events.push(TreeEvent::Move((*id).clone(), bookmark.folder.clone()));
            }
        }
    }
}

/// "user@host:port (SFTP)", the tooltip of a site in the tree.
fn site_summary(bookmark: &Bookmark) -> String {
    let user = if bookmark.user.is_empty() { String::new() } else { format!("{}@", bookmark.user) };
    format!("{user}{}:{} ({})", bookmark.host, bookmark.port, protocol_label(bookmark.protocol))
}

fn matches_search(bookmark: &Bookmark, query: &str) -> bool {
    query.is_empty()
        || [&bookmark.name, &bookmark.host, &bookmark.user, &bookmark.comment]
            .iter()
            .any(|text| text.to_lowercase().contains(query))
}

/// The combo box text for a protocol.
pub fn protocol_label(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Sftp => "SFTP",
        Protocol::Ftp => "FTP",
        Protocol::Ftpes => "FTPES (explicit TLS)",
        Protocol::Ftps => "FTPS (implicit TLS)",
        Protocol::Local => "Local",
    }
}

/// The combo box text for a login method.
pub fn login_label(login: LoginMethod) -> &'static str {
    match login {
        LoginMethod::Password => "Password",
        LoginMethod::KeyFile => "Key file",
        LoginMethod::Agent => "Agent",
        LoginMethod::Ask => "Ask each time",
    }
}

/// Key files and the agent are SSH things; FTP logs in with a password.
fn login_methods(protocol: Protocol) -> &'static [LoginMethod] {
    if protocol == Protocol::Sftp {
        &[LoginMethod::Password, LoginMethod::KeyFile, LoginMethod::Agent, LoginMethod::Ask]
    } else {
        &[LoginMethod::Password, LoginMethod::Ask]
    }
}

/// "Work/Clients" to `["Work", "Clients"]`, ignoring empty parts and spaces around names.
fn parse_folder(text: &str) -> Vec<String> {
    text.split('/').map(str::trim).filter(|part| !part.is_empty()).map(str::to_owned).collect()
}

fn format_folder(folder: &[String]) -> String {
    folder.join("/")
}

fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|text| !text.is_empty())
}

/// Replaces the bookmark with the same id, or adds it.
fn upsert(bookmarks: &mut Vec<Bookmark>, bookmark: Bookmark) {
    match bookmarks.iter_mut().find(|stored| stored.id == bookmark.id) {
        Some(stored) => *stored = bookmark,
        None => bookmarks.push(bookmark),
    }
}
