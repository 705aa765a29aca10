//! The engine loop: takes commands, runs each request as a task on the sessions it owns, asks the
//! user when a connection needs a decision, and sends keep-alives on idle connections.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::bookmarks::BookmarkService;
use super::connect::open_connection;
use super::context::{EventSender, WorkerContext, lock};
use super::pool::{ConnectionPool, is_connection_failure};
use super::queue::{Direction, ItemId, ItemState, QueueItem};
use super::reconnect::on_session;
use super::scheduler::{self, QueueState, TransferSettings};
use super::{Command, Event, LogKind, WorkerOptions};
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, RequestId, SessionId};
use crate::transfer::policy::OnExists;
use crate::trust::TrustStore;

/// One open connection. The mutex serialises requests on it: one operation at a time.
type SharedBackend = Arc<tokio::sync::Mutex<Box<dyn Backend>>>;

/// A browsing session: its connection, and how it was made (with the password given), so the
/// queue can open more connections to the same site.
struct Session {
    backend: SharedBackend,
    spec: ConnectSpec,
}

/// State shared by the engine, its request tasks and the queue.
pub(super) struct Shared {
    pub(super) ctx: Arc<WorkerContext>,
    pub(super) transfer: TransferSettings,
    bookmarks: Arc<BookmarkService>,
    sessions: Mutex<HashMap<SessionId, Session>>,
    /// Requests under way: how to stop each, and the session whose connection it is using.
    running: Mutex<HashMap<RequestId, (tokio::task::AbortHandle, Option<SessionId>)>>,
    pub(super) queue: Mutex<QueueState>,
    pub(super) pool: ConnectionPool,
}

/// A bridge while the services move out of `Shared`: what the context holds reads as before.
impl std::ops::Deref for Shared {
    type Target = WorkerContext;
    fn deref(&self) -> &WorkerContext {
        &self.ctx
    }
}

impl Shared {
    /// Waits for a session to be free and takes it for one operation.
    pub(super) async fn lock_session(
        &self,
        session: SessionId,
    ) -> Result<tokio::sync::OwnedMutexGuard<Box<dyn Backend>>> {
        let backend = lock(&self.sessions)
            .get(&session)
            .map(|s| s.backend.clone())
            .ok_or_else(|| FerryError::new(ErrorKind::ConnectionLost, "that connection is closed"))?;
        Ok(backend.lock_owned().await)
    }

    pub(super) fn session_spec(&self, session: SessionId) -> Result<ConnectSpec> {
        lock(&self.sessions)
            .get(&session)
            .map(|s| s.spec.clone())
            .ok_or_else(|| FerryError::new(ErrorKind::ConnectionLost, "that connection is closed"))
    }

    /// Passes an outcome through; a lost connection also closes the session and tells the UI,
    /// which can offer to reconnect.
    pub(super) fn checked<T>(&self, session: SessionId, outcome: Result<T>) -> Result<T> {
        if let Err(error) = &outcome
            && error.kind == ErrorKind::ConnectionLost
        {
            forget(self, session, Some(error.clone()));
        }
        outcome
    }
}

/// Runs until `Shutdown` or until every command sender is gone.
pub async fn run(options: WorkerOptions, mut commands: mpsc::UnboundedReceiver<Command>, events: EventSender) {
    let trust = TrustStore::new(options.config.clone(), options.user_known_hosts);
    let ctx = Arc::new(WorkerContext::new(events, trust, options.settings, options.config));
    let shared = Arc::new(Shared {
        bookmarks: Arc::new(BookmarkService::new(ctx.clone())),
        ctx,
        queue: Mutex::new(QueueState::new(options.transfer.concurrency)),
        pool: ConnectionPool::new(options.transfer.concurrency),
        transfer: options.transfer,
        sessions: Mutex::new(HashMap::new()),
        running: Mutex::new(HashMap::new()),
    });
    let (saved, problem) = super::queue::load(&shared.config.queue());
    if !saved.is_empty() || problem.is_some() {
        let items = scheduler::restore(&shared, saved);
        shared.events.send(Event::QueueRestored { items, problem });
    }
    while let Some(command) = commands.recv().await {
        match command {
            Command::Shutdown => break,
            Command::Answer { prompt, answer } => shared.ctx.answer(prompt, answer),
            Command::Cancel { request } => {
                let running = lock(&shared.running).remove(&request);
                if let Some((task, session)) = running {
                    task.abort();
                    let error = FerryError::new(ErrorKind::Cancelled, "stopped by the user");
                    shared.events.send(Event::Failed { request, error });
                    if let Some(session) = session {
                        close_after_cancel(&shared, session);
                    }
                }
            }
            Command::Disconnect { session } => {
                let shared = shared.clone();
                tokio::spawn(async move { disconnect(&shared, session, None).await });
            }
            Command::QueueAction { item, action } => scheduler::act(&shared, item, action),
            Command::ClearFinished => scheduler::clear_finished(&shared),
            Command::SetConcurrency { limit } => scheduler::set_concurrency(&shared, limit),
            Command::SaveWindowState { json } => {
                // Small and rare (at most once a second): written in line, so a save sent just
                // before Shutdown is on disk before the worker stops.
                let path = shared.config.window_state();
                if let Err(error) = crate::config::write_atomically(&path, json.as_bytes()) {
                    tracing::warn!(target: "ferry::worker", "could not save {}: {error}", path.display());
                }
            }
            command @ (Command::LoadBookmarks
            | Command::SaveBookmark { .. }
            | Command::RemoveBookmark { .. }
            | Command::ImportBookmarks { .. }
            | Command::ExportBookmarks { .. }) => shared.bookmarks.handle(command),
            request => start_request(&shared, request),
        }
    }
    scheduler::save_now(&shared);
    let open: Vec<SessionId> = lock(&shared.sessions).keys().copied().collect();
    for session in open {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), disconnect(&shared, session, None)).await;
    }
}

/// Runs one request as its own task, so a slow server never holds up another session.
fn start_request(shared: &Arc<Shared>, command: Command) {
    let Some(request) = request_id(&command) else { return };
    let (session, action) = describe(&command);
    let connection_in_use = uses_session_connection(&command).then_some(session).flatten();
    shared.log(session, LogKind::Command, &action);
    let task_shared = shared.clone();
    let task = tokio::spawn(async move {
        let outcome = handle(&task_shared, command).await;
        lock(&task_shared.running).remove(&request);
        match outcome {
            Ok(event) => {
                if let Some(summary) = event.as_ref().and_then(summarize) {
                    let session = session.or(match &event {
                        Some(Event::Connected { session, .. }) => Some(*session),
                        _ => None,
                    });
                    task_shared.log(session, LogKind::Reply, summary);
                }
                if let Some(event) = event {
                    task_shared.events.send(event);
                }
            }
            Err(error) => {
                tracing::debug!(target: "ferry::worker", "request {} failed: {error}", request.0);
                task_shared.log(session, LogKind::Error, error.to_string());
                task_shared.events.send(Event::Failed { request, error });
            }
        }
    });
    // A task that finished before we got here has already removed itself; do not re-add it.
    if !task.is_finished() {
        lock(&shared.running).insert(request, (task.abort_handle(), connection_in_use));
    }
}

/// Whether a request works on its session's own connection (a transfer plans on a pooled one).
fn uses_session_connection(command: &Command) -> bool {
    matches!(
        command,
        Command::List { .. }
            | Command::Stat { .. }
            | Command::MakeDir { .. }
            | Command::Rename { .. }
            | Command::RemoveFile { .. }
            | Command::RemoveDir { .. }
            | Command::Chmod { .. }
            | Command::RemoveTree { .. }
            | Command::ChmodTree { .. }
    )
}

/// A request stopped half way may leave its connection out of step (an FTP reply or data
/// connection unread, an SFTP call still running on its thread): close that connection rather
/// than send the next command into it, and let the UI offer to reconnect. The local file system
/// keeps no such state.
fn close_after_cancel(shared: &Arc<Shared>, session: SessionId) {
    let Ok(spec) = shared.session_spec(session) else { return };
    if spec.protocol == crate::model::Protocol::Local {
        return;
    }
    let error = FerryError::new(
        ErrorKind::ConnectionLost,
        format!(
            "the connection to {} was closed because a request was stopped half way, which leaves it out of \
             step; reconnect to go on",
            spec.display_url()
        ),
    );
    let shared = shared.clone();
    tokio::spawn(async move { disconnect(&shared, session, Some(error)).await });
}

fn request_id(command: &Command) -> Option<RequestId> {
    match command {
        Command::Connect { request, .. }
        | Command::List { request, .. }
        | Command::Stat { request, .. }
        | Command::MakeDir { request, .. }
        | Command::Rename { request, .. }
        | Command::RemoveFile { request, .. }
        | Command::RemoveDir { request, .. }
        | Command::Chmod { request, .. }
        | Command::RemoveTree { request, .. }
        | Command::ChmodTree { request, .. }
        | Command::ConnectBookmark { request, .. }
        | Command::ConnectTarget { request, .. }
        | Command::Enqueue { request, .. } => Some(*request),
        Command::Disconnect { .. }
        | Command::Answer { .. }
        | Command::Cancel { .. }
        | Command::QueueAction { .. }
        | Command::ClearFinished
        | Command::SetConcurrency { .. }
        | Command::SaveWindowState { .. }
        | Command::LoadBookmarks
        | Command::SaveBookmark { .. }
        | Command::RemoveBookmark { .. }
        | Command::ImportBookmarks { .. }
        | Command::ExportBookmarks { .. }
        | Command::Shutdown => None,
    }
}

/// The protocol log's line for a request, and the session it runs on.
fn describe(command: &Command) -> (Option<SessionId>, String) {
    match command {
        Command::Connect { spec, .. } => (None, format!("Connecting to {}", spec.display_url())),
        Command::List { session, path, .. } => (Some(*session), format!("List {path}")),
        Command::Stat { session, path, .. } => (Some(*session), format!("Stat {path}")),
        Command::MakeDir { session, path, .. } => (Some(*session), format!("Make folder {path}")),
        Command::Rename { session, from, to, .. } => (Some(*session), format!("Rename {from} to {to}")),
        Command::RemoveFile { session, path, .. } => (Some(*session), format!("Delete {path}")),
        Command::RemoveDir { session, path, .. } => (Some(*session), format!("Delete folder {path}")),
        Command::RemoveTree { session, path, .. } => (Some(*session), format!("Delete {path} with everything in it")),
        Command::Chmod { session, path, mode, .. } => {
            (Some(*session), format!("Set permissions of {path} to {mode:o}"))
        }
        Command::ChmodTree { session, path, mode, .. } => {
            (Some(*session), format!("Set permissions of {path} and everything in it to {mode:o}"))
        }
        Command::Enqueue { session, transfer, .. } => {
            let what = match transfer.direction {
                Direction::Download => format!("Download {} to {}", transfer.remote, transfer.local.display()),
                Direction::Upload => format!("Upload {} to {}", transfer.local.display(), transfer.remote),
            };
            (Some(*session), what)
        }
        Command::ConnectBookmark { id, .. } => (None, format!("Connecting to bookmark {}", id.0)),
        Command::ConnectTarget { text, .. } => (None, format!("Connecting to {}", crate::logging::loggable_url(text))),
        other => (None, format!("{other:?}")),
    }
}

/// The protocol log's line for a request's answer.
fn summarize(event: &Event) -> Option<String> {
    match event {
        Event::Connected { url, home, .. } => Some(format!("Connected to {url}, starting in {home}")),
        Event::Listing { entries, .. } => Some(format!("{} entries", entries.len())),
        Event::Stat { entry, .. } => Some(format!("{} ({:?})", entry.name, entry.kind)),
        Event::Done { .. } => Some("Done".to_string()),
        _ => None,
    }
}

/// Does the work of one request and returns the event that answers it.
async fn handle(shared: &Arc<Shared>, command: Command) -> Result<Option<Event>> {
    let done = |request| Ok(Some(Event::Done { request }));
    match command {
        Command::Connect { request, spec } => {
            let spec = shared.bookmarks.with_ssh_alias(spec).await;
            let (backend, spec) = open_connection(&shared.ctx, request, spec).await?;
            Ok(Some(register(shared, request, backend, spec)))
        }
        Command::ConnectTarget { request, text } => {
            let spec = shared.bookmarks.target_spec(&text).await?;
            let (backend, spec) = open_connection(&shared.ctx, request, spec).await?;
            Ok(Some(register(shared, request, backend, spec)))
        }
        Command::ConnectBookmark { request, id } => {
            let spec = shared.bookmarks.connect_spec(&id).await?;
            let (backend, spec) = open_connection(&shared.ctx, request, spec).await?;
            Ok(Some(register(shared, request, backend, spec)))
        }
        Command::List { request, session, path } => {
            let entries = on_session!(shared, request, session, |b| b.list(&path).await)?;
            Ok(Some(Event::Listing { request, session, path, entries }))
        }
        Command::Stat { request, session, path } => {
            let entry = on_session!(shared, request, session, |b| b.stat(&path).await)?;
            Ok(Some(Event::Stat { request, entry }))
        }
        Command::MakeDir { request, session, path } => {
            on_session!(shared, request, session, |b| b.mkdir(&path).await)?;
            done(request)
        }
        Command::Rename { request, session, from, to } => {
            on_session!(shared, request, session, |b| b.rename(&from, &to).await)?;
            done(request)
        }
        Command::RemoveFile { request, session, path } => {
            on_session!(shared, request, session, |b| b.remove_file(&path).await)?;
            done(request)
        }
        Command::RemoveDir { request, session, path } => {
            on_session!(shared, request, session, |b| b.remove_dir(&path).await)?;
            done(request)
        }
        Command::Chmod { request, session, path, mode } => {
            on_session!(shared, request, session, |b| b.chmod(&path, mode).await)?;
            done(request)
        }
        Command::RemoveTree { request, session, path } => {
            on_session!(shared, request, session, |b| super::tree::remove_tree(b, &path).await)?;
            done(request)
        }
        Command::ChmodTree { request, session, path, mode } => {
            on_session!(shared, request, session, |b| super::tree::chmod_tree(b, &path, mode).await)?;
            done(request)
        }
        Command::Enqueue { request, session, transfer } => {
            let items = plan(shared, request, session, transfer).await?;
            scheduler::enqueue(shared, request, items);
            Ok(None)
        }
        Command::Disconnect { .. }
        | Command::Answer { .. }
        | Command::Cancel { .. }
        | Command::QueueAction { .. }
        | Command::ClearFinished
        | Command::SetConcurrency { .. }
        | Command::SaveWindowState { .. }
        | Command::LoadBookmarks
        | Command::SaveBookmark { .. }
        | Command::RemoveBookmark { .. }
        | Command::ImportBookmarks { .. }
        | Command::ExportBookmarks { .. }
        | Command::Shutdown => Ok(None),
    }
}

/// What to transfer, as the UI or command line asks for it.
#[derive(Debug, Clone)]
pub struct TransferRequest {
    /// Download or upload.
    pub direction: Direction,
    /// The local file or folder (source of an upload, target of a download).
    pub local: PathBuf,
    /// The remote file or folder (source of a download, target of an upload).
    pub remote: String,
    /// Copy folders with everything in them.
    pub recursive: bool,
    /// What to do when a target exists.
    pub on_exists: OnExists,
    /// Compare SHA-256 checksums with the server's after each file.
    pub verify: bool,
}

/// Plans a transfer into queue items, on a pooled connection so browsing is not held up.
async fn plan(
    shared: &Arc<Shared>,
    request: RequestId,
    session: SessionId,
    transfer: TransferRequest,
) -> Result<Vec<QueueItem>> {
    let site = shared.session_spec(session)?;
    let mut backend = scheduler::checkout(shared, request, &site).await?;
    let planned = match plan_on(backend.as_mut(), &transfer).await {
        Err(error) if is_connection_failure(&error) => {
            // The spare connection was dead (the others of this site most likely too): plan
            // once more on a fresh one before reporting.
            tracing::info!(target: "ferry::worker", "planning: {error}; connecting again");
            shared.pool.forget_site(&site);
            match open_connection(&shared.ctx, request, site.clone()).await {
                Ok((fresh, _)) => {
                    super::pool::close_quietly(std::mem::replace(&mut backend, fresh));
                    plan_on(backend.as_mut(), &transfer).await
                }
                Err(_) => Err(error),
            }
        }
        planned => planned,
    };
    // A connection that was lost or left waiting (a listing cut short) is not handed to the queue.
    shared.pool.put_back(&site, backend, &planned);
    let (seeds, local_root) = planned?;
    Ok(seeds
        .into_iter()
        .map(|seed| QueueItem {
            id: ItemId(0),
            request,
            site: site.clone(),
            direction: transfer.direction,
            remote: seed.remote,
            local: seed.local,
            local_root: local_root.clone(),
            is_folder: seed.is_folder,
            size: seed.size,
            modified: seed.modified,
            mode: seed.mode,
            bytes_done: 0,
            started: false,
            state: if seed.refused.is_some() { ItemState::Skipped } else { ItemState::Queued },
            error: seed.refused,
            on_exists: transfer.on_exists,
            verify: transfer.verify,
            integrity: None,
            note: None,
        })
        .collect())
}

/// Plans a transfer on one connection: the files and folders to move, and the local root.
async fn plan_on(backend: &mut dyn Backend, transfer: &TransferRequest) -> Result<(Vec<super::plan::Seed>, PathBuf)> {
    match transfer.direction {
        Direction::Download => {
            super::plan::plan_download(backend, &transfer.remote, &transfer.local, transfer.recursive).await
        }
        Direction::Upload => super::plan::plan_upload(backend, &transfer.local, &transfer.remote, transfer.recursive)
            .await
            .map(|seeds| (seeds, transfer.local.clone())),
    }
}

/// Removes a session and reports it closed.
fn forget(shared: &Shared, session: SessionId, error: Option<FerryError>) -> Option<SharedBackend> {
    let removed = lock(&shared.sessions).remove(&session);
    if removed.is_some() {
        shared.events.send(Event::Disconnected { session, error });
    }
    removed.map(|s| s.backend)
}

/// Closes a session, and the queue's idle connections to its site: after a disconnect nothing of
/// that site stays open (transfers under way keep theirs until they end).
async fn disconnect(shared: &Arc<Shared>, session: SessionId, error: Option<FerryError>) {
    if let Ok(site) = shared.session_spec(session) {
        shared.pool.forget_site(&site);
    }
    if let Some(backend) = forget(shared, session, error) {
        let mut guard = backend.lock().await;
        if let Err(error) = guard.disconnect().await {
            tracing::debug!(target: "ferry::worker", "disconnect: {error}");
        }
    }
}

/// Adds a new session, starts its keep-alive timer, and builds the `Connected` event.
fn register(shared: &Arc<Shared>, request: RequestId, backend: Box<dyn Backend>, spec: ConnectSpec) -> Event {
    let session = SessionId(shared.ids.next());
    let home = backend.home().to_string();
    let url = spec.display_url();
    let start = spec.initial_path.clone().filter(|path| !path.is_empty());
    shared.bookmarks.record_recent(&url);
    let backend: SharedBackend = Arc::new(tokio::sync::Mutex::new(backend));
    lock(&shared.sessions).insert(session, Session { backend: backend.clone(), spec });
    tokio::spawn(keep_alive(shared.clone(), session, Arc::downgrade(&backend)));
    Event::Connected { request, session, home, url, start }
}

/// Sends a keep-alive on an idle connection every interval, until the session is gone. A busy
/// connection is skipped: its own traffic keeps it alive.
async fn keep_alive(
    shared: Arc<Shared>,
    session: SessionId,
    backend: std::sync::Weak<tokio::sync::Mutex<Box<dyn Backend>>>,
) {
    let mut ticks = tokio::time::interval(shared.settings.keep_alive_interval);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(backend) = backend.upgrade() else { return };
        let Ok(mut guard) = backend.try_lock() else { continue };
        if let Err(error) = guard.keep_alive().await {
            tracing::debug!(target: "ferry::worker", "keep-alive failed: {error}");
            if error.kind == ErrorKind::ConnectionLost || error.kind == ErrorKind::Timeout {
                drop(guard);
                forget(&shared, session, Some(error));
                return;
            }
        } else {
            tracing::trace!(target: "ferry::worker", "keep-alive sent on session {}", session.0);
        }
    }
}
