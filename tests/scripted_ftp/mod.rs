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

mod control;
mod data;
mod script;

use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind as IoKind, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use control::serve;
#[allow(unused_imports)] // Not every test uses every part.
pub use script::{Reply, Script};

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
