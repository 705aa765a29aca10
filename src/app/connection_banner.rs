//! The lines above a tab's listing: once its connection has ended (lost, or closed by the user),
//! it says so, and offers Reconnect to the same site and folder, so an old listing never looks live;
//! while it is live, what its opening said the user should know (SCP where there is no SFTP).

use super::tabs::RemoteTab;

/// What the banner says: the listing under it is what the folder held when the connection ended.
pub(super) const NOT_CONNECTED: &str = "Not connected: this listing is from before the connection ended.";

/// Draws the banner for `tab`; `offer_reconnect` adds the button (left out while an error dialog
/// already offers it). Returns whether Reconnect was clicked.
pub(super) fn show(ui: &mut egui::Ui, tab: &RemoteTab, offer_reconnect: bool) -> bool {
    let mut reconnect = false;
    egui::Frame::group(ui.style()).fill(ui.visuals().faint_bg_color).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            ui.label(egui::RichText::new(NOT_CONNECTED).color(ui.visuals().warn_fg_color));
            let reopenable = tab.spec.is_some() || tab.bookmark.is_some();
            if offer_reconnect && reopenable {
                reconnect = ui.button("Reconnect").on_hover_text("Connect again and open this folder").clicked();
            }
        });
    });
    reconnect
}

/// Draws `notice`, what the user should know about how a live connection works (a server
/// without SFTP, reached over SCP), on a line above its listing.
pub(super) fn show_notice(ui: &mut egui::Ui, notice: &str) {
    egui::Frame::group(ui.style()).fill(ui.visuals().faint_bg_color).show(ui, |ui| {
        ui.horizontal_wrapped(|ui| ui.label(notice));
    });
}
