//! Logs in to one SSH server over a session whose stream is already attached: the handshake, the
//! host key checked against known_hosts before any credential leaves this machine, then the key,
//! the agent or the password. The server Ferry works on and every jump host go through here.

use std::path::Path;

use secrecy::ExposeSecret;
use ssh2::{ErrorCode, Session};

use super::sftp_error::{is_refusal, ssh_error};
use super::sftp_wire as wire;
use super::ssh_methods;
use super::{ConnectError, ConnectSettings};
use crate::error::{ErrorKind, FerryError};
use crate::model::ConnectSpec;
use crate::trust::TrustStore;
use crate::trust::known_hosts::{self, HostKey, Verdict};

/// Handshake, host key check and authentication on `session`, for `spec`'s host, port and login.
pub(super) fn login(
    session: &mut Session,
    spec: &ConnectSpec,
    trust: &TrustStore,
    settings: &ConnectSettings,
) -> Result<(), ConnectError> {
    let target = format!("{}:{}", spec.host, spec.port);
    session.set_timeout(u32::try_from(settings.timeout.as_millis()).unwrap_or(u32::MAX));
    let files = trust.known_hosts_files();
    ssh_methods::prefer_known_key_types(session, &files, &spec.host, spec.port);
    ssh_methods::prefer_fast_ciphers(session);
    session.handshake().map_err(|e| ssh_error(&e, &format!("SSH handshake with {target}")))?;
    wire::note(&format!("SSH handshake with {target} done"));
    wire::note(&ssh_methods::negotiated(session));

    // The host key is checked here, before a single credential leaves this machine.
    let (blob, _) =
        session.host_key().ok_or_else(|| FerryError::new(ErrorKind::Protocol, format!("{target} sent no host key")))?;
    let key = HostKey::from_blob(blob);
    let verdict = known_hosts::check(&files, &spec.host, spec.port, &key);
    tracing::debug!(target: "ferry::ssh", "{target}: host key {} {} is {verdict:?}", key.key_type, key.fingerprint);
    if let Some(refusal) = verdict.refusal(&spec.host, spec.port, &key) {
        return Err(refusal.into());
    }
    if verdict == Verdict::Unknown && !trust.host_key_accepted_this_run(&spec.host, spec.port, &key) {
        return Err(ConnectError::UnknownHostKey { host: spec.host.clone(), port: spec.port, key });
    }
    wire::note(&format!("host key {} {} of {target} accepted", key.key_type, key.fingerprint));

    authenticate(session, spec)?;
    wire::note(&format!("logged in as {} on {target}", spec.user));
    Ok(())
}

/// Tries, in order: the key file given, the SSH agent, then password and keyboard-interactive.
fn authenticate(session: &Session, spec: &ConnectSpec) -> Result<(), ConnectError> {
    let user = spec.user.as_str();
    let context = format!("logging in as {user}");
    // The first login request ("none") asks which methods the server takes. A connection that
    // fails here has refused nothing: going on with no methods would report a wrong password.
    let offered = match session.auth_methods(user) {
        Ok(methods) => methods.to_string(),
        Err(error) => return Err(ssh_error(&error, &context).into()),
    };
    tracing::debug!(target: "ferry::ssh", "server offers authentication methods: {}", crate::model::escape_control(&offered));
    if session.authenticated() {
        return Ok(());
    }
    if let Some(identity) = &spec.identity {
        let passphrase = spec.key_passphrase.as_ref().map(|p| p.expose_secret().to_string());
        match session.userauth_pubkey_file(user, None, identity, passphrase.as_deref()) {
            Ok(()) => return Ok(()),
            Err(error) if is_key_file_error(&error) => {
                if passphrase.is_none() && key_file_is_encrypted(identity) {
                    return Err(ConnectError::NeedPassphrase);
                }
                return Err(FerryError::new(
                    ErrorKind::AuthFailed,
                    format!("reading the key {}: wrong passphrase, or not a private key", identity.display()),
                )
                .with_detail(error.message())
                .into());
            }
            Err(error) if !is_refusal(&error) => return Err(ssh_error(&error, &context).into()),
            Err(error) => tracing::debug!(target: "ferry::ssh", "key {} refused: {error}", identity.display()),
        }
    } else if std::env::var_os("SSH_AUTH_SOCK").is_some() && offered.contains("publickey") {
        match session.userauth_agent(user) {
            Ok(()) => return Ok(()),
            Err(error) if !is_refusal(&error) => return Err(ssh_error(&error, &context).into()),
            Err(error) => tracing::debug!(target: "ferry::ssh", "ssh-agent keys refused: {error}"),
        }
    }
    let Some(password) = spec.password.as_ref().map(|p| p.expose_secret().to_string()) else {
        if offered.contains("password") || offered.contains("keyboard-interactive") {
            return Err(ConnectError::NeedPassword);
        }
        return Err(FerryError::new(ErrorKind::AuthFailed, format!("logging in as {user}: no key was accepted"))
            .with_reply(offered)
            .into());
    };
    if offered.contains("password") {
        match session.userauth_password(user, &password) {
            Ok(()) => return Ok(()),
            // A connection lost (or silent) during the login is not a wrong password.
            Err(error) if !is_refusal(&error) => return Err(ssh_error(&error, &context).into()),
            Err(_) => {}
        }
    }
    if offered.contains("keyboard-interactive") {
        let mut answers = PasswordPrompter { password: &password };
        match session.userauth_keyboard_interactive(user, &mut answers) {
            Ok(()) => return Ok(()),
            Err(error) if !is_refusal(&error) => return Err(ssh_error(&error, &context).into()),
            Err(_) => {}
        }
    }
    Err(FerryError::new(ErrorKind::AuthFailed, format!("logging in as {user}: the server refused the password")).into())
}

/// Answers every keyboard-interactive prompt that hides its echo with the password.
struct PasswordPrompter<'a> {
    password: &'a str,
}

impl ssh2::KeyboardInteractivePrompt for PasswordPrompter<'_> {
    fn prompt<'b>(&mut self, _username: &str, _instructions: &str, prompts: &[ssh2::Prompt<'b>]) -> Vec<String> {
        prompts.iter().map(|p| if p.echo { String::new() } else { self.password.to_string() }).collect()
    }
}

fn is_key_file_error(error: &ssh2::Error) -> bool {
    // LIBSSH2_ERROR_FILE (-16): the key file could not be read or decrypted.
    matches!(error.code(), ErrorCode::Session(-16))
}

/// Whether a private key file is protected by a passphrase (OpenSSH or PEM format).
fn key_file_is_encrypted(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else { return false };
    if text.contains("ENCRYPTED") {
        return true;
    }
    // New OpenSSH format: the cipher name follows "openssh-key-v1\0" in the base64 body.
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map(|bytes| bytes.windows(4).take(64).all(|w| w != b"none"))
        .unwrap_or(false)
}
