//! What this binary was built with: the versions of the libraries that guard its connections
//! (libssh2, rustls, ring, OpenSSL), for `ferry --version`, the log and bug reports. A scanner
//! needs more than libssh2's own `1.11.2_DEV`: the bundled tree is named by the ssh2-rs commit
//! that pins it (recorded by build.rs from the libssh2-sys crate).

use std::ffi::{CStr, c_char, c_int};

/// The libssh2-sys crate version that vendors libssh2.
pub const LIBSSH2_SYS_VERSION: &str = env!("FERRY_BUILD_LIBSSH2_SYS");
/// Where libssh2's source came from: `ssh2-rs commit <sha>` when bundled, `system` otherwise.
pub const LIBSSH2_SOURCE: &str = env!("FERRY_BUILD_LIBSSH2_SOURCE");
/// rustls (FTPS) and its crypto provider ring.
pub const RUSTLS_VERSION: &str = env!("FERRY_BUILD_RUSTLS");
pub const RING_VERSION: &str = env!("FERRY_BUILD_RING");
/// The openssl-sys crate that links the system's OpenSSL for libssh2's crypto.
pub const OPENSSL_SYS_VERSION: &str = env!("FERRY_BUILD_OPENSSL_SYS");

unsafe extern "C" {
    /// From OpenSSL's crypto.h: a static description of the linked libcrypto (type 0 = version).
    fn OpenSSL_version(kind: c_int) -> *const c_char;
}

/// The OpenSSL that libssh2 uses at run time, as libcrypto describes itself.
pub fn openssl_version_string() -> String {
    // SAFETY: OpenSSL_version(OPENSSL_VERSION) returns a pointer to a static NUL-terminated string
    // owned by libcrypto (never NULL in OpenSSL 1.1+, checked anyway).
    let pointer = unsafe { OpenSSL_version(0) };
    if pointer.is_null() {
        return "OpenSSL (unknown version)".to_string();
    }
    // SAFETY: non-null, static and NUL-terminated, as above.
    unsafe { CStr::from_ptr(pointer) }.to_string_lossy().into_owned()
}

/// The one-line version: Ferry's and the libssh2 it links (`ferry -V`, the log).
pub fn version_text() -> String {
    format!("{} (libssh2 {})", env!("CARGO_PKG_VERSION"), crate::backend::sftp::libssh2_version_string())
}

/// `ferry --version`: the one-line version, then one line per security-relevant library.
pub fn long_version_text() -> String {
    let libssh2_origin = if LIBSSH2_SOURCE == "system" {
        "the system's library".to_string()
    } else {
        format!("bundled by libssh2-sys {LIBSSH2_SYS_VERSION}, {LIBSSH2_SOURCE}")
    };
    format!(
        "{}\nlibssh2 {} ({libssh2_origin})\nrustls {RUSTLS_VERSION} with ring {RING_VERSION} (FTPS)\n{} \
         (libssh2's crypto, through openssl-sys {OPENSSL_SYS_VERSION})",
        version_text(),
        crate::backend::sftp::libssh2_version_string(),
        openssl_version_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_libssh2_is_named_by_a_full_commit() {
        let sha = LIBSSH2_SOURCE.strip_prefix("ssh2-rs commit ").expect("a vendored libssh2 in this build");
        assert_eq!(sha.len(), 40, "{sha}");
        assert!(sha.chars().all(|c| c.is_ascii_hexdigit()), "{sha}");
    }

    #[test]
    fn the_long_version_names_every_library() {
        let text = long_version_text();
        for part in ["libssh2 1.", "libssh2-sys 0.", "rustls 0.", "ring 0.", "OpenSSL"] {
            assert!(text.contains(part), "{part} missing from:\n{text}");
        }
    }
}
