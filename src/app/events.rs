//! How the window follows the worker: each Event lands in the pane, tab, queue, log or dialog it
//! belongs to.

use std::time::{Duration, Instant};

use super::{EVENTS_PER_FRAME, FerryApp, Pending, Target, announcements};
use crate::error::{ErrorKind, FerryError};
use crate::gui::a11y;
use crate::gui::dialogs::PromptDialog;
use crate::model::{RequestId, SessionId, join_remote, parent_remote};
use crate::worker::{BookmarkEvent, EditEvent, FileEvent, QueueEvent, SessionCommand, SessionEvent, SyncEvent};
use crate::worker::{Direction, Event, ItemState, QueueItem};

/// How long finished transfers may gather before their folder is listed again, so a thousand
/// small files cause a few refreshes, not a thousand.
const REFRESH_AFTER_TRANSFERS: Duration = Duration::from_millis(700);

impl FerryApp {
    /// Applies waiting worker events to the view state (a bounded number per frame).
    pub(super) fn drain_events(&mut self) {
        for _ in 0..EVENTS_PER_FRAME {
            let Some(event) = self.requests.try_recv() else { break };
            self.handle_event(event);
        }
        self.refresh_stale_panes();
    }

    fn handle_event(&mut self, event: Event) {
        match event {
            Event::Queue(event) => self.queue_event(event),
            Event::Session(SessionEvent::Connected { request, session, home, url, start, notice }) => {
                self.connected(request, session, home, url, start, notice);
            }
            Event::Session(SessionEvent::Disconnected { session, error }) => self.disconnected(session, error),
            Event::Files(FileEvent::Listing { request, path, entries, .. }) => {
                let (target, reveal) = match self.requests.take(&request) {
                    Some(Pending::List { target }) => (target, None),
                    Some(Pending::Reveal { target, name }) => (target, Some(name)),
                    _ => return,
                };
                if let Some(pane) = self.pane_mut(target) {
                    let said = announcements::listing_loaded(&path, entries.len());
                    pane.set_listing(path, entries);
                    if let Some(name) = reveal {
                        pane.reveal(&name);
                    }
                    a11y::announce(&self.repaint, said);
                }
                self.follow_compare(true);
            }
            // The window asks for one entry alone only for a path typed into a path bar.
            Event::Files(FileEvent::Stat { request, entry }) => {
                if let Some(Pending::Open { target, path }) = self.requests.take(&request) {
                    self.path_looked_up(target, path, &entry);
                }
            }
            // The window deletes a folder in one request (`RemoveTree`), never by a listed tree,
            // and asks for no checksum of its own.
            Event::Files(FileEvent::Tree { .. } | FileEvent::Checksum { .. }) => {}
            Event::Done { request } => self.done(request),
            Event::Failed { request, error } => self.failed(request, error),
            Event::Prompt { prompt, question, .. } => self.dialogs.ask(PromptDialog::new(prompt, question)),
            Event::Log { line } => self.log.push(line),
            Event::Edit(event) => self.edit_event(event),
            Event::Bookmarks(BookmarkEvent::List { bookmarks, recent, keychain_available, problem }) => {
                self.bookmarks_arrived(bookmarks, recent, keychain_available, problem);
            }
            Event::Sync(SyncEvent::Planned { request, preview }) => self.sync_planned(request, preview),
            Event::Sync(SyncEvent::Finished { request, report }) => self.sync_finished(request, report),
            Event::Bookmarks(BookmarkEvent::ImportReport { request, imported, skipped }) => {
                self.requests.take(&request);
                let mut report =
                    format!("Imported {} site{}", imported.len(), if imported.len() == 1 { "" } else { "s" });
                for skip in &skipped {
                    report.push_str(&format!("\nSkipped {}: {}", skip.name, skip.reason));
                }
                self.status = report.lines().next().unwrap_or_default().to_string();
                self.sites.manager.set_message(Some(report));
            }
        }
    }

    /// An edit's news, told in the status line.
    fn edit_event(&mut self, event: EditEvent) {
        self.edits.apply(&event);
        match event {
            EditEvent::Opened { request, remote, .. } => {
                self.requests.take(&request);
                self.layout.show_edits();
                self.status = format!("Editing {}: each save is uploaded", crate::model::escape_control(&remote));
            }
            EditEvent::Changed { remote, state, note, .. } => {
                let remote = crate::model::escape_control(&remote);
                self.status = match note {
                    Some(note) => format!("{remote}: {note}"),
                    None => format!("{remote}: {}", state.label()),
                };
            }
            EditEvent::Closed { error: Some(error), kept, .. } => {
                let error = match kept {
                    Some(kept) => {
                        let context = format!(
                            "{}; your edited copy is kept at {}",
                            error.context,
                            crate::model::escape_control(&kept.display().to_string())
                        );
                        error.context(context)
                    }
                    None => error,
                };
                self.show_error(error, None);
            }
            EditEvent::Closed { error: None, .. } => {}
        }
    }

    /// A queue event: the window notes what it needs (a folder to list again, the restored items,
    /// a request answered), then the queue panel takes it in.
    fn queue_event(&mut self, event: QueueEvent) {
        match &event {
            QueueEvent::Restored { items, problem } => {
                self.unfinished = items.iter().map(|item| item.id).collect();
                if let Some(problem) = problem {
                    self.status = problem.to_string();
                }
            }
            QueueEvent::Changed { item } => {
                if item.state == ItemState::Done {
                    self.mark_stale(item);
                }
                if self.queue.item(item.id).map(|known| known.state) != Some(item.state)
                    && let Some(said) = announcements::transfer_ended(item)
                {
                    a11y::announce(&self.repaint, said);
                }
            }
            // A transfer the window asked for brings the queue forward; an edit's save does not
            // take the Edits tab away.
            QueueEvent::Enqueued { request, .. } => {
                // A sync's copies keep its request pending until the sync ends.
                let sync = matches!(self.requests.peek(request), Some(Pending::SyncRun { .. }));
                if sync || self.requests.take(request).is_some() {
                    self.layout.show_queue();
                }
            }
            QueueEvent::Progress { .. } | QueueEvent::Totals { .. } | QueueEvent::Cleared { .. } => {}
        }
        self.queue.apply(&event);
    }

    /// A request with nothing else to report succeeded: refresh what it changed, or say so.
    fn done(&mut self, request: RequestId) {
        match self.requests.take(&request) {
            Some(Pending::Change { target }) => self.refresh(target),
            Some(Pending::Notice(notice)) => self.status = notice,
            Some(
                Pending::Connect { .. }
                | Pending::List { .. }
                | Pending::Open { .. }
                | Pending::Reveal { .. }
                | Pending::Enqueue
                | Pending::Import
                | Pending::SyncPreview
                | Pending::SyncRun { .. },
            )
            | None => {}
        }
    }

    fn connected(
        &mut self,
        request: RequestId,
        session: SessionId,
        home: String,
        url: String,
        start: Option<String>,
        notice: Option<String>,
    ) {
        let Some(Pending::Connect { target, path }) = self.requests.take(&request) else { return };
        match target {
            Target::Local => {
                self.local_session = Some(session);
                self.local_home = home.clone();
                self.local.set_home(home.clone());
            }
            Target::Tab(id) => {
                let Some(tab) = self.tab_mut(id) else {
                    // The tab was closed while connecting.
                    self.requests.send(crate::worker::Command::Session(SessionCommand::Disconnect { session }));
                    return;
                };
                tab.session = Some(session);
                tab.connecting = None;
                tab.notice = notice;
                // A bookmark's tab keeps the bookmark's name; any other is named by its site.
                if tab.bookmark.is_none() {
                    tab.title = super::tabs::title_for_url(&url);
                }
                tab.pane.set_home(home.clone());
                let connected = format!("Connected to {}", tab.title);
                self.tab_status(id, connected);
                self.bar_follows.connected(id, &url);
                if self.tabs.get(id).is_some_and(|tab| tab.bookmark.is_some()) {
                    self.bar_follows.show_again(id);
                }
            }
        }
        // A URL's path may be relative to the login folder (`ftp://host/sub`, `sftp://host/~/sub`):
        // made absolute here, so the path bar shows where it is and Up leads out of it.
        let remote = matches!(target, Target::Tab(_));
        let path = path
            .filter(|path| !path.is_empty())
            .or(start)
            .map(|path| if remote && !path.starts_with('/') { join_remote(&home, &path) } else { path });
        self.navigate(target, path.unwrap_or(home));
    }

    fn failed(&mut self, request: RequestId, error: FerryError) {
        let pending = self.requests.take(&request);
        let error = match &pending {
            Some(Pending::Open { path, .. }) => Self::open_failed(path, error),
            _ => error,
        };
        match pending {
            Some(Pending::Connect { target: Target::Tab(id), .. }) => {
                if let Some(tab) = self.tab_mut(id) {
                    tab.connecting = None;
                    tab.pane.set_loading(false);
                }
            }
            Some(Pending::List { target }) => {
                let never_listed = self.pane_mut(target).is_some_and(|pane| {
                    pane.set_loading(false);
                    pane.listed_folder().is_none()
                });
                // A remembered local folder that is gone: open home instead of an empty pane.
                if never_listed && target == Target::Local && error.kind != ErrorKind::Cancelled {
                    let home = self.local_home.clone();
                    self.navigate(Target::Local, home);
                    return;
                }
            }
            Some(Pending::Open { target, .. } | Pending::Reveal { target, .. }) => {
                if let Some(pane) = self.pane_mut(target) {
                    pane.set_loading(false);
                }
            }
            Some(Pending::Change { target }) => self.refresh(target),
            Some(Pending::SyncPreview) => {
                self.sync_preview_failed(request, &error);
                return;
            }
            Some(Pending::SyncRun { tab }) => {
                self.refresh(Target::Local);
                self.refresh(Target::Tab(tab));
            }
            Some(
                Pending::Connect { target: Target::Local, .. }
                | Pending::Enqueue
                | Pending::Import
                | Pending::Notice(_),
            )
            | None => {}
        }
        if error.kind == ErrorKind::Cancelled {
            self.status = "Stopped".into();
            return;
        }
        // A lost connection is reported once, by the Disconnected event that comes with it.
        if error.kind == ErrorKind::ConnectionLost
            && matches!(
                pending,
                Some(
                    Pending::List { target: Target::Tab(_) }
                        | Pending::Open { target: Target::Tab(_), .. }
                        | Pending::Reveal { target: Target::Tab(_), .. }
                        | Pending::Change { .. }
                )
            )
        {
            return;
        }
        self.show_error(error, None);
    }

    fn disconnected(&mut self, session: SessionId, error: Option<FerryError>) {
        if self.local_session == Some(session) {
            self.local_session = None;
            return;
        }
        let Some(tab) = self.tabs.by_session_mut(session) else { return };
        tab.session = None;
        tab.pane.set_loading(false);
        let id = tab.id;
        match error {
            Some(error) => {
                let site = tab.title.trim_end_matches(" (disconnected)").to_string();
                a11y::announce(&self.repaint, announcements::connection_lost(&site));
                tab.title = format!("{site} (disconnected)");
                self.show_error(error, Some(id));
            }
            None => self.tab_status(id, "Disconnected".into()),
        }
    }

    /// Notes that a finished transfer changed a folder a pane shows.
    fn mark_stale(&mut self, item: &QueueItem) {
        let target = match item.direction {
            Direction::Download => {
                let folder = item.local.parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
                (folder == self.local.path()).then_some(Target::Local)
            }
            Direction::Upload => {
                let folder = parent_remote(&item.remote);
                self.tabs
                    .iter()
                    .find(|tab| {
                        tab.pane.path() == folder
                            && tab.spec.as_ref().is_some_and(|spec| {
                                spec.host == item.site.host
                                    && spec.port == item.site.port
                                    && spec.user == item.site.user
                            })
                    })
                    .map(|tab| Target::Tab(tab.id))
            }
        };
        if let Some(target) = target
            && !self.stale.iter().any(|(t, _)| *t == target)
        {
            self.stale.push((target, Instant::now()));
        }
    }

    /// Lists again the folders finished transfers changed, once they have settled.
    fn refresh_stale_panes(&mut self) {
        if self.stale.is_empty() {
            return;
        }
        let (due, waiting): (Vec<_>, Vec<_>) =
            self.stale.drain(..).partition(|(_, since)| since.elapsed() >= REFRESH_AFTER_TRANSFERS);
        self.stale = waiting;
        for (target, _) in due {
            let listing = self.requests.is_listing(target);
            if !listing {
                self.refresh(target);
            }
        }
        if !self.stale.is_empty() {
            self.repaint.request_repaint_after(REFRESH_AFTER_TRANSFERS);
        }
    }
}
