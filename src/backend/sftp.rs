//! SFTP over libssh2 (the ssh2 crate). libssh2 blocks, so every call runs on a blocking thread
//! while the async side streams data through a small bounded channel.

use std::io::{Read, Seek};
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ssh2::{FileStat, OpenFlags, OpenType, Session, Sftp};
use tokio::io::AsyncReadExt;

use super::scp::ScpBackend;
use super::sftp_error::{remote_io_error, ssh_error};
use super::sftp_listing::Lister;
pub use super::sftp_raw::libssh2_version_string;
use super::sftp_raw::{PosixRename, SecondChannel};
use super::sftp_wire as wire;
use super::sftp_write::PipelinedWriter;
use super::{Backend, CHUNK_SIZE, ConnectError, ConnectSettings, ProgressFn, Sink, Source, WriteStart};
use super::{ssh_login, ssh_route};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, Entry, EntryKind, join_remote};
use crate::transfer::limits::Limits;
use crate::transfer::rate_limit::Limiters;
use crate::trust::TrustStore;

/// How many chunks may wait between the network thread and the local file: bounds memory per
/// connection (a segmented file uses four at once; the 1 GiB test's peak stays far under 100 MB).
pub(super) const CHUNKS_IN_FLIGHT: usize = 2;

/// How long an upload waits to fill a chunk before it sends what it has (a limited upload's
/// source is slow on purpose; a disk fills a chunk well within this).
const SLOW_SOURCE: std::time::Duration = std::time::Duration::from_millis(200);

/// The libssh2 session and its SFTP channel; only ever used from one thread at a time.
pub(super) struct Connection {
    session: Session,
    pub(super) sftp: Sftp,
    /// The second SFTP channel for `posix-rename@openssh.com` and listings with `ls -l` lines,
    /// opened when first needed. It holds its own handle on the session, so it is shut down
    /// before the session is freed.
    second: SecondChannel,
    /// What carries the session when it does not go straight to the server (a ProxyCommand, jump
    /// hosts). Declared last so that it is dropped after the session it carries.
    _route: ssh_route::RouteGuard,
}

/// One logged-in SFTP connection.
pub struct SftpBackend {
    connection: Arc<Mutex<Connection>>,
    /// What the server acknowledged of the last upload (see `Backend::confirmed_written`).
    confirmed: Arc<std::sync::atomic::AtomicU64>,
    home: String,
    limits: Limits,
}

impl SftpBackend {
    /// Connects, checks the host key BEFORE any credential is sent, then authenticates. A
    /// server that refuses SFTP is worked over SCP instead ([`ScpBackend`]), when it runs commands.
    pub async fn connect(
        spec: ConnectSpec,
        trust: Arc<TrustStore>,
        settings: ConnectSettings,
    ) -> Result<Box<dyn Backend>, ConnectError> {
        let limits = settings.limits;
        // The first TCP connection (to the server, or to the first jump host) is made here, with
        // the same timeout and messages as every connection; a ProxyCommand makes its own.
        // A proxy carries that first connection; a ProxyCommand makes its own and cannot go through one.
        let tcp = match ssh_route::first_tcp_hop(&spec) {
            Some((host, port)) => {
                let tcp = super::proxy_tunnel::connect(spec.proxy.as_ref(), &host, port, settings.timeout).await?;
                let tcp = tcp.into_std().map_err(|e| FerryError::from_io(&e, "preparing the connection"))?;
                tcp.set_nonblocking(false).map_err(|e| FerryError::from_io(&e, "preparing the connection"))?;
                Some(tcp)
            }
            None => match &spec.proxy {
                Some(proxy) => {
                    return Err(FerryError::new(
                        ErrorKind::Unsupported,
                        format!(
                            "a ProxyCommand and {} cannot both carry the connection; remove one of them",
                            proxy.label()
                        ),
                    )
                    .into());
                }
                None => None,
            },
        };
        let transcript = crate::transcript::current();
        let opened = tokio::task::spawn_blocking(move || {
            crate::transcript::blocking_scope(transcript, || open_session(tcp, &spec, &trust, &settings))
        })
        .await
        .map_err(|e| FerryError::new(ErrorKind::Protocol, "connecting").with_detail(e.to_string()))??;
        let connection = match opened {
            Opened::Sftp(connection) => connection,
            Opened::Scp(backend) => return Ok(Box::new(backend)),
        };
        let home = connection
            .sftp
            .realpath(Path::new("."))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "/".into());
        Ok(Box::new(SftpBackend {
            connection: Arc::new(Mutex::new(connection)),
            confirmed: Default::default(),
            home,
            limits,
        }))
    }

    /// Runs `job` on a blocking thread with the connection locked.
    pub(super) async fn blocking<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            job(&mut guard)
        })
        .await
        .map_err(|e| FerryError::new(ErrorKind::Protocol, "running an SFTP request").with_detail(e.to_string()))?
    }

    /// Runs one SFTP request like [`SftpBackend::blocking`], with the request (`what`) and the
    /// server's answer in the protocol transcript.
    async fn request<T, F>(&self, what: String, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        wire::sent(&what);
        let outcome = self.blocking(job).await;
        wire::answered(&outcome);
        outcome
    }

    pub(super) fn absolute(&self, path: &str) -> String {
        if path.starts_with('/') { path.to_string() } else { join_remote(&self.home, path) }
    }
}

/// A logged-in connection: over SFTP, or over SCP where the server has no SFTP.
enum Opened {
    Sftp(Connection),
    Scp(ScpBackend),
}

/// Builds the stream for the route, then handshake, host key check, authentication and the
/// SFTP channel (or, where the server has none, SCP), all blocking.
fn open_session(
    tcp: Option<std::net::TcpStream>,
    spec: &ConnectSpec,
    trust: &TrustStore,
    settings: &ConnectSettings,
) -> Result<Opened, ConnectError> {
    let (transport, route) = ssh_route::open(&spec.route, tcp, spec, trust, settings)?;
    let mut session = Session::new().map_err(|e| ssh_error(&e, "starting SSH"))?;
    transport.attach(&mut session);
    ssh_login::login(&mut session, spec, trust, settings).map_err(|error| route.explain(error))?;
    session.set_keepalive(false, u32::try_from(settings.keep_alive_interval.as_secs()).unwrap_or(u32::MAX).max(1));
    let sftp = match session.sftp() {
        Ok(sftp) => sftp,
        Err(error) => match sftp_channel_error(&session, &error) {
            // The SCP backend says, once, that the server has no SFTP and what it does instead.
            no_sftp if no_sftp.kind == ErrorKind::Unsupported => {
                tracing::debug!(target: "ferry::ssh", "{}", no_sftp.log_text());
                return Ok(Opened::Scp(ScpBackend::open(session, route, settings.limits)?));
            }
            failed => return Err(failed.into()),
        },
    };
    wire::note("SFTP channel open");
    Ok(Opened::Sftp(Connection { session, sftp, second: SecondChannel::default(), _route: route }))
}

/// libssh2 says "Unable to request SFTP subsystem" both when the server has no SFTP and when the
/// connection died during the request (a server restarting, a killed session): a second channel
/// tells them apart, so the first is said in plain words and the second is retried.
fn sftp_channel_error(session: &Session, error: &ssh2::Error) -> FerryError {
    let failed = ssh_error(error, "opening the SFTP channel");
    if failed.kind != ErrorKind::Protocol {
        return failed;
    }
    match session.channel_session() {
        Ok(_) => FerryError::new(ErrorKind::Unsupported, "the server does not offer SFTP (its SFTP subsystem is off)")
            .with_log_detail(format!("libssh2 {error}")),
        Err(second) => match ssh_error(&second, "opening the SFTP channel") {
            lost if lost.kind == ErrorKind::ConnectionLost => lost,
            _ => failed,
        },
    }
}

/// What a stat says an entry is, from its mode's type bits.
pub(super) fn kind_of_stat(stat: &FileStat) -> EntryKind {
    match stat.perm.map(|p| p & 0o170000) {
        Some(0o040000) => EntryKind::Dir,
        Some(0o100000) => EntryKind::File,
        Some(0o120000) => EntryKind::Symlink,
        Some(_) => EntryKind::Other,
        None if stat.is_dir() => EntryKind::Dir,
        None => EntryKind::File,
    }
}

pub(super) fn entry_from_stat(name: String, stat: &FileStat) -> Entry {
    let kind = kind_of_stat(stat);
    let mut entry = Entry::new(name, kind);
    entry.size = if kind == EntryKind::Dir { None } else { stat.size };
    entry.modified = stat.mtime.and_then(|t| DateTime::<Utc>::from_timestamp(i64::try_from(t).ok()?, 0));
    entry.permissions = stat.perm.map(|p| p & 0o7777);
    entry.owner = stat.uid.map(|u| u.to_string());
    entry.group = stat.gid.map(|g| g.to_string());
    entry
}

fn stat_only_mtime(time: DateTime<Utc>) -> FileStat {
    let seconds = u64::try_from(time.timestamp()).unwrap_or(0);
    FileStat { size: None, uid: None, gid: None, perm: None, atime: Some(seconds), mtime: Some(seconds) }
}

#[async_trait]
impl Backend for SftpBackend {
    fn home(&self) -> &str {
        &self.home
    }

    fn confirmed_written(&self) -> Option<u64> {
        Some(self.confirmed.load(std::sync::atomic::Ordering::Relaxed))
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    async fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        let dir = self.absolute(path);
        let limits = self.limits;
        self.request(format!("OPENDIR {dir}"), move |c| {
            Lister { session: &c.session, sftp: &c.sftp, second: &mut c.second, limits }.list(&dir)
        })
        .await
    }

    async fn stat(&mut self, path: &str) -> Result<Entry> {
        let full = self.absolute(path);
        self.request(format!("STAT {full}"), move |c| {
            let stat = c.sftp.stat(Path::new(&full)).map_err(|e| ssh_error(&e, &format!("reading {full}")))?;
            Ok(entry_from_stat(crate::model::file_name_remote(&full).to_string(), &stat))
        })
        .await
    }

    async fn lstat(&mut self, path: &str) -> Result<Entry> {
        let full = self.absolute(path);
        self.request(format!("LSTAT {full}"), move |c| {
            let stat = c.sftp.lstat(Path::new(&full)).map_err(|e| ssh_error(&e, &format!("reading {full}")))?;
            let mut entry = entry_from_stat(crate::model::file_name_remote(&full).to_string(), &stat);
            // A link shows where it points and what is there, as a listing's row does.
            if entry.kind == EntryKind::Symlink {
                entry.link_target =
                    c.sftp.readlink(Path::new(&full)).ok().map(|target| target.to_string_lossy().into_owned());
                entry.link_kind = c.sftp.stat(Path::new(&full)).ok().map(|end| kind_of_stat(&end));
            }
            Ok(entry)
        })
        .await
    }

    async fn real_path(&mut self, path: &str) -> Result<String> {
        let full = self.absolute(path);
        self.request(format!("REALPATH {full}"), move |c| {
            let real = c.sftp.realpath(Path::new(&full)).map_err(|e| ssh_error(&e, &format!("following {full}")))?;
            Ok(real.to_string_lossy().into_owned())
        })
        .await
    }

    async fn mkdir(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        self.request(format!("MKDIR {full}"), move |c| {
            let context = format!("creating folder {full}");
            c.sftp.mkdir(Path::new(&full), 0o755).map_err(|e| {
                // OpenSSH answers a generic failure for an existing folder: say what it really is.
                if c.sftp.lstat(Path::new(&full)).is_ok() {
                    FerryError::new(ErrorKind::AlreadyExists, context.clone())
                } else {
                    ssh_error(&e, &context)
                }
            })
        })
        .await
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (self.absolute(from), self.absolute(to));
        self.request(format!("RENAME {from} {to}"), move |c| {
            c.sftp
                .rename(Path::new(&from), Path::new(&to), None)
                .map_err(|e| ssh_error(&e, &format!("renaming {from} to {to}")))
        })
        .await
    }

    /// A new name needs only the plain rename. Over an existing file (which OpenSSH's plain SFTP
    /// rename refuses) `posix-rename@openssh.com` replaces it in one step; a server without the
    /// extension, or one that refuses it, gets the move-aside rename.
    async fn replace_file(&mut self, from: &str, to: &str) -> Result<()> {
        let refused = match self.rename(from, to).await {
            Ok(()) => return Ok(()),
            Err(error) if matches!(error.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) => return Err(error),
            Err(error) => error,
        };
        let (full_from, full_to) = (self.absolute(from), self.absolute(to));
        let renamed = self
            .request(format!("posix-rename@openssh.com {full_from} {full_to}"), move |c| {
                c.second
                    .rename(&c.session, &full_from, &full_to)
                    .map_err(|e| ssh_error(&e, &format!("renaming {full_from} over {full_to}")))
            })
            .await?;
        match renamed {
            PosixRename::Done => Ok(()),
            PosixRename::Unsupported | PosixRename::Refused => {
                super::move_aside_and_rename(self, from, to, refused).await
            }
        }
    }

    async fn remove_file(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        self.request(format!("REMOVE {full}"), move |c| {
            c.sftp.unlink(Path::new(&full)).map_err(|e| ssh_error(&e, &format!("deleting {full}")))
        })
        .await
    }

    async fn remove_dir(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        self.request(format!("RMDIR {full}"), move |c| {
            c.sftp.rmdir(Path::new(&full)).map_err(|e| ssh_error(&e, &format!("deleting folder {full}")))
        })
        .await
    }

    async fn chmod(&mut self, path: &str, mode: u32) -> Result<()> {
        let full = self.absolute(path);
        self.request(format!("SETSTAT {full} mode {:o}", mode & 0o7777), move |c| {
            let stat =
                FileStat { size: None, uid: None, gid: None, perm: Some(mode & 0o7777), atime: None, mtime: None };
            c.sftp
                .setstat(Path::new(&full), stat)
                .map_err(|e| ssh_error(&e, &format!("changing permissions of {full}")))
        })
        .await
    }

    async fn read_to(&mut self, path: &str, offset: u64, sink: Sink<'_>, progress: ProgressFn<'_>) -> Result<u64> {
        self.read_stream(path, offset, u64::MAX, sink, progress, &Limiters::none()).await
    }

    async fn read_to_limited(
        &mut self,
        path: &str,
        offset: u64,
        sink: Sink<'_>,
        progress: ProgressFn<'_>,
        limits: &Limiters,
    ) -> Result<u64> {
        self.read_stream(path, offset, u64::MAX, sink, progress, limits).await
    }

    async fn read_range(
        &mut self,
        path: &str,
        offset: u64,
        length: u64,
        sink: Sink<'_>,
        progress: ProgressFn<'_>,
    ) -> Result<u64> {
        self.read_stream(path, offset, length, sink, progress, &Limiters::none()).await
    }

    async fn write_from(
        &mut self,
        path: &str,
        start: WriteStart,
        source: Source<'_>,
        progress: ProgressFn<'_>,
    ) -> Result<u64> {
        let full = self.absolute(path);
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
        let (offset_sender, offset_receiver) = tokio::sync::oneshot::channel::<u64>();
        self.confirmed = Arc::default();
        let confirmed = self.confirmed.clone();
        wire::sent(&format!("OPEN {full} to WRITE ({start:?})"));
        let writer = self.blocking(move |c| {
            let context = format!("uploading {full}");
            let path = Path::new(&full);
            let flags = match start {
                WriteStart::Truncate => OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE,
                WriteStart::Offset(_) | WriteStart::Append | WriteStart::At(_) => OpenFlags::WRITE | OpenFlags::CREATE,
            };
            let mut file = c.sftp.open_mode(path, flags, 0o644, OpenType::File).map_err(|e| ssh_error(&e, &context))?;
            let offset = match start {
                WriteStart::Truncate => 0,
                WriteStart::Offset(offset) => {
                    // Cut anything past the resume point so the file ends exactly where we write.
                    let stat =
                        FileStat { size: Some(offset), uid: None, gid: None, perm: None, atime: None, mtime: None };
                    file.setstat(stat).map_err(|e| ssh_error(&e, &context))?;
                    offset
                }
                WriteStart::Append => file.stat().map_err(|e| ssh_error(&e, &context))?.size.unwrap_or(0),
                WriteStart::At(offset) => offset,
            };
            file.seek(std::io::SeekFrom::Start(offset)).map_err(|e| FerryError::from_io(&e, context.clone()))?;
            let _ = offset_sender.send(offset);
            // The session's own timeout bounds how long the server may take no data (0 = none set).
            let no_progress_limit = match c.session.timeout() {
                0 => std::time::Duration::from_secs(30),
                millis => std::time::Duration::from_millis(millis.into()),
            };
            // Each chunk joins the requests still in flight, so the link never idles between chunks.
            let mut writer =
                PipelinedWriter::new(&mut file, no_progress_limit, &context, |e| remote_io_error(e, &context))
                    .confirming(confirmed);
            while let Some(chunk) = receiver.blocking_recv() {
                writer.push(&chunk)?;
            }
            writer.finish()?;
            file.fsync().ok();
            file.close().map_err(|e| ssh_error(&e, &context))
        });
        let reader = async move {
            // Wait until the remote file is open, so a refused open is reported as itself.
            let Ok(offset) = offset_receiver.await else { return Ok(0) };
            let mut moved = 0u64;
            loop {
                let mut chunk = vec![0u8; CHUNK_SIZE];
                let mut filled = 0;
                let started = tokio::time::Instant::now();
                while filled < CHUNK_SIZE {
                    let read = source
                        .read(&mut chunk[filled..])
                        .await
                        .map_err(|e| FerryError::from_io(&e, "reading the local file"))?;
                    if read == 0 {
                        break;
                    }
                    filled += read;
                    // A source held to a bandwidth limit fills a chunk slowly: what it gave goes
                    // out now, so the wire sees an even flow and the progress moves.
                    if started.elapsed() >= SLOW_SOURCE {
                        break;
                    }
                }
                if filled == 0 {
                    return Ok::<u64, FerryError>(moved);
                }
                chunk.truncate(filled);
                if sender.send(chunk).await.is_err() {
                    return Ok(moved);
                }
                moved += filled as u64;
                progress(offset + moved);
            }
        };
        let (write_result, read_result) = tokio::join!(writer, reader);
        let moved = write_result.and(read_result);
        wire::answered(&moved);
        moved
    }

    async fn set_modified(&mut self, path: &str, time: DateTime<Utc>) -> Result<()> {
        let full = self.absolute(path);
        self.blocking(move |c| {
            c.sftp
                .setstat(Path::new(&full), stat_only_mtime(time))
                .map_err(|e| ssh_error(&e, &format!("setting the time of {full}")))
        })
        .await
    }

    async fn checksum_sha256(&mut self, path: &str) -> Result<Option<String>> {
        let full = self.absolute(path);
        if full.contains(['\n', '\r', '\0']) {
            return Ok(None);
        }
        self.blocking(move |c| {
            // A shell may be refused (sftp-only accounts): then there is simply no checksum.
            let Ok(mut channel) = c.session.channel_session() else { return Ok(None) };
            let command = format!("sha256sum -- '{}'", full.replace('\'', "'\\''"));
            if channel.exec(&command).is_err() {
                return Ok(None);
            }
            let mut output = String::new();
            let _ = channel.read_to_string(&mut output);
            let _ = channel.wait_close();
            if channel.exit_status().unwrap_or(1) != 0 {
                return Ok(None);
            }
            Ok(super::find_sha256_hex(&output))
        })
        .await
    }

    async fn keep_alive(&mut self) -> Result<()> {
        self.blocking(|c| c.session.keepalive_send().map(|_| ()).map_err(|e| ssh_error(&e, "sending a keep-alive")))
            .await
    }

    async fn disconnect(&mut self) -> Result<()> {
        self.blocking(|c| {
            c.session.disconnect(None, "closed by the user", None).map_err(|e| ssh_error(&e, "disconnecting"))
        })
        .await
    }
}
