//! The window's layout: the menu, the panes and tabs, the bottom panel, the status bar and the
//! dialogs. Drawing only: what the user asks for is collected as `Intent`s, which
//! `FerryApp::apply` acts on once the frame is drawn.

use super::intent::Intent;
use super::splitters::{self, Divider};
use super::tab_strip::TabStrip;
use super::{FerryApp, Target};
use crate::gui::pane::{PaneAction, Side};
use crate::gui::settings::ThemeChoice;

/// What the layout itself remembers between frames: which side has the keyboard, the bottom
/// panel's tab, the Help window, and the height both panes' header strips share.
pub(super) struct LayoutState {
    active_side: Side,
    bottom_tab: BottomTab,
    show_help: bool,
    /// The height of the strips above the panes, the same on both sides.
    header_height: f32,
    tab_strip: TabStrip,
}

/// Where the queue and log panel's top edge was drawn, and the heights it was drawn from.
struct BottomEdge {
    line: egui::Rect,
    /// The height the user asked for.
    wanted: f32,
    /// The height of the window area the panel was drawn in.
    available: f32,
    /// The panel's height as drawn.
    height: f32,
}

/// The bottom panel's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BottomTab {
    Queue,
    Log,
    /// The files open in an external editor.
    Edits,
}

impl Default for LayoutState {
    fn default() -> Self {
        LayoutState {
            active_side: Side::Local,
            bottom_tab: BottomTab::Queue,
            show_help: false,
            header_height: 0.0,
            tab_strip: TabStrip::default(),
        }
    }
}

impl LayoutState {
    /// Brings the queue to the front (a transfer was just planned).
    pub(super) fn show_queue(&mut self) {
        self.bottom_tab = BottomTab::Queue;
    }

    /// Brings the edit list to the front of the bottom panel.
    pub(super) fn show_edits(&mut self) {
        self.bottom_tab = BottomTab::Edits;
    }

    /// The side whose pane the keyboard works in.
    pub(super) fn active_side(&self) -> Side {
        self.active_side
    }

    /// Gives the keyboard to the pane on `side`.
    pub(super) fn set_active_side(&mut self, side: Side) {
        self.active_side = side;
    }
}

impl FerryApp {
    /// Draws the whole window; returns what the user asked for this frame.
    pub(super) fn draw(&mut self, ui: &mut egui::Ui) -> Vec<Intent> {
        let ctx = ui.ctx().clone();
        let mut intents = Vec::new();
        crate::gui::keys::note_frame_start(&ctx);
        super::help::close_on_escape(&ctx, &mut self.layout.show_help);
        self.window_keys(&ctx);
        self.update_transfer_availability();
        self.follow_compare(false);
        self.menu_bar(ui, &mut intents);
        egui::Panel::top("connect_bar").show(ui, |ui| {
            if let Some(request) = self.connect_bar.show(ui, self.sites.suggestions()) {
                intents.push(Intent::Connect(request));
            }
        });
        self.status_bar(ui);
        self.unfinished_ui(ui, &mut intents);
        let bottom_edge = self.bottom_panel(ui, &mut intents);
        self.panes(ui, &mut intents);
        // After the panes, so that the edge is on top of them where the two meet.
        self.bottom_divider(ui, bottom_edge);
        intents.extend(self.sites.manager.show(&ctx).into_iter().map(Intent::Site));
        self.dialogs.show(&ctx, &mut intents);
        super::help::show(&ctx, &mut self.layout.show_help);
        self.paint_focus_ring(&ctx);
        intents
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) {
        let ctx = ui.ctx().clone();
        egui::Panel::top("menu_bar").show(ui, |ui| {
            let bar = egui::MenuBar::new().ui(ui, |ui| {
                let file = ui.menu_button("File", |ui| {
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
                let transfer = self.transfer_menu(ui, intents);
                let view = ui.menu_button("View", |ui| {
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
                    ui.separator();
                    self.compare_menu_item(ui, intents);
                    ui.separator();
                    if ui.button("Editors...").on_hover_text("The editors Edit (F4) opens remote files with").clicked()
                    {
                        intents.push(Intent::ChooseEditors);
                    }
                });
                let help = ui.menu_button("Help", |ui| {
                    if ui.button("Keyboard shortcuts").clicked() {
                        self.layout.show_help = true;
                    }
                    if ui.button("Open log folder").clicked() {
                        intents.push(Intent::OpenLogFolder);
                    }
                });
                vec![file.response.id, transfer, view.response.id, help.response.id]
            });
            crate::gui::a11y::menu_bar_buttons(ui.ctx(), &bar.inner);
            self.keys.menus.set_buttons(bar.inner);
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(crate::model::escape_control(&self.status_line()));
                if let Some(status) = self.queue.status() {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        let bar = ui.add(egui::ProgressBar::new(status.fraction).desired_width(160.0));
                        bar.accessible_name(format!("All transfers: {}", status.text));
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
                    intents.push(Intent::ResumeUnfinished);
                }
                if ui.button("Discard").on_hover_text(super::intent::DISCARD_HINT).clicked() {
                    intents.push(Intent::DiscardUnfinished);
                }
            });
        });
    }

    /// The queue and the log, below the panes: as high as the user last dragged it, whatever
    /// they hold (a queue that fills or empties scrolls inside it).
    fn bottom_panel(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) -> BottomEdge {
        let area = ui.available_rect_before_wrap();
        let available = area.height();
        let wanted = self.memory.state.bottom_panel_height.unwrap_or(splitters::DEFAULT_BOTTOM_HEIGHT);
        let height = splitters::bottom_height(wanted, available);
        egui::Panel::bottom("bottom_panel").exact_size(height).show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.layout.bottom_tab, BottomTab::Queue, "Queue");
                ui.selectable_value(&mut self.layout.bottom_tab, BottomTab::Log, "Log");
                let edits = match self.edits.len() {
                    0 => "Edits".to_string(),
                    open => format!("Edits ({open})"),
                };
                ui.selectable_value(&mut self.layout.bottom_tab, BottomTab::Edits, edits);
            });
            ui.separator();
            // Whatever the queue or the log hold scrolls inside the panel: content taller than it
            // would make the panel overlap the panes, and columns wider than the window would
            // leave it.
            egui::ScrollArea::both().id_salt("bottom_panel_content").auto_shrink(false).show(ui, |ui| {
                match self.layout.bottom_tab {
                    BottomTab::Queue => intents.extend(self.queue.show(ui).into_iter().map(Intent::Worker)),
                    BottomTab::Log => self.log.show(ui),
                    BottomTab::Edits => intents.extend(self.edits.show(ui).into_iter().map(Intent::Worker)),
                }
            });
        });
        let top = area.bottom() - height;
        BottomEdge { line: egui::Rect::from_x_y_ranges(area.x_range(), top..=top), wanted, available, height }
    }

    /// The queue and log panel's top edge, which the user drags to change its height.
    fn bottom_divider(&mut self, ui: &mut egui::Ui, edge: BottomEdge) {
        let id = egui::Id::unique("bottom_panel_divider");
        let share = if edge.available > 0.0 { edge.height / edge.available } else { 0.0 };
        let moved = splitters::divider(ui, edge.line, id, "Queue and log height", Divider::BetweenRows, share);
        if moved != 0.0 {
            let height = splitters::dragged_height(edge.wanted, edge.available, moved);
            self.memory.state.bottom_panel_height = Some(height);
        }
    }

    /// The local pane on the left, the remote tabs on the right.
    /// The split is the local pane's share of the width, so both panes stay in view at any window
    /// size; each pane scrolls sideways inside when its columns are wider than it.
    fn panes(&mut self, ui: &mut egui::Ui, intents: &mut Vec<Intent>) {
        let area = ui.available_rect_before_wrap();
        let available = area.width();
        let fraction = self.memory.state.local_pane_fraction.unwrap_or(splitters::DEFAULT_FRACTION);
        if self.memory.state.local_pane_fraction != Some(fraction) {
            self.memory.state.local_pane_fraction = Some(fraction);
        }
        // The central panel's frame (margins) on the left too, so both panes start at the same height.
        let frame = egui::Frame::central_panel(ui.style());
        let width = splitters::local_width(fraction, available);
        let local = egui::Panel::left("local_pane").exact_size(width).frame(frame).show(ui, |ui| {
            // A strip as tall as the remote side's tabs, so both panes' toolbars and columns line up.
            let height = pane_header(ui, self.layout.header_height, |ui| {
                ui.strong("Local");
            });
            self.layout.header_height = self.layout.header_height.max(height);
            scrolling_sideways(ui, "local_pane_columns", |ui| {
                self.local.show(ui, self.layout.active_side == Side::Local && !self.sites.manager.is_open())
            })
        });
        let clicked_local = clicked_inside(ui.ctx(), &local.response);
        let remote = egui::CentralPanel::default().show(ui, |ui| self.remote_side(ui, intents));
        let right = local.response.rect.right();
        let line = egui::Rect::from_x_y_ranges(right..=right, area.y_range());
        let share = if available > 0.0 { width / available } else { 0.0 };
        let moved = splitters::divider(
            ui,
            line,
            egui::Id::unique("pane_divider"),
            "Pane split",
            Divider::BetweenColumns,
            share,
        );
        if moved != 0.0 {
            self.memory.state.local_pane_fraction = Some(splitters::dragged_fraction(fraction, available, moved));
        }
        // A click makes its pane the active one, and takes the keyboard along when it was on the
        // other pane (focus that moves by itself, by Tab or a screen reader, is followed below).
        let clicked = if clicked_local {
            Some((Side::Local, &remote.response))
        } else if clicked_inside(ui.ctx(), &remote.response) {
            Some((Side::Remote, &local.response))
        } else {
            None
        };
        if let Some((side, other)) = clicked {
            self.layout.active_side = side;
            if focused_inside(ui.ctx(), other) {
                ui.ctx().memory_mut(|memory| memory.request_focus(crate::gui::pane::FilePane::focus_id(side)));
            }
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
            chosen = self.layout.tab_strip.show(ui, &self.tabs, intents);
        });
        self.layout.header_height = self.layout.header_height.max(height);
        // Choosing a tab only changes what is shown, at once, so its pane is drawn this frame.
        if let Some(index) = chosen {
            self.tabs.set_active(index);
        }
        // The site manager floats over the panes: keys pressed there are never the panes' (a
        // Delete there must not ask to delete the selected file behind it).
        let active = self.layout.active_side == Side::Remote && !self.sites.manager.is_open();
        let offer_reconnect = self.tabs.active().is_some_and(|tab| !self.dialogs.offers_reconnect(tab.id));
        let tab = self.tabs.active_mut()?;
        if tab.session.is_none() && tab.connecting.is_none() && tab.pane.listed_folder().is_none() {
            // F6 still lands on the remote side, and the ring shows it.
            crate::gui::pane::focus_target(ui, ui.available_rect_before_wrap(), Side::Remote);
            ui.label("Not connected. Type a host or a URL above and press Connect.");
            return None;
        }
        // A listing whose connection ended stays readable, greyed, under a line that says so.
        let live = tab.session.is_some() || tab.connecting.is_some();
        if !live && super::connection_banner::show(ui, tab, offer_reconnect) {
            intents.push(Intent::Reconnect(tab.id));
        }
        if let Some(notice) = tab.notice.as_deref().filter(|_| live) {
            super::connection_banner::show_notice(ui, notice);
        }
        Some(
            ui.add_enabled_ui(live, |ui| scrolling_sideways(ui, "remote_pane_columns", |ui| tab.pane.show(ui, active)))
                .inner,
        )
    }
}

/// `content` in an area that scrolls sideways when it is wider than the pane, so a narrow pane
/// cuts nothing off.
fn scrolling_sideways<R>(ui: &mut egui::Ui, salt: &str, content: impl FnOnce(&mut egui::Ui) -> R) -> R {
    egui::ScrollArea::horizontal().id_salt(salt).auto_shrink(false).show(ui, content).inner
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

/// Whether keyboard focus is on a widget inside `response`.
fn focused_inside(ctx: &egui::Context, response: &egui::Response) -> bool {
    ctx.memory(|memory| memory.focused())
        .and_then(|id| ctx.read_response(id))
        .is_some_and(|focused| response.rect.contains_rect(focused.rect))
}
