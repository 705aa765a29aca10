//! What every service of the worker shares and nothing more: the event sender, the prompter that
//! asks the user and waits for the answer, the id source, the connect settings, the config folder
//! and the trust store. It imports only the worker's messages, so every other worker module may
//! import it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use secrecy::SecretString;
use tokio::sync::oneshot;

use super::messages::{Answer, Event, LogKind, LogLine, Question};
use crate::backend::ConnectSettings;
use crate::config::ConfigDir;
use crate::model::{PromptId, RequestId, SessionId};
use crate::trust::TrustStore;

/// Locks a mutex, recovering it if a holder panicked: the maps of the worker hold no invariant
/// that a half-done update could break.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Called after every Event is sent, so the GUI can wake up and draw (egui's `request_repaint`);
/// told how soon the event needs to be seen.
pub type Waker = Arc<dyn Fn(Wake) + Send + Sync>;

/// How soon the UI should draw an event it was just sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// An answer, a question, a state change: draw it at once.
    Now,
    /// Only bytes moved (progress of an item, the queue's totals): a few frames a second show it
    /// as well as sixty would, at a fraction of the cost.
    Progress,
}

impl Wake {
    /// How soon `event` needs to be seen.
    pub fn for_event(event: &Event) -> Wake {
        use super::messages::QueueEvent;
        match event {
            Event::Queue(QueueEvent::Progress { .. } | QueueEvent::Totals { .. }) => Wake::Progress,
            Event::Queue(
                QueueEvent::Enqueued { .. }
                | QueueEvent::Changed { .. }
                | QueueEvent::Cleared { .. }
                | QueueEvent::Restored { .. },
            )
            | Event::Session(_)
            | Event::Files(_)
            | Event::Bookmarks(_)
            | Event::Sync(_)
            | Event::Edit(_)
            | Event::Done { .. }
            | Event::Failed { .. }
            | Event::Prompt { .. }
            | Event::Log { .. } => Wake::Now,
        }
    }
}

/// Sends events to the UI and wakes it.
#[derive(Clone)]
pub struct EventSender {
    sender: std::sync::mpsc::Sender<Event>,
    waker: Waker,
}

impl EventSender {
    pub fn new(sender: std::sync::mpsc::Sender<Event>, waker: Waker) -> Self {
        EventSender { sender, waker }
    }

    /// Sends one event and wakes the UI. A UI that has gone away is not an error.
    pub fn send(&self, event: Event) {
        let wake = Wake::for_event(&event);
        if self.sender.send(event).is_ok() {
            (self.waker)(wake);
        }
    }
}

/// Hands out the worker's ids (sessions, prompts): unique within a run.
#[derive(Default)]
pub(super) struct IdSource(AtomicU64);

impl IdSource {
    pub(super) fn next(&self) -> u64 {
        self.0.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Passwords typed this run for sites whose connections came without one (a queue restored after
/// a restart), by the site's URL: later connections to the same site use it, so the question
/// comes once per site, not once per connection. Kept in memory only, and forgotten when the
/// server refuses it.
#[derive(Default)]
pub(super) struct TypedPasswords(pub(super) tokio::sync::Mutex<HashMap<String, SecretString>>);

/// The shared part of the worker: handed to each service as an `Arc`.
pub(super) struct WorkerContext {
    pub(super) events: EventSender,
    pub(super) trust: Arc<TrustStore>,
    pub(super) settings: ConnectSettings,
    pub(super) config: ConfigDir,
    pub(super) ids: IdSource,
    /// Passwords typed this run, by site.
    pub(super) typed_passwords: TypedPasswords,
    /// Questions waiting for the user's answer.
    pending_prompts: Mutex<HashMap<PromptId, oneshot::Sender<Answer>>>,
}

impl WorkerContext {
    pub(super) fn new(events: EventSender, trust: TrustStore, settings: ConnectSettings, config: ConfigDir) -> Self {
        WorkerContext {
            events,
            trust: Arc::new(trust),
            settings,
            config,
            ids: IdSource::default(),
            typed_passwords: TypedPasswords::default(),
            pending_prompts: Mutex::new(HashMap::new()),
        }
    }

    /// Adds a line to the protocol log the window shows.
    pub(super) fn log(&self, session: Option<SessionId>, kind: LogKind, text: impl Into<String>) {
        let text = crate::model::escape_control(&text.into());
        // The log file gets the same lines as the window: they never hold a password.
        tracing::info!(target: "ferry::session", "session {:?}: {text}", session.map(|s| s.0));
        self.events.send(Event::Log { line: LogLine { time: chrono::Utc::now(), session, kind, text } });
    }

    /// Where the protocol transcript of work for `session` (or none: a connect, a transfer)
    /// goes: the window's log, as the lines come. The log file has them from the backends already.
    pub(super) fn transcript(&self, session: Option<SessionId>) -> crate::transcript::Sink {
        let events = self.events.clone();
        std::sync::Arc::new(move |line, text| {
            let kind = match line {
                crate::transcript::Line::Sent => LogKind::Command,
                crate::transcript::Line::Received => LogKind::Reply,
                crate::transcript::Line::Note => LogKind::Info,
            };
            let text = crate::model::escape_control(text);
            events.send(Event::Log { line: LogLine { time: chrono::Utc::now(), session, kind, text } });
        })
    }

    /// Asks the user a question and waits for the answer; `None` if the UI went away.
    pub(super) async fn ask(&self, request: RequestId, question: Question) -> Option<Answer> {
        let prompt = PromptId(self.ids.next());
        let (sender, receiver) = oneshot::channel();
        lock(&self.pending_prompts).insert(prompt, sender);
        self.events.send(Event::Prompt { prompt, request, question });
        receiver.await.ok()
    }

    /// Delivers the user's answer to the question waiting for it (an answer to a question no
    /// longer asked is dropped).
    pub(super) fn answer(&self, prompt: PromptId, answer: Answer) {
        if let Some(sender) = lock(&self.pending_prompts).remove(&prompt) {
            let _ = sender.send(answer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::messages::QueueEvent;
    use crate::worker::queue::ItemId;

    #[test]
    fn only_moving_bytes_may_wait_for_a_frame() {
        let progress =
            Event::Queue(QueueEvent::Progress { item: ItemId(1), bytes: 1, total: None, speed: 0.0, eta: None });
        let totals = Event::Queue(QueueEvent::Totals { bytes: 1, total: 2, speed: 0.0, eta: None });
        assert_eq!(Wake::for_event(&progress), Wake::Progress);
        assert_eq!(Wake::for_event(&totals), Wake::Progress);
        assert_eq!(Wake::for_event(&Event::Done { request: RequestId(1) }), Wake::Now);
        assert_eq!(Wake::for_event(&Event::Queue(QueueEvent::Cleared { items: vec![ItemId(1)] })), Wake::Now);
    }
}
