//! Unix `ls -l` lines.

use super::*;

#[test]
fn unix_ordinary_file() {
    let entry = list(UNIX_ORDINARY);
    // Nov 5 2024 would be in the future, so the year is 2023.
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    check(&entry, "example.txt", EntryKind::File, Some(1234), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("user"));
    assert_eq!(entry.group.as_deref(), Some("group"));
    assert_eq!(entry.link_target, None);
}

#[test]
fn unix_year_form() {
    let entry = list(UNIX_YEAR);
    let modified = Some(utc(2019, 11, 5, 0, 0, 0));
    check(&entry, "old.txt", EntryKind::File, Some(1234), modified, Some(0o644));
}

#[test]
fn unix_directory() {
    let entry = list(UNIX_DIR);
    let modified = Some(utc(2024, 1, 5, 9, 15, 0));
    check(&entry, "folder", EntryKind::Dir, Some(4096), modified, Some(0o755));
}

#[test]
fn unix_symlink() {
    let entry = list(UNIX_SYMLINK);
    let modified = Some(utc(2020, 1, 1, 0, 0, 0));
    check(&entry, "link", EntryKind::Symlink, Some(11), modified, Some(0o777));
    assert_eq!(entry.link_target.as_deref(), Some("target/file"));
}

#[test]
fn unix_name_with_spaces_keeps_its_spacing() {
    let entry = list(UNIX_SPACES);
    // 2024 is a leap year and Feb 29 is before "now".
    let modified = Some(utc(2024, 2, 29, 23, 59, 0));
    check(&entry, "my  file .txt ", EntryKind::File, Some(10), modified, Some(0o644));
}

#[test]
fn unix_without_group() {
    let entry = list(UNIX_NO_GROUP);
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    check(&entry, "name", EntryKind::File, Some(1234), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("owner"));
    assert_eq!(entry.group, None);
}

#[test]
fn unix_without_link_count() {
    let entry = list(UNIX_NO_LINKS);
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    check(&entry, "name", EntryKind::File, Some(1234), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("owner"));
    assert_eq!(entry.group.as_deref(), Some("group"));

    let entry = list(UNIX_NO_LINKS_NO_GROUP);
    check(&entry, "bare", EntryKind::File, Some(77), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("ftp"));
    assert_eq!(entry.group, None);
}

#[test]
fn unix_group_with_a_space() {
    let entry = list(UNIX_SAMBA_GROUP);
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    check(&entry, "shared.doc", EntryKind::File, Some(5), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("alice"));
    assert_eq!(entry.group.as_deref(), Some("domain users"));
}

#[test]
fn unix_acl_and_extended_attribute_markers() {
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    for (line, name) in [(UNIX_ACL, "acl"), (UNIX_XATTR, "xattr"), (UNIX_SELINUX, "selinux")] {
        check(&list(line), name, EntryKind::File, Some(1), modified, Some(0o644));
    }
}

#[test]
fn unix_setuid_setgid_and_sticky_letters() {
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    let cases = [
        (UNIX_SETUID, "su", EntryKind::File, 0o4755),
        (UNIX_SETUID_NOEXEC, "odd", EntryKind::File, 0o4644),
        (UNIX_SETGID, "shared", EntryKind::Dir, 0o2775),
        (UNIX_STICKY, "tmp", EntryKind::Dir, 0o1777),
        (UNIX_STICKY_NOEXEC, "sticky", EntryKind::File, 0o1644),
    ];
    for (line, name, kind, mode) in cases {
        check(&list(line), name, kind, Some(1), modified, Some(mode));
    }
}

#[test]
fn unix_devices_have_no_size() {
    let entry = list(UNIX_CHAR_DEVICE);
    let modified = Some(utc(2024, 1, 1, 12, 0, 0));
    check(&entry, "tty0", EntryKind::Other, None, modified, Some(0o660));
    assert_eq!(entry.owner.as_deref(), Some("root"));
    assert_eq!(entry.group.as_deref(), Some("tty"));

    let entry = list(UNIX_BLOCK_DEVICE);
    let modified = Some(utc(2023, 12, 31, 0, 0, 0));
    check(&entry, "sda", EntryKind::Other, None, modified, Some(0o660));
    assert_eq!(entry.group.as_deref(), Some("disk"));
}

#[test]
fn unix_fifo_and_socket() {
    let modified = Some(utc(2024, 1, 1, 12, 0, 0));
    check(&list(UNIX_FIFO), "fifo", EntryKind::Other, Some(0), modified, Some(0o644));
    check(&list(UNIX_SOCKET), "sock", EntryKind::Other, Some(0), modified, Some(0o777));
}

#[test]
fn unix_long_iso_dates() {
    let modified = Some(utc(2024, 1, 5, 12, 0, 0));
    check(&list(UNIX_LONG_ISO), "iso.txt", EntryKind::File, Some(1234), modified, Some(0o644));
}

#[test]
fn unix_full_iso_dates_honour_the_offset() {
    let modified = Some(utc(2024, 1, 5, 11, 0, 0));
    check(&list(UNIX_FULL_ISO), "full.txt", EntryKind::File, Some(1234), modified, Some(0o644));

    let modified = utc(2024, 1, 5, 13, 30, 30) + TimeDelta::milliseconds(250);
    check(&list(UNIX_FULL_ISO_NEG), "neg.txt", EntryKind::File, Some(9), Some(modified), Some(0o644));
}

#[test]
fn unix_day_before_month() {
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    check(&list(UNIX_EUROPEAN), "euro.txt", EntryKind::File, Some(1234), modified, Some(0o644));
    let modified = Some(utc(2019, 11, 5, 0, 0, 0));
    check(&list(UNIX_EUROPEAN_DOT), "punkt.txt", EntryKind::File, Some(1234), modified, Some(0o644));
}

#[test]
fn unix_localized_month_names() {
    let cases = [
        (UNIX_GERMAN, "maerz.txt", 3),
        (UNIX_GERMAN_DEZ, "dezember.txt", 12),
        (UNIX_FRENCH, "fevrier.txt", 2),
        (UNIX_FRENCH_AOUT, "aout.txt", 8),
    ];
    for (line, name, month) in cases {
        let modified = Some(utc(2020, month, 5, 0, 0, 0));
        check(&list(line), name, EntryKind::File, Some(1), modified, Some(0o644));
    }
}

#[test]
fn unix_huge_sizes() {
    let modified = Some(utc(2020, 1, 1, 0, 0, 0));
    check(&list(UNIX_HUGE), "huge", EntryKind::File, Some(u64::MAX), modified, Some(0o644));
    // One more than u64::MAX: the entry stays, its size becomes unknown.
    check(&list(UNIX_TOO_HUGE), "too-huge", EntryKind::File, None, modified, Some(0o644));
}

#[test]
fn unix_impossible_dates_are_unknown() {
    check(&list(UNIX_FEB_30), "never", EntryKind::File, Some(1), None, Some(0o644));
    check(&list(UNIX_FEB_30_RECENT), "never", EntryKind::File, Some(1), None, Some(0o644));
}

#[test]
fn unix_year_inference_allows_one_day_ahead() {
    // "now" is 2024-03-01 12:00: 2024-03-02 10:00 is less than a day ahead...
    assert_eq!(list(UNIX_RECENT_TOMORROW).modified, Some(utc(2024, 3, 2, 10, 0, 0)));
    // ...but 2024-03-02 13:00 is more, so it must be last year's.
    assert_eq!(list(UNIX_RECENT_TOO_LATE).modified, Some(utc(2023, 3, 2, 13, 0, 0)));
    // On New Year's Eve a server ahead of us may already show January.
    let new_years_eve = utc(2023, 12, 31, 23, 0, 0);
    let entry = parse_list_line("-rw-r--r-- 1 u g 1 Jan  1 00:30 early", new_years_eve).unwrap();
    assert_eq!(entry.modified, Some(utc(2024, 1, 1, 0, 30, 0)));
}

#[test]
fn unix_names_are_returned_as_sent() {
    let expected = [".", "..", "a/b", "\x1b[31mred\x07"];
    for (line, name) in UNIX_ODD_NAMES.iter().zip(expected) {
        assert_eq!(list(line).name, name);
    }
    assert_eq!(list(UNIX_CRLF).name, "crlf.txt");
    // The first date wins; a date-like name stays a name.
    let entry = list(UNIX_DATE_LIKE_NAME);
    assert_eq!(entry.name, "Feb 2 2021 x");
    assert_eq!(entry.modified, Some(utc(2020, 1, 1, 0, 0, 0)));
}

#[test]
fn unix_owner_and_group_that_look_like_a_date() {
    // Owner "jun" with gid 12 (or uid 5 with group "mai") and a 4-digit size read like a date
    // right after the link count; the real date comes later and must win.
    let entry = list(UNIX_OWNER_LIKE_MONTH);
    let modified = Some(utc(2023, 11, 5, 13, 46, 0));
    check(&entry, "report.pdf", EntryKind::File, Some(2048), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("jun"));
    assert_eq!(entry.group.as_deref(), Some("12"));

    let entry = list(UNIX_GROUP_LIKE_MONTH);
    let modified = Some(utc(2020, 1, 5, 0, 0, 0));
    check(&entry, "day-first.txt", EntryKind::File, Some(4096), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("5"));
    assert_eq!(entry.group.as_deref(), Some("mai"));

    // Without an owner in the line, the only date is still found.
    let entry = list("-rw-r--r-- 1234 Nov  5 13:46 ownerless");
    check(&entry, "ownerless", EntryKind::File, Some(1234), Some(utc(2023, 11, 5, 13, 46, 0)), Some(0o644));
}
