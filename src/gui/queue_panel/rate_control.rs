//! The queue panel's bandwidth limit control: "Limit down [none] up [none]", a few rates to pick
//! and a custom one to type (500K, 2M), sent to the worker at once so running transfers follow.

use crate::transfer::rate_limit::RateLimits;
use crate::transfer::rate_text::{format_rate, parse_rate};

/// The rates offered in each menu, in bytes a second.
const CHOICES: [u64; 5] = [100 << 10, 500 << 10, 1 << 20, 5 << 20, 10 << 20];

/// One direction's menu and its custom field.
#[derive(Default)]
struct Direction {
    /// The limit in force, as last sent.
    rate: Option<u64>,
    /// What the custom field holds while it is open.
    custom: Option<String>,
    /// Why the typed rate was refused, shown under the field.
    problem: Option<String>,
}

impl Direction {
    /// Draws the menu (and the custom field while it is open); true when the limit changed.
    /// `name` is what a screen reader calls the menu ("Download limit").
    fn show(&mut self, ui: &mut egui::Ui, name: &str, hover: &str) -> bool {
        let mut changed = false;
        let shown = self.rate.map_or_else(|| "none".to_string(), format_rate);
        egui::ComboBox::from_id_salt(("rate limit", name))
            .selected_text(shown)
            .width(90.0)
            .show_ui(ui, |ui| {
                if ui.selectable_label(self.rate.is_none(), "none").clicked() {
                    changed |= self.set(None);
                }
                for choice in CHOICES {
                    if ui.selectable_label(self.rate == Some(choice), format_rate(choice)).clicked() {
                        changed |= self.set(Some(choice));
                    }
                }
                if ui.selectable_label(self.custom.is_some(), "Custom…").clicked() {
                    self.custom = Some(String::new());
                }
            })
            .response
            .accessible_name(name)
            .on_hover_text(hover);
        if let Some(text) = &mut self.custom {
            let field = ui
                .add(
                    egui::TextEdit::singleline(text)
                        .desired_width(60.0)
                        .hint_text("500K")
                        .id_salt(("rate custom", name)),
                )
                .accessible_name(format!("Custom {}", name.to_lowercase()));
            if field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter)) {
                match parse_rate(text) {
                    Ok(rate) => changed |= self.set(Some(rate)),
                    Err(problem) => self.problem = Some(problem),
                }
            }
        }
        if let Some(problem) = &self.problem {
            ui.colored_label(ui.visuals().error_fg_color, problem);
        }
        changed
    }

    fn set(&mut self, rate: Option<u64>) -> bool {
        self.custom = None;
        self.problem = None;
        let changed = self.rate != rate;
        self.rate = rate;
        changed
    }
}

/// Both directions' limits, as the control shows them.
#[derive(Default)]
pub(super) struct RateControl {
    down: Direction,
    up: Direction,
}

impl RateControl {
    /// Draws the control; the new limits when the user changed one.
    pub(super) fn show(&mut self, ui: &mut egui::Ui) -> Option<RateLimits> {
        ui.label("Limit down");
        let down = self.down.show(ui, "Download limit", "The most all downloads together may take a second");
        ui.label("up");
        let up = self.up.show(ui, "Upload limit", "The most all uploads together may send a second");
        (down || up).then_some(self.limits())
    }

    /// The limits the control shows (the ones last sent).
    pub(super) fn limits(&self) -> RateLimits {
        RateLimits { down: self.down.rate, up: self.up.rate }
    }

    /// Shows `limits` as the ones in force (remembered from the last run), sending nothing.
    pub(super) fn set_limits(&mut self, limits: RateLimits) {
        self.down.set(limits.down);
        self.up.set(limits.up);
    }
}
