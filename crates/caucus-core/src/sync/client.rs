//! The device side of sync: enrolling with a hub, pushing the outbox, pulling each readable
//! bucket (a compacted snapshot first, then its log), and the status the sync panel shows.
//!
//! The same exchange serves a meeting host; only the home hub's acknowledgements empty the
//! outbox, so what went to a meeting host still reaches the home hub later. Nothing local is
//! ever discarded: a failed sync leaves the outbox and the replica as they were.

use super::protocol::*;
use super::{SyncFailure, Transport};
use crate::api::NoInput;
use crate::error::{CoreError, Result};
use crate::hlc;
use crate::store::sync_state::{self, RefusedChange};
use crate::store::Origin;
use crate::Caucus;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use uuid::Uuid;

// Device-local settings (never synced).
const HUB_URL: &str = "hub.url";
const HUB_ID: &str = "hub.id";
const HUB_TOKEN: &str = "hub.token";
const HUB_DEVICE: &str = "hub.device_id";
const HUB_PERSON: &str = "hub.person_id";
const LAST_SUCCESS: &str = "sync.last_success_ms";
const LAST_FAILURE: &str = "sync.last_failure";
/// What the last sync that brought anything brought: see [`LastArrival`].
pub(crate) const LAST_ARRIVAL: &str = "sync.last_arrival";

/// The changes the last sync that brought anything brought: every site's sequence numbers
/// in `(before, after]`, other than this device's own. "What changed since the last sync" in
/// My work is read from it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct LastArrival {
    pub at_ms: u64,
    pub count: u64,
    pub before: sync_state::VersionVector,
    pub after: sync_state::VersionVector,
}

/// The sync side of an open replica: its transport, and what is running now.
#[derive(Default)]
pub struct SyncLink {
    transport: OnceLock<Arc<dyn Transport>>,
    pub(crate) meetings: OnceLock<Arc<dyn super::meeting::Meetings>>,
    progress: Mutex<Option<SyncProgress>>,
    /// Held while an exchange runs, so two never interleave.
    running: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for SyncLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncLink")
    }
}

/// Connect this device to a hub with an invite code from a coalition admin.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ConnectHub {
    /// The hub's address, `http://` or `https://`.
    pub url: String,
    pub invite_code: String,
    /// How the device appears in the hub's device list.
    pub device_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Sending,
    Receiving,
    FirstSync,
    Exporting,
    Importing,
}

/// Work in progress, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    pub done: u32,
    /// Unknown until the hub or the bundle says.
    pub total: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SyncFailureInfo {
    pub at_ms: f64,
    /// An error code (`sync_unreachable`, `sync_clock_skew`, …), translated by the UI.
    pub code: String,
    pub message: String,
}

/// What the sync panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SyncStatus {
    pub connected: bool,
    pub hub_url: Option<String>,
    pub device_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    /// Changes the home hub has not acknowledged yet.
    pub pending: u32,
    pub last_success_ms: Option<f64>,
    pub last_failure: Option<SyncFailureInfo>,
    pub running: bool,
    pub progress: Option<SyncProgress>,
    /// The hub's latest refusals of changes this device sent, one per record and reason
    /// (at most [`REFUSALS_SHOWN`]; [`Caucus::refused_changes`] lists them all).
    pub refused: Vec<RefusedChange>,
    /// How many there are in all.
    pub refused_total: u32,
    /// Where to suggest writing a bundle (the Downloads folder, else home), if known.
    pub bundle_folder: Option<String>,
    /// The meeting this device hosts or joined.
    pub meeting: Option<super::meeting::MeetingInfo>,
}

/// The folder a person expects files they save to land in.
fn bundle_folder() -> Option<String> {
    let home = std::path::PathBuf::from(std::env::var_os("HOME")?);
    let downloads = home.join("Downloads");
    let folder = if downloads.is_dir() { downloads } else { home };
    Some(folder.to_string_lossy().into_owned())
}

/// Refusals the sync panel shows at first.
pub const REFUSALS_SHOWN: u32 = 20;
/// Refusals the panel lists when asked for all of them.
pub const REFUSALS_LISTED: u32 = 5_000;

/// A hub as this device knows it.
struct HubLink {
    url: String,
    id: String,
    token: String,
}

pub(crate) fn check_url(url: &str) -> Result<()> {
    let ok = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= 2048
        && !url.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(
            "url",
            "give the hub's address, starting with https:// (or http:// on a local network)",
        ))
    }
}

impl Caucus {
    /// Gives the replica its way to reach hubs. Called once by the front end at start.
    pub fn set_transport(&self, transport: Arc<dyn Transport>) {
        let _ = self.sync.transport.set(transport);
    }

    pub(crate) fn transport(&self) -> Result<Arc<dyn Transport>> {
        self.sync.transport.get().cloned().ok_or_else(|| {
            CoreError::sync(
                SyncFailure::NotConnected,
                "this version of Caucus was built without sync",
            )
        })
    }

    fn set_progress(&self, progress: Option<SyncProgress>) {
        if let Ok(mut p) = self.sync.progress.lock() {
            *p = progress;
        }
    }

    pub(crate) fn report_progress(&self, phase: SyncPhase, done: u32, total: Option<u32>) {
        self.set_progress(Some(SyncProgress { phase, done, total }));
    }

    pub(crate) fn report_progress_done(&self) {
        self.set_progress(None);
    }

    /// The device's ed25519 key: it signs every write and every hub request, and the hub
    /// enrols its public half.
    pub async fn device_key(&self) -> Result<ed25519_dalek::SigningKey> {
        Ok(self.store().device_key().await)
    }

    /// The id of the hub this device belongs to, if it enrolled with one.
    pub async fn home_hub_id(&self) -> Result<Option<Uuid>> {
        Ok(self
            .store()
            .local_setting(HUB_ID)
            .await?
            .and_then(|s| Uuid::parse_str(&s).ok()))
    }

    async fn home_hub(&self) -> Result<Option<HubLink>> {
        let s = &self.store();
        Ok(
            match (
                s.local_setting(HUB_URL).await?,
                s.local_setting(HUB_ID).await?,
                s.local_setting(HUB_TOKEN).await?,
            ) {
                (Some(url), Some(id), Some(token)) => Some(HubLink { url, id, token }),
                _ => None,
            },
        )
    }

    pub async fn sync_status(&self, _: NoInput) -> Result<SyncStatus> {
        let s = &self.store();
        let uuid = |v: Option<String>| v.and_then(|v| Uuid::parse_str(&v).ok());
        let hub_url = s.local_setting(HUB_URL).await?;
        Ok(SyncStatus {
            connected: hub_url.is_some(),
            hub_url,
            device_id: uuid(s.local_setting(HUB_DEVICE).await?),
            person_id: uuid(s.local_setting(HUB_PERSON).await?),
            pending: sync_state::outbox_count(s.pool()).await? as u32,
            last_success_ms: s
                .local_setting(LAST_SUCCESS)
                .await?
                .and_then(|v| v.parse().ok()),
            last_failure: s
                .local_setting(LAST_FAILURE)
                .await?
                .and_then(|v| serde_json::from_str(&v).ok()),
            running: self.sync.running.try_lock().is_err(),
            progress: self.sync.progress.lock().ok().and_then(|p| p.clone()),
            refused: sync_state::recent_rejections(s.pool(), REFUSALS_SHOWN).await?,
            refused_total: sync_state::rejection_count(s.pool()).await?,
            bundle_folder: bundle_folder(),
            meeting: self.meeting_info().await?,
        })
    }

    /// Every refusal of changes this device sent, newest first, one per record and reason (at
    /// most [`REFUSALS_LISTED`]).
    pub async fn refused_changes(&self, _: NoInput) -> Result<Vec<RefusedChange>> {
        sync_state::recent_rejections(self.store().pool(), REFUSALS_LISTED).await
    }

    /// Enrols this device with a hub using an invite code, then syncs.
    pub async fn connect_hub(&self, input: ConnectHub) -> Result<SyncStatus> {
        let url = input.url.trim().trim_end_matches('/').to_string();
        check_url(&url)?;
        let code = input.invite_code.trim().to_string();
        if code.is_empty() || code.len() > 64 {
            return Err(CoreError::invalid(
                "invite_code",
                "type the invite code you were given",
            ));
        }
        let name = input.device_name.trim().to_string();
        crate::text::line("device_name", &name, 100)?;
        if self.home_hub().await?.is_some() {
            return Err(CoreError::conflict(
                "this device is already connected to a hub",
            ));
        }
        let key = self.device_key().await?;
        let request = EnrolRequest {
            invite_code: code,
            public_key: hex::encode(key.verifying_key().to_bytes()),
            site: self.store().site_id().await,
            device_name: name,
            person_id: None,
        };
        let reply = self.transport()?.enrol(&url, &request).await?;
        let s = &self.store();
        s.set_local_setting(HUB_URL, Some(&url)).await?;
        s.set_local_setting(HUB_ID, Some(&reply.hub_id.to_string()))
            .await?;
        s.set_local_setting(HUB_TOKEN, Some(&reply.token)).await?;
        s.set_local_setting(HUB_DEVICE, Some(&reply.device_id.to_string()))
            .await?;
        s.set_local_setting(HUB_PERSON, Some(&reply.person_id.to_string()))
            .await?;
        s.set_local_setting(
            crate::api::ACTING_PERSON,
            Some(&reply.person_id.to_string()),
        )
        .await?;
        self.sync_now(NoInput {}).await
    }

    /// Pushes what the home hub lacks and pulls what this device lacks.
    /// In a meeting, it exchanges with the meeting's host first (no internet needed).
    pub async fn sync_now(&self, _: NoInput) -> Result<SyncStatus> {
        let hub = self.home_hub().await?;
        let in_meeting = self.meeting_link().await?.is_some();
        if hub.is_none() && !in_meeting {
            return Err(CoreError::sync(
                SyncFailure::NotConnected,
                "this device is not connected to a hub yet",
            ));
        }
        let before = sync_state::version_vector(self.store().pool()).await?;
        let result: Result<()> = async {
            if in_meeting {
                self.sync_meeting(false).await?;
            }
            if let Some(hub) = &hub {
                let _running = self.sync.running.lock().await;
                let r = self
                    .exchange(&hub.url, &hub.token, &hub.id, Exchange::Home)
                    .await;
                self.set_progress(None);
                r?;
            }
            Ok(())
        }
        .await;
        let now = hlc::wall_ms();
        match result {
            Ok(()) => {
                self.note_arrival(before, now).await?;
                self.store()
                    .set_local_setting(LAST_SUCCESS, Some(&now.to_string()))
                    .await?;
                self.store().set_local_setting(LAST_FAILURE, None).await?;
            }
            Err(e) => {
                let info = SyncFailureInfo {
                    at_ms: now as f64,
                    code: e.code().to_string(),
                    message: e.to_string(),
                };
                let json = serde_json::to_string(&info).unwrap_or_default();
                self.store()
                    .set_local_setting(LAST_FAILURE, Some(&json))
                    .await?;
                return Err(e);
            }
        }
        self.sync_status(NoInput {}).await
    }

    /// Remembers what this sync brought from others, if anything.
    async fn note_arrival(&self, before: sync_state::VersionVector, now: u64) -> Result<()> {
        let after = sync_state::version_vector(self.store().pool()).await?;
        let me = self.store().site_id().await;
        let count: u64 = after
            .iter()
            .filter(|(site, _)| **site != me)
            .map(|(site, seq)| seq.saturating_sub(before.get(site).copied().unwrap_or(0)))
            .sum();
        if count == 0 {
            return Ok(());
        }
        let arrival = LastArrival {
            at_ms: now,
            count,
            before,
            after,
        };
        let json = serde_json::to_string(&arrival).unwrap_or_default();
        self.store()
            .set_local_setting(LAST_ARRIVAL, Some(&json))
            .await
    }

    /// Syncs with a meeting host (or any hub that is not this device's home): sends the
    /// outbox without emptying it, and queues what arrives for the home hub.
    pub async fn sync_with_peer_hub(
        &self,
        url: &str,
        token: &str,
        hub_id: &str,
        everything: bool,
    ) -> Result<()> {
        let _running = self.sync.running.lock().await;
        let how = if everything {
            Exchange::PeerEverything
        } else {
            Exchange::Peer
        };
        let r = self.exchange(url, token, hub_id, how).await;
        self.set_progress(None);
        r
    }

    /// One push-then-pull exchange with the hub at `url`.
    async fn exchange(&self, url: &str, token: &str, hub_id: &str, how: Exchange) -> Result<()> {
        let transport = self.transport()?;
        let device = DeviceCredentials {
            token: token.to_string(),
            key: self.device_key().await?,
        };
        let pool = self.store().pool();
        let home = how == Exchange::Home;
        // Push, oldest first, in batches bounded by count and bytes.
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
        let mut sent = 0u32;
        let mut after = None;
        let mut everything = everything.map(std::collections::VecDeque::from);
        loop {
            let mut batch: Vec<_> = match everything.as_mut() {
                Some(all) => all.drain(..all.len().min(MAX_PUSH_CHANGES)).collect(),
                None => sync_state::outbox_batch(pool, MAX_PUSH_CHANGES as u32, after).await?,
            };
            if batch.len() == MAX_PUSH_CHANGES {
                // A full batch may have cut a signed span: the rest of it goes with the next.
                let rest = batch.split_off(span_boundary(&batch));
                if let Some(all) = everything.as_mut() {
                    for c in rest.into_iter().rev() {
                        all.push_front(c);
                    }
                }
            }
            let Some(last) = batch.last() else { break };
            after = Some(last.stamp_order());
            for part in split_by_size(batch, MAX_BODY_BYTES / 2) {
                let request = PushRequest { changes: part };
                let reply = transport.push(url, &device, &request).await?;
                if home {
                    if !reply.compensations.is_empty() {
                        let none = Default::default();
                        self.store()
                            .merge_pulled(
                                &reply.compensations,
                                hlc::wall_ms(),
                                Origin::HomeHub,
                                (hub_id, &none),
                            )
                            .await?;
                    }
                    sync_state::acknowledge(pool, &reply.accepted, &reply.rejected, hlc::wall_ms())
                        .await?;
                }
                sent += request.changes.len() as u32;
                self.set_progress(Some(SyncProgress {
                    phase: SyncPhase::Sending,
                    done: sent,
                    total: Some(total.max(sent)),
                }));
            }
        }
        // Pull every readable bucket until the hub has no more.
        let origin = if home {
            Origin::HomeHub
        } else {
            Origin::Unsynced
        };
        let mut cursors = sync_state::load_cursors(pool, hub_id).await?;
        let mut received = 0u32;
        let mut total: Option<u32> = None;
        loop {
            let request = PullRequest {
                cursors: cursors.clone(),
                limit: MAX_PULL_CHANGES,
            };
            let reply = transport.pull(url, &device, &request).await?;
            if reply.snapshot_remaining > 0 {
                total = Some(received + reply.snapshot_remaining as u32);
            }
            self.store()
                .merge_pulled(
                    &reply.changes,
                    hlc::wall_ms(),
                    origin,
                    (hub_id, &reply.cursors),
                )
                .await?;
            received += reply.changes.len() as u32;
            cursors = reply.cursors;
            self.set_progress(Some(SyncProgress {
                phase: if total.is_some() {
                    SyncPhase::FirstSync
                } else {
                    SyncPhase::Receiving
                },
                done: received,
                total,
            }));
            if !reply.more {
                break;
            }
        }
        Ok(())
    }
}

/// Whom an exchange is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exchange {
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

/// Syncs with the home hub every `every` while the app runs; failures are recorded for the
/// sync panel and retried at the next tick.
pub async fn sync_in_background(caucus: Arc<Caucus>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let connected = matches!(caucus.home_hub().await, Ok(Some(_)));
        let in_meeting = matches!(caucus.meeting_link().await, Ok(Some(_)));
        if connected || in_meeting {
            if let Err(e) = caucus.sync_now(NoInput {}).await {
                tracing::info!(error = %e, "background sync failed; will retry");
            }
        }
    }
}
