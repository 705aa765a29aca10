//! The edit service: remote files open in an external editor. Each edit downloads its file to a
//! private copy, starts the editor, watches the copy's folder and uploads each save through the
//! queue (so through the safe temp-and-rename path), after checking that nobody changed the file
//! on the server since it was opened. It owns the open edits and their watchers; the rules are in
//! `transfer::edit`. Imports the context, the pool, the planner and the queue.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use notify::Watcher;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::context::{WorkerContext, lock};
use super::messages::{Answer, EditCommand, EditEvent, Event, LogKind, Question, TransferRequest};
use super::pool::{ConnectionPool, is_connection_failure};
use super::queue::{Direction, ItemState, QueueItem};
use super::scheduler::QueueService;
use super::sessions::Sessions;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, EditId, Entry, EntryKind, RequestId, SessionId, escape_control};
use crate::transfer::edit::{
    ConflictChoice, EditState, LocalStamp, RemoteStamp, command_argv, conflict_copy_name, private_folder, private_name,
    theirs_name,
};
use crate::transfer::policy::{FileFacts, OnExists};

/// How long the copy must stay quiet after a change before it counts as saved: editors write in
/// several steps (a temporary file, a rename, the mode), and only the end is worth uploading.
const SAVE_SETTLE: Duration = Duration::from_millis(300);

/// The opener used when no editor is chosen: the desktop's default application for the file.
const DESKTOP_OPENER: &str = "xdg-open";

/// The open edits.
pub(super) struct EditService {
    ctx: Arc<WorkerContext>,
    sessions: Arc<Sessions>,
    pool: Arc<ConnectionPool>,
    queue: Arc<QueueService>,
    /// How to tell each open edit to close.
    open: Mutex<HashMap<EditId, mpsc::UnboundedSender<()>>>,
}

impl EditService {
    pub(super) fn new(
        ctx: Arc<WorkerContext>,
        sessions: Arc<Sessions>,
        pool: Arc<ConnectionPool>,
        queue: Arc<QueueService>,
    ) -> Self {
        EditService { ctx, sessions, pool, queue, open: Mutex::new(HashMap::new()) }
    }

    /// Takes one edit command.
    pub(super) fn handle(self: &Arc<Self>, command: EditCommand) {
        match command {
            EditCommand::Open { request, session, path, editor, diff_tool, close_with_editor } => {
                let service = self.clone();
                let tools = Tools { editor, diff_tool };
                tokio::spawn(async move {
                    service.run(request, session, path, tools, close_with_editor).await;
                });
            }
            EditCommand::Close { edit } => {
                if let Some(close) = lock(&self.open).get(&edit) {
                    let _ = close.send(());
                }
            }
        }
    }

    /// Removes the private folders a crash left whose copies the server already has, and lists
    /// in the log those holding work it may not have (a new edit of such a file refuses, naming
    /// the copy). Folders of edits running in this or another Ferry are locked, and left alone.
    pub(super) async fn sweep_leftovers(&self) {
        let root = self.ctx.config.edits();
        let Ok(swept) = tokio::task::spawn_blocking(move || super::edit_copy::sweep(&root)).await else { return };
        if swept.removed > 0 {
            tracing::info!(target: "ferry::edit", "removed {} edit copies the server already had", swept.removed);
        }
        for (copy, remote) in swept.kept {
            self.ctx.log(
                None,
                LogKind::Error,
                format!(
                    "An edit of {remote} ended without uploading its last changes (Ferry was closed or                      stopped): the copy is kept at {}; upload or move it, then edit the file again",
                    copy.display()
                ),
            );
        }
    }

    /// One edit from its download to its close.
    async fn run(
        self: Arc<Self>,
        request: RequestId,
        session: SessionId,
        remote: String,
        tools: Tools,
        close_with_editor: bool,
    ) {
        let id = EditId(self.ctx.ids.next());
        let (changes, mut changed) = mpsc::unbounded_channel();
        let opened = self.open_edit(id, request, session, remote, tools).await.and_then(|edit| {
            let started = watch(&edit.local, changes)
                .and_then(|watcher| Ok((watcher, start_tool(edit.tools.editor.as_deref(), &[&edit.local])?)));
            match started {
                Ok((watcher, editor)) => Ok((edit, watcher, editor)),
                Err(error) => {
                    // Nothing was edited yet: the copy is only the server's bytes.
                    let _ = std::fs::remove_dir_all(&edit.folder);
                    Err(error)
                }
            }
        });
        let (mut edit, _watcher, mut editor_exit) = match opened {
            Ok(opened) => opened,
            Err(error) => {
                self.ctx.log(None, LogKind::Error, error.log_text());
                self.ctx.events.send(Event::Failed { request, error });
                return;
            }
        };
        let (close, mut closing) = mpsc::unbounded_channel();
        lock(&self.open).insert(id, close);
        self.ctx.events.send(Event::Edit(EditEvent::Opened {
            request,
            edit: id,
            remote: edit.remote.clone(),
            local: edit.local.clone(),
        }));
        self.ctx.log(None, LogKind::Info, format!("Editing {} as {}", edit.remote, edit.local.display()));
        self.state(&edit, EditState::Watching, None);
        let mut settle_at: Option<Instant> = None;
        let mut editor_running = true;
        // An editor that ended with a failure is the edit's outcome unless a save failed too.
        let mut editor_failure = None;
        // One save is handled at a time, in this loop: a save made while one uploads is seen
        // after it (its change waits in the channel), so one file never has two uploads at once.
        loop {
            tokio::select! {
                Some(()) = changed.recv() => settle_at = Some(Instant::now() + SAVE_SETTLE),
                () = sleep_until(settle_at), if settle_at.is_some() => {
                    settle_at = None;
                    self.upload_if_saved(&mut edit).await;
                }
                exit = &mut editor_exit, if editor_running => {
                    editor_running = false;
                    match exit {
                        Ok(Ok(status)) if status.success() => {
                            self.ctx.log(None, LogKind::Info, format!("The editor closed: {}", edit.remote));
                        }
                        Ok(Ok(status)) => {
                            let error = FerryError::new(
                                ErrorKind::LocalIo,
                                format!(
                                    "the editor of {} ended with a failure ({status}); saves made before it                                      ended were uploaded",
                                    escape_control(&edit.remote)
                                ),
                            );
                            self.ctx.log(None, LogKind::Error, error.log_text());
                            editor_failure = Some(error);
                        }
                        _ => self.ctx.log(None, LogKind::Info, format!("The editor could not be waited for: {}", edit.remote)),
                    }
                    if close_with_editor {
                        break;
                    }
                }
                _ = closing.recv() => break,
            }
        }
        // A save the settling time had not yet let through is uploaded before the edit ends.
        self.upload_if_saved(&mut edit).await;
        lock(&self.open).remove(&id);
        // A copy whose last save did not reach the server is the only place that work lives.
        let kept = edit.error.is_some().then(|| edit.local.clone());
        if kept.is_none()
            && let Err(error) = std::fs::remove_dir_all(&edit.folder)
        {
            tracing::warn!(target: "ferry::edit", "could not remove {}: {error}", edit.folder.display());
        }
        let error = edit.error.take().or(editor_failure);
        self.ctx.events.send(Event::Edit(EditEvent::Closed { request, edit: id, error, kept }));
    }

    /// Downloads the file to its private copy and records what the server had.
    async fn open_edit(
        &self,
        id: EditId,
        request: RequestId,
        session: SessionId,
        remote: String,
        tools: Tools,
    ) -> Result<Edit> {
        let site = self.sessions.spec(session)?;
        if self.stat(&site, request, &remote).await?.kind == EntryKind::Dir {
            return Err(FerryError::new(
                ErrorKind::Unsupported,
                format!("{remote} is a folder: only files can be opened in an editor"),
            ));
        }
        let folder = private_folder(&self.ctx.config.edits(), &site.display_url(), &remote);
        let local = folder.join(private_name(&remote));
        if std::fs::symlink_metadata(&local).is_ok() {
            // Open in another edit, or kept by one whose last save never reached the server:
            // downloading over it, or removing its folder on a failure, would lose that work.
            return Err(FerryError::new(
                ErrorKind::AlreadyExists,
                format!(
                    "{} is open in an editor already, or an earlier edit kept your copy at {}: upload or \
                     move that copy, then edit again",
                    crate::model::escape_control(&remote),
                    local.display()
                ),
            ));
        }
        crate::config::create_private_dir_all(&folder)
            .map_err(|e| FerryError::from_io(&e, format!("creating the private folder {}", folder.display())))?;
        // Held while the edit runs: the sweep at the next start (or in another Ferry) leaves it be.
        let lock = super::edit_copy::lock_folder(&folder)?;
        let mut edit = Edit {
            id,
            request,
            site,
            remote,
            folder,
            local,
            tools,
            remote_stamp: RemoteStamp::default(),
            synced: None,
            error: None,
            _lock: lock,
        };
        match self.download(&mut edit).await {
            Ok(()) => Ok(edit),
            Err(error) => {
                let _ = std::fs::remove_dir_all(&edit.folder);
                // The download's own words name the file and what went wrong.
                Err(error)
            }
        }
    }

    /// Fetches the server's version over the private copy.
    async fn download(&self, edit: &mut Edit) -> Result<()> {
        let remote = edit.remote.clone();
        // The planner stats the file before it is fetched: a change after that is a conflict at
        // the next save, never one missed.
        let item = self.transfer(edit, Direction::Download, &remote, &edit.local).await?;
        let synced = read_stamp(&edit.local)?;
        edit.remote_stamp = RemoteStamp { size: item.size, modified: item.modified, sha256: Some(synced.sha256()) };
        edit.synced = Some(synced);
        self.record(edit, synced);
        Ok(())
    }

    /// Uploads the copy if its bytes changed since they were last synced, unless the server's
    /// file changed meanwhile and the user does not choose to replace it.
    async fn upload_if_saved(&self, edit: &mut Edit) {
        let saved = match LocalStamp::read(&edit.local) {
            Ok(stamp) => stamp,
            // Between an editor's delete and its rename: the next change brings the file back.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return,
            Err(error) => {
                self.failed(edit, FerryError::from_io(&error, format!("reading {}", edit.local.display())));
                return;
            }
        };
        if edit.synced == Some(saved) {
            return;
        }
        let now = match self.remote_now(&edit.site, edit.request, &edit.remote).await {
            Ok(stamp) => Some(stamp),
            // Deleted on the server since it was opened: that is someone else's change too.
            Err(error) if error.kind == ErrorKind::NotFound => None,
            Err(error) => return self.failed(edit, error),
        };
        let mut target = edit.remote.clone();
        if now.is_none_or(|now| edit.remote_stamp.changed_in(&now)) {
            self.state(edit, EditState::Conflict, None);
            let question = Question::EditConflict {
                edit: edit.id,
                remote: edit.remote.clone(),
                opened: facts(edit.remote_stamp),
                now: now.map(facts).unwrap_or_default(),
            };
            // "Compare" shows both versions and asks again; any other answer ends the question.
            let mut answer = self.ctx.ask(edit.request, question.clone()).await;
            while let Some(Answer::Conflict(ConflictChoice::Compare)) = answer {
                if let Err(error) = self.compare(edit).await {
                    self.ctx.log(None, LogKind::Error, error.log_text());
                    self.state(edit, EditState::Conflict, Some(error.to_string()));
                }
                answer = self.ctx.ask(edit.request, question.clone()).await;
            }
            match answer {
                Some(Answer::Conflict(ConflictChoice::Overwrite)) => {}
                Some(Answer::Conflict(ConflictChoice::SaveAsNew)) => {
                    target = conflict_copy_name(&edit.remote, Utc::now())
                }
                Some(Answer::Conflict(ConflictChoice::ReloadTheirs)) => {
                    return match self.download(edit).await {
                        Ok(()) => self.state(edit, EditState::Watching, Some("reloaded the server's version".into())),
                        Err(error) => self.failed(edit, error),
                    };
                }
                Some(
                    Answer::Conflict(ConflictChoice::Refuse | ConflictChoice::Compare)
                    | Answer::Trust(_)
                    | Answer::Secret(_)
                    | Answer::Exists { .. },
                )
                | None => {
                    // This save is not asked about again; the next one is.
                    edit.synced = Some(saved);
                    let error = FerryError::new(
                        ErrorKind::EditConflict,
                        format!(
                            "{} was changed on the server since it was opened; your save was not uploaded, and the \
                             server's version was kept (your copy: {})",
                            edit.remote,
                            edit.local.display()
                        ),
                    );
                    return self.failed(edit, error);
                }
            }
        }
        self.state(edit, EditState::Uploading, None);
        match self.transfer(edit, Direction::Upload, &target, &edit.local).await {
            Ok(item) => {
                edit.remote = target;
                edit.synced = Some(saved);
                edit.error = None;
                // What the server has now is what the next save compares with, as the server
                // tells it (its size, date and own hash): not the save's hash, since the editor
                // may have saved again while the copy went up, and the bytes sent were the newer.
                edit.remote_stamp = match self.remote_now(&edit.site, edit.request, &edit.remote).await {
                    Ok(stamp) => stamp,
                    Err(_) => RemoteStamp { size: item.size, ..RemoteStamp::default() },
                };
                self.record(edit, saved);
                let size = item.size.map(crate::transfer::progress::format_bytes).unwrap_or_default();
                self.state(edit, EditState::Watching, Some(format!("uploaded {size}")));
            }
            Err(error) => self.failed(edit, error),
        }
    }

    /// Downloads the server's version beside the copy and opens both in the diff tool, or
    /// theirs alone in the editor when no diff tool is set.
    async fn compare(&self, edit: &Edit) -> Result<()> {
        let theirs = edit.folder.join(theirs_name(&private_name(&edit.remote)));
        self.transfer(edit, Direction::Download, &edit.remote, &theirs).await?;
        let _exit = match edit.tools.diff_tool.as_deref() {
            Some(diff) => start_tool(Some(diff), &[&edit.local, &theirs])?,
            None => start_tool(edit.tools.editor.as_deref(), &[&theirs])?,
        };
        self.ctx.log(
            None,
            LogKind::Info,
            format!("The server's version of {} is at {}", edit.remote, theirs.display()),
        );
        Ok(())
    }

    /// Notes what the server now has beside the copy, for the sweep after a crash.
    fn record(&self, edit: &Edit, synced: LocalStamp) {
        let remote = format!("{}{}", edit.site.display_url(), edit.remote);
        if let Err(error) = super::edit_copy::write_record(&edit.folder, &remote, synced) {
            tracing::warn!(target: "ferry::edit", "{error}");
        }
    }

    /// The remote file as it is now: its size and date, and its SHA-256 where the server
    /// computes one (no bytes cross), all on one pooled connection.
    async fn remote_now(&self, site: &ConnectSpec, request: RequestId, path: &str) -> Result<RemoteStamp> {
        let mut tries = 0;
        loop {
            tries += 1;
            let mut backend = self.pool.checkout(&self.ctx, request, site).await?;
            let mut stamp = backend.stat(path).await.map(|entry| RemoteStamp::of(&entry));
            if let Ok(listed) = stamp {
                // A server that cannot say is judged by size and date; a lost connection is
                // found by the next step anyway.
                let sum = backend.checksum_sha256(path).await.ok().flatten();
                stamp = Ok(listed.with_server_hash(sum.as_deref()));
            }
            self.pool.put_back(site, backend, &stamp);
            match stamp {
                Err(error) if tries < 2 && is_connection_failure(&error) => continue,
                stamp => return stamp,
            }
        }
    }

    /// Moves the file between `remote` and `local` through the queue and waits for the item to end.
    async fn transfer(&self, edit: &Edit, direction: Direction, remote: &str, local: &Path) -> Result<QueueItem> {
        let transfer = TransferRequest {
            direction,
            local: local.to_path_buf(),
            remote: remote.to_string(),
            recursive: false,
            on_exists: OnExists::Overwrite,
            verify: false,
            follow_links: Default::default(),
        };
        let planned =
            super::planner::plan(&self.ctx, &self.pool, edit.request, edit.site.clone(), transfer).await?.into_iter();
        let Some(item) = planned.last() else {
            return Err(FerryError::new(ErrorKind::NotFound, format!("{remote}: nothing to transfer")));
        };
        let (_, ending) = self.queue.enqueue_watched(edit.request, item);
        let ended = ending
            .await
            .map_err(|_| FerryError::new(ErrorKind::Cancelled, format!("the transfer of {remote} left the queue")))?;
        match ended.state {
            ItemState::Done => Ok(ended),
            ItemState::Cancelled => {
                Err(FerryError::new(ErrorKind::Cancelled, format!("the transfer of {remote} was cancelled")))
            }
            ItemState::Queued | ItemState::Running | ItemState::Paused | ItemState::Failed | ItemState::Skipped => {
                Err(ended.error.unwrap_or_else(|| {
                    FerryError::new(ErrorKind::Protocol, format!("the transfer of {remote} did not finish"))
                }))
            }
        }
    }

    /// A remote entry, on a pooled connection (a fresh one if the spare was dead).
    async fn stat(&self, site: &ConnectSpec, request: RequestId, path: &str) -> Result<Entry> {
        let mut tries = 0;
        loop {
            tries += 1;
            let mut backend = self.pool.checkout(&self.ctx, request, site).await?;
            let entry = backend.stat(path).await;
            self.pool.put_back(site, backend, &entry);
            match entry {
                Err(error) if tries < 2 && is_connection_failure(&error) => continue,
                entry => return entry,
            }
        }
    }

    fn failed(&self, edit: &mut Edit, error: FerryError) {
        self.ctx.log(None, LogKind::Error, error.log_text());
        self.state(edit, EditState::Failed, Some(error.to_string()));
        edit.error = Some(error);
    }

    fn state(&self, edit: &Edit, state: EditState, note: Option<String>) {
        self.ctx.events.send(Event::Edit(EditEvent::Changed {
            edit: edit.id,
            remote: edit.remote.clone(),
            state,
            note,
        }));
    }
}

/// One open edit.
struct Edit {
    id: EditId,
    /// The request that opened it: its questions and its queue items carry this id.
    request: RequestId,
    site: ConnectSpec,
    remote: String,
    /// The private folder, removed with everything in it when the edit closes.
    folder: PathBuf,
    /// The private copy the editor works on.
    local: PathBuf,
    /// The editor and the diff tool it was opened with.
    tools: Tools,
    /// The remote file as last downloaded or uploaded.
    remote_stamp: RemoteStamp,
    /// The copy's bytes as last downloaded or uploaded.
    synced: Option<LocalStamp>,
    /// The last failure that no later save set right.
    error: Option<FerryError>,
    /// Held while the edit runs (see `edit_copy`).
    _lock: super::edit_copy::FolderLock,
}

/// The commands an edit opens files with: `None` is the desktop's opener, and no diff tool.
struct Tools {
    editor: Option<String>,
    diff_tool: Option<String>,
}

fn read_stamp(local: &Path) -> Result<LocalStamp> {
    LocalStamp::read(local).map_err(|e| FerryError::from_io(&e, format!("reading {}", local.display())))
}

fn facts(stamp: RemoteStamp) -> FileFacts {
    FileFacts { size: stamp.size, modified: stamp.modified, precision: None }
}

/// Sleeps until `at` (never called without one: the `select!` guards it).
async fn sleep_until(at: Option<Instant>) {
    tokio::time::sleep_until(at.unwrap_or_else(Instant::now)).await;
}

/// Watches the copy's folder, not the file: an editor that saves by writing a new file and
/// renaming it over the old one (vim, VS Code, gedit) replaces the file a watch would follow.
/// Only writes to the copy's own name count; reads (Ferry's own, to hash it) do not.
fn watch(local: &Path, changes: mpsc::UnboundedSender<()>) -> Result<notify::RecommendedWatcher> {
    use notify::event::{AccessKind, AccessMode, EventKind};
    let name: OsString = local.file_name().map(OsString::from).unwrap_or_default();
    let folder = local.parent().unwrap_or_else(|| Path::new(".")).to_path_buf();
    let watching = |e: notify::Error| {
        FerryError::new(ErrorKind::LocalIo, format!("watching {} for saves", folder.display()))
            .with_detail(e.to_string())
    };
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let is_write = matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Access(AccessKind::Close(AccessMode::Write))
        );
        if is_write && event.paths.iter().any(|path| path.file_name() == Some(name.as_os_str())) {
            let _ = changes.send(());
        }
    })
    .map_err(watching)?;
    watcher.watch(&folder, notify::RecursiveMode::NonRecursive).map_err(watching)?;
    Ok(watcher)
}

/// Starts the editor (or the diff tool) on `files`, without a shell, and returns what its exit
/// will be.
fn start_tool(
    command: Option<&str>,
    files: &[&Path],
) -> Result<oneshot::Receiver<std::io::Result<std::process::ExitStatus>>> {
    let command = command.unwrap_or(DESKTOP_OPENER);
    let argv = command_argv(command, files)?;
    let (program, arguments) =
        argv.split_first().ok_or_else(|| FerryError::new(ErrorKind::Unsupported, "no editor"))?;
    let what = if files.len() > 1 { "the diff tool" } else { "the editor" };
    let mut child = std::process::Command::new(program).args(arguments).spawn().map_err(|e| {
        FerryError::from_io(&e, format!("starting {what} {}", escape_control(&program.to_string_lossy())))
    })?;
    let (exit, exited) = oneshot::channel();
    std::thread::spawn(move || {
        let _ = exit.send(child.wait());
    });
    Ok(exited)
}
