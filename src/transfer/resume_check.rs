//! Whether an existing target can be the beginning of its source, so that "resume" may continue
//! it: a smaller file that holds other bytes must be sent whole, never appended to.

use std::ops::Range;

/// How many bytes before the resume offset are compared on both sides: enough to tell another
/// file from a partial copy, small enough to cost one short read on each side.
pub const COMPARED_BYTES: u64 = 64 * 1024;

/// The note an item carries when its target was not continued.
pub const NOT_A_BEGINNING: &str = "the existing file is not the beginning of this one: sent whole";

/// The bytes compared before resuming at `offset`: the last ones before it (all of them for a
/// target smaller than `COMPARED_BYTES`).
pub fn compared_range(offset: u64) -> Range<u64> {
    offset.saturating_sub(COMPARED_BYTES)..offset
}

/// Whether a target ending with `target_tail` may be continued at `offset` from a source that
/// holds `source_bytes` at the same place (`compared_range(offset)`). A short read on either side
/// (a file that changed, a server that sent less) proves nothing, so it is no match either.
pub fn continues(offset: u64, target_tail: &[u8], source_bytes: &[u8]) -> bool {
    let range = compared_range(offset);
    let expected = usize::try_from(range.end - range.start).unwrap_or(usize::MAX);
    offset > 0
        && target_tail.len() == expected
        && source_bytes.len() >= expected
        && target_tail == &source_bytes[..expected]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_the_last_bytes_before_the_offset() {
        assert_eq!(compared_range(11), 0..11);
        assert_eq!(compared_range(COMPARED_BYTES), 0..COMPARED_BYTES);
        assert_eq!(compared_range(1_000_000), 1_000_000 - COMPARED_BYTES..1_000_000);
    }

    #[test]
    fn a_true_beginning_continues() {
        let source: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let offset = 150_000;
        let range = compared_range(offset);
        let (start, end) = (range.start as usize, range.end as usize);
        // The source read may run past the offset: only the compared bytes count.
        assert!(continues(offset, &source[start..end], &source[start..]));
        assert!(continues(11, &source[..11], &source[..11]));
    }

    #[test]
    fn other_bytes_do_not_continue() {
        let source = b"the new file, two hundred bytes long in real life";
        assert!(!continues(11, b"OLDCONTENT\n", &source[..11]));
        // One byte differs, the last one before the offset.
        let mut tail = source[..11].to_vec();
        tail[10] ^= 1;
        assert!(!continues(11, &tail, &source[..]));
    }

    #[test]
    fn short_reads_and_empty_targets_do_not_continue() {
        let source = b"0123456789abcdef";
        assert!(!continues(10, &source[..9], &source[..10]), "the target read came short");
        assert!(!continues(10, &source[..10], &source[..9]), "the source read came short");
        assert!(!continues(0, b"", b""), "nothing to continue");
    }
}
