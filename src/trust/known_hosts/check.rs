//! The verdict on a server's host key: revoked in any known_hosts file, on record for this host,
//! changed (the host has keys on record and this is none of them), or unknown.

use std::path::{Path, PathBuf};

use super::parse::{Marker, parse_line};
use super::pattern::{HostMatch, hosts_field_matches};
use super::{HostKey, known_hosts_host};

/// A key recorded for a host, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedKey {
    pub key: HostKey,
    pub file: PathBuf,
    /// 1-based.
    pub line_number: usize,
}

/// What the known_hosts files say about a presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A line for this host holds this very key, and no file revokes it.
    Known,
    /// No line names this host.
    Unknown,
    /// The host has keys on record, of any type, and this is none of them: refuse.
    Changed {
        /// Every key on record for the host.
        on_record: Vec<RecordedKey>,
    },
    /// A `@revoked` line names this key: refuse.
    Revoked { file: PathBuf, line_number: usize },
}

/// Checks `key` for `host`:`port` against every file. Revocations in any file come first, then
/// the host's keys across all files. Missing files count as empty; damaged lines are skipped.
pub fn check(files: &[PathBuf], host: &str, port: u16, key: &HostKey) -> Verdict {
    let Some(blob) = key.blob() else { return Verdict::Unknown };
    let texts: Vec<(&PathBuf, String)> = files.iter().filter_map(|file| Some((file, read(file)?))).collect();
    // A revoked key is refused whichever host its line names: OpenSSH's words are "must not
    // ever be accepted", and a revocation is no place to guess at patterns.
    for (file, text) in &texts {
        for (index, line) in text.lines().enumerate() {
            if parse_line(line).is_some_and(|entry| entry.marker == Marker::Revoked && entry.blob == blob) {
                return Verdict::Revoked { file: (*file).clone(), line_number: index + 1 };
            }
        }
    }
    let on_record = recorded_keys(&texts, host, port);
    if on_record.iter().any(|recorded| recorded.key == *key) {
        Verdict::Known
    } else if on_record.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::Changed { on_record }
    }
}

/// The key types recorded for `host`:`port`, so the handshake can ask for a key we can check
/// (as OpenSSH does) instead of one we have never seen.
pub fn known_key_types(files: &[PathBuf], host: &str, port: u16) -> Vec<String> {
    let texts: Vec<(&PathBuf, String)> = files.iter().filter_map(|file| Some((file, read(file)?))).collect();
    let mut types: Vec<String> = Vec::new();
    for recorded in recorded_keys(&texts, host, port) {
        if !types.contains(&recorded.key.key_type) {
            types.push(recorded.key.key_type);
        }
    }
    types
}

/// The 1-based numbers of the lines of `text` that name `host`:`port`, markers included, as
/// `ssh-keygen -F` lists them.
pub fn lines_naming_host(text: &str, host: &str, port: u16) -> Vec<usize> {
    let lookup = known_hosts_host(host, port);
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            parse_line(line).is_some_and(|entry| hosts_field_matches(entry.hosts, &lookup) == HostMatch::Yes)
        })
        .map(|(index, _)| index + 1)
        .collect()
}

/// Every plain host key line naming the host (not CA lines, not revocations).
fn recorded_keys(texts: &[(&PathBuf, String)], host: &str, port: u16) -> Vec<RecordedKey> {
    let lookup = known_hosts_host(host, port);
    let mut on_record = Vec::new();
    for (file, text) in texts {
        for (index, line) in text.lines().enumerate() {
            let Some(entry) = parse_line(line) else { continue };
            if entry.marker == Marker::None && hosts_field_matches(entry.hosts, &lookup) == HostMatch::Yes {
                on_record.push(RecordedKey {
                    key: HostKey::from_blob(&entry.blob),
                    file: (*file).clone(),
                    line_number: index + 1,
                });
            }
        }
    }
    on_record
}

/// A known_hosts file's text. A byte that is not UTF-8 must not hide the rest of the file (a
/// revocation may follow it), so it is read lossily; a missing file is empty.
fn read(file: &Path) -> Option<String> {
    match std::fs::read(file) {
        Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
        Err(error) => {
            if error.kind() != std::io::ErrorKind::NotFound {
                tracing::warn!(target: "ferry::ssh", "cannot read {}: {error}", file.display());
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    //! The matcher, line by line, against what `ssh-keygen -F` answers for the same file.

    use std::process::Command;

    use super::*;

    /// A real public key, "type base64", made by ssh-keygen in `dir`.
    fn new_key(dir: &Path, name: &str, key_type: &str) -> String {
        let path = dir.join(name);
        let made = Command::new("ssh-keygen")
            .args(["-q", "-t", key_type, "-N", "", "-C", "", "-f"])
            .arg(&path)
            .status()
            .expect("ssh-keygen runs");
        assert!(made.success());
        let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
        public.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
    }

    /// The lines `ssh-keygen -F lookup -f file` reports.
    fn openssh_lines(file: &Path, lookup: &str) -> Vec<usize> {
        let output = Command::new("ssh-keygen").arg("-F").arg(lookup).arg("-f").arg(file).output().unwrap();
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| {
                line.strip_prefix("# Host ")?.split_once(" found: line ")?.1.split(' ').next()?.parse().ok()
            })
            .collect()
    }

    const LOOKUPS: &[(&str, u16)] = &[
        ("host.example", 22),
        ("HOST.Example", 22),
        ("host.example", 2222),
        ("mixed.example", 22),
        ("a.wild.example", 22),
        ("bad.wild.example", 22),
        ("host2", 22),
        ("host22", 22),
        ("127.0.0.1", 22),
        ("127.0.0.1", 2222),
        ("127.0.0.1", 2223),
        ("localhost", 2222),
        ("LOCALHOST", 2222),
        ("::1", 22),
        ("::1", 2222),
        ("x.ca.example", 22),
        ("marker.example", 22),
        ("port.example", 8022),
        ("nothing", 22),
    ];

    /// Lines naming hosts without wildcards: the ones `ssh-keygen -H` can hash.
    fn plain_names(key: &str) -> Vec<String> {
        vec![
            "# comment".to_string(),
            String::new(),
            format!("host.example {key}"),
            format!("Mixed.Example,other.example {key}"),
            format!("[127.0.0.1]:2222 {key}"),
            format!("127.0.0.1 {key}"),
            format!("[localhost]:2222 {key}"),
            format!("::1 {key}"),
            format!("[::1]:2222 {key}"),
            format!("  \tindented.example {key}"),
        ]
    }

    /// Wildcards, negations, markers and damaged lines.
    fn patterns_and_markers(key: &str) -> Vec<String> {
        vec![
            format!("*.wild.example,!bad.wild.example {key}"),
            format!("h?st2 {key}"),
            format!("[127.0.0.1]:* {key}"),
            format!("[*.example]:8022 {key}"),
            format!("!nothing,*.example {key}"),
            format!("@revoked port.example {key}"),
            format!("@cert-authority *.ca.example {key}"),
            format!("@bogus marker.example {key}"),
            format!("broken.example {}", key.replace(' ', " !")),
        ]
    }

    fn sample_file(key: &str) -> String {
        [plain_names(key), patterns_and_markers(key)].concat().join("\n") + "\n"
    }

    fn assert_same_as_openssh(file: &Path) {
        let text = std::fs::read_to_string(file).unwrap();
        for &(host, port) in LOOKUPS {
            // ssh lower-cases the host before it looks it up; ssh-keygen -F does so only for
            // plain patterns, not for hashed entries, so it is given the lower-cased form.
            let lookup = known_hosts_host(host, port);
            assert_eq!(lines_naming_host(&text, host, port), openssh_lines(file, &lookup), "{lookup} in:\n{text}");
        }
    }

    #[test]
    fn plain_patterns_match_as_ssh_keygen_finds_them() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("known_hosts");
        std::fs::write(&file, sample_file(&new_key(dir.path(), "k", "ed25519"))).unwrap();
        assert_same_as_openssh(&file);
    }

    #[test]
    fn hashed_entries_match_as_ssh_keygen_finds_them() {
        let dir = tempfile::tempdir().unwrap();
        let key = new_key(dir.path(), "k", "ed25519");
        let file = dir.path().join("known_hosts");
        // ssh-keygen -H hashes only a file it fully understands; the rest is added afterwards.
        std::fs::write(&file, plain_names(&key).join("\n") + "\n").unwrap();
        let hashed = Command::new("ssh-keygen").arg("-H").arg("-f").arg(&file).output().unwrap();
        assert!(hashed.status.success(), "{}", String::from_utf8_lossy(&hashed.stderr));
        let text = std::fs::read_to_string(&file).unwrap() + &patterns_and_markers(&key).join("\n") + "\n";
        assert!(text.lines().filter(|line| line.starts_with("|1|")).count() >= 8, "{text}");
        std::fs::write(&file, text).unwrap();
        assert_same_as_openssh(&file);
    }

    fn host_key(public: &str) -> HostKey {
        use base64::Engine as _;
        let blob = public.split_whitespace().nth(1).unwrap();
        HostKey::from_blob(&base64::engine::general_purpose::STANDARD.decode(blob).unwrap())
    }

    #[test]
    fn verdicts_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let ed25519 = new_key(dir.path(), "a", "ed25519");
        let ecdsa = new_key(dir.path(), "b", "ecdsa");
        let other = new_key(dir.path(), "c", "ed25519");
        let (first, second) = (dir.path().join("first"), dir.path().join("second"));
        std::fs::write(&first, format!("[site.example]:2222 {ed25519}\n")).unwrap();
        std::fs::write(&second, format!("# none\n@revoked * {other}\n")).unwrap();
        let files = vec![first.clone(), second.clone(), dir.path().join("missing")];

        assert_eq!(check(&files, "site.example", 2222, &host_key(&ed25519)), Verdict::Known);
        assert_eq!(check(&files, "SITE.example", 2222, &host_key(&ed25519)), Verdict::Known);
        assert_eq!(check(&files, "site.example", 22, &host_key(&ed25519)), Verdict::Unknown);
        // Another type is still a changed key, and the one on record is named.
        match check(&files, "Site.Example", 2222, &host_key(&ecdsa)) {
            Verdict::Changed { on_record } => {
                assert_eq!(on_record.len(), 1);
                assert_eq!(on_record[0].key, host_key(&ed25519));
                assert_eq!((on_record[0].file.clone(), on_record[0].line_number), (first.clone(), 1));
            }
            other => panic!("expected Changed, got {other:?}"),
        }
        // A revocation in the second file beats a positive match in the first.
        std::fs::write(&first, format!("[site.example]:2222 {other}\n")).unwrap();
        assert_eq!(
            check(&files, "site.example", 2222, &host_key(&other)),
            Verdict::Revoked { file: second, line_number: 2 }
        );
        assert_eq!(known_key_types(&files, "site.example", 2222), vec!["ssh-ed25519".to_string()]);
    }
}
