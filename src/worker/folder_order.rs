//! Folders first: an item of a recursive transfer starts only once the item that creates its
//! folder is done, whatever the number of connections. Without this, a file could go up on one
//! connection before another connection had created its folder, and a server that is slow to
//! create folders would refuse it ("553 ...: No such file or directory").

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::queue::{Direction, ItemId, ItemState, QueueItem};
use crate::error::{ErrorKind, FerryError};
use crate::model::{RequestId, parent_remote};

/// The folder an item creates or goes into: remote for uploads, local for downloads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FolderPath {
    Remote(String),
    Local(PathBuf),
}

/// A folder of one request: two requests may plan the same folder, each with its own item.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct FolderKey {
    request: RequestId,
    path: FolderPath,
}

/// Whether a queued item may start.
#[derive(Debug)]
pub(super) enum Readiness {
    /// Its folder exists (or it has no folder item in the queue).
    Ready,
    /// Its folder's item has not finished yet.
    Waiting,
    /// Its folder's item failed, was cancelled or skipped: the item cannot go there.
    Blocked(FerryError),
}

/// The folder items of the queue, by the folder they create.
#[derive(Debug, Default)]
pub(super) struct FolderIndex {
    folders: HashMap<FolderKey, ItemId>,
}

impl FolderIndex {
    /// Records `item` if it creates a folder.
    pub(super) fn add(&mut self, item: &QueueItem) {
        if item.is_folder {
            let path = match item.direction {
                Direction::Upload => FolderPath::Remote(item.remote.clone()),
                Direction::Download => FolderPath::Local(item.local.clone()),
            };
            self.folders.insert(FolderKey { request: item.request, path }, item.id);
        }
    }

    /// Forgets the items that were removed from the queue.
    pub(super) fn remove(&mut self, removed: &[ItemId]) {
        let removed: HashSet<&ItemId> = removed.iter().collect();
        self.folders.retain(|_, id| !removed.contains(id));
    }

    /// The item that creates the folder `item` goes into, if it is in the queue.
    fn parent_of(&self, item: &QueueItem) -> Option<ItemId> {
        let path = match item.direction {
            Direction::Upload => FolderPath::Remote(parent_remote(&item.remote)),
            Direction::Download => FolderPath::Local(item.local.parent().map(Path::to_path_buf)?),
        };
        self.folders.get(&FolderKey { request: item.request, path }).copied().filter(|&parent| parent != item.id)
    }

    /// Whether `item` may start now, given the states of the queue's `items`.
    pub(super) fn readiness(&self, item: &QueueItem, items: &BTreeMap<ItemId, QueueItem>) -> Readiness {
        // A folder removed from the queue (cleared) had finished; the transfer itself then reports
        // whether its folder is there.
        let Some(folder) = self.parent_of(item).and_then(|id| items.get(&id)) else { return Readiness::Ready };
        let why = match folder.state {
            ItemState::Done => return Readiness::Ready,
            ItemState::Queued | ItemState::Running | ItemState::Paused => return Readiness::Waiting,
            ItemState::Failed => "could not be created",
            ItemState::Cancelled => "was cancelled",
            ItemState::Skipped => "was skipped",
        };
        let folder_name = match item.direction {
            Direction::Upload => folder.remote.clone(),
            Direction::Download => folder.local.display().to_string(),
        };
        let mut error =
            FerryError::new(ErrorKind::NotFound, format!("{}: its folder {folder_name} {why}", item.remote));
        if let Some(reply) = folder.error.as_ref().and_then(|error| error.server_reply.clone()) {
            error = error.with_reply(reply);
        }
        Readiness::Blocked(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectSpec, Protocol};
    use crate::transfer::policy::OnExists;

    fn item(id: u64, remote: &str, is_folder: bool, state: ItemState) -> QueueItem {
        QueueItem {
            id: ItemId(id),
            request: RequestId(7),
            site: ConnectSpec::new(Protocol::Sftp, "127.0.0.1"),
            direction: Direction::Upload,
            remote: remote.to_string(),
            local: PathBuf::from(format!("/local{remote}")),
            local_root: PathBuf::from("/local"),
            is_folder,
            size: None,
            modified: None,
            bytes_done: 0,
            started: false,
            state,
            error: None,
            on_exists: OnExists::Overwrite,
            verify: false,
            integrity: None,
            mode: None,
            retry_note: None,
            success_note: None,
        }
    }

    fn download(id: u64, local: &str, is_folder: bool, state: ItemState) -> QueueItem {
        QueueItem { direction: Direction::Download, local: PathBuf::from(local), ..item(id, "/r", is_folder, state) }
    }

    fn queue(items: Vec<QueueItem>) -> (FolderIndex, BTreeMap<ItemId, QueueItem>) {
        let mut index = FolderIndex::default();
        items.iter().for_each(|item| index.add(item));
        (index, items.into_iter().map(|item| (item.id, item)).collect())
    }

    #[test]
    fn a_file_waits_for_its_folder_and_a_folder_for_its_parent() {
        let (index, items) = queue(vec![
            item(1, "/up", true, ItemState::Running),
            item(2, "/up/d1", true, ItemState::Queued),
            item(3, "/up/d1/f.txt", false, ItemState::Queued),
            item(4, "/up/top.txt", false, ItemState::Queued),
        ]);
        assert!(matches!(index.readiness(&items[&ItemId(1)], &items), Readiness::Ready));
        assert!(matches!(index.readiness(&items[&ItemId(2)], &items), Readiness::Waiting));
        assert!(matches!(index.readiness(&items[&ItemId(3)], &items), Readiness::Waiting));
        assert!(matches!(index.readiness(&items[&ItemId(4)], &items), Readiness::Waiting));
    }

    #[test]
    fn a_download_waits_for_its_local_folder_and_other_requests_do_not_count() {
        let mut other_request = download(3, "/dest/tree/a/x.bin", false, ItemState::Queued);
        other_request.request = RequestId(8);
        let (index, items) = queue(vec![
            download(1, "/dest/tree", true, ItemState::Done),
            download(2, "/dest/tree/a", true, ItemState::Running),
            other_request,
            download(4, "/dest/tree/a/y.bin", false, ItemState::Queued),
            download(5, "/dest/tree/z.bin", false, ItemState::Queued),
        ]);
        assert!(matches!(index.readiness(&items[&ItemId(3)], &items), Readiness::Ready));
        assert!(matches!(index.readiness(&items[&ItemId(4)], &items), Readiness::Waiting));
        assert!(matches!(index.readiness(&items[&ItemId(5)], &items), Readiness::Ready));
    }

    #[test]
    fn a_file_starts_once_its_folder_is_done_and_is_blocked_when_it_failed() {
        let (index, mut items) = queue(vec![
            item(1, "/up", true, ItemState::Done),
            item(2, "/up/f.txt", false, ItemState::Queued),
            item(3, "/up/d1", true, ItemState::Failed),
            item(4, "/up/d1/g.txt", false, ItemState::Queued),
        ]);
        assert!(matches!(index.readiness(&items[&ItemId(2)], &items), Readiness::Ready));
        items.get_mut(&ItemId(3)).unwrap().error =
            Some(FerryError::new(ErrorKind::PermissionDenied, "creating /up/d1").with_reply("550 No."));
        let Readiness::Blocked(error) = index.readiness(&items[&ItemId(4)], &items) else { panic!("not blocked") };
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert!(error.to_string().contains("/up/d1 could not be created"), "{error}");
        assert_eq!(error.server_reply.as_deref(), Some("550 No."));
    }
}
