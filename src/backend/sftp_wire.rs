//! The SFTP backend's lines in the protocol transcript (the window's log) and the log file:
//! each request with its path, the server's answer, and the connection's steps.

use crate::error::Result;
use crate::transcript::{self, Line};

fn write(line: Line, text: &str) {
    let text = crate::model::escape_control(text);
    tracing::debug!(target: "ferry::sftp::wire", "{line:?}: {text}");
    match line {
        Line::Sent => transcript::sent(&text),
        Line::Received => transcript::received(&text),
        Line::Note => transcript::note(&text),
    }
}

/// A request sent: "STAT /srv/a.txt".
pub(super) fn sent(text: &str) {
    write(Line::Sent, text);
}

/// The answer to the last request: "OK", or libssh2's code and words for a refusal.
pub(super) fn answered<T>(outcome: &Result<T>) {
    let answer = match outcome {
        Ok(_) => "OK",
        Err(error) => error.log_detail.as_deref().unwrap_or(error.kind.label()),
    };
    write(Line::Received, answer);
}

/// A connection step: "host key … accepted".
pub(super) fn note(text: &str) {
    write(Line::Note, text);
}
