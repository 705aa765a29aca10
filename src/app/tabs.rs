//! The remote tabs: one site each with its pane, which one is active, and ids that stay the same
//! while tabs open and close (a request's answer finds its tab by id, never by position).

use crate::bookmarks::BookmarkId;
use crate::gui::pane::{FilePane, PaneViewSettings, Side};
use crate::model::{ConnectSpec, RequestId, SessionId};

/// A remote tab's identity, stable while tabs open and close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct TabId(u64);

/// One remote site, shown as a tab.
pub(super) struct RemoteTab {
    pub(super) id: TabId,
    pub(super) title: String,
    /// How it was opened (with the password given), kept in memory for Reconnect.
    pub(super) spec: Option<ConnectSpec>,
    /// The bookmark it was opened from, for Reconnect (the worker holds its secret).
    pub(super) bookmark: Option<BookmarkId>,
    pub(super) session: Option<SessionId>,
    pub(super) pane: FilePane,
    pub(super) connecting: Option<RequestId>,
    /// What the connection's opening said the user should know (SCP where there is no SFTP),
    /// shown above its listing while it is live.
    pub(super) notice: Option<String>,
}

/// The open tabs and which one is shown.
pub(super) struct Tabs {
    tabs: Vec<RemoteTab>,
    active: usize,
    next_id: u64,
}

impl Tabs {
    /// No tab yet.
    pub(super) fn new() -> Self {
        Tabs { tabs: Vec::new(), active: 0, next_id: 1 }
    }

    /// Opens an empty tab whose pane shows `view`, and makes it the active one.
    pub(super) fn open(&mut self, view: PaneViewSettings) -> TabId {
        let id = TabId(self.next_id);
        self.next_id += 1;
        let mut pane = FilePane::new(Side::Remote);
        pane.apply_view_settings(view);
        self.tabs.push(RemoteTab {
            id,
            title: "New tab".into(),
            spec: None,
            bookmark: None,
            session: None,
            pane,
            connecting: None,
            notice: None,
        });
        self.active = self.tabs.len() - 1;
        id
    }

    /// Takes the tab at `index` out; the active one stays in range.
    pub(super) fn remove(&mut self, index: usize) -> Option<RemoteTab> {
        if index >= self.tabs.len() {
            return None;
        }
        let tab = self.tabs.remove(index);
        self.active = self.active.min(self.tabs.len().saturating_sub(1));
        Some(tab)
    }

    /// Whether there is no tab.
    pub(super) fn is_empty(&self) -> bool {
        self.tabs.is_empty()
    }

    /// Every tab, in the strip's order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &RemoteTab> {
        self.tabs.iter()
    }

    /// The position of tab `id` in the strip.
    pub(super) fn index_of(&self, id: TabId) -> Option<usize> {
        self.tabs.iter().position(|tab| tab.id == id)
    }

    /// Tab `id`, while it is open.
    pub(super) fn get(&self, id: TabId) -> Option<&RemoteTab> {
        self.tabs.iter().find(|tab| tab.id == id)
    }

    /// Tab `id`, while it is open.
    pub(super) fn get_mut(&mut self, id: TabId) -> Option<&mut RemoteTab> {
        self.tabs.iter_mut().find(|tab| tab.id == id)
    }

    /// The tab a session belongs to.
    pub(super) fn by_session_mut(&mut self, session: SessionId) -> Option<&mut RemoteTab> {
        self.tabs.iter_mut().find(|tab| tab.session == Some(session))
    }

    /// The tab shown.
    pub(super) fn active(&self) -> Option<&RemoteTab> {
        self.tabs.get(self.active)
    }

    /// The tab shown.
    pub(super) fn active_mut(&mut self) -> Option<&mut RemoteTab> {
        self.tabs.get_mut(self.active)
    }

    /// The position of the tab shown.
    pub(super) fn active_index(&self) -> usize {
        self.active
    }

    /// Shows the tab at `index`.
    pub(super) fn set_active(&mut self, index: usize) {
        if index < self.tabs.len() {
            self.active = index;
        }
    }
}

/// A tab's name for the site at `url`: `user@host` (see `ConnectSpec::site_name`), or the URL
/// itself, without password, where it does not parse.
pub(super) fn title_for_url(url: &str) -> String {
    match crate::url::parse_url(url) {
        Ok(parsed) => parsed.spec.site_name(),
        Err(_) => crate::model::escape_control(&crate::url::mask_password(url)),
    }
}
