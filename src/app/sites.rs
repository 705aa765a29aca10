//! The window's side of bookmarks: the site manager's actions become worker commands, the
//! worker's bookmark list feeds the site manager and the connect bar's suggestions.

use super::{FerryApp, Pending, Target};
use crate::bookmarks::{Bookmark, BookmarkId, LoginMethod};
use crate::error::FerryError;
use crate::gui::site_manager::SiteAction;
use crate::worker::Command;
use crate::worker::{BookmarkCommand, SessionCommand};

impl FerryApp {
    /// Takes in the worker's bookmark list.
    pub(super) fn bookmarks_arrived(
        &mut self,
        bookmarks: Vec<Bookmark>,
        recent: Vec<String>,
        keychain_available: bool,
        problem: Option<FerryError>,
    ) {
        self.sites.set(bookmarks, recent, keychain_available);
        if let Some(problem) = problem {
            self.sites.manager.set_message(Some(problem.to_string()));
            self.show_error(problem, None);
        }
        if let Some(id) = self.sites.connect_now_saved() {
            self.connect_bookmark(id);
        }
    }

    /// Acts on what the user asked of the site manager.
    pub(super) fn handle_site_action(&mut self, action: SiteAction) {
        match action {
            SiteAction::Save { bookmark, password } => {
                self.sites.change_sent();
                self.requests
                    .send(Command::Bookmarks(BookmarkCommand::Save { bookmark: Box::new(bookmark), password }));
            }
            SiteAction::Delete(id) => {
                self.sites.change_sent();
                self.requests.send(Command::Bookmarks(BookmarkCommand::Remove { id }));
            }
            SiteAction::Connect(id) => {
                if self.sites.hold_connect(&id) {
                    self.status = "Saving the site, then connecting...".into();
                } else {
                    self.connect_bookmark(id);
                }
            }
            SiteAction::Import(path) => {
                self.requests
                    .request(Pending::Import, |request| Command::Bookmarks(BookmarkCommand::Import { request, path }));
            }
            SiteAction::Export(path) => {
                let notice = format!("Bookmarks exported to {} (without passwords)", path.display());
                self.requests.request(Pending::Notice(notice), |request| {
                    Command::Bookmarks(BookmarkCommand::Export { request, path })
                });
            }
        }
    }

    /// Connects to a bookmark in the active tab when it is free, else in a new tab.
    pub(super) fn connect_bookmark(&mut self, id: BookmarkId) {
        let name = self.sites.find(&id).map(|b| b.name.clone()).unwrap_or_else(|| id.0.clone());
        self.open_site_local_folder(&id);
        let tab = self.free_tab();
        let request = self.requests.request(Pending::Connect { target: Target::Tab(tab), path: None }, |request| {
            Command::Session(SessionCommand::ConnectBookmark { request, id: id.clone() })
        });
        if let Some(tab) = self.tab_mut(tab) {
            tab.title = name.clone();
            tab.spec = None;
            tab.bookmark = Some(id);
            tab.connecting = Some(request);
            tab.pane.set_loading(true);
        }
        self.tab_status(tab, format!("Connecting to {name}..."));
    }

    /// Takes the local pane to the site's local folder, where the site names one.
    fn open_site_local_folder(&mut self, id: &BookmarkId) {
        let folder = self.sites.find(id).and_then(|bookmark| bookmark.local_dir.clone());
        if let Some(folder) = folder.filter(|folder| !folder.as_os_str().is_empty()) {
            self.navigate(Target::Local, folder.to_string_lossy().into_owned());
        }
    }

    /// Opens the site manager with the active tab's connection as a new bookmark, in the folder
    /// the tab shows.
    pub(super) fn save_as_bookmark(&mut self) {
        let Some(tab) = self.active_tab() else { return };
        let remote_dir = tab.pane.listed_folder().map(str::to_string);
        let local_dir = self.local.listed_folder().map(std::path::PathBuf::from);
        let opened_from = tab.bookmark.as_ref().and_then(|id| self.sites.find(id));
        let draft = match (&tab.spec, opened_from) {
            (Some(spec), _) => Bookmark {
                // Not looked at: the site manager gives every new entry a fresh id.
                id: BookmarkId(String::new()),
                name: spec.host.clone(),
                folder: Vec::new(),
                protocol: spec.protocol,
                host: spec.host.clone(),
                port: spec.port,
                user: spec.user.clone(),
                login: if spec.identity.is_some() { LoginMethod::KeyFile } else { LoginMethod::Password },
                key_file: spec.identity.clone(),
                ftp_mode: spec.ftp_mode,
                remote_dir,
                local_dir,
                comment: String::new(),
                uploads_in_place: false,
                connect_through: None,
                proxy: None,
                keep: Default::default(),
                limit_down: None,
                limit_up: None,
                name_charset: Default::default(),
                server_time_zone: crate::model::ServerTimeZone::Auto,
            },
            // Opened from a bookmark: a copy of it, in the folder now shown.
            (None, Some(bookmark)) => {
                Bookmark { name: format!("{} (copy)", bookmark.name), remote_dir, ..bookmark.clone() }
            }
            (None, None) => {
                self.status = "Connect first: the open connection becomes the bookmark".into();
                return;
            }
        };
        self.sites.manager.open_new(draft);
    }
}
