//! IBM OS/2 lines: `  149473      A     11-17-98  16:07  POPUPLOG.OS2`.

use chrono::NaiveDate;

use super::dates::parse_clock;
use super::tokens::{Token, is_digits, parse_number, tokens};
use crate::model::{Entry, EntryKind};

/// Parses an OS/2 line: the size, attribute letters (`A`, `H`, `S`, `R`) and/or `DIR`, the date
/// `MM-DD-YY` (the year counts from 1900, so 2003 is `103`), the time, and the name.
pub(super) fn parse_os2_line(line: &str) -> Option<Entry> {
    let words: Vec<Token<'_>> = tokens(line).take(7).collect();
    let size = words.first()?;
    if !is_digits(size.text) {
        return None;
    }
    // Up to two attribute words, then the date.
    let date_at = (1..=3).find(|&at| words.get(at).is_some_and(|word| parse_os2_day(word.text).is_some()))?;
    let attributes = words.get(1..date_at)?;
    if !attributes
        .iter()
        .all(|word| word.text == "DIR" || word.text.chars().all(|c| matches!(c, 'A' | 'H' | 'S' | 'R')))
    {
        return None;
    }
    let is_dir = attributes.iter().any(|word| word.text == "DIR");
    let day = parse_os2_day(words.get(date_at)?.text)?;
    let time = words.get(date_at + 1)?;
    let clock = parse_clock(time.text)?;
    let name = line.get(time.end..)?.trim_start();
    if name.is_empty() {
        return None;
    }
    let mut entry = Entry::new(name, if is_dir { EntryKind::Dir } else { EntryKind::File });
    entry.size = if is_dir { None } else { size.text.parse().ok() };
    entry.modified = day.and_then(|date| clock.on(date)).map(|naive| naive.and_utc());
    Some(entry)
}

/// `MM-DD-YY` with a year of two or three digits counted from 1900. `Some(None)` when the shape
/// is right but the day does not exist.
fn parse_os2_day(text: &str) -> Option<Option<NaiveDate>> {
    let mut parts = text.split('-');
    let month = parse_number(parts.next()?, 2..=2)?;
    let day = parse_number(parts.next()?, 2..=2)?;
    let year = parse_number(parts.next()?, 2..=3)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Two-digit years below 70 are read as 20xx, as other listings do.
    let year = if year < 70 { 2000 + year } else { 1900 + year };
    Some(NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day))
}
