//! A recursive upload over several connections against a server that is slow to create folders
//! (the scripted FTP server with a delayed MKD reply, answering a file stored into a folder that
//! does not exist yet with "553 ...: No such file or directory", as inetutils ftpd does): every
//! folder is created before any file that goes into it, and a folder that cannot be created fails
//! what goes into it with a reason, while the rest arrives.

use crate::driver;
use crate::scripted_ftp;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use driver::Driver;
use ferry::backend::ConnectSettings;
use ferry::error::ErrorKind;
use ferry::model::Protocol;
use ferry::transfer::policy::OnExists;
use ferry::worker::{Direction, ItemState, TransferSettings};
use scripted_ftp::{Script, ScriptedFtp};

/// How long the server takes to create each folder: long enough for the other connections to
/// try files in it first.
const MKD_DELAY: Duration = Duration::from_millis(300);

/// The folders of [`make_tree`], the top one included.
const FOLDERS: usize = 6;

/// 52 files of a few hundred bytes in six folders (the top one, three in it and two in the
/// first of those), as in the report.
fn make_tree(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for index in 0..52usize {
        let folder = match index % 6 {
            0 => String::new(),
            n @ 1..=3 => format!("d{n}/"),
            n => format!("d1/sub{n}/"),
        };
        let name = format!("{folder}f{index:02}.txt");
        let bytes = driver::pattern(100 + index * 7, index as u8);
        std::fs::create_dir_all(root.join(&folder)).unwrap();
        std::fs::write(root.join(&name), &bytes).unwrap();
        files.push((name, bytes));
    }
    files
}

fn ferry(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("FERRY_PASSWORD")
        .output()
        .expect("run ferry")
}

#[test]
fn a_parallel_tree_upload_arrives_whole_on_a_server_slow_to_create_folders() {
    let server = ScriptedFtp::start(Script::new().delay("MKD", MKD_DELAY));
    let local = tempfile::tempdir().unwrap();
    let tree = local.path().join("tree");
    let files = make_tree(&tree);
    let config = tempfile::tempdir().unwrap();
    let url = format!("ftp://tester:not-a-secret@127.0.0.1:{}/up", server.port());

    let output = ferry(config.path(), &["put", "-r", "--parallel", "4", tree.to_str().unwrap(), &url]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "ferry failed:\n{stderr}");
    assert!(stderr.contains("52 files") && stderr.contains("0 failed"), "{stderr}");
    for (name, bytes) in &files {
        assert_eq!(server.file(&format!("/up/{name}")).as_ref(), Some(bytes), "{name} arrived whole");
    }
    // Each file was stored once, into a folder that existed: none was refused and tried again.
    assert_eq!(server.count("STOR"), files.len(), "{:#?}", server.commands());
    assert_eq!(server.count("MKD"), FOLDERS, "each folder made once: {:#?}", server.commands());
}

#[test]
fn a_folder_that_cannot_be_created_fails_what_goes_into_it_and_nothing_else() {
    let script = Script::new().delay("MKD", Duration::from_millis(100)).refuse_mkd("up/d1");
    let server = ScriptedFtp::start(script);
    let local = tempfile::tempdir().unwrap();
    let tree = local.path().join("tree");
    let files = make_tree(&tree);
    let settings = ConnectSettings { timeout: Duration::from_secs(5), ..ConnectSettings::default() };
    let transfer =
        TransferSettings { concurrency: 4, retries: 0, backoff: Duration::from_millis(10), ..Default::default() };
    let mut driver = Driver::custom(None, settings, transfer);
    let session = driver.connect(driver::spec(Protocol::Ftp, server.port(), "tester", Some("x"))).unwrap();
    let items = driver.enqueue(session, Direction::Upload, &tree, "up", true, OnExists::Overwrite).unwrap();
    let finished = driver.wait_for_items(&items);

    let refused = finished
        .iter()
        .find(|item| item.is_folder && item.state == ItemState::Failed)
        .unwrap_or_else(|| panic!("a folder failed: {finished:#?}"));
    assert_eq!(refused.error.as_ref().map(|error| error.kind), Some(ErrorKind::PermissionDenied));
    let inside = |item: &&ferry::worker::QueueItem| item.remote.starts_with(&format!("{}/", refused.remote));
    let blocked: Vec<_> = finished.iter().filter(inside).collect();
    assert!(!blocked.is_empty());
    for item in &blocked {
        assert_eq!(item.state, ItemState::Failed, "{item:#?}");
        let error = item.error.as_ref().expect("a reason");
        assert_eq!(error.kind, ErrorKind::NotFound, "{error}");
        // Its own folder's, or (further down) the one that failed first: the server's words stay.
        assert!(error.to_string().contains("its folder up/d1"), "{error}");
        assert!(error.to_string().contains("could not be created"), "{error}");
        assert_eq!(error.server_reply.as_deref(), Some("550 /up/d1: Permission denied."), "{error}");
    }
    for item in finished.iter().filter(|item| item.id != refused.id && !inside(item)) {
        assert_eq!(item.state, ItemState::Done, "{item:#?}");
    }
    let arrived = files.iter().filter(|(name, _)| server.file(&format!("/up/{name}")).is_some()).count();
    assert_eq!(arrived, files.len() - blocked.iter().filter(|item| !item.is_folder).count());
    assert_eq!(server.count("STOR"), arrived, "no file was tried in the folder that failed");
}
