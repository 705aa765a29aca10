//! Parses the URLs Ferry accepts: `sftp://`, `ftp://`, `ftpes://` and `ftps://`, with user, password, port and path.

use percent_encoding::percent_decode_str;
use secrecy::SecretString;

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, Protocol};

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
    let path = url_path(protocol, &decode(parsed.path(), "path")?);
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
