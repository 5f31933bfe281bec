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

/// Merges `changes` a carrier brought, judged: `brought` are the certificates it carried
/// (believed only if the replica's hub signed them), `pulled_from` the meeting host's cursors
/// when the changes are a page pulled from one. Returns what the merge did; `held` counts the
/// changes new to this replica that it kept out of the rows.
pub async fn merge_judged(
    store: &Store,
    changes: &[Change],
    brought: &[Certificate],
    now_ms: u64,
    pulled_from: Option<(&str, &BTreeMap<String, BucketCursor>)>,
) -> Result<ApplyReport> {
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
    let refused = provenance::remember_brought(pool, (hub, &hub_key), brought, now_ms).await?;
    let own = store.site_id().await;
    let mut m = store.begin_merge(changes, now_ms).await?;
    let fresh = m.log(changes).await?;
    let fresh_ids: HashSet<(Uuid, u64)> = fresh.iter().map(|c| (c.site, c.seq)).collect();
    let mut candidates = fresh;
    if !fresh_ids.is_empty() {
        // What waits may be let in by what just arrived.
        let waiting = m.quarantined().await?;
        candidates.extend(
            waiting
                .into_iter()
                .filter(|c| !fresh_ids.contains(&(c.site, c.seq))),
        );
    }
    let makers =
        provenance::makers(&mut m, pool, own, &hub_key, &refused, &candidates, now_ms).await?;
    let refusals = rights::judge(&mut m, candidates, &makers).await?;
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
