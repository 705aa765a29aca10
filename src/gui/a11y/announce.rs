//! Announcements: what happened without moving focus (a transfer finished or failed, a connection
//! lost, a listing loaded), published as a polite AccessKit live region that screen readers read
//! out when its text changes.

use egui::accesskit::{Live, Role};
use egui::{Context, Id};

/// The latest announcement.
#[derive(Debug, Clone, Default)]
struct Latest {
    text: String,
}

/// The id of the live-region node (tests find it by this).
pub fn announcement_id() -> Id {
    Id::unique("ferry_a11y_announcement")
}

/// Says `text` to a screen reader, without moving focus.
pub fn announce(ctx: &Context, text: impl Into<String>) {
    let text = text.into();
    ctx.data_mut(|data| {
        let latest = data.get_temp_mut_or_default::<Latest>(announcement_id());
        latest.text = text;
    });
    ctx.request_repaint();
}

/// Adds the live-region node to this frame's tree (nothing while nothing was announced).
pub(super) fn publish(ctx: &Context) {
    let latest = ctx.data(|data| data.get_temp::<Latest>(announcement_id())).unwrap_or_default();
    if latest.text.is_empty() {
        return;
    }
    ctx.accesskit_node_builder(announcement_id(), |node| {
        node.set_role(Role::Status);
        node.set_live(Live::Polite);
        node.set_label(latest.text);
    });
}
