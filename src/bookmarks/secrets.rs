//! Bookmark secrets (a password, or a key's passphrase) in the operating system's keychain,
//! never in a file: the Secret Service on Linux, the Keychain on macOS, the Credential Manager on
//! Windows. When no keychain answers, nothing is stored and Ferry asks at each connect.
//!
//! Every keychain call runs on a thread of its own with a time limit: a D-Bus session that is
//! missing, or a locked keyring waiting on a prompt nobody sees, must not hang the caller.

use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::BookmarkId;
use crate::error::{ErrorKind, FerryError, Result};

/// The service name Ferry's entries carry in the keychain.
pub const SERVICE: &str = "ferry";

/// How long the availability probe may take before the keychain counts as absent.
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// How long one read, write or delete may take (an unlock prompt may need the user).
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// The account name the probe reads; it is never written.
const PROBE_ACCOUNT: &str = "ferry-keychain-probe";

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

    /// Stores the secret of bookmark `id`, replacing any earlier one.
    pub fn store(&self, id: &BookmarkId, secret: &SecretString) -> Result<()> {
        self.require()?;
        let secret = SecretString::from(secret.expose_secret().to_string());
        call(CALL_TIMEOUT, &id.0, move |entry| entry.set_password(secret.expose_secret()))
    }

    /// The secret of bookmark `id`, if the keychain holds one.
    pub fn load(&self, id: &BookmarkId) -> Result<Option<SecretString>> {
        if !self.available {
            return Ok(None);
        }
        call(CALL_TIMEOUT, &id.0, |entry| match entry.get_password() {
            Ok(secret) => Ok(Some(SecretString::from(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(error),
        })
    }

    /// Deletes the secret of bookmark `id`; having none is not an error.
    pub fn delete(&self, id: &BookmarkId) -> Result<()> {
        if !self.available {
            return Ok(());
        }
        call(CALL_TIMEOUT, &id.0, |entry| match entry.delete_credential() {
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
            Err(FerryError::new(keychain_error_kind(&error), "using the keychain").with_reply(error.to_string()))
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
