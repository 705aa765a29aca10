//! Runs the transfer queue: up to N items at once, each on its own pooled connection to its site
//! (so browsing never waits behind a transfer), retrying a lost connection with backoff and
//! resuming where it stopped, asking what to do when a target exists, and saving what is left.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::engine::{Shared, lock};
use super::folder_order::{FolderIndex, Readiness};
use super::queue::{Direction, ItemId, ItemState, QueueItem};
use super::{Answer, Event, Question};
use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, RequestId, file_name_remote, parent_remote};
use crate::transfer::policy::{Decision, FileFacts, OnExists, decide, renamed};
use crate::transfer::progress::{SpeedMeter, Throttle};

/// How the queue runs.
#[derive(Debug, Clone)]
pub struct TransferSettings {
    /// How many items move at once (each on its own connection).
    pub concurrency: usize,
    /// How many times a lost connection is retried before the item fails.
    pub retries: u32,
    /// The first wait before a retry; it doubles with each further try.
    pub backoff: Duration,
}

impl Default for TransferSettings {
    fn default() -> Self {
        TransferSettings { concurrency: 4, retries: 3, backoff: Duration::from_secs(1) }
    }
}

/// What the user asks of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAction {
    /// Stop it for good.
    Cancel,
    /// Stop it, keeping what has arrived.
    Pause,
    /// Continue a paused item from where it stopped.
    Resume,
    /// Try a failed or cancelled item again, continuing from what has arrived.
    Retry,
}

/// The queue's state, inside the worker.
pub(super) struct QueueState {
    items: BTreeMap<ItemId, QueueItem>,
    /// The ids of queued items, in order: `pump` takes from here instead of scanning every item,
    /// which matters with tens of thousands of files.
    queued: std::collections::BTreeSet<ItemId>,
    /// The folder items, so that nothing starts before its folder exists.
    folders: FolderIndex,
    /// Whether a save is already scheduled (saves are batched, at most one a second).
    save_scheduled: bool,
    running: HashMap<ItemId, tokio::task::AbortHandle>,
    concurrency: usize,
    next_id: u64,
    /// "Apply to the rest of the batch" answers to the target-exists question, per batch.
    choices: HashMap<RequestId, OnExists>,
    totals_meter: SpeedMeter,
    totals_throttle: Throttle,
}

impl QueueState {
    /// An empty queue running `concurrency` items at once.
    pub(super) fn new(concurrency: usize) -> Self {
        QueueState {
            items: BTreeMap::new(),
            queued: std::collections::BTreeSet::new(),
            folders: FolderIndex::default(),
            save_scheduled: false,
            running: HashMap::new(),
            concurrency: concurrency.max(1),
            next_id: 1,
            choices: HashMap::new(),
            totals_meter: SpeedMeter::new(),
            totals_throttle: Throttle::new(10),
        }
    }
}

/// Idle connections kept for the queue, per site.
pub(super) type Pool = HashMap<String, Vec<Box<dyn Backend>>>;

fn site_key(site: &ConnectSpec) -> String {
    format!("{}|{:?}", site.display_url(), site.identity)
}

/// Adds planned items to the queue and tells the UI, then starts what can start. The UI hears
/// of the items (`Enqueued`, sent under the queue's lock) before any of them can change.
pub(super) fn enqueue(shared: &Arc<Shared>, request: RequestId, items: Vec<QueueItem>) {
    {
        let mut queue = lock(&shared.queue);
        let mut added = Vec::with_capacity(items.len());
        for mut item in items {
            item.id = ItemId(queue.next_id);
            queue.next_id += 1;
            if item.state == ItemState::Queued {
                queue.queued.insert(item.id);
            }
            queue.folders.add(&item);
            queue.items.insert(item.id, item.clone());
            added.push(item);
        }
        shared.events.send(Event::Enqueued { request, items: added });
    }
    save(shared);
    pump(shared);
}

/// Puts items restored from the last run back in the queue (paused), keeping their ids apart.
pub(super) fn restore(shared: &Arc<Shared>, items: Vec<QueueItem>) -> Vec<QueueItem> {
    let mut queue = lock(&shared.queue);
    let mut restored = Vec::with_capacity(items.len());
    for mut item in items {
        item.id = ItemId(queue.next_id);
        queue.next_id += 1;
        queue.folders.add(&item);
        queue.items.insert(item.id, item.clone());
        restored.push(item);
    }
    restored
}

/// Starts queued items, in order, while fewer than the limit run; an item whose folder is not
/// created yet waits (see [`super::folder_order`]), and one whose folder failed fails too.
pub(super) fn pump(shared: &Arc<Shared>) {
    let mut guard = lock(&shared.queue);
    let queue = &mut *guard;
    let free = queue.concurrency.saturating_sub(queue.running.len());
    let mut ready = Vec::with_capacity(free);
    let mut blocked = Vec::new();
    // In queue order, which puts every folder before what goes into it: an item failed here for
    // its folder fails, in the same pass, the items inside it. The pass stops once the free
    // connections are taken, so a queue of many files costs little per finished item.
    for &id in &queue.queued {
        if ready.len() >= free {
            break;
        }
        let Some(item) = queue.items.get(&id) else { continue };
        match queue.folders.readiness(item, &queue.items) {
            Readiness::Ready => ready.push(id),
            Readiness::Waiting => {}
            Readiness::Blocked(error) => {
                blocked.push(id);
                if let Some(item) = queue.items.get_mut(&id) {
                    item.state = ItemState::Failed;
                    item.error = Some(error);
                    shared.events.send(Event::QueueChanged { item: Box::new(item.clone()) });
                }
            }
        }
    }
    for id in &blocked {
        queue.queued.remove(id);
    }
    for id in ready {
        queue.queued.remove(&id);
        if let Some(item) = queue.items.get_mut(&id) {
            item.state = ItemState::Running;
            shared.events.send(Event::QueueChanged { item: Box::new(item.clone()) });
        }
        let task_shared = shared.clone();
        let task = tokio::spawn(async move { run_item(task_shared, id).await });
        queue.running.insert(id, task.abort_handle());
    }
    drop(guard);
    if !blocked.is_empty() {
        save(shared);
    }
}

/// Applies a user's action to one item.
pub(super) fn act(shared: &Arc<Shared>, id: ItemId, action: ItemAction) {
    {
        let mut queue = lock(&shared.queue);
        let Some(state) = queue.items.get(&id).map(|item| item.state) else { return };
        let new_state = match (action, state) {
            (ItemAction::Cancel, state) if !state.is_finished() || state == ItemState::Failed => ItemState::Cancelled,
            (ItemAction::Pause, ItemState::Queued | ItemState::Running) => ItemState::Paused,
            (ItemAction::Resume, ItemState::Paused) => ItemState::Queued,
            // Skipped items are not retried: some were refused for an unsafe name.
            (ItemAction::Retry, ItemState::Failed | ItemState::Cancelled | ItemState::Paused) => ItemState::Queued,
            _ => return,
        };
        if let Some(task) = queue.running.remove(&id) {
            task.abort();
        }
        if new_state == ItemState::Queued {
            queue.queued.insert(id);
        } else {
            queue.queued.remove(&id);
        }
        if let Some(item) = queue.items.get_mut(&id) {
            item.state = new_state;
            if new_state == ItemState::Queued {
                item.error = None;
            }
            if new_state == ItemState::Cancelled {
                // Cancelled is for good: nothing is left behind (a retry starts over).
                leave_nothing_behind(shared, item);
                item.started = false;
                item.bytes_done = 0;
            }
            shared.events.send(Event::QueueChanged { item: Box::new(item.clone()) });
        }
    }
    // A user's pause or cancel is saved at once: Ferry may be closed right after.
    save_now(shared);
    pump(shared);
}

/// Removes finished items from the queue.
pub(super) fn clear_finished(shared: &Arc<Shared>) {
    let mut queue = lock(&shared.queue);
    let finished: Vec<ItemId> =
        queue.items.values().filter(|item| item.state.is_finished()).map(|item| item.id).collect();
    for id in &finished {
        if let Some(item) = queue.items.remove(id) {
            // A failed item could have been retried from its part file; cleared, it never will.
            leave_nothing_behind(shared, &item);
        }
    }
    queue.folders.remove(&finished);
    shared.events.send(Event::QueueCleared { items: finished });
}

/// Removes what an unfinished transfer of `item` wrote under its temporary name: the local part
/// file of a download at once, the remote one of an upload in the background, on a pooled or new
/// connection (best effort: the server may be gone). Items written in place leave nothing to remove.
fn leave_nothing_behind(shared: &Arc<Shared>, item: &QueueItem) {
    if item.is_folder || item.state == ItemState::Done || item.state == ItemState::Skipped {
        return;
    }
    match item.direction {
        Direction::Download => {
            let _ = std::fs::remove_file(super::transfer::part_path(&item.local));
        }
        Direction::Upload if !item.site.uploads_in_place && item.started => {
            let shared = shared.clone();
            let site = item.site.clone();
            let part = crate::transfer::names::remote_part_path(&item.remote);
            let request = item.request;
            tokio::spawn(async move {
                let Ok(mut backend) = checkout(&shared, request, &site).await else { return };
                let _ = backend.remove_file(&part).await;
                checkin(&shared, &site, backend);
            });
        }
        Direction::Upload => {}
    }
}

/// Changes how many items run at once.
pub(super) fn set_concurrency(shared: &Arc<Shared>, limit: usize) {
    lock(&shared.queue).concurrency = limit.max(1);
    pump(shared);
}

/// Schedules a save of the unfinished items, batched to at most one a second: with thousands of
/// small files, saving after every one would cost more than the transfers.
fn save(shared: &Arc<Shared>) {
    {
        let mut queue = lock(&shared.queue);
        if queue.save_scheduled {
            return;
        }
        queue.save_scheduled = true;
    }
    let shared = shared.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        lock(&shared.queue).save_scheduled = false;
        save_now(&shared);
    });
}

/// Saves the unfinished items to the config folder now. A failure is logged, not fatal: the
/// queue still runs, it just will not be offered again after a restart.
pub(super) fn save_now(shared: &Shared) {
    let items: Vec<QueueItem> =
        lock(&shared.queue).items.values().filter(|i| !i.state.is_finished()).cloned().collect();
    if let Err(error) = super::queue::save(&shared.config.queue(), &items) {
        tracing::warn!(target: "ferry::queue", "could not save the queue: {error}");
    }
}

fn snapshot(shared: &Shared, id: ItemId) -> Option<QueueItem> {
    lock(&shared.queue).items.get(&id).cloned()
}

/// Records an item's new state (and error) and tells the UI.
fn finish(shared: &Arc<Shared>, id: ItemId, outcome: Result<Option<Finished>>) {
    {
        let mut queue = lock(&shared.queue);
        queue.running.remove(&id);
        let Some(item) = queue.items.get_mut(&id) else { return };
        item.note = None;
        match outcome {
            Ok(Some(Finished { integrity, note })) => {
                item.state = ItemState::Done;
                item.integrity = Some(integrity);
                item.note = note;
                item.bytes_done = item.size.unwrap_or(item.bytes_done);
                item.error = None;
            }
            Ok(None) => item.state = ItemState::Skipped,
            Err(error) if error.kind == ErrorKind::Cancelled => item.state = ItemState::Cancelled,
            Err(error) => {
                item.state = ItemState::Failed;
                item.error = Some(error);
            }
        }
        shared.events.send(Event::QueueChanged { item: Box::new(item.clone()) });
    }
    save(shared);
    pump(shared);
}

/// Moves one item: decides about an existing target, then transfers with retries.
async fn run_item(shared: Arc<Shared>, id: ItemId) {
    let Some(item) = snapshot(&shared, id) else { return };
    let outcome = run_item_inner(&shared, item).await;
    finish(&shared, id, outcome);
}

/// How a transfer ended well: its check, and anything worth telling the user.
struct Finished {
    integrity: super::queue::Integrity,
    note: Option<String>,
}

async fn run_item_inner(shared: &Arc<Shared>, mut item: QueueItem) -> Result<Option<Finished>> {
    // An item that ran before (a retry, a resumed or restored one) continues from what arrived.
    let mut resume = item.started;
    if item.direction == Direction::Download {
        // Before the existing-target check, which may rename the target to resume it.
        super::transfer::check_download_target(&item)?;
    }
    let mut attempt = 0;
    let mut backend = match checkout(shared, item.request, &item.site).await {
        Ok(backend) => backend,
        Err(error) if retryable(&error) => reconnect(shared, &item, error, &mut attempt).await?,
        Err(error) => return Err(error),
    };
    while !item.is_folder && !resume {
        match target_decision(shared, backend.as_mut(), &mut item).await {
            Ok(Some(resume_existing)) => {
                resume = resume_existing;
                break;
            }
            Ok(None) => {
                checkin(shared, &item.site, backend);
                return Ok(None);
            }
            // A spare connection found dead while looking at the target: ask again on a fresh one.
            Err(error) if retryable(&error) => {
                super::reconnect::close_quietly(backend);
                backend = reconnect(shared, &item, error, &mut attempt).await?;
            }
            Err(error) => {
                checkin(shared, &item.site, backend);
                return Err(error);
            }
        }
    }
    mark_started(shared, &item);
    loop {
        let mut meter = SpeedMeter::new();
        let mut throttle = Throttle::new(10);
        let total = item.size;
        let id = item.id;
        let events = shared.events.clone();
        let progress_shared = shared.clone();
        let mut progress = move |bytes: u64| {
            let now = Instant::now();
            meter.record(bytes, now);
            let last = Some(bytes) == total;
            if throttle.due(now, last) {
                let speed = meter.bytes_per_second();
                let eta = total.and_then(|t| meter.eta(t.saturating_sub(bytes)));
                events.send(Event::QueueProgress { item: id, bytes, total, speed, eta });
                note_progress(&progress_shared, id, bytes, now);
            }
        };
        let outcome = match item.direction {
            Direction::Download => {
                super::transfer::download(backend.as_mut(), &item, &item.local_root.clone(), resume, &mut progress)
                    .await
                    .map(|integrity| Finished { integrity, note: None })
            }
            Direction::Upload => super::upload::upload(backend.as_mut(), &item, resume, &mut progress)
                .await
                .map(|uploaded| Finished { integrity: uploaded.integrity, note: uploaded.note }),
        };
        match outcome {
            Ok(finished) => {
                checkin(shared, &item.site, backend);
                return Ok(Some(finished));
            }
            Err(error) if retryable(&error) => {
                super::reconnect::close_quietly(backend);
                // What already arrived stays: the next attempt continues from it.
                resume = true;
                backend = reconnect(shared, &item, error, &mut attempt).await?;
            }
            Err(error) => {
                checkin(shared, &item.site, backend);
                return Err(error);
            }
        }
    }
}

/// Waits (backing off) and opens a fresh connection for the item's next attempt after `error`,
/// as long as retries are left; the site's spares are dropped, as the same cut most likely
/// killed them.
async fn reconnect(
    shared: &Arc<Shared>,
    item: &QueueItem,
    mut error: FerryError,
    attempt: &mut u32,
) -> Result<Box<dyn Backend>> {
    let retries = shared.transfer.retries;
    loop {
        if *attempt >= retries {
            return Err(error);
        }
        *attempt += 1;
        let wait = shared.transfer.backoff * 2u32.pow(*attempt - 1);
        let name = crate::model::escape_control(&item.remote);
        tracing::info!(target: "ferry::queue", "{name}: {error}; retry {attempt} of {retries} in {wait:?}");
        forget_spares(shared, &item.site);
        show_retry(shared, item.id, &error, *attempt, retries, wait);
        tokio::time::sleep(wait).await;
        match super::connect::open_connection(shared, item.request, item.site.clone()).await {
            Ok((backend, _)) => {
                show_retry_over(shared, item.id);
                return Ok(backend);
            }
            Err(next) if retryable(&next) => error = next,
            Err(next) => return Err(next),
        }
    }
}

/// Tells the UI that an item waits to try again, so its row does not sit at a frozen "Running".
fn show_retry(shared: &Arc<Shared>, id: ItemId, error: &FerryError, attempt: u32, retries: u32, wait: Duration) {
    // A timeout says what Ferry waited for ("the server accepted no data for 30 s while …").
    let why = match error.kind {
        ErrorKind::Timeout => format!("{}: {}", error.kind.label(), crate::model::escape_control(&error.context)),
        _ => "connection lost".to_string(),
    };
    let note = format!("{why}; retry {attempt} of {retries} in {} s", wait.as_secs_f64().ceil());
    set_note(shared, id, Some(note));
}

/// Clears the waiting note once a retry is under way.
fn show_retry_over(shared: &Arc<Shared>, id: ItemId) {
    set_note(shared, id, None);
}

fn set_note(shared: &Arc<Shared>, id: ItemId, note: Option<String>) {
    let mut queue = lock(&shared.queue);
    if let Some(item) = queue.items.get_mut(&id)
        && item.state == ItemState::Running
    {
        item.note = note;
        shared.events.send(Event::QueueChanged { item: Box::new(item.clone()) });
    }
}

/// Records that the item's first attempt began (and any new target name), and saves it, so a
/// restart continues from what arrived instead of starting over.
fn mark_started(shared: &Arc<Shared>, item: &QueueItem) {
    if let Some(queued) = lock(&shared.queue).items.get_mut(&item.id) {
        queued.started = true;
        queued.local = item.local.clone();
        queued.remote = item.remote.clone();
    }
    save(shared);
}

/// Errors worth another try: the network, not the request.
pub(super) fn retryable(error: &FerryError) -> bool {
    // A refusal too: a server being restarted refuses for a moment.
    matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::ConnectionRefused | ErrorKind::Timeout)
}

/// Records progress for the whole queue and sends the totals at most ten times a second.
fn note_progress(shared: &Shared, id: ItemId, bytes: u64, now: Instant) {
    let mut queue = lock(&shared.queue);
    if let Some(item) = queue.items.get_mut(&id) {
        item.bytes_done = bytes;
    }
    if !queue.totals_throttle.due(now, false) {
        return;
    }
    // Summed only when a report is due (ten times a second), never per chunk.
    let (done, total) = queue
        .items
        .values()
        .filter(|item| item.state != ItemState::Cancelled && item.state != ItemState::Skipped)
        .fold((0u64, 0u64), |(done, total), item| {
            (done + item.bytes_done, total + item.size.unwrap_or(item.bytes_done))
        });
    queue.totals_meter.record(done, now);
    let speed = queue.totals_meter.bytes_per_second();
    let eta = queue.totals_meter.eta(total.saturating_sub(done));
    shared.events.send(Event::QueueTotals { bytes: done, total, speed, eta });
}

/// What to do about an existing target: `Some(resume)` to go on, `None` to skip. May ask the
/// user, and may rename the item's target.
async fn target_decision(
    shared: &Arc<Shared>,
    backend: &mut dyn Backend,
    item: &mut QueueItem,
) -> Result<Option<bool>> {
    let target = match item.direction {
        Direction::Download => std::fs::symlink_metadata(&item.local).ok().map(|m| FileFacts {
            size: Some(m.len()),
            modified: m.modified().ok().map(chrono::DateTime::<chrono::Utc>::from),
        }),
        Direction::Upload => {
            backend.stat(&item.remote).await.ok().map(|e| FileFacts { size: e.size, modified: e.modified })
        }
    };
    let Some(target) = target else { return Ok(Some(false)) };
    let source = FileFacts { size: item.size, modified: item.modified };
    let chosen = lock(&shared.queue).choices.get(&item.request).copied().unwrap_or(item.on_exists);
    let mut decision = decide(chosen, &source, Some(&target));
    if decision == Decision::Ask {
        let question = Question::TargetExists { item: item.id, name: item.name(), source, target };
        let (choice, apply_to_all) = match shared.ask(item.request, question).await {
            Some(Answer::Exists { choice, apply_to_all }) => (choice, apply_to_all),
            _ => (OnExists::Skip, false),
        };
        if apply_to_all {
            lock(&shared.queue).choices.insert(item.request, choice);
        }
        decision = decide(if choice == OnExists::Ask { OnExists::Skip } else { choice }, &source, Some(&target));
    }
    match decision {
        Decision::Transfer => Ok(Some(false)),
        Decision::Skip | Decision::Ask => Ok(None),
        Decision::Resume { .. } => {
            // Continue the existing file through the part file, so it is replaced only when complete.
            if item.direction == Direction::Download {
                let part = super::transfer::part_path(&item.local);
                std::fs::rename(&item.local, &part)
                    .map_err(|e| FerryError::from_io(&e, format!("resuming {}", item.local.display())))?;
            } else if !item.site.uploads_in_place {
                // A temporary file left by an earlier attempt is newer than the target: keep it.
                let part = crate::transfer::names::remote_part_path(&item.remote);
                if backend.stat(&part).await.is_err() {
                    backend.rename(&item.remote, &part).await?;
                }
            }
            Ok(Some(true))
        }
        Decision::Rename => {
            rename_target(backend, item).await?;
            Ok(Some(false))
        }
    }
}

/// Gives the item a free target name: `name (1).ext`, `name (2).ext`...
async fn rename_target(backend: &mut dyn Backend, item: &mut QueueItem) -> Result<()> {
    match item.direction {
        Direction::Download => {
            let name = item.local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let dir = item.local.parent().map(PathBuf::from).unwrap_or_default();
            let fresh = renamed(&name, |candidate| std::fs::symlink_metadata(dir.join(candidate)).is_ok());
            item.local = dir.join(fresh);
        }
        Direction::Upload => {
            let dir = parent_remote(&item.remote);
            let taken: std::collections::HashSet<String> =
                backend.list(&dir).await?.into_iter().map(|e| e.name).collect();
            let fresh = renamed(file_name_remote(&item.remote), |candidate| taken.contains(candidate));
            item.remote = crate::model::join_remote(&dir, &fresh);
        }
    }
    Ok(())
}

/// A connection to `site` for one item: an idle pooled one, or a new one.
pub(super) async fn checkout(shared: &Arc<Shared>, request: RequestId, site: &ConnectSpec) -> Result<Box<dyn Backend>> {
    if let Some(backend) = lock(&shared.pool).get_mut(&site_key(site)).and_then(Vec::pop) {
        return Ok(backend);
    }
    let (backend, _) = super::connect::open_connection(shared, request, site.clone()).await?;
    Ok(backend)
}

/// Closes the idle connections kept for `site`: after one of them was found dead, or when the
/// user disconnects from the site.
pub(super) fn forget_spares(shared: &Shared, site: &ConnectSpec) {
    let spares = lock(&shared.pool).remove(&site_key(site)).unwrap_or_default();
    for spare in spares {
        super::reconnect::close_quietly(spare);
    }
}

/// Returns a connection to the pool, keeping at most as many as items may run at once.
pub(super) fn checkin(shared: &Arc<Shared>, site: &ConnectSpec, backend: Box<dyn Backend>) {
    let limit = lock(&shared.queue).concurrency;
    let mut pool = lock(&shared.pool);
    let idle = pool.entry(site_key(site)).or_default();
    if idle.len() < limit {
        idle.push(backend);
    }
}
