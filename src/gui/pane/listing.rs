//! What the pane shows: the listing it is given, the spinner of a pending one, and the rows
//! left after the hidden toggle, the filter and the sort.

use super::{FilePane, HistoryMove, view};
use crate::model::Entry;

impl FilePane {
    /// Shows a listing of `path` (the answer to a `Navigate` or `Refresh`); ends the spinner.
    /// A listing of another folder moves the Back/Forward history; a listing of the same folder
    /// (a refresh) keeps the selection of names still present.
    pub fn set_listing(&mut self, path: String, entries: Vec<Entry>) {
        let same_folder = path == self.path;
        let kept: std::collections::HashSet<String> = if same_folder {
            self.selected_entries().into_iter().map(|entry| entry.name).collect()
        } else {
            Default::default()
        };
        let name_at = |index: Option<usize>| index.and_then(|index| self.entries.get(index)).map(|e| e.name.clone());
        let anchor_name = name_at(self.anchor);
        let cursor_name = name_at(self.cursor);
        let came_from = (!same_folder).then(|| self.path.clone());
        if !same_folder {
            self.parent_cursor = false;
            let old = std::mem::take(&mut self.path);
            match self.pending_move.take().unwrap_or(HistoryMove::Visit) {
                HistoryMove::Visit => {
                    if !old.is_empty() {
                        self.back.push(old);
                    }
                    self.forward.clear();
                }
                HistoryMove::Back => {
                    self.back.pop();
                    self.forward.push(old);
                }
                HistoryMove::Forward => {
                    self.forward.pop();
                    self.back.push(old);
                }
            }
            self.filter.clear();
            self.scroll_to_row = Some(0);
        }
        // A refresh of the same folder may arrive while a navigation is still pending: it leaves
        // that navigation's history move in place.
        self.path = path;
        self.selected = entries.iter().map(|entry| kept.contains(&entry.name)).collect();
        // The anchor and the cursor stay on their entries by name in a refresh; a new folder
        // starts without them, so no ring is left on a row index of the old listing.
        let position_of = |name: Option<String>| {
            name.filter(|_| same_folder).and_then(|name| entries.iter().position(|e| e.name == name))
        };
        self.anchor = position_of(anchor_name);
        self.cursor = position_of(cursor_name);
        self.entries = entries;
        // The spinner stays while the navigation it stands for is still on its way.
        self.loading = self.loading && same_folder && self.pending_move.is_some();
        self.rows_stale = true;
        self.refresh_rows();
        if let Some(old) = came_from {
            self.select_where_we_came_from(&old);
        }
        if let Some(name) = self.select_when_listed.take() {
            self.select_by_name(&name);
        }
    }

    /// Has the next listing select the entry `name` (a folder being made, an entry being
    /// renamed), so the keys act on it next.
    pub fn select_when_listed(&mut self, name: &str) {
        self.select_when_listed = Some(name.to_owned());
    }

    /// Selects the entry `name` alone, with the cursor on it, when it is among the rows shown.
    fn select_by_name(&mut self, name: &str) {
        let Some(position) = self.rows.iter().position(|&index| self.entries[index].name == name) else { return };
        self.select_only(self.rows[position]);
        self.scroll_to_row = Some(position);
    }

    /// Shows or hides the spinner of a pending listing. Ending it without a listing (the listing
    /// failed or was cancelled) keeps the folder and its history as they were.
    pub fn set_loading(&mut self, loading: bool) {
        self.loading = loading;
        if !loading {
            self.pending_move = None;
        }
    }

    /// Whether a listing is pending.
    pub fn is_loading(&self) -> bool {
        self.loading
    }

    /// The entries of the folder shown, as given.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The names of the rows shown, in display order (after hidden toggle, filter and sort).
    pub fn visible_names(&self) -> Vec<String> {
        self.rows.iter().map(|&index| self.entries[index].name.clone()).collect()
    }

    pub(super) fn refresh_rows(&mut self) {
        if self.rows_stale {
            self.rows = view::visible_rows(&self.entries, &self.view, &self.filter);
            self.rows_stale = false;
        }
    }
}
