//! Finding files by name under a folder, as pure rules for the worker to drive: the name pattern
//! (a substring, or a glob when it holds `*`, `?` or `[`; case-insensitive unless asked) and the
//! walk (breadth first, so near matches come first; bounded in depth, in folders listed and in
//! entries looked at, so a server whose tree never ends, or whose folder lists itself, cannot
//! keep it going; names a server should never send are not followed; links are not followed).

use std::collections::VecDeque;

use glob::{MatchOptions, Pattern};

use super::names::check_name;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind, escape_control, join_remote};

/// How deep a search goes below its folder unless told otherwise.
pub const DEFAULT_MAX_DEPTH: usize = 32;
/// The most folders one search lists.
pub const MAX_FOLDERS: usize = 100_000;
/// The most entries one search looks at, over all its listings.
pub const MAX_ENTRIES: usize = 2_000_000;

/// What names a search looks for.
#[derive(Debug, Clone)]
pub struct NamePattern {
    rule: Rule,
    case_sensitive: bool,
}

#[derive(Debug, Clone)]
enum Rule {
    /// Part of the name (kept lowercase when the search ignores case).
    Substring(String),
    /// The whole name, as a shell glob.
    Glob(Pattern),
}

impl NamePattern {
    /// `text` as a glob when it holds `*`, `?` or `[`, else as part of a name. An empty pattern
    /// or a glob that is not one is refused in words.
    pub fn new(text: &str, case_sensitive: bool) -> Result<Self> {
        if text.is_empty() {
            return Err(FerryError::new(ErrorKind::Unsupported, "an empty search pattern"));
        }
        let rule = if text.contains(['*', '?', '[']) {
            let glob = Pattern::new(text).map_err(|error| {
                FerryError::new(ErrorKind::Unsupported, format!("the search pattern \"{}\"", escape_control(text)))
                    .with_detail(error.to_string())
            })?;
            Rule::Glob(glob)
        } else if case_sensitive {
            Rule::Substring(text.to_string())
        } else {
            Rule::Substring(text.to_lowercase())
        };
        Ok(NamePattern { rule, case_sensitive })
    }

    /// Whether `name` is one the search looks for.
    pub fn matches(&self, name: &str) -> bool {
        match &self.rule {
            Rule::Substring(part) if self.case_sensitive => name.contains(part.as_str()),
            Rule::Substring(part) => name.to_lowercase().contains(part.as_str()),
            Rule::Glob(glob) => glob.matches_with(
                name,
                MatchOptions {
                    case_sensitive: self.case_sensitive,
                    require_literal_separator: true,
                    require_literal_leading_dot: false,
                },
            ),
        }
    }
}

/// One match: its full path on the server and its entry as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub path: String,
    pub entry: Entry,
}

/// What a search left out, to tell the user at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeftOut {
    /// Folders not searched because they lie deeper than the limit.
    pub too_deep: usize,
    /// Entries whose name a server should never send (`..`, `/`, control characters): neither
    /// matched nor followed.
    pub refused_names: usize,
    /// Whether the search stopped at [`MAX_FOLDERS`] or [`MAX_ENTRIES`].
    pub stopped_at_limit: bool,
}

/// The walk of one search: which folder to list next, and what a listing yields.
#[derive(Debug)]
pub struct FindWalk {
    pattern: NamePattern,
    max_depth: usize,
    pending: VecDeque<(String, usize)>,
    folders_listed: usize,
    entries_seen: usize,
    left_out: LeftOut,
}

impl FindWalk {
    /// A search for `pattern` under `root`, at most `max_depth` folders below it.
    pub fn new(root: &str, pattern: NamePattern, max_depth: usize) -> Self {
        FindWalk {
            pattern,
            max_depth,
            pending: VecDeque::from([(root.to_string(), 0)]),
            folders_listed: 0,
            entries_seen: 0,
            left_out: LeftOut::default(),
        }
    }

    /// The next folder to list and its depth below the root; `None` when the search is over.
    pub fn next_folder(&mut self) -> Option<(String, usize)> {
        if self.folders_listed >= MAX_FOLDERS || self.entries_seen >= MAX_ENTRIES {
            self.left_out.stopped_at_limit |= !self.pending.is_empty();
            return None;
        }
        let next = self.pending.pop_front()?;
        self.folders_listed += 1;
        Some(next)
    }

    /// The matches in the listing of `folder` (at `depth`), its subfolders queued.
    pub fn take_listing(&mut self, folder: &str, depth: usize, entries: Vec<Entry>) -> Vec<Found> {
        let mut found = Vec::new();
        for entry in entries {
            if self.entries_seen >= MAX_ENTRIES {
                self.left_out.stopped_at_limit = true;
                break;
            }
            self.entries_seen += 1;
            if check_name(&entry.name).is_err() {
                self.left_out.refused_names += 1;
                continue;
            }
            let path = join_remote(folder, &entry.name);
            if entry.kind == EntryKind::Dir {
                if depth < self.max_depth {
                    self.pending.push_back((path.clone(), depth + 1));
                } else {
                    self.left_out.too_deep += 1;
                }
            }
            if self.pattern.matches(&entry.name) {
                found.push(Found { path, entry });
            }
        }
        found
    }

    /// What the search left out so far.
    pub fn left_out(&self) -> LeftOut {
        self.left_out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(text: &str) -> NamePattern {
        NamePattern::new(text, false).unwrap()
    }

    #[test]
    fn a_pattern_is_part_of_a_name_or_a_glob_and_ignores_case_by_default() {
        assert!(pattern("report").matches("Annual REPORT 2025.pdf"));
        assert!(!pattern("report").matches("summary.pdf"));
        assert!(pattern("*.PDF").matches("annual.pdf"));
        assert!(!pattern("*.pdf").matches("annual.pdf.bak"));
        assert!(pattern("data_??.csv").matches("DATA_01.csv"));
        assert!(pattern("[ab]*").matches("beta"));
        assert!(!NamePattern::new("report", true).unwrap().matches("REPORT"));
        assert!(!NamePattern::new("*.PDF", true).unwrap().matches("a.pdf"));
        assert!(NamePattern::new("", false).is_err());
        let error = NamePattern::new("[oops\u{1b}", false).unwrap_err();
        assert!(error.context.contains("search pattern") && !error.context.contains('\u{1b}'), "{error:?}");
    }

    fn listing(names: &[(&str, EntryKind)]) -> Vec<Entry> {
        names.iter().map(|(name, kind)| Entry::new(*name, *kind)).collect()
    }

    #[test]
    fn the_walk_goes_breadth_first_and_yields_full_paths() {
        let mut walk = FindWalk::new("/srv", pattern("log"), DEFAULT_MAX_DEPTH);
        assert_eq!(walk.next_folder(), Some(("/srv".to_string(), 0)));
        let found = walk.take_listing("/srv", 0, listing(&[("logs", EntryKind::Dir), ("a.log", EntryKind::File)]));
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/srv/logs", "/srv/a.log"]);
        assert_eq!(walk.next_folder(), Some(("/srv/logs".to_string(), 1)));
        let found = walk.take_listing("/srv/logs", 1, listing(&[("b.LOG", EntryKind::File)]));
        assert_eq!(found[0].path, "/srv/logs/b.LOG");
        assert_eq!(walk.next_folder(), None);
        assert_eq!(walk.left_out(), LeftOut::default());
    }

    #[test]
    fn a_folder_that_lists_itself_ends_at_the_depth_limit() {
        let mut walk = FindWalk::new("/", pattern("x"), 3);
        let mut listed = 0;
        while let Some((folder, depth)) = walk.next_folder() {
            listed += 1;
            // A hostile server: every folder holds a folder of the same name.
            walk.take_listing(&folder, depth, listing(&[("loop", EntryKind::Dir)]));
        }
        assert_eq!(listed, 4, "the root and three levels");
        assert_eq!(walk.left_out().too_deep, 1);
    }

    #[test]
    fn a_tree_that_never_ends_in_width_stops_at_the_folder_limit() {
        let mut walk = FindWalk::new("/", pattern("nothing"), DEFAULT_MAX_DEPTH);
        let wide: Vec<(String, EntryKind)> = (0..1000).map(|i| (format!("d{i}"), EntryKind::Dir)).collect();
        let wide: Vec<(&str, EntryKind)> = wide.iter().map(|(name, kind)| (name.as_str(), *kind)).collect();
        let mut listed = 0;
        while let Some((folder, depth)) = walk.next_folder() {
            listed += 1;
            walk.take_listing(&folder, depth, listing(&wide));
        }
        assert!(listed <= MAX_FOLDERS, "{listed}");
        assert!(walk.left_out().stopped_at_limit);
    }

    #[test]
    fn names_a_server_should_never_send_are_neither_matched_nor_followed() {
        let mut walk = FindWalk::new("/srv", pattern("e"), DEFAULT_MAX_DEPTH);
        walk.next_folder();
        let hostile = listing(&[
            ("..", EntryKind::Dir),
            (".", EntryKind::Dir),
            ("../etc", EntryKind::Dir),
            ("evil\nname", EntryKind::File),
            ("fine.txt", EntryKind::File),
            ("linked", EntryKind::Symlink),
        ]);
        let found = walk.take_listing("/srv", 0, hostile);
        let names: Vec<&str> = found.iter().map(|f| f.entry.name.as_str()).collect();
        assert_eq!(names, ["fine.txt", "linked"]);
        assert_eq!(walk.left_out().refused_names, 4);
        assert_eq!(walk.next_folder(), None, "a link is shown, never followed");
    }
}
