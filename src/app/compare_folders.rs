//! "Compare folders": marks the rows of the local folder and of the active tab's folder that differ
//! from the other side, while it is on and both panes still show the folders it was turned on
//! for. Another folder in either pane, another tab, or turning it off takes the marks away; a
//! folder listed again is compared again.

use super::tabs::TabId;
use super::{FerryApp, Target};
use crate::transfer::folder_compare::compare_listings;

/// The two folders being compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Comparing {
    tab: TabId,
    local: String,
    remote: String,
}

/// Why "Compare folders" cannot be turned on now, if it cannot.
pub(super) fn compare_unavailable(app: &FerryApp) -> Option<&'static str> {
    match app.active_tab() {
        Some(tab) if tab.session.is_some() && tab.pane.listed_folder().is_some() => {
            app.local.listed_folder().is_none().then_some("The local folder is still being listed")
        }
        Some(tab) if tab.session.is_some() => Some("The remote folder is still being listed"),
        _ => Some("Connect to a server first: the local folder is compared with the server's"),
    }
}

impl FerryApp {
    /// Whether "Compare folders" is on.
    pub(super) fn comparing(&self) -> bool {
        self.compare.is_some()
    }

    /// Turns "Compare folders" on (for the two folders shown) or off.
    pub(super) fn toggle_compare(&mut self) {
        if self.compare.is_some() {
            self.stop_comparing();
            self.status = "Compare folders is off".into();
            return;
        }
        if let Some(why) = compare_unavailable(self) {
            self.status = why.into();
            return;
        }
        let Some(tab) = self.active_tab() else { return };
        self.compare =
            Some(Comparing { tab: tab.id, local: self.local.path().to_string(), remote: tab.pane.path().to_string() });
        // Said when turned on only: a folder listed again later must not hide a newer status.
        self.status = match self.mark_differences() {
            0 => "Compared: the two folders hold the same files".into(),
            1 => "Compared: 1 row differs (marked)".into(),
            differ => format!("Compared: {differ} rows differ (marked)"),
        };
    }

    /// Keeps the marks true to what the panes show: off when either folder or the tab changed,
    /// compared again when `relisted` (a folder was listed again).
    pub(super) fn follow_compare(&mut self, relisted: bool) {
        let Some(comparing) = &self.compare else { return };
        let same = self
            .active_tab()
            .is_some_and(|tab| tab.id == comparing.tab && tab.pane.path() == comparing.remote && tab.session.is_some())
            && self.local.path() == comparing.local;
        if !same {
            self.stop_comparing();
        } else if relisted {
            self.mark_differences();
        }
    }

    /// Marks both panes' rows; returns how many are marked.
    fn mark_differences(&mut self) -> usize {
        let Some(comparing) = self.compare.clone() else { return 0 };
        let Some(tab) = self.tabs.get_mut(comparing.tab) else { return 0 };
        let marks = compare_listings(self.local.entries(), tab.pane.entries());
        let differ = marks.local.len() + marks.remote.len();
        tab.pane.set_compare_marks(Some(marks.remote));
        self.local.set_compare_marks(Some(marks.local));
        differ
    }

    fn stop_comparing(&mut self) {
        if let Some(comparing) = self.compare.take() {
            self.local.set_compare_marks(None);
            if let Some(pane) = self.pane_mut(Target::Tab(comparing.tab)) {
                pane.set_compare_marks(None);
            }
        }
    }
}
