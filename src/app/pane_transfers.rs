//! Sending a pane's selection to the other pane: whether it can go now (and why not), and the
//! Transfer menu that does what the panes' Upload and Download buttons do, with Synchronize...;
//! and View > Compare folders.

use super::intent::Intent;
use super::{FerryApp, Target};
use crate::gui::pane::PaneAction;

impl FerryApp {
    /// Tells both panes whether the other side can take their selection now, so their Upload and
    /// Download buttons are enabled only when a click would do something.
    pub(super) fn update_transfer_availability(&mut self) {
        let remote = self.active_tab().map(|tab| (tab.session.is_some(), tab.pane.listed_folder().is_some()));
        let upload_blocked = match remote {
            Some((true, true)) => None,
            Some((true, false)) => Some("The remote folder is still being listed".to_string()),
            Some((false, _)) | None => Some("Connect to a server first: uploads go into its folder".to_string()),
        };
        let download_blocked = match (remote, self.local.listed_folder()) {
            (Some((true, _)), Some(_)) => None,
            (Some((true, _)), None) => Some("The local folder is still being listed".to_string()),
            (Some((false, _)) | None, _) => Some("This site is not connected".to_string()),
        };
        self.local.set_transfer_blocked(upload_blocked);
        if let Some(tab) = self.tabs.active_mut() {
            tab.pane.set_transfer_blocked(download_blocked);
        }
    }

    /// The Transfer menu: upload the local selection, download the remote one. Returns the menu's
    /// button, for the keyboard's way through the menu bar.
    pub(super) fn transfer_menu(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) -> egui::Id {
        let menu = ui.menu_button("Transfer", |ui| {
            let tab = self.active_tab().map(|tab| (tab.id, &tab.pane));
            let sides = [Some((Target::Local, &self.local)), tab.map(|(id, pane)| (Target::Tab(id), pane))];
            for (target, pane) in sides.into_iter().flatten() {
                let label = format!("{} selection", pane.transfer_label());
                let blocked = pane.transfer_unavailable();
                let item = ui.add_enabled(blocked.is_none(), egui::Button::new(label));
                let item = match &blocked {
                    Some(reason) => item.on_disabled_hover_text(reason),
                    None => item,
                };
                if item.clicked() {
                    let action = PaneAction::Transfer(pane.selected_entries());
                    intents.push(Intent::Pane { target, action });
                    ui.close();
                }
            }
            ui.separator();
            let unavailable = super::compare_folders::compare_unavailable(self);
            let item = ui.add_enabled(unavailable.is_none(), egui::Button::new("Synchronize..."));
            let item = match unavailable {
                Some(why) => item.on_disabled_hover_text(why),
                None => item.on_hover_text("Make one folder like the other, after a preview of every change"),
            };
            if item.clicked() {
                intents.push(Intent::Synchronize);
                ui.close();
            }
        });
        menu.response.id
    }

    /// View > Compare folders: a box that is ticked while the marks are on.
    pub(super) fn compare_menu_item(&self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) {
        let mut on = self.comparing();
        let unavailable = super::compare_folders::compare_unavailable(self).filter(|_| !on);
        let item = ui.add_enabled(unavailable.is_none(), egui::Checkbox::new(&mut on, "Compare folders"));
        let item = match unavailable {
            Some(why) => item.on_disabled_hover_text(why),
            None => item.on_hover_text(COMPARE_HINT),
        };
        if item.clicked() {
            intents.push(Intent::ToggleCompare);
            ui.close();
        }
    }
}

/// What "Compare folders" does, on hover.
const COMPARE_HINT: &str = "Mark the files that differ between the local and the remote folder: \
     only on one side, newer, or a different size";
