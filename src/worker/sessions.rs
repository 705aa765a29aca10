//! The browsing sessions: one connection per open tab, one operation at a time on each, a
//! keep-alive on an idle one, and closing one that was lost (the UI then offers to reconnect).
//! Imports the context and the pool (to let a dead connection go); reconnecting a lost one for
//! a request is in `reconnect.rs`, a quiet reconnect after a failed keep-alive is here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use super::context::{WorkerContext, lock};
use super::messages::{Event, LogKind, SessionEvent};
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, SessionId};

/// One open connection. The mutex serialises requests on it: one operation at a time.
type SessionConnection = Arc<tokio::sync::Mutex<Box<dyn Backend>>>;

/// A browsing session: its connection, and how it was made (with the password given), so the
/// queue can open more connections to the same site.
struct Session {
    connection: SessionConnection,
    spec: ConnectSpec,
}

/// The open browsing sessions.
pub(super) struct Sessions {
    pub(super) ctx: Arc<WorkerContext>,
    open: Mutex<HashMap<SessionId, Session>>,
}

fn closed() -> FerryError {
    FerryError::new(ErrorKind::ConnectionLost, "that connection is closed")
}

impl Sessions {
    pub(super) fn new(ctx: Arc<WorkerContext>) -> Self {
        Sessions { ctx, open: Mutex::new(HashMap::new()) }
    }

    /// Adds a session for a new connection and starts its keep-alive timer.
    pub(super) fn add(self: &Arc<Self>, backend: Box<dyn Backend>, spec: ConnectSpec) -> SessionId {
        let session = SessionId(self.ctx.ids.next());
        let connection: SessionConnection = Arc::new(tokio::sync::Mutex::new(backend));
        lock(&self.open).insert(session, Session { connection: connection.clone(), spec });
        tokio::spawn(keep_alive(self.clone(), session, Arc::downgrade(&connection)));
        session
    }

    /// Waits for a session to be free and takes it for one operation.
    pub(super) async fn lock_session(
        &self,
        session: SessionId,
    ) -> Result<tokio::sync::OwnedMutexGuard<Box<dyn Backend>>> {
        let connection = lock(&self.open).get(&session).map(|s| s.connection.clone()).ok_or_else(closed)?;
        Ok(connection.lock_owned().await)
    }

    /// How the session's connection was made.
    pub(super) fn spec(&self, session: SessionId) -> Result<ConnectSpec> {
        lock(&self.open).get(&session).map(|s| s.spec.clone()).ok_or_else(closed)
    }

    /// The open sessions.
    pub(super) fn ids(&self) -> Vec<SessionId> {
        lock(&self.open).keys().copied().collect()
    }

    /// Passes an outcome through; a lost connection also closes the session and tells the UI,
    /// which can offer to reconnect.
    pub(super) fn close_if_lost<T>(&self, session: SessionId, outcome: Result<T>) -> Result<T> {
        if let Err(error) = &outcome
            && error.kind == ErrorKind::ConnectionLost
        {
            self.remove(session, Some(error.clone()));
        }
        outcome
    }

    /// Removes a session and reports it closed (`error` says why, if it was not asked for).
    fn remove(&self, session: SessionId, error: Option<FerryError>) -> Option<SessionConnection> {
        let removed = lock(&self.open).remove(&session);
        if removed.is_some() {
            self.ctx.events.send(Event::Session(SessionEvent::Disconnected { session, error }));
        }
        removed.map(|s| s.connection)
    }

    /// Closes a session: reports it closed, then logs out once its current operation is over.
    pub(super) async fn close(&self, session: SessionId, error: Option<FerryError>) {
        if let Some(connection) = self.remove(session, error) {
            let mut guard = connection.lock().await;
            if let Err(error) = guard.disconnect().await {
                tracing::debug!(target: "ferry::worker", "disconnect: {error}");
            }
        }
    }
}

impl Sessions {
    /// Puts a fresh connection in place of a session's connection that a keep-alive found dead,
    /// without a word to the user: the session, its pane and its folder stay as they are. Only the
    /// login that worked is used, and nothing is asked (a question nobody requested would pop up
    /// out of nowhere); returns false if that does not connect, and the caller reports the loss.
    async fn reopen_quietly(&self, session: SessionId, connection: &mut Box<dyn Backend>) -> bool {
        let Ok(spec) = self.spec(session) else { return false };
        match crate::backend::connect(&spec, self.ctx.trust.clone(), &self.ctx.settings).await {
            Ok(fresh) => {
                super::pool::close_quietly(std::mem::replace(connection, fresh));
                self.ctx.log(Some(session), LogKind::Info, "The idle connection was lost; connected again");
                true
            }
            Err(error) => {
                tracing::info!(target: "ferry::worker", "session {}: connecting again failed: {error:?}", session.0);
                false
            }
        }
    }
}

/// Sends a keep-alive on an idle connection every interval, until the session is gone. A busy
/// connection is skipped: its own traffic keeps it alive.
async fn keep_alive(
    sessions: Arc<Sessions>,
    session: SessionId,
    connection: Weak<tokio::sync::Mutex<Box<dyn Backend>>>,
) {
    let mut ticks = tokio::time::interval(sessions.ctx.settings.keep_alive_interval);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(connection) = connection.upgrade() else { return };
        let Ok(mut guard) = connection.try_lock() else { continue };
        if let Err(error) = guard.keep_alive().await {
            tracing::debug!(target: "ferry::worker", "keep-alive failed: {error}");
            if error.kind == ErrorKind::ConnectionLost || error.kind == ErrorKind::Timeout {
                // A fresh connection takes its place quietly; only if that fails is it reported.
                if sessions.reopen_quietly(session, &mut guard).await {
                    continue;
                }
                drop(guard);
                // Said as what the user saw happen; "sending a keep-alive" and the library's
                // words go to the log.
                let what = match error.kind {
                    ErrorKind::Timeout => "the server stopped answering while the connection was idle",
                    _ => "the connection ended while it was idle, and connecting again failed",
                };
                let plain = FerryError::new(error.kind, what).with_log_detail(error.to_string());
                sessions.remove(session, Some(plain));
                return;
            }
        } else {
            tracing::trace!(target: "ferry::worker", "keep-alive sent on session {}", session.0);
        }
    }
}
