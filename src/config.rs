//! Where Ferry keeps its files: one config folder (the platform's, or `--config-dir`), and nothing elsewhere.

use std::path::{Path, PathBuf};

/// The folder every file Ferry writes lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigDir {
    dir: PathBuf,
}

impl ConfigDir {
    /// Uses `dir` as the config folder.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        ConfigDir { dir: dir.into() }
    }

    /// The platform's config folder for Ferry (`~/.config/ferry` on Linux), or `./.ferry` when the
    /// platform names none (no home folder).
    pub fn platform_default() -> Self {
        let dir = directories::ProjectDirs::from("", "", "ferry")
            .map(|dirs| dirs.config_dir().to_path_buf())
            .unwrap_or_else(|| PathBuf::from(".ferry"));
        ConfigDir { dir }
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Ferry's own known_hosts file: SSH host keys the user accepted.
    pub fn known_hosts(&self) -> PathBuf {
        self.dir.join("known_hosts")
    }

    /// Transfers left unfinished, offered again at the next start.
    pub fn queue(&self) -> PathBuf {
        self.dir.join("queue.json")
    }

    /// The window's remembered size, split, sort order and theme.
    pub fn window_state(&self) -> PathBuf {
        self.dir.join("window.json")
    }

    /// The private copies of remote files open in an editor, one folder per site and path.
    pub fn edits(&self) -> PathBuf {
        self.dir.join("edits")
    }

    /// TLS certificates the user accepted, one `host:port sha256` per line.
    pub fn trusted_certificates(&self) -> PathBuf {
        self.dir.join("trusted_certificates")
    }
}

/// The user's OpenSSH known_hosts file (`~/.ssh/known_hosts`), read but never written.
pub fn user_known_hosts() -> Option<PathBuf> {
    directories::UserDirs::new().map(|dirs| dirs.home_dir().join(".ssh").join("known_hosts"))
}

/// Creates `dir` and its missing parents readable by the user only (`0700`): Ferry's folders hold
/// host names, users and paths, which are nobody else's business. Existing folders are left as
/// they are.
pub fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Open options for a new file only its user may read and write (`0600`), for the same reason.
pub fn private_file_options() -> std::fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Appends one line to a file in the config folder, creating folder and file as needed, and
/// syncs it to disk before returning, so an accepted key is never half-written.
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        create_private_dir_all(parent)?;
    }
    let mut file = private_file_options().create(true).append(true).open(path)?;
    writeln!(file, "{line}")?;
    file.sync_all()
}

/// Writes `bytes` to `path` so that readers see the old file or the new one, never a mix: a
/// temporary file beside it, synced, then renamed over it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let parent = path.parent().unwrap_or_else(|| Path::new("."));
    create_private_dir_all(parent)?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = private_file_options().write(true).create(true).truncate(true).open(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temporary, path)
}

/// Moves a damaged file aside to `NAME.broken-YYYYMMDD-HHMMSS` and returns the new name, so the
/// user's data is kept for inspection rather than overwritten.
pub fn move_aside(path: &Path) -> PathBuf {
    let stamp = chrono::Utc::now().format("%Y%m%d-%H%M%S");
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let aside = path.with_file_name(format!("{name}.broken-{stamp}"));
    match std::fs::rename(path, &aside) {
        Ok(()) => aside,
        Err(_) => path.to_path_buf(),
    }
}
