//! Which symlinks a folder upload follows: only those that stay inside the chosen folder, so an
//! unpacked third-party folder cannot send `~/.ssh/id_*` or any other file from elsewhere.

use std::fs::Metadata;
use std::path::Path;

use crate::error::{ErrorKind, FerryError};

/// The metadata of what the symlink `link` points to, when a folder upload of `root` (already
/// canonical) may follow it: a file inside `root`. Otherwise the reason it is skipped, in plain
/// words, for the queue and the command line to show.
pub fn follow(link: &Path, root: &Path) -> Result<Metadata, FerryError> {
    let refused = |kind: ErrorKind, why: &str| FerryError::new(kind, format!("{} skipped: {why}", link.display()));
    // Every link on the way is resolved, so a chain of links that ends outside is caught too.
    let Ok(target) = std::fs::canonicalize(link) else {
        return Err(refused(ErrorKind::NotFound, "a link to something that does not exist"));
    };
    if !target.starts_with(root) {
        return Err(refused(ErrorKind::PermissionDenied, "a link to a file outside the chosen folder"));
    }
    match std::fs::metadata(&target) {
        Ok(metadata) if metadata.is_file() => Ok(metadata),
        // A link to a folder could loop, and its files are uploaded from the folder itself.
        Ok(metadata) if metadata.is_dir() => {
            Err(refused(ErrorKind::Unsupported, "a link to a folder; links to folders are not followed"))
        }
        Ok(_) => Err(refused(ErrorKind::Unsupported, "a link to something that is not a file")),
        Err(error) => Err(FerryError::from_io(&error, format!("reading {}", target.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_inside_are_followed_and_others_refused_with_the_reason() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("inside.txt"), b"in").unwrap();
        std::fs::write(outside.path().join("id_rsa"), b"key").unwrap();
        std::fs::create_dir(root.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(root.path().join("inside.txt"), root.path().join("sub/in-link")).unwrap();
        std::os::unix::fs::symlink("../inside.txt", root.path().join("sub/relative")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("id_rsa"), root.path().join("out-link")).unwrap();
        // A link inside that leads to a link outside is outside.
        std::os::unix::fs::symlink(root.path().join("out-link"), root.path().join("chain")).unwrap();
        std::os::unix::fs::symlink(root.path().join("gone"), root.path().join("dangling")).unwrap();
        std::os::unix::fs::symlink(root.path().join("sub"), root.path().join("dir-link")).unwrap();
        let canonical = std::fs::canonicalize(root.path()).unwrap();

        assert_eq!(follow(&root.path().join("sub/in-link"), &canonical).unwrap().len(), 2);
        assert_eq!(follow(&root.path().join("sub/relative"), &canonical).unwrap().len(), 2);
        for (name, reason) in [
            ("out-link", "outside the chosen folder"),
            ("chain", "outside the chosen folder"),
            ("dangling", "does not exist"),
            ("dir-link", "links to folders are not followed"),
        ] {
            let error = follow(&root.path().join(name), &canonical).unwrap_err();
            assert!(error.to_string().contains(reason), "{name}: {error}");
        }
    }
}
