//! Feeds arbitrary bytes to the bookmark importers (the first byte picks FileZilla, Cyberduck,
//! WinSCP, OpenSSH config or the small decoders) and checks that nothing panics and that every
//! imported site is usable: a host, a port above zero, a unique id, and no password in the bookmark.
#![no_main]

use std::collections::HashSet;
use std::path::Path;

use ferry::bookmarks::import::{ImportReport, cyberduck, filezilla, ssh, winscp};
use libfuzzer_sys::fuzz_target;
use secrecy::ExposeSecret;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let report = match selector % 5 {
        0 => filezilla::parse(&text),
        1 => cyberduck::parse_bytes(rest),
        2 => winscp::parse(&text),
        3 => {
            // `Include` would read files from this machine (globs included): not what is under test.
            if text.to_ascii_lowercase().contains("include") {
                return;
            }
            ssh::parse(&text, Path::new("/nonexistent-ferry-fuzz"))
        }
        _ => {
            decoders(&text);
            return;
        }
    };
    if let Ok(report) = report {
        check(&report);
    }
});

fn check(report: &ImportReport) {
    let mut ids = HashSet::new();
    for imported in &report.imported {
        let bookmark = &imported.bookmark;
        assert!(!bookmark.host.trim().is_empty(), "{bookmark:?} has no host");
        assert!(bookmark.port > 0, "{bookmark:?} has port 0");
        assert!(ids.insert(bookmark.id.clone()), "{:?} repeats", bookmark.id);
        if let Some(password) = &imported.password {
            let password = password.expose_secret();
            // A long random password cannot show up in the saved form by chance.
            if password.len() >= 12 {
                let saved = format!("{bookmark:?}");
                let elsewhere = [&bookmark.name, &bookmark.host, &bookmark.user, &bookmark.comment]
                    .iter()
                    .any(|field| field.contains(password))
                    || bookmark.folder.iter().any(|f| f.contains(password))
                    || bookmark.remote_dir.as_deref().is_some_and(|d| d.contains(password))
                    || format!("{:?}{:?}", bookmark.key_file, bookmark.local_dir).contains(password);
                assert!(elsewhere || !saved.contains(password), "the password is in {saved}");
            }
        }
    }
}

/// The small decoders: FileZilla's RemoteDir, WinSCP's escapes and password obfuscation.
fn decoders(text: &str) {
    if let Some((_, prefix, segments)) = filezilla::decode_remote_dir_parts(text) {
        if prefix.is_empty() && segments.iter().all(|s| s.chars().all(|c| c.len_utf16() == 1)) {
            // What decodes re-encodes to the same text (for the Unix type, which has no prefix).
            let encoded = filezilla::encode_remote_dir(&segments);
            assert_eq!(filezilla::decode_remote_dir_parts(&encoded).map(|p| p.2), Some(segments));
        }
    }
    let unescaped = winscp::unescape(text);
    assert_eq!(winscp::unescape(&winscp::escape(&unescaped)), unescaped);
    let (key, obfuscated) = text.split_once('\n').unwrap_or(("", text));
    let _ = winscp::decode_password(obfuscated, key);
    if let Some(encoded) = winscp::encode_password(obfuscated, key) {
        assert_eq!(winscp::decode_password(&encoded, key).as_deref(), Some(obfuscated));
    }
}
