//! Property tests for the bookmark importers: they never panic on arbitrary or damaged input, and
//! what a generated file says (names, folders, hosts, ports, users, passwords, remote folders)
//! is exactly what comes out.

use base64::Engine;
use ferry::bookmarks::import::{ImportReport, cyberduck, filezilla, ssh, winscp};
use ferry::model::Protocol;
use proptest::prelude::*;
use secrecy::ExposeSecret;

const FILEZILLA_FIXTURE: &str = include_str!("../data/import/filezilla/sitemanager.xml");
const WINSCP_FIXTURE: &str = include_str!("../data/import/winscp/WinSCP.ini");
const DUCK_FIXTURE: &str = include_str!("../data/import/cyberduck/Deploy key.duck");
const SSH_FIXTURE: &str = include_str!("../data/import/ssh/config");

/// A name as users type them: any printable text, no surrounding spaces.
fn name() -> impl Strategy<Value = String> {
    "[^\\p{C}]{1,24}".prop_map(|s| s.trim().to_string()).prop_filter("not blank", |s| !s.is_empty())
}

fn host() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\\.[a-z]{2,6}){0,2}"
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Applies a few random edits (delete, insert, duplicate a range) to a valid file.
fn mutate(text: &str, edits: &[(usize, usize, u8)]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, len, kind) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        let end = (at + len % 64).min(bytes.len());
        match kind % 4 {
            0 => {
                bytes.drain(at..end);
            }
            1 => {
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            2 => bytes.insert(at, kind),
            _ => {
                bytes.truncate(at);
            }
        }
    }
    bytes
}

fn edits() -> impl Strategy<Value = Vec<(usize, usize, u8)>> {
    proptest::collection::vec((any::<usize>(), any::<usize>(), any::<u8>()), 1..6)
}

/// What every successful import must hold, whatever the input.
fn assert_sane(report: &ImportReport) {
    for imported in &report.imported {
        assert!(!imported.bookmark.host.trim().is_empty());
        assert!(imported.bookmark.port > 0);
        assert_ne!(imported.bookmark.protocol, Protocol::Local);
    }
    let mut ids: Vec<_> = report.imported.iter().map(|i| &i.bookmark.id).collect();
    let count = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), count, "repeated ids");
}

proptest! {
    #[test]
    fn importers_never_panic_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(report) = filezilla::parse(&text) { assert_sane(&report); }
        if let Ok(report) = cyberduck::parse_bytes(&bytes) { assert_sane(&report); }
        if let Ok(report) = winscp::parse(&text) { assert_sane(&report); }
        let _ = filezilla::decode_remote_dir(&text);
        let _ = winscp::decode_password(&text, "key");
    }

    #[test]
    fn importers_never_panic_on_damaged_files(edits in edits()) {
        if let Ok(report) = filezilla::parse(&String::from_utf8_lossy(&mutate(FILEZILLA_FIXTURE, &edits))) {
            assert_sane(&report);
        }
        if let Ok(report) = cyberduck::parse_bytes(&mutate(DUCK_FIXTURE, &edits)) {
            assert_sane(&report);
        }
        if let Ok(report) = winscp::parse(&String::from_utf8_lossy(&mutate(WINSCP_FIXTURE, &edits))) {
            assert_sane(&report);
        }
        let damaged = String::from_utf8_lossy(&mutate(SSH_FIXTURE, &edits)).replace("Include", "#");
        if let Ok(report) = ssh::parse(&damaged, std::path::Path::new("/nonexistent")) {
            assert_sane(&report);
        }
    }

    #[test]
    fn filezilla_sites_import_to_exactly_what_the_file_says(
        sites in proptest::collection::vec(
            (proptest::collection::vec(name(), 0..3), name(), host(), 1u16.., "[^\\p{C}]{0,16}", "[^\\p{C}]{1,24}", any::<bool>()),
            1..8,
        ),
    ) {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<FileZilla3 version=\"3.66.5\">\n<Servers>\n");
        for (folder, name, host, port, user, password, sftp) in &sites {
            for part in folder {
                xml.push_str(&format!("<Folder expanded=\"1\">{}\n", xml_escape(part)));
            }
            let pass = base64::engine::general_purpose::STANDARD.encode(password.as_bytes());
            xml.push_str(&format!(
                "<Server><Host>{}</Host><Port>{port}</Port><Protocol>{}</Protocol><Type>0</Type><User>{}</User>\
                 <Pass encoding=\"base64\">{pass}</Pass><Logontype>1</Logontype><Name>{}</Name></Server>\n",
                xml_escape(host), if *sftp { 1 } else { 4 }, xml_escape(user), xml_escape(name),
            ));
            xml.push_str(&"</Folder>\n".repeat(folder.len()));
        }
        xml.push_str("</Servers>\n</FileZilla3>\n");

        let report = filezilla::parse(&xml).expect("a generated file imports");
        prop_assert!(report.skipped.is_empty());
        prop_assert_eq!(report.imported.len(), sites.len());
        assert_sane(&report);
        // Sites in different folders may come out in another order: match each by its content.
        for (folder, name, host, port, user, password, sftp) in &sites {
            let found = report.imported.iter().any(|i| {
                let b = &i.bookmark;
                &b.folder == folder && &b.name == name && &b.host == host && b.port == *port && &b.user == user
                    && b.protocol == if *sftp { Protocol::Sftp } else { Protocol::Ftpes }
                    && i.password.as_ref().map(|p| p.expose_secret()) == Some(password.as_str())
            });
            prop_assert!(found, "{:?} / {} not imported as written: {:?}", folder, name, report.imported);
        }
    }

    #[test]
    fn remote_dir_encoding_round_trips(segments in proptest::collection::vec("[^\\p{C}/]{1,12}", 0..6)) {
        let encoded = filezilla::encode_remote_dir(&segments);
        prop_assert_eq!(filezilla::decode_remote_dir(&encoded), Some(format!("/{}", segments.join("/"))));
    }

    #[test]
    fn winscp_passwords_decode_back(
        password in "\\PC{0,40}",
        user in "[a-z0-9._-]{0,16}",
        host in host(),
        padding in proptest::collection::vec(any::<u8>(), 0..20),
    ) {
        // Obfuscated as WinSCP does it, with random padding bytes after the header.
        let text = format!("{user}{host}{password}");
        prop_assume!(text.len() < 256);
        let mut plain = vec![0xFF, 0x00, text.len() as u8, padding.len() as u8];
        plain.extend_from_slice(&padding);
        plain.extend_from_slice(text.as_bytes());
        let stored: String = plain.iter().map(|b| format!("{:02X}", !b ^ 0xA3)).collect();
        prop_assert_eq!(winscp::decode_password(&stored, &format!("{user}{host}")), Some(password.clone()));
        // And through a whole WinSCP.ini.
        let ini = format!(
            "[Sessions\\{}]\r\nHostName={host}\r\nUserName={user}\r\nPassword={stored}\r\n",
            winscp::escape("Folder/Site"),
        );
        let report = winscp::parse(&ini).expect("imports");
        let imported = &report.imported[0];
        prop_assert_eq!(&imported.bookmark.folder, &vec!["Folder".to_string()]);
        let decoded = imported.password.as_ref().map(|p| p.expose_secret().to_string());
        prop_assert_eq!(decoded, if password.is_empty() { None } else { Some(password) });
    }

    #[test]
    fn winscp_sessions_import_to_exactly_what_the_file_says(
        folder in proptest::collection::vec(name().prop_filter("no slash", |n| !n.contains('/')), 0..3),
        site in name().prop_filter("no slash", |n| !n.contains('/') && n != "Default Settings"),
        host in host(),
        port in proptest::option::of(1u16..),
        user in "[^\\p{C}@]{0,16}",
        remote in proptest::option::of("/[^\\p{C}]{0,20}"),
    ) {
        let mut path = folder.clone();
        path.push(site.clone());
        let mut ini = format!("[Sessions\\{}]\r\nHostName={host}\r\nUserName={}\r\n", winscp::escape(&path.join("/")), winscp::escape(&user));
        if let Some(port) = port {
            ini.push_str(&format!("PortNumber={port}\r\n"));
        }
        if let Some(remote) = &remote {
            ini.push_str(&format!("RemoteDirectory={}\r\n", winscp::escape(remote)));
        }
        let report = winscp::parse(&ini).expect("imports");
        prop_assert_eq!(report.imported.len(), 1, "{:?}", report.skipped);
        let bookmark = &report.imported[0].bookmark;
        prop_assert_eq!(&bookmark.folder, &folder);
        prop_assert_eq!(&bookmark.name, &site);
        prop_assert_eq!(&bookmark.host, &host);
        prop_assert_eq!(bookmark.port, port.unwrap_or(22));
        prop_assert_eq!(&bookmark.user, &user);
        let expected_remote = remote.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        prop_assert_eq!(&bookmark.remote_dir, &expected_remote);
    }

    #[test]
    fn winscp_escaping_round_trips(text in "\\PC{0,40}") {
        prop_assert_eq!(winscp::unescape(&winscp::escape(&text)), text);
    }

    #[test]
    fn cyberduck_bookmarks_import_to_exactly_what_the_file_says(
        nickname in name(),
        host in host(),
        port in 1u16..,
        user in "\\PC{0,16}",
        path in "(/[^\\p{C}/]{1,10}){1,3}",
        binary in any::<bool>(),
    ) {
        let mut dict = plist::Dictionary::new();
        for (key, value) in [
            ("Protocol", "sftp".to_string()), ("Nickname", nickname.clone()), ("Hostname", host.clone()),
            ("Port", port.to_string()), ("Username", user.clone()), ("Path", path.clone()),
        ] {
            dict.insert(key.to_string(), plist::Value::String(value));
        }
        let mut bytes = Vec::new();
        let value = plist::Value::Dictionary(dict);
        if binary { value.to_writer_binary(&mut bytes).unwrap() } else { value.to_writer_xml(&mut bytes).unwrap() }
        let report = cyberduck::parse_bytes(&bytes).expect("imports");
        let bookmark = &report.imported[0].bookmark;
        prop_assert_eq!((&bookmark.name, &bookmark.host, bookmark.port), (&nickname, &host, port));
        prop_assert_eq!(&bookmark.user, &user);
        prop_assert_eq!(bookmark.remote_dir.as_deref(), Some(path.trim()));
    }
}
