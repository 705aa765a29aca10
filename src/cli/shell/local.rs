//! The shell's local side: `lcd`, `lpwd`, `lls`, local globs for `mput`, and `!command`.

use std::path::{Path, PathBuf};

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::escape_control;

use super::command::Arg;

pub(super) fn current_dir() -> Result<PathBuf> {
    std::env::current_dir().map_err(|error| FerryError::from_io(&error, "finding the local folder"))
}

/// `lcd [PATH]`: without a path, the home folder.
pub(super) fn change_dir(path: Option<&str>) -> Result<()> {
    let target = match path {
        Some(path) => PathBuf::from(path),
        None => directories::UserDirs::new()
            .map(|dirs| dirs.home_dir().to_path_buf())
            .ok_or_else(|| FerryError::new(ErrorKind::NotFound, "the home folder: HOME is not set"))?,
    };
    std::env::set_current_dir(&target)
        .map_err(|error| FerryError::from_io(&error, format!("opening the local folder {}", target.display())))
}

/// The local paths that `pattern` matches, sorted; none is an error.
pub(super) fn matching(pattern: &str) -> Result<Vec<PathBuf>> {
    let bad_pattern = |detail: String| {
        FerryError::new(ErrorKind::Unsupported, format!("the pattern {}", escape_control(pattern))).with_detail(detail)
    };
    let mut paths: Vec<PathBuf> = glob::glob(pattern)
        .map_err(|error| bad_pattern(error.msg.to_string()))?
        .filter_map(|found| found.ok())
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(FerryError::new(ErrorKind::NotFound, format!("nothing here matches {}", escape_control(pattern))));
    }
    Ok(paths)
}

/// `lls [-l] [PATH|GLOB]`.
pub(super) fn list(long: bool, path: Option<&Arg>) -> Result<()> {
    let paths = match path {
        Some(Arg { pattern: Some(pattern), .. }) => matching(pattern)?,
        Some(Arg { text, .. }) => folder_or_file(Path::new(text))?,
        None => folder_or_file(Path::new("."))?,
    };
    for path in paths {
        let metadata = std::fs::symlink_metadata(&path).ok();
        let is_dir = metadata.as_ref().is_some_and(|m| m.is_dir());
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        let name = escape_control(&name) + if is_dir { "/" } else { "" };
        if long {
            let size = metadata.as_ref().map(|m| m.len()).unwrap_or(0);
            let modified = metadata
                .as_ref()
                .and_then(|m| m.modified().ok())
                .map(|t| chrono::DateTime::<chrono::Local>::from(t).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default();
            println!("{size:>12} {modified:16} {name}");
        } else {
            println!("{name}");
        }
    }
    Ok(())
}

/// A folder's entries sorted by name, or a file by itself.
fn folder_or_file(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::symlink_metadata(path)
            .map_err(|error| FerryError::from_io(&error, format!("listing {}", path.display())))?;
        return Ok(vec![path.to_path_buf()]);
    }
    let reading =
        std::fs::read_dir(path).map_err(|error| FerryError::from_io(&error, format!("listing {}", path.display())))?;
    let mut paths: Vec<PathBuf> = reading.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect();
    paths.sort();
    Ok(paths)
}

/// `!COMMAND` runs COMMAND with `sh -c`; a lone `!` starts the user's shell. Its own Ctrl+C goes
/// to it (the shell only notes it).
pub(super) fn run_shell_command(command: &str) -> Result<()> {
    let mut child = if command.is_empty() {
        std::process::Command::new(std::env::var_os("SHELL").unwrap_or_else(|| "sh".into()))
    } else {
        let mut child = std::process::Command::new("sh");
        child.arg("-c").arg(command);
        child
    };
    let status = child.status().map_err(|error| FerryError::from_io(&error, "starting a local shell"))?;
    if status.success() {
        Ok(())
    } else {
        let how = status.code().map(|code| format!("status {code}")).unwrap_or_else(|| "a signal".into());
        Err(FerryError::new(ErrorKind::LocalIo, format!("the local command ended with {how}")))
    }
}
