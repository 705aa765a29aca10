//! Parses FTP directory listings (`LIST` replies in Unix `ls -l` or DOS/IIS style, and
//! `MLSD`/`MLST` fact lines from RFC 3659) into [`Entry`] values.
//!
//! The text comes from the server and is untrusted, so nothing here may panic: strings are cut
//! only where whitespace or an ASCII character was found (or through `get`), numbers go through
//! checked parsing, and impossible dates become `None` instead of errors. Names are returned
//! exactly as sent; refusing `.`, `..`, `/` or control characters is the caller's job.

mod dates;
mod dos;
mod mlsd;
mod tokens;
mod unix;

use chrono::{DateTime, Utc};

use crate::model::Entry;

pub use mlsd::parse_mlsd_line;
use tokens::strip_line_end;

/// Parses every line of a `LIST` reply (`mlsd == false`) or `MLSD` reply (`mlsd == true`),
/// skipping lines that describe no entry: "total" lines, blank lines, `cdir`/`pdir` facts and
/// anything unrecognised. `now` is used to infer missing years, see [`parse_list_line`].
pub fn parse_listing(lines: &[String], mlsd: bool, now: DateTime<Utc>) -> Vec<Entry> {
    lines.iter().filter_map(|line| if mlsd { parse_mlsd_line(line) } else { parse_list_line(line, now) }).collect()
}

/// Parses one line of a `LIST` reply, in Unix `ls -l` style or DOS/IIS style.
///
/// Returns `None` for "total 123" lines, blank lines and anything unparseable. Dates without a
/// year ("Nov  5 13:46") get the year that puts them at most one day after `now`; dates without
/// a zone are taken as UTC.
pub fn parse_list_line(line: &str, now: DateTime<Utc>) -> Option<Entry> {
    let line = strip_line_end(line);
    unix::parse_unix_line(line, now).or_else(|| dos::parse_dos_line(line))
}

#[cfg(test)]
mod tests;
