//! The dates of Unix lines in every style servers print: `Nov  5 13:46`, `5. Nov 2019`, ISO, and the
//! clock and zone readers the other formats share.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

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
    let found = match_numeric_date(words, now)
        .or_else(|| match_month_day(words, now))
        .or_else(|| match_day_month(words, now))?;
    (words.len() > found.len).then_some(found)
}

/// A date written in digits (`2024-01-05`, `05.01.2024`, `01/05/24`, `2024/01/05`, `2013年8月17日`),
/// with an optional time of day and, after a time, an optional zone: `ls --time-style=long-iso`
/// and `full-iso` (whose zone is honoured) are of this kind. The time and the zone are only
/// taken when a name still follows them, since the name could look like `12:00` or `+0100`.
fn match_numeric_date(words: &[Token<'_>], now: DateTime<Utc>) -> Option<DateMatch> {
    let (year, month, day) = parse_numeric_day(word(words, 0)?)?;
    let clock = word(words, 1).filter(|_| words.len() > 2).and_then(parse_clock);
    let offset = word(words, 2).filter(|_| clock.is_some() && words.len() > 3).and_then(parse_offset);
    let len = 1 + usize::from(clock.is_some()) + usize::from(offset.is_some());
    let clock = clock.unwrap_or(Clock::MIDNIGHT);
    let modified = match year {
        Some(year) => NaiveDate::from_ymd_opt(year, month, day)
            .and_then(|date| clock.on(date))
            .and_then(|local| local.checked_sub_signed(offset.unwrap_or_default()))
            .map(|naive| naive.and_utc()),
        None => infer_year(month, day, clock, now),
    };
    Some(DateMatch { len, modified })
}

/// `Nov  5 13:46`, `Nov  5  2019` (the classic `ls` forms) and `8月 17日 13:46`.
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

/// A day written in digits, checked for shape only (the calendar check comes later). The order
/// follows the separator, as the locales that use it do: `2019-11-05` and `2019/11/05` are year
/// first, `05.11.2019` is day first, `11-05-2019` and `11/05/19` are month first (US and DOS);
/// when the first number cannot be a month the other order is taken. Two-digit years 70-99 are
/// the 1900s, the rest the 2000s. The CJK forms `2013年8月17日` and `8月17日` (no year) too.
pub(super) fn parse_numeric_day(text: &str) -> Option<(Option<i32>, u32, u32)> {
    if text.contains(['月', '월']) {
        return parse_cjk_day(text);
    }
    let separator = text.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut parts = text.split(separator);
    let (first, second, third) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (year, mut month, mut day) = if first.len() == 4 {
        (parse_number(first, 4..=4)?, parse_number(second, 1..=2)?, parse_number(third, 1..=2)?)
    } else {
        let year = parse_number(third, 2..=4).filter(|_| third.len() != 3)?;
        let (a, b) = (parse_number(first, 1..=2)?, parse_number(second, 1..=2)?);
        let year = match year {
            70..=99 if third.len() == 2 => 1900 + year,
            0..=69 if third.len() == 2 => 2000 + year,
            _ => year,
        };
        if separator == '.' { (year, b, a) } else { (year, a, b) }
    };
    if month > 12 && day <= 12 && first.len() != 4 {
        std::mem::swap(&mut month, &mut day);
    }
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    Some((Some(i32::try_from(year).ok()?), month, day))
}

/// `2013年8月17日`, `8月17日` and the Korean `2013년8월17일`.
fn parse_cjk_day(text: &str) -> Option<(Option<i32>, u32, u32)> {
    let text = text.strip_suffix(['日', '일'])?;
    let (before_month, day) = text.split_once(['月', '월'])?;
    let (year, month) = match before_month.split_once(['年', '년']) {
        Some((year, month)) => (Some(i32::try_from(parse_number(year, 4..=4)?).ok()?), month),
        None => (None, before_month),
    };
    let month = parse_number(month, 1..=2).filter(|month| (1..=12).contains(month))?;
    let day = parse_number(day, 1..=2).filter(|day| (1..=31).contains(day))?;
    Some((year, month, day))
}

/// A time of day as listings print it; `24:00` is the midnight that ends the day, which some
/// servers print instead of `00:00` of the next.
#[derive(Debug, Clone, Copy)]
pub(super) struct Clock {
    time: NaiveTime,
    end_of_day: bool,
}

impl Clock {
    /// The start of a day, for dates printed without a time.
    pub(super) const MIDNIGHT: Clock = Clock { time: NaiveTime::MIN, end_of_day: false };

    /// An ordinary time of day.
    pub(super) fn at(time: NaiveTime) -> Clock {
        Clock { time, end_of_day: false }
    }

    /// This time on `date`.
    pub(super) fn on(self, date: NaiveDate) -> Option<NaiveDateTime> {
        let moment = date.and_time(self.time);
        if self.end_of_day { moment.checked_add_signed(TimeDelta::days(1)) } else { Some(moment) }
    }
}

/// A time of day on a 24-hour clock: `13:46`, `13:46:07`, `13:46:07.123456789`, or `24:00`.
pub(super) fn parse_clock(text: &str) -> Option<Clock> {
    if matches!(text, "24:00" | "24:00:00") {
        return Some(Clock { time: NaiveTime::MIN, end_of_day: true });
    }
    parse_time_of_day(text).map(|time| Clock { time, end_of_day: false })
}

/// A time of day from `0:00` to `23:59:60.999999999` (a leap second is allowed).
pub(super) fn parse_time_of_day(text: &str) -> Option<NaiveTime> {
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

/// A day of the month, 1 to 31, with the trailing dot or comma some locales add (`5.`), or
/// the CJK day mark (`17日`, `17일`).
pub(super) fn parse_day(text: &str) -> Option<u32> {
    let text = text.strip_suffix(['.', ',', '日', '일']).unwrap_or(text);
    parse_number(text, 1..=2).filter(|day| (1..=31).contains(day))
}

/// Every month's names in the languages whose servers print them in listings: English, German
/// (with Austria's `Jänner`), French (also without accents), Spanish, Italian, Dutch, Swedish
/// and Russian (nominative and genitive). Abbreviations are prefixes of these, except the few
/// listed with them (`Mrz`, `Mrt`).
const MONTH_NAMES: [&[&str]; 12] = [
    &["january", "januar", "jänner", "janvier", "enero", "gennaio", "januari", "январь", "января"],
    &["february", "februar", "février", "fevrier", "febrero", "febbraio", "februari", "февраль", "февраля"],
    &["march", "märz", "mrz", "mars", "marzo", "maart", "mrt", "март", "марта"],
    &["april", "avril", "abril", "aprile", "апрель", "апреля"],
    &["may", "mai", "mayo", "maggio", "mei", "maj", "май", "мая"],
    &["june", "juni", "juin", "junio", "giugno", "июнь", "июня"],
    &["july", "juli", "juillet", "julio", "luglio", "июль", "июля"],
    &["august", "août", "aout", "agosto", "augustus", "augusti", "август", "августа"],
    &["september", "septembre", "septiembre", "setiembre", "settembre", "сентябрь", "сентября"],
    &["october", "oktober", "octobre", "octubre", "ottobre", "октябрь", "октября"],
    &["november", "novembre", "noviembre", "ноябрь", "ноября"],
    &["december", "dezember", "décembre", "decembre", "diciembre", "dicembre", "декабрь", "декабря"],
];

/// A month: a name or an abbreviation of at least three letters in one of [`MONTH_NAMES`]'
/// languages, case-insensitive, with a trailing dot or comma (`févr.`, `Juli,`), or a CJK month
/// (`8月`, `11월`). An abbreviation that could be two months (`jui`) is none.
pub(super) fn parse_month(text: &str) -> Option<u32> {
    if let Some(number) = text.strip_suffix(['月', '월']) {
        return parse_number(number, 1..=2).filter(|month| (1..=12).contains(month));
    }
    let text = text.strip_suffix(['.', ',']).unwrap_or(text);
    // The longest name is 16 bytes ("сентября"); skip lowercasing long garbage and numbers.
    if text.len() > 16 || text.chars().count() < 3 || !text.starts_with(char::is_alphabetic) {
        return None;
    }
    // Lowercasing allocates: only needed beyond ASCII, which compares without it.
    let lowered;
    let text = if text.is_ascii() {
        text
    } else {
        lowered = text.to_lowercase();
        lowered.as_str()
    };
    let is_prefix = |name: &&str| name.get(..text.len()).is_some_and(|start| start.eq_ignore_ascii_case(text));
    let mut found = None;
    for (month, names) in (1..=12).zip(MONTH_NAMES) {
        if names.iter().any(is_prefix) {
            if found.is_some() {
                return None;
            }
            found = Some(month);
        }
    }
    found
}

/// The third word of a classic date: a year for old files, a time of day for recent ones.
#[derive(Debug, Clone, Copy)]
pub(super) enum YearOrTime {
    Year(i32),
    Time(Clock),
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
        YearOrTime::Time(clock) => infer_year(month, day, clock, now),
    }
}

/// `ls` leaves out the year for files changed in the last six months, so take the latest year
/// that puts the date at most one day after `now`; the day of slack absorbs clock skew and the
/// server's time zone. Eight years back always reaches a leap year, so "Feb 29" resolves too.
pub(super) fn infer_year(month: u32, day: u32, clock: Clock, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let limit = now.checked_add_signed(TimeDelta::days(1)).unwrap_or(now);
    (now.year() - 8..=now.year() + 1)
        .rev()
        .filter_map(|year| NaiveDate::from_ymd_opt(year, month, day))
        .filter_map(|date| clock.on(date))
        .map(|moment| moment.and_utc())
        .find(|moment| *moment <= limit)
}
