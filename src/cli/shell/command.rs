//! The shell's commands: the table `help` and completion read, and a typed line parsed into one
//! command (pure: no I/O).

use crate::error::{ErrorKind, FerryError, Result};

use super::words::{Word, split};

/// What a command's arguments name, for completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    Remote,
    Local,
    /// Anything else: a URL, a mode, a user name.
    Other,
}

/// One command as `help` shows it.
pub struct CommandInfo {
    pub names: &'static [&'static str],
    pub usage: &'static str,
    pub summary: &'static str,
    /// What each argument names; the last one repeats.
    pub args: &'static [ArgKind],
}

use ArgKind::{Local, Other, Remote};

/// Every command, in the order `help` lists them.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        names: &["open"],
        usage: "open URL|NAME",
        summary: "connect to a URL or a saved site",
        args: &[Other],
    },
    CommandInfo { names: &["user"], usage: "user NAME", summary: "log in again as another user", args: &[Other] },
    CommandInfo { names: &["cd"], usage: "cd [PATH]", summary: "change the remote folder", args: &[Remote] },
    CommandInfo { names: &["lcd"], usage: "lcd [PATH]", summary: "change the local folder", args: &[Local] },
    CommandInfo { names: &["pwd"], usage: "pwd", summary: "print the remote folder", args: &[] },
    CommandInfo { names: &["lpwd"], usage: "lpwd", summary: "print the local folder", args: &[] },
    CommandInfo {
        names: &["ls", "dir"],
        usage: "ls [-la] [PATH|GLOB]",
        summary: "list remote files (-l: long form, -a: hidden names too)",
        args: &[Remote],
    },
    CommandInfo {
        names: &["lls"],
        usage: "lls [-la] [PATH|GLOB]",
        summary: "list local files (-l: long form, -a: hidden names too)",
        args: &[Local],
    },
    CommandInfo {
        names: &["get"],
        usage: "get [-r] REMOTE|GLOB [LOCAL]",
        summary: "download a file (-r: a folder; a glob: every match)",
        args: &[Remote, Local],
    },
    CommandInfo {
        names: &["put"],
        usage: "put [-r] LOCAL [REMOTE]",
        summary: "upload a file (-r: a folder)",
        args: &[Local, Remote],
    },
    CommandInfo {
        names: &["mget"],
        usage: "mget [-r] GLOB...",
        summary: "download every matching remote file here",
        args: &[Remote],
    },
    CommandInfo {
        names: &["mput"],
        usage: "mput [-r] GLOB...",
        summary: "upload every matching local file to the remote folder",
        args: &[Local],
    },
    CommandInfo {
        names: &["reget"],
        usage: "reget REMOTE [LOCAL]",
        summary: "resume a download from the bytes already here",
        args: &[Remote, Local],
    },
    CommandInfo {
        names: &["reput"],
        usage: "reput LOCAL [REMOTE]",
        summary: "resume an upload from the bytes already there",
        args: &[Local, Remote],
    },
    CommandInfo { names: &["mkdir"], usage: "mkdir PATH", summary: "create a remote folder", args: &[Remote] },
    CommandInfo { names: &["rmdir"], usage: "rmdir PATH", summary: "delete an empty remote folder", args: &[Remote] },
    CommandInfo { names: &["rm", "delete"], usage: "rm PATH", summary: "delete a remote file", args: &[Remote] },
    CommandInfo {
        names: &["rename"],
        usage: "rename FROM TO",
        summary: "rename or move a remote file or folder",
        args: &[Remote, Remote],
    },
    CommandInfo {
        names: &["chmod"],
        usage: "chmod MODE PATH",
        summary: "set permissions, in octal (644)",
        args: &[Other, Remote],
    },
    CommandInfo { names: &["stat"], usage: "stat PATH", summary: "show a remote file's details", args: &[Remote] },
    CommandInfo {
        names: &["binary"],
        usage: "binary",
        summary: "binary transfers (always: files are copied byte for byte)",
        args: &[],
    },
    CommandInfo {
        names: &["ascii"],
        usage: "ascii",
        summary: "not supported: files are copied byte for byte",
        args: &[],
    },
    CommandInfo {
        names: &["passive"],
        usage: "passive",
        summary: "FTP: the client opens data connections (the default); reconnects",
        args: &[],
    },
    CommandInfo {
        names: &["active"],
        usage: "active",
        summary: "FTP: the server connects back for data; reconnects",
        args: &[],
    },
    CommandInfo {
        names: &["verbose"],
        usage: "verbose",
        summary: "show the protocol transcript, or stop showing it",
        args: &[],
    },
    CommandInfo {
        names: &["help", "?"],
        usage: "help [COMMAND]",
        summary: "list the commands, or explain one",
        args: &[Other],
    },
    CommandInfo {
        names: &["!"],
        usage: "!COMMAND",
        summary: "run COMMAND in a local shell (! alone: a shell)",
        args: &[Local],
    },
    CommandInfo { names: &["bye", "quit", "exit"], usage: "bye", summary: "close the connection and leave", args: &[] },
];

/// The command named `name`, by any of its names.
pub fn find(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|info| info.names.contains(&name))
}

/// An argument: the name meant, and the pattern when it holds wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    pub text: String,
    pub pattern: Option<String>,
}

impl From<&Word> for Arg {
    fn from(word: &Word) -> Self {
        Arg { text: word.text.clone(), pattern: word.is_glob.then(|| word.pattern.clone()) }
    }
}

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShellCommand {
    Nothing,
    Open { target: String },
    User { name: String },
    Cd { path: Option<String> },
    Lcd { path: Option<String> },
    Pwd,
    Lpwd,
    Ls { long: bool, all: bool, path: Option<Arg> },
    Lls { long: bool, all: bool, path: Option<Arg> },
    Get { remote: Arg, local: Option<String>, recursive: bool, resume: bool },
    Put { local: String, remote: Option<String>, recursive: bool, resume: bool },
    Mget { patterns: Vec<Arg>, recursive: bool },
    Mput { patterns: Vec<Arg>, recursive: bool },
    Mkdir { path: String },
    Rmdir { path: String },
    Rm { path: String },
    Rename { from: String, to: String },
    Chmod { mode: u32, path: String },
    Stat { path: String },
    Binary,
    Ascii,
    Passive,
    Active,
    Verbose,
    Help { topic: Option<String> },
    Local { command: String },
    Quit,
}

/// A line: its command, and whether a failure may be ignored (a batch line starting with `-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub command: ShellCommand,
    pub ignore_failure: bool,
}

/// Parses one typed or batch line.
pub fn parse(line: &str) -> Result<Line> {
    let trimmed = line.trim_start();
    let (ignore_failure, rest) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, trimmed),
    };
    let command = parse_command(rest)?;
    Ok(Line { command, ignore_failure })
}

fn parse_command(line: &str) -> Result<ShellCommand> {
    if let Some(command) = line.strip_prefix('!') {
        return Ok(ShellCommand::Local { command: command.trim().to_string() });
    }
    if line.starts_with('#') {
        return Ok(ShellCommand::Nothing);
    }
    let split = split(line);
    if let Some(quote) = split.open_quote {
        return Err(usage_error(format!("a {quote} quote is not closed")));
    }
    let Some((name, words)) = split.words.split_first() else {
        return Ok(ShellCommand::Nothing);
    };
    let Some(info) = find(&name.text) else {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!("no command \"{}\" (help lists them)", crate::model::escape_control(&name.text)),
        ));
    };
    let (flags, args) = take_flags(words);
    let allowed: &[char] = match info.names[0] {
        "ls" | "lls" => &['l', 'a'],
        "get" | "put" | "mget" | "mput" => &['r'],
        _ => &[],
    };
    if let Some(flag) = flags.iter().find(|flag| !allowed.contains(flag)) {
        return Err(usage_error(format!("{} has no option -{flag}: {}", info.names[0], info.usage)));
    }
    let has = |flag: char| flags.contains(&flag);
    let texts: Vec<String> = args.iter().map(|word| word.text.clone()).collect();
    let count = |min: usize, max: usize| {
        if texts.len() < min || texts.len() > max { Err(usage_error(format!("usage: {}", info.usage))) } else { Ok(()) }
    };
    let first = || texts.first().cloned().unwrap_or_default();
    let second = || texts.get(1).cloned();
    let command = match info.names[0] {
        "open" => count(1, 1).map(|_| ShellCommand::Open { target: first() })?,
        "user" => count(1, 1).map(|_| ShellCommand::User { name: first() })?,
        "cd" => count(0, 1).map(|_| ShellCommand::Cd { path: texts.first().cloned() })?,
        "lcd" => count(0, 1).map(|_| ShellCommand::Lcd { path: texts.first().cloned() })?,
        "pwd" => count(0, 0).map(|_| ShellCommand::Pwd)?,
        "lpwd" => count(0, 0).map(|_| ShellCommand::Lpwd)?,
        "ls" => count(0, 1).map(|_| ShellCommand::Ls {
            long: has('l'),
            all: has('a'),
            path: args.first().map(Arg::from),
        })?,
        "lls" => count(0, 1).map(|_| ShellCommand::Lls {
            long: has('l'),
            all: has('a'),
            path: args.first().map(Arg::from),
        })?,
        "get" | "reget" => count(1, 2).map(|_| ShellCommand::Get {
            remote: args.first().map(Arg::from).unwrap_or(Arg { text: String::new(), pattern: None }),
            local: second(),
            recursive: has('r'),
            resume: info.names[0] == "reget",
        })?,
        "put" | "reput" => count(1, 2).map(|_| ShellCommand::Put {
            local: first(),
            remote: second(),
            recursive: has('r'),
            resume: info.names[0] == "reput",
        })?,
        "mget" => count(1, usize::MAX)
            .map(|_| ShellCommand::Mget { patterns: args.iter().map(Arg::from).collect(), recursive: has('r') })?,
        "mput" => count(1, usize::MAX)
            .map(|_| ShellCommand::Mput { patterns: args.iter().map(Arg::from).collect(), recursive: has('r') })?,
        "mkdir" => count(1, 1).map(|_| ShellCommand::Mkdir { path: first() })?,
        "rmdir" => count(1, 1).map(|_| ShellCommand::Rmdir { path: first() })?,
        "rm" => count(1, 1).map(|_| ShellCommand::Rm { path: first() })?,
        "rename" => count(2, 2).map(|_| ShellCommand::Rename { from: first(), to: second().unwrap_or_default() })?,
        "chmod" => {
            count(2, 2)?;
            let mode = u32::from_str_radix(&first(), 8)
                .ok()
                .filter(|mode| *mode <= 0o7777)
                .ok_or_else(|| usage_error(format!("\"{}\" is not an octal mode such as 644", first())))?;
            ShellCommand::Chmod { mode, path: second().unwrap_or_default() }
        }
        "stat" => count(1, 1).map(|_| ShellCommand::Stat { path: first() })?,
        "binary" => ShellCommand::Binary,
        "ascii" => ShellCommand::Ascii,
        "passive" => ShellCommand::Passive,
        "active" => ShellCommand::Active,
        "verbose" => ShellCommand::Verbose,
        "help" => count(0, 1).map(|_| ShellCommand::Help { topic: texts.first().cloned() })?,
        _ => ShellCommand::Quit,
    };
    Ok(command)
}

/// Splits leading `-x` words (flags, possibly several letters) from the arguments; `--` ends them.
fn take_flags(words: &[Word]) -> (Vec<char>, &[Word]) {
    let mut flags = Vec::new();
    let mut rest = words;
    while let Some((word, after)) = rest.split_first() {
        if word.text == "--" {
            rest = after;
            break;
        }
        match word.text.strip_prefix('-') {
            Some(letters) if !letters.is_empty() => {
                flags.extend(letters.chars());
                rest = after;
            }
            _ => break,
        }
    }
    (flags, rest)
}

fn usage_error(text: String) -> FerryError {
    FerryError::new(ErrorKind::Unsupported, text)
}

/// The text of `help` or `help COMMAND`.
pub fn help(topic: Option<&str>) -> Result<String> {
    match topic {
        None => {
            let width = COMMANDS.iter().map(|info| info.usage.len()).max().unwrap_or(0);
            let mut text = String::new();
            for info in COMMANDS {
                text.push_str(&format!("{:width$}  {}\n", info.usage, info.summary));
            }
            text.push_str("A line starting with - may fail without stopping a batch (-b FILE).\n");
            Ok(text)
        }
        Some(name) => {
            let info = find(name).ok_or_else(|| {
                FerryError::new(
                    ErrorKind::Unsupported,
                    format!("no command \"{}\" (help lists them)", crate::model::escape_control(name)),
                )
            })?;
            let also =
                if info.names.len() > 1 { format!(" (also: {})", info.names[1..].join(", ")) } else { String::new() };
            Ok(format!("{}  {}{also}\n", info.usage, info.summary))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(line: &str) -> ShellCommand {
        parse(line).unwrap_or_else(|e| panic!("{line}: {e}")).command
    }

    #[test]
    fn transfers_take_names_with_spaces_and_flags() {
        assert_eq!(
            command("get -r 'my folder' \"here too\""),
            ShellCommand::Get {
                remote: Arg { text: "my folder".into(), pattern: None },
                local: Some("here too".into()),
                recursive: true,
                resume: false
            }
        );
        assert_eq!(
            command("reput a\\ b.bin"),
            ShellCommand::Put { local: "a b.bin".into(), remote: None, recursive: false, resume: true }
        );
        assert_eq!(
            command("get -- -odd-name"),
            ShellCommand::Get {
                remote: Arg { text: "-odd-name".into(), pattern: None },
                local: None,
                recursive: false,
                resume: false
            }
        );
    }

    #[test]
    fn aliases_and_globs() {
        assert_eq!(command("dir -l"), ShellCommand::Ls { long: true, all: false, path: None });
        assert_eq!(command("ls -la"), ShellCommand::Ls { long: true, all: true, path: None });
        assert_eq!(command("lls -a"), ShellCommand::Lls { long: false, all: true, path: None });
        let ShellCommand::Get { remote, .. } = command("get dir*/x.txt") else { panic!() };
        assert_eq!(remote.pattern.as_deref(), Some("dir*/x.txt"));
        assert_eq!(command("delete x"), ShellCommand::Rm { path: "x".into() });
        assert_eq!(command("quit"), ShellCommand::Quit);
        let ShellCommand::Mget { patterns, .. } = command("mget *.txt 'a*'") else { panic!() };
        assert_eq!(patterns[0].pattern.as_deref(), Some("*.txt"));
        assert_eq!(patterns[1], Arg { text: "a*".into(), pattern: None });
    }

    #[test]
    fn a_dash_lets_a_batch_line_fail_and_a_bang_runs_a_local_command() {
        let line = parse("-rm gone.txt").unwrap();
        assert!(line.ignore_failure);
        assert_eq!(line.command, ShellCommand::Rm { path: "gone.txt".into() });
        assert_eq!(command("!ls -la 'x y'"), ShellCommand::Local { command: "ls -la 'x y'".into() });
        assert_eq!(command("  # a comment"), ShellCommand::Nothing);
        assert_eq!(command(""), ShellCommand::Nothing);
    }

    #[test]
    fn mistakes_are_named_in_one_line() {
        for (line, expected) in [
            ("frobnicate", "no command \"frobnicate\""),
            ("get", "usage: get [-r] REMOTE|GLOB [LOCAL]"),
            ("rename a", "usage: rename FROM TO"),
            ("chmod rwx f", "not an octal mode"),
            ("ls -z", "ls has no option -z"),
            ("get 'open", "quote is not closed"),
            ("\u{1b}[31m", "no command \"\\u{1b}[31m\""),
        ] {
            let error = parse(line).unwrap_err().to_string();
            assert!(error.contains(expected), "{line}: {error}");
            assert!(!error.contains('\n') && !error.contains('\u{1b}'), "{error}");
        }
    }

    #[test]
    fn chmod_reads_octal() {
        assert_eq!(command("chmod 0755 run.sh"), ShellCommand::Chmod { mode: 0o755, path: "run.sh".into() });
    }

    #[test]
    fn help_lists_every_command_and_explains_one() {
        let all = help(None).unwrap();
        for info in COMMANDS {
            assert!(all.contains(info.usage), "{}", info.usage);
        }
        assert!(help(Some("dir")).unwrap().contains("ls [-la]"));
        assert!(help(Some("nope")).is_err());
    }
}
