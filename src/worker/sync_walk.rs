//! Lists both sides of a folder sync into trees of relative paths: a remote folder over one
//! connection, a local one on the disk. Every name goes through the same check as a download's
//! (`..`, `/`, `\`, NUL, CR, LF are refused and reported, never joined), links to folders are not
//! followed, excluded paths are left out (an excluded folder is not even listed), and a walk
//! stops at the connection's depth and item limits.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{EntryKind, join_remote};
use crate::transfer::limits::Limits;
use crate::transfer::names::check_name;
use crate::transfer::sync_filter::Excludes;
use crate::transfer::sync_plan::{SideEntry, Tree};

/// One side's tree, and what it would not take (with the reason).
#[derive(Debug, Default)]
pub struct Walked {
    /// Whether the top folder exists (the target of a first sync may not).
    pub root_exists: bool,
    pub tree: Tree,
    pub refused: Vec<FerryError>,
    /// Temporary files an earlier, cut sync left (`.NAME.ferry-part`): the relative path of the
    /// file each one stands for, and its size. Never synced as files of their own.
    pub parts: std::collections::BTreeMap<String, u64>,
}

impl Walked {
    /// Adds `name` found in the folder `dir` (relative, "" at the top), or refuses it. Returns
    /// its relative path when it was taken and is not excluded.
    fn take(&mut self, dir: &str, name: &str, entry: SideEntry, excludes: &Excludes) -> Option<String> {
        if let Err(why) = check_name(name) {
            let error = why.to_error(name);
            let place = if dir.is_empty() { String::new() } else { format!(" in {dir}") };
            self.refused.push(FerryError::new(error.kind, format!("{}{place}", error.context)));
            return None;
        }
        let path = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
        if let Some(target) = part_of(name).filter(|_| !entry.is_folder && !entry.unfollowed_link) {
            let target = if dir.is_empty() { target.to_string() } else { format!("{dir}/{target}") };
            self.parts.insert(target, entry.size.unwrap_or(0));
            return None;
        }
        if excludes.excluded(&path, entry.is_folder) {
            return None;
        }
        if self.tree.contains_key(&path) {
            let error = FerryError::new(
                ErrorKind::Protocol,
                format!("\"{}\" is listed twice; left alone", crate::model::escape_control(&path)),
            );
            self.refused.push(error);
            return None;
        }
        self.tree.insert(path.clone(), entry);
        Some(path)
    }
}

/// The name of the file a temporary `.NAME.ferry-part` stands for, if `name` is one.
fn part_of(name: &str) -> Option<&str> {
    name.strip_prefix('.').and_then(|rest| rest.strip_suffix(".ferry-part")).filter(|target| check_name(target).is_ok())
}

/// Counts a walk against the depth and item limits, so a server whose folders contain
/// themselves cannot keep it going.
fn check_limits(limits: &Limits, top: &str, dir: &str, depth: usize, items: usize) -> Result<()> {
    if depth > limits.plan_depth {
        return Err(limits.too_deep(dir));
    }
    if items > limits.plan_items {
        return Err(limits.too_many_items(top));
    }
    Ok(())
}

/// Lists the remote folder `root` and everything in it. A root that does not exist is an empty
/// tree (the target of a first sync); one that is a file is an error.
pub async fn walk_remote(backend: &mut dyn Backend, root: &str, excludes: &Excludes) -> Result<Walked> {
    let mut walked = Walked::default();
    match backend.stat(root).await {
        Ok(top) if top.kind == EntryKind::Dir => walked.root_exists = true,
        Ok(_) => return Err(FerryError::new(ErrorKind::Unsupported, format!("{root} is a file, not a folder"))),
        Err(error) if error.kind == ErrorKind::NotFound => return Ok(walked),
        Err(error) => return Err(error),
    }
    let limits = backend.limits();
    let mut pending = vec![(String::new(), 0usize)];
    while let Some((dir, depth)) = pending.pop() {
        let remote_dir = if dir.is_empty() { root.to_string() } else { join_remote(root, &dir) };
        check_limits(&limits, root, &remote_dir, depth, walked.tree.len())?;
        for entry in backend.list(&remote_dir).await? {
            let side = match entry.kind {
                // The folder's time is kept on the copy (set once all in it has arrived).
                EntryKind::Dir => SideEntry { modified: entry.modified, ..SideEntry::folder() },
                EntryKind::File => SideEntry {
                    mode: entry.permissions,
                    modified_precision: entry.modified_precision,
                    ..SideEntry::file(entry.size, entry.modified)
                },
                // A link to a file is synced as that file; a link to a folder is not followed
                // (which also ends a server's link loop).
                EntryKind::Symlink => match backend.stat(&join_remote(&remote_dir, &entry.name)).await {
                    Ok(target) if target.kind == EntryKind::File => SideEntry {
                        mode: target.permissions,
                        modified_precision: target.modified_precision,
                        ..SideEntry::file(target.size, target.modified)
                    },
                    // Kept as a link: nothing is written through it, and only it is deleted.
                    _ => SideEntry::unfollowed_link(),
                },
                EntryKind::Other => continue,
            };
            let is_folder = side.is_folder;
            if let Some(path) = walked.take(&dir, &entry.name, side, excludes)
                && is_folder
            {
                pending.push((path, depth + 1));
            }
        }
    }
    Ok(walked)
}

/// Lists the local folder `root` and everything in it (on a blocking thread). Links to files
/// inside the folder count as those files; other links are kept as links, never followed.
pub async fn walk_local(root: PathBuf, excludes: Excludes, limits: Limits) -> Result<Walked> {
    tokio::task::spawn_blocking(move || walk_local_blocking(&root, &excludes, &limits))
        .await
        .map_err(|e| FerryError::new(ErrorKind::LocalIo, "reading local folders").with_detail(e.to_string()))?
}

fn walk_local_blocking(root: &Path, excludes: &Excludes, limits: &Limits) -> Result<Walked> {
    let mut walked = Walked::default();
    let canonical = match std::fs::canonicalize(root) {
        Ok(canonical) if canonical.is_dir() => canonical,
        Ok(_) => {
            return Err(FerryError::new(ErrorKind::Unsupported, format!("{} is a file, not a folder", root.display())));
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(walked),
        Err(error) => return Err(FerryError::from_io(&error, format!("reading {}", root.display()))),
    };
    walked.root_exists = true;
    let top = root.display().to_string();
    let mut pending = vec![(String::new(), root.to_path_buf(), 0usize)];
    while let Some((dir, local_dir, depth)) = pending.pop() {
        check_limits(limits, &top, &local_dir.display().to_string(), depth, walked.tree.len())?;
        let reader = std::fs::read_dir(&local_dir)
            .map_err(|e| FerryError::from_io(&e, format!("listing {}", local_dir.display())))?;
        for entry in reader {
            let entry = entry.map_err(|e| FerryError::from_io(&e, format!("listing {}", local_dir.display())))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let link = std::fs::symlink_metadata(&path)
                .map_err(|e| FerryError::from_io(&e, format!("reading {}", path.display())))?;
            let metadata = if link.file_type().is_symlink() {
                match super::upload_links::follow(&path, &canonical) {
                    Ok(target) => target,
                    Err(why) => {
                        // Kept as a link: nothing is written through it, and only it is deleted.
                        walked.take(&dir, &name, SideEntry::unfollowed_link_as(why.words()), excludes);
                        continue;
                    }
                }
            } else {
                link
            };
            let modified = metadata.modified().ok().map(DateTime::<Utc>::from);
            let side = if metadata.is_dir() {
                SideEntry { modified, ..SideEntry::folder() }
            } else if metadata.is_file() {
                SideEntry::file(Some(metadata.len()), modified)
            } else {
                continue;
            };
            let is_folder = side.is_folder;
            if let Some(relative) = walked.take(&dir, &name, side, excludes)
                && is_folder
            {
                pending.push((relative, path, depth + 1));
            }
        }
    }
    Ok(walked)
}

/// The local path of `relative` below `root`, built name by name (each was checked by the walk).
pub fn local_path(root: &Path, relative: &str) -> PathBuf {
    relative.split('/').fold(root.to_path_buf(), |path, name| path.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_walk_takes_files_and_folders_and_leaves_out_excludes_and_outside_links() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("a/b")).unwrap();
        std::fs::write(root.path().join("a/b/c.txt"), b"abc").unwrap();
        std::fs::write(root.path().join("a/x.log"), b"log").unwrap();
        std::fs::create_dir_all(root.path().join("cache")).unwrap();
        std::fs::write(root.path().join("cache/big"), b"big").unwrap();
        std::fs::write(outside.path().join("secret"), b"s").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.path().join("leak")).unwrap();
        let excludes = Excludes::new(&["*.log".to_string(), "cache/".to_string()]).unwrap();
        let walked = walk_local(root.path().to_path_buf(), excludes, Limits::default()).await.unwrap();
        let paths: Vec<&str> = walked.tree.keys().map(String::as_str).collect();
        assert_eq!(paths, vec!["a", "a/b", "a/b/c.txt", "leak"]);
        assert_eq!(walked.tree["a/b/c.txt"].size, Some(3));
        assert!(walked.tree["leak"].unfollowed_link, "a link out of the folder is kept as a link, not followed");
        std::fs::write(root.path().join("a/b/.c.txt.ferry-part"), b"ab").unwrap();
        let walked = walk_local(root.path().to_path_buf(), Excludes::none(), Limits::default()).await.unwrap();
        assert!(!walked.tree.keys().any(|path| path.contains("ferry-part")), "a part file is no file to sync");
        assert_eq!(walked.parts.get("a/b/c.txt"), Some(&2));
        let missing = walk_local(root.path().join("nope"), Excludes::none(), Limits::default()).await.unwrap();
        assert!(missing.tree.is_empty(), "a target not made yet is empty");
    }
}
