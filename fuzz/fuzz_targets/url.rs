//! Checks that `parse_url` never panics on arbitrary text and that a parsed URL's `display_url()` and `Debug` output never reveal the password (nor depend on it at all).
#![no_main]

use ferry::url::parse_url;
use libfuzzer_sys::fuzz_target;
use secrecy::{ExposeSecret, SecretString};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(url) = parse_url(&text) else {
        return;
    };
    let spec = &url.spec;
    let Some(password) = spec.password.as_ref().map(|p| p.expose_secret().to_owned()) else {
        return;
    };

    // Strong form: the Debug output is the same whatever the password is, so it cannot leak it.
    let mut other = spec.clone();
    other.password = Some(SecretString::from("x"));
    let debug = format!("{spec:?}");
    let other_debug = format!("{other:?}");
    assert_eq!(debug, other_debug, "ConnectSpec's Debug output depends on the password");
    assert_eq!(format!("{url:?}"), format!("{:?}", ferry::url::RemoteUrl { spec: other, path: url.path.clone() }));

    // Plain form, for passwords that cannot turn up by coincidence: at least 4 characters, and
    // not part of the user, host or path (which are shown on purpose), nor of the fixed text
    // around them (field names, "Passive", the port...), which is what `other_debug` holds.
    let path = spec.initial_path.as_deref().unwrap_or("");
    let coincidence = password.chars().count() < 4
        || spec.user.contains(&password)
        || spec.host.contains(&password)
        || path.contains(&password)
        || url.path.as_deref().unwrap_or("").contains(&password);
    // The password-free output includes `display_url()`, with its brackets and port: a password
    // such as "[::1]:21" may turn up there by coincidence too.
    if !coincidence && !other_debug.contains(&password) {
        assert!(!spec.display_url().contains(&password), "display_url() shows the password {password:?}");
        assert!(!debug.contains(&password), "Debug output shows the password {password:?}");
        assert!(!format!("{url:?}").contains(&password), "RemoteUrl's Debug output shows the password {password:?}");
    }
});
