//! A password or key passphrase asked for by the worker, in a masked field.

use secrecy::SecretString;

use super::{PromptDialog, escape_pressed, modal, submitted};
use crate::worker::Answer;

/// A masked field for a password or passphrase; Enter or OK sends it, Cancel or Escape declines.
pub(super) fn secret_ui(
    ctx: &egui::Context,
    id: &str,
    title: &str,
    intro: &str,
    field_label: &str,
    secret: &mut String,
    focus_pending: &mut bool,
) -> Option<Answer> {
    modal(ctx, id, Some(title), |ui| {
        ui.label(intro);
        ui.add_space(4.0);
        let mut send = false;
        ui.horizontal(|ui| {
            let label = ui.label(field_label);
            let field = ui
                .add(
                    egui::TextEdit::singleline(secret)
                        .id(PromptDialog::secret_field_id())
                        .password(true)
                        .desired_width(280.0),
                )
                .labelled_by(label.id);
            if std::mem::take(focus_pending) {
                field.request_focus();
            }
            send = submitted(ui, &field);
        });
        ui.add_space(6.0);
        let mut cancel = false;
        ui.horizontal(|ui| {
            send |= ui.button("OK").clicked();
            cancel = ui.button("Cancel").clicked();
        });
        if send {
            Some(Answer::Secret(Some(SecretString::from(secret.as_str()))))
        } else if cancel || escape_pressed(ui.ctx()) {
            Some(Answer::Secret(None))
        } else {
            None
        }
    })
}
