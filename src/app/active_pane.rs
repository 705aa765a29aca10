//! Which pane has the keyboard: it follows clicks (in the layout) and keyboard focus (here), and
//! is marked with a coloured frame so the user sees where Enter, Delete or F2 will go.

use egui::{Id, Rect, Stroke, StrokeKind};

use super::FerryApp;
use crate::gui::pane::Side;

impl FerryApp {
    /// Makes the pane holding a newly focused widget (Tab, a screen reader, a field clicked into)
    /// the active one, then frames the active pane. `local` and `remote` are the panes' areas.
    pub(super) fn follow_focus_and_mark(&mut self, ui: &egui::Ui, local: Rect, remote: Rect) {
        let ctx = ui.ctx();
        let memory_id = Id::unique("ferry_last_focused_widget");
        let focused = ctx.memory(|memory| memory.focused());
        let before = ctx.data(|data| data.get_temp::<Option<Id>>(memory_id)).flatten();
        if focused != before {
            ctx.data_mut(|data| data.insert_temp(memory_id, focused));
            // Only widgets of the panes themselves: a dialog or menu floating over a pane is not in it.
            let at = focused
                .and_then(|id| ctx.read_response(id))
                .filter(|response| response.layer_id == ui.layer_id())
                .map(|response| response.rect.center());
            if let Some(side) = at.and_then(|pos| side_at(pos, local, remote)) {
                self.layout.set_active_side(side);
            }
        }
        let rect = match self.layout.active_side() {
            Side::Local => local,
            Side::Remote => remote,
        };
        let color = ui.visuals().selection.bg_fill;
        ui.painter().rect_stroke(rect.shrink(1.0), 2.0, Stroke::new(2.0, color), StrokeKind::Inside);
    }
}

/// The pane a point lies in, if any.
fn side_at(pos: egui::Pos2, local: Rect, remote: Rect) -> Option<Side> {
    if local.contains(pos) {
        Some(Side::Local)
    } else if remote.contains(pos) {
        Some(Side::Remote)
    } else {
        None
    }
}
