//! `ferry shell [URL]`: the classic `ftp`/`sftp` prompt on the worker every other command uses.
//! On a terminal it edits lines with history and Tab completion; from a pipe or `-b FILE` it runs
//! the lines as `sftp -b` does, stopping at the first failing one unless it starts with `-`.

mod command;
mod complete;
mod execute;
mod local;
mod remote_glob;
mod session;
mod words;

use std::cell::RefCell;
use std::io::{BufRead, IsTerminal};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};

use crate::error::{FerryError, Result};

use super::GlobalOptions;
use command::{Line, ShellCommand, parse};
use complete::ShellHelper;
use execute::Flow;
use session::Session;

const PROMPT: &str = "ferry> ";
/// The history file in the config folder (private, as the rest of it).
const HISTORY_FILE: &str = "shell_history";
const HISTORY_LINES: usize = 1000;

/// Runs the shell; an error is the batch's first failing command (or the first connection's, in
/// a batch), which the caller prints as the last line.
pub(super) fn run(options: &GlobalOptions, url: Option<&str>, batch: Option<&Path>) -> Result<()> {
    let interrupt = Arc::new(AtomicBool::new(false));
    let session = Rc::new(RefCell::new(Session::new(options, interrupt.clone())));
    let interactive = batch.is_none() && std::io::stdin().is_terminal();
    // Made first: the line editor takes SIGINT when it starts, and the handler registered after
    // it must be the one that sees Ctrl+C.
    let editor = if interactive { Some(new_editor(&session)?) } else { None };
    // Ctrl+C while a command runs cancels that command; at the prompt the line editor has it.
    signal_hook::flag::register(signal_hook::consts::SIGINT, interrupt.clone())
        .map_err(|error| FerryError::from_io(&error, "setting up Ctrl+C"))?;
    if let Some(url) = url {
        let opened = session.borrow_mut().open(url);
        match opened {
            Ok(()) => {}
            Err(error) if interactive => eprintln!("ferry: {error}"),
            Err(error) => return Err(error),
        }
    }
    match editor {
        Some(editor) => interactive_loop(options, editor, &session, &interrupt),
        None => batch_loop(batch, &session, &interrupt),
    }
}

/// Lines from `-b FILE` or standard input, each echoed after the prompt as `sftp -b` does.
fn batch_loop(batch: Option<&Path>, session: &Rc<RefCell<Session>>, interrupt: &AtomicBool) -> Result<()> {
    let reader: Box<dyn BufRead> = match batch {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path)
                .map_err(|error| FerryError::from_io(&error, format!("reading the batch file {}", path.display())))?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    for line in reader.lines() {
        let line = line.map_err(|error| FerryError::from_io(&error, "reading the commands"))?;
        println!("{PROMPT}{}", crate::model::escape_control(&line));
        let parsed = match parse(&line) {
            Ok(parsed) => parsed,
            Err(error) if line.trim_start().starts_with('-') => {
                eprintln!("ferry: {error}");
                continue;
            }
            Err(error) => return Err(error),
        };
        interrupt.store(false, Ordering::SeqCst);
        let Line { command, ignore_failure } = parsed;
        match session.borrow_mut().execute(command) {
            Ok(Flow::Quit) => return Ok(()),
            Ok(Flow::Continue) => {}
            Err(error) if ignore_failure => eprintln!("ferry: {error}"),
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

type LineEditor = Editor<ShellHelper, FileHistory>;

/// The line editor, completing from `session`.
fn new_editor(session: &Rc<RefCell<Session>>) -> Result<LineEditor> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .max_history_size(HISTORY_LINES)
        .map_err(|error| editor_error(&error))?
        .auto_add_history(false)
        .build();
    let mut editor: LineEditor = Editor::with_config(config).map_err(|error| editor_error(&error))?;
    editor.set_helper(Some(ShellHelper { session: session.clone() }));
    Ok(editor)
}

fn interactive_loop(
    options: &GlobalOptions,
    mut editor: LineEditor,
    session: &Rc<RefCell<Session>>,
    interrupt: &AtomicBool,
) -> Result<()> {
    let history = history_file(options);
    if let Some(path) = &history {
        // None yet is fine: the first line typed creates it.
        let _ = editor.load_history(path);
    }
    loop {
        let line = match editor.readline(PROMPT) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return Ok(()),
            Err(error) => return Err(editor_error(&error)),
        };
        let parsed = parse(&line);
        if !line.trim().is_empty() {
            let _ = editor.add_history_entry(history_entry(&line, parsed.as_ref().ok()));
            if let Some(path) = &history
                && let Err(error) = editor.append_history(path)
            {
                eprintln!("ferry: warning: the history was not saved: {error}");
            }
        }
        interrupt.store(false, Ordering::SeqCst);
        let outcome = parsed.and_then(|Line { command, .. }| session.borrow_mut().execute(command));
        match outcome {
            Ok(Flow::Quit) => return Ok(()),
            Ok(Flow::Continue) => {}
            Err(error) => eprintln!("ferry: {error}"),
        }
    }
}

/// Where the history is kept, its folder made (private) if need be; `None` if it cannot be.
fn history_file(options: &GlobalOptions) -> Option<std::path::PathBuf> {
    let folder = options.config_dir().path().to_path_buf();
    match crate::config::create_private_dir_all(&folder) {
        Ok(()) => Some(folder.join(HISTORY_FILE)),
        Err(error) => {
            eprintln!(
                "ferry: warning: no history: {}",
                FerryError::from_io(&error, format!("creating {}", folder.display()))
            );
            None
        }
    }
}

/// The line as the history keeps it: `open` with a password in its URL is kept without it.
fn history_entry(line: &str, parsed: Option<&Line>) -> String {
    match parsed.map(|parsed| &parsed.command) {
        Some(ShellCommand::Open { target })
            if url::Url::parse(target).is_ok_and(|parsed| parsed.password().is_some()) =>
        {
            format!("open {}", words::escape(&crate::logging::loggable_url(target)))
        }
        _ => line.to_string(),
    }
}

fn editor_error(error: &ReadlineError) -> FerryError {
    FerryError::new(crate::error::ErrorKind::LocalIo, "reading the terminal").with_detail(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_history_keeps_no_password_typed_in_an_open() {
        let line = "open sftp://alice:hunter2@example.org/srv";
        let parsed = parse(line).unwrap();
        let kept = history_entry(line, Some(&parsed));
        assert!(!kept.contains("hunter2"), "{kept}");
        assert!(kept.starts_with("open sftp://alice@example.org/srv"), "{kept}");
        for line in ["open work:/srv", "get 'a b'", "open sftp://alice@example.org/"] {
            assert_eq!(history_entry(line, parse(line).ok().as_ref()), line);
        }
    }
}
