//! The window's own keys, before any widget sees them: Ctrl+K to the Host field, F6 and Shift+F6
//! around the areas (local pane, remote pane, queue, connect bar), F10 or Alt alone to the menu
//! bar (`menu_keys` does the rest there); and, after drawing, the ring around whatever has the
//! keyboard, shown only while the keyboard is being used.

use egui::{Context, Event, Modifiers};

use super::FerryApp;
use crate::gui::connect_bar::ConnectBar;
use crate::gui::keys::{self, KeyAction};
use crate::gui::pane::{FilePane, Side};
use crate::gui::queue_panel::QueuePanel;

/// What the window remembers about the keyboard between frames.
#[derive(Default)]
pub(super) struct KeyboardState {
    /// A key was the last input (not the pointer): focus rings are shown.
    keyboard_in_use: bool,
    /// Alt went down alone; released with nothing else pressed, it opens the menu bar.
    alt_alone: bool,
    /// The menu bar by keyboard.
    pub(super) menus: super::menu_keys::MenuKeys,
}

/// The parts of the window F6 moves between, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    Local,
    Remote,
    Queue,
    ConnectBar,
}

const AREAS: [Area; 4] = [Area::Local, Area::Remote, Area::Queue, Area::ConnectBar];

impl FerryApp {
    /// Acts on the window's keys at the start of a frame.
    pub(super) fn window_keys(&mut self, ctx: &Context) {
        let alt_tapped = self.watch_input(ctx);
        if ctx.memory(|memory| memory.top_modal_layer().is_some()) {
            // A dialog keeps the keyboard until it is answered.
            return;
        }
        if keys::take(ctx, KeyAction::FocusHost).is_some() {
            ctx.memory_mut(|memory| memory.request_focus(ConnectBar::host_id()));
        }
        if keys::take(ctx, KeyAction::NextArea).is_some() {
            self.move_to_area(ctx, 1);
        }
        if keys::take(ctx, KeyAction::PreviousArea).is_some() {
            self.move_to_area(ctx, AREAS.len() - 1);
        }
        if keys::take(ctx, KeyAction::MenuBar).is_some() || alt_tapped {
            self.keys.menus.focus_bar(ctx);
        }
        self.keys.menus.before_bar(ctx);
        // Tab can bring the keyboard to a pane's list too: that pane is then the active one.
        let focused = ctx.memory(|memory| memory.focused());
        for side in [Side::Local, Side::Remote] {
            if focused == Some(FilePane::focus_id(side)) {
                self.layout.set_active_side(side);
            }
        }
    }

    /// Notes whether the keyboard or the pointer was used last, and whether Alt was pressed and
    /// released alone (Alt is no key event of its own, only a change of the modifiers).
    fn watch_input(&mut self, ctx: &Context) -> bool {
        let mut tapped = false;
        ctx.input(|input| {
            for event in &input.events {
                match event {
                    Event::Key { pressed: true, .. } => {
                        self.keys.keyboard_in_use = true;
                        self.keys.alt_alone = false;
                    }
                    Event::PointerButton { pressed: true, .. } => {
                        self.keys.keyboard_in_use = false;
                        self.keys.alt_alone = false;
                    }
                    Event::ModifiersChanged(modifiers) => {
                        if *modifiers == Modifiers::ALT {
                            self.keys.alt_alone = true;
                        } else if modifiers.is_none() && self.keys.alt_alone {
                            self.keys.alt_alone = false;
                            self.keys.keyboard_in_use = true;
                            tapped = true;
                        } else {
                            self.keys.alt_alone = false;
                        }
                    }
                    _ => {}
                }
            }
        });
        tapped
    }

    /// Moves the keyboard `step` areas on (F6), wrapping around.
    fn move_to_area(&mut self, ctx: &Context, step: usize) {
        let focused = ctx.memory(|memory| memory.focused());
        let current = if focused == Some(FilePane::focus_id(Side::Local)) {
            Area::Local
        } else if focused == Some(FilePane::focus_id(Side::Remote)) {
            Area::Remote
        } else if focused == Some(QueuePanel::focus_id()) {
            Area::Queue
        } else if focused.is_some() {
            Area::ConnectBar
        } else if self.layout.active_side() == Side::Remote {
            Area::Remote
        } else {
            Area::Local
        };
        let position = AREAS.iter().position(|&area| area == current).unwrap_or(0);
        let target = match AREAS[(position + step) % AREAS.len()] {
            Area::Local => {
                self.layout.set_active_side(Side::Local);
                FilePane::focus_id(Side::Local)
            }
            Area::Remote => {
                self.layout.set_active_side(Side::Remote);
                FilePane::focus_id(Side::Remote)
            }
            Area::Queue => {
                self.layout.show_queue();
                QueuePanel::focus_id()
            }
            Area::ConnectBar => ConnectBar::host_id(),
        };
        ctx.memory_mut(|memory| memory.request_focus(target));
        self.keys.keyboard_in_use = true;
    }

    /// Draws the ring around the widget that has the keyboard, while the keyboard is in use.
    pub(super) fn paint_focus_ring(&mut self, ctx: &Context) {
        self.keys.menus.after_bar(ctx);
        if !self.keys.keyboard_in_use {
            return;
        }
        let Some(response) = ctx.memory(|memory| memory.focused()).and_then(|id| ctx.read_response(id)) else {
            return;
        };
        let painter = ctx.layer_painter(response.layer_id);
        keys::paint_focus_ring(&painter, response.rect.expand(2.0));
    }
}
