//! The bookmark service, the worker's side of the site manager: reads and writes the bookmark file
//! and the keychain off the UI thread, and builds the connection for a bookmark, an alias or a
//! typed target. Imports only the context.

use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;

use super::context::WorkerContext;
use super::messages::{BookmarkCommand, BookmarkEvent, Event, LogKind};
use crate::bookmarks::{self, Bookmark, BookmarkId, BookmarkStore, Keychain, Loaded, SecretOutcome};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, RequestId};

/// Saved sites, recent connections and their secrets.
pub(super) struct BookmarkService {
    ctx: Arc<WorkerContext>,
}

impl BookmarkService {
    pub(super) fn new(ctx: Arc<WorkerContext>) -> Self {
        BookmarkService { ctx }
    }

    /// Runs one bookmark command in the background; each answers with events of its own.
    pub(super) fn handle(self: &Arc<Self>, command: BookmarkCommand) {
        let service = self.clone();
        tokio::spawn(async move {
            match command {
                BookmarkCommand::Load => {
                    let outcome = service.blocking(|store, _| store.load()).await;
                    service.send_bookmarks(outcome, None).await;
                }
                BookmarkCommand::Save { bookmark, password } => service.save(*bookmark, password).await,
                BookmarkCommand::Remove { id } => {
                    let outcome = service
                        .blocking(move |store, keychain| {
                            bookmarks::remove_bookmark(store, &keychain, &id).map(|(loaded, _)| loaded)
                        })
                        .await;
                    service.send_bookmarks(outcome, None).await;
                }
                BookmarkCommand::Import { request, path } => service.import(request, path).await,
                BookmarkCommand::Export { request, path } => {
                    let target = path.clone();
                    match service.blocking(move |store, _| store.export(&target)).await {
                        Ok(count) => {
                            service.ctx.log(
                                None,
                                LogKind::Info,
                                format!("Exported {count} bookmarks to {}", path.display()),
                            );
                            service.ctx.events.send(Event::Done { request });
                        }
                        Err(error) => service.ctx.events.send(Event::Failed { request, error }),
                    }
                }
            }
        });
    }

    /// The connection for bookmark `id`: its settings, the ssh config for SFTP hosts, and its secret
    /// from the keychain (a missing one is asked for when the server wants it).
    pub(super) async fn connect_spec(&self, id: &BookmarkId) -> Result<ConnectSpec> {
        let id = id.clone();
        self.blocking( move |store, keychain| {
        let loaded = store.load()?;
        let bookmark = loaded
            .file
            .get(&id)
            .ok_or_else(|| FerryError::new(ErrorKind::NotFound, "that bookmark no longer exists"))?;
        let ssh_config = bookmarks::connect_ssh_config(None).unwrap_or_else(|error| {
            tracing::warn!(target: "ferry::bookmarks", "ssh config not applied: {error}");
            None
        });
        let mut spec = bookmarks::bookmark_spec(bookmark, ssh_config.as_ref())?;
        if let Err(error) = bookmarks::attach_secret(&mut spec, bookmark, &keychain) {
            // The connection can still ask for it: a keychain failure is not a reason to stop.
            tracing::warn!(target: "ferry::bookmarks", "no secret from the keychain for {}: {error}", bookmark.name);
        }
        let site_proxy = bookmarks::site_proxy(bookmark, &keychain)?;
        spec.proxy = crate::proxy::choose(&crate::proxy::ProxySources::with_environment(None, site_proxy), &spec.host)?;
        Ok(spec)
    })
    .await
    }

    /// How to reach what a user typed (a URL, or a bookmark or ssh alias with an optional `:path`),
    /// with the bookmark's keychain secret when it names one.
    pub(super) async fn target_spec(&self, text: &str) -> Result<ConnectSpec> {
        let text = text.to_string();
        self.blocking( move |store, keychain| {
        let loaded = store.load()?;
        let ssh_config = bookmarks::connect_ssh_config(None).unwrap_or_else(|error| {
            tracing::warn!(target: "ferry::bookmarks", "ssh config not applied: {error}");
            None
        });
        let target = bookmarks::resolve_target(&text, &loaded.file, ssh_config.as_ref())?;
        let mut spec = target.spec;
        if let Some(bookmark) = &target.bookmark
            && let Err(error) = bookmarks::attach_secret(&mut spec, bookmark, &keychain)
        {
            tracing::warn!(target: "ferry::bookmarks", "no secret from the keychain for {}: {error}", bookmark.name);
        }
        if target.path.is_some() {
            spec.initial_path = target.path;
        }
        let site_proxy = match &target.bookmark {
            Some(bookmark) => bookmarks::site_proxy(bookmark, &keychain)?,
            None => None,
        };
        spec.proxy = crate::proxy::choose(&crate::proxy::ProxySources::with_environment(None, site_proxy), &spec.host)?;
        Ok(spec)
    })
    .await
    }

    /// An SFTP connection to a host that is a Host alias of the user's ssh config gets the alias's
    /// HostName, User, Port and IdentityFile, and its route (ProxyJump, ProxyCommand), as
    /// `ssh alias` would (fields the user gave are kept); a route that cannot be taken is an error.
    /// Anything else passes unchanged, as does everything when no ssh config can be read.
    pub(super) async fn with_ssh_alias(&self, spec: ConnectSpec) -> Result<ConnectSpec> {
        if spec.protocol != crate::model::Protocol::Sftp {
            return Ok(spec);
        }
        let original = spec.clone();
        let applied = self
            .blocking(move |_, _| {
                // A config that cannot be read changes nothing, as before; a route the config
                // gives that Ferry cannot take is an error, never a direct connection instead.
                let config = match bookmarks::connect_ssh_config(None) {
                    Ok(Some(config)) => config,
                    Ok(None) => return Ok(Ok(spec)),
                    Err(error) => {
                        tracing::warn!(target: "ferry::bookmarks", "ssh config not applied: {error}");
                        return Ok(Ok(spec));
                    }
                };
                if !config.host_aliases().iter().any(|alias| alias == &spec.host) {
                    return Ok(Ok(spec));
                }
                Ok(bookmarks::apply_alias(spec, &config))
            })
            .await;
        applied.unwrap_or_else(|error| {
            tracing::warn!(target: "ferry::bookmarks", "ssh config not applied: {error}");
            Ok(original)
        })
    }

    /// Puts a connection that just succeeded at the top of the recent list (in the background: the
    /// connection does not wait for the disk).
    pub(super) fn record_recent(&self, url: &str) {
        let store = BookmarkStore::new(&self.ctx.config);
        let url = url.to_string();
        tokio::task::spawn_blocking(move || {
            if let Err(error) = store.push_recent(&url) {
                tracing::warn!(target: "ferry::bookmarks", "could not record the recent connection: {error}");
            }
        });
    }

    async fn save(&self, bookmark: Bookmark, password: Option<SecretString>) {
        let name = bookmark.name.clone();
        let outcome = self
            .blocking(move |store, keychain| bookmarks::save_bookmark(store, &keychain, bookmark, password.as_ref()))
            .await;
        let (outcome, warning) = match outcome {
            Ok((loaded, SecretOutcome::NotStored(error))) => {
                let warning = FerryError::new(
                    error.kind,
                    format!(
                        "the password of {name} was not stored ({}); Ferry will ask for it at each connect",
                        error.context
                    ),
                );
                (Ok(loaded), Some(warning))
            }
            Ok((loaded, _)) => (Ok(loaded), None),
            Err(error) => (Err(error), None),
        };
        self.send_bookmarks(outcome, warning).await;
    }

    async fn import(&self, request: RequestId, path: PathBuf) {
        let source = path.clone();
        match self.blocking(move |store, keychain| bookmarks::import_into(store, &keychain, &source)).await {
            Ok(outcome) => {
                self.ctx.log(
                    None,
                    LogKind::Info,
                    format!(
                        "Imported {} sites from {} ({} skipped)",
                        outcome.imported.len(),
                        path.display(),
                        outcome.skipped.len()
                    ),
                );
                for site in &outcome.notes {
                    self.ctx.log(None, LogKind::Info, format!("{}: {}", site.name, site.note));
                }
                let warning = (!outcome.secrets_not_stored.is_empty()).then(|| {
                FerryError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "no keychain answers, so the passwords of {} were not stored; Ferry will ask at each connect",
                        outcome.secrets_not_stored.join(", ")
                    ),
                )
            });
                self.ctx.events.send(Event::Bookmarks(BookmarkEvent::ImportReport {
                    request,
                    imported: outcome.imported,
                    skipped: outcome.skipped,
                }));
                self.send_bookmarks(Ok(outcome.loaded), warning).await;
            }
            Err(error) => self.ctx.events.send(Event::Failed { request, error }),
        }
    }

    /// Sends the bookmark list; a problem with the file (kept aside), or with the change just made,
    /// goes along for the window to show.
    async fn send_bookmarks(&self, outcome: Result<Loaded>, warning: Option<FerryError>) {
        let keychain_available = keychain().await.is_available();
        let (loaded, failure) = match outcome {
            Ok(loaded) => (loaded, None),
            Err(error) => {
                // The change failed: show what is on disk now, with the reason.
                let reloaded = self.blocking(|store, _| store.load()).await.unwrap_or_default();
                (reloaded, Some(error))
            }
        };
        let problem = failure.or(loaded.problem).or(warning);
        if let Some(problem) = &problem {
            self.ctx.log(None, LogKind::Error, problem.to_string());
        }
        self.ctx.events.send(Event::Bookmarks(BookmarkEvent::List {
            bookmarks: loaded.file.bookmarks,
            recent: loaded.file.recent,
            keychain_available,
            problem,
        }));
    }

    /// Runs file and keychain work on the blocking pool, never on the engine's threads.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&BookmarkStore, Keychain) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = BookmarkStore::new(&self.ctx.config);
        tokio::task::spawn_blocking(move || work(&store, Keychain::system())).await.map_err(|error| {
            FerryError::new(ErrorKind::LocalIo, "bookmark task stopped").with_detail(error.to_string())
        })?
    }
}

/// The keychain, probed once per process off the engine's threads.
async fn keychain() -> Keychain {
    tokio::task::spawn_blocking(Keychain::system).await.unwrap_or_else(|_| Keychain::unavailable())
}
