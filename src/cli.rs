//! The command line: `ferry ls|get|put|mkdir|rm|mv`, driving the same worker as the window, and
//! `ferry bookmarks list|add|rm|import|export`. Wherever a URL is accepted, so is `NAME:/path`
//! (a bookmark or an ssh config Host alias).

use std::collections::HashMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::bookmarks::{self, Bookmark, BookmarkStore, Keychain, LoginMethod, SecretOutcome};
use crate::config::ConfigDir;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{
    ConnectSpec, Entry, EntryKind, FtpMode, RequestId, SessionId, escape_control, join_remote, parent_remote,
};
use crate::transfer::policy::{FileFacts, OnExists};
use crate::trust::TrustDecision;
use crate::worker::{
    self, Answer, Command, Direction, Event, Integrity, ItemId, ItemState, Question, QueueItem, TransferRequest,
    WorkerHandle, WorkerOptions,
};

/// Ferry: an FTP, FTPS and SFTP client. Without a command it opens the window.
#[derive(Debug, Parser)]
#[command(
    name = "ferry",
    about,
    subcommand_precedence_over_arg = true,
    after_help = "Passwords: a password in a URL (sftp://user:password@host) is hidden from the process list once \
                  read, but stays in your shell's history. Better: the FERRY_PASSWORD environment variable, the \
                  keychain (ferry bookmarks add NAME URL), or the prompt Ferry shows when none is given."
)]
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
    /// Read this OpenSSH client config instead of ~/.ssh/config (also: FERRY_SSH_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// Print the protocol transcript on stderr (passwords masked).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Seconds to wait for a connection, a reply, or a server to take more upload data, before
    /// giving up on that connection (and retrying on a fresh one).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// The headless commands. Every URL argument also takes `NAME:/path`, NAME being a bookmark or
/// a Host alias of the ssh config.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// List a remote folder.
    Ls {
        url: String,
        /// Print one JSON array of entries.
        #[arg(long)]
        json: bool,
    },
    /// Download a remote file (or with -r a folder).
    Get {
        url: String,
        local: Option<PathBuf>,
        #[command(flatten)]
        transfer: TransferOptions,
    },
    /// Upload a local file (or with -r a folder).
    Put {
        local: PathBuf,
        url: String,
        #[command(flatten)]
        transfer: TransferOptions,
    },
    /// Create a remote folder.
    Mkdir { url: String },
    /// Delete a remote file or empty folder.
    Rm { url: String },
    /// Rename or move a remote file or folder (NEW_PATH is relative to its folder unless absolute).
    Mv { url: String, new_path: String },
    /// List, add, remove, import or export saved sites.
    Bookmarks {
        #[command(subcommand)]
        action: BookmarksAction,
    },
}

/// `ferry bookmarks ...`
#[derive(Debug, Subcommand)]
pub enum BookmarksAction {
    /// List the saved sites.
    List {
        /// Print one JSON array of bookmarks.
        #[arg(long)]
        json: bool,
    },
    /// Save a site. A password in the URL or in FERRY_PASSWORD goes to the keychain, never to a file.
    Add(AddBookmark),
    /// Delete a saved site and its password.
    Rm { name: String },
    /// Import FileZilla, Cyberduck, WinSCP or OpenSSH config sites (passwords to the keychain).
    Import { file: PathBuf },
    /// Write the saved sites to FILE in Ferry's format, without passwords.
    Export { file: PathBuf },
}

/// `ferry bookmarks add NAME URL [options]`
#[derive(Debug, Args, Clone)]
pub struct AddBookmark {
    /// The name to use as NAME:/path (no colon or slash).
    pub name: String,
    /// sftp://, ftp://, ftpes:// or ftps:// URL: user, host, port, and optionally a start folder.
    pub url: String,
    /// Folders to file it under, outermost first: A/B.
    #[arg(long, value_name = "A/B")]
    pub folder: Option<String>,
    /// How to log in (default: key when --key-file is given, else password).
    #[arg(long, value_enum)]
    pub login: Option<LoginChoice>,
    /// The private key file (SFTP).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// The remote folder to open (default: the URL's path).
    #[arg(long, value_name = "DIR")]
    pub remote_dir: Option<String>,
    /// The local folder to show.
    #[arg(long, value_name = "DIR")]
    pub local_dir: Option<PathBuf>,
    /// Free text.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
}

/// How a bookmark logs in, as `--login` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoginChoice {
    /// A password, kept in the keychain.
    Password,
    /// A private key file (its passphrase in the keychain).
    Key,
    /// The SSH agent.
    Agent,
    /// Ask at each connect.
    Ask,
}

impl From<LoginChoice> for LoginMethod {
    fn from(choice: LoginChoice) -> Self {
        match choice {
            LoginChoice::Password => LoginMethod::Password,
            LoginChoice::Key => LoginMethod::KeyFile,
            LoginChoice::Agent => LoginMethod::Agent,
            LoginChoice::Ask => LoginMethod::Ask,
        }
    }
}

/// Options of `get` and `put`.
#[derive(Debug, Args, Clone)]
pub struct TransferOptions {
    /// Copy folders with everything in them.
    #[arg(short, long)]
    pub recursive: bool,
    /// How many files move at once, each on its own connection.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallel: usize,
    /// When a target exists: ask, overwrite, resume, rename, skip, newer (overwrite if newer),
    /// size-differs (overwrite if the size differs).
    #[arg(long, value_name = "POLICY", default_value = "overwrite")]
    pub on_exists: OnExists,
    /// Compare SHA-256 checksums with the server's where it can compute them.
    #[arg(long)]
    pub verify: bool,
    /// Upload straight into the target instead of a temporary file renamed into place (for
    /// servers without a rename right or room for two copies). An interrupted upload then
    /// leaves a partial file under the real name.
    #[arg(long)]
    pub in_place: bool,
}

impl GlobalOptions {
    /// The config folder these options name.
    pub fn config_dir(&self) -> ConfigDir {
        self.config_dir.clone().map(ConfigDir::at).unwrap_or_else(ConfigDir::platform_default)
    }

    /// Worker options for these command-line options.
    pub fn worker_options(&self) -> WorkerOptions {
        let mut options = WorkerOptions::new(self.config_dir());
        options.settings.timeout = std::time::Duration::from_secs(self.timeout);
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
        if spec.password.is_none()
            && let Ok(password) = std::env::var("FERRY_PASSWORD")
        {
            spec.password = Some(SecretString::from(password));
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
        CliCommand::Bookmarks { action } => return bookmarks_command(options, action),
    };
    let target = resolve(options, &url)?;
    let mut spec = target.spec;
    if let Some(bookmark) = &target.bookmark
        && let Err(error) = bookmarks::attach_secret(&mut spec, bookmark, &Keychain::system())
    {
        eprintln!("ferry: warning: no password from the keychain ({error}); asking instead");
    }
    options.apply(&mut spec);
    if let CliCommand::Put { transfer, .. } = &command
        && transfer.in_place
    {
        spec.uploads_in_place = true;
    }
    // A bookmark without a path opens its own start folder.
    let start = target.path.clone().or_else(|| spec.initial_path.clone());
    let mut client = Client::connect(options, spec)?;
    let path = start.unwrap_or_else(|| client.home.clone());
    let outcome = match command {
        CliCommand::Ls { json, .. } => client.list(&path).map(|entries| print_listing(&entries, json)),
        CliCommand::Get { local, transfer, .. } => {
            let local = local.unwrap_or_else(|| PathBuf::from("."));
            client.transfer(Direction::Download, local, path.clone(), &transfer)
        }
        CliCommand::Put { local, transfer, .. } => client.transfer(Direction::Upload, local, path.clone(), &transfer),
        CliCommand::Mkdir { .. } => {
            client.simple(|request, session| Command::MakeDir { request, session, path: path.clone() })
        }
        CliCommand::Rm { .. } => client.remove(&path),
        CliCommand::Mv { new_path, .. } => {
            let to = if new_path.starts_with('/') { new_path } else { join_remote(&parent_remote(&path), &new_path) };
            client.simple(|request, session| Command::Rename { request, session, from: path.clone(), to: to.clone() })
        }
        // Answered above, without a connection.
        CliCommand::Bookmarks { .. } => Ok(()),
    };
    client.handle.send(Command::Disconnect { session: client.session });
    outcome
}

/// Where a URL or `NAME:/path` argument leads. The bookmark file is read only for names.
fn resolve(options: &GlobalOptions, text: &str) -> Result<bookmarks::Target> {
    let ssh_config = bookmarks::connect_ssh_config(options.ssh_config.as_deref())?;
    let file = if crate::url::looks_like_url(text) {
        bookmarks::BookmarkFile::default()
    } else {
        load_bookmarks(options)?.file
    };
    bookmarks::resolve_target(text, &file, ssh_config.as_ref())
}

/// Reads the bookmark file, warning on stderr when it had to be kept aside.
fn load_bookmarks(options: &GlobalOptions) -> Result<bookmarks::Loaded> {
    let loaded = BookmarkStore::new(&options.config_dir()).load()?;
    if let Some(problem) = &loaded.problem {
        eprintln!("ferry: warning: {problem}");
    }
    Ok(loaded)
}

/// `ferry bookmarks ...`: works on the bookmark file and the keychain directly, no connection.
fn bookmarks_command(options: &GlobalOptions, action: &BookmarksAction) -> Result<()> {
    let store = BookmarkStore::new(&options.config_dir());
    match action {
        BookmarksAction::List { json } => {
            let loaded = load_bookmarks(options)?;
            print_bookmarks(&loaded.file.bookmarks, *json);
            Ok(())
        }
        BookmarksAction::Add(add) => add_bookmark(options, &store, add),
        BookmarksAction::Rm { name } => {
            let loaded = load_bookmarks(options)?;
            let bookmark = loaded.file.find_by_name(name).cloned().ok_or_else(|| {
                FerryError::new(ErrorKind::NotFound, format!("no bookmark named \"{}\"", escape_control(name)))
            })?;
            bookmarks::remove_bookmark(&store, &Keychain::system(), &bookmark.id)?;
            eprintln!("ferry: removed {}", escape_control(&bookmark.name));
            Ok(())
        }
        BookmarksAction::Import { file } => {
            let outcome = bookmarks::import_into(&store, &Keychain::system(), file)?;
            if let Some(problem) = &outcome.loaded.problem {
                eprintln!("ferry: warning: {problem}");
            }
            for name in &outcome.imported {
                println!("imported: {}", escape_control(name));
            }
            for skipped in &outcome.skipped {
                println!("skipped: {}: {}", escape_control(&skipped.name), escape_control(&skipped.reason));
            }
            for note in &outcome.notes {
                println!("note: {}: {}", escape_control(&note.name), escape_control(&note.note));
            }
            if !outcome.secrets_not_stored.is_empty() {
                eprintln!(
                    "ferry: warning: no keychain answers here, so the passwords of {} were not stored; \
                     Ferry will ask for them at each connect",
                    escape_control(&outcome.secrets_not_stored.join(", "))
                );
            }
            eprintln!("ferry: {} imported, {} skipped", outcome.imported.len(), outcome.skipped.len());
            Ok(())
        }
        BookmarksAction::Export { file } => {
            let count = store.export(file)?;
            eprintln!("ferry: exported {count} bookmarks to {}", file.display());
            Ok(())
        }
    }
}

/// `ferry bookmarks add`: the URL's site under a new name; its password to the keychain.
fn add_bookmark(options: &GlobalOptions, store: &BookmarkStore, add: &AddBookmark) -> Result<()> {
    let name = add.name.trim();
    if name.is_empty()
        || name.contains([':', '/', '\\'])
        || name.starts_with(['.', '~'])
        || name.chars().any(char::is_control)
    {
        return Err(FerryError::new(
            ErrorKind::Protocol,
            "a bookmark name must not be empty, hold ':', '/' or '\\', or start with '.' or '~' (it is used as NAME:/path)",
        ));
    }
    let remote = crate::url::parse_url(&add.url)?;
    let spec = remote.spec;
    let login = add.login.map(LoginMethod::from).unwrap_or(if add.key_file.is_some() {
        LoginMethod::KeyFile
    } else {
        LoginMethod::Password
    });
    let secret = spec.password.clone().or_else(|| std::env::var("FERRY_PASSWORD").ok().map(SecretString::from));
    let bookmark = Bookmark {
        id: bookmarks::store::new_bookmark_id(),
        name: name.to_string(),
        folder: add
            .folder
            .as_deref()
            .unwrap_or_default()
            .split('/')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_string)
            .collect(),
        protocol: spec.protocol,
        host: spec.host.clone(),
        port: spec.port,
        user: spec.user.clone(),
        login,
        key_file: add.key_file.clone(),
        ftp_mode: if options.ftp_active { FtpMode::Active } else { spec.ftp_mode },
        remote_dir: add.remote_dir.clone().or(remote.path),
        local_dir: add.local_dir.clone(),
        comment: add.comment.clone().unwrap_or_default(),
        uploads_in_place: false,
    };
    let key = bookmarks::SecretKey::of(&bookmark);
    store.insert_new(bookmark)?;
    eprintln!("ferry: saved {} ({})", escape_control(name), spec.display_url());
    let Some(secret) = secret else { return Ok(()) };
    if matches!(login, LoginMethod::Agent | LoginMethod::Ask) {
        eprintln!("ferry: warning: the password was not stored: this bookmark logs in without one");
        return Ok(());
    }
    match bookmarks::save_secret(&Keychain::system(), &key, Some(&secret)) {
        SecretOutcome::Stored => eprintln!("ferry: the password is in the keychain"),
        SecretOutcome::NotStored(error) => {
            eprintln!("ferry: warning: the password was not stored ({error}); Ferry will ask for it at each connect")
        }
        SecretOutcome::NoneGiven => {}
    }
    Ok(())
}

/// Prints the bookmarks: one tab-separated line each (folder/name, URL and folder, login), or a
/// JSON array of the saved fields. Neither can hold a secret: bookmarks have none.
fn print_bookmarks(list: &[Bookmark], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).unwrap_or_else(|_| "[]".into()));
        return;
    }
    for bookmark in list {
        let mut spec = ConnectSpec::new(bookmark.protocol, bookmark.host.clone());
        spec.port = bookmark.port;
        spec.user = bookmark.user.clone();
        let place: Vec<&str> = bookmark.folder.iter().map(String::as_str).chain([bookmark.name.as_str()]).collect();
        let login = match bookmark.login {
            LoginMethod::Password => "password",
            LoginMethod::KeyFile => "key",
            LoginMethod::Agent => "agent",
            LoginMethod::Ask => "ask",
        };
        let path = bookmark.remote_dir.as_deref().map(|dir| url_path(bookmark.protocol, dir)).unwrap_or_default();
        println!(
            "{}\t{}{}\t{login}",
            escape_control(&place.join("/")),
            escape_control(&spec.display_url()),
            escape_control(&path)
        );
    }
}

/// A remote folder as a URL path that `parse_url` reads back as the same folder: SFTP paths are
/// absolute or `/~/dir`; FTP paths are relative to the login folder, `//dir` for an absolute one.
fn url_path(protocol: crate::model::Protocol, dir: &str) -> String {
    match (protocol.is_ftp(), dir.starts_with('/')) {
        (_, _) if dir.is_empty() => String::new(),
        (false, true) => dir.to_string(),
        (false, false) => format!("/~/{dir}"),
        (true, _) => format!("/{dir}"),
    }
}

/// One connection driven through the worker, answering its prompts on the terminal.
struct Client {
    handle: WorkerHandle,
    session: SessionId,
    home: String,
    accept_new_host_key: bool,
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
                Event::Failed { request: r, error } if r == request => return Err(error),
                Event::Disconnected { error: Some(error), session } if session == self.session => return Err(error),
                event if answers(&event, request) => return Ok(event),
                _ => {}
            }
        }
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

    /// Queues a transfer and follows it to the end, with a progress bar per running file and one
    /// for the total, then prints a one-line summary.
    fn transfer(
        &mut self,
        direction: Direction,
        local: PathBuf,
        remote: String,
        options: &TransferOptions,
    ) -> Result<()> {
        self.handle.send(Command::SetConcurrency { limit: options.parallel.max(1) });
        let started = std::time::Instant::now();
        let request = self.handle.next_request();
        let transfer = TransferRequest {
            direction,
            local,
            remote,
            recursive: options.recursive,
            on_exists: options.on_exists,
            verify: options.verify,
        };
        self.handle.send(Command::Enqueue { request, session: self.session, transfer });
        let Event::Enqueued { items, .. } = self.wait(request)? else {
            return Err(FerryError::new(ErrorKind::Protocol, "no plan"));
        };
        let mut board = Board::new(&items);
        while !board.finished() {
            let Some(event) = self.handle.recv() else {
                return Err(FerryError::new(ErrorKind::ConnectionLost, "the worker stopped"));
            };
            match event {
                Event::Prompt { prompt, question, .. } => {
                    let answer = answer_on_terminal(&question, self.accept_new_host_key);
                    self.handle.send(Command::Answer { prompt, answer });
                }
                Event::QueueProgress { item, bytes, total, .. } => board.progress(item, bytes, total),
                Event::QueueTotals { bytes, total, .. } => board.totals(bytes, total),
                Event::QueueChanged { item } => board.changed(*item),
                _ => {}
            }
        }
        board.summary(started.elapsed())
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
        | Event::Enqueued { request: r, .. } => *r == request,
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
        Question::TargetExists { name, source, target, .. } => {
            if !interactive {
                return Answer::Exists { choice: OnExists::Skip, apply_to_all: false };
            }
            eprintln!("{} exists: {} here, {} there.", escape_control(name), describe(target), describe(source));
            Answer::Exists { choice: ask_on_exists(), apply_to_all: false }
        }
    }
}

fn describe(facts: &FileFacts) -> String {
    let size = facts.size.map(crate::transfer::progress::format_bytes).unwrap_or_else(|| "unknown size".into());
    let date = facts.modified.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "unknown date".into());
    format!("{size}, {date}")
}

fn ask_on_exists() -> OnExists {
    eprint!("Overwrite, resume, rename or skip? [o/r/n/S] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    match line.trim().to_ascii_lowercase().as_str() {
        "o" | "overwrite" => OnExists::Overwrite,
        "r" | "resume" => OnExists::Resume,
        "n" | "rename" => OnExists::Rename,
        _ => OnExists::Skip,
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

/// The terminal view of a running batch: a bar per running file, one for the total, and the
/// tally for the summary.
struct Board {
    pending: std::collections::HashSet<ItemId>,
    names: HashMap<ItemId, String>,
    bars: HashMap<ItemId, indicatif::ProgressBar>,
    multi: indicatif::MultiProgress,
    total: indicatif::ProgressBar,
    files: usize,
    bytes: u64,
    verified: usize,
    failures: Vec<FerryError>,
    /// Entries the plan would not transfer (a name that could lead outside the destination, a
    /// link to a folder): the copy is incomplete, so the command fails.
    refused: Vec<FerryError>,
    /// Files left alone because the target exists (`--on-exists skip`): what the user asked for.
    skipped: usize,
    /// The last note printed for each running item ("… retry 1 of 3 in 1 s"), so a retry is told
    /// once, as it happens.
    running_notes: HashMap<ItemId, String>,
}

impl Board {
    fn new(items: &[QueueItem]) -> Self {
        let multi = indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
        let total_bytes: u64 = items.iter().filter_map(|i| i.size).sum();
        let total = multi.add(indicatif::ProgressBar::new(total_bytes));
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("total {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
        {
            total.set_style(style);
        }
        let mut board = Board {
            pending: std::collections::HashSet::new(),
            names: HashMap::new(),
            bars: HashMap::new(),
            multi,
            total,
            files: 0,
            bytes: 0,
            verified: 0,
            failures: Vec::new(),
            refused: Vec::new(),
            skipped: 0,
            running_notes: HashMap::new(),
        };
        for item in items {
            board.names.insert(item.id, escape_control(&item.name()));
            if item.state.is_finished() {
                board.record(item);
            } else {
                board.pending.insert(item.id);
            }
        }
        board
    }

    fn finished(&self) -> bool {
        self.pending.is_empty()
    }

    fn progress(&mut self, item: ItemId, bytes: u64, total: Option<u64>) {
        let name = self.names.get(&item).cloned().unwrap_or_default();
        let multi = &self.multi;
        let bar = self.bars.entry(item).or_insert_with(|| {
            let bar = multi.insert_from_back(1, indicatif::ProgressBar::new(total.unwrap_or(0)));
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg:24!} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
            {
                bar.set_style(style);
            }
            bar.set_message(name);
            bar
        });
        bar.set_position(bytes);
    }

    fn totals(&mut self, bytes: u64, total: u64) {
        self.total.set_length(total);
        self.total.set_position(bytes);
    }

    fn changed(&mut self, item: QueueItem) {
        if let Some(note) = item.note.as_ref().filter(|_| item.state == ItemState::Running)
            && self.running_notes.get(&item.id) != Some(note)
        {
            let (name, shown) = (escape_control(&item.name()), escape_control(note));
            self.multi.suspend(|| eprintln!("ferry: {name}: {shown}"));
            self.running_notes.insert(item.id, note.clone());
        }
        if item.state.is_finished() && self.pending.remove(&item.id) {
            if let Some(bar) = self.bars.remove(&item.id) {
                bar.finish_and_clear();
            }
            self.record(&item);
        }
    }

    fn record(&mut self, item: &QueueItem) {
        match item.state {
            ItemState::Done if !item.is_folder => {
                self.files += 1;
                self.bytes += item.size.unwrap_or(item.bytes_done);
                if item.integrity == Some(Integrity::Verified) {
                    self.verified += 1;
                }
                if let Some(note) = &item.note {
                    let (name, note) = (escape_control(&item.name()), escape_control(note));
                    self.multi.suspend(|| eprintln!("ferry: {name}: {note}"));
                }
            }
            ItemState::Failed | ItemState::Cancelled => {
                let error =
                    item.error.clone().unwrap_or_else(|| FerryError::new(ErrorKind::Cancelled, item.remote.clone()));
                self.multi.suspend(|| eprintln!("ferry: {}: {error}", escape_control(&item.name())));
                self.failures.push(error);
            }
            ItemState::Skipped => match &item.error {
                Some(error) => {
                    self.multi.suspend(|| eprintln!("ferry: refused {}: {error}", escape_control(&item.remote)));
                    self.refused.push(error.clone());
                }
                None => self.skipped += 1,
            },
            _ => {}
        }
    }

    /// Prints the one-line summary; fails (naming the first error) if any file failed or was refused.
    fn summary(self, elapsed: std::time::Duration) -> Result<()> {
        self.total.finish_and_clear();
        let seconds = elapsed.as_secs_f64().max(0.001);
        let check = if self.files > 0 && self.verified == self.files { "verified" } else { "size checked" };
        eprintln!(
            "{} files, {} in {:.1} s ({}/s), {check}; {} failed, {} refused, {} skipped",
            self.files,
            crate::transfer::progress::format_bytes(self.bytes),
            seconds,
            crate::transfer::progress::format_bytes((self.bytes as f64 / seconds) as u64),
            self.failures.len(),
            self.refused.len(),
            self.skipped
        );
        // Each failure and refusal was printed as it happened: the error returned counts them,
        // and names none again.
        let (failed, refused) = (self.failures.len(), self.refused.len());
        let what = match (failed, refused) {
            (_, 0) => "failed",
            (0, _) => "refused",
            _ => "failed or refused",
        };
        let count = failed + refused;
        match self.failures.into_iter().chain(self.refused).next() {
            Some(first) => Err(FerryError::new(
                first.kind,
                if count == 1 {
                    format!("1 file {what}, named above")
                } else {
                    format!("{count} files {what}, named above")
                },
            )),
            None => Ok(()),
        }
    }
}
