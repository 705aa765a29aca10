//! Checks that the FTP listing parsers (`parse_list_line` over every `LIST` format, each format on
//! its own, `ListingParser` with and without a remembered format, `parse_mlsd_line`,
//! `parse_listing`) never panic on arbitrary server text and never invent names: every entry's
//! name is text of the line (or, for a VMS record split over two lines, of a line) it came from.
#![no_main]

use chrono::{DateTime, TimeZone, Utc};
use ferry::backend::ftp_listing::{ListFormat, ListingParser, parse_list_line, parse_listing, parse_mlsd_line};
use ferry::model::Entry;
use libfuzzer_sys::fuzz_target;

/// A fixed "now", so that year inference is deterministic (and a leap day is near).
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).single().expect("valid fixed date")
}

fn check_name(entry: &Entry, line: &str, parser: &str) {
    assert!(
        line.contains(entry.name.as_str()),
        "{parser} invented a name: {:?} is not in the line {:?}",
        entry.name,
        line
    );
}

fn check_in_lines(entries: &[Entry], lines: &[String], parser: &str) {
    for entry in entries {
        assert!(
            lines.iter().any(|line| line.contains(entry.name.as_str())),
            "{parser} invented a name: {:?}",
            entry.name
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let now = now();
    // Keep the line ends ("\n", "\r\n"), as the control connection may hand them over.
    let lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();

    let mut mlsd_entries = Vec::new();
    for line in &lines {
        if let Some(entry) = parse_list_line(line, now) {
            check_name(&entry, line, "parse_list_line");
        }
        for format in ListFormat::ALL {
            if let Some(entry) = format.parse(line, now) {
                check_name(&entry, line, &format!("{format:?}"));
            }
        }
        if let Some(entry) = parse_mlsd_line(line) {
            check_name(&entry, line, "parse_mlsd_line");
            mlsd_entries.push(entry);
        }
    }

    for remembered in [None, Some(ListFormat::Mvs), Some(ListFormat::Vms)] {
        let mut parser = ListingParser::new(remembered, now);
        let mut entries: Vec<Entry> = lines.iter().flat_map(|line| parser.push(line)).collect();
        entries.extend(parser.finish());
        check_in_lines(&entries, &lines, "ListingParser");
        let (kept, count) = parser.unreadable();
        assert!(kept.len() <= 10 && kept.len() <= count, "unreadable lines kept without bound");
    }

    check_in_lines(&parse_listing(&lines, false, now), &lines, "parse_listing(LIST)");
    let entries = parse_listing(&lines, true, now);
    assert_eq!(entries, mlsd_entries, "parse_listing(MLSD) disagrees with the line parser");
});
