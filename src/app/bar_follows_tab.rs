//! The connect bar follows the active tab: switching tabs shows that tab's protocol, host, port
//! and user (and the path it was opened with), so the bar never names another tab's site.

use std::collections::HashMap;

use super::{FerryApp, TabId};
use crate::model::ConnectSpec;

/// Which tab the bar last showed, and the sites of tabs opened from a bookmark (whose own spec,
/// with its secret, stays in the worker).
#[derive(Default)]
pub(super) struct BarFollowsTab {
    shown: Option<TabId>,
    connected_sites: HashMap<TabId, ConnectSpec>,
}

impl BarFollowsTab {
    /// Notes the site a tab connected to (as the worker reported its URL).
    pub(super) fn connected(&mut self, tab: TabId, url: &str) {
        if let Ok(remote) = crate::url::parse_url(url) {
            self.connected_sites.insert(tab, remote.spec);
        }
    }

    /// Shows the tab's site again if the bar shows that tab: a bookmark connected from the site
    /// manager replaces whatever the fields held.
    pub(super) fn show_again(&mut self, tab: TabId) {
        if self.shown == Some(tab) {
            self.shown = None;
        }
    }
}

impl FerryApp {
    /// The site a tab is on: how it was opened, or for a bookmark's tab the site it reached.
    pub(super) fn site_of_tab(&self, tab: TabId) -> Option<ConnectSpec> {
        let open = self.tabs.get(tab)?;
        open.spec.clone().or_else(|| self.bar_follows.connected_sites.get(&tab).cloned())
    }

    /// Fills the connect bar from the active tab when another tab became the active one.
    pub(super) fn bar_follows_active_tab(&mut self) {
        let Some(tab) = self.tabs.active() else { return };
        if self.bar_follows.shown == Some(tab.id) {
            return;
        }
        self.bar_follows.shown = Some(tab.id);
        let site = tab.spec.as_ref().or_else(|| self.bar_follows.connected_sites.get(&tab.id));
        // A tab still connecting to a bookmark has no site to show yet: leave the fields be.
        if site.is_none() && (tab.connecting.is_some() || tab.session.is_some()) {
            return;
        }
        self.connect_bar.show_site(site);
    }
}
