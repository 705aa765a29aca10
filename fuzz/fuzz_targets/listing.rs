//! Checks that the FTP listing parsers (`parse_list_line`, `parse_mlsd_line`, `parse_listing`) never panic on arbitrary server text, never invent names (every entry's name is a substring of its line), and that `parse_listing` agrees with the line-by-line parsers.
#![no_main]

use chrono::{DateTime, TimeZone, Utc};
use ferry::backend::ftp_listing::{parse_list_line, parse_listing, parse_mlsd_line};
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

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let now = now();
    // Keep the line ends ("\n", "\r\n"), as the control connection may hand them over.
    let lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();

    let mut list_entries = Vec::new();
    let mut mlsd_entries = Vec::new();
    for line in &lines {
        if let Some(entry) = parse_list_line(line, now) {
            check_name(&entry, line, "parse_list_line");
            list_entries.push(entry);
        }
        if let Some(entry) = parse_mlsd_line(line) {
            check_name(&entry, line, "parse_mlsd_line");
            mlsd_entries.push(entry);
        }
    }

    for (mlsd, expected) in [(false, &list_entries), (true, &mlsd_entries)] {
        let entries = parse_listing(&lines, mlsd, now);
        for entry in &entries {
            assert!(
                lines.iter().any(|line| line.contains(entry.name.as_str())),
                "parse_listing(mlsd = {mlsd}) invented a name: {:?}",
                entry.name
            );
        }
        assert_eq!(&entries, expected, "parse_listing(mlsd = {mlsd}) disagrees with the line parser");
    }
});
