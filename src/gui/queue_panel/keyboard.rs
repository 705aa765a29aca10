//! The queue by keyboard alone: a focusable list (F6 reaches it, a ring shows it) with a cursor
//! row moved by the arrows, Home, End and the page keys; Delete cancels the row's transfer and
//! Space pauses or resumes it, exactly as the row's buttons do.

use egui::{EventFilter, Id, Sense, Ui};

use super::QueuePanel;
use crate::gui::keys::{self, KeyAction};
use crate::worker::{Command, ItemAction, QueueCommand};

/// The arrows and Escape stay with the list while it has the keyboard.
const LIST_KEYS: EventFilter = EventFilter { tab: false, horizontal_arrows: true, vertical_arrows: true, escape: true };

impl QueuePanel {
    /// The id of the queue's focusable list (the window moves the keyboard there).
    pub fn focus_id() -> Id {
        Id::unique("ferry_queue_list")
    }

    /// Registers the list over the rest of the panel and, while it has the keyboard, acts on the
    /// queue's keys. Returns the row to scroll to, when the cursor moved.
    pub(super) fn keyboard(&mut self, ui: &Ui, commands: &mut Vec<Command>) -> Option<usize> {
        let id = Self::focus_id();
        let response = ui.interact(ui.available_rect_before_wrap(), id, Sense::focusable_noninteractive());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::List, true, "Transfers"));
        if !response.has_focus() {
            return None;
        }
        ui.memory_mut(|memory| memory.set_focus_lock_filter(id, LIST_KEYS));
        let ctx = ui.ctx().clone();
        let mut scroll = None;
        if !self.order.is_empty() {
            let last = self.order.len() as isize - 1;
            let page = 8;
            let current = self.cursor.and_then(|cursor| self.order.iter().position(|&id| id == cursor));
            let moves = [
                (KeyAction::RowUp, -1),
                (KeyAction::RowDown, 1),
                (KeyAction::PageUp, -page),
                (KeyAction::PageDown, page),
                (KeyAction::FirstRow, -last - 1),
                (KeyAction::LastRow, last + 1),
            ];
            for (action, step) in moves {
                if keys::take(&ctx, action).is_some() {
                    let next = match current {
                        Some(position) => (position as isize + step).clamp(0, last),
                        None if action == KeyAction::LastRow => last,
                        None => 0,
                    } as usize;
                    self.cursor = Some(self.order[next]);
                    scroll = Some(next);
                }
            }
        }
        let Some(item) = self.cursor.and_then(|cursor| self.rows.get(&cursor)).map(|row| &row.item) else {
            return scroll;
        };
        let offered: Vec<ItemAction> = item.state.actions().collect();
        let mut act = |action: ItemAction| {
            if offered.contains(&action) {
                commands.push(Command::Queue(QueueCommand::Action { item: item.id, action }));
                true
            } else {
                false
            }
        };
        if keys::take(&ctx, KeyAction::CancelItem).is_some() {
            act(ItemAction::Cancel);
        }
        if keys::take(&ctx, KeyAction::PauseOrResume).is_some() && !act(ItemAction::Pause) {
            act(ItemAction::Resume);
        }
        scroll
    }

    /// The row that shows the keyboard's ring: the cursor's, while the list has the keyboard.
    pub(super) fn ring_item(&self, ui: &Ui) -> Option<crate::worker::ItemId> {
        let focused = ui.memory(|memory| memory.has_focus(Self::focus_id()));
        if focused { self.cursor } else { None }
    }
}
