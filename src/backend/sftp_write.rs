//! Writing an upload's chunks to an SFTP file through libssh2, keeping its WRITE requests in
//! flight across chunks, whatever the server's channel window.
//!
//! **Pipelining across calls.** libssh2's `sftp_write` cuts the buffer it is given into WRITE
//! requests of 30,000 bytes, sends as many as the channel window allows and returns once the
//! oldest ones are acknowledged, saying how many bytes that was. The rest stay in flight. On the
//! next call it skips as many leading bytes as it already has in flight (it trusts the caller to
//! pass them again, it does not compare them) and turns only what follows into new requests.
//! Handing it one chunk at a time, each written to its end before the next, lets the pipeline
//! drain at every chunk boundary: a whole round trip of idle link per chunk, which halved uploads
//! across a 40 ms link. So [`PipelinedWriter`] keeps the unacknowledged rest and appends the next
//! chunk to it, so requests are always in flight, and holds at most `KEEP_IN_FLIGHT` plus one
//! chunk.
//!
//! **Dropbear.** When the window runs out part way through a request (Dropbear's default window
//! is 24,576 bytes, smaller than one request), `sftp_write` returns 0: "nothing acked yet, call
//! again with the same buffer". `std::io::Write::write_all` takes that 0 for a dead writer
//! ("failed to write whole buffer"); the handle is then closed while half a request is on the
//! wire, the server's sftp-server waits for the rest of it, and the upload hangs until the
//! timeout. So a 0 here means "call again": libssh2 itself then waits for the server's window
//! adjustment. Only a stretch with no progress at all for the whole timeout is an error (whether
//! libssh2 keeps answering 0 or itself gives up waiting on the socket), and it says what
//! happened: the server accepted no data.

use std::io::Write;
use std::time::{Duration, Instant};

use super::CHUNK_SIZE;
use crate::error::{ErrorKind, FerryError};

/// How many unacknowledged bytes stay in flight while the next chunk is fetched: enough to keep
/// requests on the wire for the whole round trip of a distant server (a 2 MiB channel window, as
/// OpenSSH's, is the usual cap anyway), small enough that an upload holds only a few MiB.
const KEEP_IN_FLIGHT: usize = 2 * CHUNK_SIZE;

/// Feeds chunks to one open remote file so that libssh2 always has requests in flight.
pub struct PipelinedWriter<'a, W: Write, E: Fn(&std::io::Error) -> FerryError> {
    file: &'a mut W,
    /// Bytes handed to the file but not yet acknowledged, from `acknowledged` on. libssh2 has
    /// them in flight (or queued behind the window) and must be given them again, in order.
    pending: Vec<u8>,
    acknowledged: usize,
    /// Every byte the server acknowledged so far, shared with whoever asks after a failure:
    /// SFTP servers answer a file's writes in order, so these bytes are surely written.
    confirmed: std::sync::Arc<std::sync::atomic::AtomicU64>,
    no_progress_limit: Duration,
    context: &'a str,
    map_error: E,
}

impl<'a, W: Write, E: Fn(&std::io::Error) -> FerryError> PipelinedWriter<'a, W, E> {
    /// `no_progress_limit` bounds how long the server may accept nothing (it should be the
    /// session's timeout, after which libssh2 reports a timed-out wait); other write errors go
    /// through `map_error`. `context` says what is being done, for the error.
    pub fn new(file: &'a mut W, no_progress_limit: Duration, context: &'a str, map_error: E) -> Self {
        Self {
            file,
            pending: Vec::with_capacity(KEEP_IN_FLIGHT + CHUNK_SIZE),
            acknowledged: 0,
            confirmed: Default::default(),
            no_progress_limit,
            context,
            map_error,
        }
    }

    /// Adds `chunk` behind the bytes still in flight, hands it to the file and writes until no
    /// more than `KEEP_IN_FLIGHT` bytes are unacknowledged, so the next chunk finds the pipeline
    /// busy.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), FerryError> {
        // Drop the acknowledged front once per chunk (a copy of at most KEEP_IN_FLIGHT bytes),
        // not once per acknowledgement.
        self.pending.drain(..self.acknowledged);
        self.acknowledged = 0;
        self.pending.extend_from_slice(chunk);
        self.write_until_at_most(KEEP_IN_FLIGHT)
    }

    /// Counts the acknowledged bytes into `confirmed` as well (read after a failed upload).
    pub fn confirming(mut self, confirmed: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Self {
        self.confirmed = confirmed;
        self
    }

    /// Writes until every byte is acknowledged.
    pub fn finish(mut self) -> Result<(), FerryError> {
        self.write_until_at_most(0)
    }

    fn unacknowledged(&self) -> usize {
        self.pending.len() - self.acknowledged
    }

    fn write_until_at_most(&mut self, left: usize) -> Result<(), FerryError> {
        let mut last_progress = Instant::now();
        // At least one call whenever anything is pending, so that a new chunk goes out at once.
        while self.unacknowledged() > 0 {
            match self.file.write(&self.pending[self.acknowledged..]) {
                Ok(0) if last_progress.elapsed() >= self.no_progress_limit => return Err(self.stalled()),
                Ok(0) => {}
                Ok(written) => {
                    let written = written.min(self.unacknowledged());
                    self.acknowledged += written;
                    self.confirmed.fetch_add(written as u64, std::sync::atomic::Ordering::Relaxed);
                    last_progress = Instant::now();
                }
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                // libssh2 waited the whole session timeout for a window adjustment or an ack that
                // never came: the same stall, seen from inside one call.
                Err(error) if error.kind() == std::io::ErrorKind::TimedOut => return Err(self.stalled()),
                Err(error) => return Err((self.map_error)(&error)),
            }
            if self.unacknowledged() <= left {
                break;
            }
        }
        Ok(())
    }

    fn stalled(&self) -> FerryError {
        FerryError::new(
            ErrorKind::Timeout,
            format!("the server accepted no data for {} s while {}", self.no_progress_limit.as_secs(), self.context),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    fn upload(file: &mut impl Write, chunks: &[&[u8]], no_progress_limit: Duration) -> Result<(), FerryError> {
        let mut writer = PipelinedWriter::new(file, no_progress_limit, "uploading x", |e| FerryError::from_io(e, "x"));
        for chunk in chunks {
            writer.push(chunk)?;
        }
        writer.finish()
    }

    /// A writer that takes at most `step` bytes a call and answers 0 every other call, as libssh2
    /// does while it waits for a window adjustment.
    struct Stingy {
        written: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl Write for Stingy {
        fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(2) {
                return Ok(0);
            }
            let taken = buffer.len().min(self.step);
            self.written.extend_from_slice(&buffer[..taken]);
            Ok(taken)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn zero_byte_writes_are_retried_until_the_whole_buffer_is_taken() {
        let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        let mut writer = Stingy { written: Vec::new(), step: 24_576, calls: 0 };
        upload(&mut writer, &[&data], Duration::from_secs(5)).unwrap();
        assert_eq!(writer.written, data);
    }

    /// libssh2's `sftp_write` in blocking mode, as far as the caller can see it: each call turns
    /// the bytes past those it already holds into requests of at most 30,000 bytes, then waits
    /// for the oldest request's status (one round trip per call) and returns what is
    /// acknowledged. Every call that finds no request in flight is a round trip of idle link.
    #[derive(Default)]
    struct FakeSftpWrite {
        in_flight: VecDeque<usize>,
        acknowledged_not_returned: usize,
        /// What the server received, in order.
        received: Vec<u8>,
        calls_with_nothing_in_flight: usize,
        longest_buffer: usize,
        answer_zero_every_other_call: bool,
        calls: usize,
    }

    impl Write for FakeSftpWrite {
        fn write(&mut self, buffer: &[u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.in_flight.is_empty() {
                self.calls_with_nothing_in_flight += 1;
            }
            self.longest_buffer = self.longest_buffer.max(buffer.len());
            let already = self.in_flight.iter().sum::<usize>() + self.acknowledged_not_returned;
            for request in buffer.get(already..).unwrap_or_default().chunks(30_000) {
                self.received.extend_from_slice(request);
                self.in_flight.push_back(request.len());
            }
            if self.answer_zero_every_other_call && self.calls.is_multiple_of(2) {
                // Waiting for a window adjustment: nothing acknowledged yet.
                return Ok(0);
            }
            if let Some(request) = self.in_flight.pop_front() {
                self.acknowledged_not_returned += request;
            }
            let returned = self.acknowledged_not_returned.min(buffer.len());
            self.acknowledged_not_returned -= returned;
            Ok(returned)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn chunks_of(data: &[u8]) -> Vec<&[u8]> {
        data.chunks(CHUNK_SIZE).collect()
    }

    #[test]
    fn requests_stay_in_flight_across_chunk_boundaries() {
        let data: Vec<u8> = (0..8 * CHUNK_SIZE as u32 + 12_345).map(|i| (i % 251) as u8).collect();
        let mut file = FakeSftpWrite::default();
        upload(&mut file, &chunks_of(&data), Duration::from_secs(5)).unwrap();
        assert_eq!(file.received, data, "every byte once, in order");
        assert!(file.in_flight.is_empty() && file.acknowledged_not_returned == 0, "all acknowledged at the end");
        // Only the very first call finds the pipeline empty; handing over one chunk at a time,
        // written to its end, left it empty once per chunk (9 times here).
        assert_eq!(file.calls_with_nothing_in_flight, 1);
        assert!(file.longest_buffer <= KEEP_IN_FLIGHT + CHUNK_SIZE, "held {} bytes", file.longest_buffer);
    }

    #[test]
    fn zero_answers_while_waiting_for_the_window_keep_the_pipeline_and_the_bytes() {
        let data: Vec<u8> = (0..5 * CHUNK_SIZE as u32).map(|i| (i % 253) as u8).collect();
        let mut file = FakeSftpWrite { answer_zero_every_other_call: true, ..FakeSftpWrite::default() };
        upload(&mut file, &chunks_of(&data), Duration::from_secs(5)).unwrap();
        assert_eq!(file.received, data);
        assert_eq!(file.calls_with_nothing_in_flight, 1);
    }

    #[test]
    fn a_writer_that_never_takes_anything_is_reported_as_stalled() {
        struct Never;
        impl Write for Never {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                std::thread::sleep(Duration::from_millis(5));
                Ok(0)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let error = upload(&mut Never, &[b"abc"], Duration::from_millis(50)).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout);
        assert!(error.context.contains("the server accepted no data for 0 s while uploading x"), "{error}");
        assert_eq!(error.server_reply, None, "Ferry's own verdict, not the server's words");
    }

    #[test]
    fn a_wait_that_times_out_inside_libssh2_is_reported_as_a_stall() {
        struct TimesOut;
        impl Write for TimesOut {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "Timed out waiting on socket"))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let error = upload(&mut TimesOut, &[b"abc"], Duration::from_secs(2)).unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout);
        assert_eq!(error.context, "the server accepted no data for 2 s while uploading x");
        assert_eq!(error.detail, None, "libssh2's words add nothing here");
    }
}
