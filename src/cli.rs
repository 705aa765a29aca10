//! The command line: `ferry ls|get|put|mkdir|rm|mv`, driving the same worker as the window.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::config::ConfigDir;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{
    ConnectSpec, Entry, EntryKind, FtpMode, RequestId, SessionId, escape_control, file_name_remote, join_remote,
    parent_remote,
};
use crate::trust::TrustDecision;
use crate::worker::{self, Answer, Command, Event, Question, WorkerHandle, WorkerOptions};

/// Ferry: an FTP, FTPS and SFTP client. Without a command it opens the window.
#[derive(Debug, Parser)]
#[command(name = "ferry", about, subcommand_precedence_over_arg = true)]
pub struct Cli {
    #[command(flatten)]
    pub options: GlobalOptions,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// A URL to open in the window (sftp://, ftp://, ftpes://, ftps://).
    pub url: Option<String>,
}

/// Options every command takes.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalOptions {
    /// Private key file for SFTP (OpenSSH or PEM format).
    #[arg(long, global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Use active FTP (the server connects back) instead of passive.
    #[arg(long, global = true)]
    pub ftp_active: bool,
    /// Also trust the CA certificates in this PEM file for FTPS.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Read this known_hosts file instead of ~/.ssh/known_hosts (never written).
    #[arg(long, global = true, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,
    /// Accept and remember an SSH host key seen for the first time. A changed key is still refused.
    #[arg(long, global = true)]
    pub accept_new_host_key: bool,
    /// Keep every file Ferry writes in this folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Print the protocol transcript on stderr (passwords masked).
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// The headless commands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// List a remote folder.
    Ls {
        url: String,
        /// Print one JSON array of entries.
        #[arg(long)]
        json: bool,
    },
    /// Download a remote file.
    Get { url: String, local: Option<PathBuf> },
    /// Upload a local file.
    Put { local: PathBuf, url: String },
    /// Create a remote folder.
    Mkdir { url: String },
    /// Delete a remote file or empty folder.
    Rm { url: String },
    /// Rename or move a remote file or folder (NEW_PATH is relative to its folder unless absolute).
    Mv { url: String, new_path: String },
}

impl GlobalOptions {
    /// The config folder these options name.
    pub fn config_dir(&self) -> ConfigDir {
        self.config_dir.clone().map(ConfigDir::at).unwrap_or_else(ConfigDir::platform_default)
    }

    /// Worker options for these command-line options.
    pub fn worker_options(&self) -> WorkerOptions {
        let mut options = WorkerOptions::new(self.config_dir());
        if let Some(file) = &self.known_hosts {
            options.user_known_hosts = Some(file.clone());
        }
        options
    }

    /// Applies the options and `FERRY_PASSWORD` to a spec parsed from a URL.
    fn apply(&self, spec: &mut ConnectSpec) {
        if self.identity.is_some() {
            spec.identity = self.identity.clone();
        }
        if self.ftp_active {
            spec.ftp_mode = FtpMode::Active;
        }
        if self.ca_file.is_some() {
            spec.ca_file = self.ca_file.clone();
        }
        if spec.password.is_none() {
            if let Ok(password) = std::env::var("FERRY_PASSWORD") {
                spec.password = Some(SecretString::from(password));
            }
        }
    }
}

/// Runs one headless command and returns the process exit code.
pub fn run(options: &GlobalOptions, command: CliCommand) -> ExitCode {
    crate::logging::init_stderr(options.verbose);
    match execute(options, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ferry: {error}");
            ExitCode::FAILURE
        }
    }
}

fn execute(options: &GlobalOptions, command: CliCommand) -> Result<()> {
    let url = match &command {
        CliCommand::Ls { url, .. }
        | CliCommand::Get { url, .. }
        | CliCommand::Put { url, .. }
        | CliCommand::Mkdir { url }
        | CliCommand::Rm { url }
        | CliCommand::Mv { url, .. } => url.clone(),
    };
    let mut remote = crate::url::parse_url(&url)?;
    options.apply(&mut remote.spec);
    let mut client = Client::connect(options, remote.spec)?;
    let path = remote.path.clone().unwrap_or_else(|| client.home.clone());
    let outcome = match command {
        CliCommand::Ls { json, .. } => client.list(&path).map(|entries| print_listing(&entries, json)),
        CliCommand::Get { local, .. } => client.get(&path, local),
        CliCommand::Put { local, .. } => client.put(&local, &path),
        CliCommand::Mkdir { .. } => {
            client.simple(|request, session| Command::MakeDir { request, session, path: path.clone() })
        }
        CliCommand::Rm { .. } => client.remove(&path),
        CliCommand::Mv { new_path, .. } => {
            let to = if new_path.starts_with('/') { new_path } else { join_remote(&parent_remote(&path), &new_path) };
            client.simple(|request, session| Command::Rename { request, session, from: path.clone(), to: to.clone() })
        }
    };
    client.handle.send(Command::Disconnect { session: client.session });
    outcome
}

/// One connection driven through the worker, answering its prompts on the terminal.
struct Client {
    handle: WorkerHandle,
    session: SessionId,
    home: String,
    accept_new_host_key: bool,
    progress: Option<indicatif::ProgressBar>,
}

impl Client {
    fn connect(options: &GlobalOptions, spec: ConnectSpec) -> Result<Client> {
        let handle = worker::spawn(options.worker_options(), Arc::new(|| {}))
            .map_err(|e| FerryError::from_io(&e, "starting the worker"))?;
        let mut client = Client {
            handle,
            session: SessionId(0),
            home: String::new(),
            accept_new_host_key: options.accept_new_host_key,
            progress: None,
        };
        let request = client.handle.next_request();
        client.handle.send(Command::Connect { request, spec });
        match client.wait(request)? {
            Event::Connected { session, home, .. } => {
                client.session = session;
                client.home = home;
                Ok(client)
            }
            other => Err(unexpected(other)),
        }
    }

    /// Waits for the event that answers `request`, answering prompts and drawing progress meanwhile.
    fn wait(&mut self, request: RequestId) -> Result<Event> {
        loop {
            let Some(event) = self.handle.recv() else {
                return Err(FerryError::new(ErrorKind::ConnectionLost, "the worker stopped"));
            };
            match event {
                Event::Prompt { prompt, question, .. } => {
                    let answer = answer_on_terminal(&question, self.accept_new_host_key);
                    self.handle.send(Command::Answer { prompt, answer });
                }
                Event::Progress { request: r, bytes, total } if r == request => self.show_progress(bytes, total),
                Event::Failed { request: r, error } if r == request => return Err(error),
                Event::Disconnected { error: Some(error), session } if session == self.session => return Err(error),
                event if answers(&event, request) => {
                    if let Some(bar) = self.progress.take() {
                        bar.finish_and_clear();
                    }
                    return Ok(event);
                }
                _ => {}
            }
        }
    }

    fn show_progress(&mut self, bytes: u64, total: Option<u64>) {
        let bar = self.progress.get_or_insert_with(|| {
            let bar = indicatif::ProgressBar::with_draw_target(total, indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            {
                bar.set_style(style);
            }
            bar
        });
        bar.set_position(bytes);
    }

    fn simple(&mut self, make: impl FnOnce(RequestId, SessionId) -> Command) -> Result<()> {
        let request = self.handle.next_request();
        self.handle.send(make(request, self.session));
        self.wait(request).map(|_| ())
    }

    fn stat(&mut self, path: &str) -> Result<Entry> {
        let request = self.handle.next_request();
        self.handle.send(Command::Stat { request, session: self.session, path: path.to_string() });
        match self.wait(request)? {
            Event::Stat { entry, .. } => Ok(entry),
            other => Err(unexpected(other)),
        }
    }

    fn list(&mut self, path: &str) -> Result<Vec<Entry>> {
        let request = self.handle.next_request();
        self.handle.send(Command::List { request, session: self.session, path: path.to_string() });
        match self.wait(request)? {
            Event::Listing { mut entries, .. } => {
                entries.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(entries)
            }
            other => Err(unexpected(other)),
        }
    }

    fn get(&mut self, remote: &str, local: Option<PathBuf>) -> Result<()> {
        let name = file_name_remote(remote);
        if name.is_empty() || name == "." || name == ".." {
            return Err(FerryError::new(ErrorKind::NotFound, format!("{remote} names no file")));
        }
        let local = match local {
            Some(path) if path.is_dir() => path.join(name),
            Some(path) => path,
            None => PathBuf::from(name),
        };
        let request = self.handle.next_request();
        self.handle.send(Command::Download { request, session: self.session, remote: remote.to_string(), local });
        self.wait(request).map(|_| ())
    }

    fn put(&mut self, local: &Path, remote: &str) -> Result<()> {
        let name = local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let into_folder = remote.ends_with('/') || self.stat(remote).is_ok_and(|entry| entry.kind == EntryKind::Dir);
        let remote = if into_folder { join_remote(remote, &name) } else { remote.to_string() };
        let request = self.handle.next_request();
        self.handle.send(Command::Upload { request, session: self.session, local: local.to_path_buf(), remote });
        self.wait(request).map(|_| ())
    }

    fn remove(&mut self, path: &str) -> Result<()> {
        let is_dir = self.stat(path)?.kind == EntryKind::Dir;
        let path = path.to_string();
        self.simple(|request, session| {
            if is_dir {
                Command::RemoveDir { request, session, path }
            } else {
                Command::RemoveFile { request, session, path }
            }
        })
    }
}

/// Whether `event` is the final answer to `request`.
fn answers(event: &Event, request: RequestId) -> bool {
    match event {
        Event::Connected { request: r, .. }
        | Event::Listing { request: r, .. }
        | Event::Stat { request: r, .. }
        | Event::Done { request: r }
        | Event::Transferred { request: r, .. } => *r == request,
        _ => false,
    }
}

fn unexpected(event: Event) -> FerryError {
    FerryError::new(ErrorKind::Protocol, format!("unexpected answer from the worker: {event:?}"))
}

/// Answers a worker question on the terminal; without one, refuses (or accepts a new host key
/// when `--accept-new-host-key` was given).
fn answer_on_terminal(question: &Question, accept_new_host_key: bool) -> Answer {
    let interactive = std::io::stdin().is_terminal();
    match question {
        Question::UnknownHostKey { host, port, key } => {
            if accept_new_host_key {
                eprintln!("ferry: accepting the new {} host key {} of {host}:{port}", key.key_type, key.fingerprint);
                return Answer::Trust(TrustDecision::AcceptAndRemember);
            }
            if !interactive {
                return Answer::Trust(TrustDecision::Reject);
            }
            eprintln!("The authenticity of host '{host}:{port}' can't be established.");
            eprintln!("{} key fingerprint is {}.", key.key_type, key.fingerprint);
            Answer::Trust(ask_yes_no("Accept and remember this key?"))
        }
        Question::UntrustedCertificate { host, port, certificate } => {
            if !interactive {
                return Answer::Trust(TrustDecision::Reject);
            }
            eprintln!("The TLS certificate of '{host}:{port}' is not trusted: {}", certificate.reason);
            eprintln!("SHA-256 fingerprint: {}", crate::backend::tls::display_fingerprint(&certificate.sha256_hex));
            Answer::Trust(ask_yes_no("Accept and remember this certificate?"))
        }
        Question::Password { url } => Answer::Secret(read_secret(interactive, &format!("Password for {url}: "))),
        Question::KeyPassphrase { key_file } => {
            Answer::Secret(read_secret(interactive, &format!("Passphrase for {}: ", key_file.display())))
        }
    }
}

fn ask_yes_no(question: &str) -> TrustDecision {
    eprint!("{question} (yes/no) ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        TrustDecision::AcceptAndRemember
    } else {
        TrustDecision::Reject
    }
}

fn read_secret(interactive: bool, prompt: &str) -> Option<SecretString> {
    if !interactive {
        return None;
    }
    rpassword::prompt_password(prompt).ok().map(SecretString::from)
}

/// One entry as `ls --json` prints it.
#[derive(serde::Serialize)]
struct JsonEntry<'a> {
    name: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<String>,
}

fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "symlink",
        EntryKind::Other => "other",
    }
}

fn print_listing(entries: &[Entry], json: bool) {
    if json {
        let rows: Vec<JsonEntry<'_>> = entries
            .iter()
            .map(|e| JsonEntry {
                name: &e.name,
                kind: kind_name(e.kind),
                size: e.size,
                modified: e.modified.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                permissions: e.permissions.map(|p| format!("{p:04o}")),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into()));
        return;
    }
    for entry in entries {
        let kind = match entry.kind {
            EntryKind::Dir => 'd',
            EntryKind::Symlink => 'l',
            EntryKind::File => '-',
            EntryKind::Other => '?',
        };
        let permissions = entry.permissions.map(|p| format!("{p:04o}")).unwrap_or_else(|| "----".into());
        let size = entry.size.map(|s| s.to_string()).unwrap_or_default();
        let modified = entry.modified.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
        let target = entry.link_target.as_ref().map(|t| format!(" -> {}", escape_control(t))).unwrap_or_default();
        println!("{kind} {permissions} {size:>12} {modified:16} {}{target}", escape_control(&entry.name));
    }
}
