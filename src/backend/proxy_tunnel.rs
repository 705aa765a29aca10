//! Opens a TCP connection to a server, straight or through a proxy: SOCKS5 (tokio-socks) or an
//! HTTP proxy's `CONNECT`. The whole exchange with the proxy has the connection timeout, its reply
//! is read to a fixed limit and never past its end (the server's first bytes follow it), and
//! every error names the proxy, not the server.

use std::time::Duration;

use secrecy::ExposeSecret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::error::{ErrorKind, FerryError, Result};
use crate::proxy::{Proxy, ProxyKind};

/// The most an HTTP proxy's reply to `CONNECT` may hold before its blank line: real ones send a
/// few hundred bytes; a reply that goes on is a broken or hostile proxy.
pub const HTTP_REPLY_LIMIT: usize = 16 * 1024;

/// A TCP connection to `host`:`port`, through `proxy` when there is one, within `timeout`.
pub async fn connect(proxy: Option<&Proxy>, host: &str, port: u16, timeout: Duration) -> Result<TcpStream> {
    let Some(proxy) = proxy else { return super::tcp_connect(host, port, timeout).await };
    let label = proxy.label();
    let stream = super::tcp_connect(&proxy.host, proxy.port, timeout)
        .await
        .map_err(|error| FerryError { context: format!("reaching {label}: {}", error.context), ..error })?;
    let exchange = async {
        match proxy.kind {
            ProxyKind::Socks5 | ProxyKind::Socks5Hostname => socks5(stream, proxy, host, port).await,
            ProxyKind::HttpConnect => http_connect(stream, proxy, host, port).await,
        }
    };
    let stream = tokio::time::timeout(timeout, exchange).await.unwrap_or_else(|_| {
        Err(FerryError::new(
            ErrorKind::Timeout,
            format!("{label} did not finish opening the way to {} within {} s", target(host, port), timeout.as_secs()),
        ))
    })?;
    crate::transcript::note(&format!("{label} connected to {}", target(host, port)));
    Ok(stream)
}

/// `host:port`, an IPv6 address in brackets, control characters escaped.
fn target(host: &str, port: u16) -> String {
    let host = if host.contains(':') { format!("[{host}]") } else { host.to_string() };
    crate::model::escape_control(&format!("{host}:{port}"))
}

async fn socks5(stream: TcpStream, proxy: &Proxy, host: &str, port: u16) -> Result<TcpStream> {
    use tokio_socks::tcp::Socks5Stream;
    let label = proxy.label();
    let to = target(host, port);
    // socks5:// resolves the name here and sends the address, as curl does; socks5h:// sends the
    // name and lets the proxy resolve it (a name only the proxy's side knows).
    let address = match proxy.kind {
        ProxyKind::Socks5 => {
            let mut found = tokio::net::lookup_host((host, port)).await.map_err(|_| {
                FerryError::new(ErrorKind::HostNotFound, format!("no address is known for {}", target(host, port)))
            })?;
            let address = found
                .next()
                .ok_or_else(|| FerryError::new(ErrorKind::HostNotFound, format!("no address is known for {to}")))?;
            tokio_socks::TargetAddr::Ip(address)
        }
        _ => {
            if host.len() > 255 {
                return Err(FerryError::new(
                    ErrorKind::Protocol,
                    format!("{label} cannot carry a host name over 255 bytes"),
                ));
            }
            tokio_socks::TargetAddr::Domain(host.into(), port)
        }
    };
    let opened = match &proxy.user {
        Some(user) => {
            let password = proxy.password.as_ref().map(|p| p.expose_secret().to_string()).unwrap_or_default();
            Socks5Stream::connect_with_password_and_socket(stream, address, user, &password).await
        }
        None => Socks5Stream::connect_with_socket(stream, address).await,
    };
    opened.map(Socks5Stream::into_inner).map_err(|error| socks_error(&error, proxy, &to))
}

/// A SOCKS5 failure in words that say whether the proxy or the server beyond it said no.
fn socks_error(error: &tokio_socks::Error, proxy: &Proxy, to: &str) -> FerryError {
    use tokio_socks::Error as Socks;
    let label = proxy.label();
    let (kind, context) = match error {
        Socks::Io(io) => return FerryError::from_io(io, format!("talking to {label}")),
        Socks::PasswordAuthFailure(_) => {
            (ErrorKind::ProxyFailed, format!("{label} refused the user name or password given for it"))
        }
        Socks::NoAcceptableAuthMethods if proxy.user.is_none() => {
            (ErrorKind::ProxyFailed, format!("{label} asks for a user name and password, and none was given for it"))
        }
        Socks::NoAcceptableAuthMethods | Socks::UnknownAuthMethod | Socks::InvalidAuthValues(_) => {
            (ErrorKind::ProxyFailed, format!("{label} accepts none of the login methods Ferry offers"))
        }
        Socks::ConnectionNotAllowedByRuleset => {
            (ErrorKind::ProxyFailed, format!("{label} does not allow connections to {to}"))
        }
        Socks::ConnectionRefused => {
            (ErrorKind::ConnectionRefused, format!("{to} refused the connection that {label} made"))
        }
        Socks::HostUnreachable | Socks::NetworkUnreachable | Socks::TtlExpired => {
            (ErrorKind::ConnectionLost, format!("{label} could not reach {to}"))
        }
        Socks::GeneralSocksServerFailure => {
            (ErrorKind::ProxyFailed, format!("{label} could not connect to {to} (it names no reason)"))
        }
        Socks::InvalidTargetAddress(_) => (ErrorKind::Protocol, format!("{label} cannot carry the address {to}")),
        _ => (ErrorKind::ProxyFailed, format!("{label} answered something that is not SOCKS5")),
    };
    FerryError::new(kind, context).with_detail(error.to_string())
}

async fn http_connect(mut stream: TcpStream, proxy: &Proxy, host: &str, port: u16) -> Result<TcpStream> {
    let label = proxy.label();
    let to = target(host, port);
    // The host goes into a request line: anything that could end it or start another is refused.
    if host.is_empty() || host.chars().any(|c| c.is_control() || c.is_whitespace() || c == '/' || c == '@') {
        return Err(FerryError::new(ErrorKind::Protocol, format!("{label} cannot be asked for the host {to}")));
    }
    let authority = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(user) = &proxy.user {
        use base64::Engine;
        let password = proxy.password.as_ref().map(|p| p.expose_secret().to_string()).unwrap_or_default();
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        request.push_str(&format!("Proxy-Authorization: Basic {token}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.map_err(|e| FerryError::from_io(&e, format!("talking to {label}")))?;
    let head = read_reply_head(&mut stream, &label).await?;
    let status_line = head.lines().next().unwrap_or_default();
    let mut words = status_line.splitn(3, ' ');
    let version = words.next().unwrap_or_default();
    let code = words.next().and_then(|code| code.parse::<u16>().ok());
    let reason = crate::model::escape_control(words.next().unwrap_or_default().trim());
    let code = match code {
        Some(code) if version.starts_with("HTTP/") => code,
        _ => {
            return Err(FerryError::new(
                ErrorKind::ProxyFailed,
                format!("{label} answered something that is not HTTP"),
            )
            .with_reply(crate::model::escape_control(status_line)));
        }
    };
    let refused =
        |kind: ErrorKind, context: String| Err(FerryError::new(kind, context).with_reply(format!("{code} {reason}")));
    match code {
        200..=299 => Ok(stream),
        // tinyproxy answers a wrong login with 401, where the standard says 407.
        401 | 407 if proxy.user.is_some() => {
            refused(ErrorKind::ProxyFailed, format!("{label} refused the user name or password given for it"))
        }
        401 | 407 => refused(
            ErrorKind::ProxyFailed,
            format!("{label} asks for a user name and password, and none was given for it"),
        ),
        403 => refused(ErrorKind::ProxyFailed, format!("{label} does not allow connections to {to}")),
        502 | 503 => refused(ErrorKind::ConnectionRefused, format!("{label} could not connect to {to}")),
        504 => refused(ErrorKind::Timeout, format!("{label} got no answer from {to}")),
        _ => refused(ErrorKind::ProxyFailed, format!("{label} did not open the way to {to}")),
    }
}

/// Reads the proxy's reply up to and including its blank line, and not one byte more: what
/// follows is the server's. A byte at a time, as the reply is short and read once a connection.
async fn read_reply_head(stream: &mut TcpStream, label: &str) -> Result<String> {
    let mut head = Vec::with_capacity(256);
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        if head.len() >= HTTP_REPLY_LIMIT {
            return Err(FerryError::new(
                ErrorKind::ProxyFailed,
                format!("{label} sent a reply longer than {} KiB; Ferry stopped reading it", HTTP_REPLY_LIMIT / 1024),
            ));
        }
        let read = stream.read(&mut byte).await.map_err(|e| FerryError::from_io(&e, format!("talking to {label}")))?;
        if read == 0 {
            return Err(FerryError::new(
                ErrorKind::ProxyFailed,
                format!("{label} closed the connection without answering"),
            ));
        }
        head.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&head).into_owned())
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    use super::*;
    use crate::proxy::parse_proxy_url;

    /// A proxy on a free port that reads the request, then does `reply` to the connection.
    async fn hostile_proxy<F, Fut>(reply: F) -> Proxy
    where
        F: FnOnce(tokio::net::TcpStream) -> Fut + Send + 'static,
        Fut: std::future::Future<Output = ()> + Send,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 512];
            let _ = stream.read(&mut request).await;
            reply(stream).await;
        });
        parse_proxy_url(&format!("http://127.0.0.1:{port}")).unwrap()
    }

    #[tokio::test]
    async fn an_endless_reply_is_cut_at_the_limit_without_waiting_for_its_end() {
        let proxy = hostile_proxy(|mut stream| async move {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nX: ").await;
            let junk = vec![b'a'; 64 * 1024];
            while stream.write_all(&junk).await.is_ok() {}
        })
        .await;
        let error = connect(Some(&proxy), "files.example", 22, Duration::from_secs(20)).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::ProxyFailed, "{error}");
        assert!(error.context.contains(&proxy.label()) && error.context.contains("longer than 16 KiB"), "{error}");
    }

    #[tokio::test]
    async fn a_proxy_that_never_answers_times_out_naming_the_proxy() {
        let proxy = hostile_proxy(|stream| async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(stream);
        })
        .await;
        let started = Instant::now();
        let error = connect(Some(&proxy), "files.example", 22, Duration::from_secs(1)).await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(error.kind, ErrorKind::Timeout, "{error}");
        assert!(error.context.contains(&proxy.label()), "{error}");
    }

    #[tokio::test]
    async fn the_servers_first_bytes_after_the_reply_are_left_for_the_server_protocol() {
        let proxy = hostile_proxy(|mut stream| async move {
            // The reply and the server's greeting in one packet, as a fast server makes it.
            let _ = stream.write_all(b"HTTP/1.0 200 Connection established\r\n\r\nSSH-2.0-Test\r\n").await;
            tokio::time::sleep(Duration::from_secs(2)).await;
        })
        .await;
        let mut stream = connect(Some(&proxy), "files.example", 22, Duration::from_secs(5)).await.unwrap();
        let mut greeting = [0u8; 14];
        stream.read_exact(&mut greeting).await.unwrap();
        assert_eq!(&greeting, b"SSH-2.0-Test\r\n");
    }

    #[tokio::test]
    async fn a_host_that_could_end_the_request_line_is_never_sent() {
        let proxy = parse_proxy_url("http://127.0.0.1:9").unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy = Proxy { port: listener.local_addr().unwrap().port(), ..proxy };
        let accepted = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            let _ = tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut seen)).await;
            seen
        });
        let error = connect(Some(&proxy), "host\r\nX-Injected: 1", 22, Duration::from_secs(5)).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Protocol, "{error}");
        assert!(accepted.await.unwrap().is_empty(), "something was sent");
    }
}
