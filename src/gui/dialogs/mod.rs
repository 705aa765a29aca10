//! Modal dialogs: the worker's questions (host key, certificate, password, target exists), and
//! the window's own (confirm delete, permissions, a name for a new folder or a rename, errors).
//! Each `show` returns `None` while the dialog stays open.

mod confirm_delete;
mod error;
mod name;
mod permissions;
mod prompt;
mod secret;
mod target_exists;
mod trust;

use crate::model::escape_control;

pub use confirm_delete::ConfirmDelete;
pub use error::{ErrorChoice, ErrorDialog, HOST_KEY_CHANGED_WARNING, error_title};
pub use name::{NameDialog, name_problem};
pub use permissions::{PermissionsChoice, PermissionsDialog, format_mode, parse_mode};
pub use prompt::PromptDialog;

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
fn modal<R>(ctx: &egui::Context, id: &str, heading: Option<&str>, content: impl FnOnce(&mut egui::Ui) -> R) -> R {
    egui::Modal::new(egui::Id::unique(("ferry_dialog", id)))
        .show(ctx, |ui| {
            ui.set_width(DIALOG_WIDTH);
            if let Some(heading) = heading {
                ui.heading(heading);
                ui.add_space(6.0);
            }
            content(ui)
        })
        .inner
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
