//! Running one shell command over an SSH exec channel, blocking, with everything it prints
//! bounded: a short answer for `mv`, `rm` and the like, and a listing read line by line within
//! the connection's limits, so an `ls` that never ends stops at the first limit it crosses.

use std::io::{BufRead, BufReader, Read};

use chrono::{DateTime, Utc};
use ssh2::{Channel, ExtendedData, Session};

use super::ftp_listing::{ListFormat, ListingParser};
use super::scp_command::{LsFlavor, command_error, unescape_ls_name};
use super::sftp_error::{remote_io_error, ssh_error};
use super::sftp_wire as wire;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind, escape_control};
use crate::transfer::limits::Limits;

/// The most a command other than a listing may print: its answer is a line or two.
pub(super) const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The error for a server that takes no commands: what the user can do is ask for SFTP or a shell.
pub(super) fn no_commands(detail: &str) -> FerryError {
    FerryError::new(
        ErrorKind::Unsupported,
        "the server offers neither SFTP nor shell commands (its SFTP subsystem is off, and it runs no \
         commands for this account), so Ferry cannot work on its files",
    )
    .with_log_detail(detail.to_string())
}

/// Opens a channel and starts `command` on it, its error output merged into its output (one
/// stream to read: two would need reading in step, or a full window on one blocks the other).
fn start(session: &Session, command: &str) -> Result<Channel> {
    wire::sent(command);
    let mut channel = session.channel_session().map_err(|e| ssh_error(&e, "opening a channel for a command"))?;
    channel.handle_extended_data(ExtendedData::Merge).map_err(|e| ssh_error(&e, "opening a channel for a command"))?;
    channel.exec(command).map_err(|e| {
        let failed = ssh_error(&e, "running a command");
        if matches!(failed.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) {
            failed
        } else {
            no_commands(&format!("libssh2 {e}"))
        }
    })?;
    Ok(channel)
}

/// Waits for the end of a command whose output was read to its end, and returns its exit status.
fn finish(mut channel: Channel, context: &str) -> Result<i32> {
    let _ = channel.send_eof();
    channel.wait_close().map_err(|e| ssh_error(&e, context))?;
    channel.exit_status().map_err(|e| ssh_error(&e, context))
}

/// Runs `command` and returns its exit status and what it printed, at most `MAX_ANSWER_BYTES`.
pub(super) fn run(session: &Session, command: &str, context: &str) -> Result<(i32, String)> {
    let mut channel = start(session, command)?;
    let mut output = Vec::new();
    (&mut channel)
        .take(MAX_ANSWER_BYTES as u64 + 1)
        .read_to_end(&mut output)
        .map_err(|e| remote_io_error(&e, context))?;
    if output.len() > MAX_ANSWER_BYTES {
        // Dropping the channel closes it: nothing more is read.
        return Err(FerryError::new(
            ErrorKind::TooLarge,
            format!("{context}: the server's answer is longer than {MAX_ANSWER_BYTES} bytes; Ferry stops there"),
        ));
    }
    let status = finish(channel, context)?;
    let text = String::from_utf8_lossy(&output).into_owned();
    let shown = if status == 0 { "OK".to_string() } else { format!("exit {status}: {}", text.trim()) };
    wire::note(&shown);
    Ok((status, text))
}

/// Runs `command`, which prints nothing when it works, and turns a failure into an error that
/// quotes what the server's command said.
pub(super) fn run_quiet(session: &Session, command: &str, context: &str) -> Result<()> {
    match run(session, command, context)? {
        (0, _) => Ok(()),
        (status, said) => Err(command_error(context, status, &said)),
    }
}

/// Runs an `ls` and reads its lines as they come, within `limits`. Entries named `.` and `..`,
/// and names no file can have (empty, with a `/`), are left out; with GNU's `ls -b` the names are
/// decoded. A failed `ls` is an error quoting its first line it could not read.
pub(super) fn list(
    session: &Session,
    command: &str,
    dir: &str,
    flavor: LsFlavor,
    limits: &Limits,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>> {
    let context = format!("listing {}", escape_control(dir));
    let mut channel = start(session, command)?;
    // On an error the channel is dropped, which closes it: a listing past a limit is not read
    // further.
    let (entries, unreadable) = read_listing(&mut channel, &context, dir, flavor, limits, now)?;
    let status = finish(channel, &context)?;
    if status != 0 && entries.is_empty() {
        return Err(command_error(&context, status, unreadable.as_deref().unwrap_or("")));
    }
    wire::note(&crate::model::count_of(entries.len(), "entry", "entries"));
    Ok(entries)
}

/// Reads listing lines from `channel` to its end; returns the entries and the first line that
/// named none (an `ls:` complaint, most likely).
fn read_listing(
    channel: &mut Channel,
    context: &str,
    dir: &str,
    flavor: LsFlavor,
    limits: &Limits,
    now: DateTime<Utc>,
) -> Result<(Vec<Entry>, Option<String>)> {
    let mut reader = BufReader::new(channel);
    let mut parser = ListingParser::new(Some(ListFormat::Unix), now);
    let mut entries = Vec::new();
    let mut first_unreadable = None;
    let mut total: u64 = 0;
    let mut line = Vec::new();
    // The line itself, its line end, and one byte more to tell a line that is too long.
    let room = limits.listing_line as u64 + 3;
    loop {
        line.clear();
        let read = (&mut reader).take(room).read_until(b'\n', &mut line).map_err(|e| remote_io_error(&e, context))?;
        if read == 0 {
            break;
        }
        total += read as u64;
        if total > limits.listing_bytes {
            return Err(limits.too_many_listing_bytes(dir));
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        if text.len() > limits.listing_line {
            return Err(limits.listing_line_too_long(dir));
        }
        let text = String::from_utf8_lossy(text);
        let parsed = parser.push(&text);
        if parsed.is_empty() && first_unreadable.is_none() && !text.starts_with("total ") {
            first_unreadable = Some(text.into_owned());
        }
        for entry in parsed.into_iter().filter_map(|entry| decoded(entry, flavor)) {
            if entries.len() >= limits.listing_entries {
                return Err(limits.too_many_entries(dir));
            }
            entries.push(entry);
        }
    }
    Ok((entries, first_unreadable))
}

/// An entry as Ferry keeps it: its name and link target decoded from `ls -b`, and a folder
/// without a size (as SFTP gives none).
pub(super) fn tidied(mut entry: Entry, flavor: LsFlavor) -> Entry {
    if flavor == LsFlavor::Gnu {
        entry.name = unescape_ls_name(&entry.name);
        entry.link_target = entry.link_target.as_deref().map(unescape_ls_name);
    }
    if entry.kind == EntryKind::Dir {
        entry.size = None;
    }
    entry
}

/// A listed entry [`tidied`], or `None` for `.`, `..` and names no file can have.
fn decoded(entry: Entry, flavor: LsFlavor) -> Option<Entry> {
    let entry = tidied(entry, flavor);
    let impossible = entry.name.is_empty() || entry.name.contains(['/', '\0']);
    if impossible {
        tracing::warn!(target: "ferry::ssh", "a listing line named {:?}, which no file can be called: left out", escape_control(&entry.name));
    }
    (!impossible && entry.name != "." && entry.name != "..").then_some(entry)
}
