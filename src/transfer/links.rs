//! What a recursive download does with a link on the server: copy what it leads to, follow it
//! into a folder, or leave it with a reason. Links are judged by where they really lead (the
//! server's real path), so a loop or a second way into a folder already copied ends the walk
//! there instead of going round forever.

use std::collections::HashSet;

use crate::error::{ErrorKind, FerryError};
use crate::model::{EntryKind, escape_control};

/// Whether links that leave the copied folder, and links to folders, are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FollowLinks {
    /// Links to files inside the copied folder are copied as files; nothing else is followed.
    #[default]
    Inside,
    /// Every link is followed, into folders too, wherever it leads; loops end the walk.
    Always,
}

/// What to do with one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkDecision {
    /// Copy it as the file it leads to.
    CopyFile,
    /// Go into it as a folder.
    EnterFolder,
    /// Leave it, for this reason (shown to the user as a skipped item).
    Leave(FerryError),
}

/// The real paths of the folders a walk has entered, and the real path of its top.
#[derive(Debug)]
pub struct LinkWalk {
    follow: FollowLinks,
    /// The top of the copy, where the server told it; `None` where it cannot say (no link is
    /// then known to stay inside, and only links to files are copied).
    top: Option<String>,
    visited: HashSet<String>,
}

impl LinkWalk {
    /// A walk whose top folder really is `top` (when the server can tell).
    pub fn new(follow: FollowLinks, top: Option<String>) -> Self {
        let visited = top.iter().map(|top| trimmed(top).to_string()).collect();
        LinkWalk { follow, top, visited }
    }

    /// Remembers that the walk entered the folder really at `real`; false if it was already
    /// entered (a loop, or a second way to the same folder).
    pub fn enter(&mut self, real: &str) -> bool {
        self.visited.insert(trimmed(real).to_string())
    }

    /// The decision for the link `shown` (as the listing names it) that leads to something of
    /// kind `leads_to`, really at `real` (`None` where the server cannot say).
    pub fn decide(&mut self, shown: &str, leads_to: EntryKind, real: Option<&str>) -> LinkDecision {
        let inside = match (real, &self.top) {
            (Some(real), Some(top)) => is_within(real, top),
            _ => false,
        };
        let shown = escape_control(shown);
        let leave = |why: String| LinkDecision::Leave(FerryError::new(ErrorKind::Unsupported, why));
        match (leads_to, self.follow) {
            (EntryKind::File, FollowLinks::Always) => LinkDecision::CopyFile,
            // Where the server cannot tell where a link leads, a link to a file is copied as
            // before: it brings one file's bytes, never a walk.
            (EntryKind::File, FollowLinks::Inside) if inside || real.is_none() => LinkDecision::CopyFile,
            (EntryKind::File, FollowLinks::Inside) => {
                leave(format!("{shown} links to a file outside the folder copied; --follow-links copies it"))
            }
            (EntryKind::Dir, FollowLinks::Inside) => {
                leave(format!("{shown} links to a folder; links to folders are followed only with --follow-links"))
            }
            (EntryKind::Dir, FollowLinks::Always) => match real {
                None => leave(format!("{shown} links to a folder, and the server cannot say where it leads")),
                Some(real) if !self.enter(real) => leave(format!(
                    "{shown} leads back to {}, which is copied already (a link loop)",
                    escape_control(real)
                )),
                Some(_) => LinkDecision::EnterFolder,
            },
            (EntryKind::Symlink | EntryKind::Other, _) => leave(format!("{shown} is not a file or folder")),
        }
    }
}

/// A path without its trailing slashes ("/" stays "/").
fn trimmed(path: &str) -> &str {
    let cut = path.trim_end_matches('/');
    if cut.is_empty() { "/" } else { cut }
}

/// Whether `path` is `folder` or lies under it, by whole components ("/a/bc" is not under "/a/b").
fn is_within(path: &str, folder: &str) -> bool {
    let (path, folder) = (trimmed(path), trimmed(folder));
    folder == "/" || path == folder || path.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_is_by_whole_components() {
        assert!(is_within("/srv/site/a", "/srv/site"));
        assert!(is_within("/srv/site/", "/srv/site"));
        assert!(!is_within("/srv/site2", "/srv/site"));
        assert!(!is_within("/srv", "/srv/site"));
        assert!(is_within("/etc", "/"));
    }

    #[test]
    fn by_default_only_links_to_files_inside_are_copied() {
        let mut walk = LinkWalk::new(FollowLinks::Inside, Some("/srv/site".into()));
        assert_eq!(walk.decide("a", EntryKind::File, Some("/srv/site/b")), LinkDecision::CopyFile);
        assert!(matches!(walk.decide("key", EntryKind::File, Some("/etc/key")), LinkDecision::Leave(_)));
        assert!(matches!(walk.decide("d", EntryKind::Dir, Some("/srv/site/d")), LinkDecision::Leave(_)));
        // A server that cannot say where a link leads: a file still comes, a folder is left.
        let mut blind = LinkWalk::new(FollowLinks::Inside, None);
        assert_eq!(blind.decide("a", EntryKind::File, None), LinkDecision::CopyFile);
    }

    #[test]
    fn following_enters_each_real_folder_once_so_loops_end() {
        let mut walk = LinkWalk::new(FollowLinks::Always, Some("/srv/site/".into()));
        assert_eq!(walk.decide("up", EntryKind::Dir, Some("/srv")), LinkDecision::EnterFolder);
        // Inside "/srv", the copied folder itself comes round again: left, not copied twice.
        assert!(!walk.enter("/srv/site"));
        let LinkDecision::Leave(why) = walk.decide("self", EntryKind::Dir, Some("/srv/site")) else {
            panic!("a loop is followed")
        };
        assert!(why.to_string().contains("link loop"), "{why}");
        assert!(matches!(walk.decide("again", EntryKind::Dir, Some("/srv/")), LinkDecision::Leave(_)));
        assert_eq!(walk.decide("key", EntryKind::File, Some("/etc/key")), LinkDecision::CopyFile);
        assert!(matches!(walk.decide("blind", EntryKind::Dir, None), LinkDecision::Leave(_)));
    }

    #[test]
    fn names_in_reasons_are_escaped() {
        let mut walk = LinkWalk::new(FollowLinks::Inside, Some("/srv".into()));
        let LinkDecision::Leave(why) = walk.decide("a\u{1b}[31m", EntryKind::Dir, Some("/srv/x")) else {
            panic!("followed")
        };
        assert!(!why.to_string().contains('\u{1b}'), "{why}");
    }
}
