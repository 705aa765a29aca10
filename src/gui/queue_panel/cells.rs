//! The queue table's cells that draw more than one label: the name with its route, the
//! direction with its arrow, and a plain text cell that reports its id for the accessibility tree.

use crate::model::escape_control;
use crate::worker::{Direction, QueueItem};

/// The name, and under it where the item moves, e.g. "alice@example.org: /srv/a.txt to
/// /home/alice/a.txt", cut to the column; the whole paths show on hover.
pub(super) fn name_cell(ui: &mut egui::Ui, name: &str, item: &QueueItem) {
    let (from, to) = endpoints(item);
    let site = item.site.site_name();
    let hover = format!("{site}\nFrom: {from}\nTo: {to}");
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        ui.label(name).on_hover_text(&hover);
        let route = egui::RichText::new(format!("{site}: {from} to {to}")).small().weak();
        ui.add(egui::Label::new(route).truncate()).on_hover_text(&hover);
    });
}

/// Where an item's bytes come from and where they go, as paths a user can read: the remote path
/// and the local one, in the direction of the transfer.
fn endpoints(item: &QueueItem) -> (String, String) {
    let remote = escape_control(&item.remote);
    let local = escape_control(&item.local.display().to_string());
    match item.direction {
        Direction::Download => (remote, local),
        Direction::Upload => (local, remote),
    }
}

/// "Upload" or "Download", after a small arrow pointing up or down (drawn: the default fonts have
/// no arrow glyphs).
pub(super) fn direction_cell(ui: &mut egui::Ui, direction: Direction) {
    let size = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(size * 0.8, size), egui::Sense::hover());
    let color = ui.visuals().text_color();
    let (tip, base) = match direction {
        Direction::Upload => (rect.center_top() + egui::vec2(0.0, 2.0), rect.bottom() - 2.0),
        Direction::Download => (rect.center_bottom() - egui::vec2(0.0, 2.0), rect.top() + 2.0),
    };
    let half = rect.width() * 0.35;
    let wing_y = tip.y + (base - tip.y) * 0.45;
    let stroke = egui::Stroke::new(1.5, color);
    ui.painter().line_segment([egui::pos2(tip.x, base), tip], stroke);
    ui.painter().line_segment([egui::pos2(tip.x - half, wing_y), tip], stroke);
    ui.painter().line_segment([egui::pos2(tip.x + half, wing_y), tip], stroke);
    ui.label(match direction {
        Direction::Upload => "Upload",
        Direction::Download => "Download",
    });
}

/// A cell that shows `text`; returns the cell's id.
pub(super) fn text_cell(table_row: &mut egui_extras::TableRow<'_, '_>, text: String) -> egui::Id {
    table_row
        .col(|ui| {
            ui.label(text);
        })
        .1
        .id
}
