//! One exchange with a hub or a meeting host: push what it lacks (oldest first, in batches
//! bounded by count and bytes that keep each signed span whole), then pull every readable
//! bucket (a compacted snapshot first, then its log) until it has no more.
//!
//! The same exchange serves the home hub and a meeting host; only the home hub's
//! acknowledgements empty the outbox, so what went to a meeting host still reaches the home hub
//! later. Nothing local is ever discarded: a failed exchange leaves the outbox and the replica
//! as they were. It knows the store and a transport, never the command API above it.

use super::protocol::*;
use super::Transport;
use crate::error::Result;
use crate::events::{Event, Events};
use crate::hlc;
use crate::store::{certificates, sync_state, Origin, Store};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// What long work is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    /// Sending this device's changes to a hub or a meeting host.
    Sending,
    /// Receiving changes from one.
    Receiving,
    /// Receiving a first copy of the coalition.
    FirstSync,
    /// Writing a bundle.
    Exporting,
    /// Reading a bundle.
    Importing,
    /// Building the search index over what a first sync received.
    Indexing,
}

/// Work in progress, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SyncProgress {
    /// What is running.
    pub phase: SyncPhase,
    /// Changes (or records) done so far.
    pub done: u32,
    /// Unknown until the hub or the bundle says.
    pub total: Option<u32>,
}

/// What is running now, for a progress bar: set by an exchange, a bundle's import or export.
/// Every move is told as [`Event::Device`], so the sync panel follows without polling.
#[derive(Debug, Default)]
pub struct Progress {
    now: Mutex<Option<SyncProgress>>,
    events: Events,
}

impl Progress {
    /// Progress told on `events`.
    pub fn telling(events: Events) -> Progress {
        Progress {
            now: Mutex::new(None),
            events,
        }
    }

    /// Sets what is running (`None`: nothing).
    pub fn set(&self, progress: Option<SyncProgress>) {
        if let Ok(mut p) = self.now.lock() {
            *p = progress;
        }
        self.events.send(Event::Device);
    }

    /// Reports `done` of `total` in `phase`.
    pub fn report(&self, phase: SyncPhase, done: u32, total: Option<u32>) {
        self.set(Some(SyncProgress { phase, done, total }));
    }

    /// What is running now.
    pub fn get(&self) -> Option<SyncProgress> {
        self.now.lock().ok().and_then(|p| p.clone())
    }
}

/// Waits, up to `wait_ms`, until the meeting hub at `url` holds something this device lacks
/// (a pull the hub keeps open until a push lands): true when it does. What it holds is taken by
/// the next [`exchange`], not here.
pub async fn has_news(
    store: &Store,
    transport: &dyn Transport,
    url: &str,
    device: &DeviceCredentials,
    hub_id: &str,
    wait_ms: u64,
) -> Result<bool> {
    let cursors = sync_state::load_cursors(store.pool(), hub_id).await?;
    let request = PullRequest {
        cursors,
        limit: 1,
        wait_ms,
    };
    Ok(!transport
        .pull(url, device, &request)
        .await?
        .changes
        .is_empty())
}

/// One push-then-pull exchange with the hub (or meeting host) at `url`, as `device`.
pub async fn exchange(
    store: &Store,
    transport: &dyn Transport,
    progress: &Progress,
    url: &str,
    device: &DeviceCredentials,
    hub_id: &str,
    how: Exchange,
) -> Result<()> {
    let pool = store.pool();
    let home = how == Exchange::Home;
    push_all(store, transport, progress, url, device, hub_id, how).await?;
    // Pull every readable bucket until the hub has no more.
    let cursors = sync_state::load_cursors(pool, hub_id).await?;
    // The certificates the home hub sends are checked with its key; a meeting host's are not
    // the coalition's and are not kept.
    let trust = if home {
        certificates::trust(store).await?
    } else {
        None
    };
    let mut received = 0u32;
    let mut total: Option<u32> = None;
    let pull = |cursors: std::collections::BTreeMap<String, BucketCursor>| async move {
        let request = PullRequest {
            cursors,
            limit: MAX_PULL_CHANGES,
            wait_ms: 0,
        };
        transport.pull(url, device, &request).await
    };
    let mut reply = pull(cursors).await?;
    if home && reply.snapshot_remaining >= INDEX_AFTER_SNAPSHOT {
        // Most of the coalition is arriving: search is built once at the end, not per page.
        crate::store::search::build_later(pool).await?;
    }
    loop {
        if reply.snapshot_remaining > 0 {
            total = Some(received + reply.snapshot_remaining as u32);
        }
        // The next page is asked for while this one is merged: the hub reads and sends it on
        // the other core (a first sync spent half its time with one side waiting for the
        // other). A page fetched ahead of a failed merge is dropped, and asked for again by
        // the next exchange from the cursors the replica kept.
        let ahead = reply.more.then(|| pull(reply.cursors.clone()));
        let (received_page, next) =
            tokio::join!(take_page(store, &trust, home, hub_id, &reply), async {
                match ahead {
                    Some(next) => Some(next.await),
                    None => None,
                }
            });
        received_page?;
        received += reply.changes.len() as u32;
        progress.set(Some(SyncProgress {
            phase: if total.is_some() {
                SyncPhase::FirstSync
            } else {
                SyncPhase::Receiving
            },
            done: received,
            total,
        }));
        match next {
            Some(next) => reply = next?,
            None => break,
        }
    }
    if home && crate::store::search::build_pending(pool).await? {
        let indexing = |p: crate::store::upgrade::UpgradeProgress| {
            progress.report(SyncPhase::Indexing, p.done, Some(p.total))
        };
        crate::store::upgrade::run(pool, &indexing).await?;
    }
    Ok(())
}

/// Pushes what the hub lacks, oldest first, in batches bounded by count and bytes. The hub
/// judges one batch while the device takes the batch before out of its outbox and reads the
/// next: a large push (a week offline, a hub seeded from a replica) spent its time with one
/// side waiting for the other, as the first sync did.
async fn push_all(
    store: &Store,
    transport: &dyn Transport,
    progress: &Progress,
    url: &str,
    device: &DeviceCredentials,
    hub_id: &str,
    how: Exchange,
) -> Result<()> {
    let pool = store.pool();
    let everything = match how {
        Exchange::PeerEverything => {
            Some(sync_state::changes_beyond(pool, &Default::default()).await?)
        }
        _ => None,
    };
    let total = match &everything {
        Some(all) => all.len() as u32,
        None => sync_state::outbox_count(pool).await? as u32,
    };
    let mut everything = everything.map(std::collections::VecDeque::from);
    let mut sent = 0u32;
    let mut batch = next_batch(store, everything.as_mut(), None).await?;
    let mut answered: Vec<PushReply> = Vec::new();
    while let Some(last) = batch.last() {
        let after = Some(last.stamp_order());
        let count = batch.len() as u32;
        let (replies, next) =
            tokio::join!(send_batch(store, transport, url, device, batch), async {
                settle(store, how, hub_id, std::mem::take(&mut answered)).await?;
                next_batch(store, everything.as_mut(), after).await
            });
        answered = replies?;
        batch = match next {
            Ok(next) => next,
            Err(e) => {
                // What the hub answered is still kept: those changes are not sent again.
                settle(store, how, hub_id, answered).await?;
                return Err(e);
            }
        };
        sent += count;
        progress.set(Some(SyncProgress {
            phase: SyncPhase::Sending,
            done: sent,
            total: Some(total.max(sent)),
        }));
    }
    settle(store, how, hub_id, answered).await
}

/// The next batch to push after `after`: from the outbox, or from everything held.
async fn next_batch(
    store: &Store,
    everything: Option<&mut std::collections::VecDeque<crate::change::Change>>,
    after: Option<(hlc::Hlc, uuid::Uuid, u64)>,
) -> Result<Vec<crate::change::Change>> {
    Ok(match everything {
        Some(all) => {
            let mut batch: Vec<_> = all.drain(..all.len().min(MAX_PUSH_CHANGES)).collect();
            if batch.len() == MAX_PUSH_CHANGES {
                // A full batch may have cut a signed span: the rest of it goes with the next.
                for c in batch.split_off(span_boundary(&batch)).into_iter().rev() {
                    all.push_front(c);
                }
            }
            batch
        }
        None => {
            let mut batch =
                sync_state::outbox_batch(store.pool(), MAX_PUSH_CHANGES as u32, after).await?;
            if batch.len() == MAX_PUSH_CHANGES {
                // The rest of a cut span is read again after the batch's new last change.
                batch.truncate(span_boundary(&batch));
            }
            batch
        }
    })
}

/// Sends a batch, in parts that stay under the request size, and returns the hub's answers.
async fn send_batch(
    store: &Store,
    transport: &dyn Transport,
    url: &str,
    device: &DeviceCredentials,
    batch: Vec<crate::change::Change>,
) -> Result<Vec<PushReply>> {
    let mut replies = Vec::new();
    for part in split_by_size(batch, MAX_BODY_BYTES / 2) {
        // A guest's changes travel with its host's pass: the receiver has no other way to
        // tell who made them.
        let sites: Vec<uuid::Uuid> = part
            .iter()
            .map(|c| c.site)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let request = PushRequest {
            guest_passes: crate::store::guest_passes::of_sites(store.pool(), &sites).await?,
            changes: part,
        };
        replies.push(transport.push(url, device, &request).await?);
    }
    Ok(replies)
}

/// Keeps what the hub answered: the home hub's acknowledgements empty the outbox and its
/// compensations are merged; a meeting that judges says what it refused, and the hub still
/// decides.
async fn settle(store: &Store, how: Exchange, hub_id: &str, replies: Vec<PushReply>) -> Result<()> {
    let pool = store.pool();
    for reply in replies {
        if how == Exchange::Home {
            if !reply.compensations.is_empty() {
                let none = Default::default();
                store
                    .merge_pulled(
                        &reply.compensations,
                        hlc::wall_ms(),
                        Origin::HomeHub,
                        (hub_id, &none),
                    )
                    .await?;
            }
            sync_state::acknowledge(pool, &reply.accepted, &reply.rejected, hlc::wall_ms()).await?;
        } else if !reply.rejected.is_empty() {
            sync_state::note_refusals(pool, &reply.rejected, hlc::wall_ms()).await?;
        }
    }
    Ok(())
}

/// The size of a snapshot (in changes) from which search is built once after it rather than
/// kept page by page: a first sync, or a new group's long history.
const INDEX_AFTER_SNAPSHOT: u64 = 10_000;

/// Merges one pulled page, with the guests' passes, certificates and removed devices it brought.
async fn take_page(
    store: &Store,
    trust: &Option<(uuid::Uuid, ed25519_dalek::VerifyingKey)>,
    home: bool,
    hub_id: &str,
    reply: &PullReply,
) -> Result<()> {
    let pool = store.pool();
    if home {
        // The hub judged the guests' changes it sends; their passes go on with them.
        crate::store::guest_passes::remember(pool, &reply.guest_passes).await?;
        store
            .merge_pulled(
                &reply.changes,
                hlc::wall_ms(),
                Origin::HomeHub,
                (hub_id, &reply.cursors),
            )
            .await?;
    } else {
        // A meeting host is a carrier: what it relays is judged here, as a bundle is.
        super::judge::merge_judged(
            store,
            &reply.changes,
            &reply.certificates,
            &reply.guest_passes,
            hlc::wall_ms(),
            Some((hub_id, &reply.cursors)),
        )
        .await?;
    }
    if let Some((hub, key)) = trust {
        certificates::remember_revoked(pool, &reply.revoked).await?;
        let (_, refused) =
            certificates::remember(pool, (*hub, key), &reply.certificates, hlc::wall_ms()).await?;
        for (c, why) in refused {
            tracing::warn!(
                "the hub sent a certificate for {} that is not believed: {}",
                c.site,
                why.reason()
            );
        }
    }
    Ok(())
}

/// Whom an exchange is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchange {
    /// The coalition's hub: its acknowledgements empty the outbox.
    Home,
    /// A meeting host: gets the outbox, and what it sends is queued for the home hub.
    Peer,
    /// A meeting host this device runs: gets everything this device holds.
    PeerEverything,
}

/// Where a batch may end without cutting a signed span in two: after its last signed change.
/// A hub can check who made a change it receives from a carrier only with the whole span, so a
/// span travels in one request. A batch without a signed change (changes logged before devices
/// signed, or a hub's compensations) may end anywhere.
fn span_boundary(batch: &[crate::change::Change]) -> usize {
    batch
        .iter()
        .rposition(|c| c.signature.is_some())
        .map_or(batch.len(), |i| i + 1)
}

/// Splits a batch so each part's JSON stays under `max_bytes`, cutting only after a signed
/// change where it can (a span is at most about a megabyte, see [`crate::signature`]). A
/// single oversized change travels alone, and the hub says if it is too large.
fn split_by_size(
    batch: Vec<crate::change::Change>,
    max_bytes: usize,
) -> Vec<Vec<crate::change::Change>> {
    let mut parts = Vec::new();
    let mut part: Vec<crate::change::Change> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    let mut size = 0;
    for c in batch {
        let n = serde_json::to_vec(&c).map(|v| v.len()).unwrap_or(0) + 1;
        if !part.is_empty() && size + n > max_bytes {
            let cut = match span_boundary(&part) {
                0 => part.len(),
                cut => cut,
            };
            let rest = part.split_off(cut);
            let rest_sizes = sizes.split_off(cut);
            parts.push(std::mem::replace(&mut part, rest));
            size = rest_sizes.iter().sum();
            sizes = rest_sizes;
        }
        size += n;
        sizes.push(n);
        part.push(c);
    }
    if !part.is_empty() {
        parts.push(part);
    }
    parts
}
