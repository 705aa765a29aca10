//! The real `ferry` binary as a screen reader sees it: started under Xvfb with the AT-SPI
//! accessibility bus on a private session bus, its tree read by `screen_reader.py` (Debian's
//! python3-pyatspi), which checks rows, names, the dialog's focus and the named progress, and
//! downloads a file from a real sshd with AT-SPI actions and the keyboard alone.
//!
//! Where the AT-SPI pieces are missing the test says so and passes, except under `CI=true`,
//! where it fails: tests/run.sh installs them.

use crate::real_window::{Running, ferry_command, start_xvfb};
use crate::support;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Sshd, TEST_PASSWORD, TEST_USER};

/// Debian's own Python, the one python3-pyatspi installs for (a python3 earlier on PATH, such as a
/// virtual environment, may lack it).
const PYTHON: &str = "/usr/bin/python3";

/// Where Debian and Ubuntu put the accessibility bus launcher (at-spi2-core).
const BUS_LAUNCHERS: [&str; 2] = ["/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher"];

/// A child started in a process group of its own, the whole group ended when dropped: the bus
/// launcher starts the accessibility bus and its registry, which would outlive it.
struct RunningGroup(Child);

impl Drop for RunningGroup {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.0.wait();
    }
}

fn runs(program: &str, args: &[&str]) -> bool {
    Command::new(program).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// The bus launcher, or why the test cannot run here.
fn at_spi_pieces() -> Result<PathBuf, String> {
    let launcher = BUS_LAUNCHERS.iter().map(PathBuf::from).find(|path| path.exists());
    let launcher = launcher.ok_or("no at-spi-bus-launcher (package at-spi2-core)")?;
    for (program, args, package) in [
        ("Xvfb", &["-help"][..], "xvfb"),
        ("dbus-daemon", &["--version"][..], "dbus-daemon"),
        ("gdbus", &["help"][..], "libglib2.0-bin"),
        (PYTHON, &["-c", "import pyatspi"][..], "python3-pyatspi"),
    ] {
        if !runs(program, args) {
            return Err(format!("{program} {} failed (package {package})", args.join(" ")));
        }
    }
    // xdotool needs a display even to print its version: found on PATH instead.
    let path = std::env::var_os("PATH").unwrap_or_default();
    if !std::env::split_paths(&path).any(|folder| folder.join("xdotool").is_file()) {
        return Err("no xdotool on PATH (package xdotool)".into());
    }
    Ok(launcher)
}

/// A private session bus with the accessibility bus on it, told that a screen reader listens.
struct AccessibilityBus {
    address: String,
    _daemon: Running,
    _launcher: RunningGroup,
}

fn start_accessibility_bus(folder: &Path, launcher: &Path, display: &str) -> AccessibilityBus {
    let socket = folder.join("bus");
    let address = format!("unix:path={}", socket.display());
    let daemon = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--address", &address])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon starts");
    let daemon = Running(daemon);
    wait(Duration::from_secs(10), "the session bus", || socket.exists());
    let launcher = Command::new(launcher)
        .process_group(0)
        .arg("--launch-immediately")
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("DISPLAY", display)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("at-spi-bus-launcher starts");
    let launcher = RunningGroup(launcher);
    // AccessKit publishes the window only while this property is true.
    wait(Duration::from_secs(10), "org.a11y.Status IsEnabled set", || {
        Command::new("gdbus")
            .args(["call", "--session", "--dest", "org.a11y.Bus", "--object-path", "/org/a11y/bus"])
            .args(["--method", "org.freedesktop.DBus.Properties.Set", "org.a11y.Status", "IsEnabled", "<true>"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    });
    AccessibilityBus { address, _daemon: daemon, _launcher: launcher }
}

fn wait(limit: Duration, what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_screen_reader_reads_the_window_and_downloads_a_file_with_the_keyboard() {
    let launcher = match at_spi_pieces() {
        Ok(launcher) => launcher,
        Err(missing) if std::env::var("CI").as_deref() != Ok("true") => {
            eprintln!("skipped: the accessibility test needs AT-SPI: {missing} (tests/run.sh installs it)");
            return;
        }
        Err(missing) => panic!("the accessibility test cannot run: {missing}"),
    };
    support::require_password_logins();
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("remote.txt"), b"from the server").unwrap();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("notes.txt"), b"abc").unwrap();
    let config = tempfile::tempdir().unwrap();
    let buses = tempfile::tempdir().unwrap();

    let (_xvfb, display) = start_xvfb();
    let bus = start_accessibility_bus(buses.path(), &launcher, &display);
    // HOME is the local pane's first folder, and holds no known_hosts: the host key is unknown.
    let _ferry = Running(
        ferry_command(&display, config.path())
            .env("HOME", home.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .spawn()
            .expect("ferry starts"),
    );

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/window/screen_reader.py");
    let output = Command::new(PYTHON)
        .arg(script)
        .args(["--port", &sshd.port().to_string(), "--user", TEST_USER, "--password", TEST_PASSWORD])
        .args(["--local-row", "notes.txt, file, 3 B", "--remote-row", "remote.txt, file, 15 B"])
        .args(["--remote-file", "remote.txt", "--local-folder", &home.path().to_string_lossy()])
        .env("DISPLAY", &display)
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .output()
        .expect("the AT-SPI script runs");
    let said = String::from_utf8_lossy(&output.stdout);
    println!("{said}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the screen reader's walk failed:\n{said}");
    assert_eq!(std::fs::read(home.path().join("remote.txt")).unwrap(), b"from the server", "the file arrived whole");
}
