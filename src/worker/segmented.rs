//! Moves the ranges of one big SFTP file over several pooled connections at once (the planning
//! is `transfer/segments.rs`). The item's own connection works with the extra ones (its crew);
//! each takes the next range still missing, so a connection that is lost hands its range to the
//! others. What is recorded as arrived is only what is known to be written: for a download, bytes
//! flushed to the local file; for an upload, bytes the server acknowledged.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;

use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::context::{WorkerContext, lock};
use super::pool::{ConnectionPool, close_quietly, is_connection_failure};
use super::queue::QueueItem;
use crate::backend::{Backend, WriteStart};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::Protocol;
use crate::transfer::rate_limit::Limiters;
use crate::transfer::segments::Segments;
use crate::transfer::throttled::{ThrottledReader, ThrottledWriter};

/// One segmented item's state from one attempt to the next (only in memory: a transfer begun
/// again after Ferry stopped, or after a pause, starts its segments over).
pub(super) struct Segmented {
    /// How many ranges the file is cut into (fixed for the item, whatever the crew's size).
    pub parts: usize,
    /// The smallest file that is cut.
    pub threshold: u64,
    /// The ranges and what of each arrived; `None` until the first attempt knows the size.
    pub segments: Option<Segments>,
    /// The extra connections of the current attempt.
    pub crew: Vec<Box<dyn Backend>>,
    /// Which of the crew failed as a connection during the attempt (never put back in the pool).
    lost: Vec<bool>,
}

impl Segmented {
    /// The state of an item that may be cut into `parts` ranges, or `None` when it is moved in
    /// one piece: not SFTP, a folder, written in place, of unknown size or smaller than `threshold`.
    pub(super) fn for_item(item: &QueueItem, parts: usize, threshold: u64) -> Option<Segmented> {
        let size = item.size?;
        let wanted = item.site.protocol == Protocol::Sftp
            && !item.is_folder
            && !item.site.uploads_in_place
            && parts >= 2
            && size >= threshold;
        wanted.then(|| Segmented { parts, threshold, segments: None, crew: Vec::new(), lost: Vec::new() })
    }

    /// Whether a file of `size` bytes is cut (it may have changed since the plan).
    pub(super) fn can_cut(&self, size: u64) -> bool {
        Segments::plan(size, self.parts, self.threshold).is_some()
    }

    /// The ranges of a file of `size` bytes: those planned before when the size is the same,
    /// else a new plan (`fresh` is then true: nothing of it has arrived).
    pub(super) fn plan(&mut self, size: u64) -> Option<(&mut Segments, bool)> {
        let same = self.segments.as_ref().is_some_and(|s| !s.is_empty() && s.range(s.len() - 1).end == size);
        if !same {
            self.segments = Some(Segments::plan(size, self.parts, self.threshold)?);
        }
        self.segments.as_mut().map(|segments| (segments, !same))
    }

    /// Forgets what arrived: the temporary file is made again.
    pub(super) fn start_over(&mut self) {
        self.segments = None;
    }

    /// Opens the crew for the next attempt: idle connections first, then new ones, all logging
    /// in at once (over a long round trip each login takes several), up to one fewer than the
    /// parts. A connection that cannot be opened only makes the crew smaller.
    pub(super) async fn gather(&mut self, ctx: &WorkerContext, pool: &ConnectionPool, item: &QueueItem) {
        while self.crew.len() + 1 < self.parts {
            let Some(backend) = pool.take(&item.site) else { break };
            self.crew.push(backend);
        }
        let missing = self.parts.saturating_sub(self.crew.len() + 1);
        let logins = (0..missing).map(|_| super::connect::open_connection(ctx, item.request, item.site.clone()));
        for opened in join_all(logins.collect()).await {
            match opened {
                Ok((backend, _)) => self.crew.push(backend),
                Err(error) => {
                    let name = crate::model::escape_control(&item.remote);
                    tracing::info!(target: "ferry::transfer", "{name}: moving it on fewer connections: {error}");
                }
            }
        }
        self.lost = vec![false; self.crew.len()];
    }

    /// Gives the crew back to the pool after an attempt, closing those that failed as connections.
    pub(super) fn release(&mut self, pool: &ConnectionPool, item: &QueueItem) {
        for (backend, lost) in self.crew.drain(..).zip(self.lost.drain(..).chain(std::iter::repeat(false))) {
            if lost { close_quietly(backend) } else { pool.keep(&item.site, backend) }
        }
    }
}

/// What the workers of one attempt share.
struct Shared<'a> {
    /// Ranges waiting for a connection.
    pending: VecDeque<usize>,
    /// What is known to be written.
    confirmed: &'a mut Segments,
    /// What was handed on, for the progress shown (ahead of `confirmed` by what is in flight).
    shown: Segments,
    progress: &'a mut (dyn FnMut(u64) + Send),
}

impl Shared<'_> {
    fn show(&mut self, index: usize, position: u64) {
        self.shown.record(index, position);
        let bytes = self.shown.bytes_done();
        (self.progress)(bytes);
    }
}

/// Which way the bytes go.
#[derive(Clone, Copy)]
pub(super) enum Way<'a> {
    /// From the server's `remote` into the local file `part` (already made).
    Down { remote: &'a str, part: &'a Path },
    /// From the local file `source` into the server's `written` (already made).
    Up { source: &'a Path, written: &'a str },
}

/// Moves every missing range of `segments`, on `own` (the item's connection) and the crew at
/// once. Ends well only when every range is in place; otherwise with the error that stopped it
/// (a refusal before a lost connection, as a refusal will not go away by retrying).
pub(super) async fn move_ranges(
    own: &mut dyn Backend,
    state: &mut Segmented,
    way: Way<'_>,
    limits: &Limiters,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<()> {
    let Some(segments) = state.segments.as_mut() else { return Ok(()) };
    let shown = segments.clone();
    let pending = segments.unfinished().into();
    let shared = Mutex::new(Shared { pending, confirmed: segments, shown, progress });
    let mut connections: Vec<&mut dyn Backend> = vec![own];
    connections.extend(state.crew.iter_mut().map(|backend| backend.as_mut() as &mut dyn Backend));
    let workers = connections.into_iter().map(|connection| work(connection, &shared, way, limits));
    let outcomes = join_all(workers.collect()).await;
    for (lost, outcome) in state.lost.iter_mut().zip(outcomes.iter().skip(1)) {
        *lost = outcome.as_ref().is_err_and(is_connection_failure);
    }
    if lock(&shared).confirmed.complete() {
        // Every range arrived, on the connections that stayed. Were the item's own connection
        // lost, the steps after this (size, rename) fail on it and the item tries again.
        return Ok(());
    }
    let mut errors: Vec<FerryError> = outcomes.into_iter().filter_map(Result::err).collect();
    errors.sort_by_key(is_connection_failure);
    Err(errors.into_iter().next().unwrap_or_else(|| {
        FerryError::new(ErrorKind::ConnectionLost, "moving a file in segments: some ranges did not arrive")
    }))
}

/// One connection's work: the next missing range, until none is left or this connection fails
/// (its range then goes back for the others).
async fn work(connection: &mut dyn Backend, shared: &Mutex<Shared<'_>>, way: Way<'_>, limits: &Limiters) -> Result<()> {
    loop {
        let next = {
            let mut shared = lock(shared);
            shared.pending.pop_front().map(|index| (index, shared.confirmed.missing(index)))
        };
        let Some((index, missing)) = next else { return Ok(()) };
        let mut report = |position: u64| lock(shared).show(index, position);
        let outcome = match way {
            Way::Down { remote, part } => {
                download_range(connection, remote, part, missing.clone(), limits, &mut report).await
            }
            Way::Up { source, written } => {
                upload_range(connection, source, written, missing.clone(), limits, &mut report).await
            }
        };
        let mut shared = lock(shared);
        match outcome {
            Ok(position) => {
                shared.confirmed.record(index, position);
                if position < missing.end {
                    // The range is still missing some bytes (a download cut but flushed).
                    shared.pending.push_back(index);
                }
            }
            Err((position, error)) => {
                shared.confirmed.record(index, position);
                shared.pending.push_back(index);
                return Err(error);
            }
        }
    }
}

/// Reads `range` of `remote` into the same range of `part`; returns how far the local file is
/// known to hold it (written and flushed), with the error if the read stopped early.
async fn download_range(
    connection: &mut dyn Backend,
    remote: &str,
    part: &Path,
    range: std::ops::Range<u64>,
    limits: &Limiters,
    report: &mut (dyn FnMut(u64) + Send),
) -> std::result::Result<u64, (u64, FerryError)> {
    let context = format!("writing {}", part.display());
    let opened = super::transfer::open_existing(part).await;
    let mut file = opened.map_err(|e| (range.start, e))?;
    let seek = file.seek(std::io::SeekFrom::Start(range.start)).await;
    seek.map_err(|e| (range.start, FerryError::from_io(&e, context.clone())))?;
    let length = range.end - range.start;
    let mut throttled = ThrottledWriter::new(&mut file, limits.clone());
    let read = connection.read_range(remote, range.start, length, &mut throttled, report).await;
    // What the read handed to the file counts once the file took it.
    let flushed = file.flush().await.map_err(|e| FerryError::from_io(&e, context.clone()));
    let position = match (&read, flushed) {
        (_, Err(error)) => return Err((range.start, error)),
        (Ok(moved), Ok(())) => range.start + moved,
        (Err(_), Ok(())) => file.stream_position().await.unwrap_or(range.start).min(range.end),
    };
    match read {
        Ok(moved) if moved < length => Err((
            position,
            FerryError::new(
                ErrorKind::FileChanged,
                format!("downloading {remote}: the file on the server ended before its announced size"),
            ),
        )),
        Ok(_) => Ok(position),
        Err(error) => Err((position, error)),
    }
}

/// Sends `range` of the local `source` into the same range of the server's `written`; returns
/// how far the server is known to hold it: all of it, or after a failure what it acknowledged.
async fn upload_range(
    connection: &mut dyn Backend,
    source: &Path,
    written: &str,
    range: std::ops::Range<u64>,
    limits: &Limiters,
    report: &mut (dyn FnMut(u64) + Send),
) -> std::result::Result<u64, (u64, FerryError)> {
    let context = format!("reading {}", source.display());
    let fail = |e: std::io::Error| (range.start, FerryError::from_io(&e, context.clone()));
    let mut file = tokio::fs::File::open(source).await.map_err(fail)?;
    file.seek(std::io::SeekFrom::Start(range.start)).await.map_err(fail)?;
    let length = range.end - range.start;
    let mut part = file.take(length);
    let mut throttled = ThrottledReader::new(&mut part, limits.clone());
    let sent = connection.write_from(written, WriteStart::At(range.start), &mut throttled, report).await;
    match sent {
        Ok(moved) if moved == length => Ok(range.end),
        Ok(_) => Err((
            range.start,
            FerryError::new(ErrorKind::FileChanged, format!("{context}: the file got shorter while it was sent")),
        )),
        // SFTP servers answer a file's writes in order: what they acknowledged is written, and
        // the range continues after it.
        Err(error) => {
            let confirmed = connection.confirmed_written().unwrap_or(0).min(length);
            Err((range.start + confirmed, error))
        }
    }
}

/// Whether a resumed segmented copy can go on: what is recorded is only trusted while the
/// temporary file is still there and no shorter than what was written into it.
pub(super) fn still_there(segments: &Segments, held: Option<u64>) -> bool {
    let furthest = (0..segments.len())
        .map(|index| {
            let range = segments.range(index);
            let missing = segments.missing(index);
            if missing.start > range.start { missing.start } else { 0 }
        })
        .max()
        .unwrap_or(0);
    held.is_some_and(|held| held >= furthest)
}

/// Runs `futures` at once in the calling task (so cancelling the item stops them all) and gives
/// their outputs in order.
async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut waiting = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => waiting = true,
                }
            }
        }
        if waiting { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
