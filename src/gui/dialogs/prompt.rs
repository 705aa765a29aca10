//! The worker's questions as one modal: which dialog a question gets, and the answer that
//! declines it.

use secrecy::zeroize::Zeroize;

use super::edit_conflict::edit_conflict_ui;
use super::secret::secret_ui;
use super::target_exists::target_exists_ui;
use super::trust::{certificate_ui, host_key_ui};
use crate::model::{PromptId, escape_control};
use crate::transfer::edit::ConflictChoice;
use crate::transfer::policy::OnExists;
use crate::trust::TrustDecision;
use crate::worker::{Answer, Command, Question};

/// A question from the worker, waiting for the user's answer.
pub struct PromptDialog {
    prompt: PromptId,
    question: Question,
    /// What the user typed for a password or passphrase; wiped as soon as it is sent.
    secret: String,
    apply_to_all: bool,
    /// The text field takes the keyboard focus on the first frame.
    focus_pending: bool,
}

impl PromptDialog {
    /// A dialog for `question`.
    pub fn new(prompt: PromptId, question: Question) -> Self {
        PromptDialog { prompt, question, secret: String::new(), apply_to_all: false, focus_pending: true }
    }

    /// The prompt this dialog answers.
    pub fn prompt(&self) -> PromptId {
        self.prompt
    }

    /// The question asked.
    pub fn question(&self) -> &Question {
        &self.question
    }

    /// The answer that declines, for when the window must drop the dialog unanswered (it is
    /// closing, or the connection went away): reject the key, no password, skip the file.
    pub fn decline(&mut self, ctx: &egui::Context) -> Command {
        self.forget_secret(ctx);
        Command::Answer { prompt: self.prompt, answer: decline(&self.question) }
    }

    /// The id of the password or passphrase field. Its undo history in egui's memory holds what
    /// was typed, so it is removed as soon as the dialog is answered.
    pub fn secret_field_id() -> egui::Id {
        egui::Id::unique("ferry_secret_field")
    }

    /// Wipes what was typed, here and in the field's undo history.
    fn forget_secret(&mut self, ctx: &egui::Context) {
        self.secret.zeroize();
        ctx.data_mut(|data| data.remove::<egui::text_edit::TextEditState>(Self::secret_field_id()));
    }

    /// Draws it; once the user decides, returns the `Command::Answer` to send.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<Command> {
        let PromptDialog { prompt: _, question, secret, apply_to_all, focus_pending } = self;
        let answer = match question {
            Question::UnknownHostKey { host, port, key, via } => host_key_ui(ctx, host, *port, key, via.as_deref()),
            Question::UntrustedCertificate { host, port, certificate } => certificate_ui(ctx, host, *port, certificate),
            Question::Password { url } => {
                let intro = format!("The server asks for the password of {}.", escape_control(url));
                secret_ui(ctx, "password", "Password required", &intro, "Password", secret, focus_pending)
            }
            Question::KeyPassphrase { key_file } => {
                let intro = format!(
                    "The private key {} is protected by a passphrase.",
                    escape_control(&key_file.display().to_string())
                );
                secret_ui(ctx, "passphrase", "Key passphrase required", &intro, "Passphrase", secret, focus_pending)
            }
            Question::TargetExists { name, source, target, .. } => {
                target_exists_ui(ctx, name, source, target, apply_to_all)
            }
            Question::EditConflict { remote, opened, now, .. } => edit_conflict_ui(ctx, remote, opened, now),
        }?;
        // Whatever was typed is no longer needed once the answer holds it (or it was cancelled).
        self.forget_secret(ctx);
        Some(Command::Answer { prompt: self.prompt, answer })
    }
}

impl Drop for PromptDialog {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// The answer that says no to `question`.
pub(super) fn decline(question: &Question) -> Answer {
    match question {
        Question::UnknownHostKey { .. } | Question::UntrustedCertificate { .. } => Answer::Trust(TrustDecision::Reject),
        Question::Password { .. } | Question::KeyPassphrase { .. } => Answer::Secret(None),
        Question::TargetExists { .. } => Answer::Exists { choice: OnExists::Skip, apply_to_all: false },
        Question::EditConflict { .. } => Answer::Conflict(ConflictChoice::Refuse),
    }
}
