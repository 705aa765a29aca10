//! Saved sites: the bookmark model, its file in the config folder, secrets in the OS keychain,
//! and importers for other clients' files.

pub mod import;
mod model;
pub mod resolve;
pub mod secrets;
pub mod store;

pub use model::{Bookmark, BookmarkId, LoginMethod};
pub use resolve::{Target, apply_alias, attach_secret, bookmark_spec, connect_ssh_config, resolve_target};
pub use secrets::Keychain;
pub use store::{BookmarkFile, BookmarkStore, Loaded};

use std::path::Path;

use secrecy::SecretString;

use crate::error::{FerryError, Result};
use import::Skipped;

/// What happened to a secret handed in with a bookmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretOutcome {
    /// There was none to keep.
    NoneGiven,
    /// It is in the keychain.
    Stored,
    /// It was not kept anywhere (no keychain, or the keychain refused): Ferry will ask at connect.
    NotStored(FerryError),
}

/// Saves a bookmark (added or changed, by id) and puts its secret, if given, in the keychain.
/// The secret never reaches the bookmark file. A bookmark that logs in with the agent or asks
/// each time keeps no secret: one left from an earlier login method is deleted.
pub fn save_bookmark(
    store: &BookmarkStore,
    keychain: &Keychain,
    bookmark: Bookmark,
    secret: Option<&SecretString>,
) -> Result<(Loaded, SecretOutcome)> {
    let id = bookmark.id.clone();
    let keeps_secret = matches!(bookmark.login, LoginMethod::Password | LoginMethod::KeyFile);
    let loaded = store.upsert(bookmark)?;
    if !keeps_secret {
        if let Err(error) = keychain.delete(&id) {
            tracing::warn!(target: "ferry::bookmarks", "could not delete an unused secret: {error}");
        }
        return Ok((loaded, SecretOutcome::NoneGiven));
    }
    Ok((loaded, save_secret(keychain, &id, secret)))
}

/// Removes a bookmark and its secret.
pub fn remove_bookmark(store: &BookmarkStore, keychain: &Keychain, id: &BookmarkId) -> Result<(Loaded, Bookmark)> {
    let (loaded, removed) = store.remove(id)?;
    if let Err(error) = keychain.delete(id) {
        tracing::warn!(target: "ferry::bookmarks", "could not delete the secret of {}: {error}", removed.name);
    }
    Ok((loaded, removed))
}

/// What an import saved.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// The names of the sites saved.
    pub imported: Vec<String>,
    /// The sites left out, and why.
    pub skipped: Vec<Skipped>,
    /// Names of sites whose password could not be kept (no keychain): asked at connect.
    pub secrets_not_stored: Vec<String>,
    /// The bookmark file after the import.
    pub loaded: Loaded,
}

/// Imports another client's file (see [`import::import_path`]), saves the sites in one write
/// (re-importing replaces the same sites rather than doubling them) and their passwords in the
/// keychain.
pub fn import_into(store: &BookmarkStore, keychain: &Keychain, path: &Path) -> Result<ImportOutcome> {
    let report = import::import_path(path)?;
    let imported: Vec<String> = report.imported.iter().map(|site| site.bookmark.name.clone()).collect();
    let bookmarks = report.imported.iter().map(|site| site.bookmark.clone()).collect();
    let loaded = store.upsert_all(bookmarks)?;
    let mut secrets_not_stored = Vec::new();
    for site in &report.imported {
        if let SecretOutcome::NotStored(_) = save_secret(keychain, &site.bookmark.id, site.password.as_ref()) {
            secrets_not_stored.push(site.bookmark.name.clone());
        }
    }
    Ok(ImportOutcome { imported, skipped: report.skipped, secrets_not_stored, loaded })
}

/// Puts a secret handed in with bookmark `id` in the keychain, telling what became of it.
pub fn save_secret(keychain: &Keychain, id: &BookmarkId, secret: Option<&SecretString>) -> SecretOutcome {
    let Some(secret) = secret else { return SecretOutcome::NoneGiven };
    match keychain.store(id, secret) {
        Ok(()) => SecretOutcome::Stored,
        Err(error) => SecretOutcome::NotStored(error),
    }
}
