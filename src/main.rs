//! `ferry`: opens the window, or runs one headless command (`ferry ls|get|put|mkdir|rm|mv`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ferry::parse_command_line();
    match cli.command {
        Some(command) => ferry::cli::run(&cli.options, command),
        None => {
            ferry::logging::init_stderr(cli.options.verbose);
            match ferry::app::run(cli.options.worker_options(), cli.url) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("ferry: could not open the window: {error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
