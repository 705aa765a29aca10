//! One saved site, as the site manager shows it and the bookmark file stores it (never a secret).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::{FtpMode, Protocol};

/// A bookmark's stable identity, kept across renames and moves.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BookmarkId(pub String);

/// How a bookmark logs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginMethod {
    /// A password, kept in the OS keychain (or asked for when no keychain answers).
    #[default]
    Password,
    /// A private key file (its passphrase, if any, in the keychain).
    KeyFile,
    /// The SSH agent.
    Agent,
    /// Ask for the password at each connect; nothing is stored.
    Ask,
}

/// One saved site. Passwords and passphrases are never fields here: they live in the keychain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bookmark {
    /// Stable identity.
    pub id: BookmarkId,
    /// The name shown in the tree (and used as `NAME:/path` on the command line).
    pub name: String,
    /// The folders it sits in, outermost first; empty at the top level.
    #[serde(default)]
    pub folder: Vec<String>,
    /// Which protocol.
    pub protocol: Protocol,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User name.
    #[serde(default)]
    pub user: String,
    /// How to log in.
    #[serde(default)]
    pub login: LoginMethod,
    /// The private key file, for `LoginMethod::KeyFile`.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// Passive or active FTP.
    #[serde(default)]
    pub ftp_mode: FtpMode,
    /// The remote folder to open after connecting.
    #[serde(default)]
    pub remote_dir: Option<String>,
    /// The local folder to show after connecting.
    #[serde(default)]
    pub local_dir: Option<PathBuf>,
    /// Free text.
    #[serde(default)]
    pub comment: String,
    /// Write uploads straight into their target (no temporary file renamed into place).
    #[serde(default)]
    pub uploads_in_place: bool,
    /// SFTP only: the SSH jump hosts to go through, as `ProxyJump` writes them
    /// (`[user@]host[:port]`, comma separated, first to last; `none` to go straight). `None`
    /// follows the ssh config.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connect_through: Option<String>,
    /// The proxy this site goes through, as a URL without its password (`socks5://`, `socks5h://`,
    /// `http://`; the password is in the keychain), or `none` to go straight even where ALL_PROXY
    /// names one. `None` follows ALL_PROXY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Whether transfers keep permission bits and times (a switch for servers that refuse them).
    #[serde(default)]
    pub keep: crate::model::KeepAttributes,
    /// This site's own bandwidth limit for downloads, in bytes a second (the global limit still
    /// holds where it is stricter).
    #[serde(default)]
    pub limit_down: Option<u64>,
    /// The same for uploads.
    #[serde(default)]
    pub limit_up: Option<u64>,
    /// FTP only: the character set of the server's file names ("auto" unless chosen).
    #[serde(default)]
    pub name_charset: crate::name_charset::NameCharset,
    /// FTP without MLSD: the time zone the server's listings are in ("auto": found by comparing
    /// a listed time with MDTM).
    #[serde(default)]
    pub server_time_zone: crate::model::ServerTimeZone,
}
