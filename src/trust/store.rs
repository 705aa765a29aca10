//! What the user accepted: SSH host keys and TLS certificates, for this run or for good.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Mutex;

use super::known_hosts::{self, HostKey};
use crate::config::ConfigDir;
use crate::error::{FerryError, Result};

/// How the user answered a question about trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum TrustDecision {
    /// Refuse: the connection is not made.
    Reject,
    /// Accept for as long as Ferry runs.
    AcceptOnce,
    /// Accept and remember in the config folder.
    AcceptAndRemember,
}

/// Accepted host keys and certificates. Shared by every connection the worker opens.
#[derive(Debug)]
pub struct TrustStore {
    config: ConfigDir,
    user_known_hosts: Option<PathBuf>,
    accepted_host_keys: Mutex<HashSet<(String, u16, String)>>,
    accepted_certificates: Mutex<HashSet<(String, u16, String)>>,
}

impl TrustStore {
    /// A store writing into `config`, and also reading `user_known_hosts` (never written).
    pub fn new(config: ConfigDir, user_known_hosts: Option<PathBuf>) -> Self {
        TrustStore {
            config,
            user_known_hosts,
            accepted_host_keys: Mutex::new(HashSet::new()),
            accepted_certificates: Mutex::new(HashSet::new()),
        }
    }

    /// The known_hosts files to check, Ferry's own first.
    pub fn known_hosts_files(&self) -> Vec<PathBuf> {
        let mut files = vec![self.config.known_hosts()];
        files.extend(self.user_known_hosts.clone());
        files
    }

    /// Whether the user accepted this key for this run ("accept once").
    pub fn host_key_accepted_this_run(&self, host: &str, port: u16, key: &HostKey) -> bool {
        lock(&self.accepted_host_keys).contains(&(host.to_ascii_lowercase(), port, key.base64.clone()))
    }

    /// Records the user's acceptance of a host key. Host names are kept lower-cased, as OpenSSH
    /// compares them.
    pub fn accept_host_key(&self, host: &str, port: u16, key: &HostKey, decision: TrustDecision) -> Result<()> {
        let host = host.to_ascii_lowercase();
        match decision {
            TrustDecision::Reject => Ok(()),
            TrustDecision::AcceptOnce => {
                lock(&self.accepted_host_keys).insert((host, port, key.base64.clone()));
                Ok(())
            }
            TrustDecision::AcceptAndRemember => {
                known_hosts::remember(&self.config.known_hosts(), &host, port, key)?;
                lock(&self.accepted_host_keys).insert((host, port, key.base64.clone()));
                Ok(())
            }
        }
    }

    /// SHA-256 fingerprints (lowercase hex) of certificates accepted for `host`:`port`.
    pub fn accepted_certificates(&self, host: &str, port: u16) -> Vec<String> {
        let mut accepted: Vec<String> = lock(&self.accepted_certificates)
            .iter()
            .filter(|(h, p, _)| h == host && *p == port)
            .map(|(_, _, fingerprint)| fingerprint.clone())
            .collect();
        let key = certificate_key(host, port);
        if let Ok(text) = std::fs::read_to_string(self.config.trusted_certificates()) {
            accepted.extend(text.lines().filter_map(|line| {
                let (site, fingerprint) = line.trim().split_once(' ')?;
                (site == key).then(|| fingerprint.trim().to_ascii_lowercase())
            }));
        }
        accepted
    }

    /// Records the user's acceptance of a certificate (fingerprint in lowercase hex).
    pub fn accept_certificate(&self, host: &str, port: u16, sha256_hex: &str, decision: TrustDecision) -> Result<()> {
        if decision == TrustDecision::Reject {
            return Ok(());
        }
        let fingerprint = sha256_hex.to_ascii_lowercase();
        if decision == TrustDecision::AcceptAndRemember {
            let file = self.config.trusted_certificates();
            crate::config::append_line(&file, &format!("{} {}", certificate_key(host, port), fingerprint))
                .map_err(|e| FerryError::from_io(&e, format!("saving the certificate to {}", file.display())))?;
        }
        lock(&self.accepted_certificates).insert((host.to_string(), port, fingerprint));
        Ok(())
    }
}

fn certificate_key(host: &str, port: u16) -> String {
    format!("{host}:{port}")
}

/// Locks a set, recovering it if another thread panicked while holding it: the sets hold no
/// invariant a half-done insert could break.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
