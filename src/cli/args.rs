//! The command line's arguments and options (clap), and how the options shape a connection.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::bookmarks::LoginMethod;
use crate::config::ConfigDir;
use crate::model::{ConnectSpec, FtpMode, ServerTimeZone};
use crate::name_charset::NameCharset;
use crate::transfer::policy::OnExists;
use crate::transfer::rate_limit::RateLimits;
use crate::transfer::rate_text::parse_rate;
use crate::transfer::sync_plan::CompareMode;
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
    /// Reach an SFTP server through SSH jump hosts, as `ssh -J` does: `[user@]host[:port]`,
    /// several separated by commas, first to last, each with its own ssh config settings; `none`
    /// connects directly even where the ssh config names a route.
    #[arg(long, global = true, value_name = "HOSTS")]
    pub jump: Option<String>,
    /// FTP: the character set of the server's file names (Shift_JIS, windows-1251, latin1...),
    /// for servers whose names are not UTF-8. Default: auto (UTF-8, other bytes shown as \xNN).
    #[arg(long, global = true, value_name = "CHARSET", value_parser = parse_charset)]
    pub charset: Option<NameCharset>,
    /// FTP without MLSD: the time zone the server lists times in (auto, UTC, +09:00, -05:00...);
    /// auto finds it by comparing a listed time with MDTM. Overrides a bookmark's.
    #[arg(long, global = true, value_name = "ZONE", value_parser = parse_server_time_zone)]
    pub server_time_zone: Option<ServerTimeZone>,
    /// Connect through a proxy: `socks5://[user[:password]@]host[:port]` (names resolved here),
    /// `socks5h://...` (names resolved by the proxy) or `http://...` (CONNECT); `none` connects
    /// directly. Without it: the site's own proxy, else ALL_PROXY unless NO_PROXY names the host.
    /// The proxy's password may also come from FERRY_PROXY_PASSWORD.
    #[arg(long, global = true, value_name = "URL")]
    pub proxy: Option<String>,
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
    /// Delete a remote file or empty folder (with -r, a folder with everything in it).
    Rm {
        url: String,
        /// Delete a folder with everything in it: lists what goes first, then asks. Links are
        /// deleted, never followed.
        #[arg(short, long)]
        recursive: bool,
        /// Do not ask before a recursive delete.
        #[arg(long)]
        yes: bool,
    },
    /// Show one remote file's or folder's details; a link is shown as the link (its target
    /// after `->`), as `ls -l` shows it.
    Stat {
        url: String,
        /// Print it as `ls --json` does (an array of one).
        #[arg(long)]
        json: bool,
    },
    /// Print a remote file's SHA-256: the server's own where it offers one, else read through.
    Sum { url: String },
    /// Rename or move a remote file or folder (NEW_PATH is relative to its folder unless absolute).
    Mv { url: String, new_path: String },
    /// Make DST like SRC: copy what is new or changed, and with --delete delete what SRC lacks.
    /// One side is a local folder, the other a URL or NAME:/path (a colon before any slash, as
    /// scp reads it).
    Sync {
        /// The folder to copy from: a local path, a URL, or NAME:/path.
        src: String,
        /// The folder to make like SRC (created when missing): a local path, a URL, or NAME:/path.
        dst: String,
        #[command(flatten)]
        sync: SyncOptionsArgs,
    },
    /// An interactive session with ftp and sftp's commands (open, cd, ls, get, put, mget, mput,
    /// bye...; help lists them). Reads commands from a pipe or FILE too, stopping at the first
    /// failing one unless its line starts with -.
    Shell {
        /// A URL or saved site to open first.
        url: Option<String>,
        /// Read the commands from FILE, as sftp -b does.
        #[arg(short, long = "batch", value_name = "FILE")]
        batch: Option<PathBuf>,
    },
    /// Open a remote file in an editor and upload each save, until the editor exits.
    Edit {
        url: String,
        /// The editor, as a command line run without a shell (default: $VISUAL, then $EDITOR).
        /// It must stay open while you edit: `code --wait`, `gedit --wait`.
        #[arg(long, value_name = "CMD")]
        editor: Option<String>,
        /// The diff tool the `c` (compare) answer to a conflict opens, given your copy then the
        /// server's (`meld`); without one, the server's version opens in the editor.
        #[arg(long, value_name = "CMD")]
        diff: Option<String>,
        /// Never ask: a save whose file changed on the server is not uploaded, and the command
        /// fails (the server's version is kept).
        #[arg(long)]
        batch: bool,
    },
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
    /// How many files move at once, each on its own connection; over SFTP, a file of 32 MiB or
    /// more moves in this many segments at once, each on its own connection.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallel: usize,
    /// When a target exists: ask, overwrite, resume, rename, skip, newer (overwrite if newer),
    /// size-differs (overwrite if the size differs).
    #[arg(long, value_name = "POLICY", default_value = "overwrite")]
    pub on_exists: OnExists,
    /// Compare SHA-256 checksums with the server's where it can compute them.
    #[arg(long)]
    pub verify: bool,
    /// With -r on a download: also follow links to folders, and links that lead outside the
    /// folder copied (each folder is copied once, so a link loop ends).
    #[arg(long)]
    pub follow_links: bool,
    /// Upload straight into the target instead of a temporary file renamed into place (for
    /// servers without a rename right or room for two copies). An interrupted upload then
    /// leaves a partial file under the real name.
    #[arg(long)]
    pub in_place: bool,
    /// Leave the copies' permission bits to the receiving side (for servers that refuse
    /// SETSTAT or SITE CHMOD).
    #[arg(long)]
    pub no_keep_modes: bool,
    /// Leave the copies' modification times to the receiving side (for servers that refuse
    /// SETSTAT or MFMT).
    #[arg(long)]
    pub no_keep_times: bool,
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

/// Options of `sync`.
#[derive(Debug, Args, Clone)]
pub struct SyncOptionsArgs {
    /// Print the plan (new, changed, to delete, conflicts) and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Delete what DST holds and SRC does not (after every copy, and only if none failed).
    #[arg(long)]
    pub delete: bool,
    /// How files are judged the same: size-mtime, size, or checksum (SHA-256; the server must
    /// compute one).
    #[arg(long, value_name = "HOW", default_value = "size-mtime")]
    pub compare: CompareMode,
    /// Seconds two modification times may differ by and still count as the same (beyond the
    /// coarser side's precision: FTP listings give minutes or days).
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub time_tolerance: u64,
    /// Leave out paths matching PATTERN (a .gitignore line: *.log, /build, cache/, !keep.log);
    /// repeatable. Excluded paths are neither copied nor deleted.
    #[arg(long, value_name = "PATTERN")]
    pub exclude: Vec<String>,
    /// How many files move at once, each on its own connection.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub parallel: usize,
    /// Print the plan and the result as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
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
        if let Some(charset) = self.charset {
            spec.name_charset = charset;
        }
        if let Some(zone) = self.server_time_zone {
            spec.server_time_zone = zone;
        }
        if spec.password.is_none()
            && let Ok(password) = std::env::var("FERRY_PASSWORD")
        {
            spec.password = Some(SecretString::from(password));
        }
    }
}

/// A `--charset` value: "auto" or a charset's name.
fn parse_charset(text: &str) -> std::result::Result<NameCharset, String> {
    NameCharset::from_label(text).ok_or_else(|| {
        format!("no charset Ferry can use is called {text:?} (try: auto, {})", crate::name_charset::OFFERED.join(", "))
    })
}

/// `--server-time-zone`: `auto`, `UTC` or an offset.
fn parse_server_time_zone(text: &str) -> Result<ServerTimeZone, String> {
    text.parse()
}
