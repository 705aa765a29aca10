//! Errors with a kind a user can act on, the context of what Ferry was doing, and the server's own words.

use std::fmt;

use serde::{Deserialize, Serialize};

/// What went wrong, in the terms a user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ErrorKind {
    /// The server refused the user name, password, key or passphrase.
    AuthFailed,
    /// The SSH server's host key is not in any known_hosts file and was not accepted.
    HostKeyUnknown,
    /// The SSH server's host key differs from the one on record: possibly an attack.
    HostKeyChanged,
    /// The TLS certificate does not chain to a trusted root and was not accepted.
    CertificateUntrusted,
    /// The file or folder does not exist.
    NotFound,
    /// The server or the local system refused access.
    PermissionDenied,
    /// Something already exists under that name.
    AlreadyExists,
    /// A folder could not be deleted because something is still in it.
    NotEmpty,
    /// The connection dropped or could not be made.
    ConnectionLost,
    /// The host name does not resolve to any address (a typo, or no network to ask).
    HostNotFound,
    /// The host answered that nothing accepts connections on that port (or a firewall refused).
    ConnectionRefused,
    /// The server stopped answering in time.
    Timeout,
    /// The protocol or the server cannot do this.
    Unsupported,
    /// The server answered something Ferry did not expect, or input was malformed.
    Protocol,
    /// The user cancelled the operation.
    Cancelled,
    /// A local file could not be read or written.
    LocalIo,
    /// The server sent more than Ferry accepts (a listing, a folder tree): the error names the limit.
    TooLarge,
    /// A file changed on the server while it was transferred (it grew past its announced size).
    FileChanged,
    /// A file open in an editor changed on the server since it was opened: a save was not
    /// uploaded over it.
    EditConflict,
    /// After a transfer, the copy's SHA-256 differs from the original's (a resumed file whose
    /// beginning was another file's, or bytes damaged on the way).
    CopiesDiffer,
    /// A link leads round to itself (`a -> b`, `b -> a`): there is nothing at its end to open.
    LinkLoop,
    /// A link whose target does not exist (a dangling link).
    LinkToNothing,
    /// A run of several items ended with problems of different causes, each told where it
    /// happened: no single kind says them all.
    Incomplete,
    /// The proxy between Ferry and the server refused the login or the connection, or answered
    /// something that is not its protocol: the error names the proxy, not the server.
    ProxyFailed,
}

impl ErrorKind {
    /// A short plain-words label, as shown in the UI and the command line.
    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::AuthFailed => "authentication failed",
            ErrorKind::HostKeyUnknown => "unknown host key",
            ErrorKind::HostKeyChanged => "HOST KEY CHANGED",
            ErrorKind::CertificateUntrusted => "untrusted certificate",
            ErrorKind::NotFound => "not found",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::NotEmpty => "folder not empty",
            ErrorKind::ConnectionLost => "connection lost",
            ErrorKind::HostNotFound => "host not found",
            ErrorKind::ConnectionRefused => "connection refused",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Unsupported => "not supported",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::LocalIo => "local file error",
            ErrorKind::TooLarge => "over Ferry's limit",
            ErrorKind::FileChanged => "file changed during the transfer",
            ErrorKind::EditConflict => "changed on the server",
            ErrorKind::CopiesDiffer => "the two copies differ",
            ErrorKind::LinkLoop | ErrorKind::LinkToNothing => "broken link",
            ErrorKind::Incomplete => "not all done",
            ErrorKind::ProxyFailed => "proxy failed",
        }
    }
}

/// An error: its kind, what Ferry was doing, the server's reply where there was one, and Ferry's
/// (or the system's) own explanation where there is one. Only `server_reply` is shown as what the
/// server said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct FerryError {
    /// What went wrong.
    pub kind: ErrorKind,
    /// What Ferry was doing, in plain words ("listing /var/www").
    pub context: String,
    /// The server's own words, when there are some: shown as "server said".
    pub server_reply: Option<String>,
    /// Ferry's, the system's or a library's own explanation (an I/O error, a TLS verdict): never
    /// shown as the server's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A library's own code and message (libssh2's `[Session(-7)] …`, an SFTP status number):
    /// for the log and a bug report, never in the line a user reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_detail: Option<String>,
}

impl FerryError {
    /// An error of `kind` while doing `context`.
    pub fn new(kind: ErrorKind, context: impl Into<String>) -> Self {
        FerryError { kind, context: context.into(), server_reply: None, detail: None, log_detail: None }
    }

    /// Adds the server's own words (a reply it sent). Ferry's or the system's words go in
    /// [`FerryError::with_detail`].
    pub fn with_reply(mut self, reply: impl Into<String>) -> Self {
        let reply = reply.into();
        let trimmed = reply.trim();
        if !trimmed.is_empty() {
            self.server_reply = Some(crate::model::escape_control(trimmed));
        }
        self
    }

    /// Adds Ferry's, the system's or a library's explanation (not the server's words).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let trimmed = detail.trim();
        if !trimmed.is_empty() {
            self.detail = Some(crate::model::escape_control(trimmed));
        }
        self
    }

    /// Adds a library's code and message for the log only (see [`FerryError::log_text`]).
    pub fn with_log_detail(mut self, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        let trimmed = detail.trim();
        if !trimmed.is_empty() {
            self.log_detail = Some(crate::model::escape_control(trimmed));
        }
        self
    }

    /// The error as the log records it: the line a user reads, then the library's own words.
    pub fn log_text(&self) -> String {
        match &self.log_detail {
            Some(detail) => format!("{self} [{detail}]"),
            None => self.to_string(),
        }
    }

    /// Replaces the context, keeping kind and reply: used where a caller knows better what was being done.
    pub fn context(mut self, context: impl Into<String>) -> Self {
        self.context = context.into();
        self
    }

    /// Maps a local I/O error, keeping NotFound/PermissionDenied/AlreadyExists apart.
    pub fn from_io(error: &std::io::Error, context: impl Into<String>) -> Self {
        use std::io::ErrorKind as Io;
        let kind = match error.kind() {
            Io::NotFound => ErrorKind::NotFound,
            Io::PermissionDenied => ErrorKind::PermissionDenied,
            Io::AlreadyExists => ErrorKind::AlreadyExists,
            Io::TimedOut => ErrorKind::Timeout,
            Io::ConnectionRefused => ErrorKind::ConnectionRefused,
            Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe | Io::UnexpectedEof | Io::NotConnected => {
                ErrorKind::ConnectionLost
            }
            Io::Unsupported => ErrorKind::Unsupported,
            _ => ErrorKind::LocalIo,
        };
        // "Connection reset by peer (os error 104)": the words are the system's and plain; the
        // number is for the log.
        let text = error.to_string();
        let plain = match text.rfind(" (os error ") {
            Some(at) if text.ends_with(')') => text[..at].to_string(),
            _ => text.clone(),
        };
        let error = FerryError::new(kind, context).with_detail(&plain);
        if plain == text { error } else { error.with_log_detail(text) }
    }
}

impl fmt::Display for FerryError {
    /// One line, in plain words, with control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The context may hold a name a server chose: never let it drive a terminal or split a log line.
        write!(f, "{}: {}", self.kind.label(), crate::model::escape_control(&self.context))?;
        if let Some(reply) = &self.server_reply {
            write!(f, " (server said: {reply})")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

/// Ferry's result type.
pub type Result<T, E = FerryError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_error_numbers_and_library_codes_go_to_the_log_only() {
        let reset = std::io::Error::from_raw_os_error(104);
        let error = FerryError::from_io(&reset, "downloading /srv/a.txt");
        assert_eq!(error.kind, ErrorKind::ConnectionLost);
        assert_eq!(error.to_string(), "connection lost: downloading /srv/a.txt (Connection reset by peer)");
        assert!(error.log_text().ends_with("[Connection reset by peer (os error 104)]"), "{}", error.log_text());
        let plain = FerryError::new(ErrorKind::NotFound, "reading x");
        assert_eq!(plain.log_text(), plain.to_string());
    }

    #[test]
    fn display_escapes_names_a_server_chose() {
        let error = FerryError::new(ErrorKind::NotFound, "downloading /srv/\u{1b}[2Jevil\nname")
            .with_reply("550 \u{1b}[31mno\r");
        let shown = error.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains("\\u{1b}[2Jevil\\nname"), "{shown}");
    }
}
