//! Reads OpenSSH's client config (`~/.ssh/config`) the way `ssh` does, so a host alias there means
//! the same server, user, port and key in Ferry.
//!
//! Supported: `Host` sections with several patterns, `*`, `?` and `!negation`; keywords in any case;
//! `keyword value`, `keyword=value` and quoted values; `Include` with globs (relative paths from
//! `~/.ssh`, nested at most 16 deep, and conditional when inside a `Host` section, as in ssh); the
//! first value obtained for a keyword wins, except `IdentityFile`, which accumulates.
//! `Match` sections are skipped entirely: their criteria (`exec`, `canonical`, `final`, local user…)
//! need ssh's own state, and applying them half-way would connect somewhere the user did not mean.

use std::path::{Path, PathBuf};

use crate::error::{FerryError, Result};

/// How deep `Include` may nest before Ferry stops following it (OpenSSH's own limit).
const MAX_INCLUDE_DEPTH: usize = 16;

/// A parsed ssh client config: every setting line, with the `Host` sections it sits in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SshConfig {
    settings: Vec<Setting>,
    aliases: Vec<String>,
}

/// What `ssh` would use to reach one host alias. `None`/empty: the config does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostSettings {
    /// The real host name or address (`HostName`), with `%h` expanded.
    pub host_name: Option<String>,
    /// The login name (`User`).
    pub user: Option<String>,
    /// The port (`Port`).
    pub port: Option<u16>,
    /// Private key files (`IdentityFile`), in order, with `~` and `%` tokens expanded.
    pub identity_files: Vec<PathBuf>,
    /// Jump hosts (`ProxyJump`), as written; `None` also for `ProxyJump none`.
    pub proxy_jump: Option<String>,
    /// The command whose standard input and output carry the connection (`ProxyCommand`), as
    /// written, `%` tokens not yet expanded; `None` also for `ProxyCommand none`.
    pub proxy_command: Option<String>,
}

/// One `keyword value…` line and the conditions under which it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting {
    /// Lower-cased keyword.
    keyword: String,
    /// Its arguments, unquoted.
    args: Vec<String>,
    /// The rest of the line as written (ssh hands `ProxyCommand` to the shell this way).
    raw: String,
    /// Every enclosing section must match (outer `Include` contexts first, then the own section).
    conditions: Vec<Condition>,
}

/// A section header a setting depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Condition {
    /// `Host p1 p2 !p3`: matches when a plain pattern matches and no negated one does.
    Host(Vec<String>),
    /// A `Match` section: never applied (see the module doc).
    Never,
}

impl SshConfig {
    /// Parses config text; relative `Include` paths are looked up in `base_dir` (ssh uses `~/.ssh`).
    pub fn parse(text: &str, base_dir: &Path) -> SshConfig {
        let mut config = SshConfig::default();
        config.parse_into(text, base_dir, &[], 0);
        config
    }

    /// Reads and parses a config file, following its `Include`s relative to `~/.ssh` as ssh does
    /// (or to the file's own folder when there is no home folder).
    pub fn load(path: &Path) -> Result<SshConfig> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| FerryError::from_io(&error, format!("reading the ssh config {}", path.display())))?;
        let base_dir =
            user_ssh_dir().or_else(|| path.parent().map(Path::to_path_buf)).unwrap_or_else(|| PathBuf::from("."));
        Ok(SshConfig::parse(&text, &base_dir))
    }

    /// The user's `~/.ssh/config`, or `None` when there is none or it cannot be read.
    pub fn user_default() -> Option<SshConfig> {
        let path = user_ssh_dir()?.join("config");
        if !path.is_file() {
            return None;
        }
        SshConfig::load(&path).ok()
    }

    /// The host names the config defines as plain aliases (no wildcard, no negation), in file
    /// order, each once: the names a user can type, as in `ssh NAME`.
    pub fn host_aliases(&self) -> Vec<String> {
        self.aliases.clone()
    }

    /// What ssh would apply for `alias`: for each keyword the first value from a section that
    /// matches, as OpenSSH does.
    pub fn resolve(&self, alias: &str) -> HostSettings {
        let mut settings = HostSettings::default();
        // ssh takes whichever of ProxyJump and ProxyCommand comes first; the later one is ignored.
        let mut proxy_seen = false;
        let mut identity_files: Vec<String> = Vec::new();
        for setting in self.settings.iter().filter(|s| s.conditions.iter().all(|c| c.matches(alias))) {
            let Some(first) = setting.args.first() else { continue };
            match setting.keyword.as_str() {
                "hostname" if settings.host_name.is_none() => settings.host_name = Some(expand_host_name(first, alias)),
                "user" if settings.user.is_none() => settings.user = Some(first.clone()),
                // An unparsable port makes ssh refuse the whole config; Ferry skips that line instead.
                "port" if settings.port.is_none() => settings.port = first.parse().ok(),
                "identityfile" => identity_files.push(first.clone()),
                "proxyjump" if !proxy_seen => {
                    proxy_seen = true;
                    if !first.eq_ignore_ascii_case("none") {
                        settings.proxy_jump = Some(setting.args.join(","));
                    }
                }
                "proxycommand" if !proxy_seen => {
                    proxy_seen = true;
                    if !first.eq_ignore_ascii_case("none") {
                        // ssh passes the rest of the line to the shell as written.
                        settings.proxy_command = Some(setting.raw.clone());
                    }
                }
                _ => {}
            }
        }
        let host_name = settings.host_name.clone().unwrap_or_else(|| alias.to_string());
        let tokens = Tokens {
            alias,
            host_name: &host_name,
            remote_user: settings.user.clone().unwrap_or_else(local_user_name),
            port: settings.port.unwrap_or(22),
        };
        settings.identity_files = identity_files.iter().map(|file| tokens.expand_path(file)).collect();
        settings
    }

    /// Adds the settings of `text`, which sits inside `outer` conditions (from an `Include` line).
    fn parse_into(&mut self, text: &str, base_dir: &Path, outer: &[Condition], depth: usize) {
        let mut section: Option<Condition> = None;
        for line in text.lines() {
            let Some((keyword, args, raw)) = split_line(line) else { continue };
            match keyword.as_str() {
                "host" => {
                    if outer.is_empty() {
                        for pattern in &args {
                            let plain = !pattern.starts_with('!') && !pattern.contains(['*', '?']);
                            if plain && !self.aliases.iter().any(|a| a == pattern) {
                                self.aliases.push(pattern.clone());
                            }
                        }
                    }
                    section = Some(Condition::Host(args));
                }
                "match" => section = Some(Condition::Never),
                _ => {
                    let mut conditions = outer.to_vec();
                    conditions.extend(section.clone());
                    if keyword == "include" {
                        if depth < MAX_INCLUDE_DEPTH {
                            for pattern in &args {
                                for file in include_files(pattern, base_dir) {
                                    if let Ok(text) = std::fs::read_to_string(&file) {
                                        self.parse_into(&text, base_dir, &conditions, depth + 1);
                                    }
                                }
                            }
                        }
                    } else {
                        self.settings.push(Setting { keyword, args, raw, conditions });
                    }
                }
            }
        }
    }
}

impl Condition {
    fn matches(&self, alias: &str) -> bool {
        match self {
            Condition::Never => false,
            Condition::Host(patterns) => {
                let mut matched = false;
                for pattern in patterns {
                    match pattern.strip_prefix('!') {
                        Some(negated) if wildcard_match(negated, alias) => return false,
                        Some(_) => {}
                        None => matched |= wildcard_match(pattern, alias),
                    }
                }
                matched
            }
        }
    }
}

/// Splits a config line into its lower-cased keyword and unquoted arguments; `None` for blank
/// lines and comments. Accepts `key value`, `key=value` and `key = value`. Also gives the rest of
/// the line after the keyword, as written.
fn split_line(line: &str) -> Option<(String, Vec<String>, String)> {
    let line = line.trim_start();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let keyword_end = line.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(line.len());
    let keyword = line[..keyword_end].to_ascii_lowercase();
    let mut rest = line[keyword_end..].trim_start();
    if let Some(after_equals) = rest.strip_prefix('=') {
        rest = after_equals.trim_start();
    }
    Some((keyword, split_arguments(rest), rest.trim_end().to_string()))
}

/// Splits arguments on whitespace, honouring double and single quotes and backslash escapes;
/// an unquoted `#` starting an argument ends the line, as in OpenSSH.
fn split_arguments(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.peek() {
            None | Some('#') => break,
            Some(_) => {}
        }
        let mut arg = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match (c, quote) {
                ('\\', _) if chars.peek().is_some_and(|n| matches!(n, '"' | '\'' | '\\' | ' ')) => {
                    arg.extend(chars.next());
                }
                ('"' | '\'', None) => quote = Some(c),
                (c, Some(q)) if c == q => quote = None,
                (c, None) if c.is_whitespace() => break,
                (c, _) => arg.push(c),
            }
        }
        args.push(arg);
    }
    args
}

/// OpenSSH's pattern match: `*` any run of characters, `?` one character; case-insensitive,
/// since ssh lower-cases the host before matching.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    glob_chars(&pattern, &text)
}

/// Iterative wildcard match with one backtrack point (linear enough for config patterns).
fn glob_chars(pattern: &[char], text: &[char]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// The files one `Include` argument names, sorted as glob(3) sorts them.
fn include_files(pattern: &str, base_dir: &Path) -> Vec<PathBuf> {
    let expanded = expand_tilde(pattern);
    let full = if Path::new(&expanded).is_absolute() { PathBuf::from(expanded) } else { base_dir.join(expanded) };
    let mut matches = vec![PathBuf::new()];
    for component in full.components() {
        let name = component.as_os_str().to_string_lossy();
        if !name.contains(['*', '?']) {
            matches.iter_mut().for_each(|m| m.push(component));
            continue;
        }
        let mut next = Vec::new();
        for dir in &matches {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            let mut names: Vec<String> =
                entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
            names.sort();
            // Like glob(3), a wildcard never matches a leading dot.
            let chars: Vec<char> = name.chars().collect();
            next.extend(
                names
                    .iter()
                    .filter(|n| !n.starts_with('.') && glob_chars(&chars, &n.chars().collect::<Vec<_>>()))
                    .map(|n| dir.join(n)),
            );
        }
        matches = next;
    }
    matches.into_iter().filter(|path| path.is_file()).collect()
}

/// `HostName` may say `%h` (the alias typed) and `%%`.
fn expand_host_name(value: &str, alias: &str) -> String {
    expand_tokens(value, |token| match token {
        'h' => Some(alias.to_string()),
        _ => None,
    })
}

/// The values `%` tokens in `IdentityFile` stand for.
struct Tokens<'a> {
    alias: &'a str,
    host_name: &'a str,
    remote_user: String,
    port: u16,
}

impl Tokens<'_> {
    /// Expands `~`, `%d` (home), `%h` (host name), `%n` (alias), `%p` (port), `%r` (remote user),
    /// `%u` (local user) and `%%`; an unknown token is kept as written.
    fn expand_path(&self, value: &str) -> PathBuf {
        let home = home_dir().map(|h| h.to_string_lossy().into_owned()).unwrap_or_default();
        let expanded = expand_tokens(&expand_tilde(value), |token| match token {
            'd' => Some(home.clone()),
            'h' => Some(self.host_name.to_string()),
            'n' => Some(self.alias.to_string()),
            'p' => Some(self.port.to_string()),
            'r' => Some(self.remote_user.clone()),
            'u' => Some(local_user_name()),
            _ => None,
        });
        PathBuf::from(expanded)
    }
}

/// Replaces `%x` tokens through `lookup`; `%%` is a literal `%`; unknown tokens stay as written.
fn expand_tokens(value: &str, lookup: impl Fn(char) -> Option<String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(token) => match lookup(token) {
                Some(text) => out.push_str(&text),
                None => {
                    out.push('%');
                    out.push(token);
                }
            },
            None => out.push('%'),
        }
    }
    out
}

/// `~` or `~/…` at the start means the home folder.
fn expand_tilde(value: &str) -> String {
    match (value.strip_prefix('~'), home_dir()) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            format!("{}{}", home.to_string_lossy(), rest)
        }
        _ => value.to_string(),
    }
}

fn home_dir() -> Option<PathBuf> {
    directories::UserDirs::new().map(|dirs| dirs.home_dir().to_path_buf())
}

/// `~/.ssh`, where ssh looks for the user's config and its relative `Include`s.
fn user_ssh_dir() -> Option<PathBuf> {
    home_dir().map(|home| home.join(".ssh"))
}

/// The local login name, for `%u` (and `%r` when the config names no user).
pub fn local_user_name() -> String {
    std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> SshConfig {
        SshConfig::parse(text, Path::new("/nonexistent"))
    }

    #[test]
    fn first_obtained_value_wins() {
        let config = parse(
            "Host web\n  HostName web.example.org\n  Port 2222\n\
             Host *\n  User deploy\n  Port 22\n  HostName ignored\n",
        );
        let web = config.resolve("web");
        assert_eq!(web.host_name.as_deref(), Some("web.example.org"));
        assert_eq!(web.port, Some(2222));
        assert_eq!(web.user.as_deref(), Some("deploy"));
        let other = config.resolve("other");
        assert_eq!(other.host_name.as_deref(), Some("ignored"));
        assert_eq!(other.port, Some(22));
    }

    #[test]
    fn settings_before_any_host_apply_to_all() {
        let config = parse("User everyone\nHost a\n  User alice\n");
        assert_eq!(config.resolve("a").user.as_deref(), Some("everyone"));
    }

    #[test]
    fn patterns_wildcards_negation_and_several_per_line() {
        let config = parse(
            "Host *.internal !secret.internal\n  User staff\n\
             Host db? web1 web2\n  Port 2200\n",
        );
        assert_eq!(config.resolve("files.internal").user.as_deref(), Some("staff"));
        assert_eq!(config.resolve("secret.internal").user, None);
        assert_eq!(config.resolve("db1").port, Some(2200));
        assert_eq!(config.resolve("db12").port, None);
        assert_eq!(config.resolve("web2").port, Some(2200));
        // A line of only negations matches nothing, as in ssh.
        assert_eq!(parse("Host !x\n User u\n").resolve("y").user, None);
    }

    #[test]
    fn keywords_any_case_equals_and_quotes() {
        let config = parse(
            "HOST box\n  hostNAME=box.example.org\n  PORT = 2022\n  \
             identityfile \"~/keys/my key\"\n  User 'o\\'brien' # a comment\n",
        );
        let settings = config.resolve("BOX");
        assert_eq!(settings.host_name.as_deref(), Some("box.example.org"));
        assert_eq!(settings.port, Some(2022));
        assert_eq!(settings.user.as_deref(), Some("o'brien"));
        let key = settings.identity_files[0].to_string_lossy().into_owned();
        assert!(key.ends_with("/keys/my key") && !key.starts_with('~'), "{key}");
    }

    #[test]
    fn match_blocks_are_skipped() {
        let config = parse("Match host box exec \"true\"\n  User matched\nHost box\n  User hosted\n");
        assert_eq!(config.resolve("box").user.as_deref(), Some("hosted"));
    }

    #[test]
    fn identity_files_accumulate_with_tokens() {
        let config = parse(
            "Host gw\n  HostName gw.example.org\n  User ops\n  IdentityFile /k/%h-%r-%n\n  IdentityFile /k/100%%\n\
             Host *\n  IdentityFile /k/default\n",
        );
        let files = config.resolve("gw").identity_files;
        assert_eq!(
            files,
            vec![PathBuf::from("/k/gw.example.org-ops-gw"), PathBuf::from("/k/100%"), PathBuf::from("/k/default")]
        );
    }

    #[test]
    fn host_name_percent_h_is_the_alias() {
        let config = parse("Host *.lan\n  HostName %h.example.org\n");
        assert_eq!(config.resolve("nas.lan").host_name.as_deref(), Some("nas.lan.example.org"));
    }

    #[test]
    fn proxy_jump_first_value_and_none() {
        let config = parse("Host a\n  ProxyJump none\nHost *\n  ProxyJump bastion\n");
        assert_eq!(config.resolve("a").proxy_jump, None);
        assert_eq!(config.resolve("b").proxy_jump.as_deref(), Some("bastion"));
    }

    #[test]
    fn proxy_command_as_written_and_the_first_of_jump_or_command_wins() {
        let config = parse(
            "Host a\n  ProxyCommand ssh -W %h:%p \"gw\"  \nHost b\n  ProxyCommand none\n\
             Host c\n  ProxyJump gw\nHost *\n  ProxyCommand=nc %h %p\n",
        );
        let a = config.resolve("a");
        assert_eq!(a.proxy_command.as_deref(), Some("ssh -W %h:%p \"gw\""));
        assert_eq!(a.proxy_jump, None);
        assert_eq!(config.resolve("b").proxy_command, None);
        let c = config.resolve("c");
        assert_eq!((c.proxy_jump.as_deref(), c.proxy_command), (Some("gw"), None));
        assert_eq!(config.resolve("d").proxy_command.as_deref(), Some("nc %h %p"));
    }

    #[test]
    fn aliases_are_plain_names_in_file_order() {
        let config = parse("Host zeta alpha *.x !beta\nHost alpha gamma?\nMatch all\nHost delta\n");
        assert_eq!(config.host_aliases(), vec!["zeta", "alpha", "delta"]);
    }

    #[test]
    fn include_with_globs_relative_and_conditional() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("conf.d")).unwrap();
        std::fs::write(dir.path().join("conf.d/10-a.conf"), "Host a\n  HostName a.example\n").unwrap();
        std::fs::write(dir.path().join("conf.d/20-b.conf"), "Host b\n  HostName b.example\n").unwrap();
        std::fs::write(dir.path().join("conf.d/.hidden"), "Host h\n  HostName h.example\n").unwrap();
        std::fs::write(dir.path().join("only-c"), "Port 2222\n").unwrap();
        let text = "Include conf.d/*\nHost c\n  Include only-c\nHost *\n  Port 22\n";
        let config = SshConfig::parse(text, dir.path());
        assert_eq!(config.resolve("a").host_name.as_deref(), Some("a.example"));
        assert_eq!(config.resolve("b").host_name.as_deref(), Some("b.example"));
        assert_eq!(config.resolve("h").host_name, None);
        assert_eq!(config.resolve("c").port, Some(2222));
        assert_eq!(config.resolve("a").port, Some(22));
        assert_eq!(config.host_aliases(), vec!["a", "b", "c"]);
    }

    #[test]
    fn include_loops_stop() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("self"), "Include self\nHost x\n  User u\n").unwrap();
        let config = SshConfig::parse("Include self\n", dir.path());
        assert_eq!(config.resolve("x").user.as_deref(), Some("u"));
    }

    #[test]
    fn load_reports_a_missing_file() {
        let error = SshConfig::load(Path::new("/nonexistent/ssh_config")).unwrap_err();
        assert_eq!(error.kind, crate::error::ErrorKind::NotFound);
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b", "aXXc"));
        assert!(wildcard_match("h?st", "HOST"));
    }
}
