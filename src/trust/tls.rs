//! TLS for FTPS: rustls with the system's roots plus an optional CA file, and certificates the
//! user accepted; a refused certificate is kept so the user can be asked about it.

use std::sync::{Arc, Mutex, OnceLock};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};
use tokio_rustls::rustls;
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use tokio_rustls::rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::{ErrorKind, FerryError, Result};

/// A certificate the verifier refused: what the user is asked about.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectedCertificate {
    /// SHA-256 of the DER certificate, lowercase hex without separators.
    pub sha256_hex: String,
    /// Why it was refused, in rustls's words ("invalid peer certificate: UnknownIssuer").
    pub reason: String,
}

/// SHA-256 fingerprint in the `AB:CD:...` form browsers and FileZilla show.
pub fn display_fingerprint(sha256_hex: &str) -> String {
    sha256_hex
        .as_bytes()
        .chunks(2)
        .map(|pair| String::from_utf8_lossy(pair).to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

/// Lowercase hex of a DER certificate's SHA-256.
pub fn certificate_sha256_hex(der: &[u8]) -> String {
    Sha256::digest(der).iter().map(|byte| format!("{byte:02x}")).collect()
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The system's trusted roots, loaded once: reading them is slow and they do not change while we run.
fn system_roots() -> &'static Vec<CertificateDer<'static>> {
    static ROOTS: OnceLock<Vec<CertificateDer<'static>>> = OnceLock::new();
    ROOTS.get_or_init(|| rustls_native_certs::load_native_certs().certs)
}

/// A TLS client configuration for one FTPS site, and the slot where a refused certificate lands.
pub struct SiteTls {
    /// The rustls configuration: one per connection, shared by its data connections, so their
    /// TLS sessions resume the control connection's (servers such as vsftpd require it).
    pub config: Arc<rustls::ClientConfig>,
    /// Set when the server's certificate was refused.
    pub rejected: Arc<Mutex<Option<RejectedCertificate>>>,
}

/// Builds the TLS configuration: system roots, plus `ca_file` if given, plus the certificates
/// (by SHA-256) the user accepted for this site.
pub fn site_tls(ca_file: Option<&std::path::Path>, accepted_sha256_hex: Vec<String>) -> Result<SiteTls> {
    let mut roots = RootCertStore::empty();
    roots.add_parsable_certificates(system_roots().iter().cloned());
    let mut pinned = Vec::new();
    if let Some(path) = ca_file {
        let certificates =
            CertificateDer::pem_file_iter(path).and_then(|iter| iter.collect::<Result<Vec<_>, _>>()).map_err(|e| {
                FerryError::new(ErrorKind::LocalIo, format!("reading the CA file {}", path.display()))
                    .with_detail(e.to_string())
            })?;
        // Each certificate of the file is also pinned: a self-signed server certificate that says
        // it is a CA (as `openssl req -x509` makes by default) is refused by the chain check as
        // "CA used as end entity", yet the user named it as trusted.
        pinned.extend(certificates.iter().map(|der| certificate_sha256_hex(der)));
        let (added, _ignored) = roots.add_parsable_certificates(certificates);
        if added == 0 && pinned.is_empty() {
            return Err(FerryError::new(
                ErrorKind::LocalIo,
                format!("the CA file {} holds no usable certificate", path.display()),
            ));
        }
    }
    let provider = provider();
    let webpki = if roots.is_empty() {
        None
    } else {
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| FerryError::new(ErrorKind::Protocol, "setting up TLS").with_detail(e.to_string()))?,
        )
    };
    let rejected = Arc::new(Mutex::new(None));
    let verifier = Arc::new(FerryVerifier {
        webpki,
        accepted: accepted_sha256_hex,
        pinned,
        rejected: rejected.clone(),
        algorithms: provider.signature_verification_algorithms,
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| FerryError::new(ErrorKind::Protocol, "setting up TLS").with_detail(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(SiteTls { config: Arc::new(config), rejected })
}

/// Accepts a certificate that chains to a trusted root, or whose SHA-256 the user accepted for
/// this site; records any other so the user can be asked.
#[derive(Debug)]
struct FerryVerifier {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    accepted: Vec<String>,
    /// SHA-256s of the certificates in the user's CA file: the server presenting one of them
    /// is trusted as long as it is valid for the host name.
    pinned: Vec<String>,
    rejected: Arc<Mutex<Option<RejectedCertificate>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for FerryVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let sha256_hex = certificate_sha256_hex(end_entity);
        if self.accepted.contains(&sha256_hex) {
            return Ok(ServerCertVerified::assertion());
        }
        let verdict = if self.pinned.contains(&sha256_hex) {
            // The very certificate the user named: its own signature and chain do not matter,
            // but it must still name the host (accepting it in the trust prompt skips that too).
            rustls::server::ParsedCertificate::try_from(end_entity)
                .and_then(|parsed| rustls::client::verify_server_name(&parsed, server_name))
                .map(|()| ServerCertVerified::assertion())
        } else {
            match &self.webpki {
                Some(webpki) => webpki.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now),
                None => Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)),
            }
        };
        if let Err(error) = &verdict {
            let mut slot = self.rejected.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            *slot = Some(RejectedCertificate { sha256_hex, reason: reason_in_words(error) });
        }
        verdict
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Why a certificate was refused: a name that does not match in plain words (the names it was
/// made for, and the one Ferry connected to), anything else in rustls's words.
fn reason_in_words(error: &rustls::Error) -> String {
    use rustls::CertificateError::{NotValidForName, NotValidForNameContext};
    match error {
        rustls::Error::InvalidCertificate(NotValidForNameContext { expected, presented }) => {
            // webpki presents each name as `DnsName("host")` or `IpAddress(..)`: keep the name.
            let names: Vec<&str> = presented
                .iter()
                .map(|name| name.split_once('(').map_or(name.as_str(), |(_, inner)| inner.trim_end_matches(')')))
                .map(|name| name.trim_matches('"'))
                .collect();
            let made_for = if names.is_empty() { "no host name".to_string() } else { names.join(", ") };
            format!("the certificate is made for {made_for}, not for {}: the name does not match", expected.to_str())
        }
        rustls::Error::InvalidCertificate(NotValidForName) => {
            "the certificate is made for another host name: the name does not match".to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_display_with_colons() {
        assert_eq!(display_fingerprint("ab01ff"), "AB:01:FF");
        assert_eq!(certificate_sha256_hex(b"").len(), 64);
    }

    #[test]
    fn a_name_mismatch_is_said_in_plain_words() {
        let error = rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("127.0.0.1").unwrap().to_owned(),
            presented: vec![r#"DnsName("other.invalid")"#.to_string(), "IpAddress(10.0.0.1)".to_string()],
        });
        assert_eq!(
            reason_in_words(&error),
            "the certificate is made for other.invalid, 10.0.0.1, not for 127.0.0.1: the name does not match"
        );
    }
}
