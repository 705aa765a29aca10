//! Logging: tracing to stderr for `--verbose`, and a bridge that brings suppaftp's protocol log
//! into it with passwords masked.

use std::sync::OnceLock;

/// Masks the argument of a `PASS` command wherever it appears in a log line.
pub fn mask_secrets(line: &str) -> String {
    match line.find("PASS ") {
        Some(index) => format!("{}PASS ****", &line[..index]),
        None => line.to_string(),
    }
}

/// Forwards `log` records (suppaftp's command transcript) to tracing, masking passwords first.
struct MaskingBridge;

impl log::Log for MaskingBridge {
    fn enabled(&self, _metadata: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = mask_secrets(&record.args().to_string());
        let line = crate::model::escape_control(&line);
        match record.level() {
            log::Level::Error | log::Level::Warn => tracing::warn!(target: "ferry::ftp::wire", "{line}"),
            log::Level::Info | log::Level::Debug => tracing::debug!(target: "ferry::ftp::wire", "{line}"),
            log::Level::Trace => tracing::trace!(target: "ferry::ftp::wire", "{line}"),
        }
    }

    fn flush(&self) {}
}

/// Sets up logging to stderr: warnings only, or with `verbose` the protocol transcript too.
/// Safe to call more than once; only the first call counts.
pub fn init_stderr(verbose: bool) {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let filter = if verbose { "warn,ferry=trace,ferry::ftp::wire=trace" } else { "warn" };
        let filter = tracing_subscriber::EnvFilter::try_from_env("FERRY_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_target(false)
            .try_init();
        static BRIDGE: MaskingBridge = MaskingBridge;
        if log::set_logger(&BRIDGE).is_ok() {
            log::set_max_level(if verbose { log::LevelFilter::Trace } else { log::LevelFilter::Warn });
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_commands_are_masked() {
        assert_eq!(mask_secrets("CC OUT: PASS hunter2"), "CC OUT: PASS ****");
        assert_eq!(mask_secrets("CC OUT: LIST"), "CC OUT: LIST");
    }
}
