//! FTP and FTPS (explicit `AUTH TLS` and implicit) over suppaftp's async client with rustls.
//!
//! Passive mode prefers EPSV and falls back to PASV; the address in a PASV reply is always
//! ignored in favour of the control connection's peer, so a server cannot point our data
//! connection at another host.

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use suppaftp::tokio::{AsyncRustlsConnector, AsyncRustlsFtpStream};
use suppaftp::types::FileType;
use suppaftp::{FtpError, Mode, Status};

use super::ftp_clock::listable_alone;
use super::ftp_listing::ListFormat;
use super::ftp_names::FtpNames;
use super::ftp_reply::{ftp_error, parse_features};
use super::{Backend, ConnectError, ConnectSettings, ProgressFn, Sink, Source, WriteStart, copy_with_progress};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, Entry, EntryKind, FtpMode, Protocol, ServerTimeZone, file_name_remote, join_remote};
use crate::name_charset::NameCharset;
use crate::transfer::limits::Limits;
use crate::transfer::server_time::ServerClock;
use crate::trust::TrustStore;
use crate::trust::tls::{self, SiteTls};

type Stream = AsyncRustlsFtpStream;
type FtpFuture<'a, T> = Pin<Box<dyn Future<Output = std::result::Result<T, FtpError>> + Send + 'a>>;

/// What the server said it supports in its FEAT reply.
#[derive(Debug, Default, Clone)]
struct Features {
    mlsd: bool,
    mfmt: bool,
    /// `HASH` (draft-bryan-ftpext-hash) offers SHA-256.
    hash_sha256: bool,
    /// The older `XSHA256` command.
    xsha256: bool,
}

/// One logged-in FTP or FTPS connection.
pub struct FtpBackend {
    pub(super) stream: Stream,
    home: String,
    features: Features,
    /// The data connection mode in use (suppaftp does not report it back).
    mode: Mode,
    pub(super) timeout: std::time::Duration,
    limits: Limits,
    /// The time zone the user gave for this site's listings (or `Auto`).
    pub(super) time_zone: ServerTimeZone,
    /// How this connection's times are made UTC, once one file's listed time was compared with
    /// its MDTM; kept for the session.
    pub(super) clock: Option<ServerClock>,
    /// The `LIST` format this server speaks, from `SYST` and the first listing; kept for the
    /// session so one odd line does not change the guess.
    list_format: Option<ListFormat>,
    asked_syst: bool,
    /// How this site's names are written: listings are read with it, commands sent in it.
    charset: NameCharset,
}

impl FtpBackend {
    /// Connects, secures the connection when asked (checking the certificate before the
    /// password is sent), logs in and reads the server's features.
    pub async fn connect(
        spec: &ConnectSpec,
        trust: &TrustStore,
        settings: &ConnectSettings,
    ) -> Result<Self, ConnectError> {
        let target = format!("{}:{}", spec.host, spec.port);
        let site_tls = match spec.protocol {
            Protocol::Ftpes | Protocol::Ftps => {
                Some(tls::site_tls(spec.ca_file.as_deref(), trust.accepted_certificates(&spec.host, spec.port))?)
            }
            _ => None,
        };
        super::ftp_proxy::refuse_unproxied_ways(spec)?;
        let tcp = super::proxy_tunnel::connect(spec.proxy.as_ref(), &spec.host, spec.port, settings.timeout).await?;
        let timeout_error = |what: String| move |_| FerryError::new(ErrorKind::Timeout, what);
        let opening = async {
            match (&site_tls, spec.protocol) {
                (Some(site), Protocol::Ftps) => {
                    // Implicit TLS: the handshake comes before the greeting.
                    let connector = AsyncRustlsConnector::from(tokio_rustls::TlsConnector::from(site.config.clone()));
                    let peer =
                        tcp.peer_addr().map_err(|e| FerryError::from_io(&e, format!("connecting to {target}")))?;
                    drop(tcp);
                    let mut stream = Stream::connect_secure_implicit(peer, connector, &spec.host)
                        .await
                        .map_err(|e| ftp_error(e, &format!("securing the connection to {target}")))?;
                    // suppaftp protects data connections but does not tell an implicit server so:
                    // without PBSZ/PROT the server would expect plain data and the transfer would hang.
                    for command in ["PBSZ 0", "PROT P"] {
                        stream
                            .custom_command(command, &[Status::CommandOk])
                            .await
                            .map_err(|e| ftp_error(e, &format!("securing data connections to {target}")))?;
                    }
                    Ok(stream)
                }
                (Some(site), _) => {
                    let plain = Stream::connect_with_stream(tcp)
                        .await
                        .map_err(|e| ftp_error(e, &format!("connecting to {target}")))?;
                    let connector = AsyncRustlsConnector::from(tokio_rustls::TlsConnector::from(site.config.clone()));
                    plain
                        .into_secure(connector, &spec.host)
                        .await
                        .map_err(|e| tls_refused(e, &format!("securing the connection to {target}")))
                }
                (None, _) => {
                    Stream::connect_with_stream(tcp).await.map_err(|e| ftp_error(e, &format!("connecting to {target}")))
                }
            }
        };
        let stream = tokio::time::timeout(settings.timeout, opening)
            .await
            .map_err(timeout_error(format!("connecting to {target}")))?;
        let mut stream = match stream {
            Ok(stream) => stream,
            Err(error) => return Err(site_tls.as_ref().and_then(untrusted).unwrap_or(ConnectError::Failed(error))),
        };
        // Before the login: a user name is a name like any other.
        stream.set_encoding(FtpNames(spec.name_charset)).await;
        if let Some(proxy) = &spec.proxy {
            stream = stream.passive_stream_builder(super::ftp_proxy::data_through_proxy(
                proxy.clone(),
                spec.host.clone(),
                settings.timeout,
            ));
        }

        let user = if spec.user.is_empty() { "anonymous" } else { spec.user.as_str() };
        let password = match (&spec.password, user) {
            (Some(password), _) => password.expose_secret().to_string(),
            (None, "anonymous" | "ftp") => "ferry@".to_string(),
            (None, _) => return Err(ConnectError::NeedPassword),
        };
        let login = tokio::time::timeout(settings.timeout, stream.login(user, &password))
            .await
            .map_err(timeout_error(format!("logging in to {target}")))?;
        if let Err(error) = login {
            let error = ftp_error(error, &format!("logging in to {target} as {user}"));
            let error = if matches!(error.kind, ErrorKind::PermissionDenied | ErrorKind::NotFound) {
                FerryError { kind: ErrorKind::AuthFailed, ..error }
            } else {
                error
            };
            return Err(error.into());
        }
        timed(settings.timeout, "switching to binary mode", stream.transfer_type(FileType::Binary)).await?;

        // FEAT is read as one whole reply. suppaftp's own `feat()` waits for more after a valid
        // one-line "211 No features.", and asking `custom_command` for 211 stops after the first
        // line of a multi-line one; asking for another code makes it read the whole reply and
        // hand it back as "unexpected". A stall fails the connect: a late reply would put every
        // later answer one step out of line.
        let asked = tokio::time::timeout(settings.timeout, stream.custom_command("FEAT", &[Status::CommandOk])).await;
        let offered = match asked {
            Err(_) => {
                return Err(FerryError::new(ErrorKind::Timeout, format!("asking {target} for its features")).into());
            }
            Ok(Err(FtpError::UnexpectedResponse(reply))) if reply.status.code() == 211 => {
                parse_features(&String::from_utf8_lossy(&reply.body))
            }
            Ok(Err(FtpError::ConnectionError(error))) => {
                return Err(FerryError::from_io(&error, format!("asking {target} for its features")).into());
            }
            // Refused or odd: no features.
            Ok(_) => Vec::new(),
        };
        let has = |name: &str| offered.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
        let hash_offers_sha256 =
            offered.iter().any(|(k, v)| k.eq_ignore_ascii_case("HASH") && v.to_ascii_uppercase().contains("SHA-256"));
        let features =
            Features { mlsd: has("MLST"), mfmt: has("MFMT"), hash_sha256: hash_offers_sha256, xsha256: has("XSHA256") };
        // A charset chosen for the site means the server's names are not UTF-8: asking it to
        // switch would make some servers (IIS) convert them, and the names seen would change.
        let names_in_utf8 = matches!(spec.name_charset, NameCharset::Auto)
            || spec.name_charset == NameCharset::from_label("UTF-8").unwrap_or_default();
        if has("UTF8") && names_in_utf8 {
            // Servers that list UTF8 use it already; asking costs one round trip and helps the rest.
            match timed(settings.timeout, "switching to UTF-8", stream.opts("UTF8", Some("ON"))).await {
                Err(error) if matches!(error.kind, ErrorKind::Timeout | ErrorKind::ConnectionLost) => {
                    return Err(error.into());
                }
                // A refusal is fine: the server said it speaks UTF-8 already.
                _ => {}
            }
        }
        let mode = match spec.ftp_mode {
            FtpMode::Passive if has("EPSV") || offered.is_empty() => Mode::ExtendedPassive,
            FtpMode::Passive => Mode::Passive,
            FtpMode::Active => Mode::Active,
        };
        stream.set_passive_nat_workaround(true);
        stream.set_mode(mode);
        // PWD is how paths are made absolute: a stall or a lost connection here fails the connect.
        let home = timed(settings.timeout, "asking for the login folder", stream.pwd()).await?;
        let shown_home = crate::model::escape_control(&home);
        tracing::debug!(target: "ferry::ftp", "{target}: logged in as {user}, home {shown_home}, {features:?}");
        Ok(FtpBackend {
            stream,
            home,
            features,
            mode,
            timeout: settings.timeout,
            limits: settings.limits,
            time_zone: spec.server_time_zone,
            clock: None,
            list_format: None,
            asked_syst: false,
            charset: spec.name_charset,
        })
    }

    fn absolute(&self, path: &str) -> String {
        if path.starts_with('/') { path.to_string() } else { join_remote(&self.home, path) }
    }

    /// Runs a data command; if the server does not understand EPSV, switches to PASV (whose
    /// address is ignored) and runs it again.
    async fn data_command<T>(
        &mut self,
        mut command: impl for<'a> FnMut(&'a mut Stream) -> FtpFuture<'a, T>,
    ) -> std::result::Result<T, FtpError> {
        match command(&mut self.stream).await {
            Err(FtpError::UnexpectedResponse(reply)) if self.epsv_refused(&reply) => {
                let reply_text = crate::model::escape_control(&reply.to_string());
                tracing::debug!(target: "ferry::ftp", "EPSV refused ({reply_text}); falling back to PASV");
                self.mode = Mode::Passive;
                self.stream.set_mode(Mode::Passive);
                command(&mut self.stream).await
            }
            other => other,
        }
    }

    /// A "command not understood" reply while in EPSV mode: the server lacks EPSV.
    fn epsv_refused(&self, reply: &suppaftp::types::Response) -> bool {
        self.mode == Mode::ExtendedPassive && matches!(reply.status.code(), 500 | 501 | 502 | 504)
    }

    /// After Ferry stopped reading a listing and closed its data connection, reads the server's
    /// reply to the cut transfer and checks with a NOOP that the connection is in step. Returns
    /// `error` as it is when it is; otherwise as a lost connection, so the session is given up
    /// rather than read out of step.
    async fn back_in_step(&mut self, error: FerryError) -> FerryError {
        match timed(self.timeout, "checking the connection after a cut listing", self.stream.noop()).await {
            Ok(()) => error,
            Err(_) => FerryError {
                kind: ErrorKind::ConnectionLost,
                context: format!("{}; the server went on sending, so the connection is given up", error.context),
                ..error
            },
        }
    }

    /// Runs a listing command (`MLSD`, `LIST` or `LIST NAME`) in the folder `dir` and reads its
    /// data connection within the limits.
    pub(super) async fn listing(&mut self, dir: &str, command: String) -> Result<Vec<Entry>> {
        let context = format!("listing {dir}");
        // Change into the folder first: LIST's argument is a glob with options on many servers,
        // so names with spaces, dashes or brackets would be misread.
        timed(self.timeout, &context, self.stream.cwd(dir)).await?;
        // One deadline for the whole listing, as for any one reply.
        let deadline = tokio::time::Instant::now() + self.timeout;
        let mlsd = command == "MLSD";
        if !mlsd && self.list_format.is_none() && !self.asked_syst {
            self.asked_syst = true;
            self.list_format = self.announced_format().await?;
        }
        // The data connection is read here, not by the library, so no listing can outgrow the limits.
        let opening = self.data_command(move |s| {
            let command = command.clone();
            Box::pin(async move { s.custom_data_command(&command, &[Status::AboutToSend, Status::AlreadyOpen]).await })
        });
        let (_, transfer) = tokio::time::timeout_at(deadline, opening)
            .await
            .map_err(|_| FerryError::new(ErrorKind::Timeout, context.clone()))?
            .map_err(|e| ftp_error(e, &context))?;
        let mut data = tokio::io::BufReader::new(transfer);
        let format = &mut self.list_format;
        let reading = super::ftp_listing_reader::read_listing(
            &mut data,
            super::ftp_listing_reader::ListingContext { dir, mlsd, charset: self.charset, limits: &self.limits },
            format,
            Utc::now(),
        );
        let entries = match tokio::time::timeout_at(deadline, reading).await {
            Ok(Ok(entries)) => entries,
            Ok(Err(error)) if error.kind == ErrorKind::TooLarge => {
                // Closing the data connection tells the server to stop sending.
                drop(data);
                return Err(self.back_in_step(error).await);
            }
            Ok(Err(error)) => return Err(error),
            Err(_) => return Err(FerryError::new(ErrorKind::Timeout, context)),
        };
        tokio::time::timeout_at(deadline, data.into_inner().finish())
            .await
            .map_err(|_| FerryError::new(ErrorKind::Timeout, context.clone()))?
            .map_err(|e| ftp_error(e, &context))?;
        Ok(entries)
    }

    /// The listing format the server's `SYST` reply announces. A refusal or an odd reply is no
    /// guess; a stall fails, since a late reply would put every later answer out of line.
    async fn announced_format(&mut self) -> Result<Option<ListFormat>> {
        match tokio::time::timeout(self.timeout, self.stream.custom_command("SYST", &[Status::Name])).await {
            Err(_) => Err(FerryError::new(ErrorKind::Timeout, "asking the server for its system type")),
            Ok(Ok(reply)) => Ok(ListFormat::from_syst(&String::from_utf8_lossy(&reply.body))),
            Ok(Err(FtpError::ConnectionError(error))) => {
                Err(FerryError::from_io(&error, "asking the server for its system type"))
            }
            Ok(Err(_)) => Ok(None),
        }
    }

    /// Whether `path` is a folder, found by changing into it (works on every server).
    async fn is_dir(&mut self, path: &str) -> Result<bool> {
        match timed(self.timeout, &format!("opening {path}"), self.stream.cwd(path)).await {
            Ok(()) => Ok(true),
            Err(error) if matches!(error.kind, ErrorKind::Timeout | ErrorKind::ConnectionLost) => Err(error),
            Err(_) => Ok(false),
        }
    }
}

/// Applies the command timeout to one control-connection exchange.
async fn timed<T>(
    timeout: std::time::Duration,
    what: &str,
    future: impl Future<Output = std::result::Result<T, FtpError>>,
) -> Result<T> {
    match tokio::time::timeout(timeout, future).await {
        Ok(result) => result.map_err(|e| ftp_error(e, what)),
        Err(_) => Err(FerryError::new(ErrorKind::Timeout, what.to_string())),
    }
}

/// If the verifier refused the certificate, the question to ask the user.
fn untrusted(site: &SiteTls) -> Option<ConnectError> {
    let slot = site.rejected.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    slot.clone().map(ConnectError::UntrustedCertificate)
}

/// Whether an MLST line's facts say `type=cdir` or `type=pdir` (the folder itself, or its parent).
fn mlst_names_a_folder(line: &str) -> bool {
    let facts = line.trim_start().split(' ').next().unwrap_or_default().to_ascii_lowercase();
    facts.split(';').any(|fact| fact == "type=cdir" || fact == "type=pdir")
}

/// `YYYYMMDDHHMMSS`, the time format of MDTM and MFMT.
fn ftp_time(time: DateTime<Utc>) -> String {
    time.format("%Y%m%d%H%M%S").to_string()
}

#[async_trait]
impl Backend for FtpBackend {
    fn home(&self) -> &str {
        &self.home
    }

    fn listing_times_are_exact(&self) -> bool {
        self.features.mlsd
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    async fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        let dir = self.absolute(path);
        if self.features.mlsd {
            return self.listing(&dir, "MLSD".to_string()).await;
        }
        let mut entries = self.listing(&dir, "LIST".to_string()).await?;
        self.correct_listed_times(&dir, &mut entries).await?;
        Ok(entries)
    }

    /// MLST's `UNIX.mode` where the server has MLST; otherwise, for an existing file, the one
    /// line `LIST NAME` gives (only for names no server could read as a pattern or an option).
    async fn permissions_of(&mut self, path: &str) -> Result<Option<u32>> {
        if self.features.mlsd {
            return Ok(self.stat(path).await?.permissions);
        }
        let full = self.absolute(path);
        // SIZE costs no data connection: a new file (the common case) is known at once.
        if timed(self.timeout, &format!("reading {full}"), self.stream.size(&full)).await.is_err() {
            return Ok(None);
        }
        let name = file_name_remote(&full).to_string();
        if !listable_alone(&name) {
            return Ok(None);
        }
        let entries = self.listing(&crate::model::parent_remote(&full), format!("LIST {name}")).await?;
        let listed = entries.iter().filter(|entry| entry.name == name && entry.kind == EntryKind::File);
        Ok(listed.map(|entry| entry.permissions).next().flatten())
    }

    async fn stat(&mut self, path: &str) -> Result<Entry> {
        let full = self.absolute(path);
        let context = format!("reading {full}");
        let name = file_name_remote(&full).to_string();
        if self.features.mlsd {
            let line = timed(self.timeout, &context, self.stream.mlst(Some(&full))).await?;
            let mut entry = match super::ftp_listing::parse_mlsd_line(&line) {
                Some(entry) => entry,
                // A listing's "this folder" or "parent folder" facts, as pure-ftpd answers for
                // "/": still a folder.
                None if mlst_names_a_folder(&line) => Entry::new(name.clone(), EntryKind::Dir),
                None => return Err(FerryError::new(ErrorKind::Protocol, context).with_reply(line)),
            };
            entry.name = name;
            return Ok(entry);
        }
        if self.is_dir(&full).await? {
            return Ok(Entry::new(name, EntryKind::Dir));
        }
        let size = timed(self.timeout, &context, self.stream.size(&full)).await?;
        let mut entry = Entry::new(name, EntryKind::File);
        entry.size = Some(size as u64);
        entry.modified = match timed(self.timeout, &context, self.stream.mdtm(&full)).await {
            Ok(time) => Some(self.mdtm_clock(&full).await?.mdtm_to_utc(time.and_utc())),
            Err(error) if matches!(error.kind, ErrorKind::Timeout | ErrorKind::ConnectionLost) => return Err(error),
            // MDTM is optional: a server without it just gives no time.
            Err(_) => None,
        };
        Ok(entry)
    }

    async fn mkdir(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        let context = format!("creating folder {full}");
        match timed(self.timeout, &context, self.stream.mkdir(&full)).await {
            Err(error) if error.kind != ErrorKind::ConnectionLost && self.is_dir(&full).await.unwrap_or(false) => {
                Err(FerryError { kind: ErrorKind::AlreadyExists, ..error })
            }
            other => other,
        }
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (self.absolute(from), self.absolute(to));
        timed(self.timeout, &format!("renaming {from} to {to}"), self.stream.rename(&from, &to)).await
    }

    async fn remove_file(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        timed(self.timeout, &format!("deleting {full}"), self.stream.rm(&full)).await
    }

    async fn remove_dir(&mut self, path: &str) -> Result<()> {
        let full = self.absolute(path);
        timed(self.timeout, &format!("deleting folder {full}"), self.stream.rmdir(&full)).await
    }

    async fn chmod(&mut self, path: &str, mode: u32) -> Result<()> {
        let full = self.absolute(path);
        let command = format!("CHMOD {:o} {full}", mode & 0o7777);
        timed(self.timeout, &format!("changing permissions of {full}"), self.stream.site(command)).await.map(|_| ())
    }

    async fn read_to(&mut self, path: &str, offset: u64, sink: Sink<'_>, progress: ProgressFn<'_>) -> Result<u64> {
        let full = self.absolute(path);
        let context = format!("downloading {full}");
        let timeout = self.timeout;
        let offset_usize =
            usize::try_from(offset).map_err(|_| FerryError::new(ErrorKind::Unsupported, context.clone()))?;
        let name = full.clone();
        let opening = self.data_command(move |s| {
            let name = name.clone();
            Box::pin(async move {
                s.resume_transfer(offset_usize).await?;
                s.retr_as_stream(name).await
            })
        });
        let mut transfer = tokio::time::timeout(timeout, opening)
            .await
            .map_err(|_| FerryError::new(ErrorKind::Timeout, context.clone()))?
            .map_err(|e| ftp_error(e, &context))?;
        let moved = copy_with_progress(&mut transfer, sink, offset, timeout, progress)
            .await
            .map_err(|e| FerryError::from_io(&e, context.clone()))?;
        timed(self.timeout, &context, transfer.finish()).await?;
        Ok(moved)
    }

    async fn write_from(
        &mut self,
        path: &str,
        start: WriteStart,
        source: Source<'_>,
        progress: ProgressFn<'_>,
    ) -> Result<u64> {
        let full = self.absolute(path);
        let context = format!("uploading {full}");
        if let WriteStart::At(_) = start {
            return Err(FerryError::new(ErrorKind::Unsupported, format!("{context}: FTP cannot write part of a file")));
        }
        let timeout = self.timeout;
        let name = full.clone();
        let opening = self.data_command(move |s| {
            let name = name.clone();
            Box::pin(async move {
                match start {
                    WriteStart::Truncate | WriteStart::At(_) => s.put_with_stream(name).await,
                    WriteStart::Append => s.append_with_stream(name).await,
                    WriteStart::Offset(offset) => {
                        s.resume_transfer(usize::try_from(offset).unwrap_or(usize::MAX)).await?;
                        s.put_with_stream(name).await
                    }
                }
            })
        });
        let mut transfer = tokio::time::timeout(timeout, opening)
            .await
            .map_err(|_| FerryError::new(ErrorKind::Timeout, context.clone()))?
            .map_err(|e| ftp_error(e, &context))?;
        let already = match start {
            WriteStart::Offset(offset) => offset,
            _ => 0,
        };
        let moved = copy_with_progress(source, &mut transfer, already, timeout, progress)
            .await
            .map_err(|e| FerryError::from_io(&e, context.clone()))?;
        timed(self.timeout, &context, transfer.finish()).await?;
        Ok(moved)
    }

    async fn set_modified(&mut self, path: &str, time: DateTime<Utc>) -> Result<()> {
        let full = self.absolute(path);
        let context = format!("setting the time of {full}");
        // MFMT is the standard; vsftpd and others take a two-argument MDTM instead.
        let command = if self.features.mfmt { "MFMT" } else { "MDTM" };
        let time = self.mdtm_clock(&full).await?.utc_to_mdtm(time);
        let line = format!("{command} {} {full}", ftp_time(time));
        match timed(self.timeout, &context, self.stream.custom_command(line, &[Status::File])).await {
            Err(error) if error.kind == ErrorKind::Unsupported => {
                Err(FerryError { kind: ErrorKind::Unsupported, ..error })
            }
            other => other.map(|_| ()),
        }
    }

    async fn checksum_sha256(&mut self, path: &str) -> Result<Option<String>> {
        let full = self.absolute(path);
        let context = format!("asking the server for the SHA-256 of {full}");
        // Hashing a large file takes the server a while: allow more than one reply's time.
        let patience = self.timeout * 10;
        let reply = if self.features.hash_sha256 {
            timed(self.timeout, &context, self.stream.custom_command("OPTS HASH SHA-256", &[Status::CommandOk]))
                .await?;
            timed(patience, &context, self.stream.custom_command(format!("HASH {full}"), &[Status::File])).await?
        } else if self.features.xsha256 {
            timed(
                patience,
                &context,
                self.stream.custom_command(format!("XSHA256 {full}"), &[Status::RequestedFileActionOk]),
            )
            .await?
        } else {
            return Ok(None);
        };
        Ok(super::find_sha256_hex(&String::from_utf8_lossy(&reply.body)))
    }

    async fn keep_alive(&mut self) -> Result<()> {
        timed(self.timeout, "sending a keep-alive", self.stream.noop()).await
    }

    async fn disconnect(&mut self) -> Result<()> {
        timed(self.timeout, "disconnecting", self.stream.quit()).await
    }
}

/// What a failed switch to TLS means. A reply that refuses `AUTH TLS` says the server offers no
/// TLS here, whatever its code: vsftpd without TLS answers "530 Please login with USER and PASS.",
/// which is no verdict on a password (none was sent).
fn tls_refused(error: FtpError, context: &str) -> FerryError {
    let refused = matches!(error, FtpError::UnexpectedResponse(_));
    let error = ftp_error(error, context);
    if refused {
        FerryError { kind: ErrorKind::Unsupported, ..error }.with_detail("the server does not offer TLS (FTPS) here")
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of_reply(reply: &str) -> ErrorKind {
        let code: u32 = reply[..3].parse().unwrap();
        let status = suppaftp::Status::from(code);
        ftp_error(FtpError::UnexpectedResponse(suppaftp::types::Response::new(status, reply.into())), "storing x").kind
    }

    #[test]
    fn a_missing_folder_is_not_found_and_a_refusal_is_permission_denied() {
        assert_eq!(kind_of_reply("553 /up/d1/f.txt: No such file or directory."), ErrorKind::NotFound);
        assert_eq!(kind_of_reply("550 /up/d1: No such file or directory."), ErrorKind::NotFound);
        assert_eq!(kind_of_reply("553 Could not create file."), ErrorKind::PermissionDenied);
        assert_eq!(kind_of_reply("553 /up/f.txt: Permission denied."), ErrorKind::PermissionDenied);
        assert_eq!(kind_of_reply("550 Create directory operation failed: file exists."), ErrorKind::AlreadyExists);
        assert_eq!(kind_of_reply("451 Rename/move failure: Permission denied"), ErrorKind::PermissionDenied);
        assert_eq!(kind_of_reply("550 Can't remove directory: Directory not empty"), ErrorKind::NotEmpty);
    }

    #[test]
    fn features_are_read_from_the_indented_lines() {
        let reply = "211-Features:\r\n EPSV\r\n MLST type*;size*;modify*;\r\n HASH SHA-1;SHA-256*\r\n211 End";
        let features = parse_features(reply);
        assert_eq!(features[0], ("EPSV".to_string(), String::new()));
        assert_eq!(features[1], ("MLST".to_string(), "type*;size*;modify*;".to_string()));
        assert_eq!(features[2].0, "HASH");
        assert!(parse_features("211 No features.").is_empty());
    }
}
