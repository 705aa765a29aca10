//! The window: a connect bar, the local pane on the left, remote sites as tabs on the right, the
//! queue and protocol log below, a status bar. It never does I/O: every action is a Command to
//! the worker, and every change on screen follows an Event.

mod active_pane;
mod announcements;
mod bar_follows_tab;
mod connection_banner;
mod dialog_queue;
mod events;
mod file_ops;
mod help;
mod intent;
mod layout;
mod menu_keys;
mod open_path;
mod pane_transfers;
mod repaint;
mod requests;
mod saved_sites;
mod shortcuts;
mod sites;
mod splitters;
mod status_line;
mod tab_strip;
mod tabs;
mod window_memory;

use std::time::Instant;

use crate::config::ConfigDir;
use crate::gui::connect_bar::{ConnectBar, ConnectRequest};
use crate::gui::log_panel::LogPanel;
use crate::gui::pane::{FilePane, Side};
use crate::gui::queue_panel::QueuePanel;
use crate::gui::settings::{ThemeChoice, UiState};
use crate::model::{ConnectSpec, Protocol, SessionId};
use crate::worker::{self, Command, ItemId, WorkerOptions};
use crate::worker::{BookmarkCommand, FileCommand, SessionCommand, WindowCommand};
use dialog_queue::{DialogQueue, Modal};
use layout::LayoutState;
use requests::{Pending, Requests};
use saved_sites::SavedSites;
use tabs::{RemoteTab, TabId, Tabs};
use window_memory::{SAVE_STATE_EVERY, SaveStep, WindowMemory};

/// The window title.
pub const TITLE: &str = "Ferry";

/// The most events handled per frame, so a flood of progress never stalls drawing.
const EVENTS_PER_FRAME: usize = 500;

/// How the window starts.
pub struct Startup {
    /// The worker's settings (config folder, known hosts, timeouts).
    pub worker: WorkerOptions,
    /// A URL to connect to at once (`ferry sftp://...`).
    pub url: Option<String>,
    /// The folder the local pane opens in; the last one used, or home, when None.
    pub local_folder: Option<String>,
}

/// The pane a request belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Local,
    Tab(TabId),
}

/// The application state: view state only, no connection.
pub struct FerryApp {
    requests: Requests,
    connect_bar: ConnectBar,
    local: FilePane,
    local_session: Option<SessionId>,
    tabs: Tabs,
    dialogs: DialogQueue,
    queue: QueuePanel,
    log: LogPanel,
    /// The remote files open in an external editor.
    edits: crate::gui::edit_list::EditList,
    /// The user chose to close the window although saves were pending.
    quit_confirmed: bool,
    layout: LayoutState,
    status: String,
    /// The tab the status line speaks of, with the line as it was said (`status_line`).
    status_about: Option<(TabId, String)>,
    memory: WindowMemory,
    /// Transfers the last run left unfinished, offered again until the user decides.
    unfinished: Vec<ItemId>,
    /// Panes to list again once their queue items finish, and since when.
    stale: Vec<(Target, Instant)>,
    /// The local file system's home folder.
    local_home: String,
    /// To ask for a frame later (a pending save, a refresh after transfers).
    repaint: egui::Context,
    sites: SavedSites,
    /// The config folder, to find the log folder for Help > Open log folder.
    config_dir: std::path::PathBuf,
    /// The keyboard between frames: focus rings on or off, the menu bar's buttons.
    keys: shortcuts::KeyboardState,
    bar_follows: bar_follows_tab::BarFollowsTab,
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
        crate::gui::a11y::install(ctx);
        // egui's light theme draws the track of a progress bar in the window's own near-white: a
        // shade darker makes "39 %" read as a bar, not a badge (text fields share the shade).
        ctx.style_mut_of(egui::Theme::Light, |style| style.visuals.extreme_bg_color = egui::Color32::from_gray(226));
        let worker = worker::spawn(startup.worker, repaint::waker(ctx.clone()))?;
        let mut local = FilePane::new(Side::Local);
        local.apply_view_settings(state.local_view.clone());
        let mut app = FerryApp {
            requests: Requests::new(worker),
            connect_bar: ConnectBar::default(),
            local,
            local_session: None,
            tabs: Tabs::new(),
            dialogs: DialogQueue::default(),
            queue: QueuePanel::default(),
            log: LogPanel::default(),
            edits: Default::default(),
            quit_confirmed: false,
            layout: LayoutState::default(),
            status: "Not connected".into(),
            status_about: None,
            memory: WindowMemory::new(state),
            unfinished: Vec::new(),
            stale: Vec::new(),
            local_home: "/".into(),
            repaint: ctx.clone(),
            sites: SavedSites::new(),
            config_dir: config.path().to_path_buf(),
            keys: shortcuts::KeyboardState::default(),
            bar_follows: Default::default(),
        };
        if let Some(aside) = broken_state {
            app.status = format!("The saved window settings could not be read; they were kept as {}", aside.display());
        }
        app.queue.set_concurrency(concurrency);
        app.open_tab();
        app.requests.send(Command::Bookmarks(BookmarkCommand::Load));
        let local_folder = startup.local_folder.or_else(|| app.memory.state.last_local_folder.clone());
        app.requests.request(Pending::Connect { target: Target::Local, path: local_folder }, |request| {
            Command::Session(SessionCommand::Connect { request, spec: Box::new(ConnectSpec::new(Protocol::Local, "")) })
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
    fn open_tab(&mut self) -> TabId {
        self.tabs.open(self.memory.state.remote_view.clone())
    }

    /// Closes the tab at `index`, disconnecting it; the last tab closed leaves an empty one.
    fn close_tab(&mut self, index: usize) {
        let Some(tab) = self.tabs.remove(index) else { return };
        if let Some(session) = tab.session {
            self.requests.send(Command::Session(SessionCommand::Disconnect { session }));
        }
        if self.tabs.is_empty() {
            self.open_tab();
        }
    }

    /// Disconnects the active tab's session, keeping the tab.
    fn disconnect_active_tab(&mut self) {
        if let Some(session) = self.active_tab().and_then(|tab| tab.session) {
            self.requests.send(Command::Session(SessionCommand::Disconnect { session }));
        }
    }

    fn tab_mut(&mut self, id: TabId) -> Option<&mut RemoteTab> {
        self.tabs.get_mut(id)
    }

    fn active_tab(&self) -> Option<&RemoteTab> {
        self.tabs.active()
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
            Target::Tab(id) => self.tabs.get(id).and_then(|tab| tab.session),
        }
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
        match self.tabs.active() {
            Some(tab) if !busy => tab.id,
            _ => self.open_tab(),
        }
    }

    /// Connects in the active tab when it is free, else in a new tab.
    fn connect(&mut self, spec: ConnectSpec, path: Option<String>) {
        let id = self.free_tab();
        let Some(tab) = self.tab_mut(id) else { return };
        tab.title = spec.site_name();
        tab.spec = Some(spec.clone());
        tab.bookmark = None;
        tab.pane.set_loading(true);
        self.tab_status(id, format!("Connecting to {}...", spec.display_url()));
        let request = self.requests.request(Pending::Connect { target: Target::Tab(id), path }, |request| {
            Command::Session(SessionCommand::Connect { request, spec: Box::new(spec) })
        });
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
        self.tab_status(id, format!("Connecting to {shown}..."));
        let request = self.requests.request(Pending::Connect { target: Target::Tab(id), path: None }, |request| {
            Command::Session(SessionCommand::ConnectTarget { request, text })
        });
        if let Some(tab) = self.tab_mut(id) {
            tab.connecting = Some(request);
        }
    }

    /// Opens the lost connection of a tab again, in the folder it showed.
    fn reconnect(&mut self, id: TabId) {
        let Some(index) = self.tabs.index_of(id) else { return };
        self.tabs.set_active(index);
        let Some(tab) = self.tabs.get_mut(id) else { return };
        let path = tab.pane.listed_folder().map(str::to_string);
        let Some(spec) = tab.spec.clone() else {
            if let Some(bookmark) = tab.bookmark.clone() {
                self.connect_bookmark(bookmark);
            }
            return;
        };
        tab.pane.set_loading(true);
        self.tab_status(id, format!("Reconnecting to {}...", spec.display_url()));
        let request = self.requests.request(Pending::Connect { target: Target::Tab(id), path }, |request| {
            Command::Session(SessionCommand::Connect { request, spec: Box::new(spec) })
        });
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
        self.requests
            .request(Pending::List { target }, |request| Command::Files(FileCommand::List { request, session, path }));
    }

    fn refresh(&mut self, target: Target) {
        let path = match target {
            Target::Local => self.local.path().to_string(),
            Target::Tab(id) => match self.tabs.get(id) {
                Some(tab) => tab.pane.path().to_string(),
                None => return,
            },
        };
        if !path.is_empty() {
            self.navigate(target, path);
        }
    }

    /// The window's name for a screen reader: "Ferry", and the site of the tab shown.
    fn window_name(&self) -> String {
        match self.active_tab().filter(|tab| tab.session.is_some()) {
            Some(tab) => format!("{TITLE}: {}", crate::model::escape_control(&tab.title)),
            None => TITLE.to_string(),
        }
    }

    /// Shows an error, once: the same message already waiting is not queued again.
    fn show_error(&mut self, error: crate::error::FerryError, reconnect: Option<TabId>) {
        self.status = error.to_string();
        self.dialogs.show_error(error, reconnect);
    }

    /// Remembers the window state, writing it through the worker at most once a second.
    fn save_state_if_changed(&mut self, ctx: &egui::Context) {
        self.memory.state.local_view = self.local.view_settings();
        if let Some(tab) = self.active_tab() {
            self.memory.state.remote_view = tab.pane.view_settings();
        }
        if let Some(folder) = self.local.listed_folder() {
            self.memory.state.last_local_folder = Some(folder.to_string());
        }
        // The window's inner size as the platform reports it; the drawing area where it does not.
        let rect = ctx.input(|i| i.viewport().inner_rect).unwrap_or_else(|| ctx.content_rect());
        self.memory.state.window_size = Some([rect.width().round(), rect.height().round()]);
        match self.memory.save_step() {
            SaveStep::Unchanged => {}
            SaveStep::Write(json) => self.requests.send(Command::Window(WindowCommand::SaveState { json })),
            SaveStep::Wait => self.repaint.request_repaint_after(SAVE_STATE_EVERY),
        }
    }

    fn set_theme(&mut self, ctx: &egui::Context, theme: ThemeChoice) {
        self.memory.state.theme = theme;
        ctx.set_theme(theme.preference());
    }
}

impl FerryApp {
    /// A close while an edited file's save is on its way is held back and asked about first.
    fn ask_before_closing_with_saves_pending(&mut self, ctx: &egui::Context) {
        let pending = self.edits.unsaved();
        if pending > 0 && !self.quit_confirmed && ctx.input(|input| input.viewport().close_requested()) {
            ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            self.dialogs.open(Modal::QuitWithEdits { pending });
        }
    }
}

impl Drop for FerryApp {
    fn drop(&mut self) {
        // Open edits end: a last save goes up and the private copies go, as far as the worker's
        // shutdown lets them.
        for close in self.edits.close_all() {
            self.requests.send(close);
        }
        // The last changes (at most a second old) go out before the worker's Shutdown.
        if let Some(json) = self.memory.unsaved() {
            self.requests.send(Command::Window(WindowCommand::SaveState { json }));
        }
    }
}

impl eframe::App for FerryApp {
    fn logic(&mut self, _ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.drain_events();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.ask_before_closing_with_saves_pending(&ctx);
        self.bar_follows_active_tab();
        crate::gui::a11y::name_window(&ctx, &self.window_name());
        let intents = self.draw(ui);
        if !intents.is_empty() {
            // What the user asked for shows at once, not at the next input.
            ctx.request_repaint();
        }
        self.apply(intents);
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
