//! The character set of an FTP server's file names, chosen per site: names are decoded for
//! display and encoded back to the very bytes the server sent, so a file with a Shift_JIS or
//! Latin-1 name can be downloaded, renamed and deleted like any other.
//!
//! FTP sends names as bytes with no charset of their own (RFC 2640 only recommends UTF-8). With
//! "auto", a name that is valid UTF-8 is read as UTF-8, and each byte that is not is kept as one
//! private-use character (U+10FF80 to U+10FFFF) that turns back into that byte on the way out
//! and is shown as `\xNN`. With a chosen charset the name is read in it; a byte sequence the
//! charset cannot read falls back to the same byte escapes, so no name is ever lost.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The first of the characters that stand for a byte that could not be decoded (0x80 + this).
const BYTE_ESCAPES: u32 = 0x10_FF00;

/// How a site's file names are read and written.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub enum NameCharset {
    /// UTF-8 where the bytes are UTF-8; other bytes kept as escapes.
    #[default]
    Auto,
    /// A charset the user chose for the site.
    Chosen(&'static encoding_rs::Encoding),
}

/// The charsets offered in the site manager, by their WHATWG names, after "auto".
pub const OFFERED: &[&str] = &[
    "UTF-8",
    "Shift_JIS",
    "EUC-JP",
    "EUC-KR",
    "GBK",
    "gb18030",
    "Big5",
    "windows-1250",
    "windows-1251",
    "windows-1252",
    "ISO-8859-2",
    "ISO-8859-15",
    "KOI8-R",
];

impl NameCharset {
    /// The charset named `label` ("auto", or a name such as "shift_jis", "latin1", "cp1251"),
    /// or `None` when no charset has that name.
    pub fn from_label(label: &str) -> Option<NameCharset> {
        let label = label.trim();
        if label.eq_ignore_ascii_case("auto") || label.is_empty() {
            return Some(NameCharset::Auto);
        }
        // FTP commands are ASCII: a charset that writes ASCII otherwise (UTF-16, ISO-2022-JP)
        // would garble every command.
        let encoding = encoding_rs::Encoding::for_label(label.as_bytes())?;
        encoding.is_ascii_compatible().then_some(NameCharset::Chosen(encoding))
    }

    /// The name this charset is saved and shown under ("auto", "Shift_JIS").
    pub fn label(&self) -> &'static str {
        match self {
            NameCharset::Auto => "auto",
            NameCharset::Chosen(encoding) => encoding.name(),
        }
    }

    /// The name in `bytes`, as text. Never fails: what cannot be read is kept as byte escapes.
    pub fn decode(&self, bytes: &[u8]) -> String {
        let encoding = match self {
            NameCharset::Auto => encoding_rs::UTF_8,
            NameCharset::Chosen(encoding) => encoding,
        };
        // Some charsets write one character two ways (Shift_JIS's NEC and IBM rows): a name is
        // read in the charset only where writing it again gives the very same bytes.
        if let Some(text) = encoding.decode_without_bom_handling_and_without_replacement(bytes)
            && self.encode(&text).is_ok_and(|again| again == bytes)
        {
            return text.into_owned();
        }
        decode_utf8_with_escapes(bytes)
    }

    /// The bytes to send for `text`: byte escapes become their bytes again, the rest is encoded
    /// in the charset. Fails, naming the character, where the charset has no way to write one.
    pub fn encode(&self, text: &str) -> Result<Vec<u8>, char> {
        let mut bytes = Vec::with_capacity(text.len());
        let mut run = String::new();
        for c in text.chars() {
            match escaped_byte(c) {
                Some(byte) => {
                    self.encode_run(&run, &mut bytes)?;
                    run.clear();
                    bytes.push(byte);
                }
                None => run.push(c),
            }
        }
        self.encode_run(&run, &mut bytes)?;
        Ok(bytes)
    }

    fn encode_run(&self, run: &str, bytes: &mut Vec<u8>) -> Result<(), char> {
        let NameCharset::Chosen(encoding) = self else {
            bytes.extend_from_slice(run.as_bytes());
            return Ok(());
        };
        let (encoded, _, unmappable) = encoding.encode(run);
        if unmappable {
            let missing = run.chars().find(|c| encoding.encode(c.encode_utf8(&mut [0; 4])).2).unwrap_or('?');
            return Err(missing);
        }
        bytes.extend_from_slice(&encoded);
        Ok(())
    }
}

impl fmt::Debug for NameCharset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Serialize for NameCharset {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

impl<'de> Deserialize<'de> for NameCharset {
    /// An unknown name (written by a later version, or by hand) reads as "auto", not as an
    /// error that would lose the whole bookmarks file.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let label = String::deserialize(deserializer)?;
        Ok(NameCharset::from_label(&label).unwrap_or_default())
    }
}

/// `bytes` read as UTF-8, each byte of an invalid sequence kept as its escape character.
fn decode_utf8_with_escapes(mut bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len());
    while !bytes.is_empty() {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                text.push_str(valid);
                break;
            }
            Err(error) => {
                let (valid, rest) = bytes.split_at(error.valid_up_to());
                text.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = error.error_len().unwrap_or(rest.len()).max(1);
                text.extend(rest[..bad].iter().map(|&byte| escape_of(byte)));
                bytes = &rest[bad..];
            }
        }
    }
    text
}

/// The character that stands for `byte` (only bytes from 0x80 on are ever invalid UTF-8).
fn escape_of(byte: u8) -> char {
    char::from_u32(BYTE_ESCAPES + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The byte `c` stands for, if it is a byte escape.
pub fn escaped_byte(c: char) -> Option<u8> {
    let code = u32::from(c).checked_sub(BYTE_ESCAPES)?;
    u8::try_from(code).ok().filter(|byte| *byte >= 0x80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_reads_utf8_and_keeps_other_bytes_as_escapes_that_encode_back() {
        let auto = NameCharset::Auto;
        assert_eq!(auto.decode("日本.txt".as_bytes()), "日本.txt");
        let latin1 = b"caf\xe9.txt";
        let shown = auto.decode(latin1);
        assert_eq!(shown.chars().filter(|c| escaped_byte(*c) == Some(0xe9)).count(), 1);
        assert!(shown.starts_with("caf") && shown.ends_with(".txt"));
        assert_eq!(auto.encode(&shown).unwrap(), latin1);
    }

    #[test]
    fn a_chosen_charset_round_trips_its_names() {
        let sjis = NameCharset::from_label("shift_jis").unwrap();
        let bytes = b"\x93\xfa\x96\x7b\x8c\xea.txt"; // 日本語.txt in Shift_JIS
        assert_eq!(sjis.decode(bytes), "日本語.txt");
        assert_eq!(sjis.encode("日本語.txt").unwrap(), bytes);
        let cyrillic = NameCharset::from_label("cp1251").unwrap();
        assert_eq!(cyrillic.decode(b"\xcf\xf0\xe8\xe2\xe5\xf2"), "Привет");
        assert_eq!(cyrillic.label(), "windows-1251");
    }

    #[test]
    fn bytes_a_chosen_charset_cannot_read_are_kept_too() {
        let sjis = NameCharset::from_label("Shift_JIS").unwrap();
        let broken = b"a\x81\x20b"; // a lead byte with no valid trail
        let shown = sjis.decode(broken);
        assert_eq!(sjis.encode(&shown).unwrap(), broken);
    }

    #[test]
    fn a_name_written_two_ways_is_kept_as_its_bytes() {
        // U+2252 is both 0x81E0 and NEC's 0x8790; only the first is what writing it gives.
        let sjis = NameCharset::from_label("Shift_JIS").unwrap();
        for bytes in [&b"\x87\x90"[..], b"\x81\xe0"] {
            assert_eq!(sjis.encode(&sjis.decode(bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn a_character_the_charset_cannot_write_is_named() {
        let latin1 = NameCharset::from_label("latin1").unwrap();
        assert_eq!(latin1.encode("日.txt"), Err('日'));
        assert_eq!(latin1.encode("café").unwrap(), b"caf\xe9");
    }

    #[test]
    fn labels_are_saved_and_read_back_and_unknown_ones_read_as_auto() {
        assert_eq!(NameCharset::from_label("AUTO"), Some(NameCharset::Auto));
        assert_eq!(NameCharset::from_label("klingon"), None);
        assert_eq!(NameCharset::from_label("utf-16le"), None);
        assert_eq!(NameCharset::from_label("iso-2022-jp"), None);
        let saved = serde_json::to_string(&NameCharset::from_label("euc-kr").unwrap()).unwrap();
        assert_eq!(saved, "\"EUC-KR\"");
        let read: NameCharset = serde_json::from_str("\"no-such-charset\"").unwrap();
        assert_eq!(read, NameCharset::Auto);
        for label in OFFERED {
            assert!(NameCharset::from_label(label).is_some(), "{label}");
        }
    }

    #[test]
    fn hostile_bytes_never_panic_and_always_round_trip() {
        for charset in ["auto", "Shift_JIS", "EUC-JP", "GBK", "Big5", "windows-1251"] {
            let charset = NameCharset::from_label(charset).unwrap();
            for bytes in [&b"\xff\xfe\x80"[..], b"\x8e", b"\xe3\x81", b"a\xc3", b""] {
                let shown = charset.decode(bytes);
                assert_eq!(charset.encode(&shown).unwrap(), bytes, "{charset:?} {bytes:?}");
            }
        }
    }
}
