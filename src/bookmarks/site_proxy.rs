//! A saved site's own proxy: its URL in the bookmark file without the password, the password in
//! the keychain under the site and the proxy's user and address.

use secrecy::SecretString;

use super::{Bookmark, Keychain, SecretKey};
use crate::error::{FerryError, Result};
use crate::proxy::{ProxyChoice, parse_proxy_url};

/// What the bookmark's `proxy` says: nothing (follow ALL_PROXY), `none`, or a proxy.
pub fn site_proxy_choice(bookmark: &Bookmark) -> Result<Option<ProxyChoice>> {
    match bookmark.proxy.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) if text.eq_ignore_ascii_case("none") => Ok(Some(ProxyChoice::Direct)),
        Some(text) => parse_proxy_url(text)
            .map(|proxy| Some(ProxyChoice::Through(proxy)))
            .map_err(|error| FerryError { context: format!("the site's proxy: {}", error.context), ..error }),
    }
}

/// The site's proxy choice with the proxy's password from the keychain, when it has a user.
/// A keychain that fails is only logged: the proxy then refuses, and says so.
pub fn site_proxy(bookmark: &Bookmark, keychain: &Keychain) -> Result<Option<ProxyChoice>> {
    let mut choice = site_proxy_choice(bookmark)?;
    if let Some(ProxyChoice::Through(proxy)) = &mut choice
        && proxy.user.is_some()
        && proxy.password.is_none()
        && keychain.is_available()
    {
        match keychain.load(&SecretKey::of_proxy(bookmark, proxy)) {
            Ok(password) => proxy.password = password,
            Err(error) => tracing::warn!(target: "ferry::bookmarks", "no proxy password from the keychain: {error}"),
        }
    }
    Ok(choice)
}

/// Checks the bookmark's proxy and takes a password out of its URL, so that only the URL without
/// it is saved; returns the password to keep in the keychain, with its entry.
pub fn take_proxy_secret(bookmark: &mut Bookmark) -> Result<Option<(SecretKey, SecretString)>> {
    let Some(ProxyChoice::Through(proxy)) = site_proxy_choice(bookmark)? else {
        bookmark.proxy = bookmark.proxy.take().map(|text| text.trim().to_ascii_lowercase()).filter(|t| !t.is_empty());
        return Ok(None);
    };
    bookmark.proxy = Some(proxy.display_url());
    let key = SecretKey::of_proxy(bookmark, &proxy);
    Ok(proxy.password.map(|password| (key, password)))
}

/// The keychain entry the bookmark's proxy password lives under, if its proxy has a user.
pub fn proxy_secret_key(bookmark: &Bookmark) -> Option<SecretKey> {
    match site_proxy_choice(bookmark) {
        Ok(Some(ProxyChoice::Through(proxy))) if proxy.user.is_some() => Some(SecretKey::of_proxy(bookmark, &proxy)),
        _ => None,
    }
}
