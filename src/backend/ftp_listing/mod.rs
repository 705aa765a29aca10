//! Parses FTP directory listings (`LIST` replies in Unix, DOS/IIS, EPLF, VMS, z/OS, IBM i, OS/2
//! and NetWare style, and `MLSD`/`MLST` fact lines from RFC 3659) into [`Entry`] values.
//!
//! The text comes from the server and is untrusted, so nothing here may panic: strings are cut
//! only where whitespace or an ASCII character was found (or through `get`), numbers go through
//! checked parsing, and impossible dates become `None` instead of errors. Names are returned
//! exactly as sent; refusing `.`, `..`, `/` or control characters is the caller's job.

mod as400;
mod dates;
mod detect;
mod dos;
mod eplf;
mod mlsd;
mod mvs;
mod netware;
mod os2;
mod tokens;
mod unix;
mod vms;

use chrono::{DateTime, Utc};

use crate::model::Entry;

pub use detect::{ListFormat, ListingParser};
pub use mlsd::parse_mlsd_line;
use tokens::strip_line_end;

/// Parses every line of a `LIST` reply (`mlsd == false`) or `MLSD` reply (`mlsd == true`),
/// skipping lines that describe no entry: "total" lines, blank lines, `cdir`/`pdir` facts and
/// anything unrecognised. `now` is used to infer missing years, see [`parse_list_line`].
pub fn parse_listing(lines: &[String], mlsd: bool, now: DateTime<Utc>) -> Vec<Entry> {
    if mlsd {
        return lines.iter().filter_map(|line| parse_mlsd_line(line)).collect();
    }
    let mut parser = ListingParser::new(None, now);
    let mut entries: Vec<Entry> = lines.iter().flat_map(|line| parser.push(line)).collect();
    entries.extend(parser.finish());
    entries
}

/// Parses one line of a `LIST` reply in any format Ferry reads ([`ListFormat`]), trying them in
/// turn. A listing read whole goes through [`ListingParser`], which also joins VMS records split
/// over two lines and keeps the format the server speaks.
///
/// Returns `None` for "total 123" lines, blank lines and anything unparseable. Dates without a
/// year ("Nov  5 13:46") get the year that puts them at most one day after `now`; dates without
/// a zone are taken as UTC.
pub fn parse_list_line(line: &str, now: DateTime<Utc>) -> Option<Entry> {
    let line = strip_line_end(line);
    ListFormat::ALL.iter().find_map(|format| format.parse(line, now))
}

#[cfg(test)]
mod tests;
