//! The window: a connect bar, the local pane on the left, remote sites as tabs on the right, the
//! queue and protocol log below, a status bar. It never does I/O: every action is a Command to
//! the worker, and every change on screen follows an Event.

mod actions;
mod events;
mod help;
mod sites;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::ConfigDir;
use crate::gui::connect_bar::{ConnectBar, ConnectRequest, Suggestion};
use crate::gui::dialogs::{ConfirmDelete, ErrorDialog, NameDialog, PermissionsDialog, PromptDialog};
use crate::gui::log_panel::LogPanel;
use crate::gui::pane::{FilePane, Side};
use crate::gui::queue_panel::QueuePanel;
use crate::gui::settings::{ThemeChoice, UiState};
use crate::model::{ConnectSpec, Entry, Protocol, RequestId, SessionId};
use crate::worker::{self, Command, ItemId, WorkerHandle, WorkerOptions};

/// The window title.
pub const TITLE: &str = "Ferry";

/// The most events handled per frame, so a flood of progress never stalls drawing.
const EVENTS_PER_FRAME: usize = 500;

/// How often at most the remembered window state is written.
const SAVE_STATE_EVERY: Duration = Duration::from_secs(1);

/// How the window starts.
pub struct Startup {
    /// The worker's settings (config folder, known hosts, timeouts).
    pub worker: WorkerOptions,
    /// A URL to connect to at once (`ferry sftp://...`).
    pub url: Option<String>,
    /// The folder the local pane opens in; the last one used, or home, when None.
    pub local_folder: Option<String>,
}

/// A remote tab's identity, stable while tabs open and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TabId(u64);

/// The pane a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Local,
    Tab(TabId),
}

/// One remote site, shown as a tab.
struct RemoteTab {
    id: TabId,
    title: String,
    /// How it was opened (with the password given), kept in memory for Reconnect.
    spec: Option<ConnectSpec>,
    /// The bookmark it was opened from, for Reconnect (the worker holds its secret).
    bookmark: Option<crate::bookmarks::BookmarkId>,
    session: Option<SessionId>,
    pane: FilePane,
    connecting: Option<RequestId>,
}

/// What a pending request is for, so its answer lands in the right place.
#[derive(Debug, Clone)]
enum Pending {
    /// Opening a connection; then list `path` (or the login folder).
    Connect { target: Target, path: Option<String> },
    /// A listing for a pane.
    List { target: Target },
    /// A change (new folder, rename, delete, permissions): refresh the pane when it is done.
    Change { target: Target },
    /// Planning a transfer.
    Enqueue,
    /// A request whose success only needs a word in the status bar (empty: its own event says it).
    Notice(String),
}

/// The one user dialog shown at a time (worker questions and errors have their own queues).
enum Modal {
    NewFolder { target: Target, dialog: NameDialog },
    Rename { target: Target, entry: Entry, dialog: NameDialog },
    Delete { target: Target, dialog: ConfirmDelete },
    Permissions { target: Target, dialog: PermissionsDialog },
}

/// The bottom panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BottomTab {
    Queue,
    Log,
}

/// The application state: view state only, no connection.
pub struct FerryApp {
    worker: WorkerHandle,
    connect_bar: ConnectBar,
    suggestions: Vec<Suggestion>,
    local: FilePane,
    local_session: Option<SessionId>,
    tabs: Vec<RemoteTab>,
    active_tab: usize,
    next_tab: u64,
    active_side: Side,
    pending: HashMap<RequestId, Pending>,
    prompts: VecDeque<PromptDialog>,
    modal: Option<Modal>,
    errors: VecDeque<(ErrorDialog, Option<TabId>)>,
    queue: QueuePanel,
    log: LogPanel,
    bottom_tab: BottomTab,
    status: String,
    show_help: bool,
    state: UiState,
    saved_state: UiState,
    last_save: Option<Instant>,
    /// Transfers the last run left unfinished, offered again until the user decides.
    unfinished: Vec<ItemId>,
    /// Panes to list again once their queue items finish, and since when.
    stale: Vec<(Target, Instant)>,
    /// The local file system's home folder.
    local_home: String,
    /// To ask for a frame later (a pending save, a refresh after transfers).
    repaint: egui::Context,
    site_manager: crate::gui::site_manager::SiteManager,
    bookmarks: Vec<crate::bookmarks::Bookmark>,
    /// The config folder, to find the log folder for Help > Open log folder.
    config_dir: std::path::PathBuf,
    /// The height of the strips above the panes, the same on both sides.
    header_height: f32,
}

impl FerryApp {
    /// Starts a worker that repaints `ctx` after each event; connects to `url` if one is given.
    pub fn new(ctx: &egui::Context, options: WorkerOptions, url: Option<String>) -> std::io::Result<Self> {
        Self::start(ctx, Startup { worker: options, url, local_folder: None })
    }

    /// Starts the window's worker and state as `startup` says.
    pub fn start(ctx: &egui::Context, startup: Startup) -> std::io::Result<Self> {
        let config: ConfigDir = startup.worker.config.clone();
        let concurrency = startup.worker.transfer.concurrency;
        let (state, broken_state) = UiState::load(&config);
        ctx.set_theme(state.theme.preference());
        crate::gui::fonts::add_system_fallbacks(ctx);
        // egui's light theme draws the track of a progress bar in the window's own near-white: a
        // shade darker makes "39 %" read as a bar, not a badge (text fields share the shade).
        ctx.style_mut_of(egui::Theme::Light, |style| style.visuals.extreme_bg_color = egui::Color32::from_gray(226));
        let repaint = ctx.clone();
        let worker = worker::spawn(startup.worker, Arc::new(move || repaint.request_repaint()))?;
        let mut local = FilePane::new(Side::Local);
        local.apply_view_settings(state.local_view.clone());
        let mut app = FerryApp {
            worker,
            connect_bar: ConnectBar::default(),
            suggestions: Vec::new(),
            local,
            local_session: None,
            tabs: Vec::new(),
            active_tab: 0,
            next_tab: 1,
            active_side: Side::Local,
            pending: HashMap::new(),
            prompts: VecDeque::new(),
            modal: None,
            errors: VecDeque::new(),
            queue: QueuePanel::default(),
            log: LogPanel::default(),
            bottom_tab: BottomTab::Queue,
            status: "Not connected".into(),
            show_help: false,
            saved_state: state.clone(),
            state,
            last_save: None,
            unfinished: Vec::new(),
            stale: Vec::new(),
            local_home: "/".into(),
            repaint: ctx.clone(),
            site_manager: crate::gui::site_manager::SiteManager::new(),
            bookmarks: Vec::new(),
            config_dir: config.path().to_path_buf(),
            header_height: 0.0,
        };
        if let Some(aside) = broken_state {
            app.status = format!("The saved window settings could not be read; they were kept as {}", aside.display());
        }
        app.queue.set_concurrency(concurrency);
        app.open_tab();
        app.worker.send(Command::LoadBookmarks);
        let local_folder = startup.local_folder.or_else(|| app.state.last_local_folder.clone());
        app.request(Pending::Connect { target: Target::Local, path: local_folder }, |request| Command::Connect {
            request,
            spec: ConnectSpec::new(Protocol::Local, ""),
        });
        if let Some(text) = startup.url {
            if app.connect_bar.fill_from_url(&text) {
                app.connect_from_bar_fields();
            } else {
                // `ferry myserver:/var/www`: a bookmark or ssh alias, which the worker resolves.
                app.connect_target(text);
            }
        }
        Ok(app)
    }

    /// Opens an empty remote tab and makes it the active one.
    fn open_tab(&mut self) {
        let id = TabId(self.next_tab);
        self.next_tab += 1;
        let mut pane = FilePane::new(Side::Remote);
        pane.apply_view_settings(self.state.remote_view.clone());
        self.tabs.push(RemoteTab {
            id,
            title: "New tab".into(),
            spec: None,
            bookmark: None,
            session: None,
            pane,
            connecting: None,
        });
        self.active_tab = self.tabs.len() - 1;
    }

    fn tab_index(&self, id: TabId) -> Option<usize> {
        self.tabs.iter().position(|tab| tab.id == id)
    }

    fn tab_mut(&mut self, id: TabId) -> Option<&mut RemoteTab> {
        self.tabs.iter_mut().find(|tab| tab.id == id)
    }

    fn active_tab(&self) -> Option<&RemoteTab> {
        self.tabs.get(self.active_tab)
    }

    /// The pane a target names (None for a closed tab).
    fn pane_mut(&mut self, target: Target) -> Option<&mut FilePane> {
        match target {
            Target::Local => Some(&mut self.local),
            Target::Tab(id) => self.tab_mut(id).map(|tab| &mut tab.pane),
        }
    }

    /// The session behind a target, when connected.
    fn session_of(&self, target: Target) -> Option<SessionId> {
        match target {
            Target::Local => self.local_session,
            Target::Tab(id) => self.tabs.iter().find(|tab| tab.id == id).and_then(|tab| tab.session),
        }
    }

    /// Sends a request and remembers what it is for.
    fn request(&mut self, pending: Pending, make: impl FnOnce(RequestId) -> Command) -> RequestId {
        let request = self.worker.next_request();
        self.pending.insert(request, pending);
        self.worker.send(make(request));
        request
    }

    /// Connects with what the bar's fields say, as the Connect button does.
    fn connect_from_bar_fields(&mut self) {
        let request = self.connect_bar.take_request();
        self.handle_connect_request(request);
    }

    fn handle_connect_request(&mut self, request: ConnectRequest) {
        match request {
            ConnectRequest::Spec { spec, path } => self.connect(*spec, path),
            ConnectRequest::Bookmark(id) => self.connect_bookmark(id),
            ConnectRequest::Invalid(message) => self.status = message,
        }
    }

    /// The active tab when it is free, else a new one (made active).
    fn free_tab(&mut self) -> TabId {
        let busy = self.active_tab().is_none_or(|tab| tab.session.is_some() || tab.connecting.is_some());
        if busy {
            self.open_tab();
        }
        self.tabs[self.active_tab].id
    }

    /// Connects in the active tab when it is free, else in a new tab.
    fn connect(&mut self, spec: ConnectSpec, path: Option<String>) {
        let id = self.free_tab();
        let Some(tab) = self.tab_mut(id) else { return };
        tab.title = spec.display_url();
        tab.spec = Some(spec.clone());
        tab.bookmark = None;
        tab.pane.set_loading(true);
        self.status = format!("Connecting to {}...", spec.display_url());
        let request = self
            .request(Pending::Connect { target: Target::Tab(id), path }, |request| Command::Connect { request, spec });
        if let Some(tab) = self.tab_mut(id) {
            tab.connecting = Some(request);
        }
    }

    /// Connects to a bookmark or ssh alias with an optional `:path`, in a free tab.
    fn connect_target(&mut self, text: String) {
        let id = self.free_tab();
        // A URL that did not parse lands here as typed: never show its password.
        let shown = crate::model::escape_control(&crate::url::mask_password(&text));
        if let Some(tab) = self.tab_mut(id) {
            tab.title = shown.clone();
            tab.pane.set_loading(true);
        }
        self.status = format!("Connecting to {shown}...");
        let request = self.request(Pending::Connect { target: Target::Tab(id), path: None }, |request| {
            Command::ConnectTarget { request, text }
        });
        if let Some(tab) = self.tab_mut(id) {
            tab.connecting = Some(request);
        }
    }

    /// Opens the lost connection of a tab again, in the folder it showed.
    fn reconnect(&mut self, id: TabId) {
        let Some(index) = self.tab_index(id) else { return };
        let tab = &mut self.tabs[index];
        let path = Some(tab.pane.path().to_string()).filter(|path| !path.is_empty());
        self.active_tab = index;
        let Some(spec) = tab.spec.clone() else {
            if let Some(bookmark) = tab.bookmark.clone() {
                self.connect_bookmark(bookmark);
            }
            return;
        };
        tab.pane.set_loading(true);
        self.status = format!("Reconnecting to {}...", spec.display_url());
        let request = self
            .request(Pending::Connect { target: Target::Tab(id), path }, |request| Command::Connect { request, spec });
        if let Some(tab) = self.tab_mut(id) {
            tab.connecting = Some(request);
        }
    }

    /// Lists `path` in the target's pane.
    fn navigate(&mut self, target: Target, path: String) {
        let Some(session) = self.session_of(target) else { return };
        if let Some(pane) = self.pane_mut(target) {
            pane.set_loading(true);
        }
        self.request(Pending::List { target }, |request| Command::List { request, session, path });
    }

    fn refresh(&mut self, target: Target) {
        let path = match target {
            Target::Local => self.local.path().to_string(),
            Target::Tab(id) => match self.tabs.iter().find(|tab| tab.id == id) {
                Some(tab) => tab.pane.path().to_string(),
                None => return,
            },
        };
        if !path.is_empty() {
            self.navigate(target, path);
        }
    }

    /// Stops a pane's pending listing.
    fn cancel_listing(&mut self, target: Target) {
        let requests: Vec<RequestId> = self
            .pending
            .iter()
            .filter(|(_, pending)| matches!(pending, Pending::List { target: t } | Pending::Connect { target: t, .. } if *t == target))
            .map(|(request, _)| *request)
            .collect();
        for request in requests {
            self.worker.send(Command::Cancel { request });
        }
    }

    /// Shows an error, once: the same message already waiting is not queued again.
    fn show_error(&mut self, error: crate::error::FerryError, reconnect: Option<TabId>) {
        let text = error.to_string();
        self.status = text.clone();
        if self.errors.iter().any(|(dialog, _)| dialog.error().to_string() == text) {
            return;
        }
        self.errors.push_back((ErrorDialog::new(error, reconnect.is_some()), reconnect));
    }

    /// Remembers the window state, writing it through the worker at most once a second.
    fn save_state_if_changed(&mut self, ctx: &egui::Context) {
        self.state.local_view = self.local.view_settings();
        if let Some(tab) = self.active_tab() {
            self.state.remote_view = tab.pane.view_settings();
        }
        if !self.local.path().is_empty() {
            self.state.last_local_folder = Some(self.local.path().to_string());
        }
        // The window's inner size as the platform reports it; the drawing area where it does not.
        let rect = ctx.input(|i| i.viewport().inner_rect).unwrap_or_else(|| ctx.content_rect());
        self.state.window_size = Some([rect.width().round(), rect.height().round()]);
        if self.state == self.saved_state {
            return;
        }
        let due = self.last_save.is_none_or(|last| last.elapsed() >= SAVE_STATE_EVERY);
        if due {
            self.worker.send(Command::SaveWindowState { json: self.state.to_json() });
            self.saved_state = self.state.clone();
            self.last_save = Some(Instant::now());
        } else {
            self.repaint.request_repaint_after(SAVE_STATE_EVERY);
        }
    }

    fn set_theme(&mut self, ctx: &egui::Context, theme: ThemeChoice) {
        self.state.theme = theme;
        ctx.set_theme(theme.preference());
    }
}

impl Drop for FerryApp {
    fn drop(&mut self) {
        // The last changes (at most a second old) go out before the worker's Shutdown.
        if self.state != self.saved_state {
            self.worker.send(Command::SaveWindowState { json: self.state.to_json() });
        }
    }
}

impl eframe::App for FerryApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.menu_bar(ui);
        egui::Panel::top("connect_bar").show(ui, |ui| {
            if let Some(request) = self.connect_bar.show(ui, &self.suggestions) {
                self.handle_connect_request(request);
            }
        });
        self.status_bar(ui);
        self.unfinished_ui(ui);
        self.bottom_panel(ui);
        self.panes(ui);
        self.site_manager_ui(&ctx);
        self.dialogs(&ctx);
        help::show(&ctx, &mut self.show_help);
        self.save_state_if_changed(&ctx);
    }
}

/// Native window options: the title, and the size the window had last time.
pub fn native_options() -> eframe::NativeOptions {
    native_options_for(&UiState::default())
}

fn native_options_for(state: &UiState) -> eframe::NativeOptions {
    let size = state.window_size.unwrap_or([1200.0, 800.0]);
    // The app id lets the desktop match the window to ferry.desktop and its icon.
    let mut viewport = egui::ViewportBuilder::default()
        .with_title(TITLE)
        .with_app_id("ferry")
        .with_inner_size(size)
        .with_min_inner_size([640.0, 400.0]);
    if let Some(icon) = crate::desktop::window_icon() {
        viewport = viewport.with_icon(icon);
    }
    // The system's fonts are added by the app itself (gui::fonts), in the tests' window too.
    eframe::NativeOptions { viewport, system_font_fallback: false, ..Default::default() }
}

/// Opens the window and runs until it is closed.
pub fn run(options: WorkerOptions, url: Option<String>) -> Result<(), eframe::Error> {
    let (state, _) = UiState::load(&options.config);
    eframe::run_native(
        TITLE,
        native_options_for(&state),
        Box::new(move |creation| {
            Ok(Box::new(FerryApp::start(&creation.egui_ctx, Startup { worker: options, url, local_folder: None })?))
        }),
    )
}
