//! Unix `ls -l` lines: the mode, link count, owner and group, size, date, and the name.

use chrono::{DateTime, Utc};

use super::dates::{match_date, parse_month};
use super::tokens::{Token, is_digits, tokens};
use crate::model::{Entry, EntryKind};

/// How many link/owner/group words may stand between the mode and the size. Three is the usual
/// count; Samba and Windows servers print owners and groups of several words ("Domain Admins",
/// "domain users"), so allow a link count and up to seven name words.
pub(super) const MAX_META_TOKENS: usize = 8;

/// The most words a Unix line needs before its name: mode, link/owner/group, a two-word device
/// number, a three-word date, and the first word of the name.
pub(super) const MAX_UNIX_TOKENS: usize = 1 + MAX_META_TOKENS + 2 + 3 + 1;

/// Parses `-rw-r--r-- 1 user group 1234 Nov  5 13:46 name` and its many variants.
pub(super) fn parse_unix_line(line: &str, now: DateTime<Utc>) -> Option<Entry> {
    let mut words: Vec<Token<'_>> = tokens(line).take(MAX_UNIX_TOKENS).collect();
    split_glued_link_count(&mut words);
    let (kind, permissions) = parse_mode(words.first()?.text)?;
    let Some(layout) = find_layout(&words, now) else {
        return parse_undated(line, &words, kind, permissions);
    };
    // `ls` puts exactly one space after the date; anything more belongs to the name.
    let field = strip_one_separator(line.get(layout.date_end..)?);
    let (name, link_target) = split_link(field, kind);
    let (owner, group) = owner_and_group(line, words.get(1..layout.meta_end)?);
    Some(Entry {
        name: name.to_string(),
        kind,
        size: layout.size,
        modified: layout.modified,
        modified_precision: None,
        permissions: Some(permissions),
        owner,
        group,
        link_target: link_target.map(str::to_string),
        link_kind: None,
    })
}

/// Some servers glue the link count to an ACL marker (`drwxr-x---+1464 owner ...`): split such a
/// first word into the mode with its marker and the link count.
fn split_glued_link_count(words: &mut Vec<Token<'_>>) {
    let Some(first) = words.first().copied() else { return };
    // The mode and its marker are eleven ASCII characters, so byte 11 is a char boundary.
    let (Some(mode), Some(links)) = (first.text.get(..11), first.text.get(11..)) else { return };
    if !mode.ends_with(['+', '@', '.']) || !is_digits(links) {
        return;
    }
    let split = first.start + 11;
    words[0] = Token { text: mode, start: first.start, end: split };
    words.insert(1, Token { text: links, start: split, end: first.end });
}

/// A line with no date at all (`-rw-r--r-- 1 owner group 1234 name`): its name is certain only
/// in this exact shape, a link count, one-word owner and group, and a size, so only that shape
/// gives an entry, with its date unknown. A word after the size that could start a date the
/// parser did not understand (`Nov`, `5`, `12:00`) makes the name uncertain: no entry.
fn parse_undated(line: &str, words: &[Token<'_>], kind: EntryKind, permissions: u32) -> Option<Entry> {
    let [_, links, owner, group, size, first_name_word, ..] = words else { return None };
    if !is_digits(links.text) || !is_digits(size.text) || could_start_a_date(first_name_word.text) {
        return None;
    }
    let (name, link_target) = split_link(line.get(first_name_word.start..)?, kind);
    Some(Entry {
        name: name.to_string(),
        kind,
        size: size.text.parse().ok(),
        modified: None,
        modified_precision: None,
        permissions: Some(permissions),
        owner: Some(owner.text.to_string()),
        group: Some(group.text.to_string()),
        link_target: link_target.map(str::to_string),
        link_kind: None,
    })
}

/// Whether `text` looks like the first word of a date: a month, a day or year number, a clock
/// or a numeric date.
fn could_start_a_date(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit()) || parse_month(text).is_some()
}

/// Reads the mode word (`drwxr-xr-x`, possibly followed by one ACL/xattr marker `+`, `@`, `.`)
/// into the entry kind and the 0o7777 permission bits.
pub(super) fn parse_mode(text: &str) -> Option<(EntryKind, u32)> {
    let mut chars = text.chars();
    let kind = match chars.next()? {
        '-' => EntryKind::File,
        'd' => EntryKind::Dir,
        'l' => EntryKind::Symlink,
        // Block and character devices, fifos, sockets, Solaris doors.
        'b' | 'c' | 'p' | 's' | 'D' => EntryKind::Other,
        _ => return None,
    };
    let letters: Vec<char> = chars.by_ref().take(9).collect();
    // Nothing more, or exactly one marker: `+` ACL, `@` macOS xattrs, `.` SELinux context.
    let marker_ok = matches!((chars.next(), chars.next()), (None, _) | (Some('+' | '@' | '.'), None));
    if letters.len() != 9 || !marker_ok {
        return None;
    }
    Some((kind, permission_bits(&letters)?))
}

/// Computes the octal permission value from the nine `rwx` letters, including the setuid,
/// setgid and sticky bits shown as `s`/`S` and `t`/`T` in the execute positions.
pub(super) fn permission_bits(letters: &[char]) -> Option<u32> {
    let mut mode = 0;
    // Three classes: user, group, other.
    for (class, triple) in letters.chunks(3).enumerate() {
        let [read, write, exec] = triple else {
            return None;
        };
        let special = match class {
            0 => 0o4000, // setuid
            1 => 0o2000, // setgid
            _ => 0o1000, // sticky
        };
        let read = match read {
            'r' => 4,
            '-' => 0,
            _ => return None,
        };
        let write = match write {
            'w' => 2,
            '-' => 0,
            _ => return None,
        };
        let (exec, extra) = match (exec, class) {
            ('x', _) => (1, 0),
            ('-', _) => (0, 0),
            ('s', 0 | 1) | ('t', 2) => (1, special),
            ('S', 0 | 1) | ('T', 2) => (0, special),
            // Solaris shows setgid without group execute (mandatory locking) as `l`.
            ('l' | 'L', 1) => (0, special),
            _ => return None,
        };
        mode |= ((read | write | exec) << (6 - 3 * class)) | extra;
    }
    Some(mode)
}

/// Where the parts of a Unix line were found.
#[derive(Debug)]
pub(super) struct UnixLayout {
    /// Index of the first size word; words `1..meta_end` are link count, owner and group.
    meta_end: usize,
    /// The size in bytes; `None` for devices (which show major/minor numbers) and overflows.
    size: Option<u64>,
    /// The parsed date, `None` when it names an impossible day.
    modified: Option<DateTime<Utc>>,
    /// Byte offset just past the date, where the name (after one separator) begins.
    date_end: usize,
}

/// Finds the date, which anchors everything else: the word(s) just before it are the size and
/// whatever lies between the mode and the size is link count, owner and group. Anchoring on the
/// date copes with servers that omit the group, the link count, or both, and the first match
/// wins so that a date-like file name can never be mistaken for the date. A match that leaves
/// no owner word is only a last resort: in `1 jun 12 2048 Nov  5 13:46 x` (owner "jun", gid 12,
/// 2048 bytes) the link count, owner and group read as size and date, and the real date follows.
pub(super) fn find_layout(words: &[Token<'_>], now: DateTime<Utc>) -> Option<UnixLayout> {
    let mut ownerless = None;
    for date_at in 2..words.len() {
        let Some(date) = match_date(words.get(date_at..)?, now) else {
            continue;
        };
        let Some((size_words, size)) = match_size(words.get(1..date_at)?) else {
            continue;
        };
        let meta_end = date_at - size_words;
        if meta_end - 1 > MAX_META_TOKENS {
            continue;
        }
        let layout =
            UnixLayout { meta_end, size, modified: date.modified, date_end: words.get(date_at + date.len - 1)?.end };
        if meta_end > 1 {
            return Some(layout);
        }
        ownerless.get_or_insert(layout);
    }
    ownerless
}

/// Reads the size at the end of `before` (the words between the mode and the date). Returns
/// how many words it took and the size: one word of digits, or a device number written as
/// `4, 0` or `4,0`, which has no size. A size too large for `u64` is kept as unknown.
pub(super) fn match_size(before: &[Token<'_>]) -> Option<(usize, Option<u64>)> {
    let (last, earlier) = before.split_last()?;
    if let Some((major, minor)) = last.text.split_once(',') {
        return (is_digits(major) && is_digits(minor)).then_some((1, None));
    }
    if !is_digits(last.text) {
        return None;
    }
    let device_major = earlier.last().and_then(|word| word.text.strip_suffix(',')).is_some_and(is_digits);
    if device_major {
        return Some((2, None));
    }
    Some((1, last.text.parse().ok()))
}

/// Splits the link count, owner and group words. A leading number is the link count (which
/// Ferry does not keep), the next word is the owner and the rest, spacing kept, is the group.
pub(super) fn owner_and_group(line: &str, meta: &[Token<'_>]) -> (Option<String>, Option<String>) {
    let names = match meta.split_first() {
        Some((first, rest)) if is_digits(first.text) => rest,
        _ => meta,
    };
    // One owner word and the rest for the group, unless the words split evenly: then owner and
    // group have as many words each ("Domain Admins domain users").
    let owner_words = if names.len() > 2 && names.len() % 2 == 0 { names.len() / 2 } else { 1 };
    let (Some(owner_first), Some(owner_last)) = (names.first(), names.get(owner_words.saturating_sub(1))) else {
        return (None, None);
    };
    let owner = line.get(owner_first.start..owner_last.end).map(str::to_string);
    let group_words = names.get(owner_words..).unwrap_or_default();
    let group = match (group_words.first(), group_words.last()) {
        (Some(first), Some(last)) => line.get(first.start..last.end).map(str::to_string),
        _ => None,
    };
    (owner, group)
}

/// Drops the single separator character after the date.
pub(super) fn strip_one_separator(text: &str) -> &str {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_whitespace() => chars.as_str(),
        _ => text,
    }
}

/// Splits `name -> target` for symlinks; other kinds keep ` -> ` as part of their name.
pub(super) fn split_link(field: &str, kind: EntryKind) -> (&str, Option<&str>) {
    let split = field.split_once(" -> ").filter(|(name, _)| kind == EntryKind::Symlink && !name.is_empty());
    match split {
        Some((name, target)) => (name, Some(target).filter(|target| !target.is_empty())),
        None => (field, None),
    }
}
