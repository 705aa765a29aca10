//! One queue item's bytes. A download lands under a hidden name beside its target, continues from
//! what is already there, and is renamed into place only when complete and checked; an upload
//! continues from the server's copy. Local writes never follow a symlink.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::queue::{Integrity, QueueItem};
use crate::backend::{Backend, WriteStart};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::parent_remote;
use crate::transfer::capped::CappedWriter;
use crate::transfer::limits::{DOWNLOAD_MARGIN, file_grew};

/// The temporary name a download is written under: hidden, beside the target, so the final
/// rename stays on one file system and never leaves a half file under the real name.
pub fn part_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "download".into());
    target.with_file_name(format!(".{name}.ferry-part"))
}

/// Creates `dir` and any missing folders between `root` and it. Folders below `root` must be real
/// folders: a symlink there could lead the download out of the destination, so it is refused.
pub fn ensure_local_dir(root: &Path, dir: &Path) -> Result<()> {
    let relative = dir.strip_prefix(root).map_err(|_| {
        FerryError::new(ErrorKind::PermissionDenied, format!("{} is outside {}", dir.display(), root.display()))
    })?;
    if !root.is_dir() {
        std::fs::create_dir_all(root).map_err(|e| FerryError::from_io(&e, format!("creating {}", root.display())))?;
    }
    let mut current = root.to_path_buf();
    for component in relative.components() {
        current.push(component);
        match std::fs::symlink_metadata(&current) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => {
                return Err(FerryError::new(
                    ErrorKind::AlreadyExists,
                    format!("{} is not a folder (a symlink or a file); not writing through it", current.display()),
                ));
            }
            Err(_) => match std::fs::create_dir(&current) {
                Ok(()) => {}
                // Another transfer of the same batch made it a moment ago.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && current.is_dir() => {}
                Err(e) => return Err(FerryError::from_io(&e, format!("creating {}", current.display()))),
            },
        }
    }
    Ok(())
}

/// Opens a local file for writing without following a symlink at its name.
async fn open_no_follow(path: &Path, truncate: bool) -> Result<tokio::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let path = path.to_path_buf();
    let file = tokio::task::spawn_blocking(move || {
        options.open(&path).map_err(|e| FerryError::from_io(&e, format!("writing {}", path.display())))
    })
    .await
    .map_err(|e| FerryError::new(ErrorKind::LocalIo, "opening a local file").with_detail(e.to_string()))??;
    Ok(tokio::fs::File::from_std(file))
}

/// SHA-256 of a local file, lowercase hex.
async fn local_sha256(path: &Path) -> Result<String> {
    let context = format!("reading {}", path.display());
    let mut file = tokio::fs::File::open(path).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; crate::backend::CHUNK_SIZE];
    loop {
        let read = file.read(&mut buffer).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares the server's SHA-256 with the local file's, where the server can compute one.
async fn check_integrity(backend: &mut dyn Backend, item: &QueueItem, local: &Path) -> Result<Integrity> {
    if !item.verify {
        return Ok(Integrity::SizeChecked);
    }
    let Some(remote) = backend.checksum_sha256(&item.remote).await? else { return Ok(Integrity::SizeChecked) };
    let ours = local_sha256(local).await?;
    if remote != ours {
        return Err(FerryError::new(
            ErrorKind::Protocol,
            format!("{}: the SHA-256 differs between the two sides", item.remote),
        )
        .with_detail(format!("server {remote}, local {ours}")));
    }
    Ok(Integrity::Verified)
}

/// Downloads one item. With `resume`, continues from the part file left by an earlier attempt.
pub async fn download(
    backend: &mut dyn Backend,
    item: &QueueItem,
    local_root: &Path,
    resume: bool,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Integrity> {
    let target = item.local.as_path();
    if let Some(parent) = target.parent() {
        ensure_local_dir(local_root, parent)?;
    }
    if item.is_folder {
        ensure_local_dir(local_root, target)?;
        return Ok(Integrity::SizeChecked);
    }
    // The plan's size, or the server's word now: on a retry the file may have changed since the plan.
    let (size, modified) = match item.size {
        Some(size) if backend.listing_times_are_exact() && !resume => (Some(size), item.modified),
        _ => {
            let entry = backend.stat(&item.remote).await?;
            (entry.size, entry.modified)
        }
    };
    let part = part_path(target);
    let already = match std::fs::symlink_metadata(&part) {
        Ok(metadata) if metadata.is_file() && resume && size.is_none_or(|size| metadata.len() <= size) => {
            metadata.len()
        }
        _ => 0,
    };
    let mut file = open_no_follow(&part, already == 0).await?;
    let context = format!("writing {}", part.display());
    file.set_len(already).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    file.seek(std::io::SeekFrom::Start(already)).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    progress(already);
    if size.is_none_or(|size| already < size || size == 0) {
        // A server that announced a size gets no byte past it (and the margin): one that goes on
        // sending cannot fill the disk.
        let room = size.map(|size| size.saturating_sub(already) + DOWNLOAD_MARGIN);
        let mut capped = CappedWriter::new(&mut file, room);
        let read = backend.read_to(&item.remote, already, &mut capped, progress).await;
        if capped.overflowed() {
            drop(file);
            // What arrived belongs to a file that changed: never resumed, never renamed into place.
            let _ = std::fs::remove_file(&part);
            return Err(file_grew(&item.remote, size.unwrap_or(0)));
        }
        read?;
    }
    file.sync_all().await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    drop(file);
    let arrived = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    if let Some(size) = size
        && arrived != size
    {
        return Err(FerryError::new(
            ErrorKind::ConnectionLost,
            format!("downloading {}: incomplete, {arrived} of {size} bytes arrived", item.remote),
        ));
    }
    let integrity = match check_integrity(backend, item, &part).await {
        Ok(integrity) => integrity,
        Err(error) => {
            // A corrupt copy must not be resumed: start over next time.
            let _ = std::fs::remove_file(&part);
            return Err(error);
        }
    };
    if let Some(modified) = modified {
        let part = part.clone();
        // Keeping the server's time is a courtesy: a file system that refuses it is no failure.
        let _ = tokio::task::spawn_blocking(move || {
            std::fs::File::options().write(true).open(&part)?.set_modified(modified.into())
        })
        .await;
    }
    tokio::fs::rename(&part, target)
        .await
        .map_err(|e| FerryError::from_io(&e, format!("moving the download into {}", target.display())))?;
    Ok(integrity)
}

/// Uploads one item. With `resume`, continues after the bytes the server already holds.
pub async fn upload(
    backend: &mut dyn Backend,
    item: &QueueItem,
    resume: bool,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Integrity> {
    if item.is_folder {
        return make_remote_dirs(backend, &item.remote).await.map(|()| Integrity::SizeChecked);
    }
    let context = format!("reading {}", item.local.display());
    let mut file = tokio::fs::File::open(&item.local).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    let size = file.metadata().await.map_err(|e| FerryError::from_io(&e, context.clone()))?.len();
    let already = if resume {
        match backend.stat(&item.remote).await {
            Ok(entry) => entry.size.filter(|&held| held <= size).unwrap_or(0),
            Err(_) => 0,
        }
    } else {
        0
    };
    file.seek(std::io::SeekFrom::Start(already)).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    progress(already);
    let start = if already > 0 { WriteStart::Offset(already) } else { WriteStart::Truncate };
    match backend.write_from(&item.remote, start, &mut file, progress).await {
        Err(error) if error.kind == ErrorKind::NotFound && already == 0 => {
            // The folder is not there yet (folders of a batch are made in parallel): make it, once.
            make_remote_dirs(backend, &parent_remote(&item.remote)).await?;
            file.seek(std::io::SeekFrom::Start(0)).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
            backend.write_from(&item.remote, WriteStart::Truncate, &mut file, progress).await?;
        }
        other => {
            other?;
        }
    }
    let held = backend.stat(&item.remote).await?.size;
    if held.is_some_and(|held| held != size) {
        return Err(FerryError::new(
            ErrorKind::ConnectionLost,
            format!("uploading {}: the server holds {} of {size} bytes", item.remote, held.unwrap_or(0)),
        ));
    }
    let integrity = check_integrity(backend, item, &item.local).await?;
    if let Some(modified) = item.modified
        && let Err(error) = backend.set_modified(&item.remote, modified).await
    {
        let name = crate::model::escape_control(&item.remote);
        tracing::debug!(target: "ferry::transfer", "could not keep the time of {name}: {error}");
    }
    Ok(integrity)
}

/// Creates a remote folder and any missing parents; an existing folder is fine.
async fn make_remote_dirs(backend: &mut dyn Backend, path: &str) -> Result<()> {
    let mut missing = Vec::new();
    let mut current = path.trim_end_matches('/').to_string();
    loop {
        match backend.mkdir(&current).await {
            Ok(()) => break,
            Err(error) if error.kind == ErrorKind::AlreadyExists => break,
            Err(error) if error.kind == ErrorKind::NotFound || error.kind == ErrorKind::PermissionDenied => {
                let parent = parent_remote(&current);
                if parent == current || parent == "/" || parent == "." || missing.len() > 64 {
                    return Err(error);
                }
                missing.push(current.clone());
                current = parent;
            }
            Err(error) => return Err(error),
        }
    }
    for dir in missing.iter().rev() {
        match backend.mkdir(dir).await {
            Ok(()) => {}
            Err(error) if error.kind == ErrorKind::AlreadyExists => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_file_sits_beside_the_target() {
        assert_eq!(part_path(Path::new("/tmp/a/b.txt")), PathBuf::from("/tmp/a/.b.txt.ferry-part"));
    }

    #[test]
    fn local_folders_are_made_but_never_through_a_symlink() {
        let root = tempfile::tempdir().unwrap();
        ensure_local_dir(root.path(), &root.path().join("a/b/c")).unwrap();
        assert!(root.path().join("a/b/c").is_dir());
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        let error = ensure_local_dir(root.path(), &root.path().join("link/x")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::AlreadyExists);
        assert!(!outside.path().join("x").exists());
    }
}
