//! Which rows are selected: plain, Ctrl and Shift clicks. The keys are in `keyboard`.

use egui::Modifiers;

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

    /// Enter: the `..` row goes up, one folder opens, one file or several entries (files and
    /// folders) go to the other pane, as the Upload and Download buttons send them.
    pub(super) fn enter(&mut self, actions: &mut Vec<PaneAction>) {
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

    /// The `..` row gets the keyboard cursor; the selection is emptied, as `..` is never part of it.
    pub(super) fn put_cursor_on_parent_row(&mut self) {
        self.selected.iter_mut().for_each(|flag| *flag = false);
        self.anchor = None;
        self.cursor = None;
        self.parent_cursor = true;
        self.scroll_to_row = Some(0);
    }

    pub(super) fn select_only(&mut self, index: usize) {
        self.selected.iter_mut().for_each(|flag| *flag = false);
        self.selected[index] = true;
        self.anchor = Some(index);
        self.cursor = Some(index);
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
                self.cursor = Some(index);
            }
            _ if toggle => {
                self.selected[index] = !self.selected[index];
                self.anchor = Some(index);
                self.cursor = Some(index);
            }
            _ => self.select_only(index),
        }
    }
}
