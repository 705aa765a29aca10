//! Pure logic of the transfer queue: which names are safe, what to do when a target exists, an item's
//! states and actions, progress math, how much a server may make Ferry hold, and whether a target
//! may be resumed, and bandwidth limits (the shared bucket, the throttled reader and writer, how a
//! rate is written).

pub mod capped;
pub mod limits;
pub mod names;
pub mod policy;
pub mod progress;
pub mod queue_item;
pub mod rate_limit;
pub mod rate_text;
pub mod resume_check;
pub mod throttled;
pub mod times;
