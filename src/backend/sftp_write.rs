//! Writing one buffer to an SFTP file through libssh2, whatever the server's channel window.
//!
//! libssh2's `sftp_write` splits a buffer into WRITE requests of 30,000 bytes and sends as many
//! as the channel window allows. When the window runs out part way through a request (Dropbear's
//! default window is 24,576 bytes, smaller than one request), it returns 0: "nothing acked yet,
//! call again with the same buffer". `std::io::Write::write_all` takes that 0 for a dead writer
//! ("failed to write whole buffer"); the handle is then closed while half a request is on the
//! wire, the server's sftp-server waits for the rest of it, and the upload hangs until the
//! timeout. So a 0 here means "call again": libssh2 itself then waits for the server's window
//! adjustment. Only a stretch with no progress at all for the whole timeout is an error (whether
//! libssh2 keeps answering 0 or itself gives up waiting on the socket), and it says what
//! happened: the server accepted no data.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::error::{ErrorKind, FerryError};

/// Writes all of `buffer` to `file`, calling again (with the rest of the buffer) whenever libssh2
/// reports 0 bytes. `no_progress_limit` bounds how long the server may accept nothing (it should
/// be the session's timeout, after which libssh2 reports a timed-out wait); other write errors go
/// through `map_error`.
pub fn write_whole(
    file: &mut impl Write,
    mut buffer: &[u8],
    no_progress_limit: Duration,
    context: &str,
    map_error: impl Fn(&std::io::Error) -> FerryError,
) -> Result<(), FerryError> {
    let stalled = || {
        FerryError::new(
            ErrorKind::Timeout,
            format!("the server accepted no data for {} s while {context}", no_progress_limit.as_secs()),
        )
    };
    let mut last_progress = Instant::now();
    while !buffer.is_empty() {
        match file.write(buffer) {
            Ok(0) if last_progress.elapsed() >= no_progress_limit => return Err(stalled()),
            Ok(0) => {}
            Ok(written) => {
                buffer = &buffer[written.min(buffer.len())..];
                last_progress = Instant::now();
            }
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            // libssh2 waited the whole session timeout for a window adjustment or an ack that
            // never came: the same stall, seen from inside one call.
            Err(error) if error.kind() == std::io::ErrorKind::TimedOut => return Err(stalled()),
            Err(error) => return Err(map_error(&error)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        write_whole(&mut writer, &data, Duration::from_secs(5), "uploading x", |e| FerryError::from_io(e, "x"))
            .unwrap();
        assert_eq!(writer.written, data);
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
        let error =
            write_whole(&mut Never, b"abc", Duration::from_millis(50), "uploading x", |e| FerryError::from_io(e, "x"))
                .unwrap_err();
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
        let error =
            write_whole(&mut TimesOut, b"abc", Duration::from_secs(2), "uploading x", |e| FerryError::from_io(e, "x"))
                .unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout);
        assert_eq!(error.context, "the server accepted no data for 2 s while uploading x");
        assert_eq!(error.detail, None, "libssh2's words add nothing here");
    }
}
