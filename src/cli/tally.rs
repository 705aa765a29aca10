//! What went wrong in a run, each problem counted once: the summary line's numbers and the last
//! line come from the same list, and the last line's kind is the problems' own only when they
//! all share it (else a neutral "not all done" with the count of each cause).

use crate::error::{ErrorKind, FerryError};

/// A group of problems of one sort ("refused", "copies failed"), each with its own error.
#[derive(Debug, Default)]
pub(super) struct Problems {
    /// Each group's words and, for each problem in it, its kind and the cause a reader sees.
    groups: Vec<(String, Vec<(ErrorKind, &'static str)>)>,
}

impl Problems {
    /// Adds a group: `words` says what the count is ("2 files refused"); `kinds` the cause of each.
    pub(super) fn add(&mut self, words: String, kinds: &[ErrorKind]) {
        self.add_causes(words, kinds.iter().map(|kind| (*kind, kind.label())).collect());
    }

    /// Adds a group whose problems have a cause of their own (a sync's conflicts), counted as
    /// `cause` and, when alone, of `kind`.
    pub(super) fn add_many(&mut self, words: String, count: usize, kind: ErrorKind, cause: &'static str) {
        self.add_causes(words, vec![(kind, cause); count]);
    }

    fn add_causes(&mut self, words: String, causes: Vec<(ErrorKind, &'static str)>) {
        if !causes.is_empty() {
            self.groups.push((words, causes));
        }
    }

    /// The error ending the run: `lead` (what it means, may be empty) then every group's words,
    /// "named above" (each problem was printed where it happened). One cause for all keeps its
    /// kind; several are counted by cause in plain words, under a neutral kind.
    pub(super) fn into_error(self, lead: &str) -> Option<FerryError> {
        let all: Vec<(ErrorKind, &'static str)> =
            self.groups.iter().flat_map(|(_, causes)| causes.iter().copied()).collect();
        let (first, _) = *all.first()?;
        let words: Vec<&str> = self.groups.iter().map(|(words, _)| words.as_str()).collect();
        let mut text = format!("{lead}{}", words.join(", "));
        // Kinds with one label ("broken link": a loop, a link to nothing) are one cause to a reader.
        let mut causes: Vec<(&'static str, usize)> = Vec::new();
        for (_, cause) in &all {
            match causes.iter_mut().find(|(seen, _)| seen == cause) {
                Some((_, count)) => *count += 1,
                None => causes.push((cause, 1)),
            }
        }
        let kind = if causes.len() == 1 {
            first
        } else {
            let counted: Vec<String> = causes.iter().map(|(label, count)| format!("{label}: {count}")).collect();
            text.push_str(&format!(" ({})", counted.join(", ")));
            ErrorKind::Incomplete
        };
        Some(FerryError::new(kind, format!("{text}, named above")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cause_keeps_its_kind_and_several_are_counted_under_a_neutral_one() {
        let mut same = Problems::default();
        same.add("2 files refused".into(), &[ErrorKind::LinkLoop, ErrorKind::LinkToNothing]);
        let error = same.into_error("").unwrap();
        assert_eq!(error.to_string(), "broken link: 2 files refused, named above");

        let mut mixed = Problems::default();
        mixed.add("1 file failed".into(), &[ErrorKind::PermissionDenied]);
        mixed.add("3 refused".into(), &[ErrorKind::NotFound, ErrorKind::LinkLoop, ErrorKind::NotFound]);
        let error = mixed.into_error("").unwrap();
        assert_eq!(error.kind, ErrorKind::Incomplete);
        assert_eq!(
            error.to_string(),
            "not all done: 1 file failed, 3 refused (permission denied: 1, not found: 2, broken link: 1), named above"
        );
        assert!(Problems::default().into_error("").is_none());

        let mut sync = Problems::default();
        sync.add_many("2 conflicts".into(), 2, ErrorKind::Incomplete, "conflict");
        sync.add("1 refused".into(), &[ErrorKind::Protocol]);
        assert_eq!(
            sync.into_error("not in sync: ").unwrap().to_string(),
            "not all done: not in sync: 2 conflicts, 1 refused (conflict: 2, protocol error: 1), named above"
        );
    }
}
