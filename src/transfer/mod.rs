//! Pure logic of the transfer queue: which names are safe, what to do when a target exists, and progress math.

pub mod names;
pub mod policy;
pub mod progress;
