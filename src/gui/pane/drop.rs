//! Drops onto the pane: rows dragged from the other pane, and files from the desktop (remote
//! side only), into the folder under the pointer or the one shown.

use std::path::PathBuf;

use egui::{DragAndDrop, Id, Rect, Ui, Vec2};

use super::{DraggedRows, FilePane, PaneAction, Side};
use crate::gui::icons;
use crate::model::{EntryKind, escape_control, join_remote};

impl FilePane {
    /// Drop handling: rows of the other pane, and (remote side only) files from the desktop.
    pub(super) fn drops(
        &mut self,
        ui: &Ui,
        pane_rect: Rect,
        row_rects: &[(usize, Rect)],
        actions: &mut Vec<PaneAction>,
    ) {
        let ctx = ui.ctx().clone();
        let pointer = ctx.input(|i| i.pointer.interact_pos());
        let over_pane = pointer.is_some_and(|pos| pane_rect.contains(pos));
        let rows_payload = DragAndDrop::payload::<DraggedRows>(&ctx).filter(|rows| rows.from != self.side);
        let accepts_desktop = self.side == Side::Remote;
        let (hovering_files, dropped_files) = ctx.input(|i| {
            let dropped: Vec<PathBuf> = i.raw.dropped_files.iter().map(|file| file.path().to_path_buf()).collect();
            (!i.raw.hovered_files.is_empty(), dropped)
        });
        // Some desktops give no pointer position while an OS drag is over the window; the remote
        // pane is the only one accepting desktop files, so it takes them then.
        let over_for_desktop = over_pane || pointer.is_none();
        let target = |this: &Self| -> String {
            let under_pointer = pointer.and_then(|pos| row_rects.iter().find(|(_, rect)| rect.contains(pos)));
            match under_pointer {
                Some(&(index, _)) if this.entries[index].opens_as() == EntryKind::Dir => {
                    join_remote(&this.path, &this.entries[index].name)
                }
                _ => this.path.clone(),
            }
        };

        self.drop_highlighted = false;
        self.drop_target = None;
        if accepts_desktop && over_for_desktop && !dropped_files.is_empty() {
            actions.push(PaneAction::DropFiles { paths: dropped_files, into: target(self) });
        } else if accepts_desktop && over_for_desktop && hovering_files {
            self.drop_highlighted = true;
        }
        if let Some(rows) = rows_payload
            && over_pane
        {
            if ctx.input(|i| i.pointer.any_released()) {
                DragAndDrop::clear_payload(&ctx);
                actions.push(PaneAction::DropRows {
                    rows: rows.entries.clone(),
                    from_folder: rows.folder.clone(),
                    into: target(self),
                });
            } else {
                self.drop_highlighted = true;
            }
        }
        if self.drop_highlighted {
            self.drop_target = Some(target(self));
            let color = ui.visuals().selection.stroke.color;
            icons::paint_drop_highlight(&ctx.layer_painter(ui.layer_id()), pane_rect, color);
            ctx.request_repaint();
        }
        // While our own rows travel, show how many go with the pointer.
        if let (Some(rows), Some(pos)) = (DragAndDrop::payload::<DraggedRows>(&ctx), ctx.pointer_latest_pos())
            && rows.from == self.side
        {
            let painter = ctx.layer_painter(egui::LayerId::new(egui::Order::Tooltip, Id::unique("ferry_drag_count")));
            let text = match rows.entries.as_slice() {
                [one] => escape_control(&one.name),
                many => format!("{} items", many.len()),
            };
            painter.text(
                pos + Vec2::new(14.0, 6.0),
                egui::Align2::LEFT_TOP,
                text,
                egui::TextStyle::Body.resolve(ui.style()),
                ui.visuals().strong_text_color(),
            );
        }
    }
}
