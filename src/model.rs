//! Plain shared types: directory entries, protocols, connection specs, request ids, and remote path helpers.

use std::fmt;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// What kind of thing a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A symbolic link (its target, when known, is in `Entry::link_target`).
    Symlink,
    /// Anything else: device, socket, fifo.
    Other,
}

/// One entry of a listing, local or remote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The name as the server sent it (a single path component for well-behaved servers).
    pub name: String,
    /// File, folder, link or other.
    pub kind: EntryKind,
    /// Size in bytes, where known.
    pub size: Option<u64>,
    /// Last modification time, where known.
    pub modified: Option<DateTime<Utc>>,
    /// How precisely the server gave `modified` (an FTP listing gives minutes, or only the day
    /// for an old file); `None` where it was not said, and then it is judged from the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_precision: Option<TimePrecision>,
    /// Unix permission bits (0o7777 mask), where known.
    pub permissions: Option<u32>,
    /// Owner name or uid, where known.
    pub owner: Option<String>,
    /// Group name or gid, where known.
    pub group: Option<String>,
    /// Where a symlink points, where known.
    pub link_target: Option<String>,
    /// What a symlink leads to once followed (a file, a folder...), where the server said; `None`
    /// for a link that leads nowhere, or one whose end is not known (FTP listings).
    #[serde(default)]
    pub link_kind: Option<EntryKind>,
}

impl Entry {
    /// An entry with only a name and a kind; the rest unknown.
    pub fn new(name: impl Into<String>, kind: EntryKind) -> Self {
        Entry {
            name: name.into(),
            kind,
            size: None,
            modified: None,
            modified_precision: None,
            permissions: None,
            owner: None,
            group: None,
            link_target: None,
            link_kind: None,
        }
    }

    /// What opening this entry reaches: a link's end where known, otherwise its own kind.
    pub fn opens_as(&self) -> EntryKind {
        match (self.kind, self.link_kind) {
            (EntryKind::Symlink, Some(end)) => end,
            (kind, _) => kind,
        }
    }
}

/// The protocols Ferry speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// SSH File Transfer Protocol.
    Sftp,
    /// Plain FTP.
    Ftp,
    /// FTP with explicit TLS (`AUTH TLS` on the plain port).
    Ftpes,
    /// FTP with implicit TLS (TLS from the first byte, port 990).
    Ftps,
    /// The local file system (used by the local pane).
    Local,
}

impl Protocol {
    /// The URL scheme for this protocol.
    pub fn scheme(self) -> &'static str {
        match self {
            Protocol::Sftp => "sftp",
            Protocol::Ftp => "ftp",
            Protocol::Ftpes => "ftpes",
            Protocol::Ftps => "ftps",
            Protocol::Local => "file",
        }
    }

    /// The port used when none is given.
    pub fn default_port(self) -> u16 {
        match self {
            Protocol::Sftp => 22,
            Protocol::Ftp | Protocol::Ftpes => 21,
            Protocol::Ftps => 990,
            Protocol::Local => 0,
        }
    }

    /// Whether the protocol is FTP in any of its forms.
    pub fn is_ftp(self) -> bool {
        matches!(self, Protocol::Ftp | Protocol::Ftpes | Protocol::Ftps)
    }
}

/// How precisely a modification time was given, coarsest first: a time given in minutes stands
/// for any moment of that minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimePrecision {
    /// Only the date (an FTP listing of an older file).
    Day,
    /// Hours and minutes (an FTP listing of a recent file).
    Minute,
    /// Whole seconds (MDTM, MLSD, SFTP).
    Second,
    /// Finer than a second (a local disk).
    Finer,
}

/// The time zone an FTP server's listings are in. Listings without MLSD carry the server's local
/// time with no zone; `Auto` finds the offset by comparing a listed time with `MDTM` (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ServerTimeZone {
    /// Found once per connection from the first listing with a file.
    #[default]
    Auto,
    /// A fixed offset east of UTC, in quarter hours (`+09:00` is 36, `+05:45` is 23): every time
    /// zone is a whole number of them, and one byte keeps `ConnectSpec` small.
    Offset(i8),
}

impl ServerTimeZone {
    /// The largest offset a time zone has (UTC+14:00, UTC-12:00), in minutes.
    pub const MAX_OFFSET_MINUTES: i16 = 14 * 60;

    /// A fixed offset of `minutes` east of UTC, when it is a whole number of quarter hours within
    /// [`Self::MAX_OFFSET_MINUTES`].
    pub fn offset_minutes(minutes: i64) -> Option<ServerTimeZone> {
        let fits = minutes % 15 == 0 && minutes.abs() <= i64::from(Self::MAX_OFFSET_MINUTES);
        fits.then(|| i8::try_from(minutes / 15).ok().map(ServerTimeZone::Offset)).flatten()
    }
}

impl fmt::Display for ServerTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ServerTimeZone::Auto => f.write_str("auto"),
            ServerTimeZone::Offset(0) => f.write_str("UTC"),
            ServerTimeZone::Offset(quarters) => {
                let minutes = i32::from(quarters) * 15;
                let sign = if minutes < 0 { '-' } else { '+' };
                write!(f, "{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
            }
        }
    }
}

impl std::str::FromStr for ServerTimeZone {
    type Err = String;

    /// `auto`, `UTC`, or an offset: `+09:00`, `-5`, `+0530`, `UTC+9`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let refused = || {
            format!(
                "\"{}\" is not a server time zone; use auto, UTC, or an offset in quarter hours such as +09:00, -05:00 or +05:45",
                escape_control(text)
            )
        };
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("auto") {
            return Ok(ServerTimeZone::Auto);
        }
        let offset = trimmed
            .strip_prefix("UTC")
            .or_else(|| trimmed.strip_prefix("utc"))
            .or_else(|| trimmed.strip_prefix("GMT"))
            .unwrap_or(trimmed);
        if offset.is_empty() {
            return Ok(ServerTimeZone::Offset(0));
        }
        let (sign, digits) = match offset.as_bytes().first() {
            Some(b'+') => (1, &offset[1..]),
            Some(b'-') => (-1, &offset[1..]),
            _ => return Err(refused()),
        };
        let (hours, minutes) = match digits.split_once(':') {
            Some((hours, minutes)) => (hours, minutes),
            None if digits.len() == 4 && digits.is_ascii() => digits.split_at(2),
            None => (digits, "0"),
        };
        let number = |part: &str| {
            (!part.is_empty() && part.len() <= 2 && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<i16>().ok())
                .flatten()
        };
        let (Some(hours), Some(minutes)) = (number(hours), number(minutes)) else { return Err(refused()) };
        let total = hours * 60 + minutes;
        if minutes >= 60 {
            return Err(refused());
        }
        ServerTimeZone::offset_minutes(i64::from(sign * total)).ok_or_else(refused)
    }
}

impl TryFrom<String> for ServerTimeZone {
    type Error = String;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<ServerTimeZone> for String {
    fn from(zone: ServerTimeZone) -> String {
        zone.to_string()
    }
}

/// FTP data connection mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum FtpMode {
    /// The client connects to the server for data (EPSV, then PASV). Works behind NAT.
    #[default]
    Passive,
    /// The server connects back to the client (PORT/EPRT).
    Active,
}

/// Everything needed to open one connection. Its `Debug` never shows the password, and saving it
/// (serde) leaves the password and passphrase out.
#[derive(Clone, Serialize, Deserialize)]
pub struct ConnectSpec {
    /// Which protocol.
    pub protocol: Protocol,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// User name (FTP defaults to "anonymous" when empty).
    pub user: String,
    /// Password, if known; asked for through a prompt otherwise. Never saved.
    #[serde(skip)]
    pub password: Option<SecretString>,
    /// A private key file for SFTP.
    pub identity: Option<PathBuf>,
    /// The passphrase of that key, if it has one. Never saved.
    #[serde(skip)]
    pub key_passphrase: Option<SecretString>,
    /// Passive or active FTP.
    pub ftp_mode: FtpMode,
    /// An extra PEM file of CA certificates to trust for FTPS.
    pub ca_file: Option<PathBuf>,
    /// The folder to open after connecting; the server's home when empty.
    pub initial_path: Option<String>,
    /// Write uploads straight into their target instead of a temporary file renamed into place:
    /// for servers that give no rename right, a quota too small for two copies, or a watched
    /// folder. An interrupted upload then leaves a partial file under the real name.
    #[serde(default)]
    pub uploads_in_place: bool,
    /// The way an SFTP connection goes: straight, through a ProxyCommand or through jump hosts.
    #[serde(default)]
    pub route: crate::route::Route,
    /// The SOCKS5 or HTTP proxy the connections go through (control and data alike), if any:
    /// the one chosen for this run, the site or the environment (see `proxy::choose`).
    #[serde(default)]
    pub proxy: Option<crate::proxy::Proxy>,
    /// Which of a file's attributes a transfer carries over to its copy.
    #[serde(default)]
    pub keep: KeepAttributes,
    /// This site's own bandwidth limit for downloads, in bytes a second, shared by all its
    /// transfers; the global limit still holds where it is stricter.
    #[serde(default)]
    pub limit_down: Option<u64>,
    /// The same for uploads.
    #[serde(default)]
    pub limit_up: Option<u64>,
    /// The character set of the server's file names (FTP only; SFTP names are UTF-8).
    #[serde(default)]
    pub name_charset: crate::name_charset::NameCharset,
    /// FTP without MLSD: the time zone the server's listings are in.
    #[serde(default)]
    pub server_time_zone: ServerTimeZone,
}

/// Which attributes a transfer gives its copy, per site: both by default. A server that refuses
/// to set them (no `SETSTAT`, `SITE CHMOD` or `MFMT`) costs a warning in the log, never the
/// transfer; these switches stop asking it at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeepAttributes {
    /// The permission bits (read, write, execute; never set-id or sticky bits).
    pub modes: bool,
    /// The modification times, of folders too (set once everything inside has arrived).
    pub times: bool,
}

impl Default for KeepAttributes {
    fn default() -> Self {
        KeepAttributes { modes: true, times: true }
    }
}

impl ConnectSpec {
    /// A spec with defaults for everything but protocol and host.
    pub fn new(protocol: Protocol, host: impl Into<String>) -> Self {
        ConnectSpec {
            protocol,
            host: host.into(),
            port: protocol.default_port(),
            user: String::new(),
            password: None,
            identity: None,
            key_passphrase: None,
            ftp_mode: FtpMode::Passive,
            ca_file: None,
            initial_path: None,
            uploads_in_place: false,
            route: crate::route::Route::Direct,
            proxy: None,
            keep: KeepAttributes::default(),
            limit_down: None,
            limit_up: None,
            name_charset: Default::default(),
            server_time_zone: ServerTimeZone::Auto,
        }
    }

    /// `scheme://user@host:port`, never with the password: safe to show and log.
    pub fn display_url(&self) -> String {
        let user = if self.user.is_empty() { String::new() } else { format!("{}@", self.user) };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("{}://{}{}:{}", self.protocol.scheme(), user, host, self.port)
    }

    /// A short name for the site, as a person would say it: `user@host`, just the host for an
    /// anonymous FTP login, the port only when it is not the protocol's own, "Local" for the disk.
    pub fn site_name(&self) -> String {
        if self.protocol == Protocol::Local {
            return "Local".to_string();
        }
        let anonymous = self.user.is_empty() || self.user.eq_ignore_ascii_case("anonymous");
        let user = if anonymous { String::new() } else { format!("{}@", self.user) };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        let port = if self.port == self.protocol.default_port() { String::new() } else { format!(":{}", self.port) };
        escape_control(&format!("{user}{host}{port}"))
    }
}

impl fmt::Debug for ConnectSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectSpec")
            .field("url", &self.display_url())
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("identity", &self.identity)
            .field("ftp_mode", &self.ftp_mode)
            .field("ca_file", &self.ca_file)
            .field("initial_path", &self.initial_path)
            .field("uploads_in_place", &self.uploads_in_place)
            .field("route", &self.route)
            .field("proxy", &self.proxy)
            .field("keep", &self.keep)
            .field("limit_down", &self.limit_down)
            .field("limit_up", &self.limit_up)
            .field("name_charset", &self.name_charset)
            .field("server_time_zone", &self.server_time_zone)
            .finish()
    }
}

/// Identifies one request from the UI or CLI; the Events that answer it carry the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RequestId(pub u64);

/// Identifies one open connection owned by the worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SessionId(pub u64);

/// Identifies one question the worker asked the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PromptId(pub u64);

/// Identifies one remote file open in an external editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EditId(pub u64);

/// Joins a remote folder and a name with exactly one `/`.
pub fn join_remote(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

/// The parent folder of a remote path (`/` for top-level entries).
pub fn parent_remote(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) => "/".to_string(),
        Some(i) => trimmed[..i].to_string(),
        None => ".".to_string(),
    }
}

/// The last component of a remote path.
pub fn file_name_remote(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

/// "1 file", "2 files", "0 files": a count with its noun in the right number.
pub fn count_of(count: usize, one: &str, many: &str) -> String {
    if count == 1 { format!("1 {one}") } else { format!("{count} {many}") }
}

/// A remote path with `.`, empty components and `..` taken out by name, as `sftp` does (never
/// above `/`; a relative path keeps the `..` it starts with): two spellings of one place are one.
pub fn normalize_remote(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Shows control characters (ANSI escapes, CR, LF, NUL...) as visible escapes, so a name from a
/// server can never drive a terminal or forge a log line; bytes a site's charset could not read are
/// shown as `\xNN`.
pub fn escape_control(text: &str) -> String {
    let byte = crate::name_charset::escaped_byte;
    if !text.chars().any(|c| c.is_control() || byte(c).is_some()) {
        return text.to_string();
    }
    let shown = |c: char| match byte(c) {
        // A byte of a name that its site's charset could not read (see `NameCharset`).
        Some(byte) => format!("\\x{byte:02X}"),
        None if c.is_control() => c.escape_default().to_string(),
        None => c.to_string(),
    };
    text.chars().map(shown).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_paths_join_and_split() {
        assert_eq!(join_remote("/", "a"), "/a");
        assert_eq!(join_remote("/srv", "a"), "/srv/a");
        assert_eq!(parent_remote("/srv/a"), "/srv");
        assert_eq!(parent_remote("/a"), "/");
        assert_eq!(file_name_remote("/srv/a.txt"), "a.txt");
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(escape_control("plain"), "plain");
        assert_eq!(escape_control("a\x1b[31mb\r\n"), "a\\u{1b}[31mb\\r\\n");
    }

    #[test]
    fn debug_and_saving_never_show_the_password() {
        let mut spec = ConnectSpec::new(Protocol::Sftp, "example");
        spec.password = Some(SecretString::from("hunter2"));
        spec.key_passphrase = Some(SecretString::from("opensesame"));
        assert!(!format!("{spec:?}").contains("hunter2"));
        let saved = serde_json::to_string(&spec).unwrap();
        assert!(!saved.contains("hunter2") && !saved.contains("opensesame"), "{saved}");
    }

    #[test]
    fn a_site_is_named_user_at_host() {
        let mut spec = ConnectSpec::new(Protocol::Sftp, "example.org");
        spec.user = "alice".into();
        assert_eq!(spec.site_name(), "alice@example.org");
        spec.port = 2222;
        assert_eq!(spec.site_name(), "alice@example.org:2222");
        let mut anonymous = ConnectSpec::new(Protocol::Ftp, "::1");
        anonymous.user = "anonymous".into();
        assert_eq!(anonymous.site_name(), "[::1]");
        assert_eq!(ConnectSpec::new(Protocol::Local, "").site_name(), "Local");
    }
}
