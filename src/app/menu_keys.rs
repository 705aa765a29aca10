//! The menu bar by keyboard, on top of what egui's menus do by themselves (arrows between the
//! entries of an open menu, Enter on the focused one, Escape): F10 or Alt puts the keyboard on
//! File; Down, Enter or Space on a menu's button opens it on its first entry; Left and Right in
//! an open menu open the one beside it; an entry chosen by key closes its menu, as a click does.

use egui::{Context, Event, FocusDirection, Id, Key, Popup};

/// The menu bar's buttons and what the keyboard started there.
#[derive(Default)]
pub(super) struct MenuKeys {
    /// The bar's buttons (File, View, Help), as drawn last frame.
    buttons: Vec<Id>,
    /// A menu opened by key, whose first entry takes the keyboard once it is drawn.
    focus_first_entry: Option<Id>,
    /// A menu whose entry was chosen by key this frame: it closes once the entry has acted.
    close_after: Option<Id>,
}

/// The id egui gives a menu button's popup (`Popup::default_response_id`).
fn popup_of(button: Id) -> Id {
    button.with("popup")
}

/// Takes the first press of one of `keys` (without modifiers) out of this frame's input.
fn take_plain(ctx: &Context, keys: &[Key]) -> Option<Key> {
    ctx.input_mut(|input| {
        let position = input.events.iter().position(|event| {
            matches!(event, Event::Key { key, pressed: true, modifiers, .. } if modifiers.is_none() && keys.contains(key))
        })?;
        match input.events.remove(position) {
            Event::Key { key, .. } => Some(key),
            _ => None,
        }
    })
}

impl MenuKeys {
    /// The bar's buttons, in order, as drawn this frame.
    pub(super) fn set_buttons(&mut self, buttons: Vec<Id>) {
        self.buttons = buttons;
    }

    /// Puts the keyboard on the first menu's button (F10, Alt).
    pub(super) fn focus_bar(&self, ctx: &Context) {
        if let Some(&first) = self.buttons.first() {
            ctx.memory_mut(|memory| memory.request_focus(first));
        }
    }

    /// Acts on this frame's keys before the bar is drawn.
    pub(super) fn before_bar(&mut self, ctx: &Context) {
        if let Some(button) = self.focus_first_entry.take()
            && Popup::is_id_open(ctx, popup_of(button))
        {
            // egui's menu moves from its button to the first entry on Down.
            ctx.memory_mut(|memory| {
                memory.request_focus(button);
                memory.move_focus(FocusDirection::Down);
            });
            return;
        }
        let focused = ctx.memory(|memory| memory.focused());
        let open = self.buttons.iter().copied().find(|&button| Popup::is_id_open(ctx, popup_of(button)));
        match (focused, open) {
            // A menu whose entries are all disabled leaves the keyboard on its button.
            (Some(focused), Some(open)) if focused == open => self.in_menu(ctx, open),
            (Some(focused), _) if self.buttons.contains(&focused) => self.on_button(ctx, focused, open),
            (Some(_), Some(open)) => self.in_menu(ctx, open),
            _ => {}
        }
    }

    /// On a menu's button: Down, Enter or Space open it (Enter and Space on an open one close it,
    /// as egui does).
    fn on_button(&mut self, ctx: &Context, button: Id, open: Option<Id>) {
        if open == Some(button) {
            return;
        }
        if take_plain(ctx, &[Key::ArrowDown, Key::Enter, Key::Space]).is_some() {
            Popup::open_id(ctx, popup_of(button));
            // Not also a move down to the connect bar.
            ctx.memory_mut(|memory| memory.move_focus(FocusDirection::None));
            self.focus_first_entry = Some(button);
        }
    }

    /// In the open menu of `button`: Left and Right open the menu beside it; Enter or Space on an
    /// entry lets it act, then closes the menu.
    fn in_menu(&mut self, ctx: &Context, button: Id) {
        let Some(index) = self.buttons.iter().position(|&id| id == button) else { return };
        let pressed = |key| ctx.input(|input| input.key_pressed(key));
        if pressed(Key::Enter) || pressed(Key::Space) {
            self.close_after = Some(button);
            return;
        }
        let count = self.buttons.len();
        let next = match take_plain(ctx, &[Key::ArrowLeft, Key::ArrowRight]) {
            Some(Key::ArrowLeft) => self.buttons[(index + count - 1) % count],
            Some(_) => self.buttons[(index + 1) % count],
            None => return,
        };
        Popup::open_id(ctx, popup_of(next));
        ctx.memory_mut(|memory| {
            memory.request_focus(next);
            memory.move_focus(FocusDirection::None);
        });
        self.focus_first_entry = Some(next);
    }

    /// After the bar and its menus are drawn: closes a menu whose entry was chosen by key.
    pub(super) fn after_bar(&mut self, ctx: &Context) {
        if let Some(button) = self.close_after.take() {
            Popup::close_id(ctx, popup_of(button));
        }
    }
}
