//! The window's line to the worker: commands out, events in, and what each request still in
//! flight is for, so that its answer lands in the right pane.

use std::collections::HashMap;

use super::Target;
use crate::model::RequestId;
use crate::worker::{Command, Event, WorkerHandle};

/// What a pending request is for, so its answer lands in the right place.
#[derive(Debug, Clone)]
pub(super) enum Pending {
    /// Opening a connection; then list `path` (or the login folder).
    Connect { target: Target, path: Option<String> },
    /// A listing for a pane.
    List { target: Target },
    /// A look at a path typed into a pane's path bar: a folder or a file?
    Open { target: Target, path: String },
    /// A listing of a typed file's folder, to select the file `name` in it.
    Reveal { target: Target, name: String },
    /// A change (new folder, rename, delete, permissions): refresh the pane when it is done.
    Change { target: Target },
    /// Planning a transfer.
    Enqueue,
    /// An import of bookmarks: its report says how it went.
    Import,
    /// A request whose success only needs a word in the status bar.
    Notice(String),
    /// The preview a Synchronize dialog waits for.
    SyncPreview,
    /// A sync the user started from its preview, on a tab's connection.
    SyncRun { tab: super::tabs::TabId },
}

/// The worker's handle and the requests sent through it that are not answered yet.
pub(super) struct Requests {
    worker: WorkerHandle,
    pending: HashMap<RequestId, Pending>,
}

impl Requests {
    /// Talks to `worker`, with nothing pending yet.
    pub(super) fn new(worker: WorkerHandle) -> Self {
        Requests { worker, pending: HashMap::new() }
    }

    /// Sends a command whose answer needs no bookkeeping.
    pub(super) fn send(&self, command: Command) {
        self.worker.send(command);
    }

    /// Sends a request and remembers what it is for.
    pub(super) fn request(&mut self, pending: Pending, make: impl FnOnce(RequestId) -> Command) -> RequestId {
        let request = self.worker.next_request();
        self.pending.insert(request, pending);
        self.worker.send(make(request));
        request
    }

    /// The next event from the worker, if one is waiting.
    pub(super) fn try_recv(&self) -> Option<Event> {
        self.worker.try_recv()
    }

    /// What `request` was for, once its answer arrived (it is pending no more).
    pub(super) fn take(&mut self, request: &RequestId) -> Option<Pending> {
        self.pending.remove(request)
    }

    /// What `request` is for, leaving it pending.
    pub(super) fn peek(&self, request: &RequestId) -> Option<&Pending> {
        self.pending.get(request)
    }

    /// Whether a listing for `target` is on its way.
    pub(super) fn is_listing(&self, target: Target) -> bool {
        self.pending.values().any(|pending| {
            matches!(
                pending,
                Pending::List { target: t } | Pending::Open { target: t, .. } | Pending::Reveal { target: t, .. }
                    if *t == target
            )
        })
    }

    /// Stops the listings and connections under way for `target`'s pane.
    pub(super) fn cancel_listing(&self, target: Target) {
        for (request, pending) in &self.pending {
            if matches!(
                pending,
                Pending::List { target: t }
                    | Pending::Open { target: t, .. }
                    | Pending::Reveal { target: t, .. }
                    | Pending::Connect { target: t, .. }
                    if *t == target
            ) {
                self.worker.send(Command::Cancel { request: *request });
            }
        }
    }
}
