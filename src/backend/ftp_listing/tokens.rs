//! The small readers every listing format shares: words with their byte spans, digits, fractions.

use std::ops::RangeInclusive;

/// Removes the line terminator the control connection may have left (`\r\n` or `\n`).
pub(super) fn strip_line_end(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    line.strip_suffix('\r').unwrap_or(line)
}

/// One whitespace-separated word of a line, with its byte span so that the name can later be
/// cut from the original text with its spacing intact.
#[derive(Debug, Clone, Copy)]
pub(super) struct Token<'a> {
    pub(super) text: &'a str,
    /// Byte offset of the first character (always a char boundary).
    pub(super) start: usize,
    /// Byte offset just past the last character (always a char boundary).
    pub(super) end: usize,
}

/// The words of `line`, lazily, so a hostile 10 MB line costs only the words actually looked at.
pub(super) fn tokens(line: &str) -> impl Iterator<Item = Token<'_>> {
    let mut rest = line;
    std::iter::from_fn(move || {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            return None;
        }
        let start = line.len() - trimmed.len();
        // `find` returns a char boundary, so the split cannot fail; `?` keeps it panic-free anyway.
        let len = trimmed.find(char::is_whitespace).unwrap_or(trimmed.len());
        let (text, after) = trimmed.split_at_checked(len)?;
        rest = after;
        Some(Token { text, start, end: start + len })
    })
}

/// Whether `text` is a non-empty run of ASCII digits (`str::parse` alone would accept a `+`).
pub(super) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Parses a number written with a digit count in `len`, e.g. `01` or `1` for a day.
pub(super) fn parse_number(text: &str, len: RangeInclusive<usize>) -> Option<u32> {
    if !len.contains(&text.len()) || !is_digits(text) {
        return None;
    }
    text.parse().ok()
}

/// Turns the digits after a decimal point into nanoseconds; digits past the ninth are dropped.
pub(super) fn parse_fraction(digits: &str) -> Option<u32> {
    if !is_digits(digits) {
        return None;
    }
    let mut nanos = 0;
    let mut scale = 100_000_000;
    for digit in digits.bytes().take(9) {
        nanos += u32::from(digit - b'0') * scale;
        scale /= 10;
    }
    Some(nanos)
}

/// The text of word `index`, if there is one.
pub(super) fn word<'a>(words: &[Token<'a>], index: usize) -> Option<&'a str> {
    words.get(index).map(|token| token.text)
}
