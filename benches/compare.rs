//! Ferry's speed beside OpenSSH `sftp`, `lftp` and `curl` on real servers (OpenSSH's sshd, Dropbear,
//! vsftpd), on loopback and an emulated 40 ms link.
//!
//! Run with `cargo bench --bench compare` (as root, after `bash tests/run.sh` once); benches/README.md
//! says what each row measures and how to read the table. Nothing here asserts a speed.

#[path = "../tests/support/mod.rs"]
mod support;

mod delay_proxy;
mod sync_nochange;

use std::fmt;
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::net::{IpAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use delay_proxy::DelayProxy;
use support::{Dropbear, Sshd, TEST_PASSWORD, TEST_USER, Vsftpd, VsftpdOptions, client_keys, test_certificate};

/// Where the servers listen; clients on the plain loopback link connect here.
const LAN_HOST: &str = "127.0.0.1";
/// Where the delay proxy listens, on the servers' own port numbers.
const WAN_HOST: &str = "127.0.0.2";
/// Delay per direction on the emulated link: 40 ms round trip.
const WAN_ONE_WAY: Duration = Duration::from_millis(20);
/// The file of the WAN Dropbear row, at most: a 24,576-byte window per 40 ms round trip moves
/// about 600 KB/s, so 8 MiB takes some 15 s a run where the full size would take minutes.
const DROPBEAR_WAN_BYTES: u64 = 8 << 20;
/// For `--version` and the like.
const QUICK_TIMEOUT: Duration = Duration::from_secs(10);
/// The tree of small files: this many folders, files of this size.
const TREE_FOLDERS: usize = 20;
const TREE_FILE_BYTES: u64 = 4096;
/// Connections for recursive transfers (ferry and lftp; OpenSSH sftp has only one).
const PARALLEL: &str = "4";
/// The tools compared with ferry, and the Debian packages that hold them.
const REQUIRED_TOOLS: [(&str, &str); 4] =
    [("sftp", "openssh-client"), ("ssh", "openssh-client"), ("lftp", "lftp"), ("curl", "curl")];

fn main() {
    let settings = Settings::from_env();
    check_prerequisites();
    let bench = Bench::prepare(settings);
    print_machine_and_versions(&bench.ferry);
    let mut rows = bench.run_link(Link::Lan);
    let mut no_change = bench.no_change_sync(Link::Lan);
    // The proxy lives only for the WAN half and is stopped when dropped.
    match bench.start_delay_proxy() {
        Ok(_proxy) => {
            println!("{}", bench.check_wan_link());
            rows.extend(bench.run_link(Link::Wan));
            no_change.extend(bench.no_change_sync(Link::Wan));
        }
        Err(error) => eprintln!("WAN rows skipped: cannot start the delay proxy on {WAN_HOST}: {error}"),
    }
    print_table(&bench.settings, &rows);
    if !no_change.is_empty() {
        println!("\n| no-change sync | tool | seconds | load average |\n| --- | --- | --- | --- |");
        no_change.iter().for_each(|line| println!("{line}"));
    }
    // Clients, servers and the proxy share the machine: other work running meanwhile skews the
    // times, and these two lines show whether there was any.
    println!("\nload average at the end: {}", load_average());
    drop(bench); // Stops the servers and removes the work folder.
    // The harness keeps its client keys and certificate in $TMPDIR/ferry-tests-<pid> for the life
    // of the process (a later harness process would remove it); nothing needs them any more.
    let _ = fs::remove_dir_all(std::env::temp_dir().join(format!("ferry-tests-{}", std::process::id())));
}

// ---------------------------------------------------------------------------
// Settings and prerequisites
// ---------------------------------------------------------------------------

/// What to run, from the environment (defaults: the full benchmark).
struct Settings {
    /// Runs per tool and case; the table shows the median.
    runs: usize,
    big_bytes: u64,
    tree_files: usize,
    /// A transfer running longer is killed and its row marked FAILED (FERRY_BENCH_TIMEOUT, seconds).
    timeout: Duration,
    /// Only cases whose "LAN SFTP download 1 GiB"-style name contains one of these (any case if empty).
    only: Vec<String>,
}

impl Settings {
    fn from_env() -> Self {
        let only = std::env::var("FERRY_BENCH_ONLY").unwrap_or_default();
        Settings {
            runs: env_number("FERRY_BENCH_RUNS", 3).max(1) as usize,
            big_bytes: env_number("FERRY_BENCH_SIZE_MIB", 1024).max(1) << 20,
            tree_files: env_number("FERRY_BENCH_FILES", 2000).max(1) as usize,
            timeout: Duration::from_secs(env_number("FERRY_BENCH_TIMEOUT", 600).max(1)),
            only: only.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase).collect(),
        }
    }

    fn wants(&self, case: &Case) -> bool {
        let name = case.to_string().to_lowercase();
        self.only.is_empty() || self.only.iter().any(|part| name.contains(part))
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Err(_) => default,
        Ok(text) => text.trim().parse().unwrap_or_else(|_| exit_with(&format!("{name}={text:?} is not a number"))),
    }
}

fn exit_with(message: &str) -> ! {
    eprintln!("compare: {message}");
    std::process::exit(2);
}

/// Stops early, saying what to install or run, rather than printing a table of failures.
fn check_prerequisites() {
    let missing: Vec<_> = REQUIRED_TOOLS.iter().filter(|(tool, _)| !on_path(tool)).collect();
    if !missing.is_empty() {
        let tools: Vec<_> = missing.iter().map(|(tool, _)| *tool).collect();
        let mut packages: Vec<_> = missing.iter().map(|(_, package)| *package).collect();
        packages.dedup();
        exit_with(&format!("missing {}: install with `sudo apt-get install {}`", tools.join(", "), packages.join(" ")));
    }
    if !support::password_logins_available() {
        exit_with(&format!(
            "vsftpd needs root and the `{TEST_USER}` account: run `sudo bash tests/run.sh` once, then bench as root"
        ));
    }
}

fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|dir| dir.join(program).is_file())
}

fn print_machine_and_versions(ferry: &Path) {
    let cpus = thread::available_parallelism().map_or(0, usize::from);
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|line| line.strip_prefix("model name")).unwrap_or("?");
    let model = model.trim_start_matches(|c: char| c.is_whitespace() || c == ':');
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    println!("machine: {cpus} CPUs (nproc), {model}, Linux {}", kernel.trim());
    println!("load average at the start: {}", load_average());
    // OpenSSH's sftp has no version flag; ssh, from the same package, prints it.
    // (name, command, lines to show): ferry names the libssh2 it links on a line of its own.
    let versions = [
        ("ferry", vec![ferry.to_str().expect("a UTF-8 path"), "--version"], 3),
        ("sftp", vec!["ssh", "-V"], 1),
        ("lftp", vec!["lftp", "--version"], 1),
        ("curl", vec!["curl", "--version"], 1),
    ];
    for (name, argv, lines) in versions {
        println!("{name}: {}", quick_output(Command::new(argv[0]).args(&argv[1..]), lines));
    }
}

/// The 1, 5 and 15 minute load averages.
fn load_average() -> String {
    let text = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The first `lines` non-empty lines a short command prints (stdout and stderr), joined by " / ".
fn quick_output(command: &mut Command, lines: usize) -> String {
    let log = tempfile::NamedTempFile::new().expect("a temporary file");
    match run_bounded(command, log.path(), QUICK_TIMEOUT) {
        Ok(_) => {
            let text = fs::read_to_string(log.path()).unwrap_or_default();
            text.lines().map(str::trim).filter(|l| !l.is_empty()).take(lines).collect::<Vec<_>>().join(" / ")
        }
        Err(_) => "? (the version command failed)".to_owned(),
    }
}

// ---------------------------------------------------------------------------
// What is measured
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Link {
    /// Plain loopback.
    Lan,
    /// Through the delay proxy: 20 ms each way.
    Wan,
}

impl Link {
    fn host(self) -> &'static str {
        match self {
            Link::Lan => LAN_HOST,
            Link::Wan => WAN_HOST,
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if *self == Link::Lan { "LAN" } else { "WAN" })
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Protocol {
    Sftp,
    /// SFTP to Dropbear (OpenSSH's sftp-server behind it) with its default 24,576-byte window.
    DropbearSftp,
    Ftp,
    /// Explicit FTPS (AUTH TLS), data connections protected too.
    Ftps,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Direction {
    Download,
    Upload,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Payload {
    /// One big file (FERRY_BENCH_SIZE_MIB).
    Big,
    /// FERRY_BENCH_FILES files of 4 KiB in 20 folders.
    Tree,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Ferry,
    /// Ferry with a bandwidth limit far above the link (see `limit_cost_cases`).
    FerryLimited,
    Sftp,
    Lftp,
    Curl,
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tool::Ferry => "ferry",
            Tool::FerryLimited => "ferry --limit-rate 100G",
            Tool::Sftp => "sftp",
            Tool::Lftp => "lftp",
            Tool::Curl => "curl",
        })
    }
}

/// One row group of the table: a transfer that each tool makes in turn.
#[derive(Clone, Copy, Debug)]
struct Case {
    link: Link,
    protocol: Protocol,
    direction: Direction,
    payload: Payload,
    /// For the name: the big file's size or the number of small files.
    big_bytes: u64,
    tree_files: usize,
    /// Ferry without a limit against Ferry with one far above the link, instead of other tools.
    limit_cost: bool,
}

impl Case {
    /// Every case of one link, in the order of the table.
    fn all(link: Link, settings: &Settings) -> Vec<Case> {
        let mut cases = Vec::new();
        for payload in [Payload::Big, Payload::Tree] {
            for protocol in [Protocol::Sftp, Protocol::Ftp, Protocol::Ftps] {
                for direction in [Direction::Download, Direction::Upload] {
                    let (big_bytes, tree_files) = (settings.big_bytes, settings.tree_files);
                    cases.push(Case { link, protocol, direction, payload, big_bytes, tree_files, limit_cost: false });
                }
            }
            // Uploads are what a small channel window slows down (or, before, hung).
            if payload == Payload::Big {
                let big_bytes =
                    if link == Link::Wan { settings.big_bytes.min(DROPBEAR_WAN_BYTES) } else { settings.big_bytes };
                let tree_files = settings.tree_files;
                let (protocol, direction) = (Protocol::DropbearSftp, Direction::Upload);
                cases.push(Case { link, protocol, direction, payload, big_bytes, tree_files, limit_cost: false });
            }
        }
        cases.extend(limit_cost_cases(link, settings));
        cases
    }

    /// Ferry first: the ratios compare every other tool with it.
    fn tools(&self) -> &'static [Tool] {
        if self.limit_cost {
            return &[Tool::Ferry, Tool::FerryLimited];
        }
        match (self.protocol, self.payload) {
            (Protocol::Sftp | Protocol::DropbearSftp, _) => &[Tool::Ferry, Tool::Sftp],
            // curl has no recursive mode.
            (_, Payload::Big) => &[Tool::Ferry, Tool::Lftp, Tool::Curl],
            (_, Payload::Tree) => &[Tool::Ferry, Tool::Lftp],
        }
    }

    /// Payload bytes, for MB/s.
    fn bytes(&self) -> u64 {
        match self.payload {
            Payload::Big => self.big_bytes,
            Payload::Tree => self.tree_files as u64 * TREE_FILE_BYTES,
        }
    }

    fn files(&self) -> u64 {
        match self.payload {
            Payload::Big => 1,
            Payload::Tree => self.tree_files as u64,
        }
    }

    /// The name of the remote file or folder the transfer reads or writes.
    fn remote_name(&self) -> &'static str {
        match (self.direction, self.payload) {
            (Direction::Download, Payload::Big) => "big.bin",
            (Direction::Download, Payload::Tree) => "tree",
            (Direction::Upload, Payload::Big) => "up.bin",
            (Direction::Upload, Payload::Tree) => "up-tree",
        }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let protocol = match self.protocol {
            Protocol::Sftp => "SFTP",
            Protocol::DropbearSftp => "Dropbear SFTP",
            Protocol::Ftp => "FTP",
            Protocol::Ftps => "FTPS",
        };
        let direction = if self.direction == Direction::Download { "download" } else { "upload" };
        if self.limit_cost {
            return write!(
                f,
                "{} {protocol} {direction} {}, limit unset vs 100G",
                self.link,
                size_label(self.big_bytes)
            );
        }
        match self.payload {
            Payload::Big => write!(f, "{} {protocol} {direction} {}", self.link, size_label(self.big_bytes)),
            Payload::Tree => {
                write!(f, "{} {protocol} {direction} tree of {} x 4 KiB", self.link, self.tree_files)
            }
        }
    }
}

/// A bandwidth limit no link here comes near (107 GB a second): the limit's machinery runs (the
/// shared bucket, the paced reads) but never holds a byte back.
const FAR_ABOVE_THE_LINK: &str = "100G";

/// "An unset limit costs nothing": the same SFTP download and upload of the big file by Ferry
/// with no limit and with one far above the link (the ratio is the limited run's time over the
/// unlimited one's: 1.00 means the limit costs nothing). Chosen with
/// `FERRY_BENCH_ONLY="limit unset"`; on the LAN only, where a cost would show most.
fn limit_cost_cases(link: Link, settings: &Settings) -> Vec<Case> {
    if link != Link::Lan {
        return Vec::new();
    }
    [Direction::Download, Direction::Upload]
        .into_iter()
        .map(|direction| Case {
            link,
            protocol: Protocol::Sftp,
            direction,
            payload: Payload::Big,
            big_bytes: settings.big_bytes,
            tree_files: settings.tree_files,
            limit_cost: true,
        })
        .collect()
}

/// The local file of a row that moves `bytes` rather than the big file's size.
fn smaller_file_name(bytes: u64) -> String {
    format!("big-{}-MiB.bin", bytes >> 20)
}

fn size_label(bytes: u64) -> String {
    if bytes.is_multiple_of(1 << 30) { format!("{} GiB", bytes >> 30) } else { format!("{} MiB", bytes >> 20) }
}

/// A table row: one tool's result for one case.
struct Row {
    case: Case,
    tool: Tool,
    /// Median seconds, or why there is none.
    outcome: Result<f64, String>,
}

// ---------------------------------------------------------------------------
// The bench: servers, files, commands
// ---------------------------------------------------------------------------

struct Bench {
    settings: Settings,
    // Servers are killed when dropped, after the proxy (declared later in main) is gone.
    sshd: Sshd,
    dropbear: Dropbear,
    ftpd: Vsftpd,
    /// Local files: sources, results, scripts, logs, ferry's config. Removed when dropped.
    work: tempfile::TempDir,
    known_hosts: PathBuf,
    ferry_config: PathBuf,
    /// A copy of the ferry binary cargo built: a rebuild during a long run cannot swap it.
    ferry: PathBuf,
}

impl Bench {
    /// Starts the servers and writes the test data, on the servers and locally.
    fn prepare(settings: Settings) -> Self {
        let sshd = Sshd::start();
        let dropbear = Dropbear::start();
        let ftpd = Vsftpd::start(VsftpdOptions::default());
        let work = tempfile::Builder::new().prefix("ferry-bench-").tempdir().expect("a temporary folder");
        let bench = Bench {
            known_hosts: work.path().join("known_hosts"),
            ferry_config: work.path().join("ferry-config"),
            ferry: work.path().join("ferry"),
            settings,
            sshd,
            dropbear,
            ftpd,
            work,
        };
        for dir in ["scripts", "logs"] {
            fs::create_dir_all(bench.work.path().join(dir)).expect("create a work folder");
        }
        fs::copy(env!("CARGO_BIN_EXE_ferry"), &bench.ferry).expect("copy the ferry binary");
        bench.write_trust_files();
        bench.write_test_data();
        bench
    }

    /// The sshd host key for both addresses (for sftp and ferry alike); for ferry's FTPS over the
    /// proxy, the certificate pinned for 127.0.0.2, which its subjectAltName (127.0.0.1) does not
    /// cover. On the plain link ferry checks the certificate against `--ca-file` as usual.
    fn write_trust_files(&self) {
        let mut lines = String::new();
        for (key, port) in [
            (self.sshd.host_key_public_line(), self.sshd.port()),
            (self.dropbear.host_key_public_line(), self.dropbear.port()),
        ] {
            let key: Vec<&str> = key.split_whitespace().take(2).collect();
            lines += &format!("[{LAN_HOST}]:{port} {0}\n[{WAN_HOST}]:{port} {0}\n", key.join(" "));
        }
        fs::write(&self.known_hosts, lines).expect("write known_hosts");
        fs::create_dir_all(&self.ferry_config).expect("create ferry's config folder");
        let pin = format!("{WAN_HOST}:{} {}\n", self.ftpd.port(), test_certificate().sha256_hex);
        fs::write(self.ferry_config.join("trusted_certificates"), pin).expect("write trusted_certificates");
    }

    /// Random bytes, so that no layer can compress them or skip holes. The servers get hard links
    /// of the local sources (same file system, readable by the test account).
    fn write_test_data(&self) {
        let started = Instant::now();
        let source = self.work.path().join("source");
        fs::create_dir_all(&source).expect("create the source folder");
        write_random_file(&source.join("big.bin"), self.settings.big_bytes, 1);
        if DROPBEAR_WAN_BYTES < self.settings.big_bytes {
            write_random_file(&source.join(smaller_file_name(DROPBEAR_WAN_BYTES)), DROPBEAR_WAN_BYTES, 1);
        }
        for index in 0..self.settings.tree_files {
            let folder = source.join("tree").join(format!("dir{:02}", index % TREE_FOLDERS));
            fs::create_dir_all(&folder).expect("create a tree folder");
            write_random_file(&folder.join(format!("file{index:05}.bin")), TREE_FILE_BYTES, index as u64 + 2);
        }
        for data_dir in [self.sshd.data_dir(), self.ftpd.data_dir()] {
            link_tree(&source.join("big.bin"), &data_dir.join("big.bin"));
            link_tree(&source.join("tree"), &data_dir.join("tree"));
        }
        eprintln!("test data written in {:.1} s", started.elapsed().as_secs_f64());
    }

    fn source(&self, payload: Payload) -> PathBuf {
        self.work.path().join("source").join(if payload == Payload::Big { "big.bin" } else { "tree" })
    }

    /// Where a download lands (removed after each run).
    fn download_target(&self) -> PathBuf {
        self.work.path().join("result")
    }

    fn data_dir(&self, protocol: Protocol) -> &Path {
        match protocol {
            Protocol::Sftp => self.sshd.data_dir(),
            Protocol::DropbearSftp => self.dropbear.data_dir(),
            Protocol::Ftp | Protocol::Ftps => self.ftpd.data_dir(),
        }
    }

    /// The file or folder a run produces, locally or in a server's data folder.
    fn result_path(&self, case: &Case) -> PathBuf {
        match case.direction {
            Direction::Download => self.download_target(),
            Direction::Upload => self.data_dir(case.protocol).join(case.remote_name()),
        }
    }

    fn port(&self, protocol: Protocol) -> u16 {
        match protocol {
            Protocol::Sftp => self.sshd.port(),
            Protocol::DropbearSftp => self.dropbear.port(),
            Protocol::Ftp | Protocol::Ftps => self.ftpd.port(),
        }
    }

    /// The proxy that makes 127.0.0.2 a 40 ms round trip away: the control ports and vsftpd's
    /// passive range, so that FTP data connections pay the latency too.
    fn start_delay_proxy(&self) -> io::Result<DelayProxy> {
        let ports =
            [self.sshd.port(), self.dropbear.port(), self.ftpd.port()].into_iter().chain(self.ftpd.pasv_ports());
        DelayProxy::start(WAN_HOST.parse::<IpAddr>().unwrap(), LAN_HOST.parse().unwrap(), ports, WAN_ONE_WAY)
    }

    /// Measures the emulated link on vsftpd's control port, beside the direct one, so the table can
    /// be trusted: through the proxy the banner should come 80 ms later (a TCP handshake's 1.5 round
    /// trips, then one way) and a NOOP should take 40 ms longer.
    fn check_wan_link(&self) -> String {
        let port = self.ftpd.port();
        match (probe_link(LAN_HOST, port), probe_link(WAN_HOST, port)) {
            (Ok((lan_banner, lan_noop)), Ok((wan_banner, wan_noop))) => format!(
                "WAN link check: FTP banner after {} ms via {WAN_HOST}, {} ms direct (expected +80); \
                 NOOP round trip {} ms via {WAN_HOST}, {} ms direct (expected +40)",
                wan_banner.as_millis(),
                lan_banner.as_millis(),
                wan_noop.as_millis(),
                lan_noop.as_millis()
            ),
            (Err(error), _) | (_, Err(error)) => format!("WAN link check failed: {error}"),
        }
    }

    // -- running ------------------------------------------------------------

    /// The no-change sync section (`sync_nochange.rs`), when FERRY_BENCH_ONLY asks for it or for all.
    fn no_change_sync(&self, link: Link) -> Vec<String> {
        let name = format!("{link} no-change sync").to_lowercase();
        let wanted = self.settings.only.is_empty() || self.settings.only.iter().any(|part| name.contains(part));
        if !wanted {
            return Vec::new();
        }
        let case = sync_nochange::NoChange {
            ferry: &self.ferry,
            ferry_config: &self.ferry_config,
            known_hosts: &self.known_hosts,
            work: self.work.path(),
            sshd_port: self.sshd.port(),
            sshd_data: self.sshd.data_dir(),
            ftpd_port: self.ftpd.port(),
            runs: self.settings.runs,
            timeout: self.settings.timeout,
            tree_files: self.settings.tree_files,
        };
        case.run(link)
    }

    /// Every case of `link`, each tool `runs` times, interleaved so that drift hits all alike.
    fn run_link(&self, link: Link) -> Vec<Row> {
        let cases: Vec<Case> = Case::all(link, &self.settings).into_iter().filter(|c| self.settings.wants(c)).collect();
        cases.iter().flat_map(|case| self.run_case(case)).collect()
    }

    fn run_case(&self, case: &Case) -> Vec<Row> {
        let tools = case.tools();
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); tools.len()];
        let mut failures: Vec<Option<String>> = vec![None; tools.len()];
        for run in 1..=self.settings.runs {
            for (index, &tool) in tools.iter().enumerate() {
                // A tool that failed once is not asked again: its row says why.
                if failures[index].is_some() {
                    continue;
                }
                match self.measure(case, tool) {
                    Ok(seconds) => {
                        eprintln!("{case}: {tool} run {run}/{}: {seconds:.2} s", self.settings.runs);
                        times[index].push(seconds);
                    }
                    Err(why) => {
                        eprintln!("{case}: {tool} run {run}/{}: {why}", self.settings.runs);
                        failures[index] = Some(why);
                    }
                }
            }
        }
        let outcomes = times.into_iter().zip(failures).map(|(times, failure)| match failure {
            Some(why) => Err(why),
            None => Ok(median(times)),
        });
        tools.iter().zip(outcomes).map(|(&tool, outcome)| Row { case: *case, tool, outcome }).collect()
    }

    /// One timed run: a clean target, the command, then a check of what arrived. Returns seconds,
    /// or the row text that says why there is no time.
    fn measure(&self, case: &Case, tool: Tool) -> Result<f64, String> {
        let result = self.result_path(case);
        remove_path(&result);
        let log = self.work.path().join("logs").join(format!("{tool}.log"));
        let outcome = run_bounded(&mut self.command(case, tool), &log, self.settings.timeout);
        let checked = outcome.and_then(|elapsed| {
            // Cheap but telling: a short file or a missing one shows in the totals.
            let (files, bytes) = contents(&result);
            if (files, bytes) == (case.files(), case.bytes()) {
                Ok(elapsed.as_secs_f64())
            } else {
                let expected = (case.files(), case.bytes());
                Err(RunError::Other(format!("FAILED (got {files} files, {bytes} bytes; expected {expected:?})")))
            }
        });
        remove_path(&result);
        checked.map_err(|why| match why {
            RunError::Exited(line) => format!("n/a ({tool}: {line})"),
            RunError::TimedOut => format!("FAILED (killed after {} s)", self.settings.timeout.as_secs()),
            RunError::Other(why) => why,
        })
    }

    fn command(&self, case: &Case, tool: Tool) -> Command {
        match tool {
            Tool::Ferry => self.ferry_command(case),
            Tool::FerryLimited => {
                let mut command = self.ferry_command(case);
                command.args(["--limit-rate", FAR_ABOVE_THE_LINK]);
                command
            }
            Tool::Sftp => self.sftp_command(case),
            Tool::Lftp => self.lftp_command(case),
            Tool::Curl => self.curl_command(case),
        }
    }

    // -- the commands -------------------------------------------------------

    /// `ferry get|put [-r] ... --parallel 4`, with the same key, known_hosts and CA file as the others.
    fn ferry_command(&self, case: &Case) -> Command {
        let host = case.link.host();
        let port = self.port(case.protocol);
        let url = match case.protocol {
            // SFTP paths are absolute; the session starts in the data folder.
            Protocol::Sftp | Protocol::DropbearSftp => {
                format!("sftp://{TEST_USER}@{host}:{port}{}", self.data_dir(case.protocol).display())
            }
            // FTP paths are relative to the login folder (vsftpd's local_root, the data folder).
            Protocol::Ftp => format!("ftp://{TEST_USER}@{host}:{port}"),
            Protocol::Ftps => format!("ftpes://{TEST_USER}@{host}:{port}"),
        };
        let url = format!("{url}/{}", case.remote_name());
        let local = self.local_path(case);
        let mut command = Command::new(&self.ferry);
        command
            .arg("--config-dir")
            .arg(&self.ferry_config)
            .arg("--known-hosts")
            .arg(&self.known_hosts)
            .arg("--identity")
            .arg(&client_keys().ed25519)
            .arg("--ca-file")
            .arg(&test_certificate().cert_pem)
            .env("FERRY_PASSWORD", TEST_PASSWORD)
            .env_remove("SSH_AUTH_SOCK");
        let recursive: &[&str] = if case.payload == Payload::Tree { &["-r"] } else { &[] };
        match case.direction {
            Direction::Download => command.arg("get").args(recursive).arg(&url).arg(&local),
            Direction::Upload => command.arg("put").args(recursive).arg(&local).arg(&url),
        };
        if case.payload == Payload::Tree {
            command.args(["--parallel", PARALLEL]);
        }
        command
    }

    /// OpenSSH `sftp -b BATCH` with the harness's ed25519 key and nothing from ~/.ssh or /etc/ssh.
    fn sftp_command(&self, case: &Case) -> Command {
        let recursive = if case.payload == Payload::Tree { " -r" } else { "" };
        let (local, remote) = (self.local_path(case), case.remote_name());
        let batch = match case.direction {
            Direction::Download => format!("get{recursive} {remote} {}\n", local.display()),
            Direction::Upload => format!("put{recursive} {} {remote}\n", local.display()),
        };
        let mut command = Command::new("sftp");
        command
            .args(["-q", "-F", "/dev/null", "-b"])
            .arg(self.script(case, Tool::Sftp, &batch))
            .arg("-P")
            .arg(self.port(case.protocol).to_string())
            .arg("-i")
            .arg(&client_keys().ed25519)
            .args(["-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes"])
            .arg("-o")
            .arg(format!("UserKnownHostsFile={}", self.known_hosts.display()))
            .args(["-o", "GlobalKnownHostsFile=/dev/null", "-o", "ConnectTimeout=30"])
            .arg(format!("{TEST_USER}@{}", case.link.host()))
            .env_remove("SSH_AUTH_SOCK");
        command
    }

    /// `lftp -f SCRIPT`: get/put for the big file, `mirror [-R] --parallel=4` for the tree.
    fn lftp_command(&self, case: &Case) -> Command {
        let mut script = String::from(concat!(
            "set cmd:fail-exit yes\n",
            // Fail rather than retry for minutes: a retried transfer is not a measurement.
            "set net:max-retries 1\n",
            "set net:timeout 60\n",
            "set ftp:passive-mode on\n",
            // Connect data connections to the control connection's peer (the proxy on the WAN
            // link), not to the PASV reply's 127.0.0.1, as ferry does; EPSV has no address anyway.
            "set ftp:ignore-pasv-address yes\n",
        ));
        if case.protocol == Protocol::Ftps {
            script += "set ftp:ssl-force yes\nset ftp:ssl-protect-data yes\nset ftp:ssl-protect-list yes\n";
            script +=
                &format!("set ssl:ca-file {}\nset ssl:verify-certificate yes\n", test_certificate().cert_pem.display());
            if case.link == Link::Wan {
                // The certificate names 127.0.0.1; the chain is still checked against the CA file.
                script += "set ssl:check-hostname no\n";
            }
        } else {
            // vsftpd offers AUTH TLS and lftp would take it: plain FTP must stay plain.
            script += "set ftp:ssl-allow no\n";
        }
        script += &format!("open -u {TEST_USER},{TEST_PASSWORD} -p {} {}\n", self.ftpd.port(), case.link.host());
        let (local, remote) = (self.local_path(case).display().to_string(), case.remote_name());
        script += &match (case.direction, case.payload) {
            (Direction::Download, Payload::Big) => format!("get {remote} -o {local}\n"),
            (Direction::Upload, Payload::Big) => format!("put {local} -o {remote}\n"),
            (Direction::Download, Payload::Tree) => format!("mirror --parallel={PARALLEL} {remote} {local}\n"),
            (Direction::Upload, Payload::Tree) => format!("mirror -R --parallel={PARALLEL} {local} {remote}\n"),
        };
        let mut command = Command::new("lftp");
        command.arg("--norc").arg("-f").arg(self.script(case, Tool::Lftp, &script));
        command
    }

    /// curl for single files. The URL names `localhost`, resolved to the link's address, so that
    /// the certificate's name matches on both links.
    fn curl_command(&self, case: &Case) -> Command {
        let port = self.ftpd.port();
        let url = format!("ftp://localhost:{port}/{}", case.remote_name());
        let mut command = Command::new("curl");
        command
            .args(["-q", "-sS", "--ftp-pasv", "--ftp-skip-pasv-ip", "--connect-timeout", "30"])
            .arg("--resolve")
            .arg(format!("localhost:{port}:{}", case.link.host()))
            .arg("-u")
            .arg(format!("{TEST_USER}:{TEST_PASSWORD}"));
        if case.protocol == Protocol::Ftps {
            command.arg("--ssl-reqd").arg("--cacert").arg(&test_certificate().cert_pem);
        }
        match case.direction {
            Direction::Download => command.arg("-o").arg(self.local_path(case)).arg(url),
            Direction::Upload => command.arg("-T").arg(self.local_path(case)).arg(url),
        };
        command
    }

    /// The local side of a transfer: the source of an upload, the target of a download.
    fn local_path(&self, case: &Case) -> PathBuf {
        match case.direction {
            Direction::Download => self.download_target(),
            // A row with a smaller file than the big one (Dropbear over the WAN link) has its own.
            Direction::Upload if case.payload == Payload::Big && case.big_bytes < self.settings.big_bytes => {
                self.work.path().join("source").join(smaller_file_name(case.big_bytes))
            }
            Direction::Upload => self.source(case.payload),
        }
    }

    /// Writes a batch file or script for `tool` and returns its path.
    fn script(&self, case: &Case, tool: Tool, text: &str) -> PathBuf {
        let name = case.to_string().replace(' ', "-");
        let path = self.work.path().join("scripts").join(format!("{name}.{tool}"));
        fs::write(&path, text).expect("write a script");
        path
    }
}

// ---------------------------------------------------------------------------
// Running commands
// ---------------------------------------------------------------------------

enum RunError {
    /// It exited with a failure; the first line it printed on stderr.
    Exited(String),
    /// It ran past its time limit and was killed.
    TimedOut,
    /// Anything else, already worded for the table.
    Other(String),
}

/// Runs `command` (stdin empty, stdout and stderr to `log`) and returns how long it took,
/// killing it and everything it started (its process group) after `limit`.
fn run_bounded(command: &mut Command, log: &Path, limit: Duration) -> Result<Duration, RunError> {
    let stderr = fs::File::create(log).map_err(|e| RunError::Other(format!("FAILED (log file: {e})")))?;
    // Version commands print on stdout; transfers only chatter there (sftp echoes its batch).
    let stdout = stderr.try_clone().map_err(|e| RunError::Other(format!("FAILED (log file: {e})")))?;
    let started = Instant::now();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        // Its own group, so that a timeout also ends what it spawned (sftp runs ssh).
        .process_group(0)
        .spawn()
        .map_err(|e| RunError::Other(format!("n/a (cannot start {:?}: {e})", command.get_program())))?;
    loop {
        // Polling every millisecond costs nothing measurable and keeps the timing within 1 ms.
        match child.try_wait() {
            Ok(Some(status)) => return exit_result(status, started.elapsed(), log),
            Ok(None) if started.elapsed() > limit => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                return Err(RunError::TimedOut);
            }
            Ok(None) => thread::sleep(Duration::from_millis(1)),
            Err(error) => return Err(RunError::Other(format!("FAILED (wait: {error})"))),
        }
    }
}

fn exit_result(status: ExitStatus, elapsed: Duration, log: &Path) -> Result<Duration, RunError> {
    if status.success() {
        return Ok(elapsed);
    }
    let text = fs::read_to_string(log).unwrap_or_default();
    // The first line that says something; sftp's batch echo ("sftp> get ...") says nothing.
    let line = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("sftp>"));
    Err(RunError::Exited(line.map_or_else(|| status.to_string(), str::to_owned)))
}

/// SIGKILL to a process group we created (std can only kill the direct child).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// (time to the first line, round trip of a NOOP) on a new FTP control connection.
fn probe_link(host: &str, port: u16) -> io::Result<(Duration, Duration)> {
    let started = Instant::now();
    let stream = TcpStream::connect((host, port))?;
    stream.set_read_timeout(Some(QUICK_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let banner = started.elapsed();
    let sent = Instant::now();
    (&stream).write_all(b"NOOP\r\n")?;
    reader.read_line(&mut line)?;
    let round_trip = sent.elapsed();
    (&stream).write_all(b"QUIT\r\n")?;
    Ok((banner, round_trip))
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/// `len` bytes of xorshift noise, a different stream per `seed`.
fn write_random_file(path: &Path, len: u64, seed: u64) {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut block = vec![0u8; 1 << 20];
    let mut out = BufWriter::new(fs::File::create(path).expect("create a test file"));
    let mut left = len;
    while left > 0 {
        for word in block.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            word.copy_from_slice(&state.to_le_bytes());
        }
        let take = left.min(block.len() as u64) as usize;
        out.write_all(&block[..take]).expect("write a test file");
        left -= take as u64;
    }
    out.flush().expect("write a test file");
}

/// Hard-links a file, or a folder's files into new folders, at `to`.
fn link_tree(from: &Path, to: &Path) {
    if from.is_dir() {
        fs::create_dir_all(to).expect("create a folder on a server");
        for entry in fs::read_dir(from).expect("read a source folder") {
            let entry = entry.expect("a folder entry");
            link_tree(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        fs::hard_link(from, to).expect("hard-link a test file into a server's folder");
    }
}

/// (files, bytes) of a file, or of every file below a folder; (0, 0) if nothing is there.
fn contents(path: &Path) -> (u64, u64) {
    let Ok(meta) = fs::symlink_metadata(path) else { return (0, 0) };
    if !meta.is_dir() {
        return (1, meta.len());
    }
    let entries = fs::read_dir(path).into_iter().flatten().flatten();
    entries.map(|entry| contents(&entry.path())).fold((0, 0), |(f, b), (files, bytes)| (f + files, b + bytes))
}

fn remove_path(path: &Path) {
    let _ = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
}

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 { values[middle] } else { (values[middle - 1] + values[middle]) / 2.0 }
}

/// 3 significant digits (at most 4 decimals): 329, 87.8, 0.912, 0.0431.
fn three_digits(value: f64) -> String {
    let decimals = if value > 0.0 { (2 - value.log10().floor() as i32).clamp(0, 4) as usize } else { 0 };
    format!("{value:.decimals$}")
}

/// A Markdown table (readable as is, and pasted into benches/README.md).
fn print_table(settings: &Settings, rows: &[Row]) {
    println!();
    println!(
        "Median of {} run(s). MB/s = 10^6 bytes per second of payload. ferry/other = other's time / ferry's \
         time: above 1 means ferry is faster. LAN = loopback; WAN = through a proxy adding {} ms each way.",
        settings.runs,
        WAN_ONE_WAY.as_millis()
    );
    println!();
    let mut lines =
        vec![["case".to_owned(), "tool".to_owned(), "seconds".to_owned(), "MB/s".to_owned(), "ferry/other".to_owned()]];
    for row in rows {
        lines.push(table_line(row, rows));
    }
    let widths: Vec<usize> = (0..5).map(|c| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0)).collect();
    for (index, line) in lines.iter().enumerate() {
        let cells: Vec<String> = line.iter().zip(&widths).map(|(cell, &w)| format!("{cell:<w$}")).collect();
        println!("| {} |", cells.join(" | "));
        if index == 0 {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            println!("| {} |", rule.join(" | "));
        }
    }
}

fn table_line(row: &Row, rows: &[Row]) -> [String; 5] {
    let (seconds, rate) = match &row.outcome {
        Ok(seconds) => (format!("{seconds:.2}"), three_digits(row.case.bytes() as f64 / 1e6 / seconds)),
        Err(why) => (why.clone(), String::new()),
    };
    let ferry = rows.iter().find(|r| r.tool == Tool::Ferry && r.case.to_string() == row.case.to_string());
    let ratio = match (&row.outcome, ferry.map(|f| &f.outcome)) {
        (Ok(other), Some(Ok(ferry))) if row.tool != Tool::Ferry => format!("{:.2}", other / ferry),
        _ => String::new(),
    };
    [row.case.to_string(), row.tool.to_string(), seconds, rate, ratio]
}
