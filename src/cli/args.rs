//! The command line's arguments and options (clap), and how the options shape a connection.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::bookmarks::LoginMethod;
use crate::config::ConfigDir;
use crate::model::{ConnectSpec, FtpMode};
use crate::transfer::policy::OnExists;
use crate::transfer::rate_limit::RateLimits;
use crate::transfer::rate_text::parse_rate;
use crate::worker::WorkerOptions;

/// Ferry: an FTP, FTPS and SFTP client. Without a command it opens the window.
#[derive(Debug, Parser)]
#[command(
    name = "ferry",
    about,
    subcommand_precedence_over_arg = true,
    after_help = "Passwords: a password in a URL (sftp://user:password@host) is hidden from the process list once \
                  read, but stays in your shell's history. Better: the FERRY_PASSWORD environment variable, the \
                  keychain (ferry bookmarks add NAME URL), or the prompt Ferry shows when none is given."
)]
pub struct Cli {
    #[command(flatten)]
    pub options: GlobalOptions,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// A URL to open in the window (sftp://, ftp://, ftpes://, ftps://).
    pub url: Option<String>,
}

/// Options every command takes.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalOptions {
    /// Private key file for SFTP (OpenSSH or PEM format).
    #[arg(long, global = true, value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Use active FTP (the server connects back) instead of passive.
    #[arg(long, global = true)]
    pub ftp_active: bool,
    /// Also trust the CA certificates in this PEM file for FTPS.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Read this known_hosts file instead of ~/.ssh/known_hosts (never written).
    #[arg(long, global = true, value_name = "FILE")]
    pub known_hosts: Option<PathBuf>,
    /// Accept and remember an SSH host key seen for the first time. A changed key is still refused.
    #[arg(long, global = true)]
    pub accept_new_host_key: bool,
    /// Keep every file Ferry writes in this folder.
    #[arg(long, global = true, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
    /// Read this OpenSSH client config instead of ~/.ssh/config (also: FERRY_SSH_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// Print the protocol transcript on stderr (passwords masked).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Seconds to wait for a connection, a reply, or a server to take more upload data, before
    /// giving up on that connection (and retrying on a fresh one).
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// The headless commands. Every URL argument also takes `NAME:/path`, NAME being a bookmark or
/// a Host alias of the ssh config.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// List a remote folder.
    Ls {
        url: String,
        /// Print one JSON array of entries.
        #[arg(long)]
        json: bool,
    },
    /// Download a remote file (or with -r a folder).
    Get {
        url: String,
        local: Option<PathBuf>,
        #[command(flatten)]
        transfer: TransferOptions,
    },
    /// Upload a local file (or with -r a folder).
    Put {
        local: PathBuf,
        url: String,
        #[command(flatten)]
        transfer: TransferOptions,
    },
    /// Create a remote folder.
    Mkdir { url: String },
    /// Delete a remote file or empty folder.
    Rm { url: String },
    /// Rename or move a remote file or folder (NEW_PATH is relative to its folder unless absolute).
    Mv { url: String, new_path: String },
    /// List, add, remove, import or export saved sites.
    Bookmarks {
        #[command(subcommand)]
        action: BookmarksAction,
    },
}

/// `ferry bookmarks ...`
#[derive(Debug, Subcommand)]
pub enum BookmarksAction {
    /// List the saved sites.
    List {
        /// Print one JSON array of bookmarks.
        #[arg(long)]
        json: bool,
    },
    /// Save a site. A password in the URL or in FERRY_PASSWORD goes to the keychain, never to a file.
    Add(AddBookmark),
    /// Delete a saved site and its password.
    Rm { name: String },
    /// Import FileZilla, Cyberduck, WinSCP or OpenSSH config sites (passwords to the keychain).
    Import { file: PathBuf },
    /// Write the saved sites to FILE in Ferry's format, without passwords.
    Export { file: PathBuf },
}

/// `ferry bookmarks add NAME URL [options]`
#[derive(Debug, Args, Clone)]
pub struct AddBookmark {
    /// The name to use as NAME:/path (no colon or slash).
    pub name: String,
    /// sftp://, ftp://, ftpes:// or ftps:// URL: user, host, port, and optionally a start folder.
    pub url: String,
    /// Folders to file it under, outermost first: A/B.
    #[arg(long, value_name = "A/B")]
    pub folder: Option<String>,
    /// How to log in (default: key when --key-file is given, else password).
    #[arg(long, value_enum)]
    pub login: Option<LoginChoice>,
    /// The private key file (SFTP).
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,
    /// The remote folder to open (default: the URL's path).
    #[arg(long, value_name = "DIR")]
    pub remote_dir: Option<String>,
    /// The local folder to show.
    #[arg(long, value_name = "DIR")]
    pub local_dir: Option<PathBuf>,
    /// Free text.
    #[arg(long, value_name = "TEXT")]
    pub comment: Option<String>,
}

/// How a bookmark logs in, as `--login` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LoginChoice {
    /// A password, kept in the keychain.
    Password,
    /// A private key file (its passphrase in the keychain).
    Key,
    /// The SSH agent.
    Agent,
    /// Ask at each connect.
    Ask,
}

impl From<LoginChoice> for LoginMethod {
    fn from(choice: LoginChoice) -> Self {
        match choice {
            LoginChoice::Password => LoginMethod::Password,
            LoginChoice::Key => LoginMethod::KeyFile,
            LoginChoice::Agent => LoginMethod::Agent,
            LoginChoice::Ask => LoginMethod::Ask,
        }
    }
}

/// Options of `get` and `put`.
#[derive(Debug, Args, Clone)]
pub struct TransferOptions {
    /// Copy folders with everything in them.
    #[arg(short, long)]
    pub recursive: bool,
    /// How many files move at once, each on its own connection.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallel: usize,
    /// When a target exists: ask, overwrite, resume, rename, skip, newer (overwrite if newer),
    /// size-differs (overwrite if the size differs).
    #[arg(long, value_name = "POLICY", default_value = "overwrite")]
    pub on_exists: OnExists,
    /// Compare SHA-256 checksums with the server's where it can compute them.
    #[arg(long)]
    pub verify: bool,
    /// Upload straight into the target instead of a temporary file renamed into place (for
    /// servers without a rename right or room for two copies). An interrupted upload then
    /// leaves a partial file under the real name.
    #[arg(long)]
    pub in_place: bool,
    /// Move at most RATE bytes a second, all files together: 500K, 2M, 1.5M or plain bytes
    /// (K = 1024, at least 1K).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate: Option<u64>,
    /// The same, for downloads only (overrides --limit-rate).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate_down: Option<u64>,
    /// The same, for uploads only (overrides --limit-rate).
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub limit_rate_up: Option<u64>,
}

impl TransferOptions {
    /// The bandwidth limits these options ask for.
    pub fn rate_limits(&self) -> RateLimits {
        RateLimits { down: self.limit_rate_down.or(self.limit_rate), up: self.limit_rate_up.or(self.limit_rate) }
    }
}

impl GlobalOptions {
    /// The config folder these options name.
    pub fn config_dir(&self) -> ConfigDir {
        self.config_dir.clone().map(ConfigDir::at).unwrap_or_else(ConfigDir::platform_default)
    }

    /// Worker options for these command-line options.
    pub fn worker_options(&self) -> WorkerOptions {
        let mut options = WorkerOptions::new(self.config_dir());
        // The saved queue is the window's: a rerun of the same command resumes by itself.
        options.keeps_queue = false;
        options.settings.timeout = std::time::Duration::from_secs(self.timeout);
        if let Some(file) = &self.known_hosts {
            options.user_known_hosts = Some(file.clone());
        }
        options
    }

    /// Applies the options and `FERRY_PASSWORD` to a spec parsed from a URL.
    pub(super) fn apply(&self, spec: &mut ConnectSpec) {
        if self.identity.is_some() {
            spec.identity = self.identity.clone();
        }
        if self.ftp_active {
            spec.ftp_mode = FtpMode::Active;
        }
        if self.ca_file.is_some() {
            spec.ca_file = self.ca_file.clone();
        }
        if spec.password.is_none()
            && let Ok(password) = std::env::var("FERRY_PASSWORD")
        {
            spec.password = Some(SecretString::from(password));
        }
    }
}
