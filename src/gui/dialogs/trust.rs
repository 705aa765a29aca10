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

pub(super) fn host_key_ui(ctx: &egui::Context, host: &str, port: u16, key: &HostKey) -> Option<Answer> {
    modal(ctx, "host_key", Some("Unknown host key"), |ui| {
        ui.label(format!("Ferry has no record of the key of the server {}.", host_port(host, port)));
        ui.add_space(4.0);
        egui::Grid::new("host_key_facts").num_columns(2).spacing([12.0, 4.0]).show(ui, |ui| {
            ui.label("Key type");
            code(ui, &escape_control(&key.key_type));
            ui.end_row();
            ui.label("Fingerprint");
            code(ui, &escape_control(&key.fingerprint));
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
            code(ui, &display_fingerprint(&certificate.sha256_hex));
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
