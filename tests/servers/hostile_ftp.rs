//! Ferry against a scripted, hostile or broken FTP server (tests/scripted_ftp): PASV replies
//! naming another host, EPSV refused, error codes at every step, stalled and trickling data,
//! data shorter than announced, odd replies (multi-line, split, huge, NUL and control
//! characters), and listings full of hostile names. Every wait is bounded; short timeouts keep
//! the suite fast.

use crate::driver;
use crate::scripted_ftp;

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use driver::Driver;
use ferry::backend::{Backend, ConnectError, ConnectSettings, WriteStart};
use ferry::config::ConfigDir;
use ferry::error::{ErrorKind, FerryError};
use ferry::model::{ConnectSpec, Protocol};
use ferry::transfer::policy::OnExists;
use ferry::trust::TrustStore;
use ferry::worker::{Direction, FileCommand, ItemState, SessionCommand, SessionEvent, TransferSettings};
use scripted_ftp::{Reply, Script, ScriptedFtp};

/// Ferry's timeout for a connection and for any one reply in these tests.
const TIMEOUT: Duration = Duration::from_secs(2);
/// No scenario driven through the backend may take longer than this: past it, it hung.
const BOUND: Duration = Duration::from_secs(20);
const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn settings() -> ConnectSettings {
    ConnectSettings { timeout: TIMEOUT, keep_alive_interval: Duration::from_secs(600), ..ConnectSettings::default() }
}

fn login(server: &ScriptedFtp) -> ConnectSpec {
    driver::spec(Protocol::Ftp, server.port(), "tester", Some("not-a-secret"))
}

/// Runs `future` on a fresh runtime; panics if it takes longer than `bound`.
fn run_within<T>(bound: Duration, future: impl Future<Output = T>) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    runtime.block_on(async {
        tokio::time::timeout(bound, future).await.unwrap_or_else(|_| panic!("hung: no outcome within {bound:?}"))
    })
}

fn run<T>(future: impl Future<Output = T>) -> T {
    run_within(BOUND, future)
}

/// Opens one FTP connection to the scripted server straight through the backend.
async fn connect(server: &ScriptedFtp) -> Result<Box<dyn Backend>, FerryError> {
    let config = tempfile::tempdir().expect("config folder");
    let trust = Arc::new(TrustStore::new(ConfigDir::at(config.path()), None));
    match ferry::backend::connect(&login(server), trust, &settings()).await {
        Ok(backend) => Ok(backend),
        Err(ConnectError::Failed(error)) => Err(error),
        Err(other) => panic!("unexpected question from a plain FTP connect: {other:?}"),
    }
}

/// Downloads a whole remote file into memory.
async fn fetch(backend: &mut dyn Backend, path: &str) -> Result<Vec<u8>, FerryError> {
    let mut sink: Vec<u8> = Vec::new();
    backend.read_to(path, 0, &mut sink, &mut |_| {}).await.map(|_| sink)
}

async fn store(backend: &mut dyn Backend, path: &str, bytes: &[u8]) -> Result<u64, FerryError> {
    let mut source: &[u8] = bytes;
    backend.write_from(path, WriteStart::Truncate, &mut source, &mut |_| {}).await
}

/// Every command the server received was exactly one line.
fn assert_single_line_commands(server: &ScriptedFtp) {
    let bad = server.commands_with_line_breaks_inside();
    assert!(bad.is_empty(), "commands with a CR or LF inside: {bad:?}");
}

/// An error as the user sees it holds no raw control character (no terminal escapes).
fn assert_printable(error: &FerryError) {
    let shown = error.to_string();
    assert!(!shown.chars().any(char::is_control), "control characters reach the user: {shown:?}");
}

fn reply_of(error: &FerryError) -> &str {
    error.server_reply.as_deref().unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// 1, 2: passive mode

#[test]
fn a_pasv_reply_naming_another_host_is_ignored() {
    let server = ScriptedFtp::start(
        Script::new().refuse_epsv().pasv_address([127, 0, 0, 2]).file("a.txt", &b"came through 127.0.0.1"[..]),
    );
    let local = tempfile::tempdir().unwrap();
    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();
    let entries = driver.list(session, ".").unwrap();
    assert!(entries.iter().any(|e| e.name == "a.txt"), "{entries:?}");
    driver.download(session, "a.txt", &local.path().join("a.txt")).unwrap();
    assert_eq!(std::fs::read(local.path().join("a.txt")).unwrap(), b"came through 127.0.0.1");

    assert!(server.count("EPSV") >= 1, "EPSV first: {:?}", server.commands());
    assert!(server.count("PASV") >= 2, "PASV for the listing and the download: {:?}", server.commands());
    // Every data command had its data connection on the server's own listener on 127.0.0.1,
    // which the reply never named: the client used the control connection's peer.
    let data = server.data_connections();
    assert_eq!(data.len(), server.count("LIST") + server.count("RETR"), "{data:?} {:?}", server.commands());
    for connection in &data {
        assert_eq!(connection.local.ip(), LOCALHOST, "{connection:?}");
        assert_eq!(connection.peer.ip(), LOCALHOST, "{connection:?}");
    }
}

#[test]
fn epsv_refused_falls_back_to_pasv_once() {
    let server = ScriptedFtp::start(Script::new().refuse_epsv().file("a.txt", &b"hello"[..]));
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        assert!(ftp.list(".").await.unwrap().iter().any(|e| e.name == "a.txt"));
        assert_eq!(fetch(ftp.as_mut(), "a.txt").await.unwrap(), b"hello");
        ftp.list(".").await.unwrap();
    });
    let verbs = server.verbs();
    let epsv = verbs.iter().position(|v| v == "EPSV").expect("EPSV was tried");
    assert_eq!(&verbs[epsv..epsv + 3], ["EPSV", "PASV", "LIST"], "{verbs:?}");
    // Once refused, EPSV is not asked again on that connection.
    assert_eq!(server.count("EPSV"), 1, "{verbs:?}");
    assert_eq!(server.count("PASV"), 3, "{verbs:?}");
}

// ---------------------------------------------------------------------------------------------
// 3: error codes

#[test]
fn a_530_after_pass_is_auth_failed_with_the_reply() {
    let server = ScriptedFtp::start(Script::new().reply("PASS", "530 Login incorrect."));
    let error = run(connect(&server)).err().expect("the login is refused");
    assert_eq!(error.kind, ErrorKind::AuthFailed, "{error:?}");
    assert_eq!(reply_of(&error), "530 Login incorrect.", "{error:?}");
    // Through the worker too.
    let mut driver = Driver::with_settings(None, settings());
    let error = driver.connect(login(&server)).unwrap_err();
    assert_eq!(error.kind, ErrorKind::AuthFailed, "{error:?}");
    assert!(reply_of(&error).starts_with("530"), "{error:?}");
}

#[test]
fn a_421_mid_session_is_connection_lost_and_ends_the_session() {
    let closing = Reply::text("421 Timeout, closing control connection.").then_close();
    let server = ScriptedFtp::start(Script::new().reply_n("CWD", 1, closing.clone()));
    let error = run(async {
        let mut ftp = connect(&server).await.unwrap();
        let error = ftp.list(".").await.unwrap_err();
        // The connection is gone: the next command fails too, promptly.
        let again = ftp.keep_alive().await.unwrap_err();
        assert_eq!(again.kind, ErrorKind::ConnectionLost, "{again:?}");
        error
    });
    assert_eq!(error.kind, ErrorKind::ConnectionLost, "{error:?}");
    assert!(reply_of(&error).starts_with("421"), "{error:?}");

    // The worker connects again on its own and the listing is answered: the session goes on.
    let server = ScriptedFtp::start(Script::new().reply_n("CWD", 1, closing));
    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();
    driver.list(session, ".").expect("answered on a fresh connection");
    driver.list(session, ".").expect("the session goes on");
}

#[test]
fn a_421_and_hang_up_during_a_download_is_connection_lost() {
    let server = ScriptedFtp::start(Script::new().file("a.txt", &b"hello"[..]).close_after("RETR"));
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        let error = fetch(ftp.as_mut(), "a.txt").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::ConnectionLost, "{error:?}");
        assert!(reply_of(&error).starts_with("421"), "{error:?}");
    });
}

#[test]
fn a_425_on_the_data_connection_is_connection_lost() {
    let script = || Script::new().file("a.txt", &b"hello"[..]).reply_n("LIST", 1, "425 Can't open data connection.");
    // The backend's connection stays usable after the 425.
    let server = ScriptedFtp::start(script());
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        let error = ftp.list(".").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::ConnectionLost, "{error:?}");
        assert_eq!(reply_of(&error), "425 Can't open data connection.", "{error:?}");
        assert!(ftp.list(".").await.unwrap().iter().any(|e| e.name == "a.txt"));
        assert_eq!(fetch(ftp.as_mut(), "a.txt").await.unwrap(), b"hello");
    });

    // The worker takes ConnectionLost as the connection's end: it connects again and asks once
    // more, so the user sees the listing.
    let server = ScriptedFtp::start(script());
    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();
    assert!(driver.list(session, ".").unwrap().iter().any(|e| e.name == "a.txt"));
    assert_eq!(server.count("LIST"), 2, "asked once more, on a fresh connection");
}

#[test]
fn a_426_after_the_transfer_started_is_connection_lost() {
    let data = driver::pattern(100_000, 3);
    let script = || {
        Script::new().file("big.bin", data.clone()).after_data_n("RETR", 1, "426 Connection closed; transfer aborted.")
    };
    let server = ScriptedFtp::start(script());
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        let error = fetch(ftp.as_mut(), "big.bin").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::ConnectionLost, "{error:?}");
        assert!(reply_of(&error).starts_with("426"), "{error:?}");
        // The same connection goes on.
        assert_eq!(fetch(ftp.as_mut(), "big.bin").await.unwrap(), data);
    });

    // Through the queue: the lost transfer is retried on a fresh connection and completes.
    let server = ScriptedFtp::start(script());
    let local = tempfile::tempdir().unwrap();
    let transfer =
        TransferSettings { concurrency: 1, retries: 2, backoff: Duration::from_millis(100), ..Default::default() };
    let mut driver = Driver::custom(None, settings(), transfer);
    let session = driver.connect(login(&server)).unwrap();
    driver.download(session, "big.bin", &local.path().join("big.bin")).unwrap();
    assert_eq!(std::fs::read(local.path().join("big.bin")).unwrap(), data);
}

#[test]
fn a_552_on_stor_is_an_error_that_keeps_the_reply() {
    for script in [
        // Refused before any data moves.
        Script::new().reply("STOR", "552 Requested file action aborted. Exceeded storage allocation."),
        // Refused after the data.
        Script::new().after_data("STOR", "552 Requested file action aborted. Exceeded storage allocation."),
    ] {
        let server = ScriptedFtp::start(script);
        run(async {
            let mut ftp = connect(&server).await.unwrap();
            let error = store(ftp.as_mut(), "up.txt", b"more than the quota").await.unwrap_err();
            eprintln!("552 on STOR gives {:?}: {error}", error.kind);
            assert!(reply_of(&error).contains("552 Requested file action aborted"), "{error:?}");
            // Not a reason to retry (disk full stays full), nor a wrong password or a missing file.
            assert!(
                !matches!(
                    error.kind,
                    ErrorKind::ConnectionLost | ErrorKind::Timeout | ErrorKind::AuthFailed | ErrorKind::NotFound
                ),
                "{error:?}"
            );
            // The connection goes on.
            ftp.keep_alive().await.unwrap();
            ftp.list(".").await.unwrap();
        });
    }

    // Through the worker: the item fails once (no retries) and keeps the reply.
    let server = ScriptedFtp::start(Script::new().reply("STOR", "552 Exceeded storage allocation."));
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("up.txt"), b"more than the quota").unwrap();
    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();
    let error = driver.upload(session, &local.path().join("up.txt"), "up.txt").unwrap_err();
    assert!(reply_of(&error).starts_with("552"), "{error:?}");
    assert_eq!(server.count("STOR"), 1, "a full disk is not retried: {:?}", server.commands());
}

// ---------------------------------------------------------------------------------------------
// 4: stalled and trickling data

#[test]
fn a_data_connection_that_never_delivers_times_out() {
    let server = ScriptedFtp::start(Script::new().file("a.txt", vec![7u8; 1000]).data_never_opens());
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        let started = Instant::now();
        let error = fetch(ftp.as_mut(), "a.txt").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
        assert!(started.elapsed() < TIMEOUT * 3, "took {:?}", started.elapsed());
        let started = Instant::now();
        let error = ftp.list(".").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
        assert!(started.elapsed() < TIMEOUT * 3, "took {:?}", started.elapsed());
    });
}

#[test]
fn a_stalled_reply_to_a_data_command_times_out() {
    let server = ScriptedFtp::start(
        Script::new().file("a.txt", &b"hello"[..]).delay_n("LIST", 1, Duration::from_secs(30)).delay_n(
            "RETR",
            1,
            Duration::from_secs(30),
        ),
    );
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        let started = Instant::now();
        let error = ftp.list(".").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
        assert!(started.elapsed() < TIMEOUT * 3, "took {:?}", started.elapsed());
        let mut ftp = connect(&server).await.unwrap();
        let error = fetch(ftp.as_mut(), "a.txt").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
        // Later commands are answered at once again.
        let mut ftp = connect(&server).await.unwrap();
        assert_eq!(fetch(ftp.as_mut(), "a.txt").await.unwrap(), b"hello");
    });
}

#[test]
fn a_trickling_listing_times_out() {
    let lines: Vec<String> =
        (0..100).map(|i| format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 file{i}")).collect();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let server = ScriptedFtp::start(Script::new().listing(&lines).trickle(10));
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        let started = Instant::now();
        let error = ftp.list(".").await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
        assert!(started.elapsed() < TIMEOUT * 3, "took {:?}", started.elapsed());
    });
}

#[test]
fn a_trickling_download_times_out() {
    // 10 bytes a second: 1000 bytes would take 100 s, a megabyte more than a day.
    let server = ScriptedFtp::start(Script::new().file("slow.bin", vec![1u8; 1000]).trickle(10));
    run(async {
        let mut ftp = connect(&server).await.unwrap();
        let started = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(10), fetch(ftp.as_mut(), "slow.bin")).await;
        let error = match outcome {
            Ok(result) => result.unwrap_err(),
            Err(_) => panic!("still downloading at 10 B/s after 10 s with a {TIMEOUT:?} timeout"),
        };
        assert_eq!(error.kind, ErrorKind::Timeout, "{error:?}");
        assert!(started.elapsed() < TIMEOUT * 3, "took {:?}", started.elapsed());
    });
}

// ---------------------------------------------------------------------------------------------
// 5: data shorter than SIZE

#[test]
fn a_short_download_is_incomplete_and_never_replaces_the_target() {
    let data = driver::pattern(64 * 1024, 5);
    let server = ScriptedFtp::start(
        Script::new()
            .file("big.bin", data.clone())
            .file("new.bin", data.clone())
            .short_data("big.bin", 1000)
            .short_data("new.bin", 1000),
    );
    let local = tempfile::tempdir().unwrap();
    let target = local.path().join("big.bin");
    std::fs::write(&target, b"the old good file").unwrap();
    let transfer =
        TransferSettings { concurrency: 1, retries: 1, backoff: Duration::from_millis(100), ..Default::default() };
    let mut driver = Driver::custom(None, settings(), transfer);
    let session = driver.connect(login(&server)).unwrap();

    let error = driver.download(session, "big.bin", &target).unwrap_err();
    assert_eq!(error.kind, ErrorKind::ConnectionLost, "{error:?}");
    assert!(error.context.contains("incomplete"), "{error:?}");
    assert_eq!(std::fs::read(&target).unwrap(), b"the old good file", "the old file is untouched");
    // The retry continued after the bytes that had arrived (and got nothing more).
    let retrs: Vec<String> =
        server.commands().into_iter().filter(|c| c.starts_with("RETR") || c.starts_with("REST")).collect();
    assert_eq!(retrs, ["RETR /big.bin", "REST 1000", "RETR /big.bin"]);

    // Without an old file, nothing appears under the final name.
    let fresh = local.path().join("new.bin");
    let error = driver.download(session, "new.bin", &fresh).unwrap_err();
    assert_eq!(error.kind, ErrorKind::ConnectionLost, "{error:?}");
    assert!(std::fs::symlink_metadata(&fresh).is_err(), "no file under the final name");
    for entry in std::fs::read_dir(local.path()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(name == "big.bin" || name.starts_with('.'), "only the old file and hidden part files: {name}");
    }
}

// ---------------------------------------------------------------------------------------------
// 6: odd replies

/// Connects, lists, downloads and sends a keep-alive; returns what happened at each step. Every
/// step either works or fails cleanly; none may panic or hang.
fn exercise(server: &ScriptedFtp) -> String {
    run(async {
        let mut ftp = match connect(server).await {
            Ok(ftp) => ftp,
            Err(error) => {
                assert_printable(&error);
                return format!("connect: {:?}", error.kind);
            }
        };
        let mut steps = Vec::new();
        match ftp.list(".").await {
            Ok(entries) => steps.push(format!("list: {} entries", entries.len())),
            Err(error) => {
                assert_printable(&error);
                steps.push(format!("list: {:?}", error.kind))
            }
        }
        match fetch(ftp.as_mut(), "a.txt").await {
            Ok(bytes) => steps.push(format!("download: {}", if bytes == b"hello" { "ok" } else { "WRONG BYTES" })),
            Err(error) => {
                assert_printable(&error);
                steps.push(format!("download: {:?}", error.kind))
            }
        }
        match ftp.stat("a.txt").await {
            Ok(entry) => steps.push(format!("stat: size {:?}", entry.size)),
            Err(error) => {
                assert_printable(&error);
                steps.push(format!("stat: {:?}", error.kind))
            }
        }
        match ftp.keep_alive().await {
            Ok(()) => steps.push("noop: ok".to_string()),
            Err(error) => steps.push(format!("noop: {:?}", error.kind)),
        }
        steps.join(", ")
    })
}

#[test]
fn odd_replies_neither_panic_nor_hang() {
    let big = "x".repeat(50 * 1024);
    let gap = Duration::from_millis(5);
    let long_name = format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {big}");
    let cases: Vec<(&str, Script)> = vec![
        ("plain", Script::new()),
        ("greeting of 50 KB over two lines", Script::new().greeting(format!("220-{big}\r\n220 ready"))),
        ("greeting split every 2 bytes", Script::new().greeting(Reply::split("220-Hi\r\n220 ready", 2, gap))),
        (
            "multi-line 230 with NUL and control characters",
            Script::new()
                .reply("PASS", Reply::raw(&b"230-Welcome\r\n230-\0\x07\x1b[2J\x08\r\n 230 not yet\r\n230 ok"[..])),
        ),
        (
            "FEAT with a 50 KB line",
            Script::new().reply("FEAT", format!("211-Features:\r\n EPSV\r\n X{big}\r\n211 End")),
        ),
        (
            "FEAT split every 3 bytes",
            Script::new().reply("FEAT", Reply::split("211-Features:\r\n EPSV\r\n UTF8\r\n211 End", 3, gap)),
        ),
        (
            "FEAT split between CR and LF",
            Script::new().reply("FEAT", Reply::pieces(&["211-Features:\r", "\n EPSV\r", "\n211 End\r", "\n"], gap)),
        ),
        (
            "FEAT with NUL and control characters",
            Script::new().reply("FEAT", Reply::raw(&b"211-Feat\0ures:\r\n EPSV\0\x1b[31m\r\n \x07\x08\r\n211 End"[..])),
        ),
        ("FEAT lines without their space", Script::new().reply("FEAT", "211-Features:\r\nEPSV\r\nMLST\r\n211 End")),
        ("FEAT refused", Script::new().reply("FEAT", "500 Unknown command.")),
        (
            "PWD multi-line",
            Script::new().reply("PWD", "257-Hello\r\n257-\0there\r\n257 \"/\" is the current directory"),
        ),
        ("PWD of 50 KB", Script::new().reply("PWD", format!("257 \"/{big}\" is the current directory"))),
        ("PWD with NUL and ESC", Script::new().reply("PWD", Reply::raw(&b"257 \"/\0\x1b[31mred\" is cwd"[..]))),
        ("PWD with a CR inside the quotes", Script::new().reply("PWD", Reply::raw(&b"257 \"/a\rb\" is cwd"[..]))),
        ("PWD without quotes", Script::new().reply("PWD", "257 somewhere")),
        ("PWD split inside the code", Script::new().reply("PWD", Reply::pieces(&["25", "7 \"/\" ok\r", "\n"], gap))),
        ("a reply code that is no number", Script::new().reply("TYPE", "2x0 Type set.")),
        ("a reply of two bytes", Script::new().reply("TYPE", "2")),
        (
            "an unasked reply in the same write",
            Script::new().reply("TYPE", "200 Type set.\r\n200 And one nobody asked for."),
        ),
        ("two replies to CWD in one write", Script::new().reply("CWD", "250 Changed.\r\n250 Changed again.")),
        ("150 multi-line", Script::new().opening("150-Here it comes\r\n150-\0\x1b[0m\r\n150 Opening.")),
        ("226 multi-line", Script::new().after_data("LIST", "226-Done\r\n226-\x07\r\n226 Transfer complete.")),
        (
            "150 and 226 split",
            Script::new()
                .opening(Reply::split("150 Opening.", 2, gap))
                .after_data("LIST", Reply::split("226-Done\r\n226 ok", 3, gap)),
        ),
        ("150 and 226 in one write", Script::new().eager_transfer_replies()),
        ("226 of 50 KB", Script::new().after_data("RETR", format!("226-{big}\r\n226 ok"))),
        (
            "listing with a 50 KB name, NUL and control characters",
            Script::new().listing(&[
                &long_name,
                "-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 nul\0name",
                "\x1b[2J\x07",
                "",
                "total 3",
                "-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 a.txt",
            ]),
        ),
        ("SIZE junk", Script::new().reply("SIZE", "213 lots")),
        ("SIZE overflowing", Script::new().reply("SIZE", "213 99999999999999999999999999")),
        ("MDTM junk", Script::new().reply("MDTM", "213 20241399996161")),
        ("EPSV junk", Script::new().reply("EPSV", "229 Entering Extended Passive Mode (|||99999|)")),
        ("PASV junk", Script::new().refuse_epsv().reply("PASV", "227 Entering Passive Mode (300,1,1,1,1,1).")),
        ("PASV naming port 0", Script::new().refuse_epsv().reply("PASV", "227 Entering Passive Mode (127,0,0,1,0,0).")),
    ];
    let mut outcomes = Vec::new();
    for (name, script) in cases {
        eprintln!("odd reply case: {name}");
        let server = ScriptedFtp::start(script.file("a.txt", &b"hello"[..]));
        let outcome = exercise(&server);
        assert_single_line_commands(&server);
        outcomes.push(format!("{name}: {outcome}"));
    }
    eprintln!("{}", outcomes.join("\n"));
    // The plain server works end to end, so the cases above meant something.
    assert_eq!(outcomes[0], "plain: list: 1 entries, download: ok, stat: size Some(5), noop: ok");
    assert!(!outcomes.iter().any(|o| o.contains("WRONG BYTES")), "a download succeeded with wrong bytes");
}

#[test]
fn an_oversized_reply_is_a_protocol_error_not_a_local_one() {
    let huge = "x".repeat(300 * 1024);
    let server = ScriptedFtp::start(Script::new().after_data("LIST", format!("226-{huge}\r\n226 ok")));
    let error = run(async { connect(&server).await.unwrap().list(".").await.unwrap_err() });
    assert_ne!(error.kind, ErrorKind::LocalIo, "the server's fault, not a local file's: {error:?}");
}

#[test]
fn a_one_line_feat_reply_does_not_hang_connect() {
    // RFC 2389: a server with no extensions may answer FEAT with one line, "211 <text>".
    let server = ScriptedFtp::start(Script::new().file("a.txt", &b"hello"[..]).reply("FEAT", "211 No features."));
    let outcome = run(async {
        let connected = tokio::time::timeout(TIMEOUT * 4, connect(&server)).await;
        match connected {
            Ok(Ok(mut ftp)) => Ok(fetch(ftp.as_mut(), "a.txt").await),
            Ok(Err(error)) => Err(format!("connect failed: {error}")),
            Err(_) => Err(format!("connect still waiting after {:?}", TIMEOUT * 4)),
        }
    });
    assert_eq!(outcome.unwrap().unwrap(), b"hello");
}

#[test]
fn a_server_that_stalls_after_login_cannot_hang_connect() {
    let stall = Duration::from_secs(60);
    let cases = [
        ("TYPE delayed", Script::new().delay("TYPE", stall)),
        ("FEAT delayed", Script::new().delay("FEAT", stall)),
        ("OPTS delayed", Script::new().delay("OPTS", stall)),
        ("PWD delayed", Script::new().delay("PWD", stall)),
        ("FEAT never ends", Script::new().reply("FEAT", Reply::exact("211-Features:\r\n EPSV\r\n"))),
    ];
    let mut problems = Vec::new();
    for (name, script) in cases {
        let server = ScriptedFtp::start(script);
        let outcome = run(async { tokio::time::timeout(TIMEOUT * 3, connect(&server)).await.map(|r| r.err()) });
        match outcome {
            Ok(Some(error)) if error.kind == ErrorKind::Timeout => {}
            Ok(Some(error)) => problems.push(format!("{name}: {error:?}")),
            Ok(None) => problems.push(format!("{name}: connected through a stall")),
            Err(_) => problems.push(format!("{name}: connect still waiting after {:?}", TIMEOUT * 3)),
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_server_that_stalls_during_stat_cannot_hang_it() {
    let mut problems = Vec::new();
    for verb in ["CWD", "SIZE", "MDTM"] {
        let server =
            ScriptedFtp::start(Script::new().file("a.txt", &b"hello"[..]).delay(verb, Duration::from_secs(60)));
        let outcome = run(async {
            let mut ftp = connect(&server).await.unwrap();
            tokio::time::timeout(TIMEOUT * 3, ftp.stat("a.txt")).await.map(|r| r.map(|e| e.size))
        });
        match outcome {
            Ok(Err(error)) if error.kind == ErrorKind::Timeout => {}
            Ok(Err(error)) => problems.push(format!("{verb} delayed: {error:?}")),
            Ok(Ok(size)) => problems.push(format!("{verb} delayed: stat answered through a stall: {size:?}")),
            Err(_) => problems.push(format!("{verb} delayed: stat still waiting after {:?}", TIMEOUT * 3)),
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

// ---------------------------------------------------------------------------------------------
// 7: hostile listings

/// Every path under `root`, symlinks not followed.
fn walk(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                pending.push(path.clone());
            }
            found.push(path);
        }
    }
    found
}

fn hostile_download(mlsd: bool) {
    let long = "n".repeat(4096);
    let ansi = "\x1b[31mred";
    let line = |kind: &str, name: &str| {
        if mlsd {
            format!("type={kind};size=5;modify=20240102030405; {name}")
        } else if kind == "dir" {
            format!("drwxr-xr-x    2 ftp      ftp          4096 Jan 02  2024 {name}")
        } else {
            format!("-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 {name}")
        }
    };
    let link = |name: &str, target: &str| {
        if mlsd {
            format!("type=OS.unix=slink:{target};modify=20240102030405; {name}")
        } else {
            format!("lrwxrwxrwx    1 ftp      ftp             4 Jan 02  2024 {name} -> {target}")
        }
    };
    let lines = [
        line("dir", "."),
        line("dir", ".."),
        line("file", ".."),
        line("file", "/etc/passwd"),
        line("file", "a/b"),
        line("file", "../../escaped"),
        line("file", "evil\rname"),
        line("file", "evil\\name"),
        line("file", "..\\..\\escaped"),
        link("x", "/etc"),
        link("ok-link", "fine.txt"),
        line("file", &long),
        line("file", ansi),
        line("file", "fine.txt"),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut script = Script::new()
        .dir_listing("dir", &lines)
        // The folder the link names: planning must not go into it.
        .dir_listing("dir/x", &["-rw-r--r--    1 ftp      ftp             5 Jan 02  2024 passwd"])
        .file("dir/x/passwd", &b"root:x:0:0"[..])
        .file("dir/fine.txt", &b"fine!"[..])
        .file("dir/ok-link", &b"link!"[..])
        .file(&format!("dir/{ansi}"), &b"ansi!"[..])
        .file(&format!("dir/{long}"), &b"long!"[..]);
    if mlsd {
        script = script.feat(&["EPSV", "MLST type*;size*;modify*;", "SIZE", "UTF8"]);
    }
    let server = ScriptedFtp::start(script);
    let outer = tempfile::tempdir().unwrap();
    let destination = outer.path().join("dest");
    std::fs::create_dir(&destination).unwrap();
    std::fs::write(outer.path().join("canary"), b"untouched").unwrap();

    let mut driver = Driver::with_settings(None, settings());
    let session = driver.connect(login(&server)).unwrap();
    let items = driver.enqueue(session, Direction::Download, &destination, "dir", true, OnExists::Overwrite).unwrap();
    let finished = driver.wait_for_items(&items);

    let by_name = |name: &str| {
        // Items name the remote side as it was asked for: "dir", relative to the login folder.
        let remote = ferry::model::join_remote("dir", name);
        finished
            .iter()
            .find(|item| item.remote == remote)
            .unwrap_or_else(|| panic!("no item for {name:?}: {finished:#?}"))
    };
    // The bad names are queued as skipped, with the reason, and never moved.
    for name in ["/etc/passwd", "a/b", "../../escaped", "evil\rname", "evil\\name", "..\\..\\escaped", "x"] {
        let item = by_name(name);
        assert_eq!(item.state, ItemState::Skipped, "{name:?}: {item:#?}");
        let error = item.error.as_ref().unwrap_or_else(|| panic!("{name:?} skipped without a reason"));
        assert_printable(error);
    }
    // "." and ".." are no entries at all (the backend drops them from listings).
    let dropped = ["dir/.", "dir/..", "dir/x/passwd"];
    assert!(!finished.iter().any(|item| dropped.contains(&item.remote.as_str())), "{finished:#?}");
    // Ordinary names come through, as regular files inside the destination.
    for (name, bytes) in [("fine.txt", &b"fine!"[..]), ("ok-link", b"link!"), (ansi, b"ansi!")] {
        assert_eq!(by_name(name).state, ItemState::Done, "{name:?}: {:#?}", by_name(name));
        let local = destination.join("dir").join(name);
        assert!(std::fs::symlink_metadata(&local).unwrap().is_file(), "{local:?}");
        assert_eq!(std::fs::read(&local).unwrap(), bytes);
    }
    // A 4 KiB name cannot be a local file name: it fails cleanly (or is refused), with an error.
    let item = by_name(&long);
    assert!(matches!(item.state, ItemState::Failed | ItemState::Skipped), "{item:#?}");
    assert!(item.error.is_some(), "{item:#?}");

    // Nothing outside the destination, and nothing but the expected files in it.
    let everything = walk(outer.path());
    for path in &everything {
        assert!(
            path.starts_with(&destination) || path == &outer.path().join("canary") || path == &destination,
            "written outside the destination: {path:?}"
        );
        assert!(!std::fs::symlink_metadata(path).unwrap().file_type().is_symlink(), "a symlink: {path:?}");
    }
    assert_eq!(std::fs::read(outer.path().join("canary")).unwrap(), b"untouched");
    let mut names: Vec<String> = walk(&destination.join("dir"))
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with(".ferry-part"))
        .collect();
    names.sort();
    let mut expected = vec!["fine.txt".to_string(), "ok-link".to_string(), ansi.to_string()];
    expected.sort();
    assert_eq!(names, expected);

    // No hostile name reached the server inside a command, and none was split into two.
    assert_single_line_commands(&server);
    for command in server.commands() {
        assert!(!command.contains("evil") && !command.contains("escaped") && !command.contains("/etc"), "{command:?}");
        assert!(!command.contains("/dir/x/"), "went through the link to a folder: {command:?}");
    }
}

#[test]
fn a_hostile_listing_writes_nothing_outside_the_destination() {
    hostile_download(false);
}

#[test]
fn a_hostile_mlsd_listing_writes_nothing_outside_the_destination() {
    hostile_download(true);
}

// ---------------------------------------------------------------------------------------------
// The scripted server itself

#[test]
fn the_scripted_server_stops_promptly_and_leaves_no_listener() {
    let server = ScriptedFtp::start(Script::new().file("a.txt", &b"hello"[..]).delay("NOOP", Duration::from_secs(60)));
    let port = server.port();
    let (data_port, still_open) = run(async {
        let mut ftp = connect(&server).await.unwrap();
        assert_eq!(fetch(ftp.as_mut(), "a.txt").await.unwrap(), b"hello");
        let data_port = server.data_connections()[0].local.port();
        // Leave a command waiting on a long delay, with the connection still open.
        let _ = tokio::time::timeout(Duration::from_millis(200), ftp.keep_alive()).await;
        (data_port, ftp)
    });
    let started = Instant::now();
    drop(server);
    assert!(started.elapsed() < Duration::from_secs(2), "stopping took {:?}", started.elapsed());
    for port in [port, data_port] {
        assert!(std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err(), "port {port} still open");
    }
    drop(still_open);
}

/// A listing stopped half way leaves its FTP connection with a reply and a data connection
/// unread: the worker closes that connection (telling the UI, which offers to reconnect) instead
/// of sending the next command into it.
#[test]
fn a_cancelled_listing_closes_its_connection_instead_of_reusing_it_out_of_step() {
    use ferry::worker::{Command, Event};
    let server = ScriptedFtp::start(
        Script::new()
            .dir_listing("slow", &["-rw-r--r-- 1 u g 5 Jan 01 2025 late.txt"])
            .delay("LIST", Duration::from_secs(30)),
    );
    let config = tempfile::tempdir().unwrap();
    let options = ferry::worker::WorkerOptions {
        user_known_hosts: None,
        settings: settings(),
        ..ferry::worker::WorkerOptions::new(ConfigDir::at(config.path()))
    };
    let handle = ferry::worker::spawn(options, Arc::new(|_| {})).unwrap();
    let connect = handle.next_request();
    handle.send(Command::Session(SessionCommand::Connect { request: connect, spec: Box::new(login(&server)) }));
    let session = loop {
        match handle.recv_timeout(Duration::from_secs(10)).expect("connected") {
            Event::Session(SessionEvent::Connected { session, .. }) => break session,
            Event::Failed { error, .. } => panic!("{error}"),
            _ => {}
        }
    };
    let list = handle.next_request();
    handle.send(Command::Files(FileCommand::List { request: list, session, path: "slow".into() }));
    std::thread::sleep(Duration::from_millis(300));
    handle.send(Command::Cancel { request: list });
    let (mut cancelled, mut closed) = (false, false);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !(cancelled && closed) {
        assert!(Instant::now() < deadline, "cancelled: {cancelled}, closed: {closed}");
        match handle.recv_timeout(Duration::from_secs(5)) {
            Some(Event::Failed { request, error }) if request == list => {
                assert_eq!(error.kind, ErrorKind::Cancelled);
                cancelled = true;
            }
            Some(Event::Session(SessionEvent::Disconnected { session: s, error })) if s == session => {
                assert_eq!(error.expect("a reason to show").kind, ErrorKind::ConnectionLost);
                closed = true;
            }
            _ => {}
        }
    }
    // The session is gone: a further request on it is refused at once, never sent out of step.
    let again = handle.next_request();
    handle.send(Command::Files(FileCommand::List { request: again, session, path: "slow".into() }));
    loop {
        match handle.recv_timeout(Duration::from_secs(5)).expect("an answer") {
            Event::Failed { request, error } if request == again => {
                assert_eq!(error.kind, ErrorKind::ConnectionLost);
                break;
            }
            _ => {}
        }
    }
}
