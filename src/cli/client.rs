//! One connection driven through the worker, waiting for the answer to each request.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{
    ConnectSpec, Entry, EntryKind, RequestId, SessionId, escape_control, file_name_remote, parent_remote,
};
use crate::worker::{self, Command, Direction, Event, TransferRequest, WorkerHandle};
use crate::worker::{
    BookmarkEvent, FileCommand, FileEvent, QueueCommand, QueueEvent, SessionCommand, SessionEvent, SyncEvent,
};
use crate::worker::{ItemAction, LogKind};

use super::args::{GlobalOptions, TransferOptions};
use super::prompts::answer_on_terminal;
use super::render::Board;
use crate::transfer::links::FollowLinks;

/// One connection driven through the worker, answering its prompts on the terminal.
pub(super) struct Client {
    pub(super) handle: WorkerHandle,
    pub(super) session: SessionId,
    pub(super) home: String,
    pub(super) accept_new_host_key: bool,
    /// Set by Ctrl+C (the shell): the running request or transfer is cancelled, not the program.
    pub(super) interrupt: Option<Arc<AtomicBool>>,
    /// Print the protocol log on stderr as it comes (the shell's `verbose`).
    pub(super) show_log: bool,
    /// A request was cancelled: the worker closed the connection, whose replies it left half read.
    pub(super) closed_by_cancel: bool,
}

/// How often a wait looks at the Ctrl+C flag.
const INTERRUPT_POLL: Duration = Duration::from_millis(100);

impl Client {
    pub(super) fn connect(options: &GlobalOptions, spec: ConnectSpec) -> Result<Client> {
        Client::connect_interruptible(options, spec, None)
    }

    /// Connects; with `interrupt`, Ctrl+C cancels the connecting and every later request.
    pub(super) fn connect_interruptible(
        options: &GlobalOptions,
        spec: ConnectSpec,
        interrupt: Option<Arc<AtomicBool>>,
    ) -> Result<Client> {
        let handle = worker::spawn(options.worker_options(), Arc::new(|_| {}))
            .map_err(|e| FerryError::from_io(&e, "starting the worker"))?;
        let mut client = Client {
            handle,
            session: SessionId(0),
            home: String::new(),
            accept_new_host_key: options.accept_new_host_key,
            interrupt,
            show_log: false,
            closed_by_cancel: false,
        };
        let request = client.handle.next_request();
        client.handle.send(Command::Session(SessionCommand::Connect { request, spec: Box::new(spec) }));
        match client.wait(request)? {
            Event::Session(SessionEvent::Connected { session, home, .. }) => {
                client.session = session;
                client.home = home;
                Ok(client)
            }
            other => Err(unexpected(other)),
        }
    }

    /// Waits for the event that answers `request`, answering prompts and drawing progress meanwhile.
    pub(super) fn wait(&mut self, request: RequestId) -> Result<Event> {
        loop {
            let Some(event) = self.next_event()? else {
                // Ctrl+C: the worker ends the request with `Failed` of kind `Cancelled`.
                self.handle.send(Command::Cancel { request });
                self.closed_by_cancel = true;
                continue;
            };
            match event {
                Event::Prompt { prompt, question, .. } => {
                    let answer = answer_on_terminal(&question, self.accept_new_host_key);
                    self.handle.send(Command::Answer { prompt, answer });
                }
                Event::Failed { request: r, error } if r == request => return Err(error),
                Event::Session(SessionEvent::Disconnected { error: Some(error), session })
                    if session == self.session =>
                {
                    return Err(error);
                }
                event if answers(&event, request) => return Ok(event),
                // Answers to other requests, other sessions' news, the log and the queue's
                // progress: none of them ends this wait.
                Event::Session(SessionEvent::Connected { .. } | SessionEvent::Disconnected { .. })
                | Event::Files(
                    FileEvent::Listing { .. }
                    | FileEvent::Stat { .. }
                    | FileEvent::Tree { .. }
                    | FileEvent::Checksum { .. },
                )
                | Event::Queue(
                    QueueEvent::Enqueued { .. }
                    | QueueEvent::Changed { .. }
                    | QueueEvent::Progress { .. }
                    | QueueEvent::Totals { .. }
                    | QueueEvent::Cleared { .. }
                    | QueueEvent::Restored { .. },
                )
                | Event::Bookmarks(BookmarkEvent::List { .. } | BookmarkEvent::ImportReport { .. })
                | Event::Sync(SyncEvent::Planned { .. } | SyncEvent::Finished { .. })
                | Event::Edit(_)
                | Event::Done { .. }
                | Event::Failed { .. }
                | Event::Log { .. } => {}
            }
        }
    }

    /// The next event from the worker; `None` when Ctrl+C was pressed since the last look.
    fn next_event(&mut self) -> Result<Option<Event>> {
        let stopped = || FerryError::new(ErrorKind::ConnectionLost, "the worker stopped");
        let Some(interrupt) = self.interrupt.clone() else {
            return self.handle.recv().map(|event| self.shown(event)).map(Some).ok_or_else(stopped);
        };
        loop {
            if interrupt.swap(false, Ordering::SeqCst) {
                return Ok(None);
            }
            if let Some(event) = self.handle.recv_within(INTERRUPT_POLL).map_err(|_| stopped())? {
                return Ok(Some(self.shown(event)));
            }
        }
    }

    /// Prints a protocol log line when asked to (`verbose`), and hands the event on.
    fn shown(&self, event: Event) -> Event {
        if self.show_log
            && let Event::Log { line } = &event
        {
            let arrow = match line.kind {
                LogKind::Command => "> ",
                LogKind::Reply => "< ",
                LogKind::Info | LogKind::Error => "",
            };
            // The worker escaped its control characters already.
            eprintln!("{arrow}{}", line.text);
        }
        event
    }

    /// Answers one of the worker's questions on the terminal.
    pub(super) fn answer(&self, prompt: crate::model::PromptId, question: &crate::worker::Question) {
        let answer = answer_on_terminal(question, self.accept_new_host_key);
        self.handle.send(Command::Answer { prompt, answer });
    }

    pub(super) fn simple(&mut self, make: impl FnOnce(RequestId, SessionId) -> Command) -> Result<()> {
        let request = self.handle.next_request();
        self.handle.send(make(request, self.session));
        self.wait(request).map(|_| ())
    }

    pub(super) fn stat(&mut self, path: &str) -> Result<Entry> {
        let request = self.handle.next_request();
        self.handle.send(Command::Files(FileCommand::Stat { request, session: self.session, path: path.to_string() }));
        match self.wait(request)? {
            Event::Files(FileEvent::Stat { entry, .. }) => Ok(entry),
            other => Err(unexpected(other)),
        }
    }

    /// One entry as it is, a link as the link (`ferry stat`, as `ls -l` shows it).
    pub(super) fn stat_link(&mut self, path: &str) -> Result<Entry> {
        let request = self.handle.next_request();
        let session = self.session;
        self.handle.send(Command::Files(FileCommand::StatLink { request, session, path: path.to_string() }));
        match self.wait(request)? {
            Event::Files(FileEvent::Stat { entry, .. }) => Ok(entry),
            other => Err(unexpected(other)),
        }
    }

    /// A folder's entries sorted by name or, as `ls` does, a file's own entry.
    pub(super) fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        let request = self.handle.next_request();
        self.handle.send(Command::Files(FileCommand::List { request, session: self.session, path: path.to_string() }));
        match self.wait(request) {
            Ok(Event::Files(FileEvent::Listing { mut entries, .. })) => {
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(entries)
            }
            Ok(other) => Err(unexpected(other)),
            // Servers refuse to list a file ("550 Failed to change directory."): a file that is
            // there is listed by itself, anything else is the listing's error.
            Err(refused) if matches!(refused.kind, ErrorKind::NotFound | ErrorKind::Protocol) => {
                match self.stat(path) {
                    Ok(entry) if entry.kind != EntryKind::Dir => Ok(vec![self.listed_line_of(path).unwrap_or(entry)]),
                    _ => Err(refused),
                }
            }
            Err(error) => Err(error),
        }
    }

    /// A file's own line from its folder's listing: an FTP server without `MLST` tells a file's
    /// permissions, owner and link target only there (its `stat` has a size and a time at most).
    fn listed_line_of(&mut self, path: &str) -> Option<Entry> {
        let name = file_name_remote(path).to_string();
        let request = self.handle.next_request();
        let folder = parent_remote(path);
        self.handle.send(Command::Files(FileCommand::List { request, session: self.session, path: folder }));
        match self.wait(request) {
            Ok(Event::Files(FileEvent::Listing { entries, .. })) => {
                entries.into_iter().find(|entry| entry.name == name && entry.kind != EntryKind::Dir)
            }
            _ => None,
        }
    }

    /// Queues a transfer and follows it to the end, with a progress bar per running file and one
    /// for the total, then prints a one-line summary.
    pub(super) fn transfer(
        &mut self,
        direction: Direction,
        local: PathBuf,
        remote: String,
        options: &TransferOptions,
    ) -> Result<()> {
        // As typed, a relative path would mean another folder to anyone who reads the item later
        // (a log line, a window started elsewhere): the worker gets it whole. A nameless one ("."
        // or "..") stays as typed: it asks for a folder's contents, which a name would change.
        let local = match local.file_name() {
            Some(_) => std::path::absolute(&local)
                .map_err(|e| FerryError::from_io(&e, format!("finding the folder of {}", local.display())))?,
            None => local,
        };
        self.handle.send(Command::Queue(QueueCommand::SetConcurrency { limit: options.parallel.max(1) }));
        self.handle.send(Command::Queue(QueueCommand::SetRateLimits { limits: options.rate_limits() }));
        let started = std::time::Instant::now();
        let request = self.handle.next_request();
        let transfer = TransferRequest {
            direction,
            local,
            remote,
            recursive: options.recursive,
            on_exists: options.on_exists,
            verify: options.verify,
            follow_links: if options.follow_links { FollowLinks::Always } else { FollowLinks::Inside },
        };
        self.handle.send(Command::Queue(QueueCommand::Enqueue { request, session: self.session, transfer }));
        let Event::Queue(QueueEvent::Enqueued { items, .. }) = self.wait(request)? else {
            return Err(FerryError::new(ErrorKind::Protocol, "no plan"));
        };
        let mut board = Board::new(&items);
        while !board.finished() {
            let Some(event) = self.next_event()? else {
                // Ctrl+C: cancelling removes what a partial transfer left behind.
                board.note("cancelling (Ctrl+C)");
                for item in board.pending_items() {
                    self.handle.send(Command::Queue(QueueCommand::Action { item, action: ItemAction::Cancel }));
                }
                continue;
            };
            match event {
                Event::Prompt { prompt, question, .. } => {
                    let answer = answer_on_terminal(&question, self.accept_new_host_key);
                    self.handle.send(Command::Answer { prompt, answer });
                }
                Event::Queue(QueueEvent::Progress { item, bytes, total, .. }) => board.progress(item, bytes, total),
                Event::Queue(QueueEvent::Totals { bytes, total, .. }) => board.totals(bytes, total),
                Event::Queue(QueueEvent::Changed { item }) => board.changed(*item),
                // The plan was already taken in; the rest is other requests' news or the log,
                // which the command line does not print.
                Event::Queue(
                    QueueEvent::Enqueued { .. } | QueueEvent::Cleared { .. } | QueueEvent::Restored { .. },
                )
                | Event::Session(SessionEvent::Connected { .. } | SessionEvent::Disconnected { .. })
                | Event::Files(
                    FileEvent::Listing { .. }
                    | FileEvent::Stat { .. }
                    | FileEvent::Tree { .. }
                    | FileEvent::Checksum { .. },
                )
                | Event::Bookmarks(BookmarkEvent::List { .. } | BookmarkEvent::ImportReport { .. })
                | Event::Sync(SyncEvent::Planned { .. } | SyncEvent::Finished { .. })
                | Event::Edit(_)
                | Event::Done { .. }
                | Event::Failed { .. }
                | Event::Log { .. } => {}
            }
        }
        board.summary(started.elapsed())
    }

    pub(super) fn remove(&mut self, path: &str) -> Result<()> {
        // The stat only chooses the command: a failure is the delete's ("not found: deleting …").
        // A link is looked at as itself: deleting a link to a folder deletes the link, as `rm` does.
        let is_dir =
            self.stat_link(path).map_err(|error| error.context(format!("deleting {path}")))?.kind == EntryKind::Dir;
        let path = path.to_string();
        let outcome = self.simple(|request, session| {
            if is_dir {
                Command::Files(FileCommand::RemoveDir { request, session, path })
            } else {
                Command::Files(FileCommand::RemoveFile { request, session, path })
            }
        });
        outcome.map_err(|error| match error.kind {
            ErrorKind::NotEmpty => {
                let said = error.context.clone();
                error.context(format!("{said}; `ferry rm -r` deletes it with everything in it"))
            }
            _ => error,
        })
    }

    /// Deletes a folder with everything in it: lists what will go (on stdout), asks on the
    /// terminal unless `yes`, then deletes exactly what was listed. Links are deleted, never
    /// followed.
    pub(super) fn remove_tree(&mut self, path: &str, yes: bool) -> Result<()> {
        let request = self.handle.next_request();
        let path = path.to_string();
        self.handle.send(Command::Files(FileCommand::ListTree { request, session: self.session, path: path.clone() }));
        let doomed = match self.wait(request)? {
            Event::Files(FileEvent::Tree { doomed, .. }) => doomed,
            other => return Err(unexpected(other)),
        };
        for entry in &doomed {
            let slash = if entry.kind == EntryKind::Dir { "/" } else { "" };
            println!("{}{slash}", escape_control(&entry.path));
        }
        let count = crate::model::count_of(doomed.len(), "item", "items");
        if !yes && !super::prompts::confirm(&format!("Delete these {count}?"))? {
            return Err(FerryError::new(
                ErrorKind::Cancelled,
                format!("deleting {}: nothing was deleted", escape_control(&path)),
            ));
        }
        self.simple(|request, session| Command::Files(FileCommand::RemoveListed { request, session, doomed }))?;
        eprintln!("deleted {count}");
        Ok(())
    }

    /// A file's SHA-256 and who computed it.
    pub(super) fn sha256(&mut self, path: &str) -> Result<(String, worker::ChecksumSource)> {
        let request = self.handle.next_request();
        self.handle.send(Command::Files(FileCommand::Checksum {
            request,
            session: self.session,
            path: path.to_string(),
        }));
        match self.wait(request)? {
            Event::Files(FileEvent::Checksum { sha256, source, .. }) => Ok((sha256, source)),
            other => Err(unexpected(other)),
        }
    }
}

/// Whether `event` is the final answer to `request`.
pub(super) fn answers(event: &Event, request: RequestId) -> bool {
    match event {
        Event::Session(SessionEvent::Connected { request: r, .. })
        | Event::Files(FileEvent::Listing { request: r, .. })
        | Event::Files(FileEvent::Stat { request: r, .. })
        | Event::Files(FileEvent::Tree { request: r, .. })
        | Event::Files(FileEvent::Checksum { request: r, .. })
        | Event::Done { request: r }
        | Event::Queue(QueueEvent::Enqueued { request: r, .. })
        | Event::Bookmarks(BookmarkEvent::ImportReport { request: r, .. })
        | Event::Sync(SyncEvent::Planned { request: r, .. } | SyncEvent::Finished { request: r, .. }) => *r == request,
        // A failure is an answer too, but `wait` turns it into an error first.
        Event::Failed { .. }
        | Event::Prompt { .. }
        | Event::Log { .. }
        | Event::Session(SessionEvent::Disconnected { .. })
        | Event::Bookmarks(BookmarkEvent::List { .. })
        | Event::Edit(_)
        | Event::Queue(
            QueueEvent::Changed { .. }
            | QueueEvent::Progress { .. }
            | QueueEvent::Totals { .. }
            | QueueEvent::Cleared { .. }
            | QueueEvent::Restored { .. },
        ) => false,
    }
}

fn unexpected(event: Event) -> FerryError {
    FerryError::new(ErrorKind::Protocol, format!("unexpected answer from the worker: {event:?}"))
}
