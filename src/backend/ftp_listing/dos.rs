//! DOS and IIS lines: `01-05-24  12:00PM  <DIR>  folder` and `01-05-2024  09:15  1,234 file.txt`.

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::dates::parse_clock;
use super::tokens::{Token, is_digits, parse_number, tokens, word};
use crate::model::{Entry, EntryKind};

/// Parses `01-05-24  12:00PM       <DIR>          folder name` and
/// `01-05-2024  09:15AM              1,234 file.txt`, also with a 24-hour clock.
pub(super) fn parse_dos_line(line: &str) -> Option<Entry> {
    // Date, time, maybe a separate AM/PM, size, first word of the name.
    let words: Vec<Token<'_>> = tokens(line).take(5).collect();
    let (year, month, day) = parse_dos_day(word(&words, 0)?)?;
    let (time, size_at) = parse_dos_time(&words)?;
    let size_word = words.get(size_at)?;
    let (kind, size) = parse_dos_size(size_word.text)?;
    // IIS pads the size column, so all the space before the name is padding.
    let name = line.get(size_word.end..)?.trim_start();
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.modified = NaiveDate::from_ymd_opt(year, month, day).map(|date| date.and_time(time).and_utc());
    Some(entry)
}

/// An `MM-DD-YY` or `MM-DD-YYYY` date (also with `/`), checked for shape only. Servers set to a
/// day-first locale are recognised when the first number cannot be a month.
pub(super) fn parse_dos_day(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.split(['-', '/']);
    let mut month = parse_number(parts.next()?, 1..=2)?;
    let mut day = parse_number(parts.next()?, 1..=2)?;
    let year_text = parts.next()?;
    let year = parse_number(year_text, 2..=4)?;
    if parts.next().is_some() || year_text.len() == 3 {
        return None;
    }
    if month > 12 && day <= 12 {
        std::mem::swap(&mut month, &mut day);
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Two-digit years: 70-99 are the 1900s, the rest the 2000s.
    let year = match year {
        70..=99 if year_text.len() == 2 => 1900 + year,
        0..=69 if year_text.len() == 2 => 2000 + year,
        _ => year,
    };
    Some((i32::try_from(year).ok()?, month, day))
}

/// The time word(s) of a DOS line: `12:00PM`, `12:00 PM` or 24-hour `13:00`. Returns the time
/// and the index of the size word that follows.
pub(super) fn parse_dos_time(words: &[Token<'_>]) -> Option<(NaiveTime, usize)> {
    let text = word(words, 1)?;
    let (clock, pm, size_at) = match split_meridiem(text) {
        Some((clock, pm)) => (clock, Some(pm), 2),
        None => match word(words, 2).and_then(meridiem) {
            Some(pm) => (text, Some(pm), 3),
            None => (text, None, 2),
        },
    };
    let time = parse_clock(clock)?;
    let Some(pm) = pm else {
        return Some((time, size_at));
    };
    // On a 12-hour clock 12:xxAM is just after midnight and 12:xxPM just after noon.
    if !(1..=12).contains(&time.hour()) {
        return None;
    }
    let hour = time.hour() % 12 + if pm { 12 } else { 0 };
    Some((time.with_hour(hour)?, size_at))
}

/// Splits a glued `12:00PM` into the clock and whether it is PM.
pub(super) fn split_meridiem(text: &str) -> Option<(&str, bool)> {
    let (clock, marker) = text.split_at_checked(text.len().checked_sub(2)?)?;
    Some((clock, meridiem(marker)?))
}

/// `AM` → false, `PM` → true, case-insensitive.
pub(super) fn meridiem(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("AM") {
        Some(false)
    } else if text.eq_ignore_ascii_case("PM") {
        Some(true)
    } else {
        None
    }
}

/// `<DIR>` for folders, otherwise a size with optional thousands separators (`1,234`, `1.234`).
pub(super) fn parse_dos_size(text: &str) -> Option<(EntryKind, Option<u64>)> {
    if text.eq_ignore_ascii_case("<DIR>") {
        return Some((EntryKind::Dir, None));
    }
    if !text.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = text.chars().filter(|c| !matches!(c, ',' | '.')).collect();
    if !is_digits(&digits) {
        return None;
    }
    Some((EntryKind::File, digits.parse().ok()))
}
