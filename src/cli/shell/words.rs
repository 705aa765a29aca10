//! Splits a shell line into words as `sh` and `sftp` do for plain words: whitespace separates,
//! `'…'` and `"…"` quote (names with spaces), a backslash takes the next character as it is.
//! Each word also keeps a glob pattern in which quoted `*`, `?` and `[` match only themselves.

/// One word of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word with its quotes and backslashes taken out: the name meant.
    pub text: String,
    /// The word as a glob pattern: unquoted `*?[` are wildcards, quoted ones are escaped.
    pub pattern: String,
    /// Whether an unquoted wildcard appears, so that the word names several files.
    pub is_glob: bool,
    /// Where the word starts in the line (a byte offset), for completion.
    pub start: usize,
}

/// A line split into words, and the quote left open at its end, if any (a line being typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub words: Vec<Word>,
    pub open_quote: Option<char>,
    /// Whether the line ends in whitespace outside quotes: a new word begins at the end.
    pub ends_between_words: bool,
}

const GLOB_CHARACTERS: [char; 3] = ['*', '?', '['];

/// Splits `line`. A backslash at the very end stands for itself.
pub fn split(line: &str) -> Split {
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(word) = current.take() {
                words.push(word);
            }
            continue;
        }
        let word = current.get_or_insert_with(|| Word {
            text: String::new(),
            pattern: String::new(),
            is_glob: false,
            start: at,
        });
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            // Inside double quotes a backslash escapes only what sh lets it escape.
            (Some('"'), '\\') => match chars.peek() {
                Some(&(_, next @ ('"' | '\\' | '$' | '`'))) => {
                    chars.next();
                    push_literal(word, next);
                }
                _ => push_literal(word, '\\'),
            },
            (Some(_), _) => push_literal(word, c),
            (None, '\\') => match chars.next() {
                Some((_, next)) => push_literal(word, next),
                None => push_literal(word, '\\'),
            },
            (None, _) => {
                word.text.push(c);
                word.pattern.push(c);
                word.is_glob |= GLOB_CHARACTERS.contains(&c);
            }
        }
    }
    let ends_between_words = current.is_none() && quote.is_none() && !line.is_empty();
    words.extend(current);
    Split { words, open_quote: quote, ends_between_words }
}

/// Adds a quoted or escaped character: itself in the text, a literal in the pattern.
fn push_literal(word: &mut Word, c: char) {
    word.text.push(c);
    if GLOB_CHARACTERS.contains(&c) || c == ']' {
        word.pattern.push('[');
        word.pattern.push(c);
        word.pattern.push(']');
    } else {
        word.pattern.push(c);
    }
}

/// Writes `text` as one word that [`split`] reads back as `text`: spaces, quotes, backslashes
/// and wildcards get a backslash.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_whitespace() || matches!(c, '\\' | '\'' | '"' | '*' | '?' | '[' | ']' | '#' | '!') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split(line).words.into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn whitespace_separates_and_quotes_keep_spaces() {
        assert_eq!(texts("  get   a.txt  b "), ["get", "a.txt", "b"]);
        assert_eq!(texts("get 'my file.txt' \"other file\""), ["get", "my file.txt", "other file"]);
        assert_eq!(texts("get my\\ file.txt"), ["get", "my file.txt"]);
        assert_eq!(texts("get a'b c'd"), ["get", "ab cd"]);
        assert!(texts("   ").is_empty());
    }

    #[test]
    fn backslashes_escape_as_sh_does() {
        assert_eq!(texts(r#"put "say \"hi\"" 'it\s'"#), ["put", "say \"hi\"", "it\\s"]);
        assert_eq!(texts(r#"put "a\b""#), ["put", "a\\b"]);
        assert_eq!(texts("put a\\\\b"), ["put", "a\\b"]);
        assert_eq!(texts("put end\\"), ["put", "end\\"]);
    }

    #[test]
    fn only_unquoted_wildcards_glob() {
        let words = split("mget *.txt '*.log' a\\?b").words;
        assert!(words[1].is_glob);
        assert_eq!(words[1].pattern, "*.txt");
        assert!(!words[2].is_glob);
        assert_eq!(words[2].text, "*.log");
        assert_eq!(words[2].pattern, "[*].log");
        assert!(glob::Pattern::new(&words[2].pattern).unwrap().matches("*.log"));
        assert!(!glob::Pattern::new(&words[2].pattern).unwrap().matches("x.log"));
        assert!(!words[3].is_glob);
        assert_eq!(words[3].pattern, "a[?]b");
    }

    #[test]
    fn a_line_being_typed_tells_where_its_last_word_starts() {
        let split_line = split("get 'my fi");
        assert_eq!(split_line.open_quote, Some('\''));
        assert_eq!(split_line.words[1].start, 4);
        assert_eq!(split_line.words[1].text, "my fi");
        assert!(!split_line.ends_between_words);
        assert!(split("get ").ends_between_words);
        assert!(!split("get").ends_between_words);
    }

    #[test]
    fn escaped_words_read_back_as_themselves() {
        for name in ["plain", "with space", "it's", "say \"x\"", "back\\slash", "*star?", "[x]", "#hash"] {
            let line = format!("get {}", escape(name));
            assert_eq!(texts(&line), ["get", name], "{line}");
            assert!(!split(&line).words[1].is_glob);
        }
    }
}
