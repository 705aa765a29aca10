//! Checks an SSH host key against OpenSSH known_hosts files (plain and hashed entries) and formats
//! keys and fingerprints as OpenSSH prints them.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};
use ssh2::{CheckResult, KnownHostFileKind, Session};

use crate::error::{ErrorKind, FerryError};

/// A server's host key, as shown to the user.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HostKey {
    /// Key type as OpenSSH names it (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`...).
    pub key_type: String,
    /// `SHA256:` and the unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The key blob, base64, as it stands in a known_hosts line.
    pub base64: String,
}

impl HostKey {
    /// Describes a raw key blob from the SSH handshake.
    pub fn from_blob(blob: &[u8]) -> Self {
        HostKey {
            key_type: key_type_of_blob(blob).unwrap_or_else(|| "unknown".to_string()),
            fingerprint: format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob))),
            base64: STANDARD.encode(blob),
        }
    }
}

/// The key type named at the start of an SSH public key blob (a length-prefixed string).
fn key_type_of_blob(blob: &[u8]) -> Option<String> {
    let length = u32::from_be_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    let name = blob.get(4..4usize.checked_add(length)?)?;
    // Only a plain algorithm name: this text is written into known_hosts, where a space or a
    // line break from a hostile server would forge fields or whole lines.
    let plain = !name.is_empty() && name.iter().all(|b| b.is_ascii_alphanumeric() || b"@._-".contains(b));
    plain.then(|| String::from_utf8_lossy(name).into_owned())
}

/// The host field of a known_hosts line: `host`, or `[host]:port` off port 22.
pub fn known_hosts_host(host: &str, port: u16) -> String {
    if port == 22 { host.to_string() } else { format!("[{host}]:{port}") }
}

/// A known_hosts line recording `key` for `host`:`port`.
pub fn known_hosts_line(host: &str, port: u16, key: &HostKey) -> String {
    format!("{} {} {}", known_hosts_host(host, port), key.key_type, key.base64)
}

/// What the known_hosts files say about a presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A line for this host holds this very key.
    Known,
    /// No line for this host holds a key of this type.
    Unknown,
    /// A line for this host holds a different key of the same type: refuse.
    Changed {
        /// The file and 1-based line number that disagrees.
        file: PathBuf,
        line_number: usize,
        /// The line itself.
        line: String,
    },
    /// A `@revoked` line names this key: refuse.
    Revoked { file: PathBuf, line_number: usize },
}

impl Verdict {
    /// The error a refused key gives, naming the fingerprint and the line that disagrees.
    pub fn refusal(&self, host: &str, port: u16, key: &HostKey) -> Option<FerryError> {
        match self {
            Verdict::Changed { file, line_number, line } => Some(
                FerryError::new(
                    ErrorKind::HostKeyChanged,
                    format!(
                        "the {} host key of {} is now {}, but {}:{} records a different one; \
                         someone may be intercepting the connection. If the server's key really \
                         changed, remove that line",
                        key.key_type,
                        known_hosts_host(host, port),
                        key.fingerprint,
                        file.display(),
                        line_number
                    ),
                )
                .with_reply(line.clone()),
            ),
            Verdict::Revoked { file, line_number } => Some(FerryError::new(
                ErrorKind::HostKeyChanged,
                format!(
                    "the host key {} of {} is marked @revoked in {}:{}",
                    key.fingerprint,
                    known_hosts_host(host, port),
                    file.display(),
                    line_number
                ),
            )),
            Verdict::Known | Verdict::Unknown => None,
        }
    }
}

/// One parsed known_hosts line.
struct Line<'a> {
    marker: Option<&'a str>,
    hosts: &'a str,
    key_type: &'a str,
    key_base64: &'a str,
}

fn parse_line(line: &str) -> Option<Line<'_>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let first = fields.next()?;
    let (marker, hosts) = if first.starts_with('@') { (Some(first), fields.next()?) } else { (None, first) };
    Some(Line { marker, hosts, key_type: fields.next()?, key_base64: fields.next()? })
}

/// Whether the hosts field of one line (plain names, patterns or a `|1|salt|hash` entry) names
/// `host`:`port`. Matching is left to libssh2, which knows the hashed form.
fn line_names_host(session: &Session, line: &Line<'_>, host: &str, port: u16) -> bool {
    let Ok(mut known) = session.known_hosts() else { return false };
    let probe = format!("{} {} {}", line.hosts, line.key_type, line.key_base64);
    if known.read_str(&probe, KnownHostFileKind::OpenSSH).is_err() {
        return false;
    }
    // Any key for the probe: a match or a mismatch both mean the host field matched.
    let Ok(blob) = STANDARD.decode(line.key_base64) else { return false };
    !matches!(known.check_port(host, port, &blob), CheckResult::NotFound | CheckResult::Failure)
}

/// Checks `key` for `host`:`port` against `files` in order. Missing files count as empty;
/// unreadable lines are skipped (a damaged line must not lock the user out of every host).
pub fn check(session: &Session, files: &[PathBuf], host: &str, port: u16, key: &HostKey) -> Verdict {
    let mut changed = None;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for (index, raw) in text.lines().enumerate() {
            let Some(line) = parse_line(raw) else { continue };
            if line.marker == Some("@cert-authority") || !line_names_host(session, &line, host, port) {
                continue;
            }
            let same_key = line.key_type == key.key_type && line.key_base64 == key.base64;
            if line.marker == Some("@revoked") {
                if same_key {
                    return Verdict::Revoked { file: file.clone(), line_number: index + 1 };
                }
                continue;
            }
            if same_key {
                return Verdict::Known;
            }
            if line.key_type == key.key_type && changed.is_none() {
                changed =
                    Some(Verdict::Changed { file: file.clone(), line_number: index + 1, line: raw.trim().to_string() });
            }
        }
    }
    changed.unwrap_or(Verdict::Unknown)
}

/// The key types recorded for `host`:`port`, so the handshake can ask for a key we can check
/// (as OpenSSH does) instead of one we have never seen.
pub fn known_key_types(session: &Session, files: &[PathBuf], host: &str, port: u16) -> Vec<String> {
    let mut types = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else { continue };
        for line in text.lines().filter_map(parse_line) {
            if line.marker.is_none()
                && line_names_host(session, &line, host, port)
                && !types.iter().any(|t| t == line.key_type)
            {
                types.push(line.key_type.to_string());
            }
        }
    }
    types
}

/// Records an accepted key in Ferry's own known_hosts file. A key whose type could not be read
/// is refused rather than written.
pub fn remember(file: &Path, host: &str, port: u16, key: &HostKey) -> std::io::Result<()> {
    if key.key_type == "unknown" || host.contains(char::is_whitespace) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "not a key that can be recorded"));
    }
    crate::config::append_line(file, &known_hosts_line(host, port, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_matches_openssh_format() {
        // The blob of an ed25519 key: "ssh-ed25519" then 32 key bytes.
        let mut blob = Vec::new();
        blob.extend_from_slice(&11u32.to_be_bytes());
        blob.extend_from_slice(b"ssh-ed25519");
        blob.extend_from_slice(&32u32.to_be_bytes());
        blob.extend_from_slice(&[7u8; 32]);
        let key = HostKey::from_blob(&blob);
        assert_eq!(key.key_type, "ssh-ed25519");
        assert!(key.fingerprint.starts_with("SHA256:"));
        assert!(!key.fingerprint.ends_with('='));
        assert_eq!(key.fingerprint.len(), "SHA256:".len() + 43);
    }

    #[test]
    fn host_field_uses_brackets_off_port_22() {
        assert_eq!(known_hosts_host("h", 22), "h");
        assert_eq!(known_hosts_host("127.0.0.1", 2222), "[127.0.0.1]:2222");
    }

    #[test]
    fn a_key_type_that_could_forge_a_line_is_not_taken() {
        let mut blob = Vec::new();
        let evil = b"ssh-ed25519\n[evil]:22 ssh-rsa AAAA";
        blob.extend_from_slice(&(evil.len() as u32).to_be_bytes());
        blob.extend_from_slice(evil);
        assert_eq!(HostKey::from_blob(&blob).key_type, "unknown");
        let file = tempfile::tempdir().unwrap();
        assert!(remember(&file.path().join("known_hosts"), "h", 22, &HostKey::from_blob(&blob)).is_err());
    }

    #[test]
    fn malformed_blob_does_not_panic() {
        assert_eq!(HostKey::from_blob(&[0xff, 0xff, 0xff, 0xff, 1]).key_type, "unknown");
        assert_eq!(HostKey::from_blob(&[]).key_type, "unknown");
    }
}
