//! Runs one parsed shell command on the session, through the same client calls as `ferry get`,
//! `ferry put`, `ferry ls`, `ferry mkdir`, `ferry rm` and `ferry mv`.

use std::path::{Path, PathBuf};

use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind, FtpMode, escape_control, file_name_remote, join_remote, parent_remote};
use crate::transfer::names::check_name;
use crate::transfer::policy::OnExists;
use crate::worker::{Command, Direction, FileCommand};

use super::super::args::TransferOptions;
use super::super::render::print_listing;
use super::command::{Arg, ShellCommand, help};
use super::local;
use super::remote_glob::Match;
use super::session::Session;

/// What the shell does after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    Continue,
    Quit,
}

impl Session {
    /// Runs `command`; its error is the command's failure, printed as one line by the caller.
    pub(super) fn execute(&mut self, command: ShellCommand) -> Result<Flow> {
        let changes_the_server = matches!(
            command,
            ShellCommand::Put { .. }
                | ShellCommand::Mput { .. }
                | ShellCommand::Mkdir { .. }
                | ShellCommand::Rmdir { .. }
                | ShellCommand::Rm { .. }
                | ShellCommand::Rename { .. }
                | ShellCommand::Chmod { .. }
        );
        let outcome = self.run(command);
        if changes_the_server {
            // Even a failed command may have changed something (a partial mput).
            self.forget_listings();
        }
        outcome
    }

    fn run(&mut self, command: ShellCommand) -> Result<Flow> {
        match command {
            ShellCommand::Nothing => {}
            ShellCommand::Quit => return Ok(Flow::Quit),
            ShellCommand::Open { target } => self.open(&target)?,
            ShellCommand::User { name } => self.user(&name)?,
            ShellCommand::Cd { path } => self.cd(path.as_deref())?,
            ShellCommand::Pwd => {
                self.client()?;
                println!("Remote folder: {}", escape_control(&self.cwd));
            }
            ShellCommand::Lcd { path } => local::change_dir(path.as_deref())?,
            ShellCommand::Lpwd => {
                println!("Local folder: {}", escape_control(&local::current_dir()?.to_string_lossy()))
            }
            ShellCommand::Ls { long, all, path } => self.ls(long, all, path.as_ref())?,
            ShellCommand::Lls { long, all, path } => local::list(long, all, path.as_ref())?,
            ShellCommand::Get { remote, local, recursive, resume } => {
                let local = PathBuf::from(local.unwrap_or_else(|| ".".into()));
                match &remote.pattern {
                    Some(pattern) => self.get_matching(pattern, local, recursive, resume)?,
                    None => {
                        let remote = self.remote_path(&remote.text);
                        self.transfer(Direction::Download, local, remote, recursive, resume)?;
                    }
                }
            }
            ShellCommand::Put { local, remote, recursive, resume } => {
                let remote = match remote {
                    Some(remote) => self.remote_path(&remote),
                    None => self.remote_target_for(Path::new(&local))?,
                };
                self.transfer(Direction::Upload, PathBuf::from(local), remote, recursive, resume)?;
            }
            ShellCommand::Mget { patterns, recursive } => self.mget(&patterns, recursive)?,
            ShellCommand::Mput { patterns, recursive } => self.mput(&patterns, recursive)?,
            ShellCommand::Mkdir { path } => {
                let path = self.remote_path(&path);
                self.client()?
                    .simple(|request, session| Command::Files(FileCommand::MakeDir { request, session, path }))?;
            }
            ShellCommand::Rmdir { path } => {
                let path = self.remote_path(&path);
                self.client()?
                    .simple(|request, session| Command::Files(FileCommand::RemoveDir { request, session, path }))?;
            }
            ShellCommand::Rm { path } => {
                let path = self.remote_path(&path);
                self.client()?
                    .simple(|request, session| Command::Files(FileCommand::RemoveFile { request, session, path }))?;
            }
            ShellCommand::Rename { from, to } => {
                let (from, to) = (self.remote_path(&from), self.remote_path(&to));
                self.client()?
                    .simple(|request, session| Command::Files(FileCommand::Rename { request, session, from, to }))?;
            }
            ShellCommand::Chmod { mode, path } => {
                let path = self.remote_path(&path);
                self.client()?
                    .simple(|request, session| Command::Files(FileCommand::Chmod { request, session, path, mode }))?;
            }
            ShellCommand::Stat { path } => {
                let path = self.remote_path(&path);
                let entry = self.client()?.stat_link(&path)?;
                print_stat(&path, &entry);
            }
            ShellCommand::Binary => eprintln!("ferry: binary: files are always copied byte for byte"),
            ShellCommand::Ascii => eprintln!(
                "ferry: ascii is not supported: Ferry copies files byte for byte (binary), line endings \
                 included; nothing changed"
            ),
            ShellCommand::Passive => eprintln!("ferry: {}", self.set_ftp_mode(FtpMode::Passive)?),
            ShellCommand::Active => eprintln!("ferry: {}", self.set_ftp_mode(FtpMode::Active)?),
            ShellCommand::Verbose => {
                self.set_verbose(!self.verbose);
                eprintln!(
                    "ferry: verbose {}",
                    if self.verbose { "on: the protocol transcript is shown" } else { "off" }
                );
            }
            ShellCommand::Help { topic } => print!("{}", help(topic.as_deref())?),
            ShellCommand::Local { command } => local::run_shell_command(&command)?,
        }
        Ok(Flow::Continue)
    }

    fn cd(&mut self, path: Option<&str>) -> Result<()> {
        let target = match path {
            Some(path) => self.remote_path(path),
            None => self.home().ok_or_else(|| FerryError::new(ErrorKind::ConnectionLost, "not connected"))?,
        };
        let entry = self.client()?.stat(&target).map_err(|error| error.context(format!("opening {target}")))?;
        if entry.kind == EntryKind::File {
            return Err(FerryError::new(
                ErrorKind::Unsupported,
                format!("{} is a file, not a folder", escape_control(&target)),
            ));
        }
        self.cwd = target;
        Ok(())
    }

    fn ls(&mut self, long: bool, all: bool, path: Option<&Arg>) -> Result<()> {
        let entries = match path {
            None => {
                let cwd = self.cwd.clone();
                hide_unless(all, self.list(&cwd)?)
            }
            Some(Arg { text, pattern: None }) => {
                let path = self.remote_path(text);
                let entries = self.list(&path)?;
                // A file named outright is listed by itself, hidden or not.
                let the_file_itself = matches!(entries.as_slice(), [only]
                    if only.kind != EntryKind::Dir && only.name == file_name_remote(&path));
                if the_file_itself { entries } else { hide_unless(all, entries) }
            }
            Some(Arg { pattern: Some(pattern), .. }) => {
                let found = self.matching_remote(pattern)?;
                // Matches from several folders are told apart by their paths.
                let several_folders = found.iter().any(|found_one| found_one.folder != found[0].folder);
                found
                    .into_iter()
                    .map(|found_one| {
                        let path = found_one.path();
                        let mut entry = found_one.entry;
                        if several_folders {
                            entry.name = path;
                        }
                        entry
                    })
                    .collect()
            }
        };
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

    /// `get GLOB [LOCAL]`: one match goes where `get` would put it; several go into the folder
    /// LOCAL, each under its own name, as `mget` does.
    fn get_matching(&mut self, pattern: &str, local: PathBuf, recursive: bool, resume: bool) -> Result<()> {
        let found = self.matching_remote(pattern)?;
        if found.len() > 1 && !local.is_dir() {
            return Err(FerryError::new(
                ErrorKind::Unsupported,
                format!("{} names match {}: name a local folder to put them in", found.len(), escape_control(pattern)),
            ));
        }
        let mut failures = Vec::new();
        self.download_matches(found, &local, recursive, resume, &mut failures)?;
        some_failed(failures)
    }

    /// Where `put LOCAL` goes: the file's name in the current remote folder.
    fn remote_target_for(&self, local: &Path) -> Result<String> {
        let name = local.file_name().and_then(|name| name.to_str()).ok_or_else(|| {
            FerryError::new(
                ErrorKind::Unsupported,
                format!("{} has no file name to upload under: name the remote target", local.display()),
            )
        })?;
        Ok(join_remote(&self.cwd, name))
    }

    fn transfer(
        &mut self,
        direction: Direction,
        local: PathBuf,
        remote: String,
        recursive: bool,
        resume: bool,
    ) -> Result<()> {
        let options = TransferOptions {
            recursive,
            parallel: 4,
            on_exists: if resume { OnExists::Resume } else { OnExists::Overwrite },
            verify: false,
            in_place: false,
            follow_links: false,
            no_keep_modes: false,
            no_keep_times: false,
            limit_rate: None,
            limit_rate_down: None,
            limit_rate_up: None,
        };
        self.client()?.transfer(direction, local, remote, &options)
    }

    /// Downloads every remote file that matches, into the local folder, each under its own name
    /// only if that name is one harmless name (`..`, `/`, NUL, CR, LF are refused).
    fn mget(&mut self, patterns: &[Arg], recursive: bool) -> Result<()> {
        let mut failures = Vec::new();
        for arg in patterns {
            let found = match &arg.pattern {
                Some(pattern) => match self.matching_remote(pattern) {
                    Ok(found) => found,
                    Err(error) => {
                        eprintln!("ferry: {error}");
                        failures.push(error);
                        continue;
                    }
                },
                None => {
                    let path = self.remote_path(&arg.text);
                    let mut entry = Entry::new(file_name_remote(&path), EntryKind::File);
                    if let Ok(found) = self.client()?.stat(&path) {
                        entry.kind = found.kind;
                    }
                    vec![Match { folder: parent_remote(&path), entry }]
                }
            };
            self.download_matches(found, Path::new("."), recursive, false, &mut failures)?;
        }
        some_failed(failures)
    }

    /// Downloads each match into `local` (a folder, or the target of a lone match), refusing
    /// names that are not one harmless name and skipping folders without `recursive`. Each
    /// failure is added to `failures`; only a cancel ends it early, as its error.
    fn download_matches(
        &mut self,
        found: Vec<Match>,
        local: &Path,
        recursive: bool,
        resume: bool,
        failures: &mut Vec<FerryError>,
    ) -> Result<()> {
        for Match { folder, entry } in found {
            if entry.kind == EntryKind::Dir && !recursive {
                eprintln!("ferry: skipping the folder {} (-r copies folders)", escape_control(&entry.name));
                continue;
            }
            if let Err(unsafe_name) = check_name(&entry.name) {
                let error = unsafe_name.to_error(&entry.name);
                eprintln!("ferry: refused: {error}");
                failures.push(error);
                continue;
            }
            let remote = join_remote(&folder, &entry.name);
            if let Err(error) = self.transfer(Direction::Download, local.to_path_buf(), remote, recursive, resume) {
                if error.kind == ErrorKind::Cancelled {
                    return Err(error);
                }
                failures.push(error);
            }
        }
        Ok(())
    }

    /// Uploads every local file that matches into the current remote folder.
    fn mput(&mut self, patterns: &[Arg], recursive: bool) -> Result<()> {
        let mut failures = Vec::new();
        for arg in patterns {
            let paths = match &arg.pattern {
                Some(pattern) => match local::matching(pattern) {
                    Ok(paths) => paths,
                    Err(error) => {
                        eprintln!("ferry: {error}");
                        failures.push(error);
                        continue;
                    }
                },
                None => vec![PathBuf::from(&arg.text)],
            };
            for path in paths {
                if path.is_dir() && !recursive {
                    eprintln!(
                        "ferry: skipping the folder {} (mput -r copies folders)",
                        escape_control(&path.to_string_lossy())
                    );
                    continue;
                }
                let remote = self.remote_target_for(&path)?;
                if let Err(error) = self.transfer(Direction::Upload, path, remote, recursive, false) {
                    if error.kind == ErrorKind::Cancelled {
                        return Err(error);
                    }
                    failures.push(error);
                }
            }
        }
        some_failed(failures)
    }
}

/// One error for a command that went on past failures, each printed as it happened.
fn some_failed(failures: Vec<FerryError>) -> Result<()> {
    match failures.first() {
        None => Ok(()),
        Some(first) => Err(FerryError::new(
            first.kind,
            format!("{} did not arrive, named above", crate::model::count_of(failures.len(), "name", "names")),
        )),
    }
}

/// `entries` without hidden names (a leading dot) unless `all`, as `ls` and `sftp` do.
fn hide_unless(all: bool, mut entries: Vec<Entry>) -> Vec<Entry> {
    if !all {
        entries.retain(|entry| !entry.name.starts_with('.'));
    }
    entries
}

fn print_stat(path: &str, entry: &Entry) {
    let kind = match entry.kind {
        EntryKind::File => "file",
        EntryKind::Dir => "folder",
        EntryKind::Symlink => "symbolic link",
        EntryKind::Other => "other",
    };
    println!("{}: {kind}", escape_control(path));
    if let Some(size) = entry.size {
        println!("  size: {size} bytes");
    }
    if let Some(permissions) = entry.permissions {
        println!("  permissions: {permissions:04o}");
    }
    if let Some(modified) = entry.modified {
        println!("  modified: {}", modified.format("%Y-%m-%d %H:%M:%S UTC"));
    }
    if let Some(owner) = &entry.owner {
        let group = entry.group.as_deref().map(|group| format!(":{}", escape_control(group))).unwrap_or_default();
        println!("  owner: {}{group}", escape_control(owner));
    }
    if let Some(target) = &entry.link_target {
        println!("  link to: {}", escape_control(target));
    }
}
