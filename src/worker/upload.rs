//! One upload's bytes. By default the file is written under a hidden temporary name beside its
//! target and renamed over the target only once its size (and, when asked, its SHA-256) checks
//! out, so a cancelled, cut or killed upload never leaves a broken file under the real name: the
//! server's old copy stays whole until the new one is complete. A site may ask for writes in place
//! instead (no rename right, a quota that cannot hold two copies, a watched folder).

use tokio::io::AsyncSeekExt;

use super::queue::{Integrity, QueueItem};
use super::segmented::{self, Segmented};
use super::transfer::check_integrity;
use crate::backend::{Backend, WriteStart};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::parent_remote;
use crate::transfer::names::{remote_part_path, remote_segment_part_path};
use crate::transfer::rate_limit::Limiters;
use crate::transfer::throttled::ThrottledReader;

/// How a finished upload went, beyond its check.
pub struct Uploaded {
    /// How the bytes were checked.
    pub integrity: Integrity,
    /// Something the user should know about a transfer that still succeeded.
    pub note: Option<String>,
}

/// Uploads one item. With `resume`, continues after the bytes the server already holds (in the
/// temporary file, or in the target itself for in-place writes). The file is read no faster
/// than `limits` allow, so it is sent no faster either.
pub async fn upload(
    backend: &mut dyn Backend,
    item: &QueueItem,
    resume: bool,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
    segmented: Option<&mut Segmented>,
) -> Result<Uploaded> {
    if item.is_folder {
        return make_remote_dirs(backend, &item.remote)
            .await
            .map(|()| Uploaded { integrity: Integrity::SizeChecked, note: None });
    }
    let in_place = item.site.uploads_in_place;
    let context = format!("reading {}", item.local.display());
    let mut file = tokio::fs::File::open(&item.local).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    let size = file.metadata().await.map_err(|e| FerryError::from_io(&e, context.clone()))?.len();
    let segmented = segmented.filter(|state| !in_place && state.can_cut(size));
    let written = match (in_place, &segmented) {
        (true, _) => item.remote.clone(),
        (false, Some(_)) => remote_segment_part_path(&item.remote),
        (false, None) => remote_part_path(&item.remote),
    };
    let already = if resume && segmented.is_none() {
        match backend.stat(&written).await {
            Ok(entry) => entry.size.filter(|&held| held <= size).unwrap_or(0),
            Err(_) => 0,
        }
    } else {
        0
    };
    let source_mode = if item.site.keep.modes { local_mode(&item.local) } else { None };
    let private = source_mode.filter(|&bits| !in_place && is_private(bits));
    if let Some(bits) = private.filter(|_| segmented.is_none()) {
        // The bytes must never sit on the server more open than the file they copy: the
        // temporary file gets its mode before it gets any byte.
        make_private_first(backend, &written, already, bits).await;
    }
    // In place, an existing file keeps its own mode; only a new one gets the source's. (Asked
    // before writing, and without a listing: the write itself creates the file.)
    let new_in_place = in_place && source_mode.is_some() && backend.stat(&item.remote).await.is_err();
    let mut note = None;
    if let Some(state) = segmented {
        send_segments(backend, item, &written, size, private, state, limits, progress).await?;
    } else {
        send_whole(backend, &written, already, &mut file, limits, progress, &mut note).await?;
    }
    let held = backend.stat(&written).await?.size;
    if held.is_some_and(|held| held != size) {
        return Err(FerryError::new(
            ErrorKind::ConnectionLost,
            format!("uploading {}: the server holds {} of {size} bytes", item.remote, held.unwrap_or(0)),
        ));
    }
    let integrity = match check_integrity(backend, item, &written, &item.local).await {
        Ok(integrity) => integrity,
        Err(error) if already > 0 && error.kind == ErrorKind::CopiesDiffer => {
            // What the server held before (perhaps the user's own file, moved aside to be
            // continued) is not deleted unasked: the user is told where it is.
            return Err(super::transfer::kept_aside(error, &written));
        }
        Err(error) => {
            if !in_place {
                // A corrupt copy must not be resumed: start over next time.
                let _ = backend.remove_file(&written).await;
            }
            return Err(error);
        }
    };
    if item.site.keep.times
        && let Some(modified) = item.modified
        && let Err(error) = backend.set_modified(&written, modified).await
    {
        let name = crate::model::escape_control(&item.remote);
        tracing::warn!(target: "ferry::transfer", "could not keep the time of {name}: {error}");
    }
    // Set before the rename, so the target never holds the new bytes with another mode.
    if !in_place && let Some(bits) = wanted_mode(backend, &item.remote, source_mode).await {
        set_mode(backend, &item.remote, &written, bits).await;
    }
    if let Some(bits) = source_mode.filter(|_| new_in_place) {
        set_mode(backend, &item.remote, &written, bits).await;
    }
    if !in_place {
        backend.replace_file(&written, &item.remote).await?;
        if resume {
            // OpenSSH renames by link, then unlink: an earlier attempt cut between the two left
            // the temporary name as a second link to the target, and renaming one link of a file
            // over another does nothing. Only a resumed upload can meet that; gone is fine.
            let _ = backend.remove_file(&written).await;
        }
    }
    Ok(Uploaded { integrity, note })
}

/// The mode for the copy, when modes are kept (`source_mode` is then known): the replaced
/// file's, where the server tells it (a replaced file keeps its mode), else the local file's.
/// Set-id and sticky bits are never sent.
async fn wanted_mode(backend: &mut dyn Backend, target: &str, source_mode: Option<u32>) -> Option<u32> {
    let source_mode = source_mode?;
    match backend.permissions_of(target).await {
        Ok(Some(bits)) => Some(bits & 0o777),
        _ => Some(source_mode),
    }
}

#[cfg(unix)]
fn local_mode(path: &std::path::Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|metadata| metadata.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn local_mode(_path: &std::path::Path) -> Option<u32> {
    None
}

/// Whether a mode hides the file from the group or others, which a server's default (usually
/// 0644) would not.
fn is_private(bits: u32) -> bool {
    bits & 0o044 != 0o044
}

/// Creates the temporary file empty (unless a resumed one is there) and gives it `bits` before
/// any byte is written into it.
async fn make_private_first(backend: &mut dyn Backend, written: &str, already: u64, bits: u32) {
    if already == 0 {
        let mut nothing = tokio::io::empty();
        if backend.write_from(written, WriteStart::Truncate, &mut nothing, &mut |_| {}).await.is_err() {
            // Its folder may be missing yet: `send` makes it, and the mode is set after.
            return;
        }
    }
    set_mode(backend, written, written, bits).await;
}

/// Sends the whole file (or its rest after `already` bytes) on one connection; a server that
/// refuses to resume gets it again from the start, with a `note` saying so.
async fn send_whole(
    backend: &mut dyn Backend,
    written: &str,
    already: u64,
    file: &mut tokio::fs::File,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
    note: &mut Option<String>,
) -> Result<()> {
    match send(backend, written, already, file, limits, progress).await {
        Err(error) if already > 0 && refused_resume(&error) => {
            // Some servers refuse REST/APPE (ProFTPD: "451 Append/Restart not permitted"):
            // retrying the resume would fail every time, so this file starts over, once.
            let said = error.server_reply.clone().unwrap_or_else(|| error.kind.label().to_string());
            *note = Some(format!("the server refused to resume ({said}); sent again from the start"));
            send(backend, written, 0, file, limits, progress).await?;
        }
        other => other?,
    }
    Ok(())
}

/// Sends the file in ranges over the item's connection and its crew into `written`, the
/// segmented temporary name, made first (empty, and `private` before any byte) unless an earlier
/// attempt of this run left it with some ranges in place.
#[allow(clippy::too_many_arguments)]
async fn send_segments(
    backend: &mut dyn Backend,
    item: &QueueItem,
    written: &str,
    size: u64,
    private: Option<u32>,
    state: &mut Segmented,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<()> {
    if let Some(segments) = state.segments.as_ref() {
        let held = backend.stat(written).await.ok().and_then(|entry| entry.size);
        if !segmented::still_there(segments, held) {
            state.start_over();
        }
    }
    let Some((_, fresh)) = state.plan(size) else { return Ok(()) };
    if fresh {
        let mut nothing = tokio::io::empty();
        let made = backend.write_from(written, WriteStart::Truncate, &mut nothing, &mut |_| {}).await;
        if let Err(error) = made {
            if !matches!(error.kind, ErrorKind::NotFound | ErrorKind::PermissionDenied) {
                return Err(error);
            }
            // Folders of a batch are made in parallel with their files: this one may be missing yet.
            make_remote_dirs(backend, &parent_remote(written)).await?;
            let mut nothing = tokio::io::empty();
            backend.write_from(written, WriteStart::Truncate, &mut nothing, &mut |_| {}).await?;
        }
        if let Some(bits) = private {
            set_mode(backend, &item.remote, written, bits).await;
        }
    }
    let way = segmented::Way::Up { source: &item.local, written };
    segmented::move_ranges(backend, state, way, limits, progress).await
}

/// Sets `bits` on `written` (the copy of `target`). A server that refuses is no failure: the
/// upload itself is whole, and the log says what was not kept.
async fn set_mode(backend: &mut dyn Backend, target: &str, written: &str, bits: u32) {
    if let Err(error) = backend.chmod(written, bits).await {
        let name = crate::model::escape_control(target);
        tracing::warn!(target: "ferry::transfer", "could not keep the permissions of {name} ({bits:o}): {error}");
    }
}

/// Writes the local file from byte `from` on into `remote`, making the remote folder when it is
/// missing (folders of a batch are made in parallel with their files).
async fn send(
    backend: &mut dyn Backend,
    remote: &str,
    from: u64,
    file: &mut tokio::fs::File,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<()> {
    let context = "reading the file to upload";
    file.seek(std::io::SeekFrom::Start(from)).await.map_err(|e| FerryError::from_io(&e, context))?;
    progress(from);
    let start = if from > 0 { WriteStart::Offset(from) } else { WriteStart::Truncate };
    let outcome =
        backend.write_from(remote, start, &mut ThrottledReader::new(&mut *file, limits.clone()), progress).await;
    match outcome {
        // vsftpd answers "553 Could not create file" for a missing folder, as for a refusal:
        // only a folder that is really not there is made.
        Err(error)
            if matches!(error.kind, ErrorKind::NotFound | ErrorKind::PermissionDenied)
                && from == 0
                && backend.stat(&parent_remote(remote)).await.is_err() =>
        {
            make_remote_dirs(backend, &parent_remote(remote)).await?;
            file.seek(std::io::SeekFrom::Start(0)).await.map_err(|e| FerryError::from_io(&e, context))?;
            let mut source = ThrottledReader::new(&mut *file, limits.clone());
            backend.write_from(remote, WriteStart::Truncate, &mut source, progress).await.map(|_| ())
        }
        other => other.map(|_| ()),
    }
}

/// Whether a write at an offset failed because the server refuses to resume, not because the
/// connection went or the user stopped it.
fn refused_resume(error: &FerryError) -> bool {
    !matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout | ErrorKind::Cancelled | ErrorKind::LocalIo)
}

/// Creates a remote folder and any missing parents; an existing folder is fine.
pub(super) async fn make_remote_dirs(backend: &mut dyn Backend, path: &str) -> Result<()> {
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
