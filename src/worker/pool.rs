//! The idle connections kept for the queue, per site: handed out one at a time, taken back only
//! when healthy, and never more per site than items may run at once. A new connection is made
//! through `connect.rs`; imports only that and the context.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::context::{WorkerContext, lock};
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, RequestId};

/// Idle connections per site, with a limit per site.
pub(super) struct ConnectionPool {
    idle: Mutex<HashMap<String, Vec<Box<dyn Backend>>>>,
    /// How many idle connections one site keeps: as many as queue items may run at once.
    limit_per_site: AtomicUsize,
    /// Sites the user disconnected from: a connection coming back from a transfer that was under
    /// way is closed, not kept, until the site is asked for again.
    closed_sites: Mutex<HashSet<String>>,
}

/// Whether an error means the connection itself failed (lost, refused, silent), not that the
/// request was refused: such a connection is never reused, and the work may be tried again.
pub(super) fn is_connection_failure(error: &FerryError) -> bool {
    // A refusal too: a server being restarted refuses for a moment.
    matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::ConnectionRefused | ErrorKind::Timeout)
}

impl ConnectionPool {
    /// An empty pool keeping at most `limit_per_site` idle connections per site.
    pub(super) fn new(limit_per_site: usize) -> Self {
        ConnectionPool {
            idle: Mutex::new(HashMap::new()),
            limit_per_site: AtomicUsize::new(limit_per_site.max(1)),
            closed_sites: Mutex::new(HashSet::new()),
        }
    }

    /// Changes how many idle connections a site keeps (the extra ones go as they come back).
    pub(super) fn set_limit_per_site(&self, limit: usize) {
        self.limit_per_site.store(limit.max(1), Ordering::Relaxed);
    }

    /// A connection to `site` for one piece of work: an idle one, or a new one (which may ask
    /// the user about the server's key or a password, as part of `request`).
    pub(super) async fn checkout(
        &self,
        ctx: &WorkerContext,
        request: RequestId,
        site: &ConnectSpec,
    ) -> Result<Box<dyn Backend>> {
        if let Some(backend) = self.take(site) {
            return Ok(backend);
        }
        let (backend, _) = super::connect::open_connection(ctx, request, site.clone()).await?;
        Ok(backend)
    }

    /// An idle connection to `site`, if one is kept. Asking for one opens the site again after a
    /// disconnect: its connections are kept from now on.
    pub(super) fn take(&self, site: &ConnectSpec) -> Option<Box<dyn Backend>> {
        let key = site_key(site);
        lock(&self.closed_sites).remove(&key);
        lock(&self.idle).get_mut(&key).and_then(Vec::pop)
    }

    /// Takes back a connection that has just been used with `outcome`: a healthy one is kept (up
    /// to the site's limit); one whose last use failed as a connection (lost, or left waiting by a
    /// listing cut short) is closed instead, never handed to the next item.
    pub(super) fn put_back<T>(&self, site: &ConnectSpec, backend: Box<dyn Backend>, outcome: &Result<T>) {
        match outcome {
            Err(error) if is_connection_failure(error) => close_quietly(backend),
            _ => self.keep(site, backend),
        }
    }

    /// Keeps a connection known to be good, up to the site's limit.
    pub(super) fn keep(&self, site: &ConnectSpec, backend: Box<dyn Backend>) {
        if lock(&self.closed_sites).contains(&site_key(site)) {
            close_quietly(backend);
            return;
        }
        let limit = self.limit_per_site.load(Ordering::Relaxed);
        let mut idle = lock(&self.idle);
        let spares = idle.entry(site_key(site)).or_default();
        if spares.len() < limit {
            spares.push(backend);
        } else {
            drop(idle);
            close_quietly(backend);
        }
    }

    /// Closes the idle connections kept for `site`: after one of them was found dead (the same
    /// cut most likely killed the others), or when the user disconnects from the site.
    pub(super) fn forget_site(&self, site: &ConnectSpec) {
        let spares = lock(&self.idle).remove(&site_key(site)).unwrap_or_default();
        for spare in spares {
            close_quietly(spare);
        }
    }

    /// Closes the idle connections kept for `site` because the user disconnected from it, and
    /// those still in use by transfers as they come back.
    pub(super) fn close_site(&self, site: &ConnectSpec) {
        lock(&self.closed_sites).insert(site_key(site));
        self.forget_site(site);
    }

    /// How many idle connections `site` has (for tests and the log).
    #[cfg(test)]
    pub(super) fn idle_count(&self, site: &ConnectSpec) -> usize {
        lock(&self.idle).get(&site_key(site)).map_or(0, Vec::len)
    }
}

/// Connections to the same server with the same login share a pool; the password is not part of
/// the key (it is never displayed), the key file is.
fn site_key(site: &ConnectSpec) -> String {
    format!("{}|{:?}", site.display_url(), site.identity)
}

/// Lets a connection go without waiting on it: a lost one's socket is already dead, and freeing
/// an SSH session may block a moment. Outside a runtime (a unit test's end) it is dropped here.
pub(super) fn close_quietly(backend: Box<dyn Backend>) {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => drop(runtime.spawn_blocking(move || drop(backend))),
        Err(_) => drop(backend),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Protocol;
    use crate::worker::fake_backend::{FakeBackend, FakeServer};

    fn site(host: &str) -> ConnectSpec {
        ConnectSpec::new(Protocol::Sftp, host)
    }

    #[test]
    fn a_site_keeps_no_more_idle_connections_than_its_limit() {
        let server = Arc::new(FakeServer::default());
        let pool = ConnectionPool::new(2);
        for label in 0..4 {
            pool.keep(&site("a.example"), FakeBackend::boxed(&server, label));
        }
        pool.keep(&site("b.example"), FakeBackend::boxed(&server, 9));
        assert_eq!(pool.idle_count(&site("a.example")), 2);
        assert_eq!(pool.idle_count(&site("b.example")), 1, "the other site has a limit of its own");
        pool.set_limit_per_site(3);
        pool.keep(&site("a.example"), FakeBackend::boxed(&server, 5));
        assert_eq!(pool.idle_count(&site("a.example")), 3);
    }

    #[test]
    fn a_connection_is_handed_out_only_for_its_own_site() {
        let server = Arc::new(FakeServer::default());
        let pool = ConnectionPool::new(4);
        pool.keep(&site("a.example"), FakeBackend::boxed(&server, 1));
        assert!(pool.take(&site("b.example")).is_none());
        let mut other_user = site("a.example");
        other_user.identity = Some("/keys/other".into());
        assert!(pool.take(&other_user).is_none(), "another key file is another login");
        assert_eq!(pool.take(&site("a.example")).map(|b| b.home().to_string()), Some("/home1".into()));
        assert!(pool.take(&site("a.example")).is_none());
    }

    #[test]
    fn a_connection_that_failed_as_a_connection_is_not_kept() {
        let server = Arc::new(FakeServer::default());
        let pool = ConnectionPool::new(4);
        let lost: Result<()> = Err(FerryError::new(ErrorKind::ConnectionLost, "cut"));
        pool.put_back(&site("a.example"), FakeBackend::boxed(&server, 1), &lost);
        assert_eq!(pool.idle_count(&site("a.example")), 0);
        let refused: Result<()> = Err(FerryError::new(ErrorKind::PermissionDenied, "no"));
        pool.put_back(&site("a.example"), FakeBackend::boxed(&server, 2), &refused);
        assert_eq!(pool.idle_count(&site("a.example")), 1, "a refused request leaves a good connection");
        pool.forget_site(&site("a.example"));
        assert_eq!(pool.idle_count(&site("a.example")), 0);
    }

    #[test]
    fn after_a_disconnect_a_connection_back_from_a_transfer_is_closed_until_the_site_is_wanted_again() {
        let server = Arc::new(FakeServer::default());
        let pool = ConnectionPool::new(4);
        pool.keep(&site("a.example"), FakeBackend::boxed(&server, 1));
        pool.close_site(&site("a.example"));
        assert_eq!(pool.idle_count(&site("a.example")), 0, "the idle one is closed");
        pool.keep(&site("a.example"), FakeBackend::boxed(&server, 2));
        assert_eq!(pool.idle_count(&site("a.example")), 0, "one back from a transfer is closed too");
        pool.keep(&site("b.example"), FakeBackend::boxed(&server, 3));
        assert_eq!(pool.idle_count(&site("b.example")), 1, "other sites are not touched");
        assert!(pool.take(&site("a.example")).is_none());
        pool.keep(&site("a.example"), FakeBackend::boxed(&server, 4));
        assert_eq!(pool.idle_count(&site("a.example")), 1, "asked for again, the site keeps its connections");
    }
}
