//! The protocol transcript of the work being done: what a connection sends and receives (FTP
//! commands and replies, SFTP operations with their paths, connection and login steps), routed
//! to the window's log of the request or transfer that caused it.
//!
//! The worker runs each request and each transfer in a [`scope`] holding where its lines go; the
//! backends (and the bridge that reads suppaftp's log) call [`sent`], [`received`] and [`note`]
//! without knowing who listens. Outside a scope the lines are dropped. Callers never pass a
//! password: the FTP bridge masks `PASS` before a line gets here.

use std::sync::Arc;

/// What a transcript line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// Something sent to the server (an FTP command, an SFTP request).
    Sent,
    /// The server's answer.
    Received,
    /// A connection or login step ("host key known", "logged in with a password").
    Note,
}

/// Where the lines of one scope go.
pub type Sink = Arc<dyn Fn(Line, &str) + Send + Sync>;

tokio::task_local! {
    static SINK: Sink;
}

/// Runs `work` with its transcript going to `sink`.
pub async fn scope<F: std::future::Future>(sink: Sink, work: F) -> F::Output {
    SINK.scope(sink, work).await
}

/// The sink of the current scope, to hand to a blocking thread (libssh2 runs on one).
pub fn current() -> Option<Sink> {
    SINK.try_with(Sink::clone).ok()
}

/// Runs the blocking `work` with its transcript going to `sink`, if any.
pub fn blocking_scope<T>(sink: Option<Sink>, work: impl FnOnce() -> T) -> T {
    match sink {
        Some(sink) => SINK.sync_scope(sink, work),
        None => work(),
    }
}

fn write(line: Line, text: &str) {
    let _ = SINK.try_with(|sink| sink(line, text));
}

/// Records something sent to the server.
pub fn sent(text: &str) {
    write(Line::Sent, text);
}

/// Records the server's answer.
pub fn received(text: &str) {
    write(Line::Received, text);
}

/// Records a connection or login step.
pub fn note(text: &str) {
    write(Line::Note, text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn lines_go_to_the_scope_that_caused_them_and_nowhere_else() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let into = seen.clone();
        let sink: Sink = Arc::new(move |line, text| into.lock().unwrap().push((line, text.to_string())));
        sent("dropped: no scope");
        scope(sink.clone(), async {
            sent("LIST /pub");
            received("226 done");
        })
        .await;
        let handed = scope(sink, async { current() }).await;
        std::thread::spawn(move || blocking_scope(handed, || note("on a blocking thread"))).join().unwrap();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                (Line::Sent, "LIST /pub".to_string()),
                (Line::Received, "226 done".to_string()),
                (Line::Note, "on a blocking thread".to_string()),
            ]
        );
    }
}
