//! A scripted, fault-injecting FTP server on 127.0.0.1, in the spirit of curl's `ftpserver.pl`:
//! it speaks just enough FTP for Ferry to log in, list, download and upload, and a test's
//! [`Script`] changes any reply (per command, or for its Nth occurrence), delays replies, sends
//! them raw (multi-line, split across writes, very long, with NUL or control characters), names
//! another host in PASV replies, cuts or slows data connections, or hangs up.
//!
//! Every command line received is recorded byte for byte ([`ScriptedFtp::raw_commands`]), so a
//! test can check that no command carried a CR or LF inside it.
//!
//! Bounded and clean: std threads and sockets only, every blocking call has a timeout and checks
//! a stop flag, at most [`MAX_CONNECTIONS`] control connections are served, and dropping the
//! server stops and joins every thread and closes every listener. Nothing but 127.0.0.1 is ever
//! bound or connected to; [`Script::pasv_address`] only *names* another address in the reply.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind as IoKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// The most control connections one server serves; later ones get `421` and are closed.
pub const MAX_CONNECTIONS: usize = 64;
/// The longest command line read; a longer one is recorded (cut) and the connection closed.
pub const MAX_COMMAND_LINE: usize = 64 * 1024;
/// The most bytes an upload may store.
const MAX_UPLOAD: usize = 64 * 1024 * 1024;
/// How often blocked reads and accepts wake up to check the stop flag.
const POLL: Duration = Duration::from_millis(50);
/// How long a control connection may sit without a command before the server closes it.
const IDLE_LIMIT: Duration = Duration::from_secs(30);
/// How long the server waits for the client to open a data connection, or for upload data.
const DATA_WAIT: Duration = Duration::from_secs(5);
/// How long one write may block (a client that stops reading).
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes an "endless" listing or an oversized download sends before the server gives
/// up by itself: far more than any test lets Ferry take.
pub const ENDLESS_BYTES: u64 = 1024 * 1024 * 1024;

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
enum Stage {
    /// Instead of the command's whole handling (for data commands: no data connection is used).
    Command,
    /// For data commands: instead of the `226` that follows the data.
    AfterData,
}

#[derive(Debug, Clone)]
struct Override {
    verb: String,
    /// Only the Nth occurrence of the verb (1-based, counted over all connections), or every one.
    nth: Option<usize>,
    stage: Stage,
    reply: Reply,
}

/// How a test wants the server to behave. Build with `Script::new()` and the methods below.
///
/// Commands are named by their verb, case-insensitively ("RETR"). Counts for `*_n` methods are
/// per server, over all its control connections (the worker opens several), starting at 1.
#[derive(Debug, Clone)]
pub struct Script {
    greeting: Reply,
    features: Vec<String>,
    overrides: Vec<Override>,
    delays: Vec<(String, Option<usize>, Duration)>,
    refuse_epsv: bool,
    pasv_address: [u8; 4],
    files: BTreeMap<String, Vec<u8>>,
    dirs: BTreeMap<String, Option<Vec<String>>>,
    short: BTreeMap<String, usize>,
    data_never_opens: bool,
    trickle: Option<u32>,
    eager_transfer_replies: bool,
    opening: Reply,
    endless_listings: bool,
    streams_past: BTreeMap<String, u64>,
    nests_forever: Option<String>,
    /// Folders whose MKD is refused with "550 ...: Permission denied".
    refused_dirs: Vec<String>,
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

    fn push(mut self, verb: &str, nth: Option<usize>, stage: Stage, reply: Reply) -> Script {
        self.overrides.push(Override { verb: verb.to_ascii_uppercase(), nth, stage, reply });
        self
    }

    fn override_for(&self, verb: &str, nth: usize, stage: Stage) -> Option<Reply> {
        let matching = |o: &&Override| o.verb == verb && o.stage == stage;
        // An override for this very occurrence wins over one for every occurrence.
        self.overrides
            .iter()
            .filter(matching)
            .find(|o| o.nth == Some(nth))
            .or_else(|| self.overrides.iter().filter(matching).find(|o| o.nth.is_none()))
            .map(|o| o.reply.clone())
    }

    fn delay_for(&self, verb: &str, nth: usize) -> Option<Duration> {
        self.delays.iter().find(|(v, n, _)| v == verb && n.is_none_or(|n| n == nth)).map(|(_, _, d)| *d)
    }
}

/// One data connection the server accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataConnection {
    /// Where the server listened (always 127.0.0.1).
    pub local: SocketAddr,
    /// Where the client connected from.
    pub peer: SocketAddr,
}

/// What the server saw.
#[derive(Debug, Default)]
struct Log {
    commands: Vec<Vec<u8>>,
    counts: HashMap<String, usize>,
    data_connections: Vec<DataConnection>,
    control_connections: usize,
    data_bytes_sent: u64,
}

/// The server's files and folders (uploads change them).
#[derive(Debug)]
struct Fs {
    files: BTreeMap<String, Vec<u8>>,
    dirs: BTreeMap<String, Option<Vec<String>>>,
}

struct Shared {
    script: Script,
    stop: AtomicBool,
    log: Mutex<Log>,
    fs: Mutex<Fs>,
    connections: Mutex<Vec<JoinHandle<()>>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleeps `duration`, waking early when the server stops; false if it stopped.
    fn sleep(&self, duration: Duration) -> bool {
        let end = Instant::now() + duration;
        loop {
            if self.stopped() {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            thread::sleep((end - now).min(POLL));
        }
    }
}

/// A running scripted server. Dropping it stops every thread and closes every socket.
pub struct ScriptedFtp {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl ScriptedFtp {
    /// Starts serving `script` on 127.0.0.1 and a free port.
    pub fn start(script: Script) -> ScriptedFtp {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the scripted FTP server");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let port = listener.local_addr().expect("server address").port();
        let fs = Fs { files: script.files.clone(), dirs: script.dirs.clone() };
        let shared = Arc::new(Shared {
            script,
            stop: AtomicBool::new(false),
            log: Mutex::new(Log::default()),
            fs: Mutex::new(fs),
            connections: Mutex::new(Vec::new()),
        });
        let accepting = shared.clone();
        let acceptor = thread::Builder::new()
            .name("scripted-ftp".into())
            .spawn(move || accept_loop(listener, accepting))
            .expect("start the scripted FTP server");
        ScriptedFtp { port, shared, acceptor: Some(acceptor) }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every command line received, in order, as text (lossy UTF-8), with its final CRLF
    /// removed. A line that ended in a bare LF keeps it, so a check for CR or LF finds it.
    pub fn commands(&self) -> Vec<String> {
        self.raw_commands()
            .iter()
            .map(|line| String::from_utf8_lossy(line.strip_suffix(b"\r\n").unwrap_or(line)).into_owned())
            .collect()
    }

    /// Every command line received, byte for byte, with its line end.
    pub fn raw_commands(&self) -> Vec<Vec<u8>> {
        lock(&self.shared.log).commands.clone()
    }

    /// The command lines that were not exactly one line: a CR or LF before the final CRLF, or no
    /// CRLF at the end.
    pub fn commands_with_line_breaks_inside(&self) -> Vec<String> {
        self.raw_commands()
            .into_iter()
            .filter(|line| match line.strip_suffix(b"\r\n") {
                Some(body) => body.iter().any(|b| matches!(b, b'\r' | b'\n')),
                None => true,
            })
            .map(|line| format!("{:?}", String::from_utf8_lossy(&line)))
            .collect()
    }

    /// The verbs received, upper-case, in order.
    pub fn verbs(&self) -> Vec<String> {
        self.commands().iter().map(|c| verb_of(c)).collect()
    }

    /// How many times `verb` was received.
    pub fn count(&self, verb: &str) -> usize {
        lock(&self.shared.log).counts.get(&verb.to_ascii_uppercase()).copied().unwrap_or(0)
    }

    /// The data connections accepted, in order.
    pub fn data_connections(&self) -> Vec<DataConnection> {
        lock(&self.shared.log).data_connections.clone()
    }

    /// How many bytes the server wrote on data connections (listings and downloads), in all.
    pub fn data_bytes_sent(&self) -> u64 {
        lock(&self.shared.log).data_bytes_sent
    }

    /// How many control connections were accepted.
    pub fn control_connections(&self) -> usize {
        lock(&self.shared.log).control_connections
    }

    /// A file's content now (after uploads).
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        lock(&self.shared.fs).files.get(&resolve("/", path)).cloned()
    }
}

impl Drop for ScriptedFtp {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let connections = std::mem::take(&mut *lock(&self.shared.connections));
        for connection in connections {
            let _ = connection.join();
        }
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while !shared.stopped() {
        match listener.accept() {
            Ok((stream, _)) => {
                let served = {
                    let mut log = lock(&shared.log);
                    log.control_connections += 1;
                    log.control_connections
                };
                if served > MAX_CONNECTIONS {
                    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
                    let _ = (&stream).write_all(b"421 Too many connections.\r\n");
                    continue;
                }
                let connection = shared.clone();
                match thread::Builder::new().name("scripted-ftp-conn".into()).spawn(move || serve(stream, connection)) {
                    Ok(handle) => lock(&shared.connections).push(handle),
                    Err(_) => continue,
                }
            }
            Err(e) if e.kind() == IoKind::WouldBlock || e.kind() == IoKind::Interrupted => thread::sleep(POLL / 5),
            Err(_) => thread::sleep(POLL),
        }
    }
}

/// "/a" + "b" = "/a/b"; absolute arguments stand alone; "." and ".." are resolved as a chrooted
/// server does ("/.." is "/"); no trailing slash except for "/".
fn resolve(cwd: &str, arg: &str) -> String {
    let joined = if arg.starts_with('/') { arg.to_string() } else { format!("{cwd}/{arg}") };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    format!("/{}", parts.join("/"))
}

fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn verb_of(line: &str) -> String {
    line.split(' ').next().unwrap_or("").trim_end_matches(['\r', '\n']).to_ascii_uppercase()
}

/// The time every file claims: 2024-01-02 03:04:05 UTC.
const MDTM: &str = "20240102030405";

/// Reads command lines from a control connection, waking regularly to check the stop flag.
struct LineReader {
    stream: TcpStream,
    pending: Vec<u8>,
}

enum Line {
    Complete(Vec<u8>),
    /// Too long: the first bytes, recorded before the connection is closed.
    TooLong(Vec<u8>),
    Closed,
}

impl LineReader {
    fn next(&mut self, shared: &Shared) -> Line {
        let idle_since = Instant::now();
        let mut buffer = [0u8; 8192];
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                return Line::Complete(self.pending.drain(..=end).collect());
            }
            if self.pending.len() > MAX_COMMAND_LINE {
                return Line::TooLong(std::mem::take(&mut self.pending));
            }
            if shared.stopped() || idle_since.elapsed() > IDLE_LIMIT {
                return Line::Closed;
            }
            match self.stream.read(&mut buffer) {
                Ok(0) => return Line::Closed,
                Ok(n) => self.pending.extend_from_slice(&buffer[..n]),
                Err(e) if matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut | IoKind::Interrupted) => {}
                Err(_) => return Line::Closed,
            }
        }
    }
}

/// One control connection's state.
struct Session {
    cwd: String,
    rest: Option<u64>,
    data_listener: Option<TcpListener>,
    rename_from: Option<String>,
}

/// Whether the connection goes on after a reply.
#[derive(PartialEq, Eq)]
enum Next {
    Continue,
    Close,
}

/// Writes a reply; `Close` if it asks to hang up or the client is gone.
fn send(stream: &mut TcpStream, shared: &Shared, reply: &Reply) -> Next {
    match reply {
        Reply::Bytes(bytes) => {
            if stream.write_all(bytes).and_then(|()| stream.flush()).is_err() {
                return Next::Close;
            }
            Next::Continue
        }
        Reply::Split(pieces, gap) => {
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 && !shared.sleep(*gap) {
                    return Next::Close;
                }
                if stream.write_all(piece).and_then(|()| stream.flush()).is_err() {
                    return Next::Close;
                }
            }
            Next::Continue
        }
        Reply::HangUp => Next::Close,
        Reply::ThenClose(reply) => {
            send(stream, shared, reply);
            Next::Close
        }
    }
}

fn send_text(stream: &mut TcpStream, shared: &Shared, text: &str) -> Next {
    send(stream, shared, &Reply::text(text))
}

fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = LineReader { stream, pending: Vec::new() };
    if send(&mut writer, &shared, &shared.script.greeting) == Next::Close {
        return;
    }
    let mut session = Session { cwd: "/".to_string(), rest: None, data_listener: None, rename_from: None };
    loop {
        let raw = match reader.next(&shared) {
            Line::Complete(raw) => raw,
            Line::TooLong(start) => {
                lock(&shared.log).commands.push(start);
                let _ = send_text(&mut writer, &shared, "500 Command line too long.");
                break;
            }
            Line::Closed => break,
        };
        let body = raw.strip_suffix(b"\r\n").or_else(|| raw.strip_suffix(b"\n")).unwrap_or(&raw);
        let text = String::from_utf8_lossy(body).into_owned();
        let verb = verb_of(&text);
        let arg = text.split_once(' ').map(|(_, arg)| arg.to_string()).unwrap_or_default();
        let nth = {
            let mut log = lock(&shared.log);
            log.commands.push(raw.clone());
            let count = log.counts.entry(verb.clone()).or_insert(0);
            *count += 1;
            *count
        };
        if let Some(delay) = shared.script.delay_for(&verb, nth)
            && !shared.sleep(delay)
        {
            break;
        }
        if let Some(reply) = shared.script.override_for(&verb, nth, Stage::Command) {
            if is_data_command(&verb) {
                // The client may have connected already; the pending connection is dropped.
                session.data_listener = None;
                session.rest = None;
            }
            if send(&mut writer, &shared, &reply) == Next::Close {
                break;
            }
            continue;
        }
        if handle(&shared, &mut writer, &mut session, &verb, &arg, nth) == Next::Close {
            break;
        }
    }
    // Closing the writer's clone and the reader's stream ends the connection.
}

fn is_data_command(verb: &str) -> bool {
    matches!(verb, "LIST" | "NLST" | "MLSD" | "RETR" | "STOR" | "APPE")
}

fn handle(shared: &Shared, out: &mut TcpStream, session: &mut Session, verb: &str, arg: &str, nth: usize) -> Next {
    let script = &shared.script;
    match verb {
        "USER" => send_text(out, shared, "331 Please specify the password."),
        "PASS" => send_text(out, shared, "230 Login successful."),
        "ACCT" => send_text(out, shared, "202 Not needed."),
        "SYST" => send_text(out, shared, "215 UNIX Type: L8"),
        "TYPE" => send_text(out, shared, "200 Type set."),
        "MODE" | "STRU" => send_text(out, shared, "200 OK."),
        "NOOP" => send_text(out, shared, "200 NOOP ok."),
        "OPTS" => send_text(out, shared, "200 OK."),
        "SITE" => send_text(out, shared, "200 SITE command ok."),
        "ABOR" => send_text(out, shared, "226 No transfer to abort."),
        "QUIT" => send(out, shared, &Reply::text("221 Goodbye.").then_close()),
        "FEAT" => {
            let mut text = String::from("211-Features:\r\n");
            for feature in &script.features {
                text.push_str(&format!(" {feature}\r\n"));
            }
            text.push_str("211 End");
            send_text(out, shared, &text)
        }
        "PWD" | "XPWD" => send_text(out, shared, &format!("257 \"{}\" is the current directory.", session.cwd)),
        "CWD" | "XCWD" => {
            let path = resolve(&session.cwd, arg);
            if lock(&shared.fs).dirs.contains_key(&path) || script.nests_forever.is_some() {
                session.cwd = path;
                send_text(out, shared, "250 Directory successfully changed.")
            } else {
                send_text(out, shared, "550 Failed to change directory.")
            }
        }
        "CDUP" | "XCUP" => {
            session.cwd = parent_of(&session.cwd).to_string();
            send_text(out, shared, "250 Directory successfully changed.")
        }
        "SIZE" => {
            let path = resolve(&session.cwd, arg);
            match lock(&shared.fs).files.get(&path) {
                Some(bytes) => send_text(out, shared, &format!("213 {}", bytes.len())),
                None => send_text(out, shared, "550 Could not get file size."),
            }
        }
        "MDTM" => {
            // "MDTM time path" sets the time (vsftpd style); "MDTM path" reads it.
            let (time, path) = match arg.split_once(' ') {
                Some((time, path)) if time.len() == 14 && time.bytes().all(|b| b.is_ascii_digit()) => {
                    (Some(time), path)
                }
                _ => (None, arg),
            };
            let path = resolve(&session.cwd, path);
            let exists = lock(&shared.fs).files.contains_key(&path);
            match (exists, time) {
                (true, Some(_)) => send_text(out, shared, "213 File modification time set."),
                (true, None) => send_text(out, shared, &format!("213 {MDTM}")),
                (false, _) => send_text(out, shared, "550 Could not get file modification time."),
            }
        }
        "MFMT" => send_text(out, shared, "213 Modify=20240102030405; ok"),
        "MLST" => {
            let path = resolve(&session.cwd, arg);
            let fs = lock(&shared.fs);
            let facts = if fs.dirs.contains_key(&path) {
                format!("type=dir;modify={MDTM};")
            } else if let Some(bytes) = fs.files.get(&path) {
                format!("type=file;size={};modify={MDTM};", bytes.len())
            } else {
                drop(fs);
                return send_text(out, shared, "550 No such file or directory.");
            };
            drop(fs);
            send_text(out, shared, &format!("250-Listing {path}\r\n {facts} {path}\r\n250 End."))
        }
        "MKD" | "XMKD" => {
            let path = resolve(&session.cwd, arg);
            if script.refused_dirs.contains(&path) {
                return send_text(out, shared, &format!("550 {path}: Permission denied."));
            }
            let mut fs = lock(&shared.fs);
            if fs.dirs.contains_key(&path) || fs.files.contains_key(&path) {
                drop(fs);
                send_text(out, shared, "550 Create directory operation failed: file exists.")
            } else {
                fs.dirs.insert(path.clone(), None);
                drop(fs);
                send_text(out, shared, &format!("257 \"{path}\" created."))
            }
        }
        "RMD" | "XRMD" => {
            let path = resolve(&session.cwd, arg);
            let removed = lock(&shared.fs).dirs.remove(&path).is_some();
            send_text(out, shared, if removed { "250 Remove directory operation successful." } else { "550 No." })
        }
        "DELE" => {
            let path = resolve(&session.cwd, arg);
            let removed = lock(&shared.fs).files.remove(&path).is_some();
            send_text(out, shared, if removed { "250 Delete operation successful." } else { "550 No such file." })
        }
        "RNFR" => {
            session.rename_from = Some(resolve(&session.cwd, arg));
            send_text(out, shared, "350 Ready for RNTO.")
        }
        "RNTO" => {
            let Some(from) = session.rename_from.take() else {
                return send_text(out, shared, "503 RNFR required first.");
            };
            let to = resolve(&session.cwd, arg);
            let mut fs = lock(&shared.fs);
            if let Some(bytes) = fs.files.remove(&from) {
                fs.files.insert(to, bytes);
                drop(fs);
                send_text(out, shared, "250 Rename successful.")
            } else {
                drop(fs);
                send_text(out, shared, "550 RNFR command failed.")
            }
        }
        "REST" => match arg.trim().parse::<u64>() {
            Ok(offset) => {
                session.rest = Some(offset);
                send_text(out, shared, &format!("350 Restart position accepted ({offset})."))
            }
            Err(_) => send_text(out, shared, "501 Bad REST argument."),
        },
        "EPSV" => {
            if script.refuse_epsv {
                return send_text(out, shared, "500 'EPSV': command not understood.");
            }
            match open_data_listener(session) {
                Some(port) => send_text(out, shared, &format!("229 Entering Extended Passive Mode (|||{port}|)")),
                None => send_text(out, shared, "425 Cannot listen."),
            }
        }
        "PASV" => match open_data_listener(session) {
            Some(port) => {
                let [a, b, c, d] = script.pasv_address;
                let (high, low) = (port / 256, port % 256);
                send_text(out, shared, &format!("227 Entering Passive Mode ({a},{b},{c},{d},{high},{low})."))
            }
            None => send_text(out, shared, "425 Cannot listen."),
        },
        "PORT" | "EPRT" => send_text(out, shared, "500 Active mode is not supported here."),
        "LIST" | "NLST" | "MLSD" | "RETR" | "STOR" | "APPE" => data_command(shared, out, session, verb, arg, nth),
        _ => send_text(out, shared, "502 Command not implemented."),
    }
}

/// A fresh data listener on 127.0.0.1 for the next data command; its port.
fn open_data_listener(session: &mut Session) -> Option<u16> {
    session.data_listener = None;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).ok()?;
    listener.set_nonblocking(true).ok()?;
    let port = listener.local_addr().ok()?.port();
    session.data_listener = Some(listener);
    Some(port)
}

/// Waits for the client's data connection (the client connects before sending the command).
fn accept_data(shared: &Shared, listener: &TcpListener) -> Option<TcpStream> {
    let start = Instant::now();
    while !shared.stopped() && start.elapsed() < DATA_WAIT {
        match listener.accept() {
            Ok((stream, peer)) => {
                let local = stream.local_addr().ok()?;
                lock(&shared.log).data_connections.push(DataConnection { local, peer });
                stream.set_nonblocking(false).ok()?;
                stream.set_read_timeout(Some(POLL)).ok()?;
                stream.set_write_timeout(Some(WRITE_TIMEOUT)).ok()?;
                return Some(stream);
            }
            Err(e) if e.kind() == IoKind::WouldBlock || e.kind() == IoKind::Interrupted => thread::sleep(POLL / 5),
            Err(_) => return None,
        }
    }
    None
}

/// The lines of a folder listing: as scripted, or made from what the folder holds.
fn listing_lines(shared: &Shared, dir: &str, mlsd: bool, names_only: bool) -> Option<Vec<String>> {
    let fs = lock(&shared.fs);
    let explicit = match (fs.dirs.get(dir), &shared.script.nests_forever) {
        (Some(explicit), _) => explicit,
        (None, Some(name)) if mlsd => return Some(vec![format!("type=dir;modify={MDTM}; {name}")]),
        (None, Some(name)) => {
            return Some(vec![format!("drwxr-xr-x    2 ftp      ftp          4096 Jan 02  2024 {name}")]);
        }
        (None, None) => return None,
    };
    if let Some(lines) = explicit {
        return Some(lines.clone());
    }
    let mut lines = Vec::new();
    for (path, _) in fs.dirs.iter().filter(|(p, _)| p.as_str() != "/" && parent_of(p) == dir) {
        let name = name_of(path);
        lines.push(match (names_only, mlsd) {
            (true, _) => name.to_string(),
            (_, true) => format!("type=dir;modify={MDTM}; {name}"),
            _ => format!("drwxr-xr-x    2 ftp      ftp          4096 Jan 02  2024 {name}"),
        });
    }
    for (path, bytes) in fs.files.iter().filter(|(p, _)| parent_of(p) == dir) {
        let (name, size) = (name_of(path), bytes.len());
        lines.push(match (names_only, mlsd) {
            (true, _) => name.to_string(),
            (_, true) => format!("type=file;size={size};modify={MDTM}; {name}"),
            _ => format!("-rw-r--r--    1 ftp      ftp      {size:>10} Jan 02  2024 {name}"),
        });
    }
    Some(lines)
}

/// Sends `extra` more bytes after a download's end (a counting pattern), or listing lines without
/// end, in 64 KiB writes; false if the client went away or the server stopped.
fn send_endless(shared: &Shared, data: &mut TcpStream, extra: u64, listing: bool) -> bool {
    let mut sent = 0u64;
    let mut line = 0u64;
    while sent < extra {
        if shared.stopped() {
            return false;
        }
        let mut chunk = Vec::with_capacity(64 * 1024 + 128);
        while chunk.len() < 64 * 1024 {
            if listing {
                let text = format!("-rw-r--r--    1 ftp      ftp             7 Jan 02  2024 f{line}\r\n");
                chunk.extend_from_slice(text.as_bytes());
                line += 1;
            } else {
                chunk.push((sent + chunk.len() as u64) as u8);
            }
        }
        if data.write_all(&chunk).is_err() {
            return false;
        }
        lock(&shared.log).data_bytes_sent += chunk.len() as u64;
        sent += chunk.len() as u64;
    }
    true
}

/// Sends `bytes` on the data connection, trickling if scripted; false if the client went away.
fn send_data(shared: &Shared, data: &mut TcpStream, bytes: &[u8]) -> bool {
    lock(&shared.log).data_bytes_sent += bytes.len() as u64;
    match shared.script.trickle {
        None => data.write_all(bytes).and_then(|()| data.flush()).is_ok(),
        Some(rate) => {
            let piece = (rate as usize / 10).max(1);
            for (i, chunk) in bytes.chunks(piece).enumerate() {
                if i > 0 && !shared.sleep(Duration::from_millis(100)) {
                    return false;
                }
                if data.write_all(chunk).and_then(|()| data.flush()).is_err() {
                    return false;
                }
            }
            true
        }
    }
}

/// Reads an upload until the client closes the data connection; `None` if it stalls or stops.
fn receive_data(shared: &Shared, data: &mut TcpStream) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut last = Instant::now();
    loop {
        if shared.stopped() || last.elapsed() > DATA_WAIT || received.len() > MAX_UPLOAD {
            return None;
        }
        match data.read(&mut buffer) {
            Ok(0) => return Some(received),
            Ok(n) => {
                received.extend_from_slice(&buffer[..n]);
                last = Instant::now();
            }
            Err(e) if matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut | IoKind::Interrupted) => {}
            Err(_) => return None,
        }
    }
}

const OPENING: &str = "150 Opening BINARY mode data connection.";
const COMPLETE: &str = "226 Transfer complete.";

fn data_command(
    shared: &Shared,
    out: &mut TcpStream,
    session: &mut Session,
    verb: &str,
    arg: &str,
    nth: usize,
) -> Next {
    let offset = session.rest.take().unwrap_or(0);
    let Some(listener) = session.data_listener.take() else {
        return send_text(out, shared, "425 Use PASV or EPSV first.");
    };
    let upload = matches!(verb, "STOR" | "APPE");
    if upload {
        let path = resolve(&session.cwd, arg);
        if !lock(&shared.fs).dirs.contains_key(parent_of(&path)) {
            // As inetutils ftpd and other BSD-style daemons answer a file stored into a folder
            // that does not exist: open(2)'s error, before any data connection.
            return send_text(out, shared, &format!("553 {path}: No such file or directory."));
        }
    }
    // What goes out (downloads), or where it lands (uploads); checked before the data connection.
    let outgoing: Option<Vec<u8>> = match verb {
        "RETR" => {
            let path = resolve(&session.cwd, arg);
            let fs = lock(&shared.fs);
            let Some(bytes) = fs.files.get(&path) else {
                drop(fs);
                return send_text(out, shared, "550 Failed to open file.");
            };
            let end = shared.script.short.get(&path).map_or(bytes.len(), |&n| n.min(bytes.len()));
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(end);
            Some(bytes[start..end].to_vec())
        }
        "LIST" | "NLST" | "MLSD" => {
            // Options ("-a") and globs are not understood: a path argument is listed, else the cwd.
            let dir =
                if arg.is_empty() || arg.starts_with('-') { session.cwd.clone() } else { resolve(&session.cwd, arg) };
            // `LIST FILE` lists that one file, as Unix servers do.
            let one_file = if verb == "LIST" { lock(&shared.fs).files.get(&dir).map(Vec::len) } else { None };
            if let Some(size) = one_file {
                let line = format!("-rw-r--r--    1 ftp      ftp      {size:>10} Jan 02  2024 {}\r\n", name_of(&dir));
                Some(line.into_bytes())
            } else {
                let Some(lines) = listing_lines(shared, &dir, verb == "MLSD", verb == "NLST") else {
                    return send_text(out, shared, "550 No such directory.");
                };
                let mut bytes = Vec::new();
                for line in lines {
                    bytes.extend_from_slice(line.as_bytes());
                    bytes.extend_from_slice(b"\r\n");
                }
                Some(bytes)
            }
        }
        _ => None,
    };
    if shared.script.data_never_opens {
        // Keep the listener (and the client's pending connection) until the next command.
        session.data_listener = Some(listener);
        return send(out, shared, &shared.script.opening);
    }
    let Some(mut data) = accept_data(shared, &listener) else {
        return send_text(out, shared, "425 Failed to establish connection.");
    };
    drop(listener);
    let eager = shared.script.eager_transfer_replies;
    if !eager && send(out, shared, &shared.script.opening) == Next::Close {
        return Next::Close;
    }
    let completed = if upload {
        match receive_data(shared, &mut data) {
            Some(bytes) => {
                let path = resolve(&session.cwd, arg);
                let mut fs = lock(&shared.fs);
                let file = fs.files.entry(path).or_default();
                if verb == "STOR" {
                    file.truncate(usize::try_from(offset).unwrap_or(usize::MAX));
                }
                file.extend_from_slice(&bytes);
                true
            }
            None => false,
        }
    } else {
        let sent = send_data(shared, &mut data, outgoing.as_deref().unwrap_or_default());
        let listing = matches!(verb, "LIST" | "MLSD");
        let extra = match verb {
            "RETR" => shared.script.streams_past.get(&resolve(&session.cwd, arg)).copied().unwrap_or(0),
            _ if listing && shared.script.endless_listings => ENDLESS_BYTES,
            _ => 0,
        };
        sent && send_endless(shared, &mut data, extra, listing)
    };
    let _ = data.shutdown(std::net::Shutdown::Both);
    drop(data);
    let completion = if completed {
        shared.script.override_for(verb, nth, Stage::AfterData).unwrap_or_else(|| Reply::text(COMPLETE))
    } else {
        Reply::text("426 Connection closed; transfer aborted.")
    };
    if !eager {
        return send(out, shared, &completion);
    }
    // Both replies in one write where both are plain bytes.
    match (&shared.script.opening, &completion) {
        (Reply::Bytes(opening), Reply::Bytes(done)) => {
            send(out, shared, &Reply::exact([&opening[..], &done[..]].concat()))
        }
        (opening, done) => {
            if send(out, shared, opening) == Next::Close {
                return Next::Close;
            }
            send(out, shared, done)
        }
    }
}
