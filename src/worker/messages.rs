//! The worker's messages: the `Command`s the UI and the command line send, grouped by the service
//! that owns them, and the `Event`s, questions and log lines that come back. Imports nothing else
//! of the worker but the queue's item types.

use std::path::PathBuf;

use secrecy::SecretString;

use super::queue::{Direction, ItemId, QueueItem};
use super::queue_state::ItemAction;
use super::tree::DoomedEntry;
use crate::error::FerryError;
use crate::model::{ConnectSpec, EditId, Entry, PromptId, RequestId, SessionId};
use crate::transfer::edit::{ConflictChoice, EditState};
use crate::transfer::policy::{FileFacts, OnExists};
use crate::transfer::rate_limit::RateLimits;
use crate::trust::TrustDecision;
use crate::trust::known_hosts::HostKey;
use crate::trust::tls::RejectedCertificate;

/// What the UI or the command line asks the worker to do, grouped by the service that owns it.
/// Requests carry an id; the Events that answer them carry the same id.
#[derive(Debug)]
pub enum Command {
    /// Opening and closing connections (the browsing sessions).
    Session(SessionCommand),
    /// Working on the files of an open session.
    Files(FileCommand),
    /// The transfer queue.
    Queue(QueueCommand),
    /// Saved sites.
    Bookmarks(BookmarkCommand),
    /// The window's own state.
    Window(WindowCommand),
    /// Comparing and synchronizing a local folder with a remote one.
    Sync(SyncCommand),
    /// Remote files open in an external editor.
    Edit(EditCommand),
    /// Answer a `Prompt` event.
    Answer { prompt: PromptId, answer: Answer },
    /// Stop a running request. It ends with `Failed` of kind `Cancelled`.
    Cancel { request: RequestId },
    /// Close every connection and stop the worker.
    Shutdown,
}

/// Opening and closing connections.
#[derive(Debug)]
pub enum SessionCommand {
    /// Open and log in a connection. Answered by `Connected` or `Failed`, possibly after `Prompt`s.
    /// (Boxed: a connection's settings are many times the size of the other commands.)
    Connect { request: RequestId, spec: Box<ConnectSpec> },
    /// Connect to what a user typed: a URL, or a bookmark or ssh config alias with an optional
    /// `:path` (`myserver:/var/www`). Answered like `Connect`.
    ConnectTarget { request: RequestId, text: String },
    /// Connect with a bookmark's settings and keychain secret, as `Connect` does. Answered by
    /// `Connected` or `Failed`, possibly after `Prompt`s.
    ConnectBookmark { request: RequestId, id: crate::bookmarks::BookmarkId },
    /// Close a connection. Answered by `Disconnected`.
    Disconnect { session: SessionId },
}

/// Working on the files of an open session, on its own connection.
#[derive(Debug)]
pub enum FileCommand {
    /// List a folder. Answered by `Listing`.
    List { request: RequestId, session: SessionId, path: String },
    /// Read one entry's metadata. Answered by `Stat`.
    Stat { request: RequestId, session: SessionId, path: String },
    /// Read one entry's metadata without following a link at `path` itself (as `ls -l` shows
    /// it): a link is the link, with its target and what it leads to. Answered by `Stat`.
    StatLink { request: RequestId, session: SessionId, path: String },
    /// Create a folder. Answered by `Done`.
    MakeDir { request: RequestId, session: SessionId, path: String },
    /// Rename or move a file or folder. Answered by `Done`.
    Rename { request: RequestId, session: SessionId, from: String, to: String },
    /// Delete a file or symlink. Answered by `Done`.
    RemoveFile { request: RequestId, session: SessionId, path: String },
    /// Delete an empty folder. Answered by `Done`.
    RemoveDir { request: RequestId, session: SessionId, path: String },
    /// Set permission bits. Answered by `Done`.
    Chmod { request: RequestId, session: SessionId, path: String, mode: u32 },
    /// Delete a file, or a folder with everything in it (links are deleted, never followed).
    /// Answered by `Done`.
    RemoveTree { request: RequestId, session: SessionId, path: String },
    /// Set permission bits on a folder and everything in it (links skipped). Answered by `Done`.
    ChmodTree { request: RequestId, session: SessionId, path: String, mode: u32 },
    /// List everything a delete of `path` would remove, deleting nothing. Answered by `Tree`.
    ListTree { request: RequestId, session: SessionId, path: String },
    /// Delete exactly what a `Tree` listed, in its order. Answered by `Done`.
    RemoveListed { request: RequestId, session: SessionId, doomed: Vec<DoomedEntry> },
    /// A file's SHA-256, the server's where it offers one. Answered by `Checksum`.
    Checksum { request: RequestId, session: SessionId, path: String },
}

/// The transfer queue.
#[derive(Debug)]
pub enum QueueCommand {
    /// Plan a transfer (a file, or a folder with everything in it) into queue items and queue
    /// them. Answered by `Enqueued`; the items then report `QueueChanged` and `QueueProgress`.
    Enqueue { request: RequestId, session: SessionId, transfer: TransferRequest },
    /// Cancel, pause, resume or retry one queue item. Answered by `QueueChanged`.
    Action { item: ItemId, action: ItemAction },
    /// Remove finished items from the queue. Answered by `QueueCleared`.
    ClearFinished,
    /// Drop these items, whatever their state, without a word to any server: their local part
    /// files go, a remote part file only over an idle connection to its site that is already
    /// open (no connecting, so no question about a password or a key). Answered by `QueueCleared`.
    Forget { items: Vec<ItemId> },
    /// Change how many queue items run at once.
    SetConcurrency { limit: usize },
    /// Change the global bandwidth limits (bytes a second, `None`: no limit), down and up apart.
    /// Transfers already running slow down or speed up at once. Answered by nothing.
    SetRateLimits { limits: RateLimits },
}

/// Saved sites and their secrets.
#[derive(Debug)]
pub enum BookmarkCommand {
    /// Read the bookmark file and ask whether a keychain answers. Answered by `Bookmarks`.
    Load,
    /// Add or change a bookmark (by id); its password or key passphrase, if given, goes to the
    /// keychain, never to a file. Answered by `Bookmarks` (its `problem` tells of a secret not stored).
    Save { bookmark: Box<crate::bookmarks::Bookmark>, password: Option<SecretString> },
    /// Delete a bookmark and its secret. Answered by `Bookmarks`.
    Remove { id: crate::bookmarks::BookmarkId },
    /// Import another client's saved sites (passwords to the keychain). Answered by
    /// `ImportReport`, then `Bookmarks`; or `Failed`.
    Import { request: RequestId, path: PathBuf },
    /// Write the bookmarks to a file in Ferry's format, without secrets. Answered by `Done` or `Failed`.
    Export { request: RequestId, path: PathBuf },
}

/// Comparing and synchronizing a local folder with a remote one (either way), on pooled
/// connections to the session's site.
#[derive(Debug)]
pub enum SyncCommand {
    /// Walk both folders and plan, changing nothing. Answered by `Planned`.
    Preview { request: RequestId, session: SessionId, job: SyncJob },
    /// Plan as `Preview` does (answered first by `Planned`), queue the copies (`Enqueued`, then
    /// the items' news), and once every copy has ended, delete (with `options.delete`, and only
    /// if no copy failed). Answered by `Finished`.
    Run { request: RequestId, session: SessionId, job: SyncJob },
}

/// What to sync, and how.
#[derive(Debug, Clone)]
pub struct SyncJob {
    /// `Upload` makes the remote folder like the local one; `Download` the other way round.
    pub direction: Direction,
    /// The local folder.
    pub local: PathBuf,
    /// The remote folder.
    pub remote: String,
    pub options: crate::transfer::sync_plan::SyncOptions,
    /// Gitignore-style patterns of paths neither copied nor deleted.
    pub excludes: Vec<String>,
    /// The steps of a preview the user ticked: a run copies and deletes only these, whatever
    /// changed since. `None` runs the whole plan (the command line).
    pub approved: Option<crate::transfer::sync_approval::Approved>,
}

/// A sync's plan, and the entries of either side it would not take.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SyncPreview {
    #[serde(flatten)]
    pub plan: crate::transfer::sync_plan::SyncPlan,
    pub totals: crate::transfer::sync_plan::Totals,
    /// Names refused (`..`, `/`, control characters), links not followed, names listed twice.
    pub refused: Vec<FerryError>,
    /// The target folder, when it does not exist yet: the sync makes it (with any folder above
    /// it that is missing too) before the copies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub make_folder: Option<String>,
}

/// How a sync ended.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SyncReport {
    /// Files copied (folders created are not counted).
    pub copied: usize,
    /// Bytes of the files copied.
    pub bytes: u64,
    /// Copies that failed or were cancelled (each was reported by its queue item).
    pub failed: usize,
    /// Files and folders deleted.
    pub deleted: usize,
    /// Deletes that failed, with the reason.
    pub delete_failures: Vec<FerryError>,
    /// Deletes not done because a copy failed: a rerun does them once every copy is through.
    pub deletes_held_back: usize,
}

/// Remote files open in an external editor.
#[derive(Debug)]
pub enum EditCommand {
    /// Download `path` to a private copy, open it with `editor` (a command line, run without a
    /// shell; the desktop's opener when `None`), and upload each save through the queue.
    /// Answered by `Opened` or `Failed`; then `Changed` as it goes. With `close_with_editor`
    /// (the command line) the edit closes once the editor exits and the last save is uploaded.
    /// `diff_tool` is what "Compare" opens on a conflict (see `EditorChoice::diff_tool`).
    Open {
        request: RequestId,
        session: SessionId,
        path: String,
        editor: Option<String>,
        diff_tool: Option<String>,
        close_with_editor: bool,
    },
    /// Stop watching an edit and remove its private copy (an upload under way ends first).
    /// Answered by `Closed`.
    Close { edit: EditId },
}

/// The window's own state.
#[derive(Debug)]
pub enum WindowCommand {
    /// Write the window's remembered state (JSON) to the config folder, replacing the old one
    /// atomically. Failures are logged, not reported: the window goes on either way.
    SaveState { json: String },
}

/// What the worker tells the UI or the command line, grouped like the commands.
#[derive(Debug, Clone)]
pub enum Event {
    /// Connections opened and closed.
    Session(SessionEvent),
    /// Answers to file operations.
    Files(FileEvent),
    /// The transfer queue.
    Queue(QueueEvent),
    /// Saved sites.
    Bookmarks(BookmarkEvent),
    /// Folder syncs.
    Sync(SyncEvent),
    /// Remote files open in an external editor.
    Edit(EditEvent),
    /// A request with nothing else to report succeeded.
    Done { request: RequestId },
    /// A request failed.
    Failed { request: RequestId, error: FerryError },
    /// The worker needs the user to decide something; reply with `Command::Answer`.
    Prompt { prompt: PromptId, request: RequestId, question: Question },
    /// A line for the protocol log.
    Log { line: LogLine },
}

/// Connections opened and closed.
#[derive(Debug, Clone)]
pub enum SessionEvent {
    /// A connection is open and logged in; `home` is the folder it starts in, `start` the folder
    /// it was asked to open (a URL's path, a bookmark's remote folder), if any; `notice` what the
    /// user should know about how the connection works (SCP where the server has no SFTP).
    Connected {
        request: RequestId,
        session: SessionId,
        home: String,
        url: String,
        start: Option<String>,
        notice: Option<String>,
    },
    /// A connection closed: asked for (`error` is None) or lost.
    Disconnected { session: SessionId, error: Option<FerryError> },
}

/// Answers to file operations.
#[derive(Debug, Clone)]
pub enum FileEvent {
    /// A folder's entries.
    Listing { request: RequestId, session: SessionId, path: String, entries: Vec<Entry> },
    /// One entry's metadata.
    Stat { request: RequestId, entry: Entry },
    /// What a delete would remove, in the order it would remove it.
    Tree { request: RequestId, doomed: Vec<DoomedEntry> },
    /// A file's SHA-256 in lowercase hex, and who computed it.
    Checksum { request: RequestId, sha256: String, source: super::checksum::ChecksumSource },
}

/// The transfer queue.
#[derive(Debug, Clone)]
pub enum QueueEvent {
    /// A transfer was planned: these items are now in the queue (unsafe names among them come
    /// as `Skipped`, with the reason).
    Enqueued { request: RequestId, items: Vec<QueueItem> },
    /// A queue item changed state (started, paused, done, failed...).
    Changed { item: Box<QueueItem> },
    /// A queue item moved `bytes` of `total`, at a smoothed `speed` in bytes per second (at most
    /// about ten of these a second per item).
    Progress { item: ItemId, bytes: u64, total: Option<u64>, speed: f64, eta: Option<std::time::Duration> },
    /// The whole queue's progress (at most about ten a second).
    Totals { bytes: u64, total: u64, speed: f64, eta: Option<std::time::Duration> },
    /// These finished items were removed from the queue.
    Cleared { items: Vec<ItemId> },
    /// Items the last run left unfinished, back in the queue as paused; `problem` tells of a saved
    /// queue that could not be read (it was kept aside).
    Restored { items: Vec<QueueItem>, problem: Option<FerryError> },
}

/// Saved sites.
#[derive(Debug, Clone)]
pub enum BookmarkEvent {
    /// The bookmarks and recent connections (newest first), whether a keychain keeps passwords,
    /// and a problem to show: a bookmark file that was kept aside, or a change that failed.
    List {
        bookmarks: Vec<crate::bookmarks::Bookmark>,
        recent: Vec<String>,
        keychain_available: bool,
        problem: Option<FerryError>,
    },
    /// What an import saved (names) and left out (with reasons). A fresh `List` follows.
    ImportReport { request: RequestId, imported: Vec<String>, skipped: Vec<crate::bookmarks::import::Skipped> },
}

/// Folder syncs.
#[derive(Debug, Clone)]
pub enum SyncEvent {
    /// The plan of a `Preview` (its answer) or of a `Run` (before its copies are queued).
    Planned { request: RequestId, preview: Box<SyncPreview> },
    /// A `Run` ended: its copies have all ended, and its deletes were done or held back.
    Finished { request: RequestId, report: SyncReport },
}

/// Remote files open in an external editor.
#[derive(Debug, Clone)]
pub enum EditEvent {
    /// The file is downloaded to `local` and the editor started.
    Opened { request: RequestId, edit: EditId, remote: String, local: PathBuf },
    /// The edit's state changed; `note` says what happened (a save uploaded, an error).
    Changed { edit: EditId, remote: String, state: EditState, note: Option<String> },
    /// The edit is over. `error` is the last thing that went wrong and was not set right by a
    /// later save (a failed upload, a refused conflict); then the private copy is `kept` there,
    /// since it holds work the server does not have. Otherwise it is removed.
    Closed { request: RequestId, edit: EditId, error: Option<FerryError>, kept: Option<PathBuf> },
}

/// One line of the protocol log: what was asked of a server and what it answered. Never holds a
/// password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// When it happened.
    pub time: chrono::DateTime<chrono::Utc>,
    /// The connection it belongs to, if any.
    pub session: Option<SessionId>,
    /// Sent, received, or a note.
    pub kind: LogKind,
    /// The text, control characters escaped.
    pub text: String,
}

/// What a log line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogKind {
    /// Something Ferry asked the server.
    Command,
    /// The server's answer.
    Reply,
    /// A note from Ferry (connected, listing done...).
    Info,
    /// A failure.
    Error,
}

/// A question for the user.
#[derive(Debug, Clone)]
pub enum Question {
    /// The SSH server's key is not known: accept it? No credential has been sent yet. `via`
    /// names the site when `host` is a jump host on the way to it.
    UnknownHostKey { host: String, port: u16, key: HostKey, via: Option<String> },
    /// The TLS certificate is not trusted: accept it? No credential has been sent yet.
    UntrustedCertificate { host: String, port: u16, certificate: RejectedCertificate },
    /// The server needs a password for `url`.
    Password { url: String },
    /// The private key needs its passphrase.
    KeyPassphrase { key_file: PathBuf },
    /// A transfer's target exists: what now? Both sides' size and date are shown.
    TargetExists { item: ItemId, name: String, source: FileFacts, target: FileFacts },
    /// An edited file was saved, but the file on the server changed since it was opened: what now?
    EditConflict { edit: EditId, remote: String, opened: FileFacts, now: FileFacts },
}

/// The user's reply to a `Question`.
#[derive(Debug, Clone)]
pub enum Answer {
    /// For host keys and certificates.
    Trust(TrustDecision),
    /// For passwords and passphrases; `None` cancels.
    Secret(Option<SecretString>),
    /// For an existing target: what to do, and whether for the rest of the batch too.
    Exists { choice: OnExists, apply_to_all: bool },
    /// For an edit's conflict.
    Conflict(ConflictChoice),
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
    /// Which links on the server a recursive download follows.
    pub follow_links: crate::transfer::links::FollowLinks,
}
