//! Announcements: what happened without moving focus (a transfer finished or failed, a connection
//! lost, a listing loaded), published as a polite AccessKit live region that screen readers read
//! out when its text changes.

use egui::accesskit::{self, Live, Role};
use egui::{Context, Id};

/// The latest announcement, and how many there were: each one is published as a node of its
/// own, since AccessKit announces a live region when it appears or its name changes, and the same
/// words can be news twice ("Listed /srv: 3 items" after a refresh).
#[derive(Debug, Clone, Default)]
struct Latest {
    text: String,
    count: u64,
}

fn key() -> Id {
    Id::unique("ferry_a11y_announcement")
}

/// Says `text` to a screen reader, without moving focus.
pub fn announce(ctx: &Context, text: impl Into<String>) {
    let text = text.into();
    ctx.data_mut(|data| {
        let latest = data.get_temp_mut_or_default::<Latest>(key());
        latest.text = text;
        latest.count += 1;
    });
    ctx.request_repaint();
}

/// Adds the live-region node to this frame's tree (nothing while nothing was announced).
pub(super) fn publish(ctx: &Context) {
    let latest = ctx.data(|data| data.get_temp::<Latest>(key())).unwrap_or_default();
    if latest.count == 0 {
        return;
    }
    ctx.accesskit_node_builder(key().with(latest.count), |node| {
        node.set_role(Role::Status);
        node.set_live(Live::Polite);
        node.set_label(latest.text);
        // No place of its own on screen, but every node needs bounds: an empty box in a corner.
        node.set_bounds(accesskit::Rect::new(0.0, 0.0, 0.0, 0.0));
    });
}
