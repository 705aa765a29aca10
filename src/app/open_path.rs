//! A path typed into a pane's path bar: a folder is listed; a file's folder is listed with the
//! file selected and in view, as the file managers do; a path that is not there says so.

use super::{FerryApp, Pending, Target};
use crate::error::{ErrorKind, FerryError};
use crate::model::{Entry, EntryKind, file_name_remote, parent_remote};
use crate::worker::{Command, FileCommand};

impl FerryApp {
    /// Asks what `path` is before listing anything: a listing of a file is not its folder (FTP's
    /// LIST even answers with the file alone).
    pub(super) fn open_path(&mut self, target: Target, path: String) {
        let Some(session) = self.session_of(target) else { return };
        if let Some(pane) = self.pane_mut(target) {
            pane.set_loading(true);
        }
        let stat = |request| Command::Files(FileCommand::Stat { request, session, path: path.clone() });
        self.requests.request(Pending::Open { target, path: path.clone() }, stat);
    }

    /// What the typed path is: a folder (or a link, which the listing follows) is listed; for
    /// anything else its folder is listed, to select it there.
    pub(super) fn path_looked_up(&mut self, target: Target, path: String, entry: &Entry) {
        match entry.kind {
            EntryKind::Dir | EntryKind::Symlink => self.navigate(target, path),
            EntryKind::File | EntryKind::Other => {
                let Some(session) = self.session_of(target) else { return };
                let name = file_name_remote(&path).to_string();
                let folder = parent_remote(&path);
                let list = |request| Command::Files(FileCommand::List { request, session, path: folder });
                self.requests.request(Pending::Reveal { target, name }, list);
            }
        }
    }

    /// The words for a typed path that could not be looked up: a missing one is named plainly,
    /// the backend's own words going to the log.
    pub(super) fn open_failed(path: &str, error: FerryError) -> FerryError {
        if error.kind != ErrorKind::NotFound {
            return error;
        }
        FerryError::new(ErrorKind::NotFound, format!("opening {path}: there is no file or folder by that name"))
            .with_log_detail(error.log_text())
    }
}
