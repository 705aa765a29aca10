//! One trait for every place files live: the local disk, SFTP servers, FTP and FTPS servers.
//!
//! A backend is one logged-in connection. The worker owns it and runs one operation at a time on
//! it; transfers stream through `read_to` and `write_from` with bounded memory.

pub mod ftp;
mod ftp_clock;
pub mod ftp_listing;
pub mod ftp_listing_reader;
mod ftp_names;
mod ftp_proxy;
mod ftp_reply;
pub mod local;
pub mod proxy_tunnel;
mod read_gate;
pub mod scp;
mod scp_command;
mod scp_exec;
pub mod sftp;
mod sftp_error;
mod sftp_listing;
mod sftp_raw;
mod sftp_read;
mod sftp_wire;
mod sftp_write;
mod ssh_login;
mod ssh_methods;
mod ssh_route;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::error::Result;
use crate::model::Entry;
use crate::transfer::rate_limit::Limiters;

/// Size of one chunk moved between a backend and a local file. Large chunks matter for SFTP:
/// libssh2 pipelines requests only within one call, so small buffers cut its speed by half or more.
pub const CHUNK_SIZE: usize = 1024 * 1024;

/// Where a write starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteStart {
    /// Create or truncate the file and write from its beginning.
    Truncate,
    /// Write from byte `n` on (resume). SFTP and the local disk cut the file at `n` first; FTP
    /// has no way to ask for a cut (REST + STOR keeps what lies past the new data on some servers,
    /// such as vsftpd, and cuts it on others, such as pure-ftpd). Resume only where the target
    /// holds exactly the bytes to keep.
    Offset(u64),
    /// Write after the current end of the file.
    Append,
    /// Write from byte `n` on and keep everything else the file holds: one segment of a segmented
    /// upload, whose other segments write the rest of the same file. SFTP only (FTP cannot write
    /// at an offset without cutting or appending).
    At(u64),
}

/// Called with the number of bytes moved so far in the current transfer.
pub type ProgressFn<'a> = &'a mut (dyn FnMut(u64) + Send);

/// A reader a backend streams an upload from.
pub type Source<'a> = &'a mut (dyn AsyncRead + Unpin + Send);

/// A writer a backend streams a download into.
pub type Sink<'a> = &'a mut (dyn AsyncWrite + Unpin + Send);

/// One connection to a place that holds files. Paths are `/`-separated; relative paths are
/// relative to the login folder.
#[async_trait]
pub trait Backend: Send {
    /// The folder the session starts in (the login or home folder), as an absolute path.
    fn home(&self) -> &str;

    /// What the user should know about how this connection works, said once when it opens (a
    /// server without SFTP, reached over SCP).
    fn notice(&self) -> Option<&str> {
        None
    }

    /// Whether `list` gives modification times to the second. FTP's LIST often gives only the
    /// minute (or only the day), so a transfer that keeps times asks for the exact one.
    fn listing_times_are_exact(&self) -> bool {
        true
    }

    /// The limits this connection was opened with; folder walks on it (plans, recursive deletes)
    /// keep to them too.
    fn limits(&self) -> crate::transfer::limits::Limits {
        crate::transfer::limits::Limits::default()
    }

    /// The entries of a folder, without `.` and `..`. A listing past the connection's limits is
    /// an error ([`crate::error::ErrorKind::TooLarge`]), never a silently cut one.
    async fn list(&mut self, path: &str) -> Result<Vec<Entry>>;

    /// One entry's metadata, following symlinks.
    async fn stat(&mut self, path: &str) -> Result<Entry>;

    /// Where `path` really is, every link on the way followed, as an absolute path: what tells
    /// two ways to one folder apart, so a walk that follows links knows where it has been.
    /// `Unsupported` where the server has no way to say.
    async fn real_path(&mut self, path: &str) -> Result<String> {
        Err(crate::error::FerryError::new(
            crate::error::ErrorKind::Unsupported,
            format!("finding where {} leads: this server cannot say", crate::model::escape_control(path)),
        ))
    }

    /// One entry's metadata without following a link at `path` itself: a link is a link. By
    /// default read from its folder's listing; where the listing does not show it (FTP's LIST
    /// hides dot files on some servers, a folder may not be listable), from `stat`.
    async fn lstat(&mut self, path: &str) -> Result<Entry> {
        let name = crate::model::file_name_remote(path).to_string();
        let parent = crate::model::parent_remote(path);
        let listed = match self.list(&parent).await {
            Ok(entries) => entries.into_iter().find(|entry| entry.name == name),
            Err(error)
                if matches!(error.kind, crate::error::ErrorKind::ConnectionLost | crate::error::ErrorKind::Timeout) =>
            {
                return Err(error);
            }
            Err(_) => None,
        };
        match listed {
            Some(entry) => Ok(entry),
            None => self.stat(path).await,
        }
    }

    /// The permission bits of an existing file, where the server tells them.
    async fn permissions_of(&mut self, path: &str) -> Result<Option<u32>> {
        Ok(self.stat(path).await?.permissions)
    }

    /// Creates a folder (its parent must exist).
    async fn mkdir(&mut self, path: &str) -> Result<()>;

    /// Renames or moves a file or folder.
    async fn rename(&mut self, from: &str, to: &str) -> Result<()>;

    /// Removes a file or a symlink.
    async fn remove_file(&mut self, path: &str) -> Result<()>;

    /// Puts the file `from` in the place of the file `to`, which may exist. A plain rename does
    /// that on most servers (POSIX rename, FTP `RNFR`/`RNTO` on vsftpd and pure-ftpd); where it
    /// is refused, [`move_aside_and_rename`] does it without ever deleting the old file first.
    async fn replace_file(&mut self, from: &str, to: &str) -> Result<()> {
        match self.rename(from, to).await {
            Ok(()) => Ok(()),
            Err(refused) => move_aside_and_rename(self, from, to, refused).await,
        }
    }

    /// Removes an empty folder.
    async fn remove_dir(&mut self, path: &str) -> Result<()>;

    /// Sets the permission bits.
    async fn chmod(&mut self, path: &str, mode: u32) -> Result<()>;

    /// Streams a file's bytes from `offset` to its end into `sink`; returns the bytes moved.
    async fn read_to(&mut self, path: &str, offset: u64, sink: Sink<'_>, progress: ProgressFn<'_>) -> Result<u64>;

    /// Like [`Backend::read_to`] into a `sink` held to `limits`, reading from the server no
    /// further ahead of what the sink took than `transfer/read_ahead.rs` allows. A backend that
    /// reads only as fast as its sink takes the bytes needs nothing more than `read_to`.
    async fn read_to_limited(
        &mut self,
        path: &str,
        offset: u64,
        sink: Sink<'_>,
        progress: ProgressFn<'_>,
        _limits: &Limiters,
    ) -> Result<u64> {
        self.read_to(path, offset, sink, progress).await
    }

    /// How many bytes of the last `write_from` the server confirmed it wrote, from where that
    /// write started (SFTP acknowledges every write, in order); `None` where that is not known.
    /// Asked after a failed write, to continue it without a gap.
    fn confirmed_written(&self) -> Option<u64> {
        None
    }

    /// Reads `length` bytes of `path` from `offset` on into `sink` (one segment of a segmented
    /// download), reporting `offset` plus the bytes moved. Stops at the end of the file if that
    /// comes first. Only SFTP reads ranges; the others say it is not supported.
    async fn read_range(
        &mut self,
        path: &str,
        _offset: u64,
        _length: u64,
        _sink: Sink<'_>,
        _progress: ProgressFn<'_>,
    ) -> Result<u64> {
        Err(crate::error::FerryError::new(
            crate::error::ErrorKind::Unsupported,
            format!("reading part of {path}: this connection reads files only whole"),
        ))
    }

    /// Streams `source` to its end into a file, starting as `start` says; returns the bytes moved.
    async fn write_from(
        &mut self,
        path: &str,
        start: WriteStart,
        source: Source<'_>,
        progress: ProgressFn<'_>,
    ) -> Result<u64>;

    /// Sets a file's modification time; `Unsupported` where the server cannot.
    async fn set_modified(&mut self, path: &str, time: DateTime<Utc>) -> Result<()>;

    /// The SHA-256 of a file as the server computes it (lowercase hex), or `None` where the
    /// server offers no way to compute one.
    async fn checksum_sha256(&mut self, _path: &str) -> Result<Option<String>> {
        Ok(None)
    }

    /// Keeps an idle connection open (SSH keep-alive, FTP NOOP).
    async fn keep_alive(&mut self) -> Result<()>;

    /// Logs out and closes the connection.
    async fn disconnect(&mut self) -> Result<()>;
}

/// Puts `from` in the place of `to` after a plain rename was `refused`, for servers that refuse
/// to rename over an existing file (SFTP protocol 3 without `posix-rename@openssh.com`). The old
/// file is first moved aside under a hidden name, never deleted before the new one is in place:
/// if the connection drops between the two renames, the old file is still on the server, and it
/// is moved back when the second rename is refused.
pub async fn move_aside_and_rename<B: Backend + ?Sized>(
    backend: &mut B,
    from: &str,
    to: &str,
    refused: crate::error::FerryError,
) -> Result<()> {
    // Only an existing target explains the refusal; anything else is the real error.
    if backend.stat(to).await.is_err() || backend.stat(from).await.is_err() {
        return Err(refused);
    }
    let aside = crate::transfer::names::remote_aside_path(to);
    let _ = backend.remove_file(&aside).await;
    backend.rename(to, &aside).await?;
    if let Err(error) = backend.rename(from, to).await {
        let _ = backend.rename(&aside, to).await;
        return Err(error);
    }
    if let Err(error) = backend.remove_file(&aside).await {
        let name = crate::model::escape_control(&aside);
        tracing::warn!(target: "ferry::transfer", "could not delete the replaced copy {name}: {error}");
    }
    Ok(())
}

/// The least a transfer must move in each `idle` window: a server that trickles a few bytes at a
/// time would otherwise hold a transfer (and its connection) open for hours.
pub const MIN_BYTES_PER_WINDOW: u64 = 1024;

/// Copies `reader` to its end into `writer` in `CHUNK_SIZE` pieces, reporting the running total
/// (starting from `already`) after each piece. It fails with `TimedOut` if a read or write makes
/// no progress for `idle`, or if less than `MIN_BYTES_PER_WINDOW` moves in any `idle` window.
pub async fn copy_with_progress<R, W>(
    reader: &mut R,
    writer: &mut W,
    already: u64,
    idle: std::time::Duration,
    progress: ProgressFn<'_>,
) -> std::io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let timed_out = |why: String| std::io::Error::new(std::io::ErrorKind::TimedOut, why);
    let stalled = || timed_out(format!("no data moved for {} s", idle.as_secs()));
    let mut buffer = vec![0u8; CHUNK_SIZE];
    let mut moved = 0u64;
    let mut window_start = tokio::time::Instant::now();
    let mut window_bytes = 0u64;
    loop {
        let read = tokio::time::timeout(idle, reader.read(&mut buffer)).await.map_err(|_| stalled())??;
        if read == 0 {
            break;
        }
        // Each write is timed on its own: a writer held to a bandwidth limit takes a chunk in
        // many small writes, and only one that makes no progress is a stall.
        let mut written = 0;
        while written < read {
            let took =
                tokio::time::timeout(idle, writer.write(&buffer[written..read])).await.map_err(|_| stalled())??;
            if took == 0 {
                return Err(std::io::Error::from(std::io::ErrorKind::WriteZero));
            }
            written += took;
            // After each write, not each chunk: a limited transfer's progress moves smoothly.
            progress(already + moved + written as u64);
        }
        moved += read as u64;
        window_bytes += read as u64;
        if window_start.elapsed() >= idle {
            if window_bytes < MIN_BYTES_PER_WINDOW {
                return Err(timed_out(format!("only {window_bytes} bytes moved in {} s", idle.as_secs())));
            }
            window_start = tokio::time::Instant::now();
            window_bytes = 0;
        }
    }
    tokio::time::timeout(idle, writer.flush()).await.map_err(|_| stalled())??;
    Ok(moved)
}

/// Why a connection was not made, with what the worker needs to ask the user and try again.
#[derive(Debug)]
pub enum ConnectError {
    /// A plain failure: refused, unreachable, bad credentials, changed host key...
    Failed(crate::error::FerryError),
    /// The SSH host key of `host`:`port` (the server, or a jump host on the way) is in no
    /// known_hosts file: the user must decide. No credential was sent to it.
    UnknownHostKey {
        /// The host as Ferry connected to it, as known_hosts names it.
        host: String,
        /// Its SSH port.
        port: u16,
        /// The key it offered.
        key: crate::trust::HostKey,
    },
    /// The TLS certificate is not trusted: the user must decide. No credential was sent.
    UntrustedCertificate(crate::trust::RejectedCertificate),
    /// The server wants a password and none was given.
    NeedPassword,
    /// The private key is protected and no passphrase was given.
    NeedPassphrase,
    /// The jump host at this place of the route (0: the first) wants a password and none was
    /// given. No credential went to the server behind it.
    NeedHopPassword(usize),
}

impl From<crate::error::FerryError> for ConnectError {
    fn from(error: crate::error::FerryError) -> Self {
        ConnectError::Failed(error)
    }
}

/// Opens and logs in one connection for `spec`, checking host keys and certificates against `trust`.
pub async fn connect(
    spec: &crate::model::ConnectSpec,
    trust: std::sync::Arc<crate::trust::TrustStore>,
    settings: &ConnectSettings,
) -> Result<Box<dyn Backend>, ConnectError> {
    use crate::model::Protocol;
    // Every step below has its own timeout; this bounds the whole, so no server can hold a
    // connect (and the request or queue item waiting on it) forever.
    let limit = settings.timeout * 3;
    let connecting = async {
        let backend: Box<dyn Backend> = match spec.protocol {
            Protocol::Sftp => sftp::SftpBackend::connect(spec.clone(), trust, settings.clone()).await?,
            Protocol::Ftp | Protocol::Ftpes | Protocol::Ftps => {
                if spec.route != crate::route::Route::Direct {
                    let what = format!("{} through a ProxyCommand or jump hosts", spec.protocol.scheme());
                    return Err(ConnectError::Failed(crate::error::FerryError::new(
                        crate::error::ErrorKind::Unsupported,
                        format!("{what} is not supported yet; only SFTP takes that route"),
                    )));
                }
                Box::new(ftp::FtpBackend::connect(spec, &trust, settings).await?)
            }
            Protocol::Local => Box::new(local::LocalBackend::new()),
        };
        Ok(backend)
    };
    tokio::time::timeout(limit, connecting).await.unwrap_or_else(|_| {
        let what = format!("connecting to {}", spec.display_url());
        Err(ConnectError::Failed(crate::error::FerryError::new(crate::error::ErrorKind::Timeout, what)))
    })
}

/// Connection settings that are not part of a site: timeouts and keep-alive.
#[derive(Debug, Clone)]
pub struct ConnectSettings {
    /// How long to wait for the TCP connection and for any single reply.
    pub timeout: std::time::Duration,
    /// How often an idle connection sends a keep-alive.
    pub keep_alive_interval: std::time::Duration,
    /// How much a server may make Ferry hold: listing sizes, the depth and size of folder walks.
    pub limits: crate::transfer::limits::Limits,
}

impl Default for ConnectSettings {
    fn default() -> Self {
        ConnectSettings {
            timeout: std::time::Duration::from_secs(30),
            keep_alive_interval: std::time::Duration::from_secs(30),
            limits: crate::transfer::limits::Limits::default(),
        }
    }
}

/// Opens a TCP connection to the first address of `host`:`port` that answers within `timeout`.
pub async fn tcp_connect(
    host: &str,
    port: u16,
    timeout: std::time::Duration,
) -> crate::error::Result<tokio::net::TcpStream> {
    use crate::error::{ErrorKind, FerryError};
    let target = format!("{host}:{port}");
    let attempt = async {
        // The resolver's own words ("Name or service not known") add nothing a user can act on;
        // what to check is the kind's advice, given once where the error is shown.
        let addresses = tokio::net::lookup_host((host, port)).await.map_err(|e| {
            tracing::debug!(target: "ferry::net", "looking up {host}: {e}");
            FerryError::new(ErrorKind::HostNotFound, format!("no address is known for {host}"))
        })?;
        let mut last = FerryError::new(ErrorKind::ConnectionLost, format!("connecting to {target}: no address"));
        for address in addresses {
            match tokio::net::TcpStream::connect(address).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(stream);
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    last = FerryError::new(
                        ErrorKind::ConnectionRefused,
                        format!(
                            "{target} refused the connection: no server listens on that port, or a firewall said no"
                        ),
                    );
                }
                Err(e) => last = FerryError::from_io(&e, format!("connecting to {target}")),
            }
        }
        Err(last)
    };
    tokio::time::timeout(timeout, attempt).await.unwrap_or_else(|_| {
        Err(FerryError::new(
            ErrorKind::Timeout,
            format!("connecting to {target}: no answer within {} s", timeout.as_secs()),
        ))
    })
}

/// The first run of 64 hex digits in a server's reply: a SHA-256, in lowercase.
pub fn find_sha256_hex(reply: &str) -> Option<String> {
    reply.split(|c: char| !c.is_ascii_hexdigit()).find(|token| token.len() == 64).map(str::to_ascii_lowercase)
}
