//! The worker: a tokio runtime on its own thread that owns every connection. The GUI and the
//! command line talk to it only through `Command`s and `Event`s.

mod bookmarks;
mod broken_links;
mod checksum;
mod connect;
mod context;
mod edit_copy;
mod edits;
mod engine;
#[cfg(test)]
mod fake_backend;
mod files;
mod folder_order;
mod folder_times;
mod messages;
mod plan;
mod planner;
mod pool;
pub mod queue;
mod queue_log;
mod queue_state;
mod rate_limits;
mod reconnect;
mod refusals;
pub mod scheduler;
mod segmented;
mod sessions;
mod sync;
mod sync_walk;
mod target;
mod transfer;
mod tree;
mod upload;
mod upload_links;

pub use crate::transfer::rate_limit::RateLimits;
pub use checksum::ChecksumSource;
pub use context::{Wake, Waker};
pub use messages::{
    Answer, BookmarkCommand, BookmarkEvent, Command, EditCommand, EditEvent, Event, FileCommand, FileEvent, LogKind,
    LogLine, Question, QueueCommand, QueueEvent, SessionCommand, SessionEvent, SyncCommand, SyncEvent, SyncJob,
    SyncPreview, SyncReport, TransferRequest, WindowCommand,
};
pub use queue::{Direction, Integrity, ItemId, ItemState, QueueItem};
pub use queue_state::ItemAction;
pub use scheduler::TransferSettings;
pub use tree::DoomedEntry;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::backend::ConnectSettings;
use crate::config::ConfigDir;
use crate::model::RequestId;

/// How the worker is set up.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Where every file Ferry writes lives.
    pub config: ConfigDir,
    /// The user's OpenSSH known_hosts, read but never written.
    pub user_known_hosts: Option<PathBuf>,
    /// Timeouts and keep-alive interval.
    pub settings: ConnectSettings,
    /// Queue concurrency and retries.
    pub transfer: TransferSettings,
    /// Whether unfinished items are saved to the config folder and the saved ones offered again
    /// at start. The window does; the command line does not: a rerun of the same command resumes
    /// through the part files, and the window's saved queue is neither taken over nor replaced.
    pub keeps_queue: bool,
}

impl WorkerOptions {
    /// Options for `config`, reading the user's `~/.ssh/known_hosts`.
    pub fn new(config: ConfigDir) -> Self {
        WorkerOptions {
            config,
            user_known_hosts: crate::config::user_known_hosts(),
            settings: ConnectSettings::default(),
            transfer: TransferSettings::default(),
            keeps_queue: true,
        }
    }
}

/// The worker thread has ended: no more events will come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerStopped;

/// The UI side of the channel: send commands, drain events. Holds no connection.
pub struct WorkerHandle {
    commands: tokio::sync::mpsc::UnboundedSender<Command>,
    events: std::sync::mpsc::Receiver<Event>,
    next_id: AtomicU64,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerHandle {
    /// A fresh request id.
    pub fn next_request(&self) -> RequestId {
        RequestId(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Sends a command; ignored if the worker has stopped.
    pub fn send(&self, command: Command) {
        let _ = self.commands.send(command);
    }

    /// The next event, if one is waiting. Never blocks.
    pub fn try_recv(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event.
    pub fn recv_timeout(&self, timeout: std::time::Duration) -> Option<Event> {
        self.events.recv_timeout(timeout).ok()
    }

    /// Waits up to `timeout` for the next event: `Ok(None)` when none came, `Err` once the worker
    /// has stopped. For the command line, which must notice Ctrl+C while it waits.
    pub fn recv_within(&self, timeout: std::time::Duration) -> Result<Option<Event>, WorkerStopped> {
        match self.events.recv_timeout(timeout) {
            Ok(event) => Ok(Some(event)),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Ok(None),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(WorkerStopped),
        }
    }

    /// Waits for the next event; `None` once the worker has stopped. For the command line only.
    pub fn recv(&self) -> Option<Event> {
        self.events.recv().ok()
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        let _ = self.commands.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the worker thread. `waker` is called after each event is sent, with how soon it needs
/// to be seen.
pub fn spawn(options: WorkerOptions, waker: Waker) -> std::io::Result<WorkerHandle> {
    // The window's protocol log shows the FTP commands and replies suppaftp logs.
    crate::logging::capture_protocol_transcript();
    let (command_sender, command_receiver) = tokio::sync::mpsc::unbounded_channel();
    let (event_sender, event_receiver) = std::sync::mpsc::channel();
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).thread_name("ferry-io").enable_all().build()?;
    let events = context::EventSender::new(event_sender, waker);
    let thread = std::thread::Builder::new().name("ferry-worker".into()).spawn(move || {
        runtime.block_on(engine::run(options, command_receiver, events));
        // Blocking SFTP calls may still be finishing; do not let them hold up shutdown.
        runtime.shutdown_timeout(std::time::Duration::from_secs(2));
    })?;
    Ok(WorkerHandle {
        commands: command_sender,
        events: event_receiver,
        next_id: AtomicU64::new(1),
        thread: Some(thread),
    })
}
