//! Why a link cannot be opened: it leads round in a loop, or to nothing. A server answers both
//! as "no such file"; following the chain link by link (without following any at the server)
//! tells them apart, so the user reads what the path really is.

use std::collections::HashSet;

use crate::error::{ErrorKind, FerryError};
use crate::model::{escape_control, join_remote, normalize_remote, parent_remote};

/// How many links a chain may hold before it counts as a loop: Linux's own limit (its ELOOP).
pub const MOST_LINKS: usize = 40;

/// The links walked from one path, one after the other.
#[derive(Debug)]
pub struct LinkChain {
    start: String,
    visited: HashSet<String>,
}

/// Where a chain goes next, or why it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainStep {
    /// Look at this path next (where the link just read points).
    Next(String),
    /// The chain came back to a path it passed already, or holds more links than any system
    /// follows.
    Loop,
}

impl LinkChain {
    /// A chain starting at the path that could not be opened.
    pub fn new(start: &str) -> Self {
        LinkChain { start: start.to_string(), visited: HashSet::from([normalize_remote(start)]) }
    }

    /// The link at `at` points to `target` (as the server wrote it): where to look next.
    pub fn follow(&mut self, at: &str, target: &str) -> ChainStep {
        let next = if target.starts_with('/') {
            normalize_remote(target)
        } else {
            normalize_remote(&join_remote(&parent_remote(at), target))
        };
        if self.visited.len() > MOST_LINKS || !self.visited.insert(next.clone()) {
            return ChainStep::Loop;
        }
        ChainStep::Next(next)
    }

    /// The error for a chain that went round: "… is a link loop".
    pub fn loop_error(&self) -> FerryError {
        FerryError::new(ErrorKind::LinkLoop, format!("{} is a link loop", escape_control(&self.start)))
    }

    /// The error for a chain that ends at `missing`, which does not exist.
    pub fn nothing_error(&self, missing: &str) -> FerryError {
        FerryError::new(
            ErrorKind::LinkToNothing,
            format!(
                "{} is a link to nothing (its target {} does not exist)",
                escape_control(&self.start),
                escape_control(missing)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_links_pointing_at_each_other_are_a_loop() {
        let mut chain = LinkChain::new("/srv/a");
        assert_eq!(chain.follow("/srv/a", "b"), ChainStep::Next("/srv/b".into()));
        assert_eq!(chain.follow("/srv/b", "./a"), ChainStep::Loop);
        assert_eq!(chain.loop_error().to_string(), "broken link: /srv/a is a link loop");
    }

    #[test]
    fn a_link_to_itself_through_dots_is_a_loop() {
        let mut chain = LinkChain::new("/srv/d/self");
        assert_eq!(chain.follow("/srv/d/self", "../d//self"), ChainStep::Loop);
    }

    #[test]
    fn an_endless_chain_of_new_names_ends_as_a_loop() {
        let mut chain = LinkChain::new("/x");
        let mut at = "/x".to_string();
        for step in 0..=MOST_LINKS + 1 {
            match chain.follow(&at, "x/../x/y") {
                ChainStep::Next(next) => at = next,
                ChainStep::Loop => {
                    assert!(step >= MOST_LINKS, "ended after {step} links");
                    return;
                }
            }
        }
        panic!("the chain never ended");
    }

    #[test]
    fn a_link_to_nothing_names_its_target_escaped() {
        let chain = LinkChain::new("/srv/x\u{1b}[2J");
        let error = chain.nothing_error("/nowhere\n");
        assert_eq!(error.kind, ErrorKind::LinkToNothing);
        let shown = error.to_string();
        assert!(shown.contains("is a link to nothing (its target /nowhere\\n does not exist)"), "{shown}");
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }

    #[test]
    fn normalizing_keeps_the_place() {
        assert_eq!(normalize_remote("/a/./b//c/../d"), "/a/b/d");
        assert_eq!(normalize_remote("/.."), "/");
        assert_eq!(normalize_remote("a/../../b"), "../b");
    }
}
