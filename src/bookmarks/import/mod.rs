//! Importers for other clients' saved sites: FileZilla, Cyberduck, WinSCP and OpenSSH's config.
//! Each reports what it took and what it skipped, and why; passwords go to the caller (for the
//! keychain), never into Ferry's own file.

pub mod cyberduck;
pub mod filezilla;
pub mod ssh;
pub mod winscp;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::bookmarks::{Bookmark, BookmarkId};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::Protocol;

/// The largest file an importer reads: saved-site files are kilobytes; anything this big is not one.
pub const MAX_IMPORT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// One site taken from another client's file.
#[derive(Debug, Clone)]
pub struct ImportedBookmark {
    /// The bookmark to save.
    pub bookmark: Bookmark,
    /// Its password or key passphrase, if the file held one (for the keychain).
    pub password: Option<SecretString>,
}

/// A site that was not imported, and why, in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The site's name as the other client showed it.
    pub name: String,
    /// Why it was skipped (for example "S3 is not a protocol Ferry speaks").
    pub reason: String,
}

/// Something the user should know about a site that was imported: a part of it left out or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportNote {
    /// The site's name as the other client showed it.
    pub name: String,
    /// What was left out or changed, in plain words.
    pub note: String,
}

/// What an import found.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Which client's file this was.
    pub source: Option<ImportSource>,
    /// Sites to save.
    pub imported: Vec<ImportedBookmark>,
    /// Sites left out.
    pub skipped: Vec<Skipped>,
    /// Notes on imported sites: passwords not taken, settings Ferry does not have.
    pub notes: Vec<ImportNote>,
}

impl ImportReport {
    fn new(source: ImportSource) -> Self {
        ImportReport { source: Some(source), ..ImportReport::default() }
    }

    fn skip(&mut self, name: impl Into<String>, reason: impl Into<String>) {
        self.skipped.push(Skipped { name: name.into(), reason: reason.into() });
    }

    fn note(&mut self, name: impl Into<String>, note: impl Into<String>) {
        self.notes.push(ImportNote { name: name.into(), note: note.into() });
    }

    /// Adds another report's findings (used for a folder of `.duck` files).
    fn absorb(&mut self, other: ImportReport) {
        self.imported.extend(other.imported);
        self.skipped.extend(other.skipped);
        self.notes.extend(other.notes);
    }
}

/// The clients whose files Ferry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportSource {
    /// FileZilla's `sitemanager.xml`.
    FileZilla,
    /// Cyberduck's `.duck` bookmark files.
    Cyberduck,
    /// WinSCP's `WinSCP.ini`.
    WinScp,
    /// OpenSSH's `~/.ssh/config`.
    OpenSsh,
}

impl ImportSource {
    /// The client's name as users know it.
    pub fn label(self) -> &'static str {
        match self {
            ImportSource::FileZilla => "FileZilla",
            ImportSource::Cyberduck => "Cyberduck",
            ImportSource::WinScp => "WinSCP",
            ImportSource::OpenSsh => "OpenSSH config",
        }
    }

    fn id_tag(self) -> &'static str {
        match self {
            ImportSource::FileZilla => "filezilla",
            ImportSource::Cyberduck => "cyberduck",
            ImportSource::WinScp => "winscp",
            ImportSource::OpenSsh => "ssh",
        }
    }
}

/// Imports `path`, recognising the format: a FileZilla `sitemanager.xml`, a Cyberduck `.duck`
/// file or a folder of them, a `WinSCP.ini`, or an OpenSSH config file.
pub fn import_path(path: &Path) -> Result<ImportReport> {
    let metadata =
        std::fs::metadata(path).map_err(|e| FerryError::from_io(&e, format!("opening {}", path.display())))?;
    if metadata.is_dir() {
        return import_duck_folder(path);
    }
    let bytes = read_limited(path)?;
    match recognise(path, &bytes) {
        Some(ImportSource::FileZilla) => filezilla::parse(&text_of(path, &bytes)?),
        Some(ImportSource::Cyberduck) => cyberduck::parse_bytes(&bytes),
        Some(ImportSource::WinScp) => winscp::parse(&text_of(path, &bytes)?),
        Some(ImportSource::OpenSsh) => ssh::load(path),
        None => Err(FerryError::new(
            ErrorKind::Unsupported,
            format!(
                "importing {}: not a FileZilla sitemanager.xml, Cyberduck .duck file, WinSCP.ini or OpenSSH config",
                path.display()
            ),
        )),
    }
}

/// Which client wrote `bytes`, judged by content first and the file name second.
pub fn recognise(path: &Path, bytes: &[u8]) -> Option<ImportSource> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    let file_name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if bytes.starts_with(b"bplist") || head.contains("<plist") || file_name.ends_with(".duck") {
        return Some(ImportSource::Cyberduck);
    }
    if head.contains("<FileZilla3") {
        return Some(ImportSource::FileZilla);
    }
    if head.lines().any(|line| line.trim_start().starts_with("[Sessions\\")) || file_name == "winscp.ini" {
        return Some(ImportSource::WinScp);
    }
    let looks_like_ssh_config = head.lines().any(|line| {
        let keyword = line.trim_start().split(|c: char| c.is_whitespace() || c == '=').next().unwrap_or("");
        keyword.eq_ignore_ascii_case("Host") || keyword.eq_ignore_ascii_case("Match")
    });
    if looks_like_ssh_config || file_name == "config" || file_name == "ssh_config" {
        return Some(ImportSource::OpenSsh);
    }
    None
}

/// Imports every `.duck` file in `folder` (not its subfolders: Cyberduck keeps them flat).
fn import_duck_folder(folder: &Path) -> Result<ImportReport> {
    let reading = |e: std::io::Error| FerryError::from_io(&e, format!("reading the folder {}", folder.display()));
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .map_err(reading)?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("duck")) && path.is_file())
        .collect();
    if files.is_empty() {
        return Err(FerryError::new(
            ErrorKind::NotFound,
            format!("importing {}: the folder holds no Cyberduck .duck files", folder.display()),
        ));
    }
    // Sorted, so the report lists sites in the same order every time.
    files.sort();
    let mut report = ImportReport::new(ImportSource::Cyberduck);
    for file in files {
        let shown = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        match read_limited(&file).and_then(|bytes| cyberduck::parse_bytes(&bytes)) {
            Ok(one) => report.absorb(one),
            Err(error) => report.skip(shown, format!("the file could not be read: {error}")),
        }
    }
    // Each file was read on its own: two copies of one bookmark carry the same UUID.
    make_ids_unique(&mut report);
    Ok(report)
}

/// Gives a repeated id `-2`, `-3`, ... suffixes, in order, so every bookmark of a report has its own.
fn make_ids_unique(report: &mut ImportReport) {
    let mut given = HashSet::new();
    for imported in &mut report.imported {
        let base = imported.bookmark.id.0.clone();
        let mut counter = 1;
        while !given.insert(imported.bookmark.id.0.clone()) {
            counter += 1;
            imported.bookmark.id = BookmarkId(format!("{base}-{counter}"));
        }
    }
}

fn read_limited(path: &Path) -> Result<Vec<u8>> {
    let opening = |e: std::io::Error| FerryError::from_io(&e, format!("reading {}", path.display()));
    let size = std::fs::metadata(path).map_err(opening)?.len();
    if size > MAX_IMPORT_FILE_BYTES {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!("importing {}: {size} bytes is too large for a saved-sites file", path.display()),
        ));
    }
    std::fs::read(path).map_err(opening)
}

fn text_of(path: &Path, bytes: &[u8]) -> Result<String> {
    // WinSCP.ini written by Windows tools may start with a UTF-8 byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        FerryError::new(ErrorKind::Protocol, format!("importing {}: the file is not UTF-8 text", path.display()))
    })
}

/// Hands out bookmark ids that are stable across imports of the same file and unique within one.
///
/// An id is a hash of the source client, the folder, the name and the address, so importing the
/// same file twice gives the same ids (the caller can tell a repeated import from new sites).
/// Two sites with identical folder, name and address get `-2`, `-3`, ... in file order.
#[derive(Debug, Default)]
struct IdMaker {
    given: HashSet<String>,
}

impl IdMaker {
    fn id_for(&mut self, source: ImportSource, folder: &[String], name: &str, host: &str, port: u16) -> BookmarkId {
        let mut hasher = Sha256::new();
        for part in [source.id_tag(), &folder.join("\u{1f}"), name, host, &port.to_string()] {
            hasher.update(part.as_bytes());
            // A separator that cannot occur in the parts keeps ("ab", "c") apart from ("a", "bc").
            hasher.update([0u8]);
        }
        let digest = hasher.finalize();
        let base = format!("{}-{}", source.id_tag(), hex::encode(&digest[..8]));
        let mut id = base.clone();
        let mut counter = 1;
        while !self.given.insert(id.clone()) {
            counter += 1;
            id = format!("{base}-{counter}");
        }
        BookmarkId(id)
    }
}

/// A local path from another client's file, if it means something on this system; Windows paths
/// (`C:\...`, `\\server\share`) do not, and neither do relative ones.
fn usable_local_path(value: &str) -> Option<PathBuf> {
    let expanded = expand_home(value.trim())?;
    expanded.is_absolute().then_some(expanded)
}

/// `~` and `~/...` made absolute with the user's home folder.
fn expand_home(value: &str) -> Option<PathBuf> {
    if value.is_empty() {
        return None;
    }
    let rest = if value == "~" { Some("") } else { value.strip_prefix("~/") };
    match rest {
        Some(rest) => {
            let home = directories::BaseDirs::new()?.home_dir().to_path_buf();
            Some(if rest.is_empty() { home } else { home.join(rest) })
        }
        None => Some(PathBuf::from(value)),
    }
}

/// The key file a site names, when it is a path on this computer; the report tells why it is left
/// out otherwise, and how to convert a PuTTY key.
fn usable_key_file(report: &mut ImportReport, name: &str, raw: &str) -> Option<PathBuf> {
    let Some(path) = usable_local_path(raw) else {
        report.note(name, format!("the key file {raw:?} is not a path on this computer; choose it again"));
        return None;
    };
    if is_putty_key(&path) {
        report.note(
            name,
            "the key file is in PuTTY's .ppk format, which Ferry cannot read: convert it with \
             `puttygen KEY.ppk -O private-openssh -o KEY`",
        );
    }
    Some(path)
}

/// A site's port: the protocol's default for the values the client writes for "unset", `None`
/// (and the site skipped, with the reason) for anything but 1 to 65535.
fn port(report: &mut ImportReport, name: &str, raw: &str, unset: &[&str], protocol: Protocol) -> Option<u16> {
    let raw = raw.trim();
    if unset.contains(&raw) {
        return Some(protocol.default_port());
    }
    match raw.parse::<u16>() {
        Ok(port) if port > 0 => Some(port),
        _ => {
            report.skip(name, format!("its port {raw:?} is not a number from 1 to 65535"));
            None
        }
    }
}

/// Whether a key file is in PuTTY's format, which libssh2 cannot read.
fn is_putty_key(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("ppk"))
}

/// A site's name as the report shows it: its own name, else its host, else a placeholder.
fn display_name(name: &str, host: &str) -> String {
    let name = name.trim();
    if !name.is_empty() {
        name.to_string()
    } else if !host.trim().is_empty() {
        host.trim().to_string()
    } else {
        "(unnamed site)".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_unique() {
        let mut first = IdMaker::default();
        let a = first.id_for(ImportSource::WinScp, &["Work".into()], "web", "example.com", 22);
        let b = first.id_for(ImportSource::WinScp, &["Work".into()], "web", "example.com", 22);
        assert_ne!(a, b);
        let mut second = IdMaker::default();
        assert_eq!(second.id_for(ImportSource::WinScp, &["Work".into()], "web", "example.com", 22), a);
        assert!(a.0.starts_with("winscp-"));
    }

    #[test]
    fn formats_are_recognised_by_content() {
        let p = Path::new("whatever.txt");
        assert_eq!(recognise(p, b"<?xml?>\n<FileZilla3>"), Some(ImportSource::FileZilla));
        assert_eq!(recognise(p, b"<?xml?>\n<plist version=\"1.0\">"), Some(ImportSource::Cyberduck));
        assert_eq!(recognise(p, b"[Sessions\\x]\nHostName=a"), Some(ImportSource::WinScp));
        assert_eq!(recognise(p, b"Host x\n  HostName y"), Some(ImportSource::OpenSsh));
        assert_eq!(recognise(p, b"hello"), None);
    }
}
