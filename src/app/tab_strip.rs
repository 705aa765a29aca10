//! The strip of remote tabs: titles share the strip's width (a long one is shortened with an
//! ellipsis, the full title on hover), it scrolls sideways only when even shortened tabs do not
//! fit, brings the active tab into view when it changes, and a menu lists every tab, so none is
//! ever out of reach.

use egui::{Align, Button, Layout, Ui};

use super::intent::Intent;
use super::tabs::{TabId, Tabs};
use crate::model::escape_control;

/// What the strip remembers between frames.
#[derive(Default)]
pub(super) struct TabStrip {
    /// The tab last scrolled into view; another one active means scroll to it.
    scrolled_to: Option<TabId>,
    /// The strip's width when it last scrolled: a resize may push the active tab out of view.
    scrolled_at_width: f32,
}

/// The narrowest a tab's title gets before the strip scrolls instead: a few letters and the
/// ellipsis.
const MIN_TITLE_WIDTH: f32 = 48.0;
/// Room each tab needs besides its title: its close button and the spacing around both.
const TAB_EXTRA_WIDTH: f32 = 36.0;

/// The menu button's text.
pub(super) const ALL_TABS: &str = "All tabs";

impl TabStrip {
    /// Draws the strip, then "+" and the menu of all tabs at its right end; returns the index of
    /// the tab the user chose.
    pub(super) fn show(&mut self, ui: &mut Ui, tabs: &Tabs, intents: &mut Vec<Intent>) -> Option<usize> {
        let mut chosen = None;
        let shown = tabs.active_index();
        let active_id = tabs.active().map(|tab| tab.id);
        let mut scroll_to_active = active_id.is_some() && active_id != self.scrolled_to;
        let mut strip_width = self.scrolled_at_width;
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
            strip_width = ui.available_width();
            scroll_to_active |= active_id.is_some() && (strip_width - self.scrolled_at_width).abs() > 0.5;
            let title_width = title_width(strip_width, tabs.iter().count());
            egui::ScrollArea::horizontal().id_salt("remote_tab_strip").auto_shrink([false, true]).show(ui, |ui| {
                ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
                    for (index, tab) in tabs.iter().enumerate() {
                        let title = escape_control(&tab.title);
                        let label = ui
                            .scope(|ui| {
                                ui.set_max_width(title_width);
                                ui.add(Button::selectable(index == shown, title.as_str()).truncate())
                            })
                            .inner
                            .on_hover_text(title.as_str());
                        if index == shown && scroll_to_active {
                            // The least scroll that shows it whole.
                            label.scroll_to_me(None);
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
            self.scrolled_at_width = strip_width;
        }
        chosen
    }
}

/// The widest a title may be so that `count` tabs fit in `strip` points, but never narrower than
/// `MIN_TITLE_WIDTH` (then the strip scrolls).
fn title_width(strip: f32, count: usize) -> f32 {
    let count = count.max(1) as f32;
    ((strip / count) - TAB_EXTRA_WIDTH).max(MIN_TITLE_WIDTH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_share_the_strip_down_to_a_readable_width() {
        assert_eq!(title_width(600.0, 3), 200.0 - TAB_EXTRA_WIDTH);
        assert_eq!(title_width(300.0, 5), MIN_TITLE_WIDTH);
        assert_eq!(title_width(300.0, 0), 300.0 - TAB_EXTRA_WIDTH);
    }
}
