//! The dates of Unix lines in every style servers print: `Nov  5 13:46`, `5. Nov 2019`, ISO, and the
//! clock and zone readers the other formats share.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::tokens::{Token, parse_fraction, parse_number, word};

/// A date found at some position of a Unix line.
#[derive(Debug)]
pub(super) struct DateMatch {
    /// How many words the date took.
    pub(super) len: usize,
    /// The moment, `None` when the words look like a date but name no real day (Feb 30).
    pub(super) modified: Option<DateTime<Utc>>,
}

/// Recognises a date at the start of `words`, in any of the supported styles, provided a name
/// still follows it.
pub(super) fn match_date(words: &[Token<'_>], now: DateTime<Utc>) -> Option<DateMatch> {
    let found =
        match_iso_date(words).or_else(|| match_month_day(words, now)).or_else(|| match_day_month(words, now))?;
    (words.len() > found.len).then_some(found)
}

/// `2024-01-05 12:00` (`ls --time-style=long-iso`) and `2024-01-05 12:00:00.000000000 +0100`
/// (`full-iso`, whose zone is honoured).
pub(super) fn match_iso_date(words: &[Token<'_>]) -> Option<DateMatch> {
    let (year, month, day) = parse_iso_day(word(words, 0)?)?;
    let time = parse_clock(word(words, 1)?)?;
    // Only take a zone word if a name still follows it: the name could look like "+0100".
    let offset = word(words, 2).filter(|_| words.len() > 3).and_then(parse_offset);
    let modified = NaiveDate::from_ymd_opt(year, month, day)
        .map(|date| date.and_time(time))
        .and_then(|local| local.checked_sub_signed(offset.unwrap_or_default()))
        .map(|naive| naive.and_utc());
    let len = if offset.is_some() { 3 } else { 2 };
    Some(DateMatch { len, modified })
}

/// `Nov  5 13:46` and `Nov  5  2019`, the classic `ls` forms.
pub(super) fn match_month_day(words: &[Token<'_>], now: DateTime<Utc>) -> Option<DateMatch> {
    let month = parse_month(word(words, 0)?)?;
    let day = parse_day(word(words, 1)?)?;
    let when = parse_year_or_time(word(words, 2)?)?;
    Some(DateMatch { len: 3, modified: resolve_date(month, day, when, now) })
}

/// `5 Nov 13:46` and `5. Nov 2019`, as printed under European locales.
pub(super) fn match_day_month(words: &[Token<'_>], now: DateTime<Utc>) -> Option<DateMatch> {
    let day = parse_day(word(words, 0)?)?;
    let month = parse_month(word(words, 1)?)?;
    let when = parse_year_or_time(word(words, 2)?)?;
    Some(DateMatch { len: 3, modified: resolve_date(month, day, when, now) })
}

/// A `YYYY-MM-DD` word, checked for shape only (the calendar check comes later).
pub(super) fn parse_iso_day(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.split('-');
    let year = parse_number(parts.next()?, 4..=4)?;
    let month = parse_number(parts.next()?, 2..=2)?;
    let day = parse_number(parts.next()?, 2..=2)?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some((i32::try_from(year).ok()?, month, day))
}

/// A time of day: `13:46`, `13:46:07` or `13:46:07.123456789`.
pub(super) fn parse_clock(text: &str) -> Option<NaiveTime> {
    let mut parts = text.split(':');
    let hour = parse_number(parts.next()?, 1..=2)?;
    let minute = parse_number(parts.next()?, 2..=2)?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(seconds) => match seconds.split_once('.') {
            Some((whole, fraction)) => (parse_number(whole, 2..=2)?, parse_fraction(fraction)?),
            None => (parse_number(seconds, 2..=2)?, 0),
        },
    };
    if parts.next().is_some() {
        return None;
    }
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// A numeric zone such as `+0100`, `-0530` or `+01:00`, as the distance from UTC.
pub(super) fn parse_offset(text: &str) -> Option<TimeDelta> {
    let (sign, digits) =
        if let Some(rest) = text.strip_prefix('+') { (1, rest) } else { (-1, text.strip_prefix('-')?) };
    let (hours, minutes) = match digits.split_once(':') {
        Some(parts) => parts,
        None => digits.split_at_checked(2)?,
    };
    let hours = parse_number(hours, 2..=2)?;
    let minutes = parse_number(minutes, 2..=2)?;
    if hours > 23 || minutes > 59 {
        return None;
    }
    TimeDelta::try_seconds(sign * i64::from(hours * 3600 + minutes * 60))
}

/// A day of the month, 1 to 31, with the trailing dot some locales add (`5.`).
pub(super) fn parse_day(text: &str) -> Option<u32> {
    let text = text.strip_suffix('.').unwrap_or(text);
    parse_number(text, 1..=2).filter(|day| (1..=31).contains(day))
}

/// A month abbreviation: English, case-insensitive, plus the German and French ones that
/// differ from it (with or without their trailing dot).
pub(super) fn parse_month(text: &str) -> Option<u32> {
    let text = text.strip_suffix('.').unwrap_or(text);
    // The longest name is five bytes ("févr", "août"); skip lowercasing long garbage.
    if text.len() > 5 {
        return None;
    }
    let month = match text.to_lowercase().as_str() {
        "jan" | "janv" => 1,
        "feb" | "fév" | "févr" => 2,
        "mar" | "mär" | "mars" => 3,
        "apr" | "avr" => 4,
        "may" | "mai" => 5,
        "jun" | "juin" => 6,
        "jul" | "juil" => 7,
        "aug" | "aoû" | "août" => 8,
        "sep" | "sept" => 9,
        "oct" | "okt" => 10,
        "nov" => 11,
        "dec" | "dez" | "déc" => 12,
        _ => return None,
    };
    Some(month)
}

/// The third word of a classic date: a year for old files, a time of day for recent ones.
#[derive(Debug, Clone, Copy)]
pub(super) enum YearOrTime {
    Year(i32),
    Time(NaiveTime),
}

pub(super) fn parse_year_or_time(text: &str) -> Option<YearOrTime> {
    match parse_number(text, 4..=4) {
        Some(year) => Some(YearOrTime::Year(i32::try_from(year).ok()?)),
        None => parse_clock(text).map(YearOrTime::Time),
    }
}

/// Builds the moment for a classic date, inferring the year when only a time was given.
pub(super) fn resolve_date(month: u32, day: u32, when: YearOrTime, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match when {
        YearOrTime::Year(year) => {
            NaiveDate::from_ymd_opt(year, month, day).map(|date| date.and_time(NaiveTime::MIN).and_utc())
        }
        YearOrTime::Time(time) => infer_year(month, day, time, now),
    }
}

/// `ls` leaves out the year for files changed in the last six months, so take the latest year
/// that puts the date at most one day after `now`; the day of slack absorbs clock skew and the
/// server's time zone. Eight years back always reaches a leap year, so "Feb 29" resolves too.
pub(super) fn infer_year(month: u32, day: u32, time: NaiveTime, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let limit = now.checked_add_signed(TimeDelta::days(1)).unwrap_or(now);
    (now.year() - 8..=now.year() + 1)
        .rev()
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .map(|date| date.and_time(time).and_utc())
        .find(|moment| *moment <= limit)
}
