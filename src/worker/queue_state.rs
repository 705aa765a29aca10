//! The queue's state and its rules, without tasks or connections: which items may start, what a
//! user's action does to an item, how an attempt ends, and the whole queue's progress. The queue
//! service (`scheduler.rs`) holds it under one lock and turns what these methods return into
//! events and tasks. Imports only the queue's item types and the folder order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use super::folder_order::{FolderIndex, Readiness};
use super::queue::{Integrity, ItemId, ItemState, QueueItem};
use crate::error::{ErrorKind, FerryError};
use crate::model::RequestId;
use crate::transfer::policy::OnExists;
use crate::transfer::progress::{SpeedMeter, Throttle};
pub use crate::transfer::queue_item::ItemAction;

/// How an attempt at one item ended.
pub(super) enum Outcome {
    /// In place, checked as `integrity`, with anything worth telling the user.
    Done { integrity: Integrity, note: Option<String> },
    /// Not moved: the target existed and the policy (or the user) said skip.
    Skipped,
    /// Stopped by an error (a `Cancelled` one cancels the item).
    Failed(FerryError),
}

/// The whole queue's progress, for the status bar.
pub(super) struct Totals {
    pub(super) bytes: u64,
    pub(super) total: u64,
    pub(super) speed: f64,
    pub(super) eta: Option<std::time::Duration>,
}

/// What `apply` did to an item.
pub(super) struct Applied {
    /// The item as it is now.
    pub(super) item: QueueItem,
    /// The task that was moving it, now to be stopped.
    pub(super) stopped: Option<tokio::task::AbortHandle>,
    /// The item as it was before a cancel reset it, whose temporary file is to be removed.
    pub(super) left_behind: Option<QueueItem>,
}

/// The queue's items and bookkeeping.
pub(super) struct QueueState {
    items: BTreeMap<ItemId, QueueItem>,
    /// The ids of queued items, in order: starting takes from here instead of scanning every
    /// item, which matters with tens of thousands of files.
    queued: BTreeSet<ItemId>,
    /// The folder items, so that nothing starts before its folder exists.
    folders: FolderIndex,
    /// Whether a save is already scheduled (saves are batched, at most one a second).
    save_scheduled: bool,
    running: HashMap<ItemId, tokio::task::AbortHandle>,
    concurrency: usize,
    next_id: u64,
    /// "Apply to the rest of the batch" answers to the target-exists question, per batch.
    batch_choices: HashMap<RequestId, OnExists>,
    totals_meter: SpeedMeter,
    totals_throttle: Throttle,
    /// The first and last item id of each request (a request's items get consecutive ids).
    spans: HashMap<RequestId, (ItemId, ItemId)>,
    /// Items whose attempt has ended but is not recorded yet (see [`QueueState::folders_to_date`]).
    ending: std::collections::HashSet<ItemId>,
    /// Requests whose folders were given their times already.
    dated: std::collections::HashSet<RequestId>,
}

impl QueueState {
    /// An empty queue running `concurrency` items at once.
    pub(super) fn new(concurrency: usize) -> Self {
        QueueState {
            items: BTreeMap::new(),
            queued: BTreeSet::new(),
            folders: FolderIndex::default(),
            save_scheduled: false,
            running: HashMap::new(),
            concurrency: concurrency.max(1),
            next_id: 1,
            batch_choices: HashMap::new(),
            totals_meter: SpeedMeter::new(),
            totals_throttle: Throttle::new(10),
            spans: HashMap::new(),
            ending: std::collections::HashSet::new(),
            dated: std::collections::HashSet::new(),
        }
    }

    /// Adds an item under a fresh id (a queued one waits its turn) and returns it as stored.
    pub(super) fn add(&mut self, mut item: QueueItem) -> QueueItem {
        item.id = ItemId(self.next_id);
        self.next_id += 1;
        if item.state == ItemState::Queued {
            self.queued.insert(item.id);
        }
        self.folders.add(&item);
        let span = self.spans.entry(item.request).or_insert((item.id, item.id));
        span.0 = span.0.min(item.id);
        span.1 = span.1.max(item.id);
        self.items.insert(item.id, item.clone());
        item
    }

    /// Called as the attempt at `id` ends (`made`: done), before it is recorded. When no other item of its
    /// request is queued or running any more, returns the request's folder items that were made,
    /// once per request: their times are set now, after everything in them arrived (writing a
    /// file into a folder changes the folder's time). Items that end together cannot both miss
    /// it: each ending one counts as ended for the others.
    pub(super) fn folders_to_date(&mut self, id: ItemId, made: bool) -> Option<Vec<QueueItem>> {
        let request = self.items.get(&id)?.request;
        self.ending.insert(id);
        let (first, last) = *self.spans.get(&request)?;
        let busy = |other: &ItemId| *other != id && !self.ending.contains(other);
        if self.dated.contains(&request) || self.queued.range(first..=last).next().is_some() {
            return None;
        }
        if self.running.keys().any(|other| (first..=last).contains(other) && busy(other)) {
            return None;
        }
        self.dated.insert(request);
        let folders = self.items.range(first..=last).map(|(_, item)| item);
        let made = |item: &QueueItem| item.state == ItemState::Done || (item.id == id && made);
        Some(folders.filter(|item| item.is_folder && made(item)).cloned().collect())
    }

    /// One item as it is now.
    pub(super) fn get(&self, id: ItemId) -> Option<QueueItem> {
        self.items.get(&id).cloned()
    }

    /// How many more items may start now.
    fn free_slots(&self) -> usize {
        self.concurrency.saturating_sub(self.running.len())
    }

    /// How many connections one running item may use at once (a big file moved in segments):
    /// its own and the slots no other item is using.
    pub(super) fn connections_for_one(&self) -> usize {
        self.free_slots() + 1
    }

    pub(super) fn set_concurrency(&mut self, limit: usize) {
        self.concurrency = limit.max(1);
    }

    /// Takes queued items, in order, for the free slots and marks them running; an item whose
    /// folder is not created yet waits (see [`super::folder_order`]), and one whose folder
    /// failed fails too. Returns the items started and the items failed, as they are now. The
    /// caller records each started item's task with [`QueueState::started`].
    pub(super) fn start_ready(&mut self) -> (Vec<QueueItem>, Vec<QueueItem>) {
        let free = self.free_slots();
        let mut ready = Vec::with_capacity(free);
        let mut blocked = Vec::new();
        // In queue order, which puts every folder before what goes into it: an item failed here
        // for its folder fails, in the same pass, the items inside it. The pass stops once the
        // free connections are taken, so a queue of many files costs little per finished item.
        for &id in &self.queued {
            if ready.len() >= free {
                break;
            }
            let Some(item) = self.items.get(&id) else { continue };
            match self.folders.readiness(item, &self.items) {
                Readiness::Ready => ready.push(id),
                Readiness::Waiting => {}
                Readiness::Blocked(error) => {
                    if let Some(item) = self.items.get_mut(&id) {
                        item.state = ItemState::Failed;
                        item.error = Some(error);
                        blocked.push(item.clone());
                    }
                }
            }
        }
        for item in &blocked {
            self.queued.remove(&item.id);
        }
        let mut started = Vec::with_capacity(ready.len());
        for id in ready {
            self.queued.remove(&id);
            if let Some(item) = self.items.get_mut(&id) {
                item.state = ItemState::Running;
                started.push(item.clone());
            }
        }
        (started, blocked)
    }

    /// Records the task moving a started item, so that a pause or cancel can stop it.
    pub(super) fn started(&mut self, id: ItemId, task: tokio::task::AbortHandle) {
        self.running.insert(id, task);
    }

    /// Applies a user's action; `None` when it does not apply to the item's state.
    pub(super) fn apply(&mut self, id: ItemId, action: ItemAction) -> Option<Applied> {
        let state = self.items.get(&id)?.state;
        // The same rule decides which buttons the queue panel offers.
        let new_state = state.after(action)?;
        let stopped = self.running.remove(&id);
        if new_state == ItemState::Queued {
            self.queued.insert(id);
        } else {
            self.queued.remove(&id);
        }
        let item = self.items.get_mut(&id)?;
        item.state = new_state;
        if new_state == ItemState::Queued {
            item.error = None;
        }
        let mut left_behind = None;
        if new_state == ItemState::Cancelled {
            // Cancelled is for good: nothing is left behind (a retry starts over).
            left_behind = Some(item.clone());
            item.started = false;
            item.bytes_done = 0;
        }
        Some(Applied { item: item.clone(), stopped, left_behind })
    }

    /// Removes the finished items and returns them.
    pub(super) fn clear_finished(&mut self) -> Vec<QueueItem> {
        let finished: Vec<ItemId> =
            self.items.values().filter(|item| item.state.is_finished()).map(|item| item.id).collect();
        self.folders.remove(&finished);
        finished.iter().filter_map(|id| self.items.remove(id)).collect()
    }

    /// Removes these items, whatever their state; returns each with the task that was moving it.
    pub(super) fn forget(&mut self, ids: &[ItemId]) -> Vec<(QueueItem, Option<tokio::task::AbortHandle>)> {
        let known: Vec<ItemId> = ids.iter().copied().filter(|id| self.items.contains_key(id)).collect();
        self.folders.remove(&known);
        known
            .iter()
            .filter_map(|id| {
                self.queued.remove(id);
                let task = self.running.remove(id);
                self.items.remove(id).map(|item| (item, task))
            })
            .collect()
    }

    /// Records how an attempt ended and returns the item as it is now.
    pub(super) fn finish(&mut self, id: ItemId, outcome: Outcome) -> Option<QueueItem> {
        self.running.remove(&id);
        self.ending.remove(&id);
        let item = self.items.get_mut(&id)?;
        item.retry_note = None;
        match outcome {
            Outcome::Done { integrity, note } => {
                item.state = ItemState::Done;
                item.integrity = Some(integrity);
                item.success_note = note;
                item.bytes_done = item.size.unwrap_or(item.bytes_done);
                item.error = None;
            }
            Outcome::Skipped => item.state = ItemState::Skipped,
            Outcome::Failed(error) if error.kind == ErrorKind::Cancelled => item.state = ItemState::Cancelled,
            Outcome::Failed(error) => {
                item.state = ItemState::Failed;
                item.error = Some(error);
            }
        }
        Some(item.clone())
    }

    /// Sets what a running item waits for; returns it if it is still running.
    pub(super) fn set_retry_note(&mut self, id: ItemId, note: Option<String>) -> Option<QueueItem> {
        let item = self.items.get_mut(&id).filter(|item| item.state == ItemState::Running)?;
        item.retry_note = note;
        Some(item.clone())
    }

    /// Records that the item's first attempt began, under the target name it settled on.
    /// Returns the item when its target got a new name, which the UI must hear of.
    pub(super) fn mark_started(&mut self, item: &QueueItem) -> Option<QueueItem> {
        let queued = self.items.get_mut(&item.id)?;
        queued.started = true;
        let renamed = queued.local != item.local || queued.remote != item.remote;
        queued.local = item.local.clone();
        queued.remote = item.remote.clone();
        renamed.then(|| queued.clone())
    }

    /// Records an item's progress; the whole queue's totals when a report is due (at most ten a
    /// second).
    pub(super) fn record_progress(&mut self, id: ItemId, bytes: u64, now: Instant) -> Option<Totals> {
        if let Some(item) = self.items.get_mut(&id) {
            item.bytes_done = bytes;
        }
        if !self.totals_throttle.due(now, false) {
            return None;
        }
        // Summed only when a report is due, never per chunk.
        let (done, total) = self
            .items
            .values()
            .filter(|item| item.state != ItemState::Cancelled && item.state != ItemState::Skipped)
            .fold((0u64, 0u64), |(done, total), item| {
                (done + item.bytes_done, total + item.size.unwrap_or(item.bytes_done))
            });
        self.totals_meter.record(done, now);
        let speed = self.totals_meter.bytes_per_second();
        let eta = self.totals_meter.eta(total.saturating_sub(done));
        Some(Totals { bytes: done, total, speed, eta })
    }

    /// The answer to "the target exists" that holds for the rest of a batch, if one was given.
    pub(super) fn batch_choice(&self, request: RequestId) -> Option<OnExists> {
        self.batch_choices.get(&request).copied()
    }

    pub(super) fn remember_batch_choice(&mut self, request: RequestId, choice: OnExists) {
        self.batch_choices.insert(request, choice);
    }

    /// Whether a save is to be scheduled now (false when one already is).
    pub(super) fn schedule_save(&mut self) -> bool {
        !std::mem::replace(&mut self.save_scheduled, true)
    }

    pub(super) fn save_done(&mut self) {
        self.save_scheduled = false;
    }

    /// The items a restart should offer again.
    pub(super) fn unfinished(&self) -> Vec<QueueItem> {
        self.items.values().filter(|item| !item.state.is_finished()).cloned().collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::model::{ConnectSpec, Protocol};
    use crate::worker::queue::Direction;

    pub(in crate::worker) fn queued_item(remote: &str, state: ItemState) -> QueueItem {
        QueueItem {
            id: ItemId(0),
            request: RequestId(1),
            site: ConnectSpec::new(Protocol::Sftp, "a.example"),
            direction: Direction::Download,
            remote: remote.to_string(),
            local: std::path::PathBuf::from("/nonexistent/ferry-test").join(crate::model::file_name_remote(remote)),
            local_root: std::path::PathBuf::from("/nonexistent/ferry-test"),
            is_folder: false,
            size: Some(10),
            modified: None,
            mode: None,
            bytes_done: 0,
            started: false,
            state,
            error: None,
            on_exists: OnExists::Overwrite,
            verify: false,
            integrity: None,
            retry_note: None,
            success_note: None,
        }
    }

    fn a_task() -> tokio::task::AbortHandle {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.spawn(std::future::pending::<()>()).abort_handle()
    }

    #[test]
    fn folders_are_dated_once_by_the_last_item_of_their_request_even_when_two_end_together() {
        let mut queue = QueueState::new(4);
        let mut folder = queued_item("/top", ItemState::Queued);
        folder.is_folder = true;
        let folder = queue.add(folder).id;
        let first = queue.add(queued_item("/top/a", ItemState::Queued)).id;
        let second = queue.add(queued_item("/top/b", ItemState::Queued)).id;
        let start = |queue: &mut QueueState| {
            let (started, _) = queue.start_ready();
            for item in &started {
                queue.started(item.id, a_task());
            }
        };
        start(&mut queue);
        let done = || Outcome::Done { integrity: Integrity::SizeChecked, note: None };
        assert!(queue.folders_to_date(folder, true).is_none(), "the folder's files are still to come");
        queue.finish(folder, done());
        start(&mut queue);
        // Both files end at once: the first sees the second running, the second sees the first
        // ending, so exactly one of them dates the folder.
        assert!(queue.folders_to_date(first, true).is_none());
        let dated = queue.folders_to_date(second, true).expect("the last one dates the folders");
        assert_eq!(dated.iter().map(|item| item.id).collect::<Vec<_>>(), vec![folder]);
        queue.finish(first, done());
        queue.finish(second, done());
        assert!(queue.folders_to_date(second, true).is_none(), "once per request");
    }

    #[test]
    fn no_more_items_start_than_the_concurrency_and_in_queue_order() {
        let mut queue = QueueState::new(2);
        let ids: Vec<ItemId> =
            ["/a", "/b", "/c"].iter().map(|name| queue.add(queued_item(name, ItemState::Queued)).id).collect();
        let (started, blocked) = queue.start_ready();
        assert_eq!(started.iter().map(|i| i.id).collect::<Vec<_>>(), ids[..2]);
        assert!(blocked.is_empty());
        assert!(started.iter().all(|i| i.state == ItemState::Running));
        for item in &started {
            queue.started(item.id, a_task());
        }
        assert!(queue.start_ready().0.is_empty(), "both slots are taken");
        queue.finish(ids[0], Outcome::Done { integrity: Integrity::SizeChecked, note: None });
        assert_eq!(queue.start_ready().0.iter().map(|i| i.id).collect::<Vec<_>>(), ids[2..]);
    }

    #[test]
    fn a_cancelled_item_is_cancelled_for_good_and_leaves_its_part_to_remove() {
        let mut queue = QueueState::new(1);
        let id = queue.add(queued_item("/a", ItemState::Queued)).id;
        queue.start_ready();
        queue.started(id, a_task());
        queue.mark_started(&queue.get(id).unwrap());
        queue.record_progress(id, 4, Instant::now());
        let applied = queue.apply(id, ItemAction::Cancel).expect("a running item can be cancelled");
        assert!(applied.stopped.is_some(), "its task is stopped");
        assert_eq!(applied.item.state, ItemState::Cancelled);
        assert_eq!((applied.item.started, applied.item.bytes_done), (false, 0), "a retry starts over");
        let before = applied.left_behind.expect("what it wrote is to be removed");
        assert!(before.started);
        // Cancelled, it waits for nothing; Resume does not apply, Retry queues it again.
        assert!(queue.start_ready().0.is_empty());
        assert!(queue.apply(id, ItemAction::Resume).is_none());
        assert_eq!(queue.apply(id, ItemAction::Retry).map(|a| a.item.state), Some(ItemState::Queued));
    }

    #[test]
    fn a_skipped_item_is_never_retried_and_a_done_one_never_cancelled() {
        let mut queue = QueueState::new(1);
        let skipped = queue.add(queued_item("/a", ItemState::Skipped)).id;
        assert!(queue.apply(skipped, ItemAction::Retry).is_none());
        let done = queue.add(queued_item("/b", ItemState::Queued)).id;
        queue.start_ready();
        queue.finish(done, Outcome::Done { integrity: Integrity::SizeChecked, note: None });
        assert!(queue.apply(done, ItemAction::Cancel).is_none());
        assert_eq!(queue.get(done).map(|i| (i.state, i.bytes_done)), Some((ItemState::Done, 10)));
        let cleared: Vec<ItemId> = queue.clear_finished().iter().map(|i| i.id).collect();
        assert_eq!(cleared, vec![skipped, done]);
        assert!(queue.unfinished().is_empty());
    }

    #[test]
    fn a_cancelled_error_cancels_and_another_fails_with_its_reason() {
        let mut queue = QueueState::new(2);
        let a = queue.add(queued_item("/a", ItemState::Queued)).id;
        let b = queue.add(queued_item("/b", ItemState::Queued)).id;
        queue.start_ready();
        let stopped = FerryError::new(ErrorKind::Cancelled, "stopped");
        assert_eq!(queue.finish(a, Outcome::Failed(stopped)).map(|i| i.state), Some(ItemState::Cancelled));
        let refused = FerryError::new(ErrorKind::PermissionDenied, "no");
        let failed = queue.finish(b, Outcome::Failed(refused)).unwrap();
        assert_eq!(
            (failed.state, failed.error.map(|e| e.kind)),
            (ItemState::Failed, Some(ErrorKind::PermissionDenied))
        );
    }
}
