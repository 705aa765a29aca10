//! Reads WinSCP's `WinSCP.ini`: `[Sessions\...]` sections with `%XX`-escaped names, folders
//! written as `/` in the name, defaults left out, and obfuscated passwords.

use secrecy::SecretString;

use super::{
    IdMaker, ImportReport, ImportSource, ImportedBookmark, display_name, port, usable_key_file, usable_local_path,
};
use crate::bookmarks::{Bookmark, LoginMethod};
use crate::error::Result;
use crate::model::{FtpMode, Protocol};

/// The session WinSCP keeps as the template for new sites: not a site.
const DEFAULT_SETTINGS: &str = "Default Settings";

/// One `[section]` of the file: its (unescaped) name and its `key=value` lines, in order.
#[derive(Debug, Default)]
struct Section {
    name: String,
    values: Vec<(String, String)>,
}

impl Section {
    fn get(&self, key: &str) -> Option<&str> {
        // The last occurrence wins, as in Windows' own INI reader.
        self.values.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }
}

/// Imports the sessions of a `WinSCP.ini`. Never fails: a line that is not INI is ignored, as
/// WinSCP itself does.
pub fn parse(ini: &str) -> Result<ImportReport> {
    let sections = read_sections(ini);
    let master_password = sections
        .iter()
        .filter(|s| s.name.eq_ignore_ascii_case("Configuration\\Security"))
        .any(|s| s.get("UseMasterPassword").is_some_and(|v| v.trim() == "1"));
    let mut report = ImportReport::new(ImportSource::WinScp);
    let mut ids = IdMaker::default();
    for section in &sections {
        let Some(session) = strip_prefix_ignore_case(&section.name, "Sessions\\") else { continue };
        import_session(session, section, master_password, &mut ids, &mut report);
    }
    Ok(report)
}

fn import_session(path: &str, section: &Section, master_password: bool, ids: &mut IdMaker, report: &mut ImportReport) {
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    let own_name = parts.pop().unwrap_or_default();
    let folder: Vec<String> = parts.into_iter().filter(|p| !p.is_empty()).collect();
    let value = |key: &str| section.get(key).map(unescape).unwrap_or_default();

    let stored_host = value("HostName");
    let stored_user = value("UserName");
    // `user@host` in HostName is how WinSCP keeps a user typed into the host field.
    let (user, host) = match stored_host.rsplit_once('@') {
        Some((user, host)) if stored_user.is_empty() => (user.to_string(), host.trim().to_string()),
        _ => (stored_user.clone(), stored_host.trim().to_string()),
    };
    let name = display_name(&own_name, &host);
    if path == DEFAULT_SETTINGS {
        report.skip(name, "WinSCP's template for new sites, not a site");
        return;
    }

    let protocol = match value("FSProtocol").trim() {
        "0" => {
            report.note(
                &name,
                "WinSCP used SCP; imported as SFTP, which the same SSH servers almost always offer \
                 (Ferry does not speak SCP)",
            );
            Protocol::Sftp
        }
        "" | "1" | "2" => Protocol::Sftp,
        "5" => match value("Ftps").trim() {
            "" | "0" => Protocol::Ftp,
            "1" => Protocol::Ftps,
            "2" | "3" => Protocol::Ftpes,
            other => {
                report.skip(name, format!("its FTPS setting {other:?} is unknown"));
                return;
            }
        },
        "6" => return report.skip(name, "WebDAV is not a protocol Ferry speaks"),
        "7" => return report.skip(name, "S3 is not a protocol Ferry speaks"),
        other => return report.skip(name, format!("WinSCP protocol number {other:?} is not one Ferry speaks")),
    };
    if host.is_empty() {
        report.skip(name, "it has no host name");
        return;
    }
    let Some(port) = port(report, &name, &value("PortNumber"), &[""], protocol) else { return };

    let key_value = value("PublicKeyFile");
    let key_file = if !key_value.trim().is_empty() && protocol == Protocol::Sftp {
        usable_key_file(report, &name, &key_value)
    } else {
        None
    };
    let login = if key_file.is_some() { LoginMethod::KeyFile } else { LoginMethod::Password };

    let mut password = None;
    if let Some(plain) = section.get("PasswordPlain") {
        let plain = unescape(plain);
        if !plain.is_empty() {
            password = Some(SecretString::from(plain));
        }
    } else if let Some(obfuscated) = section.get("Password").map(str::trim).filter(|p| !p.is_empty()) {
        if master_password {
            report.note(
                &name,
                "the password is protected by WinSCP's master password and was not imported; Ferry asks for it",
            );
        } else {
            // The key is the user and host as WinSCP stored them; try the split form too.
            let decoded = decode_password(obfuscated, &format!("{stored_user}{stored_host}"))
                .or_else(|| decode_password(obfuscated, &format!("{user}{host}")));
            match decoded {
                Some(text) if !text.is_empty() => password = Some(SecretString::from(text)),
                Some(_) => {}
                None => report.note(&name, "the saved password could not be decoded and was not imported"),
            }
        }
    }

    let ftp_mode = if value("FtpPasvMode").trim() == "0" { FtpMode::Active } else { FtpMode::Passive };
    let remote_dir = Some(value("RemoteDirectory").trim().to_string()).filter(|d| !d.is_empty());
    let local_value = value("LocalDirectory");
    let local_dir = if local_value.trim().is_empty() {
        None
    } else {
        let path = usable_local_path(&local_value);
        if path.is_none() {
            report.note(
                &name,
                format!("the local folder {local_value:?} is not a path on this computer and was left out"),
            );
        }
        path
    };

    let id = ids.id_for(ImportSource::WinScp, &folder, &name, &host, port);
    let bookmark = Bookmark {
        id,
        name,
        folder,
        protocol,
        host,
        port,
        user,
        login,
        key_file,
        ftp_mode,
        remote_dir,
        local_dir,
        comment: value("Note"),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset: Default::default(),
        server_time_zone: crate::model::ServerTimeZone::Auto,
    };
    report.imported.push(ImportedBookmark { bookmark, password });
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// Splits the file into sections. Lines before the first section and lines without `=` are ignored.
fn read_sections(ini: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in ini.lines() {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if line.is_empty() || line.starts_with(';') {
            continue;
        }
        if let Some(inner) = line.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            sections.push(Section { name: unescape(inner), values: Vec::new() });
        } else if let (Some(section), Some((key, value))) = (sections.last_mut(), line.split_once('=')) {
            section.values.push((key.trim().to_string(), value.to_string()));
        }
    }
    sections
}

/// Undoes WinSCP's `%XX` escaping (used for names, and for characters such as `\` in values).
/// A `%` not followed by two hex digits is kept as it is; bytes that are not UTF-8 become U+FFFD.
pub fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some([b'%', high, low]) => hex_value(*high).zip(hex_value(*low)).map(|(h, l)| h << 4 | l),
            _ => None,
        };
        if let Some(byte) = escaped {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Escapes a session name the way WinSCP writes it: `%XX` for anything but letters, digits and
/// a few safe marks (`/` stays, as it marks folders). For tests and round trips.
pub fn escape(name: &str) -> String {
    let mut out = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'/' | b'@') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// WinSCP's password obfuscation constant.
const MAGIC: u8 = 0xA3;
/// The first byte of a password written with a length header and the `user+host` key prefix.
const FLAG: u8 = 0xFF;

/// Decodes a `Password=` value: hex, each byte `!(byte ^ 0xA3)`. With the 0xFF header the text
/// starts with `key` (`UserName` + `HostName`), which is removed; `None` when it does not decode.
pub fn decode_password(obfuscated: &str, key: &str) -> Option<String> {
    let raw = hex::decode(obfuscated.trim()).ok()?;
    let mut bytes = raw.iter().map(|b| !(b ^ MAGIC));
    let first = bytes.next()?;
    let length = if first == FLAG {
        match bytes.next()? {
            0x02 => (usize::from(bytes.next()?) << 8) | usize::from(bytes.next()?),
            _ => usize::from(bytes.next()?),
        }
    } else {
        usize::from(first)
    };
    let skip = usize::from(bytes.next()?);
    let mut bytes = bytes.skip(skip);
    let mut text = Vec::with_capacity(length);
    for _ in 0..length {
        text.push(bytes.next()?);
    }
    let text = String::from_utf8(text).ok()?;
    if first == FLAG { text.strip_prefix(key).map(str::to_string) } else { Some(text) }
}

/// Obfuscates a password as WinSCP does (0xFF header, version 0, no padding), for tests and round trips.
pub fn encode_password(password: &str, key: &str) -> Option<String> {
    let text = format!("{key}{password}");
    let length = u8::try_from(text.len()).ok()?;
    let mut plain = vec![FLAG, 0x00, length, 0x00];
    plain.extend_from_slice(text.as_bytes());
    Some(hex::encode_upper(plain.iter().map(|b| !b ^ MAGIC).collect::<Vec<u8>>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let encoded = encode_password("s3cret!", "bobexample.com").unwrap();
        assert_eq!(decode_password(&encoded, "bobexample.com").as_deref(), Some("s3cret!"));
        assert_eq!(decode_password(&encoded, "alice"), None);
    }

    #[test]
    fn names_unescape() {
        assert_eq!(unescape("My%20Sites/web%20server"), "My Sites/web server");
        assert_eq!(unescape("100%"), "100%");
        assert_eq!(unescape(&escape("Büro/ä ö")), "Büro/ä ö");
    }
}
