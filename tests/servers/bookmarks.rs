//! The worker's bookmark commands as the window uses them: load, save, remove, import and export
//! through Commands and Events, a damaged file reported, and connecting to a bookmark against a
//! real sshd (with its key, or asking for the password it does not keep), recorded in the recent list.

use crate::driver;
use crate::support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use driver::Driver;
use ferry::bookmarks::{Bookmark, BookmarkId, LoginMethod};
use ferry::error::{ErrorKind, FerryError};
use ferry::model::{ConnectSpec, FtpMode, Protocol, SessionId};
use ferry::worker::{BookmarkCommand, BookmarkEvent, Command, Event, Question, SessionCommand, SessionEvent};
use support::{Microsocks, Sshd, TEST_PASSWORD, TEST_USER, client_keys};

/// What an `Event::Bookmarks(BookmarkEvent::List)` carries.
struct Listed {
    bookmarks: Vec<Bookmark>,
    recent: Vec<String>,
    problem: Option<FerryError>,
}

/// Waits for the next `Event::Bookmarks(BookmarkEvent::List)`, letting log lines and other events pass.
fn next_bookmarks(driver: &Driver) -> Listed {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match driver.handle.recv_timeout(left) {
            Some(Event::Bookmarks(BookmarkEvent::List { bookmarks, recent, problem, .. })) => {
                return Listed { bookmarks, recent, problem };
            }
            Some(_) => {}
            None => panic!("no Bookmarks event within a minute"),
        }
    }
}

fn load(driver: &Driver) -> Listed {
    driver.handle.send(Command::Bookmarks(BookmarkCommand::Load));
    next_bookmarks(driver)
}

fn save(driver: &Driver, bookmark: &Bookmark) -> Listed {
    driver
        .handle
        .send(Command::Bookmarks(BookmarkCommand::Save { bookmark: Box::new(bookmark.clone()), password: None }));
    next_bookmarks(driver)
}

fn bookmark(id: &str, name: &str, port: u16, login: LoginMethod) -> Bookmark {
    Bookmark {
        id: BookmarkId(id.into()),
        name: name.into(),
        folder: vec!["Tests".into()],
        protocol: Protocol::Sftp,
        host: "127.0.0.1".into(),
        port,
        user: TEST_USER.into(),
        login,
        key_file: None,
        ftp_mode: FtpMode::Passive,
        remote_dir: None,
        local_dir: None,
        comment: String::new(),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset: Default::default(),
        server_time_zone: Default::default(),
    }
}

fn known_hosts(sshd: &Sshd, dir: &Path) -> PathBuf {
    let path = dir.join("known_hosts");
    std::fs::write(&path, format!("{}\n", sshd.known_hosts_line())).unwrap();
    path
}

#[test]
fn save_change_remove_and_export_through_the_worker() {
    let driver = Driver::new();
    let listed = load(&driver);
    assert!(listed.bookmarks.is_empty() && listed.problem.is_none());

    let mut site = bookmark("one", "Site one", 2222, LoginMethod::Agent);
    assert_eq!(save(&driver, &site).bookmarks, vec![site.clone()]);
    site.name = "Renamed".into();
    site.folder = vec!["Moved".into(), "Deeper".into()];
    let other = bookmark("two", "Site two", 22, LoginMethod::Ask);
    save(&driver, &site);
    let listed = save(&driver, &other);
    assert_eq!(listed.bookmarks, vec![site.clone(), other.clone()]);

    let target = driver.config_dir().join("export/bookmarks-export.json");
    let mut driver = driver;
    let answer = driver
        .request(|request| Command::Bookmarks(BookmarkCommand::Export { request, path: target.clone() }))
        .expect("exported");
    assert!(matches!(answer, Event::Done { .. }), "{answer:?}");
    let exported: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(exported["bookmarks"][0]["name"], "Renamed");
    assert_eq!(exported["bookmarks"][0]["folder"], serde_json::json!(["Moved", "Deeper"]));

    driver.handle.send(Command::Bookmarks(BookmarkCommand::Remove { id: site.id.clone() }));
    assert_eq!(next_bookmarks(&driver).bookmarks, vec![other.clone()]);
    // Removing one that is gone says so, with the list as it is.
    driver.handle.send(Command::Bookmarks(BookmarkCommand::Remove { id: site.id.clone() }));
    let listed = next_bookmarks(&driver);
    assert_eq!(listed.bookmarks, vec![other]);
    assert_eq!(listed.problem.map(|p| p.kind), Some(ErrorKind::NotFound));

    // A restarted Ferry sees the same.
    let restarted = driver.restarted();
    assert_eq!(load(&restarted).bookmarks.len(), 1);
}

#[test]
fn a_damaged_file_is_reported_to_the_window_and_kept() {
    let driver = Driver::new();
    let file = driver.config_dir().join("bookmarks.json");
    std::fs::write(&file, b"\x00\x01 not json").unwrap();
    let listed = load(&driver);
    let problem = listed.problem.expect("the window is told");
    assert_eq!(problem.kind, ErrorKind::Protocol);
    assert!(problem.context.contains("bookmarks.json.broken-"), "{problem}");
    assert!(listed.bookmarks.is_empty());
    let kept: Vec<PathBuf> = std::fs::read_dir(driver.config_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("bookmarks.json.broken-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), b"\x00\x01 not json");
}

#[test]
fn import_reports_what_it_took_and_left_out() {
    let mut driver = Driver::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/ssh/config");
    let request = driver.handle.next_request();
    driver.handle.send(Command::Bookmarks(BookmarkCommand::Import { request, path: fixture }));
    let deadline = Instant::now() + Duration::from_secs(60);
    let (imported, skipped) = loop {
        match driver.handle.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Some(Event::Bookmarks(BookmarkEvent::ImportReport { request: r, imported, skipped })) if r == request => {
                break (imported, skipped);
            }
            Some(Event::Failed { request: r, error }) if r == request => panic!("import failed: {error}"),
            Some(_) => {}
            None => panic!("no ImportReport"),
        }
    };
    assert!(imported.iter().any(|name| name == "web"), "{imported:?}");
    assert!(!imported.iter().any(|name| name.contains('*')), "{imported:?}");
    let listed = next_bookmarks(&driver);
    assert_eq!(listed.bookmarks.len(), imported.len(), "skipped: {skipped:?}");

    let missing = driver.config_dir().join("no-such-file.xml");
    let error =
        driver.request(|request| Command::Bookmarks(BookmarkCommand::Import { request, path: missing })).unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound);
}

#[test]
fn connecting_to_a_bookmark_uses_its_key_and_folder_and_is_remembered() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, dir.path())));
    std::fs::write(sshd.data_dir().join("in-the-folder.txt"), b"x").unwrap();
    // The local pane's session comes first, as in the window: it is no site to remember.
    driver.connect(ConnectSpec::new(Protocol::Local, "")).expect("the local disk");
    let mut site = bookmark("keyed", "Keyed box", sshd.port(), LoginMethod::KeyFile);
    site.user = sshd.login_user();
    site.key_file = Some(client_keys().ed25519.clone());
    site.remote_dir = Some(sshd.data_dir().to_string_lossy().into_owned());
    save(&driver, &site);

    let answer = driver
        .request(|request| Command::Session(SessionCommand::ConnectBookmark { request, id: site.id.clone() }))
        .expect("connected with the bookmark's key");
    let Event::Session(SessionEvent::Connected { session, url, .. }) = answer else { panic!("{answer:?}") };
    assert!(driver.questions.is_empty(), "asked {:?}", driver.questions);
    let entries = driver.list(session, site.remote_dir.as_deref().unwrap()).unwrap();
    assert!(entries.iter().any(|e| e.name == "in-the-folder.txt"));
    disconnect(&driver, session);

    // The recent list gets the URL (written in the background: wait a moment for it).
    let expected = format!("sftp://{}@127.0.0.1:{}", sshd.login_user(), sshd.port());
    assert_eq!(url, expected);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let recent = load(&driver).recent;
        if recent.first() == Some(&expected) {
            break;
        }
        assert!(Instant::now() < deadline, "recent is {recent:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let recent = load(&driver).recent;
    assert!(!recent.iter().any(|url| url.starts_with("file:")), "the local disk is listed as recent: {recent:?}");

    let error = driver
        .request(|request| Command::Session(SessionCommand::ConnectBookmark { request, id: BookmarkId("gone".into()) }))
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::NotFound);
}

#[test]
fn a_password_the_keychain_does_not_hold_is_asked_for_at_connect() {
    support::require_password_logins();
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, dir.path())));
    // A fresh id: no keychain, wherever this runs, holds a secret for it.
    let id = format!("ask-{}-{}", std::process::id(), sshd.port());
    let site = bookmark(&id, "Asks", sshd.port(), LoginMethod::Password);
    save(&driver, &site);
    driver.secret_answer = Some(TEST_PASSWORD.into());
    let answer = driver
        .request(|request| Command::Session(SessionCommand::ConnectBookmark { request, id: site.id.clone() }))
        .unwrap();
    let Event::Session(SessionEvent::Connected { session, .. }) = answer else { panic!("{answer:?}") };
    assert!(
        driver.questions.iter().any(|q| matches!(q, Question::Password { url } if url.contains("127.0.0.1"))),
        "{:?}",
        driver.questions
    );
    disconnect(&driver, session);
    let saved = std::fs::read(driver.config_dir().join("bookmarks.json")).unwrap();
    assert!(!saved.windows(TEST_PASSWORD.len()).any(|w| w == TEST_PASSWORD.as_bytes()));
}

fn disconnect(driver: &Driver, session: SessionId) {
    driver.handle.send(Command::Session(SessionCommand::Disconnect { session }));
}

#[test]
fn the_window_connects_a_site_through_its_own_proxy_and_never_saves_the_proxys_password() {
    let sshd = Sshd::start();
    let proxy = Microsocks::start(None);
    let dir = tempfile::tempdir().unwrap();
    let mut driver = Driver::with_user_known_hosts(Some(known_hosts(&sshd, dir.path())));

    // A password typed into a site's proxy URL is taken out before the file is written.
    let mut with_login = bookmark("with-login", "Behind a login", sshd.port(), LoginMethod::Agent);
    with_login.proxy = Some("socks5h://someone:proxy-secret-1@127.0.0.1:1".into());
    let listed = save(&driver, &with_login);
    assert_eq!(listed.bookmarks[0].proxy.as_deref(), Some("socks5h://someone@127.0.0.1:1"));
    let saved = std::fs::read_to_string(driver.config_dir().join("bookmarks.json")).unwrap();
    assert!(!saved.contains("proxy-secret-1"), "{saved}");

    let mut site = bookmark("proxied", "Proxied box", sshd.port(), LoginMethod::KeyFile);
    site.user = sshd.login_user();
    site.key_file = Some(client_keys().ed25519.clone());
    site.proxy = Some(format!("socks5h://127.0.0.1:{}", proxy.port()));
    save(&driver, &site);
    let answer = driver
        .request(|request| Command::Session(SessionCommand::ConnectBookmark { request, id: site.id.clone() }))
        .expect("connected through the site's proxy");
    let Event::Session(SessionEvent::Connected { session, .. }) = answer else { panic!("{answer:?}") };
    assert_eq!(proxy.connections_to("127.0.0.1", sshd.port()), 1, "proxy log:\n{}", proxy.log());
    disconnect(&driver, session);
}
