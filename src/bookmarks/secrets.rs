//! Bookmark secrets (a password, or a key's passphrase) in the operating system's keychain,
//! never in a file: the Secret Service on Linux, the Keychain on macOS, the Credential Manager on
//! Windows. When no keychain answers, nothing is stored and Ferry asks at each connect.
//!
//! A secret is bound to the user and host it was saved for: the keychain entry's account names
//! the bookmark's id, user and host, so a bookmark later pointed at another host or user finds no
//! secret (and the old one is deleted), rather than sending it to a server it was never meant for.
//!
//! Every keychain call runs on a thread of its own with a time limit: a D-Bus session that is
//! missing, or a locked keyring waiting on a prompt nobody sees, must not hang the caller.

use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::{Bookmark, BookmarkId};
use crate::error::{ErrorKind, FerryError, Result};

/// The service name Ferry's entries carry in the keychain.
pub const SERVICE: &str = "ferry";

/// How long the availability probe may take before the keychain counts as absent.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// How long one read, write or delete may take (an unlock prompt may need the user).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The account name the probe reads; it is never written.
const PROBE_ACCOUNT: &str = "ferry-keychain-probe";

/// Which keychain entry holds a bookmark's secret: the bookmark's id with the user and host the
/// secret is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKey {
    id: BookmarkId,
    account: String,
}

impl SecretKey {
    /// The entry for `bookmark` as it is now: its id, user and host (host names ignore case).
    pub fn of(bookmark: &Bookmark) -> SecretKey {
        let host = bookmark.host.trim().to_ascii_lowercase();
        // The id holds no '/', and a host no '@': the account reads back unambiguously.
        let account = format!("{}/{}@{host}", bookmark.id.0, bookmark.user);
        SecretKey { id: bookmark.id.clone(), account }
    }

    /// The entry for the password of `proxy`, the proxy of `bookmark`: bound to the proxy's user
    /// and address, so a proxy later changed finds no password meant for another.
    pub fn of_proxy(bookmark: &Bookmark, proxy: &crate::proxy::Proxy) -> SecretKey {
        let user = proxy.user.as_deref().unwrap_or_default();
        let account = format!("{}/proxy/{user}@{}", bookmark.id.0, proxy.address().to_ascii_lowercase());
        SecretKey { id: bookmark.id.clone(), account }
    }

    /// The keychain account name (as the Secret Service's `username` attribute shows it).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The bookmark this secret belongs to.
    pub fn id(&self) -> &BookmarkId {
        &self.id
    }

    /// Where a Ferry before this binding kept the secret: under the id alone.
    fn unbound_account(&self) -> &str {
        &self.id.0
    }
}

/// The keychain, as far as this process could reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keychain {
    available: bool,
}

impl Keychain {
    /// The system keychain, probed once per process (later calls reuse the answer).
    pub fn system() -> Keychain {
        static PROBED: OnceLock<Keychain> = OnceLock::new();
        *PROBED.get_or_init(Keychain::probe)
    }

    /// Asks the keychain for an entry that does not exist: any answer, "none" included, means it
    /// works; an error or no answer in time means there is none to use.
    pub fn probe() -> Keychain {
        let outcome = call(PROBE_TIMEOUT, PROBE_ACCOUNT, |entry| match entry.get_password() {
            Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(error),
        });
        match outcome {
            Ok(()) => Keychain { available: true },
            Err(error) => {
                tracing::info!(target: "ferry::bookmarks", "no keychain: {error}; passwords will be asked at each connect");
                Keychain { available: false }
            }
        }
    }

    /// A keychain that stores nothing (every password is asked for).
    pub fn unavailable() -> Keychain {
        Keychain { available: false }
    }

    /// Whether secrets can be kept.
    pub fn is_available(&self) -> bool {
        self.available
    }

    /// Stores the secret under `key`, replacing any earlier one.
    pub fn store(&self, key: &SecretKey, secret: &SecretString) -> Result<()> {
        self.require()?;
        let secret = SecretString::from(secret.expose_secret().to_string());
        call(CALL_TIMEOUT, key.account(), move |entry| entry.set_password(secret.expose_secret()))
    }

    /// The secret stored under `key`, if the keychain holds one. A secret an older Ferry kept
    /// under the bookmark's id alone is moved under `key` the first time it is read.
    pub fn load(&self, key: &SecretKey) -> Result<Option<SecretString>> {
        if !self.available {
            return Ok(None);
        }
        if let Some(secret) = self.read(key.account())? {
            return Ok(Some(secret));
        }
        let Some(secret) = self.read(key.unbound_account())? else { return Ok(None) };
        self.store(key, &secret)?;
        self.remove(key.unbound_account())?;
        Ok(Some(secret))
    }

    /// Deletes the secret stored under `key` (and any an older Ferry kept under the id alone);
    /// having none is not an error.
    pub fn delete(&self, key: &SecretKey) -> Result<()> {
        if !self.available {
            return Ok(());
        }
        self.remove(key.account())?;
        self.remove(key.unbound_account())
    }

    fn read(&self, account: &str) -> Result<Option<SecretString>> {
        call(CALL_TIMEOUT, account, |entry| match entry.get_password() {
            Ok(secret) => Ok(Some(SecretString::from(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(error),
        })
    }

    fn remove(&self, account: &str) -> Result<()> {
        call(CALL_TIMEOUT, account, |entry| match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(error) => Err(error),
        })
    }

    fn require(&self) -> Result<()> {
        if self.available { Ok(()) } else { Err(FerryError::new(ErrorKind::Unsupported, "no keychain answers here")) }
    }
}

/// Runs `work` on the keychain entry `account` of Ferry's service, on its own thread, waiting at
/// most `timeout`. A call still hanging then is left behind: it holds no lock of Ferry's.
fn call<T: Send + 'static>(
    timeout: Duration,
    account: &str,
    work: impl FnOnce(&keyring::Entry) -> keyring::Result<T> + Send + 'static,
) -> Result<T> {
    let account = account.to_string();
    let (sender, receiver) = mpsc::channel();
    let spawned = std::thread::Builder::new().name("ferry-keychain".into()).spawn(move || {
        let outcome = keyring::Entry::new(SERVICE, &account).and_then(|entry| work(&entry));
        let _ = sender.send(outcome);
    });
    if let Err(error) = spawned {
        return Err(FerryError::from_io(&error, "starting a keychain call"));
    }
    match receiver.recv_timeout(timeout) {
        Ok(Ok(value)) => Ok(value),
        // The keychain's own message never holds the secret: it describes the store, not the value.
        Ok(Err(error)) => {
            Err(FerryError::new(keychain_error_kind(&error), "using the keychain").with_detail(error.to_string()))
        }
        Err(_) => Err(FerryError::new(
            ErrorKind::Timeout,
            format!("the keychain did not answer within {} s", timeout.as_secs()),
        )),
    }
}

fn keychain_error_kind(error: &keyring::Error) -> ErrorKind {
    match error {
        keyring::Error::NoEntry => ErrorKind::NotFound,
        keyring::Error::NoStorageAccess(_) => ErrorKind::PermissionDenied,
        keyring::Error::PlatformFailure(_) => ErrorKind::Unsupported,
        _ => ErrorKind::Protocol,
    }
}
