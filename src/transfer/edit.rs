//! Pure logic of editing a remote file in an external editor: where the private copy lives, how
//! its name is made safe, when the remote file counts as changed by someone else (a conflict),
//! when the local copy counts as saved, the states of one edit, and the editor's argument list.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::error::{ErrorKind, FerryError};
use crate::model::Entry;

/// The state of one open edit, as the edit list and the command line show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditState {
    /// The editor is open; each save is uploaded.
    Watching,
    /// A save is being uploaded (a save meanwhile is uploaded after it).
    Uploading,
    /// The remote file changed since it was opened: waiting for the user's choice.
    Conflict,
    /// The last upload failed, or a conflict was refused; the next save tries again.
    Failed,
}

impl EditState {
    /// The word the edit list shows.
    pub fn label(self) -> &'static str {
        match self {
            EditState::Watching => "watching",
            EditState::Uploading => "uploading",
            EditState::Conflict => "conflict",
            EditState::Failed => "failed",
        }
    }
}

/// What to do when a save would overwrite a remote file someone else changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictChoice {
    /// Replace their version with this one.
    Overwrite,
    /// Upload this version beside theirs under a new name (see [`conflict_copy_name`]), and go on
    /// editing that one.
    SaveAsNew,
    /// Throw this save away: download theirs over the local copy (the editor reloads it).
    ReloadTheirs,
    /// Download theirs beside the copy (see [`theirs_name`]) and open both in the diff tool, or
    /// theirs in the editor; then ask again: the conflict stays open until another choice.
    Compare,
    /// Do nothing to the server; the edit reports the conflict (the command line's `--batch`).
    Refuse,
}

/// The remote file's size, modification time and content hash when it was last downloaded or
/// uploaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RemoteStamp {
    pub size: Option<u64>,
    pub modified: Option<DateTime<Utc>>,
    /// The SHA-256 of the bytes: known for the version Ferry moved (it hashed them), and for the
    /// server's current one only where the server computes hashes.
    pub sha256: Option<[u8; 32]>,
}

impl RemoteStamp {
    /// The stamp of a listed or stat'ed entry.
    pub fn of(entry: &Entry) -> Self {
        RemoteStamp { size: entry.size, modified: entry.modified, sha256: None }
    }

    /// The same stamp with the server's hash (lowercase hex, as `ferry sum` gets it); a reply
    /// that is no SHA-256 leaves the stamp without one.
    pub fn with_server_hash(mut self, hex_sum: Option<&str>) -> Self {
        self.sha256 = hex_sum.and_then(|sum| hex::decode(sum.trim()).ok()).and_then(|bytes| bytes.try_into().ok());
        self
    }

    /// Whether the file now on the server (`now`) is not the one this stamp recorded. Where both
    /// hashes are known they decide alone: a file rewritten with the same size within the same
    /// second is a change, a file only touched is not. Otherwise only what both sides know is
    /// compared: a server that gives no date is judged by the size alone.
    pub fn changed_in(&self, now: &RemoteStamp) -> bool {
        fn differ<T: PartialEq>(a: Option<T>, b: Option<T>) -> bool {
            matches!((a, b), (Some(a), Some(b)) if a != b)
        }
        if let (Some(then), Some(now)) = (self.sha256, now.sha256) {
            return then != now;
        }
        differ(self.size, now.size) || differ(self.modified, now.modified)
    }
}

/// The local copy's content as last synced with the server: a save is a change of content, so a
/// `touch` or an editor that rewrites the same bytes uploads nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalStamp([u8; 32]);

impl LocalStamp {
    /// The stamp of the bytes now in `path`.
    pub fn read(path: &Path) -> std::io::Result<Self> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(LocalStamp(hasher.finalize().into()))
    }

    /// The SHA-256 itself.
    pub fn sha256(&self) -> [u8; 32] {
        self.0
    }
}

/// The name the server's version is downloaded under for "Compare": `notes.theirs.txt` beside
/// `notes.txt` (the extension kept, so the diff tool or editor highlights it alike).
pub fn theirs_name(private_name: &str) -> String {
    match private_name.rfind('.') {
        Some(at) if at > 0 => format!("{}.theirs{}", &private_name[..at], &private_name[at..]),
        _ => format!("{private_name}.theirs"),
    }
}

/// What an edit writes beside its private copy, so that a copy left by a crash can be judged at
/// the next start: which file it is, and the bytes the server had when they last agreed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EditRecord {
    /// The site and path, as the log names them (never with a password).
    pub remote: String,
    /// The SHA-256 (hex) of the copy as last downloaded or uploaded.
    pub synced_sha256: String,
}

/// What to do with a private folder that no running edit holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leftover {
    /// Nothing in it that the server lacks: removed.
    Remove,
    /// Its copy differs from what the server last had, or cannot be judged: kept, and listed in
    /// the log with its path.
    KeepAndList,
    /// Being made just now (no record and no copy yet): left alone.
    LeaveAlone,
}

/// The verdict on a private folder no edit holds: `record` as read (None: none or unreadable),
/// `copy` the stamp of the copy (None: there is no copy), `young` whether the folder was made
/// moments ago.
pub fn leftover_verdict(record: Option<&EditRecord>, copy: Option<LocalStamp>, young: bool) -> Leftover {
    match (record, copy) {
        (Some(record), Some(copy)) if hex::encode(copy.0) == record.synced_sha256 => Leftover::Remove,
        (Some(_), None) => Leftover::Remove,
        (None, None) if young => Leftover::LeaveAlone,
        (None, None) => Leftover::Remove,
        (Some(_) | None, Some(_)) => Leftover::KeepAndList,
    }
}

/// The private folder of one remote file: `root/<host>-<hash>`, the hash taken over the site and
/// the full remote path, so two sites or two folders with a file of the same name never share a
/// copy, and nothing a server names can reach outside `root`.
pub fn private_folder(root: &Path, site_url: &str, remote: &str) -> PathBuf {
    let mut hasher = Sha256::new();
    hasher.update(site_url.as_bytes());
    hasher.update([0]);
    hasher.update(remote.as_bytes());
    let hash = hex::encode(&hasher.finalize()[..8]);
    let host: String = site_url
        .split("://")
        .nth(1)
        .unwrap_or(site_url)
        .chars()
        .take(40)
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect();
    root.join(format!("{host}-{hash}"))
}

/// The private copy's file name: the remote file's own name where it is a plain one, with any
/// separator, control character or leading dot made harmless, so that the editor shows a name
/// the user knows and the copy stays inside its folder whatever the server calls the file.
pub fn private_name(remote: &str) -> String {
    let last = remote.rsplit('/').next().unwrap_or_default();
    let cleaned: String = last.chars().map(|c| if c.is_control() || c == '\\' || c == '/' { '_' } else { c }).collect();
    let trimmed = cleaned.trim_start_matches('.');
    if trimmed.is_empty() { "file".to_string() } else { trimmed.chars().take(200).collect() }
}

/// The name a conflicting save is uploaded under with "save as a new name": `notes (edited
/// 20261207-231500).txt`, beside the original.
pub fn conflict_copy_name(remote: &str, now: DateTime<Utc>) -> String {
    let (folder, name) = match remote.rfind('/') {
        Some(at) => (&remote[..=at], &remote[at + 1..]),
        None => ("", remote),
    };
    let stamp = now.format("%Y%m%d-%H%M%S");
    let (stem, extension) = match name.rfind('.') {
        Some(at) if at > 0 => (&name[..at], &name[at..]),
        _ => (name, ""),
    };
    format!("{folder}{stem} (edited {stamp}){extension}")
}

/// The editor to start for `file_name`: the one set for its extension, else the global one, else
/// (on the command line) `$VISUAL` then `$EDITOR`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct EditorChoice {
    /// The editor for every file, as a command line (`code --wait`).
    pub global: Option<String>,
    /// Editors by extension, lower case without the dot (`md` → `typora`).
    pub by_extension: Vec<(String, String)>,
    /// The diff tool "Compare" opens on an edit's conflict, given the user's copy then the
    /// server's (`meld`, `code --diff --wait`); none: the server's version opens in the editor.
    pub diff_tool: Option<String>,
}

impl EditorChoice {
    /// The command line set for `file_name`, if any.
    pub fn for_file(&self, file_name: &str) -> Option<&str> {
        let extension = file_name.rsplit_once('.').map(|(_, ext)| ext.to_lowercase());
        extension
            .and_then(|ext| self.by_extension.iter().find(|(e, _)| e.trim_start_matches('.').to_lowercase() == ext))
            .map(|(_, command)| command.as_str())
            .or(self.global.as_deref())
            .filter(|command| !command.trim().is_empty())
    }
}

/// The argument list that opens `file` with `command` (a command line such as `code --wait` or
/// `'/opt/My Editor/edit' -n`): split as a shell would split words, but run without a shell, so
/// quotes group words and nothing in the command or the file name is ever interpreted. The file
/// is the last argument, whole.
pub fn editor_argv(command: &str, file: &Path) -> Result<Vec<std::ffi::OsString>, FerryError> {
    command_argv(command, &[file])
}

/// The argument list that opens `files` with `command` (an editor with one file, a diff tool
/// with the user's copy then the server's), as [`editor_argv`] says: no shell, each file whole.
pub fn command_argv(command: &str, files: &[&Path]) -> Result<Vec<std::ffi::OsString>, FerryError> {
    let words = shlex::split(command).filter(|words| !words.is_empty()).ok_or_else(|| {
        FerryError::new(
            ErrorKind::Unsupported,
            format!("the editor command {command:?} is not a command line Ferry can split (an unclosed quote?)"),
        )
    })?;
    let mut argv: Vec<std::ffi::OsString> = words.into_iter().map(Into::into).collect();
    argv.extend(files.iter().map(|file| file.as_os_str().to_owned()));
    Ok(argv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn stamp(size: Option<u64>, secs: Option<i64>) -> RemoteStamp {
        RemoteStamp { size, modified: secs.map(|s| Utc.timestamp_opt(s, 0).unwrap()), sha256: None }
    }

    #[test]
    fn where_both_hashes_are_known_they_decide_alone() {
        let opened = stamp(Some(4), Some(1000)).with_server_hash(Some(&"aa".repeat(32)));
        let rewritten_same_size_same_second = stamp(Some(4), Some(1000)).with_server_hash(Some(&"bb".repeat(32)));
        let touched_only = stamp(Some(4), Some(2000)).with_server_hash(Some(&"AA".repeat(32)));
        assert!(opened.changed_in(&rewritten_same_size_same_second));
        assert!(!opened.changed_in(&touched_only));
        // A reply that is no hash is no hash: size and date decide.
        let junk = stamp(Some(4), Some(2000)).with_server_hash(Some("not a sum"));
        assert_eq!(junk.sha256, None);
        assert!(opened.changed_in(&junk));
    }

    #[test]
    fn a_leftover_is_removed_only_when_the_server_has_its_bytes() {
        let folder = tempfile::tempdir().unwrap();
        let file = folder.path().join("a.txt");
        std::fs::write(&file, b"synced").unwrap();
        let copy = LocalStamp::read(&file).unwrap();
        let record = EditRecord { remote: "sftp://h/a.txt".into(), synced_sha256: hex::encode(copy.sha256()) };
        assert_eq!(leftover_verdict(Some(&record), Some(copy), false), Leftover::Remove);
        std::fs::write(&file, b"unsaved work").unwrap();
        let changed = LocalStamp::read(&file).unwrap();
        assert_eq!(leftover_verdict(Some(&record), Some(changed), false), Leftover::KeepAndList);
        assert_eq!(leftover_verdict(None, Some(changed), false), Leftover::KeepAndList);
        assert_eq!(leftover_verdict(Some(&record), None, false), Leftover::Remove);
        assert_eq!(leftover_verdict(None, None, true), Leftover::LeaveAlone);
    }

    #[test]
    fn theirs_keeps_the_extension() {
        assert_eq!(theirs_name("notes.txt"), "notes.theirs.txt");
        assert_eq!(theirs_name("README"), "README.theirs");
        assert_eq!(theirs_name("a.tar.gz"), "a.tar.theirs.gz");
    }

    #[test]
    fn a_remote_file_changed_when_its_size_or_date_differs() {
        let opened = stamp(Some(10), Some(1000));
        assert!(!opened.changed_in(&stamp(Some(10), Some(1000))));
        assert!(opened.changed_in(&stamp(Some(11), Some(1000))));
        assert!(opened.changed_in(&stamp(Some(10), Some(1060))));
        // A server that gives no date is judged by the size.
        assert!(!opened.changed_in(&stamp(Some(10), None)));
        assert!(stamp(Some(10), None).changed_in(&stamp(Some(12), None)));
    }

    #[test]
    fn crafted_names_keep_the_private_copy_inside_its_folder() {
        let root = Path::new("/private/edits");
        for remote in
            ["/srv/..", "/srv/../../etc/passwd", "..", "/", "", "/a/b\\..\\c", "/a/.bashrc", "/a/x\ny\u{1b}[2J"]
        {
            let folder = private_folder(root, "sftp://alice@example.org", remote);
            let file = folder.join(private_name(remote));
            assert_eq!(folder.parent(), Some(root), "{remote:?}");
            assert_eq!(file.parent(), Some(folder.as_path()), "{remote:?}");
            let name = private_name(remote);
            assert!(!name.is_empty() && name != "." && name != ".." && !name.starts_with('.'), "{remote:?}: {name:?}");
            assert!(!name.chars().any(|c| c.is_control() || c == '/' || c == '\\'), "{remote:?}: {name:?}");
        }
        assert_eq!(private_name("/www/my notes.txt"), "my notes.txt");
    }

    #[test]
    fn each_site_and_path_has_its_own_folder() {
        let root = Path::new("/e");
        let a = private_folder(root, "sftp://a@h", "/x/notes.txt");
        assert_ne!(a, private_folder(root, "sftp://a@h", "/y/notes.txt"));
        assert_ne!(a, private_folder(root, "ftp://a@h", "/x/notes.txt"));
        assert_eq!(a, private_folder(root, "sftp://a@h", "/x/notes.txt"));
    }

    #[test]
    fn a_conflict_copy_keeps_the_folder_and_the_extension() {
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 23, 15, 0).unwrap();
        assert_eq!(conflict_copy_name("/www/notes.txt", now), "/www/notes (edited 20261207-231500).txt");
        assert_eq!(conflict_copy_name("README", now), "README (edited 20261207-231500)");
        assert_eq!(conflict_copy_name("/a/.profile", now), "/a/.profile (edited 20261207-231500)");
    }

    #[test]
    fn the_editor_runs_without_a_shell_and_the_file_stays_one_argument() {
        let file = Path::new("/e/my notes; rm -rf ~.txt");
        let argv = editor_argv("'/opt/My Editor/edit' --wait", file).unwrap();
        assert_eq!(argv, vec!["/opt/My Editor/edit".into(), "--wait".into(), file.as_os_str().to_owned()]);
        let argv = editor_argv("vi $(touch x)", file).unwrap();
        assert_eq!(argv[1], std::ffi::OsString::from("$(touch"), "no substitution: a plain word");
        assert!(editor_argv("'unclosed", file).is_err());
        assert!(editor_argv("   ", file).is_err());
    }

    #[test]
    fn an_extension_editor_wins_over_the_global_one() {
        let choice = EditorChoice {
            global: Some("gedit".into()),
            by_extension: vec![("md".into(), "typora".into()), (".PY".into(), "code --wait".into())],
            diff_tool: None,
        };
        assert_eq!(choice.for_file("README.MD"), Some("typora"));
        assert_eq!(choice.for_file("x.py"), Some("code --wait"));
        assert_eq!(choice.for_file("notes.txt"), Some("gedit"));
        assert_eq!(EditorChoice::default().for_file("a.txt"), None);
    }
}
