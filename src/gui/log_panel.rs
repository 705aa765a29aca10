//! The protocol log panel: the commands sent and replies received, newest last, bounded in size.

use std::collections::VecDeque;

use crate::model::escape_control;
use crate::worker::{LogKind, LogLine};

/// How many lines the panel keeps; older ones are dropped. A long transfer session logs a few
/// lines per file, and a bigger log only costs memory: the panel draws the visible rows only.
pub const MAX_LINES: usize = 5_000;

/// The log as the window shows it.
pub struct LogPanel {
    lines: VecDeque<ShownLine>,
    capacity: usize,
}

impl Default for LogPanel {
    fn default() -> Self {
        LogPanel::with_capacity(MAX_LINES)
    }
}

/// A line as drawn: formatted once when it arrives, not each frame.
struct ShownLine {
    time: String,
    session: String,
    kind: LogKind,
    text: String,
}

impl ShownLine {
    fn plain(&self) -> String {
        format!("{} {:<7} {:<4} {}", self.time, kind_word(self.kind), self.session, self.text)
    }
}

/// A cell `width` wide holding `text`, left-aligned.
fn column(ui: &mut egui::Ui, width: f32, height: f32, text: egui::RichText) {
    ui.allocate_ui_with_layout(egui::vec2(width, height), egui::Layout::left_to_right(egui::Align::Center), |ui| {
        ui.set_min_width(width);
        ui.label(text);
    });
}

/// The word shown for a kind of line, as FileZilla's log does.
fn kind_word(kind: LogKind) -> &'static str {
    match kind {
        LogKind::Command => "Command",
        LogKind::Reply => "Reply",
        LogKind::Info => "Info",
        LogKind::Error => "Error",
    }
}

impl LogPanel {
    /// A log keeping at most `capacity` lines (at least one).
    pub fn with_capacity(capacity: usize) -> Self {
        LogPanel { lines: VecDeque::new(), capacity: capacity.max(1) }
    }

    /// Adds a line.
    pub fn push(&mut self, line: LogLine) {
        if self.lines.len() >= self.capacity {
            self.lines.pop_front();
        }
        self.lines.push_back(ShownLine {
            time: line.time.with_timezone(&chrono::Local).format("%H:%M:%S").to_string(),
            session: line.session.map(|session| format!("#{}", session.0)).unwrap_or_default(),
            kind: line.kind,
            // Escaped here as well: a line that reaches the panel by another path than the worker's
            // log must not carry a server's control characters either.
            text: escape_control(&line.text),
        });
    }

    /// How many lines it holds.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Drops every line.
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// The whole log as text, one line each, as "Copy all" puts it on the clipboard.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(&line.plain());
            text.push('\n');
        }
        text
    }

    /// Draws the panel.
    pub fn show(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if ui.add_enabled(!self.lines.is_empty(), egui::Button::new("Copy all")).clicked() {
                ui.ctx().copy_text(self.text());
            }
            if ui.add_enabled(!self.lines.is_empty(), egui::Button::new("Clear")).clicked() {
                self.clear();
            }
            ui.weak(format!("{} of at most {} lines", self.lines.len(), self.capacity));
        });
        ui.separator();
        let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + ui.spacing().item_spacing.y;
        // Columns as wide as so many monospace characters, so the texts line up.
        let monospace = egui::TextStyle::Monospace.resolve(ui.style());
        let char_width = ui.ctx().fonts_mut(|fonts| fonts.glyph_width(&monospace, '0'));
        // Sticks to the newest line as lines arrive, until the user scrolls up to read.
        egui::ScrollArea::both().id_salt("protocol_log").auto_shrink([false, false]).stick_to_bottom(true).show_rows(
            ui,
            row_height,
            self.lines.len(),
            |ui, range| {
                ui.spacing_mut().item_spacing.y = 0.0;
                for line in self.lines.range(range) {
                    Self::line_ui(ui, line, row_height, char_width);
                }
            },
        );
    }

    fn line_ui(ui: &mut egui::Ui, line: &ShownLine, row_height: f32, char_width: f32) {
        let visuals = ui.visuals();
        let color = match line.kind {
            LogKind::Command => visuals.hyperlink_color,
            LogKind::Reply => visuals.text_color(),
            LogKind::Info => visuals.weak_text_color(),
            LogKind::Error => visuals.error_fg_color,
        };
        let row = |ui: &mut egui::Ui| {
            column(ui, 9.0 * char_width, row_height, egui::RichText::new(&line.time).monospace().weak());
            column(
                ui,
                8.0 * char_width,
                row_height,
                egui::RichText::new(kind_word(line.kind)).monospace().color(color),
            );
            column(ui, 5.0 * char_width, row_height, egui::RichText::new(&line.session).monospace().weak());
            ui.add(egui::Label::new(egui::RichText::new(&line.text).monospace().color(color)).extend());
        };
        ui.allocate_ui_with_layout(
            egui::vec2(ui.available_width(), row_height),
            egui::Layout::left_to_right(egui::Align::Center),
            row,
        );
    }
}
