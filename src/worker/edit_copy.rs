//! The private folder of an edit on disk, beside its copy: a lock that a running edit holds (so
//! another Ferry, or the next start, knows the folder is in use), a record of the bytes the server
//! last had, and the sweep at start that judges folders left by a crash (`transfer::edit` rules).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{FerryError, Result};
use crate::transfer::edit::{EditRecord, Leftover, LocalStamp, leftover_verdict, theirs_name};

/// Held by a running edit: the folder's lock file, locked for as long as the edit is open.
const LOCK_FILE: &str = ".ferry-edit.lock";
/// The record of what the server last had (see [`EditRecord`]).
const RECORD_FILE: &str = ".ferry-edit.json";
/// A folder made this recently without a record may be an edit being opened by another Ferry.
const BEING_MADE: Duration = Duration::from_secs(60);

/// The lock of one open edit's folder; dropping it releases the folder.
pub(super) struct FolderLock {
    _file: File,
}

/// Locks `folder` for a running edit. Fails when another edit holds it.
pub(super) fn lock_folder(folder: &Path) -> Result<FolderLock> {
    let path = folder.join(LOCK_FILE);
    let context = || format!("locking the private folder {}", folder.display());
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| FerryError::from_io(&e, context()))?;
    file.try_lock().map_err(|_| {
        FerryError::new(
            crate::error::ErrorKind::AlreadyExists,
            format!("{} is in use by another edit (another Ferry may have it open)", folder.display()),
        )
    })?;
    Ok(FolderLock { _file: file })
}

/// Records that the server now has the bytes `synced` of the copy in `folder`.
pub(super) fn write_record(folder: &Path, remote: &str, synced: LocalStamp) -> Result<()> {
    let record = EditRecord { remote: remote.to_string(), synced_sha256: hex::encode(synced.sha256()) };
    let json = serde_json::to_vec(&record).unwrap_or_default();
    crate::config::write_atomically(&folder.join(RECORD_FILE), &json)
        .map_err(|e| FerryError::from_io(&e, format!("writing the edit's record in {}", folder.display())))
}

/// What the sweep at start found: folders removed, and copies kept because they hold work the
/// server may not have (with the file each one edits).
#[derive(Debug, Default)]
pub(super) struct Swept {
    pub removed: usize,
    pub kept: Vec<(PathBuf, String)>,
}

/// Judges every folder under `root` that no running edit holds: one whose copy the server already
/// has is removed; one whose copy differs (or cannot be judged) is kept and reported. Nothing is
/// reused: a kept copy makes a new edit of that file refuse, naming it.
pub(super) fn sweep(root: &Path) -> Swept {
    let mut swept = Swept::default();
    let Ok(folders) = std::fs::read_dir(root) else { return swept };
    for folder in folders.flatten() {
        let folder = folder.path();
        // Only real folders: a link planted here is never followed, nor removed through.
        if !std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let Ok(_held) = lock_folder(&folder) else { continue };
        let record: Option<EditRecord> =
            std::fs::read(folder.join(RECORD_FILE)).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok());
        let copies = copy_files(&folder);
        let names: Vec<String> =
            copies.iter().filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string)).collect();
        // The server's version fetched for "Compare" sits beside the copy under a name made from
        // the copy's: only such a pair marks it, never a name alone (the user may edit "a.theirs.txt").
        let is_theirs = |path: &Path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            names.iter().any(|other| other != name && theirs_name(other) == name)
        };
        let young = std::fs::metadata(&folder)
            .and_then(|m| m.modified())
            .is_ok_and(|made| made.elapsed().is_ok_and(|age| age < BEING_MADE));
        // The folder holds one copy; should it hold more (a "theirs" beside it), each is judged.
        let mut verdict = leftover_verdict(record.as_ref(), None, young);
        let mut named = None;
        for copy in &copies {
            let stamp = LocalStamp::read(copy).ok();
            let judged = match stamp {
                Some(stamp) => leftover_verdict(record.as_ref(), Some(stamp), young),
                None => Leftover::KeepAndList,
            };
            if judged == Leftover::KeepAndList && !is_theirs(copy) {
                verdict = Leftover::KeepAndList;
                named = Some(copy.clone());
            }
        }
        match verdict {
            Leftover::Remove => match std::fs::remove_dir_all(&folder) {
                Ok(()) => swept.removed += 1,
                Err(error) => tracing::warn!(target: "ferry::edit", "could not remove {}: {error}", folder.display()),
            },
            Leftover::KeepAndList => {
                let remote = record.map(|r| r.remote).unwrap_or_else(|| "a file no record names".to_string());
                swept.kept.push((named.unwrap_or(folder), remote));
            }
            Leftover::LeaveAlone => {}
        }
    }
    swept
}

/// The files in a private folder other than Ferry's own bookkeeping.
fn copy_files(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else { return Vec::new() };
    entries
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name != LOCK_FILE && name != RECORD_FILE && !name.ends_with(".ferry-part")
        })
        .filter(|path| std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_folder_is_left_alone_and_an_unchanged_leftover_is_removed() {
        let root = tempfile::tempdir().unwrap();
        let live = root.path().join("live");
        let old = root.path().join("old");
        let work = root.path().join("work");
        for (folder, bytes) in [(&live, b"x" as &[u8]), (&old, b"same"), (&work, b"same")] {
            std::fs::create_dir_all(folder).unwrap();
            std::fs::write(folder.join("f.txt"), bytes).unwrap();
            write_record(folder, "sftp://h/f.txt", LocalStamp::read(&folder.join("f.txt")).unwrap()).unwrap();
        }
        std::fs::write(work.join("f.txt"), b"unsaved").unwrap();
        // Theirs, fetched for Compare, is no work of the user's; a file of the same name alone is.
        std::fs::write(old.join("f.theirs.txt"), b"theirs").unwrap();
        let alone = root.path().join("alone");
        std::fs::create_dir_all(&alone).unwrap();
        std::fs::write(alone.join("a.theirs.txt"), b"mine").unwrap();
        write_record(&alone, "sftp://h/a.theirs.txt", LocalStamp::read(&work.join("f.txt")).unwrap()).unwrap();
        let _held = lock_folder(&live).unwrap();
        std::fs::write(live.join("f.txt"), b"being edited").unwrap();

        let swept = sweep(root.path());

        assert!(live.exists(), "a running edit's folder is never touched");
        assert!(!old.exists());
        assert_eq!(swept.removed, 1);
        let mut kept = swept.kept.clone();
        kept.sort();
        let expected = vec![
            (alone.join("a.theirs.txt"), "sftp://h/a.theirs.txt".to_string()),
            (work.join("f.txt"), "sftp://h/f.txt".to_string()),
        ];
        assert_eq!(kept, expected);
        assert_eq!(std::fs::read(work.join("f.txt")).unwrap(), b"unsaved");
    }
}
