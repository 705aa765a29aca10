//! Which way an SSH connection goes before it reaches the server: straight, through a command
//! whose input and output carry it (ssh's `ProxyCommand`), or through SSH jump hosts (`ProxyJump`,
//! `ssh -J`). Pure: the types, the parsing of a jump chain and the expansion of `%` tokens; the
//! backend builds the stream (`backend::ssh_route`).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, FerryError, Result};

/// How many jump hosts a chain may hold: each is a login and a thread; more is a mistake or a loop.
pub const MAX_JUMP_HOSTS: usize = 8;

/// The way to the server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Route {
    /// A TCP connection straight to the server.
    #[default]
    Direct,
    /// A shell command (`ProxyCommand`, `%` tokens already expanded) whose standard input and
    /// output are the connection.
    Command(String),
    /// SSH servers to go through, first to last; the last one opens the connection to the server.
    Jump(Vec<JumpHost>),
}

/// One SSH server a connection goes through, with the login its ssh config gives it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JumpHost {
    /// As the user wrote it in the chain (an alias or an address), to name it in messages.
    pub name: String,
    /// The real host name or address (the config's `HostName` for an alias).
    pub host: String,
    /// Its SSH port.
    pub port: u16,
    /// The login name; empty for the local user's.
    pub user: String,
    /// The private key to log in with; the agent and a password otherwise.
    pub identity: Option<PathBuf>,
    /// The password typed for this hop, if it asked for one. Never saved.
    #[serde(skip)]
    pub password: Option<secrecy::SecretString>,
}

/// The same hop whatever password was typed for it.
impl PartialEq for JumpHost {
    fn eq(&self, other: &Self) -> bool {
        (&self.name, &self.host, self.port, &self.user, &self.identity)
            == (&other.name, &other.host, other.port, &other.user, &other.identity)
    }
}

impl Eq for JumpHost {}

impl JumpHost {
    /// `sftp://user@host:port`: the hop's address in a password question, and the key its typed
    /// password is kept under for this run.
    pub fn display_url(&self) -> String {
        let user = if self.user.is_empty() { String::new() } else { format!("{}@", self.user) };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        crate::model::escape_control(&format!("sftp://{user}{host}:{}", self.port))
    }

    /// `jump host user@host:port`, to name the hop in messages.
    pub fn label(&self) -> String {
        let user = if self.user.is_empty() { String::new() } else { format!("{}@", self.user) };
        let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
        crate::model::escape_control(&format!("jump host {user}{host}:{}", self.port))
    }
}

/// One hop of a chain as written: `[user@]host[:port]` or `ssh://[user@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JumpSpec {
    /// The user written before `@`, if any.
    pub user: Option<String>,
    /// The host or alias.
    pub host: String,
    /// The port written after `:`, if any.
    pub port: Option<u16>,
}

/// Parses a `ProxyJump` value or a `--jump` argument: hops separated by commas, first to last.
/// `none` (alone) means no jump host: an empty list.
pub fn parse_jump_chain(text: &str) -> Result<Vec<JumpSpec>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let hops = text.split(',').map(parse_jump_host).collect::<Result<Vec<_>>>()?;
    if hops.len() > MAX_JUMP_HOSTS {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!("{} jump hosts: Ferry goes through at most {MAX_JUMP_HOSTS}", hops.len()),
        ));
    }
    Ok(hops)
}

fn parse_jump_host(text: &str) -> Result<JumpSpec> {
    let bad = |why: &str| {
        FerryError::new(
            ErrorKind::Protocol,
            format!(
                "the jump host \"{}\" {why} (write [user@]host[:port], several separated by commas)",
                crate::model::escape_control(text)
            ),
        )
    };
    let written = text.trim();
    let rest = written.strip_prefix("ssh://").unwrap_or(written);
    let (user, rest) = match rest.rsplit_once('@') {
        Some((user, rest)) => (Some(user.to_string()), rest),
        None => (None, rest),
    };
    let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or_else(|| bad("has an unclosed ["))?;
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return Err(bad("has text after ]")),
        }
    } else {
        match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok().filter(|&p| p > 0).ok_or_else(|| bad("has no valid port"))?),
        None => None,
    };
    // A host that starts with '-' would read as an option to any command it reached; a space,
    // a control character or a slash is never part of a host name.
    let plain = |s: &str| !s.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/');
    if host.is_empty() || host.starts_with('-') || !plain(host) {
        return Err(bad("is not a host name"));
    }
    if user.as_deref().is_some_and(|u| u.is_empty() || !plain(u)) {
        return Err(bad("has no valid user name"));
    }
    Ok(JumpSpec { user, host: host.to_string(), port })
}

/// What the `%` tokens of a `ProxyCommand` stand for.
#[derive(Debug, Clone)]
pub struct CommandTokens<'a> {
    /// `%h`: the host name to reach (after `HostName`).
    pub host: &'a str,
    /// `%p`: its port.
    pub port: u16,
    /// `%r`: the remote user name.
    pub user: &'a str,
    /// `%n`: the name as the user typed it (the alias).
    pub alias: &'a str,
}

/// Expands `%h`, `%p`, `%r`, `%n` and `%%` in a `ProxyCommand`, as ssh does. Any other token is
/// refused, since running a command with a token left in it would reach somewhere else. The
/// command goes to a shell, and a host or user name can come from a clicked link: a value with a
/// character the shell would act on is refused where a token puts it, as ssh refuses it
/// (CVE-2023-51385).
pub fn expand_proxy_command(command: &str, tokens: &CommandTokens<'_>) -> Result<String> {
    let mut out = String::with_capacity(command.len());
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('h') => out.push_str(shell_safe("host name", tokens.host)?),
            Some('p') => out.push_str(&tokens.port.to_string()),
            Some('r') => out.push_str(shell_safe("user name", tokens.user)?),
            Some('n') => out.push_str(shell_safe("name", tokens.alias)?),
            other => {
                let token = other.map(|t| format!("%{t}")).unwrap_or_else(|| "a lone %".to_string());
                return Err(FerryError::new(
                    ErrorKind::Unsupported,
                    format!(
                        "the ProxyCommand {} holds {}, which Ferry does not expand (it knows %h, %p, %r, %n and %%)",
                        crate::model::escape_control(command),
                        crate::model::escape_control(&token)
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// `value` if it can stand in a shell command as it is: no quote, no `$`, `;`, `&`, `|`,
/// redirection, brackets, backslash, space or control character, and no leading `-`.
fn shell_safe<'a>(what: &str, value: &'a str) -> Result<&'a str> {
    let unsafe_char = |c: char| c.is_whitespace() || c.is_control() || "'`\"$\\;&<>|(){}*?[]~#!".contains(c);
    if value.starts_with('-') || value.chars().any(unsafe_char) {
        return Err(FerryError::new(
            ErrorKind::Unsupported,
            format!(
                "the {what} \"{}\" holds characters a shell would act on, so it is not put into the ProxyCommand",
                crate::model::escape_control(value)
            ),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hop(user: Option<&str>, host: &str, port: Option<u16>) -> JumpSpec {
        JumpSpec { user: user.map(str::to_string), host: host.to_string(), port }
    }

    #[test]
    fn chains_of_hops_in_every_written_form() {
        let chain = parse_jump_chain("gw, ops@bastion:2222,ssh://root@[::1]:22,[fe80::1]").unwrap();
        assert_eq!(
            chain,
            vec![
                hop(None, "gw", None),
                hop(Some("ops"), "bastion", Some(2222)),
                hop(Some("root"), "::1", Some(22)),
                hop(None, "fe80::1", None)
            ]
        );
        assert_eq!(parse_jump_chain("None").unwrap(), Vec::new());
    }

    #[test]
    fn malformed_hops_are_refused() {
        for text in ["", "a,,b", "host:0", "host:x", "@host", "-oProxyCommand=x", "a b", "[::1", "h/x", "a\nb"] {
            assert!(parse_jump_chain(text).is_err(), "{text:?} was accepted");
        }
        let long = ["h"; MAX_JUMP_HOSTS + 1].join(",");
        assert_eq!(parse_jump_chain(&long).unwrap_err().kind, ErrorKind::Unsupported);
    }

    #[test]
    fn proxy_command_tokens() {
        let tokens = CommandTokens { host: "10.0.0.5", port: 2200, user: "ops", alias: "db" };
        assert_eq!(expand_proxy_command("nc %h %p # %r@%n 100%%", &tokens).unwrap(), "nc 10.0.0.5 2200 # ops@db 100%");
        assert_eq!(expand_proxy_command("x %C", &tokens).unwrap_err().kind, ErrorKind::Unsupported);
        assert!(expand_proxy_command("x %", &tokens).is_err());
    }

    #[test]
    fn names_a_shell_would_act_on_never_reach_the_command() {
        for user in ["x$(touch /tmp/owned)", "a;b", "`id`", "a b", "-oProxyCommand=x", "a\nb", "a|b"] {
            let tokens = CommandTokens { host: "h", port: 22, user, alias: "h" };
            let error = expand_proxy_command("ssh -W %h:%p -l %r gw", &tokens).unwrap_err();
            assert_eq!(error.kind, ErrorKind::Unsupported, "{user:?}");
        }
        let tokens = CommandTokens { host: "h;reboot", port: 22, user: "u", alias: "h" };
        assert!(expand_proxy_command("nc %h %p", &tokens).is_err());
        let tokens = CommandTokens { host: "fe80::1%eth0", port: 22, user: "o.k-user_1@corp", alias: "db.lan" };
        assert!(expand_proxy_command("nc %h %p %r %n", &tokens).is_ok());
        // Only the tokens the command uses are checked, as in ssh.
        let tokens = CommandTokens { host: "h", port: 22, user: "a b", alias: "h" };
        assert!(expand_proxy_command("nc %h %p", &tokens).is_ok());
    }
}
