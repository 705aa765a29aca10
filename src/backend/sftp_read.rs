//! An SFTP download's reading: a network thread reads ahead (no further than a bandwidth limit
//! allows, see `transfer/read_ahead.rs`) while the local sink writes.

use std::io::{Read, Seek};
use std::path::Path;
use std::sync::Arc;

use tokio::io::AsyncWriteExt;

use super::read_gate::ReadGate;
use super::sftp::{CHUNKS_IN_FLIGHT, SftpBackend};
use super::sftp_error::{remote_io_error, ssh_error};
use super::sftp_wire as wire;
use super::{CHUNK_SIZE, ProgressFn, Sink};
use crate::error::{FerryError, Result};
use crate::transfer::rate_limit::Limiters;
use crate::transfer::read_ahead::ReadAhead;

/// How many reads of the size it is given libssh2 keeps in flight (its `sftp_read` asks for up to
/// four times the caller's buffer): a limited download's reads are sized by it.
const LIBSSH2_READS_AHEAD: usize = 4;

impl SftpBackend {
    /// Reads at most `length` bytes of `path` from `offset` on (to the end for `u64::MAX`) into
    /// `sink`: the network thread reads ahead while the sink writes.
    pub(super) async fn read_stream(
        &mut self,
        path: &str,
        offset: u64,
        length: u64,
        sink: Sink<'_>,
        progress: ProgressFn<'_>,
        limits: &Limiters,
    ) -> Result<u64> {
        let full = self.absolute(path);
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(CHUNKS_IN_FLIGHT);
        let gate = Arc::new(ReadGate::default());
        let reader_gate = gate.clone();
        let limits = limits.clone();
        wire::sent(&format!("OPEN {full} to READ from byte {offset}"));
        let reader = self.blocking(move |c| {
            let context = format!("downloading {full}");
            let mut file = c.sftp.open(Path::new(&full)).map_err(|e| ssh_error(&e, &context))?;
            if offset > 0 {
                file.seek(std::io::SeekFrom::Start(offset)).map_err(|e| remote_io_error(&e, &context))?;
            }
            let mut read_so_far = 0u64;
            while read_so_far < length {
                // Asked again before every read: the limit may change (or be lifted) meanwhile.
                let pace = || ReadAhead::new(limits.piece(), CHUNK_SIZE, LIBSSH2_READS_AHEAD);
                if !reader_gate.wait_to_read(read_so_far, |ahead| pace().may_read(ahead)) {
                    // The receiving side stopped (cancelled or a local write failed): stop reading.
                    return Ok(());
                }
                let want = usize::try_from(length - read_so_far).unwrap_or(usize::MAX).min(pace().read_size);
                let mut chunk = vec![0u8; want];
                let read = file.read(&mut chunk).map_err(|e| remote_io_error(&e, &context))?;
                if read == 0 {
                    return Ok(());
                }
                chunk.truncate(read);
                read_so_far += read as u64;
                if sender.blocking_send(chunk).is_err() {
                    return Ok(());
                }
            }
            Ok(())
        });
        // `move`: the receiver ends with the writer, so a failed local write (a full disk, more
        // than the announced size) stops the reader instead of leaving it blocked on a full channel.
        let writer = async move {
            let _ended = gate.writer();
            let mut moved = 0u64;
            while let Some(chunk) = receiver.recv().await {
                // Write by write, each reported: a sink held to a bandwidth limit takes a chunk
                // in many small writes, and its progress should move with them.
                let mut rest = chunk.as_slice();
                while !rest.is_empty() {
                    let written =
                        sink.write(rest).await.map_err(|e| FerryError::from_io(&e, "writing the local file"))?;
                    if written == 0 {
                        let error = std::io::Error::from(std::io::ErrorKind::WriteZero);
                        return Err(FerryError::from_io(&error, "writing the local file"));
                    }
                    rest = &rest[written..];
                    moved += written as u64;
                    gate.took(written as u64);
                    progress(offset + moved);
                }
            }
            sink.flush().await.map_err(|e| FerryError::from_io(&e, "writing the local file"))?;
            Ok::<u64, FerryError>(moved)
        };
        let (read_result, write_result) = tokio::join!(reader, writer);
        // A local write error explains a stopped reader better than the reader's own result.
        let moved = write_result.and_then(|moved| read_result.map(|()| moved));
        wire::answered(&moved);
        moved
    }
}
