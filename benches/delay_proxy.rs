//! An emulated wide-area link: a TCP proxy that delays every chunk by a fixed time in each direction.
//!
//! These kernels have no netem qdisc, so latency is added in user space: [`DelayProxy`] listens on
//! one loopback address (127.0.0.2) on the very ports the servers use on another (127.0.0.1), and
//! forwards each chunk it reads after `one_way` delay, in order. Bandwidth is not limited; up to
//! [`IN_FLIGHT_BYTES`] per direction may wait in the queue, far more than 20 ms of loopback traffic,
//! so only the delay sets the pace.
//!
//! The proxy runs on its own tokio runtime, which is shut down when the value is dropped (and with
//! the process in any case).

// Cargo also builds every file of benches/ as a target of its own, where none of this is used.
#![allow(dead_code)]

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;

/// Bytes that may wait in one direction's queue before the proxy stops reading that side.
/// Without a bound a fast sender (an FTP upload) could fill memory while the receiver lags.
pub const IN_FLIGHT_BYTES: usize = 64 << 20;

/// How much one read may take in.
const CHUNK: usize = 256 << 10;

/// A running delay proxy; dropping it stops it and cuts its connections.
pub struct DelayProxy {
    runtime: Option<Runtime>,
}

impl DelayProxy {
    /// Listens on `listen_ip` on each of `ports` and forwards to the same port on `target_ip`, with
    /// `one_way` delay per direction (the round trip is twice that). Fails if a port is taken.
    pub fn start(
        listen_ip: IpAddr,
        target_ip: IpAddr,
        ports: impl IntoIterator<Item = u16>,
        one_way: Duration,
    ) -> io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("delay-proxy")
            .enable_all()
            .build()?;
        for port in ports {
            // Bind here, not in the task, so that a taken port is reported to the caller.
            let listener = std::net::TcpListener::bind((listen_ip, port))?;
            listener.set_nonblocking(true)?;
            let target = SocketAddr::new(target_ip, port);
            let listener = {
                let _guard = runtime.enter();
                TcpListener::from_std(listener)?
            };
            runtime.spawn(accept_loop(listener, target, one_way));
        }
        Ok(DelayProxy { runtime: Some(runtime) })
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn accept_loop(listener: TcpListener, target: SocketAddr, one_way: Duration) {
    loop {
        match listener.accept().await {
            Ok((client, _)) => {
                tokio::spawn(relay(client, target, one_way));
            }
            // E.g. out of file descriptors: wait a little rather than spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// One chunk on its way, or the end of the stream (`data` empty), due at `due`. The permit
/// returns its bytes to the direction's budget once the chunk is written.
struct Chunk {
    due: Instant,
    data: Vec<u8>,
    _permit: Option<OwnedSemaphorePermit>,
}

/// Relays one connection until both directions are closed.
async fn relay(client: TcpStream, target: SocketAddr, one_way: Duration) {
    // Small writes must go out at once: Nagle plus delayed ACKs would add up to 40 ms of their own.
    let _ = client.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (to_server, to_server_queue) = mpsc::unbounded_channel();
    // What the client sends is stamped as it arrives, even before the server side is connected.
    let upstream_reader = read_side(client_read, to_server, one_way);
    let rest = async move {
        // A real TCP handshake makes the server wait 1.5 round trips (SYN, SYN-ACK, ACK) before
        // accept() returns. The client's connect() here returns at once; the 20 ms delay on its
        // first bytes plus this wait give the same arrival times at the server, and the server's
        // first bytes (an FTP banner, a download) reach the client as late as on a real link.
        tokio::time::sleep(one_way * 3).await;
        let Ok(server) = TcpStream::connect(target).await else { return };
        let _ = server.set_nodelay(true);
        let (server_read, server_write) = server.into_split();
        let (to_client, to_client_queue) = mpsc::unbounded_channel();
        tokio::join!(
            write_side(to_server_queue, server_write),
            read_side(server_read, to_client, one_way),
            write_side(to_client_queue, client_write),
        );
    };
    tokio::join!(upstream_reader, rest);
}

/// Reads chunks from `source` and queues each with the time it is due at the other end; queues
/// an end-of-stream marker on EOF or error.
async fn read_side(mut source: OwnedReadHalf, queue: mpsc::UnboundedSender<Chunk>, one_way: Duration) {
    let budget = Arc::new(Semaphore::new(IN_FLIGHT_BYTES));
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = source.read(&mut buffer).await.unwrap_or(0);
        let due = Instant::now() + one_way;
        if read == 0 {
            let _ = queue.send(Chunk { due, data: Vec::new(), _permit: None });
            return;
        }
        let bytes = u32::try_from(read).expect("a chunk fits u32");
        let Ok(permit) = Arc::clone(&budget).acquire_many_owned(bytes).await else { return };
        let chunk = Chunk { due, data: buffer[..read].to_vec(), _permit: Some(permit) };
        if queue.send(chunk).is_err() {
            return; // The writer gave up: the other end is gone.
        }
    }
}

/// Writes queued chunks to `sink` when due, in order; on the end marker, half-closes `sink` (as
/// the original sender did), so that e.g. an FTP data connection ends where it should.
async fn write_side(mut queue: mpsc::UnboundedReceiver<Chunk>, mut sink: OwnedWriteHalf) {
    while let Some(chunk) = queue.recv().await {
        tokio::time::sleep_until(chunk.due).await;
        if chunk.data.is_empty() {
            break;
        }
        if sink.write_all(&chunk.data).await.is_err() {
            return;
        }
    }
    let _ = sink.shutdown().await;
}
