//! What the command line prints: listings (text or JSON), the progress bars and the summary.

use std::collections::HashMap;

use super::tally::Problems;
use crate::error::{ErrorKind, FerryError, Result};
use crate::model::{Entry, EntryKind, TimePrecision, count_of, escape_control};
use crate::transfer::times::day_of;
use crate::worker::{Integrity, ItemId, ItemState, QueueItem};

/// One entry as `ls --json` prints it.
#[derive(serde::Serialize)]
struct JsonEntry<'a> {
    name: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    size: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    modified: Option<String>,
    /// "day" or "minute" where the server gave no more (an FTP listing): `modified` is then the
    /// start of that day or minute, in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    modified_precision: Option<TimePrecision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    permissions: Option<String>,
    /// Where a link points, as the server wrote it (JSON escapes any control character).
    #[serde(skip_serializing_if = "Option::is_none")]
    link_target: Option<&'a str>,
    /// What a link leads to once followed, where the server said.
    #[serde(skip_serializing_if = "Option::is_none")]
    link_kind: Option<&'static str>,
}

fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::File => "file",
        EntryKind::Dir => "dir",
        EntryKind::Symlink => "symlink",
        EntryKind::Other => "other",
    }
}

pub(super) fn print_listing(entries: &[Entry], json: bool) {
    if json {
        let rows: Vec<JsonEntry<'_>> = entries
            .iter()
            .map(|e| JsonEntry {
                name: &e.name,
                kind: kind_name(e.kind),
                size: e.size,
                modified: e.modified.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                modified_precision: e.modified_precision.filter(|p| *p < TimePrecision::Second),
                permissions: e.permissions.map(|p| format!("{p:04o}")),
                link_target: e.link_target.as_deref(),
                link_kind: e.link_kind.map(kind_name),
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_else(|_| "[]".into()));
        return;
    }
    for entry in entries {
        let kind = match entry.kind {
            EntryKind::Dir => 'd',
            EntryKind::Symlink => 'l',
            EntryKind::File => '-',
            EntryKind::Other => '?',
        };
        let permissions = entry.permissions.map(|p| format!("{p:04o}")).unwrap_or_else(|| "----".into());
        let size = entry.size.map(|s| s.to_string()).unwrap_or_default();
        let modified = entry.modified.map(|t| shown_time(t, entry.modified_precision)).unwrap_or_default();
        let target = entry.link_target.as_ref().map(|t| format!(" -> {}", escape_control(t))).unwrap_or_default();
        println!("{kind} {permissions} {size:>12} {modified:16} {}{target}", escape_control(&entry.name));
    }
}

/// A listed time as `ls` prints it, in UTC: to the minute, or only the date where the server gave
/// no more.
fn shown_time(time: chrono::DateTime<chrono::Utc>, precision: Option<TimePrecision>) -> String {
    match precision {
        Some(TimePrecision::Day) => day_of(time).format("%Y-%m-%d").to_string(),
        _ => time.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// The terminal view of a running batch: a bar per running file, one for the total, and the
/// tally for the summary.
pub(super) struct Board {
    pending: std::collections::HashSet<ItemId>,
    names: HashMap<ItemId, String>,
    bars: HashMap<ItemId, indicatif::ProgressBar>,
    multi: indicatif::MultiProgress,
    total: indicatif::ProgressBar,
    files: usize,
    bytes: u64,
    verified: usize,
    failures: Vec<FerryError>,
    /// Entries the plan would not transfer (a name that could lead outside the destination, a
    /// link to a folder): the copy is incomplete, so the command fails.
    refused: Vec<FerryError>,
    /// Files left alone because the target exists (`--on-exists skip`): what the user asked for.
    skipped: usize,
    /// The last note printed for each running item ("… retry 1 of 3 in 1 s"), so a retry is told
    /// once, as it happens.
    running_notes: HashMap<ItemId, String>,
}

impl Board {
    pub(super) fn new(items: &[QueueItem]) -> Self {
        let multi = indicatif::MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::stderr());
        let total_bytes: u64 = items.iter().filter_map(|i| i.size).sum();
        let total = multi.add(indicatif::ProgressBar::new(total_bytes));
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("total {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
        {
            total.set_style(style);
        }
        let mut board = Board {
            pending: std::collections::HashSet::new(),
            names: HashMap::new(),
            bars: HashMap::new(),
            multi,
            total,
            files: 0,
            bytes: 0,
            verified: 0,
            failures: Vec::new(),
            refused: Vec::new(),
            skipped: 0,
            running_notes: HashMap::new(),
        };
        for item in items {
            board.names.insert(item.id, escape_control(&item.name()));
            if item.state.is_finished() {
                board.record(item);
            } else {
                board.pending.insert(item.id);
            }
        }
        board
    }

    pub(super) fn finished(&self) -> bool {
        self.pending.is_empty()
    }

    /// Prints a line above the bars.
    pub(super) fn note(&self, text: &str) {
        self.multi.suspend(|| eprintln!("ferry: {text}"));
    }

    /// The items not finished yet.
    pub(super) fn pending_items(&self) -> Vec<ItemId> {
        self.pending.iter().copied().collect()
    }

    pub(super) fn progress(&mut self, item: ItemId, bytes: u64, total: Option<u64>) {
        let name = self.names.get(&item).cloned().unwrap_or_default();
        let multi = &self.multi;
        let bar = self.bars.entry(item).or_insert_with(|| {
            let bar = multi.insert_from_back(1, indicatif::ProgressBar::new(total.unwrap_or(0)));
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("{msg:24!} {bar:30} {bytes}/{total_bytes} {bytes_per_sec}")
            {
                bar.set_style(style);
            }
            bar.set_message(name);
            bar
        });
        bar.set_position(bytes);
    }

    pub(super) fn totals(&mut self, bytes: u64, total: u64) {
        self.total.set_length(total);
        self.total.set_position(bytes);
    }

    pub(super) fn changed(&mut self, item: QueueItem) {
        // The target may have a new name now (`--on-exists rename`): show the name written.
        let name = escape_control(&item.name());
        if let Some(bar) = self.bars.get(&item.id) {
            bar.set_message(name.clone());
        }
        self.names.insert(item.id, name);
        if let Some(note) = item.retry_note.as_ref().filter(|_| item.state == ItemState::Running)
            && self.running_notes.get(&item.id) != Some(note)
        {
            let (name, shown) = (escape_control(&item.name()), escape_control(note));
            self.multi.suspend(|| eprintln!("ferry: {name}: {shown}"));
            self.running_notes.insert(item.id, note.clone());
        }
        if item.state.is_finished() && self.pending.remove(&item.id) {
            if let Some(bar) = self.bars.remove(&item.id) {
                bar.finish_and_clear();
            }
            self.record(&item);
        }
    }

    pub(super) fn record(&mut self, item: &QueueItem) {
        match item.state {
            ItemState::Done if !item.is_folder => {
                self.files += 1;
                self.bytes += item.size.unwrap_or(item.bytes_done);
                if item.integrity == Some(Integrity::Verified) {
                    self.verified += 1;
                }
                if let Some(note) = &item.success_note {
                    let (name, note) = (escape_control(&item.name()), escape_control(note));
                    self.multi.suspend(|| eprintln!("ferry: {name}: {note}"));
                }
            }
            ItemState::Failed | ItemState::Cancelled => {
                let error =
                    item.error.clone().unwrap_or_else(|| FerryError::new(ErrorKind::Cancelled, item.remote.clone()));
                self.multi.suspend(|| eprintln!("ferry: {}: {error}", escape_control(&item.name())));
                self.failures.push(error);
            }
            ItemState::Skipped => match &item.error {
                Some(error) => {
                    self.multi.suspend(|| eprintln!("ferry: refused {}: {error}", escape_control(&item.remote)));
                    self.refused.push(error.clone());
                }
                None => self.skipped += 1,
            },
            _ => {}
        }
    }

    /// Counts, without printing them again, refusals told before the run (a sync plan's names
    /// refused): the summary's numbers and the last line then agree.
    pub(super) fn add_refused(&mut self, refused: &[FerryError]) {
        self.refused.extend_from_slice(refused);
    }

    /// Prints the one-line summary and hands back what went wrong, for the last line.
    pub(super) fn finish(self, elapsed: std::time::Duration) -> Outcome {
        self.total.finish_and_clear();
        let seconds = elapsed.as_secs_f64().max(0.001);
        let check = if self.files > 0 && self.verified == self.files { "verified" } else { "size checked" };
        eprintln!(
            "{}, {} in {:.1} s ({}/s), {check}; {} failed, {} refused, {} skipped",
            crate::model::count_of(self.files, "file", "files"),
            crate::transfer::progress::format_bytes(self.bytes),
            seconds,
            crate::transfer::progress::format_bytes((self.bytes as f64 / seconds) as u64),
            self.failures.len(),
            self.refused.len(),
            self.skipped
        );
        Outcome { failures: self.failures, refused: self.refused }
    }

    /// Prints the one-line summary; fails (counting each cause) if any file failed or was refused.
    pub(super) fn summary(self, elapsed: std::time::Duration) -> Result<()> {
        let outcome = self.finish(elapsed);
        // Each failure and refusal was printed as it happened: the error counts them, names none.
        let kinds = |errors: &[FerryError]| errors.iter().map(|error| error.kind).collect::<Vec<_>>();
        let (failed, refused) = (outcome.failures.len(), outcome.refused.len());
        let mut problems = Problems::default();
        problems.add(format!("{} failed", count_of(failed, "file", "files")), &kinds(&outcome.failures));
        let refused_words = match failed {
            0 => format!("{} refused", count_of(refused, "file", "files")),
            _ => format!("{refused} refused"),
        };
        problems.add(refused_words, &kinds(&outcome.refused));
        match problems.into_error("") {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

/// What a run's transfers left undone: failed items and refused ones, each printed already.
pub(super) struct Outcome {
    pub(super) failures: Vec<FerryError>,
    pub(super) refused: Vec<FerryError>,
}
