//! The engine loop: takes commands and hands each to the service that owns it (sessions, queue,
//! bookmarks), running each request as a task of its own so a slow server holds up nothing else.
//! It sits on top of the worker: it imports the services, and none of them imports it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::WorkerOptions;
use super::bookmarks::BookmarkService;
use super::connect::open_connection;
use super::context::{EventSender, WorkerContext, lock};
use super::edits::EditService;
use super::messages::{
    BookmarkEvent, Command, Event, FileCommand, FileEvent, LogKind, QueueCommand, QueueEvent, SessionCommand,
    SessionEvent, SyncCommand, SyncEvent, TransferRequest, WindowCommand,
};
use super::pool::ConnectionPool;
use super::queue::Direction;
use super::scheduler::{QueueService, TransferSettings};
use super::sessions::Sessions;
use super::sync::SyncService;
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, RequestId, SessionId};
use crate::trust::TrustStore;

/// The engine: routes each command to the service that owns it, and runs each request as a
/// task of its own.
pub(super) struct Engine {
    ctx: Arc<WorkerContext>,
    sessions: Arc<Sessions>,
    pool: Arc<ConnectionPool>,
    queue: Arc<QueueService>,
    bookmarks: Arc<BookmarkService>,
    sync: Arc<SyncService>,
    edits: Arc<EditService>,
    /// Requests under way: how to stop each, and the session whose connection it is using.
    running: Mutex<HashMap<RequestId, (tokio::task::AbortHandle, Option<SessionId>)>>,
}

/// Runs until `Shutdown` or until every command sender is gone.
pub async fn run(options: WorkerOptions, mut commands: mpsc::UnboundedReceiver<Command>, events: EventSender) {
    let trust = TrustStore::new(options.config.clone(), options.user_known_hosts);
    let ctx = Arc::new(WorkerContext::new(events, trust, options.settings, options.config));
    let engine = Engine::new(ctx, options.transfer, options.keeps_queue);
    // Before any command: an edit opened now locks its folder before the sweep could judge it.
    engine.edits.sweep_leftovers().await;
    let (saved, problem) =
        if options.keeps_queue { super::queue::load(&engine.ctx.config.queue()) } else { (Vec::new(), None) };
    if !saved.is_empty() || problem.is_some() {
        let items = engine.queue.restore(saved);
        engine.ctx.events.send(Event::Queue(QueueEvent::Restored { items, problem }));
    }
    while let Some(command) = commands.recv().await {
        if !engine.route(command) {
            break;
        }
    }
    engine.queue.save_now();
    for session in engine.sessions.ids() {
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), disconnect(&engine, session, None)).await;
    }
}

impl Engine {
    /// The engine and its services, sharing `ctx`.
    fn new(ctx: Arc<WorkerContext>, transfer: TransferSettings, keeps_queue: bool) -> Arc<Self> {
        let pool = Arc::new(ConnectionPool::new(transfer.concurrency));
        let sessions = Arc::new(Sessions::new(ctx.clone()));
        let queue = Arc::new(QueueService::new(ctx.clone(), pool.clone(), transfer, keeps_queue));
        Arc::new(Engine {
            bookmarks: Arc::new(BookmarkService::new(ctx.clone())),
            sync: Arc::new(SyncService::new(ctx.clone(), sessions.clone(), pool.clone(), queue.clone())),
            edits: Arc::new(EditService::new(ctx.clone(), sessions.clone(), pool.clone(), queue.clone())),
            sessions,
            queue,
            pool,
            ctx,
            running: Mutex::new(HashMap::new()),
        })
    }

    /// Hands one command to its owner; false once the worker is to stop.
    fn route(self: &Arc<Self>, command: Command) -> bool {
        match command {
            Command::Shutdown => return false,
            Command::Answer { prompt, answer } => self.ctx.answer(prompt, answer),
            Command::Cancel { request } => self.cancel(request),
            Command::Session(command) => self.session_command(command),
            Command::Files(command) => {
                let (request, session) = command.ids();
                start_request(self, request, Request::Files(command), Some(session));
            }
            Command::Queue(command) => self.queue_command(command),
            Command::Bookmarks(command) => self.bookmarks.handle(command),
            Command::Sync(command) => {
                let (SyncCommand::Preview { request, session, .. } | SyncCommand::Run { request, session, .. }) =
                    command;
                start_request(self, request, Request::Sync(command), Some(session));
            }
            Command::Edit(command) => self.edits.handle(command),
            Command::Window(WindowCommand::SaveState { json }) => {
                // Small and rare (at most once a second): written in line, so a save sent just
                // before Shutdown is on disk before the worker stops.
                let path = self.ctx.config.window_state();
                if let Err(error) = crate::config::write_atomically(&path, json.as_bytes()) {
                    tracing::warn!(target: "ferry::worker", "could not save {}: {error}", path.display());
                }
            }
        }
        true
    }

    fn session_command(self: &Arc<Self>, command: SessionCommand) {
        let (request, target) = match command {
            SessionCommand::Disconnect { session } => {
                let engine = self.clone();
                tokio::spawn(async move { disconnect(&engine, session, None).await });
                return;
            }
            SessionCommand::Connect { request, spec } => (request, ConnectTo::Spec(spec)),
            SessionCommand::ConnectTarget { request, text } => (request, ConnectTo::Typed(text)),
            SessionCommand::ConnectBookmark { request, id } => (request, ConnectTo::Bookmark(id)),
        };
        start_request(self, request, Request::Connect(target), None);
    }

    fn queue_command(self: &Arc<Self>, command: QueueCommand) {
        match command {
            QueueCommand::Enqueue { request, session, transfer } => {
                start_request(self, request, Request::Enqueue { session, transfer }, Some(session))
            }
            QueueCommand::Action { item, action } => self.queue.apply(item, action),
            QueueCommand::ClearFinished => self.queue.clear_finished(),
            QueueCommand::Forget { items } => self.queue.forget(&items),
            QueueCommand::SetConcurrency { limit } => self.queue.set_concurrency(limit),
            QueueCommand::SetRateLimits { limits } => self.queue.set_rate_limits(limits),
        }
    }

    /// Stops a running request, and closes the connection it left out of step.
    fn cancel(self: &Arc<Self>, request: RequestId) {
        let running = lock(&self.running).remove(&request);
        if let Some((task, session)) = running {
            task.abort();
            let error = FerryError::new(ErrorKind::Cancelled, "stopped by the user");
            self.ctx.events.send(Event::Failed { request, error });
            if let Some(session) = session {
                close_after_cancel(self, session);
            }
        }
    }
}

/// What a connect request connects to.
enum ConnectTo {
    Spec(Box<ConnectSpec>),
    /// What the user typed: a URL, or a bookmark or ssh alias with an optional `:path`.
    Typed(String),
    Bookmark(crate::bookmarks::BookmarkId),
}

/// A request the engine runs as a task of its own.
enum Request {
    Connect(ConnectTo),
    Files(FileCommand),
    /// Planning a transfer on a pooled connection to the session's site.
    Enqueue {
        session: SessionId,
        transfer: TransferRequest,
    },
    /// Planning or running a folder sync.
    Sync(SyncCommand),
}

impl Request {
    /// The protocol log's line for it.
    fn log_line(&self) -> String {
        match self {
            Request::Connect(ConnectTo::Spec(spec)) if spec.protocol == crate::model::Protocol::Local => {
                "Opening the local disk".to_string()
            }
            Request::Connect(ConnectTo::Spec(spec)) => format!("Connecting to {}", spec.display_url()),
            Request::Connect(ConnectTo::Typed(text)) => {
                format!("Connecting to {}", crate::logging::loggable_url(text))
            }
            Request::Connect(ConnectTo::Bookmark(id)) => format!("Connecting to bookmark {}", id.0),
            Request::Files(command) => command.log_line(),
            Request::Enqueue { transfer, .. } => match transfer.direction {
                Direction::Download => format!("Download {} to {}", transfer.remote, transfer.local.display()),
                Direction::Upload => format!("Upload {} to {}", transfer.local.display(), transfer.remote),
            },
            Request::Sync(SyncCommand::Preview { job, .. } | SyncCommand::Run { job, .. }) => {
                let (from, to) = match job.direction {
                    Direction::Upload => (job.local.display().to_string(), job.remote.clone()),
                    Direction::Download => (job.remote.clone(), job.local.display().to_string()),
                };
                let verb = if matches!(self, Request::Sync(SyncCommand::Preview { .. })) { "Compare" } else { "Sync" };
                format!("{verb} {} to {}", crate::model::escape_control(&from), crate::model::escape_control(&to))
            }
        }
    }
}

/// Runs one request as its own task, so a slow server never holds up another session. `session`
/// is the session it belongs to, if any.
fn start_request(engine: &Arc<Engine>, request: RequestId, work: Request, session: Option<SessionId>) {
    // Only the file operations work on the session's own connection (a transfer plans on a
    // pooled one), so only they leave it out of step when cancelled.
    let connection_in_use = matches!(work, Request::Files(_)).then_some(session).flatten();
    // Ferry's own words for the request and its answer are notes: the commands and replies are
    // the connection's transcript, logged as they go (`transcript`).
    engine.ctx.log(session, LogKind::Info, work.log_line());
    let task_engine = engine.clone();
    let transcript = engine.ctx.transcript(session);
    let task = tokio::spawn(async move {
        let outcome = crate::transcript::scope(transcript, handle(&task_engine, request, work)).await;
        lock(&task_engine.running).remove(&request);
        match outcome {
            Ok(event) => {
                if let Some(summary) = event.as_ref().and_then(log_line_for_answer) {
                    let connected = if let Some(Event::Session(SessionEvent::Connected { session, .. })) = &event {
                        Some(*session)
                    } else {
                        None
                    };
                    task_engine.ctx.log(session.or(connected), LogKind::Info, summary);
                }
                if let Some(event) = event {
                    task_engine.ctx.events.send(event);
                }
            }
            Err(error) => {
                tracing::debug!(target: "ferry::worker", "request {} failed: {error}", request.0);
                task_engine.ctx.log(session, LogKind::Error, error.log_text());
                task_engine.ctx.events.send(Event::Failed { request, error });
            }
        }
    });
    // A task that finished before we got here has already removed itself; do not re-add it.
    if !task.is_finished() {
        lock(&engine.running).insert(request, (task.abort_handle(), connection_in_use));
    }
}

/// A request stopped half way may leave its connection out of step (an FTP reply or data
/// connection unread, an SFTP call still running on its thread): close that connection rather
/// than send the next command into it, and let the UI offer to reconnect. The local file system
/// keeps no such state.
fn close_after_cancel(engine: &Arc<Engine>, session: SessionId) {
    let Ok(spec) = engine.sessions.spec(session) else { return };
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
    let engine = engine.clone();
    tokio::spawn(async move { disconnect(&engine, session, Some(error)).await });
}

/// The protocol log's line for a request's answer.
fn log_line_for_answer(event: &Event) -> Option<String> {
    match event {
        // The local pane's session has no address worth showing ("file://:0").
        Event::Session(SessionEvent::Connected { url, home, .. }) if url.starts_with("file:") => {
            Some(format!("Opened the local disk at {home}"))
        }
        Event::Session(SessionEvent::Connected { url, home, .. }) => {
            Some(format!("Connected to {url}, starting in {home}"))
        }
        Event::Files(FileEvent::Listing { entries, .. }) => {
            Some(crate::model::count_of(entries.len(), "entry", "entries"))
        }
        Event::Files(FileEvent::Stat { entry, .. }) => Some(format!("{} ({:?})", entry.name, entry.kind)),
        Event::Files(FileEvent::Tree { doomed, .. }) => Some(crate::model::count_of(doomed.len(), "item", "items")),
        Event::Files(FileEvent::Checksum { sha256, .. }) => Some(format!("SHA-256 {sha256}")),
        Event::Done { .. } => Some("Done".to_string()),
        // Not answers of a request's own: logged where they arise, if at all.
        Event::Session(SessionEvent::Disconnected { .. })
        | Event::Queue(QueueEvent::Enqueued { .. })
        | Event::Queue(QueueEvent::Changed { .. })
        | Event::Queue(QueueEvent::Progress { .. })
        | Event::Queue(QueueEvent::Totals { .. })
        | Event::Queue(QueueEvent::Cleared { .. })
        | Event::Queue(QueueEvent::Restored { .. })
        | Event::Prompt { .. }
        | Event::Failed { .. }
        | Event::Log { .. }
        | Event::Bookmarks(BookmarkEvent::List { .. })
        | Event::Bookmarks(BookmarkEvent::ImportReport { .. })
        | Event::Edit(_) => None,
        Event::Sync(SyncEvent::Planned { preview, .. }) => {
            let totals = preview.totals;
            Some(format!(
                "{} new, {} changed, {} to delete, {} unchanged",
                totals.new, totals.changed, totals.deleted, totals.unchanged
            ))
        }
        Event::Sync(SyncEvent::Finished { report, .. }) => {
            Some(format!("Synced: {} copied, {} failed, {} deleted", report.copied, report.failed, report.deleted))
        }
    }
}

/// Does the work of one request and returns the event that answers it.
async fn handle(engine: &Arc<Engine>, request: RequestId, work: Request) -> Result<Option<Event>> {
    match work {
        Request::Connect(target) => {
            let spec = match target {
                ConnectTo::Spec(spec) => engine.bookmarks.with_ssh_alias(*spec).await?,
                ConnectTo::Typed(text) => engine.bookmarks.target_spec(&text).await?,
                ConnectTo::Bookmark(id) => engine.bookmarks.connect_spec(&id).await?,
            };
            let (backend, spec) = open_connection(&engine.ctx, request, spec).await?;
            Ok(Some(register(engine, request, backend, spec)))
        }
        Request::Files(command) => super::files::run(&engine.sessions, command).await.map(Some),
        Request::Enqueue { session, transfer } => {
            let site = engine.sessions.spec(session)?;
            let items = super::planner::plan(&engine.ctx, &engine.pool, request, site, transfer).await?;
            engine.queue.enqueue(request, items);
            Ok(None)
        }
        Request::Sync(command) => engine.sync.handle(command).await.map(Some),
    }
}

/// Closes a session, and the queue's idle connections to its site: after a disconnect nothing of
/// that site stays open (transfers under way keep theirs until they end, then close them).
async fn disconnect(engine: &Arc<Engine>, session: SessionId, error: Option<FerryError>) {
    if let Ok(site) = engine.sessions.spec(session) {
        match error {
            // Asked for by the user: the transfers' connections close too as they come back.
            None => engine.pool.close_site(&site),
            Some(_) => engine.pool.forget_site(&site),
        }
    }
    engine.sessions.close(session, error).await;
}

/// Adds a new session (recorded among the recent connections, unless it is the local disk or went
/// through a route a URL cannot hold) and builds the `Connected` event.
fn register(engine: &Arc<Engine>, request: RequestId, backend: Box<dyn Backend>, spec: ConnectSpec) -> Event {
    let home = backend.home().to_string();
    let notice = backend.notice().map(str::to_string);
    let url = spec.display_url();
    let start = spec.initial_path.clone().filter(|path| !path.is_empty());
    // The local pane's own session is no site: "file://:0" in Recent would mean nothing. A URL
    // cannot say which way a connection went: reopened from Recent, one that went through a
    // ProxyCommand or jump hosts would go straight to the server, around that route.
    if spec.protocol != crate::model::Protocol::Local && spec.route == crate::route::Route::Direct {
        engine.bookmarks.record_recent(&url);
    }
    let session = engine.sessions.add(backend, spec);
    Event::Session(SessionEvent::Connected { request, session, home, url, start, notice })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Protocol;
    use crate::worker::fake_backend::{FakeBackend, FakeServer, next_event as next, test_context};

    /// An engine on a fresh config folder, with the receiving end of its events.
    fn engine(config: &std::path::Path) -> (Arc<Engine>, std::sync::mpsc::Receiver<Event>) {
        let (ctx, events) = test_context(config);
        (Engine::new(ctx, TransferSettings::default(), true), events)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_runs_on_its_own_session_and_is_answered_with_its_id() {
        let config = tempfile::tempdir().unwrap();
        let (engine, events) = engine(config.path());
        let server = Arc::new(FakeServer::default());
        super::super::context::lock(&server.files).insert("/b/file.txt".into(), b"hello".to_vec());
        let first = engine.sessions.add(FakeBackend::boxed(&server, 1), ConnectSpec::new(Protocol::Sftp, "a.example"));
        let second = engine.sessions.add(FakeBackend::boxed(&server, 2), ConnectSpec::new(Protocol::Sftp, "b.example"));
        assert!(engine.route(Command::Files(FileCommand::List {
            request: RequestId(41),
            session: second,
            path: "/b".into()
        })));
        let (request, session, names) = next(&events, |event| match event {
            Event::Files(FileEvent::Listing { request, session, entries, .. }) => {
                Some((request, session, entries.into_iter().map(|e| e.name).collect::<Vec<_>>()))
            }
            _ => None,
        });
        assert_eq!((request, session, names), (RequestId(41), second, vec!["file.txt".to_string()]));
        assert_eq!(*super::super::context::lock(&server.listed), vec![(2, "/b".to_string())], "not on {first:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_on_a_closed_session_fails_with_its_id_and_plain_words() {
        let config = tempfile::tempdir().unwrap();
        let (engine, events) = engine(config.path());
        engine.route(Command::Files(FileCommand::Stat {
            request: RequestId(7),
            session: SessionId(99),
            path: "/x".into(),
        }));
        let (request, error) = next(&events, |event| match event {
            Event::Failed { request, error } => Some((request, error)),
            _ => None,
        });
        assert_eq!(request, RequestId(7));
        assert_eq!(error.kind, ErrorKind::ConnectionLost);
        assert!(error.to_string().contains("that connection is closed"), "{error}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_session_whose_connection_is_lost_for_good_is_closed_and_reported() {
        let config = tempfile::tempdir().unwrap();
        let (engine, events) = engine(config.path());
        let server = Arc::new(FakeServer::default());
        // A site that refuses a new connection (port 1 of this machine): the reconnect fails and
        // the session closes.
        let mut site = ConnectSpec::new(Protocol::Sftp, "127.0.0.1");
        site.port = 1;
        let session = engine.sessions.add(FakeBackend::boxed(&server, 1), site);
        *super::super::context::lock(&server.cut) = true;
        engine.route(Command::Files(FileCommand::List { request: RequestId(3), session, path: "/".into() }));
        let closed = next(&events, |event| match event {
            Event::Session(SessionEvent::Disconnected { session, error }) => Some((session, error.map(|e| e.kind))),
            _ => None,
        });
        assert_eq!(closed, (session, Some(ErrorKind::ConnectionLost)));
        assert!(engine.sessions.spec(session).is_err(), "the session is gone");
    }
}
