//! A replica's own judgement of who made what a USB bundle brings, with no hub in reach.
//!
//! Every write is signed by its device ([`crate::signature`]) and every device is certified
//! as its person by the coalition's hub ([`crate::certificate`]). So a replica that holds its
//! hub's key can tell, change by change, whether the device that made it is certified, whether
//! that device's key signed it, and whether it claims to be that person's. A change that fails
//! is held: logged and passed on to the hub, which has the last word, but kept out of the rows
//! until the hub accepts it ([`crate::store::Store::merge_judged`]).
//!
//! Rights are not judged here yet: the hub still refuses, and undoes, what the maker's role
//! may not write.

use crate::certificate::{Certificate, Refusal};
use crate::change::Change;
use crate::error::Result;
use crate::signature::{span_of, verify_span};
use crate::store::{certificates, Store};
use ed25519_dalek::VerifyingKey;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The changes to hold, by (site, seq), with why: a code the Sync panel translates
/// (`uncertified`, `wrong_key`, `other_person`, `revoked`, `incomplete`, `unsigned`, `certificate_expired`,
/// `certificate_foreign`, `certificate_forged`, `certificate_damaged`) and the words for logs.
pub type Held = HashMap<(Uuid, u64), (String, String)>;

/// Why a believed certificate was refused, as a code.
fn refusal_code(why: Refusal) -> &'static str {
    match why {
        Refusal::Malformed => "certificate_damaged",
        Refusal::ForeignHub => "certificate_foreign",
        Refusal::Forged => "certificate_forged",
        Refusal::Expired => "certificate_expired",
    }
}

/// A believed certificate: the key it certifies, for whom, and until when.
struct Certified {
    key: VerifyingKey,
    person: Uuid,
    until_ms: u64,
    /// When the hub removed the device, if it did.
    removed_ms: Option<u64>,
}

/// Judges `changes` that arrived from a carrier (a bundle), given the certificates the carrier
/// brought: returns the changes to hold, with why. A replica that has not enrolled with a hub
/// has no key to judge with and holds nothing (it has no coalition to protect yet). Its own
/// changes, and those the hub itself signed (its compensations), are never held.
pub async fn provenance(
    store: &Store,
    changes: &[Change],
    brought: &[Certificate],
    now_ms: u64,
) -> Result<Held> {
    let mut held = Held::new();
    let Some((hub, hub_key)) = certificates::trust(store).await? else {
        return Ok(held);
    };
    let pool = store.pool();
    // What the carrier brought is believed as any certificate is; why the others were not is
    // what a change they would have proven is held for.
    let (_, refused) = certificates::remember(pool, (hub, &hub_key), brought, now_ms).await?;
    let refused: HashMap<Uuid, Refusal> =
        refused.into_iter().map(|(c, why)| (c.site, why)).collect();
    let own = store.site_id().await;
    let mut by_site: BTreeMap<Uuid, Vec<&Change>> = BTreeMap::new();
    for c in changes.iter().filter(|c| c.site != own) {
        by_site.entry(c.site).or_default().push(c);
    }
    for (site, mut site_changes) in by_site {
        site_changes.sort_by_key(|c| c.seq);
        // The site's certified keys and their removals, read once for all its spans.
        let mut certified = Vec::new();
        for c in certificates::of_site(pool, site).await? {
            let Some(key) = crate::certificate::decode_key(&c.device_key) else {
                continue;
            };
            certified.push(Certified {
                removed_ms: certificates::revoked_at(pool, &key).await?,
                key,
                person: c.person,
                until_ms: c.expires_ms,
            });
        }
        let mut hold = |c: &Change, (code, reason): (&str, &str)| {
            held.insert((c.site, c.seq), (code.to_string(), reason.to_string()));
        };
        let mut covered = std::collections::HashSet::new();
        for last in site_changes.iter().filter(|c| c.signature.is_some()) {
            let Some(range) = span_of(last) else {
                hold(last, ("unsigned", "its signature is damaged"));
                continue;
            };
            let span: Vec<&Change> = site_changes
                .iter()
                .copied()
                .filter(|c| range.contains(&c.seq))
                .collect();
            for c in &span {
                covered.insert(c.seq);
            }
            let complete = span.len() as u64 == range.end() - range.start() + 1;
            let reason: Option<(&str, &str)> = if !complete {
                Some(("incomplete", "its write arrived incomplete"))
            } else if verify_span(&hub_key, &span) {
                None
            } else {
                match certified.iter().find(|k| verify_span(&k.key, &span)) {
                    None if certified.is_empty() => Some(match refused.get(&site) {
                        Some(why) => (refusal_code(*why), why.reason()),
                        None => (
                            "uncertified",
                            "the device that made it has no certificate from the coalition's hub",
                        ),
                    }),
                    None => Some((
                        "wrong_key",
                        "it is not signed by the key the coalition's hub certified for its device",
                    )),
                    Some(k) => {
                        // Valid now, not at the change's clock, which its maker chose. Changes
                        // a device made before it enrolled are its own too.
                        if now_ms >= k.until_ms {
                            Some((refusal_code(Refusal::Expired), Refusal::Expired.reason()))
                        } else if k.removed_ms.is_some_and(|at| last.hlc.ms() > at) {
                            Some((
                                "revoked",
                                "made by a device removed from the coalition, after its removal",
                            ))
                        } else if span.iter().any(|c| c.actor.is_some_and(|a| a != k.person)) {
                            Some((
                                "other_person",
                                "it claims to be the change of someone its device does not act for",
                            ))
                        } else {
                            None
                        }
                    }
                }
            };
            if let Some(reason) = reason {
                for c in &span {
                    hold(c, reason);
                }
            }
        }
        for c in site_changes.iter().filter(|c| !covered.contains(&c.seq)) {
            hold(
                c,
                (
                    "unsigned",
                    "it carries no signature of the device that made it",
                ),
            );
        }
    }
    Ok(held)
}
