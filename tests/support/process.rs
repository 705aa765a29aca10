//! Server processes: starting on a free port, waiting for the banner, killing every child.

use std::collections::BTreeMap;
use std::fs;
use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::files::{open_append, read_lossy};
use super::ports::{free_port, localhost};

/// How long a server may take to answer after it was started.
pub(super) const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a server may fail to bind its port before we give up.
pub(super) const BIND_ATTEMPTS: usize = 5;

/// kill(2), the one call the harness needs that std lacks (std's
/// `Child::kill` reaches only the direct child). std already links libc.
mod signal {
    unsafe extern "C" {
        // kill(2) takes plain integers and has no memory-safety
        // preconditions.
        #[link_name = "kill"]
        safe fn libc_kill(pid: i32, signal: i32) -> i32;
    }
    /// Linux's numbers (the same on x86_64 and aarch64).
    pub const SIGKILL: i32 = 9;
    pub const SIGSTOP: i32 = 19;

    /// Sends `signal` to `pid`; a process that is already gone is fine.
    pub fn send(pid: u32, signal: i32) {
        if let Ok(pid) = i32::try_from(pid) {
            let _ = libc_kill(pid, signal);
        }
    }
}

/// The parent pid of each process, read from /proc/<pid>/stat.
fn parent_pids() -> BTreeMap<u32, u32> {
    let mut parents = BTreeMap::new();
    let Ok(entries) = fs::read_dir("/proc") else { return parents };
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else {
            continue;
        };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses,
        // so read after the last ')'.
        let stat = read_lossy(&entry.path().join("stat"));
        let ppid = stat
            .rfind(')')
            .and_then(|end| stat[end + 1..].split_whitespace().nth(1))
            .and_then(|ppid| ppid.parse().ok());
        if let Some(ppid) = ppid {
            parents.insert(pid, ppid);
        }
    }
    parents
}

/// All processes below `root` (children, grandchildren, ...).
pub(super) fn descendants(root: u32) -> Vec<u32> {
    let parents = parent_pids();
    let mut found = vec![root];
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        found.extend(parents.iter().filter(|&(_, &ppid)| ppid == parent).map(|(&pid, _)| pid));
        index += 1;
    }
    found.remove(0);
    found
}

/// A long-running server process. Dropping it kills the server and every
/// process it forked (sshd and vsftpd fork one or two per connection, and
/// those would otherwise outlive the test holding their connections open).
pub(super) struct ServerProcess {
    name: &'static str,
    child: Child,
    stopped: bool,
}

impl ServerProcess {
    /// Starts `command` with no stdin and its stdout and stderr appended to
    /// `output` (where servers report start-up errors).
    pub(super) fn spawn(name: &'static str, command: &mut Command, output: &Path) -> Self {
        Self::try_spawn(name, command, output).unwrap_or_else(|err| panic!("cannot start {name} ({command:?}): {err}"))
    }

    /// [`ServerProcess::spawn`] that returns the error instead of panicking.
    pub(super) fn try_spawn(name: &'static str, command: &mut Command, output: &Path) -> std::io::Result<Self> {
        let out = open_append(output);
        let err = out.try_clone()?;
        let child = command.stdin(Stdio::null()).stdout(out).stderr(err).spawn()?;
        Ok(ServerProcess { name, child, stopped: false })
    }

    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has ended.
    pub(super) fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("check whether a server process is still running")
    }

    /// Kills the process and its descendants and reaps it. Idempotent.
    /// Returns the pids it killed (none if the process had ended).
    pub(super) fn stop(&mut self) -> Vec<u32> {
        if self.stopped {
            return Vec::new();
        }
        self.stopped = true;
        if self.exit_status().is_some() {
            return Vec::new();
        }
        // Freeze the server first so it forks no new child while we collect
        // the ones it has.
        let pid = self.pid();
        signal::send(pid, signal::SIGSTOP);
        let mut killed = descendants(pid);
        for &descendant in &killed {
            signal::send(descendant, signal::SIGKILL);
        }
        let _ = self.child.kill(); // SIGKILL works on a stopped process.
        let _ = self.child.wait(); // Reap it: no zombie.
        killed.push(pid);
        killed
    }
}

impl ServerProcess {
    /// Kills every process the server forked for its sessions (sshd's per-login children and
    /// sftp-server, an ftpd's per-connection children) and leaves the listener running: to the
    /// client, each open connection drops as if the network had cut it.
    pub(super) fn kill_sessions(&self) {
        // All frozen first, then all killed: a parent that saw its child die would otherwise say
        // goodbye on the connection (vsftpd's "500 OOPS: child died"), which is not a cut.
        let sessions = descendants(self.pid());
        for &pid in &sessions {
            signal::send(pid, signal::SIGSTOP);
        }
        for &pid in &sessions {
            signal::send(pid, signal::SIGKILL);
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// Why waiting for a server failed.
pub(super) enum StartError {
    /// The process ended; `bind_failed` when its port was taken.
    Exited { status: ExitStatus, bind_failed: bool },
    /// It ran but did not answer in time.
    Timeout(String),
}

/// Waits until `port` answers: with a first line starting with `banner`,
/// or, when `banner` is None, by accepting a TCP connection at all.
/// `bind_error` is the text the server logs when its port is taken.
pub(super) fn wait_until_ready(
    process: &mut ServerProcess,
    port: u16,
    banner: Option<&str>,
    logs: &[&Path],
    bind_error: &str,
) -> Result<(), StartError> {
    // Logs are appended across restarts: look only at what this start adds.
    let log_sizes: Vec<usize> = logs.iter().map(|log| read_lossy(log).len()).collect();
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        if let Some(status) = process.exit_status() {
            let bind_failed = logs
                .iter()
                .zip(&log_sizes)
                .any(|(log, &size)| read_lossy(log).get(size..).is_some_and(|new| new.contains(bind_error)));
            return Err(StartError::Exited { status, bind_failed });
        }
        match probe(port, banner) {
            Ok(()) => return Ok(()),
            Err(problem) if Instant::now() >= deadline => return Err(StartError::Timeout(problem)),
            Err(_) => {}
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// Starts a server whose control port is chosen here: `spawn(port)` starts
/// it on `port`; when something else took the port first (`bind_error` in
/// one of `logs`), it starts again on another one. Panics with `report()`
/// (tails of its files) when the server exits or does not answer with
/// `banner` (see [`wait_until_ready`]). Returns the process and its port.
pub(super) fn start_on_free_port(
    name: &str,
    banner: Option<&str>,
    logs: &[&Path],
    bind_error: &str,
    report: impl Fn() -> String,
    mut spawn: impl FnMut(u16) -> ServerProcess,
) -> (ServerProcess, u16) {
    for _ in 0..BIND_ATTEMPTS {
        let port = free_port();
        let mut process = spawn(port);
        match wait_until_ready(&mut process, port, banner, logs, bind_error) {
            Ok(()) => return (process, port),
            Err(StartError::Exited { bind_failed: true, .. }) => continue,
            Err(StartError::Exited { status, .. }) => panic!("{name} exited ({status}){}", report()),
            Err(StartError::Timeout(problem)) => {
                panic!("{name} on port {port} was not ready within {STARTUP_TIMEOUT:?} ({problem}){}", report())
            }
        }
    }
    panic!("{name}: no free port after {BIND_ATTEMPTS} attempts{}", report());
}

/// One connection attempt; see [`wait_until_ready`].
fn probe(port: u16, banner: Option<&str>) -> Result<(), String> {
    let mut stream = TcpStream::connect_timeout(&localhost(port), Duration::from_millis(500))
        .map_err(|err| format!("connect: {err}"))?;
    let Some(banner) = banner else { return Ok(()) };
    let line = read_first_line(&mut stream).map_err(|err| format!("read banner: {err}"))?;
    if line.starts_with(banner) {
        Ok(())
    } else {
        Err(format!("expected a banner starting with {banner:?}, got {line:?}"))
    }
}

/// Reads up to the first "\n" (at most 1 KiB, 2 s).
fn read_first_line(stream: &mut TcpStream) -> std::io::Result<String> {
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while line.len() < 1024 {
        match stream.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(String::from_utf8_lossy(&line).trim_end().to_owned())
}
