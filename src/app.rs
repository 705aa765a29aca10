//! The window. For now a plain one: a URL bar and the remote listing, driven through the worker.
//! It never does I/O itself: every action is a Command, every change on screen follows an Event.

use std::sync::Arc;

use crate::model::{Entry, EntryKind, RequestId, SessionId, escape_control, join_remote, parent_remote};
use crate::transfer::policy::OnExists;
use crate::trust::TrustDecision;
use crate::worker::{self, Answer, Command, Event, Question, WorkerHandle, WorkerOptions};

/// The window title.
pub const TITLE: &str = "Ferry";

/// The most events handled per frame, so a flood of progress never stalls drawing.
const EVENTS_PER_FRAME: usize = 500;

/// The application state: view state only, no connection.
pub struct FerryApp {
    worker: WorkerHandle,
    url: String,
    session: Option<SessionId>,
    path: String,
    entries: Vec<Entry>,
    pending: Option<RequestId>,
    prompt: Option<(crate::model::PromptId, Question)>,
    password: String,
    apply_to_all: bool,
    status: String,
    /// Transfers the last run left unfinished, offered again until the user decides.
    unfinished: Vec<crate::worker::ItemId>,
}

impl FerryApp {
    /// Starts a worker that repaints `ctx` after each event.
    pub fn new(ctx: &egui::Context, options: WorkerOptions, url: Option<String>) -> std::io::Result<Self> {
        let repaint = ctx.clone();
        let worker = worker::spawn(options, Arc::new(move || repaint.request_repaint()))?;
        let mut app = FerryApp {
            worker,
            url: url.clone().unwrap_or_default(),
            session: None,
            path: String::new(),
            entries: Vec::new(),
            pending: None,
            prompt: None,
            password: String::new(),
            apply_to_all: false,
            unfinished: Vec::new(),
            status: "Not connected".into(),
        };
        if url.is_some() {
            app.connect();
        }
        Ok(app)
    }

    fn connect(&mut self) {
        match crate::url::parse_url(&self.url) {
            Ok(remote) => {
                let request = self.worker.next_request();
                self.path = remote.path.unwrap_or_default();
                self.worker.send(Command::Connect { request, spec: remote.spec });
                self.pending = Some(request);
                self.status = "Connecting…".into();
            }
            Err(error) => self.status = error.to_string(),
        }
    }

    fn open(&mut self, path: String) {
        if let Some(session) = self.session {
            let request = self.worker.next_request();
            self.worker.send(Command::List { request, session, path: path.clone() });
            self.pending = Some(request);
            self.path = path;
        }
    }

    /// Applies worker events to the view state.
    fn drain_events(&mut self) {
        for _ in 0..EVENTS_PER_FRAME {
            let Some(event) = self.worker.try_recv() else { break };
            match event {
                Event::Connected { session, home, url, .. } => {
                    self.session = Some(session);
                    self.status = format!("Connected to {url}");
                    let path = if self.path.is_empty() { home } else { self.path.clone() };
                    self.open(path);
                }
                Event::Listing { request, path, mut entries, .. } if Some(request) == self.pending => {
                    entries
                        .sort_by(|a, b| (a.kind != EntryKind::Dir, &a.name).cmp(&(b.kind != EntryKind::Dir, &b.name)));
                    self.entries = entries;
                    self.path = path;
                    self.pending = None;
                }
                Event::Failed { error, .. } => {
                    self.status = error.to_string();
                    self.pending = None;
                }
                Event::Disconnected { error, .. } => {
                    self.session = None;
                    self.status = error.map(|e| e.to_string()).unwrap_or_else(|| "Disconnected".into());
                }
                Event::Prompt { prompt, question, .. } => self.prompt = Some((prompt, question)),
                Event::QueueRestored { items, problem } => {
                    self.unfinished = items.iter().map(|item| item.id).collect();
                    if let Some(problem) = problem {
                        self.status = problem.to_string();
                    }
                }
                _ => {}
            }
        }
    }

    fn answer(&mut self, answer: Answer) {
        if let Some((prompt, _)) = self.prompt.take() {
            self.worker.send(Command::Answer { prompt, answer });
        }
        self.password.clear();
    }

    /// Offers the transfers the last run left unfinished: resume them (from their part files) or drop them.
    fn unfinished_ui(&mut self, ui: &mut egui::Ui) {
        if self.unfinished.is_empty() {
            return;
        }
        let mut chosen = None;
        egui::Panel::bottom("unfinished_transfers").show(ui, |ui| {
            ui.horizontal(|ui| {
                let count = self.unfinished.len();
                ui.label(format!("{count} transfer{} left unfinished last time", if count == 1 { "" } else { "s" }));
                if ui.button("Resume all").clicked() {
                    chosen = Some(crate::worker::ItemAction::Resume);
                }
                if ui.button("Discard").clicked() {
                    chosen = Some(crate::worker::ItemAction::Cancel);
                }
            });
        });
        if let Some(action) = chosen {
            for item in self.unfinished.drain(..) {
                self.worker.send(Command::QueueAction { item, action });
            }
        }
    }

    fn prompt_ui(&mut self, ctx: &egui::Context) {
        let Some((_, question)) = self.prompt.clone() else { return };
        let mut answer = None;
        egui::Window::new("Ferry asks").collapsible(false).resizable(false).show(ctx, |ui| match &question {
            Question::UnknownHostKey { host, port, key } => {
                ui.label(format!("The host key of {host}:{port} is not known."));
                ui.monospace(format!("{} {}", key.key_type, key.fingerprint));
                ui.horizontal(|ui| {
                    if ui.button("Accept once").clicked() {
                        answer = Some(Answer::Trust(TrustDecision::AcceptOnce));
                    }
                    if ui.button("Accept and remember").clicked() {
                        answer = Some(Answer::Trust(TrustDecision::AcceptAndRemember));
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(Answer::Trust(TrustDecision::Reject));
                    }
                });
            }
            Question::UntrustedCertificate { host, port, certificate } => {
                ui.label(format!("The certificate of {host}:{port} is not trusted: {}", certificate.reason));
                ui.monospace(crate::backend::tls::display_fingerprint(&certificate.sha256_hex));
                ui.horizontal(|ui| {
                    if ui.button("Accept and remember").clicked() {
                        answer = Some(Answer::Trust(TrustDecision::AcceptAndRemember));
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Some(Answer::Trust(TrustDecision::Reject));
                    }
                });
            }
            Question::Password { url } => {
                ui.label(format!("Password for {url}"));
                ui.add(egui::TextEdit::singleline(&mut self.password).password(true));
                if ui.button("OK").clicked() {
                    answer = Some(Answer::Secret(Some(self.password.clone().into())));
                }
            }
            Question::TargetExists { name, source, target, .. } => {
                ui.label(format!("{} already exists.", escape_control(name)));
                let facts = |f: &crate::transfer::policy::FileFacts| {
                    let size = f.size.map(crate::transfer::progress::format_bytes).unwrap_or_else(|| "?".into());
                    let date = f.modified.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "?".into());
                    format!("{size}, {date}")
                };
                ui.label(format!("Existing: {}", facts(target)));
                ui.label(format!("New: {}", facts(source)));
                ui.checkbox(&mut self.apply_to_all, "Apply to all");
                ui.horizontal(|ui| {
                    for (label, choice) in [
                        ("Overwrite", OnExists::Overwrite),
                        ("Resume", OnExists::Resume),
                        ("Rename", OnExists::Rename),
                        ("Skip", OnExists::Skip),
                    ] {
                        if ui.button(label).clicked() {
                            answer = Some(Answer::Exists { choice, apply_to_all: self.apply_to_all });
                        }
                    }
                });
            }
            Question::KeyPassphrase { key_file } => {
                ui.label(format!("Passphrase for {}", key_file.display()));
                ui.add(egui::TextEdit::singleline(&mut self.password).password(true));
                if ui.button("OK").clicked() {
                    answer = Some(Answer::Secret(Some(self.password.clone().into())));
                }
            }
        });
        if let Some(answer) = answer {
            self.answer(answer);
        }
    }
}

impl eframe::App for FerryApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        egui::Panel::top("connect_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.heading(TITLE);
                let label = ui.label("Address");
                ui.add(
                    egui::TextEdit::singleline(&mut self.url).hint_text("sftp://user@host/path").desired_width(400.0),
                )
                .labelled_by(label.id);
                if ui.button("Connect").clicked() {
                    self.connect();
                }
            });
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.label(escape_control(&self.status));
        });
        self.unfinished_ui(ui);
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                if ui.button("Up").clicked() && self.session.is_some() {
                    self.open(parent_remote(&self.path));
                }
                ui.label(escape_control(&self.path));
                if self.pending.is_some() {
                    ui.spinner();
                }
            });
            let mut open = None;
            egui::ScrollArea::vertical().show(ui, |ui| {
                for entry in &self.entries {
                    // Folders end in "/" and links show their target, as `ls -F` does; the fonts
                    // egui ships have no emoji to draw icons with.
                    let name = escape_control(&entry.name);
                    let label = match (entry.kind, &entry.link_target) {
                        (EntryKind::Dir, _) => format!("{name}/"),
                        (EntryKind::Symlink, Some(target)) => format!("{name} → {}", escape_control(target)),
                        _ => name,
                    };
                    if ui.selectable_label(false, label).double_clicked() && entry.kind != EntryKind::File {
                        open = Some(join_remote(&self.path, &entry.name));
                    }
                }
            });
            if let Some(path) = open {
                self.open(path);
            }
        });
        self.prompt_ui(&ctx);
    }
}

/// Native window options: the title and a sensible first size.
pub fn native_options() -> eframe::NativeOptions {
    eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default().with_title(TITLE).with_inner_size([1000.0, 700.0]),
        ..Default::default()
    }
}

/// Opens the window and runs until it is closed.
pub fn run(options: WorkerOptions, url: Option<String>) -> Result<(), eframe::Error> {
    eframe::run_native(
        TITLE,
        native_options(),
        Box::new(move |creation| Ok(Box::new(FerryApp::new(&creation.egui_ctx, options, url)?))),
    )
}
