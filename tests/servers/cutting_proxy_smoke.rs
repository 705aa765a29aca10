//! Proves that tests/cutting_proxy cuts and stalls connections where it is told to: against tiny
//! servers inside the test, a real sshd, and a real vsftpd (cut download, then a resumed one).

use crate::cutting_proxy;
use crate::support;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use cutting_proxy::{Cut, CuttingProxy, Direction, Fault};
use support::{Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions};

/// Upper bound for any single wait of these tests.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A server on 127.0.0.1 for one connection: it sends `greeting`, then reads until end of file
/// and returns what it read.
fn one_shot_server(greeting: Vec<u8>) -> (u16, JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test server");
    let port = listener.local_addr().expect("test server address").port();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept at the test server");
        stream.set_read_timeout(Some(TIMEOUT)).expect("read timeout");
        stream.write_all(&greeting).expect("send the greeting");
        let mut received = Vec::new();
        let _ = stream.read_to_end(&mut received); // Ends at EOF or reset; both count here.
        received
    });
    (port, server)
}

fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the proxy");
    stream.set_read_timeout(Some(TIMEOUT)).expect("read timeout");
    stream
}

/// `len` bytes that differ from position to position (xorshift), so misplaced bytes show.
fn pattern(len: usize) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

/// Whether a read shows the connection is gone (end of file or an error), not just quiet.
fn is_closed(read: std::io::Result<usize>) -> bool {
    match read {
        Ok(0) => true,
        Ok(_) => false,
        Err(err) => !matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
    }
}

#[test]
fn tcp_drop_to_server_delivers_exactly_the_bytes_before_the_cut() {
    let (server_port, server) = one_shot_server(Vec::new());
    let cut = Cut { direction: Direction::ToServer, after_bytes: 1000, fault: Fault::Drop };
    let proxy = CuttingProxy::tcp(server_port, vec![cut]);
    let mut client = connect(proxy.port());

    let _ = client.write_all(&pattern(4000)); // May or may not fail: the cut races the write.
    let mut buffer = [0; 100];
    assert!(is_closed(client.read(&mut buffer)), "the client should see EOF or an error after the cut");
    let deadline = Instant::now() + TIMEOUT;
    while client.write_all(&[0; 1000]).is_ok() {
        assert!(Instant::now() < deadline, "writes after the cut keep succeeding");
        thread::sleep(Duration::from_millis(10));
    }

    let received = server.join().expect("test server thread");
    assert_eq!(received, pattern(1000), "the server gets exactly the bytes before the cut");
    assert_eq!(proxy.bytes_relayed(), 1000);
    assert_eq!(proxy.connections(), 1);
}

#[test]
fn tcp_stall_to_client_goes_silent_until_the_proxy_is_dropped() {
    const CUT_AT: usize = 3000;
    let (server_port, server) = one_shot_server(pattern(10_000));
    let cut = Cut { direction: Direction::ToClient, after_bytes: CUT_AT as u64, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(server_port, vec![cut]);
    let mut client = connect(proxy.port());

    let mut received = vec![0; CUT_AT];
    client.read_exact(&mut received).expect("the bytes before the stall");
    assert_eq!(received, pattern(CUT_AT));
    client.set_read_timeout(Some(Duration::from_secs(1))).expect("read timeout");
    let quiet = client.read(&mut [0; 100]).expect_err("nothing may arrive after the stall");
    assert!(matches!(quiet.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut), "a timeout, not {quiet:?}");
    assert_eq!(proxy.bytes_relayed(), CUT_AT as u64);

    drop(proxy);
    client.set_read_timeout(Some(TIMEOUT)).expect("read timeout");
    assert!(is_closed(client.read(&mut [0; 100])), "dropping the proxy ends a stalled connection");
    server.join().expect("the test server's connection ends too");
}

#[test]
fn tcp_stall_to_server_holds_back_bytes_until_the_client_leaves() {
    let (server_port, server) = one_shot_server(Vec::new());
    let cut = Cut { direction: Direction::ToServer, after_bytes: 500, fault: Fault::Stall };
    let proxy = CuttingProxy::tcp(server_port, vec![cut]);
    let mut client = connect(proxy.port());
    client.write_all(&pattern(100_000)).expect("writes into a stall do not fail");

    drop(client);
    let received = server.join().expect("the server sees EOF once the client left");
    assert_eq!(received, pattern(500));
    assert_eq!(proxy.bytes_relayed(), 500);
}

#[test]
fn tcp_one_way_stall_to_server_holds_back_the_clients_bytes_but_passes_the_servers() {
    // The server answers only once it has the 500 bytes before the stall: its answer must still
    // reach the client, while nothing more of the client's reaches it.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the test server");
    let server_port = listener.local_addr().expect("test server address").port();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept at the test server");
        stream.set_read_timeout(Some(TIMEOUT)).expect("read timeout");
        let mut received = vec![0; 500];
        stream.read_exact(&mut received).expect("the bytes before the stall");
        stream.write_all(b"still here").expect("answer after the stall");
        let _ = stream.read_to_end(&mut received);
        received
    });
    let cut = Cut { direction: Direction::ToServer, after_bytes: 500, fault: Fault::OneWayStall };
    let proxy = CuttingProxy::tcp(server_port, vec![cut]);
    let mut client = connect(proxy.port());
    client.write_all(&pattern(100_000)).expect("writes into a stall do not fail");
    let mut answer = [0; 10];
    client.read_exact(&mut answer).expect("the server's bytes still arrive");
    assert_eq!(&answer, b"still here");

    drop(client);
    assert_eq!(server.join().expect("the server sees EOF once the client left"), pattern(500));
}

#[test]
fn tcp_cuts_a_real_sshd_banner_then_relays_the_next_connection_untouched() {
    let sshd = Sshd::start();
    let cut = Cut { direction: Direction::ToClient, after_bytes: 4, fault: Fault::Drop };
    let proxy = CuttingProxy::tcp(sshd.port(), vec![cut]);

    let mut received = Vec::new();
    connect(proxy.port()).read_to_end(&mut received).expect("the bytes before the cut, then EOF");
    assert_eq!(received, b"SSH-");

    let mut banner = String::new();
    BufReader::new(connect(proxy.port())).read_line(&mut banner).expect("sshd's banner");
    assert!(banner.starts_with("SSH-2.0-"), "untouched second connection: {banner:?}");
    assert_eq!(proxy.connections(), 2);
}

// ---------------------------------------------------------------------------
// FTP through a real vsftpd
// ---------------------------------------------------------------------------

/// A raw FTP control connection.
struct Ftp {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Ftp {
    /// Connects to 127.0.0.1:`port` and logs in as the test user.
    fn login(port: u16) -> Ftp {
        let stream = connect(port);
        let writer = stream.try_clone().expect("clone the control connection");
        let mut ftp = Ftp { reader: BufReader::new(stream), writer };
        ftp.expect_reply("220");
        ftp.command(&format!("USER {TEST_USER}"), "331");
        ftp.command(&format!("PASS {TEST_PASSWORD}"), "230");
        ftp
    }

    /// Sends `command` and returns the reply, which must start with `code`.
    fn command(&mut self, command: &str, code: &str) -> String {
        self.writer.write_all(format!("{command}\r\n").as_bytes()).expect("send an FTP command");
        self.expect_reply(code)
    }

    /// Reads one reply (all lines of a multi-line reply); the last line must start with `code`.
    fn expect_reply(&mut self, code: &str) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).expect("read an FTP reply");
            assert!(!line.is_empty(), "the control connection closed; reply so far: {reply:?}");
            reply += &line;
            let bytes = line.as_bytes();
            if bytes.len() >= 4 && bytes[..3].iter().all(u8::is_ascii_digit) && bytes[3] == b' ' {
                break;
            }
        }
        let last = reply.lines().last().unwrap_or_default().to_owned();
        assert!(last.starts_with(code), "expected {code}, got {reply:?}");
        last
    }

    /// Enters passive mode with `EPSV` or `PASV` and opens the data connection.
    fn passive(&mut self, command: &str) -> (TcpStream, u16) {
        let port = match command {
            "EPSV" => {
                let reply = self.command("EPSV", "229");
                let inside = reply.split("(|||").nth(1).and_then(|rest| rest.split('|').next());
                inside.and_then(|port| port.parse().ok()).unwrap_or_else(|| panic!("bad 229 reply: {reply}"))
            }
            "PASV" => {
                let reply = self.command("PASV", "227");
                let inside = reply.split('(').nth(1).and_then(|rest| rest.split(')').next()).unwrap_or_default();
                let numbers: Vec<u16> = inside.split(',').map(|n| n.parse().expect("a number")).collect();
                assert_eq!(numbers[..4], [127, 0, 0, 1], "the proxy names 127.0.0.1: {reply}");
                numbers[4] * 256 + numbers[5]
            }
            other => panic!("unknown passive command {other}"),
        };
        (connect(port), port)
    }

    /// `RETR name` from `offset` (`REST` first when not 0) over a fresh passive connection:
    /// everything the data connection delivers until EOF, and the final reply.
    fn retrieve(&mut self, passive: &str, name: &str, offset: u64) -> (Vec<u8>, u16, String) {
        let (mut data, port) = self.passive(passive);
        if offset > 0 {
            self.command(&format!("REST {offset}"), "350");
        }
        self.command(&format!("RETR {name}"), "150");
        let mut received = Vec::new();
        data.read_to_end(&mut received).expect("the data connection ends with EOF");
        // 226 if vsftpd could write it all into the socket buffers before the cut, else 426.
        let reply = self.expect_reply("");
        (received, port, reply)
    }
}

/// A download cut after 1 MB on the first data connection, then resumed with `REST` on a second,
/// untouched one, through `passive` ("EPSV" or "PASV").
fn cut_download_then_resume(passive: &str) {
    const SIZE: usize = 5 * 1024 * 1024;
    const CUT_AT: usize = 1_000_000;
    let vsftpd = Vsftpd::start(VsftpdOptions::default());
    let file = pattern(SIZE);
    std::fs::write(vsftpd.data_dir().join("big.bin"), &file).expect("write big.bin");
    let cut = Cut { direction: Direction::ToClient, after_bytes: CUT_AT as u64, fault: Fault::Drop };
    let proxy = CuttingProxy::ftp(vsftpd.port(), vec![cut]);

    let mut ftp = Ftp::login(proxy.port());
    ftp.command("TYPE I", "200");
    let (head, port, reply) = ftp.retrieve(passive, "big.bin", 0);
    assert_eq!(head.len(), CUT_AT, "exactly the bytes before the cut, then EOF");
    assert!(!vsftpd.pasv_ports().contains(&port), "the passive reply names the proxy, not vsftpd");
    assert!(reply.starts_with("226") || reply.starts_with("426"), "after the cut: {reply}");

    let (tail, _, reply) = ftp.retrieve(passive, "big.bin", CUT_AT as u64);
    assert!(reply.starts_with("226"), "resumed download: {reply}");
    assert_eq!(tail.len(), SIZE - CUT_AT);
    assert!([head, tail].concat() == file, "the two parts make up the file");
    ftp.command("QUIT", "221");

    assert_eq!(proxy.connections(), 3, "control + two data connections");
    let relayed = proxy.bytes_relayed();
    assert!((SIZE as u64..SIZE as u64 + 10_000).contains(&relayed), "file once plus control: {relayed}");
}

#[test]
fn ftp_epsv_download_cut_then_resumed() {
    support::require_password_logins();
    cut_download_then_resume("EPSV");
}

#[test]
fn ftp_pasv_download_cut_then_resumed() {
    support::require_password_logins();
    cut_download_then_resume("PASV");
}
