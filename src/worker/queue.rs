//! The transfer queue's items and their states, and the copy of the unfinished ones kept in the
//! config folder so that they survive a restart.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::FerryError;
use crate::model::{ConnectSpec, RequestId};
use crate::transfer::policy::OnExists;
pub use crate::transfer::queue_item::ItemState;

/// Identifies one item of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemId(pub u64);

/// Which way an item moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// From the server to this machine.
    Download,
    /// From this machine to the server.
    Upload,
}

/// How well a finished transfer was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Integrity {
    /// The SHA-256 computed by the server matched ours.
    Verified,
    /// The sizes matched; no checksum was available or asked for.
    SizeChecked,
}

/// One file (or folder to create) to move.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: ItemId,
    /// The `Enqueue` request that planned it.
    pub request: RequestId,
    /// The site at the remote end (saved without password).
    pub site: ConnectSpec,
    pub direction: Direction,
    /// The remote path.
    pub remote: String,
    /// The local path.
    pub local: PathBuf,
    /// The local folder a download may write under and never leave (folders below it are
    /// created by the transfer and must not be symlinks).
    pub local_root: PathBuf,
    /// A folder to create rather than a file to copy (empty folders are kept too).
    pub is_folder: bool,
    /// The source's size, where known.
    pub size: Option<u64>,
    /// The source's modification time, where known; kept on the target.
    pub modified: Option<DateTime<Utc>>,
    /// The source's permission bits, where known: a download is created with them (less the
    /// umask), so a private remote file stays private here.
    #[serde(default)]
    pub mode: Option<u32>,
    /// Bytes in place so far.
    pub bytes_done: u64,
    /// Whether a transfer attempt began: a later attempt continues from what arrived.
    pub started: bool,
    pub state: ItemState,
    /// Why it failed or was skipped.
    pub error: Option<FerryError>,
    /// What to do if the target exists.
    pub on_exists: OnExists,
    /// Whether to compare SHA-256 checksums with the server's after the transfer.
    pub verify: bool,
    /// How the finished transfer was checked.
    pub integrity: Option<Integrity>,
    /// What a running item waits for: "connection lost; retry 2 of 3 in 4 s". (Saved queues of
    /// earlier versions call it `note`.)
    #[serde(default, alias = "note")]
    pub retry_note: Option<String>,
    /// How a transfer that succeeded got there, when the user should know: "the server refused to
    /// resume; sent again from the start".
    #[serde(default)]
    pub success_note: Option<String>,
}

impl QueueItem {
    /// A short name for messages: the name of the file written (the target's, which differs from
    /// the source's after `--on-exists rename`: "big (1).bin").
    pub fn name(&self) -> String {
        match self.direction {
            Direction::Download => match self.local.file_name() {
                Some(name) => name.to_string_lossy().into_owned(),
                None => crate::model::file_name_remote(&self.remote).to_string(),
            },
            Direction::Upload => crate::model::file_name_remote(&self.remote).to_string(),
        }
    }
}

/// The saved form: versioned so a future Ferry can read an older file.
#[derive(Serialize, Deserialize)]
struct SavedQueue {
    version: u32,
    items: Vec<QueueItem>,
}

/// The same, borrowed, for writing without copying every item.
#[derive(Serialize)]
struct SavedQueueRef<'a> {
    version: u32,
    items: Vec<&'a QueueItem>,
}

const SAVED_VERSION: u32 = 1;

/// Writes the unfinished items to `path` atomically (temporary file, fsync, rename), so a crash
/// never leaves half a file.
pub fn save(path: &Path, items: &[QueueItem]) -> std::io::Result<()> {
    if items.is_empty() {
        // Nothing left to offer again: no file, rather than an empty one.
        return match std::fs::remove_file(path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        };
    }
    let unfinished: Vec<&QueueItem> = items.iter().filter(|item| !item.state.is_finished()).collect();
    let text = serde_json::to_vec(&SavedQueueRef { version: SAVED_VERSION, items: unfinished })?;
    crate::config::write_atomically(path, &text)
}

/// Reads the items left unfinished by the last run; they come back paused. A file that cannot be
/// read is moved aside to a dated name (never overwritten) and reported.
pub fn load(path: &Path) -> (Vec<QueueItem>, Option<FerryError>) {
    let Ok(bytes) = std::fs::read(path) else { return (Vec::new(), None) };
    match serde_json::from_slice::<SavedQueue>(&bytes) {
        Ok(saved) if saved.version == SAVED_VERSION => {
            let items = saved
                .items
                .into_iter()
                .map(|mut item| {
                    item.state = ItemState::Paused;
                    item
                })
                .collect();
            (items, None)
        }
        other => {
            let why = match other {
                Ok(saved) => format!("version {} is not one this Ferry reads", saved.version),
                Err(error) => error.to_string(),
            };
            let kept = crate::config::move_aside(path);
            let error = FerryError::new(
                crate::error::ErrorKind::LocalIo,
                format!("reading the saved queue {}: kept it as {}", path.display(), kept.display()),
            )
            .with_detail(why);
            (Vec::new(), Some(error))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectSpec, Protocol};

    fn waiting_item() -> QueueItem {
        QueueItem {
            id: ItemId(3),
            request: RequestId(1),
            site: ConnectSpec::new(Protocol::Sftp, "files.example"),
            direction: Direction::Download,
            remote: "/srv/big.iso".into(),
            local: PathBuf::from("/home/me/big.iso"),
            local_root: PathBuf::from("/home/me"),
            is_folder: false,
            size: Some(40),
            modified: None,
            mode: None,
            bytes_done: 12,
            started: true,
            state: ItemState::Running,
            error: None,
            on_exists: OnExists::Resume,
            verify: false,
            integrity: None,
            retry_note: Some("connection lost; retry 2 of 3 in 4 s".into()),
            success_note: None,
        }
    }

    #[test]
    fn a_queue_saved_before_the_notes_were_split_still_loads_with_its_retry_note() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("queue.json");
        // An earlier Ferry wrote one `note` field, and no `retry_note` or `success_note`.
        let mut old_item = serde_json::to_value(waiting_item()).unwrap();
        let fields = old_item.as_object_mut().unwrap();
        fields.remove("retry_note");
        fields.remove("success_note");
        fields.insert("note".into(), "connection lost; retry 2 of 3 in 4 s".into());
        let old_file = serde_json::json!({ "version": 1, "items": [old_item] });
        std::fs::write(&path, serde_json::to_vec(&old_file).unwrap()).unwrap();

        let (items, problem) = load(&path);

        assert!(problem.is_none(), "{problem:?}");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].remote, "/srv/big.iso");
        assert_eq!(items[0].bytes_done, 12, "what arrived is remembered");
        assert_eq!(items[0].retry_note.as_deref(), Some("connection lost; retry 2 of 3 in 4 s"));
        assert_eq!(items[0].success_note, None);
        assert!(path.exists(), "the file was read, not kept aside");
    }

    #[test]
    fn a_saved_queue_keeps_both_notes_apart() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("queue.json");
        let mut item = waiting_item();
        item.success_note = Some("the server refused to resume; sent again from the start".into());
        save(&path, &[item]).unwrap();

        let (items, _) = load(&path);

        assert_eq!(items[0].retry_note.as_deref(), Some("connection lost; retry 2 of 3 in 4 s"));
        assert_eq!(items[0].success_note.as_deref(), Some("the server refused to resume; sent again from the start"));
    }
}
