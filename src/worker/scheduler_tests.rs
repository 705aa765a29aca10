//! The queue service's own tests, on the in-memory backend.

use super::*;
use crate::worker::fake_backend::{FakeBackend, FakeServer, next_event, test_context};
use crate::worker::queue_state::tests::queued_item;

/// An item downloading the server's `/data/a.bin` (10 bytes) into `local`, and a pool holding
/// one connection to that server.
fn download_of_a_bin(server: &Arc<FakeServer>, local: &std::path::Path) -> (QueueItem, Arc<ConnectionPool>) {
    lock(&server.files).insert("/data/a.bin".into(), b"0123456789".to_vec());
    let pool = Arc::new(ConnectionPool::new(2));
    let mut item = queued_item("/data/a.bin", ItemState::Queued);
    item.local = local.join("a.bin");
    item.local_root = local.to_path_buf();
    pool.keep(&item.site, FakeBackend::boxed(server, 1));
    (item, pool)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queued_download_runs_on_a_pooled_connection_and_arrives_whole() {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let (ctx, events) = test_context(config.path());
    let server = Arc::new(FakeServer::default());
    let (item, pool) = download_of_a_bin(&server, local.path());
    let queue = Arc::new(QueueService::new(ctx, pool.clone(), TransferSettings::default(), true));
    queue.enqueue(RequestId(5), vec![item.clone()]);
    let enqueued = next_event(&events, |event| match event {
        Event::Queue(QueueEvent::Enqueued { request, items }) => Some((request, items.len())),
        _ => None,
    });
    assert_eq!(enqueued, (RequestId(5), 1));
    let done = next_event(&events, |event| match event {
        Event::Queue(QueueEvent::Changed { item }) if item.state.is_finished() => Some(item),
        _ => None,
    });
    assert_eq!(done.state, ItemState::Done, "{done:#?}");
    assert_eq!(std::fs::read(local.path().join("a.bin")).unwrap(), b"0123456789");
    assert_eq!(pool.idle_count(&item.site), 1, "the connection went back to the pool");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgetting_uploads_removes_a_remote_part_only_over_a_connection_already_open() {
    let config = tempfile::tempdir().unwrap();
    let (ctx, events) = test_context(config.path());
    let server = Arc::new(FakeServer::default());
    let pool = Arc::new(ConnectionPool::new(2));
    let queue = Arc::new(QueueService::new(ctx, pool.clone(), TransferSettings::default(), true));
    let upload = |remote: &str, host: &str| {
        let mut item = queued_item(remote, ItemState::Paused);
        item.direction = Direction::Upload;
        item.started = true;
        item.site = crate::model::ConnectSpec::new(crate::model::Protocol::Sftp, host);
        item
    };
    // One site has an idle connection open; the other has none (and could not be reached).
    let open = upload("/up/open.bin", "open.example");
    let closed = upload("/up/closed.bin", "closed.example");
    pool.keep(&open.site, FakeBackend::boxed(&server, 1));
    for part in ["/up/.open.bin.ferry-part", "/up/.closed.bin.ferry-part"] {
        lock(&server.files).insert(part.into(), b"part".to_vec());
    }
    let items: Vec<ItemId> = queue.restore(vec![open, closed]).iter().map(|item| item.id).collect();
    queue.forget(&items);
    let cleared = next_event(&events, |event| match event {
        Event::Queue(QueueEvent::Cleared { items }) => Some(items),
        _ => None,
    });
    assert_eq!(cleared, items);
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while lock(&server.files).contains_key("/up/.open.bin.ferry-part") {
        assert!(std::time::Instant::now() < deadline, "the part on the open connection is removed");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(lock(&server.files).contains_key("/up/.closed.bin.ferry-part"), "no connection was opened");
    assert!(lock(&queue.state).unfinished().is_empty(), "nothing is left to offer again");
}

#[test]
fn a_retry_note_says_connection_lost_only_of_a_lost_connection() {
    let wait = Duration::from_secs(2);
    let lost = FerryError::new(ErrorKind::ConnectionLost, "reading a.bin");
    assert_eq!(retry_note(&lost, 1, 3, wait), "connection lost; retry 1 of 3 in 2 s");
    let refused = FerryError::new(ErrorKind::ConnectionRefused, "127.0.0.1:22 refused the connection");
    assert_eq!(retry_note(&refused, 2, 3, wait), "connection refused; retry 2 of 3 in 2 s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_whose_task_panics_ends_failed_not_running() {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let (ctx, events) = test_context(config.path());
    let server = Arc::new(FakeServer::default());
    *lock(&server.panics) = true;
    let (item, pool) = download_of_a_bin(&server, local.path());
    let queue = Arc::new(QueueService::new(ctx, pool, TransferSettings::default(), false));
    queue.enqueue(RequestId(5), vec![item]);
    let ended = next_event(&events, |event| match event {
        Event::Queue(QueueEvent::Changed { item }) if item.state.is_finished() => Some(item),
        _ => None,
    });
    assert_eq!(ended.state, ItemState::Failed, "{ended:#?}");
    assert!(ended.error.is_some_and(|error| error.context.contains("inside Ferry")));
}
