//! Serves arbitrary bytes as an FTP server's greeting and replies, over a loopback TCP socket, to
//! Ferry's FTP connect (suppaftp's reply reader, login, FEAT, PWD) and checks that nothing panics
//! and that the connect ends, with a login or an error, well before its timeout.
#![no_main]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ferry::backend::ConnectSettings;
use ferry::backend::ftp::FtpBackend;
use ferry::config::ConfigDir;
use ferry::model::{ConnectSpec, Protocol};
use ferry::trust::TrustStore;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    listener: TcpListener,
    trust: TrustStore,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let listener = TcpListener::bind("127.0.0.1:0").expect("loopback listener");
        let config = std::env::temp_dir().join(format!("ferry-fuzz-ftp-{}", std::process::id()));
        let trust = TrustStore::new(ConfigDir::at(config), None);
        Fixture { runtime, listener, trust }
    })
}

fuzz_target!(|data: &[u8]| {
    let fixture = fixture();
    let port = fixture.listener.local_addr().expect("listener address").port();
    let replies = data.to_vec();
    let listener = fixture.listener.try_clone().expect("listener clone");
    // The "server": accept one connection, send every reply at once, close the sending side (so
    // the client sees the end instead of waiting), and read what the client says until it hangs up.
    let server = std::thread::spawn(move || {
        let Ok((mut socket, _)) = listener.accept() else { return };
        let _ = socket.set_read_timeout(Some(Duration::from_secs(5)));
        let _ = socket.write_all(&replies);
        let _ = socket.shutdown(Shutdown::Write);
        let mut sink = [0u8; 4096];
        while matches!(socket.read(&mut sink), Ok(n) if n > 0) {}
    });

    let mut spec = ConnectSpec::new(Protocol::Ftp, "127.0.0.1");
    spec.port = port;
    spec.user = "fuzz".to_string();
    spec.password = Some(SecretString::from("fuzz-password"));
    let settings = ConnectSettings { timeout: Duration::from_secs(5), ..ConnectSettings::default() };
    let started = Instant::now();
    let outcome = fixture.runtime.block_on(FtpBackend::connect(&spec, &fixture.trust, &settings));
    // A finite reply stream that ends must never leave the client waiting for the timeout.
    assert!(started.elapsed() < Duration::from_secs(4), "connect hung on a closed reply stream");
    drop(outcome);
    server.join().expect("server thread");
});
