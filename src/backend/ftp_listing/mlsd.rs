//! `MLSD` and `MLST` fact lines (RFC 3659): `fact=value;` pairs, one space, then the name.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::tokens::{is_digits, parse_fraction, strip_line_end};
use crate::model::{Entry, EntryKind};

/// Parses one `MLSD` line, or the fact line of an `MLST` reply (which starts with a space).
///
/// The line is `fact=value;` pairs, one space, then the name (which may hold spaces and `;`).
/// Facts are case-insensitive. Returns `None` for the `cdir` and `pdir` entries (the listed
/// folder and its parent) and for malformed lines.
pub fn parse_mlsd_line(line: &str) -> Option<Entry> {
    let line = strip_line_end(line);
    // MLST replies indent the fact line by one space; MLSD lines start with the facts.
    let line = line.strip_prefix(' ').unwrap_or(line);
    // Facts never contain a space, so the first space ends them and the rest is the name.
    let (facts, name) = line.split_once(' ')?;
    // Every fact ends with ';', which also tells a fact line from arbitrary text.
    if name.is_empty() || !facts.ends_with(';') {
        return None;
    }
    let mut parsed = MlsdFacts::default();
    let mut count = 0;
    for fact in facts.split(';').filter(|fact| !fact.is_empty()) {
        let (key, value) = fact.split_once('=')?;
        parsed.record(key, value);
        count += 1;
    }
    // A line of bare semicolons is no fact line.
    if count == 0 {
        return None;
    }
    parsed.into_entry(name)
}

/// The facts of one MLSD line that Ferry uses, as raw values.
#[derive(Debug, Default)]
struct MlsdFacts<'a> {
    kind: Option<&'a str>,
    size: Option<&'a str>,
    modify: Option<&'a str>,
    mode: Option<&'a str>,
    owner: Option<&'a str>,
    uid: Option<&'a str>,
    group: Option<&'a str>,
    gid: Option<&'a str>,
}

impl<'a> MlsdFacts<'a> {
    /// Keeps one `key=value` fact; unknown facts (`perm`, `unique`, `lang`...) are ignored.
    fn record(&mut self, key: &str, value: &'a str) {
        let slot = match key.to_ascii_lowercase().as_str() {
            "type" => &mut self.kind,
            "size" | "sizd" => &mut self.size,
            "modify" => &mut self.modify,
            "unix.mode" => &mut self.mode,
            "unix.owner" => &mut self.owner,
            "unix.uid" => &mut self.uid,
            "unix.group" => &mut self.group,
            "unix.gid" => &mut self.gid,
            _ => return,
        };
        *slot = Some(value);
    }

    /// Builds the entry, or `None` for the `cdir`/`pdir` pseudo-entries.
    fn into_entry(self, name: &str) -> Option<Entry> {
        // A server that sends no type at all is describing a plain file in practice.
        let (kind, link_target) = match self.kind {
            Some(value) => mlsd_kind(value)?,
            None => (EntryKind::File, None),
        };
        let text = |value: Option<&str>| value.filter(|v| !v.is_empty()).map(str::to_string);
        Some(Entry {
            name: name.to_string(),
            kind,
            size: self.size.and_then(|size| size.parse().ok().filter(|_| is_digits(size))),
            modified: self.modify.and_then(parse_mlsd_time),
            modified_precision: None,
            permissions: self.mode.and_then(parse_octal_mode),
            // Names are friendlier than numeric ids, so prefer them when both are sent.
            owner: text(self.owner).or_else(|| text(self.uid)),
            group: text(self.group).or_else(|| text(self.gid)),
            link_target,
            link_kind: None,
        })
    }
}

/// The `type` fact: `file`, `dir`, `OS.unix=slink:TARGET` / `OS.unix=symlink`, or anything
/// else (devices, Windows reparse points...). `None` for `cdir` and `pdir`.
fn mlsd_kind(value: &str) -> Option<(EntryKind, Option<String>)> {
    let lower = value.to_ascii_lowercase();
    let kind = match lower.as_str() {
        "file" => EntryKind::File,
        "dir" => EntryKind::Dir,
        "cdir" | "pdir" => return None,
        _ if lower.starts_with("os.unix=slink") || lower.starts_with("os.unix=symlink") => {
            let target = value.split_once(':').map(|(_, target)| target).filter(|target| !target.is_empty());
            return Some((EntryKind::Symlink, target.map(str::to_string)));
        }
        _ => EntryKind::Other,
    };
    Some((kind, None))
}

/// The `modify` fact: `YYYYMMDDHHMMSS` with an optional `.fraction`, always UTC.
fn parse_mlsd_time(value: &str) -> Option<DateTime<Utc>> {
    let (whole, fraction) = match value.split_once('.') {
        Some((whole, fraction)) => (whole, parse_fraction(fraction)?),
        None => (value, 0),
    };
    if whole.len() != 14 || !is_digits(whole) {
        return None;
    }
    // All ASCII digits, so every byte range below is a valid slice.
    let field = |from: usize, to: usize| whole.get(from..to)?.parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(i32::try_from(field(0, 4)?).ok()?, field(4, 6)?, field(6, 8)?)?;
    let time = NaiveTime::from_hms_nano_opt(field(8, 10)?, field(10, 12)?, field(12, 14)?, fraction)?;
    Some(date.and_time(time).and_utc())
}

/// The `UNIX.mode` fact in octal (`0644`, `100644`), reduced to the 0o7777 permission bits.
fn parse_octal_mode(value: &str) -> Option<u32> {
    if value.is_empty() || !value.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return None;
    }
    u32::from_str_radix(value, 8).ok().map(|mode| mode & 0o7777)
}
