//! Which time zone an FTP server's listing is in. Without MLSD a listing carries the server's
//! local time and no zone; `MDTM` gives the same file's time in UTC (RFC 3659), so the two times of
//! one file tell the offset, as FileZilla and Transmit find it. Some servers (vsftpd with
//! `use_localtime`) give MDTM in local time too: then only the user can say the zone, and MDTM's
//! times are moved by it as well.

use chrono::{DateTime, TimeDelta, Utc};

use super::names::check_name;
use super::times::{judged_precision, local_to_utc};
use crate::model::{Entry, EntryKind, ServerTimeZone, TimePrecision};

/// Time zones are whole quarter hours away from UTC (Nepal's +05:45, Chatham's +12:45).
const ZONE_STEP_SECONDS: i64 = 15 * 60;
/// A server's two clocks (the listing's and MDTM's) may be read a moment apart.
const SLACK_SECONDS: i64 = 2;

/// One file's listed time (the server's clock, read as if it were UTC) and its MDTM time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// The time the listing gave.
    pub listed: DateTime<Utc>,
    /// How precisely the listing gave it.
    pub precision: TimePrecision,
    /// The time MDTM gave for the same file.
    pub exact: DateTime<Utc>,
}

/// The offset east of UTC of the clock the listing was written on, from one file's two times:
/// `None` when they do not fit any time zone (the file changed in between, a day-only listing,
/// an odd server), so nothing is guessed.
pub fn detect_offset(probe: &Probe) -> Option<TimeDelta> {
    // A listing in minutes cuts the seconds off: the listed time is up to a minute before the exact
    // one moved by the offset.
    let cut = match probe.precision {
        TimePrecision::Day => return None,
        TimePrecision::Minute => 60,
        TimePrecision::Second | TimePrecision::Finer => 1,
    };
    let apart = probe.listed.timestamp().checked_sub(probe.exact.timestamp())?;
    // The nearest quarter hour to the middle of the span the listed time stands for.
    let middle = apart.checked_add(cut / 2)?;
    let offset = middle.checked_add(ZONE_STEP_SECONDS / 2)?.div_euclid(ZONE_STEP_SECONDS) * ZONE_STEP_SECONDS;
    let left_over = offset - apart;
    let fits = (-SLACK_SECONDS..cut + SLACK_SECONDS).contains(&left_over);
    let max = i64::from(ServerTimeZone::MAX_OFFSET_MINUTES) * 60;
    (fits && offset.abs() <= max).then(|| TimeDelta::seconds(offset))
}

/// How one connection's times are made UTC: its listings' times and its MDTM times (read and set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ServerClock {
    listing: TimeDelta,
    mdtm: TimeDelta,
}

impl ServerClock {
    /// Before any file was compared: the offset the user gave for listings, UTC when automatic.
    pub fn provisional(setting: ServerTimeZone) -> ServerClock {
        match setting {
            ServerTimeZone::Auto => ServerClock::default(),
            ServerTimeZone::Offset(quarters) => {
                ServerClock { listing: TimeDelta::minutes(i64::from(quarters) * 15), mdtm: TimeDelta::zero() }
            }
        }
    }

    /// Settled for the session from the setting and, where one could be had, a file's two times.
    /// Automatic: the listing's offset found from them. Given by the user: that offset for the
    /// listing, and for MDTM too where MDTM agrees with the listing (it is in local time as well).
    pub fn settle(setting: ServerTimeZone, probe: Option<&Probe>) -> ServerClock {
        let found = probe.and_then(detect_offset);
        match setting {
            ServerTimeZone::Auto => ServerClock { listing: found.unwrap_or_default(), mdtm: TimeDelta::zero() },
            ServerTimeZone::Offset(quarters) => {
                let given = TimeDelta::minutes(i64::from(quarters) * 15);
                let mdtm_is_local = found == Some(TimeDelta::zero()) && !given.is_zero();
                ServerClock { listing: given, mdtm: if mdtm_is_local { given } else { TimeDelta::zero() } }
            }
        }
    }

    /// The offset east of UTC the listings are in.
    pub fn listing_offset(&self) -> TimeDelta {
        self.listing
    }

    /// A listing's times made UTC, each marked with the precision it was written in (judged
    /// before it is moved, since a moved midnight no longer looks like a date alone).
    pub fn correct_listing(&self, entries: &mut [Entry]) {
        for entry in entries {
            let Some(written) = entry.modified else { continue };
            entry.modified_precision.get_or_insert_with(|| judged_precision(&written));
            entry.modified = Some(local_to_utc(written, self.listing));
        }
    }

    /// A time MDTM gave, made UTC.
    pub fn mdtm_to_utc(&self, written: DateTime<Utc>) -> DateTime<Utc> {
        local_to_utc(written, self.mdtm)
    }

    /// A UTC time as MDTM or MFMT must be given it to set a file's time.
    pub fn utc_to_mdtm(&self, time: DateTime<Utc>) -> DateTime<Utc> {
        time.checked_add_signed(self.mdtm).unwrap_or(time)
    }
}

/// The file of a listing (as the server wrote it, before any correction) whose MDTM tells the
/// offset: a plain file listed to the minute or finer, with a name safe to send in a command.
pub fn probe_candidate(entries: &[Entry]) -> Option<(&Entry, DateTime<Utc>, TimePrecision)> {
    entries.iter().find_map(|entry| {
        let written = entry.modified?;
        let precision = entry.modified_precision.unwrap_or_else(|| judged_precision(&written));
        let usable = entry.kind == EntryKind::File
            && precision >= TimePrecision::Minute
            && check_name(&entry.name).is_ok()
            && !entry.name.starts_with(' ')
            && !entry.name.ends_with(' ');
        usable.then_some((entry, written, precision))
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn utc(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, s).unwrap()
    }

    fn probe(listed: DateTime<Utc>, precision: TimePrecision, exact: DateTime<Utc>) -> Probe {
        Probe { listed, precision, exact }
    }

    #[test]
    fn the_offset_is_found_from_a_listed_minute_and_the_exact_time() {
        let minute = TimePrecision::Minute;
        // Tokyo: listed 21:34 for a file changed at 12:34:56 UTC.
        assert_eq!(detect_offset(&probe(utc(21, 34, 0), minute, utc(12, 34, 56))), Some(TimeDelta::hours(9)));
        // New York in winter: listed 07:34.
        assert_eq!(detect_offset(&probe(utc(7, 34, 0), minute, utc(12, 34, 0))), Some(TimeDelta::hours(-5)));
        // Kathmandu, +05:45, and a server already in UTC.
        assert_eq!(detect_offset(&probe(utc(18, 19, 0), minute, utc(12, 34, 59))), Some(TimeDelta::minutes(345)));
        assert_eq!(detect_offset(&probe(utc(12, 34, 0), minute, utc(12, 34, 30))), Some(TimeDelta::zero()));
        // A listing in seconds.
        let second = TimePrecision::Second;
        assert_eq!(detect_offset(&probe(utc(14, 4, 5), second, utc(12, 4, 5))), Some(TimeDelta::hours(2)));
    }

    #[test]
    fn times_that_fit_no_time_zone_give_no_offset() {
        let minute = TimePrecision::Minute;
        // Seven minutes apart: the file changed between LIST and MDTM, or a clock is odd.
        assert_eq!(detect_offset(&probe(utc(12, 41, 0), minute, utc(12, 34, 0))), None);
        // More than a time zone can be.
        let far = utc(12, 0, 0) + TimeDelta::hours(15);
        assert_eq!(detect_offset(&probe(far, minute, utc(12, 0, 0))), None);
        // A date alone says nothing of the hour.
        assert_eq!(detect_offset(&probe(utc(0, 0, 0), TimePrecision::Day, utc(12, 0, 0))), None);
        // Times at the ends of what chrono holds do not overflow.
        assert_eq!(detect_offset(&probe(DateTime::<Utc>::MAX_UTC, minute, DateTime::<Utc>::MIN_UTC)), None);
    }

    #[test]
    fn a_given_zone_moves_mdtm_too_only_where_mdtm_agrees_with_the_listing() {
        let tokyo = ServerTimeZone::Offset(36);
        let minute = TimePrecision::Minute;
        // MDTM in UTC (as RFC 3659 says): only the listing is moved.
        let clock = ServerClock::settle(tokyo, Some(&probe(utc(21, 34, 0), minute, utc(12, 34, 56))));
        assert_eq!(clock.listing_offset(), TimeDelta::hours(9));
        assert_eq!(clock.mdtm_to_utc(utc(12, 34, 56)), utc(12, 34, 56));
        // MDTM in local time like the listing (vsftpd with use_localtime): both are moved.
        let clock = ServerClock::settle(tokyo, Some(&probe(utc(21, 34, 0), minute, utc(21, 34, 56))));
        assert_eq!(clock.mdtm_to_utc(utc(21, 34, 56)), utc(12, 34, 56));
        assert_eq!(clock.utc_to_mdtm(utc(12, 34, 56)), utc(21, 34, 56));
        // Automatic: found; nothing to compare: UTC.
        let auto = ServerClock::settle(ServerTimeZone::Auto, Some(&probe(utc(21, 34, 0), minute, utc(12, 34, 56))));
        assert_eq!(auto.listing_offset(), TimeDelta::hours(9));
        assert_eq!(ServerClock::settle(ServerTimeZone::Auto, None), ServerClock::default());
        assert_eq!(ServerClock::settle(tokyo, None).listing_offset(), TimeDelta::hours(9));
    }

    #[test]
    fn a_corrected_listing_keeps_the_precision_it_was_written_in() {
        let mut old = Entry::new("old.txt", EntryKind::File);
        old.modified = Some(Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap());
        let mut recent = Entry::new("recent.txt", EntryKind::File);
        recent.modified = Some(utc(21, 34, 0));
        let mut entries = vec![old, recent, Entry::new("no time", EntryKind::File)];
        ServerClock::provisional(ServerTimeZone::Offset(36)).correct_listing(&mut entries);
        assert_eq!(entries[0].modified, Some(Utc.with_ymd_and_hms(2024, 2, 29, 15, 0, 0).unwrap()));
        assert_eq!(entries[0].modified_precision, Some(TimePrecision::Day));
        assert_eq!(entries[1].modified, Some(utc(12, 34, 0)));
        assert_eq!(entries[1].modified_precision, Some(TimePrecision::Minute));
        assert_eq!(entries[2].modified, None);
    }

    #[test]
    fn the_probe_is_a_plain_file_listed_to_the_minute_with_a_name_safe_to_send() {
        let with_time = |name: &str, kind: EntryKind, time: DateTime<Utc>| {
            let mut entry = Entry::new(name, kind);
            entry.modified = Some(time);
            entry
        };
        let entries = vec![
            with_time("folder", EntryKind::Dir, utc(21, 34, 0)),
            with_time("old.txt", EntryKind::File, utc(0, 0, 0)),
            with_time("evil\r\nDELE x", EntryKind::File, utc(21, 34, 0)),
            with_time("../up", EntryKind::File, utc(21, 34, 0)),
            with_time(" spaced", EntryKind::File, utc(21, 34, 0)),
            with_time("good.txt", EntryKind::File, utc(21, 35, 0)),
        ];
        let (entry, written, precision) = probe_candidate(&entries).unwrap();
        assert_eq!((entry.name.as_str(), written, precision), ("good.txt", utc(21, 35, 0), TimePrecision::Minute));
        assert!(probe_candidate(&entries[..5]).is_none());
    }

    #[test]
    fn a_zone_is_read_and_written_as_people_write_it() {
        let parse = |text: &str| text.parse::<ServerTimeZone>();
        assert_eq!(parse("auto"), Ok(ServerTimeZone::Auto));
        assert_eq!(parse(""), Ok(ServerTimeZone::Auto));
        assert_eq!(parse("UTC"), Ok(ServerTimeZone::Offset(0)));
        assert_eq!(parse("+09:00"), Ok(ServerTimeZone::Offset(36)));
        assert_eq!(parse("+14:00"), Ok(ServerTimeZone::Offset(56)));
        assert_eq!(parse("-12:00"), Ok(ServerTimeZone::Offset(-48)));
        assert_eq!(parse("UTC+9"), Ok(ServerTimeZone::Offset(36)));
        assert_eq!(parse("-0530"), Ok(ServerTimeZone::Offset(-22)));
        assert_eq!(parse("+5:45"), Ok(ServerTimeZone::Offset(23)));
        for bad in ["9", "+15:00", "+09:60", "Tokyo", "+0\u{1b}[31m", "+123:00", "++9", "+1é2", "+é:1", "+05:20"] {
            let error = parse(bad).unwrap_err();
            assert!(error.contains("not a server time zone"), "{bad}: {error}");
            assert!(!error.contains('\u{1b}'));
        }
        for zone in [ServerTimeZone::Auto, ServerTimeZone::Offset(0), ServerTimeZone::Offset(-22)] {
            assert_eq!(parse(&zone.to_string()), Ok(zone));
        }
        assert_eq!(ServerTimeZone::Offset(36).to_string(), "+09:00");
    }
}
