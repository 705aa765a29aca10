//! The first run on a fresh machine: the default build needs no system OpenSSL (it bundles one for
//! libssh2; the Debian package links the system's instead, checked by tests/run.sh), and a window
//! started where there is no display says so in one plain sentence instead of a toolkit error.

use std::process::{Command, Stdio};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn without_a_display_the_window_says_what_to_do_and_exits_non_zero() {
    let config = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
        .arg("--config-dir")
        .arg(config.path())
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .stdin(Stdio::null())
        .output()
        .expect("run ferry");
    let stderr = text(&output.stderr);
    assert!(!output.status.success(), "exits non-zero: {stderr}");
    assert!(stderr.contains("no display to open the window on"), "{stderr}");
    assert!(stderr.contains("set DISPLAY") && stderr.contains("ferry ls, get, put"), "says what to do: {stderr}");
    assert!(!stderr.contains("winit") && !stderr.contains(".rs:"), "no toolkit internals: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one message: {stderr}");
}

#[test]
fn the_default_build_links_no_system_openssl() {
    let output = Command::new("ldd").arg(env!("CARGO_BIN_EXE_ferry")).output().expect("ldd runs");
    let libraries = text(&output.stdout);
    assert!(output.status.success(), "ldd: {}", text(&output.stderr));
    assert!(libraries.contains("libc.so"), "ldd lists the libraries: {libraries}");
    for system_openssl in ["libssl.so", "libcrypto.so"] {
        assert!(
            !libraries.contains(system_openssl),
            "the default build bundles OpenSSL, yet links {system_openssl}:\n{libraries}"
        );
    }
}

/// What `cargo tree` says depends on openssl-src (OpenSSL built from source) with `features`.
fn openssl_src_users(features: &[&str]) -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "--locked", "-e", "normal,build", "-i", "openssl-src"])
        .args(features)
        .output()
        .expect("cargo tree runs");
    text(&output.stdout)
}

#[test]
fn openssl_is_built_from_source_in_the_default_build_only() {
    let default = openssl_src_users(&[]);
    assert!(default.contains("openssl-sys") && default.contains("ferry"), "default build:\n{default}");
    let debian = openssl_src_users(&["--no-default-features"]);
    assert!(!debian.contains("openssl-src"), "the Debian build (no default features) links the system's:\n{debian}");
}
