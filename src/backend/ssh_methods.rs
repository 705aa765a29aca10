//! Which algorithms an SSH session asks for first (host key types, ciphers, MACs), and how the
//! log names the cipher and MAC a session got.
//!
//! libssh2 offers its algorithms in its own order and takes the first of them the server also
//! offers. Its first cipher is chacha20-poly1305, which it runs in portable C; AES-GCM goes
//! through OpenSSL, which uses the CPU's AES instructions. So Ferry asks for AES-GCM first.
//! chacha20 stays ahead of AES-CTR: a server without AES-GCM (Dropbear) may run AES in slower
//! code of its own, and with Dropbear an upload over AES-CTR and HMAC-SHA-256 took longer than
//! over chacha20 (benches/README.md). Every preference list is built from what this libssh2
//! build supports and keeps all of it behind the preferred ones, so a server that offers only
//! chacha20 (or only something older) is reached exactly as before.

use ssh2::{MethodType, Session};

use crate::trust::known_hosts;

/// Ciphers asked for first, fastest first: AES-GCM encrypts and authenticates in one pass with
/// no separate MAC; so does chacha20-poly1305; AES-CTR needs a MAC as well.
const FAST_CIPHERS: &[&str] = &[
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
    "chacha20-poly1305@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
];

/// MACs asked for first, used only with a cipher that has none of its own (AES-CTR):
/// encrypt-then-MAC, and SHA-2, which the CPU computes in hardware where it can.
const FAST_MACS: &[&str] =
    &["hmac-sha2-256-etm@openssh.com", "hmac-sha2-256", "hmac-sha2-512-etm@openssh.com", "hmac-sha2-512"];

/// `preferred` in its own order, as far as `supported` has them, then the rest of `supported`
/// in the library's order: nothing the library lacks is asked for and nothing it has is dropped.
pub(super) fn preference_list(preferred: &[&str], supported: &[&str]) -> String {
    let first = preferred.iter().copied().filter(|alg| supported.contains(alg));
    let rest = supported.iter().copied().filter(|alg| !preferred.contains(alg));
    first.chain(rest).collect::<Vec<_>>().join(",")
}

/// Asks for the fast ciphers and MACs first, both directions. A library that cannot say what it
/// supports, or refuses the list, keeps its own order: slower, never broken.
pub(super) fn prefer_fast_ciphers(session: &Session) {
    let kinds = [
        (MethodType::CryptCs, "cipher to the server", FAST_CIPHERS),
        (MethodType::CryptSc, "cipher from the server", FAST_CIPHERS),
        (MethodType::MacCs, "MAC to the server", FAST_MACS),
        (MethodType::MacSc, "MAC from the server", FAST_MACS),
    ];
    for (kind, what, preferred) in kinds {
        let Ok(supported) = session.supported_algs(kind) else { continue };
        let list = preference_list(preferred, &supported);
        if let Err(error) = session.method_pref(kind, &list) {
            tracing::debug!(target: "ferry::ssh", "could not set the {what} preference: {error}");
        }
    }
}

/// Asks for host key types we already know for this host first, so a server with several keys
/// shows the one we can check rather than one we have never seen (OpenSSH does the same).
pub(super) fn prefer_known_key_types(session: &Session, files: &[std::path::PathBuf], host: &str, port: u16) {
    let known = known_hosts::known_key_types(files, host, port);
    if known.is_empty() {
        return;
    }
    let Ok(supported) = session.supported_algs(MethodType::HostKey) else { return };
    let algorithms_for = |key_type: &str| -> Vec<&'static str> {
        match key_type {
            "ssh-rsa" => vec!["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            other => supported.iter().copied().filter(|alg| *alg == other).collect(),
        }
    };
    let preferred: Vec<&str> = known.iter().flat_map(|t| algorithms_for(t)).collect();
    if let Err(error) = session.method_pref(MethodType::HostKey, &preference_list(&preferred, &supported)) {
        tracing::debug!(target: "ferry::ssh", "could not set host key preference: {error}");
    }
}

/// The cipher and MAC a session negotiated, for the log: "cipher aes128-gcm@openssh.com (MAC
/// built in)", or with the MAC named, and each direction named when they differ.
pub(super) fn negotiated(session: &Session) -> String {
    let method = |kind| session.methods(kind).unwrap_or("unknown").to_string();
    describe(
        (method(MethodType::CryptCs), method(MethodType::MacCs)),
        (method(MethodType::CryptSc), method(MethodType::MacSc)),
    )
}

/// Words for one direction's (cipher, MAC), or for both when they are the same.
fn describe(to_server: (String, String), from_server: (String, String)) -> String {
    let one = |(cipher, mac): &(String, String)| {
        // libssh2 names an AEAD cipher's own authentication with a made-up MAC name.
        if mac.starts_with("INTEGRATED") || cipher.contains("-gcm@") || cipher.starts_with("chacha20-poly1305") {
            format!("cipher {cipher} (MAC built in)")
        } else {
            format!("cipher {cipher}, MAC {mac}")
        }
    };
    if to_server == from_server {
        format!("encryption: {}", one(&to_server))
    } else {
        format!("encryption: to the server {}; from the server {}", one(&to_server), one(&from_server))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_ciphers_come_first_and_nothing_supported_is_dropped() {
        let supported = [
            "chacha20-poly1305@openssh.com",
            "aes256-gcm@openssh.com",
            "aes128-gcm@openssh.com",
            "aes256-ctr",
            "aes128-ctr",
            "3des-cbc",
        ];
        assert_eq!(
            preference_list(FAST_CIPHERS, &supported),
            "aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes256-ctr,3des-cbc"
        );
    }

    #[test]
    fn nothing_the_library_lacks_is_asked_for() {
        // A libssh2 built without AES-GCM (an older OpenSSL, another crypto backend).
        let supported = ["aes256-ctr", "aes128-ctr", "aes256-cbc"];
        let list = preference_list(FAST_CIPHERS, &supported);
        assert_eq!(list, "aes128-ctr,aes256-ctr,aes256-cbc");
        assert!(!list.contains("gcm") && !list.contains("aes192"));
    }

    #[test]
    fn macs_prefer_encrypt_then_mac_sha2() {
        let supported = ["hmac-sha2-256", "hmac-sha2-256-etm@openssh.com", "hmac-sha1", "hmac-sha1-etm@openssh.com"];
        assert_eq!(
            preference_list(FAST_MACS, &supported),
            "hmac-sha2-256-etm@openssh.com,hmac-sha2-256,hmac-sha1,hmac-sha1-etm@openssh.com"
        );
    }

    #[test]
    fn the_log_line_names_the_cipher_and_the_mac_only_where_there_is_one() {
        let gcm = ("aes128-gcm@openssh.com".to_string(), "INTEGRATED-AES-GCM".to_string());
        assert_eq!(describe(gcm.clone(), gcm), "encryption: cipher aes128-gcm@openssh.com (MAC built in)");
        let ctr = ("aes128-ctr".to_string(), "hmac-sha2-256".to_string());
        let chacha = ("chacha20-poly1305@openssh.com".to_string(), "hmac-sha2-256".to_string());
        assert_eq!(
            describe(ctr, chacha),
            "encryption: to the server cipher aes128-ctr, MAC hmac-sha2-256; \
             from the server cipher chacha20-poly1305@openssh.com (MAC built in)"
        );
    }
}
