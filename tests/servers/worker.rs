//! The worker's channel contract: events answer requests by id, every event wakes the UI, and
//! a cancelled request ends with a `Cancelled` failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use ferry::config::ConfigDir;
use ferry::error::ErrorKind;
use ferry::model::SessionId;
use ferry::worker::{self, Command, Event, FileCommand, SessionCommand, WorkerOptions};

#[test]
fn every_event_answers_its_request_and_wakes_the_ui() {
    let config = tempfile::tempdir().unwrap();
    let wakes = Arc::new(AtomicUsize::new(0));
    let counter = wakes.clone();
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config.path())) };
    let handle = worker::spawn(
        options,
        Arc::new(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .unwrap();
    let first = handle.next_request();
    let second = handle.next_request();
    assert_ne!(first, second);
    handle.send(Command::Files(FileCommand::List { request: second, session: SessionId(999), path: "/".into() }));
    handle.send(Command::Files(FileCommand::List { request: first, session: SessionId(999), path: "/".into() }));
    let mut answered = Vec::new();
    let mut events = 0;
    while answered.len() < 2 {
        events += 1;
        match handle.recv_timeout(Duration::from_secs(10)).expect("an answer") {
            Event::Failed { request, error } => {
                assert_eq!(error.kind, ErrorKind::ConnectionLost, "no such session");
                answered.push(request);
            }
            // Each request also goes to the protocol log: what was asked, and how it ended.
            Event::Log { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    answered.sort();
    assert_eq!(answered, vec![first, second]);
    // The wake follows each send: give the worker a moment to make the last call.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while wakes.load(Ordering::SeqCst) < events && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    while let Some(event) = handle.try_recv() {
        assert!(matches!(event, Event::Log { .. }), "only log lines are left, got {event:?}");
        events += 1;
    }
    assert_eq!(wakes.load(Ordering::SeqCst), events, "the UI was woken once for each event");
    assert!(handle.try_recv().is_none(), "nothing else was sent");
}

#[test]
fn a_cancelled_connect_ends_as_cancelled() {
    // A server that accepts the TCP connection and then says nothing: the connect hangs until cancelled.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let config = tempfile::tempdir().unwrap();
    let handle = worker::spawn(WorkerOptions::new(ConfigDir::at(config.path())), Arc::new(|_| {})).unwrap();
    let request = handle.next_request();
    let mut spec = ferry::model::ConnectSpec::new(ferry::model::Protocol::Ftp, "127.0.0.1");
    spec.port = port;
    handle.send(Command::Session(SessionCommand::Connect { request, spec: Box::new(spec) }));
    std::thread::sleep(Duration::from_millis(300));
    handle.send(Command::Cancel { request });
    loop {
        match handle.recv_timeout(Duration::from_secs(2)).expect("the cancel is answered at once") {
            Event::Failed { request: r, error } => {
                assert_eq!(r, request);
                assert_eq!(error.kind, ErrorKind::Cancelled);
                break;
            }
            Event::Log { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    drop(silent);
}
