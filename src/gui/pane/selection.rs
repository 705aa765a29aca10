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
            for &index in &self.rows {
                self.selected[index] = true;
            }
        }
        // Escape closes an open menu first; only then does it clear the selection.
        if !egui::Popup::is_any_open(ui.ctx()) && take_key(ui, Key::Escape, false) {
            self.selected.iter_mut().for_each(|flag| *flag = false);
        }
        if take_key(ui, Key::Enter, false) {
            let selection = self.selected_entries();
            if let [entry] = selection.as_slice() {
                self.open(entry.clone(), actions);
            }
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
        if step != 0 && !self.rows.is_empty() {
            let current = self.anchor.and_then(|anchor| self.rows.iter().position(|&index| index == anchor));
            let next = match current {
                Some(position) => position.saturating_add_signed(step).min(self.rows.len() - 1),
                None => 0,
            };
            self.select_only(self.rows[next]);
            self.scroll_to_row = Some(next);
        }
    }

    pub(super) fn select_only(&mut self, index: usize) {
        self.selected.iter_mut().for_each(|flag| *flag = false);
        self.selected[index] = true;
        self.anchor = Some(index);
    }

    pub(super) fn click_row(&mut self, position: usize, modifiers: Modifiers) {
        let index = self.rows[position];
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
