//! The local disk as a backend, so the local pane and transfers treat both sides alike.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::io::AsyncSeekExt;

use super::{Backend, ProgressFn, Sink, Source, WriteStart, copy_with_progress};
use crate::error::{FerryError, Result};
use crate::model::{Entry, EntryKind};

/// How long a local read or write may stall: the other side of a copy may be a slow network.
const LOCAL_IDLE: std::time::Duration = std::time::Duration::from_secs(600);

/// The local file system.
pub struct LocalBackend {
    home: String,
}

impl LocalBackend {
    /// A backend whose home is the user's home folder (or `/` when there is none).
    pub fn new() -> Self {
        let home = directories::UserDirs::new()
            .map(|dirs| dirs.home_dir().to_string_lossy().into_owned())
            .unwrap_or_else(|| "/".to_string());
        LocalBackend { home }
    }

    /// A backend whose relative paths start at `home`.
    pub fn with_home(home: impl Into<String>) -> Self {
        LocalBackend { home: home.into() }
    }

    fn resolve(&self, path: &str) -> PathBuf {
        let path = Path::new(path);
        if path.is_absolute() { path.to_path_buf() } else { Path::new(&self.home).join(path) }
    }
}

impl Default for LocalBackend {
    fn default() -> Self {
        Self::new()
    }
}

/// What local metadata says an entry is.
fn kind_of_metadata(metadata: &std::fs::Metadata) -> EntryKind {
    let file_type = metadata.file_type();
    if file_type.is_symlink() {
        EntryKind::Symlink
    } else if file_type.is_dir() {
        EntryKind::Dir
    } else if file_type.is_file() {
        EntryKind::File
    } else {
        EntryKind::Other
    }
}

/// Builds an entry from local metadata (not following symlinks).
pub fn entry_from_metadata(name: String, metadata: &std::fs::Metadata, link_target: Option<String>) -> Entry {
    let kind = kind_of_metadata(metadata);
    let mut entry = Entry::new(name, kind);
    entry.size = (kind == EntryKind::File).then_some(metadata.len());
    entry.modified = metadata.modified().ok().map(DateTime::<Utc>::from);
    entry.link_target = link_target;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        entry.permissions = Some(metadata.mode() & 0o7777);
        entry.owner = Some(metadata.uid().to_string());
        entry.group = Some(metadata.gid().to_string());
    }
    entry
}

fn io_error(error: std::io::Error, what: &str, path: &Path) -> FerryError {
    FerryError::from_io(&error, format!("{what} {}", path.display()))
}

#[async_trait]
impl Backend for LocalBackend {
    fn home(&self) -> &str {
        &self.home
    }

    async fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        let dir = self.resolve(path);
        let mut reader = tokio::fs::read_dir(&dir).await.map_err(|e| io_error(e, "listing", &dir))?;
        let mut entries = Vec::new();
        while let Some(item) = reader.next_entry().await.map_err(|e| io_error(e, "listing", &dir))? {
            let name = item.file_name().to_string_lossy().into_owned();
            // An entry that vanished or cannot be read between readdir and lstat is skipped, as `ls` does.
            let Ok(metadata) = tokio::fs::symlink_metadata(item.path()).await else { continue };
            let mut entry = entry_from_metadata(name, &metadata, None);
            if metadata.file_type().is_symlink() {
                entry.link_target =
                    tokio::fs::read_link(item.path()).await.ok().map(|t| t.to_string_lossy().into_owned());
                entry.link_kind = tokio::fs::metadata(item.path()).await.ok().map(|end| kind_of_metadata(&end));
            }
            entries.push(entry);
        }
        Ok(entries)
    }

    async fn stat(&mut self, path: &str) -> Result<Entry> {
        let full = self.resolve(path);
        let metadata = tokio::fs::metadata(&full).await.map_err(|e| io_error(e, "reading", &full))?;
        let name = full.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "/".into());
        Ok(entry_from_metadata(name, &metadata, None))
    }

    async fn lstat(&mut self, path: &str) -> Result<Entry> {
        let full = self.resolve(path);
        let metadata = tokio::fs::symlink_metadata(&full).await.map_err(|e| io_error(e, "reading", &full))?;
        let name = full.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "/".into());
        let mut entry = entry_from_metadata(name, &metadata, None);
        if metadata.file_type().is_symlink() {
            entry.link_target = tokio::fs::read_link(&full).await.ok().map(|t| t.to_string_lossy().into_owned());
            entry.link_kind = tokio::fs::metadata(&full).await.ok().map(|end| kind_of_metadata(&end));
        }
        Ok(entry)
    }

    async fn real_path(&mut self, path: &str) -> Result<String> {
        let full = self.resolve(path);
        let real = tokio::fs::canonicalize(&full).await.map_err(|e| io_error(e, "following", &full))?;
        Ok(real.to_string_lossy().into_owned())
    }

    async fn mkdir(&mut self, path: &str) -> Result<()> {
        let full = self.resolve(path);
        tokio::fs::create_dir(&full).await.map_err(|e| io_error(e, "creating folder", &full))
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (self.resolve(from), self.resolve(to));
        tokio::fs::rename(&from, &to).await.map_err(|e| io_error(e, "renaming", &from))
    }

    async fn remove_file(&mut self, path: &str) -> Result<()> {
        let full = self.resolve(path);
        tokio::fs::remove_file(&full).await.map_err(|e| io_error(e, "deleting", &full))
    }

    async fn remove_dir(&mut self, path: &str) -> Result<()> {
        let full = self.resolve(path);
        tokio::fs::remove_dir(&full).await.map_err(|e| io_error(e, "deleting folder", &full))
    }

    async fn chmod(&mut self, path: &str, mode: u32) -> Result<()> {
        let full = self.resolve(path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let permissions = std::fs::Permissions::from_mode(mode & 0o7777);
            tokio::fs::set_permissions(&full, permissions)
                .await
                .map_err(|e| io_error(e, "changing permissions of", &full))
        }
        #[cfg(not(unix))]
        {
            let _ = mode;
            Err(FerryError::new(
                crate::error::ErrorKind::Unsupported,
                format!("changing permissions of {}", full.display()),
            ))
        }
    }

    async fn read_to(&mut self, path: &str, offset: u64, sink: Sink<'_>, progress: ProgressFn<'_>) -> Result<u64> {
        let full = self.resolve(path);
        let mut file = tokio::fs::File::open(&full).await.map_err(|e| io_error(e, "opening", &full))?;
        file.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| io_error(e, "reading", &full))?;
        copy_with_progress(&mut file, sink, offset, LOCAL_IDLE, progress)
            .await
            .map_err(|e| io_error(e, "reading", &full))
    }

    async fn write_from(
        &mut self,
        path: &str,
        start: WriteStart,
        source: Source<'_>,
        progress: ProgressFn<'_>,
    ) -> Result<u64> {
        let full = self.resolve(path);
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create(true);
        match start {
            WriteStart::Truncate => options.truncate(true),
            WriteStart::Append => options.append(true),
            WriteStart::Offset(_) | WriteStart::At(_) => &mut options,
        };
        let mut file = options.open(&full).await.map_err(|e| io_error(e, "opening", &full))?;
        let already = match start {
            WriteStart::Offset(offset) => {
                file.set_len(offset).await.map_err(|e| io_error(e, "writing", &full))?;
                file.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| io_error(e, "writing", &full))?;
                offset
            }
            WriteStart::At(offset) => {
                file.seek(std::io::SeekFrom::Start(offset)).await.map_err(|e| io_error(e, "writing", &full))?;
                offset
            }
            _ => 0,
        };
        let moved = copy_with_progress(source, &mut file, already, LOCAL_IDLE, progress)
            .await
            .map_err(|e| io_error(e, "writing", &full))?;
        file.sync_all().await.map_err(|e| io_error(e, "writing", &full))?;
        Ok(moved)
    }

    async fn set_modified(&mut self, path: &str, time: DateTime<Utc>) -> Result<()> {
        let full = self.resolve(path);
        let file = std::fs::File::options().write(true).open(&full).map_err(|e| io_error(e, "opening", &full))?;
        file.set_modified(time.into()).map_err(|e| io_error(e, "setting the time of", &full))
    }

    async fn keep_alive(&mut self) -> Result<()> {
        Ok(())
    }

    async fn disconnect(&mut self) -> Result<()> {
        Ok(())
    }
}
