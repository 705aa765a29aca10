//! Data connections: the listener, listings, and downloads and uploads that trickle, stall or overrun.

use std::io::{ErrorKind as IoKind, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use super::control::{Next, Session, send, send_text};
use super::script::{Reply, Stage};
use super::{
    DATA_WAIT, DataConnection, ENDLESS_BYTES, MAX_UPLOAD, MDTM, POLL, Shared, WRITE_TIMEOUT, lock, name_of, parent_of,
    resolve,
};

/// A fresh data listener on 127.0.0.1 for the next data command; its port.
pub(super) fn open_data_listener(session: &mut Session) -> Option<u16> {
    session.data_listener = None;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).ok()?;
    listener.set_nonblocking(true).ok()?;
    let port = listener.local_addr().ok()?.port();
    session.data_listener = Some(listener);
    Some(port)
}

/// Waits for the client's data connection (the client connects before sending the command).
fn accept_data(shared: &Shared, listener: &TcpListener) -> Option<TcpStream> {
    let start = Instant::now();
    while !shared.stopped() && start.elapsed() < DATA_WAIT {
        match listener.accept() {
            Ok((stream, peer)) => {
                let local = stream.local_addr().ok()?;
                lock(&shared.log).data_connections.push(DataConnection { local, peer });
                stream.set_nonblocking(false).ok()?;
                stream.set_read_timeout(Some(POLL)).ok()?;
                stream.set_write_timeout(Some(WRITE_TIMEOUT)).ok()?;
                return Some(stream);
            }
            Err(e) if e.kind() == IoKind::WouldBlock || e.kind() == IoKind::Interrupted => thread::sleep(POLL / 5),
            Err(_) => return None,
        }
    }
    None
}

/// The lines of a folder listing: as scripted, or made from what the folder holds.
fn listing_lines(shared: &Shared, dir: &str, mlsd: bool, names_only: bool) -> Option<Vec<String>> {
    let fs = lock(&shared.fs);
    let explicit = match (fs.dirs.get(dir), &shared.script.nests_forever) {
        (Some(explicit), _) => explicit,
        (None, Some(name)) if mlsd => return Some(vec![format!("type=dir;modify={MDTM}; {name}")]),
        (None, Some(name)) => {
            return Some(vec![format!("drwxr-xr-x    2 ftp      ftp          4096 Jan 02  2024 {name}")]);
        }
        (None, None) => return None,
    };
    if let Some(lines) = explicit {
        return Some(lines.clone());
    }
    let mut lines = Vec::new();
    for (path, _) in fs.dirs.iter().filter(|(p, _)| p.as_str() != "/" && parent_of(p) == dir) {
        let name = name_of(path);
        lines.push(match (names_only, mlsd) {
            (true, _) => name.to_string(),
            (_, true) => format!("type=dir;modify={MDTM}; {name}"),
            _ => format!("drwxr-xr-x    2 ftp      ftp          4096 Jan 02  2024 {name}"),
        });
    }
    for (path, bytes) in fs.files.iter().filter(|(p, _)| parent_of(p) == dir) {
        let (name, size) = (name_of(path), bytes.len());
        lines.push(match (names_only, mlsd) {
            (true, _) => name.to_string(),
            (_, true) => format!("type=file;size={size};modify={MDTM}; {name}"),
            _ => format!("-rw-r--r--    1 ftp      ftp      {size:>10} Jan 02  2024 {name}"),
        });
    }
    Some(lines)
}

/// Sends `extra` more bytes after a download's end (a counting pattern), or listing lines without
/// end, in 64 KiB writes; false if the client went away or the server stopped.
fn send_endless(shared: &Shared, data: &mut TcpStream, extra: u64, listing: bool) -> bool {
    let mut sent = 0u64;
    let mut line = 0u64;
    while sent < extra {
        if shared.stopped() {
            return false;
        }
        let mut chunk = Vec::with_capacity(64 * 1024 + 128);
        while chunk.len() < 64 * 1024 {
            if listing {
                let text = format!("-rw-r--r--    1 ftp      ftp             7 Jan 02  2024 f{line}\r\n");
                chunk.extend_from_slice(text.as_bytes());
                line += 1;
            } else {
                chunk.push((sent + chunk.len() as u64) as u8);
            }
        }
        if data.write_all(&chunk).is_err() {
            return false;
        }
        lock(&shared.log).data_bytes_sent += chunk.len() as u64;
        sent += chunk.len() as u64;
    }
    true
}

/// Sends `bytes` on the data connection, trickling if scripted; false if the client went away.
fn send_data(shared: &Shared, data: &mut TcpStream, bytes: &[u8]) -> bool {
    lock(&shared.log).data_bytes_sent += bytes.len() as u64;
    match shared.script.trickle {
        None => data.write_all(bytes).and_then(|()| data.flush()).is_ok(),
        Some(rate) => {
            let piece = (rate as usize / 10).max(1);
            for (i, chunk) in bytes.chunks(piece).enumerate() {
                if i > 0 && !shared.sleep(Duration::from_millis(100)) {
                    return false;
                }
                if data.write_all(chunk).and_then(|()| data.flush()).is_err() {
                    return false;
                }
            }
            true
        }
    }
}

/// Reads an upload until the client closes the data connection; `None` if it stalls or stops.
fn receive_data(shared: &Shared, data: &mut TcpStream) -> Option<Vec<u8>> {
    let mut received = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut last = Instant::now();
    loop {
        if shared.stopped() || last.elapsed() > DATA_WAIT || received.len() > MAX_UPLOAD {
            return None;
        }
        match data.read(&mut buffer) {
            Ok(0) => return Some(received),
            Ok(n) => {
                received.extend_from_slice(&buffer[..n]);
                last = Instant::now();
            }
            Err(e) if matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut | IoKind::Interrupted) => {}
            Err(_) => return None,
        }
    }
}

pub(super) const OPENING: &str = "150 Opening BINARY mode data connection.";
const COMPLETE: &str = "226 Transfer complete.";

pub(super) fn data_command(
    shared: &Shared,
    out: &mut TcpStream,
    session: &mut Session,
    verb: &str,
    arg: &str,
    nth: usize,
) -> Next {
    let offset = session.rest.take().unwrap_or(0);
    let Some(listener) = session.data_listener.take() else {
        return send_text(out, shared, "425 Use PASV or EPSV first.");
    };
    let upload = matches!(verb, "STOR" | "APPE");
    if upload {
        let path = resolve(&session.cwd, arg);
        if !lock(&shared.fs).dirs.contains_key(parent_of(&path)) {
            // As inetutils ftpd and other BSD-style daemons answer a file stored into a folder
            // that does not exist: open(2)'s error, before any data connection.
            return send_text(out, shared, &format!("553 {path}: No such file or directory."));
        }
    }
    // What goes out (downloads), or where it lands (uploads); checked before the data connection.
    let outgoing: Option<Vec<u8>> = match verb {
        "RETR" => {
            let path = resolve(&session.cwd, arg);
            let fs = lock(&shared.fs);
            let Some(bytes) = fs.files.get(&path) else {
                drop(fs);
                return send_text(out, shared, "550 Failed to open file.");
            };
            let end = shared.script.short.get(&path).map_or(bytes.len(), |&n| n.min(bytes.len()));
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(end);
            Some(bytes[start..end].to_vec())
        }
        "LIST" | "NLST" | "MLSD" => {
            // Options ("-a") and globs are not understood: a path argument is listed, else the cwd.
            let dir =
                if arg.is_empty() || arg.starts_with('-') { session.cwd.clone() } else { resolve(&session.cwd, arg) };
            // `LIST FILE` lists that one file, as Unix servers do.
            let one_file = if verb == "LIST" { lock(&shared.fs).files.get(&dir).map(Vec::len) } else { None };
            if let Some(size) = one_file {
                let line = format!("-rw-r--r--    1 ftp      ftp      {size:>10} Jan 02  2024 {}\r\n", name_of(&dir));
                Some(line.into_bytes())
            } else {
                let Some(lines) = listing_lines(shared, &dir, verb == "MLSD", verb == "NLST") else {
                    return send_text(out, shared, "550 No such directory.");
                };
                let mut bytes = Vec::new();
                for line in lines {
                    bytes.extend_from_slice(line.as_bytes());
                    bytes.extend_from_slice(b"\r\n");
                }
                Some(bytes)
            }
        }
        _ => None,
    };
    if shared.script.data_never_opens {
        // Keep the listener (and the client's pending connection) until the next command.
        session.data_listener = Some(listener);
        return send(out, shared, &shared.script.opening);
    }
    let Some(mut data) = accept_data(shared, &listener) else {
        return send_text(out, shared, "425 Failed to establish connection.");
    };
    drop(listener);
    let eager = shared.script.eager_transfer_replies;
    if !eager && send(out, shared, &shared.script.opening) == Next::Close {
        return Next::Close;
    }
    let completed = if upload {
        match receive_data(shared, &mut data) {
            Some(bytes) => {
                let path = resolve(&session.cwd, arg);
                let mut fs = lock(&shared.fs);
                let file = fs.files.entry(path).or_default();
                if verb == "STOR" {
                    file.truncate(usize::try_from(offset).unwrap_or(usize::MAX));
                }
                file.extend_from_slice(&bytes);
                true
            }
            None => false,
        }
    } else {
        let sent = send_data(shared, &mut data, outgoing.as_deref().unwrap_or_default());
        let listing = matches!(verb, "LIST" | "MLSD");
        let extra = match verb {
            "RETR" => shared.script.streams_past.get(&resolve(&session.cwd, arg)).copied().unwrap_or(0),
            _ if listing && shared.script.endless_listings => ENDLESS_BYTES,
            _ => 0,
        };
        sent && send_endless(shared, &mut data, extra, listing)
    };
    let _ = data.shutdown(std::net::Shutdown::Both);
    drop(data);
    let completion = if completed {
        shared.script.override_for(verb, nth, Stage::AfterData).unwrap_or_else(|| Reply::text(COMPLETE))
    } else {
        Reply::text("426 Connection closed; transfer aborted.")
    };
    if !eager {
        return send(out, shared, &completion);
    }
    // Both replies in one write where both are plain bytes.
    match (&shared.script.opening, &completion) {
        (Reply::Bytes(opening), Reply::Bytes(done)) => {
            send(out, shared, &Reply::exact([&opening[..], &done[..]].concat()))
        }
        (opening, done) => {
            if send(out, shared, opening) == Next::Close {
                return Next::Close;
            }
            send(out, shared, done)
        }
    }
}
