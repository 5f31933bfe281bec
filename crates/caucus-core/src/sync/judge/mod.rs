//! A replica's own judgement of what a meeting or a USB bundle brings, with no hub in reach.
//!
//! Every change that arrives from a carrier is judged twice before it reaches the rows: who
//! made it ([`provenance`]: its device's signature and certificate, the device's removal) and
//! whether that person may make it ([`rights`]: the rules the hub applies,
//! [`crate::sync::authority`], against the memberships this replica holds). A change that fails
//! is held: logged and passed on to the hub, which has the last word, but kept out of the rows,
//! in the quarantine the Sync panel shows. Every judged merge looks again at what is held, so
//! a change waiting for the membership that allows it, or for the rest of its write, is let in
//! when they arrive; the hub accepting it lets it in too ([`crate::store::sync_state`]).
//!
//! A replica that has not enrolled with a hub has no key to judge with and judges nothing (a
//! demo, or a coalition not set up yet): it has no coalition to protect yet.

mod provenance;
mod rights;

use crate::certificate::Certificate;
use crate::change::Change;
use crate::error::Result;
use crate::store::{certificates, ApplyReport, Origin, Store};
use crate::sync::protocol::BucketCursor;
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// Held for want of a believed certificate: judged again when new certificates arrive.
const UNTRACED: [&str; 6] = [
    "uncertified",
    "wrong_key",
    "certificate_expired",
    "certificate_foreign",
    "certificate_forged",
    "certificate_damaged",
];

/// Why a change is held: a code the Sync panel translates (`uncertified`, `wrong_key`,
/// `other_person`, `revoked`, `incomplete`, `unsigned`, `certificate_*`, and the hub's own
/// `forbidden`, `wrong_bucket`, `orphan`, `invalid`) and the words for the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// What the Sync panel says, as a code.
    pub code: String,
    /// The same in words, for the logs.
    pub reason: String,
}

impl Held {
    fn new(code: &str, reason: &str) -> Held {
        Held {
            code: code.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Cuts `changes` into batches of about `size` that keep every signed span whole: a batch
/// ends where no device has a write open (its changes since its last signed one). A judge can
/// trace a change to its maker only with its whole span, and a span cut in two would wait in
/// the quarantine until the rest arrives. Where no such place comes within twice `size`, the
/// batch is cut anyway (the rest of the span completes it from the log).
pub fn batches(changes: &[Change], size: usize) -> Vec<&[Change]> {
    let size = size.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    let mut open: HashSet<Uuid> = HashSet::new();
    for (i, c) in changes.iter().enumerate() {
        if c.signature.is_some() {
            open.remove(&c.site);
        } else {
            open.insert(c.site);
        }
        let len = i + 1 - start;
        if (len >= size && open.is_empty()) || len >= 2 * size {
            out.push(&changes[start..=i]);
            start = i + 1;
            open.clear();
        }
    }
    if start < changes.len() {
        out.push(&changes[start..]);
    }
    out
}

/// Merges `changes` a carrier brought, judged: `brought` are the certificates it carried
/// (believed only if the replica's hub signed them), `pulled_from` the meeting host's cursors
/// when the changes are a page pulled from one. Returns what the merge did; `held` counts the
/// changes new to this replica that it kept out of the rows.
pub async fn merge_judged(
    store: &Store,
    changes: &[Change],
    brought: &[Certificate],
    passes: &[crate::guest_pass::GuestPass],
    now_ms: u64,
    pulled_from: Option<(&str, &BTreeMap<String, BucketCursor>)>,
) -> Result<ApplyReport> {
    // Kept even where nothing is judged (a demo hosting): they name the guests.
    crate::store::guest_passes::remember(store.pool(), passes).await?;
    let Some((hub, hub_key)) = certificates::trust(store).await? else {
        return match pulled_from {
            Some(cursors) => {
                store
                    .merge_pulled(changes, now_ms, Origin::Unsynced, cursors)
                    .await
            }
            None => store.merge_remote(changes, now_ms).await,
        };
    };
    let pool = store.pool();
    let (new_certificates, refused) =
        provenance::remember_brought(pool, (hub, &hub_key), brought, now_ms).await?;
    let own = store.site_id().await;
    let mut m = store.begin_merge(changes, now_ms).await?;
    let fresh = m.log(changes).await?;
    let fresh_ids: HashSet<(Uuid, u64)> = fresh.iter().map(|c| (c.site, c.seq)).collect();
    // What waits may be let in by what just arrived: only what it could have changed is
    // judged again, so a large quarantine costs nothing on every merge.
    let mut waiting = Vec::new();
    if !fresh.is_empty() {
        // The rest of a write, from the same device.
        let sites: Vec<Uuid> = fresh
            .iter()
            .map(|c| c.site)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        waiting.extend(
            m.quarantined_of(&sites, &["incomplete", "unsigned"])
                .await?,
        );
        let mut codes: Vec<&str> = Vec::new();
        if new_certificates > 0 || !passes.is_empty() {
            codes.extend(UNTRACED);
        }
        if fresh
            .iter()
            .any(|c| crate::sync::authority::RIGHTS_TABLES.contains(&c.table.as_str()))
        {
            // Rights come from these rows.
            codes.extend(["forbidden", "wrong_bucket", "invalid"]);
        }
        if fresh.iter().any(|c| c.column == crate::change::ROW_COLUMN) {
            // A record the held change belongs under may have arrived.
            codes.push("orphan");
        }
        waiting.extend(m.quarantined(&codes).await?);
    }
    let mut candidates = fresh;
    let mut seen = fresh_ids.clone();
    for c in waiting {
        if seen.insert((c.site, c.seq)) {
            candidates.push(c);
        }
    }
    let makers =
        provenance::makers(&mut m, pool, own, &hub_key, &refused, &candidates, now_ms).await?;
    let by_id: std::collections::HashMap<(Uuid, u64), Change> = candidates
        .iter()
        .map(|c| ((c.site, c.seq), c.clone()))
        .collect();
    let mut refusals = rights::judge(&mut m, candidates, &makers).await?;
    // What this merge let in may let in what it refused for want of it (a record that came
    // later in the same batch, a membership after the change it allows): judged again while
    // that lets anything in, a few times at most.
    for _ in 0..3 {
        let retry: Vec<Change> = refusals
            .iter()
            .filter(|(_, why)| matches!(why.code.as_str(), "orphan" | "forbidden" | "wrong_bucket"))
            .filter_map(|(id, _)| by_id.get(id).cloned())
            .collect();
        if retry.is_empty() {
            break;
        }
        let before = refusals.len();
        let retried: HashSet<(Uuid, u64)> = retry.iter().map(|c| (c.site, c.seq)).collect();
        let again = rights::judge(&mut m, retry, &makers).await?;
        refusals.retain(|(id, _)| !retried.contains(id));
        refusals.extend(again);
        if refusals.len() == before {
            break;
        }
    }
    let mut held = 0;
    for (id, why) in &refusals {
        m.hold(*id, now_ms, &why.code, &why.reason).await?;
        held += fresh_ids.contains(id) as u32;
    }
    if let Some((hub, cursors)) = pulled_from {
        m.save_cursors(hub, cursors).await?;
    }
    m.commit(held).await
}
