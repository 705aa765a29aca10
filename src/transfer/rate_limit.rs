//! Bandwidth limits: a token bucket shared by every transfer that runs at once, whose rate may
//! change (or be lifted) while transfers wait on it, and which costs one atomic load when unset.
//!
//! Waiters are served in the order they asked (each takes a ticket: the running total of bytes
//! handed out), so transfers sharing a bucket share its rate evenly as long as they ask in pieces
//! of the same size ([`RateLimiter::piece`]). A waiter sleeps exactly until the bucket has
//! refilled up to its ticket, or until the rate changes; an idle bucket fills up to a tenth of a
//! second of the rate, no more, so a burst after a pause stays short.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

/// How long an idle bucket may save up for: the longest burst a limited transfer can make.
const BURST: Duration = Duration::from_millis(100);

/// The shortest a waiter sleeps: the timer's own resolution. A wait of nothing would spin.
const SHORTEST_SLEEP: Duration = Duration::from_millis(1);

/// The longest a waiter sleeps before it looks again: a bound that keeps every sleep well within
/// what `Duration` holds, whatever the rate.
const LONGEST_SLEEP: Duration = Duration::from_secs(1);

/// A limit in each direction, in bytes a second (`None`: no limit).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimits {
    /// Downloads.
    pub down: Option<u64>,
    /// Uploads.
    pub up: Option<u64>,
}

/// One token bucket. Clones share it: one for each direction of the global limit, one for each
/// direction of a site's.
#[derive(Clone, Default)]
pub struct RateLimiter {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// Bytes a second; 0 when unset. Read without the lock, so an unset limit costs no lock.
    rate: AtomicU64,
    bucket: Mutex<Bucket>,
    /// Wakes the waiters when the rate changes, so they sleep by the new rate at once.
    changed: Notify,
}

#[derive(Default)]
struct Bucket {
    /// Bytes handed out so far: a waiter's ticket is this total just after its own bytes.
    reserved: f64,
    /// Tokens that have arrived so far. A waiter may go once this reaches its ticket.
    refilled: f64,
    /// When `refilled` was last brought up to date.
    updated: Option<Instant>,
}

impl Bucket {
    /// Brings the refill up to `now` at `rate`; an idle bucket keeps at most a burst.
    fn refill(&mut self, now: Instant, rate: u64) {
        let elapsed = self.updated.map_or(Duration::ZERO, |updated| now.saturating_duration_since(updated));
        let rate = rate as f64;
        let full = self.reserved + rate * BURST.as_secs_f64();
        self.refilled = (self.refilled + rate * elapsed.as_secs_f64()).min(full.max(self.refilled));
        self.updated = Some(now);
    }
}

impl RateLimiter {
    /// A bucket at `rate` bytes a second (`None`: no limit).
    pub fn new(rate: Option<u64>) -> Self {
        let limiter = RateLimiter::default();
        limiter.set_rate(rate);
        limiter
    }

    /// The rate in bytes a second, or `None` when unset.
    pub fn rate(&self) -> Option<u64> {
        match self.shared.rate.load(Ordering::Relaxed) {
            0 => None,
            rate => Some(rate),
        }
    }

    /// Changes the rate (`None` lifts the limit; a rate of 0 means none too). Transfers waiting
    /// on the bucket go on at the new rate at once; lifting the limit lets them all go.
    pub fn set_rate(&self, rate: Option<u64>) {
        let rate = rate.unwrap_or(0);
        let now = Instant::now();
        {
            let mut bucket = lock(&self.shared.bucket);
            let old = self.shared.rate.load(Ordering::Relaxed);
            if old == 0 {
                // Nothing was counted while unset: start from an empty bucket, no saved burst.
                bucket.refilled = bucket.reserved;
            } else {
                // The time waited so far counts at the old rate.
                bucket.refill(now, old);
            }
            bucket.updated = Some(now);
            self.shared.rate.store(rate, Ordering::Relaxed);
        }
        self.shared.changed.notify_waiters();
    }

    /// How many bytes to ask for at a time: a tenth of a second of the rate (at least one byte),
    /// or `None` when there is no limit.
    pub fn piece(&self) -> Option<usize> {
        let rate = self.rate()?;
        let piece = (rate as f64 * BURST.as_secs_f64()) as usize;
        Some(piece.max(1))
    }

    /// Waits until `bytes` more may pass. Without a limit it returns at once, without a lock or a
    /// wait. A waiter whose limit is lifted goes at once; one whose rate changes waits by the new
    /// rate for what is left.
    pub async fn acquire(&self, bytes: usize) {
        let rate = self.shared.rate.load(Ordering::Relaxed);
        if rate == 0 || bytes == 0 {
            return;
        }
        let ticket = {
            let mut bucket = lock(&self.shared.bucket);
            bucket.refill(Instant::now(), rate);
            bucket.reserved += bytes as f64;
            bucket.reserved
        };
        loop {
            // Registered before the bucket is read, so a change in between is not missed.
            let changed = self.shared.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let wait = {
                let rate = self.shared.rate.load(Ordering::Relaxed);
                if rate == 0 {
                    return;
                }
                let mut bucket = lock(&self.shared.bucket);
                bucket.refill(Instant::now(), rate);
                // Less than a byte short is rounding, not a reason to wait.
                let missing = ticket - bucket.refilled;
                if missing < 1.0 {
                    return;
                }
                let wait = Duration::try_from_secs_f64(missing / rate as f64).unwrap_or(LONGEST_SLEEP);
                wait.clamp(SHORTEST_SLEEP, LONGEST_SLEEP)
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut changed => {}
            }
        }
    }
}

/// Locks the bucket, recovering it if a holder panicked: its numbers stay usable either way.
fn lock(mutex: &Mutex<Bucket>) -> std::sync::MutexGuard<'_, Bucket> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The buckets one direction of one transfer passes through: the global one and its site's. Each
/// byte waits for all of them, so the stricter limit is the one that holds.
#[derive(Clone, Default)]
pub struct Limiters(Vec<RateLimiter>);

impl Limiters {
    /// Bytes pass through each of `limiters`.
    pub fn new(limiters: Vec<RateLimiter>) -> Self {
        Limiters(limiters)
    }

    /// No limit at all: the transfer's bytes never wait.
    pub fn none() -> Self {
        Limiters(Vec::new())
    }

    /// How many bytes to ask for at a time: the smallest piece of the limits set now, or `None`
    /// when none is set (then nothing need wait).
    pub fn piece(&self) -> Option<usize> {
        self.0.iter().filter_map(RateLimiter::piece).min()
    }

    /// Waits until `bytes` more may pass every limit.
    pub async fn acquire(&self, bytes: usize) {
        for limiter in &self.0 {
            limiter.acquire(bytes).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready_now<F: std::future::Future>(future: F) -> Option<F::Output> {
        let mut future = std::pin::pin!(future);
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => Some(output),
            std::task::Poll::Pending => None,
        }
    }

    #[test]
    fn an_unset_limit_never_waits_and_takes_no_lock() {
        let limiter = RateLimiter::new(None);
        // No runtime and no clock: an unset limit must not touch either.
        assert_eq!(ready_now(limiter.acquire(usize::MAX)), Some(()));
        assert_eq!(limiter.piece(), None);
        assert_eq!(ready_now(Limiters::none().acquire(1 << 30)), Some(()));
        // The bucket's lock held elsewhere does not hold up an unset limit: it is never taken.
        let guard = lock(&limiter.shared.bucket);
        let (sender, receiver) = std::sync::mpsc::channel();
        let other = limiter.clone();
        std::thread::spawn(move || sender.send(ready_now(other.acquire(10))));
        assert_eq!(receiver.recv_timeout(Duration::from_secs(5)), Ok(Some(())));
        drop(guard);
    }

    #[tokio::test(start_paused = true)]
    async fn a_limited_bucket_passes_bytes_at_its_rate() {
        let limiter = RateLimiter::new(Some(1000));
        let start = Instant::now();
        for _ in 0..50 {
            limiter.acquire(100).await;
        }
        // 5000 bytes at 1000 a second, less the first burst (a tenth of a second).
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(4800), "took {took:?}");
        assert!(took <= Duration::from_millis(5000), "took {took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_bucket_saves_up_a_tenth_of_a_second_at_most() {
        let limiter = RateLimiter::new(Some(10_000));
        tokio::time::sleep(Duration::from_secs(60)).await;
        let start = Instant::now();
        limiter.acquire(1000).await;
        assert_eq!(start.elapsed(), Duration::ZERO, "one burst passes at once");
        limiter.acquire(1000).await;
        assert!(start.elapsed() >= Duration::from_millis(99), "the next waits: {:?}", start.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn transfers_sharing_a_bucket_share_its_rate_evenly() {
        let limiter = RateLimiter::new(Some(10_000));
        let counted = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let mut tasks = Vec::new();
        for which in 0..2 {
            let (limiter, counted) = (limiter.clone(), counted.clone());
            tasks.push(tokio::spawn(async move {
                loop {
                    limiter.acquire(1000).await;
                    counted[which].fetch_add(1000, Ordering::Relaxed);
                }
            }));
        }
        tokio::time::sleep(Duration::from_secs(10)).await;
        let (a, b) = (counted[0].load(Ordering::Relaxed), counted[1].load(Ordering::Relaxed));
        for task in tasks {
            task.abort();
        }
        assert!((99_000..=102_000).contains(&(a + b)), "together at the rate: {a} + {b}");
        assert!(a.abs_diff(b) <= 1000, "each half of it: {a} and {b}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_rate_applies_to_transfers_already_waiting() {
        let limiter = RateLimiter::new(Some(1000));
        limiter.acquire(100).await; // the first burst
        let waiter = limiter.clone();
        let start = Instant::now();
        let task = tokio::spawn(async move {
            waiter.acquire(10_000).await;
            Instant::now()
        });
        tokio::time::sleep(Duration::from_secs(1)).await;
        // 1000 of 10 000 bytes arrived at the old rate; the other 9000 at 9000 a second.
        limiter.set_rate(Some(9000));
        let done = task.await.unwrap();
        let took = done - start;
        assert!(took >= Duration::from_millis(1990) && took <= Duration::from_millis(2010), "took {took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn lifting_the_limit_lets_every_waiter_go_at_once() {
        let limiter = RateLimiter::new(Some(1));
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let limiter = limiter.clone();
                tokio::spawn(async move { limiter.acquire(1_000_000).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let start = Instant::now();
        limiter.set_rate(None);
        for waiter in waiters {
            waiter.await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        assert_eq!(limiter.rate(), None);
        // Set again, it starts from an empty bucket: nothing saved up while unset.
        limiter.set_rate(Some(1000));
        let start = Instant::now();
        limiter.acquire(1000).await;
        assert!(start.elapsed() >= Duration::from_millis(999), "{:?}", start.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_rate_neither_overflows_nor_waits() {
        let limiter = RateLimiter::new(Some(u64::MAX));
        assert!(limiter.piece().is_some_and(|piece| piece > 1 << 40));
        let start = Instant::now();
        for _ in 0..1000 {
            limiter.acquire(1 << 30).await;
        }
        assert!(start.elapsed() <= Duration::from_secs(2), "{:?}", start.elapsed());
        // A rate of 0 is no limit, not a bucket that never fills.
        limiter.set_rate(Some(0));
        assert_eq!(limiter.rate(), None);
        assert_eq!(ready_now(limiter.acquire(10)), Some(()));
    }

    #[tokio::test(start_paused = true)]
    async fn the_stricter_of_two_limits_holds() {
        let global = RateLimiter::new(Some(100_000));
        let site = RateLimiter::new(Some(1000));
        let both = Limiters::new(vec![global, site]);
        assert_eq!(both.piece(), Some(100));
        let start = Instant::now();
        for _ in 0..20 {
            both.acquire(100).await;
        }
        assert!(start.elapsed() >= Duration::from_millis(1800), "{:?}", start.elapsed());
    }
}
