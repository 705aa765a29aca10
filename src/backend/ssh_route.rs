//! Builds the stream an SSH session runs over: a TCP connection straight to the server, or one
//! end of a Unix socket pair whose other end is a `ProxyCommand`'s standard input and output, or
//! is pumped to a `direct-tcpip` channel of the previous jump host's session. Everything it
//! starts lives in a [`RouteGuard`], which the connection holds and which stops it all when the
//! connection ends.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ssh2::{BlockDirections, Channel, Session};

use super::sftp_error::ssh_error;
use super::sftp_wire as wire;
use super::{ConnectError, ConnectSettings, ssh_login};
use crate::error::{ErrorKind, FerryError};
use crate::model::{ConnectSpec, Protocol, escape_control};
use crate::route::{JumpHost, Route};
use crate::trust::TrustStore;

/// How many of a ProxyCommand's last stderr lines an error quotes.
const STDERR_LINES_KEPT: usize = 5;
/// A ProxyCommand's stderr line is cut here in the log: a command cannot flood it.
const STDERR_LINE_MAX: usize = 500;
/// How long a pump waits for either side before it looks at its stop flag again.
const PUMP_POLL_MS: libc::c_int = 100;

/// The host and port of the first TCP connection a route makes, if it makes one itself.
pub(super) fn first_tcp_hop(spec: &ConnectSpec) -> Option<(String, u16)> {
    match &spec.route {
        Route::Direct => Some((spec.host.clone(), spec.port)),
        Route::Jump(hops) => hops.first().map(|hop| (hop.host.clone(), hop.port)),
        Route::Command(_) => None,
    }
}

/// What a session is attached to.
pub(super) enum Transport {
    /// A TCP connection to the server.
    Tcp(TcpStream),
    /// Our end of a socket pair that a ProxyCommand or a jump host carries.
    Socket(UnixStream),
}

impl Transport {
    /// Hands the stream to the session, which owns it from now on.
    pub(super) fn attach(self, session: &mut Session) {
        match self {
            Transport::Tcp(stream) => session.set_tcp_stream(stream),
            Transport::Socket(stream) => session.set_tcp_stream(stream),
        }
    }

    fn raw_fd(&self) -> RawFd {
        match self {
            Transport::Tcp(stream) => stream.as_raw_fd(),
            Transport::Socket(stream) => stream.as_raw_fd(),
        }
    }
}

/// Opens the route to `spec`'s server: `tcp` is the first TCP connection made by the caller
/// ([`first_tcp_hop`]). Each jump host's key is checked and each logs in before the next is asked
/// to connect anywhere.
pub(super) fn open(
    route: &Route,
    tcp: Option<TcpStream>,
    spec: &ConnectSpec,
    trust: &TrustStore,
    settings: &ConnectSettings,
) -> Result<(Transport, RouteGuard), ConnectError> {
    let mut guard = RouteGuard::default();
    let not_connected = || FerryError::new(ErrorKind::Protocol, "opening the route: no first connection was made");
    match route {
        Route::Direct => Ok((Transport::Tcp(tcp.ok_or_else(not_connected)?), guard)),
        Route::Command(command) => {
            let (stream, proxy) = ProxyCommand::spawn(command)?;
            guard.command = Some(proxy);
            Ok((Transport::Socket(stream), guard))
        }
        Route::Jump(hops) => {
            let mut transport = Transport::Tcp(tcp.ok_or_else(not_connected)?);
            for (index, hop) in hops.iter().enumerate() {
                let (next_host, next_port) = match hops.get(index + 1) {
                    Some(next) => (next.host.as_str(), next.port),
                    None => (spec.host.as_str(), spec.port),
                };
                let (stream, pump) = through_hop(transport, hop, next_host, next_port, trust, settings)
                    .map_err(|error| for_hop(error, index, &hop.label()))?;
                guard.pumps.push(pump);
                transport = Transport::Socket(stream);
            }
            Ok((transport, guard))
        }
    }
}

/// Logs in to `hop` over `transport` and asks it for a connection to `host`:`port`; returns our
/// end of the socket pair that carries that connection.
fn through_hop(
    transport: Transport,
    hop: &JumpHost,
    host: &str,
    port: u16,
    trust: &TrustStore,
    settings: &ConnectSettings,
) -> Result<(UnixStream, ChannelPump), ConnectError> {
    let label = hop.label();
    let transport_fd = transport.raw_fd();
    let mut session = Session::new().map_err(|e| ssh_error(&e, "starting SSH"))?;
    transport.attach(&mut session);
    let mut hop_spec = ConnectSpec::new(Protocol::Sftp, hop.host.clone());
    hop_spec.port = hop.port;
    hop_spec.user = if hop.user.is_empty() { crate::ssh_config::local_user_name() } else { hop.user.clone() };
    hop_spec.identity = hop.identity.clone();
    hop_spec.password = hop.password.clone();
    ssh_login::login(&mut session, &hop_spec, trust, settings)?;
    let target = escape_control(&format!("{host}:{port}"));
    let channel = session.channel_direct_tcpip(host, port, None).map_err(|e| {
        let error = ssh_error(&e, &format!("asking the {label} to connect to {target}"));
        FerryError::new(ErrorKind::ConnectionRefused, format!("the {label} could not connect to {target}"))
            .with_detail(error.to_string())
    })?;
    wire::note(&format!("the {label} connected to {target}"));
    let (ours, theirs) = UnixStream::pair().map_err(|e| FerryError::from_io(&e, "making a local socket pair"))?;
    let pump = ChannelPump::start(session, channel, theirs, transport_fd)?;
    Ok((ours, pump))
}

/// Names the jump host (the `index`th) in a failure of its own login, and turns its wish for a
/// password into a question about that hop.
fn for_hop(error: ConnectError, index: usize, label: &str) -> ConnectError {
    match error {
        ConnectError::Failed(mut error) => {
            if !error.context.contains(label) {
                error.context = format!("{label}: {}", error.context);
            }
            ConnectError::Failed(error)
        }
        ConnectError::NeedPassword => ConnectError::NeedHopPassword(index),
        ConnectError::NeedPassphrase => ConnectError::Failed(FerryError::new(
            ErrorKind::AuthFailed,
            format!(
                "the {label}'s key is protected by a passphrase, which Ferry does not ask for jump hosts \
                 yet: load the key into the ssh agent"
            ),
        )),
        other @ (ConnectError::UnknownHostKey { .. }
        | ConnectError::UntrustedCertificate(_)
        | ConnectError::NeedHopPassword(_)) => other,
    }
}

/// What keeps a route running; dropping it ends the ProxyCommand and the jump hosts' sessions.
#[derive(Default)]
pub(super) struct RouteGuard {
    command: Option<ProxyCommand>,
    /// First hop first; dropped last to first, so each hop closes before the one carrying it.
    pumps: Vec<ChannelPump>,
}

impl RouteGuard {
    /// Turns a failed login into what happened on the route, when the route is what failed: a
    /// ProxyCommand that ended is named with its exit status and last words, not as a broken
    /// SSH handshake.
    pub(super) fn explain(&self, error: ConnectError) -> ConnectError {
        match (&self.command, error) {
            (Some(command), ConnectError::Failed(mut error)) => match command.ended() {
                Some(ended) => ConnectError::Failed(ended),
                None => {
                    // Still running: say which way the connection went (a hung command, a wrong
                    // host on its far side).
                    error.context = format!("{} through the ProxyCommand {}", error.context, command.command);
                    ConnectError::Failed(error)
                }
            },
            (_, error) => error,
        }
    }
}

impl Drop for RouteGuard {
    fn drop(&mut self) {
        while let Some(pump) = self.pumps.pop() {
            drop(pump);
        }
    }
}

/// A running ProxyCommand: its standard input and output are the other end of our socket pair.
struct ProxyCommand {
    command: String,
    child: Mutex<Child>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl ProxyCommand {
    /// Runs `command` through `sh -c` as ssh does (with `exec`, so that killing it kills the
    /// command itself, not only a shell), its stderr to the log.
    fn spawn(command: &str) -> Result<(UnixStream, ProxyCommand), FerryError> {
        let shown = escape_control(command);
        let (ours, theirs) = UnixStream::pair().map_err(|e| FerryError::from_io(&e, "making a local socket pair"))?;
        let theirs: OwnedFd = theirs.into();
        let theirs_too = theirs.try_clone().map_err(|e| FerryError::from_io(&e, "making a local socket pair"))?;
        wire::note(&format!("running ProxyCommand {shown}"));
        let mut child = Command::new("/bin/sh")
            .arg("-c")
            .arg(format!("exec {command}"))
            .stdin(Stdio::from(theirs))
            .stdout(Stdio::from(theirs_too))
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| FerryError::from_io(&e, format!("starting the ProxyCommand {shown}")))?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(output) = child.stderr.take() {
            let kept = stderr.clone();
            let transcript = crate::transcript::current();
            std::thread::spawn(move || {
                crate::transcript::blocking_scope(transcript, || log_stderr(output, &kept));
            });
        }
        Ok((ours, ProxyCommand { command: shown, child: Mutex::new(child), stderr }))
    }

    /// If the command has ended (waiting a moment for it, since a handshake can fail just before
    /// the command is reaped), the error that says so.
    fn ended(&self) -> Option<FerryError> {
        let deadline = Instant::now() + Duration::from_millis(500);
        let mut child = self.child.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Ok(None) | Err(_) => return None,
            }
        };
        let how = match status.code() {
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal".to_string(),
        };
        let said = self.stderr.lock().unwrap_or_else(std::sync::PoisonError::into_inner).join(" / ");
        let error = FerryError::new(
            ErrorKind::ConnectionLost,
            format!("the ProxyCommand {} ended ({how}) before the SSH connection was made", self.command),
        );
        Some(if said.is_empty() { error } else { error.with_detail(format!("it said: {said}")) })
    }
}

impl Drop for ProxyCommand {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// Copies a ProxyCommand's stderr to the log line by line, escaped and cut, keeping the last few.
fn log_stderr(output: impl Read, kept: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(output);
    let mut line = Vec::new();
    loop {
        line.clear();
        // Read at most a bounded line: a command that never writes a newline cannot grow memory.
        match (&mut reader).take(64 * 1024).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        let text: String = String::from_utf8_lossy(&line).trim_end().chars().take(STDERR_LINE_MAX).collect();
        if text.is_empty() {
            continue;
        }
        let text = escape_control(&text);
        wire::note(&format!("ProxyCommand: {text}"));
        let mut kept = kept.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.len() == STDERR_LINES_KEPT {
            kept.remove(0);
        }
        kept.push(text);
    }
}

/// A thread that carries bytes between a jump host's `direct-tcpip` channel and our socket pair.
struct ChannelPump {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ChannelPump {
    fn start(session: Session, channel: Channel, local: UnixStream, transport_fd: RawFd) -> Result<Self, FerryError> {
        local.set_nonblocking(true).map_err(|e| FerryError::from_io(&e, "preparing a local socket"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("ferry-jump".into())
            .spawn(move || pump(session, channel, local, transport_fd, &stopped))
            .map_err(|e| FerryError::from_io(&e, "starting a jump host's thread"))?;
        Ok(ChannelPump { stop, thread: Some(thread) })
    }
}

impl Drop for ChannelPump {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Moves bytes both ways until either side closes or `stop` is set, then closes the channel and
/// the jump host's session. The session is non-blocking here; `poll` waits on both descriptors.
fn pump(session: Session, mut channel: Channel, mut local: UnixStream, transport_fd: RawFd, stop: &AtomicBool) {
    session.set_blocking(false);
    let mut buffer = vec![0u8; super::CHUNK_SIZE.min(64 * 1024)];
    let mut to_local: Vec<u8> = Vec::new();
    let mut to_remote: Vec<u8> = Vec::new();
    let would_block = |e: &std::io::Error| e.kind() == std::io::ErrorKind::WouldBlock;
    while !stop.load(Ordering::Relaxed) {
        let mut moved = false;
        if to_local.is_empty() {
            match channel.read(&mut buffer) {
                Ok(0) if channel.eof() => break,
                Ok(0) => {}
                Ok(n) => {
                    to_local.extend_from_slice(&buffer[..n]);
                    moved = true;
                }
                Err(e) if would_block(&e) => {}
                Err(_) => break,
            }
        }
        if !to_local.is_empty() {
            match local.write(&to_local) {
                Ok(n) => {
                    to_local.drain(..n);
                    moved = true;
                }
                Err(e) if would_block(&e) => {}
                Err(_) => break,
            }
        }
        if to_remote.is_empty() {
            match local.read(&mut buffer) {
                // The session this hop carried has ended.
                Ok(0) => break,
                Ok(n) => {
                    to_remote.extend_from_slice(&buffer[..n]);
                    moved = true;
                }
                Err(e) if would_block(&e) => {}
                Err(_) => break,
            }
        }
        if !to_remote.is_empty() {
            match channel.write(&to_remote) {
                Ok(n) => {
                    to_remote.drain(..n);
                    moved = n > 0 || moved;
                }
                Err(e) if would_block(&e) => {}
                Err(_) => break,
            }
        }
        if !moved {
            wait_for(&session, transport_fd, &local, !to_local.is_empty(), to_remote.is_empty());
        }
    }
    let _ = local.shutdown(std::net::Shutdown::Both);
    session.set_blocking(true);
    // A hop that stopped answering must not hold the connection's end for long.
    session.set_timeout(500);
    let _ = channel.close();
    let _ = session.disconnect(None, "", None);
}

/// Waits until the jump host's connection or our socket can move bytes, or a short while passes.
fn wait_for(session: &Session, transport_fd: RawFd, local: &UnixStream, local_writable: bool, local_readable: bool) {
    let mut transport_events = libc::POLLIN;
    if matches!(session.block_directions(), BlockDirections::Outbound | BlockDirections::Both) {
        transport_events |= libc::POLLOUT;
    }
    let mut local_events = 0;
    if local_readable {
        local_events |= libc::POLLIN;
    }
    if local_writable {
        local_events |= libc::POLLOUT;
    }
    let mut fds = [
        libc::pollfd { fd: transport_fd, events: transport_events, revents: 0 },
        libc::pollfd { fd: local.as_raw_fd(), events: local_events, revents: 0 },
    ];
    // SAFETY: `fds` is a valid array of two pollfd for the length given; both descriptors stay
    // open for the call (the session owns one, `local` the other).
    unsafe {
        libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, PUMP_POLL_MS);
    }
}
