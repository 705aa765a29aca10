//! `ferry`: opens the window (on a URL, when given one, as a clicked `sftp://` link does), or runs
//! one headless command (`ferry ls|get|put|mkdir|rm|mv`).

use std::process::ExitCode;

use ferry::cli::{Cli, CliCommand};

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = ferry::parse_command_line();
    // Parsed: a password in a URL argument is no longer needed there, where others can read it.
    ferry::argv::hide_passwords();
    let log_dir = ferry::desktop::log_dir(cli.options.config_dir.as_deref());
    // Held to the end of main: dropping it flushes the log file.
    let _log = ferry::logging::init(cli.options.verbose, Some(&log_dir));
    if cli.options.verbose {
        eprintln!("ferry: log files in {}", log_dir.display());
    }
    tracing::info!("ferry {} started: {}", ferry::version_text(), run_for_the_log(&cli));
    match cli.command {
        Some(command) => ferry::cli::run(&cli.options, command),
        None if !ferry::desktop::display_available(|name| std::env::var_os(name)) => {
            tracing::info!("no display for the window");
            eprintln!("ferry: {}", ferry::desktop::NO_DISPLAY_ADVICE);
            ExitCode::FAILURE
        }
        None => match ferry::app::run(cli.options.worker_options(), cli.url) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                tracing::info!("could not open the window: {error}");
                eprintln!("ferry: {}", ferry::desktop::window_failure_message(&error.to_string()));
                ExitCode::FAILURE
            }
        },
    }
}

/// What this run does, for the log: the command's name and its URL, never a password.
fn run_for_the_log(cli: &Cli) -> String {
    let Some(command) = &cli.command else {
        return match &cli.url {
            Some(url) => format!("window {}", ferry::logging::loggable_url(url)),
            None => "window".to_string(),
        };
    };
    // The variant's name, read from its Debug text; the rest of that text (which may hold a URL
    // with a password) is dropped here.
    let debug = format!("{command:?}");
    let name: String = debug.chars().take_while(char::is_ascii_alphanumeric).collect::<String>().to_lowercase();
    if let CliCommand::Shell { url: Some(url), .. } = command {
        return format!("{name} {}", ferry::logging::loggable_url(url));
    }
    let url = if let CliCommand::Ls { url, .. }
    | CliCommand::Get { url, .. }
    | CliCommand::Put { url, .. }
    | CliCommand::Mkdir { url }
    | CliCommand::Rm { url, .. }
    | CliCommand::Stat { url, .. }
    | CliCommand::Sum { url }
    | CliCommand::Mv { url, .. } = command
    {
        Some(url)
    } else {
        None
    };
    match url {
        Some(url) => format!("{name} {}", ferry::logging::loggable_url(url)),
        None => name,
    }
}

/// glibc gives threads that allocate at once arenas of their own (up to eight per core) and keeps
/// what is freed in each: the blocking threads of a segmented transfer, one per connection, held
/// some 15 MiB apiece that way. Two arenas keep a 1 GiB transfer's peak well under 100 MB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only sets one of the allocator's parameters, and runs first in main,
    // before any other thread of this process exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}
