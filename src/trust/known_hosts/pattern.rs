//! Host patterns of known_hosts lines, matched as OpenSSH matches them: comma-separated
//! patterns with `*` and `?`, `!` negation, and hashed `|1|salt|hmac` entries.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// OpenSSH skips a pattern this long or longer (its buffer is 1024 bytes): never a match.
const MAX_PATTERN_LEN: usize = 1023;

/// What a hosts field says about a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostMatch {
    /// A pattern names the host and none excludes it.
    Yes,
    /// No pattern names the host.
    No,
    /// A `!pattern` names the host: the line does not apply, whatever else it says.
    Excluded,
}

/// Whether the hosts field of a known_hosts line (`pattern,pattern...` or one hashed
/// `|1|salt|hmac`) names `lookup`, the lower-cased `host` or `[host]:port` string.
pub fn hosts_field_matches(field: &str, lookup: &str) -> HostMatch {
    if field.starts_with('|') {
        return if hashed_entry_matches(field, lookup) { HostMatch::Yes } else { HostMatch::No };
    }
    pattern_list_matches(field, lookup)
}

/// OpenSSH's `match_pattern_list` with lower-casing: the first negated match wins outright,
/// otherwise any positive match.
fn pattern_list_matches(list: &str, lookup: &str) -> HostMatch {
    let mut positive = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, pattern),
        };
        if pattern.len() >= MAX_PATTERN_LEN {
            // OpenSSH gives up on the whole list here.
            return HostMatch::No;
        }
        if wildcard_matches(lookup.as_bytes(), pattern.to_ascii_lowercase().as_bytes()) {
            if negated {
                return HostMatch::Excluded;
            }
            positive = true;
        }
    }
    if positive { HostMatch::Yes } else { HostMatch::No }
}

/// `*` matches any run of bytes (brackets and colons too), `?` any one byte, everything else
/// itself. Iterative with one backtrack point, so a hostile pattern cannot make it exponential.
fn wildcard_matches(text: &[u8], pattern: &[u8]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                p += 1;
                backtrack = Some((p, t));
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star_p, star_t)) => {
                    p = star_p;
                    t = star_t + 1;
                    backtrack = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// A hashed entry `|1|base64(salt)|base64(HMAC-SHA1(salt, lookup))`, as `ssh-keygen -H` writes
/// and `HashKnownHosts` adds. Anything malformed matches nothing.
fn hashed_entry_matches(field: &str, lookup: &str) -> bool {
    let Some(rest) = field.strip_prefix("|1|") else { return false };
    let Some((salt, hash)) = rest.split_once('|') else { return false };
    let (Ok(salt), Ok(hash)) = (STANDARD.decode(salt), STANDARD.decode(hash)) else { return false };
    // OpenSSH requires a salt as long as the SHA-1 digest.
    if salt.len() != 20 {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&salt) else { return false };
    mac.update(lookup.as_bytes());
    mac.verify_slice(&hash).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_openssh() {
        assert!(wildcard_matches(b"host.example", b"*.example"));
        assert!(wildcard_matches(b"host2", b"h?st2"));
        assert!(!wildcard_matches(b"host22", b"h?st2"));
        assert!(wildcard_matches(b"[127.0.0.1]:2222", b"*"));
        assert!(wildcard_matches(b"", b"*"));
        assert!(!wildcard_matches(b"", b"?"));
        assert!(wildcard_matches(b"aaa.b", b"*a*.b"));
        assert!(!wildcard_matches(b"aaa.c", b"*a*.b"));
        assert!(wildcard_matches(b"abc", b"a**c"));
    }

    #[test]
    fn a_hostile_pattern_is_matched_quickly() {
        let text = "a".repeat(200);
        let pattern = format!("{}b", "*a".repeat(60));
        assert!(!wildcard_matches(text.as_bytes(), pattern.as_bytes()));
    }

    #[test]
    fn negation_excludes_the_line() {
        assert_eq!(pattern_list_matches("*.example,!bad.example", "bad.example"), HostMatch::Excluded);
        assert_eq!(pattern_list_matches("!bad.example,*.example", "bad.example"), HostMatch::Excluded);
        assert_eq!(pattern_list_matches("*.example,!bad.example", "good.example"), HostMatch::Yes);
        assert_eq!(pattern_list_matches("!bad.example", "good.example"), HostMatch::No);
    }

    #[test]
    fn patterns_are_lower_cased() {
        assert_eq!(pattern_list_matches("Mixed.Example", "mixed.example"), HostMatch::Yes);
    }

    #[test]
    fn malformed_hashed_entries_match_nothing() {
        for field in ["|1|", "|1|abc", "|1|!!|!!", "|2|AAAA|AAAA", "|1|AAAA|AAAA"] {
            assert_eq!(hosts_field_matches(field, "host"), HostMatch::No, "{field}");
        }
    }
}
