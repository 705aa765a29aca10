//! Where the pane goes: every navigation, and the Back/Forward history it moves once the listing
//! arrives.

use super::{FilePane, PaneAction};
use crate::model::{Entry, EntryKind, join_remote, parent_remote};

/// How the navigation in flight moves through the history once its listing arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HistoryMove {
    /// A new place: the old folder goes on the Back stack, Forward is forgotten.
    Visit,
    /// One step back.
    Back,
    /// One step forward.
    Forward,
}

impl FilePane {
    /// Whether Back has somewhere to go.
    pub fn can_go_back(&self) -> bool {
        !self.back.is_empty()
    }

    /// Whether Forward has somewhere to go.
    pub fn can_go_forward(&self) -> bool {
        !self.forward.is_empty()
    }

    /// Every navigation goes through here, so the history knows how to move when it arrives.
    pub(super) fn navigate(&mut self, path: String, history: HistoryMove, actions: &mut Vec<PaneAction>) {
        self.pending_move = Some(history);
        actions.push(PaneAction::Navigate(path));
    }

    pub(super) fn parent(&self) -> Option<String> {
        let parent = parent_remote(&self.path);
        (!self.path.is_empty() && parent != "." && parent != self.path).then_some(parent)
    }

    pub(super) fn go_up(&mut self, actions: &mut Vec<PaneAction>) {
        if let Some(parent) = self.parent() {
            self.navigate(parent, HistoryMove::Visit, actions);
        }
    }

    pub(super) fn go_back(&mut self, actions: &mut Vec<PaneAction>) {
        if let Some(target) = self.back.last().cloned() {
            self.navigate(target, HistoryMove::Back, actions);
        }
    }

    pub(super) fn go_forward(&mut self, actions: &mut Vec<PaneAction>) {
        if let Some(target) = self.forward.last().cloned() {
            self.navigate(target, HistoryMove::Forward, actions);
        }
    }

    /// Double-click or Enter: folders are opened, a file is transferred to the other pane, as in
    /// the commander-style clients. A link acts as what it leads to; one whose end the server did
    /// not tell (FTP) is tried as a folder.
    pub(super) fn open(&mut self, entry: Entry, actions: &mut Vec<PaneAction>) {
        match entry.opens_as() {
            EntryKind::Dir | EntryKind::Symlink => {
                let target = join_remote(&self.path, &entry.name);
                self.navigate(target, HistoryMove::Visit, actions);
            }
            EntryKind::File | EntryKind::Other => actions.push(PaneAction::Transfer(vec![entry])),
        }
    }
}
