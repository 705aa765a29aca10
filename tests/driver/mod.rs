//! Drives the real worker from tests, synchronously: send a command, wait for its answer, and
//! answer prompts the way a test says.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use ferry::backend::ConnectSettings;
use ferry::config::ConfigDir;
use ferry::error::FerryError;
use ferry::model::{ConnectSpec, Entry, Protocol, RequestId, SessionId};
use ferry::transfer::policy::OnExists;
use ferry::trust::TrustDecision;
use ferry::worker::{
    self, Answer, Command, Direction, Event, FileCommand, FileEvent, ItemId, ItemState, LogLine, Question,
    QueueCommand, QueueEvent, QueueItem, SessionCommand, SessionEvent, TransferRequest, TransferSettings, WorkerHandle,
    WorkerOptions,
};
use secrecy::SecretString;

/// How long any one request may take in a test before it is called hung.
const PATIENCE: Duration = Duration::from_secs(60);

/// A worker plus the questions it asked so far.
pub struct Driver {
    pub handle: WorkerHandle,
    config: Arc<tempfile::TempDir>,
    known_hosts: Option<PathBuf>,
    settings: ConnectSettings,
    transfer: TransferSettings,
    /// Every question the worker asked, in order.
    pub questions: Vec<Question>,
    /// How host key and certificate questions are answered.
    pub trust_answer: TrustDecision,
    /// The answer to password and passphrase questions.
    pub secret_answer: Option<String>,
    /// The answer to "the target exists" questions.
    pub exists_answer: OnExists,
    /// Whether that answer applies to the rest of the batch.
    pub exists_apply_to_all: bool,
    /// Every protocol log line seen while waiting, in order.
    pub log: Vec<LogLine>,
}

impl Driver {
    /// A worker with a fresh config folder and an empty user known_hosts (the machine's own
    /// `~/.ssh/known_hosts` must never influence a test).
    pub fn new() -> Driver {
        Self::with_user_known_hosts(None)
    }

    /// As `new`, reading `known_hosts` as the user's known_hosts file.
    pub fn with_user_known_hosts(known_hosts: Option<PathBuf>) -> Driver {
        Self::with_settings(known_hosts, ConnectSettings::default())
    }

    /// As `new`, with custom timeouts and keep-alive interval.
    pub fn with_settings(known_hosts: Option<PathBuf>, settings: ConnectSettings) -> Driver {
        let config = Arc::new(tempfile::tempdir().expect("temporary config folder"));
        Self::start(config, known_hosts, settings)
    }

    /// Reading `known_hosts` as the user's, with custom queue settings.
    pub fn with_known_hosts_and_transfer(known_hosts: PathBuf, transfer: TransferSettings) -> Driver {
        let config = Arc::new(tempfile::tempdir().expect("temporary config folder"));
        Self::start_with(config, Some(known_hosts), ConnectSettings::default(), transfer)
    }

    /// Reading `known_hosts` as the user's (if given), with custom timeouts and queue settings.
    pub fn custom(known_hosts: Option<PathBuf>, settings: ConnectSettings, transfer: TransferSettings) -> Driver {
        let config = Arc::new(tempfile::tempdir().expect("temporary config folder"));
        Self::start_with(config, known_hosts, settings, transfer)
    }

    /// As `new`, with custom queue settings (concurrency, retries).
    pub fn with_transfer(transfer: TransferSettings) -> Driver {
        let config = Arc::new(tempfile::tempdir().expect("temporary config folder"));
        Self::start_with(config, None, ConnectSettings::default(), transfer)
    }

    fn start(config: Arc<tempfile::TempDir>, known_hosts: Option<PathBuf>, settings: ConnectSettings) -> Driver {
        Self::start_with(config, known_hosts, settings, TransferSettings::default())
    }

    fn start_with(
        config: Arc<tempfile::TempDir>,
        known_hosts: Option<PathBuf>,
        settings: ConnectSettings,
        transfer: TransferSettings,
    ) -> Driver {
        let options = WorkerOptions {
            user_known_hosts: known_hosts.clone(),
            settings: settings.clone(),
            transfer: transfer.clone(),
            ..WorkerOptions::new(ConfigDir::at(config.path()))
        };
        let handle = worker::spawn(options, Arc::new(|_| {})).expect("worker starts");
        Driver {
            handle,
            config,
            known_hosts,
            settings,
            transfer,
            questions: Vec::new(),
            trust_answer: TrustDecision::AcceptOnce,
            secret_answer: None,
            exists_answer: OnExists::Skip,
            exists_apply_to_all: false,
            log: Vec::new(),
        }
    }

    /// A new worker on the same config folder, as when Ferry is started again.
    pub fn restarted(&self) -> Driver {
        Self::start_with(self.config.clone(), self.known_hosts.clone(), self.settings.clone(), self.transfer.clone())
    }

    pub fn config_dir(&self) -> &Path {
        self.config.path()
    }

    /// Sends a command made with a fresh request id and waits for its answer.
    pub fn request(&mut self, make: impl FnOnce(RequestId) -> Command) -> Result<Event, FerryError> {
        let request = self.handle.next_request();
        self.handle.send(make(request));
        self.wait(request)
    }

    /// Waits for the event that answers `request`, answering questions on the way.
    pub fn wait(&mut self, request: RequestId) -> Result<Event, FerryError> {
        loop {
            let event = self
                .handle
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|| panic!("no answer to request {request:?} within {PATIENCE:?}"));
            match event {
                Event::Prompt { prompt, question, .. } => {
                    let answer = self.answer(&question);
                    self.questions.push(question);
                    self.handle.send(Command::Answer { prompt, answer });
                }
                Event::Failed { request: r, error } if r == request => return Err(error),
                event if event_request(&event) == Some(request) => return Ok(event),
                Event::Log { line } => self.log.push(line),
                _ => {}
            }
        }
    }

    pub fn connect(&mut self, spec: ConnectSpec) -> Result<SessionId, FerryError> {
        match self.request(|request| Command::Session(SessionCommand::Connect { request, spec: Box::new(spec) }))? {
            Event::Session(SessionEvent::Connected { session, .. }) => Ok(session),
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn list(&mut self, session: SessionId, path: &str) -> Result<Vec<Entry>, FerryError> {
        match self.request(|request| Command::Files(FileCommand::List { request, session, path: path.into() }))? {
            Event::Files(FileEvent::Listing { entries, .. }) => Ok(entries),
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn download(&mut self, session: SessionId, remote: &str, local: &Path) -> Result<u64, FerryError> {
        self.transfer(session, Direction::Download, local, remote, false, OnExists::Overwrite)
    }

    pub fn upload(&mut self, session: SessionId, local: &Path, remote: &str) -> Result<u64, FerryError> {
        self.transfer(session, Direction::Upload, local, remote, false, OnExists::Overwrite)
    }

    /// Queues a transfer and waits until all its items are finished; returns the bytes of the
    /// files done, or the first failure.
    pub fn transfer(
        &mut self,
        session: SessionId,
        direction: Direction,
        local: &Path,
        remote: &str,
        recursive: bool,
        on_exists: OnExists,
    ) -> Result<u64, FerryError> {
        let items = self.enqueue(session, direction, local, remote, recursive, on_exists)?;
        let finished = self.wait_for_items(&items);
        if let Some(error) =
            finished.iter().find_map(|item| (item.state == ItemState::Failed).then(|| item.error.clone()).flatten())
        {
            return Err(error);
        }
        Ok(finished
            .iter()
            .filter(|item| item.state == ItemState::Done && !item.is_folder)
            .filter_map(|item| item.size)
            .sum())
    }

    /// Queues a transfer and returns its planned items.
    pub fn enqueue(
        &mut self,
        session: SessionId,
        direction: Direction,
        local: &Path,
        remote: &str,
        recursive: bool,
        on_exists: OnExists,
    ) -> Result<Vec<QueueItem>, FerryError> {
        let transfer = TransferRequest {
            direction,
            local: local.into(),
            remote: remote.into(),
            recursive,
            on_exists,
            verify: false,
            follow_links: Default::default(),
        };
        match self.request(|request| Command::Queue(QueueCommand::Enqueue { request, session, transfer }))? {
            Event::Queue(QueueEvent::Enqueued { items, .. }) => Ok(items),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Waits until every one of `items` is finished (done, failed, skipped or cancelled),
    /// answering questions on the way; returns their final state.
    pub fn wait_for_items(&mut self, items: &[QueueItem]) -> Vec<QueueItem> {
        let mut latest: std::collections::BTreeMap<ItemId, QueueItem> =
            items.iter().map(|i| (i.id, i.clone())).collect();
        while latest.values().any(|item| !item.state.is_finished()) {
            let event = self.handle.recv_timeout(PATIENCE).unwrap_or_else(|| panic!("the queue stalled: {latest:#?}"));
            match event {
                Event::Prompt { prompt, question, .. } => {
                    let answer = self.answer(&question);
                    self.questions.push(question);
                    self.handle.send(Command::Answer { prompt, answer });
                }
                Event::Queue(QueueEvent::Changed { item }) if latest.contains_key(&item.id) => {
                    latest.insert(item.id, *item);
                }
                Event::Log { line } => self.log.push(line),
                _ => {}
            }
        }
        latest.into_values().collect()
    }

    fn answer(&self, question: &Question) -> Answer {
        match question {
            Question::UnknownHostKey { .. } | Question::UntrustedCertificate { .. } => Answer::Trust(self.trust_answer),
            Question::Password { .. } | Question::KeyPassphrase { .. } => {
                Answer::Secret(self.secret_answer.clone().map(SecretString::from))
            }
            Question::TargetExists { .. } => {
                Answer::Exists { choice: self.exists_answer, apply_to_all: self.exists_apply_to_all }
            }
            Question::EditConflict { .. } => Answer::Conflict(ferry::transfer::edit::ConflictChoice::Refuse),
        }
    }
}

fn event_request(event: &Event) -> Option<RequestId> {
    match event {
        Event::Session(SessionEvent::Connected { request, .. })
        | Event::Files(FileEvent::Listing { request, .. })
        | Event::Files(FileEvent::Stat { request, .. })
        | Event::Done { request }
        | Event::Queue(QueueEvent::Enqueued { request, .. })
        | Event::Failed { request, .. }
        | Event::Prompt { request, .. } => Some(*request),
        _ => None,
    }
}

/// A connection spec for a test server on 127.0.0.1.
pub fn spec(protocol: Protocol, port: u16, user: &str, password: Option<&str>) -> ConnectSpec {
    let mut spec = ConnectSpec::new(protocol, "127.0.0.1");
    spec.port = port;
    spec.user = user.to_string();
    spec.password = password.map(SecretString::from);
    spec
}

/// Bytes that are not all the same, so a shifted or repeated chunk shows.
pub fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u32).wrapping_mul(2654435761).to_le_bytes()[(i + seed as usize) % 4] ^ seed).collect()
}
