//! An error in plain words, with the server's reply and what the user can do about it.

use super::{code, escape_pressed, modal};
use crate::error::{ErrorKind, FerryError};
use crate::model::escape_control;

/// What the user chose in an error dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorChoice {
    /// Dismissed.
    Close,
    /// Open the lost connection again.
    Reconnect,
}

/// An error in plain words, with the server's reply; a lost connection offers Reconnect, a
/// changed host key is a red warning with no way to accept.
pub struct ErrorDialog {
    error: FerryError,
    offer_reconnect: bool,
}

/// The dialog title for an error of `kind`.
pub fn error_title(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::AuthFailed => "Login failed",
        ErrorKind::HostKeyUnknown => "Unknown host key",
        ErrorKind::HostKeyChanged => "Host key changed",
        ErrorKind::CertificateUntrusted => "Untrusted certificate",
        ErrorKind::NotFound => "Not found",
        ErrorKind::PermissionDenied => "Permission denied",
        ErrorKind::AlreadyExists => "Already exists",
        ErrorKind::NotEmpty => "Folder not empty",
        ErrorKind::ConnectionLost => "Connection lost",
        ErrorKind::HostNotFound => "Host not found",
        ErrorKind::ConnectionRefused => "Connection refused",
        ErrorKind::Timeout => "Timed out",
        ErrorKind::Unsupported => "Not supported",
        ErrorKind::Protocol => "Unexpected answer from the server",
        ErrorKind::Cancelled => "Cancelled",
        ErrorKind::LocalIo => "Local file error",
        ErrorKind::TooLarge => "Too much from the server",
        ErrorKind::FileChanged => "File changed during the transfer",
        ErrorKind::EditConflict => "Changed on the server",
        ErrorKind::CopiesDiffer => "The two copies differ",
        ErrorKind::LinkLoop => "Link loop",
        ErrorKind::LinkToNothing => "Link to nothing",
        ErrorKind::Incomplete => "Not all done",
        ErrorKind::ProxyFailed => "The proxy refused",
    }
}

/// What a user can do about an error of `kind`, where there is something to say.
pub(super) fn error_advice(kind: ErrorKind) -> Option<&'static str> {
    match kind {
        ErrorKind::AuthFailed => Some("Check the user name, the password or the key, and try again."),
        ErrorKind::HostKeyUnknown | ErrorKind::CertificateUntrusted => {
            Some("The connection was not made because the server's identity was not accepted.")
        }
        ErrorKind::NotFound => Some("It may have been moved or deleted; refresh the listing."),
        ErrorKind::PermissionDenied => Some("Your account is not allowed to do this here."),
        ErrorKind::AlreadyExists => Some("Choose another name, or delete the existing one first."),
        ErrorKind::NotEmpty => Some("Delete what is inside first, or delete the folder with everything in it."),
        ErrorKind::ConnectionLost => Some("Check the network and the server address."),
        ErrorKind::HostNotFound => Some("Check the spelling of the server's name, and that this computer is online."),
        ErrorKind::ConnectionRefused => Some("Check the port number, and that the server is running."),
        ErrorKind::Timeout => Some("The server may be busy or unreachable; try again later."),
        ErrorKind::Unsupported => Some("This server or protocol cannot do this."),
        ErrorKind::LocalIo => Some("Check the disk space and the local folder's permissions."),
        ErrorKind::TooLarge => {
            Some("Ferry stopped reading to protect this computer's memory; a smaller folder can be opened.")
        }
        ErrorKind::FileChanged => Some("Retry to fetch the file again, whole."),
        ErrorKind::EditConflict => Some("Your copy is kept; save it again to choose what to do."),
        ErrorKind::CopiesDiffer => {
            Some("Nothing was replaced. Transfer the file again choosing Overwrite, so that it is sent whole.")
        }
        ErrorKind::LinkLoop | ErrorKind::LinkToNothing => {
            Some("The link itself can be renamed or deleted; what it should lead to must be fixed on the server.")
        }
        ErrorKind::ProxyFailed => Some(
            "Check the proxy's address, user name and password (the site's Proxy, Settings, --proxy or ALL_PROXY).",
        ),
        ErrorKind::HostKeyChanged | ErrorKind::Incomplete | ErrorKind::Protocol | ErrorKind::Cancelled => None,
    }
}

/// The warning shown for a changed host key, in red, before the details.
pub const HOST_KEY_CHANGED_WARNING: &str = "WARNING: the server's host key is not one on record for it, or it \
     is revoked. Someone may be intercepting the connection (a man-in-the-middle attack), or the server's key was \
     replaced. Ferry did not connect and sent no password.";

/// How to get past a changed host key once the new key is known to be genuine.
pub(super) const HOST_KEY_CHANGED_FIX: &str = "Ask the server's administrator whether its key really changed and what \
     its new fingerprint is. Only if it did, remove the old key from the known_hosts file at the line named \
     above, then connect again to check and accept the new key.";

impl ErrorDialog {
    /// A dialog for `error`; `offer_reconnect` adds a Reconnect button.
    pub fn new(error: FerryError, offer_reconnect: bool) -> Self {
        ErrorDialog { error, offer_reconnect }
    }

    /// The error shown.
    pub fn error(&self) -> &FerryError {
        &self.error
    }

    /// Draws it; returns the user's choice once made.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<ErrorChoice> {
        let error = &self.error;
        modal(ctx, "error", Some(error_title(error.kind)), |ui| {
            let host_key_changed = error.kind == ErrorKind::HostKeyChanged;
            if host_key_changed {
                ui.label(egui::RichText::new(HOST_KEY_CHANGED_WARNING).color(ui.visuals().error_fg_color).strong());
                ui.add_space(4.0);
            }
            ui.add(egui::Label::new(sentence(&escape_control(&error.context))).wrap());
            if let Some(advice) = error_advice(error.kind) {
                ui.weak(advice);
            }
            if let Some(reply) = &error.server_reply {
                ui.add_space(4.0);
                // For a changed key the "reply" is the keys on record (or the revocation), with their lines.
                ui.label(if host_key_changed { "On record in known_hosts:" } else { "The server said:" });
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    code(ui, &escape_control(reply));
                });
            }
            if let Some(detail) = &error.detail {
                ui.add_space(4.0);
                ui.label("Details:");
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.set_width(ui.available_width());
                    code(ui, &escape_control(detail));
                });
            }
            if host_key_changed {
                ui.add_space(4.0);
                ui.label(HOST_KEY_CHANGED_FIX);
            }
            ui.add_space(6.0);
            let mut choice = None;
            ui.horizontal(|ui| {
                if self.offer_reconnect && ui.button("Reconnect").clicked() {
                    choice = Some(ErrorChoice::Reconnect);
                }
                let close = ui.button("Close");
                crate::gui::a11y::safe_button(&close);
                if close.clicked() {
                    choice = Some(ErrorChoice::Close);
                }
            });
            if choice.is_none() && escape_pressed(ui.ctx()) {
                choice = Some(ErrorChoice::Close);
            }
            choice
        })
    }
}

/// `text` as a sentence: a capital first letter and a full stop.
pub(super) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut sentence: String = first.to_uppercase().chain(chars).collect();
    if !sentence.ends_with(['.', '!', '?']) {
        sentence.push('.');
    }
    sentence
}
