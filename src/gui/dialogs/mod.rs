//! Modal dialogs: the worker's questions (host key, certificate, password, target exists), and
//! the window's own (confirm delete, permissions, a name for a new folder or a rename, errors, the
//! preview of a folder sync).
//! Each `show` returns `None` while the dialog stays open.

mod confirm_delete;
mod confirm_quit;
mod edit_conflict;
mod editors;
mod error;
mod name;
mod permissions;
mod prompt;
mod secret;
mod sync;
mod target_exists;
mod trust;

use crate::gui::a11y;
use crate::model::escape_control;

pub use confirm_delete::ConfirmDelete;
pub use confirm_quit::confirm_quit_ui;
pub use editors::EditorsDialog;
pub use error::{ErrorChoice, ErrorDialog, HOST_KEY_CHANGED_WARNING, error_title};
pub use name::{NameDialog, name_problem};
pub use permissions::{PermissionsChoice, PermissionsDialog, format_mode, parse_mode};
pub use prompt::PromptDialog;
pub use sync::{SyncChoice, SyncDialog};

/// How the user closed a dialog that asks for a value: with OK and the value, or with Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed<T> {
    /// OK, with what the user entered.
    Confirmed(T),
    /// Cancel, Escape, or the close button.
    Cancelled,
}

/// The width of every dialog: wide enough for a SHA-256 fingerprint in one line.
const DIALOG_WIDTH: f32 = 460.0;

/// Shows a centred modal with `heading` above its content, if any; returns what `content` returns.
/// The heading is also the dialog's name for a screen reader.
fn modal<R>(ctx: &egui::Context, id: &str, heading: Option<&str>, content: impl FnOnce(&mut egui::Ui) -> R) -> R {
    let id = egui::Id::unique(("ferry_dialog", id));
    a11y::dialog_shown(ctx, id);
    egui::Modal::new(id)
        .show(ctx, |ui| {
            ui.set_width(DIALOG_WIDTH);
            if let Some(heading) = heading {
                let heading = ui.heading(heading);
                name_dialog(ui, heading.id);
                ui.add_space(6.0);
            }
            content(ui)
        })
        .inner
}

/// Names the dialog `ui` is in after its title, the widget `title`, and marks it modal, for a
/// screen reader.
fn name_dialog(ui: &egui::Ui, title: egui::Id) {
    let Some(dialog) =
        ui.stack().iter().find(|frame| frame.kind() == Some(egui::UiKind::Modal)).map(|frame| frame.unique_id)
    else {
        return;
    };
    ui.ctx().accesskit_node_builder(dialog, |node| {
        node.set_role(egui::accesskit::Role::Dialog);
        node.push_labelled_by(title.accesskit_id());
        node.set_modal();
    });
}

/// Whether Escape was pressed this frame (and takes it, so nothing else reacts to it too).
fn escape_pressed(ctx: &egui::Context) -> bool {
    ctx.input_mut(|input| input.consume_key(egui::Modifiers::NONE, egui::Key::Escape))
}

/// Whether `field` was left with Enter this frame.
fn submitted(ui: &egui::Ui, field: &egui::Response) -> bool {
    field.lost_focus() && ui.input(|input| input.key_pressed(egui::Key::Enter))
}

/// A label that the user can select and copy, in monospace: fingerprints, replies, paths.
fn code(ui: &mut egui::Ui, text: &str) -> egui::Response {
    ui.add(egui::Label::new(egui::RichText::new(text).monospace()).selectable(true).wrap())
}

/// `host:port`, with brackets around an IPv6 address, control characters escaped.
fn host_port(host: &str, port: u16) -> String {
    let host = escape_control(host);
    if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") }
}
