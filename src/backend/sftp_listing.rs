//! Reading an SFTP folder: each entry's attributes, and the owner and group names from its `ls -l`
//! line (SFTP v3's "longname"), which is the only place the protocol carries names. The line is
//! read as the server wrote it, so it is parsed as hostile: a name is taken only when it is plain
//! and short; otherwise the uid or gid number stays.

use std::path::Path;

use chrono::Utc;
use ssh2::{ErrorCode, Session, Sftp};

use super::ftp_listing::parse_list_line;
use super::sftp::{entry_from_stat, kind_of_stat};
use super::sftp_error::ssh_error;
use super::sftp_raw::SecondChannel;
use crate::error::Result;
use crate::model::{Entry, EntryKind, join_remote};
use crate::transfer::limits::Limits;

/// The longest owner or group name taken from an `ls -l` line (Linux allows 32, other systems a
/// little more); a longer word is no name.
const MAX_OWNER_CHARS: usize = 64;

/// The longest `ls -l` line read for names (libssh2 is given a buffer of about this size too).
const MAX_LINE_BYTES: usize = 16 * 1024;

/// The connection's parts a listing uses.
pub(super) struct Lister<'a> {
    pub(super) session: &'a Session,
    pub(super) sftp: &'a Sftp,
    pub(super) second: &'a mut SecondChannel,
    pub(super) limits: Limits,
}

/// What reading with `ls -l` lines came to.
enum WithNames {
    Listed(Vec<Entry>),
    /// The server or libssh2 would not give the lines (no second channel, a line too long to
    /// take): list again without them.
    Unavailable,
}

impl Lister<'_> {
    /// The entries of folder `dir` (absolute), with owner and group names where the server gives
    /// them, within the limits on a listing.
    pub(super) fn list(&mut self, dir: &str) -> Result<Vec<Entry>> {
        match self.list_with_names(dir)? {
            WithNames::Listed(entries) => Ok(entries),
            WithNames::Unavailable => self.list_plain(dir),
        }
    }

    fn list_with_names(&mut self, dir: &str) -> Result<WithNames> {
        let context = format!("listing {dir}");
        let limits = self.limits;
        let mut folder = match self.second.open_dir(self.session, dir) {
            Ok(Some(folder)) => folder,
            Ok(None) => return Ok(WithNames::Unavailable),
            // Not worth waiting on a second time.
            Err(error) if is_connection_error(&error) => return Err(ssh_error(&error, &context)),
            // The plain listing says why in its own words (a missing folder, no permission).
            Err(_) => return Ok(WithNames::Unavailable),
        };
        let mut counter = ListingCounter::new(dir, limits);
        let mut entries = Vec::new();
        loop {
            let raw = match folder.next_entry() {
                Ok(Some(raw)) => raw,
                Ok(None) => break,
                // A broken connection is not worth a second try; anything else (a line too long
                // for the buffer, a server that sends junk) is, without the lines.
                Err(error) if is_connection_error(&error) => return Err(ssh_error(&error, &context)),
                Err(_) => return Ok(WithNames::Unavailable),
            };
            // The raw name as the server sent it: filtering hostile names is the caller's job.
            let name = String::from_utf8_lossy(&raw.name).into_owned();
            if !counter.admit(&name)? {
                continue;
            }
            let mut entry = entry_from_stat(name, &raw.stat);
            if let Some((owner, group)) = owner_and_group(&String::from_utf8_lossy(&raw.longname)) {
                entry.owner = Some(owner);
                entry.group = Some(group);
            }
            entries.push(entry);
        }
        drop(folder);
        self.read_links(dir, &mut entries);
        Ok(WithNames::Listed(entries))
    }

    /// The listing as ssh2 reads it: attributes only, uid and gid as numbers.
    fn list_plain(&mut self, dir: &str) -> Result<Vec<Entry>> {
        let context = format!("listing {dir}");
        let mut handle = self.sftp.opendir(Path::new(dir)).map_err(|e| ssh_error(&e, &context))?;
        let mut counter = ListingCounter::new(dir, self.limits);
        let mut entries = Vec::new();
        loop {
            match handle.readdir() {
                Ok((name, stat)) => {
                    // The raw name as the server sent it: filtering hostile names is the caller's job.
                    let name = name.to_string_lossy().into_owned();
                    if counter.admit(&name)? {
                        entries.push(entry_from_stat(name, &stat));
                    }
                }
                // SSH_FX_EOF ends the listing.
                Err(e) if matches!(e.code(), ErrorCode::Session(-16)) || matches!(e.code(), ErrorCode::SFTP(1)) => {
                    break;
                }
                Err(e) => return Err(ssh_error(&e, &context)),
            }
        }
        drop(handle);
        self.read_links(dir, &mut entries);
        Ok(entries)
    }

    /// Where each symlink points and what it leads to, where the server says: a link to a file
    /// then opens as that file. A link that leads nowhere (or round in a loop) keeps no end.
    fn read_links(&self, dir: &str, entries: &mut [Entry]) {
        for entry in entries.iter_mut().filter(|entry| entry.kind == EntryKind::Symlink) {
            let link = join_remote(dir, &entry.name);
            entry.link_target = self.sftp.readlink(Path::new(&link)).ok().map(|t| t.to_string_lossy().into_owned());
            entry.link_kind = self.sftp.stat(Path::new(&link)).ok().map(|stat| kind_of_stat(&stat));
        }
    }
}

/// Keeps a listing within the limits: how many entries, and how many bytes of names (a server
/// could send few entries with huge names).
struct ListingCounter<'a> {
    dir: &'a str,
    limits: Limits,
    entries: usize,
    name_bytes: u64,
}

impl<'a> ListingCounter<'a> {
    fn new(dir: &'a str, limits: Limits) -> Self {
        ListingCounter { dir, limits, entries: 0, name_bytes: 0 }
    }

    /// Whether `name` is an entry to keep (not `.` or `..`); an error once the listing is too big.
    fn admit(&mut self, name: &str) -> Result<bool> {
        if name == "." || name == ".." {
            return Ok(false);
        }
        if self.entries >= self.limits.listing_entries {
            return Err(self.limits.too_many_entries(self.dir));
        }
        self.name_bytes += name.len() as u64;
        if self.name_bytes > self.limits.listing_bytes {
            return Err(self.limits.too_many_listing_bytes(self.dir));
        }
        self.entries += 1;
        Ok(true)
    }
}

/// Whether an error means the connection itself failed (a timeout, the socket), not one request.
fn is_connection_error(error: &ssh2::Error) -> bool {
    // libssh2's codes: socket send -7, timeout -9, socket disconnect -13, socket receive -43.
    matches!(error.code(), ErrorCode::Session(-7 | -9 | -13 | -43))
}

/// The owner and group names of an `ls -l` line, when it has both and they are plain: no control
/// characters, no more than `MAX_OWNER_CHARS` each. `None` for anything else (a missing field, an
/// empty or junk line), and the caller keeps the numbers.
pub(super) fn owner_and_group(longname: &str) -> Option<(String, String)> {
    if longname.len() > MAX_LINE_BYTES {
        return None;
    }
    let entry = parse_list_line(longname, Utc::now())?;
    let plain = |word: &str| {
        !word.is_empty()
            && word.chars().count() <= MAX_OWNER_CHARS
            && !word.chars().any(|c| c.is_control() || c.is_whitespace())
    };
    match (entry.owner, entry.group) {
        (Some(owner), Some(group)) if plain(&owner) && plain(&group) => Some((owner, group)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_an_openssh_line() {
        let line = "-rw-r--r--    1 alice    staff        1234 Dec  7 19:00 notes.txt";
        assert_eq!(owner_and_group(line), Some(("alice".to_string(), "staff".to_string())));
        let folder = "drwxr-x---    2 www-data www-data     4096 Jan  1  2024 site";
        assert_eq!(owner_and_group(folder), Some(("www-data".to_string(), "www-data".to_string())));
    }

    #[test]
    fn hostile_or_broken_lines_give_no_names() {
        let long = "x".repeat(MAX_OWNER_CHARS + 1);
        for line in [
            String::new(),
            "notes.txt".to_string(),
            // No owner or group words at all.
            "-rw-r--r-- 1234 Dec  7 19:00 notes.txt".to_string(),
            // Only an owner.
            "-rw-r--r-- 1 alice 1234 Dec  7 19:00 notes.txt".to_string(),
            format!("-rw-r--r-- 1 {long} staff 1234 Dec  7 19:00 notes.txt"),
            format!("-rw-r--r-- 1 alice {long} 1234 Dec  7 19:00 notes.txt"),
            "-rw-r--r-- 1 al\u{1b}[31mice staff 1234 Dec  7 19:00 notes.txt".to_string(),
            "-rw-r--r-- 1 alice st\u{7f}aff 1234 Dec  7 19:00 notes.txt".to_string(),
            format!("-rw-r--r-- 1 alice staff 1234 Dec  7 19:00 {}", "n".repeat(1 << 20)),
        ] {
            assert_eq!(owner_and_group(&line), None, "{:?}", line.chars().take(80).collect::<String>());
        }
    }

    #[test]
    fn no_line_makes_the_parser_panic() {
        let base = "-rw-r--r--    1 alice    staff        1234 Dec  7 19:00 notes.txt";
        for at in 0..=base.len() {
            for inserted in ['\0', '\r', '\n', '\t', ' ', '\u{1b}', 'é'] {
                let mut line = base.to_string();
                line.insert(at, inserted);
                let _ = owner_and_group(&line);
                let _ = owner_and_group(&line[..at]);
            }
        }
    }
}
