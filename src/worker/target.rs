//! What to do about a transfer's target that exists: the policy, or the user's answer, and the
//! steps it needs (checking that a target to resume is the beginning of its source, moving it
//! aside to resume it, finding a free name). Imports the context (to ask) and the queue's item
//! types.

use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use super::context::WorkerContext;
use super::messages::{Answer, Question};
use super::queue::{Direction, QueueItem};
use crate::backend::Backend;
use crate::error::{FerryError, Result};
use crate::model::{file_name_remote, parent_remote};
use crate::transfer::policy::{Decision, FileFacts, OnExists, decide, renamed};
use crate::transfer::queue_item::TargetPlan;
use crate::transfer::resume_check::{NOT_A_BEGINNING, compared_range, continues};

/// What the user chose for an existing target, when they asked for it to hold for the rest of
/// the batch.
pub(super) type BatchChoice = Option<OnExists>;

/// What `decide_target` settled for one item.
pub(super) struct TargetDecision {
    /// What the transfer does with the target.
    pub plan: TargetPlan,
    /// The choice to remember for the rest of the batch, when the user asked for that.
    pub for_the_batch: BatchChoice,
    /// Something the user should know about the choice ("sent whole" instead of resumed).
    pub note: Option<String>,
}

/// Decides about an existing target under `chosen` (the item's policy, or the batch's answer).
/// May ask the user, and may rename the item's target. Returns the plan, a note, and, if the user
/// chose "apply to all", the choice to remember for the batch.
pub(super) async fn decide_target(
    ctx: &WorkerContext,
    backend: &mut dyn Backend,
    item: &mut QueueItem,
    chosen: OnExists,
) -> Result<TargetDecision> {
    let target = match item.direction {
        Direction::Download => std::fs::symlink_metadata(&item.local).ok().map(|m| FileFacts {
            size: Some(m.len()),
            modified: m.modified().ok().map(chrono::DateTime::<chrono::Utc>::from),
            precision: None,
        }),
        Direction::Upload => match backend.stat(&item.remote).await {
            Ok(entry) => Some(FileFacts::from(&entry)),
            // A connection lost while looking is no proof that nothing is there: taking it for
            // "absent" would replace the server's file unasked. The caller asks again on a fresh
            // connection.
            Err(error) if super::pool::is_connection_failure(&error) => return Err(error),
            Err(_) => None,
        },
    };
    let Some(target) = target else {
        return Ok(TargetDecision { plan: TargetPlan::FromStart, for_the_batch: None, note: None });
    };
    let source = FileFacts { size: item.size, modified: item.modified, precision: None };
    let mut decision = decide(chosen, &source, Some(&target));
    let mut for_the_batch = None;
    if decision == Decision::Ask {
        let question = Question::TargetExists { item: item.id, name: item.name(), source, target };
        let (choice, apply_to_all) = match ctx.ask(item.request, question).await {
            Some(Answer::Exists { choice, apply_to_all }) => (choice, apply_to_all),
            // No answer (the window closed) or an answer to another question: leave it alone.
            Some(Answer::Trust(_) | Answer::Secret(_) | Answer::Conflict(_)) | None => (OnExists::Skip, false),
        };
        if apply_to_all {
            for_the_batch = Some(choice);
        }
        decision = decide(if choice == OnExists::Ask { OnExists::Skip } else { choice }, &source, Some(&target));
    }
    let mut note = None;
    let plan = match decision {
        Decision::Transfer => TargetPlan::FromStart,
        Decision::Skip | Decision::Ask => TargetPlan::Skip,
        Decision::Resume { .. } if !continues_source(backend, item).await? => {
            // Another file that happens to be smaller: appending would corrupt the copy. It is
            // replaced as any overwrite, through the part file, so it stays whole until then.
            note = Some(NOT_A_BEGINNING.to_string());
            TargetPlan::FromStart
        }
        Decision::Resume { .. } => {
            // Continue the existing file through the part file, so it is replaced only when complete.
            if item.direction == Direction::Download {
                let part = super::transfer::part_path(&item.local);
                std::fs::rename(&item.local, &part)
                    .map_err(|e| FerryError::from_io(&e, format!("resuming {}", item.local.display())))?;
            } else if !item.site.uploads_in_place {
                // A temporary file left by an earlier attempt is newer than the target: keep it.
                let part = crate::transfer::names::remote_part_path(&item.remote);
                if backend.stat(&part).await.is_err() {
                    backend.rename(&item.remote, &part).await?;
                }
            }
            TargetPlan::Resume
        }
        Decision::Rename => {
            let taken = item.name();
            rename_target(backend, item).await?;
            note = Some(format!("{taken} exists: written as {}", item.name()));
            TargetPlan::FromStart
        }
    };
    Ok(TargetDecision { plan, for_the_batch, note })
}

/// Whether the file a resume would continue ends with the bytes the source holds at the same
/// place: one short read on each side. For a download that file is the local target; for an
/// upload it is the server's temporary file left by an earlier attempt, or else the target.
async fn continues_source(backend: &mut dyn Backend, item: &QueueItem) -> Result<bool> {
    match item.direction {
        Direction::Download => {
            let offset = std::fs::symlink_metadata(&item.local).map(|m| m.len()).unwrap_or(0);
            let ours = read_local(&item.local, offset)?;
            let theirs = read_remote(backend, &item.remote, offset).await?;
            Ok(continues(offset, &ours, &theirs))
        }
        Direction::Upload => {
            let part = crate::transfer::names::remote_part_path(&item.remote);
            let held = match backend.stat(&part).await {
                Ok(entry) if !item.site.uploads_in_place => Some((part, entry.size)),
                _ => None,
            };
            let (continued, size) = match held {
                Some(held) => held,
                None => (item.remote.clone(), backend.stat(&item.remote).await?.size),
            };
            let Some(offset) = size else { return Ok(false) };
            let theirs = read_remote(backend, &continued, offset).await?;
            let ours = read_local(&item.local, offset)?;
            Ok(continues(offset, &theirs, &ours))
        }
    }
}

/// Whether the temporary file an earlier run left for `item` (its `.NAME.ferry-part`, `held`
/// bytes long) is the beginning of the source, so the copy can continue it instead of sending
/// the whole file again: its last bytes must be the source's at the same place.
pub(super) async fn part_continues_source(backend: &mut dyn Backend, item: &QueueItem, held: u64) -> Result<bool> {
    if held == 0 || item.size.is_none_or(|size| held > size) {
        return Ok(false);
    }
    match item.direction {
        Direction::Download => {
            let part = super::transfer::part_path(&item.local);
            let ours = read_local(&part, held)?;
            let theirs = read_remote(backend, &item.remote, held).await?;
            Ok(continues(held, &ours, &theirs))
        }
        Direction::Upload => {
            let part = crate::transfer::names::remote_part_path(&item.remote);
            let theirs = read_remote(backend, &part, held).await?;
            let ours = read_local(&item.local, held)?;
            Ok(continues(held, &theirs, &ours))
        }
    }
}

/// The bytes of the local file `path` in `compared_range(offset)` (fewer if it is shorter).
fn read_local(path: &Path, offset: u64) -> Result<Vec<u8>> {
    let range = compared_range(offset);
    let context = format!("reading {}", path.display());
    let mut file = std::fs::File::open(path).map_err(|e| FerryError::from_io(&e, context.clone()))?;
    file.seek(std::io::SeekFrom::Start(range.start)).map_err(|e| FerryError::from_io(&e, context.clone()))?;
    let mut bytes = Vec::new();
    file.take(range.end - range.start).read_to_end(&mut bytes).map_err(|e| FerryError::from_io(&e, context))?;
    Ok(bytes)
}

/// The bytes of the remote file `path` in `compared_range(offset)`, read from the start of that
/// range and cut after it (fewer if the file is shorter). A lost connection is an error; any
/// other failure gives what arrived, which then simply does not match.
async fn read_remote(backend: &mut dyn Backend, path: &str, offset: u64) -> Result<Vec<u8>> {
    let range = compared_range(offset);
    let mut bytes = Vec::new();
    let mut capped = crate::transfer::capped::CappedWriter::new(&mut bytes, Some(range.end - range.start));
    let read = backend.read_to(path, range.start, &mut capped, &mut |_| {}).await;
    let cut_on_purpose = capped.overflowed();
    match read {
        Err(error) if !cut_on_purpose && super::pool::is_connection_failure(&error) => Err(error),
        _ => Ok(bytes),
    }
}

/// Gives the item a free target name: `name (1).ext`, `name (2).ext`...
async fn rename_target(backend: &mut dyn Backend, item: &mut QueueItem) -> Result<()> {
    match item.direction {
        Direction::Download => {
            let name = item.local.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let dir = item.local.parent().map(PathBuf::from).unwrap_or_default();
            let fresh = renamed(&name, |candidate| std::fs::symlink_metadata(dir.join(candidate)).is_ok());
            item.local = dir.join(fresh);
        }
        Direction::Upload => {
            let dir = parent_remote(&item.remote);
            let taken: std::collections::HashSet<String> =
                backend.list(&dir).await?.into_iter().map(|e| e.name).collect();
            let fresh = renamed(file_name_remote(&item.remote), |candidate| taken.contains(candidate));
            item.remote = crate::model::join_remote(&dir, &fresh);
        }
    }
    Ok(())
}
