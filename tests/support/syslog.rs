//! Capturing the syslog of a server that logs nowhere else (pure-ftpd), in a /dev of its own.

use std::fs;
use std::io::{ErrorKind, Write};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use super::files::{create_dir, open_append, set_mode, write_file};
use super::process::{STARTUP_TIMEOUT, ServerProcess};

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
pub(super) struct SyslogCapture {
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
    pub(super) fn start(dev_dir: PathBuf, log_file: &Path) -> Self {
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
    pub(super) fn spawn(&self, name: &'static str, command: impl Fn() -> Command, output: &Path) -> ServerProcess {
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
    pub(super) fn flush(&self) {
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
