//! `ferry edit URL`: the remote file opened in an editor through the worker's edit service, each
//! save uploaded, until the editor exits and the last upload has ended.

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::escape_control;
use crate::transfer::edit::{ConflictChoice, EditState};
use crate::worker::{
    Answer, BookmarkEvent, Command, EditCommand, EditEvent, Event, FileEvent, Question, QueueEvent, SessionEvent,
};

use super::client::Client;

/// The editor's command line: `--editor`, else `$VISUAL`, else `$EDITOR`.
pub(super) fn choose_editor(given: Option<&str>) -> Result<String> {
    let from_env = |name| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
    given.map(str::to_string).or_else(|| from_env("VISUAL")).or_else(|| from_env("EDITOR")).ok_or_else(|| {
        FerryError::new(
            ErrorKind::Unsupported,
            "no editor to open the file with: give --editor CMD, or set VISUAL or EDITOR",
        )
    })
}

/// Opens `path` in `editor` and follows the edit to its end. With `batch`, a save whose file
/// changed on the server is refused instead of asked about, and the command fails.
pub(super) fn edit(
    client: &mut Client,
    path: &str,
    editor: String,
    diff_tool: Option<String>,
    batch: bool,
) -> Result<()> {
    let request = client.handle.next_request();
    client.handle.send(Command::Edit(EditCommand::Open {
        request,
        session: client.session,
        path: path.to_string(),
        editor: Some(editor),
        diff_tool,
        close_with_editor: true,
    }));
    // The last failure printed as it happened: the edit's end does not print it again.
    let mut printed_failure: Option<String> = None;
    loop {
        let Some(event) = client.handle.recv() else {
            return Err(FerryError::new(ErrorKind::ConnectionLost, "the worker stopped"));
        };
        match event {
            Event::Prompt { prompt, question: Question::EditConflict { .. }, .. } if batch => {
                client.handle.send(Command::Answer { prompt, answer: Answer::Conflict(ConflictChoice::Refuse) });
            }
            Event::Prompt { prompt, question, .. } => client.answer(prompt, &question),
            Event::Failed { request: failed, error } if failed == request => return Err(error),
            Event::Edit(EditEvent::Opened { remote, .. }) => {
                eprintln!("ferry: editing {}; each save is uploaded", escape_control(&remote));
            }
            Event::Edit(EditEvent::Changed { remote, state, note, .. }) => {
                let remote = escape_control(&remote);
                match (state, note) {
                    (EditState::Watching, Some(note)) => eprintln!("ferry: {remote}: {note}"),
                    (EditState::Failed, Some(note)) => {
                        eprintln!("ferry: {note}");
                        printed_failure = Some(note);
                    }
                    (EditState::Uploading, _) => eprintln!("ferry: uploading {remote}"),
                    (EditState::Watching | EditState::Conflict | EditState::Failed, _) => {}
                }
            }
            Event::Edit(EditEvent::Closed { request: closed, error, kept, .. }) if closed == request => {
                if let Some(kept) = kept {
                    eprintln!("ferry: your edited copy is kept at {}", escape_control(&kept.display().to_string()));
                }
                return match error {
                    None => Ok(()),
                    // Said above in full: the command's last line only says how it ended.
                    Some(error) if printed_failure.as_deref() == Some(error.to_string().as_str()) => {
                        Err(FerryError::new(error.kind, "the edit ended without uploading your last save (see above)"))
                    }
                    Some(error) => Err(error),
                };
            }
            // Other requests' news, the queue's own rows (the edit reports their end), the log.
            Event::Edit(EditEvent::Closed { .. })
            | Event::Sync(_)
            | Event::Failed { .. }
            | Event::Session(SessionEvent::Connected { .. } | SessionEvent::Disconnected { .. })
            | Event::Files(
                FileEvent::Listing { .. }
                | FileEvent::Stat { .. }
                | FileEvent::Tree { .. }
                | FileEvent::Checksum { .. },
            )
            | Event::Queue(
                QueueEvent::Enqueued { .. }
                | QueueEvent::Changed { .. }
                | QueueEvent::Progress { .. }
                | QueueEvent::Totals { .. }
                | QueueEvent::Cleared { .. }
                | QueueEvent::Restored { .. },
            )
            | Event::Bookmarks(BookmarkEvent::List { .. } | BookmarkEvent::ImportReport { .. })
            | Event::Done { .. }
            | Event::Log { .. } => {}
        }
    }
}
