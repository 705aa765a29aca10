//! The life of one queue item, as pure rules that the worker and the queue panel both follow: its
//! states, what the user may do in each, how long to wait before each retry, and what becomes of
//! a transfer whose target exists.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Where an item is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemState {
    /// Waiting for a free connection.
    Queued,
    /// Moving bytes (or asking what to do about an existing target).
    Running,
    /// Stopped by the user, or left unfinished by the last run; `Resume` continues it.
    Paused,
    /// In place and checked.
    Done,
    /// Gave up after its retries; `Retry` tries again from where it stopped.
    Failed,
    /// Stopped by the user for good.
    Cancelled,
    /// Not moved: the target existed and the policy said skip, or the name was unsafe.
    Skipped,
}

/// What the user asks of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemAction {
    /// Stop it for good, removing what a partial transfer left behind.
    Cancel,
    /// Stop it, keeping what has arrived.
    Pause,
    /// Continue a paused item from where it stopped.
    Resume,
    /// Try a failed or cancelled item again, continuing from what has arrived.
    Retry,
}

impl ItemAction {
    /// Every action, in the order the queue panel shows its buttons.
    pub const ALL: [ItemAction; 4] = [ItemAction::Pause, ItemAction::Resume, ItemAction::Retry, ItemAction::Cancel];
}

impl ItemState {
    /// Whether the item will not move again without the user asking.
    pub fn is_finished(self) -> bool {
        matches!(self, ItemState::Done | ItemState::Failed | ItemState::Cancelled | ItemState::Skipped)
    }

    /// The state `action` moves an item in this state to, or `None` where the action is refused.
    ///
    /// As in FileZilla and WinSCP: a waiting or moving item can be paused or cancelled, a paused
    /// one resumed (Resume is the word for it, so Retry is refused there) or cancelled, and a
    /// failed one retried or cancelled (Cancel then removes the partial file it kept for a
    /// retry). A cancelled item can be retried (from the start). Done and skipped items are left
    /// alone: some were skipped for an unsafe name, which a retry must not bypass.
    pub fn after(self, action: ItemAction) -> Option<ItemState> {
        use ItemAction as A;
        use ItemState as S;
        match (action, self) {
            (A::Pause, S::Queued | S::Running) => Some(S::Paused),
            (A::Resume, S::Paused) => Some(S::Queued),
            (A::Retry, S::Failed | S::Cancelled) => Some(S::Queued),
            (A::Cancel, S::Queued | S::Running | S::Paused | S::Failed) => Some(S::Cancelled),
            (A::Pause | A::Resume | A::Retry | A::Cancel, _) => None,
        }
    }

    /// The actions an item in this state accepts, in the panel's button order.
    pub fn actions(self) -> impl Iterator<Item = ItemAction> {
        ItemAction::ALL.into_iter().filter(move |&action| self.after(action).is_some())
    }
}

/// How often, and after how long, a transfer whose connection was lost is tried again: the
/// first wait is `backoff`, and it doubles with each further try (as lftp and rclone do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetrySchedule {
    /// How many retries there are before the item fails.
    pub retries: u32,
    /// The wait before the first retry.
    pub backoff: Duration,
}

impl RetrySchedule {
    /// The wait before retry number `attempt` (counted from 1), or `None` once the retries are
    /// used up.
    pub fn wait_before(&self, attempt: u32) -> Option<Duration> {
        if attempt == 0 || attempt > self.retries {
            return None;
        }
        // Saturating, so that a generous retry count cannot overflow into a short wait.
        let factor = 2u32.saturating_pow(attempt - 1);
        Some(self.backoff.saturating_mul(factor))
    }
}

/// What a transfer does once its target has been looked at (and the user asked, if needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetPlan {
    /// Write the whole file (there was no target, or it is to be replaced or renamed around).
    FromStart,
    /// Continue the existing target from its size.
    Resume,
    /// Leave the target as it is and do not transfer.
    Skip,
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATES: [ItemState; 7] = [
        ItemState::Queued,
        ItemState::Running,
        ItemState::Paused,
        ItemState::Done,
        ItemState::Failed,
        ItemState::Cancelled,
        ItemState::Skipped,
    ];

    #[test]
    fn each_state_offers_what_a_file_manager_user_expects() {
        use ItemAction::*;
        let offered = |state: ItemState| state.actions().collect::<Vec<_>>();
        assert_eq!(offered(ItemState::Queued), [Pause, Cancel]);
        assert_eq!(offered(ItemState::Running), [Pause, Cancel]);
        assert_eq!(offered(ItemState::Paused), [Resume, Cancel]);
        assert_eq!(offered(ItemState::Failed), [Retry, Cancel]);
        assert_eq!(offered(ItemState::Cancelled), [Retry]);
        assert_eq!(offered(ItemState::Done), []);
        assert_eq!(offered(ItemState::Skipped), [], "a skipped item may have an unsafe name");
    }

    #[test]
    fn actions_lead_where_their_names_say() {
        assert_eq!(ItemState::Running.after(ItemAction::Pause), Some(ItemState::Paused));
        assert_eq!(ItemState::Paused.after(ItemAction::Resume), Some(ItemState::Queued));
        assert_eq!(ItemState::Failed.after(ItemAction::Retry), Some(ItemState::Queued));
        assert_eq!(ItemState::Failed.after(ItemAction::Cancel), Some(ItemState::Cancelled));
        assert_eq!(ItemState::Paused.after(ItemAction::Retry), None, "a paused item is resumed, not retried");
        assert_eq!(ItemState::Done.after(ItemAction::Cancel), None, "a finished file is never removed by Cancel");
    }

    #[test]
    fn a_refused_action_is_exactly_one_not_offered() {
        for state in STATES {
            for action in ItemAction::ALL {
                let offered = state.actions().any(|offered| offered == action);
                assert_eq!(offered, state.after(action).is_some(), "{state:?} {action:?}");
            }
        }
    }

    #[test]
    fn only_the_states_left_alone_count_as_finished() {
        let finished: Vec<ItemState> = STATES.into_iter().filter(|state| state.is_finished()).collect();
        assert_eq!(finished, [ItemState::Done, ItemState::Failed, ItemState::Cancelled, ItemState::Skipped]);
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_then_stop() {
        let schedule = RetrySchedule { retries: 3, backoff: Duration::from_secs(1) };
        let waits: Vec<Option<Duration>> = (1..=4).map(|attempt| schedule.wait_before(attempt)).collect();
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(waits, [secs(1), secs(2), secs(4), None]);
        assert_eq!(RetrySchedule { retries: 0, ..schedule }.wait_before(1), None, "no retries: fail at once");
    }

    #[test]
    fn a_huge_retry_count_never_overflows_into_a_short_wait() {
        let schedule = RetrySchedule { retries: u32::MAX, backoff: Duration::from_secs(1) };
        let wait = schedule.wait_before(100).expect("retries are left");
        assert!(wait >= Duration::from_secs(1 << 31), "{wait:?}");
    }
}
