//! Logging: a daily log file for bug reports, stderr for `--verbose`, and a bridge that brings
//! suppaftp's protocol log into both with passwords masked.
//!
//! The log file records Ferry's own INFO lines, the SSH and FTP connection steps (host key verdict,
//! offered authentication methods, login) and the FTP command transcript, never a password: the
//! bridge masks `PASS`, and Ferry itself only ever logs URLs through `ConnectSpec::display_url`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// How many daily log files are kept; older ones are removed when a new one is opened.
pub const KEPT_LOG_FILES: usize = 7;

/// Log files are named `ferry.YYYY-MM-DD.log`.
const LOG_FILE_PREFIX: &str = "ferry";
const LOG_FILE_SUFFIX: &str = "log";

/// What the log file records. suppaftp writes its command transcript (`CC OUT`/`CC IN`) at trace
/// level, hence `trace` for the wire target; the SSH and FTP connection steps are debug lines, one
/// set per connection, which a bug report needs.
const FILE_FILTER: &str =
    "warn,ferry=info,ferry::ssh=debug,ferry::sftp::wire=debug,ferry::ftp=debug,ferry::ftp::wire=trace";

/// What stderr shows: warnings, or with `--verbose` everything Ferry logs. `FERRY_LOG` (an
/// `EnvFilter` directive) overrides both.
fn stderr_filter(verbose: bool) -> EnvFilter {
    // Without --verbose only Ferry's own warnings: libraries' warnings (a TLS alert sent, a
    // server's odd reply) are the transcript's business, and each error is printed once anyway.
    let default =
        if verbose { "warn,ferry=trace,ferry::ftp::wire=trace" } else { "off,ferry=warn,ferry::ftp::wire=off" };
    EnvFilter::try_from_env("FERRY_LOG").unwrap_or_else(|_| EnvFilter::new(default))
}

/// The folder the log file is written to, once logging to a file has started.
static LOG_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Keeps the log file's writer thread alive. Drop it at the very end of `main`: dropping flushes
/// the lines still buffered.
#[must_use = "the log file stops being written when this is dropped"]
pub struct LogGuard {
    _writer: Option<WorkerGuard>,
}

/// Masks the argument of a `PASS` command wherever it appears in a log line.
pub fn mask_secrets(line: &str) -> String {
    match line.find("PASS ") {
        Some(index) => format!("{}PASS ****", &line[..index]),
        None => line.to_string(),
    }
}

/// Forwards `log` records to tracing, masking passwords first: suppaftp's command transcript as
/// target `ferry::ftp::wire`, and warnings and errors of the other libraries that use `log` (winit,
/// eframe) as target `libraries`. Their chatter below warning level (winit logs every window event
/// at trace) is dropped before it is even formatted.
struct MaskingBridge;

impl MaskingBridge {
    fn is_ftp_wire(target: &str) -> bool {
        target.starts_with("suppaftp")
    }
}

impl MaskingBridge {
    /// Whether a record is one of Ferry's own tracing lines handed back to `log` (tracing does so
    /// when no subscriber is set, as in tests): bridging it again would never end.
    fn is_ferrys_own(target: &str) -> bool {
        target.starts_with("ferry") || target == "libraries"
    }
}

impl log::Log for MaskingBridge {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        let target = metadata.target();
        !Self::is_ferrys_own(target) && (Self::is_ftp_wire(target) || metadata.level() <= log::Level::Warn)
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = mask_secrets(&readable_reply(&record.args().to_string()));
        let line = crate::model::escape_control(&line);
        if !Self::is_ftp_wire(record.target()) {
            let target = record.target();
            match record.level() {
                log::Level::Error => tracing::error!(target: "libraries", "{target}: {line}"),
                _ => tracing::warn!(target: "libraries", "{target}: {line}"),
            }
            return;
        }
        // The window's protocol log of the request that sent the command (see `transcript`).
        if let Some(command) = line.strip_prefix("CC OUT: ") {
            crate::transcript::sent(command);
        } else if let Some(reply) = line.strip_prefix("CC IN: ") {
            crate::transcript::received(reply);
        }
        match record.level() {
            log::Level::Error | log::Level::Warn => tracing::warn!(target: "ferry::ftp::wire", "{line}"),
            log::Level::Info | log::Level::Debug => tracing::debug!(target: "ferry::ftp::wire", "{line}"),
            log::Level::Trace => tracing::trace!(target: "ferry::ftp::wire", "{line}"),
        }
    }

    fn flush(&self) {}
}

/// The one bridge from `log` to tracing and the protocol transcript.
static BRIDGE: MaskingBridge = MaskingBridge;

/// Makes sure suppaftp's command transcript reaches the bridge, which hands it to the window's
/// protocol log ([`crate::transcript`]) whatever the log file and stderr keep. Called when the
/// worker starts; a no-op when [`init`] already set it up.
pub fn capture_protocol_transcript() {
    // Fails when a logger is set already: `init`'s, the same bridge.
    let _ = log::set_logger(&BRIDGE);
    if log::max_level() < log::LevelFilter::Trace {
        log::set_max_level(log::LevelFilter::Trace);
    }
}

/// suppaftp logs each reply line as the Debug text of its bytes (`CC IN: [50, 50, 48, 32, ...]`):
/// turns that back into the text the server sent, without its line ending. Other lines pass as
/// they are.
pub fn readable_reply(line: &str) -> String {
    let Some(list) = line.strip_prefix("CC IN: [").and_then(|rest| rest.strip_suffix(']')) else {
        return line.to_string();
    };
    let bytes: Option<Vec<u8>> = list.split(", ").map(|number| number.parse::<u8>().ok()).collect();
    match bytes {
        Some(bytes) => format!("CC IN: {}", String::from_utf8_lossy(&bytes).trim_end_matches(['\r', '\n'])),
        None => line.to_string(),
    }
}

/// The daily rotating appender for `dir`, keeping [`KEPT_LOG_FILES`] files: opening it removes the
/// oldest `ferry.*.log` files beyond that number (other files in the folder are left alone).
///
/// The logs name hosts, users and paths: the folder is made `0700` and the log files `0600`.
pub fn file_appender(dir: &Path) -> std::io::Result<RollingFileAppender> {
    // The appender prunes old files before it creates the folder: create it first.
    crate::config::create_private_dir_all(dir)?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix(LOG_FILE_SUFFIX)
        .max_log_files(KEPT_LOG_FILES)
        .build(dir)
        .map_err(std::io::Error::other)?;
    // The appender opened today's file with the default mode, inside the private folder: narrow it.
    // (A file it starts at midnight in a long run keeps the default, still inside that folder.)
    make_logs_private(dir);
    Ok(appender)
}

/// Narrows Ferry's log folder and log files (also those an older Ferry made `0755`/`0644`) to
/// their user. A file that cannot be changed is left as it is: logging goes on regardless.
fn make_logs_private(dir: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_log =
                name.starts_with(&format!("{LOG_FILE_PREFIX}.")) && name.ends_with(&format!(".{LOG_FILE_SUFFIX}"));
            if is_log && entry.file_type().is_ok_and(|kind| kind.is_file()) {
                let _ = std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(0o600));
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Sets up logging: to a daily file in `log_dir` (when given) and to stderr, which shows warnings
/// only, or with `verbose` the protocol transcript too. Only the first call in a process counts;
/// later ones return a guard that holds nothing. A log folder that cannot be written is reported
/// on stderr and otherwise ignored: Ferry works without its log.
pub fn init(verbose: bool, log_dir: Option<&Path>) -> LogGuard {
    static DONE: OnceLock<()> = OnceLock::new();
    let mut guard = LogGuard { _writer: None };
    DONE.get_or_init(|| {
        let stderr_layer = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false)
            .with_filter(stderr_filter(verbose));
        let mut file_error = None;
        let file_layer = match log_dir.map(|dir| (dir, file_appender(dir))) {
            Some((dir, Ok(appender))) => {
                let (writer, writer_guard) = tracing_appender::non_blocking(appender);
                guard._writer = Some(writer_guard);
                let _ = LOG_DIR.set(dir.to_path_buf());
                Some(
                    tracing_subscriber::fmt::layer()
                        .with_writer(writer)
                        .with_ansi(false)
                        .with_filter(EnvFilter::new(FILE_FILTER)),
                )
            }
            Some((dir, Err(error))) => {
                file_error = Some(format!("cannot write the log file in {}: {error}", dir.display()));
                None
            }
            None => None,
        };
        let _ = tracing_subscriber::registry().with(stderr_layer).with(file_layer).try_init();
        if let Some(message) = file_error {
            tracing::warn!(target: "ferry::logging", "{message}");
        }

        if log::set_logger(&BRIDGE).is_ok() {
            // The file wants the transcript even when stderr does not.
            let wanted = verbose || LOG_DIR.get().is_some();
            log::set_max_level(if wanted { log::LevelFilter::Trace } else { log::LevelFilter::Warn });
        }
    });
    guard
}

/// Sets up logging to stderr only (see [`init`]); a no-op when logging was set up already.
pub fn init_stderr(verbose: bool) {
    // Without a log folder the guard holds no writer: dropping it stops nothing.
    let _ = init(verbose, None);
}

/// The folder the log file is being written to, if logging to a file has started.
pub fn log_dir() -> Option<&'static Path> {
    LOG_DIR.get().map(PathBuf::as_path)
}

/// A URL as it may appear in a log line: scheme, user, host, port and path, never the password.
/// Text that does not parse as a URL is not shown at all, since it could be anything.
pub fn loggable_url(text: &str) -> String {
    // Shown as the user wrote it (its "/" and path included), less the password; only URLs Ferry
    // accepts.
    match (crate::url::parse_url(text), url::Url::parse(text)) {
        (Ok(_), Ok(mut parsed)) => {
            let _ = parsed.set_password(None);
            crate::model::escape_control(parsed.as_str())
        }
        _ => "(not a URL)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_commands_are_masked() {
        assert_eq!(mask_secrets("CC OUT: PASS hunter2"), "CC OUT: PASS ****");
        assert_eq!(mask_secrets("CC OUT: LIST"), "CC OUT: LIST");
    }

    #[test]
    fn the_bridge_never_takes_back_ferrys_own_lines() {
        use log::Log;
        let metadata = |target, level| log::Metadata::builder().target(target).level(level).build();
        assert!(BRIDGE.enabled(&metadata("suppaftp::async_ftp", log::Level::Trace)));
        assert!(BRIDGE.enabled(&metadata("winit", log::Level::Warn)));
        assert!(!BRIDGE.enabled(&metadata("libraries", log::Level::Warn)));
        assert!(!BRIDGE.enabled(&metadata("ferry::ftp::wire", log::Level::Warn)));
    }

    #[test]
    fn reply_bytes_are_shown_as_text() {
        assert_eq!(readable_reply("CC IN: [50, 50, 48, 32, 104, 105, 13, 10]"), "CC IN: 220 hi");
        assert_eq!(readable_reply("CC IN: [not bytes]"), "CC IN: [not bytes]");
        assert_eq!(readable_reply("CC OUT: LIST"), "CC OUT: LIST");
    }

    #[test]
    fn loggable_urls_never_hold_the_password() {
        let shown = loggable_url("sftp://alice:hunter2@example.org:2222/var/www");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.starts_with("sftp://alice@example.org:2222"), "{shown}");
        assert!(shown.ends_with("/var/www"), "{shown}");
        assert_eq!(loggable_url("ftp://bob@example.org/"), "ftp://bob@example.org/");
        assert_eq!(loggable_url("ftp://bob@example.org/pub"), "ftp://bob@example.org/pub");
        assert_eq!(loggable_url("sftp://bob@example.org//srv"), "sftp://bob@example.org//srv");
        assert_eq!(loggable_url("hunter2"), "(not a URL)");
    }

    /// Rotation itself is tracing-appender's (`max_log_files`): this checks that Ferry's setup turns
    /// it on, for Ferry's file names only.
    #[test]
    fn opening_the_log_removes_files_beyond_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=10 {
            std::fs::write(dir.path().join(format!("ferry.2020-01-{day:02}.log")), b"old\n").unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), b"not a log").unwrap();

        let appender = file_appender(dir.path()).expect("the log folder opens");
        drop(appender);

        let mut logs: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with("ferry.") && name.ends_with(".log"))
            .collect();
        logs.sort();
        assert_eq!(logs.len(), KEPT_LOG_FILES, "{logs:?}");
        let today = chrono::Utc::now().format("ferry.%Y-%m-%d.log").to_string();
        assert!(logs.contains(&today), "today's file {today} is open: {logs:?}");
        // Which old files go is decided by their creation times, which files made a moment apart
        // here may share: only the count is checked.
        assert!(dir.path().join("notes.txt").exists(), "other files are left alone");
    }
}
