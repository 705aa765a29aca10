//! The pane by keyboard alone: a focusable list (F6 and Tab reach it, a ring shows it), a cursor
//! row moved by the arrows, Home, End and the page keys (Shift extends the selection, Ctrl moves
//! the cursor only, Space toggles), the pane's shortcuts, and its menu on the Menu key or
//! Shift+F10, opened at the selected row.

use egui::{EventFilter, FocusDirection, Id, Pos2, Rect, Response, Sense, Ui};

use super::table::pane_menu;
use super::{FilePane, PaneAction, Side};
use crate::gui::icons;
use crate::gui::keys::{self, KeyAction};
use crate::model::EntryKind;

/// Keys the list keeps for itself while it has the keyboard, instead of egui moving the focus.
const LIST_KEYS: EventFilter = EventFilter { tab: false, horizontal_arrows: true, vertical_arrows: true, escape: true };

impl FilePane {
    /// The id of the focusable list of the pane on `side` (the window moves the keyboard there).
    pub fn focus_id(side: Side) -> Id {
        Id::unique(("ferry_pane_list", side))
    }

    /// Registers the list as one focusable widget over the rest of the pane, named for a screen
    /// reader. It senses no pointer, so the rows under it keep their clicks.
    pub(super) fn list_focus(&self, ui: &Ui) -> Response {
        focus_target(ui, ui.available_rect_before_wrap(), self.side)
    }

    /// Whether the pane's keys act this frame: it is the active pane, no dialog is open over it,
    /// and the keyboard is on its list, or on nothing at all (after a click on a row).
    pub(super) fn keys_may_act(&self, ui: &Ui, active: bool) -> bool {
        let list = Self::focus_id(self.side);
        let (focused, reachable) = ui.memory(|memory| (memory.focused(), memory.allows_interaction(ui.layer_id())));
        active
            && reachable
            && self.path_edit.is_none()
            && !keys::text_edit_focused_this_frame(ui.ctx())
            && focused.is_none_or(|id| id == list)
    }

    /// Acts on this frame's pane keys; returns whether the pane's menu was asked for.
    pub(super) fn shortcuts(&mut self, ui: &mut Ui, actions: &mut Vec<PaneAction>) -> bool {
        let ctx = ui.ctx().clone();
        let take = |action| keys::take(&ctx, action);
        if take(KeyAction::SelectAll).is_some() {
            self.parent_cursor = false;
            for &index in &self.rows {
                self.selected[index] = true;
            }
        }
        // Escape closes an open menu first; only then does it clear the selection.
        if !keys::popup_open_this_frame(&ctx) && take(KeyAction::ClearSelection).is_some() {
            self.selected.iter_mut().for_each(|flag| *flag = false);
            self.parent_cursor = false;
        }
        if take(KeyAction::Open).is_some() {
            self.enter(actions);
        }
        if take(KeyAction::Up).is_some() {
            self.go_up(actions);
        }
        if take(KeyAction::Back).is_some() && self.can_go_back() {
            self.go_back(actions);
        }
        if take(KeyAction::Forward).is_some() && self.can_go_forward() {
            self.go_forward(actions);
        }
        if take(KeyAction::Refresh).is_some() {
            actions.push(PaneAction::Refresh);
        }
        if take(KeyAction::Rename).is_some()
            && let [entry] = self.selected_entries().as_slice()
        {
            actions.push(PaneAction::Rename(entry.clone()));
        }
        if take(KeyAction::Edit).is_some()
            && self.side == Side::Remote
            && let [entry] = self.selected_entries().as_slice()
            && entry.kind == EntryKind::File
        {
            actions.push(PaneAction::Edit(entry.clone()));
        }
        if take(KeyAction::Delete).is_some() {
            let selection = self.selected_entries();
            if !selection.is_empty() {
                actions.push(PaneAction::Delete(selection));
            }
        }
        if take(KeyAction::ToggleRow).is_some()
            && let Some(index) = self.cursor_index()
        {
            self.selected[index] = !self.selected[index];
            self.anchor = Some(index);
        }
        self.move_keys(ui);
        take(KeyAction::ContextMenu).is_some()
    }

    /// The arrows, Home, End, Page Up and Page Down. Above the first row is the `..` row, when
    /// there is a folder above (position -1).
    fn move_keys(&mut self, ui: &Ui) {
        let row_height = ui.text_style_height(&egui::TextStyle::Body).max(icons::ICON_SIZE) + 2.0;
        let page = ((ui.available_height() / row_height).floor() as isize - 3).max(1);
        let first: isize = if self.parent().is_some() { -1 } else { 0 };
        let last = self.rows.len() as isize - 1;
        let moves = [
            (KeyAction::RowUp, -1),
            (KeyAction::RowDown, 1),
            (KeyAction::PageUp, -page),
            (KeyAction::PageDown, page),
            (KeyAction::FirstRow, isize::MIN / 2),
            (KeyAction::LastRow, isize::MAX / 2),
        ];
        for (action, step) in moves {
            let Some(modifiers) = keys::take(ui.ctx(), action) else { continue };
            if last < first {
                continue;
            }
            let current = if self.parent_cursor { Some(-1) } else { self.cursor_position().map(|p| p as isize) };
            // Only the arrow up from the first row reaches `..`; Home and Page Up stop at the first
            // row of the folder itself.
            let lowest = if action == KeyAction::RowUp { first } else { 0.min(last) };
            let next = match current {
                Some(position) => position.saturating_add(step).clamp(lowest.min(position), last),
                // The first key press lands on the first row (the last for End).
                None if action == KeyAction::LastRow => last,
                None => 0.min(last),
            };
            match usize::try_from(next) {
                Ok(position) => self.move_cursor(position, modifiers),
                Err(_) => self.put_cursor_on_parent_row(),
            }
        }
    }

    /// Puts the cursor on the row at `position`: alone selected, or (Shift) the range from the
    /// anchor, or (Ctrl) with the selection left as it is.
    fn move_cursor(&mut self, position: usize, modifiers: egui::Modifiers) {
        let index = self.rows[position];
        if modifiers.shift {
            let anchor = self.anchor.and_then(|anchor| self.rows.iter().position(|&i| i == anchor)).unwrap_or(position);
            let (from, to) = (anchor.min(position), anchor.max(position));
            self.selected.iter_mut().for_each(|flag| *flag = false);
            for &row in &self.rows[from..=to] {
                self.selected[row] = true;
            }
            self.anchor.get_or_insert(index);
        } else if !(modifiers.ctrl || modifiers.command) {
            self.select_only(index);
        }
        self.cursor = Some(index);
        self.parent_cursor = false;
        self.scroll_to_row = Some(position);
    }

    /// The entry the cursor is on, when it is still shown.
    fn cursor_index(&self) -> Option<usize> {
        self.cursor_position().map(|position| self.rows[position])
    }

    fn cursor_position(&self) -> Option<usize> {
        let cursor = self.cursor.or(self.anchor)?;
        self.rows.iter().position(|&index| index == cursor)
    }

    /// The row that shows the keyboard's ring: the cursor's, while the list has the keyboard.
    pub(super) fn ring_row(&self, ui: &Ui) -> Option<usize> {
        let focused = ui.memory(|memory| memory.has_focus(Self::focus_id(self.side)));
        if focused { self.cursor_index() } else { None }
    }

    /// The pane's menu opened by keyboard: at the cursor's row (or the first selected one), its
    /// first entry focused so the arrows and Enter work at once; it closes once an entry acted,
    /// and the keyboard goes back to the list.
    pub(super) fn keyboard_menu(
        &mut self,
        ui: &Ui,
        list: &Response,
        asked: bool,
        row_rects: &[(usize, Rect)],
        actions: &mut Vec<PaneAction>,
    ) {
        let ctx = ui.ctx().clone();
        let state_id = list.id.with("keyboard_menu");
        if asked {
            let row = self.cursor_index().filter(|&index| self.selected[index]).or_else(|| {
                self.rows.iter().copied().find(|&index| self.selected.get(index).copied().unwrap_or(false))
            });
            let at = row
                .and_then(|row| row_rects.iter().find(|(index, _)| *index == row))
                .map_or(list.rect.left_top(), |(_, rect)| rect.left_bottom() + egui::vec2(24.0, 0.0));
            ctx.data_mut(|data| data.insert_temp(state_id, MenuState { at, focus_first: true }));
        }
        let Some(mut state) = ctx.data(|data| data.get_temp::<MenuState>(state_id)) else { return };
        let before = actions.len();
        let side = self.side;
        let selection = self.selected_entries();
        let blocked = self.transfer_unavailable();
        let comparing = self.comparing;
        let shown = egui::Popup::menu(list)
            .id(state_id.with("popup"))
            .open_memory(asked.then_some(egui::SetOpenCommand::Bool(true)))
            .at_position(state.at)
            .show(|ui| {
                // The first frame measures the menu; its entries take the keyboard on the next.
                if state.focus_first && !ui.is_sizing_pass() {
                    state.focus_first = false;
                    ui.memory_mut(|memory| {
                        memory.surrender_focus(list.id);
                        memory.move_focus(FocusDirection::Down);
                    });
                }
                pane_menu(ui, side, selection, blocked, comparing, actions);
                if actions.len() > before {
                    ui.close();
                }
            });
        if shown.is_some_and(|shown| !shown.response.should_close())
            && egui::Popup::is_id_open(&ctx, state_id.with("popup"))
        {
            ctx.data_mut(|data| data.insert_temp(state_id, state));
        } else {
            ctx.data_mut(|data| data.remove::<MenuState>(state_id));
            ctx.memory_mut(|memory| {
                if memory.focused().is_none() {
                    memory.request_focus(list.id);
                }
            });
        }
    }
}

/// Where the keyboard menu opens, and whether its first entry still has to take the focus.
#[derive(Debug, Clone, Copy)]
struct MenuState {
    at: Pos2,
    focus_first: bool,
}

/// Registers the focusable list of the pane on `side` over `rect` (also where no pane is drawn
/// yet, "Not connected", so F6 still lands there), and keeps the arrows and Escape for the list
/// while it has the keyboard.
pub fn focus_target(ui: &Ui, rect: Rect, side: Side) -> Response {
    let id = FilePane::focus_id(side);
    let response = ui.interact(rect, id, Sense::focusable_noninteractive());
    let name = match side {
        Side::Local => "Local files",
        Side::Remote => "Remote files",
    };
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::List, true, name));
    if !egui::Popup::is_any_open(ui.ctx()) {
        ui.memory_mut(|memory| memory.set_focus_lock_filter(id, LIST_KEYS));
    }
    response
}
