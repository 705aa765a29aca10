//! Checks that `find_sha256_hex` never panics on arbitrary reply text and that any digest it returns is exactly 64 lowercase hex digits taken from the reply.
#![no_main]

use ferry::backend::find_sha256_hex;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reply = String::from_utf8_lossy(data);
    if let Some(hex) = find_sha256_hex(&reply) {
        assert_eq!(hex.len(), 64, "{hex:?}");
        assert!(hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')), "{hex:?}");
        assert!(reply.to_ascii_lowercase().contains(&hex), "{hex:?} is not in the reply");
    }
});
