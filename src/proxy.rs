//! Which proxy a connection goes through: SOCKS5 (names resolved here or by the proxy) or an HTTP
//! proxy's `CONNECT`, read from a URL (`socks5://`, `socks5h://`, `http://`), and which one applies
//! to a host: an explicit one, else `ALL_PROXY` unless `NO_PROXY` names the host, as curl reads
//! them. Pure: the backend makes the tunnel (`backend::proxy_tunnel`).

use std::fmt;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, FerryError, Result};

/// How the proxy is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProxyKind {
    /// SOCKS5; the server's name is resolved on this computer and its address is sent (`socks5://`).
    Socks5,
    /// SOCKS5; the server's name is sent and the proxy resolves it (`socks5h://`).
    Socks5Hostname,
    /// An HTTP proxy's `CONNECT` (`http://`).
    HttpConnect,
}

impl ProxyKind {
    /// The URL scheme that names this kind.
    pub fn scheme(self) -> &'static str {
        match self {
            ProxyKind::Socks5 => "socks5",
            ProxyKind::Socks5Hostname => "socks5h",
            ProxyKind::HttpConnect => "http",
        }
    }

    /// How a message names it: "SOCKS5 proxy", "HTTP proxy".
    pub fn noun(self) -> &'static str {
        match self {
            ProxyKind::Socks5 | ProxyKind::Socks5Hostname => "SOCKS5 proxy",
            ProxyKind::HttpConnect => "HTTP proxy",
        }
    }

    /// The port a URL without one means (curl's: 1080 for SOCKS, 1080 for HTTP too).
    fn default_port(self) -> u16 {
        1080
    }
}

/// A proxy to connect through.
#[derive(Clone, Serialize, Deserialize)]
pub struct Proxy {
    /// How it is spoken to.
    pub kind: ProxyKind,
    /// Its host name or address.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// The user name to log in to it with; none for a proxy that asks for no login.
    #[serde(default)]
    pub user: Option<String>,
    /// Its password, from the URL typed, the keychain or a question. Never saved.
    #[serde(skip)]
    pub password: Option<SecretString>,
}

/// The same proxy whatever password was given for it.
impl PartialEq for Proxy {
    fn eq(&self, other: &Self) -> bool {
        (self.kind, &self.host, self.port, &self.user) == (other.kind, &other.host, other.port, &other.user)
    }
}

impl Eq for Proxy {}

/// Never shows the password.
impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.display_url())
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl Proxy {
    /// `socks5h://user@host:port`, without the password: what is saved and shown.
    pub fn display_url(&self) -> String {
        let user = match &self.user {
            Some(user) => format!("{}@", percent_encoding::utf8_percent_encode(user, USERINFO)),
            None => String::new(),
        };
        crate::model::escape_control(&format!("{}://{user}{}", self.kind.scheme(), self.address()))
    }

    /// `host:port` (an IPv6 address in brackets).
    pub fn address(&self) -> String {
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        format!("{host}:{}", self.port)
    }

    /// "the SOCKS5 proxy 127.0.0.1:1080": how every message about it names it.
    pub fn label(&self) -> String {
        crate::model::escape_control(&format!("the {} {}", self.kind.noun(), self.address()))
    }
}

/// What a user name is percent-encoded with in a shown URL: everything that could end it.
const USERINFO: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'@').add(b':').add(b'/').add(b'%').add(b' ').add(b'#').add(b'?');

/// Parses `socks5://[user[:password]@]host[:port]`, `socks5h://…` or `http://…`. A URL without a
/// scheme is an HTTP proxy, as curl takes it. `user` and `password` may be percent-encoded.
pub fn parse_proxy_url(text: &str) -> Result<Proxy> {
    let written = text.trim();
    let shown = crate::model::escape_control(&strip_password(written));
    let bad = |why: &str| {
        FerryError::new(
            ErrorKind::Protocol,
            format!(
                "the proxy \"{shown}\" {why} (write socks5://, socks5h:// or http://, then [user[:password]@]host:port)"
            ),
        )
    };
    let with_scheme = if written.contains("://") { written.to_string() } else { format!("http://{written}") };
    let url = url::Url::parse(&with_scheme).map_err(|_| bad("is not a proxy address"))?;
    let kind = match url.scheme().to_ascii_lowercase().as_str() {
        "socks5" => ProxyKind::Socks5,
        "socks5h" => ProxyKind::Socks5Hostname,
        "http" => ProxyKind::HttpConnect,
        _ => return Err(bad("has a kind Ferry does not speak")),
    };
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(bad("has more than an address"));
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(address)) => address.to_string(),
        Some(host) => host.to_string(),
        None => return Err(bad("names no host")),
    };
    let decode = |part: &str| percent_encoding::percent_decode_str(part).decode_utf8_lossy().into_owned();
    let user = (!url.username().is_empty()).then(|| decode(url.username()));
    let password = url.password().map(|password| SecretString::from(decode(password)));
    if user.as_ref().is_some_and(|user| user.len() > 255)
        || password.as_ref().is_some_and(|p| secrecy::ExposeSecret::expose_secret(p).len() > 255)
    {
        // SOCKS5 carries each in one length byte.
        return Err(bad("has a user name or password over 255 bytes"));
    }
    let port = url.port().unwrap_or(kind.default_port());
    Ok(Proxy { kind, host, port, user, password })
}

/// The URL as it may be shown: `:password` before `@` taken out.
fn strip_password(text: &str) -> String {
    let Some((head, rest)) = text.rsplit_once('@') else { return text.to_string() };
    let (scheme, userinfo) = match head.split_once("://") {
        Some((scheme, userinfo)) => (format!("{scheme}://"), userinfo),
        None => (String::new(), head),
    };
    let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
    format!("{scheme}{user}@{rest}")
}

/// Where a connection's proxy comes from, first that is set wins.
#[derive(Debug, Clone, Default)]
pub struct ProxySources {
    /// Given for this run (`--proxy`); `none`-like values are parsed by the caller.
    pub explicit: Option<ProxyChoice>,
    /// The site's own choice in the site manager.
    pub site: Option<ProxyChoice>,
    /// `ALL_PROXY` / `all_proxy`, as read from the environment.
    pub all_proxy: Option<String>,
    /// `NO_PROXY` / `no_proxy`, as read from the environment.
    pub no_proxy: Option<String>,
    /// The default proxy in Settings.
    pub default: Option<Proxy>,
}

/// A choice made for a site or a run: a proxy, or none even where a default names one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    /// Straight to the server.
    Direct,
    /// Through this proxy.
    Through(Proxy),
}

impl ProxySources {
    /// The run's and the site's choices, with `ALL_PROXY` and `NO_PROXY` from the environment.
    pub fn with_environment(explicit: Option<ProxyChoice>, site: Option<ProxyChoice>) -> ProxySources {
        let (all_proxy, no_proxy) = environment_sources();
        ProxySources { explicit, site, all_proxy, no_proxy, default: None }
    }
}

/// Reads `ALL_PROXY`/`all_proxy` and `NO_PROXY`/`no_proxy` (lower case first, as curl does).
pub fn environment_sources() -> (Option<String>, Option<String>) {
    let read = |lower: &str, upper: &str| {
        std::env::var(lower).ok().or_else(|| std::env::var(upper).ok()).filter(|value| !value.trim().is_empty())
    };
    (read("all_proxy", "ALL_PROXY"), read("no_proxy", "NO_PROXY"))
}

/// The proxy a connection to `host` goes through: the run's choice, else the site's, else
/// `ALL_PROXY` and then Settings' default, both unless `NO_PROXY` names the host. A choice made
/// on purpose (`--proxy`, the site's) is never undone by `NO_PROXY`.
pub fn choose(sources: &ProxySources, host: &str) -> Result<Option<Proxy>> {
    if let Some(choice) = sources.explicit.as_ref().or(sources.site.as_ref()) {
        return Ok(match choice {
            ProxyChoice::Direct => None,
            ProxyChoice::Through(proxy) => Some(proxy.clone()),
        });
    }
    if sources.no_proxy.as_deref().is_some_and(|list| no_proxy_matches(list, host)) {
        return Ok(None);
    }
    if let Some(url) = &sources.all_proxy {
        return parse_proxy_url(url)
            .map(Some)
            .map_err(|error| FerryError { context: format!("ALL_PROXY: {}", error.context), ..error });
    }
    Ok(sources.default.clone())
}

/// Whether curl's `NO_PROXY` list (names and addresses separated by commas or spaces; `*` for all;
/// a name also covers its subdomains, a leading dot allowed) names `host`.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').trim_end_matches('.').to_ascii_lowercase();
    list.split([',', ' ']).map(str::trim).filter(|entry| !entry.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches('[').trim_end_matches(']');
        let entry = entry.trim_start_matches('.').trim_end_matches('.').to_ascii_lowercase();
        if let Ok(network) = entry.parse::<CidrBlock>() {
            return host.parse::<std::net::IpAddr>().is_ok_and(|address| network.contains(address));
        }
        host == entry || host.ends_with(&format!(".{entry}"))
    })
}

/// An address with an optional `/bits` prefix length, as `NO_PROXY` may hold.
struct CidrBlock {
    address: std::net::IpAddr,
    bits: u8,
}

impl std::str::FromStr for CidrBlock {
    type Err = ();
    fn from_str(text: &str) -> std::result::Result<Self, ()> {
        let (address, bits) = match text.split_once('/') {
            Some((address, bits)) => (address, Some(bits.parse::<u8>().map_err(|_| ())?)),
            None => (text, None),
        };
        let address: std::net::IpAddr = address.parse().map_err(|_| ())?;
        let most = if address.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(most);
        if bits > most {
            return Err(());
        }
        Ok(CidrBlock { address, bits })
    }
}

impl CidrBlock {
    fn contains(&self, address: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let (ours, theirs, width) = match (self.address, address) {
            (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
            (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
            _ => return false,
        };
        let shift = width - u32::from(self.bits);
        shift >= 128 || (ours >> shift) == (theirs >> shift)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn a_socks5h_url_with_a_login_is_read_whole() {
        let proxy = parse_proxy_url("socks5h://al%40ice:p%3Ass@proxy.example:1081").expect("parses");
        assert_eq!(proxy.kind, ProxyKind::Socks5Hostname);
        assert_eq!((proxy.host.as_str(), proxy.port), ("proxy.example", 1081));
        assert_eq!(proxy.user.as_deref(), Some("al@ice"));
        assert_eq!(proxy.password.as_ref().map(|p| p.expose_secret().to_string()).as_deref(), Some("p:ss"));
        assert_eq!(proxy.display_url(), "socks5h://al%40ice@proxy.example:1081");
        assert!(!format!("{proxy:?}").contains("p:ss"));
    }

    #[test]
    fn a_bare_address_is_an_http_proxy_and_ipv6_keeps_its_brackets() {
        let proxy = parse_proxy_url("[::1]:3128").expect("parses");
        assert_eq!((proxy.kind, proxy.host.as_str(), proxy.port), (ProxyKind::HttpConnect, "::1", 3128));
        assert_eq!(proxy.label(), "the HTTP proxy [::1]:3128");
        assert_eq!(parse_proxy_url("socks5://h").expect("parses").port, 1080);
    }

    #[test]
    fn a_wrong_url_is_refused_without_showing_its_password() {
        for text in
            ["ftp://u:secret@h:1", "socks5://u:secret@h:1/path", "socks5://u:secret@:1", "http://u:secret@h:99999"]
        {
            let error = parse_proxy_url(text).expect_err(text);
            assert!(!error.context.contains("secret"), "{error}");
            assert!(error.context.contains("proxy"), "{error}");
        }
    }

    #[test]
    fn the_run_and_the_site_win_over_the_environment_and_no_proxy_only_skips_the_rest() {
        let env = parse_proxy_url("socks5://env:1").expect("parses");
        let mut sources = ProxySources {
            all_proxy: Some("socks5://env:1".into()),
            no_proxy: Some("localhost, .internal.example,10.0.0.0/8".into()),
            ..ProxySources::default()
        };
        assert_eq!(choose(&sources, "files.example").expect("chooses"), Some(env.clone()));
        assert_eq!(choose(&sources, "a.internal.example").expect("chooses"), None);
        assert_eq!(choose(&sources, "10.2.3.4").expect("chooses"), None);
        assert_eq!(choose(&sources, "11.2.3.4").expect("chooses"), Some(env));
        let explicit = parse_proxy_url("http://explicit:3128").expect("parses");
        sources.explicit = Some(ProxyChoice::Through(explicit.clone()));
        assert_eq!(choose(&sources, "localhost").expect("chooses"), Some(explicit));
        sources.explicit = None;
        sources.site = Some(ProxyChoice::Direct);
        assert_eq!(choose(&sources, "files.example").expect("chooses"), None);
    }

    #[test]
    fn no_proxy_is_read_as_curl_reads_it() {
        assert!(no_proxy_matches("*", "anything"));
        assert!(no_proxy_matches("example.com", "EXAMPLE.com."));
        assert!(no_proxy_matches("example.com", "ftp.example.com"));
        assert!(!no_proxy_matches("example.com", "badexample.com"));
        assert!(no_proxy_matches("::1", "[::1]"));
        assert!(no_proxy_matches("127.0.0.0/8", "127.0.0.1"));
        assert!(!no_proxy_matches("127.0.0.0/8", "localhost"));
    }
}
