//! The passes of guests at meetings ([`crate::guest_pass`]) this replica received with their
//! changes: kept as they came, judged each time they are used (under the key of their host's
//! certificate, which may arrive later), and passed on with the guests' changes.

use super::certificates;
use crate::error::Result;
use crate::guest_pass::GuestPass;
use ed25519_dalek::VerifyingKey;
use sqlx::SqlitePool;
use uuid::Uuid;

/// The guest key `pass` vouches for, if a host device this replica believes (by its
/// certificate from the coalition's hub) signed it, was not removed before it did, and `at_ms`
/// falls within the pass's day.
pub async fn believed(
    pool: &SqlitePool,
    pass: &GuestPass,
    at_ms: u64,
) -> Result<Option<VerifyingKey>> {
    for c in certificates::of_site(pool, pass.host_site).await? {
        let Some(host) = crate::certificate::decode_key(&c.device_key) else {
            continue;
        };
        if certificates::revoked_at(pool, &host)
            .await?
            .is_some_and(|removed| removed <= pass.issued_ms)
        {
            continue;
        }
        if let Ok(guest) = pass.verify(&host, at_ms) {
            return Ok(Some(guest));
        }
    }
    Ok(None)
}

/// Keeps `passes` (once each).
pub async fn remember(pool: &SqlitePool, passes: &[GuestPass]) -> Result<()> {
    for pass in passes {
        let Ok(body) = serde_json::to_string(pass) else {
            continue;
        };
        sqlx::query("INSERT OR IGNORE INTO guest_pass (signature, site, body) VALUES (?, ?, ?)")
            .bind(pass.signature.to_ascii_lowercase())
            .bind(pass.site.to_string())
            .bind(body)
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// The passes kept for the guests at these sites.
pub async fn of_sites(pool: &SqlitePool, sites: &[Uuid]) -> Result<Vec<GuestPass>> {
    let mut out = Vec::new();
    for site in sites {
        let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM guest_pass WHERE site = ?")
            .bind(site.to_string())
            .fetch_all(pool)
            .await?;
        out.extend(
            bodies
                .iter()
                .filter_map(|b| GuestPass::decode(b.as_bytes()).ok()),
        );
    }
    Ok(out)
}

/// The names guests gave, by the id each acts under, for those who were let in to `meeting`:
/// by passes a certified host signed, or this device itself (`own`: its site and key), which
/// a replica that has no certificates yet (the demo) hosts with.
pub async fn names_at(
    pool: &SqlitePool,
    meeting: Uuid,
    own: (Uuid, VerifyingKey),
) -> Result<Vec<(Uuid, String)>> {
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM guest_pass")
        .fetch_all(pool)
        .await?;
    let mut out: Vec<(Uuid, String)> = Vec::new();
    for pass in bodies
        .iter()
        .filter_map(|b| GuestPass::decode(b.as_bytes()).ok())
    {
        // Only a name its host signed: a carrier could bring any other.
        let signed_here = pass.host_site == own.0 && pass.verify(&own.1, pass.issued_ms).is_ok();
        if pass.meeting == meeting
            && (signed_here || believed(pool, &pass, pass.issued_ms).await?.is_some())
        {
            out.push((pass.person, pass.name));
        }
    }
    out.sort();
    out.dedup_by_key(|(person, _)| *person);
    Ok(out)
}
