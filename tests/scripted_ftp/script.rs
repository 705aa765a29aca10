//! [`Script`] and [`Reply`]: how a test tells the scripted server to behave.

use std::collections::BTreeMap;
use std::time::Duration;

use super::data::OPENING;
use super::resolve;

/// What the server sends in answer to one command (or as its greeting).
#[derive(Debug, Clone)]
pub enum Reply {
    /// These bytes, in one write.
    Bytes(Vec<u8>),
    /// These pieces, one write each, with `gap` between them.
    Split(Vec<Vec<u8>>, Duration),
    /// Nothing: close the control connection at once.
    HangUp,
    /// This reply, then close the control connection.
    ThenClose(Box<Reply>),
}

impl Reply {
    /// A reply from text; CRLF is added unless it already ends with a line feed. Multi-line
    /// replies are written out: `"230-Welcome\r\n230 ok"`.
    pub fn text(text: impl AsRef<str>) -> Reply {
        Reply::raw(text.as_ref().as_bytes())
    }

    /// A reply from bytes; CRLF is added unless it already ends with a line feed.
    pub fn raw(bytes: impl AsRef<[u8]>) -> Reply {
        let mut bytes = bytes.as_ref().to_vec();
        if !bytes.ends_with(b"\n") {
            bytes.extend_from_slice(b"\r\n");
        }
        Reply::Bytes(bytes)
    }

    /// Exactly these bytes, nothing added: a reply may lack its line end or hold several replies.
    pub fn exact(bytes: impl AsRef<[u8]>) -> Reply {
        Reply::Bytes(bytes.as_ref().to_vec())
    }

    /// `text` (CRLF added as for [`Reply::text`]) cut into pieces of `piece` bytes, written one by
    /// one with `gap` between them: a reply split at arbitrary places (inside the code, between CR
    /// and LF...).
    pub fn split(text: impl AsRef<[u8]>, piece: usize, gap: Duration) -> Reply {
        let Reply::Bytes(bytes) = Reply::raw(text) else { unreachable!() };
        Reply::Split(bytes.chunks(piece.max(1)).map(<[u8]>::to_vec).collect(), gap)
    }

    /// These pieces exactly, one write each, with `gap` between them.
    pub fn pieces(pieces: &[&str], gap: Duration) -> Reply {
        Reply::Split(pieces.iter().map(|p| p.as_bytes().to_vec()).collect(), gap)
    }

    /// Close the control connection without a word.
    pub fn hang_up() -> Reply {
        Reply::HangUp
    }

    /// This reply, then close the control connection.
    pub fn then_close(self) -> Reply {
        Reply::ThenClose(Box::new(self))
    }
}

impl From<&str> for Reply {
    fn from(text: &str) -> Self {
        Reply::text(text)
    }
}

impl From<String> for Reply {
    fn from(text: String) -> Self {
        Reply::text(text)
    }
}

/// When an override applies in the life of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// Instead of the command's whole handling (for data commands: no data connection is used).
    Command,
    /// For data commands: instead of the `226` that follows the data.
    AfterData,
}

#[derive(Debug, Clone)]
pub(super) struct Override {
    pub(super) verb: String,
    /// Only the Nth occurrence of the verb (1-based, counted over all connections), or every one.
    pub(super) nth: Option<usize>,
    pub(super) stage: Stage,
    pub(super) reply: Reply,
}

/// How a test wants the server to behave. Build with `Script::new()` and the methods below.
///
/// Commands are named by their verb, case-insensitively ("RETR"). Counts for `*_n` methods are
/// per server, over all its control connections (the worker opens several), starting at 1.
#[derive(Debug, Clone)]
pub struct Script {
    pub(super) greeting: Reply,
    pub(super) features: Vec<String>,
    pub(super) overrides: Vec<Override>,
    pub(super) delays: Vec<(String, Option<usize>, Duration)>,
    pub(super) refuse_epsv: bool,
    pub(super) pasv_address: [u8; 4],
    pub(super) files: BTreeMap<String, Vec<u8>>,
    pub(super) dirs: BTreeMap<String, Option<Vec<String>>>,
    pub(super) short: BTreeMap<String, usize>,
    pub(super) data_never_opens: bool,
    pub(super) trickle: Option<u32>,
    pub(super) eager_transfer_replies: bool,
    pub(super) opening: Reply,
    pub(super) endless_listings: bool,
    pub(super) streams_past: BTreeMap<String, u64>,
    pub(super) nests_forever: Option<String>,
    /// Folders whose MKD is refused with "550 ...: Permission denied".
    pub(super) refused_dirs: Vec<String>,
}

impl Default for Script {
    fn default() -> Self {
        Script::new()
    }
}

impl Script {
    /// A well-behaved server: any user and password log in, home is `/`, FEAT offers EPSV, PASV,
    /// SIZE, MDTM, REST STREAM and UTF8, and the file system is empty.
    pub fn new() -> Script {
        let mut dirs = BTreeMap::new();
        dirs.insert("/".to_string(), None);
        Script {
            greeting: Reply::text("220 Scripted FTP server ready."),
            features: ["EPSV", "PASV", "SIZE", "MDTM", "REST STREAM", "UTF8"].map(String::from).to_vec(),
            overrides: Vec::new(),
            delays: Vec::new(),
            refuse_epsv: false,
            pasv_address: [127, 0, 0, 1],
            files: BTreeMap::new(),
            dirs,
            refused_dirs: Vec::new(),
            short: BTreeMap::new(),
            data_never_opens: false,
            trickle: None,
            eager_transfer_replies: false,
            opening: Reply::text(OPENING),
            endless_listings: false,
            streams_past: BTreeMap::new(),
            nests_forever: None,
        }
    }

    /// The greeting sent when a client connects.
    pub fn greeting(mut self, reply: impl Into<Reply>) -> Script {
        self.greeting = reply.into();
        self
    }

    /// The features listed in the FEAT reply (`211-Features:`, one per line, `211 End`). Add
    /// "MLST" to make Ferry use MLSD and MLST.
    pub fn feat(mut self, features: &[&str]) -> Script {
        self.features = features.iter().map(|f| f.to_string()).collect();
        self
    }

    /// Answers every `verb` with `reply` instead of handling it. For data commands no data
    /// connection is used.
    pub fn reply(self, verb: &str, reply: impl Into<Reply>) -> Script {
        self.push(verb, None, Stage::Command, reply.into())
    }

    /// Answers the `nth` `verb` (1-based, over all connections) with `reply`.
    pub fn reply_n(self, verb: &str, nth: usize, reply: impl Into<Reply>) -> Script {
        self.push(verb, Some(nth), Stage::Command, reply.into())
    }

    /// For data commands (LIST, NLST, MLSD, RETR, STOR, APPE): sends the data as usual, then
    /// `reply` instead of `226` (e.g. `426` after the transfer started, `552` after an upload).
    pub fn after_data(self, verb: &str, reply: impl Into<Reply>) -> Script {
        self.push(verb, None, Stage::AfterData, reply.into())
    }

    /// As `after_data`, for the `nth` `verb` only.
    pub fn after_data_n(self, verb: &str, nth: usize, reply: impl Into<Reply>) -> Script {
        self.push(verb, Some(nth), Stage::AfterData, reply.into())
    }

    /// Waits `delay` before answering every `verb`.
    pub fn delay(mut self, verb: &str, delay: Duration) -> Script {
        self.delays.push((verb.to_ascii_uppercase(), None, delay));
        self
    }

    /// Waits `delay` before answering the `nth` `verb`.
    pub fn delay_n(mut self, verb: &str, nth: usize, delay: Duration) -> Script {
        self.delays.push((verb.to_ascii_uppercase(), Some(nth), delay));
        self
    }

    /// Answers EPSV with `500`, as servers without it do (FEAT is left as configured).
    pub fn refuse_epsv(mut self) -> Script {
        self.refuse_epsv = true;
        self
    }

    /// Names `address` in `227` replies. The data listener stays on 127.0.0.1: a client that
    /// believed the reply would fail to connect.
    pub fn pasv_address(mut self, address: [u8; 4]) -> Script {
        self.pasv_address = address;
        self
    }

    /// The lines LIST and MLSD send for the home folder `/` (sent as given, CRLF added).
    pub fn listing(self, lines: &[&str]) -> Script {
        self.dir_listing("/", lines)
    }

    /// Refuses to create the folder `path` (every MKD of it), as for a folder the account may
    /// not create: "550 <path>: Permission denied."
    pub fn refuse_mkd(mut self, path: &str) -> Script {
        self.refused_dirs.push(resolve("/", path));
        self
    }

    /// A folder at `path` whose LIST/MLSD lines are made from the files and folders in it.
    pub fn dir(mut self, path: &str) -> Script {
        self.dirs.entry(resolve("/", path)).or_insert(None);
        self
    }

    /// A folder at `path` whose LIST and MLSD send exactly `lines` (CRLF added to each).
    pub fn dir_listing(mut self, path: &str, lines: &[&str]) -> Script {
        self.dirs.insert(resolve("/", path), Some(lines.iter().map(|l| l.to_string()).collect()));
        self
    }

    /// A file at `path` (relative to `/`) holding `bytes`, for SIZE, MDTM and RETR.
    pub fn file(mut self, path: &str, bytes: impl Into<Vec<u8>>) -> Script {
        self.files.insert(resolve("/", path), bytes.into());
        self
    }

    /// SIZE tells the file's full size, but RETR sends only its first `n` bytes (from the REST
    /// offset, if below `n`), closes the data connection and replies `226`.
    pub fn short_data(mut self, path: &str, n: usize) -> Script {
        self.short.insert(resolve("/", path), n);
        self
    }

    /// Data commands get `150`, but the server never accepts the data connection, never sends
    /// data and never sends a completion reply.
    pub fn data_never_opens(mut self) -> Script {
        self.data_never_opens = true;
        self
    }

    /// Sends data (RETR and listings) at about `bytes_per_second`, in ten pieces a second.
    pub fn trickle(mut self, bytes_per_second: u32) -> Script {
        self.trickle = Some(bytes_per_second.max(1));
        self
    }

    /// Answers every `verb` with `421` and closes the control connection.
    pub fn close_after(self, verb: &str) -> Script {
        self.reply(verb, Reply::text("421 Service not available, closing control connection.").then_close())
    }

    /// Sends a data command's `150` and `226` together in one write, after the data has been
    /// sent and the data connection closed (several replies in one packet).
    pub fn eager_transfer_replies(mut self) -> Script {
        self.eager_transfer_replies = true;
        self
    }

    /// The preliminary reply of every data command, instead of `150 Opening ...`.
    pub fn opening(mut self, reply: impl Into<Reply>) -> Script {
        self.opening = reply.into();
        self
    }

    /// LIST and MLSD of any folder send file lines without end (up to [`ENDLESS_BYTES`], or until
    /// the client closes the data connection).
    pub fn endless_listings(mut self) -> Script {
        self.endless_listings = true;
        self
    }

    /// SIZE and listings tell the file's size, but RETR sends `extra` more bytes after its end.
    pub fn streams_past_its_size(mut self, path: &str, extra: u64) -> Script {
        self.streams_past.insert(resolve("/", path), extra);
        self
    }

    /// Every folder path exists, and every folder not scripted otherwise holds one subfolder
    /// called `name`: a folder that contains itself forever.
    pub fn nests_forever(mut self, name: &str) -> Script {
        self.nests_forever = Some(name.to_string());
        self
    }

    pub(super) fn push(mut self, verb: &str, nth: Option<usize>, stage: Stage, reply: Reply) -> Script {
        self.overrides.push(Override { verb: verb.to_ascii_uppercase(), nth, stage, reply });
        self
    }

    pub(super) fn override_for(&self, verb: &str, nth: usize, stage: Stage) -> Option<Reply> {
        let matching = |o: &&Override| o.verb == verb && o.stage == stage;
        // An override for this very occurrence wins over one for every occurrence.
        self.overrides
            .iter()
            .filter(matching)
            .find(|o| o.nth == Some(nth))
            .or_else(|| self.overrides.iter().filter(matching).find(|o| o.nth.is_none()))
            .map(|o| o.reply.clone())
    }

    pub(super) fn delay_for(&self, verb: &str, nth: usize) -> Option<Duration> {
        self.delays.iter().find(|(v, n, _)| v == verb && n.is_none_or(|n| n == nth)).map(|(_, _, d)| *d)
    }
}
