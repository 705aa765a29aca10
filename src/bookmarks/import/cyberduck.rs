//! Reads Cyberduck's `.duck` bookmark files: one property list per site, without passwords.

use std::io::Cursor;

use plist::{Dictionary, Value};

use super::{
    IdMaker, ImportReport, ImportSource, ImportedBookmark, display_name, port, usable_key_file, usable_local_path,
};
use crate::bookmarks::{Bookmark, BookmarkId, LoginMethod};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{FtpMode, Protocol};

/// Imports one `.duck` file given as XML text.
pub fn parse(xml: &str) -> Result<ImportReport> {
    parse_bytes(xml.as_bytes())
}

/// Imports one `.duck` file, XML or binary property list.
pub fn parse_bytes(bytes: &[u8]) -> Result<ImportReport> {
    let value = Value::from_reader(Cursor::new(bytes)).map_err(|e| {
        FerryError::new(ErrorKind::Protocol, "reading a Cyberduck bookmark: not a property list")
            .with_detail(e.to_string())
    })?;
    let dict = value.as_dictionary().ok_or_else(|| {
        FerryError::new(ErrorKind::Protocol, "reading a Cyberduck bookmark: the property list is not a dictionary")
    })?;
    let mut report = ImportReport::new(ImportSource::Cyberduck);
    import_dict(dict, &mut IdMaker::default(), &mut report);
    Ok(report)
}

fn import_dict(dict: &Dictionary, ids: &mut IdMaker, report: &mut ImportReport) {
    let text = |key: &str| dict.get(key).and_then(string_of).unwrap_or_default();
    let host = text("Hostname").trim().to_string();
    let name = display_name(&text("Nickname"), &host);

    let protocol_name = text("Protocol");
    let protocol = match protocol_name.trim().to_ascii_lowercase().as_str() {
        "ftp" => Protocol::Ftp,
        "ftps" => Protocol::Ftpes,
        "sftp" => Protocol::Sftp,
        "" => {
            report.skip(name, "it names no protocol");
            return;
        }
        other => {
            report.skip(name, format!("{} is not a protocol Ferry speaks", cyberduck_protocol_label(other)));
            return;
        }
    };
    if host.is_empty() {
        report.skip(name, "it has no host name");
        return;
    }
    let Some(port) = port(report, &name, &text("Port"), &["", "-1", "0"], protocol) else { return };

    let key_path = text("Private Key File").trim().to_string();
    let key_path = if key_path.is_empty() {
        dict.get("Private Key File Dictionary")
            .and_then(Value::as_dictionary)
            .and_then(|inner| inner.get("Path"))
            .and_then(string_of)
            .unwrap_or_default()
    } else {
        key_path
    };
    let key_file = if !key_path.trim().is_empty() && protocol == Protocol::Sftp {
        usable_key_file(report, &name, &key_path)
    } else {
        None
    };
    let login = if key_file.is_some() { LoginMethod::KeyFile } else { LoginMethod::Password };
    let ftp_mode =
        if text("FTP Connect Mode").trim().eq_ignore_ascii_case("active") { FtpMode::Active } else { FtpMode::Passive };
    let remote_dir = Some(text("Path").trim().to_string()).filter(|p| !p.is_empty());
    let download_folder = {
        let plain = text("Download Folder");
        if plain.trim().is_empty() {
            dict.get("Download Folder Dictionary")
                .and_then(Value::as_dictionary)
                .and_then(|inner| inner.get("Path"))
                .and_then(string_of)
                .unwrap_or_default()
        } else {
            plain
        }
    };
    let local_dir = if download_folder.trim().is_empty() { None } else { usable_local_path(&download_folder) };

    let uuid = text("UUID").trim().to_string();
    // Cyberduck's own UUID is already stable and unique: keep it, so a re-import matches.
    let id = if !uuid.is_empty() && uuid.len() <= 64 && uuid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        BookmarkId(format!("cyberduck-{}", uuid.to_ascii_lowercase()))
    } else {
        ids.id_for(ImportSource::Cyberduck, &[], &name, &host, port)
    };
    let bookmark = Bookmark {
        id,
        name,
        folder: Vec::new(),
        protocol,
        host,
        port,
        user: text("Username"),
        login,
        key_file,
        ftp_mode,
        remote_dir,
        local_dir,
        comment: text("Comment"),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset: Default::default(),
        server_time_zone: crate::model::ServerTimeZone::Auto,
    };
    report.imported.push(ImportedBookmark { bookmark, password: None });
}

/// A string value; Cyberduck writes numbers as strings, but an integer is accepted too.
fn string_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Integer(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Cyberduck's protocol identifiers that Ferry does not speak, by the name users know.
fn cyberduck_protocol_label(identifier: &str) -> String {
    let label = match identifier {
        "s3" => "S3",
        "dav" => "WebDAV",
        "davs" => "WebDAV over HTTPS",
        "smb" => "SMB",
        "googledrive" => "Google Drive",
        "gcs" | "googlestorage" => "Google Cloud Storage",
        "dropbox" => "Dropbox",
        "onedrive" => "Microsoft OneDrive",
        "sharepoint" => "Microsoft SharePoint",
        "azure" => "Azure Storage",
        "b2" => "Backblaze B2",
        "swift" => "OpenStack Swift",
        "box" => "Box",
        "irods" => "iRODS",
        "nextcloud" => "Nextcloud",
        "owncloud" => "ownCloud",
        "ctera" => "CTERA",
        "storj" => "Storj",
        "file" => "a local folder",
        _ => "",
    };
    if label.is_empty() { format!("Cyberduck's protocol {identifier:?}") } else { label.to_string() }
}
