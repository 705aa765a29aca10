//! The command line: `ferry ls|get|put|mkdir|rm|mv`, driving the same worker as the window, and
//! `ferry bookmarks list|add|rm|import|export`. Wherever a URL is accepted, so is `NAME:/path`
//! (a bookmark or an ssh config Host alias).

mod args;
mod bookmarks_command;
mod client;
mod prompts;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::bookmarks::{self, BookmarkStore, Keychain};
use crate::error::Result;
use crate::model::{escape_control, file_name_remote, join_remote, parent_remote};
use crate::worker::{Command, Direction};
use crate::worker::{FileCommand, SessionCommand};

pub use args::{AddBookmark, BookmarksAction, Cli, CliCommand, GlobalOptions, LoginChoice, TransferOptions};
use bookmarks_command::bookmarks_command;
use client::Client;
use render::print_listing;

/// Runs one headless command and returns the process exit code.
pub fn run(options: &GlobalOptions, command: CliCommand) -> ExitCode {
    crate::logging::init_stderr(options.verbose);
    match execute(options, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("ferry: {error}");
            ExitCode::FAILURE
        }
    }
}

fn execute(options: &GlobalOptions, command: CliCommand) -> Result<()> {
    let url = match &command {
        CliCommand::Ls { url, .. }
        | CliCommand::Get { url, .. }
        | CliCommand::Put { url, .. }
        | CliCommand::Mkdir { url }
        | CliCommand::Rm { url, .. }
        | CliCommand::Stat { url, .. }
        | CliCommand::Sum { url }
        | CliCommand::Mv { url, .. } => url.clone(),
        CliCommand::Bookmarks { action } => return bookmarks_command(options, action),
    };
    if let CliCommand::Get { transfer, .. } | CliCommand::Put { transfer, .. } = &command {
        prompts::can_ask_on_exists(transfer.on_exists)?;
    }
    let target = resolve(options, &url)?;
    let mut spec = target.spec;
    if let Some(bookmark) = &target.bookmark
        && let Err(error) = bookmarks::attach_secret(&mut spec, bookmark, &Keychain::system())
    {
        eprintln!("ferry: warning: no password from the keychain ({error}); asking instead");
    }
    options.apply(&mut spec);
    if let CliCommand::Put { transfer, .. } = &command
        && transfer.in_place
    {
        spec.uploads_in_place = true;
    }
    if let CliCommand::Put { transfer, .. } | CliCommand::Get { transfer, .. } = &command {
        spec.keep.modes &= !transfer.no_keep_modes;
        spec.keep.times &= !transfer.no_keep_times;
    }
    // A bookmark without a path opens its own start folder.
    let start = target.path.clone().or_else(|| spec.initial_path.clone());
    let mut client = Client::connect(options, spec)?;
    let path = start.unwrap_or_else(|| client.home.clone());
    let outcome = match command {
        CliCommand::Ls { json, .. } => client.list(&path).map(|entries| print_listing(&entries, json)),
        CliCommand::Get { local, transfer, .. } => {
            let local = local.unwrap_or_else(|| PathBuf::from("."));
            client.transfer(Direction::Download, local, path.clone(), &transfer)
        }
        CliCommand::Put { local, transfer, .. } => client.transfer(Direction::Upload, local, path.clone(), &transfer),
        CliCommand::Mkdir { .. } => client
            .simple(|request, session| Command::Files(FileCommand::MakeDir { request, session, path: path.clone() })),
        CliCommand::Rm { recursive: false, .. } => client.remove(&path),
        CliCommand::Rm { recursive: true, yes, .. } => client.remove_tree(&path, yes),
        CliCommand::Stat { json, .. } => client.stat(&path).map(|entry| print_listing(&[entry], json)),
        CliCommand::Sum { .. } => {
            client.sha256(&path).map(|(sum, _)| println!("{sum}  {}", escape_control(file_name_remote(&path))))
        }
        CliCommand::Mv { new_path, .. } => {
            // A path in the login folder has the parent "."; its new name needs no "./" before it.
            let to = match parent_remote(&path) {
                _ if new_path.starts_with('/') => new_path,
                parent if parent == "." => new_path,
                parent => join_remote(&parent, &new_path),
            };
            client.simple(|request, session| {
                Command::Files(FileCommand::Rename { request, session, from: path.clone(), to: to.clone() })
            })
        }
        // Answered above, without a connection.
        CliCommand::Bookmarks { .. } => Ok(()),
    };
    client.handle.send(Command::Session(SessionCommand::Disconnect { session: client.session }));
    outcome
}

/// Where a URL or `NAME:/path` argument leads. The bookmark file is read only for names.
fn resolve(options: &GlobalOptions, text: &str) -> Result<bookmarks::Target> {
    let ssh_config = bookmarks::connect_ssh_config(options.ssh_config.as_deref())?;
    let file = if crate::url::looks_like_url(text) {
        bookmarks::BookmarkFile::default()
    } else {
        load_bookmarks(options)?.file
    };
    bookmarks::resolve_target(text, &file, ssh_config.as_ref())
}

/// Reads the bookmark file, warning on stderr when it had to be kept aside.
fn load_bookmarks(options: &GlobalOptions) -> Result<bookmarks::Loaded> {
    let loaded = BookmarkStore::new(&options.config_dir()).load()?;
    if let Some(problem) = &loaded.problem {
        eprintln!("ferry: warning: {problem}");
    }
    Ok(loaded)
}
