//! Pure logic of the transfer queue: which names are safe, what to do when a target exists, an item's
//! states and actions, progress math, and how much a server may make Ferry hold.

pub mod capped;
pub mod limits;
pub mod names;
pub mod policy;
pub mod progress;
pub mod queue_item;
