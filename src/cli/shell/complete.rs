//! Tab completion for the shell's line editor: command names, local paths, and remote paths from
//! the session's kept listings (listed on first use, forgotten after a change).

use std::cell::RefCell;
use std::rc::Rc;

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::model::escape_control;

use super::command::{ArgKind, COMMANDS, find};
use super::session::{CachedName, Session};
use super::words::{escape, split};

/// The line editor's helper: it completes from the session it shares with the shell's loop.
pub(super) struct ShellHelper {
    pub(super) session: Rc<RefCell<Session>>,
}

/// What the word under the cursor is, and where it starts.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Partial {
    pub start: usize,
    pub text: String,
    pub kind: Option<ArgKind>,
    /// Completing the command's name itself.
    pub command: bool,
}

/// Finds the word being typed at the end of `line` and what it names.
pub(super) fn partial(line: &str) -> Partial {
    let split = split(line);
    let mut words = split.words;
    let current = if split.ends_between_words || words.is_empty() { None } else { words.pop() };
    let (start, text) = current.map(|word| (word.start, word.text)).unwrap_or((line.len(), String::new()));
    let Some((name, args)) = words.split_first() else {
        return Partial { start, text, kind: None, command: true };
    };
    let index = args.iter().filter(|word| !word.text.starts_with('-')).count();
    let kind = find(&name.text)
        .and_then(|info| info.args.get(index.min(info.args.len().saturating_sub(1))).copied())
        .filter(|_| !text.starts_with('-'));
    Partial { start, text, kind, command: false }
}

/// The names offered for `typed` among `names`: those it begins, as replacements for the whole
/// word (escaped, so they read back as the name) and as shown (control characters escaped).
/// Names with control characters are not offered: typed back, they could not be read as sent.
pub(super) fn candidates(typed: &str, names: &[CachedName]) -> Vec<Pair> {
    let (folder, start) = match typed.rfind('/') {
        Some(at) => typed.split_at(at + 1),
        None => ("", typed),
    };
    let mut found: Vec<Pair> = names
        .iter()
        .filter(|(name, _)| name != "." && name != ".." && name.starts_with(start))
        .filter(|(name, _)| !name.chars().any(char::is_control))
        .map(|(name, is_dir)| {
            let slash = if *is_dir { "/" } else { "" };
            Pair {
                display: format!("{}{slash}", escape_control(name)),
                replacement: format!("{}{slash}", escape(&format!("{folder}{name}"))),
            }
        })
        .collect();
    found.sort_by(|a, b| a.display.cmp(&b.display));
    found
}

fn local_names(folder: &str) -> Vec<CachedName> {
    let folder = if folder.is_empty() { "." } else { folder };
    let Ok(reading) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    reading
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let is_dir = entry.path().is_dir();
            entry.file_name().into_string().ok().map(|name| (name, is_dir))
        })
        .collect()
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let typed = &line[..pos];
        if typed.trim_start().starts_with('!') {
            return Ok((pos, Vec::new()));
        }
        let partial = partial(typed);
        let folder = match partial.text.rfind('/') {
            Some(at) => &partial.text[..=at],
            None => "",
        };
        let names: Vec<CachedName> = if partial.command {
            let mut names: Vec<CachedName> = COMMANDS
                .iter()
                .flat_map(|info| info.names.iter())
                .filter(|name| **name != "!")
                .map(|name| (name.to_string(), false))
                .collect();
            names.dedup();
            names
        } else {
            match partial.kind {
                Some(ArgKind::Local) => local_names(folder),
                Some(ArgKind::Remote) => {
                    let Ok(mut session) = self.session.try_borrow_mut() else {
                        return Ok((pos, Vec::new()));
                    };
                    if session.client.is_none() {
                        return Ok((pos, Vec::new()));
                    }
                    let path = session.remote_path(if folder.is_empty() { "." } else { folder });
                    session.names_in(&path)
                }
                Some(ArgKind::Other) | None => return Ok((pos, Vec::new())),
            }
        };
        let mut found = candidates(&partial.text, &names);
        if partial.command {
            // A command name is followed by its argument.
            for pair in &mut found {
                pair.replacement.push(' ');
            }
        }
        Ok((partial.start, found))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {}

impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_under_the_cursor_and_what_it_names() {
        assert_eq!(partial("ge"), Partial { start: 0, text: "ge".into(), kind: None, command: true });
        assert_eq!(
            partial("get "),
            Partial { start: 4, text: String::new(), kind: Some(ArgKind::Remote), command: false }
        );
        assert_eq!(
            partial("get -r rem"),
            Partial { start: 7, text: "rem".into(), kind: Some(ArgKind::Remote), command: false }
        );
        assert_eq!(partial("get a.txt lo").kind, Some(ArgKind::Local));
        assert_eq!(partial("put lo").kind, Some(ArgKind::Local));
        assert_eq!(partial("put lo re").kind, Some(ArgKind::Remote));
        assert_eq!(partial("mput a b c").kind, Some(ArgKind::Local));
        assert_eq!(
            partial("get 'my fi"),
            Partial { start: 4, text: "my fi".into(), kind: Some(ArgKind::Remote), command: false }
        );
        assert_eq!(partial("pwd ").kind, None);
    }

    #[test]
    fn candidates_are_escaped_and_keep_their_folder() {
        let names = vec![
            ("my file.txt".to_string(), false),
            ("my dir".to_string(), true),
            ("other".to_string(), false),
            ("my\u{1b}]0;x\u{7}".to_string(), false),
        ];
        let found = candidates("sub/my", &names);
        let replacements: Vec<&str> = found.iter().map(|p| p.replacement.as_str()).collect();
        assert_eq!(replacements, ["sub/my\\ dir/", "sub/my\\ file.txt"]);
        assert_eq!(found[0].display, "my dir/");
    }
}
