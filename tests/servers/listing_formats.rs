//! Listings in the shapes the parser used to drop, and from systems other than Unix, served by
//! the scripted FTP server: every file named in them is listed and can be downloaded whole.

use crate::driver;
use crate::scripted_ftp;

use std::time::Duration;

use chrono::{Datelike, Timelike};
use driver::Driver;
use ferry::backend::ConnectSettings;
use ferry::model::{ConnectSpec, EntryKind, Protocol};
use ferry::transfer::policy::OnExists;
use ferry::worker::Direction;
use scripted_ftp::{Script, ScriptedFtp};

fn settings() -> ConnectSettings {
    ConnectSettings {
        timeout: Duration::from_secs(2),
        keep_alive_interval: Duration::from_secs(600),
        ..ConnectSettings::default()
    }
}

fn login(server: &ScriptedFtp) -> ConnectSpec {
    driver::spec(Protocol::Ftp, server.port(), "tester", Some("not-a-secret"))
}

#[test]
fn files_in_lines_the_parser_used_to_drop_are_listed_and_downloaded_whole() {
    let files: [(&str, &[u8]); 5] = [
        ("name with  spaces.txt", b"midnight"),
        ("group.txt", b"domain"),
        ("acl.txt", b"glued"),
        ("undated.txt", b"no date"),
        ("juli.txt", b"german"),
    ];
    let lines = [
        "-rw-r--r--    1 ftp      ftp             8 Nov  5 24:00 name with  spaces.txt",
        "-rw-r--r--    1 Domain Admins domain users 6 Jan 02  2024 group.txt",
        "-rw-r--r--+1464 ftp      ftp             5 Jan 02  2024 acl.txt",
        "-rw-r--r--    1 ftp      ftp             7 undated.txt",
        "-rw-r--r--    1 ftp      ftp             6 Juli  5  2019 juli.txt",
    ];
    let mut script = Script::new().dir_listing("dir", &lines);
    for (name, bytes) in files {
        script = script.file(&format!("dir/{name}"), bytes);
    }
    let server = ScriptedFtp::start(script);
    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();

    let listed = driver.list(session, "dir").unwrap();
    let entry = |name: &str| {
        listed.iter().find(|entry| entry.name == name).unwrap_or_else(|| panic!("{name:?} missing: {listed:#?}"))
    };
    for (name, bytes) in files {
        assert_eq!(entry(name).kind, EntryKind::File, "{name:?}");
        assert_eq!(entry(name).size, Some(bytes.len() as u64), "{name:?}");
    }
    // 24:00 on 5 November is the midnight that begins the 6th.
    let midnight = entry("name with  spaces.txt").modified.expect("a date");
    assert_eq!((midnight.month(), midnight.day(), midnight.hour(), midnight.minute()), (11, 6, 0, 0));
    // No date in the line: unknown, not 1970.
    assert_eq!(entry("undated.txt").modified, None);
    assert_eq!(entry("juli.txt").modified.map(|date| (date.year(), date.month(), date.day())), Some((2019, 7, 5)));

    let destination = tempfile::tempdir().unwrap();
    driver
        .transfer(session, Direction::Download, destination.path(), "dir", true, OnExists::Overwrite)
        .expect("the folder downloads");
    for (name, bytes) in files {
        let local = destination.path().join("dir").join(name);
        assert_eq!(std::fs::read(&local).unwrap_or_default(), bytes, "{local:?}");
    }
}

#[test]
fn a_vms_listing_is_read_whole_with_a_record_split_over_two_lines_and_the_format_is_kept() {
    let lines = [
        "Directory DISK$USER:[TESTER]",
        "",
        "A_FILE_NAME_TOO_LONG_FOR_ITS_COLUMN.TXT;2",
        "                         1/3         5-MAR-2019 10:57:04 [STAFF,TESTER] (RWED,RWED,RE,)",
        "README.TXT;1             1/3        13-JAN-2020 11:24:52 [TESTER] (RWED,RWED,RE,)",
        "SUB.DIR;1                1/3        13-JAN-2020 11:24:52 [TESTER] (RWE,RWE,RE,E)",
        "",
        "Total of 3 files, 3/9 blocks.",
    ];
    let script = Script::new()
        .reply("SYST", "215 VMS OpenVMS V8.4")
        .listing(&lines)
        .file("A_FILE_NAME_TOO_LONG_FOR_ITS_COLUMN.TXT;2", &b"long name"[..])
        .file("README.TXT;1", &b"read me"[..]);
    let server = ScriptedFtp::start(script);
    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();

    for _ in 0..2 {
        let listed = driver.list(session, "/").unwrap();
        let mut names: Vec<(&str, EntryKind)> = listed.iter().map(|entry| (entry.name.as_str(), entry.kind)).collect();
        names.sort_by_key(|(name, _)| *name);
        assert_eq!(
            names,
            [
                ("A_FILE_NAME_TOO_LONG_FOR_ITS_COLUMN.TXT;2", EntryKind::File),
                ("README.TXT;1", EntryKind::File),
                ("SUB", EntryKind::Dir)
            ],
            "{listed:#?}"
        );
        let long = listed.iter().find(|entry| entry.name.starts_with("A_FILE")).unwrap();
        assert_eq!(long.modified.map(|date| (date.year(), date.month(), date.day())), Some((2019, 3, 5)));
    }
    // The system type is asked once; the format found is kept for the session.
    assert_eq!(server.count("SYST"), 1, "{:?}", server.commands());

    let destination = tempfile::tempdir().unwrap();
    let local = destination.path().join("long.txt");
    driver.download(session, "/A_FILE_NAME_TOO_LONG_FOR_ITS_COLUMN.TXT;2", &local).expect("downloads");
    assert_eq!(std::fs::read(&local).unwrap(), b"long name");
}

#[test]
fn members_listed_by_name_alone_on_a_z_os_server_are_shown() {
    let script = Script::new()
        .reply("SYST", "215 MVS is the operating system of this server. FTP Server is running on z/OS.")
        .listing(&[" Name     VV.MM   Created       Changed      Size  Init   Mod   Id", "MEMBER1", "$TEMP#2"])
        .file("MEMBER1", &b"member one"[..]);
    let server = ScriptedFtp::start(script);
    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();
    let listed = driver.list(session, "/").unwrap();
    let names: Vec<&str> = listed.iter().map(|entry| entry.name.as_str()).collect();
    assert_eq!(names, ["MEMBER1", "$TEMP#2"], "{listed:#?}");
    assert!(listed.iter().all(|entry| entry.size.is_none() && entry.modified.is_none()), "{listed:#?}");
}

#[test]
fn the_command_line_shows_an_unknown_size_or_date_as_blank_not_as_0_or_1970() {
    let lines = ["-rw-r--r--    1 ftp      ftp             7 undated.txt", "+r,\tno-size-no-date"];
    let server = ScriptedFtp::start(Script::new().dir_listing("dir", &lines));
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/dir", server.port());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config.path())
        .args(["ls", &url])
        .stdin(std::process::Stdio::null())
        .env_remove("FERRY_PASSWORD")
        .output()
        .expect("run ferry");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}\n{}", String::from_utf8_lossy(&output.stderr));
    let row = |name: &str| -> Vec<&str> {
        let line = printed.lines().find(|line| line.ends_with(name)).unwrap_or_else(|| panic!("{name}: {printed}"));
        line.split_whitespace().collect()
    };
    // Kind, permissions, size, date and time, name: the unknown ones are left out.
    assert_eq!(row("undated.txt"), ["-", "0644", "7", "undated.txt"], "{printed}");
    assert_eq!(row("no-size-no-date"), ["-", "----", "no-size-no-date"], "{printed}");
}
