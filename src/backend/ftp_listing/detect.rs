//! Which `LIST` format a server speaks: guessed from its `SYST` reply and the first lines it
//! lists, then kept for the session, so one odd line does not flip the guess; and the lines that
//! could not be read, kept to be logged once.

use chrono::{DateTime, Utc};

use super::tokens::strip_line_end;
use super::{as400, dos, eplf, mvs, netware, os2, unix, vms};
use crate::model::Entry;

/// The `LIST` formats Ferry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// `ls -l` and its many variants.
    Unix,
    /// DOS, IIS and Windows `dir`.
    Dos,
    /// The Easily Parsed LIST Format.
    Eplf,
    /// OpenVMS.
    Vms,
    /// IBM z/OS datasets and members.
    Mvs,
    /// IBM i (AS/400).
    As400,
    /// IBM OS/2.
    Os2,
    /// Novell NetWare.
    Netware,
}

impl ListFormat {
    /// The order tried when nothing is known yet: the common formats first, then the others
    /// from the most distinctive line shape to the loosest.
    pub const ALL: [ListFormat; 8] = [
        ListFormat::Unix,
        ListFormat::Dos,
        ListFormat::Eplf,
        ListFormat::Netware,
        ListFormat::As400,
        ListFormat::Os2,
        ListFormat::Mvs,
        ListFormat::Vms,
    ];

    /// The format a `SYST` reply announces (`215 UNIX Type: L8`, `215 VMS`, `215 MVS is the
    /// operating system of this server`, `215 OS/400 is the remote operating system`, ...).
    /// Windows servers are not trusted with a guess: IIS lists in Unix style when asked to.
    pub fn from_syst(reply: &str) -> Option<ListFormat> {
        let reply = reply.to_ascii_uppercase();
        let format = if reply.contains("OS/400") {
            ListFormat::As400
        } else if reply.contains("MVS") || reply.contains("Z/OS") {
            ListFormat::Mvs
        } else if reply.contains("VMS") {
            ListFormat::Vms
        } else if reply.contains("OS/2") {
            ListFormat::Os2
        } else if reply.contains("NETWARE") {
            ListFormat::Netware
        } else if reply.contains("UNIX") {
            ListFormat::Unix
        } else {
            return None;
        };
        Some(format)
    }

    /// Reads one line in this format, without any memory of the lines before.
    pub fn parse(self, line: &str, now: DateTime<Utc>) -> Option<Entry> {
        match self {
            ListFormat::Unix => unix::parse_unix_line(line, now),
            ListFormat::Dos => dos::parse_dos_line(line),
            ListFormat::Eplf => eplf::parse_eplf_line(line),
            ListFormat::Vms => vms::parse_vms_line(line),
            ListFormat::Mvs => mvs::parse_mvs_dataset_line(line).or_else(|| mvs::parse_mvs_member_line(line)),
            ListFormat::As400 => as400::parse_as400_line(line),
            ListFormat::Os2 => os2::parse_os2_line(line),
            ListFormat::Netware => netware::parse_netware_line(line, now),
        }
    }
}

/// How many unreadable lines of one listing are kept for the log; a hostile server could send
/// millions.
const KEPT_UNREADABLE: usize = 10;

/// Reads the lines of one `LIST` reply in order, remembering the format found.
#[derive(Debug)]
pub struct ListingParser {
    format: Option<ListFormat>,
    now: DateTime<Utc>,
    /// The first half of a VMS record whose name filled the line.
    pending_name: Option<String>,
    unreadable: Vec<String>,
    unreadable_count: usize,
}

impl ListingParser {
    /// A parser for a server known (from `SYST` or an earlier listing) to speak `format`.
    pub fn new(format: Option<ListFormat>, now: DateTime<Utc>) -> ListingParser {
        ListingParser { format, now, pending_name: None, unreadable: Vec::new(), unreadable_count: 0 }
    }

    /// The format found so far, to keep for the session.
    pub fn format(&self) -> Option<ListFormat> {
        self.format
    }

    /// The lines that gave no entry although they were no known heading or total (at most
    /// ten), and how many there were in all.
    pub fn unreadable(&self) -> (&[String], usize) {
        (&self.unreadable, self.unreadable_count)
    }

    /// Reads the next line; returns the entries it completes (none, one, or two when a VMS
    /// name line is followed by a line that is not its second half).
    pub fn push(&mut self, line: &str) -> Vec<Entry> {
        let line = strip_line_end(line);
        let mut entries = Vec::new();
        if let Some(name) = self.pending_name.take() {
            let second_half = !vms::starts_with_vms_name(line);
            if let Some(entry) =
                second_half.then(|| vms::parse_vms_line(&format!("{name} {}", line.trim_start()))).flatten()
            {
                self.format.get_or_insert(ListFormat::Vms);
                entries.push(entry);
                return entries;
            }
            entries.extend(vms::name_only_entry(&name));
        }
        if vms::is_lone_vms_name(line) {
            self.pending_name = Some(line.trim().to_string());
            return entries;
        }
        match self.parse(line) {
            Some(entry) => entries.push(entry),
            None => self.note_unreadable(line),
        }
        entries
    }

    /// Ends the listing: a VMS name still waiting for its second half is a file of unknown
    /// details.
    pub fn finish(&mut self) -> Option<Entry> {
        vms::name_only_entry(&self.pending_name.take()?)
    }

    /// One line in the remembered format if it reads so, else in the first format that reads
    /// it; the first format found is remembered, and later lines never change it.
    fn parse(&mut self, line: &str) -> Option<Entry> {
        let known = self.format.and_then(|format| format.parse(line, self.now));
        if known.is_some() {
            return known;
        }
        if self.format == Some(ListFormat::Mvs)
            && let Some(entry) = mvs::parse_mvs_bare_member(line)
        {
            return Some(entry);
        }
        let (format, entry) =
            ListFormat::ALL.iter().find_map(|format| Some((*format, format.parse(line, self.now)?)))?;
        self.format.get_or_insert(format);
        Some(entry)
    }

    fn note_unreadable(&mut self, line: &str) {
        if is_known_non_entry(line) {
            return;
        }
        self.unreadable_count += 1;
        // Enough of the line to recognise it in the log, however long it is.
        let shown: String = line.chars().take(200).collect();
        if self.unreadable.len() < KEPT_UNREADABLE && !self.unreadable.contains(&shown) {
            self.unreadable.push(shown);
        }
    }
}

/// Lines that describe no entry in any format: blanks, totals and the headings servers print.
fn is_known_non_entry(line: &str) -> bool {
    let trimmed = line.trim();
    // The headings are told by their first words; a hostile line may be megabytes long.
    let lower: String = trimmed.chars().take(40).collect::<String>().to_lowercase();
    trimmed.is_empty()
        || ["total ", "insgesamt ", "directory ", "volume ", "name ", "total of "]
            .iter()
            .any(|start| lower.starts_with(start))
        || lower.contains(" file(s) ")
        || lower.contains(" dir(s) ")
}
