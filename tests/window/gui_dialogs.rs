//! The dialogs on their own: what each shows, and what the user's clicks and keys answer. No
//! worker, no server.

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use ferry::error::{ErrorKind, FerryError};
use ferry::gui::dialogs::{
    Closed, ConfirmDelete, ErrorChoice, ErrorDialog, NameDialog, PermissionsChoice, PermissionsDialog, PromptDialog,
};
use ferry::model::{Entry, EntryKind, PromptId};
use ferry::transfer::policy::{FileFacts, OnExists};
use ferry::trust::TrustDecision;
use ferry::trust::known_hosts::HostKey;
use ferry::trust::tls::RejectedCertificate;
use ferry::worker::{Answer, Command, ItemId, Question};
use secrecy::ExposeSecret;

/// A dialog drawn in a window of its own until it returns its answer, as the window does.
struct Shown<D, R> {
    dialog: D,
    answer: Option<R>,
}

fn show_dialog<D: 'static, R: 'static>(
    dialog: D,
    show: impl Fn(&mut D, &egui::Context) -> Option<R> + 'static,
) -> Harness<'static, Shown<D, R>> {
    let mut harness = Harness::builder().with_size([900.0, 700.0]).build_ui_state(
        move |ui, shown: &mut Shown<D, R>| {
            if shown.answer.is_none() {
                shown.answer = show(&mut shown.dialog, ui.ctx());
            }
        },
        Shown { dialog, answer: None },
    );
    harness.run();
    harness
}

fn prompt(question: Question) -> Harness<'static, Shown<PromptDialog, Command>> {
    show_dialog(PromptDialog::new(PromptId(7), question), PromptDialog::show)
}

/// The answer sent for prompt 7.
fn answer<'a>(harness: &'a Harness<'_, Shown<PromptDialog, Command>>) -> &'a Answer {
    match &harness.state().answer {
        Some(Command::Answer { prompt: PromptId(7), answer }) => answer,
        other => panic!("expected an answer to prompt 7, got {other:?}"),
    }
}

fn unknown_host_key() -> Question {
    Question::UnknownHostKey {
        host: "files.example.org".into(),
        via: None,
        port: 2222,
        key: HostKey {
            key_type: "ssh-ed25519".into(),
            fingerprint: "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU".into(),
            base64: "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl".into(),
        },
    }
}

#[test]
fn an_unknown_jump_host_key_names_the_jump_host_and_the_site_behind_it() {
    let Question::UnknownHostKey { host, port, key, .. } = unknown_host_key() else { unreachable!() };
    let via = Some("sftp://deploy@inner.example.org:22".to_string());
    let harness = prompt(Question::UnknownHostKey { host, port, key, via });
    harness.get_by_label_contains(
        "the key of the jump host files.example.org:2222, on the way to sftp://deploy@inner.example.org:22",
    );
    harness.get_by_label("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
}

#[test]
fn an_unknown_host_key_shows_its_fingerprint_and_can_be_accepted_once() {
    let mut harness = prompt(unknown_host_key());
    harness.get_by_label("Unknown host key");
    harness.get_by_label_contains("files.example.org:2222");
    harness.get_by_label("ssh-ed25519");
    harness.get_by_label("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU");
    harness.get_by_label_contains("No password has been sent yet");
    harness.get_by_label("Accept once").click();
    harness.run();
    assert!(matches!(answer(&harness), Answer::Trust(TrustDecision::AcceptOnce)));
}

#[test]
fn a_host_key_can_be_remembered_or_refused_with_cancel_or_escape() {
    let mut harness = prompt(unknown_host_key());
    harness.get_by_label("Accept and remember").click();
    harness.run();
    assert!(matches!(answer(&harness), Answer::Trust(TrustDecision::AcceptAndRemember)));

    let mut harness = prompt(unknown_host_key());
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(matches!(answer(&harness), Answer::Trust(TrustDecision::Reject)));

    let mut harness = prompt(unknown_host_key());
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert!(matches!(answer(&harness), Answer::Trust(TrustDecision::Reject)));
}

#[test]
fn an_untrusted_certificate_shows_the_reason_and_the_sha256_fingerprint() {
    let mut harness = prompt(Question::UntrustedCertificate {
        host: "ftp.example.org".into(),
        port: 990,
        certificate: RejectedCertificate {
            sha256_hex: "ab01cd23".repeat(8),
            reason: "invalid peer certificate: UnknownIssuer".into(),
        },
    });
    harness.get_by_label("Untrusted certificate");
    harness.get_by_label_contains("ftp.example.org:990");
    harness.get_by_label("invalid peer certificate: UnknownIssuer");
    harness.get_by_label_contains("AB:01:CD:23:AB:01:CD:23:");
    harness.get_by_label("Accept once").click();
    harness.run();
    assert!(matches!(answer(&harness), Answer::Trust(TrustDecision::AcceptOnce)));
}

#[test]
fn a_password_is_typed_masked_and_sent_with_enter() {
    let mut harness = prompt(Question::Password { url: "ftp://alice@127.0.0.1:21".into() });
    harness.get_by_label_contains("ftp://alice@127.0.0.1:21");
    let field = harness.get_by_label("Password");
    assert!(field.is_focused(), "the field has the keyboard focus at once");
    field.type_text("correct horse");
    harness.run();
    assert!(harness.query_by_label_contains("correct horse").is_none(), "the password is not shown");
    assert_ne!(harness.get_by_label("Password").value().as_deref(), Some("correct horse"));
    harness.key_press(egui::Key::Enter);
    harness.run();
    match answer(&harness) {
        Answer::Secret(Some(secret)) => assert_eq!(secret.expose_secret(), "correct horse"),
        other => panic!("expected the password, got {other:?}"),
    }
    // The field's undo history held the password: it is gone with the dialog.
    let field_state = egui::text_edit::TextEditState::load(&harness.ctx, PromptDialog::secret_field_id());
    assert!(field_state.is_none(), "the password field's memory is wiped");
}

#[test]
fn a_passphrase_can_be_sent_with_ok_or_cancelled() {
    let question = Question::KeyPassphrase { key_file: "/home/alice/.ssh/id_ed25519".into() };
    let mut harness = prompt(question.clone());
    harness.get_by_label_contains("id_ed25519");
    harness.get_by_label("Passphrase").type_text("s3cret");
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    match answer(&harness) {
        Answer::Secret(Some(secret)) => assert_eq!(secret.expose_secret(), "s3cret"),
        other => panic!("expected the passphrase, got {other:?}"),
    }

    let mut harness = prompt(question);
    harness.get_by_label("Cancel").click();
    harness.run();
    assert!(matches!(answer(&harness), Answer::Secret(None)));
}

fn target_exists(source_size: u64, target_size: u64) -> Question {
    let date = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&chrono::Utc);
    Question::TargetExists {
        item: ItemId(3),
        name: "report.pdf".into(),
        source: FileFacts { size: Some(source_size), modified: Some(date("2025-06-02T10:00:00Z")), precision: None },
        target: FileFacts { size: Some(target_size), modified: Some(date("2025-06-01T10:00:00Z")), precision: None },
    }
}

#[test]
fn an_existing_target_shows_both_files_and_the_choice_can_apply_to_all() {
    let mut harness = prompt(target_exists(2_000_000, 1_000_000));
    harness.get_by_label_contains("\"report.pdf\" already exists");
    harness.get_by_label("Existing file");
    harness.get_by_label("New file");
    harness.get_by_label("977 KiB (1000000 bytes)");
    harness.get_by_label("1.91 MiB (2000000 bytes)");
    harness.get_by_label_contains("(newer)");
    for choice in ["Overwrite", "Resume", "Rename", "Skip", "Overwrite if newer"] {
        assert!(!harness.get_by_label(choice).accesskit_node().is_disabled(), "{choice} is offered");
    }
    harness.get_by_label("Apply to all").click();
    harness.run();
    harness.get_by_label("Overwrite if newer").click();
    harness.run();
    assert!(matches!(answer(&harness), Answer::Exists { choice: OnExists::OverwriteIfNewer, apply_to_all: true }));
}

#[test]
fn resume_is_not_offered_onto_a_target_as_big_as_the_source() {
    let mut harness = prompt(target_exists(1_000, 1_000));
    assert!(harness.get_by_label("Resume").accesskit_node().is_disabled());
    harness.get_by_label("Skip").click();
    harness.run();
    assert!(matches!(answer(&harness), Answer::Exists { choice: OnExists::Skip, apply_to_all: false }));
}

fn changed_host_key() -> FerryError {
    FerryError::new(
        ErrorKind::HostKeyChanged,
        "the ssh-ed25519 host key of [127.0.0.1]:2222 is now SHA256:abc, but /home/alice/.config/ferry/known_hosts:3 \
         records a different one; someone may be intercepting the connection. If the server's key really changed, \
         remove that line",
    )
    .with_reply("[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOld")
}

#[test]
fn a_changed_host_key_is_a_red_warning_with_no_way_to_accept() {
    let mut harness = show_dialog(ErrorDialog::new(changed_host_key(), false), ErrorDialog::show);
    harness.get_by_label("Host key changed");
    harness.get_by_label_contains("man-in-the-middle");
    harness.get_by_label_contains("known_hosts:3");
    harness.get_by_label_contains("AAAAC3NzaC1lZDI1NTE5AAAAIOld");
    assert!(harness.query_by_label_contains("Accept").is_none(), "nothing to accept the new key with");
    assert!(harness.query_by_label_contains("Trust").is_none());
    assert!(harness.query_by_label("Reconnect").is_none());
    let buttons: Vec<String> = harness
        .query_all_by_role(egui::accesskit::Role::Button)
        .filter_map(|button| button.accesskit_node().label())
        .collect();
    assert_eq!(buttons, ["Close"]);
    harness.get_by_label("Close").click();
    harness.run();
    assert_eq!(harness.state().answer, Some(ErrorChoice::Close));
}

#[test]
fn a_lost_connection_says_what_happened_with_the_server_reply_and_offers_reconnect() {
    let error = FerryError::new(ErrorKind::ConnectionLost, "listing /var/www").with_reply("421 Timeout.");
    let mut harness = show_dialog(ErrorDialog::new(error, true), ErrorDialog::show);
    harness.get_by_label("Connection lost");
    harness.get_by_label("Listing /var/www.");
    harness.get_by_label("The server said:");
    harness.get_by_label("421 Timeout.");
    harness.get_by_label("Reconnect").click();
    harness.run();
    assert_eq!(harness.state().answer, Some(ErrorChoice::Reconnect));

    let error = FerryError::new(ErrorKind::AuthFailed, "logging in as alice").with_reply("530 Login incorrect.");
    let mut harness = show_dialog(ErrorDialog::new(error, false), ErrorDialog::show);
    harness.get_by_label("Login failed");
    harness.get_by_label("530 Login incorrect.");
    assert!(harness.query_by_label("Reconnect").is_none());
    harness.key_press(egui::Key::Escape);
    harness.run();
    assert_eq!(harness.state().answer, Some(ErrorChoice::Close));
}

fn entry(name: &str, kind: EntryKind, permissions: Option<u32>) -> Entry {
    Entry { permissions, ..Entry::new(name, kind) }
}

#[test]
fn delete_asks_with_the_count_and_the_folders() {
    let entries = vec![
        entry("a.txt", EntryKind::File, None),
        entry("photos", EntryKind::Dir, None),
        entry("b.txt", EntryKind::File, None),
    ];
    let mut harness = show_dialog(ConfirmDelete::new(entries.clone()), ConfirmDelete::show);
    harness.get_by_label("Delete 3 items?");
    harness.get_by_label("including everything inside 1 folder");
    harness.get_by_label("photos/");
    harness.get_by_label("Delete").click();
    harness.run();
    assert_eq!(harness.state().answer, Some(true));

    let mut harness = show_dialog(ConfirmDelete::new(entries[..1].to_vec()), ConfirmDelete::show);
    harness.get_by_label("Delete 1 item?");
    assert!(harness.query_by_label_contains("including everything").is_none());
    harness.get_by_label("Cancel").click();
    harness.run();
    assert_eq!(harness.state().answer, Some(false));
}

fn checked(harness: &Harness<'_, Shown<PermissionsDialog, Closed<PermissionsChoice>>>, label: &str) -> bool {
    harness.get_by_label(label).accesskit_node().toggled() == Some(egui::accesskit::Toggled::True)
}

#[test]
fn permission_boxes_and_the_octal_field_follow_each_other() {
    let entries = vec![entry("index.html", EntryKind::File, Some(0o644))];
    let mut harness = show_dialog(PermissionsDialog::new(entries), PermissionsDialog::show);
    assert_eq!(harness.get_by_label("Octal").value().as_deref(), Some("644"));
    assert!(checked(&harness, "Owner read") && checked(&harness, "Owner write") && checked(&harness, "Others read"));
    assert!(!checked(&harness, "Group write") && !checked(&harness, "Owner execute"));
    assert!(harness.query_by_label("Apply to everything inside").is_none(), "no folder, nothing inside");

    harness.get_by_label("Group write").click();
    harness.run();
    assert_eq!(harness.get_by_label("Octal").value().as_deref(), Some("664"));

    let octal = harness.get_by_label("Octal");
    octal.click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Octal").type_text("751");
    harness.run();
    assert!(
        checked(&harness, "Owner execute") && checked(&harness, "Group execute") && checked(&harness, "Others execute")
    );
    assert!(!checked(&harness, "Group write") && !checked(&harness, "Others read"));
    harness.get_by_label("OK").click();
    harness.run();
    assert_eq!(harness.state().answer, Some(Closed::Confirmed(PermissionsChoice { mode: 0o751, recursive: false })));
}

#[test]
fn an_invalid_octal_value_is_explained_and_ok_is_disabled() {
    let entries = vec![entry("www", EntryKind::Dir, Some(0o755)), entry("a.txt", EntryKind::File, Some(0o600))];
    let mut harness = show_dialog(PermissionsDialog::new(entries), PermissionsDialog::show);
    assert_eq!(harness.get_by_label("Octal").value().as_deref(), Some("755"), "the first entry's mode");
    harness.get_by_label("Octal").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Octal").type_text("79");
    harness.run();
    harness.get_by_label_contains("octal digits");
    assert!(harness.get_by_label("OK").accesskit_node().is_disabled());
    harness.get_by_label("OK").click();
    harness.run();
    assert_eq!(harness.state().answer, None, "an invalid mode is never applied");

    harness.get_by_label("Octal").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label("Octal").type_text("700");
    harness.run();
    assert!(harness.query_by_label_contains("octal digits").is_none());
    harness.get_by_label("Apply to everything inside").click();
    harness.run();
    harness.get_by_label("OK").click();
    harness.run();
    assert_eq!(harness.state().answer, Some(Closed::Confirmed(PermissionsChoice { mode: 0o700, recursive: true })));
}

/// The name field: the dialog around it is named after the same title.
const TEXT_FIELD: egui::accesskit::Role = egui::accesskit::Role::TextInput;

#[test]
fn a_name_is_refused_while_empty_or_with_a_slash_and_sent_with_enter() {
    let mut harness = show_dialog(NameDialog::new("New folder", ""), NameDialog::show);
    let field = harness.get_by_role_and_label(TEXT_FIELD, "New folder");
    assert!(field.is_focused());
    harness.get_by_label("OK").click();
    harness.run();
    harness.get_by_label("Enter a name.");
    assert_eq!(harness.state().answer, None);

    harness.get_by_role_and_label(TEXT_FIELD, "New folder").type_text("a/b");
    harness.run();
    harness.key_press(egui::Key::Enter);
    harness.run();
    harness.get_by_label_contains("cannot contain \"/\"");
    assert_eq!(harness.state().answer, None);

    harness.get_by_role_and_label(TEXT_FIELD, "New folder").click();
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_role_and_label(TEXT_FIELD, "New folder").type_text("photos 2025");
    harness.run();
    assert!(harness.query_by_label_contains("cannot contain").is_none(), "the message goes once the name is fixed");
    harness.key_press(egui::Key::Enter);
    harness.run();
    assert_eq!(harness.state().answer, Some(Closed::Confirmed("photos 2025".to_string())));
}

#[test]
fn a_rename_starts_from_the_old_name_and_can_be_cancelled() {
    let mut harness = show_dialog(NameDialog::new("Rename", "report.pdf"), NameDialog::show);
    assert_eq!(harness.get_by_role_and_label(TEXT_FIELD, "Rename").value().as_deref(), Some("report.pdf"));
    // The stem is selected: typing replaces it and keeps the extension.
    harness.get_by_role_and_label(TEXT_FIELD, "Rename").type_text("summary");
    harness.run();
    assert_eq!(harness.get_by_role_and_label(TEXT_FIELD, "Rename").value().as_deref(), Some("summary.pdf"));
    harness.get_by_label("Cancel").click();
    harness.run();
    assert_eq!(harness.state().answer, Some(Closed::Cancelled));
}

#[test]
fn a_host_not_found_and_ferrys_own_words_are_not_shown_as_the_servers() {
    let error = FerryError::new(ErrorKind::HostNotFound, "no address is known for ferry-test.invalid");
    let harness = show_dialog(ErrorDialog::new(error, false), ErrorDialog::show);
    harness.get_by_label("Host not found");
    harness.get_by_label("Check the spelling of the server's name, and that this computer is online.");
    assert!(harness.query_by_label("The server said:").is_none());

    let error =
        FerryError::new(ErrorKind::CertificateUntrusted, "the certificate of ftps://example.org was not accepted")
            .with_detail("invalid peer certificate: UnknownIssuer");
    let harness = show_dialog(ErrorDialog::new(error, false), ErrorDialog::show);
    assert!(harness.query_by_label("The server said:").is_none(), "a TLS verdict is Ferry's, not the server's");
    harness.get_by_label("Details:");
    harness.get_by_label("invalid peer certificate: UnknownIssuer");
}
