//! "Compare folders", as pure logic: given the listings of the local and the remote folder shown,
//! which rows of each differ from the other side (only on one side, newer, a different size, a
//! folder against a file), as FileZilla's directory comparison marks them. Times are compared at
//! the coarser precision of the two sides, so an FTP listing's minutes never make a file "newer".

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::model::{Entry, EntryKind};
use crate::transfer::progress::format_bytes;
use crate::transfer::times::compare_times;

/// How a row differs from the row of the same name on the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompareMark {
    /// No row of this name on the other side.
    OnlyHere,
    /// Same size, modified later than the other side's.
    Newer,
    /// The sizes differ; `other` is the other side's size.
    DifferentSize { other: Option<u64> },
    /// A folder here, a file there, or the other way round.
    DifferentKind,
}

/// The marks of both panes' rows, by name; rows that match the other side have none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompareMarks {
    pub local: HashMap<String, CompareMark>,
    pub remote: HashMap<String, CompareMark>,
}

/// Compares the two listed folders row by row, by exact name.
pub fn compare_listings(local: &[Entry], remote: &[Entry]) -> CompareMarks {
    CompareMarks { local: marks_of(local, remote), remote: marks_of(remote, local) }
}

/// The marks of `here`'s rows against `there`.
fn marks_of(here: &[Entry], there: &[Entry]) -> HashMap<String, CompareMark> {
    let there: HashMap<&str, &Entry> = there.iter().map(|entry| (entry.name.as_str(), entry)).collect();
    here.iter()
        .filter_map(|entry| {
            let mark = match there.get(entry.name.as_str()) {
                None => Some(CompareMark::OnlyHere),
                Some(other) => mark(entry, other),
            };
            mark.map(|mark| (entry.name.clone(), mark))
        })
        .collect()
}

fn mark(here: &Entry, there: &Entry) -> Option<CompareMark> {
    let is_folder = |entry: &Entry| entry.opens_as() == EntryKind::Dir;
    match (is_folder(here), is_folder(there)) {
        (true, true) => return None,
        (true, false) | (false, true) => return Some(CompareMark::DifferentKind),
        (false, false) => {}
    }
    if here.size != there.size {
        return Some(CompareMark::DifferentSize { other: there.size });
    }
    match (&here.modified, &there.modified) {
        (Some(a), Some(b)) if compare_times(a, b) == Ordering::Greater => Some(CompareMark::Newer),
        _ => None,
    }
}

impl CompareMark {
    /// The few words a row gets, beside its name and for a screen reader; `local` tells which pane
    /// the row is in.
    pub fn label(&self, local: bool) -> &'static str {
        match (self, local) {
            (CompareMark::OnlyHere, true) => "only on this computer",
            (CompareMark::OnlyHere, false) => "only on the server",
            (CompareMark::Newer, _) => "newer",
            (CompareMark::DifferentSize { .. }, _) => "different size",
            (CompareMark::DifferentKind, _) => "folder against file",
        }
    }

    /// The longer explanation, on hover.
    pub fn explanation(&self, local: bool) -> String {
        let other = if local { "the server's folder" } else { "the local folder" };
        match self {
            CompareMark::OnlyHere => format!("Not in {other}"),
            CompareMark::Newer => format!("Modified later than the one in {other}"),
            CompareMark::DifferentSize { other: Some(size) } => {
                format!("Not the same size as the one in {other} ({})", format_bytes(*size))
            }
            CompareMark::DifferentSize { other: None } => format!("{other} gives no size for it"),
            CompareMark::DifferentKind => format!("A folder on one side, a file in {other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn file(name: &str, size: u64, minute: u32, second: u32) -> Entry {
        Entry {
            size: Some(size),
            modified: Some(Utc.with_ymd_and_hms(2026, 3, 1, 10, minute, second).unwrap()),
            ..Entry::new(name, EntryKind::File)
        }
    }

    #[test]
    fn rows_are_marked_only_here_newer_different_size_and_folder_against_file() {
        let local = [
            file("mine.txt", 1, 0, 0),
            file("edited.txt", 5, 9, 30),
            file("grown.txt", 8, 0, 0),
            file("same.txt", 3, 7, 41),
            Entry::new("docs", EntryKind::Dir),
            Entry::new("clash", EntryKind::Dir),
        ];
        let remote = [
            file("theirs.txt", 1, 0, 0),
            file("edited.txt", 5, 2, 0),
            file("grown.txt", 4, 0, 0),
            // The server lists minutes: 10:07 is the same time as 10:07:41.
            file("same.txt", 3, 7, 0),
            Entry::new("docs", EntryKind::Dir),
            file("clash", 1, 0, 0),
        ];
        let marks = compare_listings(&local, &remote);
        let get = |side: &HashMap<String, CompareMark>, name: &str| side.get(name).cloned();
        assert_eq!(get(&marks.local, "mine.txt"), Some(CompareMark::OnlyHere));
        assert_eq!(get(&marks.remote, "theirs.txt"), Some(CompareMark::OnlyHere));
        assert_eq!(get(&marks.local, "edited.txt"), Some(CompareMark::Newer));
        assert_eq!(get(&marks.remote, "edited.txt"), None, "the older one is not marked");
        assert_eq!(get(&marks.local, "grown.txt"), Some(CompareMark::DifferentSize { other: Some(4) }));
        assert_eq!(get(&marks.remote, "grown.txt"), Some(CompareMark::DifferentSize { other: Some(8) }));
        assert_eq!((get(&marks.local, "same.txt"), get(&marks.remote, "same.txt")), (None, None));
        assert_eq!(get(&marks.local, "docs"), None);
        assert_eq!(get(&marks.local, "clash"), Some(CompareMark::DifferentKind));
        assert_eq!(marks.local.len() + marks.remote.len(), 7);
    }
}
