//! The shell's state between commands: the connection (a [`Client`] on the worker, as every
//! other command uses), the remote folder, and the listings kept for Tab completion.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, Entry, EntryKind, FtpMode, join_remote};
use crate::worker::{Command, SessionCommand};

use super::super::GlobalOptions;
use super::super::client::Client;

/// A remote name as completion offers it: the name and whether it is a folder.
pub(super) type CachedName = (String, bool);

/// What the shell keeps from one command to the next.
pub(super) struct Session {
    pub(super) options: GlobalOptions,
    pub(super) client: Option<Client>,
    /// How the open connection was made: `user`, `passive` and `active` reconnect with it changed.
    spec: Option<ConnectSpec>,
    /// The remote folder relative names start from.
    pub(super) cwd: String,
    /// Set by Ctrl+C; the client cancels what runs.
    pub(super) interrupt: Arc<AtomicBool>,
    pub(super) verbose: bool,
    /// FTP's data connection mode chosen with `passive` or `active`, for every connection.
    ftp_mode: Option<FtpMode>,
    /// Folder listings by absolute path, for completion; emptied after every change.
    listings: HashMap<String, Vec<CachedName>>,
}

impl Session {
    pub(super) fn new(options: &GlobalOptions, interrupt: Arc<AtomicBool>) -> Self {
        Session {
            options: options.clone(),
            client: None,
            spec: None,
            cwd: String::new(),
            interrupt,
            verbose: false,
            ftp_mode: None,
            listings: HashMap::new(),
        }
    }

    /// Connects to a URL or a saved site, closing the connection open before.
    pub(super) fn open(&mut self, target: &str) -> Result<()> {
        let (spec, start) = super::super::connect_spec(&self.options, target)?;
        self.connect(spec, start)
    }

    /// Logs in again to the same site as another user (the password is asked for).
    pub(super) fn user(&mut self, name: &str) -> Result<()> {
        let mut spec = self.spec.clone().ok_or_else(not_connected)?;
        spec.user = name.to_string();
        spec.password = None;
        spec.key_passphrase = None;
        // As every command: FERRY_PASSWORD, else the prompt.
        self.options.apply(&mut spec);
        self.connect(spec, None)
    }

    /// Chooses FTP's data connection mode, reconnecting an FTP connection to use it.
    pub(super) fn set_ftp_mode(&mut self, mode: FtpMode) -> Result<String> {
        self.ftp_mode = Some(mode);
        let said = match mode {
            FtpMode::Passive => "passive mode: Ferry opens the data connections",
            FtpMode::Active => "active mode: the server connects back for data",
        };
        match self.spec.clone() {
            Some(spec) if spec.protocol == crate::model::Protocol::Sftp => {
                Ok(format!("{said}; this is an SFTP connection, which has no data connections: it applies to FTP"))
            }
            Some(spec) => {
                let folder = self.cwd.clone();
                self.connect(spec, Some(folder))?;
                Ok(format!("{said}; reconnected"))
            }
            None => Ok(format!("{said}, from the next open")),
        }
    }

    fn connect(&mut self, mut spec: ConnectSpec, start: Option<String>) -> Result<()> {
        self.close();
        if let Some(mode) = self.ftp_mode {
            spec.ftp_mode = mode;
        }
        let mut client = Client::connect_interruptible(&self.options, spec.clone(), Some(self.interrupt.clone()))?;
        client.show_log = self.verbose;
        self.cwd = start.unwrap_or_else(|| client.home.clone());
        self.client = Some(client);
        self.spec = Some(spec);
        Ok(())
    }

    /// Closes the connection, if one is open.
    pub(super) fn close(&mut self) {
        if let Some(client) = self.client.take() {
            client.handle.send(Command::Session(SessionCommand::Disconnect { session: client.session }));
        }
        self.listings.clear();
    }

    /// The open connection, or the error that says to open one. A connection closed by Ctrl+C
    /// (a request cancelled half way leaves it out of step) is opened again, in the same folder.
    pub(super) fn client(&mut self) -> Result<&mut Client> {
        if self.client.as_ref().is_some_and(|client| client.closed_by_cancel)
            && let Some(spec) = self.spec.clone()
        {
            eprintln!("ferry: reconnecting (Ctrl+C closed the connection)");
            let folder = self.cwd.clone();
            self.connect(spec, Some(folder))?;
        }
        self.client.as_mut().ok_or_else(not_connected)
    }

    /// The connection's start folder (`cd` without a path).
    pub(super) fn home(&self) -> Option<String> {
        self.client.as_ref().map(|client| client.home.clone())
    }

    /// A remote path typed in the shell, made absolute from the current folder.
    pub(super) fn remote_path(&self, typed: &str) -> String {
        resolve_remote(&self.cwd, typed)
    }

    /// Lists a remote folder and keeps the names for completion.
    pub(super) fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        let entries = self.client()?.list(path)?;
        let names = entries.iter().map(|entry| (entry.name.clone(), entry.kind == EntryKind::Dir)).collect();
        self.listings.insert(path.to_string(), names);
        Ok(entries)
    }

    /// The names in a remote folder for completion: kept ones, else listed now.
    pub(super) fn names_in(&mut self, path: &str) -> Vec<CachedName> {
        if let Some(names) = self.listings.get(path) {
            return names.clone();
        }
        self.list(path).map(|_| self.listings.get(path).cloned().unwrap_or_default()).unwrap_or_default()
    }

    /// Forgets the kept listings: something may have changed on the server.
    pub(super) fn forget_listings(&mut self) {
        self.listings.clear();
    }

    pub(super) fn set_verbose(&mut self, verbose: bool) {
        self.verbose = verbose;
        if let Some(client) = self.client.as_mut() {
            client.show_log = verbose;
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}

fn not_connected() -> FerryError {
    FerryError::new(ErrorKind::ConnectionLost, "not connected (open URL or open NAME connects)")
}

/// `typed` made absolute from `cwd`, with `.` and `..` taken out as `sftp` does (never above `/`).
pub(super) fn resolve_remote(cwd: &str, typed: &str) -> String {
    let joined = if typed.starts_with('/') || cwd.is_empty() { typed.to_string() } else { join_remote(cwd, typed) };
    crate::model::normalize_remote(&joined)
}

#[cfg(test)]
mod tests {
    use super::resolve_remote;

    #[test]
    fn remote_paths_resolve_from_the_current_folder() {
        assert_eq!(resolve_remote("/home/a", "docs"), "/home/a/docs");
        assert_eq!(resolve_remote("/home/a", "../b/./c/"), "/home/b/c");
        assert_eq!(resolve_remote("/home/a", "/etc"), "/etc");
        assert_eq!(resolve_remote("/", "../../x"), "/x");
        assert_eq!(resolve_remote("/home/a", ".."), "/home");
        assert_eq!(resolve_remote("/home", "../.."), "/");
        assert_eq!(resolve_remote("sub", ".."), ".");
        assert_eq!(resolve_remote(".", "../up"), "../up");
        assert_eq!(resolve_remote("/srv", "with space/é"), "/srv/with space/é");
    }
}
