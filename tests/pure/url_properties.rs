//! Property tests for URL parsing: any input is answered without a panic, well-formed URLs round
//! trip through percent-encoding, and a password never shows in an error or a debug print.

use ferry::url::parse_url;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;
use secrecy::ExposeSecret;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_is_answered_without_panicking(text in ".{0,200}") {
        let _ = parse_url(&text);
    }

    #[test]
    fn any_text_after_a_scheme_is_answered_without_panicking(scheme in "(sftp|ftp|ftps|ftpes)", rest in ".{0,200}") {
        let _ = parse_url(&format!("{scheme}://{rest}"));
    }

    #[test]
    fn components_round_trip(
        scheme in "(sftp|ftp|ftps|ftpes)",
        user in "[^\u{0}]{1,20}",
        password in "[^\u{0}]{1,20}",
        host in "[a-z][a-z0-9-]{0,20}(\\.[a-z]{2,5})?",
        port in 1u16..,
        // "." and ".." are resolved away by URL syntax itself (RFC 3986), even when percent-encoded.
        segments in prop::collection::vec("[^/\u{0}]{1,12}".prop_filter("dot segment", |s| s != "." && s != ".."), 1..4),
    ) {
        let encode = |part: &str| utf8_percent_encode(part, NON_ALPHANUMERIC).to_string();
        let path: String = segments.iter().map(|s| format!("/{}", encode(s))).collect();
        let text = format!("{scheme}://{}:{}@{host}:{port}{path}", encode(&user), encode(&password));
        let parsed = parse_url(&text).expect("a well-formed URL parses");
        prop_assert_eq!(&parsed.spec.user, &user);
        prop_assert_eq!(parsed.spec.password.as_ref().map(|p| p.expose_secret().to_string()), Some(password.clone()));
        prop_assert_eq!(&parsed.spec.host, &host);
        prop_assert_eq!(parsed.spec.port, port);
        let joined = segments.join("/");
        let expected = if scheme == "sftp" { format!("/{joined}") } else { joined.clone() };
        // `/~/` and `//` prefixes have their own meaning; generated segments never start with `~` alone.
        if !segments[0].starts_with('~') {
            prop_assert_eq!(parsed.path.as_deref(), Some(expected.as_str()));
        }
        if password.chars().count() >= 4 && !user.contains(&password) && !host.contains(&password) && !joined.contains(&password) {
            let shown = format!("{:?}", parsed.spec);
            prop_assert!(!shown.contains(&password));
            prop_assert!(!parsed.spec.display_url().contains(&password));
        }
    }

    #[test]
    fn errors_never_repeat_the_password(password in "[a-zA-Z0-9]{6,20}", junk in "[^a-zA-Z0-9]{0,10}") {
        let text = format!("sftp://user:{password}@{junk}:99999999/");
        if let Err(error) = parse_url(&text) {
            prop_assert!(!error.to_string().contains(&password));
        }
    }
}
