//! The device certificates a replica believes ([`crate::certificate`]): its own, and those the
//! hub sends with the changes of other devices, so that what a meeting host or a bundle carries
//! can be traced to its maker's person without the hub.
//!
//! Only a certificate the replica's own hub signed, valid when it arrives, is kept.

use crate::certificate::{Certificate, Refusal};
use crate::error::Result;
use ed25519_dalek::VerifyingKey;
use sqlx::SqlitePool;
use uuid::Uuid;

/// The local setting holding the hub's public key (hex).
pub const HUB_KEY: &str = "hub.key";
/// The local setting holding the hub's id.
pub const HUB_ID: &str = "hub.id";

/// The hub this replica belongs to and the key its certificates are checked with, once the
/// device has enrolled.
pub async fn trust(store: &super::Store) -> Result<Option<(Uuid, VerifyingKey)>> {
    let id = store.local_setting(HUB_ID).await?;
    let key = store.local_setting(HUB_KEY).await?;
    Ok(
        match (
            id.and_then(|i| Uuid::parse_str(&i).ok()),
            key.as_deref().and_then(crate::certificate::decode_key),
        ) {
            (Some(id), Some(key)) => Some((id, key)),
            _ => None,
        },
    )
}

/// Keeps the certificates among `certificates` that `hub` (whose key is `hub_key`) issued and
/// that are valid at `now_ms`; returns how many were new or renewed, and the refused ones.
///
/// The hub sends the certificates of every page's makers, so a first sync brings the same
/// ones on every page: a certificate held already, byte for byte, was verified when it was
/// kept and is passed over (verifying and writing each again cost a first sync a third of its
/// time). The rest are verified, then written in one transaction.
pub async fn remember(
    pool: &SqlitePool,
    (hub, hub_key): (Uuid, &VerifyingKey),
    certificates: &[Certificate],
    now_ms: u64,
) -> Result<(u32, Vec<(Certificate, Refusal)>)> {
    if certificates.is_empty() {
        return Ok((0, Vec::new()));
    }
    let held = held_bodies(pool, certificates).await?;
    let mut kept = 0;
    let mut refused = Vec::new();
    let mut tx = None;
    for c in certificates {
        let body = serde_json::to_string(c).unwrap_or_default();
        if held.contains(&body) {
            continue;
        }
        if let Err(why) = c.verify(hub, hub_key, now_ms) {
            refused.push((c.clone(), why));
            continue;
        }
        if tx.is_none() {
            tx = Some(pool.begin().await?);
        }
        let Some(tx) = tx.as_mut() else { continue };
        let done = sqlx::query(
            "INSERT INTO device_certificate (site, device_key, person, expires_ms, body)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (site, device_key) DO UPDATE SET
                 person = excluded.person, expires_ms = excluded.expires_ms, body = excluded.body
             WHERE excluded.expires_ms > device_certificate.expires_ms",
        )
        .bind(c.site.to_string())
        .bind(c.device_key.to_ascii_lowercase())
        .bind(c.person.to_string())
        .bind(c.expires_ms as i64)
        .bind(body)
        .execute(&mut **tx)
        .await?;
        kept += done.rows_affected() as u32;
    }
    if let Some(tx) = tx {
        tx.commit().await?;
    }
    Ok((kept, refused))
}

/// The stored bodies of the certificates held for the sites of `certificates`.
async fn held_bodies(
    pool: &SqlitePool,
    certificates: &[Certificate],
) -> Result<std::collections::HashSet<String>> {
    let sites: std::collections::BTreeSet<String> =
        certificates.iter().map(|c| c.site.to_string()).collect();
    let mut held = std::collections::HashSet::new();
    let sites: Vec<String> = sites.into_iter().collect();
    for part in sites.chunks(500) {
        let marks = vec!["?"; part.len()].join(", ");
        let sql = format!("SELECT body FROM device_certificate WHERE site IN ({marks})");
        let mut query = sqlx::query_scalar::<_, String>(&sql);
        for site in part {
            query = query.bind(site);
        }
        held.extend(query.fetch_all(pool).await?);
    }
    Ok(held)
}

/// The certificates held for `site` (a device re-enrolled with a new key has several).
pub async fn of_site(pool: &SqlitePool, site: Uuid) -> Result<Vec<Certificate>> {
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM device_certificate WHERE site = ? ORDER BY expires_ms",
    )
    .bind(site.to_string())
    .fetch_all(pool)
    .await?;
    Ok(decoded(&bodies))
}

/// Stored certificates, each kept only if it still reads (a damaged one is left out).
fn decoded(bodies: &[String]) -> Vec<Certificate> {
    bodies
        .iter()
        .filter_map(|b| serde_json::from_str(b).ok())
        .collect()
}

/// How many certificates the replica holds.
pub async fn count(pool: &SqlitePool) -> Result<u32> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM device_certificate")
        .fetch_one(pool)
        .await?;
    Ok(n as u32)
}

/// Remembers the devices the hub removed (a later report of one keeps its first time).
pub async fn remember_revoked(
    pool: &SqlitePool,
    revoked: &[crate::sync::protocol::RevokedDevice],
) -> Result<()> {
    if revoked.is_empty() {
        return Ok(());
    }
    // Every page of a pull brings the whole list: one transaction, and a row written only
    // when its time moves earlier.
    let mut tx = pool.begin().await?;
    for r in revoked {
        sqlx::query(
            "INSERT INTO revoked_device (device_key, revoked_ms) VALUES (?, ?)
             ON CONFLICT (device_key) DO UPDATE SET revoked_ms = excluded.revoked_ms
             WHERE excluded.revoked_ms < revoked_device.revoked_ms",
        )
        .bind(r.device_key.to_ascii_lowercase())
        .bind(r.revoked_ms.min(i64::MAX as u64) as i64)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// When the device with this key was removed, if the hub said so.
pub async fn revoked_at(pool: &SqlitePool, device_key: &VerifyingKey) -> Result<Option<u64>> {
    let at: Option<i64> =
        sqlx::query_scalar("SELECT revoked_ms FROM revoked_device WHERE device_key = ?")
            .bind(hex::encode(device_key.to_bytes()))
            .fetch_optional(pool)
            .await?;
    Ok(at.map(|a| a as u64))
}

/// Every certificate the replica believes.
pub async fn all(pool: &SqlitePool) -> Result<Vec<Certificate>> {
    let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM device_certificate")
        .fetch_all(pool)
        .await?;
    Ok(decoded(&bodies))
}

/// Every device the hub said it removed.
pub async fn revoked(pool: &SqlitePool) -> Result<Vec<crate::sync::protocol::RevokedDevice>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT device_key, revoked_ms FROM revoked_device")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(device_key, at)| crate::sync::protocol::RevokedDevice {
            device_key,
            revoked_ms: at.max(0) as u64,
        })
        .collect())
}
