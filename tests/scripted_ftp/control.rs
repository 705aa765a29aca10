//! One control connection: reading command lines, applying the script, answering each verb.

use std::io::{ErrorKind as IoKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use super::data::{data_command, open_data_listener};
use super::script::{Reply, Stage};
use super::{IDLE_LIMIT, MAX_COMMAND_LINE, MDTM, POLL, Shared, WRITE_TIMEOUT, lock, parent_of, resolve, verb_of};

/// Reads command lines from a control connection, waking regularly to check the stop flag.
struct LineReader {
    pub(super) stream: TcpStream,
    pub(super) pending: Vec<u8>,
}

enum Line {
    Complete(Vec<u8>),
    /// Too long: the first bytes, recorded before the connection is closed.
    TooLong(Vec<u8>),
    Closed,
}

impl LineReader {
    pub(super) fn next(&mut self, shared: &Shared) -> Line {
        let idle_since = Instant::now();
        let mut buffer = [0u8; 8192];
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                return Line::Complete(self.pending.drain(..=end).collect());
            }
            if self.pending.len() > MAX_COMMAND_LINE {
                return Line::TooLong(std::mem::take(&mut self.pending));
            }
            if shared.stopped() || idle_since.elapsed() > IDLE_LIMIT {
                return Line::Closed;
            }
            match self.stream.read(&mut buffer) {
                Ok(0) => return Line::Closed,
                Ok(n) => self.pending.extend_from_slice(&buffer[..n]),
                Err(e) if matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut | IoKind::Interrupted) => {}
                Err(_) => return Line::Closed,
            }
        }
    }
}

/// One control connection's state.
pub(super) struct Session {
    pub(super) cwd: String,
    pub(super) rest: Option<u64>,
    pub(super) data_listener: Option<TcpListener>,
    pub(super) rename_from: Option<String>,
}

/// Whether the connection goes on after a reply.
#[derive(PartialEq, Eq)]
pub(super) enum Next {
    Continue,
    Close,
}

/// Writes a reply; `Close` if it asks to hang up or the client is gone.
pub(super) fn send(stream: &mut TcpStream, shared: &Shared, reply: &Reply) -> Next {
    match reply {
        Reply::Bytes(bytes) => {
            if stream.write_all(bytes).and_then(|()| stream.flush()).is_err() {
                return Next::Close;
            }
            Next::Continue
        }
        Reply::Split(pieces, gap) => {
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 && !shared.sleep(*gap) {
                    return Next::Close;
                }
                if stream.write_all(piece).and_then(|()| stream.flush()).is_err() {
                    return Next::Close;
                }
            }
            Next::Continue
        }
        Reply::HangUp => Next::Close,
        Reply::ThenClose(reply) => {
            send(stream, shared, reply);
            Next::Close
        }
    }
}

pub(super) fn send_text(stream: &mut TcpStream, shared: &Shared, text: &str) -> Next {
    send(stream, shared, &Reply::text(text))
}

pub(super) fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(POLL));
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = LineReader { stream, pending: Vec::new() };
    if send(&mut writer, &shared, &shared.script.greeting) == Next::Close {
        return;
    }
    let mut session = Session { cwd: "/".to_string(), rest: None, data_listener: None, rename_from: None };
    loop {
        let raw = match reader.next(&shared) {
            Line::Complete(raw) => raw,
            Line::TooLong(start) => {
                lock(&shared.log).commands.push(start);
                let _ = send_text(&mut writer, &shared, "500 Command line too long.");
                break;
            }
            Line::Closed => break,
        };
        let body = raw.strip_suffix(b"\r\n").or_else(|| raw.strip_suffix(b"\n")).unwrap_or(&raw);
        let text = String::from_utf8_lossy(body).into_owned();
        let verb = verb_of(&text);
        let arg = text.split_once(' ').map(|(_, arg)| arg.to_string()).unwrap_or_default();
        let nth = {
            let mut log = lock(&shared.log);
            log.commands.push(raw.clone());
            let count = log.counts.entry(verb.clone()).or_insert(0);
            *count += 1;
            *count
        };
        if let Some(delay) = shared.script.delay_for(&verb, nth)
            && !shared.sleep(delay)
        {
            break;
        }
        if let Some(reply) = shared.script.override_for(&verb, nth, Stage::Command) {
            if is_data_command(&verb) {
                // The client may have connected already; the pending connection is dropped.
                session.data_listener = None;
                session.rest = None;
            }
            if send(&mut writer, &shared, &reply) == Next::Close {
                break;
            }
            continue;
        }
        if handle(&shared, &mut writer, &mut session, &verb, &arg, nth) == Next::Close {
            break;
        }
    }
    // Closing the writer's clone and the reader's stream ends the connection.
}

fn is_data_command(verb: &str) -> bool {
    matches!(verb, "LIST" | "NLST" | "MLSD" | "RETR" | "STOR" | "APPE")
}

pub(super) fn handle(
    shared: &Shared,
    out: &mut TcpStream,
    session: &mut Session,
    verb: &str,
    arg: &str,
    nth: usize,
) -> Next {
    let script = &shared.script;
    match verb {
        "USER" => send_text(out, shared, "331 Please specify the password."),
        "PASS" => send_text(out, shared, "230 Login successful."),
        "ACCT" => send_text(out, shared, "202 Not needed."),
        "SYST" => send_text(out, shared, "215 UNIX Type: L8"),
        "TYPE" => send_text(out, shared, "200 Type set."),
        "MODE" | "STRU" => send_text(out, shared, "200 OK."),
        "NOOP" => send_text(out, shared, "200 NOOP ok."),
        "OPTS" => send_text(out, shared, "200 OK."),
        "SITE" => send_text(out, shared, "200 SITE command ok."),
        "ABOR" => send_text(out, shared, "226 No transfer to abort."),
        "QUIT" => send(out, shared, &Reply::text("221 Goodbye.").then_close()),
        "FEAT" => {
            let mut text = String::from("211-Features:\r\n");
            for feature in &script.features {
                text.push_str(&format!(" {feature}\r\n"));
            }
            text.push_str("211 End");
            send_text(out, shared, &text)
        }
        "PWD" | "XPWD" => send_text(out, shared, &format!("257 \"{}\" is the current directory.", session.cwd)),
        "CWD" | "XCWD" => {
            let path = resolve(&session.cwd, arg);
            if lock(&shared.fs).dirs.contains_key(&path) || script.nests_forever.is_some() {
                session.cwd = path;
                send_text(out, shared, "250 Directory successfully changed.")
            } else {
                send_text(out, shared, "550 Failed to change directory.")
            }
        }
        "CDUP" | "XCUP" => {
            session.cwd = parent_of(&session.cwd).to_string();
            send_text(out, shared, "250 Directory successfully changed.")
        }
        "SIZE" => {
            let path = resolve(&session.cwd, arg);
            match lock(&shared.fs).files.get(&path) {
                Some(bytes) => send_text(out, shared, &format!("213 {}", bytes.len())),
                None => send_text(out, shared, "550 Could not get file size."),
            }
        }
        "MDTM" => {
            // "MDTM time path" sets the time (vsftpd style); "MDTM path" reads it.
            let (time, path) = match arg.split_once(' ') {
                Some((time, path)) if time.len() == 14 && time.bytes().all(|b| b.is_ascii_digit()) => {
                    (Some(time), path)
                }
                _ => (None, arg),
            };
            let path = resolve(&session.cwd, path);
            let exists = lock(&shared.fs).files.contains_key(&path);
            match (exists, time) {
                (true, Some(_)) => send_text(out, shared, "213 File modification time set."),
                (true, None) => send_text(out, shared, &format!("213 {MDTM}")),
                (false, _) => send_text(out, shared, "550 Could not get file modification time."),
            }
        }
        "MFMT" => send_text(out, shared, "213 Modify=20240102030405; ok"),
        "MLST" => {
            let path = resolve(&session.cwd, arg);
            let fs = lock(&shared.fs);
            let facts = if fs.dirs.contains_key(&path) {
                format!("type=dir;modify={MDTM};")
            } else if let Some(bytes) = fs.files.get(&path) {
                format!("type=file;size={};modify={MDTM};", bytes.len())
            } else {
                drop(fs);
                return send_text(out, shared, "550 No such file or directory.");
            };
            drop(fs);
            send_text(out, shared, &format!("250-Listing {path}\r\n {facts} {path}\r\n250 End."))
        }
        "MKD" | "XMKD" => {
            let path = resolve(&session.cwd, arg);
            if script.refused_dirs.contains(&path) {
                return send_text(out, shared, &format!("550 {path}: Permission denied."));
            }
            let mut fs = lock(&shared.fs);
            if fs.dirs.contains_key(&path) || fs.files.contains_key(&path) {
                drop(fs);
                send_text(out, shared, "550 Create directory operation failed: file exists.")
            } else {
                fs.dirs.insert(path.clone(), None);
                drop(fs);
                send_text(out, shared, &format!("257 \"{path}\" created."))
            }
        }
        "RMD" | "XRMD" => {
            let path = resolve(&session.cwd, arg);
            let removed = lock(&shared.fs).dirs.remove(&path).is_some();
            send_text(out, shared, if removed { "250 Remove directory operation successful." } else { "550 No." })
        }
        "DELE" => {
            let path = resolve(&session.cwd, arg);
            let removed = lock(&shared.fs).files.remove(&path).is_some();
            send_text(out, shared, if removed { "250 Delete operation successful." } else { "550 No such file." })
        }
        "RNFR" => {
            session.rename_from = Some(resolve(&session.cwd, arg));
            send_text(out, shared, "350 Ready for RNTO.")
        }
        "RNTO" => {
            let Some(from) = session.rename_from.take() else {
                return send_text(out, shared, "503 RNFR required first.");
            };
            let to = resolve(&session.cwd, arg);
            let mut fs = lock(&shared.fs);
            if let Some(bytes) = fs.files.remove(&from) {
                fs.files.insert(to, bytes);
                drop(fs);
                send_text(out, shared, "250 Rename successful.")
            } else {
                drop(fs);
                send_text(out, shared, "550 RNFR command failed.")
            }
        }
        "REST" => match arg.trim().parse::<u64>() {
            Ok(offset) => {
                session.rest = Some(offset);
                send_text(out, shared, &format!("350 Restart position accepted ({offset})."))
            }
            Err(_) => send_text(out, shared, "501 Bad REST argument."),
        },
        "EPSV" => {
            if script.refuse_epsv {
                return send_text(out, shared, "500 'EPSV': command not understood.");
            }
            match open_data_listener(session) {
                Some(port) => send_text(out, shared, &format!("229 Entering Extended Passive Mode (|||{port}|)")),
                None => send_text(out, shared, "425 Cannot listen."),
            }
        }
        "PASV" => match open_data_listener(session) {
            Some(port) => {
                let [a, b, c, d] = script.pasv_address;
                let (high, low) = (port / 256, port % 256);
                send_text(out, shared, &format!("227 Entering Passive Mode ({a},{b},{c},{d},{high},{low})."))
            }
            None => send_text(out, shared, "425 Cannot listen."),
        },
        "PORT" | "EPRT" => send_text(out, shared, "500 Active mode is not supported here."),
        "LIST" | "NLST" | "MLSD" | "RETR" | "STOR" | "APPE" => data_command(shared, out, session, verb, arg, nth),
        _ => send_text(out, shared, "502 Command not implemented."),
    }
}
