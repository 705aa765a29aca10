//! Parses the URLs Ferry accepts: `sftp://`, `ftp://`, `ftpes://` and `ftps://`, with user, password, port and path.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use secrecy::SecretString;

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, Protocol};
use crate::name_charset::NameCharset;

/// A parsed URL: how to connect, and which remote path it names (None: the login folder).
#[derive(Debug, Clone)]
pub struct RemoteUrl {
    /// How to connect; `initial_path` is set to `path`.
    pub spec: ConnectSpec,
    /// The path named by the URL, percent-decoded. `None` when the URL names no path (the login folder).
    pub path: Option<String>,
}

/// Parses a Ferry URL. The error never repeats the URL, since it may hold a password.
pub fn parse_url(text: &str) -> Result<RemoteUrl> {
    let invalid = |why: &str| FerryError::new(ErrorKind::Protocol, format!("invalid URL: {why}"));
    let parsed = url::Url::parse(text.trim()).map_err(|e| invalid(&e.to_string()))?;
    let protocol = match parsed.scheme() {
        "sftp" => Protocol::Sftp,
        "ftp" => Protocol::Ftp,
        "ftpes" => Protocol::Ftpes,
        "ftps" => Protocol::Ftps,
        other => return Err(invalid(&format!("unsupported scheme \"{other}\" (use sftp, ftp, ftpes or ftps)"))),
    };
    let host = match parsed.host() {
        Some(url::Host::Ipv6(address)) => address.to_string(),
        Some(host) => decode(&host.to_string(), "host")?,
        None => return Err(invalid("no host")),
    };
    if host.is_empty() {
        return Err(invalid("no host"));
    }
    let mut spec = ConnectSpec::new(protocol, host);
    spec.port = parsed.port().unwrap_or(protocol.default_port());
    spec.user = decode(parsed.username(), "user name")?;
    spec.password = match parsed.password() {
        Some(password) => Some(SecretString::from(decode(password, "password")?)),
        None => None,
    };
    // An FTP name need not be UTF-8 (`%E9` for a Latin-1 "é"): its bytes are kept as the escapes
    // the site's listings show (see `NameCharset`), so the URL names the file the server has.
    let path = match protocol.is_ftp() {
        true => NameCharset::Auto.decode(&percent_decode_str(parsed.path()).collect::<Vec<u8>>()),
        false => decode(parsed.path(), "path")?,
    };
    let path = url_path(protocol, &path);
    spec.initial_path = path.clone();
    Ok(RemoteUrl { spec, path })
}

/// The remote path a URL's path names, `None` for the login folder. SFTP paths are absolute,
/// with `/~/dir` for "dir in the login folder" (as curl and OpenSSH write it); FTP paths are
/// relative to the login folder, with `//dir` or `/%2Fdir` for an absolute one (RFC 1738, curl).
fn url_path(protocol: Protocol, path: &str) -> Option<String> {
    let home_relative = |rest: &str| if rest.is_empty() { None } else { Some(rest.to_string()) };
    match path {
        "" | "/~" | "/~/" => None,
        p if p.starts_with("/~/") => home_relative(&p["/~/".len()..]),
        p if protocol.is_ftp() && p.starts_with("//") => Some(p[1..].to_string()),
        p if protocol.is_ftp() => home_relative(&p[1..]),
        p => Some(p.to_string()),
    }
}

/// What a URL's path may not hold as is: everything but unreserved characters, sub-delimiters,
/// `/` (which separates its parts), `:` and `@`.
const PATH_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// What a URL's user name may not hold as is (RFC 3986 userinfo, without `:`, which would start
/// the password): as for a path, and `/`, `:` and `@` too.
const USER_ESCAPES: &AsciiSet = &PATH_ESCAPES.add(b'/').add(b':').add(b'@');

/// The URL of `path` on the site `spec` names, never with a password: each part percent-encoded
/// (spaces, `#`, `?`, non-ASCII, a user name with `@`), so that pasted anywhere it opens that very
/// path. FTP URL paths are relative to the login folder, so an absolute one starts with `/%2F`
/// (RFC 1738, as curl writes it); SFTP paths are absolute as they are.
pub fn url_of(spec: &ConnectSpec, path: &str) -> String {
    let user = if spec.user.is_empty() {
        String::new()
    } else {
        format!("{}@", utf8_percent_encode(&spec.user, USER_ESCAPES))
    };
    let host = if spec.host.contains(':') { format!("[{}]", spec.host) } else { spec.host.clone() };
    let encoded = utf8_percent_encode(path.trim_start_matches('/'), PATH_ESCAPES).to_string();
    let absolute = path.starts_with('/');
    let path = match (spec.protocol.is_ftp(), absolute) {
        (true, true) => format!("/%2F{encoded}"),
        (false, true) => format!("/{encoded}"),
        // A path relative to the login folder.
        (true, false) => format!("/{encoded}"),
        (false, false) => format!("/~/{encoded}"),
    };
    format!("{}://{}{}:{}{}", spec.protocol.scheme(), user, host, spec.port, path)
}

/// The `file://` URL of a local absolute path, percent-encoded as [`url_of`] does.
pub fn file_url(path: &str) -> String {
    format!("file:///{}", utf8_percent_encode(path.trim_start_matches('/'), PATH_ESCAPES))
}

/// Percent-decodes one URL part as UTF-8.
fn decode(part: &str, what: &str) -> Result<String> {
    percent_decode_str(part)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| FerryError::new(ErrorKind::Protocol, format!("invalid URL: the {what} is not valid UTF-8")))
}

/// Where the password of a URL-like `text` sits (its bytes), if it has one. A URL that parses
/// is read as URLs are: the user info ends at the last `@` before the path. One that does not
/// parse (a typo, a port out of range, a `/` in the password) is read generously, up to its last
/// `@`, since hiding a bit too much is better than showing a password.
pub fn password_span(text: &str) -> Option<std::ops::Range<usize>> {
    let start = text.find("://")? + "://".len();
    let rest = &text[start..];
    let parses = url::Url::parse(text.trim()).is_ok();
    let authority_end = if parses { rest.find(['/', '?', '#']).unwrap_or(rest.len()) } else { rest.len() };
    let at = rest[..authority_end].rfind('@')?;
    let colon = rest[..at].find(':')?;
    Some(start + colon + 1..start + at)
}

/// `text` with a URL's password replaced by `***`, for showing a URL Ferry could not parse.
pub fn mask_password(text: &str) -> String {
    match password_span(text) {
        Some(span) => format!("{}***{}", &text[..span.start], &text[span.end..]),
        None => text.to_string(),
    }
}

/// Whether `text` looks like a URL (has a scheme), as opposed to a local path.
pub fn looks_like_url(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
    })
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn full_sftp_url_with_escapes() {
        let url = parse_url("sftp://b%C3%B6b:p%40ss%3Aword@example.org:2222/srv/my%20files/").unwrap();
        assert_eq!(url.spec.protocol, Protocol::Sftp);
        assert_eq!(url.spec.user, "böb");
        assert_eq!(url.spec.password.as_ref().unwrap().expose_secret(), "p@ss:word");
        assert_eq!(url.spec.host, "example.org");
        assert_eq!(url.spec.port, 2222);
        assert_eq!(url.path.as_deref(), Some("/srv/my files/"));
    }

    #[test]
    fn a_copied_url_is_encoded_and_opens_the_same_path() {
        let mut spec = ConnectSpec::new(Protocol::Sftp, "example.org");
        spec.user = "me@work".into();
        spec.port = 2222;
        let path = "/srv/my files/#1 ?x=%y/naïve ✓.txt";
        let url = url_of(&spec, path);
        assert_eq!(url, "sftp://me%40work@example.org:2222/srv/my%20files/%231%20%3Fx=%25y/na%C3%AFve%20%E2%9C%93.txt");
        let parsed = parse_url(&url).unwrap();
        assert_eq!((parsed.spec.user.as_str(), parsed.path.as_deref()), ("me@work", Some(path)));

        let mut ftp = ConnectSpec::new(Protocol::Ftp, "example.org");
        ftp.user = "bob".into();
        let url = url_of(&ftp, "/home/bob/a b.txt");
        assert_eq!(url, "ftp://bob@example.org:21/%2Fhome/bob/a%20b.txt");
        assert_eq!(parse_url(&url).unwrap().path.as_deref(), Some("/home/bob/a b.txt"));
        assert_eq!(parse_url(&url_of(&ftp, "sub/x")).unwrap().path.as_deref(), Some("sub/x"));
    }

    #[test]
    fn default_ports_per_scheme() {
        assert_eq!(parse_url("sftp://h").unwrap().spec.port, 22);
        assert_eq!(parse_url("ftp://h").unwrap().spec.port, 21);
        assert_eq!(parse_url("ftpes://h").unwrap().spec.port, 21);
        assert_eq!(parse_url("ftps://h").unwrap().spec.port, 990);
        assert_eq!(parse_url("ftp://h:2121/").unwrap().spec.port, 2121);
    }

    #[test]
    fn paths_absolute_home_and_none() {
        assert_eq!(parse_url("sftp://h").unwrap().path, None);
        assert_eq!(parse_url("sftp://h/").unwrap().path.as_deref(), Some("/"));
        assert_eq!(parse_url("sftp://h/~/docs/a.txt").unwrap().path.as_deref(), Some("docs/a.txt"));
    }

    #[test]
    fn ftp_paths_are_relative_to_the_login_folder() {
        assert_eq!(parse_url("ftp://h/").unwrap().path, None);
        assert_eq!(parse_url("ftp://h/pub/a.txt").unwrap().path.as_deref(), Some("pub/a.txt"));
        assert_eq!(parse_url("ftp://h//etc/motd").unwrap().path.as_deref(), Some("/etc/motd"));
        assert_eq!(parse_url("ftp://h/%2Fetc").unwrap().path.as_deref(), Some("/etc"));
    }

    #[test]
    fn ipv6_hosts() {
        let url = parse_url("sftp://u@[::1]:2022/x").unwrap();
        assert_eq!(url.spec.host, "::1");
        assert_eq!(url.spec.display_url(), "sftp://u@[::1]:2022");
    }

    #[test]
    fn errors_never_repeat_the_password() {
        for bad in ["http://u:secretpw@h/", "sftp://u:secretpw@/x", "sftp://u:secretpw@h:99999/"] {
            let error = parse_url(bad).unwrap_err();
            assert!(!error.to_string().contains("secretpw"), "{error}");
        }
    }

    #[test]
    fn passwords_are_masked_in_urls_that_do_not_parse() {
        for (text, shown) in [
            ("sftp://u:secretpw@h:99999/x", "sftp://u:***@h:99999/x"),
            ("sftp://u:sec/ret@h/x", "sftp://u:***@h/x"),
            ("sftp://u:secretpw@h:22/a@b", "sftp://u:***@h:22/a@b"),
            ("sftp://h:22/a@b", "sftp://h:22/a@b"),
            ("sftp://u@h/x", "sftp://u@h/x"),
            ("web:/srv", "web:/srv"),
        ] {
            assert_eq!(mask_password(text), shown, "{text}");
        }
    }

    #[test]
    fn tells_urls_from_paths() {
        assert!(looks_like_url("ftp://x"));
        assert!(!looks_like_url("/tmp/a"));
        assert!(!looks_like_url("C:\\x"));
    }
}
