//! Files on an SSH server that has no SFTP, as WinSCP reaches them: listings by `ls -la`,
//! changes by `mkdir`, `mv`, `rm` and `chmod`, every name quoted for the remote shell
//! (`scp_command`), and the bytes themselves by SCP over the same SSH connection.
//!
//! Chosen when the server refuses the SFTP channel. A server that runs no commands either gets
//! an error that says exactly that. What SCP cannot do, it refuses plainly: it cannot start a
//! write half way (a resumed upload is sent again from its start).

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ssh2::Session;
use tokio::io::AsyncWriteExt;

use super::ftp_listing::ListFormat;
use super::scp_command::{self as command, LsFlavor};
use super::scp_exec::{self as exec, no_commands};
use super::sftp_error::{remote_io_error, ssh_error};
use super::sftp_wire as wire;
use super::ssh_route::RouteGuard;
use super::{Backend, CHUNK_SIZE, ProgressFn, Sink, Source, WriteStart};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, escape_control, file_name_remote, join_remote};
use crate::transfer::limits::Limits;

/// How many chunks may wait between the network thread and the local file.
const CHUNKS_IN_FLIGHT: usize = 4;

/// What the window shows above the listing of a connection that fell back to SCP.
pub const FALLBACK_NOTICE: &str =
    "The server does not offer SFTP: Ferry works over SCP and shell commands (ls, mv, rm, mkdir) instead";

/// What the protocol log says, once, when a connection falls back to SCP.
const FALLBACK_LOG_LINE: &str = "no SFTP on this server: working over SCP and shell commands (ls, mv, rm, mkdir)";

/// The SSH session; only ever used from one thread at a time.
struct ShellConnection {
    session: Session,
    /// What carries the session when it does not go straight to the server; dropped after it.
    _route: RouteGuard,
}

/// One logged-in SSH connection worked through SCP and shell commands.
pub struct ScpBackend {
    connection: Arc<Mutex<ShellConnection>>,
    home: String,
    flavor: LsFlavor,
    limits: Limits,
}

impl ScpBackend {
    /// Takes over a logged-in `session` whose server refused SFTP (blocking): asks it, in one
    /// command, whether it runs commands at all, where they start, and which `ls` it has.
    pub(super) fn open(session: Session, route: RouteGuard, limits: Limits) -> Result<Self> {
        let (status, output) = exec::run(&session, &command::probe_command(), "asking the server what it runs")?;
        let Some(probe) = command::read_probe(&output) else {
            return Err(no_commands(&format!("exit status {status}: {}", escape_control(output.trim()))));
        };
        wire::note(FALLBACK_LOG_LINE);
        tracing::info!(target: "ferry::ssh", "{FALLBACK_LOG_LINE} (its ls: {:?})", probe.flavor);
        let connection = ShellConnection { session, _route: route };
        Ok(ScpBackend { connection: Arc::new(Mutex::new(connection)), home: probe.home, flavor: probe.flavor, limits })
    }

    /// Runs `job` on a blocking thread with the session locked.
    async fn blocking<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Session) -> Result<T> + Send + 'static,
    {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let guard = connection.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            job(&guard.session)
        })
        .await
        .map_err(|e| FerryError::new(ErrorKind::Protocol, "running an SCP request").with_detail(e.to_string()))?
    }

    /// Runs a command that prints nothing when it works.
    async fn quiet(&self, built: Result<String>, context: String) -> Result<()> {
        let built = built?;
        self.blocking(move |session| exec::run_quiet(session, &built, &context)).await
    }

    fn absolute(&self, path: &str) -> String {
        if path.starts_with('/') { path.to_string() } else { join_remote(&self.home, path) }
    }

    /// One entry as `ls -ld` shows it; `follow` follows a link at `path`.
    async fn ls_one(&self, path: &str, follow: bool) -> Result<Entry> {
        let full = self.absolute(path);
        let built = command::stat_command(&full, self.flavor, follow)?;
        let flavor = self.flavor;
        self.blocking(move |session| {
            let context = format!("reading {}", escape_control(&full));
            let (status, output) = exec::run(session, &built, &context)?;
            if status != 0 {
                return Err(command::command_error(&context, status, &output));
            }
            let line = output.lines().next().unwrap_or_default();
            let parsed = ListFormat::Unix.parse(line, Utc::now()).ok_or_else(|| {
                FerryError::new(
                    ErrorKind::Protocol,
                    format!("{context}: the server's ls answered a line Ferry cannot read"),
                )
                .with_reply(line)
            })?;
            // The line names the path as given; the entry is named by its last part.
            let mut entry = exec::tidied(parsed, flavor);
            entry.name = file_name_remote(&full).to_string();
            Ok(entry)
        })
        .await
    }
}

#[async_trait]
impl Backend for ScpBackend {
    fn home(&self) -> &str {
        &self.home
    }

    fn notice(&self) -> Option<&str> {
        Some(FALLBACK_NOTICE)
    }

    fn listing_times_are_exact(&self) -> bool {
        // Only GNU's `--time-style=full-iso` gives seconds; other `ls` give minutes or days.
        self.flavor == LsFlavor::Gnu
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    async fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        let dir = self.absolute(path);
        let built = command::list_command(&dir, self.flavor)?;
        let (flavor, limits) = (self.flavor, self.limits);
        self.blocking(move |session| exec::list(session, &built, &dir, flavor, &limits, Utc::now())).await
    }

    async fn stat(&mut self, path: &str) -> Result<Entry> {
        self.ls_one(path, true).await
    }

    async fn lstat(&mut self, path: &str) -> Result<Entry> {
        self.ls_one(path, false).await
    }

    async fn real_path(&mut self, path: &str) -> Result<String> {
        let full = self.absolute(path);
        let built = command::real_path_command(&full)?;
        self.blocking(move |session| {
            let context = format!("following {}", escape_control(&full));
            match exec::run(session, &built, &context)? {
                (0, said) if said.starts_with('/') => Ok(said.trim_end_matches('\n').to_string()),
                (status, said) => Err(command::command_error(&context, status, &said)),
            }
        })
        .await
    }

    async fn mkdir(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        self.quiet(command::mkdir_command(&full), format!("creating folder {}", escape_control(&full))).await
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (self.absolute(from), self.absolute(to));
        let context = format!("renaming {} to {}", escape_control(&from), escape_control(&to));
        self.quiet(command::rename_command(&from, &to), context).await
    }

    async fn replace_file(&mut self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (self.absolute(from), self.absolute(to));
        let context = format!("renaming {} over {}", escape_control(&from), escape_control(&to));
        self.quiet(command::replace_command(&from, &to), context).await
    }

    async fn remove_file(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        self.quiet(command::remove_file_command(&full), format!("deleting {}", escape_control(&full))).await
    }

    async fn remove_dir(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        self.quiet(command::remove_dir_command(&full), format!("deleting folder {}", escape_control(&full))).await
    }

    async fn chmod(&mut self, path: &str, mode: u32) -> Result<()> {
        let full = self.absolute(path);
        let context = format!("changing permissions of {}", escape_control(&full));
        self.quiet(command::chmod_command(&full, mode), context).await
    }

    /// SCP sends a file whole, after announcing its size: the bytes before `offset` are read and
    /// dropped, and exactly the announced size is taken, never a byte more.
    async fn read_to(&mut self, path: &str, offset: u64, sink: Sink<'_>, progress: ProgressFn<'_>) -> Result<u64> {
        let full = self.absolute(path);
        command::quote(&full)?;
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
        wire::sent(&format!("scp -f {full} (from byte {offset})"));
        let reader = self.blocking(move |session| receive(session, &full, offset, &sender));
        let writer = async move {
            let mut moved = 0u64;
            while let Some(chunk) = receiver.recv().await {
                sink.write_all(&chunk).await.map_err(|e| FerryError::from_io(&e, "writing the local file"))?;
                moved += chunk.len() as u64;
                progress(offset + moved);
            }
            sink.flush().await.map_err(|e| FerryError::from_io(&e, "writing the local file"))?;
            Ok::<u64, FerryError>(moved)
        };
        let (read_result, write_result) = tokio::join!(reader, writer);
        let moved = write_result.and_then(|moved| read_result.map(|()| moved));
        wire::answered(&moved);
        moved
    }

    /// SCP announces a file's size before its first byte, so the source is first read into an
    /// unnamed local file (bounded memory, whatever the size), then sent. It cannot write from
    /// the middle of a file: a resume is refused, and the upload starts over.
    async fn write_from(
        &mut self,
        path: &str,
        start: WriteStart,
        source: Source<'_>,
        progress: ProgressFn<'_>,
    ) -> Result<u64> {
        let full = self.absolute(path);
        command::quote(&full)?;
        if start != WriteStart::Truncate && start != WriteStart::Offset(0) {
            return Err(FerryError::new(
                ErrorKind::Unsupported,
                format!("uploading {}: SCP cannot continue a file part way, only send it whole", escape_control(&full)),
            ));
        }
        let spooled = tempfile::tempfile().map_err(|e| FerryError::from_io(&e, "making room for the upload"))?;
        let mut spool = tokio::fs::File::from_std(spooled);
        let size =
            tokio::io::copy(source, &mut spool).await.map_err(|e| FerryError::from_io(&e, "reading the local file"))?;
        spool.flush().await.map_err(|e| FerryError::from_io(&e, "making room for the upload"))?;
        let mut spooled = spool.into_std().await;
        use std::io::Seek;
        spooled.rewind().map_err(|e| FerryError::from_io(&e, "making room for the upload"))?;
        let (sent_sender, mut sent_receiver) = tokio::sync::mpsc::unbounded_channel::<u64>();
        wire::sent(&format!("scp -t {full} ({size} bytes)"));
        let sender = self.blocking(move |session| send(session, &full, size, &mut spooled, &sent_sender));
        let reporter = async move {
            while let Some(sent) = sent_receiver.recv().await {
                progress(sent);
            }
        };
        let (sent, ()) = tokio::join!(sender, reporter);
        let sent = sent.map(|()| size);
        wire::answered(&sent);
        sent
    }

    async fn set_modified(&mut self, path: &str, time: DateTime<Utc>) -> Result<()> {
        let full = self.absolute(path);
        self.quiet(command::touch_command(&full, time), format!("setting the time of {}", escape_control(&full))).await
    }

    async fn checksum_sha256(&mut self, path: &str) -> Result<Option<String>> {
        let full = self.absolute(path);
        let Ok(built) = command::sha256_command(&full) else { return Ok(None) };
        self.blocking(move |session| match exec::run(session, &built, "computing a checksum")? {
            (0, said) => Ok(super::find_sha256_hex(&said)),
            _ => Ok(None),
        })
        .await
    }

    async fn keep_alive(&mut self) -> Result<()> {
        self.blocking(|session| session.keepalive_send().map(|_| ()).map_err(|e| ssh_error(&e, "sending a keep-alive")))
            .await
    }

    async fn disconnect(&mut self) -> Result<()> {
        self.blocking(|session| {
            session.disconnect(None, "closed by the user", None).map_err(|e| ssh_error(&e, "disconnecting"))
        })
        .await
    }
}

/// Receives `full` by SCP (blocking) and hands its bytes from `offset` on to `sender`. Exactly
/// the size the server announced is taken: fewer is a cut transfer, and anything but SCP's
/// closing zero byte after them is a server sending more than it said; both are errors, so the
/// copy is never taken for whole.
fn receive(session: &Session, full: &str, offset: u64, sender: &tokio::sync::mpsc::Sender<Vec<u8>>) -> Result<()> {
    let context = format!("downloading {}", escape_control(full));
    let (mut channel, stat) = match session.scp_recv(Path::new(full)) {
        Ok(opened) => opened,
        Err(error) => return Err(explain_refusal(session, full, ssh_error(&error, &context))),
    };
    let announced = stat.size();
    if offset > announced {
        return Err(FerryError::new(
            ErrorKind::FileChanged,
            format!("{context}: the server's file is {announced} bytes, shorter than the {offset} already here"),
        ));
    }
    let mut received = 0u64;
    let mut buffer = vec![0u8; CHUNK_SIZE];
    while received < announced {
        let want = usize::try_from((announced - received).min(CHUNK_SIZE as u64)).unwrap_or(CHUNK_SIZE);
        let read = channel.read(&mut buffer[..want]).map_err(|e| remote_io_error(&e, &context))?;
        if read == 0 {
            return Err(FerryError::new(
                ErrorKind::ConnectionLost,
                format!("{context}: the server sent {received} of the {announced} bytes it announced"),
            ));
        }
        let start = received;
        received += read as u64;
        // Bytes before `offset` are already here (a resumed download): dropped.
        let skip = usize::try_from(offset.saturating_sub(start)).unwrap_or(usize::MAX).min(read);
        if skip < read && sender.blocking_send(buffer[skip..read].to_vec()).is_err() {
            // The receiving side stopped (cancelled, or a local write failed).
            return Ok(());
        }
    }
    let mut end = [0u8; 1];
    match channel.read(&mut end) {
        Ok(1) if end[0] == 0 => {}
        Ok(0) => {}
        Ok(_) => {
            return Err(FerryError::new(
                ErrorKind::Protocol,
                format!("{context}: the server sent more than the {announced} bytes it announced"),
            ));
        }
        Err(error) => return Err(remote_io_error(&error, &context)),
    }
    let _ = channel.send_eof();
    let _ = channel.close();
    Ok(())
}

/// Sends `size` bytes of `file` to `full` by SCP (blocking), reporting the bytes sent to
/// `sent`; stops half way when nobody listens any more (the upload was cancelled), which leaves
/// the server's copy short, never taken for whole.
fn send(
    session: &Session,
    full: &str,
    size: u64,
    file: &mut std::fs::File,
    sent: &tokio::sync::mpsc::UnboundedSender<u64>,
) -> Result<()> {
    let context = format!("uploading {}", escape_control(full));
    let mut channel = match session.scp_send(Path::new(full), 0o644, size, None) {
        Ok(channel) => channel,
        Err(error) => {
            let parent = crate::model::parent_remote(full);
            return Err(explain_refusal(session, &parent, ssh_error(&error, &context)));
        }
    };
    let mut buffer = vec![0u8; CHUNK_SIZE];
    let mut moved = 0u64;
    while moved < size {
        let read = file.read(&mut buffer).map_err(|e| FerryError::from_io(&e, "reading the file to upload"))?;
        if read == 0 {
            return Err(FerryError::new(ErrorKind::LocalIo, format!("{context}: the local copy ended early")));
        }
        channel.write_all(&buffer[..read]).map_err(|e| remote_io_error(&e, &context))?;
        moved += read as u64;
        if sent.send(moved).is_err() {
            return Err(FerryError::new(ErrorKind::Cancelled, context));
        }
    }
    // SCP's closing zero byte says the file is whole; without it the server's scp takes the
    // end of input for a lost connection and says so in its exit status.
    channel.write_all(&[0]).map_err(|e| remote_io_error(&e, &context))?;
    channel.send_eof().map_err(|e| ssh_error(&e, &context))?;
    channel.wait_eof().map_err(|e| ssh_error(&e, &context))?;
    channel.close().map_err(|e| ssh_error(&e, &context))?;
    channel.wait_close().map_err(|e| ssh_error(&e, &context))?;
    match channel.exit_status() {
        Ok(0) => Ok(()),
        Ok(status) => {
            Err(FerryError::new(ErrorKind::Protocol, format!("{context}: the server's scp ended with status {status}")))
        }
        Err(error) => Err(ssh_error(&error, &context)),
    }
}

/// libssh2 says only that SCP failed; `checked` (the file to download, the folder to upload
/// into) tells why: missing, or out of reach. That is the error a user can act on.
fn explain_refusal(session: &Session, checked: &str, failed: FerryError) -> FerryError {
    if matches!(failed.kind, ErrorKind::ConnectionLost | ErrorKind::Timeout) {
        return failed;
    }
    let Ok(built) = command::stat_command(checked, LsFlavor::Plain, true) else { return failed };
    match exec::run(session, &built, &failed.context) {
        Ok((status, said)) if status != 0 => command::command_error(&failed.context, status, &said),
        _ => failed,
    }
}
