//! What Ferry trusts, below the backends that ask: SSH host keys against known_hosts files
//! (`known_hosts/`), TLS certificates (`tls.rs`), and what the user accepted (`store.rs`). The
//! backends import this module; it imports no backend.

pub mod known_hosts;
mod store;
pub mod tls;

pub use known_hosts::HostKey;
pub use store::{TrustDecision, TrustStore};
pub use tls::RejectedCertificate;
