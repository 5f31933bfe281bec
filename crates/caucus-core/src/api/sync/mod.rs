//! The sync commands: connecting this device to a hub, syncing now, the status the sync
//! panel shows, the hub's refusals; and the background sync. The exchange itself is
//! [`crate::sync::exchange`]; bundles and meetings are [`bundle`] and [`meeting`].

pub mod bundle;
pub mod founding;
pub mod guest;
pub mod meeting;

use super::{Caucus, NoInput};
use crate::error::{CoreError, Result, SyncFailure};
use crate::hlc;
use crate::store::sync_state::{self, RefusedChange};
use crate::sync::exchange::{self, Exchange, Progress, SyncProgress};
use crate::sync::protocol::*;
use crate::sync::Transport;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use uuid::Uuid;

// Device-local settings (never synced).
const HUB_URL: &str = "hub.url";
use crate::store::certificates::HUB_ID;
const HUB_TOKEN: &str = "hub.token";
const HUB_DEVICE: &str = "hub.device_id";
const HUB_PERSON: &str = "hub.person_id";
use crate::store::certificates::HUB_KEY;
/// This device's certificate from its hub (JSON).
pub(crate) const HUB_CERTIFICATE: &str = "hub.certificate";
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
    pub(crate) meetings: OnceLock<Arc<dyn crate::sync::meeting::Meetings>>,
    pub(crate) progress: Progress,
    /// Held while an exchange runs, so two never interleave.
    running: tokio::sync::Mutex<()>,
}

/// Whether the hub's reply certifies this device as it asked: the hub's key signed it, for
/// this key and site, for the person the reply names, and it is valid now. A reply that does
/// not is refused before anything is stored.
fn certified(
    reply: &EnrolReply,
    request: &EnrolRequest,
    key: &ed25519_dalek::VerifyingKey,
) -> Result<()> {
    let refuse = |why: &str| CoreError::sync(SyncFailure::Hub, why.to_string());
    let hub_key = crate::certificate::decode_key(&reply.hub_key)
        .ok_or_else(|| refuse("the hub's key is not an ed25519 public key"))?;
    let certified = reply
        .certificate
        .verify(reply.hub_id, &hub_key, hlc::wall_ms())
        .map_err(|r| refuse(r.reason()))?;
    if certified != *key
        || reply.certificate.site != request.site
        || reply.certificate.person != reply.person_id
    {
        return Err(refuse(
            "the hub's certificate is for another device or another person",
        ));
    }
    Ok(())
}

impl SyncLink {
    /// The sync side of a replica whose progress is told on `events`.
    pub(crate) fn telling(events: crate::events::Events) -> SyncLink {
        SyncLink {
            progress: Progress::telling(events),
            ..Default::default()
        }
    }
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct SyncFailureInfo {
    pub at_ms: f64,
    /// Why (`sync_unreachable`, `sync_clock_skew`, …), translated by the UI.
    pub code: crate::error::ErrorCode,
    pub message: String,
}

/// What the sync panel shows.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SyncStatus {
    pub connected: bool,
    pub hub_url: Option<String>,
    pub device_id: Option<Uuid>,
    pub person_id: Option<Uuid>,
    /// Until when the hub's certificate says this device acts for `person_id` (ms since the
    /// epoch); none before enrolment.
    pub certified_until: Option<f64>,
    /// Changes the home hub has not acknowledged yet.
    pub pending: u32,
    /// When this device last synced with its home hub (a meeting's exchanges do not count).
    pub last_success_ms: Option<f64>,
    pub last_failure: Option<SyncFailureInfo>,
    pub running: bool,
    pub progress: Option<SyncProgress>,
    /// The hub's latest refusals of changes this device sent, one per record and reason
    /// (at most [`REFUSALS_SHOWN`]; [`Caucus::refused_changes`] lists them all).
    pub refused: Vec<RefusedChange>,
    /// How many there are in all.
    pub refused_total: u32,
    /// Changes a bundle brought that this device could not trace to a certified maker: held
    /// back from its records, passed on to the hub, which decides (latest first, at most
    /// [`REFUSALS_SHOWN`] lines).
    pub held: Vec<RefusedChange>,
    /// How many changes are held in all.
    pub held_total: u32,
    /// Where to suggest writing a bundle (the Downloads folder, else home), if known.
    pub bundle_folder: Option<String>,
    /// The devices a bundle came from: a bundle for one of them carries only what it lacks.
    pub bundle_peers: Vec<BundlePeer>,
    /// The meeting this device hosts or joined.
    pub meeting: Option<meeting::MeetingInfo>,
    /// This laptop started its coalition and holds its key: the coalition has no hub yet
    /// (the panel offers to save the key to start one with, [`Caucus::export_coalition_key`]).
    pub founding: bool,
}

/// A device this one has had a bundle from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct BundlePeer {
    /// Its site: [`ExportBundle::peer`].
    pub site: Uuid,
    /// The person its certificate names, when this device holds it.
    pub person: Option<String>,
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

/// A file the person chose to write `what` to: an absolute path in a folder that exists, and
/// not something other than a file (writing is a rename over it: as root, `/dev/null` would
/// be replaced).
pub(crate) fn file_to_write(path: &str, what: &str) -> Result<std::path::PathBuf> {
    let path = std::path::PathBuf::from(path);
    if !path.is_absolute() || path.file_name().is_none() {
        return Err(CoreError::invalid(
            "path",
            format!("choose a file to write {what} to"),
        ));
    }
    if !path.parent().is_some_and(std::path::Path::is_dir) {
        return Err(CoreError::invalid("path", "that folder does not exist"));
    }
    if std::fs::metadata(&path).is_ok_and(|m| !m.is_file()) {
        return Err(CoreError::invalid(
            "path",
            "that is not a file: choose a file to write to",
        ));
    }
    Ok(path)
}

/// Writes `bytes` to a file checked by [`file_to_write`]: beside it first and renamed over
/// it, so a full disk or a removed stick never leaves half a file under the chosen name.
pub(crate) fn write_chosen_file(path: &std::path::Path, bytes: &[u8], what: &str) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let write = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path));
    write.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        CoreError::invalid("path", format!("cannot write {what}: {e}"))
    })
}

/// How long reading a file the person chose may take: a USB stick is slow, a file that never
/// delivers (a pipe, a hung network share) must not hold a command for ever.
const READ_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Reads a file the person chose (`field` names the input): a regular file only, at most
/// `max` bytes (checked before reading, and while reading, in case it grows), within
/// [`READ_LIMIT`], off the runtime's threads so no other command waits for it.
pub(crate) async fn read_chosen_file(field: &str, path: &str, max: u64) -> Result<Vec<u8>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        CoreError::invalid(field.to_string(), format!("cannot read that file: {e}"))
    };
    let meta = tokio::fs::metadata(path)
        .await
        .map_err(|e| unreadable(&e))?;
    if !meta.is_file() {
        return Err(CoreError::invalid(
            field.to_string(),
            "that is not a file (a folder, a device or a pipe): choose the file itself",
        ));
    }
    if meta.len() > max {
        return Err(CoreError::invalid(
            field.to_string(),
            format!("the file is larger than {} MiB", max >> 20),
        ));
    }
    let path = path.to_string();
    let read = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(&path)?
            .take(max + 1)
            .read_to_end(&mut bytes)?;
        Ok::<_, std::io::Error>(bytes)
    });
    let bytes = tokio::time::timeout(READ_LIMIT, read)
        .await
        .map_err(|_| {
            CoreError::invalid(
                field.to_string(),
                "the file did not finish reading within a minute: copy it to this laptop first",
            )
        })?
        .map_err(|e| unreadable(&e))?
        .map_err(|e| unreadable(&e))?;
    if bytes.len() as u64 > max {
        return Err(CoreError::invalid(
            field.to_string(),
            format!("the file is larger than {} MiB", max >> 20),
        ));
    }
    Ok(bytes)
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
        let own_site = s.site_id().await;
        Ok(SyncStatus {
            connected: hub_url.is_some(),
            hub_url,
            device_id: uuid(s.local_setting(HUB_DEVICE).await?),
            person_id: uuid(s.local_setting(HUB_PERSON).await?),
            certified_until: s
                .local_setting(HUB_CERTIFICATE)
                .await?
                .and_then(|c| serde_json::from_str::<crate::certificate::Certificate>(&c).ok())
                .map(|c| c.expires_ms as f64),
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
            progress: self.sync.progress.get(),
            refused: sync_state::recent_rejections(s.pool(), REFUSALS_SHOWN).await?,
            refused_total: sync_state::rejection_count(s.pool()).await?,
            held: sync_state::recent_held(s.pool(), REFUSALS_SHOWN).await?,
            held_total: sync_state::held_count(s.pool()).await?,
            bundle_folder: bundle_folder(),
            bundle_peers: sync_state::bundle_peers(s.pool())
                .await?
                .into_iter()
                .filter(|(site, _)| *site != own_site)
                .map(|(site, person)| BundlePeer { site, person })
                .collect(),
            meeting: self.meeting_info().await?,
            founding: self.holds_coalition_key().await?,
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
            certificate: None,
            guest_name: None,
        };
        let reply = self.transport()?.enrol(&url, &request).await?;
        certified(&reply, &request, &key.verifying_key())?;
        self.check_founder_enrolment(&reply).await?;
        let s = &self.store();
        s.set_local_setting(HUB_URL, Some(&url)).await?;
        s.set_local_setting(HUB_ID, Some(&reply.hub_id.to_string()))
            .await?;
        s.set_local_setting(HUB_TOKEN, Some(&reply.token)).await?;
        s.set_local_setting(HUB_DEVICE, Some(&reply.device_id.to_string()))
            .await?;
        s.set_local_setting(HUB_PERSON, Some(&reply.person_id.to_string()))
            .await?;
        s.set_local_setting(HUB_KEY, Some(&reply.hub_key)).await?;
        let certificate = serde_json::to_string(&reply.certificate)
            .map_err(|e| CoreError::sync(SyncFailure::Hub, e.to_string()))?;
        s.set_local_setting(HUB_CERTIFICATE, Some(&certificate))
            .await?;
        if let Some((hub, key)) = crate::store::certificates::trust(s).await? {
            crate::store::certificates::remember(
                s.pool(),
                (hub, &key),
                std::slice::from_ref(&reply.certificate),
                hlc::wall_ms(),
            )
            .await?;
        }
        s.set_local_setting(
            crate::api::ACTING_PERSON,
            Some(&reply.person_id.to_string()),
        )
        .await?;
        // The hub certifies for the coalition now: its key need not sit on a laptop.
        self.forget_coalition_key().await?;
        // A guest at meetings is now the person the invite named. What it wrote as a guest
        // goes to the hub with its host's pass, by which the hub judges it.
        if let Some(pass) = self.guest_pass().await? {
            crate::store::guest_passes::remember(s.pool(), &[pass]).await?;
        }
        s.set_local_setting(meeting::GUEST_NAME, None).await?;
        s.set_local_setting(meeting::GUEST_PASS, None).await?;
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
                let met = self.sync_meeting(false).await;
                // A meeting that has ended (its host gone) does not keep this device from its
                // hub: what the meeting brought is in the log, and goes on from here.
                if hub.is_none() {
                    met?;
                }
            }
            if let Some(hub) = &hub {
                let _running = self.sync.running.lock().await;
                let r = self
                    .exchange(&hub.url, &hub.token, &hub.id, Exchange::Home)
                    .await;
                self.sync.progress.set(None);
                r?;
            }
            Ok(())
        }
        .await;
        let now = hlc::wall_ms();
        match result {
            Ok(()) => {
                self.note_arrival(before, now).await?;
                // The panel says "last synced with the hub": an exchange with a meeting alone
                // (hosting one that nobody joined, too) leaves it as it was.
                if hub.is_some() {
                    self.store()
                        .set_local_setting(LAST_SUCCESS, Some(&now.to_string()))
                        .await?;
                }
                self.store().set_local_setting(LAST_FAILURE, None).await?;
            }
            Err(e) => {
                let info = SyncFailureInfo {
                    at_ms: now as f64,
                    code: e.error_code(),
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
    /// One exchange with the hub at `url`, as this device.
    async fn exchange(&self, url: &str, token: &str, hub_id: &str, how: Exchange) -> Result<()> {
        let device = DeviceCredentials {
            token: token.to_string(),
            key: self.device_key().await?,
        };
        exchange::exchange(
            self.store(),
            self.transport()?.as_ref(),
            &self.sync.progress,
            url,
            &device,
            hub_id,
            how,
        )
        .await
    }

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
        self.sync.progress.set(None);
        r
    }
}

/// Syncs with the home hub every `every` while the app runs; failures are recorded for the
/// sync panel and retried at the next tick. At a meeting, also at once after each local write,
/// and whenever the meeting's hub says another laptop pushed (a pull it holds open): an edit
/// reaches the other laptops' screens well within a second.
pub async fn sync_in_background(caucus: Arc<Caucus>, every: Duration) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A meeting sync that failed (its host busy a moment) is tried again soon, a few times,
    // not only in a minute; a host that is gone is left to the clock.
    let mut failures = 0u32;
    loop {
        let in_meeting = matches!(caucus.meeting_link().await, Ok(Some(_)));
        let live = tokio::select! {
            _ = ticker.tick() => false,
            _ = tokio::time::sleep(Duration::from_millis(500)), if in_meeting && (1..5).contains(&failures) => true,
            _ = caucus.store().written(), if in_meeting => true,
            news = caucus.meeting_news(MEETING_WAIT), if in_meeting => match news {
                Ok(true) => true,
                Ok(false) => continue,
                Err(e) => {
                    // The host is gone or too old to hold a pull: the ticker goes on.
                    tracing::info!(error = %e, "a meeting's hub did not answer; syncing on the clock");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            },
        };
        if live {
            // At a meeting the exchange is with its host alone: the coalition's hub (which may
            // be out of reach there) is the ticker's.
            let result = caucus.sync_meeting(false).await;
            failures = if result.is_ok() { 0 } else { failures + 1 };
            if let Err(e) = result {
                tracing::info!(error = %e, "a meeting sync failed; will retry");
            }
            continue;
        }
        let connected = matches!(caucus.home_hub().await, Ok(Some(_)));
        if connected || in_meeting {
            if let Err(e) = caucus.sync_now(NoInput {}).await {
                tracing::info!(error = %e, "background sync failed; will retry");
            }
        }
    }
}

/// How long a laptop at a meeting asks its host to hold a pull open.
const MEETING_WAIT: u64 = 20_000;

impl Caucus {
    /// Waits, up to `wait_ms`, until the meeting's hub holds something this device lacks.
    pub(crate) async fn meeting_news(&self, wait_ms: u64) -> Result<bool> {
        let Some((url, token, hub)) = self.meeting_link().await? else {
            return Ok(false);
        };
        let device = DeviceCredentials {
            token,
            key: self.device_key().await?,
        };
        exchange::has_news(
            self.store(),
            self.transport()?.as_ref(),
            &url,
            &device,
            &hub,
            wait_ms,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::{file_to_write, write_chosen_file};

    #[test]
    fn a_chosen_file_is_written_whole_and_never_over_something_else() {
        let dir = tempfile::tempdir().expect("a folder");
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let refused = |p: &std::path::Path| file_to_write(&p.to_string_lossy(), "x").is_err();
        assert!(refused(&fifo), "a FIFO");
        assert!(refused(dir.path()), "a folder");
        assert!(
            refused(std::path::Path::new("relative.csv")),
            "a relative path"
        );
        assert!(
            refused(&dir.path().join("missing/x.csv")),
            "a missing folder"
        );

        let target = dir.path().join("report.pdf");
        let beside = dir.path().join("report.partial");
        std::fs::write(&beside, b"the person's own file").expect("written");
        let path = file_to_write(&target.to_string_lossy(), "x").expect("a file may be chosen");
        write_chosen_file(&path, b"first", "x").expect("written");
        write_chosen_file(&path, b"second", "x").expect("written over");
        assert_eq!(std::fs::read(&target).expect("read"), b"second");
        // The partial file is the chosen name with `.partial` added, never another file's name.
        assert_eq!(
            std::fs::read(&beside).expect("read"),
            b"the person's own file"
        );
        assert!(!dir.path().join("report.pdf.partial").exists());
    }
}
