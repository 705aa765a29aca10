//! Every keyboard shortcut in one table: the handlers look their keys up here and Help >
//! Keyboard shortcuts lists the same table, so what the window does and what it says cannot drift
//! apart.

use egui::{Context, Event, Key, Modifiers, Stroke, StrokeKind};

/// Something a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// Put the cursor into the connect bar's Host field.
    FocusHost,
    /// Move the keyboard to the next area: local pane, remote pane, queue, connect bar.
    NextArea,
    /// The same, backwards.
    PreviousArea,
    /// Put the keyboard on the menu bar's first menu.
    MenuBar,
    /// Open the focused pane's menu for its selection, at the selected row.
    ContextMenu,
    /// Move the cursor a row up (Shift extends the selection, Ctrl moves the cursor only).
    RowUp,
    /// Move the cursor a row down.
    RowDown,
    /// Move the cursor to the first row.
    FirstRow,
    /// Move the cursor to the last row.
    LastRow,
    /// Move the cursor a screenful up.
    PageUp,
    /// Move the cursor a screenful down.
    PageDown,
    /// Add the cursor's row to the selection, or take it out.
    ToggleRow,
    /// Select every row shown.
    SelectAll,
    /// Clear the selection.
    ClearSelection,
    /// Open the selected folder (a file: transfer it).
    Open,
    /// Go to the parent folder.
    Up,
    /// Go back in the pane's history.
    Back,
    /// Go forward in the pane's history.
    Forward,
    /// List the folder again.
    Refresh,
    /// Rename the selected item.
    Rename,
    /// Open the selected remote file in an external editor, uploading each save.
    Edit,
    /// Delete the selection, after asking.
    Delete,
    /// Type a path.
    EditPath,
    /// Put the cursor into the filter box.
    Filter,
    /// Cancel the queue item under the cursor.
    CancelItem,
    /// Pause the queue item under the cursor, or resume it.
    PauseOrResume,
}

/// Where a shortcut works, as the Help window groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Anywhere in the window.
    Window,
    /// In the focused file pane.
    Pane,
    /// In the transfer queue, once it has the keyboard.
    Queue,
}

impl Place {
    /// The heading the Help window shows above the place's shortcuts.
    pub fn title(self) -> &'static str {
        match self {
            Place::Window => "Anywhere",
            Place::Pane => "In a file pane",
            Place::Queue => "In the transfer queue",
        }
    }
}

/// Whether Shift must be up, down, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShiftRule {
    Up,
    Down,
    Either,
}

/// One key with its modifiers.
#[derive(Debug, Clone, Copy)]
pub struct Chord {
    key: Key,
    ctrl: bool,
    alt: bool,
    shift: ShiftRule,
}

const fn plain(key: Key) -> Chord {
    Chord { key, ctrl: false, alt: false, shift: ShiftRule::Up }
}

const fn ctrl(key: Key) -> Chord {
    Chord { key, ctrl: true, alt: false, shift: ShiftRule::Up }
}

const fn alt(key: Key) -> Chord {
    Chord { key, ctrl: false, alt: true, shift: ShiftRule::Up }
}

const fn shift(key: Key) -> Chord {
    Chord { key, ctrl: false, alt: false, shift: ShiftRule::Down }
}

/// The key with Shift (to extend a selection) or Ctrl (to move the cursor only), or neither.
const fn moving(key: Key) -> Chord {
    Chord { key, ctrl: false, alt: false, shift: ShiftRule::Either }
}

const fn moving_ctrl(key: Key) -> Chord {
    Chord { key, ctrl: true, alt: false, shift: ShiftRule::Either }
}

impl Chord {
    fn matches(&self, key: Key, modifiers: Modifiers) -> bool {
        let shift_ok = match self.shift {
            ShiftRule::Up => !modifiers.shift,
            ShiftRule::Down => modifiers.shift,
            ShiftRule::Either => true,
        };
        key == self.key && (modifiers.ctrl || modifiers.command) == self.ctrl && modifiers.alt == self.alt && shift_ok
    }
}

/// One line of the table: the keys, what they do, and where.
pub struct Shortcut {
    /// What the keys ask for; None for what only the Help window lists (a mouse gesture, keys
    /// egui itself handles, the Alt key alone, which is no key event of its own).
    pub action: Option<KeyAction>,
    chords: &'static [Chord],
    /// The keys as the Help window writes them.
    pub keys: &'static str,
    /// What they do, in a few words.
    pub what: &'static str,
    /// Where they work.
    pub place: Place,
}

const fn shortcut(
    action: KeyAction,
    chords: &'static [Chord],
    keys: &'static str,
    what: &'static str,
    place: Place,
) -> Shortcut {
    Shortcut { action: Some(action), chords, keys, what, place }
}

const fn listed(keys: &'static str, what: &'static str, place: Place) -> Shortcut {
    Shortcut { action: None, chords: &[], keys, what, place }
}

/// Every shortcut of the window.
pub const SHORTCUTS: &[Shortcut] = &[
    shortcut(KeyAction::FocusHost, &[ctrl(Key::K)], "Ctrl+K", "Go to the connect bar's Host field", Place::Window),
    shortcut(
        KeyAction::NextArea,
        &[plain(Key::F6)],
        "F6",
        "Next area: local pane, remote pane, queue, connect bar",
        Place::Window,
    ),
    shortcut(KeyAction::PreviousArea, &[shift(Key::F6)], "Shift+F6", "Previous area", Place::Window),
    shortcut(KeyAction::MenuBar, &[plain(Key::F10)], "F10 or Alt", "Go to the menu bar", Place::Window),
    listed("Left, Right, Down, Enter, Escape", "In the menu bar: choose a menu, open it, choose, close", Place::Window),
    listed("Tab, Shift+Tab", "Next or previous button or field", Place::Window),
    listed("Ctrl+Plus, Ctrl+Minus, Ctrl+0", "Zoom in, zoom out, reset zoom", Place::Window),
    listed("Escape", "Close a dialog or a menu", Place::Window),
    shortcut(KeyAction::RowUp, &[moving(Key::ArrowUp), moving_ctrl(Key::ArrowUp)], "Up", "Previous row", Place::Pane),
    shortcut(
        KeyAction::RowDown,
        &[moving(Key::ArrowDown), moving_ctrl(Key::ArrowDown)],
        "Down",
        "Next row",
        Place::Pane,
    ),
    shortcut(KeyAction::FirstRow, &[moving(Key::Home), moving_ctrl(Key::Home)], "Home", "First row", Place::Pane),
    shortcut(KeyAction::LastRow, &[moving(Key::End), moving_ctrl(Key::End)], "End", "Last row", Place::Pane),
    shortcut(KeyAction::PageUp, &[moving(Key::PageUp), moving_ctrl(Key::PageUp)], "Page Up", "A page up", Place::Pane),
    shortcut(
        KeyAction::PageDown,
        &[moving(Key::PageDown), moving_ctrl(Key::PageDown)],
        "Page Down",
        "A page down",
        Place::Pane,
    ),
    listed("Shift with a move", "Extend the selection to the row", Place::Pane),
    listed("Ctrl with a move", "Move without changing the selection", Place::Pane),
    shortcut(
        KeyAction::ToggleRow,
        &[plain(Key::Space), ctrl(Key::Space)],
        "Space",
        "Select the row or unselect it",
        Place::Pane,
    ),
    shortcut(KeyAction::SelectAll, &[ctrl(Key::A)], "Ctrl+A", "Select everything shown", Place::Pane),
    shortcut(KeyAction::ClearSelection, &[plain(Key::Escape)], "Escape", "Clear the selection", Place::Pane),
    shortcut(
        KeyAction::Open,
        &[plain(Key::Enter)],
        "Enter or double-click",
        "Open the selected folder; send a file, or several rows, to the other pane",
        Place::Pane,
    ),
    shortcut(
        KeyAction::Up,
        &[plain(Key::Backspace), alt(Key::ArrowUp)],
        "Backspace, Alt+Up",
        "Go up to the parent folder",
        Place::Pane,
    ),
    shortcut(KeyAction::Back, &[alt(Key::ArrowLeft)], "Alt+Left", "Back", Place::Pane),
    shortcut(KeyAction::Forward, &[alt(Key::ArrowRight)], "Alt+Right", "Forward", Place::Pane),
    shortcut(KeyAction::Refresh, &[plain(Key::F5)], "F5", "Refresh the folder", Place::Pane),
    shortcut(KeyAction::EditPath, &[ctrl(Key::L)], "Ctrl+L", "Type a path", Place::Pane),
    shortcut(KeyAction::Filter, &[ctrl(Key::F)], "Ctrl+F", "Filter the list (Escape clears it)", Place::Pane),
    shortcut(KeyAction::Rename, &[plain(Key::F2)], "F2", "Rename the selected item", Place::Pane),
    shortcut(
        KeyAction::Edit,
        &[plain(Key::F4)],
        "F4",
        "Edit the selected remote file in an external editor (each save is uploaded)",
        Place::Pane,
    ),
    shortcut(KeyAction::Delete, &[plain(Key::Delete)], "Delete", "Delete the selection (asks first)", Place::Pane),
    shortcut(
        KeyAction::ContextMenu,
        &[plain(Key::Menu), shift(Key::F10)],
        "Menu, Shift+F10",
        "The menu of the selection",
        Place::Pane,
    ),
    listed("Ctrl+click, Shift+click", "Add to the selection, select a range", Place::Pane),
    listed("Up, Down, Home, End, Page Up, Page Down", "Choose a transfer", Place::Queue),
    shortcut(KeyAction::CancelItem, &[plain(Key::Delete)], "Delete", "Cancel the transfer", Place::Queue),
    shortcut(KeyAction::PauseOrResume, &[plain(Key::Space)], "Space", "Pause the transfer, or resume it", Place::Queue),
];

/// Takes the first press of a key bound to `action` out of this frame's input, so no other
/// widget acts on it too; returns the modifiers it was pressed with.
pub fn take(ctx: &Context, action: KeyAction) -> Option<Modifiers> {
    let chords: Vec<Chord> = SHORTCUTS
        .iter()
        .filter(|shortcut| shortcut.action == Some(action))
        .flat_map(|shortcut| shortcut.chords.iter().copied())
        .collect();
    ctx.input_mut(|input| {
        let position = input.events.iter().position(|event| {
            matches!(event, Event::Key { key, pressed: true, modifiers, .. }
                if chords.iter().any(|chord| chord.matches(*key, *modifiers)))
        })?;
        match input.events.remove(position) {
            Event::Key { modifiers, .. } => Some(modifiers),
            _ => None,
        }
    })
}

/// What the window looked like to the keyboard when this frame began.
#[derive(Clone, Copy, Default)]
struct AtFrameStart {
    popup_open: bool,
    text_edit_focused: bool,
}

fn at_frame_start_id() -> egui::Id {
    egui::Id::unique("ferry_keyboard_at_frame_start")
}

/// Notes, before anything is drawn, whether a menu or popup is open and whether a text field has
/// the keyboard. A key that closes a menu (Escape) or ends a field's edit (Enter, Escape) is that
/// widget's, and must not also act on a pane once the menu or field let go later in the frame.
pub fn note_frame_start(ctx: &Context) {
    let start = AtFrameStart { popup_open: egui::Popup::is_any_open(ctx), text_edit_focused: ctx.text_edit_focused() };
    ctx.data_mut(|data| data.insert_temp(at_frame_start_id(), start));
}

fn at_frame_start(ctx: &Context) -> AtFrameStart {
    ctx.data(|data| data.get_temp(at_frame_start_id())).unwrap_or_default()
}

/// Whether a menu or popup is open, or was when this frame began.
pub fn popup_open_this_frame(ctx: &Context) -> bool {
    egui::Popup::is_any_open(ctx) || at_frame_start(ctx).popup_open
}

/// Whether a text field has the keyboard, or had it when this frame began.
pub fn text_edit_focused_this_frame(ctx: &Context) -> bool {
    ctx.text_edit_focused() || at_frame_start(ctx).text_edit_focused
}

/// Draws the ring that shows where the keyboard is: two points wide, in the theme's selection
/// colour, which stands out on the light and the dark theme alike.
pub fn paint_focus_ring(painter: &egui::Painter, rect: egui::Rect) {
    let color = painter.ctx().global_style().visuals.selection.stroke.color;
    painter.rect_stroke(rect.shrink(1.0), 2.0, Stroke::new(2.0, color), StrokeKind::Inside);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_keys_and_no_two_share_a_chord_in_one_place() {
        for shortcut in SHORTCUTS.iter().filter(|shortcut| shortcut.action.is_some()) {
            assert!(!shortcut.chords.is_empty(), "{} has keys", shortcut.what);
            for other in
                SHORTCUTS.iter().filter(|other| other.place == shortcut.place && other.action != shortcut.action)
            {
                for chord in shortcut.chords {
                    for modifiers in [Modifiers::NONE, Modifiers::SHIFT, Modifiers::CTRL, Modifiers::ALT] {
                        let clash = chord.matches(chord.key, modifiers)
                            && other.chords.iter().any(|theirs| theirs.matches(chord.key, modifiers));
                        assert!(!clash, "{} and {} share {:?}", shortcut.keys, other.keys, chord.key);
                    }
                }
            }
        }
    }

    #[test]
    fn shift_f10_is_the_menu_and_f10_alone_the_menu_bar() {
        let menu = SHORTCUTS.iter().find(|s| s.action == Some(KeyAction::ContextMenu)).unwrap();
        let bar = SHORTCUTS.iter().find(|s| s.action == Some(KeyAction::MenuBar)).unwrap();
        assert!(menu.chords.iter().any(|c| c.matches(Key::F10, Modifiers::SHIFT)));
        assert!(!bar.chords.iter().any(|c| c.matches(Key::F10, Modifiers::SHIFT)));
        assert!(bar.chords.iter().any(|c| c.matches(Key::F10, Modifiers::NONE)));
    }
}
