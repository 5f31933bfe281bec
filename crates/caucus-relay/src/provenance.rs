//! Who made the changes a device only carries.
//!
//! A device pushes its own changes (its request's signature proves it sent them) and the
//! changes it carries for others: what a meeting host relayed to it, what a USB bundle brought.
//! A carried change is judged by the device that made it, never by the carrier:
//! - its maker is the device enrolled with the change's site (a site is bound to one person
//!   at enrolment, [`crate::db::HubDb::enrol`]); a site no device enrolled is not provable yet;
//! - its span's signature ([`caucus_core::signature`]) must be that device's key, else it was
//!   made by someone else in that device's name;
//! - a device removed from the coalition makes nothing after its removal.
//!
//! A guest at a meeting has no enrolment: its changes travel with the pass its host's device
//! signed ([`caucus_core::guest_pass`]), believed when that host's device is enrolled here
//! and was not removed before it signed; the guest's rights are the pass's.
//!
//! The rights are then those of the maker's person (see `push`).

use crate::error::HubError;
use caucus_core::change::Change;
use caucus_core::guest_pass::GuestPass;
use caucus_core::signature::{self, verify_span};
use caucus_core::sync::protocol::RejectCode;
use ed25519_dalek::VerifyingKey;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

type Result<T, E = HubError> = std::result::Result<T, E>;

/// The device behind a site, as enrolment recorded it (or a guest's pass).
struct Maker {
    person: Uuid,
    keys: Vec<VerifyingKey>,
    /// When the last of the site's devices was removed, if every one of them was.
    removed_ms: Option<u64>,
    /// For a guest: the pass it was let in with.
    pass: Option<GuestPass>,
}

/// What a push's carried changes are proven to be.
pub struct Provenance {
    pusher_site: Uuid,
    makers: HashMap<Uuid, Maker>,
    /// Carried changes whose span carries their maker's signature.
    proven: HashSet<(Uuid, u64)>,
    /// Carried changes in a span whose signature is not their maker's: someone else made
    /// them, or altered one of them. Not undone on the peers: which change of the span is the
    /// maker's own cannot be told, and undoing a genuine one would lose it.
    mismatched: HashSet<(Uuid, u64)>,
    /// A pass of the pusher's own site, believed: what it wrote as a guest at a meeting,
    /// before it enrolled, is judged by it.
    own_pass: Option<GuestPass>,
}

impl Provenance {
    /// Looks up the makers of the carried changes among `changes` (those not made by the
    /// pusher's site and not already held) and checks their spans' signatures. A span may be
    /// completed by changes the hub already holds.
    pub async fn establish(
        tx: &mut AnyConnection,
        pusher_site: Uuid,
        changes: &[Change],
        passes: &[GuestPass],
        fresh: impl Fn(&Change) -> bool,
    ) -> Result<Provenance> {
        let carried: Vec<&Change> = changes
            .iter()
            .filter(|c| c.site != pusher_site && fresh(c))
            .collect();
        let mut makers = HashMap::new();
        let own_pass = guest(tx, pusher_site, passes).await?.and_then(|m| m.pass);
        for site in carried.iter().map(|c| c.site).collect::<HashSet<_>>() {
            if let Some(maker) = maker(tx, site).await? {
                makers.insert(site, maker);
            } else if let Some(guest) = guest(tx, site, passes).await? {
                makers.insert(site, guest);
            }
        }
        let by_id: HashMap<(Uuid, u64), &Change> = changes
            .iter()
            .filter(|c| makers.contains_key(&c.site))
            .map(|c| ((c.site, c.seq), c))
            .collect();
        let mut proven = HashSet::new();
        let mut mismatched = HashSet::new();
        for last in carried.iter().filter(|c| c.signature.is_some()) {
            let (Some(maker), Some(range)) = (makers.get(&last.site), signature::span_of(last))
            else {
                continue;
            };
            let mut span: Vec<Change> = Vec::new();
            let mut missing = Vec::new();
            for seq in range.clone() {
                match by_id.get(&(last.site, seq)) {
                    Some(c) => span.push((*c).clone()),
                    None => missing.push(seq),
                }
            }
            if !missing.is_empty() {
                // The rest of the span may have reached the hub before (from its maker).
                let held = held_changes(tx, last.site, &missing).await?;
                if held.len() != missing.len() {
                    continue;
                }
                span.extend(held);
                span.sort_by_key(|c| c.seq);
            }
            let span_refs: Vec<&Change> = span.iter().collect();
            let ids = range.map(|seq| (last.site, seq));
            if maker.keys.iter().any(|k| verify_span(k, &span_refs)) {
                proven.extend(ids);
            } else {
                mismatched.extend(ids);
            }
        }
        // A span that verified is the maker's, whatever another span claims to cover.
        mismatched.retain(|id| !proven.contains(id));
        Ok(Provenance {
            pusher_site,
            makers,
            proven,
            mismatched,
            own_pass,
        })
    }

    /// The person whose rights decide `change`, or why it is refused: the pusher's own changes
    /// are its person's (`pusher`); a carried one is its maker's, once proven.
    pub fn maker_of(&self, change: &Change, pusher: Uuid) -> Result<Uuid, (RejectCode, String)> {
        if change.site == self.pusher_site {
            return Ok(pusher);
        }
        let id = (change.site, change.seq);
        let Some(maker) = self.makers.get(&change.site) else {
            return Err((
                RejectCode::Unproven,
                "made on a device this hub has not enrolled: it waits until that device joins"
                    .into(),
            ));
        };
        if let Some(pass) = &maker.pass {
            let at = change.hlc.ms();
            if at < pass.issued_ms || at >= pass.expires_ms {
                return Err((
                    RejectCode::Forbidden,
                    "made by a guest outside the day its host let them in".into(),
                ));
            }
        }
        if let Some(removed) = maker.removed_ms {
            if change.hlc.ms() > removed {
                return Err((
                    RejectCode::Forbidden,
                    "made on a device after it was removed from the coalition".into(),
                ));
            }
        }
        if self.mismatched.contains(&id) {
            return Err((
                RejectCode::Unproven,
                "its signature is not that of the device it names: someone else made or \
                 altered it"
                    .into(),
            ));
        }
        if !self.proven.contains(&id) {
            return Err((
                RejectCode::Unproven,
                "made on another device, and its signature did not come with it whole: it waits \
                 until that device syncs, or the whole of its write arrives"
                    .into(),
            ));
        }
        Ok(maker.person)
    }
}

impl Provenance {
    /// For a change carried from a guest's site: the meeting its pass lets it attend.
    pub fn guest_meeting(&self, site: Uuid) -> Option<Uuid> {
        self.makers
            .get(&site)
            .and_then(|m| m.pass.as_ref())
            .map(|p| p.meeting)
    }

    /// For the pusher's own changes made as a guest (their actor is the pass's guest, within
    /// its day): the guest it acted as, and the meeting its pass let it attend. A laptop that
    /// was a guest and then enrolled sends them with the rest of its log.
    pub fn own_guest(&self, change: &Change) -> Option<(Uuid, Uuid)> {
        let pass = self.own_pass.as_ref()?;
        let at = change.hlc.ms();
        (change.actor == Some(pass.person) && at >= pass.issued_ms && at < pass.expires_ms)
            .then_some((pass.person, pass.meeting))
    }

    /// The guests' passes this push's proven changes were judged by, to keep.
    pub fn believed_passes(&self) -> impl Iterator<Item = &GuestPass> {
        self.makers
            .values()
            .filter_map(|m| m.pass.as_ref())
            .chain(self.own_pass.as_ref())
    }
}

/// A guest's site, by one of `passes`: its host's device enrolled here, not removed before it
/// signed the pass, and its signature good. A pass its host did not sign proves nothing.
async fn guest(tx: &mut AnyConnection, site: Uuid, passes: &[GuestPass]) -> Result<Option<Maker>> {
    for pass in passes.iter().filter(|p| p.site == site) {
        let Some(host) = maker(tx, pass.host_site).await? else {
            continue;
        };
        if host.removed_ms.is_some_and(|at| at <= pass.issued_ms) || host.pass.is_some() {
            continue;
        }
        for key in &host.keys {
            if let Ok(guest_key) = pass.verify(key, pass.issued_ms) {
                return Ok(Some(Maker {
                    person: pass.person,
                    keys: vec![guest_key],
                    removed_ms: None,
                    pass: Some(pass.clone()),
                }));
            }
        }
    }
    Ok(None)
}

/// The device enrolled with `site`: its person, keys, and whether it was removed.
async fn maker(tx: &mut AnyConnection, site: Uuid) -> Result<Option<Maker>> {
    let rows = sqlx::query(
        "SELECT person_id, public_key, revoked_ms FROM hub_device WHERE site = $1
         ORDER BY enrolled_ms",
    )
    .bind(site.to_string())
    .fetch_all(&mut *tx)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let person: String = first.try_get("person_id")?;
    let Ok(person) = Uuid::parse_str(&person) else {
        return Ok(None);
    };
    let mut keys = Vec::new();
    let mut removed: Option<u64> = Some(0);
    for r in &rows {
        let key: String = r.try_get("public_key")?;
        keys.extend(signature::public_key(&key));
        let revoked: Option<i64> = r.try_get("revoked_ms")?;
        removed = match (removed, revoked) {
            (Some(latest), Some(at)) => Some(latest.max(at as u64)),
            _ => None,
        };
    }
    Ok(Some(Maker {
        person,
        keys,
        removed_ms: removed,
        pass: None,
    }))
}

/// The held changes of `site` with these sequence numbers.
async fn held_changes(tx: &mut AnyConnection, site: Uuid, seqs: &[u64]) -> Result<Vec<Change>> {
    let (Some(low), Some(high)) = (seqs.iter().min(), seqs.iter().max()) else {
        return Ok(Vec::new());
    };
    let rows =
        sqlx::query("SELECT seq, body FROM hub_change WHERE site = $1 AND seq >= $2 AND seq <= $3")
            .bind(site.to_string())
            .bind(*low as i64)
            .bind(*high as i64)
            .fetch_all(&mut *tx)
            .await?;
    let wanted: HashSet<u64> = seqs.iter().copied().collect();
    let mut out = Vec::new();
    for r in rows {
        let seq: i64 = r.try_get("seq")?;
        if wanted.contains(&(seq as u64)) {
            let body: String = r.try_get("body")?;
            if let Ok(change) = serde_json::from_str::<Change>(&body) {
                out.push(change);
            }
        }
    }
    Ok(out)
}
