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
use ferry::trust::TrustDecision;
use ferry::worker::{self, Answer, Command, Event, Question, WorkerHandle, WorkerOptions};
use secrecy::SecretString;

/// How long any one request may take in a test before it is called hung.
const PATIENCE: Duration = Duration::from_secs(60);

/// A worker plus the questions it asked so far.
pub struct Driver {
    pub handle: WorkerHandle,
    config: Arc<tempfile::TempDir>,
    known_hosts: Option<PathBuf>,
    settings: ConnectSettings,
    /// Every question the worker asked, in order.
    pub questions: Vec<Question>,
    /// How host key and certificate questions are answered.
    pub trust_answer: TrustDecision,
    /// The answer to password and passphrase questions.
    pub secret_answer: Option<String>,
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

    fn start(config: Arc<tempfile::TempDir>, known_hosts: Option<PathBuf>, settings: ConnectSettings) -> Driver {
        let options = WorkerOptions {
            config: ConfigDir::at(config.path()),
            user_known_hosts: known_hosts.clone(),
            settings: settings.clone(),
        };
        let handle = worker::spawn(options, Arc::new(|| {})).expect("worker starts");
        Driver {
            handle,
            config,
            known_hosts,
            settings,
            questions: Vec::new(),
            trust_answer: TrustDecision::AcceptOnce,
            secret_answer: None,
        }
    }

    /// A new worker on the same config folder, as when Ferry is started again.
    pub fn restarted(&self) -> Driver {
        Self::start(self.config.clone(), self.known_hosts.clone(), self.settings.clone())
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
                    let answer = match question {
                        Question::UnknownHostKey { .. } | Question::UntrustedCertificate { .. } => {
                            Answer::Trust(self.trust_answer)
                        }
                        Question::Password { .. } | Question::KeyPassphrase { .. } => {
                            Answer::Secret(self.secret_answer.clone().map(SecretString::from))
                        }
                    };
                    self.questions.push(question);
                    self.handle.send(Command::Answer { prompt, answer });
                }
                Event::Failed { request: r, error } if r == request => return Err(error),
                Event::Progress { .. } | Event::Disconnected { .. } => {}
                event if event_request(&event) == Some(request) => return Ok(event),
                _ => {}
            }
        }
    }

    pub fn connect(&mut self, spec: ConnectSpec) -> Result<SessionId, FerryError> {
        match self.request(|request| Command::Connect { request, spec })? {
            Event::Connected { session, .. } => Ok(session),
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn list(&mut self, session: SessionId, path: &str) -> Result<Vec<Entry>, FerryError> {
        match self.request(|request| Command::List { request, session, path: path.into() })? {
            Event::Listing { entries, .. } => Ok(entries),
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn download(&mut self, session: SessionId, remote: &str, local: &Path) -> Result<u64, FerryError> {
        match self.request(|request| Command::Download {
            request,
            session,
            remote: remote.into(),
            local: local.into(),
        })? {
            Event::Transferred { bytes, .. } => Ok(bytes),
            other => panic!("unexpected {other:?}"),
        }
    }

    pub fn upload(&mut self, session: SessionId, local: &Path, remote: &str) -> Result<u64, FerryError> {
        match self.request(|request| Command::Upload {
            request,
            session,
            local: local.into(),
            remote: remote.into(),
        })? {
            Event::Transferred { bytes, .. } => Ok(bytes),
            other => panic!("unexpected {other:?}"),
        }
    }
}

fn event_request(event: &Event) -> Option<RequestId> {
    match event {
        Event::Connected { request, .. }
        | Event::Listing { request, .. }
        | Event::Stat { request, .. }
        | Event::Done { request }
        | Event::Transferred { request, .. }
        | Event::Failed { request, .. }
        | Event::Progress { request, .. }
        | Event::Prompt { request, .. } => Some(*request),
        Event::Disconnected { .. } => None,
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
