//! A writer and a reader that wait for a bandwidth limit's tokens before each piece, so a limited
//! download is written (and so read from the network) no faster than its limit, and a limited
//! upload is read from the disk (and so sent) no faster than its. Without a limit set they pass
//! every call straight through.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::rate_limit::Limiters;

/// The wait for one piece's tokens.
type Wait = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Waits for tokens, and remembers how many bytes the tokens it got allow.
#[derive(Default)]
struct Tokens {
    limiters: Limiters,
    /// Bytes already paid for and not yet moved (a write or read may take fewer than it asked).
    paid: usize,
    /// The wait for the next piece, while it lasts.
    waiting: Option<(usize, Wait)>,
}

impl Tokens {
    fn new(limiters: Limiters) -> Self {
        Tokens { limiters, paid: 0, waiting: None }
    }

    /// How many of `wanted` bytes may move now: all of them without a limit, else up to a piece
    /// once its tokens have come (`Pending` until then).
    fn poll_allowance(&mut self, cx: &mut Context<'_>, wanted: usize) -> Poll<usize> {
        if self.paid > 0 {
            return Poll::Ready(self.paid.min(wanted));
        }
        let Some(piece) = self.limiters.piece() else {
            // The limit was lifted while this transfer waited: what it waited for is free now.
            self.waiting = None;
            return Poll::Ready(wanted);
        };
        if self.waiting.is_none() {
            let asked = piece.min(wanted);
            let limiters = self.limiters.clone();
            self.waiting = Some((asked, Box::pin(async move { limiters.acquire(asked).await })));
        }
        if let Some((asked, wait)) = &mut self.waiting {
            ready!(wait.as_mut().poll(cx));
            self.paid = *asked;
            self.waiting = None;
        }
        Poll::Ready(self.paid.min(wanted))
    }

    /// Records that `moved` bytes went.
    fn spent(&mut self, moved: usize) {
        self.paid = self.paid.saturating_sub(moved);
    }
}

/// Writes into `inner` no faster than its limits allow.
pub struct ThrottledWriter<'a, W: ?Sized> {
    inner: &'a mut W,
    tokens: Tokens,
}

impl<'a, W: AsyncWrite + Unpin + ?Sized> ThrottledWriter<'a, W> {
    /// A writer into `inner` held to `limiters`.
    pub fn new(inner: &'a mut W, limiters: Limiters) -> Self {
        ThrottledWriter { inner, tokens: Tokens::new(limiters) }
    }
}

impl<W: AsyncWrite + Unpin + ?Sized> AsyncWrite for ThrottledWriter<'_, W> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if buf.is_empty() {
            return Pin::new(&mut *this.inner).poll_write(cx, buf);
        }
        let allowed = ready!(this.tokens.poll_allowance(cx, buf.len()));
        let written = ready!(Pin::new(&mut *this.inner).poll_write(cx, &buf[..allowed]))?;
        this.tokens.spent(written);
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.inner).poll_shutdown(cx)
    }
}

/// Reads from `inner` no faster than its limits allow.
pub struct ThrottledReader<'a, R: ?Sized> {
    inner: &'a mut R,
    tokens: Tokens,
}

impl<'a, R: AsyncRead + Unpin + ?Sized> ThrottledReader<'a, R> {
    /// A reader from `inner` held to `limiters`.
    pub fn new(inner: &'a mut R, limiters: Limiters) -> Self {
        ThrottledReader { inner, tokens: Tokens::new(limiters) }
    }
}

impl<R: AsyncRead + Unpin + ?Sized> AsyncRead for ThrottledReader<'_, R> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let wanted = buf.remaining();
        if wanted == 0 || this.tokens.limiters.piece().is_none() && this.tokens.paid == 0 {
            return Pin::new(&mut *this.inner).poll_read(cx, buf);
        }
        let allowed = ready!(this.tokens.poll_allowance(cx, wanted));
        if allowed == wanted {
            let before = buf.filled().len();
            ready!(Pin::new(&mut *this.inner).poll_read(cx, buf))?;
            this.tokens.spent(buf.filled().len() - before);
            return Poll::Ready(Ok(()));
        }
        // Only part of the caller's room may be filled: read into that part alone.
        let mut part = ReadBuf::new(buf.initialize_unfilled_to(allowed));
        ready!(Pin::new(&mut *this.inner).poll_read(cx, &mut part))?;
        let read = part.filled().len();
        buf.advance(read);
        this.tokens.spent(read);
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::Instant;

    use super::*;
    use crate::transfer::rate_limit::RateLimiter;

    #[test]
    fn without_a_limit_a_write_and_a_read_pass_at_once() {
        let mut context = Context::from_waker(std::task::Waker::noop());
        let mut sink = Vec::new();
        let mut writer = ThrottledWriter::new(&mut sink, Limiters::new(vec![RateLimiter::new(None)]));
        let data = vec![7u8; 1 << 20];
        let written = Pin::new(&mut writer).poll_write(&mut context, &data);
        assert!(matches!(written, Poll::Ready(Ok(n)) if n == data.len()), "one call, every byte");
        let mut source: &[u8] = &data;
        let mut reader = ThrottledReader::new(&mut source, Limiters::none());
        let mut room = vec![0u8; 1 << 20];
        let mut buf = ReadBuf::new(&mut room);
        assert!(matches!(Pin::new(&mut reader).poll_read(&mut context, &mut buf), Poll::Ready(Ok(()))));
        assert_eq!(buf.filled().len(), data.len());
    }

    #[tokio::test(start_paused = true)]
    async fn a_limited_writer_takes_as_long_as_its_rate_says() {
        let limiter = RateLimiter::new(Some(10_000));
        let mut sink = Vec::new();
        let mut writer = ThrottledWriter::new(&mut sink, Limiters::new(vec![limiter]));
        let start = Instant::now();
        writer.write_all(&[1u8; 50_000]).await.unwrap();
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(4800) && took <= Duration::from_millis(5000), "took {took:?}");
        assert_eq!(sink, vec![1u8; 50_000]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_limited_reader_takes_as_long_as_its_rate_says_and_loses_nothing() {
        let data: Vec<u8> = (0..30_000u32).map(|i| (i % 251) as u8).collect();
        let mut source: &[u8] = &data;
        let mut reader = ThrottledReader::new(&mut source, Limiters::new(vec![RateLimiter::new(Some(10_000))]));
        let start = Instant::now();
        let mut read = Vec::new();
        reader.read_to_end(&mut read).await.unwrap();
        assert!(start.elapsed() >= Duration::from_millis(2800), "{:?}", start.elapsed());
        assert_eq!(read, data);
    }

    #[tokio::test(start_paused = true)]
    async fn lifting_the_limit_mid_transfer_lets_the_rest_go_at_once() {
        let limiter = RateLimiter::new(Some(1000));
        let lifter = limiter.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(2)).await;
            lifter.set_rate(None);
        });
        let mut sink = Vec::new();
        let mut writer = ThrottledWriter::new(&mut sink, Limiters::new(vec![limiter]));
        let start = Instant::now();
        writer.write_all(&[3u8; 1_000_000]).await.unwrap();
        let took = start.elapsed();
        assert!(took >= Duration::from_secs(2) && took <= Duration::from_millis(2100), "took {took:?}");
        assert_eq!(sink.len(), 1_000_000);
    }
}
