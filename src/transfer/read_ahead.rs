//! How far a limited download may read from the server ahead of what its limit has let through.
//!
//! A download's bytes wait for the limit where they are written (`throttled.rs`), but a backend
//! that reads on its own thread, and a library that asks the server for more than it was asked
//! (libssh2 keeps up to four reads of the caller's size in flight), would otherwise pull megabytes
//! off the wire before the limit is even consulted. These rules keep everything read but not yet
//! let through within one piece of the limit (a tenth of a second of its rate, see
//! `rate_limit.rs`). Without a limit nothing waits and reads keep their full size.

/// The smallest read a limited download makes: below this, the requests cost more than the bytes
/// (a limit of a few KB a second then runs at most this far ahead).
pub const SMALLEST_READ: usize = 1024;

/// The reads of one download: their size and when the next may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadAhead {
    /// Bytes one read asks for.
    pub read_size: usize,
    /// Bytes read and not yet let through that the next read must wait below; `None`: no wait.
    pub budget: Option<u64>,
}

impl ReadAhead {
    /// The reads for a limit whose piece is `piece` (`None`: no limit), for a reader whose reads
    /// are at most `largest` bytes and whose library keeps up to `pipelined` reads of the size
    /// it is given in flight on the wire.
    ///
    /// Half the piece is for bytes read and waiting for the limit, half for the library's reads
    /// in flight, so what has come from the server stays within one piece (or a few
    /// [`SMALLEST_READ`]s at very low rates) of what the limit let through.
    pub fn new(piece: Option<usize>, largest: usize, pipelined: usize) -> Self {
        let Some(piece) = piece else { return ReadAhead { read_size: largest, budget: None } };
        let read_size = (piece / (2 * pipelined.max(1))).clamp(SMALLEST_READ.min(largest), largest.max(1));
        let budget = (piece / 2).max(read_size) as u64;
        ReadAhead { read_size, budget: Some(budget) }
    }

    /// Whether a read may start while `ahead` bytes read are not yet let through.
    pub fn may_read(&self, ahead: u64) -> bool {
        self.budget.is_none_or(|budget| ahead == 0 || ahead + self.read_size as u64 <= budget)
    }

    /// The most that can have come from the server beyond what the limit let through.
    pub fn most_ahead_on_the_wire(&self, pipelined: usize) -> Option<u64> {
        self.budget.map(|budget| budget + (pipelined * self.read_size) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1024 * 1024;

    #[test]
    fn without_a_limit_reads_are_full_size_and_never_wait() {
        let reads = ReadAhead::new(None, MIB, 4);
        assert_eq!(reads, ReadAhead { read_size: MIB, budget: None });
        assert!(reads.may_read(u64::MAX / 2));
    }

    #[test]
    fn a_limit_keeps_what_came_from_the_server_within_one_piece() {
        for piece in [20_480, 51_200, 204_800, 10 * MIB, 100_000_000] {
            let reads = ReadAhead::new(Some(piece), MIB, 4);
            assert!(reads.read_size <= MIB, "{piece}: {reads:?}");
            let most = reads.most_ahead_on_the_wire(4).unwrap();
            assert!(most <= piece as u64, "{piece}: {most} on the wire");
            // The reader waits once read-and-waiting bytes would pass half the piece.
            let budget = reads.budget.unwrap();
            assert!(reads.may_read(budget - reads.read_size as u64));
            assert!(!reads.may_read(budget - reads.read_size as u64 + 1));
        }
    }

    #[test]
    fn a_limit_far_above_the_link_speed_reads_as_if_there_were_none() {
        // 100G: a piece of 10 GB, far beyond the reader's own channel.
        let reads = ReadAhead::new(Some(10_737_418_240), MIB, 4);
        assert_eq!(reads.read_size, MIB);
        assert!(reads.may_read(64 * MIB as u64));
    }

    #[test]
    fn a_tiny_limit_still_reads_in_small_whole_requests_and_never_stalls() {
        let reads = ReadAhead::new(Some(1), MIB, 4);
        assert_eq!(reads.read_size, SMALLEST_READ);
        assert!(reads.may_read(0), "nothing waiting: a read may always start");
        assert!(!reads.may_read(1));
        assert_eq!(reads.most_ahead_on_the_wire(4), Some(5 * SMALLEST_READ as u64));
        // A reader whose own reads are smaller than the smallest read is not made to read more.
        assert_eq!(ReadAhead::new(Some(1), 100, 4).read_size, 100);
    }
}
