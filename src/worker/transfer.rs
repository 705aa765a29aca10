//! One queue item's bytes. A download lands under a hidden name beside its target, continues from
//! what is already there, and is renamed into place only when complete and checked; uploads are in
//! `upload.rs`. Local writes never follow a symlink.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::queue::{Integrity, QueueItem};
use super::segmented::{self, Segmented};
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::transfer::capped::CappedWriter;
use crate::transfer::limits::{DOWNLOAD_MARGIN, file_grew};
use crate::transfer::names::{below_root, part_name, segment_part_name};
use crate::transfer::rate_limit::Limiters;
use crate::transfer::throttled::ThrottledWriter;

/// The temporary name of a segmented download: not the part name, which an ordinary resume
/// continues from its length (a segmented copy may hold later ranges before earlier ones).
pub fn segment_part_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "download".into());
    target.with_file_name(segment_part_name(&name))
}

/// The temporary name a download is written under: hidden, beside the target, so the final
/// rename stays on one file system and never leaves a half file under the real name.
pub fn part_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "download".into());
    target.with_file_name(part_name(&name))
}

/// Creates `dir` and any missing folders between `root` and it. Folders below `root` must be real
/// folders: a symlink there could lead the download out of the destination, so it is refused.
pub fn ensure_local_dir(root: &Path, dir: &Path) -> Result<()> {
    let relative = inside_root(root, dir)?;
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

/// The part of `path` below `root`, or an error when `path` is not lexically inside `root`
/// (another folder, or a ".." on the way).
fn inside_root<'a>(root: &Path, path: &'a Path) -> Result<&'a Path> {
    below_root(root, path).ok_or_else(|| {
        FerryError::new(
            ErrorKind::PermissionDenied,
            format!("not writing {}: it is outside the folder {}", path.display(), root.display()),
        )
    })
}

/// Refuses a download whose target is not a name inside its root folder: the last check before
/// anything local is touched (a restored queue or any planner bug cannot write elsewhere).
pub fn check_download_target(item: &QueueItem) -> Result<()> {
    let relative = inside_root(&item.local_root, &item.local)?;
    if relative.as_os_str().is_empty() {
        return Err(FerryError::new(
            ErrorKind::PermissionDenied,
            format!("not writing {}: it is the download's folder itself", item.local.display()),
        ));
    }
    Ok(())
}

/// The mode a download is created with: the remote file's permission bits (the umask still
/// applies), as OpenSSH's `sftp` does, so a remote `0600` key or `.env` does not land readable by
/// everyone. The owner may always read and write it (else the download could not be resumed or
/// used); set-id and sticky bits are never copied. Without a remote mode, the usual `0666`.
pub fn download_mode(remote_mode: Option<u32>) -> u32 {
    match remote_mode {
        Some(mode) => (mode & 0o777) | 0o600,
        None => 0o666,
    }
}

/// Opens a local file for writing without following a symlink at its name; a file it creates
/// gets `mode` (less the umask).
async fn open_no_follow(path: &Path, truncate: bool, mode: u32) -> Result<tokio::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(truncate);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW).mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let path = path.to_path_buf();
    let file = tokio::task::spawn_blocking(move || {
        options.open(&path).map_err(|e| FerryError::from_io(&e, format!("writing {}", path.display())))
    })
    .await
    .map_err(|e| FerryError::new(ErrorKind::LocalIo, "opening a local file").with_detail(e.to_string()))??;
    Ok(tokio::fs::File::from_std(file))
}

/// SHA-256 of a local file, lowercase hex.
pub(super) async fn local_sha256(path: &Path) -> Result<String> {
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

/// Compares the SHA-256 of the server's `remote` with the local file's, where the server can
/// compute one.
pub(super) async fn check_integrity(
    backend: &mut dyn Backend,
    item: &QueueItem,
    remote_path: &str,
    local: &Path,
) -> Result<Integrity> {
    if !item.verify {
        return Ok(Integrity::SizeChecked);
    }
    let Some(remote) = backend.checksum_sha256(remote_path).await? else { return Ok(Integrity::SizeChecked) };
    let ours = local_sha256(local).await?;
    if remote != ours {
        return Err(FerryError::new(
            ErrorKind::CopiesDiffer,
            format!("{}: the file on the server and the copy here differ (SHA-256); nothing was replaced", item.remote),
        )
        .with_detail(format!("server {remote}, here {ours}")));
    }
    Ok(Integrity::Verified)
}

/// `error` (a failed check of a resumed copy), saying that its bytes are kept under `kept`.
pub(super) fn kept_aside(error: FerryError, kept: &str) -> FerryError {
    let context = format!("{}; the resumed copy is kept as {kept}", error.context);
    FerryError { context, ..error }
}

/// Downloads one item. With `resume`, continues from the part file left by an earlier attempt.
/// Its bytes are written no faster than `limits` allow, which holds the network back too. With
/// `segmented`, a big file is read in ranges over several connections into its own temporary
/// file (see `segmented.rs`).
pub async fn download(
    backend: &mut dyn Backend,
    item: &QueueItem,
    local_root: &Path,
    resume: bool,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
    segmented: Option<&mut Segmented>,
) -> Result<Integrity> {
    check_download_target(item)?;
    let target = item.local.as_path();
    if let Some(parent) = target.parent() {
        ensure_local_dir(local_root, parent)?;
    }
    if item.is_folder {
        ensure_local_dir(local_root, target)?;
        return Ok(Integrity::SizeChecked);
    }
    // The plan's size, or the server's word now: on a retry the file may have changed since the plan.
    let (size, modified, mode) = match item.size {
        Some(size) if backend.listing_times_are_exact() && !resume => (Some(size), item.modified, item.mode),
        _ => {
            let entry = backend.stat(&item.remote).await?;
            (entry.size, entry.modified, item.mode.or(entry.permissions))
        }
    };
    let create_mode = if item.site.keep.modes { download_mode(mode) } else { download_mode(None) };
    let segmented = segmented.filter(|state| size.is_some_and(|size| state.can_cut(size)));
    let (part, already) = match (segmented, size) {
        (Some(state), Some(size)) => {
            let part = segment_part_path(target);
            fetch_segments(backend, item, &part, size, create_mode, state, limits, progress).await?;
            (part, 0)
        }
        _ => {
            let part = part_path(target);
            let already = fetch_whole(backend, item, &part, size, create_mode, resume, limits, progress).await?;
            (part, already)
        }
    };
    let arrived = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    if let Some(size) = size
        && arrived != size
    {
        return Err(FerryError::new(
            ErrorKind::ConnectionLost,
            format!("downloading {}: incomplete, {arrived} of {size} bytes arrived", item.remote),
        ));
    }
    let integrity = match check_integrity(backend, item, &item.remote, &part).await {
        Ok(integrity) => integrity,
        Err(error) if already > 0 && error.kind == ErrorKind::CopiesDiffer => {
            // The part file began as bytes already here (perhaps the user's own file, moved
            // aside to be continued): never deleted unasked, and the user is told where it is.
            return Err(kept_aside(error, &part.display().to_string()));
        }
        Err(error) => {
            // A corrupt copy must not be resumed: start over next time.
            let _ = std::fs::remove_file(&part);
            return Err(error);
        }
    };
    if let Some(modified) = modified.filter(|_| item.site.keep.times) {
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

/// Reads the whole file (or its rest, with `resume`) into `part` on one connection; returns how
/// many bytes were already there.
#[allow(clippy::too_many_arguments)]
async fn fetch_whole(
    backend: &mut dyn Backend,
    item: &QueueItem,
    part: &Path,
    size: Option<u64>,
    create_mode: u32,
    resume: bool,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<u64> {
    let already = match std::fs::symlink_metadata(part) {
        Ok(metadata) if metadata.is_file() && resume && size.is_none_or(|size| metadata.len() <= size) => {
            metadata.len()
        }
        _ => 0,
    };
    if already == 0 {
        // A part file left from an earlier attempt keeps the mode it was made with: start a new
        // one, so the mode below applies.
        let _ = std::fs::remove_file(part);
    }
    let mut file = open_no_follow(part, already == 0, create_mode).await?;
    let context = format!("writing {}", part.display());
    file.set_len(already).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    file.seek(std::io::SeekFrom::Start(already)).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    progress(already);
    if size.is_none_or(|size| already < size || size == 0) {
        // A server that announced a size gets no byte past it (and the margin): one that goes on
        // sending cannot fill the disk.
        let room = size.map(|size| size.saturating_sub(already) + DOWNLOAD_MARGIN);
        let mut capped = CappedWriter::new(&mut file, room);
        let mut throttled = ThrottledWriter::new(&mut capped, limits.clone());
        let read = backend.read_to_limited(&item.remote, already, &mut throttled, progress, limits).await;
        if capped.overflowed() {
            drop(file);
            // What arrived belongs to a file that changed: never resumed, never renamed into place.
            let _ = std::fs::remove_file(part);
            return Err(file_grew(&item.remote, size.unwrap_or(0)));
        }
        read?;
    }
    file.sync_all().await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    drop(file);
    Ok(already)
}

/// Reads the file in ranges over the item's connection and its crew into `part`, the segmented
/// temporary file (made anew unless an earlier attempt of this run left it, with what arrived).
#[allow(clippy::too_many_arguments)]
async fn fetch_segments(
    backend: &mut dyn Backend,
    item: &QueueItem,
    part: &Path,
    size: u64,
    create_mode: u32,
    state: &mut Segmented,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<()> {
    let held = std::fs::symlink_metadata(part).ok().filter(|m| m.is_file()).map(|m| m.len());
    if state.segments.as_ref().is_some_and(|segments| !segmented::still_there(segments, held)) {
        state.start_over();
    }
    let Some((_, fresh)) = state.plan(size) else { return Ok(()) };
    if fresh {
        // A part file of an earlier, unsegmented attempt is not continued here: it goes.
        let _ = std::fs::remove_file(part_path(&item.local));
        let _ = std::fs::remove_file(part);
        drop(open_no_follow(part, true, create_mode).await?);
    }
    let way = segmented::Way::Down { remote: &item.remote, part };
    segmented::move_ranges(backend, state, way, limits, progress).await?;
    // Each range was read to its end only: a file that grew meanwhile would arrive cut.
    let now = backend.stat(&item.remote).await?.size;
    if now != Some(size) {
        state.start_over();
        let _ = std::fs::remove_file(part);
        let now = now.map_or_else(|| "unknown".to_string(), |now| now.to_string());
        return Err(FerryError::new(
            ErrorKind::FileChanged,
            format!(
                "downloading {}: the file changed on the server while it was downloaded ({size} bytes, now \
                 {now}); nothing was kept, retry to fetch it again",
                item.remote
            ),
        ));
    }
    let context = format!("writing {}", part.display());
    open_existing(part).await?.sync_all().await.map_err(|e| FerryError::from_io(&e, context))
}

/// Opens a download's existing temporary file for writing at offsets, without following a
/// symlink at its name and without cutting it.
pub(super) async fn open_existing(part: &Path) -> Result<tokio::fs::File> {
    open_no_follow(part, false, 0o600).await
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

    #[test]
    fn local_folders_are_never_made_through_dot_dot() {
        let outer = tempfile::tempdir().unwrap();
        let root = outer.path().join("pane");
        std::fs::create_dir(&root).unwrap();
        let error = ensure_local_dir(&root, &root.join("notes/../../escaped")).unwrap_err();
        assert_eq!(error.kind, ErrorKind::PermissionDenied);
        assert!(!outer.path().join("escaped").exists());
        assert!(!root.join("notes").exists(), "nothing made on the way");
    }
}
