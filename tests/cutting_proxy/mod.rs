//! A fault-injecting TCP relay on 127.0.0.1 for resume and retry tests: it forwards bytes between a
//! client and a real server (sshd, vsftpd) and, on chosen connections, cuts or stalls the stream
//! after a given number of bytes in one direction.
//!
//! - [`CuttingProxy::tcp`] relays every connection as plain bytes (SFTP: one TCP connection).
//! - [`CuttingProxy::ssh`] relays SSH connections and cuts chosen ones at a packet of the
//!   client's login ([`SshCut`], see `ssh.rs`).
//! - [`CuttingProxy::ftp`] also rewrites the server's passive replies (`227`, `229`) so that data
//!   connections go through the proxy too; the cuts then apply to the data connections only.
//!
//! Only std threads and sockets. Every thread ends when its sockets close or when the proxy is
//! dropped (accept loops poll a stop flag); nothing outlives the test for long.
//!
//! Limitations of [`CuttingProxy::ftp`]:
//! - It can only rewrite what it can read. After `AUTH TLS` (explicit FTPS: the proxy sees the
//!   server's `234` reply) or on an implicit FTPS connection (the first byte is a TLS record), the
//!   control connection is relayed as raw bytes, so passive replies are no longer rewritten: the
//!   client then opens its data connections straight to the server, uncounted and uncut. The
//!   proxy would forward TLS data connections as bytes, but `PROT P` needs `AUTH TLS` first, so in
//!   practice data-connection faults need plain FTP. (With FTPS, [`CuttingProxy::tcp`] can still
//!   cut or stall the control connection.)
//! - Active mode (`PORT`, `EPRT`) is not proxied: the server connects to the client directly.

#![allow(dead_code)] // Each test crate uses a different part of it.

mod ssh;
#[allow(unused_imports)] // Only the crates with SSH cuts name these.
pub use ssh::{CLEAR_LENGTH_CIPHERS, SshCut};

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a listener checks whether the proxy was dropped.
const ACCEPT_POLL: Duration = Duration::from_millis(5);
/// How long a passive-mode listener waits for its one data connection.
const DATA_ACCEPT_TIMEOUT: Duration = Duration::from_secs(60);
/// Bytes read from a socket at a time.
const BUFFER_SIZE: usize = 64 * 1024;

/// Which way a [`Cut`] counts and stops bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// From the client to the server (uploads, requests).
    ToServer,
    /// From the server to the client (downloads, replies).
    ToClient,
}

/// What happens to a connection at its cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Shut down both sockets (both directions) and close them: the peer that got the last
    /// bytes sees them, then end of file; writes to the proxy then fail, and a peer whose data
    /// the proxy left unread gets a reset.
    Drop,
    /// Stop forwarding in both directions but keep the sockets open, so the client sees silence
    /// rather than a reset. The stall lasts until the proxy is dropped or the client closes (its
    /// server side is then closed too); a server that closes meanwhile is not reported to the
    /// client. Whatever either peer sends during the stall is read and thrown away.
    Stall,
    /// Stop forwarding the counted direction only and keep the sockets open; the other
    /// direction keeps flowing. Counting `ToServer`, the server hears nothing more from the
    /// client while the client still gets what the server sends (an SSH server's keep-alives,
    /// say): an upload that the server never sees. Ends like [`Fault::Stall`].
    OneWayStall,
}

/// A fault for one connection: after `after_bytes` bytes in `direction` (counted on that one
/// connection), `fault` strikes. The bytes up to the cut are delivered, none after it; `0` cuts
/// before the first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// Which direction is counted and cut.
    pub direction: Direction,
    /// How many bytes in `direction` get through.
    pub after_bytes: u64,
    /// What happens then.
    pub fault: Fault,
}

/// A relay on 127.0.0.1:[`port`](CuttingProxy::port) in front of a server on 127.0.0.1 that cuts
/// chosen connections (see the [module documentation](self)). Dropping it stops accepting and
/// releases stalled connections; other relayed connections end when their peers close them.
pub struct CuttingProxy {
    port: u16,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

impl CuttingProxy {
    /// A plain TCP relay to 127.0.0.1:`upstream_port`. The first accepted connection gets
    /// `cuts[0]`, the second `cuts[1]`, and so on; connections beyond the list are relayed
    /// untouched.
    pub fn tcp(upstream_port: u16, cuts: Vec<Cut>) -> Self {
        Self::start(upstream_port, cuts, Mode::Tcp)
    }

    /// A relay to the sshd on 127.0.0.1:`upstream_port` (started with [`CLEAR_LENGTH_CIPHERS`]):
    /// the first accepted connection gets `cuts[0]` (`None`: untouched), and so on; connections
    /// beyond the list are relayed untouched.
    pub fn ssh(upstream_port: u16, cuts: Vec<Option<SshCut>>) -> Self {
        let proxy = Self::start(upstream_port, Vec::new(), Mode::Ssh);
        *lock(&proxy.shared.ssh_cuts) = cuts.into();
        proxy
    }

    /// An FTP-aware relay to the FTP server on 127.0.0.1:`upstream_port`. Control connections are
    /// relayed untouched and never cut, except that `229 (|||PORT|)` and `227 (h1,...,p2)` replies
    /// are rewritten to name a fresh port of the proxy (and 127,0,0,1), which relays the one
    /// connection it accepts to the server's real port. Data connections get `cuts[0]`,
    /// `cuts[1]`, ... in the order they are opened; later ones are relayed untouched. See the
    /// [module documentation](self) for what cannot be rewritten (FTPS, active mode).
    pub fn ftp(upstream_port: u16, cuts: Vec<Cut>) -> Self {
        Self::start(upstream_port, cuts, Mode::Ftp)
    }

    fn start(upstream_port: u16, cuts: Vec<Cut>, mode: Mode) -> Self {
        let listener = bind_local();
        let port = listener.local_addr().expect("local address of the proxy listener").port();
        let shared = Arc::new(Shared {
            stopping: AtomicBool::new(false),
            bytes: AtomicU64::new(0),
            connections: AtomicUsize::new(0),
            cuts: Mutex::new(cuts.into()),
            ssh_cuts: Mutex::new(VecDeque::new()),
            stalled: Mutex::new(Vec::new()),
            live: Mutex::new(Vec::new()),
        });
        let acceptor = {
            let shared = shared.clone();
            thread::Builder::new()
                .name(format!("cutting-proxy-{port}"))
                .spawn(move || {
                    while let Some(client) = shared.next_connection(&listener, None) {
                        let (cut, kind) = match mode {
                            Mode::Tcp => (shared.next_cut(), Kind::Plain),
                            Mode::Ssh => (None, Kind::Ssh(lock(&shared.ssh_cuts).pop_front().flatten())),
                            Mode::Ftp => (None, Kind::FtpControl),
                        };
                        let shared = shared.clone();
                        thread::spawn(move || relay(client, upstream_port, cut, kind, &shared));
                    }
                })
                .expect("spawn the proxy's accept thread")
        };
        CuttingProxy { port, shared, acceptor: Some(acceptor) }
    }

    /// The port clients connect to (on 127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// "127.0.0.1:PORT" of the proxy.
    pub fn addr(&self) -> SocketAddr {
        localhost(self.port)
    }

    /// Bytes forwarded so far, both directions, all connections (control and data for FTP).
    /// Bytes swallowed by a cut are not counted.
    pub fn bytes_relayed(&self) -> u64 {
        self.shared.bytes.load(Ordering::SeqCst)
    }

    /// Connections accepted so far (control and data connections for FTP).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// Drops every connection relayed so far, as [`Fault::Drop`] does: an idle session that the
    /// network lost. Later connections are relayed as usual.
    pub fn drop_connections(&self) {
        let live = std::mem::take(&mut *lock(&self.shared.live));
        for connection in live.iter().filter_map(Weak::upgrade) {
            connection.dropped.store(true, Ordering::SeqCst);
            connection.shut_down();
        }
    }
}

impl Drop for CuttingProxy {
    /// Stops accepting (the listeners close within a few milliseconds) and closes stalled
    /// connections; other connections keep relaying until their peers close them.
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let stalled = std::mem::take(&mut *lock(&self.shared.stalled));
        for connection in stalled.iter().filter_map(Weak::upgrade) {
            connection.dropped.store(true, Ordering::SeqCst);
            connection.shut_down();
        }
    }
}

/// Which relay [`CuttingProxy::start`] runs.
#[derive(Clone, Copy)]
enum Mode {
    Tcp,
    Ssh,
    Ftp,
}

/// How a relayed connection treats what the server sends (and, for SSH, the client).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Bytes, forwarded as they come.
    Plain,
    /// Bytes, forwarded as they come, but the client's are followed packet by packet for the cut.
    Ssh(Option<SshCut>),
    /// An FTP control connection: replies are read line by line and passive replies rewritten.
    FtpControl,
}

/// State shared by the proxy, its threads and its handle.
struct Shared {
    /// Set when the proxy is dropped.
    stopping: AtomicBool,
    /// Bytes forwarded, all connections, both directions.
    bytes: AtomicU64,
    /// Connections accepted.
    connections: AtomicUsize,
    /// Cuts for the connections still to come (TCP) or data connections still to come (FTP).
    cuts: Mutex<VecDeque<Cut>>,
    /// Cuts for the SSH connections still to come.
    ssh_cuts: Mutex<VecDeque<Option<SshCut>>>,
    /// Stalled connections, closed when the proxy is dropped.
    stalled: Mutex<Vec<Weak<Connection>>>,
    /// Every relayed connection, for [`CuttingProxy::drop_connections`].
    live: Mutex<Vec<Weak<Connection>>>,
}

impl Shared {
    /// The next connection on a nonblocking `listener` (counted), or `None` once the proxy is
    /// dropped or `deadline` passes.
    fn next_connection(&self, listener: &TcpListener, deadline: Option<Instant>) -> Option<TcpStream> {
        loop {
            if self.stopping.load(Ordering::SeqCst) || deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                return None;
            }
            match listener.accept() {
                Ok((stream, _)) => {
                    self.connections.fetch_add(1, Ordering::SeqCst);
                    let _ = stream.set_nonblocking(false);
                    return Some(stream);
                }
                Err(_) => thread::sleep(ACCEPT_POLL),
            }
        }
    }

    /// The cut for the next connection, if any are left.
    fn next_cut(&self) -> Option<Cut> {
        lock(&self.cuts).pop_front()
    }

    /// Remembers a stalled connection for [`CuttingProxy`]'s `drop`; closes it at once if the
    /// proxy is already gone.
    fn add_stalled(&self, connection: &Arc<Connection>) {
        lock(&self.stalled).push(Arc::downgrade(connection));
        if self.stopping.load(Ordering::SeqCst) {
            connection.dropped.store(true, Ordering::SeqCst);
            connection.shut_down();
        }
    }

    fn count(&self, bytes: usize) {
        self.bytes.fetch_add(bytes as u64, Ordering::SeqCst);
    }
}

/// One relayed connection: the client's socket and the proxy's socket to the server.
struct Connection {
    client: TcpStream,
    server: TcpStream,
    /// A [`Fault::Drop`] struck.
    dropped: AtomicBool,
    /// A [`Fault::Stall`] struck.
    stalled: AtomicBool,
    /// A [`Fault::OneWayStall`] struck on the client-to-server direction.
    silent_to_server: AtomicBool,
    /// A [`Fault::OneWayStall`] struck on the server-to-client direction.
    silent_to_client: AtomicBool,
}

impl Connection {
    /// Where bytes going in `direction` are read from and written to.
    fn ends(&self, direction: Direction) -> (&TcpStream, &TcpStream) {
        match direction {
            Direction::ToServer => (&self.client, &self.server),
            Direction::ToClient => (&self.server, &self.client),
        }
    }

    /// The flag of a [`Fault::OneWayStall`] on `direction`.
    fn silence(&self, direction: Direction) -> &AtomicBool {
        match direction {
            Direction::ToServer => &self.silent_to_server,
            Direction::ToClient => &self.silent_to_client,
        }
    }

    /// Whether a fault struck: nothing more is forwarded in `direction`.
    fn faulted(&self, direction: Direction) -> bool {
        self.dropped.load(Ordering::SeqCst)
            || self.stalled.load(Ordering::SeqCst)
            || self.silence(direction).load(Ordering::SeqCst)
    }

    /// Lets `fault` strike on `direction`; `delivered_to` is the socket that got the last bytes
    /// before the cut.
    fn strike(self: &Arc<Self>, fault: Fault, direction: Direction, delivered_to: &TcpStream, shared: &Shared) {
        match fault {
            Fault::Drop => {
                self.dropped.store(true, Ordering::SeqCst);
                // Closing a socket with unread input resets it, which can discard bytes still on
                // their way to the peer: read what that peer sent first.
                drain(delivered_to);
                self.shut_down();
            }
            Fault::Stall => {
                self.stalled.store(true, Ordering::SeqCst);
                shared.add_stalled(self);
            }
            Fault::OneWayStall => {
                self.silence(direction).store(true, Ordering::SeqCst);
                shared.add_stalled(self);
            }
        }
    }

    /// Shuts both sockets down in both directions (wakes both relay threads).
    fn shut_down(&self) {
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.server.shutdown(Shutdown::Both);
    }

    /// What a relay thread does when its source ends (`eof`) or fails.
    fn source_ended(&self, direction: Direction, eof: bool) {
        if self.dropped.load(Ordering::SeqCst) {
            // Already shut down.
        } else if self.stalled.load(Ordering::SeqCst) || self.silence(Direction::ToServer).load(Ordering::SeqCst) {
            // The client left: let the server know. A server leaving stays hidden from the client.
            if direction == Direction::ToServer {
                self.shut_down();
            }
        } else if eof {
            // Pass the half-close on.
            let _ = self.ends(direction).1.shutdown(Shutdown::Write);
        } else {
            self.shut_down();
        }
    }
}

/// Relays `client` to 127.0.0.1:`upstream_port` until both sides are closed, applying `cut`.
/// Runs the client-to-server half itself and spawns the other.
fn relay(client: TcpStream, upstream_port: u16, cut: Option<Cut>, kind: Kind, shared: &Arc<Shared>) {
    let Ok(server) = TcpStream::connect(localhost(upstream_port)) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    // Small packets (SSH, FTP replies) should not wait for Nagle.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let connection = Arc::new(Connection {
        client,
        server,
        dropped: AtomicBool::new(false),
        stalled: AtomicBool::new(false),
        silent_to_server: AtomicBool::new(false),
        silent_to_client: AtomicBool::new(false),
    });
    lock(&shared.live).push(Arc::downgrade(&connection));
    let limit = |direction| cut.filter(|cut| cut.direction == direction);
    {
        let (connection, shared, to_client) = (connection.clone(), shared.clone(), limit(Direction::ToClient));
        thread::spawn(move || match kind {
            Kind::Plain | Kind::Ssh(_) => forward(&connection, Direction::ToClient, to_client, &shared),
            Kind::FtpControl => forward_replies(&connection, &shared),
        });
    }
    match kind {
        Kind::Ssh(Some(cut)) => ssh::forward_client(&connection, cut, shared),
        _ => forward(&connection, Direction::ToServer, limit(Direction::ToServer), shared),
    }
}

/// Where a forwarded stream is cut: it says how much of each read may pass, and when the cut is
/// reached.
trait CutPoint {
    /// True once everything before the cut has been sent.
    fn reached(&self) -> bool;
    /// How many of the bytes just read lie before the cut.
    fn sendable(&mut self, read: &[u8]) -> usize;
}

/// A cut after a count of bytes.
struct AfterBytes(u64);

impl CutPoint for AfterBytes {
    fn reached(&self) -> bool {
        self.0 == 0
    }

    fn sendable(&mut self, read: &[u8]) -> usize {
        let send = read.len().min(usize::try_from(self.0).unwrap_or(usize::MAX));
        self.0 -= send as u64;
        send
    }
}

/// Forwards bytes in `direction` until the source ends, striking `cut` (if any) at its byte.
fn forward(connection: &Arc<Connection>, direction: Direction, cut: Option<Cut>, shared: &Shared) {
    let point = cut.map(|cut| (AfterBytes(cut.after_bytes), cut.fault));
    forward_until(connection, direction, point, shared);
}

/// Forwards bytes in `direction` until the source ends; when `cut`'s point is reached, strikes
/// its fault once.
fn forward_until(
    connection: &Arc<Connection>,
    direction: Direction,
    mut cut: Option<(impl CutPoint, Fault)>,
    shared: &Shared,
) {
    let (mut from, mut to) = connection.ends(direction);
    let mut buffer = vec![0; BUFFER_SIZE];
    let eof = loop {
        if let Some((_, fault)) = cut.take_if(|(point, _)| point.reached()) {
            connection.strike(fault, direction, to, shared);
        }
        if connection.dropped.load(Ordering::SeqCst) {
            // No more reads after a shutdown: Linux then sends no window updates, and a sender
            // stuck on a full window would never learn that the socket closed. Closing it with
            // unread input resets it instead.
            break true;
        }
        let read = match from.read(&mut buffer) {
            Ok(0) => break true,
            Ok(read) => read,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break false,
        };
        if connection.faulted(direction) {
            continue; // Thrown away.
        }
        let send = cut.as_mut().map_or(read, |(point, _)| point.sendable(&buffer[..read]));
        if to.write_all(&buffer[..send]).is_err() {
            break false;
        }
        shared.count(send);
    };
    connection.source_ended(direction, eof);
}

/// Forwards an FTP control connection's replies to the client, rewriting passive replies, until
/// the server closes. Switches to raw bytes once the connection carries TLS.
fn forward_replies(connection: &Arc<Connection>, shared: &Arc<Shared>) {
    let mut reader = BufReader::with_capacity(BUFFER_SIZE, &connection.server);
    let mut to = &connection.client;
    // Implicit FTPS: the connection starts with a TLS record (0x16), not a reply.
    let mut readable = !matches!(reader.fill_buf(), Ok([0x16, ..]));
    let mut line = Vec::new();
    let eof = loop {
        line.clear();
        let read = if readable {
            reader.read_until(b'\n', &mut line)
        } else {
            line.resize(BUFFER_SIZE, 0);
            reader.read(&mut line).inspect(|&read| line.truncate(read))
        };
        match read {
            Ok(0) => break true,
            Ok(_) => {}
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break false,
        }
        let reply = if readable { rewrite_passive_reply(&line, shared) } else { None };
        let reply = reply.as_deref().unwrap_or(&line);
        if to.write_all(reply).is_err() {
            break false;
        }
        shared.count(reply.len());
        // "234 Proceed with negotiation.": explicit FTPS, TLS from the next byte.
        if readable && line.starts_with(b"234 ") {
            readable = false;
        }
    };
    connection.source_ended(Direction::ToClient, eof);
}

/// `line` with the port of a `229` or `227` reply replaced by a new data listener of the proxy,
/// or `None` if it is no passive reply (or the listener could not be opened).
fn rewrite_passive_reply(line: &[u8], shared: &Arc<Shared>) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(line).ok()?;
    let (range, new_address): (_, fn(u16) -> String) = if text.starts_with("229 ") {
        (epsv_port_range(text)?, |port| port.to_string())
    } else if text.starts_with("227 ") {
        (pasv_address_range(text)?, |port| format!("127,0,0,1,{},{}", port >> 8, port & 0xff))
    } else {
        return None;
    };
    let server_port = reply_port(&text[range.clone()])?;
    let proxy_port = open_data_listener(server_port, shared)?;
    Some(format!("{}{}{}", &text[..range.start], new_address(proxy_port), &text[range.end..]).into_bytes())
}

/// Where the port number is in `229 Entering Extended Passive Mode (|||PORT|)` (any delimiter).
fn epsv_port_range(text: &str) -> Option<Range<usize>> {
    let open = text.find('(')?;
    let inside = &text[open + 1..];
    let inside = &inside[..inside.find(')')?];
    let delimiter = inside.chars().next().filter(char::is_ascii_punctuation)?;
    let digits = inside.strip_prefix(&delimiter.to_string().repeat(3))?.strip_suffix(delimiter)?;
    let start = open + 4;
    Some(start..start + digits.len())
}

/// Where `h1,h2,h3,h4,p1,p2` is in `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)`.
fn pasv_address_range(text: &str) -> Option<Range<usize>> {
    let start = 4 + text[4..].find(|c: char| c.is_ascii_digit())?;
    let len = text[start..].find(|c: char| !c.is_ascii_digit() && c != ',').unwrap_or(text.len() - start);
    Some(start..start + len)
}

/// The port named by the part of a passive reply that [`epsv_port_range`] or
/// [`pasv_address_range`] found: "PORT" or "h1,h2,h3,h4,p1,p2".
fn reply_port(part: &str) -> Option<u16> {
    let numbers: Vec<&str> = part.split(',').collect();
    match numbers[..] {
        [port] => port.parse().ok(),
        [_, _, _, _, high, low] => Some(u16::from_be_bytes([high.parse().ok()?, low.parse().ok()?])),
        _ => None,
    }
}

/// Opens a listener for one data connection, relayed to 127.0.0.1:`server_port` with the next
/// cut; returns its port. The listener gives up when the proxy is dropped or nobody connects
/// within [`DATA_ACCEPT_TIMEOUT`].
fn open_data_listener(server_port: u16, shared: &Arc<Shared>) -> Option<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).ok()?;
    listener.set_nonblocking(true).ok()?;
    let port = listener.local_addr().ok()?.port();
    let shared = shared.clone();
    thread::spawn(move || {
        let deadline = Instant::now() + DATA_ACCEPT_TIMEOUT;
        if let Some(client) = shared.next_connection(&listener, Some(deadline)) {
            drop(listener);
            let cut = shared.next_cut();
            relay(client, server_port, cut, Kind::Plain, &shared);
        }
    });
    Some(port)
}

/// Reads and discards what `stream` has queued (up to a few MiB, without waiting).
fn drain(mut stream: &TcpStream) {
    if stream.set_nonblocking(true).is_ok() {
        let mut buffer = vec![0; BUFFER_SIZE];
        for _ in 0..64 {
            if !matches!(stream.read(&mut buffer), Ok(1..)) {
                break;
            }
        }
    }
}

/// A nonblocking listener on 127.0.0.1:0.
fn bind_local() -> TcpListener {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind the proxy on 127.0.0.1:0");
    listener.set_nonblocking(true).expect("make the proxy listener nonblocking");
    listener
}

fn localhost(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

/// Locks `mutex`, even if a thread panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}
