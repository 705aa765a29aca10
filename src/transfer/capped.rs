//! A writer that takes at most the bytes a download was announced to have, so a server that
//! says "7 bytes" and then streams without end cannot fill the disk.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

/// Passes writes through to `inner` until `room` bytes have gone; any byte past that fails the
/// write (and is not written), and [`CappedWriter::overflowed`] then says so. With no room
/// given, every write passes.
pub struct CappedWriter<'a, W: ?Sized> {
    inner: &'a mut W,
    room: Option<u64>,
    overflowed: bool,
}

impl<'a, W: AsyncWrite + Unpin + ?Sized> CappedWriter<'a, W> {
    /// A writer into `inner` that takes at most `room` more bytes (`None`: no cap).
    pub fn new(inner: &'a mut W, room: Option<u64>) -> Self {
        CappedWriter { inner, room, overflowed: false }
    }

    /// Whether something tried to write past the cap.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }
}

impl<W: AsyncWrite + Unpin + ?Sized> AsyncWrite for CappedWriter<'_, W> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let Some(room) = this.room else { return Pin::new(&mut *this.inner).poll_write(cx, buf) };
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if room == 0 {
            this.overflowed = true;
            return Poll::Ready(Err(io::Error::other("more data than the size the server announced")));
        }
        let take = usize::try_from(room).unwrap_or(usize::MAX).min(buf.len());
        let written = std::task::ready!(Pin::new(&mut *this.inner).poll_write(cx, &buf[..take]))?;
        this.room = Some(room - written as u64);
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncWriteExt;

    use super::*;

    #[tokio::test]
    async fn takes_the_announced_bytes_and_refuses_the_next() {
        let mut sink: Vec<u8> = Vec::new();
        let mut capped = CappedWriter::new(&mut sink, Some(7));
        capped.write_all(b"seven b").await.unwrap();
        assert!(!capped.overflowed());
        assert!(capped.write_all(b"!").await.is_err());
        assert!(capped.overflowed());
        assert_eq!(sink, b"seven b");

        let mut sink: Vec<u8> = Vec::new();
        let mut capped = CappedWriter::new(&mut sink, Some(3));
        assert!(capped.write_all(b"too long").await.is_err());
        assert!(capped.overflowed());
        assert_eq!(sink, b"too", "the bytes that fit, never more");

        let mut sink: Vec<u8> = Vec::new();
        let mut uncapped = CappedWriter::new(&mut sink, None);
        uncapped.write_all(&[1u8; 100_000]).await.unwrap();
        assert_eq!(sink.len(), 100_000);
    }
}
