//! Importers for other clients' saved sites: FileZilla, Cyberduck, WinSCP and OpenSSH's config.
//! Each reports what it took and what it skipped, and why; passwords go to the caller (for the
//! keychain), never into Ferry's own file.

use std::path::Path;

use secrecy::SecretString;

use crate::bookmarks::Bookmark;
use crate::error::{ErrorKind, FerryError, Result};

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

/// What an import found.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// Sites to save.
    pub imported: Vec<ImportedBookmark>,
    /// Sites left out.
    pub skipped: Vec<Skipped>,
}

/// Imports `path`, recognising the format: a FileZilla `sitemanager.xml`, a Cyberduck `.duck`
/// file or a folder of them, a `WinSCP.ini`, or an OpenSSH config file.
pub fn import_path(path: &Path) -> Result<ImportReport> {
    Err(FerryError::new(ErrorKind::Unsupported, format!("importing {} is not written yet", path.display())))
}
