//! `ferry` with no command opens a real window titled "Ferry": started under Xvfb (a virtual X
//! display, no screen needed) and found by its title with xwininfo.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills a child process when dropped, so a failing test leaves nothing running.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb on a display number it picks itself, and returns that display (":N").
fn start_xvfb() -> (Running, String) {
    let mut xvfb = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb runs (tests/run.sh installs the xvfb package)");
    let mut line = String::new();
    BufReader::new(xvfb.stdout.take().expect("Xvfb's stdout")).read_line(&mut line).expect("Xvfb names its display");
    (Running(xvfb), format!(":{}", line.trim()))
}

fn window_titles(display: &str) -> String {
    let output =
        Command::new("xwininfo").args(["-root", "-tree"]).env("DISPLAY", display).output().expect("xwininfo runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn ferry_opens_a_window_titled_ferry() {
    let (_xvfb, display) = start_xvfb();
    let config = tempfile::tempdir().unwrap();
    let _ferry = Running(
        Command::new(env!("CARGO_BIN_EXE_ferry"))
            .arg("--config-dir")
            .arg(config.path())
            .env("DISPLAY", &display)
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ferry starts"),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let titles = window_titles(&display);
        if titles.contains("\"Ferry\"") {
            break;
        }
        assert!(Instant::now() < deadline, "no window titled Ferry appeared:\n{titles}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
