//! Turns the hosts of an OpenSSH client config into SFTP bookmarks, with the settings ssh would use.

use std::path::Path;

use super::{IdMaker, ImportReport, ImportSource, ImportedBookmark};
use crate::bookmarks::{Bookmark, LoginMethod};
use crate::error::Result;
use crate::model::{FtpMode, Protocol};
use crate::ssh_config::SshConfig;

/// Imports the hosts of config text; relative `Include`s are looked up in `base_dir`.
pub fn parse(text: &str, base_dir: &Path) -> Result<ImportReport> {
    Ok(import_config(&SshConfig::parse(text, base_dir)))
}

/// Imports the hosts of a config file, following its `Include`s as ssh does.
pub fn load(path: &Path) -> Result<ImportReport> {
    Ok(import_config(&SshConfig::load(path)?))
}

/// One SFTP bookmark per plain `Host` alias (patterns with wildcards are not sites).
fn import_config(config: &SshConfig) -> ImportReport {
    let mut report = ImportReport::new(ImportSource::OpenSsh);
    let mut ids = IdMaker::default();
    for alias in config.host_aliases() {
        // An unclosed quote on a `Host` line can leave an empty name; ssh refuses such a line.
        if alias.trim().is_empty() {
            report.skip("(empty Host name)", "its Host line could not be read (an unclosed quote?)");
            continue;
        }
        let settings = config.resolve(&alias);
        let host = settings.host_name.clone().filter(|h| !h.trim().is_empty()).unwrap_or_else(|| alias.clone());
        let port = settings.port.filter(|&p| p > 0).unwrap_or(22);
        let (login, key_file) = match settings.identity_files.first() {
            Some(first) => (LoginMethod::KeyFile, Some(first.clone())),
            None => (LoginMethod::Agent, None),
        };
        if settings.identity_files.len() > 1 {
            report.note(
                &alias,
                format!(
                    "ssh would try {} key files; the bookmark uses the first, {}",
                    settings.identity_files.len(),
                    settings.identity_files[0].display()
                ),
            );
        }
        if let Some(command) = &settings.proxy_command {
            // A saved site holds jump hosts, never a command to run: it would go straight to the
            // server instead, around the route the config gives.
            report.skip(
                &alias,
                format!(
                    "it reaches the server through ProxyCommand {}, which a saved site cannot hold; \
                     use the alias itself (ferry ls {}:/path, or type it as the host)",
                    crate::model::escape_control(command),
                    crate::model::escape_control(&alias)
                ),
            );
            continue;
        }
        let id = ids.id_for(ImportSource::OpenSsh, &[], &alias, &host, port);
        let bookmark = Bookmark {
            id,
            name: alias,
            folder: Vec::new(),
            protocol: Protocol::Sftp,
            host,
            port,
            user: settings.user.clone().unwrap_or_default(),
            login,
            key_file,
            ftp_mode: FtpMode::Passive,
            remote_dir: None,
            local_dir: None,
            comment: String::new(),
            uploads_in_place: false,
            connect_through: settings.proxy_jump.clone(),
            proxy: None,
            keep: Default::default(),
            limit_down: None,
            limit_up: None,
            name_charset: Default::default(),
            server_time_zone: crate::model::ServerTimeZone::Auto,
        };
        report.imported.push(ImportedBookmark { bookmark, password: None });
    }
    report
}
