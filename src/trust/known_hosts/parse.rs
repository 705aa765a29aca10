//! One line of a known_hosts file, read as OpenSSH reads it: an optional `@cert-authority` or
//! `@revoked` marker, the hosts field, the key type and the base64 key; comments, blank lines and
//! anything malformed are no entry at all.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::key_type_of_blob;

/// The marker at the start of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// No marker: a host key.
    None,
    /// `@cert-authority`: a CA that signs host certificates, never a host key itself.
    CertAuthority,
    /// `@revoked`: this key must never be accepted.
    Revoked,
}

/// A usable known_hosts line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    pub marker: Marker,
    /// Comma-separated patterns, or one hashed `|1|salt|hmac`.
    pub hosts: &'a str,
    /// The key blob, decoded.
    pub blob: Vec<u8>,
}

/// Reads one line; `None` for a comment, a blank line, an unknown marker or a key that does not
/// decode (OpenSSH skips those too).
pub fn parse_line(line: &str) -> Option<Entry<'_>> {
    let line = line.trim_start_matches([' ', '\t']);
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_ascii_whitespace();
    let first = fields.next()?;
    let (marker, hosts) = match first {
        "@cert-authority" => (Marker::CertAuthority, fields.next()?),
        "@revoked" => (Marker::Revoked, fields.next()?),
        other if other.starts_with('@') => return None,
        other => (Marker::None, other),
    };
    let key_type = fields.next()?;
    let blob = STANDARD.decode(fields.next()?).ok()?;
    // The type written on the line must be the one inside the key, as OpenSSH checks.
    if key_type_of_blob(&blob)? != key_type {
        return None;
    }
    Some(Entry { marker, hosts, blob })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(key_type: &str) -> String {
        let mut blob = Vec::new();
        blob.extend_from_slice(&(key_type.len() as u32).to_be_bytes());
        blob.extend_from_slice(key_type.as_bytes());
        blob.extend_from_slice(&[0, 0, 0, 1, 9]);
        STANDARD.encode(blob)
    }

    #[test]
    fn plain_marked_and_skipped_lines() {
        let key = blob("ssh-ed25519");
        let plain = format!("host,other ssh-ed25519 {key} comment");
        let entry = parse_line(&plain).unwrap();
        assert_eq!((entry.marker, entry.hosts), (Marker::None, "host,other"));
        let revoked = format!("@revoked * ssh-ed25519 {key}");
        assert_eq!(parse_line(&revoked).unwrap().marker, Marker::Revoked);
        let ca = format!("\t@cert-authority *.example ssh-ed25519 {key}");
        assert_eq!(parse_line(&ca).unwrap().marker, Marker::CertAuthority);
        for skipped in [
            String::new(),
            "   ".into(),
            format!("# host ssh-ed25519 {key}"),
            format!("@bogus host ssh-ed25519 {key}"),
            format!("host ssh-rsa {key}"),
            "host ssh-ed25519 !!notbase64".into(),
            "host ssh-ed25519".into(),
            format!("@revoked ssh-ed25519 {key}"),
        ] {
            assert_eq!(parse_line(&skipped), None, "{skipped}");
        }
    }
}
