//! FTP servers that list their local time: a vsftpd in UTC+9 with `use_localtime` (whose MDTM is
//! local too, so only the zone set for the site can put it right) and a scripted server whose
//! LIST is local and MDTM UTC (the offset found by itself). `ls --json`, `stat`, sync and
//! `--on-exists newer` all see the UTC times.

use crate::cli::{assert_ok, ferry, ferry_with_env, stderr, stdout};
use crate::scripted_ftp::{Reply, Script, ScriptedFtp};
use crate::support::{TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, SubsecRound, Timelike, Utc};

/// UTC+9 in POSIX words (no time zone database needed).
const TOKYO: &str = "JST-9";

/// A moment a couple of hours ago, in whole seconds and not on a minute, so that a listing (to the
/// minute) and MDTM (to the second) differ.
fn recent_time() -> DateTime<Utc> {
    let time = (Utc::now() - chrono::Duration::hours(2)).trunc_subsecs(0);
    if time.second() == 0 { time + chrono::Duration::seconds(17) } else { time }
}

fn set_time(path: &Path, time: DateTime<Utc>) {
    let when = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(time.timestamp()).unwrap());
    std::fs::File::options().write(true).open(path).unwrap().set_modified(when).unwrap();
}

fn minute_of(time: DateTime<Utc>) -> DateTime<Utc> {
    time.with_second(0).unwrap()
}

/// The `modified` and `modified_precision` of `name` in `ls --json` or `stat --json` output.
fn json_time(output: &std::process::Output, name: &str) -> (String, Option<String>) {
    assert_ok(output);
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let row = rows.as_array().unwrap().iter().find(|row| row["name"] == name).unwrap_or_else(|| panic!("{rows}"));
    (row["modified"].as_str().unwrap().to_string(), row["modified_precision"].as_str().map(str::to_string))
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A vsftpd in UTC+9 listing local time, holding `site/report.txt` changed at `changed`.
fn tokyo_vsftpd(changed: DateTime<Utc>) -> Vsftpd {
    let ftpd = Vsftpd::start(VsftpdOptions { time_zone: Some(TOKYO), ..VsftpdOptions::default() });
    let site = ftpd.data_dir().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("report.txt"), b"the server's report").unwrap();
    set_time(&site.join("report.txt"), changed);
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(&site).status().unwrap();
    ftpd
}

#[test]
fn ls_json_and_stat_show_utc_times_of_a_server_in_tokyo_once_its_zone_is_set() {
    let changed = recent_time();
    let ftpd = tokyo_vsftpd(changed);
    let config = tempfile::tempdir().unwrap();
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/site", ftpd.port());
    let zone = ["--server-time-zone", "+09:00"];

    let listed = ferry_with_env(config.path(), &[&zone[..], &["ls", "--json", &url]].concat(), &env);
    let (modified, precision) = json_time(&listed, "report.txt");
    assert_eq!(modified, rfc3339(minute_of(changed)), "the listed minute, in UTC");
    assert_eq!(precision.as_deref(), Some("minute"), "a listing gives minutes only");

    // vsftpd's MDTM is in local time too: the zone moves it as well.
    let file = format!("{url}/report.txt");
    let stat = ferry_with_env(config.path(), &[&zone[..], &["stat", "--json", &file]].concat(), &env);
    let (modified, precision) = json_time(&stat, "report.txt");
    assert_eq!(modified, rfc3339(changed), "MDTM's second, in UTC");
    assert_eq!(precision, None, "MDTM gives seconds");
}

#[test]
fn a_zone_saved_in_a_bookmark_is_used_by_ls() {
    let changed = recent_time();
    let ftpd = tokyo_vsftpd(changed);
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/site", ftpd.port());
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    let added =
        ferry_with_env(config.path(), &["--server-time-zone", "UTC+9", "bookmarks", "add", "tokyo", &url], &env);
    assert_ok(&added);
    let listed = ferry_with_env(config.path(), &["ls", "--json", "tokyo:"], &env);
    assert_eq!(json_time(&listed, "report.txt").0, rfc3339(minute_of(changed)));
}

#[test]
fn sync_and_on_exists_newer_compare_the_utc_times_of_a_server_in_tokyo() {
    let changed = recent_time();
    let ftpd = tokyo_vsftpd(changed);
    let config = tempfile::tempdir().unwrap();
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    let url = format!("ftp://{TEST_USER}@127.0.0.1:{}/site", ftpd.port());
    let zone = ["--server-time-zone", "+09:00"];

    // A local copy of the same size from the same second: the same file, nothing to do.
    let copy = tempfile::tempdir().unwrap();
    let local = copy.path().join("report.txt");
    std::fs::write(&local, b"the local report!!!").unwrap();
    set_time(&local, changed);
    let here = copy.path().to_str().unwrap();
    let output = ferry_with_env(config.path(), &[&zone[..], &["sync", "--dry-run", &url, here]].concat(), &env);
    assert_ok(&output);
    assert!(stdout(&output).contains("nothing to do"), "{}", stdout(&output));

    // A local file an hour newer than the server's (but eight hours older than its local clock
    // reads): `newer` keeps it.
    let newer = tempfile::tempdir().unwrap();
    let kept = newer.path().join("site/report.txt");
    std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
    std::fs::write(&kept, b"edited here since").unwrap();
    set_time(&kept, changed + chrono::Duration::hours(1));
    let target = newer.path().to_str().unwrap();
    let args = [&zone[..], &["get", "-r", "--on-exists", "newer", &url, target]].concat();
    let output = ferry_with_env(config.path(), &args, &env);
    assert_ok(&output);
    assert_eq!(std::fs::read(&kept).unwrap(), b"edited here since", "{}", stderr(&output));
}

/// A LIST line for `name` as a Unix server in UTC+9 writes a file changed at `time` (UTC).
fn tokyo_line(name: &str, size: usize, time: DateTime<Utc>) -> String {
    let local = time + chrono::Duration::hours(9);
    format!("-rw-r--r--    1 ftp      ftp      {size:>8} {} {name}", local.format("%b %d %H:%M"))
}

#[test]
fn the_offset_of_a_server_listing_local_time_is_found_from_mdtm() {
    let changed = recent_time();
    let old = tokyo_line("old.txt", 3, changed - chrono::Duration::days(400)).replace(
        &(changed - chrono::Duration::days(400) + chrono::Duration::hours(9)).format("%H:%M").to_string(),
        &(changed - chrono::Duration::days(400)).format(" %Y").to_string(),
    );
    let lines = [old, tokyo_line("report.txt", 5, changed)];
    let server = ScriptedFtp::start(
        Script::new()
            .listing(&lines.iter().map(String::as_str).collect::<Vec<_>>())
            .reply("MDTM", Reply::text(format!("213 {}", changed.format("%Y%m%d%H%M%S")))),
    );
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/", server.port());

    let listed = ferry(config.path(), &["ls", "--json", &url]);
    let (modified, precision) = json_time(&listed, "report.txt");
    assert_eq!(modified, rfc3339(minute_of(changed)), "found UTC+9 and took it away");
    assert_eq!(precision.as_deref(), Some("minute"));
    assert_eq!(json_time(&listed, "old.txt").1.as_deref(), Some("day"), "a date alone stays a date");
    assert_eq!(server.count("MDTM"), 1, "one MDTM, of a file listed to the minute: {:?}", server.commands());
    assert!(server.commands().contains(&"MDTM /report.txt".to_string()), "{:?}", server.commands());

    // The text listing shows the date alone for the old file, and the UTC minute for the new one.
    let text = stdout(&ferry(config.path(), &["ls", &url]));
    assert!(text.contains(&minute_of(changed).format("%Y-%m-%d %H:%M").to_string()), "{text}");
}

#[test]
fn a_server_whose_mdtm_is_no_time_leaves_its_listing_as_written() {
    let changed = recent_time();
    let server = ScriptedFtp::start(
        Script::new()
            .listing(&[&tokyo_line("report.txt", 5, changed)])
            .reply("MDTM", Reply::text("213 99999999999999999999999999\u{1b}[31m")),
    );
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/", server.port());
    let listed = ferry(config.path(), &["ls", "--json", &url]);
    let as_written = minute_of(changed) + chrono::Duration::hours(9);
    assert_eq!(json_time(&listed, "report.txt").0, rfc3339(as_written), "nothing guessed");
}
