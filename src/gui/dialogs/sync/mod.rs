//! "Synchronize...": the preview of a folder sync (the plan `ferry sync --dry-run` prints), with
//! the direction, the way files are compared and whether extra files are deleted; one row per
//! step with a box to tick, the sizes and the total; Start runs only the ticked rows. The dialog
//! only asks: each change of the options asks the window for a new preview, and Start hands the
//! window the job with the ticked steps, which is all the worker will do.

mod rows;

use crate::error::FerryError;
use crate::model::{RequestId, escape_control};
use crate::transfer::progress::format_bytes;
use crate::transfer::sync_approval::{Approved, is_action, ticked_totals};
use crate::transfer::sync_plan::{CompareMode, SyncOptions};
use crate::worker::{Direction, SyncJob, SyncPreview};

use super::{escape_pressed, name_dialog};

/// The dialog's widest, and the room it leaves around it in a small window.
const WIDTH: f32 = 760.0;
const MARGIN: f32 = 48.0;

/// What the user did in the dialog this frame.
#[derive(Debug)]
pub enum SyncChoice {
    /// The options changed: plan again with this job; the preview `replaces` asked for before is
    /// not wanted any more.
    Preview { job: SyncJob, replaces: Option<RequestId> },
    /// Start: run this job (it carries the ticked steps).
    Start(SyncJob),
    /// Cancel, Escape.
    Cancelled,
}

/// Where the preview stands.
enum Preview {
    /// Asked for; the answer to `request` is awaited.
    Comparing { request: Option<RequestId> },
    /// The plan, with one tick per step (only steps that do something can be ticked).
    Ready { preview: Box<SyncPreview>, ticked: Vec<bool> },
    /// The plan could not be made.
    Failed(String),
}

/// The preview dialog's state.
pub struct SyncDialog {
    local: String,
    remote: String,
    direction: Direction,
    compare: CompareMode,
    delete: bool,
    preview: Preview,
}

impl SyncDialog {
    /// A dialog for the folders `local` and `remote`, uploading, deleting nothing; its first
    /// preview is to be asked for with [`SyncDialog::job`].
    pub fn new(local: String, remote: String) -> Self {
        SyncDialog {
            local,
            remote,
            direction: Direction::Upload,
            compare: CompareMode::default(),
            delete: false,
            preview: Preview::Comparing { request: None },
        }
    }

    /// The job the options describe, without approvals (for a preview).
    pub fn job(&self) -> SyncJob {
        SyncJob {
            direction: self.direction,
            local: std::path::PathBuf::from(&self.local),
            remote: self.remote.clone(),
            options: SyncOptions { compare: self.compare, time_tolerance: 0, delete: self.delete },
            excludes: Vec::new(),
            approved: None,
        }
    }

    /// Notes the request that asks for the preview now due (answers to older ones are ignored).
    pub fn waiting_for(&mut self, request: RequestId) {
        self.preview = Preview::Comparing { request: Some(request) };
    }

    /// The preview request still awaited, if any (to stop when it is no longer wanted).
    pub fn awaited(&self) -> Option<RequestId> {
        match self.preview {
            Preview::Comparing { request } => request,
            Preview::Ready { .. } | Preview::Failed(_) => None,
        }
    }

    /// Whether the dialog waits for the answer to `request`.
    pub fn awaits(&self, request: RequestId) -> bool {
        matches!(self.preview, Preview::Comparing { request: Some(awaited) } if awaited == request)
    }

    /// The preview arrived: every step that does something starts ticked (deletes are there only
    /// when the user asked for them).
    pub fn planned(&mut self, preview: Box<SyncPreview>) {
        let ticked = preview.plan.steps.iter().map(|step| is_action(step.action)).collect();
        self.preview = Preview::Ready { preview, ticked };
    }

    /// The preview could not be made.
    pub fn failed(&mut self, error: &FerryError) {
        self.preview = Preview::Failed(error.to_string());
    }

    /// Draws it; returns what the user did, if anything.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<SyncChoice> {
        let id = egui::Id::unique(("ferry_dialog", "synchronize"));
        crate::gui::a11y::dialog_shown(ctx, id);
        let screen = ctx.content_rect();
        let width = WIDTH.min(screen.width() - MARGIN).max(200.0);
        egui::Modal::new(id)
            .show(ctx, |ui| {
                ui.set_width(width);
                let heading = ui.heading("Synchronize folders");
                name_dialog(ui, heading.id);
                ui.add_space(4.0);
                self.contents(ui, screen.height())
            })
            .inner
    }

    fn contents(&mut self, ui: &mut egui::Ui, screen_height: f32) -> Option<SyncChoice> {
        let mut choice = None;
        if self.options(ui) {
            // The rows shown were planned for other options: none of them may be started now, and
            // a preview still on its way is for other options too.
            let replaces = self.awaited();
            self.preview = Preview::Comparing { request: None };
            choice = Some(SyncChoice::Preview { job: self.job(), replaces });
        }
        ui.separator();
        // The rows get what the window has left once the options and buttons are drawn.
        let rows_height = (screen_height - 330.0).clamp(80.0, 420.0);
        // As tall while comparing as with the rows, so the dialog does not jump when they come.
        ui.vertical(|ui| {
            ui.set_min_height(rows_height + rows::ABOVE_ROWS);
            match &mut self.preview {
                Preview::Comparing { .. } => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("Comparing the folders...");
                    });
                }
                Preview::Failed(error) => {
                    ui.colored_label(ui.visuals().error_fg_color, escape_control(error));
                }
                Preview::Ready { preview, ticked } => {
                    rows::summary(ui, preview, self.direction, self.delete);
                    rows::table(ui, preview, ticked, rows_height);
                }
            }
        });
        ui.separator();
        let ready_ticks = match &self.preview {
            Preview::Ready { preview, ticked } => Some((preview, ticked)),
            _ => None,
        };
        let total = ready_ticks.map(|(preview, ticked)| {
            ticked_totals(preview.plan.steps.iter().zip(ticked.iter()).filter(|(_, t)| **t).map(|(s, _)| s))
        });
        if let Some((copies, copy_bytes, deletes, delete_bytes)) = total {
            let mut text = format!("Ticked: {copies} to copy ({})", format_bytes(copy_bytes));
            if self.delete || deletes > 0 {
                text.push_str(&format!(", {deletes} to delete ({})", format_bytes(delete_bytes)));
            }
            ui.strong(text);
        }
        let can_start = total.is_some_and(|(copies, _, deletes, _)| copies + deletes > 0);
        ui.horizontal(|ui| {
            let start = ui.add_enabled(can_start, egui::Button::new("Start"));
            let start = start.on_disabled_hover_text("Nothing is ticked, or the comparison is not done yet");
            if start.clicked()
                && let Some((preview, ticked)) = ready_ticks
            {
                let steps = preview.plan.steps.iter().zip(ticked.iter()).filter(|(_, t)| **t).map(|(s, _)| s);
                let approved = Approved::new(steps);
                choice = Some(SyncChoice::Start(SyncJob { approved: Some(approved), ..self.job() }));
            }
            let cancel = ui.button("Cancel");
            crate::gui::a11y::safe_button(&cancel);
            if cancel.clicked() {
                choice = Some(SyncChoice::Cancelled);
            }
        });
        if choice.is_none() && escape_pressed(ui.ctx()) {
            choice = Some(SyncChoice::Cancelled);
        }
        choice
    }

    /// The folders, the direction, the comparison and the delete box; true when one changed.
    fn options(&mut self, ui: &mut egui::Ui) -> bool {
        let mut changed = false;
        egui::Grid::new("sync_folders").num_columns(2).spacing([8.0, 4.0]).show(ui, |ui| {
            ui.label("Local folder");
            ui.add(egui::Label::new(egui::RichText::new(escape_control(&self.local)).monospace()).truncate());
            ui.end_row();
            ui.label("Remote folder");
            ui.add(egui::Label::new(egui::RichText::new(escape_control(&self.remote)).monospace()).truncate());
            ui.end_row();
        });
        ui.add_space(4.0);
        ui.horizontal_wrapped(|ui| {
            ui.label("Make");
            for (direction, label, hint) in [
                (Direction::Upload, "the remote folder like the local one", "Upload: local → remote"),
                (Direction::Download, "the local folder like the remote one", "Download: remote → local"),
            ] {
                changed |= ui.radio_value(&mut self.direction, direction, label).on_hover_text(hint).changed();
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.label("Compare by");
            let before = self.compare;
            egui::ComboBox::from_id_salt("sync_compare").selected_text(compare_label(self.compare)).show_ui(ui, |ui| {
                for mode in CompareMode::ALL {
                    ui.selectable_value(&mut self.compare, mode, compare_label(mode));
                }
            });
            changed |= before != self.compare;
            let delete = ui
                .checkbox(&mut self.delete, "Delete files that are not in the source")
                .on_hover_text("After every copy has arrived; each one to delete is listed below, ticked");
            changed |= delete.changed();
        });
        changed
    }
}

/// A way of comparing, in words.
fn compare_label(mode: CompareMode) -> &'static str {
    match mode {
        CompareMode::SizeMtime => "size and time",
        CompareMode::Size => "size only",
        CompareMode::Checksum => "checksum (SHA-256, slow)",
    }
}
