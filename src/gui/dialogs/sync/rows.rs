//! The preview's rows: one per step that copies or deletes (ticked or not), conflicts and names
//! refused (shown, never tickable), with sizes; and the counts line above them.

use egui::{Align, Layout, RichText};
use egui_extras::{Column, TableBuilder};

use crate::model::escape_control;
use crate::transfer::progress::format_bytes;
use crate::transfer::sync_plan::{Action, Step};
use crate::worker::{Direction, SyncPreview};

/// The height of the counts and the tick buttons above the rows, about.
pub(super) const ABOVE_ROWS: f32 = 60.0;

/// What one row of the table shows.
enum Row<'a> {
    /// A step of the plan, by its index.
    Step(usize, &'a Step),
    /// An entry the walk would not take, with the reason.
    Refused(String),
}

/// "3 new, 1 changed, 2 to delete, 12 unchanged", and what is left alone.
pub(super) fn summary(ui: &mut egui::Ui, preview: &SyncPreview, direction: Direction, delete: bool) {
    let totals = &preview.totals;
    let mut text = format!("{} new, {} changed", totals.new, totals.changed);
    if delete {
        text.push_str(&format!(", {} to delete", totals.deleted));
    }
    text.push_str(&format!(", {} unchanged", totals.unchanged));
    if totals.conflicts > 0 {
        text.push_str(&format!(", {} in conflict", totals.conflicts));
    }
    if !preview.refused.is_empty() {
        text.push_str(&format!(", {} refused", preview.refused.len()));
    }
    ui.label(text);
    if totals.extra > 0 {
        let target = match direction {
            Direction::Upload => "the remote folder",
            Direction::Download => "the local folder",
        };
        ui.weak(format!("{} only in {target}: left alone", totals.extra));
    }
}

/// The rows, scrolling within `height`; a click on a box ticks or unticks its step.
pub(super) fn table(ui: &mut egui::Ui, preview: &SyncPreview, ticked: &mut [bool], height: f32) {
    let mut rows: Vec<Row<'_>> = preview
        .plan
        .steps
        .iter()
        .enumerate()
        .filter(|(_, step)| matches!(step.action, Action::New | Action::Changed | Action::Delete | Action::Conflict))
        .map(|(index, step)| Row::Step(index, step))
        .collect();
    rows.extend(preview.refused.iter().map(|error| Row::Refused(error.to_string())));
    if rows.is_empty() {
        ui.label("The folders are the same: nothing to do.");
        return;
    }
    ui.horizontal(|ui| {
        if ui.small_button("Tick all").clicked() {
            tick_all(preview, ticked, true);
        }
        if ui.small_button("Untick all").clicked() {
            tick_all(preview, ticked, false);
        }
    });
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    TableBuilder::new(ui)
        .id_salt("sync_preview_rows")
        .striped(true)
        .auto_shrink(false)
        .min_scrolled_height(height)
        .max_scroll_height(height)
        .cell_layout(Layout::left_to_right(Align::Center))
        .column(Column::remainder().at_least(160.0).clip(true))
        .column(Column::exact(110.0))
        .column(Column::exact(90.0))
        .header(row_height, |mut header| {
            header.col(|ui| {
                ui.strong("Path");
            });
            header.col(|ui| {
                ui.strong("Action");
            });
            header.col(|ui| {
                ui.strong("Size");
            });
        })
        .body(|body| {
            body.rows(row_height, rows.len(), |mut row| match &rows[row.index()] {
                Row::Step(index, step) => {
                    let tickable = step.action != Action::Conflict;
                    row.col(|ui| {
                        let path = escape_control(&step.path);
                        let path = if step.is_folder { format!("{path}/") } else { path };
                        let mut off = false;
                        let tick = if tickable { &mut ticked[*index] } else { &mut off };
                        let box_ = ui.add_enabled(tickable, egui::Checkbox::new(tick, path));
                        if let Some(why) = &step.why {
                            let why = escape_control(why);
                            if tickable {
                                box_.on_hover_text(why)
                            } else {
                                box_.on_disabled_hover_text(why)
                            };
                        }
                    });
                    row.col(|ui| {
                        action_label(ui, step);
                    });
                    row.col(|ui| {
                        if let (Some(size), false) = (step.size, step.is_folder) {
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                ui.label(format_bytes(size)).on_hover_text(format!("{size} bytes"));
                            });
                        }
                    });
                }
                Row::Refused(why) => {
                    row.col(|ui| {
                        let why = escape_control(why);
                        let box_ = ui.add_enabled(false, egui::Checkbox::new(&mut false, why.clone()));
                        box_.on_disabled_hover_text(why);
                    });
                    row.col(|ui| {
                        ui.colored_label(ui.visuals().error_fg_color, "refused");
                    });
                    row.col(|_| {});
                }
            });
        });
}

/// The step's action in a word, coloured like the compare marks (new, changed, delete).
fn action_label(ui: &mut egui::Ui, step: &Step) {
    let (word, color) = match (step.action, step.is_folder) {
        (Action::New, true) => ("new folder", None),
        (Action::New, false) => ("new", None),
        (Action::Changed, _) => ("changed", None),
        (Action::Delete, _) => ("delete", Some(ui.visuals().error_fg_color)),
        (Action::Conflict, _) => ("conflict", Some(ui.visuals().warn_fg_color)),
        (Action::Unchanged | Action::Extra, _) => ("", None),
    };
    let text = RichText::new(word);
    ui.label(match color {
        Some(color) => text.color(color),
        None => text,
    });
}

/// Ticks (or unticks) every step that can be ticked.
fn tick_all(preview: &SyncPreview, ticked: &mut [bool], on: bool) {
    for (step, tick) in preview.plan.steps.iter().zip(ticked.iter_mut()) {
        if crate::transfer::sync_approval::is_action(step.action) {
            *tick = on;
        }
    }
}
