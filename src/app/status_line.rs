//! The status bar speaks of the active tab: a line about another tab's connection gives way to the
//! active tab's own state, so "Connected to A" never shows while tab B is in front.

use super::FerryApp;
use super::tabs::{RemoteTab, TabId};

impl FerryApp {
    /// Puts a line about one tab's connection in the status bar.
    pub(super) fn tab_status(&mut self, tab: TabId, text: String) {
        self.status_about = Some((tab, text.clone()));
        self.status = text;
    }

    /// What the status bar shows now.
    pub(super) fn status_line(&self) -> String {
        let about_tab = self.status_about.as_ref().filter(|(_, text)| *text == self.status);
        match (about_tab, self.tabs.active()) {
            (Some((tab, _)), Some(active)) if active.id != *tab => tab_state(active),
            _ => self.status.clone(),
        }
    }
}

/// A tab's connection in words.
fn tab_state(tab: &RemoteTab) -> String {
    if tab.connecting.is_some() {
        format!("Connecting to {}...", tab.title)
    } else if tab.session.is_some() {
        format!("Connected to {}", tab.title)
    } else {
        "Not connected".into()
    }
}
