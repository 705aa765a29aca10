//! Requests on a browsing session survive a dropped connection: the request runs once more on a
//! fresh connection to the same site, made with the login that already worked. Imports the
//! sessions and `connect.rs`.

use super::connect::open_connection;
use super::sessions::Sessions;
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{RequestId, SessionId};

/// Whether an error means the connection itself is gone (not that the request was refused).
pub(super) fn connection_lost(error: &FerryError) -> bool {
    error.kind == ErrorKind::ConnectionLost
}

/// Runs `$operation` (an expression using the connection `$backend`) on a session's connection.
/// If the connection turns out to be lost, a fresh one to the same site takes its place (the
/// session, its keep-alive and the pane stay) and `$operation` runs once more; only a second loss
/// closes the session and is reported. A macro rather than a function taking a closure: the
/// operation borrows both the connection and the request's own arguments.
macro_rules! on_session {
    ($sessions:expr, $request:expr, $session:expr, |$backend:ident| $operation:expr) => {{
        let mut guard = $sessions.lock_session($session).await?;
        let first = {
            let $backend: &mut dyn $crate::backend::Backend = guard.as_mut();
            $operation
        };
        match first {
            Err(lost) if $crate::worker::reconnect::connection_lost(&lost) => {
                $crate::worker::reconnect::reopen($sessions, $request, $session, &mut guard, lost).await?;
                let $backend: &mut dyn $crate::backend::Backend = guard.as_mut();
                $sessions.close_if_lost($session, $operation)
            }
            outcome => outcome,
        }
    }};
}
pub(super) use on_session;

/// Puts a fresh connection to the session's site in place of one that was lost. The session's
/// spec holds the login that worked (the password given), so no question is asked again. If
/// connecting again fails, the session closes and the first loss is what is reported.
pub(super) async fn reopen(
    sessions: &Sessions,
    request: RequestId,
    session: SessionId,
    connection: &mut Box<dyn Backend>,
    lost: FerryError,
) -> Result<()> {
    tracing::info!(target: "ferry::worker", "session {}: {lost}; connecting again", session.0);
    sessions.ctx.log(Some(session), super::LogKind::Info, "The connection was lost; connecting again");
    let spec = sessions.spec(session)?;
    match open_connection(&sessions.ctx, request, spec).await {
        Ok((fresh, _)) => {
            super::pool::close_quietly(std::mem::replace(connection, fresh));
            Ok(())
        }
        Err(_) => sessions.close_if_lost(session, Err(lost)),
    }
}
