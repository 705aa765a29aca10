//! The queue service: runs up to N items at once, each on its own pooled connection to its site
//! (so browsing never waits behind a transfer), retrying a lost connection with backoff and
//! resuming where it stopped, asking what to do when a target exists, and saving what is left.
//! Its state (`queue_state.rs`) is behind one lock that only this file takes. Imports the
//! context, the pool, the queue state and the transfer steps.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::context::{WorkerContext, lock};
use super::messages::{Event, LogKind, QueueEvent};
use super::pool::{ConnectionPool, close_quietly, is_connection_failure};
use super::queue::{Direction, ItemId, ItemState, QueueItem};
use super::queue_state::{ItemAction, Outcome, QueueState};
use super::rate_limits::RateLimitService;
use super::segmented::Segmented;
use super::target::{TargetDecision, decide_target};
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::RequestId;
use crate::transfer::progress::{SpeedMeter, Throttle};
use crate::transfer::queue_item::{RetrySchedule, TargetPlan};
use crate::transfer::rate_limit::RateLimits;
use crate::transfer::segments::SEGMENT_THRESHOLD;

/// How the queue runs.
#[derive(Debug, Clone)]
pub struct TransferSettings {
    /// How many items move at once (each on its own connection).
    pub concurrency: usize,
    /// How many times a lost connection is retried before the item fails.
    pub retries: u32,
    /// The first wait before a retry; it doubles with each further try.
    pub backoff: Duration,
    /// The smallest SFTP file moved in segments over several connections at once
    /// (`transfer/segments.rs`).
    pub segment_threshold: u64,
}

impl Default for TransferSettings {
    fn default() -> Self {
        TransferSettings {
            concurrency: 4,
            retries: 3,
            backoff: Duration::from_secs(1),
            segment_threshold: segment_threshold_from_env(),
        }
    }
}

/// The transfer queue.
pub(super) struct QueueService {
    ctx: Arc<WorkerContext>,
    pool: Arc<ConnectionPool>,
    settings: TransferSettings,
    state: Mutex<QueueState>,
    /// The bandwidth limits the items' bytes pass.
    limits: RateLimitService,
    /// Whether unfinished items are saved (see `WorkerOptions::keeps_queue`).
    keeps_queue: bool,
    /// Counts item changes, so a service that queued items (a sync) can wait for them to end.
    changes: tokio::sync::watch::Sender<u64>,
    /// Who waits for an item to end (done, failed, cancelled or skipped): the edit service.
    endings: Mutex<HashMap<ItemId, oneshot::Sender<QueueItem>>>,
}

impl QueueService {
    pub(super) fn new(
        ctx: Arc<WorkerContext>,
        pool: Arc<ConnectionPool>,
        settings: TransferSettings,
        keeps_queue: bool,
    ) -> Self {
        let state = Mutex::new(QueueState::new(settings.concurrency));
        let (changes, _) = tokio::sync::watch::channel(0);
        // No limit until one is set (`QueueCommand::SetRateLimits`).
        let limits = RateLimitService::new(RateLimits::default());
        QueueService { ctx, pool, settings, state, limits, keeps_queue, changes, endings: Mutex::new(HashMap::new()) }
    }

    fn changed(&self, item: QueueItem) {
        if matches!(item.state, ItemState::Done | ItemState::Failed | ItemState::Cancelled | ItemState::Skipped)
            && let Some(waiter) = lock(&self.endings).remove(&item.id)
        {
            let _ = waiter.send(item.clone());
        }
        self.ctx.events.send(Event::Queue(QueueEvent::Changed { item: Box::new(item) }));
        self.changes.send_modify(|count| *count = count.wrapping_add(1));
    }

    /// Waits until every item of `ids` has finished (done, failed, cancelled or skipped; an item
    /// no longer in the queue counts as finished) and returns those still there.
    pub(super) async fn wait_finished(&self, ids: &[ItemId]) -> Vec<QueueItem> {
        // Subscribed before the first look, so a change between the look and the wait is seen.
        let mut changes = self.changes.subscribe();
        loop {
            let items: Vec<QueueItem> = {
                let state = lock(&self.state);
                ids.iter().filter_map(|id| state.get(*id)).collect()
            };
            if items.iter().all(|item| item.state.is_finished()) {
                return items;
            }
            if changes.changed().await.is_err() {
                return items;
            }
        }
    }

    /// Adds planned items to the queue and tells the UI, then starts what can start. The UI hears
    /// of the items (`Enqueued`, sent under the queue's lock) before any of them can change.
    /// Returns the ids the items were given.
    pub(super) fn enqueue(self: &Arc<Self>, request: RequestId, items: Vec<QueueItem>) -> Vec<ItemId> {
        let ids = {
            let mut state = lock(&self.state);
            let added: Vec<QueueItem> = items.into_iter().map(|item| state.add(item)).collect();
            let ids = added.iter().map(|item| item.id).collect();
            self.ctx.events.send(Event::Queue(QueueEvent::Enqueued { request, items: added }));
            ids
        };
        self.save();
        self.pump();
        ids
    }

    /// Queues one planned item, as `enqueue` does, and returns it with the item as it ends.
    pub(super) fn enqueue_watched(
        self: &Arc<Self>,
        request: RequestId,
        item: QueueItem,
    ) -> (QueueItem, oneshot::Receiver<QueueItem>) {
        let (sender, ending) = oneshot::channel();
        let added = {
            let mut state = lock(&self.state);
            let added = state.add(item);
            // Registered under the queue's lock: the item cannot end before it is watched.
            if added.state == ItemState::Skipped {
                let _ = sender.send(added.clone());
            } else {
                lock(&self.endings).insert(added.id, sender);
            }
            self.ctx.events.send(Event::Queue(QueueEvent::Enqueued { request, items: vec![added.clone()] }));
            added
        };
        self.save();
        self.pump();
        (added, ending)
    }

    /// Puts items restored from the last run back in the queue (paused), keeping their ids apart.
    pub(super) fn restore(&self, items: Vec<QueueItem>) -> Vec<QueueItem> {
        let mut state = lock(&self.state);
        items.into_iter().map(|item| state.add(item)).collect()
    }

    /// Starts queued items while fewer than the limit run (see [`QueueState::start_ready`]).
    pub(super) fn pump(self: &Arc<Self>) {
        let mut state = lock(&self.state);
        let (started, blocked) = state.start_ready();
        for item in &blocked {
            self.changed(item.clone());
        }
        for item in started {
            let id = item.id;
            self.changed(item);
            let service = self.clone();
            let transcript = service.ctx.transcript(None);
            let task = tokio::spawn(crate::transcript::scope(transcript, async move { service.run_item(id).await }));
            // Under the lock, so that a task that ends at once finds itself recorded.
            state.started(id, task.abort_handle());
            self.watch(id, task);
        }
        drop(state);
        if !blocked.is_empty() {
            self.save();
        }
    }

    /// Ends an item whose task stopped on a panic as Failed, so that its row never stays
    /// "Running" with nothing behind it. (A task the user stopped was aborted: its state is set.)
    fn watch(self: &Arc<Self>, id: ItemId, task: tokio::task::JoinHandle<()>) {
        let service = self.clone();
        tokio::spawn(async move {
            if let Err(stopped) = task.await
                && stopped.is_panic()
            {
                tracing::error!(target: "ferry::queue", "item {}: the transfer task panicked", id.0);
                let error = FerryError::new(ErrorKind::LocalIo, "the transfer stopped on an error inside Ferry");
                service.finish(id, Outcome::Failed(error));
            }
        });
    }

    /// Applies a user's action to one item.
    pub(super) fn apply(self: &Arc<Self>, id: ItemId, action: ItemAction) {
        {
            let mut state = lock(&self.state);
            let Some(applied) = state.apply(id, action) else { return };
            if let Some(task) = applied.stopped {
                task.abort();
            }
            if let Some(item) = &applied.left_behind {
                self.leave_nothing_behind(item, Reach::MayConnect);
            }
            self.changed(applied.item);
        }
        // A user's pause or cancel is saved at once: Ferry may be closed right after.
        self.save_now();
        self.pump();
    }

    /// Removes finished items from the queue.
    pub(super) fn clear_finished(self: &Arc<Self>) {
        let mut state = lock(&self.state);
        let removed = state.clear_finished();
        for item in &removed {
            // A failed item could have been retried from its part file; cleared, it never will.
            self.leave_nothing_behind(item, Reach::MayConnect);
        }
        self.ctx.events.send(Event::Queue(QueueEvent::Cleared { items: removed.iter().map(|item| item.id).collect() }));
    }

    /// Drops items without connecting anywhere (see `QueueCommand::Forget`).
    pub(super) fn forget(self: &Arc<Self>, ids: &[ItemId]) {
        let removed = lock(&self.state).forget(ids);
        for (item, task) in &removed {
            if let Some(task) = task {
                task.abort();
            }
            // Whoever waited for it hears that it will never end (the sender goes).
            lock(&self.endings).remove(&item.id);
            self.leave_nothing_behind(item, Reach::OpenOnly);
        }
        let items = removed.iter().map(|(item, _)| item.id).collect();
        self.ctx.events.send(Event::Queue(QueueEvent::Cleared { items }));
        // Whoever waits for these items (a sync) learns they are gone.
        self.changes.send_modify(|count| *count = count.wrapping_add(1));
        self.save_now();
        self.pump();
    }

    /// Removes what an unfinished transfer of `item` wrote under its temporary name: the local
    /// part file of a download at once, the remote one of an upload in the background (best
    /// effort: the server may be gone), on a pooled or new connection or, with
    /// `Reach::OpenOnly`, only on an idle one already open. Items written in place leave nothing
    /// to remove.
    fn leave_nothing_behind(self: &Arc<Self>, item: &QueueItem, reach: Reach) {
        if item.is_folder || item.state == ItemState::Done || item.state == ItemState::Skipped {
            return;
        }
        match item.direction {
            Direction::Download => {
                let _ = std::fs::remove_file(super::transfer::part_path(&item.local));
                let _ = std::fs::remove_file(super::transfer::segment_part_path(&item.local));
            }
            Direction::Upload if !item.site.uploads_in_place && item.started => {
                let idle = self.pool.take(&item.site);
                if idle.is_none() && reach == Reach::OpenOnly {
                    return;
                }
                let service = self.clone();
                let site = item.site.clone();
                let part = crate::transfer::names::remote_part_path(&item.remote);
                let segments = crate::transfer::names::remote_segment_part_path(&item.remote);
                let request = item.request;
                tokio::spawn(async move {
                    let mut backend = match idle {
                        Some(backend) => backend,
                        None => match service.pool.checkout(&service.ctx, request, &site).await {
                            Ok(backend) => backend,
                            Err(_) => return,
                        },
                    };
                    let mut outcome = backend.remove_file(&part).await;
                    if outcome.as_ref().is_err_and(|error| !is_connection_failure(error)) {
                        // Not there: a segmented upload writes under a name of its own.
                        outcome = backend.remove_file(&segments).await;
                    }
                    service.pool.put_back(&site, backend, &outcome);
                });
            }
            Direction::Upload => {}
        }
    }

    /// Changes how many items run at once (and how many idle connections a site keeps).
    pub(super) fn set_concurrency(self: &Arc<Self>, limit: usize) {
        lock(&self.state).set_concurrency(limit);
        self.pool.set_limit_per_site(limit);
        self.pump();
    }

    /// Changes the global bandwidth limits; running transfers follow within a tenth of a second.
    pub(super) fn set_rate_limits(&self, limits: RateLimits) {
        self.limits.set_global(limits);
    }

    /// Schedules a save of the unfinished items, batched to at most one a second: with thousands
    /// of small files, saving after every one would cost more than the transfers.
    fn save(self: &Arc<Self>) {
        if !self.keeps_queue || !lock(&self.state).schedule_save() {
            return;
        }
        let service = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            lock(&service.state).save_done();
            service.save_now();
        });
    }

    /// Saves the unfinished items to the config folder now. A failure is logged, not fatal: the
    /// queue still runs, it just will not be offered again after a restart.
    pub(super) fn save_now(&self) {
        if !self.keeps_queue {
            return;
        }
        let items = lock(&self.state).unfinished();
        if let Err(error) = super::queue::save(&self.ctx.config.queue(), &items) {
            tracing::warn!(target: "ferry::queue", "could not save the queue: {error}");
        }
    }

    /// Records how an item's attempt ended and tells the UI.
    fn finish(self: &Arc<Self>, id: ItemId, outcome: Outcome) {
        {
            let mut state = lock(&self.state);
            let Some(item) = state.finish(id, outcome) else { return };
            if let Some((kind, line)) = super::queue_log::outcome(&item) {
                self.ctx.log(None, kind, line);
            }
            self.changed(item);
        }
        self.save();
        self.pump();
    }

    /// Moves one item: decides about an existing target, then transfers with retries.
    async fn run_item(self: Arc<Self>, id: ItemId) {
        let Some(item) = lock(&self.state).get(id) else { return };
        let outcome = match self.run_attempts(item).await {
            Ok(Some((integrity, note))) => Outcome::Done { integrity, note },
            Ok(None) => Outcome::Skipped,
            Err(error) => Outcome::Failed(error),
        };
        let made = matches!(outcome, Outcome::Done { .. });
        let folders = lock(&self.state).folders_to_date(id, made);
        if let Some(folders) = folders {
            self.date_folders(folders).await;
        }
        self.finish(id, outcome);
    }

    /// Gives a finished copy's folders their source's times, after everything in them arrived.
    async fn date_folders(&self, folders: Vec<QueueItem>) {
        let folders = super::folder_times::in_order(folders);
        let Some((first, _)) = folders.first() else { return };
        match first.direction {
            Direction::Download => super::folder_times::date_local(folders).await,
            Direction::Upload => {
                let (request, site) = (first.request, first.site.clone());
                match self.pool.checkout(&self.ctx, request, &site).await {
                    Ok(mut backend) => {
                        super::folder_times::date_remote(backend.as_mut(), folders).await;
                        self.pool.keep(&site, backend);
                    }
                    Err(error) => {
                        tracing::warn!(target: "ferry::transfer", "could not keep the folders' times: {error}")
                    }
                }
            }
        }
    }

    /// The attempts at one item, until it is done (its check and a note), skipped (`None`), or
    /// failed after its retries.
    async fn run_attempts(
        self: &Arc<Self>,
        mut item: QueueItem,
    ) -> Result<Option<(super::queue::Integrity, Option<String>)>> {
        // An item that ran before (a retry, a resumed or restored one) continues from what arrived.
        let mut resume = item.started;
        if item.direction == Direction::Download {
            // Before the existing-target check, which may rename the target to resume it.
            super::transfer::check_download_target(&item)?;
        }
        let mut attempt = 0;
        // Why the target was not resumed as asked, told with the outcome.
        let mut target_note = None;
        let mut backend = match self.pool.checkout(&self.ctx, item.request, &item.site).await {
            Ok(backend) => backend,
            Err(error) if is_connection_failure(&error) => self.reconnect(&item, error, &mut attempt).await?,
            Err(error) => return Err(error),
        };
        while !item.is_folder && !resume {
            let chosen = lock(&self.state).batch_choice(item.request).unwrap_or(item.on_exists);
            match decide_target(&self.ctx, backend.as_mut(), &mut item, chosen).await {
                Ok(TargetDecision { plan, for_the_batch, note }) => {
                    target_note = note;
                    if let Some(choice) = for_the_batch {
                        lock(&self.state).remember_batch_choice(item.request, choice);
                    }
                    if plan == TargetPlan::Skip {
                        self.pool.keep(&item.site, backend);
                        return Ok(None);
                    }
                    resume = plan == TargetPlan::Resume;
                    break;
                }
                // A spare connection found dead while looking at the target: ask again on a fresh one.
                Err(error) if is_connection_failure(&error) => {
                    close_quietly(backend);
                    backend = self.reconnect(&item, error, &mut attempt).await?;
                }
                Err(error) => {
                    self.pool.keep(&item.site, backend);
                    return Err(error);
                }
            }
        }
        self.mark_started(&item);
        let limits = self.limits.for_item(&item);
        let parts = lock(&self.state).connections_for_one();
        let mut segmented = Segmented::for_item(&item, parts, self.settings.segment_threshold);
        loop {
            let mut progress = self.progress_reporter(&item);
            if let Some(state) = segmented.as_mut() {
                state.gather(&self.ctx, &self.pool, &item).await;
            }
            let outcome = match item.direction {
                Direction::Download => super::transfer::download(
                    backend.as_mut(),
                    &item,
                    &item.local_root.clone(),
                    resume,
                    &limits,
                    &mut progress,
                    segmented.as_mut(),
                )
                .await
                .map(|integrity| (integrity, None)),
                Direction::Upload => {
                    let segmented = segmented.as_mut();
                    super::upload::upload(backend.as_mut(), &item, resume, &limits, &mut progress, segmented)
                        .await
                        .map(|uploaded| (uploaded.integrity, uploaded.note))
                }
            };
            if let Some(state) = segmented.as_mut() {
                state.release(&self.pool, &item);
            }
            match outcome {
                Ok((integrity, note)) => {
                    self.pool.keep(&item.site, backend);
                    let note = match (target_note, note) {
                        (Some(first), Some(second)) => Some(format!("{first}; {second}")),
                        (first, second) => first.or(second),
                    };
                    return Ok(Some((integrity, note)));
                }
                Err(error) if is_connection_failure(&error) => {
                    close_quietly(backend);
                    // What already arrived stays: the next attempt continues from it.
                    resume = true;
                    backend = self.reconnect(&item, error, &mut attempt).await?;
                }
                Err(error) => {
                    self.pool.keep(&item.site, backend);
                    return Err(error);
                }
            }
        }
    }

    /// The progress callback of one attempt: reports the item (and the whole queue) at most ten
    /// times a second.
    fn progress_reporter(self: &Arc<Self>, item: &QueueItem) -> impl FnMut(u64) + Send + use<> {
        let mut meter = SpeedMeter::new();
        let mut throttle = Throttle::new(10);
        let total = item.size;
        let id = item.id;
        let service = self.clone();
        move |bytes: u64| {
            let now = Instant::now();
            meter.record(bytes, now);
            let last = Some(bytes) == total;
            if throttle.due(now, last) {
                let speed = meter.bytes_per_second();
                let eta = total.and_then(|t| meter.eta(t.saturating_sub(bytes)));
                service.ctx.events.send(Event::Queue(QueueEvent::Progress { item: id, bytes, total, speed, eta }));
                let mut state = lock(&service.state);
                if let Some(totals) = state.record_progress(id, bytes, now) {
                    service.ctx.events.send(Event::Queue(QueueEvent::Totals {
                        bytes: totals.bytes,
                        total: totals.total,
                        speed: totals.speed,
                        eta: totals.eta,
                    }));
                }
            }
        }
    }

    /// Waits (backing off) and opens a fresh connection for the item's next attempt after
    /// `error`, as long as retries are left; the site's spares are dropped, as the same cut most
    /// likely killed them.
    async fn reconnect(&self, item: &QueueItem, mut error: FerryError, attempt: &mut u32) -> Result<Box<dyn Backend>> {
        let retries = self.settings.retries;
        let schedule = RetrySchedule { retries, backoff: self.settings.backoff };
        loop {
            let Some(wait) = schedule.wait_before(*attempt + 1) else { return Err(error) };
            *attempt += 1;
            self.pool.forget_site(&item.site);
            let seconds = wait.as_secs_f64().ceil();
            self.ctx.log(None, LogKind::Error, super::queue_log::retry(item, &error, *attempt, retries, seconds));
            self.show_retry(item.id, &error, *attempt, retries, wait);
            tokio::time::sleep(wait).await;
            match super::connect::open_connection(&self.ctx, item.request, item.site.clone()).await {
                Ok((backend, _)) => {
                    self.set_retry_note(item.id, None);
                    return Ok(backend);
                }
                Err(next) if is_connection_failure(&next) => error = next,
                Err(next) => return Err(next),
            }
        }
    }

    /// Tells the UI that an item waits to try again, so its row does not sit at a frozen "Running".
    fn show_retry(&self, id: ItemId, error: &FerryError, attempt: u32, retries: u32, wait: Duration) {
        self.set_retry_note(id, Some(retry_note(error, attempt, retries, wait)));
    }

    fn set_retry_note(&self, id: ItemId, note: Option<String>) {
        let mut state = lock(&self.state);
        if let Some(item) = state.set_retry_note(id, note) {
            self.changed(item);
        }
    }

    /// Records that the item's first attempt began (and any new target name), and saves it, so
    /// a restart continues from what arrived instead of starting over.
    fn mark_started(self: &Arc<Self>, item: &QueueItem) {
        let renamed = lock(&self.state).mark_started(item);
        if let Some(renamed) = renamed {
            self.changed(renamed);
        }
        self.save();
    }
}

/// How far removing a remote part file may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Open a connection when none is idle (which may ask for a password).
    MayConnect,
    /// Use only an idle connection already open; otherwise leave the file.
    OpenOnly,
}

/// What a row waiting to try again says: why, and when. A timeout says what Ferry waited for
/// ("the server accepted no data for 30 s while …"); any other error its kind's own words, so
/// "connection lost" is said only of a connection that was lost, not of a server that refuses
/// connections while it restarts.
fn retry_note(error: &FerryError, attempt: u32, retries: u32, wait: Duration) -> String {
    let why = match error.kind {
        ErrorKind::Timeout => format!("{}: {}", error.kind.label(), crate::model::escape_control(&error.context)),
        kind => kind.label().to_string(),
    };
    format!("{why}; retry {attempt} of {retries} in {} s", wait.as_secs_f64().ceil())
}

/// [`SEGMENT_THRESHOLD`], or the number of bytes in `FERRY_SEGMENT_THRESHOLD`: tests and
/// benchmarks cut files of a few MiB, so they stay quick.
fn segment_threshold_from_env() -> u64 {
    std::env::var("FERRY_SEGMENT_THRESHOLD")
        .ok()
        .and_then(|bytes| bytes.trim().parse().ok())
        .unwrap_or(SEGMENT_THRESHOLD)
}

#[cfg(test)]
#[path = "scheduler_tests.rs"]
mod tests;
