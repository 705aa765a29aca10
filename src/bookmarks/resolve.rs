//! Turns what a user typed where a URL is accepted into a connection: a URL, or `NAME:/path`
//! (`NAME:path`, `NAME`, `user@NAME:path`) where NAME is a bookmark or an OpenSSH host alias, as
//! scp and rclone write it. SFTP hosts get their `~/.ssh/config` settings, as `ssh` would apply them.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::secrets::Keychain;
use super::store::BookmarkFile;
use super::{Bookmark, LoginMethod};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, Protocol};
use crate::route::{CommandTokens, JumpHost, Route, expand_proxy_command, parse_jump_chain};
use crate::ssh_config::{HostSettings, SshConfig};

/// Where a typed target leads.
#[derive(Debug, Clone)]
pub struct Target {
    /// How to connect (no secret from the keychain yet: see [`attach_secret`]).
    pub spec: ConnectSpec,
    /// The remote path named, `None` for the folder the connection starts in.
    pub path: Option<String>,
    /// The bookmark named, if it was one.
    pub bookmark: Option<Bookmark>,
}

/// The ssh config used at connect time: `explicit` if given, else the file `FERRY_SSH_CONFIG`
/// names, else `~/.ssh/config` (none is fine: nothing is applied).
pub fn connect_ssh_config(explicit: Option<&Path>) -> Result<Option<SshConfig>> {
    let named = explicit.map(Path::to_path_buf).or_else(|| std::env::var_os("FERRY_SSH_CONFIG").map(PathBuf::from));
    match named {
        Some(path) => SshConfig::load(&path).map(Some),
        None => Ok(SshConfig::user_default()),
    }
}

/// Resolves `text`: a URL (`sftp://…`, `ftp://…`…), or a bookmark name or ssh alias with an
/// optional `:path` (a bookmark wins over an alias of the same name). Local paths (`/x`, `./x`,
/// `C:\x`) are never names.
pub fn resolve_target(text: &str, bookmarks: &BookmarkFile, ssh_config: Option<&SshConfig>) -> Result<Target> {
    let text = text.trim();
    if crate::url::looks_like_url(text) {
        return resolve_url(text, ssh_config);
    }
    let (user, name, path) = split_name(text)?;
    if let Some(bookmark) = bookmarks.find_by_name(name) {
        let mut spec = bookmark_spec(bookmark, ssh_config)?;
        if let Some(user) = user {
            spec.user = user.to_string();
        }
        if path.is_some() {
            spec.initial_path = path.clone();
        }
        return Ok(Target { spec, path, bookmark: Some(bookmark.clone()) });
    }
    let alias = ssh_config.and_then(|config| config.host_aliases().into_iter().find(|a| a.eq_ignore_ascii_case(name)));
    if let (Some(alias), Some(config)) = (alias, ssh_config) {
        let mut spec = ConnectSpec::new(Protocol::Sftp, alias.clone());
        spec.user = user.unwrap_or_default().to_string();
        apply_ssh_settings(&mut spec, &config.resolve(&alias), config, user.is_some(), false)?;
        spec.initial_path = path.clone();
        return Ok(Target { spec, path, bookmark: None });
    }
    Err(FerryError::new(
        ErrorKind::NotFound,
        format!(
            "\"{name}\" is neither a URL, a bookmark nor a Host alias of the ssh config \
             (write sftp://, ftp://, ftpes:// or ftps:// for a server that is neither)"
        ),
    ))
}

/// How to reach a bookmark: its protocol, host, port, user, key and start folder, with the ssh
/// config applied for SFTP (HostName always; User, Port and IdentityFile where the bookmark leaves
/// them open). Secrets come separately, from the keychain.
pub fn bookmark_spec(bookmark: &Bookmark, ssh_config: Option<&SshConfig>) -> Result<ConnectSpec> {
    let mut spec = ConnectSpec::new(bookmark.protocol, bookmark.host.clone());
    spec.port = bookmark.port;
    spec.user = bookmark.user.clone();
    spec.ftp_mode = bookmark.ftp_mode;
    spec.uploads_in_place = bookmark.uploads_in_place;
    spec.keep = bookmark.keep;
    spec.limit_down = bookmark.limit_down;
    spec.limit_up = bookmark.limit_up;
    spec.name_charset = bookmark.name_charset;
    spec.server_time_zone = bookmark.server_time_zone;
    spec.initial_path = bookmark.remote_dir.clone().filter(|dir| !dir.is_empty());
    if bookmark.login == LoginMethod::KeyFile {
        spec.identity = bookmark.key_file.clone();
    }
    if let (Protocol::Sftp, Some(config)) = (bookmark.protocol, ssh_config) {
        let settings = config.resolve(&bookmark.host);
        let port_given = bookmark.port != Protocol::Sftp.default_port();
        let keep_identity = bookmark.login != LoginMethod::KeyFile;
        let identity_before = spec.identity.clone();
        apply_ssh_settings(&mut spec, &settings, config, !bookmark.user.is_empty(), port_given)?;
        if keep_identity {
            // Agent or password logins do not pick up a key file from the config: the user chose.
            spec.identity = identity_before;
        }
    }
    // The site's own "Connect through" wins over the ssh config's route, as `ssh -J` does.
    if let (Protocol::Sftp, Some(chain)) = (bookmark.protocol, &bookmark.connect_through) {
        let hops = resolve_jump_chain(chain, ssh_config)?;
        spec.route = if hops.is_empty() { Route::Direct } else { Route::Jump(hops) };
    }
    Ok(spec)
}

/// Adds the bookmark's secret from the keychain: the password for password logins, the key's
/// passphrase for key-file logins. Nothing for the agent or "ask each time"; a secret missing
/// from the keychain is asked for at connect.
pub fn attach_secret(spec: &mut ConnectSpec, bookmark: &Bookmark, keychain: &Keychain) -> Result<()> {
    let wanted = matches!(bookmark.login, LoginMethod::Password | LoginMethod::KeyFile);
    if !wanted || !keychain.is_available() {
        return Ok(());
    }
    let secret: Option<SecretString> = keychain.load(&super::SecretKey::of(bookmark))?;
    match bookmark.login {
        LoginMethod::Password => spec.password = secret,
        LoginMethod::KeyFile => spec.key_passphrase = secret,
        LoginMethod::Agent | LoginMethod::Ask => {}
    }
    Ok(())
}

/// A URL; for SFTP with the ssh config's settings for its host (a user or port in the URL wins).
fn resolve_url(text: &str, ssh_config: Option<&SshConfig>) -> Result<Target> {
    let remote = crate::url::parse_url(text)?;
    let mut spec = remote.spec;
    if let (Protocol::Sftp, Some(config)) = (spec.protocol, ssh_config) {
        let port_given = url::Url::parse(text).ok().and_then(|u| u.port()).is_some();
        let settings = config.resolve(&spec.host);
        let user_given = !spec.user.is_empty();
        apply_ssh_settings(&mut spec, &settings, config, user_given, port_given)?;
    }
    Ok(Target { spec, path: remote.path, bookmark: None })
}

/// Applies the ssh config's settings for `spec.host`, an alias the user typed where a host goes:
/// a user name typed stays, as does a port other than SSH's 22 (the connect bar always has one).
pub fn apply_alias(mut spec: ConnectSpec, config: &SshConfig) -> Result<ConnectSpec> {
    let settings = config.resolve(&spec.host);
    let user_given = !spec.user.is_empty();
    let port_given = spec.port != Protocol::Sftp.default_port();
    apply_ssh_settings(&mut spec, &settings, config, user_given, port_given)?;
    Ok(spec)
}

/// Applies what ssh would: HostName, User and Port unless given, the first IdentityFile that
/// exists unless a key was given, and the route: a ProxyJump chain (each hop with its own settings
/// from the config) or a ProxyCommand with its `%` tokens expanded.
fn apply_ssh_settings(
    spec: &mut ConnectSpec,
    settings: &HostSettings,
    config: &SshConfig,
    user_given: bool,
    port_given: bool,
) -> Result<()> {
    let alias = spec.host.clone();
    if let Some(host_name) = &settings.host_name {
        spec.host = host_name.clone();
    }
    if let (false, Some(user)) = (user_given, &settings.user) {
        spec.user = user.clone();
    }
    if let (false, Some(port)) = (port_given, settings.port) {
        spec.port = port;
    }
    if spec.identity.is_none() {
        spec.identity = settings.identity_files.iter().find(|file| file.is_file()).cloned();
    }
    if let Some(jump) = &settings.proxy_jump {
        spec.route = Route::Jump(resolve_jump_chain(jump, Some(config))?);
    } else if let Some(command) = &settings.proxy_command {
        let user = if spec.user.is_empty() { crate::ssh_config::local_user_name() } else { spec.user.clone() };
        let tokens = CommandTokens { host: &spec.host, port: spec.port, user: &user, alias: &alias };
        spec.route = Route::Command(expand_proxy_command(command, &tokens)?);
    }
    Ok(())
}

/// The jump hosts of a `ProxyJump` value or a `--jump` argument, each with what the ssh config
/// says for it (HostName, User, Port, IdentityFile), as `ssh -J` reads them. A hop the config
/// routes through yet another ProxyJump or ProxyCommand is refused: ssh would follow it, and
/// going straight to that hop instead would reach a different network.
pub fn resolve_jump_chain(text: &str, config: Option<&SshConfig>) -> Result<Vec<JumpHost>> {
    let mut hops = Vec::new();
    for written in parse_jump_chain(text)? {
        let settings = config.map(|c| c.resolve(&written.host)).unwrap_or_default();
        if settings.proxy_jump.is_some() || settings.proxy_command.is_some() {
            return Err(FerryError::new(
                ErrorKind::Unsupported,
                format!(
                    "the ssh config reaches the jump host {} through a ProxyJump or ProxyCommand of its own, \
                     which Ferry cannot do yet",
                    crate::model::escape_control(&written.host)
                ),
            ));
        }
        hops.push(JumpHost {
            name: written.host.clone(),
            host: settings.host_name.clone().unwrap_or_else(|| written.host.clone()),
            port: written.port.or(settings.port).unwrap_or(Protocol::Sftp.default_port()),
            user: written.user.clone().or(settings.user.clone()).unwrap_or_default(),
            identity: settings.identity_files.iter().find(|file| file.is_file()).cloned(),
            password: None,
        });
    }
    Ok(hops)
}

/// Splits `[user@]NAME[:path]`. Local paths are refused with a clear error rather than read as
/// a name: `/x`, `./x`, `~/x`, `C:\x`, and anything with a slash before the colon.
fn split_name(text: &str) -> Result<(Option<&str>, &str, Option<String>)> {
    let not_a_name = || {
        FerryError::new(
            ErrorKind::Protocol,
            format!(
                "\"{}\" is a local path, not a URL or NAME:/path (NAME being a bookmark or an ssh Host alias)",
                crate::model::escape_control(text)
            ),
        )
    };
    let is_drive = |t: &str| {
        let bytes = t.as_bytes();
        bytes.len() >= 2
            && bytes[0].is_ascii_alphabetic()
            && bytes[1] == b':'
            && (bytes.len() == 2 || matches!(bytes[2], b'\\' | b'/'))
    };
    if text.is_empty() || text.starts_with(['/', '.', '~', '\\']) || is_drive(text) {
        return Err(not_a_name());
    }
    let (target, path) = match text.split_once(':') {
        Some((target, path)) => (target, if path.is_empty() { None } else { Some(path.to_string()) }),
        None => (text, None),
    };
    if target.contains(['/', '\\']) {
        return Err(not_a_name());
    }
    let (user, name) = match target.rsplit_once('@') {
        Some((user, name)) => (Some(user), name),
        None => (None, target),
    };
    if name.is_empty() {
        return Err(FerryError::new(ErrorKind::Protocol, "no name before the colon (write NAME:/path)"));
    }
    Ok((user.filter(|u| !u.is_empty()), name, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bookmarks::BookmarkId;
    use crate::model::FtpMode;

    fn bookmarks() -> BookmarkFile {
        let site = Bookmark {
            id: BookmarkId("b1".into()),
            name: "Web Site".into(),
            folder: Vec::new(),
            protocol: Protocol::Ftpes,
            host: "ftp.example.org".into(),
            port: 2121,
            user: "webmaster".into(),
            login: LoginMethod::Password,
            key_file: None,
            ftp_mode: FtpMode::Active,
            remote_dir: Some("/htdocs".into()),
            local_dir: None,
            comment: String::new(),
            uploads_in_place: false,
            connect_through: None,
            proxy: None,
            keep: Default::default(),
            limit_down: None,
            limit_up: None,
            name_charset: Default::default(),
            server_time_zone: crate::model::ServerTimeZone::Auto,
        };
        let shell = Bookmark {
            id: BookmarkId("b2".into()),
            name: "box".into(),
            protocol: Protocol::Sftp,
            host: "box".into(),
            port: 22,
            user: String::new(),
            login: LoginMethod::Agent,
            ftp_mode: FtpMode::Passive,
            remote_dir: None,
            ..site.clone()
        };
        BookmarkFile { bookmarks: vec![site, shell], ..BookmarkFile::default() }
    }

    fn config(dir: &Path) -> SshConfig {
        let key = dir.join("id_box");
        std::fs::write(&key, "not really a key").unwrap();
        let text = format!(
            "Host box\n  HostName 192.0.2.7\n  User admin\n  Port 2200\n  IdentityFile {}/missing\n  IdentityFile {}\n\
             Host jumpy\n  ProxyJump bastion,ops@box:22\nHost piped\n  HostName 198.51.100.4\n  \
             ProxyCommand ssh -W %h:%p gw # %r@%n 100%%\nHost loopy\n  ProxyJump jumpy\n",
            dir.display(),
            key.display()
        );
        SshConfig::parse(&text, dir)
    }

    #[test]
    fn bookmark_names_with_paths() {
        let file = bookmarks();
        let target = resolve_target("Web Site:/htdocs/img", &file, None).unwrap();
        assert_eq!(target.spec.display_url(), "ftpes://webmaster@ftp.example.org:2121");
        assert_eq!(target.spec.ftp_mode, FtpMode::Active);
        assert_eq!(target.path.as_deref(), Some("/htdocs/img"));
        assert_eq!(target.bookmark.unwrap().id.0, "b1");
        let target = resolve_target("web site", &file, None).unwrap();
        assert_eq!(target.path, None);
        assert_eq!(target.spec.initial_path.as_deref(), Some("/htdocs"));
        let target = resolve_target("other@Web Site:docs", &file, None).unwrap();
        assert_eq!(target.spec.user, "other");
        assert_eq!(target.path.as_deref(), Some("docs"));
    }

    #[test]
    fn ssh_aliases_apply_host_user_port_and_the_first_existing_key() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let empty = BookmarkFile::default();
        let target = resolve_target("box:/var/www", &empty, Some(&config)).unwrap();
        assert_eq!(target.spec.display_url(), "sftp://admin@192.0.2.7:2200");
        assert_eq!(target.spec.identity, Some(dir.path().join("id_box")));
        assert_eq!(target.path.as_deref(), Some("/var/www"));
        let target = resolve_target("root@BOX", &empty, Some(&config)).unwrap();
        assert_eq!(target.spec.user, "root");
        // A URL naming the alias gets the same, but its own user and port win.
        let target = resolve_target("sftp://me@box:2022/x", &empty, Some(&config)).unwrap();
        assert_eq!(target.spec.display_url(), "sftp://me@192.0.2.7:2022");
        let target = resolve_target("sftp://box/x", &empty, Some(&config)).unwrap();
        assert_eq!(target.spec.display_url(), "sftp://admin@192.0.2.7:2200");
        // FTP URLs are not ssh's business.
        let target = resolve_target("ftp://box/x", &empty, Some(&config)).unwrap();
        assert_eq!(target.spec.host, "box");
    }

    #[test]
    fn sftp_bookmarks_on_an_alias_get_the_config_but_keep_their_choices() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let target = resolve_target("box", &bookmarks(), Some(&config)).unwrap();
        assert_eq!(target.spec.display_url(), "sftp://admin@192.0.2.7:2200");
        // The bookmark logs in with the agent: no key file is slipped in.
        assert_eq!(target.spec.identity, None);
    }

    #[test]
    fn proxy_jump_hops_get_their_own_config_and_proxy_command_its_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let config = config(dir.path());
        let target = resolve_target("jumpy:/", &BookmarkFile::default(), Some(&config)).unwrap();
        let Route::Jump(hops) = target.spec.route else { panic!("{:?}", target.spec.route) };
        assert_eq!((hops[0].host.as_str(), hops[0].port, hops[0].user.as_str()), ("bastion", 22, ""));
        assert_eq!((hops[1].host.as_str(), hops[1].port, hops[1].user.as_str()), ("192.0.2.7", 22, "ops"));
        assert_eq!(hops[1].identity, Some(dir.path().join("id_box")));

        let target = resolve_target("sam@piped:/", &BookmarkFile::default(), Some(&config)).unwrap();
        assert_eq!(target.spec.route, Route::Command("ssh -W 198.51.100.4:22 gw # sam@piped 100%".into()));

        // A hop that has its own ProxyJump is refused, not reached directly.
        let error = resolve_target("loopy:/", &BookmarkFile::default(), Some(&config)).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Unsupported);
        assert!(error.context.contains("jump host jumpy"), "{error}");
    }

    #[test]
    fn unknown_names_and_local_paths() {
        let file = bookmarks();
        let error = resolve_target("nowhere:/x", &file, None).unwrap_err();
        assert_eq!(error.kind, ErrorKind::NotFound);
        assert!(error.context.contains("\"nowhere\""), "{error}");
        for local in ["/etc/passwd", "./a:b", "C:\\Users\\x", "c:/x", "~/x", "dir/file:x", ":/x"] {
            let error = resolve_target(local, &file, None).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Protocol, "{local}: {error}");
        }
    }

    #[test]
    fn urls_pass_through_with_their_password() {
        let target = resolve_target("sftp://u:pw@h:2222/srv", &BookmarkFile::default(), None).unwrap();
        assert_eq!(target.spec.display_url(), "sftp://u@h:2222");
        assert!(target.spec.password.is_some());
        assert_eq!(target.path.as_deref(), Some("/srv"));
    }

    #[test]
    fn no_keychain_means_no_secret_and_a_prompt_later() {
        let file = bookmarks();
        let bookmark = file.find_by_name("Web Site").unwrap();
        let mut spec = bookmark_spec(bookmark, None).unwrap();
        attach_secret(&mut spec, bookmark, &Keychain::unavailable()).unwrap();
        assert!(spec.password.is_none());
    }
}
