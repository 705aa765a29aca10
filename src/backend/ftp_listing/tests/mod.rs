//! The listing parsers' unit tests: the sample lines, the helpers, and the robustness checks.

mod detect;
mod dos_mlsd;
mod unix;

use super::*;
use crate::model::EntryKind;
use chrono::{TimeDelta, TimeZone};

// Every sample line used below; the robustness test mangles each of them.
const UNIX_ORDINARY: &str = "-rw-r--r--   1 user  group   1234 Nov  5 13:46 example.txt";
const UNIX_YEAR: &str = "-rw-r--r--   1 user  group   1234 Nov  5  2019 old.txt";
const UNIX_DIR: &str = "drwxr-xr-x   2 user  group   4096 Jan  5 09:15 folder";
const UNIX_SYMLINK: &str = "lrwxrwxrwx 1 u g 11 Jan 1 2020 link -> target/file";
const UNIX_SPACES: &str = "-rw-r--r--   1 user  group     10 Feb 29 23:59 my  file .txt ";
const UNIX_NO_GROUP: &str = "-rw-r--r-- 1 owner 1234 Nov 5 13:46 name";
const UNIX_NO_LINKS: &str = "-rw-r--r--   owner group 1234 Nov 5 13:46 name";
const UNIX_NO_LINKS_NO_GROUP: &str = "-rw-r--r-- ftp 77 Nov 5 13:46 bare";
const UNIX_SAMBA_GROUP: &str = "-rw-r--r-- 1 alice domain users 5 Nov 5 13:46 shared.doc";
const UNIX_ACL: &str = "-rw-r--r--+ 1 user group 1 Nov 5 13:46 acl";
const UNIX_XATTR: &str = "-rw-r--r--@ 1 user group 1 Nov 5 13:46 xattr";
const UNIX_SELINUX: &str = "-rw-r--r--. 1 user group 1 Nov 5 13:46 selinux";
const UNIX_SETUID: &str = "-rwsr-xr-x 1 root root 1 Nov 5 13:46 su";
const UNIX_SETUID_NOEXEC: &str = "-rwSr--r-- 1 root root 1 Nov 5 13:46 odd";
const UNIX_SETGID: &str = "drwxrwsr-x 1 root staff 1 Nov 5 13:46 shared";
const UNIX_STICKY: &str = "drwxrwxrwt 1 root root 1 Nov 5 13:46 tmp";
const UNIX_STICKY_NOEXEC: &str = "-rw-r--r-T 1 root root 1 Nov 5 13:46 sticky";
const UNIX_CHAR_DEVICE: &str = "crw-rw---- 1 root tty 4, 0 Jan  1 12:00 tty0";
const UNIX_BLOCK_DEVICE: &str = "brw-rw---- 1 root disk 8,0 Dec 31  2023 sda";
const UNIX_FIFO: &str = "prw-r--r-- 1 u g 0 Jan 1 12:00 fifo";
const UNIX_SOCKET: &str = "srwxrwxrwx 1 u g 0 Jan 1 12:00 sock";
const UNIX_LONG_ISO: &str = "-rw-r--r-- 1 user group 1234 2024-01-05 12:00 iso.txt";
const UNIX_FULL_ISO: &str = "-rw-r--r-- 1 user group 1234 2024-01-05 12:00:00.000000000 +0100 full.txt";
const UNIX_FULL_ISO_NEG: &str = "-rw-r--r-- 1 user group 9 2024-01-05 12:00:30.250000000 -0130 neg.txt";
const UNIX_EUROPEAN: &str = "-rw-r--r-- 1 user group 1234 5 Nov 13:46 euro.txt";
const UNIX_EUROPEAN_DOT: &str = "-rw-r--r-- 1 user group 1234 5. Nov 2019 punkt.txt";
const UNIX_GERMAN: &str = "-rw-r--r-- 1 user group 1 Mär 5 2020 maerz.txt";
const UNIX_GERMAN_DEZ: &str = "-rw-r--r-- 1 user group 1 5 Dez 2020 dezember.txt";
const UNIX_FRENCH: &str = "-rw-r--r-- 1 user group 1 5 févr. 2020 fevrier.txt";
const UNIX_FRENCH_AOUT: &str = "-rw-r--r-- 1 user group 1 AOÛT 5 2020 aout.txt";
const UNIX_HUGE: &str = "-rw-r--r-- 1 u g 18446744073709551615 Jan 1 2020 huge";
const UNIX_TOO_HUGE: &str = "-rw-r--r-- 1 u g 18446744073709551616 Jan 1 2020 too-huge";
const UNIX_FEB_30: &str = "-rw-r--r-- 1 u g 1 Feb 30 2020 never";
const UNIX_FEB_30_RECENT: &str = "-rw-r--r-- 1 u g 1 Feb 30 12:00 never";
const UNIX_RECENT_TOMORROW: &str = "-rw-r--r-- 1 u g 1 Mar  2 10:00 tomorrow";
const UNIX_RECENT_TOO_LATE: &str = "-rw-r--r-- 1 u g 1 Mar  2 13:00 last-year";
const UNIX_ODD_NAMES: [&str; 4] = [
    "drwxr-xr-x 2 u g 1 Jan 1 2020 .",
    "drwxr-xr-x 2 u g 1 Jan 1 2020 ..",
    "-rw-r--r-- 1 u g 1 Jan 1 2020 a/b",
    "-rw-r--r-- 1 u g 1 Jan 1 2020 \x1b[31mred\x07",
];
const UNIX_CRLF: &str = "-rw-r--r-- 1 u g 1 Jan 1 2020 crlf.txt\r";
const UNIX_DATE_LIKE_NAME: &str = "-rw-r--r-- 1 u g 1 Jan 1 2020 Feb 2 2021 x";
const UNIX_OWNER_LIKE_MONTH: &str = "-rw-r--r-- 1 jun 12 2048 Nov  5 13:46 report.pdf";
const UNIX_GROUP_LIKE_MONTH: &str = "-rw-r--r-- 1 5 mai 4096 Jan  5  2020 day-first.txt";
const TOTAL: &str = "total 42";
const DOS_DIR: &str = "01-05-24  12:00PM       <DIR>          folder name";
const DOS_FILE: &str = "01-05-2024  09:15AM              1,234 file.txt";
const DOS_24H: &str = "01-05-24  13:00  123 a.txt";
const DOS_MIDNIGHT_1999: &str = "12-31-99  12:05AM  1 y2k.txt";
const DOS_1970: &str = "01-01-70  11:59PM  1 epoch";
const DOS_2069: &str = "01-01-69  01:00PM  1 future";
const DOS_SPACED_PM: &str = "01-05-24  12:00 PM  5 spaced";
const MLSD_FILE: &str = "type=file;size=1234;modify=20240105120000;UNIX.mode=0644;\
                         UNIX.owner=alice;UNIX.group=staff;perm=adfrw; my file;1.txt";
const MLSD_DIR: &str = "Type=DIR;Modify=20240105120000.123;UNIX.mode=40755;sizd=4096; sub dir";
const MLSD_SLINK: &str = "type=OS.unix=slink:/etc/target;size=11;UNIX.mode=0777; link";
const MLSD_SYMLINK: &str = "type=OS.unix=symlink;size=11; link2";
const MLSD_CDIR: &str = "type=cdir;modify=20240105120000; .";
const MLSD_PDIR: &str = "type=pdir;modify=20240105120000; ..";
const MLSD_DEVICE: &str = "type=OS.unix=chr-4/0;UNIX.mode=020660; tty0";
const MLST_REPLY: &str = " type=file;size=5;UNIX.uid=1000;UNIX.gid=100; /home/a.txt\r\n";
const MLSD_BAD_VALUES: &str = "type=file;size=+5;modify=20240230120000;UNIX.mode=0999; bad values";

/// Every sample line above, for the robustness test.
const SAMPLES: &[&str] = &[
    UNIX_ORDINARY,
    UNIX_YEAR,
    UNIX_DIR,
    UNIX_SYMLINK,
    UNIX_SPACES,
    UNIX_NO_GROUP,
    UNIX_NO_LINKS,
    UNIX_NO_LINKS_NO_GROUP,
    UNIX_SAMBA_GROUP,
    UNIX_ACL,
    UNIX_XATTR,
    UNIX_SELINUX,
    UNIX_SETUID,
    UNIX_SETUID_NOEXEC,
    UNIX_SETGID,
    UNIX_STICKY,
    UNIX_STICKY_NOEXEC,
    UNIX_CHAR_DEVICE,
    UNIX_BLOCK_DEVICE,
    UNIX_FIFO,
    UNIX_SOCKET,
    UNIX_LONG_ISO,
    UNIX_FULL_ISO,
    UNIX_FULL_ISO_NEG,
    UNIX_EUROPEAN,
    UNIX_EUROPEAN_DOT,
    UNIX_GERMAN,
    UNIX_GERMAN_DEZ,
    UNIX_FRENCH,
    UNIX_FRENCH_AOUT,
    UNIX_HUGE,
    UNIX_TOO_HUGE,
    UNIX_FEB_30,
    UNIX_FEB_30_RECENT,
    UNIX_RECENT_TOMORROW,
    UNIX_RECENT_TOO_LATE,
    UNIX_ODD_NAMES[0],
    UNIX_ODD_NAMES[1],
    UNIX_ODD_NAMES[2],
    UNIX_ODD_NAMES[3],
    UNIX_CRLF,
    UNIX_DATE_LIKE_NAME,
    UNIX_OWNER_LIKE_MONTH,
    UNIX_GROUP_LIKE_MONTH,
    TOTAL,
    DOS_DIR,
    DOS_FILE,
    DOS_24H,
    DOS_MIDNIGHT_1999,
    DOS_1970,
    DOS_2069,
    DOS_SPACED_PM,
    MLSD_FILE,
    MLSD_DIR,
    MLSD_SLINK,
    MLSD_SYMLINK,
    MLSD_CDIR,
    MLSD_PDIR,
    MLSD_DEVICE,
    MLST_REPLY,
    MLSD_BAD_VALUES,
];

/// Lines that are no entry in any format.
const GARBAGE: &[&str] = &[
    "",
    "   ",
    "\r\n",
    "hello",
    "hello world",
    "drwx",
    "drwxr-xr-x",
    "drwxr-xr-x 2 user group",
    "-rw-r--r-- 1 u g 1 Jan 1 2020",
    "!@#$%^&*()_+-=[]{}|;':\",./<>?`~",
    ";;;; ;;;;",
    "=;= =",
    "01-05-24",
    "01-05-24 12:00PM <DIR>",
    "99-99-99 99:99PM 1 x",
    "é",
    "ééé ééé ééé",
    "-rwxrwxrwx 1 u g 1 Nov 5 25:00 bad-hour",
    "-rw-r--r-- 1 u g 1 Nov 32 13:46 bad-day",
    "-rwxrwxrwz 1 u g 1 Nov 5 13:46 bad-letter",
    "-rw-r--r--++ 1 u g 1 Nov 5 13:46 two-markers",
];

/// The reference "now" for year inference: 1 March 2024, noon UTC (a leap year).
fn now() -> DateTime<Utc> {
    utc(2024, 3, 1, 12, 0, 0)
}

fn utc(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, minute, second).unwrap()
}

fn list(line: &str) -> Entry {
    parse_list_line(line, now()).unwrap_or_else(|| panic!("no entry for {line:?}"))
}

fn mlsd(line: &str) -> Entry {
    parse_mlsd_line(line).unwrap_or_else(|| panic!("no entry for {line:?}"))
}

/// Checks the fields every format test cares about.
#[track_caller]
fn check(
    entry: &Entry,
    name: &str,
    kind: EntryKind,
    size: Option<u64>,
    modified: Option<DateTime<Utc>>,
    permissions: Option<u32>,
) {
    assert_eq!(entry.name, name, "name of {entry:?}");
    assert_eq!(entry.kind, kind, "kind of {entry:?}");
    assert_eq!(entry.size, size, "size of {entry:?}");
    assert_eq!(entry.modified, modified, "modified of {entry:?}");
    assert_eq!(entry.permissions, permissions, "permissions of {entry:?}");
}

#[test]
fn total_line_is_not_an_entry() {
    assert_eq!(parse_list_line(TOTAL, now()), None);
    assert_eq!(parse_list_line("total 0\r", now()), None);
}

#[test]
fn parse_listing_skips_what_is_not_an_entry() {
    let lines: Vec<String> =
        [TOTAL, UNIX_ORDINARY, "", "garbage", UNIX_DIR, DOS_FILE].iter().map(|line| line.to_string()).collect();
    let names: Vec<String> = parse_listing(&lines, false, now()).into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["example.txt", "folder", "file.txt"]);

    let lines: Vec<String> =
        [MLSD_CDIR, MLSD_PDIR, MLSD_FILE, "", MLSD_DIR].iter().map(|line| line.to_string()).collect();
    let names: Vec<String> = parse_listing(&lines, true, now()).into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["my file;1.txt", "sub dir"]);
}

#[test]
fn garbage_is_rejected() {
    let long_lines = [
        "a".repeat(10_000),
        "é".repeat(10_000),
        " ".repeat(10_000),
        ";".repeat(10_000),
        "9".repeat(10_000),
        "-rw-r--r-- ".repeat(1_000),
        format!("type=file;size={}", "9".repeat(10_000)),
    ];
    let lines = GARBAGE.iter().copied().chain(long_lines.iter().map(String::as_str));
    for line in lines {
        assert_eq!(parse_list_line(line, now()), None, "{line:?}");
        assert_eq!(parse_mlsd_line(line), None, "{line:?}");
    }
}

#[test]
fn long_names_and_numbers_do_not_break_parsing() {
    let name = "n".repeat(10_000);
    let line = format!("-rw-r--r-- 1 u g 1 Jan 1 2020 {name}");
    assert_eq!(list(&line).name, name);
    let line = format!("-rw-r--r-- 1 u g {} Jan 1 2020 x", "9".repeat(10_000));
    assert_eq!(list(&line).size, None);
    let line = format!("type=file;size={}; x", "9".repeat(10_000));
    assert_eq!(mlsd(&line).size, None);
}

/// Calls every parser on `line`; only panics matter.
fn exercise(line: &str) {
    let _ = parse_list_line(line, now());
    // A remembered z/OS format reads lone words; a line pushed twice may join as a VMS record.
    let mut parser = ListingParser::new(Some(ListFormat::Mvs), now());
    let _ = parser.push(line);
    let _ = parser.push(line);
    let _ = parser.finish();
    let _ = parse_mlsd_line(line);
    let _ = parse_listing(&[line.to_string()], false, now());
    let _ = parse_listing(&[line.to_string()], true, now());
    // Extreme clocks must not overflow the year inference either.
    let _ = parse_list_line(line, DateTime::<Utc>::MAX_UTC);
    let _ = parse_list_line(line, DateTime::<Utc>::MIN_UTC);
}

#[test]
fn mangled_samples_never_panic() {
    for sample in SAMPLES.iter().chain(GARBAGE) {
        let boundaries: Vec<usize> = sample.char_indices().map(|(index, _)| index).chain([sample.len()]).collect();
        for &at in &boundaries {
            let (head, tail) = sample.split_at(at);
            exercise(head);
            for inserted in ['\r', '\n', ' ', '\t', '\0', 'é'] {
                exercise(&format!("{head}{inserted}{tail}"));
            }
        }
    }
}

#[test]
fn random_lines_never_panic() {
    // Pieces that steer the parsers deep into their branches, glued at random.
    const PIECES: &[&str] = &[
        " ",
        "  ",
        "\t",
        "-",
        ":",
        ",",
        ".",
        ";",
        "=",
        "+",
        "é",
        "û",
        "\0",
        "\r",
        "0",
        "1",
        "12",
        "31",
        "99",
        "2024",
        "-rw-r--r--",
        "drwxrwsrwt",
        "crw-rw----",
        "l",
        "Nov",
        "Mär",
        "févr.",
        "12:00",
        "23:59:60.5",
        "PM",
        "am",
        "<DIR>",
        "1,234",
        "-0130",
        "2024-02-30",
        "type=",
        "cdir",
        "OS.unix=slink:",
        "size=",
        "modify=",
        "20240230120000.",
        "UNIX.mode=",
        "7777777777777",
        " -> ",
        "18446744073709551616",
        "24:00",
        "+i1.2,m0,r,s5,up644,",
        ".DIR;1",
        ";32767",
        "1/3",
        "5-MAR-1999",
        "[GROUP,OWNER]",
        "*STMF",
        "*MEM",
        "[RWCEAFMS]",
        "d",
        "DIR",
        "04-23-103",
        "PO-E",
        "2003/05/21",
        "05.11.2019",
        "8月",
        "17日",
        "2013年8月17日",
        "11월",
        "Juli,",
        "сент.",
        "Migrated",
    ];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // xorshift64: deterministic, so failures are reproducible.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let count = next() % 16;
        let line: String = (0..count).map(|_| PIECES[(next() % PIECES.len() as u64) as usize]).collect();
        exercise(&line);
    }
}
