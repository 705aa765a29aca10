//! Comparing two files' modification times as precisely as the less precise of them was given:
//! FTP servers give minutes (LIST), days (LIST of an old file) or seconds (MDTM), SFTP gives
//! seconds, a local disk nanoseconds.

use std::cmp::Ordering;

use chrono::{DateTime, Timelike, Utc};

/// How precisely a time was given, judged from its value: a time with no fraction of a second
/// was most likely given in whole seconds, one at :00 in whole minutes, one at midnight in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precision {
    Day,
    Minute,
    Second,
    Finer,
}

fn precision(time: &DateTime<Utc>) -> Precision {
    match (time.nanosecond(), time.second(), time.minute(), time.hour()) {
        (0, 0, 0, 0) => Precision::Day,
        (0, 0, _, _) => Precision::Minute,
        (0, _, _, _) => Precision::Second,
        _ => Precision::Finer,
    }
}

/// `time` cut down to `precision` (as seconds since the epoch, in whole units of it).
fn truncated(time: &DateTime<Utc>, precision: Precision) -> i64 {
    let seconds = time.timestamp();
    match precision {
        Precision::Day => seconds.div_euclid(86_400),
        Precision::Minute => seconds.div_euclid(60),
        Precision::Second | Precision::Finer => seconds,
    }
}

/// How `a` compares with `b` at the coarser precision of the two (never finer than a second): a
/// local copy a fraction of a second (or, against a time in minutes, a few seconds) later than
/// the server's file is the same time, not "newer".
pub fn compare_times(a: &DateTime<Utc>, b: &DateTime<Utc>) -> Ordering {
    let coarser = precision(a).min(precision(b)).min(Precision::Second);
    truncated(a, coarser).cmp(&truncated(b, coarser))
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
}
