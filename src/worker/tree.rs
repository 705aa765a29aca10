//! Operations on a whole folder tree: delete it, or set permissions on everything in it. Links
//! are never followed, and a name a server should not send (`..`, `a/b`) stops the walk rather
//! than aiming it somewhere else.

use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind};
use crate::transfer::names::remote_join;

/// The folder's entries, each with its full path; refuses unsafe names.
async fn children(backend: &mut dyn Backend, dir: &str) -> Result<Vec<(String, Entry)>> {
    let entries = backend.list(dir).await?;
    entries
        .into_iter()
        .filter(|entry| entry.name != "." && entry.name != "..")
        .map(|entry| {
            remote_join(dir, &entry.name).map(|path| (path, entry.clone())).map_err(|unsafe_name| {
                let error = unsafe_name.to_error(&entry.name);
                FerryError::new(ErrorKind::Protocol, format!("{} in {dir}; nothing more was changed", error.context))
            })
        })
        .collect()
}

/// Deletes `path`: a file or link directly, a folder with everything in it (depth first).
pub(super) async fn remove_tree(backend: &mut dyn Backend, path: &str) -> Result<()> {
    let entry = backend.stat(path).await?;
    if entry.kind != EntryKind::Dir {
        return backend.remove_file(path).await;
    }
    // An explicit stack instead of recursion: async recursion needs boxing, and deep trees
    // must not overflow anything. Folders are removed after everything under them.
    let mut to_visit = vec![path.to_string()];
    let mut folders = Vec::new();
    while let Some(dir) = to_visit.pop() {
        for (child, entry) in children(backend, &dir).await? {
            if entry.kind == EntryKind::Dir {
                to_visit.push(child);
            } else {
                backend.remove_file(&child).await?;
            }
        }
        folders.push(dir);
    }
    for dir in folders.iter().rev() {
        backend.remove_dir(dir).await?;
    }
    Ok(())
}

/// Sets `mode` on `path` and, when it is a folder, on everything inside (links are skipped:
/// chmod would change their target). Folders get their new mode last, after everything in them,
/// so a mode without read or search permission does not lock the walk out half way.
pub(super) async fn chmod_tree(backend: &mut dyn Backend, path: &str, mode: u32) -> Result<()> {
    if backend.stat(path).await?.kind != EntryKind::Dir {
        return backend.chmod(path, mode).await;
    }
    let mut to_visit = vec![path.to_string()];
    let mut folders = Vec::new();
    while let Some(dir) = to_visit.pop() {
        for (child, entry) in children(backend, &dir).await? {
            match entry.kind {
                EntryKind::Dir => to_visit.push(child),
                EntryKind::File => backend.chmod(&child, mode).await?,
                EntryKind::Symlink | EntryKind::Other => {}
            }
        }
        folders.push(dir);
    }
    for dir in folders.iter().rev() {
        backend.chmod(dir, mode).await?;
    }
    Ok(())
}
