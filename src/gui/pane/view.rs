//! The pane's pure view logic: which entries show, in which order, and how their columns read.

use std::cmp::Ordering;

use chrono::{DateTime, Local, Utc};

use super::{PaneViewSettings, SortColumn};
use crate::model::{Entry, EntryKind, TimePrecision};
use crate::transfer::times::day_of;

/// Indices into `entries` of the rows to show, in display order: hidden names dropped unless
/// `view.show_hidden`, names not containing `filter` (case-insensitively) dropped, folders first,
/// then by the sort column.
pub(super) fn visible_rows(entries: &[Entry], view: &PaneViewSettings, filter: &str) -> Vec<usize> {
    let filter = filter.trim().to_lowercase();
    let mut rows: Vec<usize> = entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| view.show_hidden || !entry.name.starts_with('.'))
        .filter(|(_, entry)| filter.is_empty() || entry.name.to_lowercase().contains(&filter))
        .map(|(index, _)| index)
        .collect();
    rows.sort_by(|&a, &b| compare_entries(&entries[a], &entries[b], view.sort, view.ascending));
    rows
}

/// Folders (and links to folders) before everything else in both directions (as every file manager does), then the
/// column, then the name so that equal sizes or dates still come out in a stable, readable order.
fn compare_entries(a: &Entry, b: &Entry, column: SortColumn, ascending: bool) -> Ordering {
    // A link to a folder opens as one, so it sorts among the folders.
    let folders_first = (b.opens_as() == EntryKind::Dir).cmp(&(a.opens_as() == EntryKind::Dir));
    let by_column = match column {
        SortColumn::Name => Ordering::Equal,
        SortColumn::Size => a.size.cmp(&b.size),
        SortColumn::Modified => a.modified.cmp(&b.modified),
        SortColumn::Permissions => a.permissions.cmp(&b.permissions),
        SortColumn::Owner => compare_natural(a.owner.as_deref().unwrap_or(""), b.owner.as_deref().unwrap_or("")),
    };
    let ordered = by_column.then_with(|| compare_natural(&a.name, &b.name)).then_with(|| a.name.cmp(&b.name));
    folders_first.then(if ascending { ordered } else { ordered.reverse() })
}

/// Compares names the way people read them: case-insensitively, with runs of digits compared as
/// numbers, so "file2" comes before "file10".
pub fn compare_natural(a: &str, b: &str) -> Ordering {
    let mut left = a.chars().peekable();
    let mut right = b.chars().peekable();
    loop {
        match (left.peek().copied(), right.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(l), Some(r)) if l.is_ascii_digit() && r.is_ascii_digit() => {
                let left_digits = take_digits(&mut left);
                let right_digits = take_digits(&mut right);
                let order = compare_digit_runs(&left_digits, &right_digits);
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(l), Some(r)) => {
                let order = l.to_lowercase().cmp(r.to_lowercase());
                if order != Ordering::Equal {
                    return order;
                }
                left.next();
                right.next();
            }
        }
    }
}

fn take_digits(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut digits = String::new();
    while let Some(c) = chars.next_if(char::is_ascii_digit) {
        digits.push(c);
    }
    digits
}

/// Compares two runs of ASCII digits by value without parsing, so runs longer than a u64 still
/// compare correctly; "007" and "7" are equal here and the caller's tie-break orders them.
fn compare_digit_runs(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// Permission bits as `ls` shows them: "rwxr-xr-x", with set-uid, set-gid and sticky bits folded
/// into the execute positions ("s"/"S", "t"/"T").
pub fn format_permissions(mode: u32) -> String {
    let mut text = String::with_capacity(9);
    let special = [(0o4000, 's', 'S'), (0o2000, 's', 'S'), (0o1000, 't', 'T')];
    for (group, (special_bit, with_exec, without_exec)) in special.iter().enumerate() {
        let shift = 6 - 3 * group;
        let bits = (mode >> shift) & 0o7;
        text.push(if bits & 0o4 != 0 { 'r' } else { '-' });
        text.push(if bits & 0o2 != 0 { 'w' } else { '-' });
        let exec = bits & 0o1 != 0;
        text.push(match (mode & special_bit != 0, exec) {
            (true, true) => *with_exec,
            (true, false) => *without_exec,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    text
}

/// A modification time in the user's time zone, to the minute: "2026-11-24 10:41"; only the date
/// where the server gave no more (an FTP listing of an older file), as the server wrote it.
pub fn format_modified(time: DateTime<Utc>, precision: Option<TimePrecision>) -> String {
    match precision {
        Some(TimePrecision::Day) => day_of(time).format("%Y-%m-%d").to_string(),
        _ => time.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(entries: &[Entry], rows: &[usize]) -> Vec<String> {
        rows.iter().map(|&i| entries[i].name.clone()).collect()
    }

    #[test]
    fn natural_order_reads_numbers_as_numbers() {
        assert_eq!(compare_natural("file2", "file10"), Ordering::Less);
        assert_eq!(compare_natural("File2", "file10"), Ordering::Less);
        assert_eq!(compare_natural("a", "B"), Ordering::Less);
        assert_eq!(compare_natural("x99999999999999999999999", "x100000000000000000000000"), Ordering::Less);
        assert_eq!(compare_natural("abc", "abcd"), Ordering::Less);
    }

    #[test]
    fn folders_come_first_in_both_directions() {
        let entries = vec![
            Entry::new("b.txt", EntryKind::File),
            Entry::new("zeta", EntryKind::Dir),
            Entry::new("a.txt", EntryKind::File),
            Entry::new("alpha", EntryKind::Dir),
            Entry::new(".hidden", EntryKind::File),
        ];
        let mut view = PaneViewSettings::default();
        assert_eq!(names(&entries, &visible_rows(&entries, &view, "")), ["alpha", "zeta", "a.txt", "b.txt"]);
        view.ascending = false;
        assert_eq!(names(&entries, &visible_rows(&entries, &view, "")), ["zeta", "alpha", "b.txt", "a.txt"]);
        view.show_hidden = true;
        assert_eq!(visible_rows(&entries, &view, "").len(), 5);
        assert_eq!(names(&entries, &visible_rows(&entries, &view, "TXT")), ["b.txt", "a.txt"]);
    }

    #[test]
    fn permissions_read_like_ls() {
        assert_eq!(format_permissions(0o755), "rwxr-xr-x");
        assert_eq!(format_permissions(0o640), "rw-r-----");
        assert_eq!(format_permissions(0o4755), "rwsr-xr-x");
        assert_eq!(format_permissions(0o1777), "rwxrwxrwt");
        assert_eq!(format_permissions(0o2644), "rw-r-Sr--");
    }
}
