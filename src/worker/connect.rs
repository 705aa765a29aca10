//! Opens one connection to a site, asking the user about unknown host keys, untrusted
//! certificates and missing secrets, and trying again after each answer. The pool and the
//! browsing sessions both connect through here; it imports only the context.

use super::context::WorkerContext;
use super::messages::{Answer, Question};
use crate::backend::{self, Backend, ConnectError};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, RequestId};
use crate::route::Route;
use crate::trust::TrustDecision;

/// Opens one connection, asking the user about unknown keys, untrusted certificates and missing
/// secrets, and trying again after each answer. Returns it with the spec that worked.
pub(super) async fn open_connection(
    ctx: &WorkerContext,
    request: RequestId,
    mut spec: ConnectSpec,
) -> Result<(Box<dyn Backend>, ConnectSpec)> {
    let url = spec.display_url();
    // Whether the password tried came from the question (asked now or earlier this run).
    let mut typed = false;
    // The jump hosts whose password was typed, by their URL.
    let mut typed_hops: Vec<String> = Vec::new();
    loop {
        let error = match backend::connect(&spec, ctx.trust.clone(), &ctx.settings).await {
            Ok(backend) => return Ok((backend, spec)),
            Err(error) => error,
        };
        match error {
            ConnectError::Failed(error) => {
                if error.kind == ErrorKind::AuthFailed {
                    // Which login failed is not known here: a typed password is asked again.
                    let mut passwords = ctx.typed_passwords.0.lock().await;
                    if typed {
                        passwords.remove(&url);
                    }
                    for hop in &typed_hops {
                        passwords.remove(hop);
                    }
                }
                return Err(error);
            }
            ConnectError::UnknownHostKey { host, port, key } => {
                // A jump host on the way is asked about by its own name and port, and says so.
                let is_hop = (host.as_str(), port) != (spec.host.as_str(), spec.port);
                let via = is_hop.then(|| url.clone());
                let question = Question::UnknownHostKey { host: host.clone(), port, key: key.clone(), via };
                let decision = trust_answer(ctx.ask(request, question).await);
                if decision == TrustDecision::Reject {
                    let whose = if is_hop {
                        format!(
                            "the jump host {} on the way to {url}",
                            crate::model::escape_control(&format!("{host}:{port}"))
                        )
                    } else {
                        url.clone()
                    };
                    return Err(FerryError::new(
                        ErrorKind::HostKeyUnknown,
                        format!("the {} host key {} of {whose} was not accepted", key.key_type, key.fingerprint),
                    ));
                }
                ctx.trust.accept_host_key(&host, port, &key, decision)?;
            }
            ConnectError::UntrustedCertificate(certificate) => {
                let fingerprint = crate::trust::tls::display_fingerprint(&certificate.sha256_hex);
                let question = Question::UntrustedCertificate {
                    host: spec.host.clone(),
                    port: spec.port,
                    certificate: certificate.clone(),
                };
                let decision = trust_answer(ctx.ask(request, question).await);
                if decision == TrustDecision::Reject {
                    return Err(FerryError::new(
                        ErrorKind::CertificateUntrusted,
                        format!("the certificate of {url} (SHA-256 {fingerprint}) was not accepted"),
                    )
                    .with_detail(certificate.reason));
                }
                ctx.trust.accept_certificate(&spec.host, spec.port, &certificate.sha256_hex, decision)?;
            }
            ConnectError::NeedPassword => {
                // Held while asking: connections opened at once wait for the one answer.
                let mut passwords = ctx.typed_passwords.0.lock().await;
                let password = match passwords.get(&url) {
                    Some(known) => known.clone(),
                    None => {
                        let question = Question::Password { url: url.clone() };
                        let Some(password) = secret_answer(ctx.ask(request, question).await) else {
                            return Err(FerryError::new(
                                ErrorKind::AuthFailed,
                                format!("logging in to {url}: no password given"),
                            ));
                        };
                        passwords.insert(url.clone(), password.clone());
                        password
                    }
                };
                typed = true;
                spec.password = Some(password);
            }
            ConnectError::NeedHopPassword(index) => {
                let Route::Jump(hops) = &mut spec.route else {
                    return Err(FerryError::new(
                        ErrorKind::Protocol,
                        "a jump host asked for a password on a direct route",
                    ));
                };
                let Some(hop) = hops.get_mut(index) else {
                    return Err(FerryError::new(ErrorKind::Protocol, "an unknown jump host asked for a password"));
                };
                // Asked once per jump host and run, naming the hop, like the server's own.
                let hop_url = hop.display_url();
                let mut passwords = ctx.typed_passwords.0.lock().await;
                let password = match passwords.get(&hop_url) {
                    Some(known) => known.clone(),
                    None => {
                        let question = Question::Password { url: hop_url.clone() };
                        let Some(password) = secret_answer(ctx.ask(request, question).await) else {
                            return Err(FerryError::new(
                                ErrorKind::AuthFailed,
                                format!("logging in to the {}: no password given", hop.label()),
                            ));
                        };
                        passwords.insert(hop_url.clone(), password.clone());
                        password
                    }
                };
                typed_hops.push(hop_url);
                hop.password = Some(password);
            }
            ConnectError::NeedPassphrase => {
                let key_file = spec.identity.clone().unwrap_or_default();
                let question = Question::KeyPassphrase { key_file: key_file.clone() };
                let Some(passphrase) = secret_answer(ctx.ask(request, question).await) else {
                    return Err(FerryError::new(
                        ErrorKind::AuthFailed,
                        format!("the key {} needs its passphrase, and none was given", key_file.display()),
                    ));
                };
                spec.key_passphrase = Some(passphrase);
            }
        }
    }
}

fn trust_answer(answer: Option<Answer>) -> TrustDecision {
    match answer {
        Some(Answer::Trust(decision)) => decision,
        // No answer (the window closed) or an answer to another question: nothing is trusted.
        Some(Answer::Secret(_) | Answer::Exists { .. } | Answer::Conflict(_)) | None => TrustDecision::Reject,
    }
}

fn secret_answer(answer: Option<Answer>) -> Option<secrecy::SecretString> {
    match answer {
        Some(Answer::Secret(secret)) => secret,
        Some(Answer::Trust(_) | Answer::Exists { .. } | Answer::Conflict(_)) | None => None,
    }
}
