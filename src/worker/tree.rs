//! Operations on a whole folder tree: delete it, or set permissions on everything in it. Links
//! are never followed, and a name a server should not send (`..`, `a/b`) stops the walk rather
//! than aiming it somewhere else.

use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind};
use crate::transfer::limits::Limits;
use crate::transfer::names::{check_name, remote_join};

/// The folder's entries, each with its full path; refuses unsafe names.
async fn children(backend: &mut dyn Backend, dir: &str) -> Result<Vec<(String, Entry)>> {
    let entries = backend.list(dir).await?;
    entries
        .into_iter()
        .filter(|entry| entry.name != "." && entry.name != "..")
        .map(|entry| {
            // The download rules (a backslash refused too): a server on Windows reads `..\x` as
            // a way up, and a delete must never reach outside the folder.
            let joined = check_name(&entry.name).and_then(|()| remote_join(dir, &entry.name));
            joined.map(|path| (path, entry.clone())).map_err(|unsafe_name| {
                let error = unsafe_name.to_error(&entry.name);
                FerryError::new(ErrorKind::Protocol, format!("{} in {dir}; nothing more was changed", error.context))
            })
        })
        .collect()
}

/// Counts the folders and entries a walk from `top` visits, and stops it at the connection's
/// depth and item limits: a server whose folders contain themselves must not keep it going.
struct WalkBudget {
    limits: Limits,
    visited: usize,
}

impl WalkBudget {
    fn new(backend: &dyn Backend) -> Self {
        WalkBudget { limits: backend.limits(), visited: 0 }
    }

    /// Accounts for the folder `dir`, `depth` levels below the top, holding `entries` entries.
    fn visit(&mut self, top: &str, dir: &str, depth: usize, entries: usize) -> Result<()> {
        if depth > self.limits.plan_depth {
            return Err(self.limits.too_deep(dir));
        }
        self.visited = self.visited.saturating_add(entries);
        if self.visited > self.limits.plan_items {
            return Err(self.limits.too_many_items(top));
        }
        Ok(())
    }
}

/// One thing a recursive delete removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoomedEntry {
    /// Its full path: the top, or a checked name joined under it.
    pub path: String,
    /// A folder (removed once empty) or anything else (removed as a file; a link is removed,
    /// never what it leads to).
    pub kind: EntryKind,
}

/// Everything a delete of `path` removes, in the order it is removed: what each folder holds
/// before the folder. The whole tree is listed before anything goes, so a name a server should
/// not send (`..`, `/x`) anywhere in it stops the delete before a single file is gone. A link is
/// never followed, the top included: deleting a link deletes the link.
pub(super) async fn list_tree(backend: &mut dyn Backend, path: &str) -> Result<Vec<DoomedEntry>> {
    // "link/" names what the link leads to (a trailing slash follows a link): the top is looked
    // at, and deleted, by its own name.
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { path } else { trimmed };
    let top = backend.lstat(path).await?;
    if top.kind != EntryKind::Dir {
        return Ok(vec![DoomedEntry { path: path.to_string(), kind: top.kind }]);
    }
    // An explicit stack instead of recursion: async recursion needs boxing, and deep trees
    // must not overflow anything.
    let mut budget = WalkBudget::new(backend);
    let mut to_visit = vec![(path.to_string(), 0usize)];
    let mut files = Vec::new();
    let mut folders = Vec::new();
    while let Some((dir, depth)) = to_visit.pop() {
        let entries = children(backend, &dir).await?;
        budget.visit(path, &dir, depth, entries.len())?;
        for (child, entry) in entries {
            if entry.kind == EntryKind::Dir {
                to_visit.push((child, depth + 1));
            } else {
                files.push(DoomedEntry { path: child, kind: entry.kind });
            }
        }
        folders.push(DoomedEntry { path: dir, kind: EntryKind::Dir });
    }
    // A folder is listed after every folder inside it: deleted from the deepest up.
    files.extend(folders.into_iter().rev());
    Ok(files)
}

/// Deletes what [`list_tree`] listed, in its order.
pub(super) async fn remove_listed(backend: &mut dyn Backend, doomed: &[DoomedEntry]) -> Result<()> {
    for entry in doomed {
        match entry.kind {
            EntryKind::Dir => super::refusals::remove_dir(backend, &entry.path).await?,
            EntryKind::File | EntryKind::Symlink | EntryKind::Other => backend.remove_file(&entry.path).await?,
        }
    }
    Ok(())
}

/// Deletes `path`: a file or link directly, a folder with everything in it (depth first).
pub(super) async fn remove_tree(backend: &mut dyn Backend, path: &str) -> Result<()> {
    let doomed = list_tree(backend, path).await?;
    remove_listed(backend, &doomed).await
}

/// Sets `mode` on `path` and, when it is a folder, on everything inside (links are skipped:
/// chmod would change their target). Folders get their new mode last, after everything in them,
/// so a mode without read or search permission does not lock the walk out half way.
pub(super) async fn chmod_tree(backend: &mut dyn Backend, path: &str, mode: u32) -> Result<()> {
    if backend.stat(path).await?.kind != EntryKind::Dir {
        return backend.chmod(path, mode).await;
    }
    let mut budget = WalkBudget::new(backend);
    let mut to_visit = vec![(path.to_string(), 0usize)];
    let mut folders = Vec::new();
    while let Some((dir, depth)) = to_visit.pop() {
        let entries = children(backend, &dir).await?;
        budget.visit(path, &dir, depth, entries.len())?;
        for (child, entry) in entries {
            match entry.kind {
                EntryKind::Dir => to_visit.push((child, depth + 1)),
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
