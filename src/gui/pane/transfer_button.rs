//! The pane's Upload (local side) or Download (remote side) button: it sends the selection to
//! the other pane's folder, and says why when it cannot.

use egui::Ui;

use super::{FilePane, PaneAction, Side};

impl FilePane {
    /// Tells the pane why its selection cannot be transferred now (no connection on the other
    /// side), or that it can (`None`). The window sets it before each frame.
    pub fn set_transfer_blocked(&mut self, reason: Option<String>) {
        self.transfer_blocked = reason;
    }

    /// What the transfer button is called on this side: "Upload" or "Download".
    pub fn transfer_label(&self) -> &'static str {
        transfer_label(self.side)
    }

    /// Why the selection cannot be transferred now, or None when it can.
    pub fn transfer_unavailable(&self) -> Option<String> {
        if let Some(reason) = &self.transfer_blocked {
            return Some(reason.clone());
        }
        let nothing_selected = self.rows.iter().all(|&index| !self.selected.get(index).copied().unwrap_or(false));
        nothing_selected.then(|| match self.side {
            Side::Local => "Select files or folders here to upload them".to_string(),
            Side::Remote => "Select files or folders here to download them".to_string(),
        })
    }

    pub(super) fn transfer_button(&mut self, ui: &mut Ui, actions: &mut Vec<PaneAction>) {
        let blocked = self.transfer_unavailable();
        let button = ui.add_enabled(blocked.is_none(), egui::Button::new(self.transfer_label()));
        let hint = match self.side {
            Side::Local => "Upload the selection into the remote folder (Enter)",
            Side::Remote => "Download the selection into the local folder (Enter)",
        };
        let button = match &blocked {
            Some(reason) => button.on_disabled_hover_text(reason),
            None => button.on_hover_text(hint),
        };
        if button.clicked() {
            actions.push(PaneAction::Transfer(self.selected_entries()));
        }
    }
}

/// "Upload" from the local side, "Download" from a remote one.
fn transfer_label(side: Side) -> &'static str {
    match side {
        Side::Local => "Upload",
        Side::Remote => "Download",
    }
}
