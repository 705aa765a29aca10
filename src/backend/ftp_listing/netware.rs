//! Novell NetWare lines: `d [RWCEAFMS] owner  512  Jan 16 18:53  name`.

use chrono::{DateTime, Utc};

use super::dates::match_date;
use super::tokens::{Token, is_digits, tokens};
use crate::model::{Entry, EntryKind};

/// Parses a NetWare line: `d` or `-`, the trustee rights in brackets, the owner, the size, a
/// date in `ls` style, and the name. NetWare pads before the name, so the name starts at its
/// first non-blank character.
pub(super) fn parse_netware_line(line: &str, now: DateTime<Utc>) -> Option<Entry> {
    let words: Vec<Token<'_>> = tokens(line).take(9).collect();
    let kind = match words.first()?.text {
        "d" => EntryKind::Dir,
        "-" => EntryKind::File,
        _ => return None,
    };
    let rights = words.get(1)?.text;
    if !(rights.starts_with('[') && rights.ends_with(']') && rights.len() == 10) {
        return None;
    }
    let owner = words.get(2)?;
    let size = words.get(3)?;
    if !is_digits(size.text) {
        return None;
    }
    let date = match_date(words.get(4..)?, now)?;
    let date_end = words.get(4 + date.len - 1)?.end;
    let name = line.get(date_end..)?.trim_start();
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, kind);
    entry.size = size.text.parse().ok();
    entry.modified = date.modified;
    entry.owner = Some(owner.text.to_string());
    Some(entry)
}
