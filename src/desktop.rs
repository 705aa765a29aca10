//! Ferry on the desktop: the window icon, where the log files go, opening a folder in the user's
//! file manager, and saying plainly when there is no display to open the window on.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The icon the window shows (title bar, task switcher), embedded in the binary so that it shows
/// even when Ferry was not installed from a package. 256 px: large enough for a task switcher on a
/// high-resolution screen, small enough to be cheap to hand to the window system.
const WINDOW_ICON_PNG: &[u8] = include_bytes!("../assets/icons/ferry-256.png");

/// The window icon, decoded from the embedded PNG; `None` only if that PNG could not be decoded, in
/// which case the window keeps the toolkit's default icon.
pub fn window_icon() -> Option<egui::IconData> {
    eframe::icon_data::from_png_bytes(WINDOW_ICON_PNG).ok()
}

/// The folder Ferry writes its log files into: `<config-dir>/logs` when a config folder was given
/// with `--config-dir` (so tests and portable setups never touch the home folder), otherwise the
/// platform's state folder for logs (`~/.local/state/ferry/logs` on Linux, which the XDG base
/// directory specification names for logs), or the local data folder on systems that have no
/// state folder (`%LOCALAPPDATA%\ferry\data\logs`, `~/Library/Application Support/ferry/logs`).
pub fn log_dir(config_dir: Option<&Path>) -> PathBuf {
    if let Some(config_dir) = config_dir {
        return config_dir.join("logs");
    }
    match directories::ProjectDirs::from("", "", "ferry") {
        Some(dirs) => dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).join("logs"),
        // No home folder: beside the fallback config folder, as `ConfigDir::platform_default` does.
        None => PathBuf::from(".ferry").join("logs"),
    }
}

/// What to tell a user who started the window where there is no display: the toolkit's own error
/// (`winit EventLoopError: os error at …/linux/mod.rs:765`) names neither the cause nor the way out.
pub const NO_DISPLAY_ADVICE: &str = "there is no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set). \
     Start Ferry from a desktop session, set DISPLAY (e.g. DISPLAY=:0), or use the command line \
     without a window: ferry ls, get, put, mkdir, rm, mv (see ferry --help).";

/// Said after any other failure to open the window: what the window loads at run time, which a
/// desktop system has and a bare server may not.
pub const WINDOW_LIBRARIES_ADVICE: &str = "The window needs the OpenGL and X11/Wayland libraries a desktop has \
     (on Debian and Ubuntu: libegl1 libgl1 libxkbcommon-x11-0 libxcursor1 libxi6 libxrandr2); \
     the command line (ferry --help) works without them.";

/// One line for a window that could not open: the toolkit's first words (its errors can run to a
/// page of debug text, which goes to the log instead), then what the window needs.
pub fn window_failure_message(toolkit_error: &str) -> String {
    let first_words = toolkit_error.split([':', '{', '\n']).next().unwrap_or_default().trim();
    let first_words: String = first_words.chars().take(120).collect();
    format!("could not open the window ({first_words}). {WINDOW_LIBRARIES_ADVICE}")
}

/// Whether a window could possibly open here: on Linux and the BSDs, only with an X11 or Wayland
/// display named in the environment (other systems always have their own window system).
pub fn display_available(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> bool {
    if !cfg!(all(unix, not(target_os = "macos"))) {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"].iter().any(|name| var(name).is_some_and(|value| !value.is_empty()))
}

/// Opens `path` in the user's file manager (creating the folder first, so there is something to
/// open). Returns as soon as the opener has started: a helper thread reaps it, so the caller, the
/// UI thread, never waits for it.
pub fn open_folder(path: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(path)?;
    spawn_detached(opener_command(path))
}

/// Starts `command` without waiting for it; a helper thread waits instead, only to reap the process
/// (whether the file manager liked the folder is its own business).
fn spawn_detached(mut command: Command) -> std::io::Result<()> {
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
    std::thread::Builder::new().name("ferry-open-folder".into()).spawn(move || {
        let _ = child.wait();
    })?;
    Ok(())
}

/// The platform's "open this with the default application" command.
fn opener_command(path: &Path) -> Command {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(target_os = "windows") {
        "explorer"
    } else {
        "xdg-open"
    };
    let mut command = Command::new(program);
    command.arg(path);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_icon_is_the_256_pixel_png() {
        let icon = window_icon().expect("the embedded PNG decodes");
        assert_eq!((icon.width, icon.height), (256, 256));
        assert_eq!(icon.rgba.len(), 256 * 256 * 4);
        // The corner is transparent (rounded), the centre of the hull is opaque white.
        assert_eq!(icon.rgba[3], 0, "top-left pixel is transparent");
        let hull = ((44 * 4) * 256 + 128) * 4;
        assert_eq!(&icon.rgba[hull..hull + 4], &[255, 255, 255, 255], "the hull is white");
    }

    #[test]
    fn logs_go_under_the_config_dir_when_one_is_given() {
        assert_eq!(log_dir(Some(Path::new("/tmp/cfg"))), PathBuf::from("/tmp/cfg/logs"));
    }

    #[test]
    fn without_a_config_dir_logs_go_to_a_ferry_folder_outside_the_config_folder() {
        let dir = log_dir(None);
        assert!(dir.ends_with("logs"), "{}", dir.display());
        assert!(dir.to_string_lossy().contains("ferry"), "{}", dir.display());
        assert_ne!(dir.parent(), Some(crate::config::ConfigDir::platform_default().path()));
    }

    #[test]
    fn the_opener_is_started_without_waiting_for_it() {
        // A slow "file manager": spawning it must return long before it ends.
        let started = std::time::Instant::now();
        let mut slow = Command::new("sleep");
        slow.arg("5");
        spawn_detached(slow).expect("sleep starts");
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "waited {:?}", started.elapsed());
    }

    #[test]
    fn a_missing_opener_is_an_error_not_a_hang() {
        let error = spawn_detached(Command::new("ferry-no-such-opener")).expect_err("no such program");
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    }

    #[test]
    fn a_window_needs_a_display_named_in_the_environment() {
        let only = |set: &'static str, value: &'static str| {
            move |name: &str| (name == set).then(|| std::ffi::OsString::from(value))
        };
        assert!(display_available(only("DISPLAY", ":0")));
        assert!(display_available(only("WAYLAND_DISPLAY", "wayland-0")));
        assert!(!display_available(only("DISPLAY", "")), "an empty DISPLAY names no display");
        assert!(!display_available(|_: &str| None));
    }

    #[test]
    fn a_toolkit_error_is_cut_to_its_first_words() {
        let message = window_failure_message(
            "Found no glutin configs matching the template: ConfigTemplate { color_buffer_type: Rgb { r_size: 8 } }",
        );
        assert!(message.starts_with("could not open the window (Found no glutin configs matching the template)."));
        assert!(!message.contains("ConfigTemplate") && message.contains("libegl1"), "{message}");
    }

    #[test]
    fn the_opener_gets_the_folder() {
        let command = opener_command(Path::new("/tmp/some folder"));
        let args: Vec<_> = command.get_args().collect();
        assert_eq!(args, [std::ffi::OsStr::new("/tmp/some folder")]);
    }
}
