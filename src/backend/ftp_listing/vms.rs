//! OpenVMS lines: `NAME.EXT;3   4/6   13-JAN-2010 11:24:52  [GROUP,OWNER]  (RWED,RWED,RE,)`.
//!
//! A name too long for its column is printed alone, the rest of the record on the next line;
//! [`super::ListingParser`] joins the two, and [`is_lone_vms_name`] tells such a line.

use chrono::NaiveDate;

use super::dates::{Clock, parse_clock, parse_month};
use super::tokens::{Token, parse_number, tokens};
use crate::model::{Entry, EntryKind};

/// Parses one VMS record. Folders are `NAME.DIR;1` and are named `NAME`; files keep their
/// `;version`, which names that exact version on the server. Sizes are counted in 512-byte
/// blocks, which only bounds the size in bytes, so the size stays unknown rather than wrong.
/// A record whose details the server would not show (`no privilege for attempted operation`)
/// still names its file: the entry is kept with the rest unknown.
pub(super) fn parse_vms_line(line: &str) -> Option<Entry> {
    let words: Vec<Token<'_>> = tokens(line).take(6).collect();
    let name_word = words.first()?;
    let (name, kind) = vms_name(name_word.text)?;
    let mut entry = Entry::new(name, kind);
    let Some(second) = words.get(1) else {
        // A name alone is half a record; the parser joins it with the next line.
        return None;
    };
    // Blocks used, or used/allocated; then the date and time.
    if !second.text.split('/').all(|part| parse_number(part, 1..=12).is_some()) {
        // The server refused the details: the name is certain, the rest unknown.
        return Some(entry);
    }
    let Some(day) = words.get(2).and_then(|word| parse_vms_day(word.text)) else {
        return Some(entry);
    };
    let clock = words.get(3).and_then(|word| parse_clock(word.text)).unwrap_or(Clock::MIDNIGHT);
    entry.modified = day.and_then(|day| clock.on(day)).map(|naive| naive.and_utc());
    entry.owner = words.get(4).and_then(|word| word.text.strip_prefix('[')?.strip_suffix(']')).map(|owner| {
        // `[GROUP,OWNER]`: the owner is the user; the group is the first part.
        match owner.split_once(',') {
            Some((group, user)) => {
                entry.group = Some(group.to_string());
                user.to_string()
            }
            None => owner.to_string(),
        }
    });
    Some(entry)
}

/// The entry for a VMS name whose details never came: its kind from the name, the rest unknown.
pub(super) fn name_only_entry(text: &str) -> Option<Entry> {
    let (name, kind) = vms_name(text)?;
    Some(Entry::new(name, kind))
}

/// Whether `line` holds only a VMS file name, the first half of a record split in two.
pub(super) fn is_lone_vms_name(line: &str) -> bool {
    let mut words = tokens(line);
    matches!((words.next(), words.next()), (Some(word), None) if vms_name(word.text).is_some())
}

/// Whether `line` begins with a VMS file name, so it is a record of its own and cannot be the
/// second half of the one before.
pub(super) fn starts_with_vms_name(line: &str) -> bool {
    tokens(line).next().is_some_and(|word| vms_name(word.text).is_some())
}

/// `NAME.EXT;VERSION` → the name and kind; `NAME.DIR;1` is the folder `NAME`.
fn vms_name(text: &str) -> Option<(&str, EntryKind)> {
    let (stem, version) = text.rsplit_once(';')?;
    parse_number(version, 1..=5)?;
    if stem.is_empty() || !stem.contains('.') {
        return None;
    }
    let folder_name = stem.len().checked_sub(4).and_then(|cut| {
        let (name, extension) = (stem.get(..cut)?, stem.get(cut..)?);
        (extension.eq_ignore_ascii_case(".DIR") && !name.is_empty()).then_some(name)
    });
    match folder_name {
        Some(name) => Some((name, EntryKind::Dir)),
        None => Some((text, EntryKind::File)),
    }
}

/// `5-MAR-1999` (`Some(None)` when the day does not exist).
fn parse_vms_day(text: &str) -> Option<Option<NaiveDate>> {
    let mut parts = text.split('-');
    let day = parse_number(parts.next()?, 1..=2)?;
    let month = parse_month(parts.next()?)?;
    let year = parse_number(parts.next()?, 4..=4)?;
    if parts.next().is_some() {
        return None;
    }
    Some(NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day))
}
