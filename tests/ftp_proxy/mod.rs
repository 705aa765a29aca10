//! A fault-injecting FTP control-connection proxy on 127.0.0.1: it relays to a real vsftpd but
//! can refuse EPSV as an old server would, and rewrite PASV replies to name another address
//! (127.0.0.2, where nothing listens), as a hostile or misconfigured server would.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// What the proxy changes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Answer `EPSV` with `500` instead of passing it on.
    pub refuse_epsv: bool,
    /// Replace the address in `227` replies with 127.0.0.2.
    pub lie_in_pasv: bool,
}

/// A running proxy; it stops with the test process.
pub struct FtpProxy {
    port: u16,
    epsv_refused: Arc<AtomicUsize>,
    pasv_rewritten: Arc<AtomicUsize>,
}

impl FtpProxy {
    /// Starts relaying 127.0.0.1:<new port> to 127.0.0.1:`upstream`.
    pub fn start(upstream: u16, faults: Faults) -> FtpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let epsv_refused = Arc::new(AtomicUsize::new(0));
        let pasv_rewritten = Arc::new(AtomicUsize::new(0));
        let (refused, rewritten) = (epsv_refused.clone(), pasv_rewritten.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (refused, rewritten) = (refused.clone(), rewritten.clone());
                thread::spawn(move || relay(client, upstream, faults, refused, rewritten));
            }
        });
        FtpProxy { port, epsv_refused, pasv_rewritten }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// How many EPSV commands were refused.
    pub fn epsv_refused(&self) -> usize {
        self.epsv_refused.load(Ordering::SeqCst)
    }

    /// How many PASV replies were rewritten.
    pub fn pasv_rewritten(&self) -> usize {
        self.pasv_rewritten.load(Ordering::SeqCst)
    }
}

fn relay(client: TcpStream, upstream: u16, faults: Faults, refused: Arc<AtomicUsize>, rewritten: Arc<AtomicUsize>) {
    let Ok(server) = TcpStream::connect(("127.0.0.1", upstream)) else { return };
    let (Ok(client_writer), Ok(server_reader)) = (client.try_clone(), server.try_clone()) else { return };
    let client_writer = Arc::new(std::sync::Mutex::new(client_writer));
    let to_client = client_writer.clone();
    // Server to client: pass replies on, rewriting PASV addresses if asked.
    thread::spawn(move || {
        for line in BufReader::new(server_reader).split(b'\n').map_while(Result::ok) {
            let mut line = String::from_utf8_lossy(&line).into_owned();
            if faults.lie_in_pasv
                && line.starts_with("227 ")
                && let (Some(open), Some(close)) = (line.find('('), line.find(')'))
            {
                let numbers: Vec<&str> = line[open + 1..close].split(',').collect();
                if numbers.len() == 6 {
                    line = format!("227 Entering Passive Mode (127,0,0,2,{},{}).\r", numbers[4], numbers[5]);
                    rewritten.fetch_add(1, Ordering::SeqCst);
                }
            }
            let mut writer = to_client.lock().expect("client writer");
            if writer.write_all(format!("{line}\n").as_bytes()).is_err() {
                return;
            }
        }
    });
    // Client to server: pass commands on, answering EPSV ourselves if asked.
    let mut server_writer = server;
    for line in BufReader::new(client).split(b'\n').map_while(Result::ok) {
        let text = String::from_utf8_lossy(&line);
        if faults.refuse_epsv && text.trim().eq_ignore_ascii_case("EPSV") {
            refused.fetch_add(1, Ordering::SeqCst);
            let mut writer = client_writer.lock().expect("client writer");
            let _ = writer.write_all(b"500 Unknown command.\r\n");
            continue;
        }
        let mut bytes = line.clone();
        bytes.push(b'\n');
        if server_writer.write_all(&bytes).is_err() {
            return;
        }
    }
}
