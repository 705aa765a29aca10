//! The sync service: walks a local and a remote folder, plans with `transfer::sync_plan`, and
//! runs the plan through the queue (so every copy takes the safe-write path, its retries and its
//! checks), then deletes, only once every copy has ended and only if none failed. It owns no
//! connection of its own: the walks and deletes use pooled connections to the session's site.

use std::path::Path;
use std::sync::Arc;

use super::connect::open_connection;
use super::context::WorkerContext;
use super::messages::{Event, SyncCommand, SyncEvent, SyncJob, SyncPreview, SyncReport};
use super::pool::{ConnectionPool, is_connection_failure};
use super::queue::{Direction, ItemId, ItemState, QueueItem};
use super::scheduler::QueueService;
use super::sessions::Sessions;
use super::sync_walk::{local_path, walk_local, walk_remote};
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, RequestId, join_remote};
use crate::transfer::policy::OnExists;
use crate::transfer::sync_approval;
use crate::transfer::sync_filter::Excludes;
use crate::transfer::sync_plan::{self, Action, CompareMode, Step, Tree};

/// Plans and runs folder syncs.
pub(super) struct SyncService {
    ctx: Arc<WorkerContext>,
    sessions: Arc<Sessions>,
    pool: Arc<ConnectionPool>,
    queue: Arc<QueueService>,
}

/// A plan with what running it needs to know of the two sides.
struct Planned {
    preview: SyncPreview,
    /// Whether the target folder itself exists (a first sync may have to create it).
    target_exists: bool,
    /// The source's entries, for the size, time and mode each copy keeps.
    source: Tree,
    /// The temporary files a cut run left on the target side, by the file each stands for.
    target_parts: std::collections::BTreeMap<String, u64>,
}

impl SyncService {
    pub(super) fn new(
        ctx: Arc<WorkerContext>,
        sessions: Arc<Sessions>,
        pool: Arc<ConnectionPool>,
        queue: Arc<QueueService>,
    ) -> Self {
        SyncService { ctx, sessions, pool, queue }
    }

    /// Does one sync command and returns the event that answers it.
    pub(super) async fn handle(&self, command: SyncCommand) -> Result<Event> {
        match command {
            SyncCommand::Preview { request, session, job } => {
                let site = self.sessions.spec(session)?;
                let planned = self.plan(request, &site, &job).await?;
                Ok(Event::Sync(SyncEvent::Planned { request, preview: Box::new(planned.preview) }))
            }
            SyncCommand::Run { request, session, job } => {
                let site = self.sessions.spec(session)?;
                let mut planned = self.plan(request, &site, &job).await?;
                if let Some(approved) = &job.approved {
                    // What the user saw and ticked, not what the folders hold by now.
                    planned.preview.plan = sync_approval::restrict(&planned.preview.plan, approved);
                    planned.preview.totals = planned.preview.plan.totals();
                }
                let preview = Box::new(planned.preview.clone());
                self.ctx.events.send(Event::Sync(SyncEvent::Planned { request, preview }));
                let report = self.run(request, &site, &job, planned).await?;
                Ok(Event::Sync(SyncEvent::Finished { request, report }))
            }
        }
    }

    /// Walks both sides (the remote one on a pooled connection, once more on a fresh one if that
    /// was dead) and plans.
    async fn plan(&self, request: RequestId, site: &ConnectSpec, job: &SyncJob) -> Result<Planned> {
        let excludes = Excludes::new(&job.excludes)?;
        let mut backend = self.pool.checkout(&self.ctx, request, site).await?;
        let mut outcome = self.plan_on(backend.as_mut(), job, &excludes).await;
        if let Err(error) = &outcome
            && is_connection_failure(error)
        {
            tracing::info!(target: "ferry::sync", "planning a sync: {error}; connecting again");
            self.pool.forget_site(site);
            if let Ok((fresh, _)) = open_connection(&self.ctx, request, site.clone()).await {
                super::pool::close_quietly(std::mem::replace(&mut backend, fresh));
                outcome = self.plan_on(backend.as_mut(), job, &excludes).await;
            }
        }
        self.pool.put_back(site, backend, &outcome);
        outcome
    }

    async fn plan_on(&self, backend: &mut dyn Backend, job: &SyncJob, excludes: &Excludes) -> Result<Planned> {
        let local = walk_local(job.local.clone(), excludes.clone(), backend.limits()).await?;
        let remote = walk_remote(backend, &job.remote, excludes).await?;
        let target_exists = match job.direction {
            Direction::Upload => remote.root_exists,
            Direction::Download => local.root_exists,
        };
        let (mut source, mut target) = match job.direction {
            Direction::Upload => (local, remote),
            Direction::Download => (remote, local),
        };
        if !source.root_exists {
            // An empty source would make `--delete` empty the target: a typo must change nothing.
            let named = match job.direction {
                Direction::Upload => job.local.display().to_string(),
                Direction::Download => crate::model::escape_control(&job.remote),
            };
            return Err(FerryError::new(ErrorKind::NotFound, format!("{named} does not exist; nothing was changed")));
        }
        if job.options.compare == CompareMode::Checksum {
            self.fill_checksums(backend, job, &mut source.tree, &mut target.tree).await?;
        }
        let plan = sync_plan::plan(&source.tree, &target.tree, job.options);
        let mut refused = source.refused;
        refused.extend(target.refused);
        let totals = plan.totals();
        let make_folder = (!target_exists).then(|| match job.direction {
            Direction::Upload => job.remote.clone(),
            Direction::Download => job.local.display().to_string(),
        });
        Ok(Planned {
            preview: SyncPreview { plan, totals, refused, make_folder },
            target_exists,
            source: source.tree,
            target_parts: target.parts,
        })
    }

    /// Reads the SHA-256 of every file of equal size on both sides, the remote ones from the
    /// server (which must be able to compute them).
    async fn fill_checksums(
        &self,
        backend: &mut dyn Backend,
        job: &SyncJob,
        source: &mut Tree,
        target: &mut Tree,
    ) -> Result<()> {
        for path in sync_plan::needs_checksum(source, target) {
            let remote_path = join_remote(&job.remote, &path);
            let remote = backend.checksum_sha256(&remote_path).await?.ok_or_else(|| {
                FerryError::new(
                    ErrorKind::Unsupported,
                    "the server offers no way to compute a SHA-256; compare with size-mtime or size instead",
                )
            })?;
            let local = super::transfer::local_sha256(&local_path(&job.local, &path)).await?;
            let (for_local, for_remote) = match job.direction {
                Direction::Upload => (&mut *source, &mut *target),
                Direction::Download => (&mut *target, &mut *source),
            };
            if let Some(entry) = for_local.get_mut(&path) {
                entry.sha256 = Some(local);
            }
            if let Some(entry) = for_remote.get_mut(&path) {
                entry.sha256 = Some(remote);
            }
        }
        Ok(())
    }

    /// Queues the copies, waits for them all to end, then deletes (if asked, and no copy failed).
    async fn run(&self, request: RequestId, site: &ConnectSpec, job: &SyncJob, planned: Planned) -> Result<SyncReport> {
        if job.direction == Direction::Download {
            // The folder the user named, made as `cp -r` makes it; everything else is made by the
            // queue's folder items below it.
            std::fs::create_dir_all(&job.local)
                .map_err(|e| FerryError::from_io(&e, format!("creating {}", job.local.display())))?;
        }
        let mut items = copy_items(request, site, job, &planned);
        self.resume_parts(request, site, job, &planned, &mut items).await;
        let ids = self.queue.enqueue(request, items);
        let ended = self.queue.wait_finished(&ids).await;
        // An item dropped from the queue before it ended (the window's Discard) did not arrive.
        let mut report = SyncReport { failed: ids.len().saturating_sub(ended.len()), ..SyncReport::default() };
        for item in &ended {
            match item.state {
                ItemState::Done if !item.is_folder => {
                    report.copied += 1;
                    report.bytes += item.size.unwrap_or(item.bytes_done);
                }
                ItemState::Failed | ItemState::Cancelled => report.failed += 1,
                _ => {}
            }
        }
        let deletes: Vec<&Step> = planned.preview.plan.deletes().collect();
        if report.failed > 0 {
            // Which target file stands for which source file is not always one name (a folder
            // made in place of a file): a sync whose copies did not all arrive deletes nothing.
            report.deletes_held_back = deletes.len();
            return Ok(report);
        }
        match job.direction {
            Direction::Download => {
                for step in deletes {
                    match delete_local(&job.local, step) {
                        Ok(()) => report.deleted += 1,
                        Err(error) => report.delete_failures.push(error),
                    }
                }
            }
            Direction::Upload if !deletes.is_empty() => {
                self.delete_remote(request, site, &job.remote, &deletes, &mut report).await?;
            }
            Direction::Upload => {}
        }
        if job.direction == Direction::Download && site.keep.times && (report.copied > 0 || report.deleted > 0) {
            // Writing into a folder changed its time: every folder gets the server's back,
            // those it already had included.
            let folders = planned
                .source
                .iter()
                .filter(|(_, entry)| entry.is_folder)
                .filter_map(|(path, entry)| entry.modified.map(|time| (local_path(&job.local, path), time)))
                .collect();
            super::folder_times::date_local_paths(folders).await;
        }
        Ok(report)
    }

    /// Marks the copies whose temporary file a cut run left complete or part way (and which is
    /// the beginning of the source) to continue from it, as a retry would, instead of sending
    /// the whole file again. One short read on each side per such file; none when there are none.
    async fn resume_parts(
        &self,
        request: RequestId,
        site: &ConnectSpec,
        job: &SyncJob,
        planned: &Planned,
        items: &mut [QueueItem],
    ) {
        // Written in place, an upload has no part file: what it would continue is the old target.
        if planned.target_parts.is_empty() || (job.direction == Direction::Upload && site.uploads_in_place) {
            return;
        }
        // Which copy each part stands for, by the item's own target path.
        let held_for = |item: &QueueItem| {
            planned.target_parts.iter().find_map(|(relative, &held)| {
                let same = match item.direction {
                    Direction::Upload => item.remote == join_remote(&job.remote, relative),
                    Direction::Download => item.local == local_path(&job.local, relative),
                };
                same.then_some(held)
            })
        };
        let Ok(mut backend) = self.pool.checkout(&self.ctx, request, site).await else { return };
        let mut outcome = Ok(());
        for item in items.iter_mut().filter(|item| !item.is_folder) {
            let Some(held) = held_for(item) else { continue };
            match super::target::part_continues_source(backend.as_mut(), item, held).await {
                Ok(true) => item.started = true,
                Ok(false) => {}
                Err(error) => {
                    // Sent whole instead; a lost connection is for the queue to find.
                    outcome = Err(error);
                    break;
                }
            }
        }
        self.pool.put_back(site, backend, &outcome);
    }

    /// Deletes the remote side's extra files and folders (what is in a folder first).
    async fn delete_remote(
        &self,
        request: RequestId,
        site: &ConnectSpec,
        root: &str,
        deletes: &[&Step],
        report: &mut SyncReport,
    ) -> Result<()> {
        let mut backend = self.pool.checkout(&self.ctx, request, site).await?;
        let mut outcome = Ok(());
        for step in deletes {
            let path = join_remote(root, &step.path);
            let deleted =
                if step.is_folder { backend.remove_dir(&path).await } else { backend.remove_file(&path).await };
            match deleted {
                Ok(()) => report.deleted += 1,
                Err(error) if is_connection_failure(&error) => {
                    // The rest waits for a rerun, which plans them again.
                    outcome = Err(error.context(format!("deleting {path}")));
                    break;
                }
                Err(error) => report.delete_failures.push(error.context(format!("deleting {path}"))),
            }
        }
        self.pool.put_back(site, backend, &outcome);
        outcome
    }
}

/// The queue items of a plan's copies, in tree order (a folder before what goes into it).
fn copy_items(request: RequestId, site: &ConnectSpec, job: &SyncJob, planned: &Planned) -> Vec<QueueItem> {
    let item = |remote: String, local: std::path::PathBuf, is_folder: bool, path: Option<&str>| {
        let source = path.and_then(|path| planned.source.get(path));
        QueueItem {
            id: ItemId(0),
            request,
            site: site.clone(),
            direction: job.direction,
            remote,
            local,
            local_root: job.local.clone(),
            is_folder,
            size: source.and_then(|entry| entry.size),
            modified: source.and_then(|entry| entry.modified),
            mode: source.and_then(|entry| entry.mode),
            bytes_done: 0,
            started: false,
            state: ItemState::Queued,
            error: None,
            on_exists: OnExists::Overwrite,
            verify: false,
            integrity: None,
            retry_note: None,
            success_note: None,
        }
    };
    let mut items = Vec::new();
    if job.direction == Direction::Upload && !planned.target_exists {
        items.push(item(job.remote.clone(), job.local.clone(), true, None));
    }
    for step in planned.preview.plan.copies() {
        let remote = join_remote(&job.remote, &step.path);
        items.push(item(remote, local_path(&job.local, &step.path), step.is_folder, Some(&step.path)));
    }
    items
}

/// Deletes one extra entry of the local target, never through a link: every folder between the
/// root and it must be a real folder, and a link is removed itself, not what it points to.
fn delete_local(root: &Path, step: &Step) -> Result<()> {
    debug_assert_eq!(step.action, Action::Delete);
    let path = local_path(root, &step.path);
    let mut folder = root.to_path_buf();
    let names: Vec<&str> = step.path.split('/').collect();
    for name in &names[..names.len().saturating_sub(1)] {
        folder.push(name);
        let is_real_folder = std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir());
        if !is_real_folder {
            return Err(FerryError::new(
                ErrorKind::PermissionDenied,
                format!("not deleting {}: {} is no longer a folder", path.display(), folder.display()),
            ));
        }
    }
    let metadata = std::fs::symlink_metadata(&path)
        .map_err(|e| FerryError::from_io(&e, format!("deleting {}", path.display())))?;
    let removed = if metadata.is_dir() { std::fs::remove_dir(&path) } else { std::fs::remove_file(&path) };
    removed.map_err(|e| FerryError::from_io(&e, format!("deleting {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delete(path: &str, is_folder: bool) -> Step {
        Step { path: path.to_string(), action: Action::Delete, is_folder, size: None, why: None }
    }

    #[test]
    fn a_local_delete_never_goes_through_a_linked_folder_and_removes_a_link_itself() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("precious"), b"keep").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("linked")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("precious"), root.path().join("pointer")).unwrap();

        let error = delete_local(root.path(), &delete("linked/precious", false)).unwrap_err();
        assert!(error.to_string().contains("no longer a folder"), "{error}");
        delete_local(root.path(), &delete("pointer", false)).unwrap();

        assert!(!root.path().join("pointer").exists());
        assert_eq!(std::fs::read(outside.path().join("precious")).unwrap(), b"keep");
    }
}
