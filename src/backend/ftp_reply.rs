//! What an FTP server's replies mean to Ferry: a suppaftp error as an error kind a user can act
//! on (keeping the server's words), and the features a FEAT reply lists.

use suppaftp::FtpError;

use super::ftp_names::UnwritableName;
use crate::error::{ErrorKind, FerryError};

/// Maps a suppaftp error to an error kind a user can act on, keeping the server's reply.
pub(super) fn ftp_error(error: FtpError, context: &str) -> FerryError {
    match error {
        FtpError::ConnectionError(io) if io.kind() == std::io::ErrorKind::InvalidInput => {
            let unwritable = io.get_ref().and_then(|inner| inner.downcast_ref::<UnwritableName>());
            let detail = match unwritable {
                Some(name) => name.to_string(),
                None => "the name holds a line break, which FTP cannot send".to_string(),
            };
            FerryError::new(ErrorKind::Protocol, context.to_string()).with_detail(detail)
        }
        // An over-long or malformed reply is the server's fault, not a local file's.
        // The library's words (suppaftp's, rustls's) go to the log; the user reads what happened.
        FtpError::ConnectionError(io) if io.kind() == std::io::ErrorKind::InvalidData => {
            FerryError::new(ErrorKind::Protocol, context.to_string())
                .with_detail("the server's reply could not be read")
                .with_log_detail(io.to_string())
        }
        FtpError::ConnectionError(io) => FerryError::from_io(&io, context.to_string()),
        FtpError::SecureError(message) => FerryError::new(ErrorKind::Protocol, context.to_string())
            .with_detail("the secure (TLS) connection could not be set up")
            .with_log_detail(message),
        FtpError::UnexpectedResponse(reply) => {
            let text = String::from_utf8_lossy(&reply.body).to_string();
            let lower = text.to_ascii_lowercase();
            let kind = match reply.status.code() {
                530 => ErrorKind::AuthFailed,
                421 | 425 | 426 => ErrorKind::ConnectionLost,
                500 | 501 | 502 | 504 => ErrorKind::Unsupported,
                // pure-ftpd refuses a rename into a folder it may not write with "451 Rename/move
                // failure: Permission denied": the words count, whatever the code.
                400..=599 if lower.contains("permission denied") => ErrorKind::PermissionDenied,
                450 | 550 if lower.contains("not empty") => ErrorKind::NotEmpty,
                // A file stored into a folder that does not exist: BSD-style daemons (inetutils
                // ftpd) answer with open(2)'s error, "553 name: No such file or directory".
                550 | 553 if names_a_missing_path(&lower) => ErrorKind::NotFound,
                550 | 553 if lower.contains("permission") || lower.contains("denied") => ErrorKind::PermissionDenied,
                553 => ErrorKind::PermissionDenied,
                550 | 450 if lower.contains("already exist") || lower.contains("file exists") => {
                    ErrorKind::AlreadyExists
                }
                550 | 450 => ErrorKind::NotFound,
                _ => ErrorKind::Protocol,
            };
            // suppaftp keeps the code at the start of the reply's text; add it only where it does not.
            let code = reply.status.code().to_string();
            let text = text.trim();
            let reply = if text.starts_with(&code) { text.to_string() } else { format!("{code} {text}") };
            FerryError::new(kind, context.to_string()).with_reply(reply)
        }
        FtpError::BadResponse => FerryError::new(ErrorKind::Protocol, context.to_string())
            .with_detail("the server's reply could not be read"),
        FtpError::InvalidAddress(e) => FerryError::new(ErrorKind::Protocol, context.to_string())
            .with_detail("the server sent an address that could not be read")
            .with_log_detail(e.to_string()),
        FtpError::DataConnectionAlreadyOpen => {
            FerryError::new(ErrorKind::Protocol, context.to_string()).with_detail("a transfer is already running")
        }
    }
}

/// Whether a (lower-cased) refusal says that the path, or a folder on the way to it, is missing.
fn names_a_missing_path(reply: &str) -> bool {
    ["no such file", "not found", "does not exist", "doesn't exist"].iter().any(|words| reply.contains(words))
}

/// The features a FEAT reply lists (RFC 2389): one per line, indented, a name and an optional value.
pub(super) fn parse_features(reply: &str) -> Vec<(String, String)> {
    reply
        .lines()
        .filter(|line| line.starts_with(' '))
        .filter_map(|line| {
            let mut parts = line.trim().splitn(2, ' ');
            let name = parts.next()?.to_string();
            Some((name, parts.next().unwrap_or("").trim().to_string()))
        })
        .collect()
}
