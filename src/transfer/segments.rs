//! Segmented transfers: one big file cut into byte ranges, each moved on its own connection, and
//! what of each range is known to have arrived. Every SSH connection has its own flow-control
//! window, so over a long round trip (or to a server with a small window, such as Dropbear's
//! 24 KiB) several connections move a file faster than one, as lftp's `pget -n` does.

use std::ops::Range;

/// The smallest file that is cut into segments. Below it the extra logins (a round trip or more
/// each, and a key exchange) cost more than the parallel windows gain; above it one connection
/// spends seconds per file even on a fast link, so the logins are small beside that.
pub const SEGMENT_THRESHOLD: u64 = 32 * 1024 * 1024;

/// Segments start on multiples of this (a whole number of SFTP requests and disk blocks), yet
/// stay within 64 KiB of equal length.
const ALIGN: u64 = 64 * 1024;

/// The byte ranges of one file and how much of each has arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segments {
    ranges: Vec<Range<u64>>,
    /// Bytes known to be in place from each range's start on (never more than its length).
    done: Vec<u64>,
}

impl Segments {
    /// Cuts a file of `size` bytes into `parts` ranges when it is at least `threshold` bytes
    /// long and there are at least two parts; `None` means: move it in one piece.
    pub fn plan(size: u64, parts: usize, threshold: u64) -> Option<Segments> {
        if parts < 2 || size < threshold.max(1) {
            return None;
        }
        let parts = parts as u64;
        if size < parts {
            return None;
        }
        // Whole blocks per segment where the file allows; tiny test thresholds still cut.
        let align = if size / parts >= ALIGN { ALIGN } else { 1 };
        let edge = |i: u64| {
            if i == parts {
                size
            } else {
                (u128::from(size) * u128::from(i) / u128::from(parts)) as u64 / align * align
            }
        };
        let ranges: Vec<Range<u64>> = (0..parts).map(|i| edge(i)..edge(i + 1)).collect();
        let done = vec![0; ranges.len()];
        Some(Segments { ranges, done })
    }

    /// How many segments there are.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Whether there are no segments (never, for a plan).
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The whole range of segment `index`.
    pub fn range(&self, index: usize) -> Range<u64> {
        self.ranges[index].clone()
    }

    /// The part of segment `index` still to move.
    pub fn missing(&self, index: usize) -> Range<u64> {
        let range = &self.ranges[index];
        range.start + self.done[index]..range.end
    }

    /// The segments with bytes still to move, in file order.
    pub fn unfinished(&self) -> Vec<usize> {
        (0..self.ranges.len()).filter(|&i| !self.missing(i).is_empty()).collect()
    }

    /// Records that segment `index` holds its bytes up to `position` (an absolute offset); a
    /// position outside the segment is clamped, and progress never goes back.
    pub fn record(&mut self, index: usize, position: u64) {
        let range = &self.ranges[index];
        let done = position.clamp(range.start, range.end) - range.start;
        self.done[index] = self.done[index].max(done);
    }

    /// Bytes known to be in place, over all segments (the item's progress).
    pub fn bytes_done(&self) -> u64 {
        self.done.iter().sum()
    }

    /// Whether every byte of the file is in place.
    pub fn complete(&self) -> bool {
        self.unfinished().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn small_files_and_a_single_connection_are_not_cut() {
        assert_eq!(Segments::plan(10 * MIB, 4, SEGMENT_THRESHOLD), None);
        assert_eq!(Segments::plan(100 * MIB, 1, SEGMENT_THRESHOLD), None);
        assert_eq!(Segments::plan(3, 4, 1), None, "fewer bytes than parts");
    }

    #[test]
    fn ranges_cover_the_file_once_in_order_on_chunk_edges() {
        let size = 100 * MIB + 12_345;
        let plan = Segments::plan(size, 4, SEGMENT_THRESHOLD).unwrap();
        assert_eq!(plan.len(), 4);
        let mut next = 0;
        for index in 0..plan.len() {
            let range = plan.range(index);
            assert_eq!(range.start, next);
            assert_eq!(range.start % ALIGN, 0);
            assert!((range.end - range.start).abs_diff(size / 4) <= ALIGN);
            next = range.end;
        }
        assert_eq!(next, size);
    }

    #[test]
    fn a_tiny_threshold_still_cuts_exactly() {
        let plan = Segments::plan(1001, 4, 1).unwrap();
        let lengths: Vec<u64> = (0..4).map(|i| plan.range(i).end - plan.range(i).start).collect();
        assert_eq!(lengths, vec![250, 250, 250, 251]);
    }

    #[test]
    fn progress_is_clamped_kept_and_summed() {
        let mut plan = Segments::plan(1000, 4, 1).unwrap();
        plan.record(1, 300);
        plan.record(1, 260);
        assert_eq!(plan.missing(1), 300..500, "progress never goes back");
        plan.record(2, 10_000);
        assert_eq!(plan.missing(2), 750..750, "never past the segment");
        assert_eq!(plan.bytes_done(), 50 + 250);
        assert_eq!(plan.unfinished(), vec![0, 1, 3]);
        assert!(!plan.complete());
    }
}
