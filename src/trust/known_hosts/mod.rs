//! Checks an SSH host key against OpenSSH known_hosts files as OpenSSH does (patterns, hashed
//! entries, `@revoked`), records accepted keys, and formats keys and fingerprints as OpenSSH
//! prints them.

mod check;
mod parse;
mod pattern;

use std::net::IpAddr;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};

pub use check::{RecordedKey, Verdict, check, known_key_types, lines_naming_host};

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

    /// The key blob, decoded again; `None` only for a value not made by [`HostKey::from_blob`].
    pub fn blob(&self) -> Option<Vec<u8>> {
        STANDARD.decode(&self.base64).ok()
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

/// The host field of a known_hosts line: `host`, or `[host]:port` off port 22, lower-cased as
/// OpenSSH writes and looks it up.
pub fn known_hosts_host(host: &str, port: u16) -> String {
    let host = host.to_ascii_lowercase();
    if port == 22 { host } else { format!("[{host}]:{port}") }
}

/// A known_hosts line recording `key` for `host`:`port`.
pub fn known_hosts_line(host: &str, port: u16, key: &HostKey) -> String {
    format!("{} {} {}", known_hosts_host(host, port), key.key_type, key.base64)
}

impl Verdict {
    /// The error a refused key gives: the offered fingerprint and the keys on record, or the line
    /// that revokes it.
    pub fn refusal(&self, host: &str, port: u16, key: &HostKey) -> Option<FerryError> {
        let site = known_hosts_host(host, port);
        match self {
            // Everything named here comes from our own files, not the server: no "reply".
            Verdict::Changed { on_record } => {
                let recorded: Vec<String> = on_record
                    .iter()
                    .map(|r| {
                        format!("{} {} at {}:{}", r.key.key_type, r.key.fingerprint, r.file.display(), r.line_number)
                    })
                    .collect();
                Some(FerryError::new(
                    ErrorKind::HostKeyChanged,
                    format!(
                        "the host key of {site} is now {} {}, which is none of the keys on record for it ({}); \
                         someone may be intercepting the connection. If the server's key really changed, remove \
                         those lines",
                        key.key_type,
                        key.fingerprint,
                        recorded.join("; "),
                    ),
                ))
            }
            Verdict::Revoked { file, line_number } => Some(FerryError::new(
                ErrorKind::HostKeyChanged,
                format!(
                    "the host key {} {} of {site} is marked @revoked at {}:{}, so it must never be accepted",
                    key.key_type,
                    key.fingerprint,
                    file.display(),
                    line_number
                ),
            )),
            Verdict::Known | Verdict::Unknown => None,
        }
    }
}

/// Whether `host` may be written into a known_hosts line: a DNS name (letters, digits, `-`,
/// `.`, `_`) or an IP literal. Anything else could add patterns for other hosts (a comma, `*`,
/// `!`), forge a hashed entry (`|`) or a port (`[`), or split the line (whitespace).
pub fn is_recordable_host(host: &str) -> bool {
    if host.parse::<IpAddr>().is_ok() {
        return true;
    }
    !host.is_empty()
        && !host.starts_with(['-', '.'])
        && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Records an accepted key in Ferry's own known_hosts file, the host lower-cased. A host name
/// that is not a plain name or IP address, or a key whose type could not be read, is refused.
pub fn remember(file: &Path, host: &str, port: u16, key: &HostKey) -> Result<(), FerryError> {
    if !is_recordable_host(host) {
        return Err(FerryError::new(
            ErrorKind::Protocol,
            format!(
                "not saving the host key of {:?}: only host names (letters, digits, '-', '.', '_') and IP \
                 addresses can be recorded in known_hosts",
                crate::model::escape_control(host)
            ),
        ));
    }
    if key.key_type == "unknown" {
        return Err(FerryError::new(
            ErrorKind::Protocol,
            format!("not saving the host key of {host}: its key type could not be read"),
        ));
    }
    crate::config::append_line(file, &known_hosts_line(host, port, key))
        .map_err(|e| FerryError::from_io(&e, format!("saving the host key to {}", file.display())))
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

    fn ed25519_key() -> HostKey {
        let mut blob = Vec::new();
        blob.extend_from_slice(&11u32.to_be_bytes());
        blob.extend_from_slice(b"ssh-ed25519");
        blob.extend_from_slice(&32u32.to_be_bytes());
        blob.extend_from_slice(&[7u8; 32]);
        HostKey::from_blob(&blob)
    }

    #[test]
    fn only_host_names_and_ip_literals_are_recorded() {
        for good in ["example.org", "my_host-1.example", "127.0.0.1", "::1", "fe80::1", "2001:db8::2"] {
            assert!(is_recordable_host(good), "{good}");
        }
        for bad in
            ["a,b", "*", "*.example", "!a", "|1|x|y", "[a]:22", "a b", "a\tb", "a\nb", "", "-a", ".", "é.example"]
        {
            assert!(!is_recordable_host(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_host_with_a_comma_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        let error = remember(&file, "good.example,victim.example", 22, &ed25519_key()).unwrap_err();
        assert!(error.context.contains("only host names"), "{error}");
        assert!(!file.exists(), "nothing written");
    }

    #[test]
    fn hosts_are_written_lower_cased() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        remember(&file, "Host.EXAMPLE", 2222, &ed25519_key()).unwrap();
        remember(&file, "FE80::1", 22, &ed25519_key()).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("[host.example]:2222 ssh-ed25519 "), "{text}");
        assert!(text.contains("\nfe80::1 ssh-ed25519 "), "{text}");
    }

    #[test]
    fn malformed_blob_does_not_panic() {
        assert_eq!(HostKey::from_blob(&[0xff, 0xff, 0xff, 0xff, 1]).key_type, "unknown");
        assert_eq!(HostKey::from_blob(&[]).key_type, "unknown");
    }
}
