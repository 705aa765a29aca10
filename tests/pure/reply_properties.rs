//! Property tests for the FTP reply reading Ferry owns: the SHA-256 digest taken from a hash reply
//! (`find_sha256_hex`), how a refused login reply becomes an error a user can act on, and the
//! login folder read from a PWD reply. Splitting the byte stream into replies is suppaftp's; the
//! `ftp_replies` fuzz target covers that end to end. FEAT line parsing is private to the FTP
//! backend (`parse_features`) and is covered by its unit tests there.

use crate::scripted_ftp;

use std::time::Duration;

use ferry::backend::ftp::FtpBackend;
use ferry::backend::{Backend, ConnectError, ConnectSettings, find_sha256_hex};
use ferry::config::ConfigDir;
use ferry::error::{ErrorKind, FerryError};
use ferry::model::{ConnectSpec, Protocol};
use ferry::trust::TrustStore;
use proptest::prelude::*;
use scripted_ftp::{Reply, Script, ScriptedFtp};
use secrecy::SecretString;

fn is_hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}

/// Text with no hex digit in it, to put around a digest.
fn non_hex_text() -> impl Strategy<Value = String> {
    "[g-zG-Z :=()*_\\-/.,\\p{Greek}]{0,30}"
}

proptest! {
    #[test]
    fn a_digest_in_any_surroundings_is_found_in_lowercase(
        digest in proptest::array::uniform32(any::<u8>()),
        upper in any::<bool>(),
        before in non_hex_text(),
        after in non_hex_text(),
    ) {
        let hex = hex::encode(digest);
        let shown = if upper { hex.to_ascii_uppercase() } else { hex.clone() };
        let reply = format!("213 {before}{shown}{after}");
        // The "213" code is a hex run too, but of length 3: never taken for a digest.
        prop_assert_eq!(find_sha256_hex(&reply), Some(hex));
    }

    #[test]
    fn hex_runs_of_other_lengths_are_never_a_digest(
        length in (1usize..200).prop_filter("not 64", |n| *n != 64),
        seed in any::<u64>(),
        before in non_hex_text(),
    ) {
        let run: String = (0..length).map(|i| char::from(b"0123456789abcdef"[((seed >> (i % 60)) as usize + i) % 16])).collect();
        let reply = format!("213 {before}{run} end");
        prop_assert_eq!(find_sha256_hex(&reply), None);
    }

    #[test]
    fn any_result_is_64_lowercase_hex_standing_alone_in_the_reply(reply in "\\PC{0,200}|[0-9a-fA-F ]{60,140}") {
        if let Some(found) = find_sha256_hex(&reply) {
            prop_assert_eq!(found.len(), 64);
            prop_assert!(found.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
            let lower = reply.to_ascii_lowercase();
            let start = lower.find(&found).expect("the digest comes from the reply");
            // Standing alone: the characters either side are not hex digits.
            prop_assert!(!lower[..start].chars().next_back().is_some_and(is_hex));
            prop_assert!(!lower[start + 64..].chars().next().is_some_and(is_hex));
        }
    }
}

fn spec(port: u16) -> ConnectSpec {
    let mut spec = ConnectSpec::new(Protocol::Ftp, "127.0.0.1");
    spec.port = port;
    spec.user = "tester".to_string();
    spec.password = Some(SecretString::from("not-a-secret"));
    spec
}

/// Connects to the scripted server straight through the FTP backend, within a few seconds.
fn connect(server: &ScriptedFtp) -> Result<FtpBackend, FerryError> {
    let config = tempfile::tempdir().expect("config folder");
    let trust = TrustStore::new(ConfigDir::at(config.path()), None);
    let settings = ConnectSettings {
        timeout: Duration::from_secs(5),
        keep_alive_interval: Duration::from_secs(600),
        ..ConnectSettings::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let spec = spec(server.port());
    runtime.block_on(async {
        let connecting = FtpBackend::connect(&spec, &trust, &settings);
        match tokio::time::timeout(Duration::from_secs(10), connecting).await {
            Err(_) => panic!("the connect hung"),
            Ok(Ok(backend)) => Ok(backend),
            Ok(Err(ConnectError::Failed(error))) => Err(error),
            Ok(Err(_)) => panic!("a plain FTP connect asked a question"),
        }
    })
}

/// Reply text a hostile or odd server might send: printable, with some control characters.
fn reply_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(prop_oneof![8 => "[ -~]", 1 => "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"], 1..40)
        .prop_map(|parts| parts.concat())
        .prop_filter("some visible text", |t| t.chars().any(|c| c.is_ascii_graphic()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_refused_login_is_an_error_with_the_servers_words(
        code in prop_oneof![Just(530u16), Just(550), Just(553), Just(450), Just(421), Just(500), Just(502)],
        text in reply_text(),
        multi_line in any::<bool>(),
    ) {
        let reply = if multi_line { format!("{code}-Login refused\r\n{code} {text}") } else { format!("{code} {text}") };
        let server = ScriptedFtp::start(Script::new().reply("PASS", Reply::text(&reply)));
        let error = connect(&server).err().expect("the login must fail");
        let expected = match code {
            530 | 550 | 553 | 450 => ErrorKind::AuthFailed,
            421 => ErrorKind::ConnectionLost,
            _ => ErrorKind::Unsupported,
        };
        prop_assert_eq!(error.kind, expected, "{}", error);
        let shown = error.server_reply.clone().unwrap_or_default();
        prop_assert!(shown.starts_with(&code.to_string()), "{shown:?}");
        // The server's words are kept, with control characters made visible, never raw.
        prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
        let visible_word = text.split(|c: char| !c.is_ascii_alphanumeric()).find(|w| w.len() >= 3);
        if let Some(word) = visible_word {
            prop_assert!(shown.contains(word), "{shown:?} lost {word:?}");
        }
        prop_assert!(!error.to_string().chars().any(char::is_control));
    }

    #[test]
    fn the_login_folder_is_read_from_the_pwd_reply(
        segments in proptest::collection::vec("[a-zA-Z0-9 _.,+-]{1,12}", 0..5),
        features in proptest::collection::vec(prop_oneof![
            Just("EPSV"), Just("PASV"), Just("MLST type*;size*;modify*;"), Just("UTF8"), Just("HASH SHA-256*;SHA-1"),
            Just("XSHA256"), Just("MFMT"), Just("SIZE"), Just("REST STREAM"), Just("LANG EN*;FR"),
        ], 0..8),
    ) {
        let path = format!("/{}", segments.join("/"));
        let server = ScriptedFtp::start(
            Script::new().feat(&features).reply("PWD", Reply::text(format!("257 \"{path}\" is the current directory"))),
        );
        let backend = connect(&server).expect("login");
        prop_assert_eq!(backend.home(), path.as_str());
    }
}
