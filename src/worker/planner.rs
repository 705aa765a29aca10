//! Planning a transfer into queue items, on a pooled connection to its site so browsing is not
//! held up. Used by the engine for the queue's own requests and by the edit service for each save.

use std::path::PathBuf;

use super::connect::open_connection;
use super::context::WorkerContext;
use super::messages::TransferRequest;
use super::pool::{ConnectionPool, is_connection_failure};
use super::queue::{Direction, ItemId, ItemState, QueueItem};
use crate::backend::Backend;
use crate::error::Result;
use crate::model::{ConnectSpec, RequestId};

/// Plans a transfer into queue items, on a pooled connection so browsing is not held up.
pub(super) async fn plan(
    ctx: &WorkerContext,
    pool: &ConnectionPool,
    request: RequestId,
    site: ConnectSpec,
    transfer: TransferRequest,
) -> Result<Vec<QueueItem>> {
    let mut backend = pool.checkout(ctx, request, &site).await?;
    let planned = match plan_on(backend.as_mut(), &transfer).await {
        Err(error) if is_connection_failure(&error) => {
            // The spare connection was dead (the others of this site most likely too): plan
            // once more on a fresh one before reporting.
            tracing::info!(target: "ferry::worker", "planning: {error}; connecting again");
            pool.forget_site(&site);
            match open_connection(ctx, request, site.clone()).await {
                Ok((fresh, _)) => {
                    super::pool::close_quietly(std::mem::replace(&mut backend, fresh));
                    plan_on(backend.as_mut(), &transfer).await
                }
                Err(_) => Err(error),
            }
        }
        planned => planned,
    };
    // A connection that was lost or left waiting (a listing cut short) is not handed to the queue.
    pool.put_back(&site, backend, &planned);
    let (seeds, local_root) = planned?;
    Ok(seeds
        .into_iter()
        .map(|seed| QueueItem {
            id: ItemId(0),
            request,
            site: site.clone(),
            direction: transfer.direction,
            remote: seed.remote,
            local: seed.local,
            local_root: local_root.clone(),
            is_folder: seed.is_folder,
            size: seed.size,
            modified: seed.modified,
            mode: seed.mode,
            bytes_done: 0,
            started: false,
            state: if seed.refused.is_some() { ItemState::Skipped } else { ItemState::Queued },
            error: seed.refused,
            on_exists: transfer.on_exists,
            verify: transfer.verify,
            integrity: None,
            retry_note: None,
            success_note: None,
        })
        .collect())
}

/// Plans a transfer on one connection: the files and folders to move, and the local root.
async fn plan_on(backend: &mut dyn Backend, transfer: &TransferRequest) -> Result<(Vec<super::plan::Seed>, PathBuf)> {
    match transfer.direction {
        Direction::Download => {
            super::plan::plan_download(
                backend,
                &transfer.remote,
                &transfer.local,
                transfer.recursive,
                transfer.follow_links,
            )
            .await
        }
        Direction::Upload => super::plan::plan_upload(backend, &transfer.local, &transfer.remote, transfer.recursive)
            .await
            .map(|seeds| (seeds, transfer.local.clone())),
    }
}
