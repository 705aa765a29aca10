//! The `ferry` command line against Dropbear, the SSH server of routers and NAS boxes, with
//! OpenSSH's sftp-server behind it and Dropbear's small receive window (24,576 bytes unless
//! `-W` says otherwise): uploads of every size, a tree in parallel, resume, verify, listing,
//! rename and delete, with password and key logins. `tests/servers/backends.rs` runs every backend
//! operation (permissions included) against it too.

use crate::driver;
use crate::support;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::{Dropbear, TEST_PASSWORD, TEST_USER, client_keys};

/// Runs `ferry` with `args`, no terminal, the config folder `config` and a known_hosts file
/// that knows `dropbear`.
fn ferry(dropbear: &Dropbear, config: &Path, args: &[&str]) -> Output {
    let known_hosts = config.join("known_hosts");
    std::fs::write(&known_hosts, dropbear.known_hosts_line() + "\n").expect("write known_hosts");
    Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config)
        .arg("--known-hosts")
        .arg(&known_hosts)
        .args(args)
        .stdin(Stdio::null())
        .env_remove("FERRY_PASSWORD")
        .env_remove("SSH_AUTH_SOCK")
        .output()
        .expect("run ferry")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_ok(output: &Output, dropbear: &Dropbear) {
    assert!(
        output.status.success(),
        "ferry failed: {}\n{}\n--- dropbear log ---\n{}",
        stderr(output),
        String::from_utf8_lossy(&output.stdout),
        dropbear.log()
    );
}

/// The URL of `path` (relative to the server's data folder), with the test password.
fn url(dropbear: &Dropbear, path: &str) -> String {
    format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{}{}/{path}", dropbear.port(), dropbear.data_dir().display())
}

/// Uploads a file of each of `sizes` with `--verify`, and checks each arrived whole.
fn uploads_arrive(dropbear: &Dropbear, sizes: &[usize]) {
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    for &len in sizes {
        let name = format!("{len}.bin");
        let name = name.as_str();
        let source = local.path().join(name);
        std::fs::write(&source, driver::pattern(len, len as u8)).unwrap();
        let output = ferry(dropbear, config.path(), &["put", "--verify", source.to_str().unwrap(), &url(dropbear, "")]);
        assert_ok(&output, dropbear);
        let arrived = std::fs::read(dropbear.data_dir().join(name)).unwrap();
        assert!(arrived == driver::pattern(len, len as u8), "{name}: {} bytes arrived of {len}", arrived.len());
    }
}

/// 40 KB is more than one window and more than one SFTP write (30,000 bytes): before the fix it
/// left an empty file and a hang.
#[test]
fn uploads_of_1_byte_40_kb_and_10_mib_arrive_through_the_default_window() {
    uploads_arrive(&Dropbear::start(), &[1, 40_000, 10 * 1024 * 1024]);
}

/// Dropbear's `-W` accepts windows down to one byte. libssh2 sends each SFTP request other than
/// a write in one piece and fails when the window is smaller than that request (a path of a
/// few dozen bytes), while OpenSSH's sftp splits it; 256 bytes is far below any server's
/// default and above any request here.
#[test]
fn uploads_arrive_through_a_256_byte_window() {
    uploads_arrive(&Dropbear::start_with_window(Some(256)), &[1, 40_000, 1024 * 1024]);
}

#[test]
fn a_tree_goes_up_and_comes_back_in_parallel_with_verify() {
    let dropbear = Dropbear::start();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let tree = local.path().join("tree");
    for index in 0..24usize {
        let dir = tree.join(format!("d{}", index % 4)).join(format!("sub{}", index % 2));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("f{index:02}.bin")), driver::pattern(1000 + index * 3000, index as u8))
            .unwrap();
    }
    let output = ferry(
        &dropbear,
        config.path(),
        &["put", "-r", "--parallel", "4", "--verify", tree.to_str().unwrap(), &url(&dropbear, "copy")],
    );
    assert_ok(&output, &dropbear);
    assert!(stderr(&output).contains("24 files") && stderr(&output).contains("0 failed"), "{}", stderr(&output));
    let arrived = dropbear.data_dir().join("copy/d3/sub1/f23.bin");
    assert_eq!(std::fs::read(arrived).unwrap(), driver::pattern(1000 + 23 * 3000, 23));

    let back = tempfile::tempdir().unwrap();
    let output = ferry(
        &dropbear,
        config.path(),
        &["get", "-r", "--parallel", "4", "--verify", &url(&dropbear, "copy"), back.path().to_str().unwrap()],
    );
    assert_ok(&output, &dropbear);
    assert!(stderr(&output).contains("verified"), "{}", stderr(&output));
    assert_eq!(std::fs::read(back.path().join("copy/d2/sub0/f02.bin")).unwrap(), driver::pattern(1000 + 2 * 3000, 2));
}

#[test]
fn an_upload_resumes_from_the_bytes_already_there() {
    let dropbear = Dropbear::start();
    let config = tempfile::tempdir().unwrap();
    let local = tempfile::tempdir().unwrap();
    let whole = driver::pattern(300_000, 9);
    let source = local.path().join("big.bin");
    std::fs::write(&source, &whole).unwrap();
    let remote = dropbear.data_dir().join("big.bin");
    std::fs::write(&remote, &whole[..100_000]).unwrap();
    std::process::Command::new("chown").arg(TEST_USER).arg(&remote).status().unwrap();

    let output = ferry(
        &dropbear,
        config.path(),
        &["put", "--on-exists", "resume", "--verify", source.to_str().unwrap(), &url(&dropbear, "")],
    );
    assert_ok(&output, &dropbear);
    assert!(std::fs::read(&remote).unwrap() == whole, "the resumed file is whole");
}

#[test]
fn list_get_rename_and_delete_with_a_key_login() {
    let dropbear = Dropbear::start();
    let config = tempfile::tempdir().unwrap();
    std::fs::write(dropbear.data_dir().join("remote.txt"), b"remote bytes").unwrap();
    let key = client_keys().ed25519.to_str().unwrap().to_owned();
    let base = format!("sftp://{TEST_USER}@127.0.0.1:{}{}", dropbear.port(), dropbear.data_dir().display());

    let output = ferry(&dropbear, config.path(), &["--identity", &key, "ls", "--json", &base]);
    assert_ok(&output, &dropbear);
    let rows: serde_json::Value = serde_json::from_slice(&output.stdout).expect("one JSON array");
    assert!(rows.as_array().unwrap().iter().any(|row| row["name"] == "remote.txt" && row["size"] == 12), "{rows}");

    let local = tempfile::tempdir().unwrap();
    let get = ["--identity", &key, "get", "--verify", &format!("{base}/remote.txt"), local.path().to_str().unwrap()];
    assert_ok(&ferry(&dropbear, config.path(), &get), &dropbear);
    assert_eq!(std::fs::read(local.path().join("remote.txt")).unwrap(), b"remote bytes");

    let mv = ["--identity", &key, "mv", &format!("{base}/remote.txt"), "moved.txt"];
    assert_ok(&ferry(&dropbear, config.path(), &mv), &dropbear);
    assert!(dropbear.data_dir().join("moved.txt").is_file() && !dropbear.data_dir().join("remote.txt").exists());
    let rm = ["--identity", &key, "rm", &format!("{base}/moved.txt")];
    assert_ok(&ferry(&dropbear, config.path(), &rm), &dropbear);
    assert!(!dropbear.data_dir().join("moved.txt").exists());
    assert!(dropbear.log().contains("Pubkey auth succeeded"), "logged in with the key: {}", dropbear.log());
}
