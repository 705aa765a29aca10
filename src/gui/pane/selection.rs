//! Which rows are selected: plain, Ctrl and Shift clicks. The keys are in `keyboard`.

use egui::Modifiers;

use super::FilePane;
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

    pub(super) fn select_only(&mut self, index: usize) {
        self.selected.iter_mut().for_each(|flag| *flag = false);
        self.selected[index] = true;
        self.anchor = Some(index);
        self.cursor = Some(index);
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
