//! The protocol log's lines for the transfer queue: how an item ended (done, failed and why,
//! skipped, cancelled) and each retry as it is scheduled, so the log tells what the rows told.

use super::messages::LogKind;
use super::queue::{Direction, ItemState, QueueItem};
use crate::error::FerryError;
use crate::model::escape_control;

/// What the item moved, from where to where: "Download /srv/a.txt to /home/me/a.txt".
fn what(item: &QueueItem) -> String {
    let (verb, from, to) = match item.direction {
        Direction::Download => ("Download", item.remote.clone(), item.local.display().to_string()),
        Direction::Upload => ("Upload", item.local.display().to_string(), item.remote.clone()),
    };
    escape_control(&format!("{verb} {from} to {to}"))
}

/// The line for an item that has just ended, if it ended.
pub(super) fn outcome(item: &QueueItem) -> Option<(LogKind, String)> {
    let what = what(item);
    let error = || item.error.as_ref().map(FerryError::log_text).unwrap_or_default();
    Some(match item.state {
        ItemState::Done if item.is_folder => {
            let folder = match item.direction {
                Direction::Download => item.local.display().to_string(),
                Direction::Upload => item.remote.clone(),
            };
            (LogKind::Info, format!("Made folder {}", escape_control(&folder)))
        }
        ItemState::Done => {
            let note =
                item.success_note.as_ref().map(|note| format!(" ({})", escape_control(note))).unwrap_or_default();
            (LogKind::Info, format!("{what}: done{note}"))
        }
        ItemState::Failed => (LogKind::Error, format!("{what} failed: {}", error())),
        ItemState::Skipped if item.error.is_some() => (LogKind::Error, format!("{what} refused: {}", error())),
        ItemState::Skipped => (LogKind::Info, format!("{what}: skipped, the target exists")),
        ItemState::Cancelled => (LogKind::Info, format!("{what}: cancelled")),
        ItemState::Queued | ItemState::Running | ItemState::Paused => return None,
    })
}

/// The line for a retry about to be waited for.
pub(super) fn retry(item: &QueueItem, error: &FerryError, attempt: u32, retries: u32, seconds: f64) -> String {
    format!("{}: {}; retry {attempt} of {retries} in {seconds} s", what(item), error.log_text())
}
