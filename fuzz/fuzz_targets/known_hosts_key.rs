//! Checks that `HostKey::from_blob` never panics on arbitrary bytes and always yields an OpenSSH-style fingerprint ("SHA256:" and 43 unpadded base64 characters) and a base64 copy of the blob.
#![no_main]

use ferry::backend::ssh_known_hosts::HostKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let key = HostKey::from_blob(data);
    assert!(key.fingerprint.starts_with("SHA256:"), "fingerprint {:?}", key.fingerprint);
    let digest = &key.fingerprint["SHA256:".len()..];
    assert_eq!(digest.len(), 43, "fingerprint {:?}", key.fingerprint);
    assert!(
        digest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'),
        "fingerprint {:?}",
        key.fingerprint
    );
    assert_eq!(key.base64.len(), data.len().div_ceil(3) * 4);
});
