//! Reads FileZilla 3's `sitemanager.xml`: sites in nested folders, base64 or plain passwords.

use base64::Engine;
use quick_xml::events::Event;
use secrecy::SecretString;

use super::{
    IdMaker, ImportReport, ImportSource, ImportedBookmark, display_name, port, usable_key_file, usable_local_path,
};
use crate::bookmarks::{Bookmark, LoginMethod};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{FtpMode, Protocol};
use crate::name_charset::NameCharset;

/// Deeper folder nesting than this is refused: no real site manager comes close, and it keeps a
/// hostile file from exhausting the stack.
const MAX_DEPTH: usize = 200;

/// Imports the sites of a `sitemanager.xml` (or a FileZilla export, which has the same shape).
pub fn parse(xml: &str) -> Result<ImportReport> {
    let root = read_tree(xml)?;
    let servers = root
        .children
        .iter()
        .find(|child| child.name == "Servers")
        .ok_or_else(|| malformed("the file has no <Servers> section"))?;
    let mut report = ImportReport::new(ImportSource::FileZilla);
    let mut ids = IdMaker::default();
    let mut pending: Vec<(Vec<String>, &Element)> = vec![(Vec::new(), servers)];
    // Walk folders without recursion (depth first): a folder's own sites, then its subfolders in file order.
    while let Some((folder, element)) = pending.pop() {
        for child in element.children.iter().rev() {
            match child.name.as_str() {
                "Folder" => {
                    let mut inner = folder.clone();
                    inner.push(child.text.trim().to_string());
                    pending.push((inner, child));
                }
                "Server" => {}
                _ => continue,
            }
        }
        for child in element.children.iter().filter(|c| c.name == "Server") {
            import_server(child, &folder, &mut ids, &mut report);
        }
    }
    Ok(report)
}

/// One `<Server>` element into the report.
fn import_server(server: &Element, folder: &[String], ids: &mut IdMaker, report: &mut ImportReport) {
    let field = |name: &str| server.child(name).map(|c| c.text.as_str()).unwrap_or("");
    let host = field("Host").trim().to_string();
    let own_name = if server.child("Name").is_some() { field("Name") } else { server.text.as_str() };
    let name = display_name(own_name, &host);

    let protocol_number = field("Protocol").trim();
    let protocol = match protocol_number {
        "" | "0" => {
            report.note(
                &name,
                "FileZilla used TLS only when the server offered it; imported as FTP with explicit TLS \
                 (change it to plain FTP if the server has no TLS)",
            );
            Protocol::Ftpes
        }
        "1" => Protocol::Sftp,
        "3" => Protocol::Ftps,
        "4" => Protocol::Ftpes,
        "6" => Protocol::Ftp,
        other => {
            report.skip(name, format!("{} is not a protocol Ferry speaks", protocol_name(other)));
            return;
        }
    };
    if host.is_empty() {
        report.skip(name, "it has no host name");
        return;
    }
    let Some(port) = port(report, &name, field("Port"), &["", "0"], protocol) else { return };
    let mut user = field("User").to_string();

    let mut password = None;
    let login = match field("Logontype").trim() {
        "0" => {
            if user.is_empty() {
                user = "anonymous".to_string();
            }
            LoginMethod::Password
        }
        "2" => LoginMethod::Ask,
        "3" => {
            report.note(&name, "interactive login: Ferry asks for the password when connecting");
            LoginMethod::Ask
        }
        "5" => LoginMethod::KeyFile,
        "6" => {
            report.note(&name, "FileZilla's cloud profile login has no match in Ferry; Ferry asks for a password");
            LoginMethod::Ask
        }
        logon => {
            if logon == "4" {
                report.note(&name, "the FTP account (ACCT) setting was left out: Ferry does not send ACCT");
            }
            if let Some(pass) = server.child("Pass") {
                password = read_password(pass, &name, report);
            }
            LoginMethod::Password
        }
    };
    let key_file = if login == LoginMethod::KeyFile { usable_key_file(report, &name, field("Keyfile")) } else { None };

    let ftp_mode = if field("PasvMode").trim() == "MODE_ACTIVE" { FtpMode::Active } else { FtpMode::Passive };
    let remote_dir = match field("RemoteDir").trim() {
        "" => None,
        encoded => match decode_remote_dir(encoded) {
            Some(path) => Some(path),
            None => {
                report.note(&name, "its remote folder could not be read and was left out");
                None
            }
        },
    };
    let local_dir = match field("LocalDir").trim() {
        "" => None,
        raw => {
            let path = usable_local_path(raw);
            if path.is_none() {
                report.note(&name, format!("the local folder {raw:?} is not a path on this computer and was left out"));
            }
            path
        }
    };

    let name_charset = read_charset(field("EncodingType"), field("CustomEncoding"), &name, report);
    let folder = folder.to_vec();
    let id = ids.id_for(ImportSource::FileZilla, &folder, &name, &host, port);
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
        comment: field("Comments").to_string(),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset,
        server_time_zone: crate::model::ServerTimeZone::Auto,
    };
    report.imported.push(ImportedBookmark { bookmark, password });
}

/// The site's "Charset" tab: `Auto`, `UTF-8`, or `Custom` with the charset's name; a name
/// Ferry does not know is reported and read as auto.
fn read_charset(kind: &str, custom: &str, name: &str, report: &mut ImportReport) -> NameCharset {
    let label = match kind.trim() {
        "Custom" => custom.trim(),
        "UTF-8" => "UTF-8",
        _ => return NameCharset::Auto,
    };
    NameCharset::from_label(label).unwrap_or_else(|| {
        report.note(name, format!("the charset {label:?} is not one Ferry knows; names are read as auto"));
        NameCharset::Auto
    })
}

/// A `<Pass>` element's password: base64 or plain text; one behind a master password is reported.
fn read_password(pass: &Element, name: &str, report: &mut ImportReport) -> Option<SecretString> {
    match pass.attribute("encoding") {
        Some("base64") => {
            let compact: String = pass.text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(compact.as_bytes())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            match decoded {
                Some(text) if !text.is_empty() => Some(SecretString::from(text)),
                Some(_) => None,
                None => {
                    report.note(name, "the saved password could not be decoded and was not imported");
                    None
                }
            }
        }
        Some("crypt") => {
            report.note(
                name,
                "the password is protected by FileZilla's master password and was not imported; Ferry asks for it",
            );
            None
        }
        None if !pass.text.is_empty() => Some(SecretString::from(pass.text.clone())),
        None => None,
        Some(other) => {
            report.note(name, format!("the password's encoding {other:?} is unknown; it was not imported"));
            None
        }
    }
}

/// FileZilla's protocol numbers that Ferry does not speak, by name.
fn protocol_name(number: &str) -> String {
    let known = match number {
        "2" => "HTTP",
        "5" => "HTTPS",
        "7" => "S3",
        "8" | "21" => "Storj",
        "9" => "WebDAV",
        "10" => "Azure File Storage",
        "11" => "Azure Blob Storage",
        "12" => "OpenStack Swift",
        "13" => "Google Cloud Storage",
        "14" => "Google Drive",
        "15" => "Dropbox",
        "16" => "Microsoft OneDrive",
        "17" => "Backblaze B2",
        "18" => "Box",
        "19" => "WebDAV without TLS",
        "20" => "Rackspace Cloud Storage",
        _ => "",
    };
    if known.is_empty() { format!("FileZilla protocol number {number:?}") } else { known.to_string() }
}

/// Decodes FileZilla's `RemoteDir`: `<type> <prefix length>[ <prefix>] (<length> <segment>)*`.
///
/// Lengths count characters (FileZilla counts wide characters, which is the same on Linux and
/// macOS; Windows counts UTF-16 units, so outside the BMP a length is retried in those units).
/// The result is a slash path: `prefix/seg/seg`, or `/seg/seg` without a prefix.
pub fn decode_remote_dir(encoded: &str) -> Option<String> {
    let (_kind, prefix, segments) = decode_remote_dir_parts(encoded)?;
    let joined = segments.join("/");
    Some(if prefix.is_empty() { format!("/{joined}") } else { format!("{prefix}/{joined}") })
}

/// The parts of an encoded `RemoteDir`: the server type number, the prefix and the segments.
pub fn decode_remote_dir_parts(encoded: &str) -> Option<(u32, String, Vec<String>)> {
    let mut rest = encoded;
    let kind: u32 = take_number(&mut rest)?.try_into().ok()?;
    let prefix_length = take_number(&mut rest)?;
    let prefix = if prefix_length > 0 { take_counted(&mut rest, prefix_length)? } else { String::new() };
    let mut segments = Vec::new();
    while !rest.is_empty() {
        let length = take_number(&mut rest)?;
        segments.push(take_counted(&mut rest, length)?);
    }
    Some((kind, prefix, segments))
}

/// Encodes a path the way FileZilla writes `RemoteDir` (type 1, Unix), for tests and round trips.
pub fn encode_remote_dir(segments: &[String]) -> String {
    let mut out = String::from("1 0");
    for segment in segments {
        out.push_str(&format!(" {} {segment}", segment.chars().count()));
    }
    out
}

/// Reads a decimal number and the single space after it (or the end).
fn take_number(rest: &mut &str) -> Option<usize> {
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 9 {
        return None;
    }
    let number = rest[..digits].parse().ok()?;
    *rest = &rest[digits..];
    if !rest.is_empty() {
        *rest = rest.strip_prefix(' ')?;
    }
    Some(number)
}

/// Reads `length` characters (or, failing that, UTF-16 units) and the single space after them.
fn take_counted(rest: &mut &str, length: usize) -> Option<String> {
    let by_chars = rest.char_indices().nth(length).map_or(rest.len(), |(i, _)| i);
    let by_utf16 = {
        let mut units = 0;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            if units == length {
                end = Some(i);
                break;
            }
            units += c.len_utf16();
        }
        match end {
            Some(end) => Some(end),
            None if units == length => Some(rest.len()),
            None => None,
        }
    };
    let enough = |end: usize| rest.chars().count() >= length && (end == rest.len() || rest[end..].starts_with(' '));
    let end = if enough(by_chars) {
        by_chars
    } else {
        by_utf16.filter(|&end| end == rest.len() || rest[end..].starts_with(' '))?
    };
    let taken = rest[..end].to_string();
    *rest = &rest[end..];
    if !rest.is_empty() {
        *rest = rest.strip_prefix(' ')?;
    }
    Some(taken)
}

fn malformed(what: &str) -> FerryError {
    FerryError::new(ErrorKind::Protocol, format!("reading FileZilla's site manager file: {what}"))
}

/// One XML element: its name, attributes, own text and child elements.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Reads the whole document into a tree and returns its root element.
fn read_tree(xml: &str) -> Result<Element> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let error = |e: &dyn std::fmt::Display| malformed(&format!("not well-formed XML ({e})"));
    loop {
        let event = reader.read_event().map_err(|e| error(&e))?;
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(malformed("more than one root element"));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(malformed("folders nested too deeply"));
                }
                stack.push(element_from(&start)?);
            }
            Event::Empty(start) => {
                let element = element_from(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::End(_) => {
                let element = stack.pop().ok_or_else(|| malformed("an end tag without a start"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            }
            Event::Text(text) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&text.xml10_content().map_err(|e| error(&e))?);
                }
            }
            Event::CData(data) => {
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&data.decode().map_err(|e| error(&e))?);
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref().map_err(|e| error(&e))? {
                    Some(c) => c.to_string(),
                    None => {
                        let name = reference.decode().map_err(|e| error(&e))?;
                        quick_xml::escape::resolve_xml_entity(&name)
                            .ok_or_else(|| malformed(&format!("unknown entity &{name};")))?
                            .to_string()
                    }
                };
                if let Some(current) = stack.last_mut() {
                    current.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed("the file ends inside an element"));
    }
    let root = root.ok_or_else(|| malformed("the file is empty"))?;
    if root.name != "FileZilla3" {
        return Err(malformed(&format!("the root element is <{}>, not <FileZilla3>", root.name)));
    }
    Ok(root)
}

fn element_from(start: &quick_xml::events::BytesStart<'_>) -> Result<Element> {
    let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(|e| malformed(&format!("a broken attribute ({e})")))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value = attribute
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| malformed(&format!("a broken attribute value ({e})")))?
            .into_owned();
        attributes.push((key, value));
    }
    Ok(Element { name, attributes, ..Element::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_dir_examples() {
        assert_eq!(decode_remote_dir("1 0 4 home 3 bob").as_deref(), Some("/home/bob"));
        assert_eq!(decode_remote_dir("1 0").as_deref(), Some("/"));
        assert_eq!(decode_remote_dir("1 0 8 my files 3 a b").as_deref(), Some("/my files/a b"));
        assert_eq!(decode_remote_dir("3 2 C: 5 inbox").as_deref(), Some("C:/inbox"));
        assert_eq!(decode_remote_dir("1 0 5 home"), None);
        assert_eq!(decode_remote_dir("x"), None);
    }
}
