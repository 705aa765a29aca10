//! Remote wildcards for `ls`, `get` and `mget`: a pattern such as `logs/2024-*/*.txt` is matched
//! part by part, listing only the folders the earlier parts matched.

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind, escape_control, join_remote};
use crate::transfer::names::check_name;

use super::session::{Session, resolve_remote};

/// The most folders one pattern may walk through: a pattern like `*/*/*` on a large server
/// would otherwise list it all.
const MOST_FOLDERS: usize = 1000;

/// One name a pattern matched: the remote folder it is in, and its entry.
pub(super) struct Match {
    pub folder: String,
    pub entry: Entry,
}

impl Match {
    pub(super) fn path(&self) -> String {
        join_remote(&self.folder, &self.entry.name)
    }
}

/// A pattern's part without wildcards, as the name it means (`[*]` stands for `*`); `None` when
/// the part holds a wildcard.
fn literal(part: &str) -> Option<String> {
    let chars: Vec<char> = part.chars().collect();
    let mut out = String::with_capacity(part.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '[' if i + 2 < chars.len() && chars[i + 2] == ']' && chars[i + 1] != '!' && chars[i + 1] != '^' => {
                out.push(chars[i + 1]);
                i += 3;
            }
            '*' | '?' | '[' => return None,
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

fn matcher(part: &str, pattern: &str) -> Result<glob::Pattern> {
    glob::Pattern::new(part).map_err(|error| {
        FerryError::new(ErrorKind::Unsupported, format!("the pattern {}", escape_control(pattern)))
            .with_detail(error.msg)
    })
}

/// Whether `name` matches `part` as sh matches: a leading dot only by a dot, so `*` skips
/// hidden names.
fn matches(matcher: &glob::Pattern, part: &str, name: &str) -> bool {
    name != "."
        && name != ".."
        && (part.starts_with('.') || !name.starts_with('.'))
        && matcher.matches_with(name, glob::MatchOptions::new())
}

impl Session {
    /// Every remote name `pattern` matches, sorted by folder then name; none is an error.
    ///
    /// A folder part with wildcards follows only folders (and links, which may lead to one)
    /// whose names are one harmless name: a server's `..` or `a/b` never leads the walk
    /// elsewhere. The last part is matched against whole names, `/` and all, so that such names
    /// reach the caller's own check and are refused out loud, not silently skipped.
    pub(super) fn matching_remote(&mut self, pattern: &str) -> Result<Vec<Match>> {
        let start = if pattern.starts_with('/') { "/".to_string() } else { self.cwd.clone() };
        let parts: Vec<&str> = pattern.split('/').filter(|part| !part.is_empty()).collect();
        let nothing = || FerryError::new(ErrorKind::NotFound, format!("nothing matches {}", escape_control(pattern)));
        let Some((last, folder_parts)) = parts.split_last() else { return Err(nothing()) };
        let mut folders = vec![start];
        for part in folder_parts {
            folders = match literal(part) {
                Some(name) => folders.iter().map(|folder| resolve_remote(folder, &name)).collect(),
                None => self.matching_folders(&folders, part, pattern)?,
            };
            if folders.is_empty() {
                return Err(nothing());
            }
        }
        let mut found = Vec::new();
        let only_one_folder = folders.len() == 1;
        for folder in folders {
            let entries = match self.list(&folder) {
                Ok(entries) => entries,
                // One folder named outright: its own error says more than "nothing matches".
                Err(error) if only_one_folder => return Err(error),
                Err(_) => continue,
            };
            let wanted: Box<dyn Fn(&str) -> bool> = match literal(last) {
                Some(name) => Box::new(move |found: &str| found == name),
                None => {
                    let matcher = matcher(last, pattern)?;
                    let last = last.to_string();
                    Box::new(move |found: &str| matches(&matcher, &last, found))
                }
            };
            found.extend(
                entries
                    .into_iter()
                    .filter(|entry| wanted(&entry.name))
                    .map(|entry| Match { folder: folder.clone(), entry }),
            );
        }
        if found.is_empty() {
            return Err(nothing());
        }
        Ok(found)
    }

    /// The folders inside `folders` whose names match the wildcard part `part`.
    fn matching_folders(&mut self, folders: &[String], part: &str, pattern: &str) -> Result<Vec<String>> {
        let matcher = matcher(part, pattern)?;
        let mut next = Vec::new();
        for folder in folders {
            // A folder that cannot be listed (no permission) holds no match.
            let Ok(entries) = self.list(folder) else { continue };
            for entry in entries {
                let may_hold_more = matches!(entry.kind, EntryKind::Dir | EntryKind::Symlink);
                if !may_hold_more || !matches(&matcher, part, &entry.name) {
                    continue;
                }
                if let Err(unsafe_name) = check_name(&entry.name) {
                    eprintln!("ferry: refused: {}", unsafe_name.to_error(&entry.name));
                    continue;
                }
                next.push(join_remote(folder, &entry.name));
                if next.len() > MOST_FOLDERS {
                    return Err(FerryError::new(
                        ErrorKind::TooLarge,
                        format!("more than {MOST_FOLDERS} folders match {}: name fewer", escape_control(pattern)),
                    ));
                }
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_is_a_name_unless_it_holds_a_wildcard() {
        assert_eq!(literal("plain name").as_deref(), Some("plain name"));
        assert_eq!(literal("a[*]b[?]c[[]").as_deref(), Some("a*b?c["), "quoted wildcards are themselves");
        assert_eq!(literal("dir*"), None);
        assert_eq!(literal("x?"), None);
        assert_eq!(literal("[ab]"), None);
        assert_eq!(literal("[!a]"), None, "a negated class is a wildcard");
    }

    #[test]
    fn a_star_skips_hidden_names_and_the_dot_folders() {
        let star = matcher("*", "*").unwrap();
        assert!(matches(&star, "*", "dir1"));
        assert!(!matches(&star, "*", ".hidden"));
        assert!(!matches(&star, "*", ".."));
        let dot = matcher(".*", ".*").unwrap();
        assert!(matches(&dot, ".*", ".hidden"));
        assert!(!matches(&dot, ".*", ".."), "never the parent folder");
    }
}
