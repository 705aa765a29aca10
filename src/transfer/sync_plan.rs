//! What a folder sync does, as pure logic: given the listing of a source tree and of a target
//! tree, which files are new, changed, unchanged or (with `--delete`) to be deleted, and which
//! cannot be synced at all, with sizes and totals. Times are compared at the coarser precision of
//! the two sides (FTP lists minutes or days, SFTP seconds), so rounding never re-copies a tree.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::times::compare_times_given;
use crate::model::{TimePrecision, escape_control};

/// How two files of the same path are judged the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CompareMode {
    /// Same size and same modification time (within the tolerance): rsync's and lftp's default.
    #[default]
    SizeMtime,
    /// Same size; times are not looked at (servers that cannot keep a file's time).
    Size,
    /// Same SHA-256 (the server must be able to compute one); slow, but exact.
    Checksum,
}

impl CompareMode {
    /// Every mode, as the command line lists them.
    pub const ALL: [CompareMode; 3] = [CompareMode::SizeMtime, CompareMode::Size, CompareMode::Checksum];

    /// The word for this mode on the command line; `from_str` reads it back.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareMode::SizeMtime => "size-mtime",
            CompareMode::Size => "size",
            CompareMode::Checksum => "checksum",
        }
    }
}

impl fmt::Display for CompareMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CompareMode {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        CompareMode::ALL.into_iter().find(|mode| mode.as_str().eq_ignore_ascii_case(text.trim())).ok_or_else(|| {
            format!("\"{}\" is not a way to compare; use size-mtime, size or checksum", escape_control(text))
        })
    }
}

/// What a sync compares and whether it deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncOptions {
    pub compare: CompareMode,
    /// Seconds two modification times may differ by and still be the same time, on top of the
    /// coarser side's precision (a server in another time zone: 3600).
    pub time_tolerance: u64,
    /// Delete what the target holds and the source does not.
    pub delete: bool,
}

/// A file or folder as one side lists it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SideEntry {
    pub is_folder: bool,
    pub size: Option<u64>,
    pub modified: Option<DateTime<Utc>>,
    /// How precisely `modified` was given, where the listing said (an FTP listing: minutes).
    #[serde(skip)]
    pub modified_precision: Option<TimePrecision>,
    /// The permission bits, where the listing gave them (kept on a copy).
    #[serde(skip)]
    pub mode: Option<u32>,
    /// The SHA-256 (lowercase hex), filled in only for `CompareMode::Checksum` and only where
    /// sizes are equal (see [`needs_checksum`]).
    #[serde(skip)]
    pub sha256: Option<String>,
    /// A link Ferry does not follow (to a folder, to nothing, or out of the folder). Nothing is
    /// ever written through it; on the target side it may only be deleted as itself.
    #[serde(skip)]
    pub unfollowed_link: bool,
    /// What an unfollowed link is, where the walk could tell ("a link to a folder, not
    /// followed"): the conflict says it.
    #[serde(skip)]
    pub link_is: Option<&'static str>,
}

impl SideEntry {
    pub fn file(size: Option<u64>, modified: Option<DateTime<Utc>>) -> Self {
        SideEntry { is_folder: false, size, modified, ..SideEntry::default() }
    }

    /// A link that is not followed: see [`SideEntry::unfollowed_link`].
    pub fn unfollowed_link() -> Self {
        SideEntry { unfollowed_link: true, ..SideEntry::default() }
    }

    /// A link that is not followed, and what it is (see [`SideEntry::link_is`]).
    pub fn unfollowed_link_as(what: &'static str) -> Self {
        SideEntry { link_is: Some(what), ..SideEntry::unfollowed_link() }
    }

    pub fn folder() -> Self {
        SideEntry { is_folder: true, ..SideEntry::default() }
    }
}

/// One side's tree: relative paths (names joined by `/`, each name already checked) to entries.
/// A `BTreeMap` so a folder always comes before what is in it.
pub type Tree = BTreeMap<String, SideEntry>;

/// What the sync does with one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Only in the source: copied (a folder is created).
    New,
    /// In both, and not the same: copied over the target.
    Changed,
    /// In both and the same: left alone.
    Unchanged,
    /// Only in the target, and `--delete` was given: deleted after every copy.
    Delete,
    /// Only in the target, without `--delete`: left alone.
    Extra,
    /// Not synced: a folder on one side and a file on the other, which only a person can sort out.
    Conflict,
}

/// One line of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The path below both roots.
    pub path: String,
    pub action: Action,
    pub is_folder: bool,
    /// The bytes this step copies (or deletes): the source's size for a copy, the target's for
    /// a delete.
    pub size: Option<u64>,
    /// Why a changed file counts as changed, or why a conflict is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// The counts and bytes of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub deleted: usize,
    pub extra: usize,
    pub conflicts: usize,
    /// Bytes of the files to copy.
    pub bytes_to_copy: u64,
    /// Bytes of the files to delete.
    pub bytes_to_delete: u64,
}

/// Every path of both trees with what the sync does with it: copies in tree order (a folder
/// before what goes into it), then deletes in reverse tree order (what is in a folder before it).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SyncPlan {
    pub steps: Vec<Step>,
}

impl SyncPlan {
    /// The steps that copy or create something.
    pub fn copies(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|step| matches!(step.action, Action::New | Action::Changed))
    }

    /// The steps that delete, files before the folders that hold them.
    pub fn deletes(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|step| step.action == Action::Delete)
    }

    /// Whether running it would change nothing.
    pub fn changes_nothing(&self) -> bool {
        self.copies().next().is_none() && self.deletes().next().is_none()
    }

    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for step in &self.steps {
            let bytes = if step.is_folder { 0 } else { step.size.unwrap_or(0) };
            match step.action {
                Action::New => totals.new += 1,
                Action::Changed => totals.changed += 1,
                Action::Unchanged => totals.unchanged += 1,
                Action::Delete => totals.deleted += 1,
                Action::Extra => totals.extra += 1,
                Action::Conflict => totals.conflicts += 1,
            }
            match step.action {
                Action::New | Action::Changed => totals.bytes_to_copy += bytes,
                Action::Delete => totals.bytes_to_delete += bytes,
                Action::Unchanged | Action::Extra | Action::Conflict => {}
            }
        }
        totals
    }
}

/// The paths whose checksums `CompareMode::Checksum` needs: files on both sides of equal size
/// (a different size is a change without reading a byte).
pub fn needs_checksum(source: &Tree, target: &Tree) -> Vec<String> {
    source
        .iter()
        .filter(|(path, entry)| {
            !entry.is_folder && target.get(*path).is_some_and(|other| !other.is_folder && other.size == entry.size)
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// Plans the sync of `source` onto `target`.
pub fn plan(source: &Tree, target: &Tree, options: SyncOptions) -> SyncPlan {
    let mut copies = Vec::new();
    let mut deletes = Vec::new();
    // A path under a conflicting folder is not synced either: the folder is not there to hold it.
    let mut conflicted: Vec<&str> = Vec::new();
    let under_conflict = |path: &str, conflicted: &[&str]| {
        conflicted.iter().any(|top| path.strip_prefix(top).is_some_and(|rest| rest.starts_with('/')))
    };
    for (path, entry) in source {
        if under_conflict(path, &conflicted) {
            continue;
        }
        let step = |action, why: Option<String>| Step {
            path: path.clone(),
            action,
            is_folder: entry.is_folder,
            size: if entry.is_folder { None } else { entry.size },
            why,
        };
        // A link on either side that Ferry does not follow is never gone through: a target link to
        // a folder elsewhere would take the copies out of the target. A file replaces a target
        // link (written beside it and renamed over it, so the link goes, not what it leads to).
        let link_here = entry.unfollowed_link;
        let link_there = target.get(path).is_some_and(|other| other.unfollowed_link);
        if link_here || (link_there && entry.is_folder) {
            conflicted.push(path);
            let why = match (link_here, entry.link_is) {
                (true, Some(what)) => format!("{what}: not synced"),
                (true, None) => "a link here that Ferry does not follow: not synced".to_string(),
                (false, _) => "a link there that Ferry does not follow: nothing is written through it".to_string(),
            };
            copies.push(step(Action::Conflict, Some(why)));
            continue;
        }
        match target.get(path) {
            None => copies.push(step(Action::New, None)),
            Some(other) if other.unfollowed_link => {
                copies.push(step(Action::Changed, Some("a link there: replaced by the file".to_string())));
            }
            Some(other) if other.is_folder != entry.is_folder => {
                conflicted.push(path);
                let why = if entry.is_folder {
                    "a folder here, a file there: not synced"
                } else {
                    "a file here, a folder there: not synced"
                };
                copies.push(step(Action::Conflict, Some(why.to_string())));
            }
            Some(_) if entry.is_folder => copies.push(step(Action::Unchanged, None)),
            Some(other) => match difference(entry, other, options) {
                Some(why) => copies.push(step(Action::Changed, Some(why))),
                None => copies.push(step(Action::Unchanged, None)),
            },
        }
    }
    for (path, entry) in target.iter().rev() {
        if source.contains_key(path) || under_conflict(path, &conflicted) {
            continue;
        }
        deletes.push(Step {
            path: path.clone(),
            action: if options.delete { Action::Delete } else { Action::Extra },
            is_folder: entry.is_folder,
            size: if entry.is_folder { None } else { entry.size },
            why: None,
        });
    }
    copies.extend(deletes);
    SyncPlan { steps: copies }
}

/// Why the target file is not the source file, or `None` when it is the same.
fn difference(source: &SideEntry, target: &SideEntry, options: SyncOptions) -> Option<String> {
    if source.size != target.size {
        let size = |size: Option<u64>| size.map_or_else(|| "unknown".to_string(), |size| size.to_string());
        return Some(format!("size {} here, {} there", size(source.size), size(target.size)));
    }
    match options.compare {
        CompareMode::Size => None,
        CompareMode::SizeMtime => match (&source.modified, &target.modified) {
            (Some(a), Some(b))
                if !same_time(
                    (a, source.modified_precision),
                    (b, target.modified_precision),
                    options.time_tolerance,
                ) =>
            {
                Some(format!(
                    "modified {} here, {} there",
                    a.format("%Y-%m-%d %H:%M:%S"),
                    b.format("%Y-%m-%d %H:%M:%S")
                ))
            }
            // A side without a time cannot tell a change: the size decides.
            _ => None,
        },
        CompareMode::Checksum => match (&source.sha256, &target.sha256) {
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => None,
            (Some(_), Some(_)) => Some("the SHA-256 differs".to_string()),
            // No checksum to compare: copying is the safe answer.
            _ => Some("no SHA-256 to compare".to_string()),
        },
    }
}

/// A modification time and how precisely it was given.
type Stamp<'a> = (&'a DateTime<Utc>, Option<TimePrecision>);

/// Whether two times are the same at the coarser precision of the two, or within `tolerance`
/// seconds of each other.
fn same_time((a, a_precision): Stamp<'_>, (b, b_precision): Stamp<'_>, tolerance: u64) -> bool {
    if compare_times_given(a, a_precision, b, b_precision).is_eq() {
        return true;
    }
    let apart = (a.timestamp() - b.timestamp()).unsigned_abs();
    apart <= tolerance
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> Option<DateTime<Utc>> {
        Some(Utc.with_ymd_and_hms(2026, 3, 1, h, m, s).unwrap())
    }

    fn tree(entries: &[(&str, SideEntry)]) -> Tree {
        entries.iter().map(|(path, entry)| (path.to_string(), entry.clone())).collect()
    }

    fn actions(plan: &SyncPlan) -> Vec<(&str, Action)> {
        plan.steps.iter().map(|step| (step.path.as_str(), step.action)).collect()
    }

    #[test]
    fn new_changed_unchanged_and_extra_files_with_totals() {
        let source = tree(&[
            ("a.txt", SideEntry::file(Some(3), at(10, 0, 5))),
            ("dir", SideEntry::folder()),
            ("dir/b.txt", SideEntry::file(Some(4), at(10, 0, 5))),
            ("dir/c.txt", SideEntry::file(Some(5), at(10, 0, 5))),
        ]);
        let target = tree(&[
            ("a.txt", SideEntry::file(Some(3), at(10, 0, 5))),
            ("dir", SideEntry::folder()),
            ("dir/b.txt", SideEntry::file(Some(9), at(10, 0, 5))),
            ("old", SideEntry::folder()),
            ("old/gone.txt", SideEntry::file(Some(7), at(9, 0, 0))),
        ]);
        let kept = plan(&source, &target, SyncOptions::default());
        assert_eq!(
            actions(&kept),
            vec![
                ("a.txt", Action::Unchanged),
                ("dir", Action::Unchanged),
                ("dir/b.txt", Action::Changed),
                ("dir/c.txt", Action::New),
                ("old/gone.txt", Action::Extra),
                ("old", Action::Extra),
            ]
        );
        let totals = kept.totals();
        assert_eq!((totals.new, totals.changed, totals.unchanged, totals.extra), (1, 1, 2, 2));
        assert_eq!((totals.deleted, totals.bytes_to_copy), (0, 9));

        let deleting = plan(&source, &target, SyncOptions { delete: true, ..SyncOptions::default() });
        let deletes: Vec<&str> = deleting.deletes().map(|step| step.path.as_str()).collect();
        assert_eq!(deletes, vec!["old/gone.txt", "old"], "what is in a folder goes before it");
        assert_eq!(deleting.totals().bytes_to_delete, 7);
        let last_copy = deleting.steps.iter().rposition(|s| matches!(s.action, Action::New | Action::Changed));
        let first_delete = deleting.steps.iter().position(|s| s.action == Action::Delete);
        assert!(last_copy < first_delete, "deletes come after every copy");
    }

    #[test]
    fn rounding_of_ftp_times_never_makes_a_change() {
        // The local file's time in seconds, the server's in minutes (LIST) or days (an old file).
        let source =
            tree(&[("a", SideEntry::file(Some(1), at(10, 7, 41))), ("b", SideEntry::file(Some(1), at(9, 3, 2)))]);
        let target =
            tree(&[("a", SideEntry::file(Some(1), at(10, 7, 0))), ("b", SideEntry::file(Some(1), at(0, 0, 0)))]);
        assert!(plan(&source, &target, SyncOptions::default()).changes_nothing());
        // A minute apart is a change, unless the user allows it.
        let target =
            tree(&[("a", SideEntry::file(Some(1), at(10, 8, 0))), ("b", SideEntry::file(Some(1), at(9, 3, 2)))]);
        assert_eq!(plan(&source, &target, SyncOptions::default()).totals().changed, 1);
        let tolerant = SyncOptions { time_tolerance: 60, ..SyncOptions::default() };
        assert!(plan(&source, &target, tolerant).changes_nothing());
        // An hour off (a server's time zone) with a tolerance of an hour.
        let target =
            tree(&[("a", SideEntry::file(Some(1), at(11, 7, 41))), ("b", SideEntry::file(Some(1), at(9, 3, 2)))]);
        assert_eq!(plan(&source, &target, tolerant).totals().changed, 1);
        assert!(plan(&source, &target, SyncOptions { time_tolerance: 3600, ..tolerant }).changes_nothing());
        // Size alone ignores time.
        assert!(plan(&source, &target, SyncOptions { compare: CompareMode::Size, ..tolerant }).changes_nothing());
    }

    #[test]
    fn checksums_decide_in_checksum_mode_and_a_missing_one_copies() {
        let mut source =
            tree(&[("a", SideEntry::file(Some(2), at(1, 0, 0))), ("b", SideEntry::file(Some(2), at(1, 0, 0)))]);
        let mut target =
            tree(&[("a", SideEntry::file(Some(2), at(5, 0, 0))), ("b", SideEntry::file(Some(3), at(1, 0, 0)))]);
        assert_eq!(needs_checksum(&source, &target), vec!["a".to_string()], "b differs in size already");
        let checksum = SyncOptions { compare: CompareMode::Checksum, ..SyncOptions::default() };
        assert_eq!(actions(&plan(&source, &target, checksum))[0], ("a", Action::Changed));
        for side in [&mut source, &mut target] {
            side.get_mut("a").unwrap().sha256 = Some("ab".into());
        }
        assert_eq!(actions(&plan(&source, &target, checksum)), vec![("a", Action::Unchanged), ("b", Action::Changed)]);
    }

    #[test]
    fn a_file_against_a_folder_is_a_conflict_and_nothing_under_it_is_touched() {
        let source = tree(&[("x", SideEntry::file(Some(1), at(1, 0, 0)))]);
        let target = tree(&[("x", SideEntry::folder()), ("x/inner.txt", SideEntry::file(Some(1), at(1, 0, 0)))]);
        let plan = plan(&source, &target, SyncOptions { delete: true, ..SyncOptions::default() });
        assert_eq!(actions(&plan), vec![("x", Action::Conflict)]);
        assert!(plan.changes_nothing());
    }

    #[test]
    fn nothing_goes_through_a_link_that_is_not_followed_and_a_lone_target_link_is_deleted_as_itself() {
        let source = tree(&[
            ("out", SideEntry::folder()),
            ("out/injected.txt", SideEntry::file(Some(1), at(1, 0, 0))),
            ("mine", SideEntry::unfollowed_link()),
            ("replaces.txt", SideEntry::file(Some(1), at(1, 0, 0))),
        ]);
        let target = tree(&[
            ("out", SideEntry::unfollowed_link()),
            ("replaces.txt", SideEntry::unfollowed_link()),
            ("current", SideEntry::unfollowed_link()),
            ("mine", SideEntry::folder()),
            ("mine/kept.txt", SideEntry::file(Some(1), at(1, 0, 0))),
        ]);
        let plan = plan(&source, &target, SyncOptions { delete: true, ..SyncOptions::default() });
        assert_eq!(
            actions(&plan),
            vec![
                ("mine", Action::Conflict),
                ("out", Action::Conflict),
                ("replaces.txt", Action::Changed),
                ("current", Action::Delete)
            ]
        );
        let current = plan.steps.iter().find(|step| step.path == "current").unwrap();
        assert!(!current.is_folder, "a link is deleted as itself, never as a folder with its contents");
    }

    #[test]
    fn compare_modes_read_back_from_their_words() {
        for mode in CompareMode::ALL {
            assert_eq!(mode.as_str().parse::<CompareMode>(), Ok(mode));
        }
        assert!("md5".parse::<CompareMode>().unwrap_err().contains("size-mtime"));
    }
}
