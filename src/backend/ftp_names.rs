//! A site's name charset ([`NameCharset`]) as suppaftp's [`Encoding`], so every command and the
//! replies suppaftp reads itself (`PWD`, `MLST`) carry names in the server's own bytes.

use std::fmt;
use std::io;

use suppaftp::Encoding;

use crate::name_charset::NameCharset;

/// The encoding handed to suppaftp for one connection.
#[derive(Debug)]
pub(super) struct FtpNames(pub(super) NameCharset);

impl Encoding for FtpNames {
    fn decode(&self, bytes: &[u8]) -> String {
        self.0.decode(bytes)
    }

    fn encode(&self, text: &str) -> io::Result<Vec<u8>> {
        self.0.encode(text).map_err(|missing| {
            io::Error::new(io::ErrorKind::InvalidInput, UnwritableName { missing, charset: self.0.label() })
        })
    }
}

/// A name with a character the site's charset has no bytes for: the command is not sent.
#[derive(Debug)]
pub(super) struct UnwritableName {
    missing: char,
    charset: &'static str,
}

impl fmt::Display for UnwritableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = crate::model::escape_control(&self.missing.to_string());
        write!(f, "the name has \"{shown}\", which the site's charset ({}) cannot write", self.charset)
    }
}

impl std::error::Error for UnwritableName {}
