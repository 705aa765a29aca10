//! The pane's toolbar (Back, Forward, Up, Home, Refresh, Upload or Download, New folder, hidden
//! toggle, filter) and its path bar: clickable breadcrumbs, or a field to type a path into
//! (Ctrl+L).

use egui::text::CCursorRange;
use egui::text_edit::TextEditState;
use egui::{Id, Key, Sense, TextEdit, Ui, Vec2};

use super::{FilePane, HistoryMove, PaneAction};
use crate::gui::icons;
use crate::gui::keys::{self, KeyAction};
use crate::model::{escape_control, join_remote};

/// The path bar while the user types into it.
pub(super) struct PathEdit {
    text: String,
    /// Focus and select-all on the first frame the field exists.
    just_opened: bool,
}

impl FilePane {
    pub(super) fn toolbar(&mut self, ui: &mut Ui, salt: Id, active: bool, actions: &mut Vec<PaneAction>) {
        let filter_id = salt.with("filter");
        if active && !ui.ctx().text_edit_focused() && keys::take(ui.ctx(), KeyAction::Filter).is_some() {
            ui.memory_mut(|memory| memory.request_focus(filter_id));
        }
        // Wrapped, so a toolbar wider than the pane (the spinner and Cancel of a listing on their
        // way) takes a second line instead of widening the pane for good.
        ui.horizontal_wrapped(|ui| {
            use icons::{ToolIcon, tool_button};
            if tool_button(ui, self.can_go_back(), ToolIcon::Back, "Back", "Back").clicked() {
                self.go_back(actions);
            }
            if tool_button(ui, self.can_go_forward(), ToolIcon::Forward, "Forward", "Forward").clicked() {
                self.go_forward(actions);
            }
            if tool_button(ui, self.parent().is_some(), ToolIcon::Up, "Up", "Parent folder (Backspace)").clicked() {
                self.go_up(actions);
            }
            let home_hint = match &self.home {
                Some(home) => format!("Home: {}", escape_control(home)),
                None => "Home".to_string(),
            };
            if tool_button(ui, self.home.is_some(), ToolIcon::Home, "Home", &home_hint).clicked()
                && let Some(home) = self.home.clone()
            {
                self.navigate(home, HistoryMove::Visit, actions);
            }
            if tool_button(ui, true, ToolIcon::Refresh, "Refresh", "List again (F5)").clicked() {
                actions.push(PaneAction::Refresh);
            }
            self.transfer_button(ui, actions);
            if ui.button("New folder").clicked() {
                actions.push(PaneAction::NewFolder);
            }
            if ui.checkbox(&mut self.view.show_hidden, "Show hidden").changed() {
                self.rows_stale = true;
            }
            // The label and its field wrap together, never one line apart.
            let filter = ui
                .horizontal(|ui| {
                    let label = ui.label("Filter");
                    let filter = TextEdit::singleline(&mut self.filter).id(filter_id).hint_text("Filter (Ctrl+F)");
                    ui.add(filter.desired_width(120.0)).labelled_by(label.id)
                })
                .inner;
            // Escape in the filter gives the whole list back, as in the file managers.
            let cleared = filter.lost_focus() && ui.input(|i| i.key_pressed(Key::Escape)) && !self.filter.is_empty();
            if cleared {
                self.filter.clear();
            }
            if filter.changed() || cleared {
                self.rows_stale = true;
            }
            if self.loading {
                ui.add(egui::Spinner::new()).accessible_name("Loading the folder listing");
                if ui.button("Cancel").on_hover_text("Stop listing this folder").clicked() {
                    actions.push(PaneAction::CancelLoading);
                }
            }
        });
    }

    pub(super) fn path_bar(&mut self, ui: &mut Ui, salt: Id, active: bool, actions: &mut Vec<PaneAction>) {
        let edit_id = salt.with("path_edit");
        if active
            && self.path_edit.is_none()
            && !ui.ctx().text_edit_focused()
            && keys::take(ui.ctx(), KeyAction::EditPath).is_some()
        {
            self.path_edit = Some(PathEdit { text: self.path.clone(), just_opened: true });
        }
        ui.horizontal(|ui| {
            if let Some(edit) = &mut self.path_edit {
                let opening = edit.just_opened;
                if opening {
                    // Focus first: a field without focus collapses its selection when drawn.
                    ui.memory_mut(|memory| memory.request_focus(edit_id));
                    let mut state = TextEditState::load(ui.ctx(), edit_id).unwrap_or_default();
                    state.cursor.set_char_range(Some(CCursorRange::select_all_str(&edit.text)));
                    state.store(ui.ctx(), edit_id);
                    edit.just_opened = false;
                }
                let output = TextEdit::singleline(&mut edit.text)
                    .id(edit_id)
                    .desired_width(f32::INFINITY)
                    .hint_text("/folder/to/open")
                    .show(ui);
                let response = &output.response;
                response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Path"));
                if !opening && (response.lost_focus() || !response.has_focus()) {
                    let target = edit.text.trim().to_string();
                    // Taken, so the pane does not read the same Enter as "open the selected row".
                    let confirmed = ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Enter));
                    self.path_edit = None;
                    if confirmed && !target.is_empty() && target != self.path {
                        // A file's path too: the window finds out which it is.
                        self.pending_move = Some(HistoryMove::Visit);
                        actions.push(PaneAction::Open(target));
                    } else if confirmed && target == self.path {
                        actions.push(PaneAction::Refresh);
                    }
                }
            } else {
                self.breadcrumbs(ui, actions);
            }
        });
    }

    /// The folder as clickable components; the free space after them opens the path editor.
    pub(super) fn breadcrumbs(&mut self, ui: &mut Ui, actions: &mut Vec<PaneAction>) {
        let absolute = self.path.starts_with('/');
        let mut target = if absolute { String::from("/") } else { String::new() };
        let mut crumbs: Vec<(String, String)> = Vec::new();
        if absolute {
            crumbs.push(("/".to_string(), target.clone()));
        }
        for component in self.path.split('/').filter(|c| !c.is_empty()) {
            target = join_remote(&target, component);
            crumbs.push((escape_control(component), target.clone()));
        }
        let chevron_color = ui.visuals().weak_text_color();
        let last = crumbs.len().saturating_sub(1);
        for (index, (label, crumb_path)) in crumbs.into_iter().enumerate() {
            if index > 0 && !(index == 1 && absolute) {
                let (rect, _) = ui.allocate_exact_size(Vec2::new(8.0, 14.0), Sense::hover());
                icons::paint_chevron(ui.painter(), rect.center(), chevron_color);
            }
            let button = egui::Button::new(label).frame(false).selected(index == last);
            if ui.add(button).on_hover_text(&crumb_path).clicked() && crumb_path != self.path {
                self.navigate(crumb_path, HistoryMove::Visit, actions);
            }
        }
        let rest = ui.available_size_before_wrap();
        let (rect, response) = ui.allocate_exact_size(Vec2::new(rest.x.max(24.0), 20.0), Sense::click());
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, "Path"));
        if response.hovered() {
            ui.painter().rect_stroke(rect, 2.0, ui.visuals().widgets.hovered.bg_stroke, egui::StrokeKind::Inside);
        }
        if response.on_hover_text("Type a path (Ctrl+L)").clicked() {
            self.path_edit = Some(PathEdit { text: self.path.clone(), just_opened: true });
        }
    }
}
