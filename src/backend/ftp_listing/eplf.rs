//! EPLF, the Easily Parsed LIST Format (D. J. Bernstein): `+facts,\tname`, one fact per comma.

use chrono::DateTime;

use super::tokens::is_digits;
use crate::model::{Entry, EntryKind};

/// Parses `+i8388621.48594,m825718503,r,s280,\tdjb.html`. The facts are `r` (a file one can
/// retrieve), `/` (a folder one can enter), `s` size, `m` modification time in seconds since
/// 1970 UTC, `up` Unix permissions in octal, `i` an identifier (ignored). Unknown facts are
/// skipped, as the format asks. Without `r` or `/` the kind is not known: `Other`.
pub(super) fn parse_eplf_line(line: &str) -> Option<Entry> {
    let rest = line.strip_prefix('+')?;
    let (facts, name) = rest.split_once('\t')?;
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, EntryKind::Other);
    for fact in facts.split(',').filter(|fact| !fact.is_empty()) {
        let mut chars = fact.chars();
        let Some(letter) = chars.next() else { continue };
        let value = chars.as_str();
        match letter {
            'r' => entry.kind = EntryKind::File,
            '/' => entry.kind = EntryKind::Dir,
            's' if is_digits(value) => entry.size = value.parse().ok(),
            'm' if is_digits(value) => {
                entry.modified = value.parse::<i64>().ok().and_then(|seconds| DateTime::from_timestamp(seconds, 0));
            }
            'u' => {
                let octal = value.strip_prefix('p').filter(|octal| !octal.is_empty() && octal.len() <= 6);
                entry.permissions =
                    octal.and_then(|octal| u32::from_str_radix(octal, 8).ok()).map(|mode| mode & 0o7777);
            }
            _ => {}
        }
    }
    Some(entry)
}
