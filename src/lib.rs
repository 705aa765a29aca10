//! Ferry: a desktop FTP, FTPS and SFTP client. The library holds everything; `main.rs` only
//! chooses a face: the window (`app`) or the command line (`cli`), both driving one `worker`.

// I/O and user input are never unwrapped: every failure becomes a FerryError the user can act on.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod app;
pub mod argv;
pub mod backend;
pub mod bookmarks;
pub mod build_info;
pub mod cli;
pub mod config;
pub mod desktop;
pub mod error;
pub mod gui;
pub mod logging;
pub mod model;
pub mod name_charset;
pub mod proxy;
pub mod route;
pub mod ssh_config;
pub mod transcript;
pub mod transfer;
pub mod trust;
pub mod url;
pub mod worker;

pub use build_info::version_text;

/// Parses the process's arguments, with the version text filled in.
pub fn parse_command_line() -> cli::Cli {
    use clap::{CommandFactory, FromArgMatches};
    let matches =
        cli::Cli::command().version(version_text()).long_version(build_info::long_version_text()).get_matches();
    cli::Cli::from_arg_matches(&matches).unwrap_or_else(|error| error.exit())
}
