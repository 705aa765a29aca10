//! Small file helpers, helper commands, config templates and the per-process temporary folder.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

pub(super) fn set_mode(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|err| panic!("chmod {mode:o} {}: {err}", path.display()));
}

pub(super) fn write_file(path: &Path, contents: &str, mode: u32) {
    fs::write(path, contents).unwrap_or_else(|err| panic!("write {}: {err}", path.display()));
    set_mode(path, mode);
}

pub(super) fn create_dir(path: &Path, mode: u32) {
    fs::create_dir_all(path).unwrap_or_else(|err| panic!("mkdir {}: {err}", path.display()));
    set_mode(path, mode);
}

/// A file's content, or an empty string if it does not exist (yet).
pub(super) fn read_lossy(path: &Path) -> String {
    fs::read(path).map(|bytes| String::from_utf8_lossy(&bytes).into_owned()).unwrap_or_default()
}

/// The last `count` lines of each file, for panic messages.
pub(super) fn tails(files: &[&Path], count: usize) -> String {
    let mut report = String::new();
    for file in files {
        let text = read_lossy(file);
        let lines: Vec<&str> = text.lines().collect();
        let start = lines.len().saturating_sub(count);
        report += &format!("\n--- {} (last {count} lines) ---\n", file.display());
        report += &lines[start..].join("\n");
    }
    report
}

/// Runs a short helper command (ssh-keygen, openssl, ...) to completion and
/// returns its standard output; panics with its output if it fails.
pub(super) fn run(command: &mut Command) -> String {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("cannot run {command:?}: {err} (run tests/run.sh once)"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Replaces each `@KEY@` of a config template; panics if one is left over,
/// so a template and the harness cannot silently drift apart.
pub(super) fn fill_template(template: &str, values: &[(&str, String)]) -> String {
    let mut text = template.to_owned();
    for (key, value) in values {
        text = text.replace(&format!("@{key}@"), value);
    }
    let leftover = text.lines().find(|line| {
        !line.trim_start().starts_with('#')
            && line
                .split('@')
                .nth(1)
                .is_some_and(|key| !key.is_empty() && key.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
    });
    assert!(leftover.is_none(), "unfilled placeholder in config template: {leftover:?}");
    text
}

/// The directory that holds everything this test process creates
/// (`$TMPDIR/ferry-tests-<pid>`). Statics are never dropped, so it is not
/// removed when the process ends; instead each process removes the ones of
/// processes that no longer run. Mode 0755: the test account must reach
/// its data directories inside.
pub(super) fn process_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let tmp = std::env::temp_dir();
        remove_stale_process_dirs(&tmp);
        let dir = tmp.join(format!("ferry-tests-{}", std::process::id()));
        // Left by an earlier process that had our pid.
        let _ = fs::remove_dir_all(&dir);
        create_dir(&dir, 0o755);
        dir
    })
}

fn remove_stale_process_dirs(tmp: &Path) {
    let Ok(entries) = fs::read_dir(tmp) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|name| name.strip_prefix("ferry-tests-")) else {
            continue;
        };
        if pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Opens `path` for appending, creating it if needed.
pub(super) fn open_append(path: &Path) -> fs::File {
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|err| panic!("open {}: {err}", path.display()))
}

/// A server binary: `$env_var` if set, else `relative_path` below
/// target/test-servers, where tests/run.sh extracts the FTP servers.
pub(super) fn extracted_binary(env_var: &str, relative_path: &str) -> PathBuf {
    let binary = std::env::var_os(env_var)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-servers").join(relative_path));
    assert!(binary.exists(), "{} not found: run tests/run.sh once to fetch it (or set {env_var})", binary.display());
    binary
}

/// A fresh directory for one server, removed when dropped.
pub(super) fn server_dir(prefix: &str) -> TempDir {
    let dir = tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(process_dir())
        .expect("create a temporary directory for a test server");
    // sshd reads authorized_keys, and vsftpd and sshd enter the data
    // directory, as the test account.
    set_mode(dir.path(), 0o755);
    dir
}
