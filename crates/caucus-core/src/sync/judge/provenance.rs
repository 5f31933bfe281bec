//! Who made a change that a carrier brought: every write is signed by its device
//! ([`crate::signature`]) and every device is certified as its person by the coalition's hub
//! ([`crate::certificate`]). A replica that holds its hub's key can tell, span by span, whether
//! the device that made it is certified, whether that device's key signed it, whether it claims
//! to be that person's, and whether the device was removed before it made it.

use super::Held;
use crate::certificate::{Certificate, Refusal};
use crate::change::Change;
use crate::error::Result;
use crate::guest_pass::GuestPass;
use crate::signature::{span_of, verify_span};
use crate::store::merge::Merging;
use crate::store::{certificates, guest_passes};
use ed25519_dalek::VerifyingKey;
use sqlx::SqlitePool;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Whose rights decide a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Maker {
    /// This device's own (a copy of its own log coming back).
    Own,
    /// The hub's own: its compensations, signed with its key. The hub is the authority.
    Hub,
    /// A certified device's person.
    Person(Uuid),
    /// A guest at a meeting, by the pass its host signed: nobody of the coalition, let in to
    /// that meeting.
    Guest { person: Uuid, meeting: Uuid },
}

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

/// The certified keys of `site`, with their removals.
async fn certified_keys(pool: &SqlitePool, site: Uuid) -> Result<Vec<Certified>> {
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
    Ok(certified)
}

/// The maker of each of `candidates`, by (site, seq), or why it cannot be traced to one.
/// `refused` names the sites whose certificate, brought with the changes, was not believed.
/// A span is completed from the log when part of it arrived earlier.
pub(super) async fn makers(
    m: &mut Merging<'_>,
    pool: &SqlitePool,
    own: Uuid,
    hub_key: &VerifyingKey,
    refused: &HashMap<Uuid, Refusal>,
    candidates: &[Change],
    now_ms: u64,
) -> Result<HashMap<(Uuid, u64), std::result::Result<Maker, Held>>> {
    let mut out = HashMap::new();
    let mut by_site: BTreeMap<Uuid, Vec<&Change>> = BTreeMap::new();
    for c in candidates {
        if c.site == own {
            out.insert((c.site, c.seq), Ok(Maker::Own));
        } else {
            by_site.entry(c.site).or_default().push(c);
        }
    }
    for (site, mut site_changes) in by_site {
        site_changes.sort_by_key(|c| c.seq);
        site_changes.dedup_by_key(|c| c.seq);
        // The site's certified keys and their removals, read once for all its spans; a site
        // with none may be a guest's, with its host's passes.
        let certified = certified_keys(pool, site).await?;
        let passes = if certified.is_empty() {
            guest_passes::of_sites(pool, &[site]).await?
        } else {
            Vec::new()
        };
        let by_seq: HashMap<u64, &Change> = site_changes.iter().map(|c| (c.seq, *c)).collect();
        let mut covered = HashSet::new();
        for last in site_changes.iter().filter(|c| c.signature.is_some()) {
            let Some(range) = span_of(last) else {
                out.insert(
                    (site, last.seq),
                    Err(Held::new("unsigned", "its signature is damaged")),
                );
                covered.insert(last.seq);
                continue;
            };
            let missing: Vec<u64> = range
                .clone()
                .filter(|seq| !by_seq.contains_key(seq))
                .collect();
            let earlier = m.logged(site, &missing).await?;
            let mut span: Vec<&Change> = range
                .clone()
                .filter_map(|seq| by_seq.get(&seq).copied())
                .chain(earlier.iter())
                .collect();
            span.sort_by_key(|c| c.seq);
            let complete = span.len() as u64 == range.end() - range.start() + 1;
            // The device's own key first: the hub signs only its compensations, and each
            // verification costs about as much as the merge of the span.
            let signer = if complete {
                certified.iter().find(|k| verify_span(&k.key, &span))
            } else {
                None
            };
            let guest = if complete && certified.is_empty() {
                guest_of(pool, &passes, &span, last.hlc.ms()).await?
            } else {
                None
            };
            let verdict = if !complete {
                Err(Held::new("incomplete", "its write arrived incomplete"))
            } else if let Some(guest) = guest {
                guest
            } else if signer.is_none() && verify_span(hub_key, &span) {
                Ok(Maker::Hub)
            } else {
                match signer {
                    None if certified.is_empty() => Err(match refused.get(&site) {
                        Some(why) => Held::new(refusal_code(*why), why.reason()),
                        None => Held::new(
                            "uncertified",
                            "the device that made it has no certificate from the coalition's hub",
                        ),
                    }),
                    None => Err(Held::new(
                        "wrong_key",
                        "it is not signed by the key the coalition's hub certified for its device",
                    )),
                    // Valid now, not at the change's clock, which its maker chose. Changes a
                    // device made before it enrolled are its own too.
                    Some(k) if now_ms >= k.until_ms => Err(Held::new(
                        refusal_code(Refusal::Expired),
                        Refusal::Expired.reason(),
                    )),
                    Some(k) if k.removed_ms.is_some_and(|at| last.hlc.ms() > at) => Err(Held::new(
                        "revoked",
                        "made by a device removed from the coalition, after its removal",
                    )),
                    Some(k) if span.iter().any(|c| c.actor.is_some_and(|a| a != k.person)) => {
                        Err(Held::new(
                            "other_person",
                            "it claims to be the change of someone its device does not act for",
                        ))
                    }
                    Some(k) => Ok(Maker::Person(k.person)),
                }
            };
            for seq in range {
                if by_seq.contains_key(&seq) {
                    covered.insert(seq);
                    // A span that verified is the maker's, whatever another span claims.
                    let id = (site, seq);
                    if verdict.is_ok() || !matches!(out.get(&id), Some(Ok(_))) {
                        out.insert(id, verdict.clone());
                    }
                }
            }
        }
        for c in site_changes.iter().filter(|c| !covered.contains(&c.seq)) {
            out.insert(
                (c.site, c.seq),
                Err(Held::new(
                    "unsigned",
                    "it carries no signature of the device that made it",
                )),
            );
        }
    }
    Ok(out)
}

/// Whether `span` is a guest's, by one of `passes`: a pass this replica believes (its host's
/// device is certified here) whose guest key signed the span, in the pass's day. A span that
/// claims to be someone else's is not the guest's.
async fn guest_of(
    pool: &SqlitePool,
    passes: &[GuestPass],
    span: &[&Change],
    at_ms: u64,
) -> Result<Option<std::result::Result<Maker, Held>>> {
    for pass in passes {
        let Some(key) = guest_passes::believed(pool, pass, at_ms).await? else {
            continue;
        };
        if !verify_span(&key, span) {
            continue;
        }
        if span
            .iter()
            .any(|c| c.actor.is_some_and(|a| a != pass.person))
        {
            return Ok(Some(Err(Held::new(
                "other_person",
                "it claims to be the change of someone its device does not act for",
            ))));
        }
        return Ok(Some(Ok(Maker::Guest {
            person: pass.person,
            meeting: pass.meeting,
        })));
    }
    Ok(None)
}

/// The certificates a carrier brought that the replica believes are kept; returns how many
/// were new, and why the others were not, by site.
pub(super) async fn remember_brought(
    pool: &SqlitePool,
    trust: (Uuid, &VerifyingKey),
    brought: &[Certificate],
    now_ms: u64,
) -> Result<(u32, HashMap<Uuid, Refusal>)> {
    let (kept, refused) = certificates::remember(pool, trust, brought, now_ms).await?;
    Ok((
        kept,
        refused.into_iter().map(|(c, why)| (c.site, why)).collect(),
    ))
}
