//! Decides what a transfer does when its target already exists, with FileZilla's and WinSCP's choices.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::times::compare_times_given;
use crate::model::{Entry, TimePrecision, escape_control};

/// The user's standing choice for a target that already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnExists {
    /// Ask the user each time.
    #[default]
    Ask,
    /// Replace the target.
    Overwrite,
    /// Continue a partial target from where it ends.
    Resume,
    /// Keep both: transfer under a free name ("report (1).pdf").
    Rename,
    /// Leave the target alone.
    Skip,
    /// Replace the target only when the source was modified later.
    #[serde(rename = "newer")]
    OverwriteIfNewer,
    /// Replace the target only when the sizes differ.
    #[serde(rename = "size-differs")]
    OverwriteIfSizeDiffers,
}

impl OnExists {
    /// Every choice, in the order menus and help texts list them.
    pub const ALL: [OnExists; 7] = [
        OnExists::Ask,
        OnExists::Overwrite,
        OnExists::Resume,
        OnExists::Rename,
        OnExists::Skip,
        OnExists::OverwriteIfNewer,
        OnExists::OverwriteIfSizeDiffers,
    ];

    /// The word for this choice on the command line and in settings; `from_str` reads it back.
    pub fn as_str(&self) -> &'static str {
        match self {
            OnExists::Ask => "ask",
            OnExists::Overwrite => "overwrite",
            OnExists::Resume => "resume",
            OnExists::Rename => "rename",
            OnExists::Skip => "skip",
            OnExists::OverwriteIfNewer => "newer",
            OnExists::OverwriteIfSizeDiffers => "size-differs",
        }
    }
}

impl fmt::Display for OnExists {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A word that names no `OnExists` choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOnExists {
    /// What was given, as given.
    pub given: String,
}

impl fmt::Display for UnknownOnExists {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Escaped: the word comes from the command line or a settings file and is echoed to a terminal.
        write!(f, "\"{}\" is not a choice for an existing target; use one of:", escape_control(&self.given))?;
        for (i, choice) in OnExists::ALL.iter().enumerate() {
            write!(f, "{} {choice}", if i == 0 { "" } else { "," })?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownOnExists {}

impl FromStr for OnExists {
    type Err = UnknownOnExists;

    /// Reads the words of `as_str`, ignoring case and surrounding spaces.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let word = text.trim();
        OnExists::ALL
            .into_iter()
            .find(|choice| choice.as_str().eq_ignore_ascii_case(word))
            .ok_or_else(|| UnknownOnExists { given: text.to_string() })
    }
}

/// What is known of a file on either side; servers do not always tell size or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileFacts {
    /// Size in bytes, where known.
    pub size: Option<u64>,
    /// Last modification time, where known.
    pub modified: Option<DateTime<Utc>>,
    /// How precisely `modified` was given, where its source said (an FTP listing: minutes).
    pub precision: Option<TimePrecision>,
}

impl From<&Entry> for FileFacts {
    fn from(entry: &Entry) -> Self {
        FileFacts { size: entry.size, modified: entry.modified, precision: entry.modified_precision }
    }
}

/// What to do with one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// Transfer the whole file, replacing any target.
    Transfer,
    /// Append to the target from `offset`, its current size.
    Resume {
        /// Where to continue, in bytes from the start.
        offset: u64,
    },
    /// Transfer under a free name (see `renamed`).
    Rename,
    /// Leave this file out.
    Skip,
    /// Ask the user.
    Ask,
}

/// Applies `policy` to a transfer of `source` onto `target` (None when nothing is there yet).
pub fn decide(policy: OnExists, source: &FileFacts, target: Option<&FileFacts>) -> Decision {
    let Some(target) = target else { return Decision::Transfer };
    match policy {
        OnExists::Ask => Decision::Ask,
        OnExists::Overwrite => Decision::Transfer,
        OnExists::Rename => Decision::Rename,
        OnExists::Skip => Decision::Skip,
        OnExists::OverwriteIfNewer => match (source.modified, target.modified) {
            // At the coarser precision of the two, never finer than whole seconds: FTP gives no
            // fraction (MDTM) or only minutes (LIST), so a local file with nanoseconds would
            // otherwise always look newer than the copy it was uploaded as.
            (Some(source_time), Some(target_time))
                if compare_times_given(&source_time, source.precision, &target_time, target.precision).is_le() =>
            {
                Decision::Skip
            }
            // An unknown time proves nothing either way; skipping would leave a possibly stale
            // target while reporting success, whereas transferring at worst repeats work.
            _ => Decision::Transfer,
        },
        OnExists::OverwriteIfSizeDiffers => match (source.size, target.size) {
            (Some(source), Some(target)) if source == target => Decision::Skip,
            // Unknown sizes cannot show the files equal, so the same reasoning as above applies.
            _ => Decision::Transfer,
        },
        OnExists::Resume => match (source.size, target.size) {
            // Same size: an earlier run already finished this file.
            (Some(source), Some(target)) if target == source => Decision::Skip,
            // An empty target gives nothing to continue: a plain transfer avoids append mode.
            (Some(source), Some(target)) if target > 0 && target < source => Decision::Resume { offset: target },
            // A longer target is not a prefix we can trust, and with a size unknown there is no
            // offset to trust: start over.
            _ => Decision::Transfer,
        },
    }
}

/// How many numbered names `renamed` tries before giving up on finding a free one.
const MAX_RENAME_TRIES: u32 = 10_000;

/// A free name beside `name`, as Windows and FileZilla make it: "report.pdf" becomes
/// "report (1).pdf", then "report (2).pdf"... The number goes before the last dot unless that dot
/// starts the name (".bashrc" becomes ".bashrc (1)"). `taken` says whether a name is in use.
///
/// After 10,000 taken names the next number is returned unchecked, so this always ends; the caller
/// must create the file without replacing anything anyway, since a name free now may be taken
/// by the time it is opened.
pub fn renamed(name: &str, taken: impl Fn(&str) -> bool) -> String {
    let (stem, extension) = match name.rfind('.') {
        Some(dot) if dot > 0 => name.split_at(dot),
        _ => (name, ""),
    };
    for number in 1..=MAX_RENAME_TRIES {
        let candidate = format!("{stem} ({number}){extension}");
        if !taken(&candidate) {
            return candidate;
        }
    }
    format!("{stem} ({}){extension}", MAX_RENAME_TRIES + 1)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::TimeZone;

    use super::*;

    fn at(seconds: i64, nanos: u32) -> Option<DateTime<Utc>> {
        Utc.timestamp_opt(seconds, nanos).single()
    }

    fn facts(size: Option<u64>, modified: Option<DateTime<Utc>>) -> FileFacts {
        FileFacts { size, modified, precision: None }
    }

    #[test]
    fn words_round_trip() {
        for choice in OnExists::ALL {
            assert_eq!(choice.as_str().parse::<OnExists>(), Ok(choice));
            assert_eq!(choice.to_string(), choice.as_str());
            assert_eq!(serde_json::to_string(&choice).unwrap(), format!("\"{}\"", choice.as_str()));
            assert_eq!(serde_json::from_str::<OnExists>(&format!("\"{choice}\"")).unwrap(), choice);
        }
        assert_eq!(" Newer ".parse::<OnExists>(), Ok(OnExists::OverwriteIfNewer));
        assert_eq!("SIZE-DIFFERS".parse::<OnExists>(), Ok(OnExists::OverwriteIfSizeDiffers));
        assert_eq!(OnExists::default(), OnExists::Ask);
        let unique: HashSet<&str> = OnExists::ALL.iter().map(OnExists::as_str).collect();
        assert_eq!(unique.len(), OnExists::ALL.len());
    }

    #[test]
    fn unknown_words_list_the_choices() {
        let error = "clobber\x1b[2J".parse::<OnExists>().unwrap_err();
        let message = error.to_string();
        for choice in OnExists::ALL {
            assert!(message.contains(choice.as_str()), "{message}");
        }
        assert!(!message.contains('\x1b'), "{message}");
        assert_eq!(
            "x".parse::<OnExists>().unwrap_err().to_string(),
            "\"x\" is not a choice for an existing target; use one of: ask, overwrite, resume, rename, skip, newer, \
             size-differs"
        );
    }

    #[test]
    fn without_a_target_every_policy_transfers() {
        let source = facts(Some(10), at(1_000, 0));
        for choice in OnExists::ALL {
            assert_eq!(decide(choice, &source, None), Decision::Transfer, "{choice}");
        }
    }

    #[test]
    fn plain_policies() {
        let source = facts(Some(10), at(1_000, 0));
        let target = facts(Some(10), at(1_000, 0));
        assert_eq!(decide(OnExists::Ask, &source, Some(&target)), Decision::Ask);
        assert_eq!(decide(OnExists::Overwrite, &source, Some(&target)), Decision::Transfer);
        assert_eq!(decide(OnExists::Rename, &source, Some(&target)), Decision::Rename);
        assert_eq!(decide(OnExists::Skip, &source, Some(&target)), Decision::Skip);
    }

    #[test]
    fn newer_compares_whole_seconds() {
        let newer = OnExists::OverwriteIfNewer;
        let target = facts(None, at(1_000, 0));
        assert_eq!(decide(newer, &facts(None, at(1_001, 0)), Some(&target)), Decision::Transfer);
        assert_eq!(decide(newer, &facts(None, at(999, 999_999_999)), Some(&target)), Decision::Skip);
        assert_eq!(decide(newer, &facts(None, at(1_000, 0)), Some(&target)), Decision::Skip);
        // A local time with a fraction is not newer than the same second from an FTP listing.
        assert_eq!(decide(newer, &facts(None, at(1_000, 999_000_000)), Some(&target)), Decision::Skip);
        // Unknown on either side: transfer.
        assert_eq!(decide(newer, &facts(None, None), Some(&target)), Decision::Transfer);
        assert_eq!(decide(newer, &facts(None, at(1, 0)), Some(&facts(None, None))), Decision::Transfer);
    }

    #[test]
    fn size_differs() {
        let differs = OnExists::OverwriteIfSizeDiffers;
        let target = facts(Some(10), None);
        assert_eq!(decide(differs, &facts(Some(10), None), Some(&target)), Decision::Skip);
        assert_eq!(decide(differs, &facts(Some(11), None), Some(&target)), Decision::Transfer);
        assert_eq!(decide(differs, &facts(Some(9), None), Some(&target)), Decision::Transfer);
        assert_eq!(decide(differs, &facts(None, None), Some(&target)), Decision::Transfer);
        assert_eq!(decide(differs, &facts(Some(10), None), Some(&facts(None, None))), Decision::Transfer);
    }

    #[test]
    fn resume() {
        let resume = OnExists::Resume;
        let source = facts(Some(100), None);
        assert_eq!(decide(resume, &source, Some(&facts(Some(40), None))), Decision::Resume { offset: 40 });
        assert_eq!(decide(resume, &source, Some(&facts(Some(99), None))), Decision::Resume { offset: 99 });
        assert_eq!(decide(resume, &source, Some(&facts(Some(100), None))), Decision::Skip);
        assert_eq!(decide(resume, &source, Some(&facts(Some(101), None))), Decision::Transfer);
        assert_eq!(decide(resume, &source, Some(&facts(Some(0), None))), Decision::Transfer);
        assert_eq!(decide(resume, &source, Some(&facts(None, None))), Decision::Transfer);
        assert_eq!(decide(resume, &facts(None, None), Some(&facts(Some(40), None))), Decision::Transfer);
    }

    #[test]
    fn facts_come_from_entries() {
        let mut entry = Entry::new("a", crate::model::EntryKind::File);
        entry.size = Some(5);
        entry.modified = at(7, 0);
        assert_eq!(FileFacts::from(&entry), facts(Some(5), at(7, 0)));
    }

    #[test]
    fn renaming() {
        let none = |_: &str| false;
        assert_eq!(renamed("report.pdf", none), "report (1).pdf");
        assert_eq!(renamed("archive.tar.gz", none), "archive.tar (1).gz");
        assert_eq!(renamed(".bashrc", none), ".bashrc (1)");
        assert_eq!(renamed("README", none), "README (1)");
        assert_eq!(renamed(".config.old", none), ".config (1).old");
        assert_eq!(renamed("ünï cödé ✓.txt", none), "ünï cödé ✓ (1).txt");

        let taken: HashSet<&str> = ["report (1).pdf", "report (2).pdf", "report (4).pdf"].into();
        assert_eq!(renamed("report.pdf", |name| taken.contains(name)), "report (3).pdf");
    }

    #[test]
    fn renaming_always_ends() {
        assert_eq!(renamed("x.bin", |_| true), "x (10001).bin");
    }
}
