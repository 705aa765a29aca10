//! Which symlinks a folder upload follows: only those that stay inside the chosen folder, so an
//! unpacked third-party folder cannot send `~/.ssh/id_*` or any other file from elsewhere.

use std::fs::Metadata;
use std::path::Path;

use crate::error::{ErrorKind, FerryError};

/// Why a local link is not followed: what it is, in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unfollowed {
    /// A link to a folder (inside the chosen folder or not): it could loop, and a folder inside
    /// is uploaded from the folder itself.
    Folder,
    /// A link to a file outside the chosen folder.
    FileOutside,
    /// A link whose target does not exist, or that loops.
    Nothing,
    /// A link to a device, a socket, a pipe.
    NotAFile,
}

impl Unfollowed {
    /// What the link is ("a link to a folder, not followed"), as a sync plan's conflict says it.
    pub fn words(self) -> &'static str {
        match self {
            Unfollowed::Folder => "a link to a folder, not followed",
            Unfollowed::FileOutside => "a link to a file outside the chosen folder, not followed",
            Unfollowed::Nothing => "a link to something that does not exist",
            Unfollowed::NotAFile => "a link to something that is not a file, not followed",
        }
    }

    /// The refusal for the link `link`, for the queue and the command line to show.
    pub fn error(self, link: &Path) -> FerryError {
        let kind = match self {
            Unfollowed::Folder | Unfollowed::NotAFile => ErrorKind::Unsupported,
            Unfollowed::FileOutside => ErrorKind::PermissionDenied,
            Unfollowed::Nothing => ErrorKind::LinkToNothing,
        };
        let why = match self {
            Unfollowed::Folder => "a link to a folder; links to folders are not followed",
            other => other.words(),
        };
        FerryError::new(kind, format!("{} skipped: {why}", link.display()))
    }
}

/// The metadata of what the symlink `link` points to, when a folder upload of `root` (already
/// canonical) may follow it: a file inside `root`. Otherwise what the link is, so the caller can
/// say why it is skipped.
pub fn follow(link: &Path, root: &Path) -> Result<Metadata, Unfollowed> {
    // Every link on the way is resolved, so a chain of links that ends outside is caught too.
    let Ok(target) = std::fs::canonicalize(link) else {
        return Err(Unfollowed::Nothing);
    };
    // What it leads to is said first: a folder is a folder wherever it is.
    let Ok(metadata) = std::fs::metadata(&target) else {
        return Err(Unfollowed::Nothing);
    };
    if metadata.is_dir() {
        return Err(Unfollowed::Folder);
    }
    if !metadata.is_file() {
        return Err(Unfollowed::NotAFile);
    }
    if !target.starts_with(root) {
        return Err(Unfollowed::FileOutside);
    }
    Ok(metadata)
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
        std::os::unix::fs::symlink(outside.path(), root.path().join("dir-outside")).unwrap();
        let canonical = std::fs::canonicalize(root.path()).unwrap();

        assert_eq!(follow(&root.path().join("sub/in-link"), &canonical).unwrap().len(), 2);
        assert_eq!(follow(&root.path().join("sub/relative"), &canonical).unwrap().len(), 2);
        for (name, reason) in [
            ("out-link", "outside the chosen folder"),
            ("chain", "outside the chosen folder"),
            ("dangling", "does not exist"),
            ("dir-link", "links to folders are not followed"),
            ("dir-outside", "links to folders are not followed"),
        ] {
            let link = root.path().join(name);
            let error = follow(&link, &canonical).unwrap_err().error(&link);
            assert!(error.to_string().contains(reason), "{name}: {error}");
        }
    }
}
