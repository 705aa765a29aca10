//! `ferry sync SRC DST`: which side is remote, the plan printed (text or JSON), and the run
//! followed through the queue with the same progress bars and summary as `get -r`.

use std::path::PathBuf;

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::escape_control;
use crate::transfer::progress::format_bytes;
use crate::transfer::sync_plan::{Action, SyncOptions};
use crate::worker::{
    BookmarkEvent, Command, Direction, Event, FileEvent, QueueCommand, QueueEvent, SessionEvent, SyncCommand,
    SyncEvent, SyncJob, SyncPreview, SyncReport,
};

use super::args::SyncOptionsArgs;
use super::client::Client;
use super::prompts::answer_on_terminal;
use super::render::{Board, Outcome};
use super::tally::Problems;

/// Whether a `sync` argument names a remote folder: a URL, or `NAME:path` with its colon before
/// any slash (scp's rule: `./a:b` is a local file).
pub(super) fn is_remote(text: &str) -> bool {
    if crate::url::looks_like_url(text) {
        return true;
    }
    match (text.find(':'), text.find('/')) {
        (Some(0), _) | (None, _) => false,
        (Some(colon), Some(slash)) => colon < slash,
        (Some(_), None) => true,
    }
}

/// Which side of `ferry sync SRC DST` is the server's: the remote argument, the direction and
/// the local folder.
pub(super) fn sides(src: &str, dst: &str) -> Result<(String, Direction, PathBuf)> {
    match (is_remote(src), is_remote(dst)) {
        (true, false) => Ok((src.to_string(), Direction::Download, PathBuf::from(dst))),
        (false, true) => Ok((dst.to_string(), Direction::Upload, PathBuf::from(src))),
        _ => Err(FerryError::new(
            ErrorKind::Unsupported,
            "sync needs one local folder and one remote one (a URL or NAME:/path)",
        )),
    }
}

/// Plans (and unless `--dry-run`, runs) the sync of `local` and `remote`.
pub(super) fn sync(
    client: &mut Client,
    direction: Direction,
    local: PathBuf,
    remote: String,
    args: &SyncOptionsArgs,
) -> Result<()> {
    let local = std::path::absolute(&local)
        .map_err(|e| FerryError::from_io(&e, format!("finding the folder of {}", local.display())))?;
    let options = SyncOptions { compare: args.compare, time_tolerance: args.time_tolerance, delete: args.delete };
    let job = SyncJob { direction, local, remote, options, excludes: args.exclude.clone(), approved: None };
    let request = client.handle.next_request();
    let session = client.session;
    if args.dry_run {
        client.handle.send(Command::Sync(SyncCommand::Preview { request, session, job }));
        let Event::Sync(SyncEvent::Planned { preview, .. }) = client.wait(request)? else {
            return Err(FerryError::new(ErrorKind::Protocol, "no plan"));
        };
        print_result(&preview, None, args.json);
        return verdict(&preview, None, None);
    }
    client.handle.send(Command::Queue(QueueCommand::SetConcurrency { limit: args.parallel.max(1) }));
    client.handle.send(Command::Sync(SyncCommand::Run { request, session, job }));
    let started = std::time::Instant::now();
    let mut preview = None;
    let mut board = None;
    let report = loop {
        let Some(event) = client.handle.recv() else {
            return Err(FerryError::new(ErrorKind::ConnectionLost, "the worker stopped"));
        };
        match event {
            Event::Prompt { prompt, question, .. } => {
                let answer = answer_on_terminal(&question, client.accept_new_host_key);
                client.handle.send(Command::Answer { prompt, answer });
            }
            Event::Failed { request: r, error } if r == request => return Err(error),
            Event::Sync(SyncEvent::Planned { request: r, preview: planned }) if r == request => {
                if !args.json {
                    print_steps(&planned);
                }
                preview = Some(planned);
            }
            Event::Sync(SyncEvent::Finished { request: r, report }) if r == request => break report,
            Event::Queue(QueueEvent::Enqueued { request: r, items }) if r == request => {
                board = Some(Board::new(&items));
            }
            Event::Queue(QueueEvent::Progress { item, bytes, total, .. }) => {
                if let Some(board) = board.as_mut() {
                    board.progress(item, bytes, total);
                }
            }
            Event::Queue(QueueEvent::Totals { bytes, total, .. }) => {
                if let Some(board) = board.as_mut() {
                    board.totals(bytes, total);
                }
            }
            Event::Queue(QueueEvent::Changed { item }) => {
                if let Some(board) = board.as_mut() {
                    board.changed(*item);
                }
            }
            // Other requests' answers, the log, and what the command line does not print.
            Event::Queue(QueueEvent::Enqueued { .. } | QueueEvent::Cleared { .. } | QueueEvent::Restored { .. })
            | Event::Sync(SyncEvent::Planned { .. } | SyncEvent::Finished { .. })
            | Event::Edit(_)
            | Event::Session(SessionEvent::Connected { .. } | SessionEvent::Disconnected { .. })
            | Event::Files(
                FileEvent::Listing { .. }
                | FileEvent::Stat { .. }
                | FileEvent::Tree { .. }
                | FileEvent::Checksum { .. },
            )
            | Event::Bookmarks(BookmarkEvent::List { .. } | BookmarkEvent::ImportReport { .. })
            | Event::Done { .. }
            | Event::Failed { .. }
            | Event::Log { .. } => {}
        }
    };
    let preview = preview.ok_or_else(|| FerryError::new(ErrorKind::Protocol, "no plan"))?;
    // The copies' own summary line (their failures each printed as it happened), counting the
    // names the plan refused too, so that its numbers and the last line agree.
    let outcome = board.map(|mut board| {
        board.add_refused(&preview.refused);
        board.finish(started.elapsed())
    });
    print_result(&preview, Some(&report), args.json);
    verdict(&preview, Some(&report), outcome.as_ref())
}

/// The plan's lines on stdout: each copy, delete and conflict (unchanged files are only counted),
/// then the totals; what was refused goes to stderr, as `get -r` prints it.
fn print_steps(preview: &SyncPreview) {
    if let Some(folder) = &preview.make_folder {
        println!("make folder {}", escape_control(folder));
    }
    for step in &preview.plan.steps {
        let word = match step.action {
            Action::New => "new",
            Action::Changed => "changed",
            Action::Delete => "delete",
            Action::Conflict => "conflict",
            Action::Unchanged | Action::Extra => continue,
        };
        let size = match (step.is_folder, step.size) {
            (true, _) => "folder".to_string(),
            (false, Some(size)) => format_bytes(size),
            (false, None) => "?".to_string(),
        };
        let why = step.why.as_ref().map(|why| format!("  ({})", escape_control(why))).unwrap_or_default();
        println!("{word:8} {size:>10}  {}{why}", escape_control(&step.path));
    }
    for refused in &preview.refused {
        eprintln!("ferry: refused {refused}");
    }
    let totals = preview.totals;
    let mut line = format!(
        "{} new, {} changed, {} to delete, {} unchanged; {} to copy",
        totals.new,
        totals.changed,
        totals.deleted,
        totals.unchanged,
        format_bytes(totals.bytes_to_copy)
    );
    if totals.extra > 0 {
        line.push_str(&format!("; {} only in the target, kept (--delete deletes them)", totals.extra));
    }
    if totals.conflicts > 0 {
        line.push_str(&format!("; {} conflicts, not synced", totals.conflicts));
    }
    if preview.plan.changes_nothing() && preview.make_folder.is_none() {
        line = format!("nothing to do: {line}");
    }
    println!("{line}");
}

/// The plan (in a dry run) or the end of a run, as text or one JSON object.
fn print_result(preview: &SyncPreview, report: Option<&SyncReport>, json: bool) {
    if json {
        let value = serde_json::json!({ "plan": preview, "result": report });
        println!("{value}");
        return;
    }
    match report {
        None => print_steps(preview),
        Some(report) => {
            for failure in &report.delete_failures {
                eprintln!("ferry: {failure}");
            }
            let mut line = format!("synced: {} copied, {} deleted", report.copied, report.deleted);
            if report.deletes_held_back > 0 {
                line.push_str(&format!(
                    "; {} deletes held back because a copy failed (run the sync again)",
                    report.deletes_held_back
                ));
            }
            eprintln!("{line}");
        }
    }
}

/// Fails (naming what) when the target cannot be like the source: names refused, conflicts,
/// failed copies or deletes, each counted once. The error's kind is theirs when they share one.
fn verdict(preview: &SyncPreview, report: Option<&SyncReport>, copies: Option<&Outcome>) -> Result<()> {
    let kinds = |errors: &[FerryError]| errors.iter().map(|error| error.kind).collect::<Vec<_>>();
    let mut problems = Problems::default();
    let refused = copies.map_or(preview.refused.as_slice(), |copies| copies.refused.as_slice());
    problems.add(format!("{} refused", refused.len()), &kinds(refused));
    let conflicts = preview.totals.conflicts;
    // A conflict is no failure of its own kind (a file here and a folder there, a link not
    // followed): the plan names each.
    problems.add_many(format!("{conflicts} conflicts"), conflicts, ErrorKind::Incomplete, "conflict");
    if let Some(report) = report {
        let failed = match copies {
            Some(copies) if !copies.failures.is_empty() => kinds(&copies.failures),
            _ => vec![ErrorKind::LocalIo; report.failed],
        };
        problems.add(format!("{} copies failed", failed.len()), &failed);
        problems.add(format!("{} deletes failed", report.delete_failures.len()), &kinds(&report.delete_failures));
    }
    match problems.into_error("the folders are not in sync: ") {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_remote_side_is_a_url_or_a_name_with_a_colon_before_any_slash() {
        assert!(is_remote("sftp://host/dir"));
        assert!(is_remote("web:/var/www"));
        assert!(is_remote("web:"));
        assert!(!is_remote("./a:b"));
        assert!(!is_remote("/tmp/x"));
        assert!(!is_remote("plain"));
        assert!(sides("a", "b").is_err());
        assert!(sides("web:/x", "ftp://h/y").is_err());
        let (url, direction, local) = sides("site", "web:/www").unwrap();
        assert_eq!((url.as_str(), direction, local), ("web:/www", Direction::Upload, PathBuf::from("site")));
    }
}
