//! Tells a link loop and a link to nothing apart from a missing path: servers answer all three
//! "no such file", so when one does, Ferry walks the link chain itself, one link at a time.

use crate::backend::Backend;
use crate::error::{ErrorKind, FerryError};
use crate::model::EntryKind;
use crate::transfer::link_chain::{ChainStep, LinkChain};

/// `error`, or when it says `path` does not exist and `path` is a link that loops or leads to
/// nothing, the error that says so. Any other answer on the way keeps the original error.
pub(super) async fn explain(backend: &mut dyn Backend, path: &str, error: FerryError) -> FerryError {
    if error.kind != ErrorKind::NotFound {
        return error;
    }
    let mut chain = LinkChain::new(path);
    let mut at = path.to_string();
    loop {
        let entry = match backend.lstat(&at).await {
            Ok(entry) => entry,
            // The first link is there, so a missing end is its target's absence.
            Err(missing) if missing.kind == ErrorKind::NotFound && at != path => return chain.nothing_error(&at),
            Err(_) => return error,
        };
        let (EntryKind::Symlink, Some(target)) = (entry.kind, entry.link_target.as_deref()) else {
            // Not a link (or one whose target the server does not tell): the error stands.
            return error;
        };
        match chain.follow(&at, target) {
            ChainStep::Next(next) => at = next,
            ChainStep::Loop => return chain.loop_error(),
        }
    }
}

/// `result`, its error explained by [`explain`].
pub(super) async fn explained<T>(
    backend: &mut dyn Backend,
    path: &str,
    result: crate::error::Result<T>,
) -> crate::error::Result<T> {
    match result {
        Ok(value) => Ok(value),
        Err(error) => Err(explain(backend, path, error).await),
    }
}
