//! The `--exclude` patterns of a sync, read as lines of a `.gitignore` (by the `ignore` crate, so
//! `*.log`, `/build`, `cache/`, `**/tmp` and `!keep.log` mean what they mean to git). An excluded
//! path is neither copied nor deleted, on either side, and nothing under an excluded folder is
//! looked at.

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::escape_control;

/// The compiled patterns.
#[derive(Debug, Clone)]
pub struct Excludes {
    rules: Gitignore,
}

impl Excludes {
    /// Compiles `patterns`; a pattern that is not one says which and why.
    pub fn new(patterns: &[String]) -> Result<Self> {
        // The root is only where anchored patterns ("/build") start: paths given to `excluded`
        // are relative to it, on either side.
        let mut builder = GitignoreBuilder::new("/");
        for pattern in patterns {
            builder.add_line(None, pattern).map_err(|error| {
                FerryError::new(ErrorKind::Unsupported, format!("the pattern \"{}\"", escape_control(pattern)))
                    .with_detail(error.to_string())
            })?;
        }
        let rules = builder.build().map_err(|error| {
            FerryError::new(ErrorKind::Unsupported, "the exclude patterns").with_detail(error.to_string())
        })?;
        Ok(Excludes { rules })
    }

    /// No patterns at all.
    pub fn none() -> Self {
        Excludes { rules: Gitignore::empty() }
    }

    /// Whether the relative `path` (names joined by `/`) is excluded. A walk asks before it goes
    /// into a folder, so a folder's exclusion covers everything in it.
    pub fn excluded(&self, path: &str, is_folder: bool) -> bool {
        self.rules.matched(std::path::Path::new("/").join(path), is_folder).is_ignore()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excludes(patterns: &[&str]) -> Excludes {
        Excludes::new(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn gitignore_rules_as_git_reads_them() {
        let rules = excludes(&["*.log", "!keep.log", "/build", "cache/", "**/tmp"]);
        assert!(rules.excluded("a.log", false));
        assert!(rules.excluded("deep/er/a.log", false));
        assert!(!rules.excluded("keep.log", false), "negated");
        assert!(rules.excluded("build", true));
        assert!(!rules.excluded("src/build", true), "anchored to the top");
        assert!(rules.excluded("src/cache", true));
        assert!(!rules.excluded("src/cache", false), "cache/ names folders only");
        assert!(rules.excluded("a/b/tmp", true));
        assert!(!rules.excluded("notes.txt", false));
        assert!(!Excludes::none().excluded("a.log", false));
    }

    #[test]
    fn a_broken_pattern_is_named() {
        let error = Excludes::new(&["[z-a".to_string()]).unwrap_err();
        assert!(error.to_string().contains("[z-a"), "{error}");
    }
}
