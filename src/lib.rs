//! Ferry: a desktop FTP, FTPS and SFTP client. The library holds everything; `main.rs` only
//! chooses a face: the window (`app`) or the command line (`cli`), both driving one `worker`.

// I/O and user input are never unwrapped: every failure becomes a FerryError the user can act on.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod argv;
pub mod backend;
pub mod bookmarks;
pub mod cli;
pub mod config;
pub mod desktop;
pub mod error;
pub mod gui;
pub mod logging;
pub mod model;
pub mod ssh_config;
pub mod transfer;
pub mod trust;
pub mod url;
pub mod worker;

/// `ferry --version` text: Ferry's version and the libssh2 it links.
pub fn version_text() -> String {
    format!("{} (libssh2 {})", env!("CARGO_PKG_VERSION"), backend::sftp::libssh2_version_string())
}

/// Parses the process's arguments, with the version text filled in.
pub fn parse_command_line() -> cli::Cli {
    use clap::{CommandFactory, FromArgMatches};
    let matches = cli::Cli::command().version(version_text()).get_matches();
    cli::Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}
