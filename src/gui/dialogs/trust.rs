//! The trust questions: an unknown SSH host key and an untrusted TLS certificate, with Accept
//! once, Accept and remember, Cancel.

use super::{code, escape_pressed, host_port, modal};
use crate::model::escape_control;
use crate::trust::TrustDecision;
use crate::trust::known_hosts::HostKey;
use crate::trust::tls::{RejectedCertificate, display_fingerprint};
use crate::worker::Answer;

/// The three trust buttons; Escape is Cancel.
pub(super) fn trust_buttons(ui: &mut egui::Ui) -> Option<Answer> {
    let mut decision = None;
    ui.horizontal(|ui| {
        if ui.button("Accept once").on_hover_text("Trust it until Ferry quits").clicked() {
            decision = Some(TrustDecision::AcceptOnce);
        }
        if ui.button("Accept and remember").on_hover_text("Trust it from now on").clicked() {
            decision = Some(TrustDecision::AcceptAndRemember);
        }
        let cancel = ui.button("Cancel").on_hover_text("Do not connect");
        crate::gui::a11y::safe_button(&cancel);
        if cancel.clicked() {
            decision = Some(TrustDecision::Reject);
        }
    });
    if decision.is_none() && escape_pressed(ui.ctx()) {
        decision = Some(TrustDecision::Reject);
    }
    decision.map(Answer::Trust)
}

/// How many characters of a fingerprint go on one line, so it fits the dialog: a whole OpenSSH
/// `SHA256:` one (50), or twelve of a certificate's 32 colon-separated hex pairs (35).
const SSH_FINGERPRINT_LINE: usize = 50;
const CERTIFICATE_FINGERPRINT_LINE: usize = 36;

/// A fingerprint in monospace that never wraps inside a group: one line when it fits, else
/// broken after a `:` only, so that each group can be read and compared whole.
fn fingerprint(ui: &mut egui::Ui, text: &str, width: usize) -> egui::Response {
    let lines = fingerprint_lines(text, width).join("\n");
    ui.add(egui::Label::new(egui::RichText::new(lines).monospace()).selectable(true).extend())
}

/// `text` cut into lines of at most `width` characters, only after a `:` (a part with no `:` in
/// reach stays whole, however long).
fn fingerprint_lines(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for group in text.split_inclusive(':') {
        if !line.is_empty() && line.chars().count() + group.trim_end_matches(':').chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        line.push_str(group);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub(super) fn host_key_ui(
    ctx: &egui::Context,
    host: &str,
    port: u16,
    key: &HostKey,
    via: Option<&str>,
) -> Option<Answer> {
    modal(ctx, "host_key", Some("Unknown host key"), |ui| {
        ui.label(match via {
            Some(site) => format!(
                "Ferry has no record of the key of the jump host {}, on the way to {}.",
                host_port(host, port),
                escape_control(site)
            ),
            None => format!("Ferry has no record of the key of the server {}.", host_port(host, port)),
        });
        ui.add_space(4.0);
        egui::Grid::new("host_key_facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("Key type");
            code(ui, &escape_control(&key.key_type));
            ui.end_row();
            ui.label("Fingerprint");
            fingerprint(ui, &escape_control(&key.fingerprint), SSH_FINGERPRINT_LINE);
            ui.end_row();
        });
        ui.add_space(4.0);
        ui.label(
            "No password has been sent yet. If this is the first connection to this server, compare the \
             fingerprint with the one its administrator gives you before accepting.",
        );
        ui.add_space(6.0);
        trust_buttons(ui)
    })
}

pub(super) fn certificate_ui(
    ctx: &egui::Context,
    host: &str,
    port: u16,
    certificate: &RejectedCertificate,
) -> Option<Answer> {
    modal(ctx, "certificate", Some("Untrusted certificate"), |ui| {
        ui.label(format!("The TLS certificate of the server {} is not trusted.", host_port(host, port)));
        ui.add_space(4.0);
        egui::Grid::new("certificate_facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("Reason");
            code(ui, &escape_control(&certificate.reason));
            ui.end_row();
            ui.label("SHA-256 fingerprint");
            fingerprint(ui, &display_fingerprint(&certificate.sha256_hex), CERTIFICATE_FINGERPRINT_LINE);
            ui.end_row();
        });
        ui.add_space(4.0);
        ui.label(
            "No password has been sent yet. A self-signed certificate is common on small servers; compare \
             the fingerprint with the one its administrator gives you before accepting.",
        );
        ui.add_space(6.0);
        trust_buttons(ui)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_breaks_only_after_a_colon() {
        let ssh = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        assert_eq!(fingerprint_lines(ssh, SSH_FINGERPRINT_LINE), vec![ssh.to_string()]);
        let hex = display_fingerprint(&"ab".repeat(32));
        let lines = fingerprint_lines(&hex, CERTIFICATE_FINGERPRINT_LINE);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines.iter().all(|line| line.chars().count() <= CERTIFICATE_FINGERPRINT_LINE));
        assert!(lines[0].ends_with(':') && lines.concat() == hex, "{lines:?}");
    }
}
