//! Focus around dialogs: a dialog that opens puts focus on its safe button (Cancel, Close), so a
//! keyboard or screen-reader user lands in it, and focus goes back where it was once it closes.
//!
//! Dialogs are immediate-mode: one "opens" on the first frame it is drawn and "closes" on the
//! first frame it is not, which `end_pass` notices.

use egui::{Context, Id, Response};

/// Focus state kept across frames in the context's memory.
#[derive(Debug, Clone, Default)]
struct DialogFocus {
    /// The dialog shown last frame, if any.
    open: Option<Id>,
    /// Whether a dialog was drawn this frame.
    shown: Option<Id>,
    /// The widget that had focus before the first dialog opened.
    return_to: Option<Id>,
    /// The newly opened dialog's safe button has still to take focus.
    focus_pending: bool,
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
    with_state(ctx, |state| {
        if state.open != Some(id) && state.shown != Some(id) {
            // A dialog that follows another keeps the first one's place to return to.
            if state.open.is_none() {
                state.return_to = focused;
            }
            state.focus_pending = true;
        }
        state.shown = Some(id);
    });
}

/// Gives `button` focus if its dialog has just opened: call it for the dialog's safe choice.
pub fn safe_button(button: &Response) {
    if with_state(&button.ctx, |state| std::mem::take(&mut state.focus_pending)) {
        button.request_focus();
    }
}

/// At the end of each frame: a dialog no longer drawn has closed, so focus goes back.
pub(super) fn end_pass(ctx: &Context) {
    let return_to = with_state(ctx, |state| {
        let closed = state.open.is_some() && state.shown.is_none();
        state.open = state.shown.take();
        if state.open.is_none() {
            state.focus_pending = false;
        }
        if closed { state.return_to.take() } else { None }
    });
    if let Some(id) = return_to {
        ctx.memory_mut(|memory| memory.request_focus(id));
    }
}
