//! Why a server refused a delete or a rename when its reply does not say (vsftpd's "550 Remove
//! directory operation failed.", SFTP's bare "failure"): Ferry looks, and names the real cause
//! (a folder that is not empty, a missing file or folder, a refused target folder). Likewise
//! for a look at one path that FTP answers only through another command (vsftpd's "550 Could not
//! get file size."): Ferry checks the folder, and a missing file is just "not found".

use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{file_name_remote, parent_remote};

/// Whether a failure leaves the connection unusable or was asked for: then nothing is looked up.
fn connection_failed(error: &FerryError) -> bool {
    matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout | ErrorKind::Cancelled)
}

/// Deletes an empty folder; when the server refuses, tells a folder with something in it apart.
pub(super) async fn remove_dir(backend: &mut dyn Backend, path: &str) -> Result<()> {
    let refused = match backend.remove_dir(path).await {
        Ok(()) => return Ok(()),
        Err(error) if connection_failed(&error) || error.kind == ErrorKind::NotEmpty => return Err(error),
        Err(error) => error,
    };
    match backend.list(path).await {
        Ok(entries) if !entries.is_empty() => {
            let items = crate::model::count_of(entries.len(), "item", "items");
            Err(FerryError { kind: ErrorKind::NotEmpty, ..refused }
                .context(format!("deleting folder {path}: it still holds {items}")))
        }
        Err(error) if error.kind == ErrorKind::NotFound && backend.stat(path).await.is_err() => {
            Err(FerryError { kind: ErrorKind::NotFound, ..refused }
                .context(format!("deleting folder {path}: it does not exist")))
        }
        _ => Err(refused),
    }
}

/// Renames `from` to `to`; when the server refuses without saying why, tells a missing source or
/// target folder apart from a refusal (both there, yet the server said no).
pub(super) async fn rename(backend: &mut dyn Backend, from: &str, to: &str) -> Result<()> {
    let refused = match backend.rename(from, to).await {
        Ok(()) => return Ok(()),
        Err(error) if !matches!(error.kind, ErrorKind::NotFound | ErrorKind::Protocol) => return Err(error),
        Err(error) => error,
    };
    let context = refused.context.clone();
    if backend.stat(from).await.is_err() {
        return Err(
            FerryError { kind: ErrorKind::NotFound, ..refused }.context(format!("{context}: {from} does not exist"))
        );
    }
    if backend.stat(to).await.is_ok() {
        return Err(FerryError { kind: ErrorKind::AlreadyExists, ..refused }.context(format!("{context}: {to} exists")));
    }
    let folder = parent_remote(to);
    match backend.stat(&folder).await {
        Err(_) => Err(FerryError { kind: ErrorKind::NotFound, ..refused }
            .context(format!("{context}: the folder {folder} does not exist"))),
        // Both are there and the server still said no: it does not let this account write there.
        Ok(_) => Err(FerryError { kind: ErrorKind::PermissionDenied, ..refused }),
    }
}

/// Looks at one path; when the server says no with words about another question (FTP's SIZE or
/// MLST), Ferry lists the folder: a name that is not there is plainly missing, the server's
/// reply going to the log only. A name that is there keeps the server's reply, which then matters.
pub(super) async fn stat(backend: &mut dyn Backend, path: &str) -> Result<crate::model::Entry> {
    let refused = match backend.stat(path).await {
        Err(error) if error.kind == ErrorKind::NotFound && error.server_reply.is_some() => error,
        other => return other,
    };
    let name = file_name_remote(path);
    let missing = match backend.list(&parent_remote(path)).await {
        Ok(entries) => !entries.iter().any(|entry| entry.name == name),
        Err(error) => error.kind == ErrorKind::NotFound,
    };
    if !missing {
        return Err(refused);
    }
    let reply = refused.server_reply.clone().unwrap_or_default();
    Err(FerryError::new(ErrorKind::NotFound, format!("{}: it does not exist", refused.context))
        .with_log_detail(format!("server said: {reply}")))
}
