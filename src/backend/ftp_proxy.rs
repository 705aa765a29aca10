//! FTP through a proxy: what cannot go through one is refused, and each passive data connection
//! is opened through the proxy like the control connection.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use suppaftp::FtpError;

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, FtpMode, Protocol};

/// What suppaftp's passive stream builder returns.
type DataFuture = Pin<Box<dyn Future<Output = std::result::Result<tokio::net::TcpStream, FtpError>> + Send + Sync>>;

/// Refuses what cannot go through a proxy, before anything is sent: active FTP (the server would
/// connect back to this computer, around the proxy) and implicit FTPS (suppaftp opens that
/// connection itself, so it would go straight to the server).
pub(super) fn refuse_unproxied_ways(spec: &ConnectSpec) -> Result<()> {
    let Some(proxy) = &spec.proxy else { return Ok(()) };
    if spec.ftp_mode == FtpMode::Active {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!(
                "active FTP cannot go through {}: the server would connect back to this computer, around the \
                 proxy; use passive mode, or connect without the proxy",
                proxy.label()
            ),
        ));
    }
    if spec.protocol == Protocol::Ftps {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!(
                "implicit FTPS (ftps://) cannot go through {} yet; use explicit FTPS (ftpes://) if the server offers it",
                proxy.label()
            ),
        ));
    }
    Ok(())
}

/// Opens each passive data connection through `proxy` to the server's own name and the port the
/// server gave: the address in its reply (here the proxy's, the control connection's peer) is
/// never used.
pub(super) fn data_through_proxy(
    proxy: crate::proxy::Proxy,
    host: String,
    timeout: std::time::Duration,
) -> impl Fn(SocketAddr) -> DataFuture + Send + Sync + 'static {
    move |offered| {
        let (proxy, host) = (proxy.clone(), host.clone());
        let transcript = crate::transcript::current();
        // A task of its own: the future suppaftp keeps must be Sync, and a join handle is.
        let opening = tokio::spawn(async move {
            let open = super::proxy_tunnel::connect(Some(&proxy), &host, offered.port(), timeout);
            match transcript {
                Some(sink) => crate::transcript::scope(sink, open).await,
                None => open.await,
            }
        });
        Box::pin(async move {
            let opened = opening.await.map_err(|e| FtpError::ConnectionError(std::io::Error::other(e.to_string())))?;
            opened.map_err(|error| FtpError::ConnectionError(std::io::Error::other(error.to_string())))
        })
    }
}
