//! `ferry` with no command opens a real window titled "Ferry": started under Xvfb (a virtual X
//! display, no screen needed) and found by its title with xwininfo. Also: the window carries
//! Ferry's icon, `ferry URL` (what a clicked link runs) connects to that URL, and text goes
//! through the desktop's clipboard both ways (xclip writes and reads it, xdotool types).

use crate::support;
use crate::window_driver;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ferry::app::{FerryApp, Startup};
use ferry::config::ConfigDir;
use ferry::worker::WorkerOptions;
use support::{Sshd, TEST_PASSWORD, TEST_USER};

/// Kills a child process when dropped, so a failing test leaves nothing running.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb on a display number it picks itself, and returns that display (":N").
pub(crate) fn start_xvfb() -> (Running, String) {
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

/// The X window id of the window titled "Ferry", once it is there (waits up to 60 s: on two busy
/// cores a debug build's first frame can take long). If `ferry` exits first, or never shows a
/// window, the failure says why: its exit status, what it printed and its log.
fn wait_for_ferry_window(display: &str, ferry: &mut Running, config: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let titles = window_titles(display);
        let found = titles.lines().find(|line| line.contains("\"Ferry\""));
        let id = found.and_then(|line| line.split_whitespace().next()).map(str::to_string);
        // Focusing or clicking a window that is not mapped yet fails (BadMatch): wait for both.
        if let Some(id) = id.filter(|id| is_viewable(display, id)) {
            return id;
        }
        if let Ok(Some(status)) = ferry.0.try_wait() {
            panic!("ferry exited ({status}) before its window appeared:\n{}", ferry_output(config));
        }
        assert!(Instant::now() < deadline, "no window titled Ferry appeared:\n{titles}\n{}", ferry_output(config));
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Whether the X window `id` is mapped and shown (xwininfo says "IsViewable").
fn is_viewable(display: &str, id: &str) -> bool {
    let output = Command::new("xwininfo").args(["-id", id]).env("DISPLAY", display).output().expect("xwininfo runs");
    String::from_utf8_lossy(&output.stdout).contains("IsViewable")
}

/// What `ferry` started by `start_ferry` printed on stderr, and its log files.
fn ferry_output(config: &Path) -> String {
    let stderr = std::fs::read_to_string(config.join(STDERR_FILE)).unwrap_or_default();
    format!("stderr:\n{stderr}\nlog:\n{}", log_text(config))
}

/// Where `start_ferry` sends `ferry`'s stderr, inside its config folder.
const STDERR_FILE: &str = "test-stderr.txt";

/// The `ferry` command for `display` with the config folder `config`: no Wayland, no agent, no
/// password from the environment, output thrown away.
pub(crate) fn ferry_command(display: &str, config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
    command
        .arg("--config-dir")
        .arg(config)
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("SSH_AUTH_SOCK")
        .env_remove("FERRY_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Starts `ferry` on `display` with a fresh config folder and `args`.
fn start_ferry(display: &str, config: &Path, args: &[&str]) -> Running {
    let stderr = std::fs::File::create(config.join(STDERR_FILE)).expect("a file for ferry's stderr");
    Running(ferry_command(display, config).args(args).stderr(stderr).spawn().expect("ferry starts"))
}

/// Everything in the log files under `config`.
fn log_text(config: &Path) -> String {
    let Ok(entries) = std::fs::read_dir(config.join("logs")) else { return String::new() };
    entries.flatten().map(|entry| std::fs::read_to_string(entry.path()).unwrap_or_default()).collect()
}

#[test]
fn the_window_carries_ferrys_icon() {
    let (_xvfb, display) = start_xvfb();
    let config = tempfile::tempdir().unwrap();
    let mut ferry = start_ferry(&display, config.path(), &[]);
    let window = wait_for_ferry_window(&display, &mut ferry, config.path());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let output = Command::new("xprop")
            // xprop prints an icon's size only when allowed to read all of it (1 MiB here).
            .args(["-len", "1048576", "-id", &window, "_NET_WM_ICON"])
            .env("DISPLAY", &display)
            .output()
            .expect("xprop runs (x11-utils)");
        let property = String::from_utf8_lossy(&output.stdout);
        // Ferry's embedded icon is 256 px; a window given no icon has no such property at all.
        if property.contains("Icon (256 x 256)") {
            break;
        }
        let first_line = property.lines().next().unwrap_or_default().to_string();
        assert!(Instant::now() < deadline, "the window has no 256 px icon: {first_line}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_clicked_sftp_link_opens_the_window_connected() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known_hosts = config.path().join("user_known_hosts");
    std::fs::write(&known_hosts, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    let link = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());

    let (_xvfb, display) = start_xvfb();
    let mut ferry = start_ferry(&display, config.path(), &["--known-hosts", known_hosts.to_str().unwrap(), &link]);
    wait_for_ferry_window(&display, &mut ferry, config.path());

    // The log file tells what the window did: it checked the server's host key (known) and logged
    // in, with the password never written down.
    let deadline = Instant::now() + Duration::from_secs(30);
    let expected = format!("started: window sftp://{TEST_USER}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    loop {
        let log = log_text(config.path());
        assert!(!log.contains(TEST_PASSWORD), "the log holds the password:\n{log}");
        if log.contains(&expected) && log.contains("is Known") && log.contains("server offers authentication methods") {
            break;
        }
        assert!(Instant::now() < deadline, "the window did not connect to {expected}:\n{log}");
        std::thread::sleep(Duration::from_millis(200));
    }
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

/// Runs xdotool on `display` (tests/run.sh installs it).
fn xdotool(display: &str, args: &[&str]) {
    let status = Command::new("xdotool").args(args).env("DISPLAY", display).status().expect("xdotool runs");
    assert!(status.success(), "xdotool {args:?} failed");
}

/// What the X clipboard holds, read by xclip.
fn clipboard_text(display: &str) -> String {
    let output = Command::new("xclip")
        .args(["-o", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .output()
        .expect("xclip runs (tests/run.sh installs it)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A URL put on the X clipboard by another program is pasted into Host with Ctrl+V (and split
/// into the fields, being pasted whole); the Host field copied with Ctrl+C reaches the X
/// clipboard, where another program reads it.
#[test]
fn ctrl_v_and_ctrl_c_in_host_go_through_the_x_clipboard() {
    let (_xvfb, display) = start_xvfb();
    let config = tempfile::tempdir().unwrap();
    let mut ferry = start_ferry(&display, config.path(), &[]);
    let window = wait_for_ferry_window(&display, &mut ferry, config.path());
    std::thread::sleep(Duration::from_secs(1));

    set_clipboard(&display, "sftp://tester@127.0.0.1:2222/srv/data");
    assert_eq!(clipboard_text(&display), "sftp://tester@127.0.0.1:2222/srv/data");

    let host = point_of(&same_layout(config.path(), None).0, |h| window_driver::text_field(h, "Host").rect());
    xdotool(&display, &["windowfocus", "--sync", &window]);
    click_at(&display, &window, host, "1");
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&display, &["key", "ctrl+v"]);
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&display, &["key", "ctrl+a"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["key", "ctrl+c"]);

    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = clipboard_text(&display);
        // The pasted URL was split: Host holds its host alone, which came back through Ctrl+C.
        if text == "127.0.0.1" {
            break;
        }
        assert!(Instant::now() < deadline, "the clipboard holds {text:?}, not the Host field's 127.0.0.1");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The window as a first start draws it (1200 x 800 points, one pixel each under Xvfb), drawn by
/// egui_kittest with the config in `config`, its local pane on `local`: where its widgets are is
/// where the real window puts them, so the clicks below follow any change of layout.
fn same_layout(config: &Path, local: Option<&Path>) -> (Harness<'static, FerryApp>, tempfile::TempDir) {
    // A config of its own: the real window's must stay as a first start has it.
    let own = tempfile::tempdir().unwrap();
    if let Ok(state) = std::fs::read(config.join("window.json")) {
        std::fs::write(own.path().join("window.json"), state).unwrap();
    }
    let worker = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(own.path())) };
    let local_folder = local.map(|local| local.to_string_lossy().into_owned());
    let mut harness = Harness::builder().with_size(egui::vec2(1200.0, 800.0)).build_eframe(move |creation| {
        FerryApp::start(&creation.egui_ctx, Startup { worker, url: None, local_folder }).expect("worker starts")
    });
    harness.run_steps(3);
    (harness, own)
}

/// The centre of what `rect_of` finds in `harness`, in whole pixels.
fn point_of(
    harness: &Harness<'static, FerryApp>,
    rect_of: impl Fn(&Harness<'static, FerryApp>) -> egui::Rect,
) -> (i32, i32) {
    let centre = rect_of(harness).center();
    (centre.x.round() as i32, centre.y.round() as i32)
}

/// Moves the pointer to `point` in `window` and presses `button` ("1" left, "3" right).
fn click_at(display: &str, window: &str, point: (i32, i32), button: &str) {
    let (x, y) = (point.0.to_string(), point.1.to_string());
    xdotool(display, &["mousemove", "--window", window, &x, &y]);
    std::thread::sleep(Duration::from_millis(200));
    xdotool(display, &["click", button]);
    std::thread::sleep(Duration::from_millis(300));
}

/// A local folder holding `notes.txt`, and a config folder whose `window.json` names it as the last
/// one used: the real window and the kittest layout both open it, so their rows line up.
fn folder_with_notes_remembered() -> (tempfile::TempDir, tempfile::TempDir) {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("notes.txt"), b"hello").unwrap();
    let config = tempfile::tempdir().unwrap();
    let state = serde_json::json!({ "last_local_folder": folder.path() });
    std::fs::write(config.path().join("window.json"), state.to_string()).unwrap();
    (folder, config)
}

/// "Copy URL" on a file of the local pane puts its URL on the X clipboard, where another program
/// reads it.
#[test]
fn copy_url_reaches_the_x_clipboard() {
    let (folder, config) = folder_with_notes_remembered();
    let (mut layout, _layout_config) = same_layout(config.path(), Some(folder.path()));
    window_driver::wait_for(&mut layout, "notes.txt");
    let row = point_of(&layout, |h| h.get_by_label("notes.txt").rect());
    layout.get_by_label("notes.txt").click_secondary();
    layout.run_steps(3);
    let copy_url = point_of(&layout, |h| h.get_by_label("Copy URL").rect());
    layout.key_press(egui::Key::Escape);
    layout.run_steps(2);
    let log_tab = point_of(&layout, |h| h.get_by_label("Log").rect());
    window_driver::click(&mut layout, "Log");
    let copy_all = point_of(&layout, |h| h.get_by_label("Copy all").rect());

    let (_xvfb, display) = start_xvfb();
    let mut ferry = start_ferry(&display, config.path(), &[]);
    let window = wait_for_ferry_window(&display, &mut ferry, config.path());
    xdotool(&display, &["windowfocus", "--sync", &window]);
    let expected = format!("file://{}/notes.txt", folder.path().display());
    let copied_url = |text: &str| text == expected;
    until_clipboard(&display, copied_url, || {
        // A menu left open by an earlier try is closed first.
        xdotool(&display, &["key", "Escape"]);
        click_at(&display, &window, row, "1");
        click_at(&display, &window, row, "3");
        click_at(&display, &window, copy_url, "1");
    });

    // The log panel's "Copy all" puts the log there too: its lines name the folder listed.
    let folder_text = folder.path().display().to_string();
    let copied_log = |text: &str| text != expected && text.contains(&folder_text);
    until_clipboard(&display, copied_log, || {
        click_at(&display, &window, log_tab, "1");
        click_at(&display, &window, copy_all, "1");
    });
}

/// Does what `clicks` do until the X clipboard holds what `wanted` accepts (up to four tries,
/// five seconds each): on a busy machine the window may not have drawn the row a click aims at.
fn until_clipboard(display: &str, wanted: impl Fn(&str) -> bool, clicks: impl Fn()) {
    for _ in 0..4 {
        clicks();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if wanted(&clipboard_text(display)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    panic!("the clipboard holds {:?}, not what the clicks copy", clipboard_text(display));
}

/// Puts `text` on the X clipboard, as another program would (xclip serves it until replaced).
fn set_clipboard(display: &str, text: &str) {
    let mut xclip = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .env("DISPLAY", display)
        .stdin(Stdio::piped())
        .spawn()
        .expect("xclip runs (tests/run.sh installs it)");
    std::io::Write::write_all(&mut xclip.stdin.take().expect("xclip's stdin"), text.as_bytes())
        .expect("write to xclip");
    let _ = xclip.wait();
}

/// Waits until the X clipboard holds `expected` (10 s at most).
fn wait_for_clipboard(display: &str, expected: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = clipboard_text(display);
        if text == expected {
            return;
        }
        assert!(Instant::now() < deadline, "the clipboard holds {text:?}, not {expected:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The filter box takes Ctrl+V from the X clipboard and gives Ctrl+X back to it; the path bar
/// (Ctrl+L) gives its path with Ctrl+C.
#[test]
fn the_filter_and_path_fields_cut_copy_and_paste_through_the_x_clipboard() {
    let (folder, config) = folder_with_notes_remembered();
    let (mut layout, _layout_config) = same_layout(config.path(), Some(folder.path()));
    window_driver::wait_for(&mut layout, "notes.txt");
    let filter = point_of(&layout, |h| window_driver::text_field(h, "Filter").rect());
    let row = point_of(&layout, |h| h.get_by_label("notes.txt").rect());

    let (_xvfb, display) = start_xvfb();
    let mut ferry = start_ferry(&display, config.path(), &[]);
    let window = wait_for_ferry_window(&display, &mut ferry, config.path());
    std::thread::sleep(Duration::from_secs(1));
    xdotool(&display, &["windowfocus", "--sync", &window]);

    set_clipboard(&display, "note");
    click_at(&display, &window, filter, "1");
    xdotool(&display, &["key", "ctrl+v"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["type", "s"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["key", "ctrl+a"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["key", "ctrl+x"]);
    // "notes": what was pasted and what was typed after it, cut back out.
    wait_for_clipboard(&display, "notes");

    click_at(&display, &window, row, "1");
    xdotool(&display, &["key", "ctrl+l"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["key", "ctrl+a"]);
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&display, &["key", "ctrl+c"]);
    wait_for_clipboard(&display, &folder.path().display().to_string());
}
