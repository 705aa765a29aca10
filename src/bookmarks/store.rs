//! The bookmark file: `bookmarks.json` in the config folder, versioned, written atomically, edited
//! one bookmark at a time under a lock so that two running Ferrys never lose each other's edits.
//! A file Ferry cannot use is moved aside to a dated name and reported, never overwritten.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Bookmark, BookmarkId};
use crate::config::ConfigDir;
use crate::error::{ErrorKind, FerryError, Result};

/// The format version this Ferry writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// How many recent connections are remembered.
pub const MAX_RECENT: usize = 10;

/// The whole bookmark file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookmarkFile {
    /// The format version (`FORMAT_VERSION`); a newer one is refused rather than misread.
    pub version: u32,
    /// The saved sites, in the order they were added.
    #[serde(default)]
    pub bookmarks: Vec<Bookmark>,
    /// The last connections (URLs without password), newest first, each once.
    #[serde(default)]
    pub recent: Vec<String>,
}

impl Default for BookmarkFile {
    fn default() -> Self {
        BookmarkFile { version: FORMAT_VERSION, bookmarks: Vec::new(), recent: Vec::new() }
    }
}

impl BookmarkFile {
    /// The bookmark with this id.
    pub fn get(&self, id: &BookmarkId) -> Option<&Bookmark> {
        self.bookmarks.iter().find(|b| &b.id == id)
    }

    /// The bookmark a user means by `name` (as in `ferry ls NAME:/path`): an exact name first,
    /// then the only one whose name matches ignoring case.
    pub fn find_by_name(&self, name: &str) -> Option<&Bookmark> {
        self.bookmarks.iter().find(|b| b.name == name).or_else(|| {
            let mut folded = self.bookmarks.iter().filter(|b| b.name.eq_ignore_ascii_case(name));
            match (folded.next(), folded.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            }
        })
    }

    /// Adds `bookmark`, or replaces the one with its id in place.
    pub fn upsert(&mut self, bookmark: Bookmark) {
        match self.bookmarks.iter_mut().find(|b| b.id == bookmark.id) {
            Some(slot) => *slot = bookmark,
            None => self.bookmarks.push(bookmark),
        }
    }

    /// Adds an imported bookmark. One with the same id that connects to the same protocol, host,
    /// port and user is replaced (the same site imported again). One with the same id that
    /// connects elsewhere is left exactly as it is, and the import is added beside it under an
    /// id and name of its own: an import never points a saved site, and its keychain secret, at
    /// another server.
    pub fn merge_imported(&mut self, mut bookmark: Bookmark) -> Merged {
        let base = bookmark.id.0.clone();
        let mut counter = 1;
        let mut first_clash = None;
        loop {
            match self.bookmarks.iter_mut().find(|b| b.id == bookmark.id) {
                None => break,
                // The same site again (also one added beside a clash by an earlier import).
                Some(slot) if same_endpoint(slot, &bookmark) => {
                    if first_clash.is_some() {
                        // It was renamed when added beside the clash: it keeps that name.
                        bookmark.name = slot.name.clone();
                    }
                    *slot = bookmark.clone();
                    return Merged::Replaced(bookmark);
                }
                Some(slot) => {
                    first_clash.get_or_insert_with(|| (slot.name.clone(), endpoint_text(slot)));
                    counter += 1;
                    bookmark.id = BookmarkId(format!("{base}-{counter}"));
                }
            }
        }
        let Some(kept) = first_clash else {
            self.bookmarks.push(bookmark.clone());
            return Merged::Added(bookmark);
        };
        // Names are what `NAME:/path` finds: the new one must not take the kept one's.
        let wanted = bookmark.name.clone();
        let mut suffix = 1;
        while self.bookmarks.iter().any(|b| b.name == bookmark.name) {
            bookmark.name = if suffix == 1 {
                format!("{wanted} ({})", bookmark.host)
            } else {
                format!("{wanted} ({}) {suffix}", bookmark.host)
            };
            suffix += 1;
        }
        self.bookmarks.push(bookmark.clone());
        Merged::AddedAsNew { added: bookmark, kept }
    }

    /// Removes the bookmark with this id, returning it.
    pub fn remove(&mut self, id: &BookmarkId) -> Option<Bookmark> {
        let index = self.bookmarks.iter().position(|b| &b.id == id)?;
        Some(self.bookmarks.remove(index))
    }

    /// Puts `url` first in the recent list, once, keeping `MAX_RECENT`.
    pub fn push_recent(&mut self, url: &str) {
        self.recent.retain(|known| known != url);
        self.recent.insert(0, url.to_string());
        self.recent.truncate(MAX_RECENT);
    }
}

/// What became of an imported bookmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// It was new.
    Added(Bookmark),
    /// It replaced the same site from an earlier import.
    Replaced(Bookmark),
    /// A saved site had its id but connects elsewhere: that one (`kept`: its name and where it
    /// connects) was left alone, and this one added beside it.
    AddedAsNew { added: Bookmark, kept: (String, String) },
}

impl Merged {
    /// The bookmark as saved.
    pub fn bookmark(&self) -> &Bookmark {
        match self {
            Merged::Added(bookmark) | Merged::Replaced(bookmark) => bookmark,
            Merged::AddedAsNew { added, .. } => added,
        }
    }
}

/// Whether two bookmarks log in to the same account on the same server.
fn same_endpoint(a: &Bookmark, b: &Bookmark) -> bool {
    a.protocol == b.protocol && a.host.eq_ignore_ascii_case(&b.host) && a.port == b.port && a.user == b.user
}

/// Where a bookmark connects, as a URL without password.
fn endpoint_text(bookmark: &Bookmark) -> String {
    let user = if bookmark.user.is_empty() { String::new() } else { format!("{}@", bookmark.user) };
    format!("{}://{user}{}:{}", bookmark.protocol.scheme(), bookmark.host, bookmark.port)
}

/// What reading the bookmark file found: its contents, and the problem with it if it could not be
/// used (it was moved aside; the contents are then empty).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The bookmarks and recent connections.
    pub file: BookmarkFile,
    /// Why the file on disk could not be used, and where it was kept.
    pub problem: Option<FerryError>,
}

/// The bookmark file of one config folder.
#[derive(Debug, Clone)]
pub struct BookmarkStore {
    path: PathBuf,
    lock_path: PathBuf,
}

impl BookmarkStore {
    /// The bookmark file in `config`.
    pub fn new(config: &ConfigDir) -> Self {
        BookmarkStore::at(config.path().join("bookmarks.json"))
    }

    /// A bookmark file at `path` (its lock file sits beside it).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let lock_path = path.with_file_name(format!("{name}.lock"));
        BookmarkStore { path, lock_path }
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file (a missing one is empty). A file that cannot be used is moved aside and
    /// reported in `problem`.
    pub fn load(&self) -> Result<Loaded> {
        let _lock = self.lock()?;
        self.read_locked()
    }

    /// Adds or replaces one bookmark (by id), keeping every other edit made meanwhile.
    pub fn upsert(&self, bookmark: Bookmark) -> Result<Loaded> {
        self.edit(|file| file.upsert(bookmark)).map(|(loaded, ())| loaded)
    }

    /// Adds a new bookmark; `AlreadyExists` if one has its name already (names are what
    /// `NAME:/path` finds, so they must stay unique). Checked and written under one lock.
    pub fn insert_new(&self, bookmark: Bookmark) -> Result<Loaded> {
        self.try_edit(|file| {
            if file.bookmarks.iter().any(|b| b.name == bookmark.name) {
                return Err(FerryError::new(
                    ErrorKind::AlreadyExists,
                    format!("a bookmark named \"{}\" exists already (remove it first)", bookmark.name),
                ));
            }
            file.upsert(bookmark);
            Ok(())
        })
        .map(|(loaded, ())| loaded)
    }

    /// Adds or replaces several bookmarks (by id) in one write.
    pub fn upsert_all(&self, bookmarks: Vec<Bookmark>) -> Result<Loaded> {
        self.edit(|file| bookmarks.into_iter().for_each(|b| file.upsert(b))).map(|(loaded, ())| loaded)
    }

    /// Adds imported bookmarks in one write, never repointing a saved one (see
    /// [`BookmarkFile::merge_imported`]).
    pub fn import_all(&self, bookmarks: Vec<Bookmark>) -> Result<(Loaded, Vec<Merged>)> {
        self.edit(|file| bookmarks.into_iter().map(|b| file.merge_imported(b)).collect())
    }

    /// Removes one bookmark; `NotFound` if there is none with that id.
    pub fn remove(&self, id: &BookmarkId) -> Result<(Loaded, Bookmark)> {
        let (loaded, removed) = self.edit(|file| file.remove(id))?;
        let removed =
            removed.ok_or_else(|| FerryError::new(ErrorKind::NotFound, format!("no bookmark with id {}", id.0)))?;
        Ok((loaded, removed))
    }

    /// Records a connection in the recent list.
    pub fn push_recent(&self, url: &str) -> Result<Loaded> {
        self.edit(|file| file.push_recent(url)).map(|(loaded, ())| loaded)
    }

    /// Writes the bookmarks to `to` in Ferry's own format (never with a secret: there are none in
    /// it), without the recent list, which is private history. Returns how many were written.
    pub fn export(&self, to: &Path) -> Result<usize> {
        let loaded = self.load()?;
        if let Some(problem) = loaded.problem {
            return Err(problem);
        }
        let export = BookmarkFile { recent: Vec::new(), ..loaded.file };
        let bytes = to_json(&export)?;
        crate::config::write_atomically(to, &bytes)
            .map_err(|e| FerryError::from_io(&e, format!("exporting bookmarks to {}", to.display())))?;
        Ok(export.bookmarks.len())
    }

    /// Read, change, write, all under the lock: the change is applied to what is on disk now, not
    /// to a copy another process may have changed since.
    fn edit<T>(&self, change: impl FnOnce(&mut BookmarkFile) -> T) -> Result<(Loaded, T)> {
        self.try_edit(|file| Ok(change(file)))
    }

    /// Like `edit`, for a change that may refuse: then nothing is written.
    fn try_edit<T>(&self, change: impl FnOnce(&mut BookmarkFile) -> Result<T>) -> Result<(Loaded, T)> {
        let _lock = self.lock()?;
        let mut loaded = self.read_locked()?;
        let outcome = change(&mut loaded.file)?;
        loaded.file.version = FORMAT_VERSION;
        let bytes = to_json(&loaded.file)?;
        crate::config::write_atomically(&self.path, &bytes)
            .and_then(|()| sync_folder(&self.path))
            .map_err(|e| FerryError::from_io(&e, format!("saving {}", self.path.display())))?;
        Ok((loaded, outcome))
    }

    /// Takes the exclusive lock on the lock file beside the bookmark file; released when the
    /// returned file is dropped (also if the process dies).
    // `File::lock` (stable since Rust 1.89, the manifest's `rust-version`): an advisory lock
    // every instance of Ferry takes, released by the kernel if the process dies.
    fn lock(&self) -> Result<File> {
        let context = || format!("locking {}", self.lock_path.display());
        if let Some(parent) = self.lock_path.parent() {
            crate::config::create_private_dir_all(parent).map_err(|e| FerryError::from_io(&e, context()))?;
        }
        let file = crate::config::private_file_options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&self.lock_path)
            .map_err(|e| FerryError::from_io(&e, context()))?;
        file.lock().map_err(|e| FerryError::from_io(&e, context()))?;
        Ok(file)
    }

    /// Reads the file; the caller holds the lock.
    fn read_locked(&self) -> Result<Loaded> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Loaded::default()),
            Err(error) => {
                let kind = FerryError::from_io(&error, "reading the bookmark file").kind;
                return self.set_aside(kind, "could not be read", Some(error.to_string()));
            }
        };
        match parse(&bytes) {
            Ok(file) => Ok(Loaded { file, problem: None }),
            Err(Unusable::Newer(version)) => self.set_aside(
                ErrorKind::Unsupported,
                &format!("was written by a newer Ferry (format {version}; this one reads {FORMAT_VERSION})"),
                None,
            ),
            Err(Unusable::Damaged(detail)) => self.set_aside(ErrorKind::Protocol, "is damaged", Some(detail)),
        }
    }

    /// Moves the unusable file aside and reports it, with the name it now has. If it cannot be
    /// moved, nothing may be written over it: that is an error.
    fn set_aside(&self, kind: ErrorKind, what: &str, detail: Option<String>) -> Result<Loaded> {
        let aside = crate::config::move_aside(&self.path);
        let with_detail = |error: FerryError| match &detail {
            Some(detail) => error.with_detail(detail.clone()),
            None => error,
        };
        if aside == self.path {
            return Err(with_detail(FerryError::new(
                kind,
                format!("the bookmark file {} {what}, and could not be moved aside", self.path.display()),
            )));
        }
        let problem = with_detail(FerryError::new(
            kind,
            format!("the bookmark file {what}; it was kept as {} and Ferry started a new one", aside.display()),
        ));
        tracing::warn!(target: "ferry::bookmarks", "{problem}");
        Ok(Loaded { file: BookmarkFile::default(), problem: Some(problem) })
    }
}

/// Why file contents cannot be used.
enum Unusable {
    /// A format version from a newer Ferry.
    Newer(u64),
    /// Not JSON, or not the shape Ferry writes.
    Damaged(String),
}

/// Parses file contents, checking the version before the shape, so a newer format is told
/// apart from damage.
fn parse(bytes: &[u8]) -> std::result::Result<BookmarkFile, Unusable> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| Unusable::Damaged(e.to_string()))?;
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(version) if version > u64::from(FORMAT_VERSION) => return Err(Unusable::Newer(version)),
        Some(_) => {}
        None => return Err(Unusable::Damaged("no format version".into())),
    }
    let mut file: BookmarkFile = serde_json::from_value(value).map_err(|e| Unusable::Damaged(e.to_string()))?;
    // Older Ferrys recorded the local disk ("file://:0") as a recent connection: it is no site.
    file.recent.retain(|url| crate::url::parse_url(url).is_ok());
    Ok(file)
}

/// Syncs the folder holding `path`, so the rename that replaced the file survives a power cut
/// too (`write_atomically` syncs the file itself). Only Unix can open a folder for this.
fn sync_folder(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn to_json(file: &BookmarkFile) -> Result<Vec<u8>> {
    let mut bytes = serde_json::to_vec_pretty(file)
        .map_err(|e| FerryError::new(ErrorKind::LocalIo, "writing the bookmark file").with_detail(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A new, practically unique bookmark id: time, process and a counter, hashed.
pub fn new_bookmark_id() -> BookmarkId {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    let mut hasher = Sha256::new();
    hasher.update(nanos.to_le_bytes());
    hasher.update(std::process::id().to_le_bytes());
    hasher.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let digest = hasher.finalize();
    BookmarkId(digest.iter().take(10).map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{FtpMode, Protocol};

    fn bookmark(name: &str) -> Bookmark {
        Bookmark {
            id: new_bookmark_id(),
            name: name.to_string(),
            folder: vec!["Work".into()],
            protocol: Protocol::Sftp,
            host: "example.org".into(),
            port: 22,
            user: "me".into(),
            login: super::super::LoginMethod::Agent,
            key_file: None,
            ftp_mode: FtpMode::Passive,
            remote_dir: Some("/srv".into()),
            local_dir: None,
            comment: String::new(),
            uploads_in_place: false,
            connect_through: None,
            proxy: None,
            keep: Default::default(),
            limit_down: None,
            limit_up: None,
            name_charset: Default::default(),
            server_time_zone: crate::model::ServerTimeZone::Auto,
        }
    }

    #[test]
    fn round_trip_upsert_remove_recent() {
        let dir = tempfile::tempdir().unwrap();
        let store = BookmarkStore::new(&ConfigDir::at(dir.path()));
        assert!(store.load().unwrap().file.bookmarks.is_empty());
        let mut web = bookmark("web");
        store.upsert(web.clone()).unwrap();
        store.upsert(bookmark("db")).unwrap();
        web.port = 2222;
        store.upsert(web.clone()).unwrap();
        let loaded = store.load().unwrap();
        assert!(loaded.problem.is_none());
        assert_eq!(loaded.file.bookmarks.len(), 2);
        assert_eq!(loaded.file.get(&web.id), Some(&web));
        assert_eq!(loaded.file.find_by_name("WEB").map(|b| b.port), Some(2222));
        let (_, removed) = store.remove(&web.id).unwrap();
        assert_eq!(removed.name, "web");
        assert_eq!(store.remove(&web.id).unwrap_err().kind, ErrorKind::NotFound);
        for n in 0..12 {
            store.push_recent(&format!("sftp://h{n}:22")).unwrap();
        }
        store.push_recent("sftp://h5:22").unwrap();
        let recent = store.load().unwrap().file.recent;
        assert_eq!(recent.len(), MAX_RECENT);
        assert_eq!(recent[0], "sftp://h5:22");
        assert_eq!(recent.iter().filter(|u| *u == "sftp://h5:22").count(), 1);
    }

    #[test]
    fn written_as_versioned_json_without_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = BookmarkStore::new(&ConfigDir::at(dir.path()));
        store.upsert(bookmark("web")).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(value["version"], 1);
        assert_eq!(value["bookmarks"][0]["name"], "web");
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        names.sort();
        assert_eq!(names, vec!["bookmarks.json", "bookmarks.json.lock"]);
    }

    #[test]
    fn damaged_file_is_moved_aside_with_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let store = BookmarkStore::new(&ConfigDir::at(dir.path()));
        std::fs::write(store.path(), b"{\"version\": 1, \"bookmarks\": [tru").unwrap();
        let loaded = store.load().unwrap();
        let problem = loaded.problem.expect("reported");
        assert_eq!(problem.kind, ErrorKind::Protocol);
        assert!(loaded.file.bookmarks.is_empty());
        let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("bookmarks.json.broken-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert!(problem.context.contains(&*aside[0].to_string_lossy()), "{problem}");
        assert_eq!(std::fs::read(&aside[0]).unwrap(), b"{\"version\": 1, \"bookmarks\": [tru");
        assert!(!store.path().exists());
    }

    #[test]
    fn newer_version_is_refused_not_misread() {
        let dir = tempfile::tempdir().unwrap();
        let store = BookmarkStore::new(&ConfigDir::at(dir.path()));
        let newer = b"{\"version\": 2, \"bookmarks\": [], \"sites\": {}}";
        std::fs::write(store.path(), newer).unwrap();
        let (loaded, ()) = store.edit(|_| ()).unwrap();
        assert_eq!(loaded.problem.unwrap().kind, ErrorKind::Unsupported);
        let kept = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains(".broken-"))
            .unwrap();
        assert_eq!(std::fs::read(kept).unwrap(), newer);
    }

    #[test]
    fn the_local_disk_saved_as_recent_by_an_older_ferry_is_dropped_when_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = BookmarkStore::at(dir.path().join("bookmarks.json"));
        let old = r#"{"version": 1, "recent": ["file://:0", "sftp://me@example.org:22", "file:///home/me"]}"#;
        std::fs::write(store.path(), old).unwrap();
        assert_eq!(store.load().unwrap().file.recent, vec!["sftp://me@example.org:22".to_string()]);
    }

    #[test]
    fn export_leaves_recent_out() {
        let dir = tempfile::tempdir().unwrap();
        let store = BookmarkStore::new(&ConfigDir::at(dir.path()));
        store.upsert(bookmark("web")).unwrap();
        store.push_recent("sftp://me@example.org:22").unwrap();
        let target = dir.path().join("out/export.json");
        assert_eq!(store.export(&target).unwrap(), 1);
        let exported: BookmarkFile = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
        assert_eq!(exported.bookmarks.len(), 1);
        assert!(exported.recent.is_empty());
    }

    #[test]
    fn names_stay_unique_on_insert() {
        let dir = tempfile::tempdir().unwrap();
        let store = BookmarkStore::new(&ConfigDir::at(dir.path()));
        store.insert_new(bookmark("web")).unwrap();
        let before = std::fs::read(store.path()).unwrap();
        assert_eq!(store.insert_new(bookmark("web")).unwrap_err().kind, ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(store.path()).unwrap(), before);
    }

    #[test]
    fn ids_differ() {
        let ids: std::collections::HashSet<BookmarkId> = (0..1000).map(|_| new_bookmark_id()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
