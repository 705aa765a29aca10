//! How much a server may make Ferry hold: entries and bytes per listing, depth and size of a
//! recursive plan, and the errors that name each limit when a server goes past it.
//!
//! A hostile or broken server can send a listing that never ends, or a folder that contains
//! itself forever; without a bound Ferry would grow until the system kills it. Every limit is
//! far above what a real server sends, and going past one is an error that names it: a listing
//! is never kept cut short without a word.

use crate::error::{ErrorKind, FerryError};

/// The most entries one folder listing may hold. A real folder can hold a million files (mail
/// spools, caches, camera dumps); past that Ferry stops reading and reports it.
pub const MAX_LISTING_ENTRIES: usize = 1_000_000;

/// The most bytes of listing text one FTP folder listing may take (about 500 bytes a line for a
/// million entries, where a real line is under 100).
pub const MAX_LISTING_BYTES: u64 = 512 * 1024 * 1024;

/// The longest one line of an FTP listing may be. A name is at most a few hundred bytes on every
/// common file system; a longer line is a server sending something else.
pub const MAX_LISTING_LINE: usize = 64 * 1024;

/// The most folder levels a recursive download, delete or permission change goes down. Deeper
/// than any real tree; it stops a server whose folders contain themselves forever.
pub const MAX_PLAN_DEPTH: usize = 256;

/// The most files and folders one recursive download may plan (and one recursive delete or
/// permission change may visit).
pub const MAX_PLAN_ITEMS: usize = 2_000_000;

/// The longest FTP control reply, every line of a multi-line reply included. This is the bound
/// of the FTP library itself (it fails the command with "reply larger than ..."), recorded here
/// so all of Ferry's limits are in one place; Ferry cannot change it.
pub const MAX_FTP_REPLY_BYTES: usize = 256 * 1024;

/// How far past the size a server announced a download may grow before Ferry stops it: none.
/// A file that grows while it is downloaded is reported as such and fetched again whole.
pub const DOWNLOAD_MARGIN: u64 = 0;

/// The limits one connection works within. [`Limits::default`] holds the constants above; tests
/// (and only they, in practice) use smaller ones to show where a limit stops a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// See [`MAX_LISTING_ENTRIES`].
    pub listing_entries: usize,
    /// See [`MAX_LISTING_BYTES`].
    pub listing_bytes: u64,
    /// See [`MAX_LISTING_LINE`].
    pub listing_line: usize,
    /// See [`MAX_PLAN_DEPTH`].
    pub plan_depth: usize,
    /// See [`MAX_PLAN_ITEMS`].
    pub plan_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            listing_entries: MAX_LISTING_ENTRIES,
            listing_bytes: MAX_LISTING_BYTES,
            listing_line: MAX_LISTING_LINE,
            plan_depth: MAX_PLAN_DEPTH,
            plan_items: MAX_PLAN_ITEMS,
        }
    }
}

impl Limits {
    /// The error for a listing of `dir` with more than `listing_entries` entries.
    pub fn too_many_entries(&self, dir: &str) -> FerryError {
        FerryError::new(
            ErrorKind::TooLarge,
            format!("the listing of {dir} has more than {} entries; Ferry stops there", self.listing_entries),
        )
    }

    /// The error for a listing of `dir` longer than `listing_bytes`.
    pub fn too_many_listing_bytes(&self, dir: &str) -> FerryError {
        FerryError::new(
            ErrorKind::TooLarge,
            format!("the listing of {dir} is longer than {} bytes; Ferry stops there", self.listing_bytes),
        )
    }

    /// The error for a line of the listing of `dir` longer than `listing_line`.
    pub fn listing_line_too_long(&self, dir: &str) -> FerryError {
        FerryError::new(
            ErrorKind::TooLarge,
            format!("a line of the listing of {dir} is longer than {} bytes; Ferry stops there", self.listing_line),
        )
    }

    /// The error for a folder `dir` more than `plan_depth` levels below where a walk began.
    pub fn too_deep(&self, dir: &str) -> FerryError {
        FerryError::new(
            ErrorKind::TooLarge,
            format!(
                "{dir} is more than {} folders deep; Ferry stops there (a server whose folders contain themselves \
                 looks like this)",
                self.plan_depth
            ),
        )
    }

    /// The error for a walk from `top` that found more than `plan_items` files and folders.
    pub fn too_many_items(&self, top: &str) -> FerryError {
        FerryError::new(
            ErrorKind::TooLarge,
            format!("{top} holds more than {} files and folders; Ferry stops there", self.plan_items),
        )
    }
}

/// The error for a download that went on past the `announced` size.
pub fn file_grew(remote: &str, announced: u64) -> FerryError {
    FerryError::new(
        ErrorKind::FileChanged,
        format!(
            "downloading {remote}: the file grew while it was downloaded (announced {announced} bytes); nothing was \
             kept, retry to fetch it again"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_limit_and_the_folder() {
        let limits = Limits { listing_entries: 10, plan_depth: 3, ..Limits::default() };
        let shown = limits.too_many_entries("/x").to_string();
        assert!(shown.contains("/x has more than 10 entries"), "{shown}");
        assert!(limits.too_deep("/a/a/a/a").to_string().contains("more than 3 folders deep"));
        assert_eq!(file_grew("/f", 7).kind, ErrorKind::FileChanged);
        assert!(file_grew("/f", 7).to_string().contains("announced 7 bytes"));
    }
}
