//! Turns "download this folder" or "upload that one" into queue items, one per file and one per
//! folder, refusing (and reporting) names that could lead outside the destination.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{EntryKind, escape_control, file_name_remote, join_remote};
use crate::transfer::links::{FollowLinks, LinkDecision, LinkWalk};
use crate::transfer::names::{check_name, local_target, remote_join};

/// One planned item, before it gets an id and a place in the queue.
#[derive(Debug, Clone)]
pub struct Seed {
    pub remote: String,
    pub local: PathBuf,
    pub is_folder: bool,
    pub size: Option<u64>,
    pub modified: Option<DateTime<Utc>>,
    /// The source's permission bits, where the listing gave them.
    pub mode: Option<u32>,
    /// Set when the entry must not be transferred (an unsafe name, a symlinked folder): it is
    /// queued as skipped with this reason, so the user sees it.
    pub refused: Option<FerryError>,
}

impl Seed {
    fn file(remote: String, local: PathBuf, size: Option<u64>, modified: Option<DateTime<Utc>>) -> Self {
        Seed { remote, local, is_folder: false, size, modified, mode: None, refused: None }
    }

    fn folder(remote: String, local: PathBuf) -> Self {
        Seed { remote, local, is_folder: true, size: None, modified: None, mode: None, refused: None }
    }

    fn refused(remote: String, local: PathBuf, why: FerryError) -> Self {
        Seed { remote, local, is_folder: false, size: None, modified: None, mode: None, refused: Some(why) }
    }

    /// The same seed, carrying the source's modification time (a folder's is set after its contents).
    fn with_modified(self, modified: Option<DateTime<Utc>>) -> Self {
        Seed { modified, ..self }
    }

    /// The same seed, carrying the source's permission bits.
    fn with_mode(self, mode: Option<u32>) -> Self {
        Seed { mode, ..self }
    }
}

/// Whether the top of a copy is a folder without a name of its own ("/", the login folder as
/// "."): such a root is the user's choice, not a name a server sent, so it is not checked.
fn is_nameless_root(name: &str) -> bool {
    matches!(name, "" | ".")
}

/// Where a download of the remote `name` goes when the user names `local`, and the folder it
/// may write under (the root no write may leave). An existing folder, or a path ending in a
/// separator, is the folder the user chose: the copy keeps its (checked) name inside it, as `cp`
/// and `scp` do. Any other path is the file (or new folder) the user named, under its own parent.
fn download_destination(local: &Path, name: &str) -> Result<(PathBuf, PathBuf)> {
    let ends_in_separator = local.as_os_str().to_string_lossy().chars().last().is_some_and(std::path::is_separator);
    if local.is_dir() || ends_in_separator {
        let target = local_target(local, &[name]).map_err(|why| why.to_error(name))?;
        return Ok((target, local.to_path_buf()));
    }
    // The user typed this path: its parent is their choice ("" for a bare name: the current folder).
    let root = local.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    Ok((local.to_path_buf(), root))
}

/// Plans the download of `remote` to `local` (a file, or with `recursive` a whole folder).
/// Returns the seeds and the local folder the plan writes under (the root that no write may leave):
/// always the folder the user chose, never one derived from a name the server sent.
pub async fn plan_download(
    backend: &mut dyn Backend,
    remote: &str,
    local: &Path,
    recursive: bool,
    follow: FollowLinks,
) -> Result<(Vec<Seed>, PathBuf)> {
    let name = file_name_remote(remote).to_string();
    // A name of its own is checked before the server is asked anything; a nameless root ("/",
    // ".") only once the server says it is a folder.
    if !is_nameless_root(&name) {
        check_name(&name).map_err(|why| why.to_error(&name))?;
    }
    let found = backend.stat(remote).await;
    let top = super::broken_links::explained(backend, remote, found).await?;
    let nameless = is_nameless_root(&name) && top.kind == EntryKind::Dir;
    let (target, root) = if nameless {
        // The server's root (or "."): a folder with no name to check. Its contents go straight
        // into the folder the user chose, which is also the root no write may leave (made here
        // when missing, as `cp -r` does, since no item creates the root itself).
        std::fs::create_dir_all(local).map_err(|e| FerryError::from_io(&e, format!("creating {}", local.display())))?;
        (local.to_path_buf(), local.to_path_buf())
    } else {
        check_name(&name).map_err(|why| why.to_error(&name))?;
        download_destination(local, &name)?
    };
    if top.kind != EntryKind::Dir {
        return Ok((
            vec![Seed::file(remote.to_string(), target, top.size, top.modified).with_mode(top.permissions)],
            root,
        ));
    }
    if !recursive {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!("{remote} is a folder: download it recursively (-r)"),
        ));
    }
    let mut seeds = if nameless {
        Vec::new()
    } else {
        vec![Seed::folder(remote.to_string(), target.clone()).with_modified(top.modified)]
    };
    // Where the top really is, so links are judged by where they lead (inside or not, a loop).
    let top_real = real_path_if_known(backend, remote).await?;
    let mut links = LinkWalk::new(follow, top_real.clone());
    // Each folder with its depth below `remote` and its real path: a server whose folders contain
    // themselves stops at the depth limit, and a huge tree at the item limit.
    let limits = backend.limits();
    let mut pending = vec![Pending { dir: remote.to_string(), local_dir: target, depth: 0, real: top_real }];
    while let Some(Pending { dir, local_dir, depth, real }) = pending.pop() {
        if depth > limits.plan_depth {
            return Err(limits.too_deep(&dir));
        }
        let entries = backend.list(&dir).await?;
        // The folders seen here are entered before any link is judged, so a link back into one
        // of them is the one left out, not the folder. One entered already (through a link
        // followed earlier) is not copied twice.
        let mut copied_already = std::collections::HashSet::new();
        if let Some(real) = &real {
            for entry in entries.iter().filter(|entry| entry.kind == EntryKind::Dir) {
                if !links.enter(&join_remote(real, &entry.name)) {
                    copied_already.insert(entry.name.clone());
                }
            }
        }
        for entry in entries {
            if seeds.len() >= limits.plan_items {
                return Err(limits.too_many_items(remote));
            }
            let remote_path = join_remote(&dir, &entry.name);
            let local_path = match local_target(&local_dir, &[&entry.name]) {
                Ok(local_path) => local_path,
                Err(why) => {
                    seeds.push(Seed::refused(remote_path, local_dir.clone(), why.to_error(&entry.name)));
                    continue;
                }
            };
            match entry.kind {
                EntryKind::Dir if copied_already.contains(&entry.name) => {
                    let why =
                        format!("{} is copied already, through a link (a link loop)", escape_control(&remote_path));
                    seeds.push(Seed::refused(remote_path, local_path, FerryError::new(ErrorKind::Unsupported, why)));
                }
                EntryKind::Dir => {
                    seeds.push(Seed::folder(remote_path.clone(), local_path.clone()).with_modified(entry.modified));
                    let real = real.as_deref().map(|real| join_remote(real, &entry.name));
                    pending.push(Pending { dir: remote_path, local_dir: local_path, depth: depth + 1, real });
                }
                EntryKind::File => seeds
                    .push(Seed::file(remote_path, local_path, entry.size, entry.modified).with_mode(entry.permissions)),
                EntryKind::Symlink => {
                    let end = match backend.stat(&remote_path).await {
                        Ok(end) => end,
                        Err(error) => {
                            let error = super::broken_links::explain(backend, &remote_path, error).await;
                            seeds.push(Seed::refused(remote_path, local_path, error));
                            continue;
                        }
                    };
                    let real = real_path_if_known(backend, &remote_path).await?;
                    match links.decide(&remote_path, end.kind, real.as_deref()) {
                        LinkDecision::CopyFile => seeds.push(
                            Seed::file(remote_path, local_path, end.size, end.modified).with_mode(end.permissions),
                        ),
                        LinkDecision::EnterFolder => {
                            seeds.push(
                                Seed::folder(remote_path.clone(), local_path.clone()).with_modified(end.modified),
                            );
                            pending.push(Pending { dir: remote_path, local_dir: local_path, depth: depth + 1, real });
                        }
                        LinkDecision::Leave(why) => seeds.push(Seed::refused(remote_path, local_path, why)),
                    }
                }
                EntryKind::Other => seeds.push(Seed::refused(
                    remote_path.clone(),
                    local_path,
                    FerryError::new(ErrorKind::Unsupported, format!("{remote_path} is not a file or folder")),
                )),
            }
        }
    }
    Ok((seeds, root))
}

/// A folder a download plan has still to list.
struct Pending {
    dir: String,
    local_dir: PathBuf,
    depth: usize,
    /// Where it really is on the server, where the server can say.
    real: Option<String>,
}

/// Where `path` really is, or `None` where the server cannot say (or the link leads nowhere);
/// only a lost connection is an error.
async fn real_path_if_known(backend: &mut dyn Backend, path: &str) -> Result<Option<String>> {
    match backend.real_path(path).await {
        Ok(real) => Ok(Some(real)),
        Err(error) if matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) => Err(error),
        Err(_) => Ok(None),
    }
}

/// Plans the upload of `local` to `remote` (a file, or with `recursive` a whole folder).
pub async fn plan_upload(backend: &mut dyn Backend, local: &Path, remote: &str, recursive: bool) -> Result<Vec<Seed>> {
    let name = local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let remote_is_dir = remote.ends_with('/') || backend.stat(remote).await.is_ok_and(|e| e.kind == EntryKind::Dir);
    // A nameless local folder ("." or "/") is copied by its contents, into `remote` itself.
    let nameless = is_nameless_root(&name) && local.is_dir();
    let target = if remote_is_dir && !nameless {
        remote_join(remote, &name).map_err(|why| why.to_error(&name))?
    } else {
        remote.to_string()
    };
    let metadata =
        std::fs::metadata(local).map_err(|e| FerryError::from_io(&e, format!("reading {}", local.display())))?;
    if !metadata.is_dir() {
        let modified = metadata.modified().ok().map(DateTime::<Utc>::from);
        return Ok(vec![Seed::file(target, local.to_path_buf(), Some(metadata.len()), modified)]);
    }
    if !recursive {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!("{} is a folder: upload it recursively (-r)", local.display()),
        ));
    }
    let local = local.to_path_buf();
    tokio::task::spawn_blocking(move || walk_local(&local, &target))
        .await
        .map_err(|e| FerryError::new(ErrorKind::LocalIo, "reading local folders").with_detail(e.to_string()))?
}

/// Walks a local folder for upload. Symlinks to files inside the folder are uploaded as files;
/// symlinks that lead outside it, or to folders, are skipped and listed with the reason.
fn walk_local(local: &Path, remote: &str) -> Result<Vec<Seed>> {
    let root =
        std::fs::canonicalize(local).map_err(|e| FerryError::from_io(&e, format!("reading {}", local.display())))?;
    let modified_of = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok().map(DateTime::<Utc>::from);
    let mut seeds = vec![Seed::folder(remote.to_string(), local.to_path_buf()).with_modified(modified_of(local))];
    let mut pending = vec![(local.to_path_buf(), remote.to_string())];
    while let Some((dir, remote_dir)) = pending.pop() {
        let reader =
            std::fs::read_dir(&dir).map_err(|e| FerryError::from_io(&e, format!("listing {}", dir.display())))?;
        let mut entries: Vec<_> = reader.flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let remote_path = match remote_join(&remote_dir, &name) {
                Ok(remote_path) => remote_path,
                Err(why) => {
                    seeds.push(Seed::refused(join_remote(&remote_dir, "?"), path, why.to_error(&name)));
                    continue;
                }
            };
            let Ok(link) = std::fs::symlink_metadata(&path) else { continue };
            let metadata = if link.file_type().is_symlink() {
                match super::upload_links::follow(&path, &root) {
                    Ok(target) => Some(target),
                    Err(why) => {
                        let why = why.error(&path);
                        seeds.push(Seed::refused(remote_path, path, why));
                        continue;
                    }
                }
            } else {
                Some(link.clone())
            };
            match metadata {
                Some(m) if m.is_dir() && !link.file_type().is_symlink() => {
                    let modified = m.modified().ok().map(DateTime::<Utc>::from);
                    seeds.push(Seed::folder(remote_path.clone(), path.clone()).with_modified(modified));
                    pending.push((path, remote_path));
                }
                Some(m) if m.is_file() => {
                    let modified = m.modified().ok().map(DateTime::<Utc>::from);
                    seeds.push(Seed::file(remote_path, path, Some(m.len()), modified));
                }
                _ => seeds.push(Seed::refused(
                    remote_path,
                    path.clone(),
                    FerryError::new(
                        ErrorKind::Unsupported,
                        format!("{} is not a file or folder (or links to a folder)", path.display()),
                    ),
                )),
            }
        }
    }
    Ok(seeds)
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;

    use super::*;
    use crate::backend::{ProgressFn, Sink, Source, WriteStart};
    use crate::model::Entry;

    /// A server that lists hostile names: fault injection for names no real file system holds.
    struct HostileServer;

    fn unsupported<T>() -> Result<T> {
        Err(FerryError::new(ErrorKind::Unsupported, "not part of this test"))
    }

    #[async_trait]
    impl Backend for HostileServer {
        fn home(&self) -> &str {
            "/"
        }
        async fn list(&mut self, _path: &str) -> Result<Vec<Entry>> {
            let names = ["", ".", "..", "/etc/passwd", "a/b", "a\\b", "nul\0byte", "cr\rx", "lf\nx", "fine.txt"];
            Ok(names.iter().map(|name| Entry::new(*name, EntryKind::File)).collect())
        }
        async fn stat(&mut self, path: &str) -> Result<Entry> {
            Ok(Entry::new(file_name_remote(path), if path == "/top" { EntryKind::Dir } else { EntryKind::File }))
        }
        async fn mkdir(&mut self, _: &str) -> Result<()> {
            unsupported()
        }
        async fn rename(&mut self, _: &str, _: &str) -> Result<()> {
            unsupported()
        }
        async fn remove_file(&mut self, _: &str) -> Result<()> {
            unsupported()
        }
        async fn remove_dir(&mut self, _: &str) -> Result<()> {
            unsupported()
        }
        async fn chmod(&mut self, _: &str, _: u32) -> Result<()> {
            unsupported()
        }
        async fn read_to(&mut self, _: &str, _: u64, _: Sink<'_>, _: ProgressFn<'_>) -> Result<u64> {
            unsupported()
        }
        async fn write_from(&mut self, _: &str, _: WriteStart, _: Source<'_>, _: ProgressFn<'_>) -> Result<u64> {
            unsupported()
        }
        async fn set_modified(&mut self, _: &str, _: DateTime<Utc>) -> Result<()> {
            unsupported()
        }
        async fn keep_alive(&mut self) -> Result<()> {
            Ok(())
        }
        async fn disconnect(&mut self) -> Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn hostile_names_are_refused_and_reported_never_planned_outside() {
        let destination = tempfile::tempdir().unwrap();
        let (seeds, root) =
            plan_download(&mut HostileServer, "/top", destination.path(), true, FollowLinks::Inside).await.unwrap();
        assert_eq!(root, destination.path());
        let refused: Vec<&Seed> = seeds.iter().filter(|s| s.refused.is_some()).collect();
        assert_eq!(refused.len(), 9, "{seeds:#?}");
        let planned: Vec<&Seed> = seeds.iter().filter(|s| s.refused.is_none() && !s.is_folder).collect();
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].local, destination.path().join("top").join("fine.txt"));
        for seed in &seeds {
            assert!(seed.local.starts_with(destination.path()), "{seed:?}");
        }
    }

    #[tokio::test]
    async fn the_root_is_the_folder_the_user_chose() {
        let destination = tempfile::tempdir().unwrap();
        // A folder named with a trailing separator, as the window names its pane's folder, even
        // before it exists: the file keeps its name inside it.
        let folder = destination.path().join("not-yet");
        let mut named = folder.clone().into_os_string();
        named.push("/");
        let (seeds, root) =
            plan_download(&mut HostileServer, "/srv/fine.txt", Path::new(&named), false, FollowLinks::Inside)
                .await
                .unwrap();
        assert_eq!(root, Path::new(&named));
        assert_eq!(seeds[0].local, folder.join("fine.txt"));
        // A file name the user typed: its own folder is the root.
        let file = destination.path().join("renamed.txt");
        let (seeds, root) =
            plan_download(&mut HostileServer, "/srv/fine.txt", &file, false, FollowLinks::Inside).await.unwrap();
        assert_eq!((seeds[0].local.as_path(), root.as_path()), (file.as_path(), destination.path()));
        // A remote path whose own name is not one harmless name is refused before anything else.
        let error = plan_download(&mut HostileServer, "/srv/a\\b", destination.path(), false, FollowLinks::Inside)
            .await
            .unwrap_err();
        assert!(error.context.contains("refusing the name"), "{error}");
    }
}
