//! The shell's local side: `lcd`, `lpwd`, `lls`, local globs for `mput`, and `!command`.

use std::path::{Path, PathBuf};

use crate::backend::local::entry_from_metadata;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind, escape_control};

use super::super::render::print_listing;

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

/// `lls [-la] [PATH|GLOB]`: the long form in `ls -l`'s columns (kind, mode, size, time).
pub(super) fn list(long: bool, all: bool, path: Option<&Arg>) -> Result<()> {
    let paths = match path {
        Some(Arg { pattern: Some(pattern), .. }) => matching(pattern)?,
        Some(Arg { text, .. }) => folder_or_file(Path::new(text), all)?,
        None => folder_or_file(Path::new("."), all)?,
    };
    let mut entries = Vec::with_capacity(paths.len());
    for path in paths {
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
        // A name that went between the listing and now is shown with what is known: its name.
        let entry = match std::fs::symlink_metadata(&path) {
            Ok(metadata) => {
                let target = std::fs::read_link(&path).ok().map(|target| target.to_string_lossy().into_owned());
                entry_from_metadata(name, &metadata, target)
            }
            Err(_) => Entry::new(name, EntryKind::Other),
        };
        entries.push(entry);
    }
    if long {
        print_listing(&entries, false);
    } else {
        for entry in &entries {
            let slash = if entry.kind == EntryKind::Dir { "/" } else { "" };
            println!("{}{slash}", escape_control(&entry.name));
        }
    }
    Ok(())
}

/// A folder's entries sorted by name (hidden ones only with `all`), or a file by itself.
fn folder_or_file(path: &Path, all: bool) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        std::fs::symlink_metadata(path)
            .map_err(|error| FerryError::from_io(&error, format!("listing {}", path.display())))?;
        return Ok(vec![path.to_path_buf()]);
    }
    let reading =
        std::fs::read_dir(path).map_err(|error| FerryError::from_io(&error, format!("listing {}", path.display())))?;
    let mut paths: Vec<PathBuf> = reading
        .filter_map(|entry| entry.ok())
        .filter(|entry| all || !entry.file_name().to_string_lossy().starts_with('.'))
        .map(|entry| entry.path())
        .collect();
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
