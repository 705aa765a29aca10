//! The TLS certificates of the FTPS servers, made once per test process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::files::{create_dir, process_dir, run, set_mode};

/// The self-signed server certificate vsftpd uses, made once per process:
/// CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1, RSA 2048.
///
/// It is marked as an end-entity (server) certificate, CA:FALSE: rustls
/// (webpki) refuses a server certificate that says CA:TRUE, which `openssl
/// req -x509` writes by default, with "CaUsedAsEndEntity". Marked this way, a
/// client can also trust it by adding `cert_pem` to its root store.
#[derive(Debug)]
pub struct TestCertificate {
    /// The certificate, PEM.
    pub cert_pem: PathBuf,
    /// Its private key, PEM, unencrypted.
    pub key_pem: PathBuf,
    /// SHA-256 of the DER certificate: lowercase hex, no colons (what a
    /// client pins or shows as the fingerprint).
    pub sha256_hex: String,
}

/// The certificate of this test process (made on first use).
pub fn test_certificate() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        make_certificate(
            "tls",
            &[
                "basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment",
                "extendedKeyUsage=serverAuth",
            ],
        )
    })
}

/// A self-signed certificate that is its own CA (basicConstraints CA:TRUE,
/// what `openssl req -x509` writes by default and many small servers run):
/// CN=localhost, subjectAltName DNS:localhost and IP:127.0.0.1. rustls's
/// chain check refuses it as a server certificate ("CaUsedAsEndEntity").
pub fn self_signed_ca_certificate() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        let certificate = make_certificate("tls-ca", &[]);
        set_mode(&certificate.key_pem, 0o600);
        certificate
    })
}

/// A server certificate like [`test_certificate`] but made only for CN=other.invalid
/// (DNS:other.invalid): pinned or not, it is not valid for 127.0.0.1 or localhost.
pub fn other_name_certificate() -> &'static TestCertificate {
    static CERT: OnceLock<TestCertificate> = OnceLock::new();
    CERT.get_or_init(|| {
        make_certificate_for(
            "tls-other-name",
            "other.invalid",
            "DNS:other.invalid",
            &[
                "basicConstraints=critical,CA:FALSE",
                "keyUsage=critical,digitalSignature,keyEncipherment",
                "extendedKeyUsage=serverAuth",
            ],
        )
    })
}

/// A self-signed certificate for CN=localhost (DNS:localhost, IP:127.0.0.1) in the process
/// folder `folder`, with the `extensions` given beyond openssl's defaults.
fn make_certificate(folder: &str, extensions: &[&str]) -> TestCertificate {
    make_certificate_for(folder, "localhost", "DNS:localhost,IP:127.0.0.1", extensions)
}

/// A self-signed certificate for CN=`name` with the subjectAltName `alt_names`, in the process
/// folder `folder`, with the `extensions` given beyond openssl's defaults.
fn make_certificate_for(folder: &str, name: &str, alt_names: &str, extensions: &[&str]) -> TestCertificate {
    let dir = process_dir().join(folder);
    create_dir(&dir, 0o755);
    let cert_pem = dir.join("cert.pem");
    let key_pem = dir.join("key.pem");
    let mut command = Command::new("openssl");
    command
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(&key_pem)
        .arg("-out")
        .arg(&cert_pem)
        .args(["-days", "3650", "-subj", &format!("/CN={name}")])
        .args(["-addext", &format!("subjectAltName={alt_names}")]);
    for extension in extensions {
        command.args(["-addext", extension]);
    }
    run(&mut command);
    set_mode(&cert_pem, 0o644);
    let sha256_hex = certificate_sha256(&cert_pem);
    TestCertificate { cert_pem, key_pem, sha256_hex }
}

/// "sha256 Fingerprint=AB:CD:..." (OpenSSL 3; "SHA256 Fingerprint=" in 1.1)
/// turned into "abcd...".
fn certificate_sha256(cert_pem: &Path) -> String {
    let output = run(Command::new("openssl").args(["x509", "-noout", "-fingerprint", "-sha256", "-in"]).arg(cert_pem));
    let (_, colon_hex) =
        output.trim().split_once('=').unwrap_or_else(|| panic!("unexpected openssl fingerprint output: {output:?}"));
    let hex: String = colon_hex.chars().filter(|c| *c != ':').collect::<String>().to_ascii_lowercase();
    assert_eq!(hex.len(), 64, "a SHA-256 fingerprint has 64 hex digits: {output:?}");
    hex
}
