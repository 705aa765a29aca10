//! Where a download's reading thread meets its writer: the writer counts the bytes the sink took
//! (and so the limit let through), and the reader waits there while it is as far ahead of them
//! as its limit allows (`transfer/read_ahead.rs`).

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How often a waiting reader looks again by itself: a limit changed or lifted meanwhile sets
/// how far it may be ahead, and no byte moving would tell it.
const RECHECK: Duration = Duration::from_millis(50);

#[derive(Default)]
struct Taken {
    bytes: u64,
    /// The writer ended (done, failed or cancelled): the reader must stop waiting.
    closed: bool,
}

/// Shared by the reader (a blocking thread) and the writer (async; it never waits here).
#[derive(Default)]
pub(super) struct ReadGate {
    taken: Mutex<Taken>,
    moved: Condvar,
}

impl ReadGate {
    fn lock(&self) -> MutexGuard<'_, Taken> {
        self.taken.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The writer's sink took `bytes` more.
    pub(super) fn took(&self, bytes: u64) {
        self.lock().bytes += bytes;
        self.moved.notify_all();
    }

    /// Blocks until `may_read(bytes read and not yet taken)` holds; `false` when the writer
    /// ended meanwhile (the reader then stops).
    pub(super) fn wait_to_read(&self, read: u64, may_read: impl Fn(u64) -> bool) -> bool {
        let mut taken = self.lock();
        loop {
            if taken.closed {
                return false;
            }
            if may_read(read.saturating_sub(taken.bytes)) {
                return true;
            }
            taken = self.moved.wait_timeout(taken, RECHECK).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// A guard that tells the reader the writer ended when it is dropped, however it ends.
    pub(super) fn writer(&self) -> WriterGuard<'_> {
        WriterGuard(self)
    }
}

/// See [`ReadGate::writer`].
pub(super) struct WriterGuard<'a>(&'a ReadGate);

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.moved.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_reader_waits_until_the_writer_took_enough_and_stops_when_it_ends() {
        let gate = Arc::new(ReadGate::default());
        let reader = {
            let gate = gate.clone();
            std::thread::spawn(move || gate.wait_to_read(100, |ahead| ahead <= 40))
        };
        gate.took(30);
        std::thread::sleep(Duration::from_millis(20));
        assert!(!reader.is_finished(), "70 ahead: still waiting");
        gate.took(30);
        assert!(reader.join().unwrap(), "40 ahead: may read");

        let waiting = {
            let gate = gate.clone();
            std::thread::spawn(move || gate.wait_to_read(1000, |ahead| ahead == 0))
        };
        drop(gate.writer());
        assert!(!waiting.join().unwrap(), "the writer ended: stop");
    }
}
