//! `ferry bookmarks` and `NAME:/path` end to end, with the real binary: the bookmark file and its
//! safety (parallel edits, damaged or newer files kept aside), ssh config aliases against a real
//! sshd, and passwords kept in a real Secret Service (gnome-keyring on a private D-Bus), never in
//! a file Ferry writes.

use crate::driver;
use crate::support;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use support::{Microsocks, PROXY_LOGIN, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions, client_keys};

/// A D-Bus address where nothing listens: the keychain must be found absent, quickly.
const NO_BUS: &str = "unix:path=/nonexistent/ferry-test-bus";

/// How `ferry` is run: no terminal, a given config folder, a given session bus.
struct Ferry {
    config: PathBuf,
    bus: String,
    env: Vec<(String, String)>,
    /// Everything every run printed, to search for passwords at the end.
    printed: Vec<u8>,
}

impl Ferry {
    fn new(config: &Path) -> Ferry {
        Ferry { config: config.to_path_buf(), bus: NO_BUS.to_string(), env: Vec::new(), printed: Vec::new() }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_ferry"));
        command
            .arg("--config-dir")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::null())
            .env_remove("FERRY_PASSWORD")
            .env_remove("FERRY_SSH_CONFIG")
            .env_remove("SSH_AUTH_SOCK")
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            // Where a session bus would be looked for without an address: empty.
            .env("XDG_RUNTIME_DIR", self.config.join("no-runtime-dir"));
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }

    fn run(&mut self, args: &[&str]) -> Output {
        self.run_with(args, &[])
    }

    fn run_with(&mut self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut command = self.command(args);
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("run ferry");
        self.printed.extend_from_slice(&output.stdout);
        self.printed.extend_from_slice(&output.stderr);
        output
    }

    fn ok(&mut self, args: &[&str]) -> Output {
        let output = self.run(args);
        assert_ok(&output, args);
        output
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output, args: &[&str]) {
    assert!(output.status.success(), "ferry {args:?} failed: {}\n{}", stderr(output), stdout(output));
}

fn list_json(ferry: &mut Ferry) -> Vec<serde_json::Value> {
    let output = ferry.ok(&["bookmarks", "list", "--json"]);
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).expect("one JSON array");
    value.as_array().expect("array").clone()
}

fn known_hosts_for(sshd: &Sshd, dir: &Path) -> PathBuf {
    let path = dir.join("known_hosts");
    std::fs::write(&path, format!("{}\n", sshd.known_hosts_line())).unwrap();
    path
}

/// Files in `dir` whose name contains `part`.
fn files_named(dir: &Path, part: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap().to_string_lossy().contains(part))
        .collect()
}

/// Asserts that no file under `dir` (logs included) holds `secret`.
fn assert_no_file_holds(dir: &Path, secret: &str) {
    let mut stack = vec![dir.to_path_buf()];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            checked += 1;
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds the password",
                path.display()
            );
        }
    }
    assert!(checked > 0, "nothing was written under {}", dir.display());
}

#[test]
fn add_list_rm_export_import_end_to_end() {
    let config = tempfile::tempdir().unwrap();
    let mut ferry = Ferry::new(config.path());
    let output = ferry.ok(&[
        "bookmarks",
        "add",
        "web",
        "ftpes://webmaster@ftp.example.org:2121/htdocs",
        "--folder",
        "Work/Clients",
        "--comment",
        "the shop",
        "--local-dir",
        "/tmp",
    ]);
    assert!(stderr(&output).contains("saved web"), "{}", stderr(&output));
    ferry.ok(&["bookmarks", "add", "box", "sftp://me@box.example.org", "--key-file", "/keys/id", "--login", "key"]);

    let output = ferry.ok(&["bookmarks", "list"]);
    let text = stdout(&output);
    assert!(text.contains("Work/Clients/web\tftpes://webmaster@ftp.example.org:2121/htdocs\tpassword"), "{text}");
    assert!(text.contains("box\tsftp://me@box.example.org:22\tkey"), "{text}");
    let rows = list_json(&mut ferry);
    assert_eq!(rows.len(), 2);
    let web = rows.iter().find(|r| r["name"] == "web").unwrap();
    assert_eq!(web["protocol"], "ftpes");
    assert_eq!(web["port"], 2121);
    assert_eq!(web["folder"], serde_json::json!(["Work", "Clients"]));
    // FTP URL paths are relative to the login folder.
    assert_eq!(web["remote_dir"], "htdocs");
    assert_eq!(web["comment"], "the shop");
    let box_row = rows.iter().find(|r| r["name"] == "box").unwrap();
    assert_eq!(box_row["login"], "key_file");
    assert_eq!(box_row["key_file"], "/keys/id");

    // Names are what NAME:/path finds: no duplicates, no colons.
    let output = ferry.run(&["bookmarks", "add", "web", "sftp://other.example.org"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("already exists"), "{}", stderr(&output));
    let output = ferry.run(&["bookmarks", "add", "a:b", "sftp://other.example.org"]);
    assert!(!output.status.success());

    let export = config.path().join("out/sites.json");
    ferry.ok(&["bookmarks", "export", export.to_str().unwrap()]);
    let exported: serde_json::Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    assert_eq!(exported["version"], 1);
    assert_eq!(exported["bookmarks"].as_array().unwrap().len(), 2);
    assert_eq!(exported["recent"], serde_json::json!([]));

    ferry.ok(&["bookmarks", "rm", "web"]);
    let names: Vec<String> = list_json(&mut ferry).iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names, vec!["box"]);
    let output = ferry.run(&["bookmarks", "rm", "web"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("not found"), "{}", stderr(&output));

    // The FileZilla fixture holds passwords; without a keychain they are not kept anywhere.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/import/filezilla/sitemanager.xml");
    let output = ferry.ok(&["bookmarks", "import", fixture.to_str().unwrap()]);
    let report = stdout(&output);
    assert!(report.contains("imported: Top level FTP"), "{report}");
    assert!(report.contains("skipped: Backups bucket: "), "{report}");
    assert!(stderr(&output).contains("were not stored"), "{}", stderr(&output));
    assert!(list_json(&mut ferry).iter().any(|r| r["name"] == "Deploy box" && r["folder"][0] == "Work"));
    // Importing again replaces the same sites rather than doubling them.
    let count = list_json(&mut ferry).len();
    ferry.ok(&["bookmarks", "import", fixture.to_str().unwrap()]);
    assert_eq!(list_json(&mut ferry).len(), count);
    // "säcret & <more>" is the fixture's FileZilla password.
    assert_no_file_holds(config.path(), "säcret");
    assert!(!String::from_utf8_lossy(&ferry.printed).contains("säcret"));
}

#[test]
fn forty_parallel_processes_lose_no_edit() {
    let config = tempfile::tempdir().unwrap();
    let ferry = Ferry::new(config.path());
    // Two batches of twenty, all started before any is waited for: forty writers at once.
    let mut running: Vec<(String, Child)> = Vec::new();
    for batch in 0..2 {
        for n in 0..20 {
            let name = format!("site-{batch}-{n}");
            let url = format!("sftp://user{n}@host{batch}.example.org:{}", 2000 + n);
            let child = ferry
                .command(&["bookmarks", "add", &name, &url])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("start ferry");
            running.push((name, child));
        }
    }
    let mut names = Vec::new();
    for (name, child) in running {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        names.push(name);
    }
    let mut ferry = Ferry::new(config.path());
    let mut listed: Vec<String> =
        list_json(&mut ferry).iter().map(|r| r["name"].as_str().unwrap().to_string()).collect();
    listed.sort();
    names.sort();
    assert_eq!(listed, names);
    assert!(files_named(config.path(), ".tmp").is_empty(), "a temporary file was left behind");
}

#[test]
fn a_damaged_file_is_kept_aside_with_its_bytes_and_reported() {
    let config = tempfile::tempdir().unwrap();
    let mut ferry = Ferry::new(config.path());
    let damaged = b"{\"version\": 1, \"bookmarks\": [{\"name\": \"half-writ";
    std::fs::write(config.path().join("bookmarks.json"), damaged).unwrap();
    let output = ferry.ok(&["bookmarks", "list"]);
    let warning = stderr(&output);
    assert!(warning.contains("is damaged") && warning.contains("bookmarks.json.broken-"), "{warning}");
    let aside = files_named(config.path(), "bookmarks.json.broken-");
    assert_eq!(aside.len(), 1, "{aside:?}");
    // A dated name: bookmarks.json.broken-YYYYMMDD-HHMMSS.
    let stamp = aside[0].file_name().unwrap().to_string_lossy().replace("bookmarks.json.broken-", "");
    assert!(chrono::NaiveDateTime::parse_from_str(&stamp, "%Y%m%d-%H%M%S").is_ok(), "{stamp}");
    assert!(warning.contains(&*aside[0].to_string_lossy()), "{warning}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), damaged);

    // Ferry goes on with a new file, and the kept one stays untouched.
    ferry.ok(&["bookmarks", "add", "fresh", "ftp://ftp.example.org"]);
    assert_eq!(list_json(&mut ferry).len(), 1);
    assert_eq!(std::fs::read(&aside[0]).unwrap(), damaged);
}

#[test]
fn a_file_from_a_newer_ferry_is_refused_not_misread() {
    let config = tempfile::tempdir().unwrap();
    let mut ferry = Ferry::new(config.path());
    let newer = br#"{"version": 7, "bookmarks": [{"id": "x", "name": "new", "shape": "unknown"}]}"#;
    std::fs::write(config.path().join("bookmarks.json"), newer).unwrap();
    let output = ferry.ok(&["bookmarks", "list"]);
    assert!(stderr(&output).contains("newer Ferry (format 7"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let aside = files_named(config.path(), "bookmarks.json.broken-");
    assert_eq!(aside.len(), 1);
    assert_eq!(std::fs::read(&aside[0]).unwrap(), newer);
}

#[test]
fn ls_name_path_with_a_bookmark_and_with_an_ssh_config_alias() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let data = sshd.data_dir().to_str().unwrap().to_string();
    std::fs::write(sshd.data_dir().join("hello.txt"), b"hello over a bookmark").unwrap();
    let key = client_keys().ed25519.to_str().unwrap().to_string();
    let url = format!("sftp://{}@127.0.0.1:{}", sshd.login_user(), sshd.port());
    let mut ferry = Ferry::new(config.path());

    ferry.ok(&["bookmarks", "add", "mybox", &url, "--key-file", &key, "--remote-dir", &data]);
    let output = ferry.ok(&["--known-hosts", known, "ls", &format!("mybox:{data}")]);
    assert!(stdout(&output).contains("hello.txt"), "{}", stdout(&output));
    // Without a path: the bookmark's remote folder.
    let output = ferry.ok(&["--known-hosts", known, "ls", "mybox"]);
    assert!(stdout(&output).contains("hello.txt"), "{}", stdout(&output));
    let local = tempfile::tempdir().unwrap();
    ferry.ok(&["--known-hosts", known, "get", &format!("mybox:{data}/hello.txt"), local.path().to_str().unwrap()]);
    assert_eq!(std::fs::read(local.path().join("hello.txt")).unwrap(), b"hello over a bookmark");
    // The connection is remembered, without a password.
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(config.path().join("bookmarks.json")).unwrap()).unwrap();
    assert_eq!(saved["recent"][0], format!("sftp://{}@127.0.0.1:{}", sshd.login_user(), sshd.port()));

    // An alias of an ssh config gives host, port, user and key, as ssh would.
    let ssh_config = config.path().join("ssh_config");
    std::fs::write(
        &ssh_config,
        format!(
            "Host other\n  User nobody\n\nHost testbox\n  HostName 127.0.0.1\n  Port {}\n  User {}\n  \
             IdentityFile {}/missing_key\n  IdentityFile {key}\n\nHost *\n  User fallback\n",
            sshd.port(),
            sshd.login_user(),
            config.path().display()
        ),
    )
    .unwrap();
    let ssh_config = ssh_config.to_str().unwrap();
    let output = ferry.ok(&["--known-hosts", known, "--ssh-config", ssh_config, "ls", &format!("testbox:{data}")]);
    assert!(stdout(&output).contains("hello.txt"), "{}", stdout(&output));
    let output = ferry.run_with(
        &["--known-hosts", known, "ls", "--json", &format!("testbox:{data}")],
        &[("FERRY_SSH_CONFIG", ssh_config)],
    );
    assert_ok(&output, &["ls via FERRY_SSH_CONFIG"]);
    assert!(stdout(&output).contains("\"hello.txt\""), "{}", stdout(&output));
    // The URL form of the alias gets the same settings.
    let output =
        ferry.ok(&["--known-hosts", known, "--ssh-config", ssh_config, "ls", &format!("sftp://testbox{data}")]);
    assert!(stdout(&output).contains("hello.txt"), "{}", stdout(&output));

    let output = ferry.run(&["--known-hosts", known, "--ssh-config", ssh_config, "ls", "nothere:/x"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("not found: \"nothere\" is neither a URL, a bookmark nor a Host alias"));
    let output = ferry.run(&["--known-hosts", known, "ls", "./mybox:/x"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("is a local path"), "{}", stderr(&output));
}

/// A private session bus with gnome-keyring's Secret Service on it, unlocked; both processes are
/// killed when this is dropped.
struct SecretService {
    bus: Child,
    keyring: Child,
    address: String,
    _dir: tempfile::TempDir,
}

impl SecretService {
    fn start() -> SecretService {
        for program in ["dbus-daemon", "gnome-keyring-daemon", "dbus-send"] {
            assert!(
                Command::new("sh").args(["-c", &format!("command -v {program}")]).output().unwrap().status.success(),
                "{program} is missing: run tests/run.sh once (it installs dbus-daemon, dbus-bin and gnome-keyring)"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let mut address = String::new();
        BufReader::new(bus.stdout.take().unwrap()).read_line(&mut address).unwrap();
        let address = address.trim().to_string();
        assert!(address.starts_with("unix:"), "dbus-daemon printed {address:?}");
        let runtime = dir.path().join("runtime");
        std::fs::create_dir(&runtime).unwrap();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("HOME", dir.path())
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", &runtime)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        // The password of the new login keyring, which --unlock creates and opens.
        let mut stdin = keyring.stdin.take().unwrap();
        stdin.write_all(b"keyring unlock password").unwrap();
        drop(stdin);
        let service = SecretService { bus, keyring, address, _dir: dir };
        service.wait_for_name("org.freedesktop.secrets");
        service
    }

    /// How many keychain items Ferry's service holds under `account` (asked over D-Bus, as any
    /// Secret Service client would).
    fn items_for(&self, account: &str) -> usize {
        let output = Command::new("dbus-send")
            .args([
                &format!("--bus={}", self.address),
                "--dest=org.freedesktop.secrets",
                "--type=method_call",
                "--print-reply",
                "/org/freedesktop/secrets",
                "org.freedesktop.Secret.Service.SearchItems",
                &format!("dict:string:string:service,ferry,username,{account}"),
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "SearchItems failed: {}", stderr(&output));
        stdout(&output).matches("object path").count()
    }

    fn wait_for_name(&self, name: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let output = Command::new("dbus-send")
                .args([
                    &format!("--bus={}", self.address),
                    "--dest=org.freedesktop.DBus",
                    "--type=method_call",
                    "--print-reply",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    &format!("string:{name}"),
                ])
                .output()
                .unwrap();
            if stdout(&output).contains("boolean true") {
                return;
            }
            assert!(Instant::now() < deadline, "{name} never appeared on the test bus");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for SecretService {
    fn drop(&mut self) {
        let _ = self.keyring.kill();
        let _ = self.keyring.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

#[test]
fn passwords_live_in_the_keychain_and_never_in_a_file() {
    support::require_password_logins();
    let keychain = SecretService::start();
    let sshd = Sshd::start();
    let ftpd = Vsftpd::start(VsftpdOptions::default());
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    std::fs::write(sshd.data_dir().join("kept.txt"), b"x").unwrap();
    std::fs::write(ftpd.data_dir().join("ftp-kept.txt"), b"x").unwrap();
    let data = sshd.data_dir().to_str().unwrap().to_string();
    let mut ferry = Ferry::new(config.path());
    ferry.bus = keychain.address.clone();
    // Logged in full, so the log file is searched too.
    ferry.env.push(("FERRY_LOG".into(), "trace".into()));

    // A password in the URL goes to the keychain.
    let output = ferry.ok(&[
        "bookmarks",
        "add",
        "pw",
        &format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{data}", sshd.port()),
    ]);
    assert!(stderr(&output).contains("the password is in the keychain"), "{}", stderr(&output));
    // No terminal and no FERRY_PASSWORD: only the keychain can log this in.
    let output = ferry.ok(&["--verbose", "--known-hosts", known, "ls", "pw"]);
    assert!(stdout(&output).contains("kept.txt"), "{}", stdout(&output));

    // A password from FERRY_PASSWORD, for FTP.
    let output = ferry.run_with(
        &["bookmarks", "add", "ftpsite", &format!("ftp://{TEST_USER}@127.0.0.1:{}", ftpd.port())],
        &[("FERRY_PASSWORD", TEST_PASSWORD)],
    );
    assert_ok(&output, &["add ftpsite"]);
    let output = ferry.ok(&["--verbose", "ls", "ftpsite:"]);
    assert!(stdout(&output).contains("ftp-kept.txt"), "{}", stdout(&output));

    // An imported password (FileZilla keeps it in base64) goes to the keychain too.
    let sitemanager = config.path().join("sitemanager.xml");
    std::fs::write(
        &sitemanager,
        format!(
            "<?xml version=\"1.0\"?>\n<FileZilla3><Servers><Server><Host>127.0.0.1</Host><Port>{}</Port>\
             <Protocol>1</Protocol><User>{TEST_USER}</User><Pass encoding=\"base64\">{}</Pass>\
             <Logontype>1</Logontype><Name>Imported box</Name></Server></Servers></FileZilla3>\n",
            sshd.port(),
            base64_of(TEST_PASSWORD)
        ),
    )
    .unwrap();
    let output = ferry.ok(&["bookmarks", "import", sitemanager.to_str().unwrap()]);
    assert!(stdout(&output).contains("imported: Imported box"), "{}", stdout(&output));
    assert!(!stderr(&output).contains("not stored"), "{}", stderr(&output));
    std::fs::remove_file(&sitemanager).unwrap();
    let output = ferry.ok(&["--known-hosts", known, "ls", &format!("Imported box:{data}")]);
    assert!(stdout(&output).contains("kept.txt"), "{}", stdout(&output));

    // Removing a bookmark removes its password from the keychain.
    let id = list_json(&mut ferry).iter().find(|r| r["name"] == "pw").unwrap()["id"].as_str().unwrap().to_string();
    // The entry names the user and host the password is for.
    let account = format!("{id}/{TEST_USER}@127.0.0.1");
    assert_eq!(keychain.items_for(&account), 1, "the keychain holds the password of pw");
    ferry.ok(&["bookmarks", "rm", "pw"]);
    assert_eq!(keychain.items_for(&account), 0, "the password of pw outlived its bookmark");
    ferry.ok(&["bookmarks", "add", "pw", &format!("sftp://{TEST_USER}@127.0.0.1:{}{data}", sshd.port())]);
    let output = ferry.run(&["--known-hosts", known, "ls", "pw"]);
    assert!(!output.status.success(), "logged in without a password");
    assert!(stderr(&output).contains("no password given"), "{}", stderr(&output));

    ferry.ok(&["bookmarks", "export", config.path().join("export.json").to_str().unwrap()]);
    assert_no_file_holds(config.path(), TEST_PASSWORD);
    assert!(config.path().join("logs").is_dir(), "no log folder to search");
    let printed = String::from_utf8_lossy(&ferry.printed).into_owned();
    assert!(!printed.contains(TEST_PASSWORD), "a password was printed");
}

#[test]
fn a_saved_password_stays_with_the_user_and_host_it_was_saved_for() {
    support::require_password_logins();
    let keychain = SecretService::start();
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    std::fs::write(sshd.data_dir().join("kept.txt"), b"x").unwrap();
    let data = sshd.data_dir().to_str().unwrap().to_string();
    let mut ferry = Ferry::new(config.path());
    ferry.bus = keychain.address.clone();
    ferry.ok(&[
        "bookmarks",
        "add",
        "pw",
        &format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{data}", sshd.port()),
    ]);
    let output = ferry.ok(&["--known-hosts", known, "ls", "pw"]);
    assert!(stdout(&output).contains("kept.txt"), "{}", stdout(&output));

    // The site now names another account (an edit, or a file someone else wrote): the password
    // saved for the first one must not be offered to it.
    let file = config.path().join("bookmarks.json");
    let saved = std::fs::read_to_string(&file).unwrap();
    let repointed = saved.replace(&format!("\"user\": \"{TEST_USER}\""), "\"user\": \"someone-else\"");
    assert_ne!(saved, repointed, "the bookmark file names no user");
    std::fs::write(&file, repointed).unwrap();
    let output = ferry.run(&["--known-hosts", known, "ls", "pw"]);
    assert!(!output.status.success(), "logged in as someone else");
    assert!(
        stderr(&output).contains("no password given"),
        "the saved password was offered for another user: {}",
        stderr(&output)
    );

    // Pointed back, it finds its password again.
    std::fs::write(&file, saved).unwrap();
    ferry.ok(&["--known-hosts", known, "ls", "pw"]);
}

#[test]
fn a_sites_proxy_is_saved_without_its_password_which_the_keychain_keeps_and_the_site_goes_through_it() {
    support::require_password_logins();
    let keychain = SecretService::start();
    let sshd = Sshd::start();
    let proxy = Microsocks::start(Some(PROXY_LOGIN));
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    std::fs::write(sshd.data_dir().join("kept.txt"), b"x").unwrap();
    let data = sshd.data_dir().to_str().unwrap().to_string();
    let mut ferry = Ferry::new(config.path());
    ferry.bus = keychain.address.clone();
    ferry.env.push(("FERRY_LOG".into(), "trace".into()));
    let proxy_url = format!("socks5h://{}:{}@127.0.0.1:{}", PROXY_LOGIN.user, PROXY_LOGIN.password, proxy.port());

    let output = ferry.ok(&[
        "--proxy",
        &proxy_url,
        "bookmarks",
        "add",
        "behind",
        &format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{data}", sshd.port()),
    ]);
    assert!(stderr(&output).contains("the proxy's password is in the keychain"), "{}", stderr(&output));
    let saved = std::fs::read_to_string(config.path().join("bookmarks.json")).unwrap();
    assert!(saved.contains(&format!("socks5h://{}@127.0.0.1:{}", PROXY_LOGIN.user, proxy.port())), "{saved}");

    // No --proxy now: the site's own proxy, its password from the keychain.
    let output = ferry.ok(&["--known-hosts", known, "ls", "behind"]);
    assert!(stdout(&output).contains("kept.txt"), "{}", stdout(&output));
    assert_eq!(proxy.connections_to("127.0.0.1", sshd.port()), 1, "proxy log:\n{}", proxy.log());

    let id = list_json(&mut ferry).iter().find(|r| r["name"] == "behind").unwrap()["id"].as_str().unwrap().to_string();
    let account = format!("{id}/proxy/{}@127.0.0.1:{}", PROXY_LOGIN.user, proxy.port());
    assert_eq!(keychain.items_for(&account), 1, "the keychain holds no proxy password");
    ferry.ok(&["bookmarks", "rm", "behind"]);
    assert_eq!(keychain.items_for(&account), 0, "the proxy password outlived its site");
    assert_no_file_holds(config.path(), PROXY_LOGIN.password);
    let printed = String::from_utf8_lossy(&ferry.printed).into_owned();
    assert!(!printed.contains(PROXY_LOGIN.password), "the proxy password was printed");
}

#[test]
fn without_a_keychain_nothing_is_stored_and_the_password_is_asked_for() {
    let sshd = Sshd::start();
    let config = tempfile::tempdir().unwrap();
    let known = known_hosts_for(&sshd, config.path());
    let known = known.to_str().unwrap();
    let data = sshd.data_dir().to_str().unwrap().to_string();
    let mut ferry = Ferry::new(config.path());
    let started = Instant::now();
    let output = ferry.ok(&[
        "bookmarks",
        "add",
        "pw",
        &format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{data}", sshd.port()),
    ]);
    assert!(started.elapsed() < Duration::from_secs(5), "finding no keychain took {:?}", started.elapsed());
    assert!(
        stderr(&output).contains("the password was not stored") && stderr(&output).contains("no keychain"),
        "{}",
        stderr(&output)
    );
    // Without a terminal the question goes unanswered: the login fails, saying why.
    let output = ferry.run(&["--known-hosts", known, "ls", "pw"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("no password given"), "{}", stderr(&output));
    if support::password_logins_available() {
        let output = ferry.run_with(&["--known-hosts", known, "ls", "pw"], &[("FERRY_PASSWORD", TEST_PASSWORD)]);
        assert_ok(&output, &["ls pw with FERRY_PASSWORD"]);
    }
    assert_no_file_holds(config.path(), TEST_PASSWORD);
}

/// The window's way, through the worker: a password saved with `SaveBookmark` goes to the
/// keychain and `ConnectBookmark` logs in with it, asking nothing. The keychain is found through
/// the process environment, so this runs as a child process given the test bus.
#[test]
fn the_window_keeps_a_password_in_the_keychain_and_connects_with_it() {
    support::require_password_logins();
    let keychain = SecretService::start();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &support::exact_test_name(module_path!(), "worker_with_the_test_keychain"),
            "--ignored",
            "--nocapture",
        ])
        .env("DBUS_SESSION_BUS_ADDRESS", &keychain.address)
        .env("FERRY_TEST_KEYCHAIN_CHILD", "1")
        .output()
        .unwrap();
    let printed = format!("{}{}", stdout(&output), stderr(&output));
    assert!(output.status.success() && printed.contains("1 passed"), "{printed}");
}

#[test]
#[ignore = "run by the_window_keeps_a_password_in_the_keychain_and_connects_with_it, on its test bus"]
fn worker_with_the_test_keychain() {
    use ferry::bookmarks::{Bookmark, BookmarkId, LoginMethod};
    use ferry::worker::Event;
    assert!(std::env::var_os("FERRY_TEST_KEYCHAIN_CHILD").is_some(), "run only by its parent test");
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let mut driver = driver::Driver::with_user_known_hosts(Some(known_hosts_for(&sshd, dir.path())));
    let next_bookmarks = |driver: &driver::Driver| loop {
        match driver.handle.recv_timeout(Duration::from_secs(60)) {
            Some(Event::Bookmarks(ferry::worker::BookmarkEvent::List {
                bookmarks,
                keychain_available,
                problem,
                ..
            })) => {
                break (bookmarks, keychain_available, problem);
            }
            Some(_) => {}
            None => panic!("no Bookmarks event"),
        }
    };
    let site = Bookmark {
        id: BookmarkId(format!("window-{}", std::process::id())),
        name: "Window site".into(),
        folder: Vec::new(),
        protocol: ferry::model::Protocol::Sftp,
        host: "127.0.0.1".into(),
        port: sshd.port(),
        user: TEST_USER.into(),
        login: LoginMethod::Password,
        key_file: None,
        ftp_mode: ferry::model::FtpMode::Passive,
        remote_dir: None,
        local_dir: None,
        comment: String::new(),
        uploads_in_place: false,
        connect_through: None,
        proxy: None,
        keep: Default::default(),
        limit_down: None,
        limit_up: None,
        name_charset: Default::default(),
        server_time_zone: Default::default(),
    };
    driver.handle.send(ferry::worker::Command::Bookmarks(ferry::worker::BookmarkCommand::Save {
        bookmark: Box::new(site.clone()),
        password: Some(TEST_PASSWORD.to_string().into()),
    }));
    let (bookmarks, keychain_available, problem) = next_bookmarks(&driver);
    assert!(keychain_available, "the test keychain was not found");
    assert!(problem.is_none(), "{problem:?}");
    assert_eq!(bookmarks, vec![site.clone()]);

    let answer = driver
        .request(|request| {
            ferry::worker::Command::Session(ferry::worker::SessionCommand::ConnectBookmark {
                request,
                id: site.id.clone(),
            })
        })
        .expect("connected with the password from the keychain");
    assert!(matches!(answer, Event::Session(ferry::worker::SessionEvent::Connected { .. })), "{answer:?}");
    assert!(driver.questions.is_empty(), "asked {:?}", driver.questions);

    driver
        .handle
        .send(ferry::worker::Command::Bookmarks(ferry::worker::BookmarkCommand::Remove { id: site.id.clone() }));
    assert!(next_bookmarks(&driver).0.is_empty());
    assert_no_file_holds(driver.config_dir(), TEST_PASSWORD);
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
