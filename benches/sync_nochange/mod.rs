//! The no-change sync: `ferry sync` of the small-file tree onto a copy that already matches it,
//! beside one listing walk of the same tree (`ferry sync --dry-run` into an empty folder: it lists
//! every remote folder once and copies nothing), `lftp mirror --only-newer` onto its own matching
//! copy, lftp's own walk (`find`), and `rclone sync --dry-run` where rclone is installed. The
//! claim measured: a sync with nothing to do costs no more than one listing walk.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::{TEST_PASSWORD, TEST_USER, client_keys};
use crate::{Link, load_average, median, on_path, run_bounded, three_digits};

/// What the case needs of the bench: the binary, its config, the servers and the tree.
pub struct NoChange<'a> {
    pub ferry: &'a Path,
    pub ferry_config: &'a Path,
    pub known_hosts: &'a Path,
    pub work: &'a Path,
    pub sshd_port: u16,
    pub sshd_data: &'a Path,
    pub ftpd_port: u16,
    pub runs: usize,
    pub timeout: Duration,
    pub tree_files: usize,
}

/// Makes one tool's command afresh for each run.
type MakeCommand<'a> = Box<dyn Fn() -> Command + 'a>;

/// One line of the section's table.
struct Line {
    case: String,
    tool: &'static str,
    outcome: Result<f64, String>,
}

impl NoChange<'_> {
    /// Runs the case over `link` for SFTP and FTP and returns the section's table lines.
    pub fn run(&self, link: Link) -> Vec<String> {
        let mut lines = Vec::new();
        for protocol in ["SFTP", "FTP"] {
            let case = format!("{link} {protocol} no-change sync of {} x 4 KiB", self.tree_files);
            let matching = self.work.join(format!("nochange-{protocol}-{link}"));
            let empty = self.work.join(format!("walk-{protocol}-{link}"));
            // The copy a sync finds unchanged: made once by a real sync, not timed.
            let first = self.run_once(&mut self.ferry_sync(link, protocol, &matching, false));
            if let Err(why) = first {
                lines.push(Line { case: case.clone(), tool: "ferry sync", outcome: Err(why) });
                continue;
            }
            let mut commands: Vec<(&'static str, MakeCommand<'_>)> = vec![
                ("ferry sync", Box::new(|| self.ferry_sync(link, protocol, &matching, false))),
                (
                    "ferry walk",
                    Box::new(|| {
                        let _ = fs::remove_dir_all(&empty);
                        self.ferry_sync(link, protocol, &empty, true)
                    }),
                ),
            ];
            if protocol == "FTP" {
                let lftp_copy = self.work.join(format!("nochange-lftp-{link}"));
                let _ = self.run_once(&mut self.lftp(link, &format!("mirror tree {}", lftp_copy.display())));
                let mirror = format!("mirror --only-newer --parallel=4 tree {}", lftp_copy.display());
                commands.push(("lftp mirror --only-newer", Box::new(move || self.lftp(link, &mirror))));
                commands.push(("lftp find", Box::new(move || self.lftp(link, "find tree"))));
            }
            if on_path("rclone") {
                let matching = &matching;
                commands.push(("rclone sync --dry-run", Box::new(move || self.rclone(link, protocol, matching))));
            }
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); commands.len()];
            let mut failures: Vec<Option<String>> = vec![None; commands.len()];
            for run in 1..=self.runs {
                for (index, (tool, command)) in commands.iter().enumerate() {
                    if failures[index].is_some() {
                        continue;
                    }
                    match self.run_once(&mut command()) {
                        Ok(seconds) => {
                            eprintln!("{case}: {tool} run {run}/{}: {seconds:.2} s", self.runs);
                            times[index].push(seconds);
                        }
                        Err(why) => failures[index] = Some(why),
                    }
                }
            }
            for ((tool, _), (times, failure)) in commands.iter().zip(times.into_iter().zip(failures)) {
                let outcome = match failure {
                    Some(why) => Err(why),
                    None => Ok(median(times)),
                };
                lines.push(Line { case: case.clone(), tool, outcome });
            }
            if !on_path("rclone") {
                let outcome = Err("not installed".to_string());
                lines.push(Line { case: case.clone(), tool: "rclone sync --dry-run", outcome });
            }
        }
        let load = load_average();
        lines
            .into_iter()
            .map(|line| {
                let seconds = match line.outcome {
                    Ok(seconds) => three_digits(seconds),
                    Err(why) => why,
                };
                format!("| {} | {} | {seconds} | {load} |", line.case, line.tool)
            })
            .collect()
    }

    fn run_once(&self, command: &mut Command) -> Result<f64, String> {
        let log = self.work.join("logs").join("nochange.log");
        match run_bounded(command, &log, self.timeout) {
            Ok(elapsed) => Ok(elapsed.as_secs_f64()),
            Err(crate::RunError::Exited(line)) => Err(format!("n/a ({line})")),
            Err(crate::RunError::TimedOut) => Err("FAILED (timed out)".to_string()),
            Err(crate::RunError::Other(why)) => Err(why),
        }
    }

    /// `ferry sync [--dry-run] URL/tree LOCAL` with the bench's key, known_hosts and password.
    fn ferry_sync(&self, link: Link, protocol: &str, local: &Path, dry_run: bool) -> Command {
        let host = link.host();
        let url = match protocol {
            "SFTP" => format!("sftp://{TEST_USER}@{host}:{}{}/tree", self.sshd_port, self.sshd_data.display()),
            _ => format!("ftp://{TEST_USER}@{host}:{}/tree", self.ftpd_port),
        };
        let mut command = Command::new(self.ferry);
        command
            .arg("--config-dir")
            .arg(self.ferry_config)
            .arg("--known-hosts")
            .arg(self.known_hosts)
            .arg("--identity")
            .arg(&client_keys().ed25519)
            .env("FERRY_PASSWORD", TEST_PASSWORD)
            .env_remove("SSH_AUTH_SOCK")
            .arg("sync");
        if dry_run {
            command.arg("--dry-run");
        }
        command.arg(url).arg(local);
        command
    }

    /// `lftp -c "...; COMMAND"` on vsftpd, plain FTP, as the other lftp rows set it up.
    fn lftp(&self, link: Link, what: &str) -> Command {
        let script = format!(
            "set cmd:fail-exit yes; set net:max-retries 1; set ftp:passive-mode on; \
             set ftp:ignore-pasv-address yes; set ftp:ssl-allow no; \
             open -u {TEST_USER},{TEST_PASSWORD} -p {} {}; {what}",
            self.ftpd_port,
            link.host()
        );
        let mut command = Command::new("lftp");
        command.arg("--norc").arg("-c").arg(script).stdout(std::process::Stdio::null());
        command
    }

    /// `rclone sync --dry-run` of the tree onto the matching copy, with an on-the-fly remote.
    fn rclone(&self, link: Link, protocol: &str, local: &Path) -> Command {
        let host = link.host();
        let remote = match protocol {
            "SFTP" => format!(
                ":sftp,host={host},port={},user={TEST_USER},key_file={},known_hosts_file={}:{}/tree",
                self.sshd_port,
                client_keys().ed25519.display(),
                self.known_hosts.display(),
                self.sshd_data.display()
            ),
            // rclone takes a password only in its own obscured form.
            _ => {
                let obscured = Command::new("rclone").args(["obscure", TEST_PASSWORD]).output();
                let pass =
                    obscured.map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string()).unwrap_or_default();
                format!(":ftp,host={host},port={},user={TEST_USER},pass={pass}:tree", self.ftpd_port)
            }
        };
        let mut command = Command::new("rclone");
        command.args(["sync", "--dry-run"]).arg(remote).arg(PathBuf::from(local));
        command
    }
}
