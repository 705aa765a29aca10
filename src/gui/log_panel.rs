//! The protocol log panel: the commands sent and replies received, newest last, bounded in size.

use crate::worker::LogLine;

/// The log as the window shows it.
#[derive(Default)]
pub struct LogPanel {}

impl LogPanel {
    /// Adds a line.
    pub fn push(&mut self, line: LogLine) {
        let _ = line;
    }

    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        let _ = ui;
    }
}
