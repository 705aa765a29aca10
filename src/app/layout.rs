//! The window's layout: the menu, the panes and tabs, the bottom panel, the status bar and the
//! dialogs. Drawing only: what the user asks for is collected as `Intent`s, which
//! `FerryApp::apply` acts on once the frame is drawn.

use super::intent::Intent;
use super::{FerryApp, Target};
use crate::gui::pane::{PaneAction, Side};
use crate::gui::settings::ThemeChoice;
use crate::worker::ItemAction;

/// What the layout itself remembers between frames: which side has the keyboard, the bottom
/// panel's tab, the Help window, and the height both panes' header strips share.
pub(super) struct LayoutState {
    active_side: Side,
    bottom_tab: BottomTab,
    show_help: bool,
    /// The height of the strips above the panes, the same on both sides.
    header_height: f32,
}

/// The bottom panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BottomTab {
    Queue,
    Log,
}

impl Default for LayoutState {
    fn default() -> Self {
        LayoutState { active_side: Side::Local, bottom_tab: BottomTab::Queue, show_help: false, header_height: 0.0 }
    }
}

impl LayoutState {
    /// Brings the queue to the front (a transfer was just planned).
    pub(super) fn show_queue(&mut self) {
        self.bottom_tab = BottomTab::Queue;
    }

    /// The side that has the keyboard.
    pub(super) fn active_side(&self) -> Side {
        self.active_side
    }

    /// Gives the keyboard to `side`.
    pub(super) fn set_active_side(&mut self, side: Side) {
        self.active_side = side;
    }
}

impl FerryApp {
    /// Draws the whole window; returns what the user asked for this frame.
    pub(super) fn draw(&mut self, ui: &mut egui::Ui) -> Vec<Intent> {
        let ctx = ui.ctx().clone();
        let mut intents = Vec::new();
        self.update_transfer_availability();
        self.menu_bar(ui, &mut intents);
        egui::Panel::top("connect_bar").show(ui, |ui| {
            if let Some(request) = self.connect_bar.show(ui, self.sites.suggestions()) {
                intents.push(Intent::Connect(request));
            }
        });
        self.status_bar(ui);
        self.unfinished_ui(ui, &mut intents);
        self.bottom_panel(ui, &mut intents);
        self.panes(ui, &mut intents);
        intents.extend(self.sites.manager.show(&ctx).into_iter().map(Intent::Site));
        self.dialogs.show(&ctx, &mut intents);
        super::help::show(&ctx, &mut self.layout.show_help);
        intents
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) {
        let ctx = ui.ctx().clone();
        egui::Panel::top("menu_bar").show(ui, |ui| {
            egui::MenuBar::new().ui(ui, |ui| {
                ui.menu_button("File", |ui| {
                    if ui.button("Site manager...").clicked() {
                        self.sites.manager.open();
                    }
                    if ui.button("Save as bookmark...").clicked() {
                        intents.push(Intent::SaveAsBookmark);
                    }
                    if ui.button("New tab").clicked() {
                        intents.push(Intent::NewTab);
                    }
                    if ui.button("Disconnect").clicked() {
                        intents.push(Intent::DisconnectActiveTab);
                    }
                    if ui.button("Quit").clicked() {
                        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                });
                self.transfer_menu(ui, intents);
                ui.menu_button("View", |ui| {
                    ui.label("Theme");
                    for (theme, label) in [
                        (ThemeChoice::System, "Follow the system"),
                        (ThemeChoice::Light, "Light"),
                        (ThemeChoice::Dark, "Dark"),
                    ] {
                        if ui.radio(self.memory.state.theme == theme, label).clicked() {
                            self.set_theme(&ctx, theme);
                        }
                    }
                });
                ui.menu_button("Help", |ui| {
                    if ui.button("Keyboard shortcuts").clicked() {
                        self.layout.show_help = true;
                    }
                    if ui.button("Open log folder").clicked() {
                        intents.push(Intent::OpenLogFolder);
                    }
                });
            });
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(crate::model::escape_control(&self.status));
                if let Some(status) = self.queue.status() {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.add(egui::ProgressBar::new(status.fraction).desired_width(160.0));
                        ui.label(status.text);
                    });
                }
            });
        });
    }

    /// Offers the transfers the last run left unfinished: resume them (from their part files) or drop them.
    fn unfinished_ui(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) {
        if self.unfinished.is_empty() {
            return;
        }
        egui::Panel::bottom("unfinished_transfers").show(ui, |ui| {
            ui.horizontal(|ui| {
                let count = self.unfinished.len();
                ui.label(format!("{count} transfer{} left unfinished last time", if count == 1 { "" } else { "s" }));
                if ui.button("Resume all").clicked() {
                    intents.push(Intent::Unfinished(ItemAction::Resume));
                }
                if ui.button("Discard").clicked() {
                    intents.push(Intent::Unfinished(ItemAction::Cancel));
                }
            });
        });
    }

    fn bottom_panel(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) {
        egui::Panel::bottom("bottom_panel").resizable(true).default_size(200.0).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.layout.bottom_tab, BottomTab::Queue, "Queue");
                ui.selectable_value(&mut self.layout.bottom_tab, BottomTab::Log, "Log");
            });
            ui.separator();
            match self.layout.bottom_tab {
                BottomTab::Queue => intents.extend(self.queue.show(ui).into_iter().map(Intent::Worker)),
                BottomTab::Log => self.log.show(ui),
            }
        });
    }

    /// The local pane on the left, the remote tabs on the right.
    fn panes(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) {
        let default_width = self.memory.state.local_pane_width.unwrap_or_else(|| ui.available_width() / 2.0);
        // The central panel's frame (margins) on the left too, so both panes start at the same height.
        let frame = egui::Frame::central_panel(ui.style());
        let local =
            egui::Panel::left("local_pane").resizable(true).default_size(default_width).frame(frame).show(ui, |ui| {
                // A strip as tall as the remote side's tabs, so both panes' toolbars and columns line up.
                let height = pane_header(ui, self.layout.header_height, |ui| {
                    ui.strong("Local");
                });
                self.layout.header_height = self.layout.header_height.max(height);
                self.local.show(ui, self.layout.active_side == Side::Local)
            });
        let width = local.response.rect.width().round();
        if self.memory.state.local_pane_width != Some(width) {
            self.memory.state.local_pane_width = Some(width);
        }
        let clicked_local = clicked_inside(ui.ctx(), &local.response);
        let remote = egui::CentralPanel::default().show(ui, |ui| self.remote_side(ui, intents));
        if clicked_local {
            self.layout.active_side = Side::Local;
        } else if clicked_inside(ui.ctx(), &remote.response) {
            self.layout.active_side = Side::Remote;
        }
        self.follow_focus_and_mark(ui, local.response.rect, remote.response.rect);
        intents.extend(local.inner.into_iter().map(|action| Intent::Pane { target: Target::Local, action }));
        if let (Some(actions), Some(tab)) = (remote.inner, self.active_tab().map(|tab| tab.id)) {
            intents.extend(actions.into_iter().map(|action| Intent::Pane { target: Target::Tab(tab), action }));
        }
    }

    /// The tab strip and the active tab's pane.
    fn remote_side(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) -> Option<Vec<PaneAction>> {
        let min_height = self.layout.header_height;
        let mut chosen = None;
        let height = pane_header(ui, min_height, |ui| {
            let shown = self.tabs.active_index();
            for (index, tab) in self.tabs.iter().enumerate() {
                if ui.selectable_label(index == shown, crate::model::escape_control(&tab.title)).clicked() {
                    chosen = Some(index);
                }
                if ui.small_button("x").on_hover_text("Close tab").clicked() {
                    intents.push(Intent::CloseTab(index));
                }
            }
            if ui.button("+").on_hover_text("New tab").clicked() {
                intents.push(Intent::NewTab);
            }
        });
        self.layout.header_height = self.layout.header_height.max(height);
        // Choosing a tab only changes what is shown, at once, so its pane is drawn this frame.
        if let Some(index) = chosen {
            self.tabs.set_active(index);
        }
        let active = self.layout.active_side == Side::Remote;
        let tab = self.tabs.active_mut()?;
        if tab.session.is_none() && tab.connecting.is_none() && tab.pane.listed_folder().is_none() {
            ui.label("Not connected. Type a host or a URL above and press Connect.");
            return None;
        }
        Some(tab.pane.show(ui, active))
    }
}

/// The strip above a pane (the "Local" title, the remote tabs), then a line. Both strips get the
/// taller one's height (`min_height`, from the last frame), so the panes' toolbars and columns
/// line up; returns this strip's own height.
fn pane_header(ui: &mut egui::Ui, min_height: f32, content: impl FnOnce(&mut egui::Ui)) -> f32 {
    let strip = ui.horizontal(|ui| {
        ui.set_min_height(min_height);
        content(ui);
    });
    ui.separator();
    strip.response.rect.height()
}

/// Whether a pointer press happened inside `response`'s area this frame, on the pane itself: not
/// on a menu or dialog floating over it.
fn clicked_inside(ctx: &egui::Context, response: &egui::Response) -> bool {
    let pressed_at = ctx.input(|i| i.pointer.any_pressed().then(|| i.pointer.interact_pos()).flatten());
    // No layer found means the panels' own background layer, which egui keeps no area for.
    let on_the_pane = |pos| ctx.layer_id_at(pos).is_none_or(|layer| layer == response.layer_id);
    pressed_at.is_some_and(|pos| response.rect.contains(pos) && on_the_pane(pos))
}
