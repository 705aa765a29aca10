//! Reads an FTP listing from its data connection line by line, parsing as it goes, within the
//! connection's limits: a listing that never ends stops at the first limit it crosses, with an
//! error naming it, instead of growing Ferry until the system kills it.

use chrono::{DateTime, Utc};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt};

use super::ftp_listing::{ListFormat, ListingParser, parse_mlsd_line};
use crate::error::{FerryError, Result};
use crate::model::{Entry, escape_control};
use crate::name_charset::NameCharset;
use crate::transfer::limits::Limits;

/// What is being listed, and how: the folder `dir`, whether the reply is `MLSD` (else `LIST`),
/// the site's name charset and the connection's limits.
pub struct ListingContext<'a> {
    pub dir: &'a str,
    pub mlsd: bool,
    pub charset: NameCharset,
    pub limits: &'a Limits,
}

/// Reads a `LIST` (`mlsd == false`) or `MLSD` reply for `dir` to its end and parses it, without
/// `.` and `..`. `format` is the `LIST` format known for this server, updated with the one found.
/// Lines that could not be read are logged once each, at the end. Fails with a `TooLarge` error as soon as the listing has more entries, more
/// bytes, or a longer line than `limits` allow; the caller then closes the data connection.
pub async fn read_listing<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    listing: ListingContext<'_>,
    format: &mut Option<ListFormat>,
    now: DateTime<Utc>,
) -> Result<Vec<Entry>> {
    let ListingContext { dir, mlsd, charset, limits } = listing;
    let mut entries = Vec::new();
    let mut parser = ListingParser::new(*format, now);
    let mut total: u64 = 0;
    let mut line = Vec::new();
    // The line itself, its CR LF, and one byte more to tell a line that is too long.
    let room = limits.listing_line as u64 + 3;
    loop {
        line.clear();
        let read = (&mut *reader)
            .take(room)
            .read_until(b'\n', &mut line)
            .await
            .map_err(|e| FerryError::from_io(&e, format!("listing {dir}")))?;
        if read == 0 {
            break;
        }
        total += read as u64;
        if total > limits.listing_bytes {
            return Err(limits.too_many_listing_bytes(dir));
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.len() > limits.listing_line {
            return Err(limits.listing_line_too_long(dir));
        }
        if text.is_empty() {
            continue;
        }
        let text = charset.decode(text);
        let parsed = if mlsd { parse_mlsd_line(&text).into_iter().collect() } else { parser.push(&text) };
        keep(&mut entries, parsed, dir, limits)?;
    }
    keep(&mut entries, parser.finish(), dir, limits)?;
    *format = parser.format();
    log_unreadable(&parser, dir);
    Ok(entries)
}

/// Adds `parsed` to `entries`, without `.` and `..`, within the entry limit.
fn keep(entries: &mut Vec<Entry>, parsed: impl IntoIterator<Item = Entry>, dir: &str, limits: &Limits) -> Result<()> {
    for entry in parsed.into_iter().filter(|e| e.name != "." && e.name != "..") {
        if entries.len() >= limits.listing_entries {
            return Err(limits.too_many_entries(dir));
        }
        entries.push(entry);
    }
    Ok(())
}

/// Logs each line of the listing of `dir` that named no entry in any format Ferry reads, once.
fn log_unreadable(parser: &ListingParser, dir: &str) {
    let (lines, count) = parser.unreadable();
    for line in lines {
        tracing::warn!(target: "ferry::ftp", "listing {}: a line was not understood and is not shown: {}", escape_control(dir), escape_control(line));
    }
    if count > lines.len() {
        tracing::warn!(target: "ferry::ftp", "listing {}: {} more lines were not understood", escape_control(dir), count - lines.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    fn lines(count: usize) -> Vec<u8> {
        (0..count)
            .flat_map(|i| format!("-rw-r--r--    1 ftp      ftp             7 Jan 02  2024 f{i}\r\n").into_bytes())
            .collect()
    }

    async fn read(bytes: &[u8], limits: Limits) -> Result<Vec<Entry>> {
        let mut reader = bytes;
        let context = ListingContext { dir: "/x", mlsd: false, charset: NameCharset::Auto, limits: &limits };
        read_listing(&mut reader, context, &mut None, Utc::now()).await
    }

    #[tokio::test]
    async fn a_listing_within_the_limits_is_read_whole() {
        let limits = Limits { listing_entries: 5, ..Limits::default() };
        let entries = read(&lines(5), limits).await.unwrap();
        assert_eq!(entries.len(), 5);
        assert_eq!(entries[4].name, "f4");
    }

    #[tokio::test]
    async fn each_limit_stops_the_listing_with_an_error_naming_it() {
        let error = read(&lines(6), Limits { listing_entries: 5, ..Limits::default() }).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::TooLarge);
        assert!(error.context.contains("more than 5 entries"), "{error}");

        let error = read(&lines(100), Limits { listing_bytes: 1000, ..Limits::default() }).await.unwrap_err();
        assert!(error.context.contains("longer than 1000 bytes"), "{error}");

        let long = format!("-rw-r--r-- 1 ftp ftp 7 Jan 02  2024 {}\r\n", "n".repeat(500));
        let error = read(long.as_bytes(), Limits { listing_line: 100, ..Limits::default() }).await.unwrap_err();
        assert!(error.context.contains("a line of the listing of /x is longer than 100 bytes"), "{error}");
    }
}
