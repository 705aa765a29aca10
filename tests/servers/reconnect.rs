//! A dropped connection never poisons the site: in one long-lived worker (as the window runs it),
//! after the server's sessions are killed, browsing, downloads and uploads work again at once,
//! on fresh connections, without a restart.

use crate::cutting_proxy;
use crate::driver;
use crate::support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use cutting_proxy::{CLEAR_LENGTH_CIPHERS, Cut, CuttingProxy, Direction as CutDirection, Fault, SshCut};
use driver::{Driver, pattern, spec};
use ferry::backend::ConnectSettings;
use ferry::model::{Protocol, SessionId};
use ferry::transfer::policy::OnExists;
use ferry::worker::{Direction, Event, ItemState, QueueEvent, SessionCommand, SessionEvent, TransferSettings};
use support::{FtpTls, PureFtpd, PureFtpdOptions, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// Makes a folder writable by the server's account (tests create files as root).
fn open_up(path: &Path) {
    std::process::Command::new("chmod").args(["-R", "a+rwX"]).arg(path).status().unwrap();
}

/// Browses, downloads and uploads once (so the queue keeps a spare connection), lets `kill` drop
/// every connection on the server's side, then does all three again in the same worker.
fn survives_killed_sessions(protocol: Protocol, port: u16, server_root: &Path, kill: impl Fn()) {
    std::fs::write(server_root.join("first.bin"), pattern(70_000, 1)).unwrap();
    std::fs::write(server_root.join("second.bin"), pattern(50_000, 2)).unwrap();
    open_up(server_root);
    let local = tempfile::tempdir().unwrap();
    let mut driver = Driver::new();
    let session = driver.connect(spec(protocol, port, TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let home = ".".to_string();
    driver.download(session, &join(&home, "first.bin"), &local.path().join("first.bin")).unwrap();

    kill();

    // A transfer first: it plans on the queue's spare connection, which the drop killed too.
    driver
        .download(session, &join(&home, "second.bin"), &local.path().join("second.bin"))
        .expect("a download works again after the drop");
    assert_eq!(std::fs::read(local.path().join("second.bin")).unwrap(), pattern(50_000, 2));
    std::fs::write(local.path().join("up.bin"), pattern(40_000, 3)).unwrap();
    driver
        .upload(session, &local.path().join("up.bin"), &join(&home, "up.bin"))
        .expect("an upload works again after the drop");
    assert_eq!(std::fs::read(server_root.join("up.bin")).unwrap(), pattern(40_000, 3));
    let names: Vec<String> =
        driver.list(session, &home).expect("browsing works again after the drop").into_iter().map(|e| e.name).collect();
    assert!(names.contains(&"up.bin".to_string()), "the listing is the server's: {names:?}");

    // A second drop is no different from the first; this time the pane browses first.
    kill();
    driver.list(session, &home).expect("browsing works after a second drop");
    driver
        .download(session, &join(&home, "up.bin"), &local.path().join("again.bin"))
        .expect("a download works after a second drop");
    assert_eq!(std::fs::read(local.path().join("again.bin")).unwrap(), pattern(40_000, 3));
    // The password typed at connect still works, and the key or certificate accepted at connect
    // stays accepted: connecting again asks nothing (only the first connect asked about trust).
    let password_questions =
        driver.questions.iter().filter(|q| matches!(q, ferry::worker::Question::Password { .. })).count();
    assert_eq!(password_questions, 0, "{:?}", driver.questions);
    assert!(driver.questions.len() <= 1, "asked once at most, at the first connect: {:?}", driver.questions);
}

/// Remote names are relative to the folder the session started in (each test server's data
/// folder).
fn join(folder: &str, name: &str) -> String {
    if folder == "." { name.to_string() } else { ferry::model::join_remote(folder, name) }
}

#[test]
fn sftp_recovers_from_killed_sessions() {
    let sshd = Sshd::start();
    survives_killed_sessions(Protocol::Sftp, sshd.port(), sshd.data_dir(), || sshd.kill_sessions());
}

#[test]
fn ftp_recovers_from_killed_sessions() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    survives_killed_sessions(Protocol::Ftp, ftpd.port(), ftpd.data_dir(), || ftpd.kill_sessions());
}

#[test]
fn ftps_recovers_from_killed_sessions() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    survives_killed_sessions(Protocol::Ftpes, ftpd.port(), ftpd.data_dir(), || ftpd.kill_sessions());
}

#[test]
fn pure_ftpd_recovers_from_killed_sessions() {
    let ftpd = PureFtpd::start(PureFtpdOptions { tls: FtpTls::None });
    survives_killed_sessions(Protocol::Ftp, ftpd.port(), ftpd.data_dir(), || ftpd.kill_sessions());
}

/// While a cut transfer waits to try again, its row says so instead of a frozen "Running".
#[test]
fn a_waiting_retry_says_so_in_the_queue() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("big.bin"), pattern(4_000_000, 5)).unwrap();
    // The first data connection is cut after 1 MB; the retry goes through whole.
    let proxy = CuttingProxy::ftp(
        ftpd.port(),
        vec![Cut { direction: CutDirection::ToClient, after_bytes: 1_000_000, fault: Fault::Drop }],
    );
    let mut driver = Driver::with_transfer(TransferSettings { backoff: Duration::from_secs(2), ..Default::default() });
    let session = driver.connect(spec(Protocol::Ftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let items = driver
        .enqueue(session, Direction::Download, &local.path().join("big.bin"), "big.bin", false, OnExists::Overwrite)
        .unwrap();
    let mut notes = Vec::new();
    let state = loop {
        match driver.handle.recv_timeout(Duration::from_secs(60)).expect("the queue moves") {
            Event::Queue(QueueEvent::Changed { item }) if item.id == items[0].id => {
                if let Some(note) = &item.retry_note {
                    assert_eq!(item.state, ItemState::Running);
                    notes.push(note.clone());
                }
                if item.state.is_finished() {
                    break item.state;
                }
            }
            _ => {}
        }
    };
    assert_eq!(state, ItemState::Done);
    assert_eq!(notes, vec!["connection lost; retry 1 of 3 in 2 s".to_string()], "what the row said while waiting");
    assert_eq!(std::fs::read(local.path().join("big.bin")).unwrap(), pattern(4_000_000, 5));
}

/// Thirty files of 300 kB in two folders.
fn make_tree(root: &Path) {
    for index in 0..30 {
        let folder = root.join(if index % 2 == 0 { "even" } else { "odd" });
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join(format!("f{index:02}.bin")), pattern(300_000, index as u8)).unwrap();
    }
    open_up(root);
}

fn files(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found: Vec<(PathBuf, Vec<u8>)> = walkdir(root)
        .into_iter()
        .map(|path| (path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap()))
        .collect();
    found.sort();
    found
}

/// Names only: a listing of every byte would hide the one file that differs.
fn assert_same_files(from: &[(PathBuf, Vec<u8>)], to: &[(PathBuf, Vec<u8>)], direction: Direction) {
    let describe = |files: &[(PathBuf, Vec<u8>)]| -> Vec<String> {
        files.iter().map(|(path, bytes)| format!("{} ({} bytes)", path.display(), bytes.len())).collect()
    };
    let (from_names, to_names) = (describe(from), describe(to));
    let missing: Vec<_> = from_names.iter().filter(|name| !to_names.contains(name)).collect();
    let extra: Vec<_> = to_names.iter().filter(|name| !from_names.contains(name)).collect();
    let differing: Vec<_> = from
        .iter()
        .filter(|file| to.iter().any(|other| other.0 == file.0 && other.1 != file.1))
        .map(|file| file.0.display().to_string())
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differing.is_empty(),
        "{direction:?}: the whole tree arrived; missing or wrong size: {missing:?}, extra: {extra:?}, other bytes: {differing:?}"
    );
}

fn walkdir(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() { found.extend(walkdir(&path)) } else { found.push(path) }
    }
    found
}

/// A recursive copy whose connections are all killed after its first files arrived finishes its
/// tree, both ways, on fresh connections.
fn a_tree_survives_killed_sessions(protocol: Protocol, port: u16, server_root: &Path, kill: impl Fn()) {
    make_tree(&server_root.join("tree"));
    let local = tempfile::tempdir().unwrap();
    let quick = TransferSettings { backoff: Duration::from_millis(200), ..TransferSettings::default() };
    let mut driver = Driver::with_transfer(quick);
    let session = driver.connect(spec(protocol, port, TEST_USER, Some(TEST_PASSWORD))).unwrap();
    for direction in [Direction::Download, Direction::Upload] {
        let (from, to, remote) = match direction {
            Direction::Download => (server_root.join("tree"), local.path().join("tree"), "tree"),
            Direction::Upload => (local.path().join("tree"), server_root.join("copy"), "copy"),
        };
        let items = driver.enqueue(session, direction, &local.path().join("tree"), remote, true, OnExists::Overwrite);
        let items = items.unwrap_or_else(|e| panic!("{direction:?}: {e}"));
        // Kill every connection (open ones and logins under way) once some files are in place,
        // then let the queue finish.
        let mut finished_early = std::collections::HashSet::new();
        let mut files_done = 0;
        while files_done < 6 {
            if let Some(Event::Queue(QueueEvent::Changed { item })) =
                driver.handle.recv_timeout(Duration::from_secs(60))
                && item.state.is_finished()
            {
                assert_eq!(item.state, ItemState::Done, "{item:#?}");
                finished_early.insert(item.id);
                files_done += usize::from(!item.is_folder);
            }
        }
        kill();
        let rest: Vec<_> = items.into_iter().filter(|item| !finished_early.contains(&item.id)).collect();
        let finished = driver.wait_for_items(&rest);
        let failed: Vec<_> = finished.iter().filter(|item| item.state != ItemState::Done).collect();
        assert!(failed.is_empty(), "{direction:?}: every item is done: {failed:#?}");
        assert_same_files(&files(&from), &files(&to), direction);
    }
}

#[test]
fn sftp_trees_finish_after_killed_sessions() {
    let sshd = Sshd::start();
    a_tree_survives_killed_sessions(Protocol::Sftp, sshd.port(), sshd.data_dir(), || sshd.kill_sessions());
}

#[test]
fn ftp_trees_finish_after_killed_sessions() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    a_tree_survives_killed_sessions(Protocol::Ftp, ftpd.port(), ftpd.data_dir(), || ftpd.kill_sessions());
}

/// Disconnecting closes the pane's connection and the queue's spare ones to that site: the
/// server serves nobody afterwards.
#[test]
fn disconnect_closes_every_connection_to_the_site() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    std::fs::write(ftpd.data_dir().join("file.bin"), pattern(10_000, 4)).unwrap();
    let mut driver = Driver::new();
    let session = driver.connect(spec(Protocol::Ftp, ftpd.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    driver.download(session, "file.bin", &local.path().join("file.bin")).unwrap();
    assert!(ftpd.session_processes() > 0);
    driver.handle.send(ferry::worker::Command::Session(SessionCommand::Disconnect { session }));
    loop {
        match driver.handle.recv_timeout(Duration::from_secs(10)).expect("the disconnect is answered") {
            Event::Session(SessionEvent::Disconnected { session: closed, .. }) if closed == session => break,
            _ => {}
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while ftpd.session_processes() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(ftpd.session_processes(), 0, "no connection to the site stays open");
}

/// An SFTP session to `sshd` through a relay that can drop its connections, with a keep-alive
/// every half second, after one listing.
fn idle_session_behind_a_proxy(sshd: &Sshd) -> (CuttingProxy, Driver, SessionId) {
    let proxy = CuttingProxy::tcp(sshd.port(), Vec::new());
    let settings = ConnectSettings { keep_alive_interval: Duration::from_millis(500), ..ConnectSettings::default() };
    let mut driver = Driver::custom(None, settings, TransferSettings::default());
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    driver.list(session, ".").unwrap();
    (proxy, driver, session)
}

/// A keep-alive that finds the idle browsing connection dead (the network dropped it) opens a
/// fresh one by itself, quietly: the session stays open (no "Reconnect" in the pane), the next
/// listing works on the new connection at once, and nothing is asked again.
#[test]
fn a_keep_alive_that_finds_the_connection_dead_reconnects_quietly() {
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("still-here.txt"), b"x").unwrap();
    open_up(sshd.data_dir());
    let (proxy, mut driver, session) = idle_session_behind_a_proxy(&sshd);
    // The host key question cost a connection of its own: the session holds the last one.
    let before = proxy.connections();

    proxy.drop_connections();
    let mut events = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while proxy.connections() == before && std::time::Instant::now() < deadline {
        events.extend(driver.handle.recv_timeout(Duration::from_millis(100)));
    }
    assert_eq!(proxy.connections(), before + 1, "the keep-alive connected again, with no request asking: {events:?}");
    // Whatever the worker says about it arrives within a moment.
    while let Some(event) = driver.handle.recv_timeout(Duration::from_millis(1500)) {
        events.push(event);
    }
    let closed = events
        .iter()
        .any(|event| matches!(event, Event::Session(SessionEvent::Disconnected { session: s, .. }) if *s == session));
    assert!(!closed, "the session was never reported lost: {events:?}");
    let names: Vec<String> = driver.list(session, ".").expect("browsing goes on").into_iter().map(|e| e.name).collect();
    assert!(names.contains(&"still-here.txt".to_string()), "{names:?}");
    assert_eq!(proxy.connections(), before + 1, "the listing used the keep-alive's fresh connection");
    assert_eq!(driver.questions.len(), 1, "only the first connect asked (the host key): {:?}", driver.questions);
}

/// A keep-alive that finds the connection dead, and then no server to connect to again, reports
/// the loss in plain words: the connection ended while idle, not "sending a keep-alive" with a
/// library's words.
#[test]
fn an_idle_connection_lost_for_good_is_reported_in_plain_words() {
    let sshd = Sshd::start();
    open_up(sshd.data_dir());
    let (proxy, driver, session) = idle_session_behind_a_proxy(&sshd);
    // The connection ends, and nothing listens any more where it was.
    proxy.drop_connections();
    drop(proxy);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut events = Vec::new();
    let error = loop {
        assert!(std::time::Instant::now() < deadline, "the loss was never reported: {events:?}");
        match driver.handle.recv_timeout(Duration::from_millis(100)) {
            Some(Event::Session(SessionEvent::Disconnected { session: s, error })) if s == session => break error,
            Some(event) => events.push(event),
            None => {}
        }
    };
    let error = error.expect("the loss comes with its reason");
    assert_eq!(error.kind, ferry::error::ErrorKind::ConnectionLost, "{error:?}");
    let said = error.to_string();
    assert!(said.contains("while it was idle"), "{said}");
    assert!(!said.contains("keep-alive"), "{said}");
}

/// A login cut by a dropped connection is a lost connection, not a refused password. The queue's
/// connection is cut during the download; the first new connection is cut as it asks which logins
/// the server takes, the next one at its password. The download is retried until it arrives
/// whole, the row only ever says the connection was lost, and nothing is asked again.
#[test]
fn a_login_cut_half_way_is_retried_not_called_a_wrong_password() {
    const SIZE: usize = 2_000_000;
    let sshd = Sshd::start_with_extra_config(CLEAR_LENGTH_CIPHERS);
    std::fs::write(sshd.data_dir().join("file.bin"), pattern(SIZE, 7)).unwrap();
    open_up(sshd.data_dir());
    let cut = |encrypted_packet| Some(SshCut { encrypted_packet, fault: Fault::Drop });
    // The pane's connection is left alone. The queue's plans in about ten packets, then reads
    // the file in about a hundred: its 40th packet is a read request.
    let proxy = CuttingProxy::ssh(sshd.port(), vec![None, cut(40), cut(2), cut(3)]);
    let config = tempfile::tempdir().unwrap();
    let known_hosts = config.path().join("known_hosts");
    std::fs::write(&known_hosts, format!("[127.0.0.1]:{} {}\n", proxy.port(), sshd.host_key_public_line())).unwrap();
    let quick = TransferSettings { backoff: Duration::from_millis(200), ..TransferSettings::default() };
    let mut driver = Driver::with_known_hosts_and_transfer(known_hosts, quick);
    let session = driver.connect(spec(Protocol::Sftp, proxy.port(), TEST_USER, Some(TEST_PASSWORD))).unwrap();
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("file.bin");
    let items = driver.enqueue(session, Direction::Download, &target, "file.bin", false, OnExists::Overwrite).unwrap();

    let mut notes = Vec::new();
    let item = loop {
        match driver.handle.recv_timeout(Duration::from_secs(60)).expect("the queue moves") {
            Event::Queue(QueueEvent::Changed { item }) if item.id == items[0].id => {
                notes.extend(item.retry_note.clone());
                if item.state.is_finished() {
                    break item;
                }
            }
            Event::Prompt { question, .. } => panic!("nothing is asked: {question:?}"),
            _ => {}
        }
    };
    assert_eq!(item.state, ItemState::Done, "{item:#?}");
    assert_eq!(std::fs::read(&target).unwrap(), pattern(SIZE, 7), "the file arrived whole");
    assert_eq!(notes.len(), 3, "one retry per cut: {notes:?}");
    assert!(notes.iter().all(|note| note.starts_with("connection lost")), "{notes:?}");
    assert_eq!(proxy.connections(), 5, "the pane's, the queue's, two cut logins, the one that worked");
}
