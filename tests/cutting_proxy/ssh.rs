//! Cuts an SSH connection at a chosen packet of the client: after its key exchange, during the
//! login. Packets after NEWKEYS are encrypted, so their boundaries are only known when the
//! server's one cipher keeps the packet length in clear: start sshd with
//! [`CLEAR_LENGTH_CIPHERS`].

use std::sync::Arc;

use super::{Connection, CutPoint, Direction, Fault, Shared, forward_until};

/// sshd_config lines under which [`SshCut`] can find the client's packets: AES-GCM sends each
/// packet's length unencrypted (it is only authenticated), then the sealed rest, then a 16-byte tag.
pub const CLEAR_LENGTH_CIPHERS: &str = "Ciphers aes128-gcm@openssh.com\n";

/// The tag that follows every AES-GCM packet.
const GCM_TAG: u64 = 16;
/// SSH_MSG_NEWKEYS: the client's last packet in clear.
const MSG_NEWKEYS: u8 = 21;

/// A fault that strikes when the client starts its `encrypted_packet`-th packet after NEWKEYS;
/// everything before it is delivered. With OpenSSH and libssh2: 1 is the request for the login
/// service (still part of the handshake), 2 the first login request ("none", which asks for the
/// methods the server takes), 3 the first real login attempt (a key or the password).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SshCut {
    /// Which encrypted packet of the client (from 1) never arrives.
    pub encrypted_packet: usize,
    /// What happens then.
    pub fault: Fault,
}

/// Follows the client's side of an SSH connection byte by byte: its banner line, its packets in
/// clear up to NEWKEYS, then AES-GCM packets.
#[derive(Default)]
struct ClientPackets {
    banner_done: bool,
    /// The start of the packet being read: its length, padding length and message type.
    header: Vec<u8>,
    /// Bytes of the current packet still to come after its header.
    remaining: u64,
    encrypted: bool,
    /// Encrypted packets begun so far.
    encrypted_begun: usize,
}

impl ClientPackets {
    /// Takes the next byte; true when it begins encrypted packet number `target`.
    fn begins(&mut self, byte: u8, target: usize) -> bool {
        if !self.banner_done {
            self.banner_done = byte == b'\n';
            return false;
        }
        if self.remaining > 0 {
            self.remaining -= 1;
            return false;
        }
        self.header.push(byte);
        let length = |header: &[u8]| u64::from(u32::from_be_bytes([header[0], header[1], header[2], header[3]]));
        if self.encrypted {
            if self.header.len() == 1 {
                self.encrypted_begun += 1;
                if self.encrypted_begun == target {
                    return true;
                }
            }
            if self.header.len() == 4 {
                self.remaining = length(&self.header) + GCM_TAG;
                self.header.clear();
            }
        } else if self.header.len() == 6 {
            // Length, padding length, message type: the rest of the packet follows.
            self.remaining = length(&self.header).saturating_sub(2);
            self.encrypted = self.header[5] == MSG_NEWKEYS;
            self.header.clear();
        }
        false
    }
}

/// The cut before the client's chosen encrypted packet.
struct BeforePacket {
    packets: ClientPackets,
    target: usize,
    found: bool,
}

impl CutPoint for BeforePacket {
    fn reached(&self) -> bool {
        self.found
    }

    fn sendable(&mut self, read: &[u8]) -> usize {
        let target = self.target;
        match read.iter().position(|&byte| self.packets.begins(byte, target)) {
            Some(send) => {
                self.found = true;
                send
            }
            None => read.len(),
        }
    }
}

/// Forwards the client's bytes to the server until the source ends, striking `cut` when the
/// client begins the chosen packet.
pub(super) fn forward_client(connection: &Arc<Connection>, cut: SshCut, shared: &Shared) {
    let point = BeforePacket { packets: ClientPackets::default(), target: cut.encrypted_packet, found: false };
    forward_until(connection, Direction::ToServer, Some((point, cut.fault)), shared);
}
