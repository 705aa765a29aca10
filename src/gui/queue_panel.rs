//! The transfer queue panel: a row per item with progress, speed, ETA and state, the buttons to
//! cancel, pause, resume and retry, and the totals the status bar shows. It only reflects
//! worker Events and answers with worker Commands.

use crate::worker::{Command, Event};

/// The queue as the window shows it.
#[derive(Default)]
pub struct QueuePanel {}

/// The whole queue's progress, for the status bar.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueStatus {
    /// Done fraction, 0.0 to 1.0.
    pub fraction: f32,
    /// For example "3 of 10 files · 12.0 MiB of 40.0 MiB · 5.1 MiB/s · 6 s left".
    pub text: String,
}

impl QueuePanel {
    /// Takes in a queue event (`Enqueued`, `QueueChanged`, `QueueProgress`, `QueueTotals`,
    /// `QueueCleared`, `QueueRestored`); returns false for any other event.
    pub fn apply(&mut self, event: &Event) -> bool {
        let _ = event;
        false
    }

    /// Draws the panel; returns the commands the user's clicks ask for.
    pub fn show(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let _ = ui;
        Vec::new()
    }

    /// The totals for the status bar, while anything is queued or running.
    pub fn status(&self) -> Option<QueueStatus> {
        None
    }
}
