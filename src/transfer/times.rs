//! Comparing two files' modification times as precisely as the less precise of them was given:
//! FTP servers give minutes (LIST), days (LIST of an old file) or seconds (MDTM), SFTP gives
//! seconds, a local disk nanoseconds.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, TimeDelta, Timelike, Utc};

use crate::model::TimePrecision;

/// How precisely a time was given, judged from its value where nobody said: a time with no
/// fraction of a second was most likely given in whole seconds, one at :00 in whole minutes, one
/// at midnight in days. Only right for times as the server wrote them (before any time zone
/// correction moves midnight elsewhere).
pub fn judged_precision(time: &DateTime<Utc>) -> TimePrecision {
    match (time.nanosecond(), time.second(), time.minute(), time.hour()) {
        (0, 0, 0, 0) => TimePrecision::Day,
        (0, 0, _, _) => TimePrecision::Minute,
        (0, _, _, _) => TimePrecision::Second,
        _ => TimePrecision::Finer,
    }
}

/// The span of moments a time given at `precision` stands for, in whole seconds since the epoch:
/// `[start, end)`. A time in minutes stands for the whole minute it names; one given finer than a
/// second is taken to the second, as a server would keep it.
fn span(time: &DateTime<Utc>, precision: TimePrecision) -> (i64, i64) {
    let start = time.timestamp();
    let length = match precision {
        TimePrecision::Day => 86_400,
        TimePrecision::Minute => 60,
        TimePrecision::Second | TimePrecision::Finer => 1,
    };
    (start, start.saturating_add(length))
}

/// How `a` compares with `b` at the coarser precision of the two (never finer than a second), each
/// judged from its value: a local copy a fraction of a second (or, against a time in minutes, a few
/// seconds) later than the server's file is the same time, not "newer".
pub fn compare_times(a: &DateTime<Utc>, b: &DateTime<Utc>) -> Ordering {
    compare_times_given(a, None, b, None)
}

/// [`compare_times`] with each time's precision as its source said it (`None`: judged from the
/// value). Two times are the same when the spans they stand for overlap, so a listing's minute
/// moved by a time zone offset still covers the exact time inside it.
pub fn compare_times_given(
    a: &DateTime<Utc>,
    a_precision: Option<TimePrecision>,
    b: &DateTime<Utc>,
    b_precision: Option<TimePrecision>,
) -> Ordering {
    let a_span = span(a, a_precision.unwrap_or_else(|| judged_precision(a)));
    let b_span = span(b, b_precision.unwrap_or_else(|| judged_precision(b)));
    if a_span.1 <= b_span.0 {
        Ordering::Less
    } else if b_span.1 <= a_span.0 {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

/// A time a server wrote on a clock `offset` east of UTC (its local time, read as if it were UTC),
/// made UTC. A time at the edge of what can be held stays as written.
pub fn local_to_utc(written: DateTime<Utc>, offset: TimeDelta) -> DateTime<Utc> {
    written.checked_sub_signed(offset).unwrap_or(written)
}

/// The date a time given as a day alone names, however far a time zone moved its start: the date
/// of the day's middle, right for every zone up to twelve hours from UTC.
pub fn day_of(start: DateTime<Utc>) -> NaiveDate {
    start.checked_add_signed(TimeDelta::hours(12)).unwrap_or(start).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32, nanos: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 5, 1, h, m, s).unwrap() + chrono::Duration::nanoseconds(i64::from(nanos))
    }

    #[test]
    fn a_fraction_of_a_second_is_no_difference() {
        assert_eq!(compare_times(&at(14, 3, 9, 400_000_000), &at(14, 3, 9, 0)), Ordering::Equal);
        assert_eq!(compare_times(&at(14, 3, 10, 1), &at(14, 3, 9, 0)), Ordering::Greater);
    }

    #[test]
    fn a_time_in_minutes_compares_in_minutes_and_one_in_days_in_days() {
        assert_eq!(compare_times(&at(14, 3, 0, 0), &at(14, 3, 41, 5)), Ordering::Equal);
        assert_eq!(compare_times(&at(14, 3, 0, 0), &at(14, 4, 1, 0)), Ordering::Less);
        assert_eq!(compare_times(&at(0, 0, 0, 0), &at(17, 4, 1, 0)), Ordering::Equal);
        assert_eq!(compare_times(&at(14, 3, 9, 0), &at(14, 3, 8, 0)), Ordering::Greater);
    }

    #[test]
    fn a_said_precision_holds_where_the_value_would_mislead() {
        // A listed day moved by UTC+9 starts at 15:00 the day before: the whole local day.
        let day_in_tokyo = Utc.with_ymd_and_hms(2025, 4, 30, 15, 0, 0).unwrap();
        let day = Some(TimePrecision::Day);
        assert_eq!(compare_times_given(&day_in_tokyo, day, &at(10, 0, 0, 0), None), Ordering::Equal);
        assert_eq!(compare_times_given(&day_in_tokyo, day, &at(16, 0, 0, 0), None), Ordering::Less);
        assert_eq!(compare_times(&day_in_tokyo, &at(10, 0, 0, 0)), Ordering::Less);
        // An exact time at :00 seconds is a second, not a minute, when its source says so.
        let second = Some(TimePrecision::Second);
        assert_eq!(compare_times_given(&at(14, 3, 0, 0), second, &at(14, 3, 30, 0), second), Ordering::Less);
        // A listed minute holds the exact time inside it, even moved by a half-hour zone.
        let minute = Some(TimePrecision::Minute);
        assert_eq!(compare_times_given(&at(14, 33, 0, 0), minute, &at(14, 33, 59, 0), second), Ordering::Equal);
        assert_eq!(compare_times_given(&at(14, 33, 0, 0), minute, &at(14, 34, 0, 0), second), Ordering::Less);
    }

    #[test]
    fn a_day_moved_by_a_zone_is_still_shown_as_its_date() {
        let tokyo_first_of_may = Utc.with_ymd_and_hms(2025, 4, 30, 15, 0, 0).unwrap();
        assert_eq!(day_of(tokyo_first_of_may), NaiveDate::from_ymd_opt(2025, 5, 1).unwrap());
        let new_york_first_of_may = Utc.with_ymd_and_hms(2025, 5, 1, 4, 0, 0).unwrap();
        assert_eq!(day_of(new_york_first_of_may), NaiveDate::from_ymd_opt(2025, 5, 1).unwrap());
    }

    #[test]
    fn local_time_becomes_utc_by_taking_the_offset_away() {
        let written = at(21, 34, 0, 0);
        assert_eq!(local_to_utc(written, TimeDelta::hours(9)), at(12, 34, 0, 0));
        // Newfoundland in summer (-02:30): past midnight UTC.
        assert_eq!(local_to_utc(written, TimeDelta::minutes(-150)), at(0, 4, 0, 0) + TimeDelta::days(1));
    }
}
