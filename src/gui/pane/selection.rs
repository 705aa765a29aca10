//! Which rows are selected: plain, Ctrl and Shift clicks, and the keyboard shortcuts that act
//! on the selection.

use egui::{Event, Key, Modifiers, Ui};

use super::{FilePane, PaneAction};
use crate::model::Entry;

impl FilePane {
    /// The selected entries, in display order. Rows hidden by the filter or the hidden toggle are
    /// never part of it, so an action never touches what the user cannot see.
    pub fn selected_entries(&self) -> Vec<Entry> {
        self.rows
            .iter()
            .filter(|&&index| self.selected.get(index).copied().unwrap_or(false))
            .map(|&index| self.entries[index].clone())
            .collect()
    }

    pub(super) fn shortcuts(&mut self, ui: &mut Ui, actions: &mut Vec<PaneAction>) {
        if take_key(ui, Key::A, true) {
            self.parent_cursor = false;
            for &index in &self.rows {
                self.selected[index] = true;
            }
        }
        // Escape closes an open menu first; only then does it clear the selection.
        if !egui::Popup::is_any_open(ui.ctx()) && take_key(ui, Key::Escape, false) {
            self.selected.iter_mut().for_each(|flag| *flag = false);
            self.parent_cursor = false;
        }
        if take_key(ui, Key::Enter, false) {
            self.enter(actions);
        }
        if take_key(ui, Key::Backspace, false) {
            self.go_up(actions);
        }
        if take_key(ui, Key::F5, false) {
            actions.push(PaneAction::Refresh);
        }
        if take_key(ui, Key::F2, false)
            && let [entry] = self.selected_entries().as_slice()
        {
            actions.push(PaneAction::Rename(entry.clone()));
        }
        if take_key(ui, Key::Delete, false) {
            let selection = self.selected_entries();
            if !selection.is_empty() {
                actions.push(PaneAction::Delete(selection));
            }
        }
        let step: isize = if take_key(ui, Key::ArrowDown, false) {
            1
        } else if take_key(ui, Key::ArrowUp, false) {
            -1
        } else {
            0
        };
        if step != 0 {
            self.move_cursor(step);
        }
    }

    /// Enter: the `..` row goes up, one folder opens, one file or several entries (files and
    /// folders) go to the other pane, as the Upload and Download buttons send them.
    fn enter(&mut self, actions: &mut Vec<PaneAction>) {
        if self.parent_cursor {
            self.go_up(actions);
            return;
        }
        let selection = self.selected_entries();
        match selection.as_slice() {
            [] => {}
            [entry] => self.open(entry.clone(), actions),
            _ => actions.push(PaneAction::Transfer(selection)),
        }
    }

    /// Arrow keys: one row down (`step` 1) or up (-1); above the first row is the `..` row, when
    /// there is a folder above.
    fn move_cursor(&mut self, step: isize) {
        // Positions in display order; -1 is the `..` row.
        let first: isize = if self.parent().is_some() { -1 } else { 0 };
        let last = self.rows.len() as isize - 1;
        if last < first {
            return;
        }
        let current = if self.parent_cursor {
            Some(-1)
        } else {
            self.anchor.and_then(|anchor| self.rows.iter().position(|&index| index == anchor)).map(|p| p as isize)
        };
        let next = match current {
            Some(position) => (position + step).clamp(first, last),
            None => 0.min(last),
        };
        match usize::try_from(next) {
            Ok(position) => {
                self.select_only(self.rows[position]);
                self.scroll_to_row = Some(position);
            }
            Err(_) => self.put_cursor_on_parent_row(),
        }
    }

    /// The `..` row gets the keyboard cursor; the selection is emptied, as `..` is never part of it.
    pub(super) fn put_cursor_on_parent_row(&mut self) {
        self.selected.iter_mut().for_each(|flag| *flag = false);
        self.anchor = None;
        self.parent_cursor = true;
        self.scroll_to_row = Some(0);
    }

    pub(super) fn select_only(&mut self, index: usize) {
        self.selected.iter_mut().for_each(|flag| *flag = false);
        self.selected[index] = true;
        self.anchor = Some(index);
        self.parent_cursor = false;
    }

    pub(super) fn click_row(&mut self, position: usize, modifiers: Modifiers) {
        let index = self.rows[position];
        self.parent_cursor = false;
        let toggle = modifiers.ctrl || modifiers.command;
        let anchor_position = self.anchor.and_then(|anchor| self.rows.iter().position(|&i| i == anchor));
        match (modifiers.shift, anchor_position) {
            (true, Some(anchor_position)) => {
                if !toggle {
                    self.selected.iter_mut().for_each(|flag| *flag = false);
                }
                let (from, to) = (anchor_position.min(position), anchor_position.max(position));
                for &row in &self.rows[from..=to] {
                    self.selected[row] = true;
                }
            }
            _ if toggle => {
                self.selected[index] = !self.selected[index];
                self.anchor = Some(index);
            }
            _ => self.select_only(index),
        }
    }
}

/// Consumes a press of `key`, with Ctrl (or Cmd) held exactly when `ctrl` and no Alt. Other
/// panes and widgets no longer see it.
pub(super) fn take_key(ui: &Ui, key: Key, ctrl: bool) -> bool {
    ui.input_mut(|input| {
        let mut found = false;
        input.events.retain(|event| {
            let hit = matches!(event,
                Event::Key { key: pressed_key, pressed: true, modifiers, .. }
                    if *pressed_key == key && (modifiers.ctrl || modifiers.command) == ctrl && !modifiers.alt);
            found |= hit;
            !hit
        });
        found
    })
}
