//! Saved sites: the bookmark model, its file in the config folder, secrets in the OS keychain,
//! and importers for other clients' files.

pub mod import;
mod model;
pub mod resolve;
pub mod secrets;
pub mod site_proxy;
pub mod store;

pub use model::{Bookmark, BookmarkId, LoginMethod};
pub use resolve::{
    Target, apply_alias, attach_secret, bookmark_spec, connect_ssh_config, resolve_jump_chain, resolve_target,
};
pub use secrets::{Keychain, SecretKey};
pub use site_proxy::{site_proxy, take_proxy_secret};
pub use store::{BookmarkFile, BookmarkStore, Loaded, Merged};

use std::path::Path;

use secrecy::SecretString;

use crate::error::{FerryError, Result};
use import::{ImportNote, Skipped};

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
/// each time keeps no secret: one left from an earlier login method is deleted. So is one saved
/// for another host or user than the bookmark now names: a secret never follows a changed site.
pub fn save_bookmark(
    store: &BookmarkStore,
    keychain: &Keychain,
    mut bookmark: Bookmark,
    secret: Option<&SecretString>,
) -> Result<(Loaded, SecretOutcome)> {
    // A proxy password typed into the site's proxy URL goes to the keychain, never to the file.
    let proxy_secret = take_proxy_secret(&mut bookmark)?;
    let proxy_key = site_proxy::proxy_secret_key(&bookmark);
    let key = SecretKey::of(&bookmark);
    let keeps_secret = matches!(bookmark.login, LoginMethod::Password | LoginMethod::KeyFile);
    let saved_before = store.load()?.file.get(&bookmark.id).cloned();
    let previous = saved_before.as_ref().map(SecretKey::of);
    let previous_proxy = saved_before.as_ref().and_then(site_proxy::proxy_secret_key);
    let loaded = store.upsert(bookmark)?;
    if let Some(previous) = previous.filter(|previous| *previous != key) {
        forget_secret(keychain, &previous);
    }
    if let Some(previous) = previous_proxy.filter(|previous| Some(previous) != proxy_key.as_ref()) {
        forget_secret(keychain, &previous);
    }
    if let Some((proxy_key, password)) = proxy_secret
        && let SecretOutcome::NotStored(error) = save_secret(keychain, &proxy_key, Some(&password))
    {
        tracing::warn!(target: "ferry::bookmarks", "the proxy password was not stored: {error}");
    }
    if !keeps_secret {
        forget_secret(keychain, &key);
        return Ok((loaded, SecretOutcome::NoneGiven));
    }
    Ok((loaded, save_secret(keychain, &key, secret)))
}

/// Deletes a secret no bookmark may use any more; a keychain that fails is only logged.
fn forget_secret(keychain: &Keychain, key: &SecretKey) {
    if let Err(error) = keychain.delete(key) {
        tracing::warn!(target: "ferry::bookmarks", "could not delete an unused secret: {error}");
    }
}

/// Removes a bookmark and its secret.
pub fn remove_bookmark(store: &BookmarkStore, keychain: &Keychain, id: &BookmarkId) -> Result<(Loaded, Bookmark)> {
    let (loaded, removed) = store.remove(id)?;
    if let Err(error) = keychain.delete(&SecretKey::of(&removed)) {
        tracing::warn!(target: "ferry::bookmarks", "could not delete the secret of {}: {error}", removed.name);
    }
    if let Some(key) = site_proxy::proxy_secret_key(&removed) {
        forget_secret(keychain, &key);
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
    /// What the user should know about sites that were saved: settings left out, a site added as
    /// new because a saved one has its id but connects elsewhere.
    pub notes: Vec<ImportNote>,
    /// Names of sites whose password could not be kept (no keychain): asked at connect.
    pub secrets_not_stored: Vec<String>,
    /// The bookmark file after the import.
    pub loaded: Loaded,
}

/// Imports another client's file (see [`import::import_path`]), saves the sites in one write
/// (re-importing replaces the same sites rather than doubling them, but never repoints a saved
/// site at another server) and their passwords in the keychain.
pub fn import_into(store: &BookmarkStore, keychain: &Keychain, path: &Path) -> Result<ImportOutcome> {
    let report = import::import_path(path)?;
    let bookmarks = report.imported.iter().map(|site| site.bookmark.clone()).collect();
    let (loaded, merged) = store.import_all(bookmarks)?;
    let mut notes = report.notes;
    let mut imported = Vec::new();
    let mut secrets_not_stored = Vec::new();
    for (site, merged) in report.imported.iter().zip(&merged) {
        let saved = merged.bookmark();
        imported.push(saved.name.clone());
        if let Merged::AddedAsNew { kept: (kept_name, kept_endpoint), .. } = merged {
            notes.push(ImportNote {
                name: saved.name.clone(),
                note: format!(
                    "added as new because the saved site \"{kept_name}\" has the same id but connects to \
                     {kept_endpoint}; that site was left as it is"
                ),
            });
        }
        if let SecretOutcome::NotStored(_) = save_secret(keychain, &SecretKey::of(saved), site.password.as_ref()) {
            secrets_not_stored.push(saved.name.clone());
        }
    }
    Ok(ImportOutcome { imported, skipped: report.skipped, notes, secrets_not_stored, loaded })
}

/// Puts a secret handed in with a bookmark in the keychain under `key`, telling what became of it.
pub fn save_secret(keychain: &Keychain, key: &SecretKey, secret: Option<&SecretString>) -> SecretOutcome {
    let Some(secret) = secret else { return SecretOutcome::NoneGiven };
    match keychain.store(key, secret) {
        Ok(()) => SecretOutcome::Stored,
        Err(error) => SecretOutcome::NotStored(error),
    }
}
