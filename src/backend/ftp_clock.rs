//! The FTP backend's server clock: the first listing with a file compares that file's listed time
//! with its MDTM once per connection (the rules are in `transfer/server_time.rs`), and every
//! listing, MDTM and MFMT time after that is made UTC by what it found.

use chrono::{DateTime, Utc};

use super::ftp::FtpBackend;
use crate::error::{ErrorKind, Result};
use crate::model::{Entry, ServerTimeZone, escape_control, file_name_remote, join_remote, parent_remote};
use crate::transfer::server_time::{Probe, ServerClock, probe_candidate};

impl FtpBackend {
    /// Makes a `LIST` listing of `dir` UTC, settling this connection's clock first when the
    /// listing holds a file to compare.
    pub(super) async fn correct_listed_times(&mut self, dir: &str, entries: &mut [Entry]) -> Result<()> {
        if self.clock.is_none()
            && let Some((entry, listed, precision)) = probe_candidate(entries)
        {
            let name = entry.name.clone();
            let exact = self.mdtm_as_written(&join_remote(dir, &name)).await?;
            let probe = exact.map(|exact| Probe { listed, precision, exact });
            let clock = ServerClock::settle(self.time_zone, probe.as_ref());
            let offset = clock.listing_offset();
            let zone = ServerTimeZone::offset_minutes(offset.num_minutes()).unwrap_or_default();
            let how = match (self.time_zone, probe) {
                (ServerTimeZone::Auto, Some(_)) => {
                    format!("found from the listed time and MDTM of {}", escape_control(&name))
                }
                (ServerTimeZone::Auto, None) => "MDTM gave no time to compare, so they are taken as UTC".to_string(),
                (ServerTimeZone::Offset(_), _) => "as set for this site".to_string(),
            };
            let note = format!("listing times are in {zone}, {how}");
            crate::transcript::note(&note);
            tracing::info!(target: "ferry::ftp", "{note}");
            self.clock = Some(clock);
        }
        self.clock.unwrap_or_else(|| ServerClock::provisional(self.time_zone)).correct_listing(entries);
        Ok(())
    }

    /// The clock for MDTM and MFMT times of the file at `full`. Only a zone the user gave can move
    /// them, and only when MDTM turns out to be in local time too: if no listing settled that yet,
    /// `LIST` of the file itself does.
    pub(super) async fn mdtm_clock(&mut self, full: &str) -> Result<ServerClock> {
        let provisional = ServerClock::provisional(self.time_zone);
        if let Some(clock) = self.clock {
            return Ok(clock);
        }
        if matches!(self.time_zone, ServerTimeZone::Auto | ServerTimeZone::Offset(0)) {
            return Ok(provisional);
        }
        let name = file_name_remote(full).to_string();
        if !listable_alone(&name) {
            return Ok(provisional);
        }
        let parent = parent_remote(full);
        let mut entries = match self.listing(&parent, format!("LIST {name}")).await {
            Ok(entries) => entries,
            Err(error) if matches!(error.kind, ErrorKind::Timeout | ErrorKind::ConnectionLost) => return Err(error),
            Err(_) => return Ok(provisional),
        };
        entries.retain(|entry| entry.name == name);
        self.correct_listed_times(&parent, &mut entries).await?;
        Ok(self.clock.unwrap_or(provisional))
    }

    /// The time MDTM gives for `path`, as the server wrote it; `None` when it refuses or answers
    /// something that is no time.
    async fn mdtm_as_written(&mut self, path: &str) -> Result<Option<DateTime<Utc>>> {
        let context = format!("reading the time of {path}");
        match tokio::time::timeout(self.timeout, self.stream.mdtm(path)).await {
            Err(_) => Err(crate::error::FerryError::new(ErrorKind::Timeout, context)),
            Ok(Ok(time)) => Ok(Some(time.and_utc())),
            Ok(Err(error)) => {
                let error = super::ftp_reply::ftp_error(error, &context);
                if matches!(error.kind, ErrorKind::Timeout | ErrorKind::ConnectionLost) { Err(error) } else { Ok(None) }
            }
        }
    }
}

/// Whether `LIST NAME` lists just that file: no server could read the name as a pattern or an
/// option, and it holds nothing that could end the command early.
pub(super) fn listable_alone(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.contains(['*', '?', '[', ']', '{', '}', '~', ' '])
        && !name.chars().any(char::is_control)
}
