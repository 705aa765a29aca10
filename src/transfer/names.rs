//! Refuses hostile file names, so no server can make Ferry write outside the folder a download goes to.
//!
//! A recursive download trusts nothing the server sends: scp (CVE-2019-6111, CVE-2018-20685), wget
//! (CVE-2014-4877) and lftp (CVE-2018-10916) all wrote outside the destination because a listing
//! held "..", "/etc/..." or a name with a separator in it. Every component is checked here, before
//! it ever touches a path.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, FerryError};
use crate::model::{escape_control, join_remote};

/// Why a name cannot be used as a single path component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UnsafeName {
    /// The name is empty: joining it would name the folder itself.
    #[error("the name is empty")]
    Empty,
    /// The name is ".": the folder itself.
    #[error("the name is \".\"")]
    Dot,
    /// The name is "..": the parent folder, outside the destination.
    #[error("the name is \"..\"")]
    DotDot,
    /// The name is an absolute path (starts with '/', or a drive letter on Windows).
    #[error("the name is an absolute path")]
    Absolute,
    /// The name holds a path separator, so it would reach into another folder.
    #[error("the name holds a path separator '{0}'")]
    Separator(char),
    /// The name holds a NUL character, which ends a name early in C APIs.
    #[error("the name holds a NUL character")]
    Nul,
    /// The name holds a carriage return or line feed, which can forge protocol commands and log lines.
    #[error("the name holds a line break")]
    LineBreak,
    /// Windows only: the name holds a control character (1 to 31), which Windows file names cannot hold.
    /// On Unix these are legal and only need showing escaped, so they are never refused there.
    #[error("the name holds a control character, which Windows does not allow")]
    Control,
    /// Windows only: a device name (CON, NUL, COM1...), a character Windows forbids (`<>:"|?*`,
    /// where ':' would also reach an alternate data stream), or a trailing dot or space, which
    /// Windows strips silently so the file would land under another name.
    #[error("the name is reserved or not allowed on Windows")]
    WindowsReserved,
}

impl UnsafeName {
    /// The error a transfer fails with when it meets `name`: the name is shown escaped, because
    /// it came from outside and may hold terminal escapes.
    pub fn to_error(self, name: &str) -> FerryError {
        FerryError::new(ErrorKind::Protocol, format!("refusing the name \"{}\": {self}", escape_control(name)))
    }
}

/// Checks that `name`, as sent by a server, is one harmless path component on this system.
///
/// Control characters other than NUL, CR and LF (ESC and the like) are accepted on Unix, where
/// they are legal in names; they are only ever shown escaped.
pub fn check_name(name: &str) -> Result<(), UnsafeName> {
    check_name_for(name, cfg!(windows))
}

/// `check_name` with the Windows rules chosen by the caller, so tests on any system cover both.
fn check_name_for(name: &str, windows: bool) -> Result<(), UnsafeName> {
    match name {
        "" => return Err(UnsafeName::Empty),
        "." => return Err(UnsafeName::Dot),
        ".." => return Err(UnsafeName::DotDot),
        _ => {}
    }
    // "C:x" is relative to the current folder of drive C: joining it replaces the destination.
    if name.starts_with('/') || (windows && has_drive_prefix(name)) {
        return Err(UnsafeName::Absolute);
    }
    for c in name.chars() {
        match c {
            // '\\' is legal in Unix names, but it is a separator on Windows and to many servers,
            // and a file called "..\\x" must not become a trap when the folder is copied there.
            '/' | '\\' => return Err(UnsafeName::Separator(c)),
            '\0' => return Err(UnsafeName::Nul),
            '\r' | '\n' => return Err(UnsafeName::LineBreak),
            _ if windows && u32::from(c) < 0x20 => return Err(UnsafeName::Control),
            '<' | '>' | ':' | '"' | '|' | '?' | '*' if windows => return Err(UnsafeName::WindowsReserved),
            _ => {}
        }
    }
    if windows && (name.ends_with('.') || name.ends_with(' ') || is_windows_device(name)) {
        return Err(UnsafeName::WindowsReserved);
    }
    Ok(())
}

/// Whether `name` starts with a drive letter and a colon ("C:", "d:file").
fn has_drive_prefix(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':'
}

/// Whether `name` is a Windows device name, which opens the device instead of a file even with
/// an extension ("nul.txt") or spaces before it ("CON .log").
fn is_windows_device(name: &str) -> bool {
    const PLAIN: [&str; 6] = ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"];
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ');
    if PLAIN.iter().any(|device| stem.eq_ignore_ascii_case(device)) {
        return true;
    }
    let Some(prefix) = stem.get(..3) else { return false };
    if !prefix.eq_ignore_ascii_case("COM") && !prefix.eq_ignore_ascii_case("LPT") {
        return false;
    }
    // Windows also treats the superscript digits as port numbers.
    let mut rest = stem[3..].chars();
    matches!((rest.next(), rest.next()), (Some('0'..='9' | '¹' | '²' | '³'), None))
}

/// The local path for a file found at `relative` (one name per folder level) below the remote
/// folder being downloaded into `destination`. Every component is checked, so the result always
/// lies inside `destination` lexically; an empty `relative` gives `destination` itself.
///
/// Lexical only: the caller must not follow symlinks it created inside the destination from
/// server data, or a link "a" -> "/etc" would still carry "a/passwd" outside.
pub fn local_target(destination: &Path, relative: &[&str]) -> Result<PathBuf, UnsafeName> {
    local_target_for(destination, relative, cfg!(windows))
}

/// `local_target` with the Windows rules chosen by the caller, for tests.
fn local_target_for(destination: &Path, relative: &[&str], windows: bool) -> Result<PathBuf, UnsafeName> {
    let mut path = destination.to_path_buf();
    for name in relative {
        check_name_for(name, windows)?;
        path.push(name);
    }
    Ok(path)
}

/// The part of `path` below `root`, when `path` lies inside `root` lexically: every component
/// after `root` is an ordinary name (no "..", ".", root or drive prefix). `None` otherwise.
///
/// The last check before a download writes: the planner already refused every hostile name, but a
/// queue restored from disk or a future caller must not be able to reach outside the root either.
pub fn below_root<'a>(root: &Path, path: &'a Path) -> Option<&'a Path> {
    let relative = path.strip_prefix(root).ok()?;
    relative.components().all(|component| matches!(component, Component::Normal(_))).then_some(relative)
}

/// The remote path for uploading a local file called `name` into the remote folder `dir`.
///
/// Local names are laxer than what a server can take safely: on Unix they may hold '\\' (kept: it
/// is an ordinary character to an SFTP server) or CR/LF (refused: in an FTP command they would end
/// the line and start another).
pub fn remote_join(dir: &str, name: &str) -> Result<String, UnsafeName> {
    match name {
        "" => return Err(UnsafeName::Empty),
        "." => return Err(UnsafeName::Dot),
        ".." => return Err(UnsafeName::DotDot),
        _ => {}
    }
    if name.starts_with('/') {
        return Err(UnsafeName::Absolute);
    }
    for c in name.chars() {
        match c {
            '/' => return Err(UnsafeName::Separator(c)),
            '\0' => return Err(UnsafeName::Nul),
            '\r' | '\n' => return Err(UnsafeName::LineBreak),
            _ => {}
        }
    }
    Ok(join_remote(dir, name))
}

/// The temporary name a transfer is written under, beside its target: hidden (a leading dot), and
/// stable per target, so a later attempt (a retry, a restart of Ferry) finds it again and resumes.
/// One helper for both directions: downloads and uploads follow the same rule.
pub fn part_name(name: &str) -> String {
    format!(".{name}.ferry-part")
}

/// The temporary name of a segmented transfer (a file moved in ranges over several connections).
/// Not the part name: its length says nothing about which bytes arrived (a later range may be
/// written before an earlier one), so an ordinary resume must never continue it.
pub fn segment_part_name(name: &str) -> String {
    format!(".{name}.ferry-segments")
}

/// Where the old copy of an upload's target waits, for a moment, while the new one is renamed in
/// its place (servers that refuse to rename over a file): hidden, beside it.
pub fn remote_aside_path(remote: &str) -> String {
    let dir = crate::model::parent_remote(remote);
    let name = format!(".{}.ferry-old", crate::model::file_name_remote(remote));
    if dir.is_empty() || dir == "." { name } else { join_remote(&dir, &name) }
}

/// The remote temporary path an upload to `remote` is written under (see [`part_name`]).
pub fn remote_part_path(remote: &str) -> String {
    let dir = crate::model::parent_remote(remote);
    let name = crate::model::file_name_remote(remote);
    if dir.is_empty() || dir == "." { part_name(name) } else { join_remote(&dir, &part_name(name)) }
}

/// The temporary path on the server of a segmented upload of `remote`.
pub fn remote_segment_part_path(remote: &str) -> String {
    let dir = crate::model::parent_remote(remote);
    let name = crate::model::file_name_remote(remote);
    let hidden = segment_part_name(name);
    if dir.is_empty() || dir == "." { hidden } else { join_remote(&dir, &hidden) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_are_hidden_beside_the_target() {
        assert_eq!(part_name("a.txt"), ".a.txt.ferry-part");
        assert_eq!(remote_part_path("/srv/a.txt"), "/srv/.a.txt.ferry-part");
        assert_eq!(remote_part_path("a.txt"), ".a.txt.ferry-part");
        assert_eq!(remote_part_path("/a.txt"), "/.a.txt.ferry-part");
        assert_eq!(remote_aside_path("/srv/a.txt"), "/srv/.a.txt.ferry-old");
        assert_eq!(remote_segment_part_path("/srv/a.txt"), "/srv/.a.txt.ferry-segments");
    }

    const GOOD: [&str; 9] = [
        "ünï cödé ✓.txt",
        "a..b",
        ".hidden",
        "...",
        "name with  spaces",
        "colour\x1b[31mred",
        "tab\there",
        "-rf",
        "日本語のファイル名",
    ];

    #[test]
    fn bad_names_are_refused_everywhere() {
        for windows in [false, true] {
            assert_eq!(check_name_for("", windows), Err(UnsafeName::Empty));
            assert_eq!(check_name_for(".", windows), Err(UnsafeName::Dot));
            assert_eq!(check_name_for("..", windows), Err(UnsafeName::DotDot));
            assert_eq!(check_name_for("/etc/passwd", windows), Err(UnsafeName::Absolute));
            assert_eq!(check_name_for("/", windows), Err(UnsafeName::Absolute));
            assert_eq!(check_name_for("../x", windows), Err(UnsafeName::Separator('/')));
            assert_eq!(check_name_for("a/b", windows), Err(UnsafeName::Separator('/')));
            assert_eq!(check_name_for("a/", windows), Err(UnsafeName::Separator('/')));
            assert_eq!(check_name_for("..\\x", windows), Err(UnsafeName::Separator('\\')));
            assert_eq!(check_name_for("\\x", windows), Err(UnsafeName::Separator('\\')));
            assert_eq!(check_name_for("a\0b", windows), Err(UnsafeName::Nul));
            assert_eq!(check_name_for("a\rb", windows), Err(UnsafeName::LineBreak));
            assert_eq!(check_name_for("a\nb", windows), Err(UnsafeName::LineBreak));
            assert_eq!(check_name_for("x\r\n", windows), Err(UnsafeName::LineBreak));
        }
        // The platform's own rules refuse them too.
        for bad in ["", ".", "..", "/x", "a/b", "a\\b", "a\0", "a\n"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn good_names_are_accepted_everywhere() {
        for name in GOOD {
            // Windows refuses control characters and trailing dots.
            let windows_ok = !name.contains(['\x1b', '\t']) && !name.ends_with('.');
            assert_eq!(check_name_for(name, false), Ok(()), "{name:?}");
            assert_eq!(check_name_for(name, true).is_ok(), windows_ok, "{name:?}");
            if !cfg!(windows) {
                assert_eq!(check_name(name), Ok(()), "{name:?}");
            }
        }
    }

    #[test]
    fn windows_rules_apply_only_on_windows() {
        let windows_only = [
            ("C:", UnsafeName::Absolute),
            ("c:evil", UnsafeName::Absolute),
            ("file.txt:stream", UnsafeName::WindowsReserved),
            ("what?", UnsafeName::WindowsReserved),
            ("a*b", UnsafeName::WindowsReserved),
            ("a<b>", UnsafeName::WindowsReserved),
            ("say \"hi\"", UnsafeName::WindowsReserved),
            ("pipe|d", UnsafeName::WindowsReserved),
            ("CON", UnsafeName::WindowsReserved),
            ("con", UnsafeName::WindowsReserved),
            ("nul.txt", UnsafeName::WindowsReserved),
            ("Aux.tar.gz", UnsafeName::WindowsReserved),
            ("PRN", UnsafeName::WindowsReserved),
            ("CON .log", UnsafeName::WindowsReserved),
            ("COM1", UnsafeName::WindowsReserved),
            ("com9.dat", UnsafeName::WindowsReserved),
            ("LPT1", UnsafeName::WindowsReserved),
            ("lpt9", UnsafeName::WindowsReserved),
            ("COM¹", UnsafeName::WindowsReserved),
            ("conin$", UnsafeName::WindowsReserved),
            ("trailing.", UnsafeName::WindowsReserved),
            ("trailing ", UnsafeName::WindowsReserved),
            (".. ", UnsafeName::WindowsReserved),
            ("bell\x07", UnsafeName::Control),
            ("esc\x1b[0m", UnsafeName::Control),
        ];
        for (name, why) in windows_only {
            assert_eq!(check_name_for(name, true), Err(why), "{name:?}");
            assert_eq!(check_name_for(name, false), Ok(()), "{name:?}");
        }
        // Near misses are ordinary names even on Windows.
        for name in ["CONSOLE", "COM10", "COMA", "LPT", "com", "nul_", "xcon", "my.con", "report.pdf"] {
            assert_eq!(check_name_for(name, true), Ok(()), "{name:?}");
        }
    }

    #[test]
    fn messages_are_plain_words() {
        assert_eq!(UnsafeName::Empty.to_string(), "the name is empty");
        assert_eq!(UnsafeName::DotDot.to_string(), "the name is \"..\"");
        assert_eq!(UnsafeName::Separator('/').to_string(), "the name holds a path separator '/'");
        assert_eq!(UnsafeName::Separator('\\').to_string(), "the name holds a path separator '\\'");
        let error = UnsafeName::LineBreak.to_error("evil\r\nDELE x");
        assert_eq!(error.kind, ErrorKind::Protocol);
        assert!(!error.context.contains('\r') && !error.context.contains('\n'), "{}", error.context);
    }

    #[test]
    fn serde_round_trip() {
        for why in [UnsafeName::DotDot, UnsafeName::Separator('\\'), UnsafeName::WindowsReserved] {
            let text = serde_json::to_string(&why).unwrap();
            assert_eq!(serde_json::from_str::<UnsafeName>(&text).unwrap(), why);
        }
    }

    #[test]
    fn local_targets_stay_inside_the_destination() {
        let destination = Path::new("downloads").join("site");
        assert_eq!(local_target(&destination, &[]).unwrap(), destination);
        assert_eq!(local_target(&destination, &["a", "b.txt"]).unwrap(), destination.join("a").join("b.txt"));
        assert_eq!(local_target(&destination, &["a", "..", "b"]), Err(UnsafeName::DotDot));
        assert_eq!(local_target(&destination, &["/etc", "passwd"]), Err(UnsafeName::Absolute));
        assert_eq!(local_target(&destination, &["ok", "../../x"]), Err(UnsafeName::Separator('/')));
        assert_eq!(local_target_for(&destination, &["C:", "x"], true), Err(UnsafeName::Absolute));
    }

    #[test]
    fn below_root_accepts_only_ordinary_names_under_the_root() {
        let root = Path::new("home").join("me").join("Downloads");
        assert_eq!(below_root(&root, &root.join("a").join("b.txt")), Some(Path::new("a/b.txt")));
        assert_eq!(below_root(&root, &root), Some(Path::new("")));
        assert_eq!(below_root(Path::new(""), Path::new("out.txt")), Some(Path::new("out.txt")));
        assert_eq!(below_root(&root, &root.join("notes/../../X")), None);
        assert_eq!(below_root(&root, &root.join("..")), None);
        assert_eq!(below_root(&root, Path::new("home/me/.bash_aliases")), None);
        assert_eq!(below_root(&root, Path::new("/etc/passwd")), None);
    }

    /// A tiny deterministic generator (xorshift64*), so the property test needs no extra crate.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
        }
    }

    #[test]
    fn generated_names_never_escape() {
        const PIECES: [&str; 20] = [
            "a", "b", ".", "..", "/", "\\", ":", "C", "c:", "\0", "\r", "\n", "\x1b", " ", "ü", "✓", "CON", "~", "$",
            "",
        ];
        let destination = Path::new("home").join("me").join("Downloads");
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        for _ in 0..20_000 {
            let names: Vec<String> = (0..1 + rng.below(4))
                .map(|_| (0..rng.below(6)).map(|_| PIECES[rng.below(PIECES.len())]).collect())
                .collect();
            let relative: Vec<&str> = names.iter().map(String::as_str).collect();
            for windows in [false, true] {
                let Ok(path) = local_target_for(&destination, &relative, windows) else { continue };
                accepted += 1;
                assert!(path.starts_with(&destination), "{relative:?} -> {path:?}");
                assert!(!path.components().any(|c| c == Component::ParentDir), "{relative:?} -> {path:?}");
                // Each name became exactly one ordinary component, itself.
                let below: Vec<Component> = path.strip_prefix(&destination).unwrap().components().collect();
                assert_eq!(below.len(), relative.len(), "{relative:?} -> {path:?}");
                for (component, name) in below.iter().zip(&relative) {
                    assert_eq!(*component, Component::Normal(name.as_ref()), "{relative:?} -> {path:?}");
                }
            }
        }
        // Make sure the generator reached the accepting side often enough to mean something.
        assert!(accepted > 1_000, "only {accepted} accepted");
    }

    #[test]
    fn remote_join_refuses_what_cannot_be_sent() {
        assert_eq!(remote_join("/srv", "a.txt").unwrap(), "/srv/a.txt");
        assert_eq!(remote_join("/", "a.txt").unwrap(), "/a.txt");
        assert_eq!(remote_join("/srv", "back\\slash").unwrap(), "/srv/back\\slash");
        assert_eq!(remote_join("/srv", "ünï cödé ✓.txt").unwrap(), "/srv/ünï cödé ✓.txt");
        assert_eq!(remote_join("/srv", "esc\x1b").unwrap(), "/srv/esc\x1b");
        assert_eq!(remote_join("/srv", "CON").unwrap(), "/srv/CON");
        assert_eq!(remote_join("/srv", ""), Err(UnsafeName::Empty));
        assert_eq!(remote_join("/srv", "."), Err(UnsafeName::Dot));
        assert_eq!(remote_join("/srv", ".."), Err(UnsafeName::DotDot));
        assert_eq!(remote_join("/srv", "/etc"), Err(UnsafeName::Absolute));
        assert_eq!(remote_join("/srv", "a/b"), Err(UnsafeName::Separator('/')));
        assert_eq!(remote_join("/srv", "a\0"), Err(UnsafeName::Nul));
        assert_eq!(remote_join("/srv", "a\r\nDELE b"), Err(UnsafeName::LineBreak));
        assert_eq!(remote_join("/srv", "a\n"), Err(UnsafeName::LineBreak));
    }
}
