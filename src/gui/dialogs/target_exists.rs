//! A transfer's target exists: both sides' size and date, the choices, and "Apply to all".

use super::modal;
use crate::model::escape_control;
use crate::transfer::policy::{FileFacts, OnExists};
use crate::transfer::progress::format_bytes;
use crate::transfer::times::compare_times;
use crate::worker::Answer;

/// Size and date of one side, in words: "12.0 MiB (12582912 bytes)", "2024-05-01 14:03:09".
pub(super) fn describe_size(size: Option<u64>) -> String {
    match size {
        Some(bytes) if bytes >= 1000 => format!("{} ({bytes} bytes)", format_bytes(bytes)),
        Some(bytes) => format_bytes(bytes),
        None => "unknown".into(),
    }
}

pub(super) fn describe_date(modified: Option<chrono::DateTime<chrono::Utc>>) -> String {
    modified
        .map(|time| time.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The choices for an existing target, with what each does.
pub(super) const EXISTS_CHOICES: [(&str, OnExists, &str); 5] = [
    ("Overwrite", OnExists::Overwrite, "Replace the existing file"),
    ("Resume", OnExists::Resume, "Continue the existing file from where it ends (an interrupted transfer)"),
    ("Rename", OnExists::Rename, "Keep both: transfer under a free name such as \"name (1).ext\""),
    ("Skip", OnExists::Skip, "Leave the existing file alone and do not transfer this one"),
    ("Overwrite if newer", OnExists::OverwriteIfNewer, "Replace the existing file only if this one was modified later"),
];

/// Why the existing file cannot be continued by Resume, if it cannot: only a smaller file of
/// known size can be the beginning of the new one (the worker sends any other whole).
fn why_not_resumable(source: &FileFacts, target: &FileFacts) -> Option<&'static str> {
    match (source.size, target.size) {
        (Some(source), Some(target)) if target >= source => Some(
            "Resume is not offered: the existing file is as large as the new one or larger, so it cannot be \
             its beginning.",
        ),
        (Some(_), Some(_)) => None,
        _ => Some("Resume is not offered: a size is unknown, so there is no place to continue from."),
    }
}

pub(super) fn target_exists_ui(
    ctx: &egui::Context,
    name: &str,
    source: &FileFacts,
    target: &FileFacts,
    apply_to_all: &mut bool,
) -> Option<Answer> {
    modal(ctx, "target_exists", Some("File exists"), |ui| {
        ui.label(format!("\"{}\" already exists.", escape_control(name)));
        ui.add_space(4.0);
        // At the coarser precision of the two: an FTP time has no fraction of a second (or no
        // seconds at all), so a local copy is not "newer" by the fraction its disk keeps.
        let newer = match (source.modified, target.modified) {
            (Some(source), Some(target)) => match compare_times(&source, &target) {
                std::cmp::Ordering::Greater => Some("new"),
                std::cmp::Ordering::Less => Some("existing"),
                std::cmp::Ordering::Equal => None,
            },
            _ => None,
        };
        egui::Grid::new("target_exists_facts").num_columns(3).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("");
            ui.strong("Size");
            ui.strong("Modified");
            ui.end_row();
            for (side, facts, label) in [("existing", target, "Existing file"), ("new", source, "New file")] {
                ui.label(label);
                ui.label(describe_size(facts.size));
                let date = describe_date(facts.modified);
                ui.label(if newer == Some(side) { format!("{date} (newer)") } else { date });
                ui.end_row();
            }
        });
        ui.add_space(6.0);
        ui.checkbox(apply_to_all, "Apply to all").on_hover_text("Do the same for every other file that exists");
        ui.add_space(4.0);
        let not_resumable = why_not_resumable(source, target);
        let mut choice = None;
        ui.horizontal_wrapped(|ui| {
            for (label, on_exists, explanation) in EXISTS_CHOICES {
                let enabled = on_exists != OnExists::Resume || not_resumable.is_none();
                let button = ui
                    .add_enabled(enabled, egui::Button::new(label))
                    .on_hover_text(explanation)
                    .on_disabled_hover_text(not_resumable.unwrap_or_default());
                // Skip changes nothing, so it is where focus starts.
                if on_exists == OnExists::Skip {
                    crate::gui::a11y::safe_button(&button);
                }
                if button.clicked() {
                    choice = Some(on_exists);
                }
            }
        });
        // Said before the choice, not only on hover: the worker would send such a file whole.
        if let Some(why) = not_resumable {
            ui.weak(why);
        }
        choice.map(|choice| Answer::Exists { choice, apply_to_all: *apply_to_all })
    })
}
