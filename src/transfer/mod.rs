//! Pure logic of the transfer queue: which names are safe, what to do when a target exists, an item's
//! states and actions, progress math, how much a server may make Ferry hold, and whether a target
//! may be resumed, what a folder sync copies and deletes (and which of its steps a user approved), which
//! files of two listed folders differ, the rules of editing a remote file in an external editor,
//! which links on a server a recursive download follows, why a link cannot be opened (a loop, a
//! link to nothing), how one big file is cut into segments moved on several connections, and
//! bandwidth limits (the shared bucket, the throttled reader and writer, how a rate is written).

pub mod capped;
pub mod edit;
pub mod find;
pub mod folder_compare;
pub mod limits;
pub mod link_chain;
pub mod links;
pub mod names;
pub mod policy;
pub mod progress;
pub mod queue_item;
pub mod rate_limit;
pub mod rate_text;
pub mod read_ahead;
pub mod resume_check;
pub mod segments;
pub mod server_time;
pub mod sync_approval;
pub mod sync_filter;
pub mod sync_plan;
pub mod throttled;
pub mod times;
