//! The listing parser's memory: the format found, VMS records over two lines, unreadable lines.

use super::*;
use crate::backend::ftp_listing::{ListFormat, ListingParser};

fn read_all(parser: &mut ListingParser, lines: &[&str]) -> Vec<Entry> {
    let mut entries: Vec<Entry> = lines.iter().flat_map(|line| parser.push(line)).collect();
    entries.extend(parser.finish());
    entries
}

fn names(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|entry| entry.name.as_str()).collect()
}

#[test]
fn syst_replies_name_the_format() {
    let cases = [
        ("215 UNIX Type: L8", Some(ListFormat::Unix)),
        ("215 MVS is the operating system of this server. FTP Server is running on z/OS.", Some(ListFormat::Mvs)),
        ("215 VMS OpenVMS V8.4", Some(ListFormat::Vms)),
        ("215 OS/400 is the remote operating system. The TCP/IP version is \"V7R3M0\".", Some(ListFormat::As400)),
        ("215 OS/2", Some(ListFormat::Os2)),
        ("215 NETWARE  Type: L8", Some(ListFormat::Netware)),
        // IIS lists in Unix style when set to: no guess from Windows.
        ("215 Windows_NT", None),
        ("", None),
    ];
    for (reply, format) in cases {
        assert_eq!(ListFormat::from_syst(reply), format, "{reply:?}");
    }
}

#[test]
fn a_vms_record_split_over_two_lines_is_joined() {
    let mut parser = ListingParser::new(None, now());
    let entries = read_all(
        &mut parser,
        &[
            "Directory DISK$USER:[ALICE]",
            "",
            "LONGER_FILE_NAME_THAT_WRAPS.TXT;12",
            "                        4  13-JAN-2010 11:24:52  [GROUP,ALICE]  (RWED,RWED,RE,)",
            "SHORT.TXT;1   1   5-MAR-1999 10:57 [ALICE] (RWED,,,)",
            "ALONE.TXT;2",
            "NEXT.DIR;1   1/3   5-MAR-1999 10:57 [ALICE] (RWE,RWE,,)",
            "LAST.TXT;3",
        ],
    );
    assert_eq!(
        names(&entries),
        ["LONGER_FILE_NAME_THAT_WRAPS.TXT;12", "SHORT.TXT;1", "ALONE.TXT;2", "NEXT", "LAST.TXT;3"]
    );
    assert_eq!(entries[0].modified, Some(utc(2010, 1, 13, 11, 24, 52)));
    assert_eq!(entries[0].owner.as_deref(), Some("ALICE"));
    assert_eq!(entries[0].group.as_deref(), Some("GROUP"));
    // A name whose second half never came is still a file, its details unknown.
    assert_eq!(entries[2].modified, None);
    assert_eq!(entries[3].kind, EntryKind::Dir);
    assert_eq!(entries[4].modified, None);
    assert_eq!(parser.format(), Some(ListFormat::Vms));
}

#[test]
fn the_first_format_found_is_kept_whatever_later_lines_look_like() {
    let mut parser = ListingParser::new(None, now());
    let entries = read_all(&mut parser, &[UNIX_ORDINARY, DOS_FILE, "+r,s1,\teplf"]);
    // No file is hidden for being in another format...
    assert_eq!(names(&entries), ["example.txt", "file.txt", "eplf"]);
    // ...but the odd lines do not change what the server is taken to speak.
    assert_eq!(parser.format(), Some(ListFormat::Unix));
}

#[test]
fn members_listed_by_name_alone_are_read_only_on_a_z_os_server() {
    let lines = ["MEMBER1", "$TEMP#2"];
    let mut parser = ListingParser::new(Some(ListFormat::Mvs), now());
    assert_eq!(names(&read_all(&mut parser, &lines)), ["MEMBER1", "$TEMP#2"]);
    // Elsewhere a lone word could be anything: no entry, and the line is noted.
    let mut parser = ListingParser::new(None, now());
    assert!(read_all(&mut parser, &lines).is_empty());
    assert_eq!(parser.unreadable(), (&["MEMBER1".to_string(), "$TEMP#2".to_string()][..], 2));
}

#[test]
fn unreadable_lines_are_kept_once_each_and_at_most_ten() {
    let mut parser = ListingParser::new(None, now());
    let mut lines = vec!["total 12", "", "garbage", "garbage", "Total of 3 files, 7/9 blocks."];
    let many: Vec<String> = (0..50).map(|i| format!("noise {i}")).collect();
    lines.extend(many.iter().map(String::as_str));
    assert!(read_all(&mut parser, &lines).is_empty());
    let (kept, count) = parser.unreadable();
    assert_eq!(count, 52, "every unreadable line is counted, headings and totals are not");
    assert_eq!(kept.len(), 10);
    assert_eq!(kept.iter().filter(|line| *line == "garbage").count(), 1, "{kept:?}");
}

#[test]
fn lines_from_hostile_servers_never_make_an_entry_with_an_invented_name() {
    // Every entry's name is text of the line it came from.
    let hostile = [
        "CORE.DIR;1",
        "",
        ";1",
        ".DIR;1 1/3 5-MAR-1999 10:57 [A] (,,,)",
        "+\t",
        "+/,\t",
        "- [RWCEAFMS] a 1 Nov 5 13:46    ",
        "OWNER 1 11/05/19 13:46:07 *STMF      ",
        "     0           DIR   05-12-97   16:44  ",
        "Migrated",
        "VSAM",
    ];
    let mut parser = ListingParser::new(None, now());
    for entry in read_all(&mut parser, &hostile) {
        assert!(!entry.name.is_empty(), "{entry:?}");
        assert!(hostile.iter().any(|line| line.contains(entry.name.as_str())), "{entry:?}");
    }
}
