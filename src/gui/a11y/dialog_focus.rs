//! Focus around dialogs: a dialog that opens puts focus on its safe button (Cancel, Close) or its
//! first field, so a keyboard or screen-reader user lands in it, and focus goes back where it was
//! once it closes. Dialogs may stack (an error over the site manager): each one gives focus back
//! to where it was when it opened.
//!
//! Dialogs are immediate-mode: one "opens" on the first frame it is drawn and "closes" on the
//! first frame it is not, which `end_pass` notices.

use egui::{Context, Id, Response};

/// Focus state kept across frames in the context's memory.
#[derive(Debug, Clone, Default)]
struct DialogFocus {
    /// The dialogs open, oldest first, each with the widget that had focus when it opened.
    open: Vec<(Id, Option<Id>)>,
    /// The dialogs drawn this frame.
    shown: Vec<Id>,
    /// The dialogs that opened this frame.
    opened: Vec<Id>,
    /// The newly opened dialog's safe button has still to take focus.
    focus_pending: bool,
    /// Where the keyboard last rested outside menus: a dialog chosen from a menu gives focus back
    /// there, not to the menu entry that has gone with its menu.
    resting: Option<Id>,
    /// The menu bar's buttons, which are a way through, not a place to rest.
    menu_bar: Vec<Id>,
}

fn key() -> Id {
    Id::unique("ferry_a11y_dialog_focus")
}

fn with_state<R>(ctx: &Context, change: impl FnOnce(&mut DialogFocus) -> R) -> R {
    ctx.data_mut(|data| change(data.get_temp_mut_or_default::<DialogFocus>(key())))
}

/// Notes that the dialog `id` is drawn this frame; called by every dialog as it is drawn.
pub fn dialog_shown(ctx: &Context, id: Id) {
    let focused = ctx.memory(|memory| memory.focused());
    let in_menu = menu_open(ctx);
    with_state(ctx, |state| {
        let focused = if focused.is_some_and(|focused| state.menu_bar.contains(&focused)) || in_menu {
            state.resting
        } else {
            focused
        };
        if !state.shown.contains(&id) {
            state.shown.push(id);
        }
        if !state.open.iter().any(|(open, _)| *open == id) {
            state.open.push((id, focused));
            state.opened.push(id);
            state.focus_pending = true;
        }
    });
}

/// Gives `widget` focus if its dialog has just opened: call it for the dialog's safe choice (or
/// the field it starts on) as it is drawn.
pub fn safe_button(widget: &Response) {
    if with_state(&widget.ctx, |state| std::mem::take(&mut state.focus_pending)) {
        widget.request_focus();
    }
}

/// Notes the menu bar's buttons as drawn this frame.
pub fn menu_bar_buttons(ctx: &Context, buttons: &[Id]) {
    with_state(ctx, |state| buttons.clone_into(&mut state.menu_bar));
}

/// Whether a menu (or another popup) is open, so that the focus is in it.
fn menu_open(ctx: &Context) -> bool {
    egui::Popup::is_any_open(ctx)
}

/// At the end of each frame: a dialog no longer drawn has closed, so focus goes back.
pub(super) fn end_pass(ctx: &Context) {
    let focused = ctx.memory(|memory| memory.focused());
    let in_menu = menu_open(ctx);
    let return_to = with_state(ctx, |state| {
        if let Some(focused) = focused
            && !in_menu
            && !state.menu_bar.contains(&focused)
        {
            state.resting = Some(focused);
        }
        let shown = std::mem::take(&mut state.shown);
        let opened = std::mem::take(&mut state.opened);
        let (kept, closed): (Vec<_>, Vec<_>) = state.open.drain(..).partition(|(id, _)| shown.contains(id));
        state.open = kept;
        if state.open.is_empty() {
            state.focus_pending = false;
        }
        // The place the first closed dialog was opened from; focus goes there.
        let return_to = closed.into_iter().next().and_then(|(_, return_to)| return_to)?;
        // A dialog that follows another in the same frame keeps the first one's place to
        // return to (the focus it opened from was inside the dialog that closed).
        if let Some(follower) = opened.first()
            && let Some(entry) = state.open.iter_mut().find(|(id, _)| id == follower)
        {
            entry.1 = Some(return_to);
            return None;
        }
        Some(return_to)
    });
    if let Some(id) = return_to {
        ctx.memory_mut(|memory| memory.request_focus(id));
    }
}

/// Makes the `egui::Window` with the id `window` a dialog to a screen reader (named by its title
/// already, as egui names windows). egui publishes a window as the node of its move handle.
pub fn window_is_dialog(ctx: &Context, window: Id) {
    ctx.accesskit_node_builder(window.with("move"), |node| node.set_role(egui::accesskit::Role::Dialog));
}
