//! Single-file transfers: a download lands under a temporary name beside its target and is
//! renamed into place only once complete and its size checked; progress is throttled at the source.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::backend::{Backend, WriteStart};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::EntryKind;

/// The most progress reports a transfer sends per second.
const REPORTS_PER_SECOND: u32 = 10;

/// Calls `report` at most ten times a second, and always for the last value.
struct Throttle<F: FnMut(u64, Option<u64>)> {
    report: F,
    total: Option<u64>,
    last: Option<Instant>,
}

impl<F: FnMut(u64, Option<u64>)> Throttle<F> {
    fn new(report: F, total: Option<u64>) -> Self {
        Throttle { report, total, last: None }
    }

    fn update(&mut self, bytes: u64) {
        let due = self.last.is_none_or(|last| last.elapsed() >= Duration::from_secs(1) / REPORTS_PER_SECOND);
        if due || Some(bytes) == self.total {
            self.last = Some(Instant::now());
            (self.report)(bytes, self.total);
        }
    }
}

/// The temporary name a download is written under: hidden, beside the target, so the final
/// rename stays on one file system and never leaves a half file under the real name.
pub fn part_path(target: &Path) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "download".into());
    target.with_file_name(format!(".{name}.ferry-part"))
}

/// Downloads `remote` to `local`. The file that was at `local` is replaced only on success.
pub async fn download(
    backend: &mut dyn Backend,
    remote: &str,
    local: &Path,
    report: impl FnMut(u64, Option<u64>) + Send,
) -> Result<u64> {
    let entry = backend.stat(remote).await?;
    if entry.kind == EntryKind::Dir {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!("{remote} is a folder; download folders recursively"),
        ));
    }
    let part = part_path(local);
    let context = format!("writing {}", part.display());
    let mut file = tokio::fs::File::create(&part).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    let mut throttle = Throttle::new(report, entry.size);
    let mut progress = |bytes| throttle.update(bytes);
    let moved = backend.read_to(remote, 0, &mut file, &mut progress).await?;
    file.sync_all().await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    drop(file);
    if let Some(expected) = entry.size {
        if moved != expected {
            return Err(FerryError::new(
                ErrorKind::Protocol,
                format!(
                    "downloading {remote}: incomplete, {moved} of {expected} bytes arrived; kept as {}",
                    part.display()
                ),
            ));
        }
    }
    if let Some(modified) = entry.modified {
        let part = part.clone();
        // Keeping the server's time is a courtesy: a file system that refuses it is no failure.
        let _ = tokio::task::spawn_blocking(move || {
            std::fs::File::options().write(true).open(&part)?.set_modified(modified.into())
        })
        .await;
    }
    tokio::fs::rename(&part, local)
        .await
        .map_err(|e| FerryError::from_io(&e, format!("moving the download into {}", local.display())))?;
    Ok(moved)
}

/// Uploads `local` to `remote`, then checks the size the server reports and keeps the time.
pub async fn upload(
    backend: &mut dyn Backend,
    local: &Path,
    remote: &str,
    report: impl FnMut(u64, Option<u64>) + Send,
) -> Result<u64> {
    let context = format!("reading {}", local.display());
    let mut file = tokio::fs::File::open(local).await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    let metadata = file.metadata().await.map_err(|e| FerryError::from_io(&e, context.clone()))?;
    if metadata.is_dir() {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!("{} is a folder; upload folders recursively", local.display()),
        ));
    }
    let mut throttle = Throttle::new(report, Some(metadata.len()));
    let mut progress = |bytes| throttle.update(bytes);
    let moved = backend.write_from(remote, WriteStart::Truncate, &mut file, &mut progress).await?;
    if let Ok(remote_entry) = backend.stat(remote).await {
        if remote_entry.size.is_some_and(|size| size != metadata.len()) {
            return Err(FerryError::new(
                ErrorKind::Protocol,
                format!(
                    "uploading {remote}: the server holds {:?} bytes, {} were sent",
                    remote_entry.size,
                    metadata.len()
                ),
            ));
        }
    }
    if let Ok(modified) = metadata.modified() {
        if let Err(error) = backend.set_modified(remote, modified.into()).await {
            tracing::debug!(target: "ferry::transfer", "could not keep the time of {remote}: {error}");
        }
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_file_sits_beside_the_target() {
        assert_eq!(part_path(Path::new("/tmp/a/b.txt")), PathBuf::from("/tmp/a/.b.txt.ferry-part"));
    }

    #[test]
    fn throttle_reports_first_and_last() {
        let mut seen = Vec::new();
        {
            let mut throttle = Throttle::new(|bytes, _| seen.push(bytes), Some(300));
            for bytes in [100, 200, 300] {
                throttle.update(bytes);
            }
        }
        assert_eq!(seen, vec![100, 300]);
    }
}
