//! The site manager window: a searchable folder tree of bookmarks beside an editor for one of them.
//! It does no I/O: it draws the bookmarks it is given and returns what the user asked for as
//! `SiteAction`s, which the window turns into worker commands.

mod file_dialog;
mod form;
mod tree;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use secrecy::SecretString;
use secrecy::zeroize::Zeroize;

use crate::bookmarks::{Bookmark, BookmarkId, LoginMethod};
use crate::model::{FtpMode, Protocol};
use file_dialog::{DialogPurpose, PendingDialog};
use form::Editor;
use form::format_folder;

pub use form::{login_label, protocol_label};

/// The window's title.
pub const TITLE: &str = "Site manager";

/// The height of the tree and form row: the whole form of a site fits in it.
const BODY_HEIGHT: f32 = 524.0;

/// Shown under the password field when no keychain answers, so nothing could keep a password.
pub const NO_KEYCHAIN_NOTE: &str = "No keychain is available: the password will be asked at each connect";

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
    /// The draft's id is not looked at: a new entry always gets a fresh one.
    pub fn open_new(&mut self, mut draft: Bookmark) {
        draft.id = self.fresh_id();
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
        // A dialog to a screen reader: it opens on its search box and gives focus back on closing.
        let window = egui::Id::unique("ferry_site_manager");
        crate::gui::a11y::dialog_shown(ctx, window);
        egui::Window::new(TITLE)
            .id(window)
            .open(&mut stays_open)
            .default_width(820.0)
            .collapsible(false)
            .resizable([true, false])
            .show(ctx, |ui| self.window_ui(ui, &mut actions));
        crate::gui::a11y::window_is_dialog(ctx, window);
        // The site manager has done its job once it connects: it steps aside for the site.
        let connecting = actions.iter().any(|action| matches!(action, SiteAction::Connect(_)));
        if !stays_open || connecting {
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
            // As tall as the whole form from the first frame, chosen site or not: the window opens
            // at its working size instead of growing (past the screen's edge) on the first click.
            ui.set_min_height(BODY_HEIGHT);
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
                    connect_through: None,
                    proxy: None,
                    keep: Default::default(),
                    limit_down: None,
                    limit_up: None,
                    name_charset: Default::default(),
                    server_time_zone: crate::model::ServerTimeZone::Auto,
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

/// Replaces the bookmark with the same id, or adds it.
fn upsert(bookmarks: &mut Vec<Bookmark>, bookmark: Bookmark) {
    match bookmarks.iter_mut().find(|stored| stored.id == bookmark.id) {
        Some(stored) => *stored = bookmark,
        None => bookmarks.push(bookmark),
    }
}
