//! Build script: records which security-relevant libraries this binary bundles, so that
//! `ferry --version`, the log and the release notes can name them. libssh2 comes vendored inside
//! the `libssh2-sys` crate and reports itself as a `_DEV` version that vulnerability scanners
//! cannot map to a commit; the crate's packaging record names the ssh2-rs commit whose submodule
//! pins the exact libssh2 tree, which can.

use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let lock = std::fs::read_to_string(manifest_dir.join("Cargo.lock")).unwrap_or_default();
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-env-changed=DEP_SSH2_INCLUDE");
    for (crate_name, variable) in [
        ("libssh2-sys", "FERRY_BUILD_LIBSSH2_SYS"),
        ("rustls", "FERRY_BUILD_RUSTLS"),
        ("ring", "FERRY_BUILD_RING"),
        ("openssl-sys", "FERRY_BUILD_OPENSSL_SYS"),
    ] {
        let version = locked_version(&lock, crate_name).unwrap_or_else(|| "unknown".to_string());
        println!("cargo:rustc-env={variable}={version}");
    }
    // libssh2-sys tells its direct dependents where the headers it built against are: a copy in
    // its own build folder when it built the bundled sources, a system folder when it linked a
    // system libssh2.
    let include = std::env::var_os("DEP_SSH2_INCLUDE").map(PathBuf::from);
    let bundled = include.is_some_and(|include| include.join("libssh2.h").exists() && include.ends_with("out/include"));
    let source = match locked_version(&lock, "libssh2-sys") {
        Some(version) if bundled => {
            ssh2_rs_commit(&version).unwrap_or_else(|| "an unrecorded ssh2-rs commit".to_string())
        }
        _ => "system".to_string(),
    };
    println!("cargo:rustc-env=FERRY_BUILD_LIBSSH2_SOURCE={source}");
}

/// The version of `name` in Cargo.lock (the first one, if several are locked).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
            return Some(version.to_string());
        }
    }
    None
}

/// "ssh2-rs commit SHA": the commit of the ssh2-rs repository that libssh2-sys `version` was
/// packaged from (its submodule pins the bundled libssh2 tree), read from the crate's packaging
/// record in Cargo's registry sources.
fn ssh2_rs_commit(version: &str) -> Option<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))?;
    let registries = std::fs::read_dir(cargo_home.join("registry").join("src")).ok()?;
    registries.flatten().find_map(|registry| {
        let record = registry.path().join(format!("libssh2-sys-{version}")).join(".cargo_vcs_info.json");
        let text = std::fs::read_to_string(&record).ok()?;
        println!("cargo:rerun-if-changed={}", record.display());
        let after_key = text.split("\"sha1\"").nth(1)?;
        let sha: String =
            after_key.chars().skip_while(|c| !c.is_ascii_hexdigit()).take_while(char::is_ascii_hexdigit).collect();
        (sha.len() == 40).then(|| format!("ssh2-rs commit {sha}"))
    })
}
