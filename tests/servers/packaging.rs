//! What an installed Ferry puts on the desktop and on disk: the desktop entry and the AppStream file
//! (checked with the distributions' own validators), the icons, the Debian package's file list, the
//! command line that a clicked link runs, and the log file (written, showing the session, never
//! holding a password).
//!
//! `tests/run.sh` installs the validators (desktop-file-utils, appstream); without them the two
//! validator tests say SKIPPED loudly and pass, so a bare `cargo test` still runs elsewhere.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const DESKTOP_FILE: &str = "packaging/ferry.desktop";
const ICON_SIZES: [u32; 8] = [16, 24, 32, 48, 64, 128, 256, 512];

fn repo_file(relative: &str) -> PathBuf {
    Path::new(REPO).join(relative)
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_file(relative)).unwrap_or_else(|error| panic!("reading {relative}: {error}"))
}

/// The one `*.metainfo.xml` under packaging/.
fn metainfo_file() -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(repo_file("packaging"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(".metainfo.xml"))
        .collect();
    assert_eq!(found.len(), 1, "exactly one metainfo file in packaging/: {found:?}");
    found.into_iter().next().unwrap()
}

/// Runs a validator; `None` (after a loud message) when it is not installed.
fn validate(program: &str, args: &[&str], file: &Path) -> Option<Output> {
    match Command::new(program).args(args).arg(file).output() {
        Ok(output) => Some(output),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            eprintln!(
                "SKIPPED: {program} is not installed (tests/run.sh installs it); {} was not validated",
                file.display()
            );
            None
        }
        Err(error) => panic!("running {program}: {error}"),
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The value of `key=` in the desktop file's main group.
fn desktop_value(entry: &str, key: &str) -> String {
    entry
        .lines()
        .find_map(|line| line.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
        .unwrap_or_else(|| panic!("{DESKTOP_FILE} has no {key}="))
        .to_string()
}

#[test]
fn the_desktop_entry_is_valid_and_handles_the_four_link_schemes() {
    let entry = read(DESKTOP_FILE);
    assert_eq!(desktop_value(&entry, "Exec"), "ferry %u", "a clicked link's URL is passed as one argument");
    assert_eq!(desktop_value(&entry, "Icon"), "ferry");
    assert_eq!(desktop_value(&entry, "Type"), "Application");
    let categories = desktop_value(&entry, "Categories");
    let categories: Vec<&str> = categories.split(';').collect();
    assert!(categories.contains(&"Network") && categories.contains(&"FileTransfer"), "{categories:?}");
    let mime_types = desktop_value(&entry, "MimeType");
    for scheme in ["sftp", "ftp", "ftps", "ftpes"] {
        let handler = format!("x-scheme-handler/{scheme}");
        assert!(mime_types.split(';').any(|m| m == handler), "{handler} missing from {mime_types}");
    }

    if let Some(output) = validate("desktop-file-validate", &[], &repo_file(DESKTOP_FILE)) {
        // It prints nothing for a clean file; hints and errors alike mean something to fix.
        let report = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(output.status.success() && report.trim().is_empty(), "desktop-file-validate: {report}");
    }
}

#[test]
fn the_appstream_file_is_valid_and_names_the_desktop_entry_screenshot_and_this_release() {
    let path = metainfo_file();
    let xml = std::fs::read_to_string(&path).unwrap();
    let id = xml.split("<id>").nth(1).and_then(|rest| rest.split("</id>").next()).expect("an <id>");
    assert_eq!(
        path.file_name().unwrap().to_string_lossy(),
        format!("{id}.metainfo.xml"),
        "AppStream finds the file by its component id"
    );
    assert!(xml.contains("<launchable type=\"desktop-id\">ferry.desktop</launchable>"), "launchable");
    assert!(xml.contains("<screenshot type=\"default\">") && xml.contains("<image>https://"), "a screenshot");
    let release = format!("<release version=\"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(xml.contains(&release), "the metainfo lists this version ({release})");
    assert!(xml.contains("<description>"), "a description");

    if let Some(output) = validate("appstreamcli", &["validate", "--no-net"], &path) {
        assert!(output.status.success(), "appstreamcli validate: {}{}", text(&output.stdout), text(&output.stderr));
    }
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR");
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[test]
fn the_icon_exists_as_svg_and_as_png_in_every_size() {
    let svg = read("assets/ferry.svg");
    assert!(svg.contains("<svg") && svg.contains("viewBox=\"0 0 64 64\""), "assets/ferry.svg is an SVG");
    for size in ICON_SIZES {
        let relative = format!("assets/icons/ferry-{size}.png");
        let bytes = std::fs::read(repo_file(&relative)).unwrap_or_else(|error| panic!("{relative}: {error}"));
        assert_eq!(png_size(&bytes), (size, size), "{relative}");
        // Colour type 6: RGBA, so the rounded corners are transparent.
        assert_eq!(bytes[25], 6, "{relative} has an alpha channel");
    }
}

/// `[source, destination, mode]` triples of `assets` in `[package.metadata.deb]`.
fn deb_assets() -> Vec<(String, String)> {
    let manifest = read("Cargo.toml");
    let table = manifest.split("[package.metadata.deb]").nth(1).expect("Cargo.toml has [package.metadata.deb]");
    let table = table.split("\n[").next().unwrap_or_default();
    table
        .lines()
        .filter_map(|line| line.trim().strip_prefix("[\"")?.strip_suffix("],"))
        .map(|triple| {
            let parts: Vec<&str> = triple.split("\", \"").collect();
            assert_eq!(parts.len(), 3, "source, destination, mode: {triple}");
            (parts[0].to_string(), parts[1].to_string())
        })
        .collect()
}

#[test]
fn the_debian_package_ships_the_binary_desktop_entry_metainfo_icons_and_readme() {
    let assets = deb_assets();
    for (source, _) in &assets {
        if source != "target/release/ferry" {
            assert!(repo_file(source).is_file(), "the package lists {source}, which does not exist");
        }
    }
    let installs = |source: &str, destination: &str| assets.iter().any(|(s, d)| s == source && d == destination);
    assert!(installs("target/release/ferry", "usr/bin/"), "{assets:?}");
    assert!(installs(DESKTOP_FILE, "usr/share/applications/"), "{assets:?}");
    let metainfo = format!("packaging/{}", metainfo_file().file_name().unwrap().to_string_lossy());
    assert!(installs(&metainfo, "usr/share/metainfo/"), "{assets:?}");
    assert!(installs("assets/ferry.svg", "usr/share/icons/hicolor/scalable/apps/ferry.svg"), "{assets:?}");
    for size in ICON_SIZES {
        let source = format!("assets/icons/ferry-{size}.png");
        let destination = format!("usr/share/icons/hicolor/{size}x{size}/apps/ferry.png");
        assert!(installs(&source, &destination), "{source} -> {destination} missing: {assets:?}");
    }
    assert!(installs("README.md", "usr/share/doc/ferry/README.md"), "{assets:?}");
}

/// Runs `ferry` with no display at all, so that a window cannot open, and a fresh config folder.
fn ferry_without_display(config: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config)
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .env_remove("FERRY_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .expect("ferry runs")
}

/// Everything in every file under `dir`, and the names of those files.
fn read_tree(dir: &Path) -> (Vec<PathBuf>, String) {
    let mut files = Vec::new();
    let mut contents = String::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                contents.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
                files.push(path);
            }
        }
    }
    (files, contents)
}

#[test]
fn help_names_the_url_argument() {
    let output = Command::new(env!("CARGO_BIN_EXE_ferry")).arg("--help").output().expect("ferry runs");
    assert!(output.status.success());
    let help = text(&output.stdout);
    assert!(help.contains("[URL]"), "{help}");
}

#[test]
fn the_desktop_entrys_command_line_opens_the_window_on_a_clicked_link() {
    let config = tempfile::tempdir().unwrap();
    let link = "sftp://alice:secret-in-link@127.0.0.1:2222/srv/www";
    // As a desktop runs Exec: %u becomes the link, as one argument.
    let exec = desktop_value(&read(DESKTOP_FILE), "Exec");
    let mut words = exec.split_whitespace();
    assert_eq!(words.next(), Some("ferry"));
    let args: Vec<String> = words.map(|word| if word == "%u" { link.to_string() } else { word.to_string() }).collect();

    let output = ferry_without_display(config.path(), &args);
    let stderr = text(&output.stderr);
    // Accepted by the command line (a usage error exits with 2), then stopped only by the missing
    // display, which it names.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no display to open the window on"), "{stderr}");
    let (_, log) = read_tree(&config.path().join("logs"));
    assert!(log.contains("started: window sftp://alice@127.0.0.1:2222/srv/www"), "{log}");
    assert!(!log.contains("secret-in-link") && !stderr.contains("secret-in-link"), "{log}\n{stderr}");
}

fn known_hosts_for(sshd: &Sshd, dir: &Path) -> PathBuf {
    let path = dir.join("user_known_hosts");
    std::fs::write(&path, format!("[127.0.0.1]:{} {}\n", sshd.port(), sshd.host_key_public_line())).unwrap();
    path
}

#[test]
fn the_log_shows_ftp_and_sftp_sessions_and_never_a_password() {
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known_hosts = known_hosts_for(&sshd, config.path());

    // FTP with the password from FERRY_PASSWORD.
    let ftp_url = format!("ftp://{TEST_USER}@127.0.0.1:{}/", ftpd.port());
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config.path())
        .args(["ls", &ftp_url])
        .env("FERRY_PASSWORD", TEST_PASSWORD)
        .stdin(Stdio::null())
        .output()
        .expect("ferry runs");
    assert!(output.status.success(), "ftp ls: {}", text(&output.stderr));

    // SFTP with the password in the URL, and --verbose, which names the log folder.
    let sftp_url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}", sshd.port(), sshd.data_dir().display());
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config.path())
        .arg("--known-hosts")
        .arg(&known_hosts)
        .args(["--verbose", "ls", &sftp_url])
        .env_remove("FERRY_PASSWORD")
        .env_remove("SSH_AUTH_SOCK")
        .stdin(Stdio::null())
        .output()
        .expect("ferry runs");
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "sftp ls: {stderr}");
    let log_dir = config.path().join("logs");
    assert!(stderr.contains(&format!("log files in {}", log_dir.display())), "{stderr}");
    assert!(!stderr.contains(TEST_PASSWORD), "{stderr}");

    let (files, log) = read_tree(&log_dir);
    assert_eq!(files.len(), 1, "one log file for today: {files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("ferry.") && name.ends_with(".log"), "{name}");
    // The FTP session: the start line and the command transcript, the password masked.
    assert!(log.contains(&format!("started: ls ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port())), "{log}");
    assert!(log.contains(&format!("CC OUT: USER {TEST_USER}")), "{log}");
    assert!(log.contains("CC OUT: PASS ****"), "{log}");
    // Replies are logged as text.
    assert!(log.contains("CC IN: 230 Login successful."), "{log}");
    // The SFTP session: the start line, the host key check and the login methods.
    assert!(log.contains(&format!("started: ls sftp://{TEST_USER}@127.0.0.1:{}", sshd.port())), "{log}");
    assert!(log.contains("server offers authentication methods"), "{log}");
    assert!(!log.contains(TEST_PASSWORD), "the log holds the password:\n{log}");

    // Nor does anything else Ferry wrote.
    let (_, everything) = read_tree(config.path());
    assert!(!everything.contains(TEST_PASSWORD), "a file in the config folder holds the password");
}
