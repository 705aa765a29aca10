//! The worker's questions answered on the terminal: host keys, certificates, secrets, existing
//! files, edits that conflict with the server's version.

use std::io::{BufRead, IsTerminal, Write};

use secrecy::SecretString;

use crate::model::escape_control;
use crate::transfer::edit::ConflictChoice;
use crate::transfer::policy::{FileFacts, OnExists};
use crate::trust::TrustDecision;
use crate::worker::{Answer, Question};

/// Answers a worker question on the terminal; without one, refuses (or accepts a new host key
/// when `--accept-new-host-key` was given).
pub(super) fn answer_on_terminal(question: &Question, accept_new_host_key: bool) -> Answer {
    let interactive = std::io::stdin().is_terminal();
    match question {
        Question::UnknownHostKey { host, port, key, via } => {
            let what = match via {
                Some(site) => format!("jump host '{host}:{port}' (on the way to {site})"),
                None => format!("host '{host}:{port}'"),
            };
            if accept_new_host_key {
                eprintln!("ferry: accepting the new {} host key {} of the {what}", key.key_type, key.fingerprint);
                return Answer::Trust(TrustDecision::AcceptAndRemember);
            }
            if !interactive {
                return Answer::Trust(TrustDecision::Reject);
            }
            eprintln!("The authenticity of {what} can't be established.");
            eprintln!("{} key fingerprint is {}.", key.key_type, key.fingerprint);
            Answer::Trust(ask_yes_no("Accept and remember this key?"))
        }
        Question::UntrustedCertificate { host, port, certificate } => {
            if !interactive {
                return Answer::Trust(TrustDecision::Reject);
            }
            eprintln!("The TLS certificate of '{host}:{port}' is not trusted: {}", certificate.reason);
            eprintln!("SHA-256 fingerprint: {}", crate::trust::tls::display_fingerprint(&certificate.sha256_hex));
            Answer::Trust(ask_yes_no("Accept and remember this certificate?"))
        }
        Question::Password { url } => Answer::Secret(read_secret(interactive, &format!("Password for {url}: "))),
        Question::KeyPassphrase { key_file } => {
            Answer::Secret(read_secret(interactive, &format!("Passphrase for {}: ", key_file.display())))
        }
        Question::TargetExists { name, source, target, .. } => {
            if !interactive {
                return Answer::Exists { choice: OnExists::Skip, apply_to_all: false };
            }
            eprintln!(
                "{} exists: {} here, {} there.",
                escape_control(name),
                size_and_date(target),
                size_and_date(source)
            );
            Answer::Exists { choice: ask_on_exists(), apply_to_all: false }
        }
        Question::EditConflict { remote, opened, now, .. } => {
            if !interactive {
                return Answer::Conflict(ConflictChoice::Refuse);
            }
            eprintln!(
                "{} was changed on the server since it was opened: {} then, {} now.",
                escape_control(remote),
                size_and_date(opened),
                size_and_date(now)
            );
            Answer::Conflict(ask_conflict())
        }
    }
}

fn ask_conflict() -> ConflictChoice {
    eprint!(
        "Compare, overwrite theirs, save as a new name, reload theirs, or keep theirs and upload nothing? [c/o/n/r/K] "
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    match line.trim().to_ascii_lowercase().as_str() {
        "c" | "compare" => ConflictChoice::Compare,
        "o" | "overwrite" => ConflictChoice::Overwrite,
        "n" | "new" => ConflictChoice::SaveAsNew,
        "r" | "reload" => ConflictChoice::ReloadTheirs,
        _ => ConflictChoice::Refuse,
    }
}

/// What to do about a refusal that only happened because no terminal was there to ask on.
pub(super) fn hint_without_terminal(error: &crate::error::FerryError) -> Option<&'static str> {
    if std::io::stdin().is_terminal() {
        return None;
    }
    match error.kind {
        crate::error::ErrorKind::HostKeyUnknown => {
            Some("no terminal to ask on: if that fingerprint is the server's, run again with --accept-new-host-key")
        }
        crate::error::ErrorKind::CertificateUntrusted => {
            Some("no terminal to ask on: to trust the server, give its CA certificate with --ca-file FILE")
        }
        _ => None,
    }
}

/// `--on-exists ask` needs a terminal to ask on: without one, the command stops before it
/// connects, rather than skip every existing target unasked.
pub(super) fn can_ask_on_exists(on_exists: OnExists) -> crate::error::Result<()> {
    if on_exists != OnExists::Ask || std::io::stdin().is_terminal() {
        return Ok(());
    }
    Err(crate::error::FerryError::new(
        crate::error::ErrorKind::Unsupported,
        "--on-exists ask needs a terminal to ask on, and there is none: choose another --on-exists \
         (overwrite, resume, rename, skip, newer or size-differs)",
    ))
}

/// A file's size and modification time, as the question about an existing target shows them.
fn size_and_date(facts: &FileFacts) -> String {
    let size = facts.size.map(crate::transfer::progress::format_bytes).unwrap_or_else(|| "unknown size".into());
    let date = facts.modified.map(|t| t.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_else(|| "unknown date".into());
    format!("{size}, {date}")
}

fn ask_on_exists() -> OnExists {
    eprint!("Overwrite, resume, rename or skip? [o/r/n/S] ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    match line.trim().to_ascii_lowercase().as_str() {
        "o" | "overwrite" => OnExists::Overwrite,
        "r" | "resume" => OnExists::Resume,
        "n" | "rename" => OnExists::Rename,
        _ => OnExists::Skip,
    }
}

fn ask_yes_no(question: &str) -> TrustDecision {
    eprint!("{question} (yes/no) ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    if matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        TrustDecision::AcceptAndRemember
    } else {
        TrustDecision::Reject
    }
}

fn read_secret(interactive: bool, prompt: &str) -> Option<SecretString> {
    if !interactive {
        return None;
    }
    rpassword::prompt_password(prompt).ok().map(SecretString::from)
}

/// Asks a yes/no `question` on the terminal (no by default). Without a terminal there is no one
/// to ask: an error that says how to go ahead without asking.
pub(super) fn confirm(question: &str) -> crate::error::Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Err(crate::error::FerryError::new(
            crate::error::ErrorKind::Unsupported,
            "no terminal to ask on, so nothing was deleted: add --yes to delete without asking",
        ));
    }
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| crate::error::FerryError::from_io(&e, "reading the answer"))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
