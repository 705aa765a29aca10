//! The command line: `ferry ls|get|put|mkdir|rm|mv|sync|edit`, driving the same worker as the window,
//! `ferry shell` (an `ftp`/`sftp` prompt on the same commands) and
//! `ferry bookmarks list|add|rm|import|export`. Wherever a URL is accepted, so is `NAME:/path`
//! (a bookmark or an ssh config Host alias).

mod args;
mod bookmarks_command;
mod client;
mod edit;
mod prompts;
mod render;
mod shell;
mod sync_command;
mod tally;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::bookmarks::{self, BookmarkStore, Keychain};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, Protocol, escape_control, file_name_remote, join_remote, parent_remote};
use crate::route::Route;
use crate::worker::{Command, Direction};
use crate::worker::{FileCommand, SessionCommand};

pub use args::{
    AddBookmark, BookmarksAction, Cli, CliCommand, GlobalOptions, LoginChoice, SyncOptionsArgs, TransferOptions,
};
use bookmarks_command::bookmarks_command;
use client::Client;
use render::print_listing;

/// Runs one headless command and returns the process exit code.
pub fn run(options: &GlobalOptions, command: CliCommand) -> ExitCode {
    crate::logging::init_stderr(options.verbose);
    match execute(options, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            match prompts::hint_without_terminal(&error) {
                Some(hint) => eprintln!("ferry: {error} ({hint})"),
                None => eprintln!("ferry: {error}"),
            }
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
        | CliCommand::Mv { url, .. }
        | CliCommand::Edit { url, .. } => url.clone(),
        CliCommand::Sync { src, dst, .. } => sync_command::sides(src, dst)?.0,
        CliCommand::Bookmarks { action } => return bookmarks_command(options, action),
        CliCommand::Shell { url, batch } => return shell::run(options, url.as_deref(), batch.as_deref()),
    };
    if let CliCommand::Get { transfer, .. } | CliCommand::Put { transfer, .. } = &command {
        prompts::can_ask_on_exists(transfer.on_exists)?;
    }
    // Chosen before connecting: without an editor there is nothing to connect for.
    let editor = match &command {
        CliCommand::Edit { editor, .. } => Some(edit::choose_editor(editor.as_deref())?),
        _ => None,
    };
    let (mut spec, start) = connect_spec(options, &url)?;
    if let CliCommand::Put { transfer, .. } = &command
        && transfer.in_place
    {
        spec.uploads_in_place = true;
    }
    if let CliCommand::Put { transfer, .. } | CliCommand::Get { transfer, .. } = &command {
        spec.keep.modes &= !transfer.no_keep_modes;
        spec.keep.times &= !transfer.no_keep_times;
    }
    let mut client = Client::connect(options, spec)?;
    let path = start.unwrap_or_else(|| client.home.clone());
    let outcome = match command {
        CliCommand::Ls { json, .. } => client.list(&path).map(|entries| print_listing(&entries, json)),
        CliCommand::Get { local, transfer, .. } => {
            let local = local.unwrap_or_else(|| PathBuf::from("."));
            client.transfer(Direction::Download, local, path.clone(), &transfer)
        }
        CliCommand::Put { local, transfer, .. } => client.transfer(Direction::Upload, local, path.clone(), &transfer),
        CliCommand::Sync { src, dst, sync } => sync_command::sides(&src, &dst)
            .and_then(|(_, direction, local)| sync_command::sync(&mut client, direction, local, path.clone(), &sync)),
        CliCommand::Mkdir { .. } => client
            .simple(|request, session| Command::Files(FileCommand::MakeDir { request, session, path: path.clone() })),
        CliCommand::Rm { recursive: false, .. } => client.remove(&path),
        CliCommand::Rm { recursive: true, yes, .. } => client.remove_tree(&path, yes),
        CliCommand::Stat { json, .. } => client.stat_link(&path).map(|entry| print_listing(&[entry], json)),
        CliCommand::Sum { .. } => {
            client.sha256(&path).map(|(sum, _)| println!("{sum}  {}", escape_control(file_name_remote(&path))))
        }
        CliCommand::Mv { new_path, .. } => {
            let to = move_target(&path, &new_path);
            client.simple(|request, session| {
                Command::Files(FileCommand::Rename { request, session, from: path.clone(), to: to.clone() })
            })
        }
        CliCommand::Edit { batch, diff, .. } => edit::edit(&mut client, &path, editor.unwrap_or_default(), diff, batch),
        // Answered above, without a connection.
        CliCommand::Bookmarks { .. } | CliCommand::Shell { .. } => Ok(()),
    };
    client.handle.send(Command::Session(SessionCommand::Disconnect { session: client.session }));
    outcome
}

/// Where `ferry mv PATH NEW_PATH` puts the file: NEW_PATH is relative to the file's folder unless
/// absolute, and a NEW_PATH ending in `/` is a folder to move it into, keeping its name (as `mv`).
fn move_target(path: &str, new_path: &str) -> String {
    let new_path = match new_path.strip_suffix('/') {
        Some(folder) => join_remote(if folder.is_empty() { "/" } else { folder }, file_name_remote(path)),
        None => new_path.to_string(),
    };
    // A path in the login folder has the parent "."; its new name needs no "./" before it.
    match parent_remote(path) {
        _ if new_path.starts_with('/') => new_path,
        parent if parent == "." => new_path,
        parent => join_remote(&parent, &new_path),
    }
}

/// How to connect for a URL or `NAME:/path` (the keychain's secret and the options applied),
/// and the remote path it names: its own, or a bookmark's start folder.
fn connect_spec(options: &GlobalOptions, text: &str) -> Result<(ConnectSpec, Option<String>)> {
    let target = resolve(options, text)?;
    let site_proxy = match &target.bookmark {
        Some(bookmark) => bookmarks::site_proxy(bookmark, &Keychain::system())?,
        None => None,
    };
    let mut spec = target.spec;
    if let Some(bookmark) = &target.bookmark
        && let Err(error) = bookmarks::attach_secret(&mut spec, bookmark, &Keychain::system())
    {
        eprintln!("ferry: warning: no password from the keychain ({error}); asking instead");
    }
    options.apply(&mut spec);
    if let Some(jump) = &options.jump {
        spec.route = jump_route(options, &spec, jump)?;
    }
    spec.proxy = proxy_for(options, &spec, site_proxy)?;
    // A bookmark without a path opens its own start folder.
    let start = target.path.clone().or_else(|| spec.initial_path.clone());
    Ok((spec, start))
}

/// The proxy to go through: `--proxy`, else the site's, else the environment's (`ALL_PROXY`,
/// `NO_PROXY`); its password from the URL or the keychain, else `FERRY_PROXY_PASSWORD`.
fn proxy_for(
    options: &GlobalOptions,
    spec: &ConnectSpec,
    site: Option<crate::proxy::ProxyChoice>,
) -> Result<Option<crate::proxy::Proxy>> {
    use crate::proxy::{ProxyChoice, ProxySources};
    let explicit = match options.proxy.as_deref().map(str::trim) {
        None => None,
        Some(text) if text.eq_ignore_ascii_case("none") || text.is_empty() => Some(ProxyChoice::Direct),
        Some(text) => Some(ProxyChoice::Through(
            crate::proxy::parse_proxy_url(text)
                .map_err(|error| FerryError { context: format!("--proxy: {}", error.context), ..error })?,
        )),
    };
    let sources = ProxySources::with_environment(explicit, site);
    let mut proxy = crate::proxy::choose(&sources, &spec.host)?;
    if let Some(proxy) = &mut proxy
        && proxy.user.is_some()
        && proxy.password.is_none()
        && let Ok(password) = std::env::var("FERRY_PROXY_PASSWORD")
    {
        proxy.password = Some(secrecy::SecretString::from(password));
    }
    Ok(proxy)
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

/// The route `--jump` names, which replaces the ssh config's (as `ssh -J` does).
fn jump_route(options: &GlobalOptions, spec: &ConnectSpec, jump: &str) -> Result<Route> {
    if spec.protocol != Protocol::Sftp {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!(
                "--jump reaches SFTP servers only; {} through a jump host is not supported yet",
                spec.protocol.scheme()
            ),
        ));
    }
    let ssh_config = bookmarks::connect_ssh_config(options.ssh_config.as_deref())?;
    let hops = bookmarks::resolve_jump_chain(jump, ssh_config.as_ref())?;
    Ok(if hops.is_empty() { Route::Direct } else { Route::Jump(hops) })
}

/// Reads the bookmark file, warning on stderr when it had to be kept aside.
fn load_bookmarks(options: &GlobalOptions) -> Result<bookmarks::Loaded> {
    let loaded = BookmarkStore::new(&options.config_dir()).load()?;
    if let Some(problem) = &loaded.problem {
        eprintln!("ferry: warning: {problem}");
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::move_target;

    #[test]
    fn a_new_path_ending_in_a_slash_is_a_folder_to_move_into() {
        assert_eq!(move_target("/srv/a.txt", "b.txt"), "/srv/b.txt");
        assert_eq!(move_target("/srv/a.txt", "/tmp/b.txt"), "/tmp/b.txt");
        assert_eq!(move_target("/srv/a.txt", "sub/"), "/srv/sub/a.txt");
        assert_eq!(move_target("/srv/a.txt", "/"), "/a.txt");
        assert_eq!(move_target("a.txt", "sub/"), "sub/a.txt");
        assert_eq!(move_target("a.txt", "b.txt"), "b.txt");
    }
}
