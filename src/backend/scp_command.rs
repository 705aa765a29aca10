//! The shell commands the SCP backend runs on a server without SFTP, and reading their answers:
//! every path quoted for a POSIX shell (a name can never run anything there), `ls -b` names
//! decoded back to their bytes, and the first answer, which says whether commands run at all.
//!
//! Pure text in, text out: nothing here touches a connection.

use chrono::{DateTime, Utc};

use crate::error::{ErrorKind, FerryError};

/// The line the probe prints first, which a server that runs no commands (a forced command,
/// `nologin`) never prints.
const PROBE_MARK: &str = "ferry-scp-probe";

/// What `ls` the server has: GNU's (which takes `--time-style=full-iso` and `-b`) or another
/// (BusyBox, the BSDs), read with the plainer flags every `ls` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LsFlavor {
    /// GNU coreutils: times to the second, names escaped (`-b`), one line per entry always.
    Gnu,
    /// Any other `ls`: times to the minute or the day, names as they are.
    Plain,
}

/// What the probe learnt about the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The folder a command starts in (the login folder).
    pub home: String,
    /// The `ls` it has.
    pub flavor: LsFlavor,
}

/// The one command run right after login: prints a mark, the login folder, and `gnu` when the
/// server's `ls` takes GNU's flags. One round trip answers all three.
pub fn probe_command() -> String {
    format!("echo {PROBE_MARK}; pwd; LC_ALL=C ls -lad -b --time-style=full-iso -- / >/dev/null 2>&1 && echo gnu")
}

/// Reads the probe's output. `None` when the mark is missing: the server ran something other
/// than what was asked (a forced command, a shell that is no shell).
pub fn read_probe(output: &str) -> Option<Probe> {
    let mut lines = output.lines();
    if lines.next()?.trim_end() != PROBE_MARK {
        return None;
    }
    let home = lines.next().filter(|home| home.starts_with('/')).unwrap_or("/").to_string();
    let flavor = if lines.any(|line| line.trim_end() == "gnu") { LsFlavor::Gnu } else { LsFlavor::Plain };
    Some(Probe { home, flavor })
}

/// Quotes `path` as one word of a POSIX shell command. A name with a newline, a carriage return
/// or a NUL is refused: no quoting carries those through every shell and `ls` line intact.
pub fn quote(path: &str) -> Result<String, FerryError> {
    if path.contains(['\n', '\r', '\0']) {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!(
                "{}: a name with a line break or a NUL cannot be sent in a shell command (this server has no SFTP)",
                crate::model::escape_control(path)
            ),
        ));
    }
    // `try_quote` only fails on a NUL, refused above; it quotes everything the shell would read.
    shlex::try_quote(path).map(|quoted| quoted.into_owned()).map_err(|_| {
        FerryError::new(ErrorKind::Unsupported, format!("{}: cannot be quoted", crate::model::escape_control(path)))
    })
}

/// `ls` of a folder's entries, hidden ones too. The trailing `/` makes `ls` refuse a file (it
/// would list the file itself) and follow a link to a folder. Errors go to the same stream (the
/// channel merges them), where the listing reader skips them as lines it does not understand.
pub fn list_command(dir: &str, flavor: LsFlavor) -> Result<String, FerryError> {
    let dir = if dir.ends_with('/') { dir.to_string() } else { format!("{dir}/") };
    Ok(format!("{} -la -- {}", ls(flavor), quote(&dir)?))
}

/// `ls` of one entry itself (`-d`); `follow` follows a link at `path` (`-L`).
pub fn stat_command(path: &str, flavor: LsFlavor, follow: bool) -> Result<String, FerryError> {
    let follow = if follow { "L" } else { "" };
    Ok(format!("{} -lad{follow} -- {}", ls(flavor), quote(path)?))
}

fn ls(flavor: LsFlavor) -> &'static str {
    match flavor {
        LsFlavor::Gnu => "LC_ALL=C ls -b --time-style=full-iso",
        LsFlavor::Plain => "LC_ALL=C ls",
    }
}

/// `mkdir` of one folder (its parent must exist).
pub fn mkdir_command(path: &str) -> Result<String, FerryError> {
    Ok(format!("mkdir -- {}", quote(path)?))
}

/// Renames `from` to a new name `to`: refused when `to` exists, as SFTP's rename is, so that a
/// rename never replaces a file or moves into a folder by surprise.
pub fn rename_command(from: &str, to: &str) -> Result<String, FerryError> {
    let (from, to) = (quote(from)?, quote(to)?);
    Ok(format!(
        "if [ -e {to} ] || [ -h {to} ]; then echo {to}: File exists >&2; exit 1; fi; LC_ALL=C mv -- {from} {to}"
    ))
}

/// Puts the file `from` in the place of the file `to` in one rename (`mv` over a file is
/// `rename(2)`, atomic). A folder at `to` is refused: `mv` would move `from` into it.
pub fn replace_command(from: &str, to: &str) -> Result<String, FerryError> {
    let (from, to) = (quote(from)?, quote(to)?);
    Ok(format!(
        "if [ -d {to} ] && [ ! -h {to} ]; then echo {to}: Is a directory >&2; exit 1; fi; LC_ALL=C mv -f -- {from} {to}"
    ))
}

/// Removes a file or a link (never a folder: `rm` without `-r` refuses one). No `-f`, so a
/// missing file is reported; `rm` asks nothing when its input is no terminal, as here.
pub fn remove_file_command(path: &str) -> Result<String, FerryError> {
    Ok(format!("LC_ALL=C rm -- {}", quote(path)?))
}

/// Removes an empty folder.
pub fn remove_dir_command(path: &str) -> Result<String, FerryError> {
    Ok(format!("LC_ALL=C rmdir -- {}", quote(path)?))
}

/// Sets the permission bits.
pub fn chmod_command(path: &str, mode: u32) -> Result<String, FerryError> {
    Ok(format!("LC_ALL=C chmod {:o} -- {}", mode & 0o7777, quote(path)?))
}

/// Sets the modification time, in POSIX `touch -t` form read as UTC (BusyBox takes it too).
pub fn touch_command(path: &str, time: DateTime<Utc>) -> Result<String, FerryError> {
    Ok(format!("TZ=UTC0 LC_ALL=C touch -m -c -t {} -- {}", time.format("%Y%m%d%H%M.%S"), quote(path)?))
}

/// The SHA-256 of a file.
pub fn sha256_command(path: &str) -> Result<String, FerryError> {
    Ok(format!("LC_ALL=C sha256sum -- {}", quote(path)?))
}

/// Where `path` leads, every link followed.
pub fn real_path_command(path: &str) -> Result<String, FerryError> {
    Ok(format!("LC_ALL=C readlink -f -- {}", quote(path)?))
}

/// Decodes a name as GNU `ls -b` prints it (C escapes, `\ ` for a space, `\ooo` for a byte);
/// bytes that are no UTF-8 are replaced. A lone backslash at the end is kept.
pub fn unescape_ls_name(text: &str) -> String {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        rest = tail;
        if first != b'\\' {
            bytes.push(first);
            continue;
        }
        let Some((&escaped, tail)) = rest.split_first() else {
            bytes.push(b'\\');
            break;
        };
        rest = tail;
        let plain = match escaped {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 0x07,
            b'b' => 0x08,
            b'f' => 0x0c,
            b'v' => 0x0b,
            b'0'..=b'7' => {
                // Up to three octal digits, the first already read.
                let mut value = u32::from(escaped - b'0');
                let mut taken = 0;
                while taken < 2 {
                    match rest.first() {
                        Some(&digit @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(digit - b'0');
                            rest = &rest[1..];
                            taken += 1;
                        }
                        _ => break,
                    }
                }
                u8::try_from(value).unwrap_or(b'?')
            }
            other => other,
        };
        bytes.push(plain);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The error for a command that failed, from its exit status and what it printed. The printed
/// words are the server's (its `mv`, `rm`...), so they are shown as the server's reply.
pub fn command_error(context: &str, status: i32, said: &str) -> FerryError {
    let kind = if said.contains("No such file") {
        ErrorKind::NotFound
    } else if said.contains("Permission denied") || said.contains("Operation not permitted") {
        ErrorKind::PermissionDenied
    } else if said.contains("File exists") {
        ErrorKind::AlreadyExists
    } else if said.contains("Directory not empty") {
        ErrorKind::NotEmpty
    } else if said.contains("Read-only file system") {
        ErrorKind::PermissionDenied
    } else if status == 127 || said.contains("not found") {
        ErrorKind::Unsupported
    } else {
        ErrorKind::Protocol
    };
    let said = if said.trim().is_empty() { format!("exit status {status}") } else { said.to_string() };
    FerryError::new(kind, context).with_reply(said)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `command` in a real POSIX shell and returns what it printed.
    fn sh(command: &str) -> String {
        let output = std::process::Command::new("sh").arg("-c").arg(command).output().unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    #[test]
    fn every_hostile_name_reaches_the_shell_as_one_word_and_runs_nothing() {
        for name in ["it's a \"test\" $(x).txt", "`touch /tmp/pwned`", "a;b|c&d", "$HOME", "-rf", "*", "..", "a\\b"] {
            let quoted = quote(name).unwrap();
            assert_eq!(sh(&format!("printf '%s' {quoted}")), name, "{quoted}");
        }
    }

    #[test]
    fn names_with_line_breaks_or_nul_are_refused_by_name() {
        for name in ["a\nb", "a\rb", "a\0b"] {
            let error = quote(name).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Unsupported);
            assert!(error.context.contains("line break or a NUL"), "{error}");
        }
        assert!(rename_command("ok", "bad\nname").is_err());
    }

    #[test]
    fn the_path_comes_after_a_double_dash_so_a_dash_name_is_no_option() {
        assert_eq!(remove_file_command("-rf").unwrap(), "LC_ALL=C rm -- -rf");
        assert_eq!(mkdir_command("/srv/new folder").unwrap(), "mkdir -- '/srv/new folder'");
        assert_eq!(list_command("/srv", LsFlavor::Plain).unwrap(), "LC_ALL=C ls -la -- /srv/");
    }

    #[test]
    fn ls_b_names_decode_to_their_bytes() {
        assert_eq!(unescape_ls_name(r#"it's\ a\ "test"\ $(x).txt"#), "it's a \"test\" $(x).txt");
        assert_eq!(unescape_ls_name(r"new\nline"), "new\nline");
        assert_eq!(unescape_ls_name(r"\303\251\ x"), "é x");
        assert_eq!(unescape_ls_name(r"back\\slash"), "back\\slash");
        assert_eq!(unescape_ls_name(r"end\"), "end\\");
        assert_eq!(unescape_ls_name(r"\777"), "?", "an octal past a byte is no byte");
    }

    #[test]
    fn the_probe_tells_gnu_from_plain_and_a_forced_command_from_a_shell() {
        let gnu = read_probe("ferry-scp-probe\n/home/u\ngnu\n").unwrap();
        assert_eq!(gnu, Probe { home: "/home/u".into(), flavor: LsFlavor::Gnu });
        assert_eq!(read_probe("ferry-scp-probe\n/root\n").unwrap().flavor, LsFlavor::Plain);
        assert_eq!(read_probe("This account is currently not available.\n"), None);
        assert_eq!(read_probe(""), None);
        // The real probe, in a real shell.
        assert!(read_probe(&sh(&probe_command())).is_some());
    }

    #[test]
    fn a_rename_never_replaces_and_a_replace_never_moves_into_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
        std::fs::write(at("a"), "a").unwrap();
        std::fs::write(at("b"), "b").unwrap();
        std::fs::create_dir(at("d")).unwrap();
        sh(&rename_command(&at("a"), &at("b")).unwrap());
        assert_eq!(std::fs::read_to_string(at("b")).unwrap(), "b");
        sh(&replace_command(&at("a"), &at("d")).unwrap());
        assert!(std::fs::metadata(at("a")).is_ok() && std::fs::read_dir(at("d")).unwrap().next().is_none());
        sh(&replace_command(&at("a"), &at("b")).unwrap());
        assert_eq!(std::fs::read_to_string(at("b")).unwrap(), "a");
    }

    #[test]
    fn the_servers_words_choose_the_kind() {
        assert_eq!(command_error("x", 1, "rm: cannot remove 'x': No such file or directory").kind, ErrorKind::NotFound);
        assert_eq!(
            command_error("x", 1, "mkdir: cannot create directory 'x': File exists").kind,
            ErrorKind::AlreadyExists
        );
        assert_eq!(command_error("x", 1, "").server_reply.as_deref(), Some("exit status 1"));
    }
}
