//! The window's two dividers: between the panes (the local pane's share of the width, so the
//! split keeps its proportion at any window size) and above the queue and log panel (a height in
//! points). The user's drag moves them, by the distance the pointer moved, so nothing jumps when
//! a drag starts, and so do the arrow keys while one has the keyboard; both are remembered with
//! the window.

use egui::{CursorIcon, EventFilter, Id, Key, Modifiers, Rect, Role, Sense, Ui, WidgetInfo};

/// The narrowest a pane gets while there is room for two such panes.
pub(super) const MIN_PANE_WIDTH: f32 = 240.0;
/// The local pane's share of the width until the user drags the divider.
pub(super) const DEFAULT_FRACTION: f32 = 0.5;
/// The queue and log panel's height until the user drags its edge.
pub(super) const DEFAULT_BOTTOM_HEIGHT: f32 = 200.0;
/// The lowest the queue and log panel gets: its tabs and a row or two.
const MIN_BOTTOM_HEIGHT: f32 = 90.0;
/// What the panes keep above the queue and log panel at the least: toolbar, path and a few rows.
const MIN_PANES_HEIGHT: f32 = 180.0;
/// How far from a divider the pointer may be to grab it.
const GRAB_MARGIN: f32 = 4.0;
/// How far one press of an arrow key moves a divider that has the keyboard.
const KEY_STEP: f32 = 20.0;

/// The local pane's width for `fraction` of `available` points: both panes keep at least
/// `MIN_PANE_WIDTH`, or half each when the window is too narrow for that.
pub(super) fn local_width(fraction: f32, available: f32) -> f32 {
    let available = available.max(0.0);
    let min = MIN_PANE_WIDTH.min(available / 2.0);
    let fraction = if fraction.is_finite() { fraction.clamp(0.0, 1.0) } else { DEFAULT_FRACTION };
    (fraction * available).clamp(min, available - min)
}

/// The fraction after the divider was dragged `delta` points from where it is shown now.
pub(super) fn dragged_fraction(fraction: f32, available: f32, delta: f32) -> f32 {
    if available <= 0.0 {
        return fraction;
    }
    let wanted = local_width(fraction, available) + delta;
    local_width(wanted / available, available) / available
}

/// The queue and log panel's height for the user's `wanted` height in a window area
/// `available` points high: the panes above keep room to work in. The wanted height itself is
/// kept, so a window made small for a moment gives the same panel back when it grows again.
pub(super) fn bottom_height(wanted: f32, available: f32) -> f32 {
    let wanted = if wanted.is_finite() { wanted } else { DEFAULT_BOTTOM_HEIGHT };
    let most = (available - MIN_PANES_HEIGHT).max(MIN_BOTTOM_HEIGHT);
    wanted.clamp(MIN_BOTTOM_HEIGHT, most)
}

/// The height after the panel's top edge was dragged `delta` points down from where it is shown.
pub(super) fn dragged_height(wanted: f32, available: f32, delta: f32) -> f32 {
    bottom_height(bottom_height(wanted, available) - delta, available)
}

/// Which way a divider runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Divider {
    /// A vertical line between side-by-side panes: dragged left and right.
    BetweenColumns,
    /// A horizontal line between stacked panels: dragged up and down.
    BetweenRows,
}

/// A divider at `line` (a rectangle one line thick) that the pointer can grab and the arrow keys
/// move while it has the keyboard; returns how far it moved this frame along its axis (0 when it
/// did not). Named `label` for screen readers and tests, with `share` (0 to 1: the part of the
/// area before it) as its value.
pub(super) fn divider(ui: &mut Ui, line: Rect, id: Id, label: &str, divider: Divider, share: f32) -> f32 {
    let (area, cursor) = match divider {
        Divider::BetweenColumns => (line.expand2(egui::vec2(GRAB_MARGIN, 0.0)), CursorIcon::ResizeHorizontal),
        Divider::BetweenRows => (line.expand2(egui::vec2(0.0, GRAB_MARGIN)), CursorIcon::ResizeVertical),
    };
    let response = ui.interact(area, id, Sense::drag());
    response.widget_info(|| WidgetInfo::labeled(Role::Splitter, true, label));
    let percent = (f64::from(share.clamp(0.0, 1.0)) * 100.0).round();
    ui.ctx().accesskit_node_builder(id, |node| {
        node.set_numeric_value(percent);
        node.set_min_numeric_value(0.0);
        node.set_max_numeric_value(100.0);
        node.set_value(format!("{percent} %"));
    });
    if response.hovered() || response.dragged() || response.has_focus() {
        ui.ctx().set_cursor_icon(cursor);
        let stroke = if response.dragged() {
            ui.visuals().widgets.active.fg_stroke
        } else {
            ui.visuals().widgets.hovered.fg_stroke
        };
        let painter = ui.ctx().layer_painter(ui.layer_id());
        match divider {
            Divider::BetweenColumns => painter.vline(line.center().x, line.y_range(), stroke),
            Divider::BetweenRows => painter.hline(line.x_range(), line.center().y, stroke),
        };
    }
    if response.has_focus() {
        return keyed_step(ui, id, divider);
    }
    if !response.dragged() {
        return 0.0;
    }
    let delta = response.drag_delta();
    match divider {
        Divider::BetweenColumns => delta.x,
        Divider::BetweenRows => delta.y,
    }
}

/// How far the arrow keys along the divider's axis move the divider `id`, which has the keyboard:
/// Left and Up towards the start, Right and Down towards the end. The divider keeps those keys
/// (they would move the focus otherwise).
fn keyed_step(ui: &Ui, id: Id, divider: Divider) -> f32 {
    let (back, forth, filter) = match divider {
        Divider::BetweenColumns => {
            (Key::ArrowLeft, Key::ArrowRight, EventFilter { horizontal_arrows: true, ..Default::default() })
        }
        Divider::BetweenRows => {
            (Key::ArrowUp, Key::ArrowDown, EventFilter { vertical_arrows: true, ..Default::default() })
        }
    };
    ui.memory_mut(|memory| memory.set_focus_lock_filter(id, filter));
    ui.input_mut(|input| {
        let mut moved = 0.0;
        while input.consume_key(Modifiers::NONE, back) {
            moved -= KEY_STEP;
        }
        while input.consume_key(Modifiers::NONE, forth) {
            moved += KEY_STEP;
        }
        moved
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_keeps_its_share_at_any_width() {
        assert_eq!(local_width(0.3, 2000.0), 600.0);
        assert_eq!(local_width(0.3, 1000.0), 300.0);
        // Too small a share for the window: the local pane keeps its minimum, the fraction stays.
        assert_eq!(local_width(0.1, 800.0), MIN_PANE_WIDTH);
        assert_eq!(local_width(0.95, 800.0), 800.0 - MIN_PANE_WIDTH);
        // Narrower than two minimums: half each.
        assert_eq!(local_width(0.9, 300.0), 150.0);
        assert_eq!(local_width(f32::NAN, 1000.0), 500.0);
    }

    #[test]
    fn a_drag_moves_the_split_by_the_pointer_distance_only() {
        assert_eq!(dragged_fraction(0.5, 1000.0, 0.0), 0.5, "grabbing it moves nothing");
        assert_eq!(dragged_fraction(0.5, 1000.0, 100.0), 0.6);
        assert_eq!(dragged_fraction(0.5, 1000.0, -1000.0), MIN_PANE_WIDTH / 1000.0);
    }

    #[test]
    fn the_bottom_panel_keeps_the_height_asked_for_where_it_fits() {
        assert_eq!(bottom_height(250.0, 900.0), 250.0);
        assert_eq!(bottom_height(800.0, 600.0), 600.0 - MIN_PANES_HEIGHT);
        assert_eq!(bottom_height(10.0, 600.0), MIN_BOTTOM_HEIGHT);
        assert_eq!(dragged_height(250.0, 900.0, -50.0), 300.0, "dragged up: taller");
    }
}
