//! Tests that need no server and no window: the bookmark importers, the listing corpus, and the
//! property tests of URLs, FTP replies and importers.
//!
//! One test binary for all of them, so that the crate and its dependencies are linked once;
//! each file below is the module of one former test binary.

#[path = "../scripted_ftp/mod.rs"]
mod scripted_ftp;

mod import;
mod import_properties;
mod listing_corpus;
mod reply_properties;
mod url_properties;
