//! A remote file's SHA-256: the server's own where it computes one (no bytes cross), else the
//! file read through Ferry and hashed as it streams, in bounded memory.

use std::pin::Pin;
use std::task::{Context, Poll};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWrite;

use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError, Result};

/// Who computed a checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumSource {
    /// The server, on its side (SFTP `sha256sum`, FTP `HASH`/`XSHA256`).
    Server,
    /// Ferry, over the bytes it read.
    Streamed,
}

/// The SHA-256 of `path` in lowercase hex, and who computed it.
pub(super) async fn sha256_of(backend: &mut dyn Backend, path: &str) -> Result<(String, ChecksumSource)> {
    if backend.stat(path).await?.kind == crate::model::EntryKind::Dir {
        let path = crate::model::escape_control(path);
        return Err(FerryError::new(ErrorKind::Unsupported, format!("{path} is a folder: only a file has a checksum")));
    }
    if let Ok(Some(sum)) = backend.checksum_sha256(path).await {
        return Ok((sum, ChecksumSource::Server));
    }
    let mut sink = HashingSink(Sha256::new());
    backend.read_to(path, 0, &mut sink, &mut |_| {}).await?;
    Ok((hex::encode(sink.0.finalize()), ChecksumSource::Streamed))
}

/// A writer that only hashes what it is given.
struct HashingSink(Sha256);

impl AsyncWrite for HashingSink {
    fn poll_write(mut self: Pin<&mut Self>, _: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        self.0.update(bytes);
        Poll::Ready(Ok(bytes.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_file_is_hashed_as_it_streams() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("abc.txt");
        std::fs::write(&path, b"abc").unwrap();
        let mut backend = crate::backend::local::LocalBackend::new();
        let (sum, source) = sha256_of(&mut backend, path.to_str().unwrap()).await.unwrap();
        assert_eq!(sum, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(source, ChecksumSource::Streamed);
    }
}
