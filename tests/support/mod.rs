//! Test harness: real servers for Ferry's integration tests.
//!
//! Every test starts its own servers on free ports of 127.0.0.1 and drops
//! them at the end; nothing is shared between tests except the client keys
//! and the TLS certificate, which are made once per test process.
//!
//! - [`Sshd`]: OpenSSH's sshd (SFTP), key and password logins.
//! - [`Dropbear`]: Dropbear with OpenSSH's sftp-server, its small default
//!   channel window or one given with `-W`.
//! - [`Vsftpd`]: vsftpd with plain FTP, explicit or implicit FTPS.
//! - [`PureFtpd`]: pure-ftpd (MLSD/MLST) with plain FTP or explicit FTPS.
//! - [`SshAgent`]: an ssh-agent holding test keys.
//! - [`client_keys`], [`test_certificate`]: the key pairs and certificate.
//!
//! `tests/run.sh` prepares a machine for this (packages, the vsftpd, Dropbear and
//! pure-ftpd binaries, the `ferrytest` account). Use it from an integration test with
//! `mod support;`. Only std and `tempfile` are used.
//!
//! Linux only: child processes are found through /proc.

#![allow(dead_code)] // Each test crate uses a different part of the harness.

mod dropbear;
#[allow(unused_imports)] // As above: not every test crate starts Dropbear.
pub use dropbear::{DROPBEAR_DEFAULT_WINDOW, Dropbear};

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::ops::RangeInclusive;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

/// The system account that password logins use (created by `tests/run.sh`).
pub const TEST_USER: &str = "ferrytest";
/// The password `tests/run.sh` gives [`TEST_USER`] on every run.
pub const TEST_PASSWORD: &str = "ferry-test-password";
/// The passphrase of [`ClientKeys::ed25519_protected`].
pub const KEY_PASSPHRASE: &str = "correct horse";

/// How long a server may take to answer after it was started.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);
/// How often a server may fail to bind its port before we give up.
const BIND_ATTEMPTS: usize = 5;
/// Where sshd lives on Debian and Ubuntu; it must be started by absolute
/// path because it re-executes itself for every connection.
const DEFAULT_SSHD: &str = "/usr/sbin/sshd";

const SSHD_CONFIG_TEMPLATE: &str = include_str!("../servers/sshd_config.in");
const VSFTPD_CONFIG_TEMPLATE: &str = include_str!("../servers/vsftpd.conf.in");

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

/// Ports this process has handed out. The kernel may return a port again
/// once its probe socket is closed; remembering them keeps two tests of the
/// same process from starting servers on the same port.
static CLAIMED_PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// Claims every port of `ports` for this process, or none if any was taken.
fn claim_ports(ports: RangeInclusive<u16>) -> bool {
    let mut claimed = CLAIMED_PORTS.lock().unwrap_or_else(|poison| poison.into_inner());
    if ports.clone().any(|port| claimed.contains(&port)) {
        return false;
    }
    claimed.extend(ports);
    true
}

/// A TCP port on 127.0.0.1 that is free now and not handed out before by
/// this process. (Another process may still take it before the server binds
/// it; servers started here retry on a new port when that happens.)
pub fn free_port() -> u16 {
    loop {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0 to find a free port");
        let port = listener.local_addr().expect("local address of a bound socket").port();
        if claim_ports(port..=port) {
            return port;
        }
    }
}

/// `len` consecutive free ports on 127.0.0.1, e.g. vsftpd's passive range.
///
/// They are taken from 20000..32000, below Linux's ephemeral range
/// (32768..60999), so that outgoing client sockets do not grab them between
/// now and the moment the server uses them.
pub fn free_port_block(len: u16) -> RangeInclusive<u16> {
    const LOW: u32 = 20_000;
    const HIGH: u32 = 32_000;
    assert!(len > 0 && u32::from(len) < HIGH - LOW, "port block length {len} out of range");
    // Spread processes over the range so that parallel test binaries rarely
    // probe the same block.
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = HIGH - LOW - u32::from(len);
    for _ in 0..500 {
        let step = NEXT.fetch_add(1, Ordering::Relaxed);
        let offset = std::process::id().wrapping_mul(7919).wrapping_add(step.wrapping_mul(u32::from(len))) % span;
        let start = u16::try_from(LOW + offset).expect("port below 32000 fits u16");
        let block = start..=start + (len - 1);
        if all_bindable(block.clone()) && claim_ports(block.clone()) {
            return block;
        }
    }
    panic!("no block of {len} free ports found in {LOW}..{HIGH}");
}

/// Whether every port of `ports` can be bound on 127.0.0.1 right now.
fn all_bindable(ports: RangeInclusive<u16>) -> bool {
    // Hold all listeners at once so the answer is about the whole block.
    let listeners: Vec<_> = ports.map(|port| TcpListener::bind((Ipv4Addr::LOCALHOST, port))).collect();
    listeners.iter().all(Result::is_ok)
}

fn localhost(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

// ---------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------

/// A line of /etc/passwd.
#[derive(Clone, Debug)]
pub struct Account {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: PathBuf,
}

/// Looks an account up in /etc/passwd by name or by uid.
fn find_account(matches: impl Fn(&str, u32) -> bool) -> Option<Account> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        let [name, _, uid, gid, _, home, ..] = fields.as_slice() else {
            return None;
        };
        let uid: u32 = uid.parse().ok()?;
        if !matches(name, uid) {
            return None;
        }
        Some(Account { name: (*name).to_owned(), uid, gid: gid.parse().ok()?, home: PathBuf::from(home) })
    })
}

/// The [`TEST_USER`] account, if `tests/run.sh` created it.
pub fn test_account() -> Option<Account> {
    find_account(|name, _| name == TEST_USER)
}

/// The effective uid of this process (the owner of /proc/self).
fn effective_uid() -> u32 {
    fs::metadata("/proc/self").expect("stat /proc/self (the harness needs Linux /proc)").uid()
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    effective_uid() == 0
}

/// Whether password logins can work here: only a root-run sshd or vsftpd can
/// check the [`TEST_USER`] password, and `tests/run.sh` must have made the
/// account. Tests that log in with a password call
/// [`require_password_logins`] instead of skipping silently.
pub fn password_logins_available() -> bool {
    is_root() && test_account().is_some()
}

/// Panics with what to do when [`password_logins_available`] is false.
pub fn require_password_logins() {
    assert!(
        is_root(),
        "password-login tests need root (sshd and vsftpd must run as root to check \
         passwords): run `sudo bash tests/run.sh`"
    );
    assert!(
        test_account().is_some(),
        "the test account `{TEST_USER}` does not exist: run `bash tests/run.sh` once as root"
    );
}

/// The user that key logins to [`Sshd`] use: [`TEST_USER`] when the tests
/// run as root, else the user running them (a non-root sshd can only log
/// in the user it runs as).
pub fn ssh_login_user() -> String {
    if is_root() {
        return TEST_USER.to_owned();
    }
    let uid = effective_uid();
    find_account(|_, account_uid| account_uid == uid)
        .map(|account| account.name)
        .or_else(|| std::env::var("USER").ok())
        .expect("cannot tell the current user's name (no /etc/passwd entry, no $USER)")
}

/// The test account, or a panic that says how to create it.
fn expect_test_account() -> Account {
    test_account().unwrap_or_else(|| {
        panic!("the test account `{TEST_USER}` does not exist: run `bash tests/run.sh` once as root")
    })
}

/// Hands `path` and everything below it to `account` (root only).
fn chown_recursive(path: &Path, account: &Account) {
    std::os::unix::fs::chown(path, Some(account.uid), Some(account.gid))
        .unwrap_or_else(|err| panic!("chown {} to {}: {err}", path.display(), account.name));
    if path.is_dir() {
        let entries = fs::read_dir(path).unwrap_or_else(|err| panic!("read {}: {err}", path.display()));
        for entry in entries {
            chown_recursive(&entry.expect("directory entry").path(), account);
        }
    }
}

/// Creates a server's data directory (mode 0755), owned by [`TEST_USER`]
/// when the tests run as root (else by the user running them).
fn create_data_dir(path: &Path) {
    create_dir(path, 0o755);
    if is_root() {
        chown_recursive(path, &expect_test_account());
    }
}

/// Panics unless the tests run as root; `why` says what `server` needs it for.
fn require_root(server: &str, why: &str) {
    assert!(is_root(), "{server} tests need root ({why}): run `sudo bash tests/run.sh`");
}

// ---------------------------------------------------------------------------
// Files and helper commands
// ---------------------------------------------------------------------------

fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|err| panic!("chmod {mode:o} {}: {err}", path.display()));
}

fn write_file(path: &Path, contents: &str, mode: u32) {
    fs::write(path, contents).unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
    set_mode(path, mode);
}

fn create_dir(path: &Path, mode: u32) {
    fs::create_dir_all(path).unwrap_or_else(|err| panic!("mkdir {}: {err}", path.display()));
    set_mode(path, mode);
}

/// A file's content, or an empty string if it does not exist (yet).
fn read_lossy(path: &Path) -> String {
    fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

/// The last `count` lines of each file, for panic messages.
fn tails(files: &[&Path], count: usize) -> String {
    let mut report = String::new();
    for file in files {
        let text = read_lossy(file);
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(count);
        report += &format!("\n--- {} (last {count} lines) ---\n", file.display());
        report += &lines[start..].join("\n");
    }
    report
}

/// Runs a short helper command (ssh-keygen, openssl, ...) to completion and
/// returns its standard output; panics with its output if it fails.
fn run(command: &mut Command) -> String {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err} (run tests/run.sh once)"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Replaces each `@KEY@` of a config template; panics if one is left over,
/// so a template and the harness cannot silently drift apart.
fn fill_template(template: &str, values: &[(&str, String)]) -> String {
    let mut text = template.to_owned();
    for (key, value) in values {
        text = text.replace(&format!("@{key}@"), value);
    }
    let leftover = text.lines().find(|line| {
        !line.trim_start().starts_with('#')
            && line
                .split('@')
                .nth(1)
                .is_some_and(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
    });
    assert!(leftover.is_none(), "unfilled placeholder in config template: {leftover:?}");
    text
}

/// The directory that holds everything this test process creates
/// (`$TMPDIR/ferry-tests-<pid>`). Statics are never dropped, so it is not
/// removed when the process ends; instead each process removes the ones of
/// processes that no longer run. Mode 0755: the test account must reach
/// its data directories inside.
fn process_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = std::env::temp_dir();
        remove_stale_process_dirs(&tmp);
        let dir = tmp.join(format!("ferry-tests-{}", std::process::id()));
        // Left by an earlier process that had our pid.
        let _ = fs::remove_dir_all(&dir);
        create_dir(&dir, 0o755);
        dir
    })
}

fn remove_stale_process_dirs(tmp: &Path) {
    let Ok(entries) = fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|name| name.strip_prefix("ferry-tests-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Opens `path` for appending, creating it if needed.
fn open_append(path: &Path) -> fs::File {
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|err| panic!("open {}: {err}", path.display()))
}

/// A server binary: `$env_var` if set, else `relative_path` below
/// target/test-servers, where tests/run.sh extracts the FTP servers.
fn extracted_binary(env_var: &str, relative_path: &str) -> PathBuf {
    let binary = std::env::var_os(env_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-servers").join(relative_path));
    assert!(binary.exists(), "{} not found: run tests/run.sh once to fetch it (or set {env_var})", binary.display());
    binary
}

/// A fresh directory for one server, removed when dropped.
fn server_dir(prefix: &str) -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(process_dir())
        .expect("create a temporary directory for a test server");
    // sshd reads authorized_keys, and vsftpd and sshd enter the data
    // directory, as the test account.
    set_mode(dir.path(), 0o755);
    dir
}

// ---------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------

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
fn descendants(root: u32) -> Vec<u32> {
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
struct ServerProcess {
    name: &'static str,
    child: Child,
    stopped: bool,
}

impl ServerProcess {
    /// Starts `command` with no stdin and its stdout and stderr appended to
    /// `output` (where servers report start-up errors).
    fn spawn(name: &'static str, command: &mut Command, output: &Path) -> Self {
        Self::try_spawn(name, command, output).unwrap_or_else(|err| panic!("cannot start {name} ({command:?}): {err}"))
    }

    /// [`ServerProcess::spawn`] that returns the error instead of panicking.
    fn try_spawn(name: &'static str, command: &mut Command, output: &Path) -> std::io::Result<Self> {
        let out = open_append(output);
        let err = out.try_clone()?;
        let child = command.stdin(Stdio::null()).stdout(out).stderr(err).spawn()?;
        Ok(ServerProcess { name, child, stopped: false })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has ended.
    fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("check whether a server process is still running")
    }

    /// Kills the process and its descendants and reaps it. Idempotent.
    /// Returns the pids it killed (none if the process had ended).
    fn stop(&mut self) -> Vec<u32> {
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
    fn kill_sessions(&self) {
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
enum StartError {
    /// The process ended; `bind_failed` when its port was taken.
    Exited { status: ExitStatus, bind_failed: bool },
    /// It ran but did not answer in time.
    Timeout(String),
}

/// Waits until `port` answers: with a first line starting with `banner`,
/// or, when `banner` is None, by accepting a TCP connection at all.
/// `bind_error` is the text the server logs when its port is taken.
fn wait_until_ready(
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
fn start_on_free_port(
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

// ---------------------------------------------------------------------------
// syslog
// ---------------------------------------------------------------------------

/// unshare(2) and mount(2), which give a server a /dev of its own (see
/// [`SyslogCapture`]). std already links libc.
mod mount_namespace {
    use std::ffi::{CStr, CString, c_char, c_ulong, c_void};
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::process::CommandExt;
    use std::path::Path;
    use std::process::Command;
    use std::ptr;

    unsafe extern "C" {
        // unshare(2) takes a plain integer.
        safe fn unshare(flags: i32) -> i32;
        fn mount(
            source: *const c_char,
            target: *const c_char,
            filesystem_type: *const c_char,
            flags: c_ulong,
            data: *const c_void,
        ) -> i32;
    }
    /// Linux's numbers (the same on every architecture).
    const CLONE_NEWNS: i32 = 0x0002_0000;
    const MS_BIND: c_ulong = 0x1000;
    const MS_REC: c_ulong = 0x4000;
    const MS_PRIVATE: c_ulong = 0x0004_0000;

    /// The device files the replacement /dev keeps (bound from the real /dev).
    pub const DEVICES: [&str; 4] = ["null", "zero", "random", "urandom"];

    /// Makes `command` run in a mount namespace of its own in which `dev_dir`
    /// is mounted on /dev, with each of [`DEVICES`] bound from the real /dev
    /// onto the empty file of that name in `dev_dir`. The mounts are private
    /// to the namespace: the machine's /dev does not change, and they vanish
    /// with the server's last process. Spawning fails (EPERM) where mount
    /// namespaces are not allowed, e.g. in a container without
    /// CAP_SYS_ADMIN.
    pub fn with_own_dev(command: &mut Command, dev_dir: &Path) {
        let c_path = |path: &Path| CString::new(path.as_os_str().as_bytes()).expect("a path without NUL bytes");
        // Everything the hook needs is allocated here, before the fork.
        let devices: Vec<(CString, CString)> = DEVICES
            .iter()
            .map(|device| (c_path(&Path::new("/dev").join(device)), c_path(&dev_dir.join(device))))
            .collect();
        let dev_dir = c_path(dev_dir);
        let bind = |source: &CStr, target: &CStr, flags: c_ulong| {
            // SAFETY: both are NUL-terminated strings that outlive the call;
            // a bind mount ignores the file system type and data (null).
            check(unsafe { mount(source.as_ptr(), target.as_ptr(), ptr::null(), MS_BIND | flags, ptr::null()) })
        };
        let hook = move || -> io::Result<()> {
            check(unshare(CLONE_NEWNS))?;
            // Keep the mounts below from propagating to the machine (on
            // systemd hosts / is a shared mount).
            // SAFETY: a NUL-terminated literal; source, type and data may be
            // null when only the propagation changes.
            check(unsafe { mount(ptr::null(), c"/".as_ptr(), ptr::null(), MS_REC | MS_PRIVATE, ptr::null()) })?;
            for (source, target) in &devices {
                bind(source, target, 0)?;
            }
            bind(&dev_dir, c"/dev", MS_REC)
        };
        // SAFETY: the hook runs in the child between fork and exec, where
        // only async-signal-safe work is allowed: it makes system calls and
        // reads errno, and allocates nothing.
        unsafe {
            command.pre_exec(hook);
        }
    }

    fn check(result: i32) -> io::Result<()> {
        if result == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
    }
}

/// Collects what a server sends to syslog into its log file, for servers
/// that log nowhere else (pure-ftpd). The server runs in a mount namespace
/// of its own whose /dev is a directory of the harness holding a datagram
/// socket `log` that this collector reads (see
/// [`mount_namespace::with_own_dev`]), so nothing changes on the machine
/// and parallel servers keep their logs apart. That needs root with
/// CAP_SYS_ADMIN; without it [`SyslogCapture::spawn`] starts the server
/// plainly and says so in the log.
///
/// Each message becomes one line (multi-line messages stay as they are),
/// without the `<priority>` prefix: "Nov 24 07:52:20 pure-ftpd: ...".
struct SyslogCapture {
    dev_dir: PathBuf,
    socket_path: PathBuf,
    /// The last flush marker the reader has seen (see [`SyslogCapture::flush`]).
    flushed: Arc<(Mutex<u64>, Condvar)>,
    next_marker: AtomicU64,
    stop: Arc<AtomicBool>,
    reader: Option<thread::JoinHandle<()>>,
}

/// How a flush marker datagram starts: no syslog message starts with NUL.
const SYSLOG_FLUSH_MARKER: &[u8] = b"\0ferry-tests-flush ";

impl SyslogCapture {
    /// Makes `dev_dir` (with the socket) and starts copying messages to
    /// `log_file`.
    fn start(dev_dir: PathBuf, log_file: &Path) -> Self {
        create_dir(&dev_dir, 0o755);
        for device in mount_namespace::DEVICES {
            write_file(&dev_dir.join(device), "", 0o644); // mount points
        }
        let socket_path = dev_dir.join("log");
        let socket = UnixDatagram::bind(&socket_path)
            .unwrap_or_else(|err| panic!("bind a syslog socket at {}: {err}", socket_path.display()));
        // Server processes that dropped root may connect, as with /dev/log.
        set_mode(&socket_path, 0o666);
        socket.set_read_timeout(Some(Duration::from_millis(100))).expect("set a read timeout on the syslog socket");
        let mut log = open_append(log_file);
        let flushed = Arc::new((Mutex::new(0), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = thread::spawn({
            let (flushed, stop) = (Arc::clone(&flushed), Arc::clone(&stop));
            move || copy_syslog_messages(&socket, &mut log, &flushed, &stop)
        });
        SyslogCapture { dev_dir, socket_path, flushed, next_marker: AtomicU64::new(0), stop, reader: Some(reader) }
    }

    /// Starts `command()` with this collector as its /dev/log; where that is
    /// not allowed, starts `command()` plainly (its stderr still goes to
    /// `output`) and notes why in `output`.
    fn spawn(&self, name: &'static str, command: impl Fn() -> Command, output: &Path) -> ServerProcess {
        let mut with_own_dev = command();
        mount_namespace::with_own_dev(&mut with_own_dev, &self.dev_dir);
        ServerProcess::try_spawn(name, &mut with_own_dev, output).unwrap_or_else(|err| {
            let note = format!("ferry tests: no syslog capture for {name} ({err}); only its stderr is logged\n");
            let _ = open_append(output).write_all(note.as_bytes());
            ServerProcess::spawn(name, &mut command(), output)
        })
    }

    /// Waits until every message the server sent before this call is in
    /// the log file: sends a marker through the same socket (datagrams
    /// arrive in order) and waits for the reader to reach it.
    fn flush(&self) {
        let marker = self.next_marker.fetch_add(1, Ordering::Relaxed) + 1;
        let mut datagram = SYSLOG_FLUSH_MARKER.to_vec();
        datagram.extend_from_slice(marker.to_string().as_bytes());
        let sent = UnixDatagram::unbound().and_then(|sender| sender.send_to(&datagram, &self.socket_path));
        if sent.is_err() {
            return;
        }
        let (seen, changed) = &*self.flushed;
        let seen = seen.lock().unwrap_or_else(|poison| poison.into_inner());
        let _ = changed.wait_timeout_while(seen, STARTUP_TIMEOUT, |seen| *seen < marker);
    }
}

impl Drop for SyslogCapture {
    /// Stops the reader once it has copied what is queued.
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

/// The reader thread of [`SyslogCapture`]: copies messages until `stop` is
/// set and the socket has been quiet for a read timeout, and reports flush
/// markers in `flushed`.
fn copy_syslog_messages(socket: &UnixDatagram, log: &mut fs::File, flushed: &(Mutex<u64>, Condvar), stop: &AtomicBool) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match socket.recv(&mut buffer) {
            Ok(len) => {
                let message = &buffer[..len];
                if let Some(marker) = message.strip_prefix(SYSLOG_FLUSH_MARKER) {
                    let marker = String::from_utf8_lossy(marker).parse().unwrap_or(0);
                    let (seen, changed) = flushed;
                    let mut seen = seen.lock().unwrap_or_else(|poison| poison.into_inner());
                    *seen = (*seen).max(marker);
                    changed.notify_all();
                } else {
                    // One write per message: the server appends its stderr
                    // to the same file.
                    let _ = log.write_all(syslog_line(message).as_bytes());
                }
            }
            Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
            }
            Err(err) if err.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// "<95>Nov 24 07:52:20 pure-ftpd: ...\r\n..." -> "Nov 24 07:52:20 pure-ftpd: ...\n...\n".
fn syslog_line(message: &[u8]) -> String {
    let text = String::from_utf8_lossy(message);
    let without_priority = text
        .strip_prefix('<')
        .and_then(|rest| rest.split_once('>'))
        .filter(|(priority, _)| priority.bytes().all(|byte| byte.is_ascii_digit()))
        .map_or(&*text, |(_, rest)| rest);
    format!("{}\n", without_priority.trim_end().replace("\r\n", "\n"))
}

// ---------------------------------------------------------------------------
// Client keys
// ---------------------------------------------------------------------------

/// SSH client key pairs for the tests, made once per test process. Each
/// private key has its public key beside it (`<path>.pub`). Every [`Sshd`]
/// accepts all of them for [`ssh_login_user`].
#[derive(Debug)]
pub struct ClientKeys {
    /// The directory holding the keys (mode 0755).
    pub dir: PathBuf,
    /// Ed25519, OpenSSH format, no passphrase.
    pub ed25519: PathBuf,
    /// Ed25519, OpenSSH format, encrypted with [`ClientKeys::passphrase`].
    pub ed25519_protected: PathBuf,
    /// RSA 3072 in the old PEM format ("BEGIN RSA PRIVATE KEY"), no passphrase.
    pub rsa_pem: PathBuf,
    /// The passphrase of `ed25519_protected` ([`KEY_PASSPHRASE`]).
    pub passphrase: &'static str,
}

impl ClientKeys {
    /// The private keys, in the order of the fields.
    pub fn private_keys(&self) -> [&Path; 3] {
        [&self.ed25519, &self.ed25519_protected, &self.rsa_pem]
    }

    /// The public key file of a private key (`<path>.pub`).
    pub fn public_key_path(private_key: &Path) -> PathBuf {
        let mut path = private_key.as_os_str().to_owned();
        path.push(".pub");
        PathBuf::from(path)
    }

    /// All public keys, one per line: an authorized_keys file.
    pub fn authorized_keys(&self) -> String {
        self.private_keys().iter().map(|key| read_lossy(&Self::public_key_path(key))).collect()
    }
}

/// The client keys of this test process (made on first use).
pub fn client_keys() -> &'static ClientKeys {
    static KEYS: OnceLock<ClientKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let dir = process_dir().join("client-keys");
        create_dir(&dir, 0o755);
        let keys = ClientKeys {
            ed25519: dir.join("id_ed25519"),
            ed25519_protected: dir.join("id_ed25519_protected"),
            rsa_pem: dir.join("id_rsa_pem"),
            passphrase: KEY_PASSPHRASE,
            dir,
        };
        ssh_keygen(&keys.ed25519, &["-t", "ed25519"], "", "ferry-test-ed25519");
        ssh_keygen(&keys.ed25519_protected, &["-t", "ed25519"], KEY_PASSPHRASE, "ferry-test-protected");
        ssh_keygen(&keys.rsa_pem, &["-t", "rsa", "-b", "3072", "-m", "PEM"], "", "ferry-test-rsa");
        // Public keys readable by everyone. Private keys stay 0600 (as
        // ssh-keygen made them): ssh-add and ssh refuse keys that others
        // can read, and real users' keys look like this too.
        for key in keys.private_keys() {
            set_mode(&ClientKeys::public_key_path(key), 0o644);
        }
        keys
    })
}

/// Makes a key pair at `path` and `path.pub` (removing old ones, because
/// ssh-keygen would ask before overwriting).
/// A new unprotected key pair of `key_type` ("ed25519", "rsa", "ecdsa") at `dir/name`, for
/// [`Sshd::start_with_host_key`] or a known_hosts line. Returns the private key's path and the
/// public key as known_hosts holds it: "type base64".
pub fn new_key_pair(dir: &Path, name: &str, key_type: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let bits: &[&str] = if key_type == "rsa" { &["-b", "2048"] } else { &[] };
    ssh_keygen(&path, &[&["-t", key_type], bits].concat(), "", "ferry-test-key");
    let public = read_lossy(&ClientKeys::public_key_path(&path));
    let fields: Vec<&str> = public.split_whitespace().take(2).collect();
    (path, fields.join(" "))
}

fn ssh_keygen(path: &Path, type_args: &[&str], passphrase: &str, comment: &str) {
    let _ = fs::remove_file(path);
    let _ = fs::remove_file(ClientKeys::public_key_path(path));
    run(Command::new("ssh-keygen").arg("-q").args(type_args).args(["-N", passphrase, "-C", comment, "-f"]).arg(path));
}

// ---------------------------------------------------------------------------
// TLS certificate
// ---------------------------------------------------------------------------

/// The self-signed server certificate vsftpd uses, made once per process:
/// CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1, RSA 2048.
///
/// It is marked as an end-entity (server) certificate, CA:FALSE: rustls
/// (webpki) refuses a server certificate that says CA:TRUE, which `openssl
/// req -x509` writes by default, with "CaUsedAsEndEntity". Marked this way, a
/// client can also trust it by adding `cert_pem` to its root store.
#[derive(Debug)]
pub struct TestCertificate {
    /// The certificate, PEM.
    pub cert_pem: PathBuf,
    /// Its private key, PEM, unencrypted.
    pub key_pem: PathBuf,
    /// SHA-256 of the DER certificate: lowercase hex, no colons (what a
    /// client pins or shows as the fingerprint).
    pub sha256_hex: String,
}

/// The certificate of this test process (made on first use).
pub fn test_certificate() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        make_certificate(
            "tls",
            &[
                "basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment",
                "extendedKeyUsage=serverAuth",
            ],
        )
    })
}

/// A self-signed certificate that is its own CA (basicConstraints CA:TRUE,
/// what `openssl req -x509` writes by default and many small servers run):
/// CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1. rustls's
/// chain check refuses it as a server certificate ("CaUsedAsEndEntity").
pub fn self_signed_ca_certificate() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        let certificate = make_certificate("tls-ca", &[]);
        set_mode(&certificate.key_pem, 0o600);
        certificate
    })
}

/// A server certificate like [`test_certificate`] but made only for CN=other.invalid
/// (DNS:other.invalid): pinned or not, it is not valid for 127.0.0.1 or localhost.
pub fn other_name_certificate() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        make_certificate_for(
            "tls-other-name",
            "other.invalid",
            "DNS:other.invalid",
            &[
                "basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment",
                "extendedKeyUsage=serverAuth",
            ],
        )
    })
}

/// A self-signed certificate for CN=localhost (DNS:localhost, IP:127.0.0.1) in the process
/// folder `folder`, with the `extensions` given beyond openssl's defaults.
fn make_certificate(folder: &str, extensions: &[&str]) -> TestCertificate {
    make_certificate_for(folder, "localhost", "DNS:localhost,IP:127.0.0.1", extensions)
}

/// A self-signed certificate for CN=`name` with the subjectAltName `alt_names`, in the process
/// folder `folder`, with the `extensions` given beyond openssl's defaults.
fn make_certificate_for(folder: &str, name: &str, alt_names: &str, extensions: &[&str]) -> TestCertificate {
    let dir = process_dir().join(folder);
    create_dir(&dir, 0o755);
    let cert_pem = dir.join("cert.pem");
    let key_pem = dir.join("key.pem");
    let mut command = Command::new("openssl");
    command
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(&key_pem)
        .arg("-out")
        .arg(&cert_pem)
        .args(["-days", "3650", "-subj", &format!("/CN={name}")])
        .args(["-addext", &format!("subjectAltName={alt_names}")]);
    for extension in extensions {
        command.args(["-addext", extension]);
    }
    run(&mut command);
    set_mode(&cert_pem, 0o644);
    let sha256_hex = certificate_sha256(&cert_pem);
    TestCertificate { cert_pem, key_pem, sha256_hex }
}

/// "sha256 Fingerprint=AB:CD:..." (OpenSSL 3; "SHA256 Fingerprint=" in 1.1)
/// turned into "abcd...".
fn certificate_sha256(cert_pem: &Path) -> String {
    let output = run(Command::new("openssl").args(["x509", "-noout", "-fingerprint", "-sha256", "-in"]).arg(cert_pem));
    let (_, colon_hex) =
        output.trim().split_once('=').unwrap_or_else(|| panic!("unexpected openssl fingerprint output: {output:?}"));
    let hex: String = colon_hex.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
    assert_eq!(hex.len(), 64, "a SHA-256 fingerprint has 64 hex digits: {output:?}");
    hex
}

// ---------------------------------------------------------------------------
// sshd
// ---------------------------------------------------------------------------

/// A private OpenSSH sshd on 127.0.0.1 for SFTP tests.
///
/// It accepts every key of [`client_keys`] and, when the tests run as root,
/// the [`TEST_PASSWORD`] of [`TEST_USER`] (password and keyboard-interactive
/// through PAM). SFTP sessions start in [`Sshd::data_dir`]. Its host key is
/// a fresh ed25519 key. The server, and every session it forked, is killed
/// when the value is dropped.
pub struct Sshd {
    // Declared first so it is dropped (killed) before `dir` is removed.
    process: Option<ServerProcess>,
    dir: TempDir,
    port: u16,
    data_dir: PathBuf,
    config: PathBuf,
    host_key: PathBuf,
    log_file: PathBuf,
    output_file: PathBuf,
    /// Lines from [`Sshd::start_with_extra_config`].
    extra_config: String,
    /// Options from [`Sshd::start_with_sftp_options`].
    sftp_options: String,
}

impl Sshd {
    /// Starts sshd with a new ed25519 host key.
    pub fn start() -> Self {
        Self::start_inner(None, "")
    }

    /// Starts sshd with the given host private key (its `.pub` is used if
    /// present, else derived with ssh-keygen -y).
    pub fn start_with_host_key(host_key: &Path) -> Self {
        Self::start_inner(Some(host_key), "")
    }

    /// Starts sshd with `extra` sshd_config lines, e.g.
    /// "PasswordAuthentication no\n". They come before the harness's own
    /// settings, and sshd keeps the first value it reads for a keyword, so
    /// they override them. No `Match` blocks (they would swallow the rest of
    /// the file) and no second `Subsystem sftp`.
    pub fn start_with_extra_config(extra: &str) -> Self {
        Self::start_inner(None, extra)
    }

    /// Starts sshd whose SFTP server (OpenSSH's, in process) gets `options` as well, as
    /// `sftp-server` takes them: "-P posix-rename" refuses `posix-rename@openssh.com` requests
    /// with "permission denied", though the extension is still offered.
    pub fn start_with_sftp_options(options: &str) -> Self {
        let mut sshd = Self::prepare(None, "");
        sshd.sftp_options = options.to_owned();
        sshd.launch_on_free_port();
        sshd
    }

    fn start_inner(host_key: Option<&Path>, extra_config: &str) -> Self {
        let mut sshd = Self::prepare(host_key, extra_config);
        sshd.launch_on_free_port();
        sshd
    }

    /// Everything but the launch: the folder, the data directory, the keys.
    fn prepare(host_key: Option<&Path>, extra_config: &str) -> Self {
        let binary = sshd_binary();
        assert!(binary.exists(), "{} not found: run tests/run.sh once (it installs openssh-server)", binary.display());
        if is_root() {
            // Privilege separation needs it; tests/run.sh makes it too.
            create_dir(Path::new("/run/sshd"), 0o755);
        }
        let dir = server_dir("sshd-");
        let sshd = Sshd {
            process: None,
            port: 0,
            data_dir: dir.path().join("data"),
            config: dir.path().join("sshd_config"),
            host_key: dir.path().join("host_key"),
            log_file: dir.path().join("sshd.log"),
            output_file: dir.path().join("sshd.out"),
            extra_config: extra_config.to_owned(),
            sftp_options: String::new(),
            dir,
        };
        sshd.make_data_dir();
        match host_key {
            Some(key) => sshd.copy_host_key(key),
            None => ssh_keygen(&sshd.host_key, &["-t", "ed25519"], "", "ferry-test-host"),
        }
        write_file(&sshd.dir.path().join("authorized_keys"), &client_keys().authorized_keys(), 0o644);
        sshd
    }

    /// Drops every open SSH connection (see [`ServerProcess::kill_sessions`]); sshd keeps
    /// listening.
    pub fn kill_sessions(&self) {
        if let Some(process) = &self.process {
            process.kill_sessions();
        }
    }

    /// The port sshd listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> SocketAddr {
        localhost(self.port)
    }

    /// Where SFTP sessions start; owned by the login user.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The user key logins use ([`ssh_login_user`]).
    pub fn login_user(&self) -> String {
        ssh_login_user()
    }

    /// The host private key file (its public key is beside it, `.pub`).
    pub fn host_key_path(&self) -> &Path {
        &self.host_key
    }

    /// The host key fingerprint as `ssh-keygen -lf` prints it:
    /// "SHA256:<base64 without padding>".
    pub fn host_key_fingerprint(&self) -> String {
        let output = run(Command::new("ssh-keygen")
            .args(["-E", "sha256", "-lf"])
            .arg(ClientKeys::public_key_path(&self.host_key)));
        // "256 SHA256:xxxx comment (ED25519)"
        output
            .split_whitespace()
            .nth(1)
            .filter(|field| field.starts_with("SHA256:"))
            .unwrap_or_else(|| panic!("unexpected ssh-keygen -l output: {output:?}"))
            .to_owned()
    }

    /// The host public key file's line: "ssh-ed25519 AAAA... comment".
    pub fn host_key_public_line(&self) -> String {
        read_lossy(&ClientKeys::public_key_path(&self.host_key)).trim().to_owned()
    }

    /// A known_hosts line for this server: "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
    pub fn known_hosts_line(&self) -> String {
        let line = self.host_key_public_line();
        let mut fields = line.split_whitespace();
        let (Some(key_type), Some(key)) = (fields.next(), fields.next()) else {
            panic!("malformed host public key: {line:?}");
        };
        format!("[127.0.0.1]:{} {key_type} {key}", self.port)
    }

    /// Everything sshd logged so far (LogLevel DEBUG3), across restarts.
    pub fn log(&self) -> String {
        read_lossy(&self.log_file)
    }

    /// Stops sshd and starts it again with a different ed25519 host key on
    /// the same port, as after a server reinstall. Open sessions are cut.
    pub fn restart_with_new_host_key(&mut self) {
        self.stop();
        ssh_keygen(&self.host_key, &["-t", "ed25519"], "", "ferry-test-host-new");
        self.relaunch();
    }

    /// Stops sshd and starts it again on the same port, same host key.
    /// Open sessions are cut.
    pub fn restart(&mut self) {
        self.stop();
        self.relaunch();
    }

    /// Kills sshd and every session it serves; the port stops answering.
    /// [`Sshd::restart`] brings it back.
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            let _ = process.stop();
        }
    }

    fn make_data_dir(&self) {
        create_data_dir(&self.data_dir);
    }

    fn copy_host_key(&self, source: &Path) {
        fs::copy(source, &self.host_key).unwrap_or_else(|err| panic!("copy host key {}: {err}", source.display()));
        set_mode(&self.host_key, 0o600); // sshd refuses keys others can read.
        let source_pub = ClientKeys::public_key_path(source);
        let public = if source_pub.exists() {
            read_lossy(&source_pub)
        } else {
            run(Command::new("ssh-keygen").arg("-y").arg("-f").arg(&self.host_key))
        };
        write_file(&ClientKeys::public_key_path(&self.host_key), &public, 0o644);
    }

    fn write_config(&self) {
        let mut allow_users = TEST_USER.to_owned();
        if !is_root() {
            allow_users = format!("{allow_users} {}", ssh_login_user());
        }
        let path = |path: &Path| path.display().to_string();
        let config = fill_template(
            SSHD_CONFIG_TEMPLATE,
            &[
                ("PORT", self.port.to_string()),
                ("HOST_KEY", path(&self.host_key)),
                ("PID_FILE", path(&self.dir.path().join("sshd.pid"))),
                ("AUTHORIZED_KEYS", path(&self.dir.path().join("authorized_keys"))),
                ("ALLOW_USERS", allow_users),
                ("DATA", path(&self.data_dir)),
                ("SFTP_OPTIONS", self.sftp_options.clone()),
                ("EXTRA", format!("{}\n{}", self.extra_config, sshd_version_specific_options())),
            ],
        );
        write_file(&self.config, &config, 0o644);
    }

    /// First start: a fresh port, and another one if something else took it
    /// before sshd could bind it.
    fn launch_on_free_port(&mut self) {
        for _ in 0..BIND_ATTEMPTS {
            self.port = free_port();
            self.write_config();
            match self.try_launch() {
                Ok(()) => return,
                Err(StartError::Exited { bind_failed: true, .. }) => continue,
                Err(error) => self.start_failed(error),
            }
        }
        panic!("sshd: no free port after {BIND_ATTEMPTS} attempts{}", self.report());
    }

    /// Later starts: the same port (a client may hold it in known_hosts).
    /// The old listener is gone, but give the kernel a moment if needed.
    fn relaunch(&mut self) {
        for _ in 0..BIND_ATTEMPTS {
            match self.try_launch() {
                Ok(()) => return,
                Err(StartError::Exited { bind_failed: true, .. }) => {
                    thread::sleep(Duration::from_millis(200));
                }
                Err(error) => self.start_failed(error),
            }
        }
        panic!("sshd: port {} stayed busy after a restart{}", self.port, self.report());
    }

    fn try_launch(&mut self) -> Result<(), StartError> {
        let mut process = ServerProcess::spawn(
            "sshd",
            Command::new(sshd_binary()).args(["-D", "-e", "-f"]).arg(&self.config).arg("-E").arg(&self.log_file),
            &self.output_file,
        );
        let logs = [self.log_file.as_path(), self.output_file.as_path()];
        let result = wait_until_ready(&mut process, self.port, Some("SSH-2.0-"), &logs, "Address already in use");
        if result.is_ok() {
            self.process = Some(process);
        }
        result
    }

    fn start_failed(&self, error: StartError) -> ! {
        match error {
            StartError::Exited { status, .. } => panic!("sshd exited ({status}){}", self.report()),
            StartError::Timeout(problem) => panic!(
                "sshd on port {} gave no SSH-2.0 banner within {STARTUP_TIMEOUT:?} ({problem}){}",
                self.port,
                self.report()
            ),
        }
    }

    fn report(&self) -> String {
        tails(&[&self.output_file, &self.log_file, &self.config], 40)
    }
}

/// `FERRY_SSHD`, else /usr/sbin/sshd.
fn sshd_binary() -> PathBuf {
    std::env::var_os("FERRY_SSHD").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_SSHD))
}

/// Options only some OpenSSH versions know (sshd refuses unknown ones).
fn sshd_version_specific_options() -> String {
    static OPTIONS: OnceLock<String> = OnceLock::new();
    OPTIONS
        .get_or_init(|| {
            // OpenSSH 9.8 penalises addresses whose logins fail; tests try
            // wrong passwords on purpose, all from 127.0.0.1.
            if openssh_version() >= (9, 8) { "PerSourcePenalties no\n".to_owned() } else { String::new() }
        })
        .clone()
}

/// (major, minor) from "OpenSSH_9.2p1, OpenSSL ...", which `sshd -V` prints
/// (older versions print it with their usage text).
fn openssh_version() -> (u32, u32) {
    let output =
        Command::new(sshd_binary()).arg("-V").stdin(Stdio::null()).output().expect("run sshd -V to learn its version");
    let text = String::from_utf8_lossy(&output.stderr) + String::from_utf8_lossy(&output.stdout);
    let version =
        text.split("OpenSSH_").nth(1).unwrap_or_else(|| panic!("no OpenSSH version in `sshd -V` output: {text:?}"));
    let mut numbers = version.split(|c: char| !c.is_ascii_digit()).filter_map(|n| n.parse().ok());
    (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0))
}

// ---------------------------------------------------------------------------
// vsftpd
// ---------------------------------------------------------------------------

/// Which TLS an FTP server ([`Vsftpd`], [`PureFtpd`]) offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FtpTls {
    /// Plain FTP only (AUTH TLS is refused).
    None,
    /// Explicit FTPS (AUTH TLS) offered but not required: plain FTP works
    /// on the same server too.
    Explicit,
    /// Implicit FTPS: TLS from the first byte; the 220 comes inside TLS
    /// ([`Vsftpd`] only). Data connections are still plain until the client sends `PBSZ 0` and
    /// `PROT P` (suppaftp's `connect_secure_implicit` sends neither, then
    /// starts TLS on a plain data connection and hangs).
    Implicit,
}

/// Which certificate a [`Vsftpd`] serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServedCertificate {
    /// [`test_certificate`].
    Test,
    /// [`self_signed_ca_certificate`] (CA:TRUE, as `openssl req -x509` makes by default).
    SelfSignedCa,
    /// [`other_name_certificate`]: made for another host name.
    OtherName,
}

/// How to start a [`Vsftpd`].
#[derive(Clone, Debug)]
pub struct VsftpdOptions {
    pub tls: FtpTls,
    /// vsftpd's `require_ssl_reuse`: data connections must resume the
    /// control connection's TLS session (clients that do not, fail).
    pub require_ssl_reuse: bool,
    /// Seconds of control-connection silence before vsftpd hangs up
    /// ("421 Timeout.").
    pub idle_session_timeout: u32,
    /// vsftpd's `local_max_rate` in bytes per second (0: no limit): a slow server, so a
    /// test can be sure a transfer is half way.
    pub max_rate: u32,
    /// The certificate served for FTPS.
    pub certificate: ServedCertificate,
}

impl Default for VsftpdOptions {
    /// Explicit FTPS available (not forced), session reuse required, 300 s.
    fn default() -> Self {
        VsftpdOptions {
            tls: FtpTls::Explicit,
            require_ssl_reuse: true,
            idle_session_timeout: 300,
            max_rate: 0,
            certificate: ServedCertificate::Test,
        }
    }
}

/// How many passive-mode ports each FTP server gets: enough for a test that
/// opens several data connections at once, with some in TIME_WAIT.
const PASV_PORTS: u16 = 20;

/// A private vsftpd on 127.0.0.1 for FTP and FTPS tests. Needs root (vsftpd
/// checks passwords and switches to the account) and [`TEST_USER`]: log in
/// with [`TEST_USER`] / [`TEST_PASSWORD`]. Sessions start in
/// [`Vsftpd::data_dir`]; every command and reply goes to [`Vsftpd::log`].
/// The TLS certificate is [`test_certificate`]. Killed when dropped.
pub struct Vsftpd {
    // Declared first so it is dropped (killed) before `dir` is removed.
    process: ServerProcess,
    dir: TempDir,
    port: u16,
    pasv_ports: RangeInclusive<u16>,
    data_dir: PathBuf,
    log_file: PathBuf,
    options: VsftpdOptions,
}

impl Vsftpd {
    /// Starts vsftpd and waits until it answers (for plain and explicit
    /// FTPS: until its "220" banner arrives; for implicit FTPS: until it
    /// accepts connections).
    pub fn start(options: VsftpdOptions) -> Self {
        let binary = vsftpd_binary();
        require_root("vsftpd", "vsftpd checks passwords");
        let account = expect_test_account();
        assert!(
            account.home.is_dir(),
            "{TEST_USER}'s home {} is missing; vsftpd refuses logins without it: run tests/run.sh",
            account.home.display()
        );

        let dir = server_dir("vsftpd-");
        let data_dir = dir.path().join("data");
        create_data_dir(&data_dir);
        // vsftpd's secure_chroot_dir: empty, root-owned, not writable.
        create_dir(&dir.path().join("empty"), 0o755);

        let log_file = dir.path().join("vsftpd.log");
        let output_file = dir.path().join("vsftpd.out");
        let config_file = dir.path().join("vsftpd.conf");
        let pasv_ports = free_port_block(PASV_PORTS);
        let banner = (options.tls != FtpTls::Implicit).then_some("220");
        let (process, port) = start_on_free_port(
            "vsftpd",
            banner,
            &[&output_file, &log_file],
            "could not bind listening",
            || tails(&[&output_file, &log_file, &config_file], 40),
            |port| {
                let config = vsftpd_config(&options, dir.path(), port, &pasv_ports, &data_dir, &log_file);
                write_file(&config_file, &config, 0o600);
                ServerProcess::spawn("vsftpd", Command::new(&binary).arg(&config_file), &output_file)
            },
        );
        Vsftpd { process, dir, port, pasv_ports, data_dir, log_file, options }
    }

    /// How many processes serve connections now (vsftpd runs one or two per connection).
    pub fn session_processes(&self) -> usize {
        descendants(self.process.pid()).len()
    }

    /// Drops every open FTP connection (kills the vsftpd children serving them); the
    /// server keeps listening.
    pub fn kill_sessions(&self) {
        self.process.kill_sessions();
    }

    /// The control port (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> SocketAddr {
        localhost(self.port)
    }

    /// The passive-mode data ports vsftpd may use.
    pub fn pasv_ports(&self) -> RangeInclusive<u16> {
        self.pasv_ports.clone()
    }

    /// Where sessions start (vsftpd's local_root); owned by [`TEST_USER`].
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The options it was started with.
    pub fn options(&self) -> &VsftpdOptions {
        &self.options
    }

    /// vsftpd's log so far: connections, logins, every FTP command and
    /// reply ("FTP command: Client \"127.0.0.1\", \"PASV\"", passwords
    /// hidden) and transfers.
    pub fn log(&self) -> String {
        read_lossy(&self.log_file)
    }
}

/// `FERRY_VSFTPD`, else the binary tests/run.sh extracted into target/.
fn vsftpd_binary() -> PathBuf {
    extracted_binary("FERRY_VSFTPD", "vsftpd/usr/sbin/vsftpd")
}

fn vsftpd_config(
    options: &VsftpdOptions,
    dir: &Path,
    port: u16,
    pasv_ports: &RangeInclusive<u16>,
    data_dir: &Path,
    log_file: &Path,
) -> String {
    let yes_no = |on: bool| if on { "YES" } else { "NO" }.to_owned();
    let path = |path: &Path| path.display().to_string();
    let certificate = match options.certificate {
        ServedCertificate::Test => test_certificate(),
        ServedCertificate::SelfSignedCa => self_signed_ca_certificate(),
        ServedCertificate::OtherName => other_name_certificate(),
    };
    fill_template(
        VSFTPD_CONFIG_TEMPLATE,
        &[
            ("PORT", port.to_string()),
            ("DATA", path(data_dir)),
            ("SECURE_CHROOT", path(&dir.join("empty"))),
            ("PASV_MIN", pasv_ports.start().to_string()),
            ("PASV_MAX", pasv_ports.end().to_string()),
            ("IDLE_TIMEOUT", options.idle_session_timeout.to_string()),
            ("MAX_RATE", options.max_rate.to_string()),
            ("SSL_ENABLE", yes_no(options.tls != FtpTls::None)),
            ("IMPLICIT_SSL", yes_no(options.tls == FtpTls::Implicit)),
            ("REQUIRE_SSL_REUSE", yes_no(options.require_ssl_reuse)),
            ("CERT", path(&certificate.cert_pem)),
            ("KEY", path(&certificate.key_pem)),
            ("LOG_FILE", path(log_file)),
            ("XFERLOG_FILE", path(&dir.join("xferlog"))),
        ],
    )
}

// ---------------------------------------------------------------------------
// pure-ftpd
// ---------------------------------------------------------------------------

/// How to start a [`PureFtpd`].
#[derive(Clone, Debug)]
pub struct PureFtpdOptions {
    /// [`FtpTls::None`] or [`FtpTls::Explicit`]; this pure-ftpd has no
    /// implicit FTPS.
    pub tls: FtpTls,
}

impl Default for PureFtpdOptions {
    /// Plain FTP only.
    fn default() -> Self {
        PureFtpdOptions { tls: FtpTls::None }
    }
}

/// A private pure-ftpd on 127.0.0.1: a second FTP server, with MLSD, MLST
/// and MFMT (vsftpd has none of them). Needs root (pure-ftpd switches to the
/// account and chroots) and [`TEST_USER`]'s uid: log in with [`TEST_USER`]
/// / [`TEST_PASSWORD`]. Killed when dropped.
///
/// The login is a pure-ftpd virtual user (PureDB) with the uid and gid of
/// [`TEST_USER`], chrooted to [`PureFtpd::data_dir`]: the session's home
/// and working directory is "/", which is the data directory.
///
/// Differences from [`Vsftpd`] that tests meet: FEAT lists "UTF8" but
/// `OPTS UTF8 ON` gets "504 Unknown command" (Debian builds it without
/// RFC 2640 support; names are passed through as bytes, so UTF-8 names
/// work); FEAT lists "AUTH TLS" even for [`FtpTls::None`], whose `AUTH TLS`
/// then gets "500 This security scheme is not implemented"; LIST hides
/// dot files unless asked with `LIST -a` (MLSD shows them); at most 10
/// clients at a time (pure-ftpd allows half as many as it has passive
/// ports).
pub struct PureFtpd {
    // Declared first so it is dropped (killed) before the syslog reader
    // stops and `dir` is removed.
    process: ServerProcess,
    syslog: SyslogCapture,
    dir: TempDir,
    port: u16,
    pasv_ports: RangeInclusive<u16>,
    data_dir: PathBuf,
    log_file: PathBuf,
    options: PureFtpdOptions,
}

impl PureFtpd {
    /// Starts pure-ftpd and waits until it answers "220". Panics for
    /// [`FtpTls::Implicit`].
    pub fn start(options: PureFtpdOptions) -> Self {
        assert!(
            options.tls != FtpTls::Implicit,
            "PureFtpd cannot do implicit FTPS (Debian's pure-ftpd is built without it): use Vsftpd with FtpTls::Implicit"
        );
        let binary = pure_ftpd_binary();
        require_root("pure-ftpd", "it switches to the test account and chroots");

        let dir = server_dir("pure-ftpd-");
        let data_dir = dir.path().join("data");
        create_data_dir(&data_dir);
        let user_db = pure_ftpd_user_db(&binary, dir.path(), &data_dir);
        let certificate = dir.path().join("pure-ftpd.pem");
        if options.tls == FtpTls::Explicit {
            // pure-ftpd reads the certificate and its key from one file.
            let test = test_certificate();
            write_file(&certificate, &(read_lossy(&test.cert_pem) + &read_lossy(&test.key_pem)), 0o600);
        }

        // stderr (start-up errors) and, through `syslog`, everything else.
        let log_file = dir.path().join("pure-ftpd.log");
        let syslog = SyslogCapture::start(dir.path().join("dev"), &log_file);
        let pasv_ports = free_port_block(PASV_PORTS);
        let (process, port) = start_on_free_port(
            "pure-ftpd",
            Some("220"),
            &[&log_file],
            "Address already in use",
            || tails(&[&log_file], 40),
            |port| {
                let command = || {
                    let mut command = Command::new(&binary);
                    command.args(pure_ftpd_args(&options, dir.path(), port, &pasv_ports, &user_db, &certificate));
                    command
                };
                syslog.spawn("pure-ftpd", command, &log_file)
            },
        );
        PureFtpd { process, syslog, dir, port, pasv_ports, data_dir, log_file, options }
    }

    /// Drops every open FTP connection (kills the pure-ftpd children serving them); the
    /// server keeps listening.
    pub fn kill_sessions(&self) {
        self.process.kill_sessions();
    }

    /// The control port (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// "127.0.0.1:PORT".
    pub fn addr(&self) -> SocketAddr {
        localhost(self.port)
    }

    /// The passive-mode data ports pure-ftpd may use.
    pub fn pasv_ports(&self) -> RangeInclusive<u16> {
        self.pasv_ports.clone()
    }

    /// The session's "/" (pure-ftpd chroots into it); owned by [`TEST_USER`].
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The options it was started with.
    pub fn options(&self) -> &PureFtpdOptions {
        &self.options
    }

    /// pure-ftpd's log so far: its syslog messages with every FTP command
    /// and reply ("pure-ftpd: (ferrytest@127.0.0.1) [DEBUG] Command [pwd] []",
    /// the password shown as "<*>"), logins and transfers, plus its stderr.
    /// Where the harness cannot capture syslog (no mount namespaces, see
    /// [`SyslogCapture`]), only stderr and a line saying so. Everything
    /// pure-ftpd logged before the call is in it.
    pub fn log(&self) -> String {
        self.syslog.flush();
        read_lossy(&self.log_file)
    }
}

impl Drop for PureFtpd {
    /// Kills pure-ftpd and its sessions. A killed session leaves its entry
    /// in pure-ftpd's session list (/var/run/pure-ftpd/client-<pid>, which
    /// `pure-ftpwho` reads): remove those, so they do not pile up.
    fn drop(&mut self) {
        let killed = self.process.stop();
        let Ok(entries) = fs::read_dir(PURE_FTPD_SESSIONS_DIR) else { return };
        for entry in entries.flatten() {
            // "client-00012345"
            let name = entry.file_name();
            let pid = name.to_str().and_then(|name| name.strip_prefix("client-")).and_then(|pid| pid.parse().ok());
            if pid.is_some_and(|pid| killed.contains(&pid)) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// Where pure-ftpd lists its sessions (compiled in; shared by every
/// pure-ftpd on the machine).
const PURE_FTPD_SESSIONS_DIR: &str = "/var/run/pure-ftpd";

/// `FERRY_PURE_FTPD`, else the binary tests/run.sh extracted into target/.
fn pure_ftpd_binary() -> PathBuf {
    extracted_binary("FERRY_PURE_FTPD", "pure-ftpd/usr/sbin/pure-ftpd")
}

/// pure-ftpd's command line. No config file: pure-ftpd reads none unless
/// given one (Debian's wrapper script, which reads /etc/pure-ftpd, is not
/// used). Stays in the foreground (no -B).
fn pure_ftpd_args(
    options: &PureFtpdOptions,
    dir: &Path,
    port: u16,
    pasv_ports: &RangeInclusive<u16>,
    user_db: &Path,
    certificate: &Path,
) -> Vec<String> {
    let path = |path: &Path| path.display().to_string();
    let mut args: Vec<String> = [
        // Listen on 127.0.0.1 only; passive mode on the ports picked for it,
        // announced as 127.0.0.1.
        "-S".to_owned(),
        format!("127.0.0.1,{port}"),
        "-p".to_owned(),
        format!("{}:{}", pasv_ports.start(), pasv_ports.end()),
        "-P".to_owned(),
        "127.0.0.1".to_owned(),
        // No anonymous logins; the virtual users of `user_db` only.
        "-E".to_owned(),
        "-l".to_owned(),
        format!("puredb:{}", path(user_db)),
        // No DNS look-ups of clients (and their delays).
        "-H".to_owned(),
        // Log every command, and with the second -d every reply.
        "-d".to_owned(),
        "-d".to_owned(),
        // Its own pid file instead of the shared /var/run/pure-ftpd.pid.
        "-g".to_owned(),
        path(&dir.join("pure-ftpd.pid")),
    ]
    .into();
    match options.tls {
        FtpTls::None => args.extend(["-Y".to_owned(), "0".to_owned()]),
        // TLS offered, not required.
        FtpTls::Explicit => args.extend(["-Y".to_owned(), "1".to_owned(), "-2".to_owned(), path(certificate)]),
        FtpTls::Implicit => unreachable!("checked in PureFtpd::start"),
    }
    args
}

/// Writes the PureDB user database of one [`PureFtpd`]: [`TEST_USER`] with
/// [`TEST_PASSWORD`], the account's uid and gid, chrooted to `data_dir`.
/// Returns the .pdb file for `-l puredb:`.
///
/// The text file is written here rather than with `pure-pw useradd`,
/// which hashes with argon2id at a cost that makes every login take about
/// 4 s on a test machine; pure-ftpd also accepts crypt(3) hashes, and a
/// SHA-512 one takes milliseconds. `pure-pw mkdb` then builds the
/// database.
fn pure_ftpd_user_db(pure_ftpd: &Path, dir: &Path, data_dir: &Path) -> PathBuf {
    let account = expect_test_account();
    let passwd_file = dir.join("pureftpd.passwd");
    let pdb_file = dir.join("pureftpd.pdb");
    // Fields: login:hash:uid:gid:gecos:home, then 12 empty ones (limits).
    // A home of "<dir>/./" chroots the session to <dir>.
    let line = format!(
        "{TEST_USER}:{}:{}:{}::{}/./{}\n",
        test_password_crypt(),
        account.uid,
        account.gid,
        data_dir.display(),
        ":".repeat(12)
    );
    write_file(&passwd_file, &line, 0o600);
    // pure-pw comes with pure-ftpd: usr/sbin/pure-ftpd -> usr/bin/pure-pw.
    let pure_pw = pure_ftpd.parent().and_then(Path::parent).map(|usr| usr.join("bin/pure-pw"));
    let pure_pw = pure_pw.filter(|path| path.exists()).unwrap_or_else(|| {
        panic!("no pure-pw next to {} (expected ../bin/pure-pw): run tests/run.sh", pure_ftpd.display())
    });
    run(Command::new(pure_pw).arg("mkdb").arg(&pdb_file).arg("-f").arg(&passwd_file));
    pdb_file
}

/// [`TEST_PASSWORD`] as a SHA-512 crypt(3) hash ("$6$..."), made once per
/// process.
fn test_password_crypt() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let output = run(Command::new("openssl").args(["passwd", "-6", "-salt", "ferrytestsalt", TEST_PASSWORD]));
        let hash = output.trim().to_owned();
        assert!(hash.starts_with("$6$"), "unexpected `openssl passwd -6` output: {output:?}");
        hash
    })
}

// ---------------------------------------------------------------------------
// ssh-agent
// ---------------------------------------------------------------------------

/// A private ssh-agent with some keys loaded. Point a client at it with
/// `SSH_AUTH_SOCK=<socket>`. Killed when dropped.
pub struct SshAgent {
    // Declared first so it is dropped (killed) before `dir` is removed.
    process: ServerProcess,
    dir: TempDir,
    socket: PathBuf,
}

impl SshAgent {
    /// Starts ssh-agent and adds each key (passphrase-protected keys of
    /// [`client_keys`] too: the passphrase comes through SSH_ASKPASS).
    pub fn start<P: AsRef<Path>>(keys: &[P]) -> Self {
        let dir = server_dir("agent-");
        let socket = dir.path().join("agent.sock");
        let output = dir.path().join("ssh-agent.out");
        let mut process =
            ServerProcess::spawn("ssh-agent", Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket), &output);
        wait_for_socket(&mut process, &socket, &output);
        let agent = SshAgent { process, dir, socket };
        for key in keys {
            agent.add_key(key.as_ref());
        }
        agent
    }

    /// The agent's socket (the value for SSH_AUTH_SOCK).
    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// `ssh-add KEY`. For a protected key the passphrase is
    /// [`KEY_PASSPHRASE`], given through an askpass script.
    pub fn add_key(&self, key: &Path) {
        let askpass = self.dir.path().join("askpass.sh");
        if !askpass.exists() {
            write_file(&askpass, &format!("#!/bin/sh\necho '{KEY_PASSPHRASE}'\n"), 0o700);
        }
        run(self
            .ssh_add()
            .arg(key)
            .env("SSH_ASKPASS", &askpass)
            // OpenSSH >= 8.4: use askpass even without a display or tty.
            .env("SSH_ASKPASS_REQUIRE", "force")
            .env("DISPLAY", ":0"));
    }

    /// `ssh-add -l`: one line per loaded key ("256 SHA256:... comment (ED25519)").
    pub fn list_keys(&self) -> String {
        run(self.ssh_add().arg("-l"))
    }

    /// An ssh-add command talking to this agent only.
    fn ssh_add(&self) -> Command {
        let mut command = Command::new("ssh-add");
        command.env("SSH_AUTH_SOCK", &self.socket);
        command
    }
}

/// Waits until ssh-agent accepts connections on its socket.
fn wait_for_socket(process: &mut ServerProcess, socket: &Path, output: &Path) {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while UnixStream::connect(socket).is_err() {
        if let Some(status) = process.exit_status() {
            panic!("ssh-agent exited ({status}){}", tails(&[output], 20));
        }
        assert!(
            Instant::now() < deadline,
            "ssh-agent made no socket at {} within {STARTUP_TIMEOUT:?}{}",
            socket.display(),
            tails(&[output], 20)
        );
        thread::sleep(Duration::from_millis(20));
    }
}
