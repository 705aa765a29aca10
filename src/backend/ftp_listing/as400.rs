//! IBM i (AS/400, OS/400) lines: `OWNER  77824 02/23/00 15:09:55 *DIR  QSYS/`.

use chrono::NaiveDate;

use super::dates::{parse_clock, parse_numeric_day};
use super::tokens::{Token, is_digits, tokens};
use crate::model::{Entry, EntryKind};

/// The object types the IBM i FTP server lists (IBM i documentation, "Object types"); a word
/// starting with `*` that is none of them is no IBM i line.
const OBJECT_TYPES: &[&str] = &[
    "BLKSF", "CHRSF", "CMD", "DDIR", "DIR", "DOC", "DSTMF", "DTAARA", "DTAQ", "FIFO", "FILE", "FLR", "JOBD", "JRN",
    "JRNRCV", "LIB", "MEM", "MSGQ", "OUTQ", "PGM", "SAVF", "SOCKET", "SRVPGM", "STMF", "SYMLNK", "USRPRF", "USRSPC",
];

/// Parses an IBM i line: the owner, the size, the date (`MM/DD/YY`, or `DD.MM.YY` under other
/// date formats), the time, the object type (`*DIR`, `*FILE`, `*MEM`, `*STMF`, `*FLR`, ...)
/// and the name. Members (`*MEM`) are listed without size and date. A name ending in `/` is a
/// folder-like object (library, file with members, folder); the `/` is not part of the name.
pub(super) fn parse_as400_line(line: &str) -> Option<Entry> {
    let words: Vec<Token<'_>> = tokens(line).take(6).collect();
    let owner = words.first()?;
    let (kind_word, size, modified) = match words.get(1)? {
        word if word.text.starts_with('*') => (*word, None, None),
        size_word => {
            if !is_digits(size_word.text) {
                return None;
            }
            let (year, month, day) = match parse_numeric_day(words.get(2)?.text)? {
                (Some(year), month, day) => (year, month, day),
                (None, ..) => return None,
            };
            let clock = parse_clock(words.get(3)?.text)?;
            let modified =
                NaiveDate::from_ymd_opt(year, month, day).and_then(|date| clock.on(date)).map(|naive| naive.and_utc());
            (*words.get(4)?, size_word.text.parse().ok(), modified)
        }
    };
    let object_type = kind_word.text.strip_prefix('*').filter(|object| OBJECT_TYPES.contains(object))?;
    let name = line.get(kind_word.end..)?.trim_start();
    let (name, trailing_slash) = match name.strip_suffix('/') {
        Some(name) => (name, true),
        None => (name, false),
    };
    if name.is_empty() {
        return None;
    }
    let kind = match object_type {
        _ if trailing_slash => EntryKind::Dir,
        "DIR" | "LIB" | "FLR" | "DDIR" => EntryKind::Dir,
        "SYMLNK" => EntryKind::Symlink,
        "FILE" | "MEM" | "STMF" | "DSTMF" | "DOC" => EntryKind::File,
        _ => EntryKind::Other,
    };
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.modified = modified;
    entry.owner = Some(owner.text.to_string());
    Some(entry)
}
