//! The strip of remote tabs: it scrolls sideways when the tabs are wider than the pane, brings
//! the active tab into view when it changes, and a menu lists every tab, so none is ever out of
//! reach.

use egui::{Align, Layout, Ui};

use super::intent::Intent;
use super::tabs::{TabId, Tabs};
use crate::model::escape_control;

/// What the strip remembers between frames.
#[derive(Default)]
pub(super) struct TabStrip {
    /// The tab last scrolled into view; another one active means scroll to it.
    scrolled_to: Option<TabId>,
}

/// The menu button's text.
pub(super) const ALL_TABS: &str = "All tabs";

impl TabStrip {
    /// Draws the strip, then "+" and the menu of all tabs at its right end; returns the index of
    /// the tab the user chose.
    pub(super) fn show(&mut self, ui: &mut Ui, tabs: &Tabs, intents: &mut Vec<Intent>) -> Option<usize> {
        let mut chosen = None;
        let shown = tabs.active_index();
        let active_id = tabs.active().map(|tab| tab.id);
        let scroll_to_active = active_id.is_some() && active_id != self.scrolled_to;
        // Right to left: the menu and "+" keep their place, the strip gets what is left.
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.menu_button(ALL_TABS, |ui| {
                for (index, tab) in tabs.iter().enumerate() {
                    if ui.selectable_label(index == shown, escape_control(&tab.title)).clicked() {
                        chosen = Some(index);
                        ui.close();
                    }
                }
            })
            .response
            .on_hover_text("Every open tab");
            if ui.button("+").on_hover_text("New tab").accessible_name("New tab").clicked() {
                intents.push(Intent::NewTab);
            }
            egui::ScrollArea::horizontal().id_salt("remote_tab_strip").auto_shrink([false, true]).show(ui, |ui| {
                ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                    for (index, tab) in tabs.iter().enumerate() {
                        let label = ui.selectable_label(index == shown, escape_control(&tab.title));
                        if index == shown && scroll_to_active {
                            label.scroll_to_me(Some(Align::Center));
                        }
                        if label.clicked() {
                            chosen = Some(index);
                        }
                        let close = ui.small_button("x").on_hover_text("Close tab");
                        if close.accessible_name(format!("Close tab {}", escape_control(&tab.title))).clicked() {
                            intents.push(Intent::CloseTab(index));
                        }
                    }
                });
            });
        });
        if scroll_to_active {
            self.scrolled_to = active_id;
        }
        chosen
    }
}
