//! Free TCP ports on 127.0.0.1 for the test servers, never handed out twice in one process.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::ops::RangeInclusive;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Ports this process has handed out. The kernel may return a port again
/// once its probe socket is closed; remembering them keeps two tests of the
/// same process from starting servers on the same port.
static CLAIMED_PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// Claims every port of `ports` for this process, or none if any was taken.
fn claim_ports(ports: RangeInclusive<u16>) -> bool {
    let mut claimed = CLAIMED_PORTS.lock().unwrap_or_else(|poison| poison.into_inner());
    if ports.clone().any(|port| claimed.contains(&port)) {
        return false;
    }
    claimed.extend(ports);
    true
}

/// A TCP port on 127.0.0.1 that is free now and not handed out before by
/// this process. (Another process may still take it before the server binds
/// it; servers started here retry on a new port when that happens.)
pub fn free_port() -> u16 {
    loop {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0 to find a free port");
        let port = listener.local_addr().expect("local address of a bound socket").port();
        if claim_ports(port..=port) {
            return port;
        }
    }
}

/// `len` consecutive free ports on 127.0.0.1, e.g. vsftpd's passive range.
///
/// They are taken from 20000..32000, below Linux's ephemeral range
/// (32768..60999), so that outgoing client sockets do not grab them between
/// now and the moment the server uses them.
pub fn free_port_block(len: u16) -> RangeInclusive<u16> {
    const LOW: u32 = 20_000;
    const HIGH: u32 = 32_000;
    assert!(len > 0 && u32::from(len) < HIGH - LOW, "port block length {len} out of range");
    // Spread processes over the range so that parallel test binaries rarely
    // probe the same block.
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let span = HIGH - LOW - u32::from(len);
    for _ in 0..500 {
        let step = NEXT.fetch_add(1, Ordering::Relaxed);
        let offset = std::process::id().wrapping_mul(7919).wrapping_add(step.wrapping_mul(u32::from(len))) % span;
        let start = u16::try_from(LOW + offset).expect("port below 32000 fits u16");
        let block = start..=start + (len - 1);
        if all_bindable(block.clone()) && claim_ports(block.clone()) {
            return block;
        }
    }
    panic!("no block of {len} free ports found in {LOW}..{HIGH}");
}

/// Whether every port of `ports` can be bound on 127.0.0.1 right now.
fn all_bindable(ports: RangeInclusive<u16>) -> bool {
    // Hold all listeners at once so the answer is about the whole block.
    let listeners: Vec<_> = ports.map(|port| TcpListener::bind((Ipv4Addr::LOCALHOST, port))).collect();
    listeners.iter().all(Result::is_ok)
}

pub(super) fn localhost(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}
