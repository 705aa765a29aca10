//! What to do about a transfer's target that exists: the policy, or the user's answer, and the
//! steps it needs (moving the old file aside to resume it, finding a free name). Imports the
//! context (to ask) and the queue's item types.

use std::path::PathBuf;

use super::context::WorkerContext;
use super::messages::{Answer, Question};
use super::queue::{Direction, QueueItem};
use crate::backend::Backend;
use crate::error::{FerryError, Result};
use crate::model::{file_name_remote, parent_remote};
use crate::transfer::policy::{Decision, FileFacts, OnExists, decide, renamed};
use crate::transfer::queue_item::TargetPlan;

/// What the user chose for an existing target, when they asked for it to hold for the rest of
/// the batch.
pub(super) type BatchChoice = Option<OnExists>;

/// Decides about an existing target under `chosen` (the item's policy, or the batch's answer).
/// May ask the user, and may rename the item's target. Returns the plan and, if the user chose
/// "apply to all", the choice to remember for the batch.
pub(super) async fn decide_target(
    ctx: &WorkerContext,
    backend: &mut dyn Backend,
    item: &mut QueueItem,
    chosen: OnExists,
) -> Result<(TargetPlan, BatchChoice)> {
    let target = match item.direction {
        Direction::Download => std::fs::symlink_metadata(&item.local).ok().map(|m| FileFacts {
            size: Some(m.len()),
            modified: m.modified().ok().map(chrono::DateTime::<chrono::Utc>::from),
        }),
        Direction::Upload => {
            backend.stat(&item.remote).await.ok().map(|e| FileFacts { size: e.size, modified: e.modified })
        }
    };
    let Some(target) = target else { return Ok((TargetPlan::FromStart, None)) };
    let source = FileFacts { size: item.size, modified: item.modified };
    let mut decision = decide(chosen, &source, Some(&target));
    let mut for_the_batch = None;
    if decision == Decision::Ask {
        let question = Question::TargetExists { item: item.id, name: item.name(), source, target };
        let (choice, apply_to_all) = match ctx.ask(item.request, question).await {
            Some(Answer::Exists { choice, apply_to_all }) => (choice, apply_to_all),
            // No answer (the window closed) or an answer to another question: leave it alone.
            Some(Answer::Trust(_) | Answer::Secret(_)) | None => (OnExists::Skip, false),
        };
        if apply_to_all {
            for_the_batch = Some(choice);
        }
        decision = decide(if choice == OnExists::Ask { OnExists::Skip } else { choice }, &source, Some(&target));
    }
    let plan = match decision {
        Decision::Transfer => TargetPlan::FromStart,
        Decision::Skip | Decision::Ask => TargetPlan::Skip,
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
            rename_target(backend, item).await?;
            TargetPlan::FromStart
        }
    };
    Ok((plan, for_the_batch))
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
