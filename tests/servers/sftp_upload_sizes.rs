//! SFTP uploads of every size around the edges of the pipelined writer (`sftp_write.rs`): empty,
//! one byte, one chunk less one byte, one chunk, one more byte, past the bytes it keeps in flight,
//! and the ends of libssh2's 30,000-byte WRITE requests, to OpenSSH's sshd and to Dropbear (whose
//! small window makes libssh2 answer 0 part way through a request). Each arrives byte-identical
//! through the temporary file and its rename, and leaves no temporary file behind.

use crate::driver;
use crate::support;

use std::path::Path;
use std::process::{Command, Stdio};

use ferry::backend::CHUNK_SIZE;
use support::{Dropbear, Sshd, TEST_PASSWORD, TEST_USER};

const SIZES: &[usize] = &[
    0,
    1,
    CHUNK_SIZE - 1,
    CHUNK_SIZE,
    CHUNK_SIZE + 1,
    2 * CHUNK_SIZE,
    // Past the two chunks kept in flight, ending one byte into a WRITE request.
    3 * CHUNK_SIZE + 30_001,
    5 * CHUNK_SIZE - 1,
];

/// Puts a file of each size in `SIZES` (with `--verify`) over an older file of the same name,
/// then checks what the server holds.
fn every_size_arrives(port: u16, known_hosts_line: String, data: &Path, server: &str) {
    let config = tempfile::tempdir().unwrap();
    let known = config.path().join("known_hosts");
    std::fs::write(&known, known_hosts_line + "\n").unwrap();
    let local = tempfile::tempdir().unwrap();
    let url = format!("sftp://{TEST_USER}:{TEST_PASSWORD}@127.0.0.1:{port}{}/", data.display());
    for (index, &len) in SIZES.iter().enumerate() {
        let name = format!("{len}.bin");
        let source = local.path().join(&name);
        let bytes = driver::pattern(len, index as u8 + 1);
        std::fs::write(&source, &bytes).unwrap();
        // An older, longer file under the same name: the upload must replace it, not patch it.
        std::fs::write(data.join(&name), driver::pattern(len + 70_000, 200)).unwrap();
        Command::new("chown").arg(TEST_USER).arg(data.join(&name)).status().unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_ferry"))
            .arg("--config-dir")
            .arg(config.path())
            .arg("--known-hosts")
            .arg(&known)
            .args(["put", "--on-exists", "overwrite", "--verify", source.to_str().unwrap(), &url])
            .stdin(Stdio::null())
            .env_remove("FERRY_PASSWORD")
            .env_remove("SSH_AUTH_SOCK")
            .output()
            .unwrap();
        assert!(output.status.success(), "{server}, {len} bytes: {}", String::from_utf8_lossy(&output.stderr));
        let arrived = std::fs::read(data.join(&name)).unwrap();
        assert!(arrived == bytes, "{server}: {} bytes arrived for {len}", arrived.len());
    }
    let left: Vec<String> = std::fs::read_dir(data)
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.contains("ferry-part"))
        .collect();
    assert!(left.is_empty(), "{server}: temporary files left: {left:?}");
}

#[test]
fn uploads_around_the_chunk_edges_arrive_whole_at_sshd() {
    let sshd = Sshd::start();
    every_size_arrives(sshd.port(), sshd.known_hosts_line(), sshd.data_dir(), "sshd");
}

#[test]
fn uploads_around_the_chunk_edges_arrive_whole_at_dropbear() {
    let dropbear = Dropbear::start();
    every_size_arrives(dropbear.port(), dropbear.known_hosts_line(), dropbear.data_dir(), "Dropbear");
}
