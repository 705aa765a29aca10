//! DOS/IIS lines and MLSD facts.

use super::*;

#[test]
fn dos_directory() {
    let entry = list(DOS_DIR);
    let modified = Some(utc(2024, 1, 5, 12, 0, 0));
    check(&entry, "folder name", EntryKind::Dir, None, modified, None);
    assert_eq!(entry.owner, None);
}

#[test]
fn dos_file_with_thousands_separator() {
    let modified = Some(utc(2024, 1, 5, 9, 15, 0));
    check(&list(DOS_FILE), "file.txt", EntryKind::File, Some(1234), modified, None);
}

#[test]
fn dos_24_hour_clock() {
    let modified = Some(utc(2024, 1, 5, 13, 0, 0));
    check(&list(DOS_24H), "a.txt", EntryKind::File, Some(123), modified, None);
}

#[test]
fn dos_two_digit_years_and_12_hour_edges() {
    let cases = [
        (DOS_MIDNIGHT_1999, "y2k.txt", utc(1999, 12, 31, 0, 5, 0)),
        (DOS_1970, "epoch", utc(1970, 1, 1, 23, 59, 0)),
        (DOS_2069, "future", utc(2069, 1, 1, 13, 0, 0)),
    ];
    for (line, name, modified) in cases {
        check(&list(line), name, EntryKind::File, Some(1), Some(modified), None);
    }
    let modified = Some(utc(2024, 1, 5, 12, 0, 0));
    check(&list(DOS_SPACED_PM), "spaced", EntryKind::File, Some(5), modified, None);
}

#[test]
fn mlsd_file() {
    let entry = mlsd(MLSD_FILE);
    let modified = Some(utc(2024, 1, 5, 12, 0, 0));
    check(&entry, "my file;1.txt", EntryKind::File, Some(1234), modified, Some(0o644));
    assert_eq!(entry.owner.as_deref(), Some("alice"));
    assert_eq!(entry.group.as_deref(), Some("staff"));
}

#[test]
fn mlsd_directory_with_fraction_and_case() {
    let entry = mlsd(MLSD_DIR);
    let modified = utc(2024, 1, 5, 12, 0, 0) + TimeDelta::milliseconds(123);
    check(&entry, "sub dir", EntryKind::Dir, Some(4096), Some(modified), Some(0o755));
}

#[test]
fn mlsd_symlinks() {
    let entry = mlsd(MLSD_SLINK);
    check(&entry, "link", EntryKind::Symlink, Some(11), None, Some(0o777));
    assert_eq!(entry.link_target.as_deref(), Some("/etc/target"));
    let entry = mlsd(MLSD_SYMLINK);
    check(&entry, "link2", EntryKind::Symlink, Some(11), None, None);
    assert_eq!(entry.link_target, None);
}

#[test]
fn mlsd_cdir_and_pdir_are_skipped() {
    assert_eq!(parse_mlsd_line(MLSD_CDIR), None);
    assert_eq!(parse_mlsd_line(MLSD_PDIR), None);
}

#[test]
fn mlsd_other_types() {
    check(&mlsd(MLSD_DEVICE), "tty0", EntryKind::Other, None, None, Some(0o660));
}

#[test]
fn mlst_reply_form_with_numeric_ids() {
    let entry = mlsd(MLST_REPLY);
    check(&entry, "/home/a.txt", EntryKind::File, Some(5), None, None);
    assert_eq!(entry.owner.as_deref(), Some("1000"));
    assert_eq!(entry.group.as_deref(), Some("100"));
}

#[test]
fn mlsd_bad_values_become_unknown() {
    check(&mlsd(MLSD_BAD_VALUES), "bad values", EntryKind::File, None, None, None);
}
