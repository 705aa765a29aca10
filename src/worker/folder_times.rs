//! Gives the folders of a recursive copy their source's times once everything in them has
//! arrived (writing a file into a folder changes the folder's time, so they are set last, the
//! deepest first). Local folders for downloads; remote ones, over a pooled connection, for
//! uploads. A folder whose time cannot be set is a warning in the log, never a failed transfer.

use chrono::{DateTime, Utc};

use super::queue::{Direction, QueueItem};
use crate::backend::Backend;
use crate::error::ErrorKind;
use crate::model::escape_control;

/// The folders to date, deepest first, with their times: those whose site keeps times and
/// whose source had one.
pub(super) fn in_order(mut folders: Vec<QueueItem>) -> Vec<(QueueItem, DateTime<Utc>)> {
    folders.retain(|item| item.site.keep.times && item.modified.is_some());
    let depth = |item: &QueueItem| match item.direction {
        Direction::Upload => item.remote.matches('/').count(),
        Direction::Download => item.local.components().count(),
    };
    folders.sort_by_key(|item| std::cmp::Reverse(depth(item)));
    folders.into_iter().filter_map(|item| item.modified.map(|time| (item, time))).collect()
}

/// Sets the times of downloaded folders on this computer.
pub(super) async fn date_local(folders: Vec<(QueueItem, DateTime<Utc>)>) {
    date_local_paths(folders.into_iter().map(|(item, time)| (item.local, time)).collect()).await;
}

/// Sets the times of local folders, the deepest first (so setting one never changes another's
/// after it was set). A link is never followed: only real folders get a time.
pub(super) async fn date_local_paths(mut folders: Vec<(std::path::PathBuf, DateTime<Utc>)>) {
    folders.sort_by_key(|(path, _)| std::cmp::Reverse(path.components().count()));
    let _ = tokio::task::spawn_blocking(move || {
        for (path, time) in folders {
            if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
                continue;
            }
            let set = std::fs::File::open(&path).and_then(|folder| folder.set_modified(time.into()));
            if let Err(error) = set {
                let name = escape_control(&path.display().to_string());
                tracing::warn!(target: "ferry::transfer", "could not keep the time of the folder {name}: {error}");
            }
        }
    })
    .await;
}

/// Sets the times of uploaded folders on the server. A server that cannot set a folder's time
/// at all is told once, not once per folder.
pub(super) async fn date_remote(backend: &mut dyn Backend, folders: Vec<(QueueItem, DateTime<Utc>)>) {
    for (item, time) in folders {
        if let Err(error) = backend.set_modified(&item.remote, time).await {
            let name = escape_control(&item.remote);
            tracing::warn!(target: "ferry::transfer", "could not keep the time of the folder {name}: {error}");
            if matches!(error.kind, ErrorKind::Unsupported | ErrorKind::ConnectionLost | ErrorKind::Timeout) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConnectSpec, Protocol, RequestId};
    use crate::transfer::policy::OnExists;
    use crate::worker::{ItemId, ItemState};

    fn folder(remote: &str, keep_times: bool) -> QueueItem {
        let mut site = ConnectSpec::new(Protocol::Sftp, "example.org");
        site.keep.times = keep_times;
        QueueItem {
            id: ItemId(1),
            request: RequestId(1),
            site,
            direction: Direction::Upload,
            remote: remote.into(),
            local: "/home/me/a".into(),
            local_root: "/home/me".into(),
            is_folder: true,
            size: None,
            modified: DateTime::<Utc>::from_timestamp(1_000_000, 0),
            mode: None,
            bytes_done: 0,
            started: true,
            state: ItemState::Done,
            error: None,
            on_exists: OnExists::Overwrite,
            verify: false,
            integrity: None,
            retry_note: None,
            success_note: None,
        }
    }

    #[test]
    fn the_deepest_folders_come_first_and_a_site_that_keeps_no_times_gets_none() {
        let order = in_order(vec![folder("/a", true), folder("/a/b/c", true), folder("/a/b", true)]);
        let names: Vec<&str> = order.iter().map(|(item, _)| item.remote.as_str()).collect();
        assert_eq!(names, ["/a/b/c", "/a/b", "/a"]);
        assert!(in_order(vec![folder("/a", false)]).is_empty());
    }
}
