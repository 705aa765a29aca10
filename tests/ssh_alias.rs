//! OpenSSH config at connect time, in the window's paths: a host typed into the connect bar that
//! is a Host alias gets the alias's HostName, Port and User, and `ferry NAME:/path` opens the
//! window connected in that folder. (The command line's own resolution is tested in
//! tests/servers/cli_bookmarks.rs.)
//!
//! This file stays a test binary of its own: it sets `FERRY_SSH_CONFIG` for the whole process,
//! and that config's `Host *` would change the login of every other test running beside it.

mod driver;
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use ferry::app::{FerryApp, Startup};
use ferry::config::ConfigDir;
use ferry::model::{ConnectSpec, Protocol};
use ferry::worker::{Command, Event, SessionCommand, SessionEvent, WorkerOptions};
use support::{Sshd, TEST_USER};

/// Points the worker at an ssh config naming `alias` for the test sshd. Every test in this file
/// uses the same variable, so they set it to the same kind of file and run one at a time.
fn use_ssh_config(dir: &Path, alias: &str, sshd: &Sshd) {
    use_ssh_config_with(dir, alias, sshd, "");
}

/// As [`use_ssh_config`], with `extra` lines in the alias's section.
fn use_ssh_config_with(dir: &Path, alias: &str, sshd: &Sshd, extra: &str) {
    let config = dir.join("ssh_config");
    std::fs::write(
        &config,
        format!(
            "Host {alias}\n    HostName 127.0.0.1\n    Port {}\n    User {TEST_USER}\n    IdentityFile {}\n{extra}\nHost *\n    User nobody\n",
            sshd.port(),
            support::client_keys().ed25519.display()
        ),
    )
    .unwrap();
    // SAFETY: set before any worker of this test starts; the tests of this file hold LOCK.
    unsafe { std::env::set_var("FERRY_SSH_CONFIG", &config) };
}

static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_typed_host_that_is_an_ssh_alias_connects_as_ssh_would() {
    let _one_at_a_time = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("via-alias.txt"), b"x").unwrap();
    let dir = tempfile::tempdir().unwrap();
    use_ssh_config(dir.path(), "webbox", &sshd);

    let mut driver = driver::Driver::new();
    let session = driver
        .connect(ConnectSpec::new(Protocol::Sftp, "webbox"))
        .expect("the alias's HostName, Port, User and IdentityFile are used");
    let names: Vec<String> =
        driver.list(session, &sshd.data_dir().to_string_lossy()).unwrap().into_iter().map(|e| e.name).collect();
    assert!(names.contains(&"via-alias.txt".to_string()), "{names:?}");

    // NAME:/path through the worker: connected, and asked to start in that folder.
    let text = format!("webbox:{}", sshd.data_dir().display());
    match driver.request(|request| Command::Session(SessionCommand::ConnectTarget { request, text })) {
        Ok(Event::Session(SessionEvent::Connected { start, .. })) => {
            assert_eq!(start.as_deref(), Some(&*sshd.data_dir().to_string_lossy()))
        }
        other => panic!("expected Connected, got {other:?}"),
    }
}

#[test]
fn a_typed_alias_whose_route_cannot_be_taken_is_refused_not_connected_directly() {
    let _one_at_a_time = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    // A user name a shell would act on cannot go into the ProxyCommand: the route is refused.
    // The alias is the server's own address, so that going around the route would reach it.
    use_ssh_config_with(dir.path(), "127.0.0.1", &sshd, "    ProxyCommand ssh -W %h:%p -l %r gw\n");
    let connections = || sshd.log().matches("Connection from ").count();
    let before = connections();

    let mut driver = driver::Driver::new();
    let mut spec = ConnectSpec::new(Protocol::Sftp, "127.0.0.1");
    spec.port = sshd.port();
    spec.user = "x;reboot".into();
    let error = driver.connect(spec).expect_err("the route cannot be taken");

    assert!(error.context.contains("holds characters a shell would act on"), "{error}");
    assert_eq!(connections(), before, "connected straight to the server, around the ProxyCommand");
}

#[test]
fn ferry_name_colon_path_opens_the_window_in_that_folder() {
    let _one_at_a_time = LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let sshd = Sshd::start();
    std::fs::write(sshd.data_dir().join("opened-by-name.txt"), b"x").unwrap();
    let dir = tempfile::tempdir().unwrap();
    use_ssh_config(dir.path(), "filebox", &sshd);
    let config = tempfile::tempdir().unwrap();
    let options = WorkerOptions { user_known_hosts: None, ..WorkerOptions::new(ConfigDir::at(config.path())) };
    let target = format!("filebox:{}", sshd.data_dir().display());
    let local = config.path().to_string_lossy().into_owned();
    let mut harness = Harness::builder().with_size(egui::vec2(1400.0, 900.0)).build_eframe(move |creation| {
        let startup = Startup { worker: options, url: Some(target), local_folder: Some(local) };
        FerryApp::start(&creation.egui_ctx, startup).expect("worker starts")
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(button) = harness.query_by_label("Accept once") {
            button.hover();
            harness.run_steps(2);
            if let Some(button) = harness.query_by_label("Accept once") {
                button.click();
            }
        }
        if harness.query_all_by_label("Password").count() > 1 {
            panic!("asked for a password although none was needed");
        }
        if harness.query_all_by_label_contains("opened-by-name.txt").next().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "never listed: {:#?}", harness.root());
        std::thread::sleep(Duration::from_millis(20));
        harness.step();
    }
}
