//! IBM z/OS (MVS) listings: datasets (`Volume Unit Referred Ext Used Recfm Lrecl BlkSz Dsorg
//! Dsname`) and the members of a partitioned dataset (`Name VV.MM Created Changed Size Init Mod
//! Id`), as the z/OS FTP server prints them (IBM, "z/OS Communications Server: IP User's Guide").

use chrono::NaiveDate;

use super::dates::{Clock, parse_clock, parse_numeric_day};
use super::tokens::{Token, is_digits, parse_number, tokens};
use crate::model::{Entry, EntryKind};

/// Parses a dataset line. The name is the last word (dataset names hold no spaces). A
/// partitioned dataset (`PO`, `PO-E`) holds members and is a folder; the rest are files. A
/// dataset the server could not describe (`Migrated`, `Not Direct Access Device`, `Error
/// determining attributes`, a VSAM cluster) still names a dataset: kept, its details unknown.
pub(super) fn parse_mvs_dataset_line(line: &str) -> Option<Entry> {
    // Ten columns at most; a longer line is no dataset line.
    let words: Vec<Token<'_>> = tokens(line).take(11).collect();
    let name = words.last()?.text.trim_matches('\'');
    if !is_dataset_name(name) {
        return None;
    }
    let first = words.first()?.text;
    if ["Migrated", "MIGRAT1", "MIGRAT2", "ARCIVE", "Pseudo", "VSAM"].contains(&first) && words.len() >= 2 {
        let kind = if first == "Pseudo" { EntryKind::Dir } else { EntryKind::File };
        return Some(Entry::new(name, kind));
    }
    // Volume, unit, referred, ext, used, recfm, lrecl, blksz, dsorg, dsname.
    let [_volume, _unit, referred, ext, used, _recfm, lrecl, blksz, dsorg, _name] = words.as_slice() else {
        return None;
    };
    let numbers = [ext, used, lrecl, blksz].iter().all(|word| is_digits(word.text));
    let Some((Some(year), month, day)) = parse_numeric_day(referred.text) else { return None };
    if !numbers || !dsorg.text.bytes().all(|b| b.is_ascii_uppercase() || b == b'-') {
        return None;
    }
    let kind = if dsorg.text.starts_with("PO") { EntryKind::Dir } else { EntryKind::File };
    let mut entry = Entry::new(name, kind);
    // "Referred" is the last day the dataset was used; z/OS keeps no time of change.
    entry.modified = NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|date| Clock::MIDNIGHT.on(date))
        .map(|naive| naive.and_utc());
    Some(entry)
}

/// Parses a member line: `ADDT  01.03 2002/09/12 2002/10/11 09:37  80  68  0 USER1`. The size is
/// counted in records, not bytes, so it stays unknown. A member of a load library is listed
/// with other columns (`Size TTR Alias-of ...`): its name is certain, the rest unknown.
pub(super) fn parse_mvs_member_line(line: &str) -> Option<Entry> {
    let words: Vec<Token<'_>> = tokens(line).take(9).collect();
    let name = words.first()?.text;
    if !is_member_name(name) {
        return None;
    }
    let version = words.get(1)?.text;
    if let Some((major, minor)) = version.split_once('.') {
        parse_number(major, 2..=2)?;
        parse_number(minor, 2..=2)?;
        let changed = words.get(3)?.text;
        let clock = parse_clock(words.get(4)?.text)?;
        let Some((Some(year), month, day)) = parse_numeric_day(changed) else { return None };
        let mut entry = Entry::new(name, EntryKind::File);
        entry.modified = NaiveDate::from_ymd_opt(year, month, day).and_then(|date| clock.on(date)).map(|n| n.and_utc());
        entry.owner = words.get(8).map(|word| word.text.to_string());
        return Some(entry);
    }
    // Load library: a hexadecimal size and TTR.
    let hex = |word: Option<&Token<'_>>| {
        word.is_some_and(|w| w.text.len() == 6 && w.text.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    (hex(words.get(1)) && hex(words.get(2))).then(|| Entry::new(name, EntryKind::File))
}

/// A member listed by name alone (members without statistics): only read in a session already
/// known to be z/OS, where a lone word can be nothing else.
pub(super) fn parse_mvs_bare_member(line: &str) -> Option<Entry> {
    let mut words = tokens(line);
    match (words.next(), words.next()) {
        (Some(word), None) if is_member_name(word.text) => Some(Entry::new(word.text, EntryKind::File)),
        _ => None,
    }
}

/// A member name: one to eight of `A-Z 0-9 @ # $`, not starting with a digit.
fn is_member_name(text: &str) -> bool {
    !text.starts_with(|c: char| c.is_ascii_digit()) && !text.contains('-') && is_qualifier(text)
}

/// A dataset name: qualifiers joined by dots, at most 44 characters.
fn is_dataset_name(text: &str) -> bool {
    text.len() <= 44 && text.split('.').all(is_qualifier)
}

/// One to eight of `A-Z 0-9 @ # $ -`.
fn is_qualifier(text: &str) -> bool {
    (1..=8).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || matches!(b, b'@' | b'#' | b'$' | b'-'))
}
