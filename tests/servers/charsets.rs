//! FTP servers whose file names are not UTF-8: a Shift_JIS name on vsftpd and a Latin-1 name on
//! pure-ftpd are listed in the site's charset, and downloaded, renamed and deleted by the bytes
//! the server has; with "auto", such a name shows its bytes as `\xNN` and still works.

use crate::cli::{assert_ok, ferry_with_env, stdout};
use crate::support;

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use support::{PureFtpd, PureFtpdOptions, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// "日本語.txt" and "新しい.txt" as a Shift_JIS server writes them.
const SJIS_NAME: &[u8] = b"\x93\xfa\x96\x7b\x8c\xea.txt";
const SJIS_NEW_NAME: &[u8] = b"\x90\x56\x82\xb5\x82\xa2.txt";

/// A file named by the raw bytes `name` in `dir`, owned by the test account like its uploads.
fn file_named_by_bytes(dir: &Path, name: &[u8], content: &[u8]) -> std::path::PathBuf {
    let path = dir.join(std::ffi::OsStr::from_bytes(name));
    std::fs::write(&path, content).unwrap();
    let account = support::test_account().expect("the test account");
    std::os::unix::fs::chown(&path, Some(account.uid), Some(account.gid)).unwrap();
    path
}

#[test]
fn a_shift_jis_server_names_are_listed_downloaded_renamed_and_deleted_in_its_charset() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let original = file_named_by_bytes(ftpd.data_dir(), SJIS_NAME, b"sjis bytes");
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    let base = format!("ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port());
    let ferry = |args: &[&str]| {
        let mut all = vec!["--charset", "shift_jis"];
        all.extend_from_slice(args);
        ferry_with_env(config.path(), &all, &env)
    };

    let listed = ferry(&["ls", &format!("{base}/")]);
    assert_ok(&listed);
    assert!(stdout(&listed).contains("日本語.txt"), "the name is read in Shift_JIS: {}", stdout(&listed));
    // A site saved with the charset reads its names in it.
    assert_ok(&ferry(&["bookmarks", "add", "sjis", &base]));
    let listed = ferry_with_env(config.path(), &["ls", "sjis:"], &env);
    assert!(stdout(&listed).contains("日本語.txt"), "the saved site keeps its charset: {}", stdout(&listed));

    let copy = local.path().join("copy.txt");
    assert_ok(&ferry(&["get", &format!("{base}/日本語.txt"), copy.to_str().unwrap()]));
    assert_eq!(std::fs::read(&copy).unwrap(), b"sjis bytes", "the download has the file's bytes");

    assert_ok(&ferry(&["mv", &format!("{base}/日本語.txt"), "新しい.txt"]));
    let renamed = ftpd.data_dir().join(std::ffi::OsStr::from_bytes(SJIS_NEW_NAME));
    assert!(!original.exists() && renamed.exists(), "the new name is written in Shift_JIS on the server");

    assert_ok(&ferry(&["rm", &format!("{base}/新しい.txt")]));
    assert!(!renamed.exists(), "the file is deleted");
}

#[test]
fn a_latin1_name_shows_its_bytes_in_auto_works_by_them_and_reads_in_latin1() {
    let ftpd = PureFtpd::start(PureFtpdOptions::default());
    let latin1 = file_named_by_bytes(ftpd.data_dir(), b"caf\xe9.txt", b"latin-1 bytes");
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let env = [("FERRY_PASSWORD", TEST_PASSWORD)];
    let base = format!("ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port());

    let listed = ferry_with_env(config.path(), &["ls", &format!("{base}/")], &env);
    assert_ok(&listed);
    assert!(stdout(&listed).contains("caf\\xE9.txt"), "auto shows the byte it cannot read: {}", stdout(&listed));
    let copy = local.path().join("copy.txt");
    assert_ok(&ferry_with_env(config.path(), &["get", &format!("{base}/caf%E9.txt"), copy.to_str().unwrap()], &env));
    assert_eq!(std::fs::read(&copy).unwrap(), b"latin-1 bytes", "the byte in the URL names the server's file");

    let listed = ferry_with_env(config.path(), &["--charset", "latin1", "ls", &format!("{base}/")], &env);
    assert_ok(&listed);
    assert!(stdout(&listed).contains("café.txt"), "latin1 reads the name: {}", stdout(&listed));
    let unwritable = ferry_with_env(config.path(), &["--charset", "latin1", "rm", &format!("{base}/日本.txt")], &env);
    assert!(!unwritable.status.success());
    let said = crate::cli::stderr(&unwritable);
    assert!(said.contains("cannot write") && said.lines().count() == 1, "one line naming the charset: {said}");
    assert_ok(&ferry_with_env(config.path(), &["--charset", "latin1", "rm", &format!("{base}/café.txt")], &env));
    assert!(!latin1.exists(), "the file is deleted by its Latin-1 name");
}
