//! The words announced to a screen reader when something happens away from the focus.

use crate::model::escape_control;
use crate::worker::{Direction, ItemState, QueueItem};

/// "Downloaded notes.txt" or "Upload of notes.txt failed: …", once an item ends that way.
pub(super) fn transfer_ended(item: &QueueItem) -> Option<String> {
    if item.is_folder {
        return None;
    }
    let name = escape_control(&item.name());
    match (item.state, item.direction) {
        (ItemState::Done, Direction::Download) => Some(format!("Downloaded {name}")),
        (ItemState::Done, Direction::Upload) => Some(format!("Uploaded {name}")),
        (ItemState::Failed, direction) => {
            let what = if direction == Direction::Download { "Download" } else { "Upload" };
            let reason = item.error.as_ref().map(|error| format!(": {error}")).unwrap_or_default();
            Some(format!("{what} of {name} failed{reason}"))
        }
        _ => None,
    }
}

/// "Listed /srv/www: 12 items".
pub(super) fn listing_loaded(path: &str, count: usize) -> String {
    let items = if count == 1 { "item" } else { "items" };
    format!("Listed {}: {count} {items}", escape_control(path))
}

/// "Connection to sftp://host lost".
pub(super) fn connection_lost(site: &str) -> String {
    format!("Connection to {} lost", escape_control(site))
}
