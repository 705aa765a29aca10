//! Saved sites: the bookmark model, its file in the config folder, secrets in the OS keychain,
//! and importers for other clients' files.

pub mod import;
mod model;

pub use model::{Bookmark, BookmarkId, LoginMethod};
