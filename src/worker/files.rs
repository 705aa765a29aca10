//! The file operations on a browsing session's own connection (list, stat, make, rename,
//! delete, permissions, and the same on whole trees), each surviving one dropped connection
//! (`reconnect.rs`). Imports the sessions, `reconnect.rs` and `tree.rs`.

use std::sync::Arc;

use super::messages::{Event, FileCommand, FileEvent};
use super::reconnect::on_session;
use super::sessions::Sessions;
use crate::error::{ErrorKind, Result};
use crate::model::{EntryKind, RequestId, SessionId};

impl FileCommand {
    /// The request it answers and the session it runs on.
    pub(super) fn ids(&self) -> (RequestId, SessionId) {
        match self {
            FileCommand::List { request, session, .. }
            | FileCommand::Stat { request, session, .. }
            | FileCommand::StatLink { request, session, .. }
            | FileCommand::MakeDir { request, session, .. }
            | FileCommand::Rename { request, session, .. }
            | FileCommand::RemoveFile { request, session, .. }
            | FileCommand::RemoveDir { request, session, .. }
            | FileCommand::Chmod { request, session, .. }
            | FileCommand::RemoveTree { request, session, .. }
            | FileCommand::ChmodTree { request, session, .. }
            | FileCommand::ListTree { request, session, .. }
            | FileCommand::RemoveListed { request, session, .. }
            | FileCommand::Checksum { request, session, .. } => (*request, *session),
        }
    }

    /// The protocol log's line for it.
    pub(super) fn log_line(&self) -> String {
        match self {
            FileCommand::List { path, .. } if path.is_empty() => "List the login folder".to_string(),
            FileCommand::List { path, .. } => format!("List {path}"),
            FileCommand::Stat { path, .. } => format!("Stat {path}"),
            FileCommand::StatLink { path, .. } => format!("Stat {path}, a link as itself"),
            FileCommand::MakeDir { path, .. } => format!("Make folder {path}"),
            FileCommand::Rename { from, to, .. } => format!("Rename {from} to {to}"),
            FileCommand::RemoveFile { path, .. } => format!("Delete {path}"),
            FileCommand::RemoveDir { path, .. } => format!("Delete folder {path}"),
            FileCommand::RemoveTree { path, .. } => format!("Delete {path} with everything in it"),
            FileCommand::Chmod { path, mode, .. } => format!("Set permissions of {path} to {mode:o}"),
            FileCommand::ChmodTree { path, mode, .. } => {
                format!("Set permissions of {path} and everything in it to {mode:o}")
            }
            FileCommand::ListTree { path, .. } => format!("List everything in {path}"),
            FileCommand::Checksum { path, .. } => format!("SHA-256 of {path}"),
            FileCommand::RemoveListed { doomed, .. } => {
                format!("Delete {}", crate::model::count_of(doomed.len(), "item", "items"))
            }
        }
    }
}

/// Does one file operation and returns the event that answers it.
pub(super) async fn run(sessions: &Arc<Sessions>, command: FileCommand) -> Result<Event> {
    let done = |request| Ok(Event::Done { request });
    match command {
        FileCommand::List { request, session, path } => {
            let entries = on_session!(sessions, request, session, |b| {
                let listed = b.list(&path).await;
                super::broken_links::explained(b, &path, listed).await
            })?;
            Ok(Event::Files(FileEvent::Listing { request, session, path, entries }))
        }
        FileCommand::Stat { request, session, path } => {
            let entry = on_session!(sessions, request, session, |b| {
                let found = super::refusals::stat(b, &path).await;
                super::broken_links::explained(b, &path, found).await
            })?;
            Ok(Event::Files(FileEvent::Stat { request, entry }))
        }
        FileCommand::StatLink { request, session, path } => {
            let entry = on_session!(sessions, request, session, |b| {
                match b.lstat(&path).await {
                    Ok(link) if link.kind == EntryKind::Symlink => Ok(link),
                    Err(error) if matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) => Err(error),
                    // Not a link, or not there: its own look gives more than a folder listing can
                    // (FTP's MDTM has seconds, a LIST line only minutes), and a missing path is
                    // plainly "not found", whatever a server's size check said.
                    _ => super::refusals::stat(b, &path).await,
                }
            })?;
            Ok(Event::Files(FileEvent::Stat { request, entry }))
        }
        FileCommand::MakeDir { request, session, path } => {
            on_session!(sessions, request, session, |b| b.mkdir(&path).await)?;
            done(request)
        }
        FileCommand::Rename { request, session, from, to } => {
            on_session!(sessions, request, session, |b| super::refusals::rename(b, &from, &to).await)?;
            done(request)
        }
        FileCommand::RemoveFile { request, session, path } => {
            on_session!(sessions, request, session, |b| b.remove_file(&path).await)?;
            done(request)
        }
        FileCommand::RemoveDir { request, session, path } => {
            on_session!(sessions, request, session, |b| super::refusals::remove_dir(b, &path).await)?;
            done(request)
        }
        FileCommand::Chmod { request, session, path, mode } => {
            on_session!(sessions, request, session, |b| b.chmod(&path, mode).await)?;
            done(request)
        }
        FileCommand::RemoveTree { request, session, path } => {
            on_session!(sessions, request, session, |b| super::tree::remove_tree(b, &path).await)?;
            done(request)
        }
        FileCommand::ChmodTree { request, session, path, mode } => {
            on_session!(sessions, request, session, |b| super::tree::chmod_tree(b, &path, mode).await)?;
            done(request)
        }
        FileCommand::ListTree { request, session, path } => {
            let doomed = on_session!(sessions, request, session, |b| super::tree::list_tree(b, &path).await)?;
            Ok(Event::Files(FileEvent::Tree { request, doomed }))
        }
        FileCommand::Checksum { request, session, path } => {
            let (sha256, source) =
                on_session!(sessions, request, session, |b| super::checksum::sha256_of(b, &path).await)?;
            Ok(Event::Files(FileEvent::Checksum { request, sha256, source }))
        }
        FileCommand::RemoveListed { request, session, doomed } => {
            on_session!(sessions, request, session, |b| super::tree::remove_listed(b, &doomed).await)?;
            done(request)
        }
    }
}
