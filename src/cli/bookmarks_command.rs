//! `ferry bookmarks list|add|rm|import|export`: the bookmark file and the keychain, no connection.

use secrecy::SecretString;

use crate::bookmarks::{self, Bookmark, BookmarkStore, Keychain, LoginMethod, SecretOutcome};
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{ConnectSpec, FtpMode, escape_control};

use super::args::{AddBookmark, BookmarksAction, GlobalOptions};
use super::load_bookmarks;

/// `ferry bookmarks ...`: works on the bookmark file and the keychain directly, no connection.
pub(super) fn bookmarks_command(options: &GlobalOptions, action: &BookmarksAction) -> Result<()> {
    let store = BookmarkStore::new(&options.config_dir());
    match action {
        BookmarksAction::List { json } => {
            let loaded = load_bookmarks(options)?;
            print_bookmarks(&loaded.file.bookmarks, *json);
            Ok(())
        }
        BookmarksAction::Add(add) => add_bookmark(options, &store, add),
        BookmarksAction::Rm { name } => {
            let loaded = load_bookmarks(options)?;
            let bookmark = loaded.file.find_by_name(name).cloned().ok_or_else(|| {
                FerryError::new(ErrorKind::NotFound, format!("no bookmark named \"{}\"", escape_control(name)))
            })?;
            bookmarks::remove_bookmark(&store, &Keychain::system(), &bookmark.id)?;
            eprintln!("ferry: removed {}", escape_control(&bookmark.name));
            Ok(())
        }
        BookmarksAction::Import { file } => {
            let outcome = bookmarks::import_into(&store, &Keychain::system(), file)?;
            if let Some(problem) = &outcome.loaded.problem {
                eprintln!("ferry: warning: {problem}");
            }
            for name in &outcome.imported {
                println!("imported: {}", escape_control(name));
            }
            for skipped in &outcome.skipped {
                println!("skipped: {}: {}", escape_control(&skipped.name), escape_control(&skipped.reason));
            }
            for note in &outcome.notes {
                println!("note: {}: {}", escape_control(&note.name), escape_control(&note.note));
            }
            if !outcome.secrets_not_stored.is_empty() {
                eprintln!(
                    "ferry: warning: no keychain answers here, so the passwords of {} were not stored; \
                     Ferry will ask for them at each connect",
                    escape_control(&outcome.secrets_not_stored.join(", "))
                );
            }
            eprintln!("ferry: {} imported, {} skipped", outcome.imported.len(), outcome.skipped.len());
            Ok(())
        }
        BookmarksAction::Export { file } => {
            let count = store.export(file)?;
            let bookmarks = crate::model::count_of(count, "bookmark", "bookmarks");
            eprintln!("ferry: exported {bookmarks} to {}", file.display());
            Ok(())
        }
    }
}

/// `ferry bookmarks add`: the URL's site under a new name; its password to the keychain.
fn add_bookmark(options: &GlobalOptions, store: &BookmarkStore, add: &AddBookmark) -> Result<()> {
    let name = add.name.trim();
    if name.is_empty()
        || name.contains([':', '/', '\\'])
        || name.starts_with(['.', '~'])
        || name.chars().any(char::is_control)
    {
        return Err(FerryError::new(
            ErrorKind::Protocol,
            "a bookmark name must not be empty, hold ':', '/' or '\\', or start with '.' or '~' (it is used as NAME:/path)",
        ));
    }
    let remote = crate::url::parse_url(&add.url)?;
    let spec = remote.spec;
    let login = add.login.map(LoginMethod::from).unwrap_or(if add.key_file.is_some() {
        LoginMethod::KeyFile
    } else {
        LoginMethod::Password
    });
    let secret = spec.password.clone().or_else(|| std::env::var("FERRY_PASSWORD").ok().map(SecretString::from));
    // `--jump` saves the site's jump hosts ("Connect through"), checked as they will be read.
    if let Some(chain) = &options.jump {
        if spec.protocol != crate::model::Protocol::Sftp {
            return Err(FerryError::new(ErrorKind::Unsupported, "--jump goes with sftp:// sites only, for now"));
        }
        crate::route::parse_jump_chain(chain)?;
    }
    let mut bookmark = Bookmark {
        id: bookmarks::store::new_bookmark_id(),
        name: name.to_string(),
        folder: add
            .folder
            .as_deref()
            .unwrap_or_default()
            .split('/')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(str::to_string)
            .collect(),
        protocol: spec.protocol,
        host: spec.host.clone(),
        port: spec.port,
        user: spec.user.clone(),
        login,
        key_file: add.key_file.clone(),
        ftp_mode: if options.ftp_active { FtpMode::Active } else { spec.ftp_mode },
        remote_dir: add.remote_dir.clone().or(remote.path),
        local_dir: add.local_dir.clone(),
        comment: add.comment.clone().unwrap_or_default(),
        uploads_in_place: false,
        connect_through: options.jump.as_ref().map(|chain| chain.trim().to_string()),
        proxy: options.proxy.clone(),
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        // `--charset` saves the charset of the site's names.
        name_charset: options.charset.unwrap_or_default(),
        // `--server-time-zone` saves the zone the site's listings are in.
        server_time_zone: options.server_time_zone.unwrap_or_default(),
    };
    // `--proxy` saves the site's proxy: its URL without the password, which goes to the keychain.
    let proxy_secret = bookmarks::take_proxy_secret(&mut bookmark)?;
    let key = bookmarks::SecretKey::of(&bookmark);
    store.insert_new(bookmark)?;
    if let Some((proxy_key, password)) = proxy_secret {
        match bookmarks::save_secret(&Keychain::system(), &proxy_key, Some(&password)) {
            SecretOutcome::Stored => eprintln!("ferry: the proxy's password is in the keychain"),
            SecretOutcome::NotStored(error) => {
                eprintln!("ferry: warning: the proxy's password was not stored ({error})")
            }
            SecretOutcome::NoneGiven => {}
        }
    }
    eprintln!("ferry: saved {} ({})", escape_control(name), spec.display_url());
    let Some(secret) = secret else { return Ok(()) };
    if matches!(login, LoginMethod::Agent | LoginMethod::Ask) {
        eprintln!("ferry: warning: the password was not stored: this bookmark logs in without one");
        return Ok(());
    }
    match bookmarks::save_secret(&Keychain::system(), &key, Some(&secret)) {
        SecretOutcome::Stored => eprintln!("ferry: the password is in the keychain"),
        SecretOutcome::NotStored(error) => {
            eprintln!("ferry: warning: the password was not stored ({error}); Ferry will ask for it at each connect")
        }
        SecretOutcome::NoneGiven => {}
    }
    Ok(())
}

/// Prints the bookmarks: one tab-separated line each (folder/name, URL and folder, login), or a
/// JSON array of the saved fields. Neither can hold a secret: bookmarks have none.
fn print_bookmarks(list: &[Bookmark], json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(list).unwrap_or_else(|_| "[]".into()));
        return;
    }
    for bookmark in list {
        let mut spec = ConnectSpec::new(bookmark.protocol, bookmark.host.clone());
        spec.port = bookmark.port;
        spec.user = bookmark.user.clone();
        let place: Vec<&str> = bookmark.folder.iter().map(String::as_str).chain([bookmark.name.as_str()]).collect();
        let login = match bookmark.login {
            LoginMethod::Password => "password",
            LoginMethod::KeyFile => "key",
            LoginMethod::Agent => "agent",
            LoginMethod::Ask => "ask",
        };
        let path = bookmark.remote_dir.as_deref().map(|dir| url_path(bookmark.protocol, dir)).unwrap_or_default();
        println!(
            "{}\t{}{}\t{login}",
            escape_control(&place.join("/")),
            escape_control(&spec.display_url()),
            escape_control(&path)
        );
    }
}

/// A remote folder as a URL path that `parse_url` reads back as the same folder: SFTP paths are
/// absolute or `/~/dir`; FTP paths are relative to the login folder, `//dir` for an absolute one.
fn url_path(protocol: crate::model::Protocol, dir: &str) -> String {
    match (protocol.is_ftp(), dir.starts_with('/')) {
        (_, _) if dir.is_empty() => String::new(),
        (false, true) => dir.to_string(),
        (false, false) => format!("/~/{dir}"),
        (true, _) => format!("/{dir}"),
    }
}
