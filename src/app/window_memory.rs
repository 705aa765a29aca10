//! The window state Ferry remembers between runs (size, pane split, views, theme, last local
//! folder), and when it was last written: at most once a second, and once more at the end.

use std::time::{Duration, Instant};

use crate::gui::settings::UiState;

/// How often at most the remembered window state is written.
pub(super) const SAVE_STATE_EVERY: Duration = Duration::from_secs(1);

/// What to do about the remembered state this frame.
#[derive(Debug, PartialEq)]
pub(super) enum SaveStep {
    /// Nothing changed since the last write.
    Unchanged,
    /// Write this JSON now.
    Write(String),
    /// Something changed, but the last write was less than a second ago: look again later.
    Wait,
}

/// The window state as it is now, and as it was last written.
pub(super) struct WindowMemory {
    /// The state as it is now; the window changes it freely.
    pub(super) state: UiState,
    saved: UiState,
    last_save: Option<Instant>,
}

impl WindowMemory {
    /// Starts from the state read at startup (the one on disk).
    pub(super) fn new(state: UiState) -> Self {
        WindowMemory { saved: state.clone(), state, last_save: None }
    }

    /// Whether to write the state now; a write counts as done once this says `Write`.
    pub(super) fn save_step(&mut self) -> SaveStep {
        if self.state == self.saved {
            return SaveStep::Unchanged;
        }
        if self.last_save.is_some_and(|last| last.elapsed() < SAVE_STATE_EVERY) {
            return SaveStep::Wait;
        }
        self.saved = self.state.clone();
        self.last_save = Some(Instant::now());
        SaveStep::Write(self.state.to_json())
    }

    /// The state to write at the end, if it changed since the last write.
    pub(super) fn unsaved(&self) -> Option<String> {
        (self.state != self.saved).then(|| self.state.to_json())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_is_written_at_once_then_at_most_once_a_second() {
        let mut memory = WindowMemory::new(UiState::default());
        assert_eq!(memory.save_step(), SaveStep::Unchanged);
        memory.state.local_pane_width = Some(300.0);
        assert!(matches!(memory.save_step(), SaveStep::Write(_)));
        assert_eq!(memory.save_step(), SaveStep::Unchanged);
        memory.state.local_pane_width = Some(320.0);
        assert_eq!(memory.save_step(), SaveStep::Wait, "the last write was just now");
        assert!(memory.unsaved().is_some(), "the end of the run writes it");
    }
}
