//! DOS and IIS lines: `01-05-24  12:00PM  <DIR>  folder` and `01-05-2024  09:15  1,234 file.txt`.

use chrono::{NaiveDate, Timelike};

use super::dates::{Clock, parse_clock, parse_numeric_day, parse_time_of_day};
use super::tokens::{Token, is_digits, tokens, word};
use crate::model::{Entry, EntryKind};

/// Parses `01-05-24  12:00PM       <DIR>          folder name` and
/// `01-05-2024  09:15AM              1,234 file.txt`, also with a 24-hour clock.
pub(super) fn parse_dos_line(line: &str) -> Option<Entry> {
    // Date, time, maybe a separate AM/PM, size, first word of the name.
    let words: Vec<Token<'_>> = tokens(line).take(5).collect();
    // IIS prints `01-05-24`, newer servers and other locales `2024-01-05` or `05.01.2024`.
    let (Some(year), month, day) = parse_numeric_day(word(&words, 0)?)? else {
        return None;
    };
    let (clock, size_at) = parse_dos_time(&words)?;
    let size_word = words.get(size_at)?;
    let (kind, size) = parse_dos_size(size_word.text)?;
    // IIS pads the size column, so all the space before the name is padding.
    let name = line.get(size_word.end..)?.trim_start();
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, kind);
    entry.size = size;
    entry.modified =
        NaiveDate::from_ymd_opt(year, month, day).and_then(|date| clock.on(date)).map(|naive| naive.and_utc());
    Some(entry)
}

/// The time word(s) of a DOS line: `12:00PM`, `12:00 PM` or 24-hour `13:00`. Returns the time
/// and the index of the size word that follows.
pub(super) fn parse_dos_time(words: &[Token<'_>]) -> Option<(Clock, usize)> {
    let text = word(words, 1)?;
    let (clock, pm, size_at) = match split_meridiem(text) {
        Some((clock, pm)) => (clock, Some(pm), 2),
        None => match word(words, 2).and_then(meridiem) {
            Some(pm) => (text, Some(pm), 3),
            None => (text, None, 2),
        },
    };
    let Some(pm) = pm else {
        return Some((parse_clock(clock)?, size_at));
    };
    let time = parse_time_of_day(clock)?;
    // On a 12-hour clock 12:xxAM is just after midnight and 12:xxPM just after noon.
    if !(1..=12).contains(&time.hour()) {
        return None;
    }
    let hour = time.hour() % 12 + if pm { 12 } else { 0 };
    Some((Clock::at(time.with_hour(hour)?), size_at))
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
