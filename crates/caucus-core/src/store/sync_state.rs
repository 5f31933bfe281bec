//! The device's sync state in SQLite: the outbox of changes the home hub lacks, the cursors
//! per hub and bucket, what peers are known to hold, and the hub's refusals.

use super::log;
use crate::change::Change;
use crate::error::Result;
use crate::sync::protocol::{BucketCursor, ChangeId, Rejection};
use sqlx::{SqliteConnection, SqlitePool};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A version vector: the highest sequence number held of each site.
pub type VersionVector = BTreeMap<Uuid, u64>;

/// Changes waiting to reach the home hub.
pub async fn outbox_count(pool: &SqlitePool) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(pending), 0) FROM sync_outbox")
        .fetch_one(pool)
        .await?;
    Ok(n as u64)
}

/// The next changes to push, oldest clock first, so the hub sees a membership before the
/// recommendation its holder then posted.
/// `after` continues from the last change of the previous batch (changes refused for now stay
/// in the outbox, so the outbox itself cannot say where a sync got to). The outbox is keyed in
/// this order, a row per log entry, so a batch is a walk along its key, however large the
/// outbox.
pub async fn outbox_batch(
    pool: &SqlitePool,
    limit: u32,
    after: Option<(crate::hlc::Hlc, Uuid, u64)>,
) -> Result<Vec<Change>> {
    // Before every stamp: clocks and sequences are never negative. An entry of the same
    // clock and site that starts up to SPAN before `after` may hold changes past it.
    let (hlc, site, seq) = match after {
        Some((hlc, site, seq)) => (hlc.0 as i64, site.as_bytes().to_vec(), seq as i64),
        None => (-1, Vec::new(), -1),
    };
    let mut ids = Vec::new();
    let mut conn = pool.acquire().await?;
    let mut found = super::raw::on_handle(&mut conn, |db| {
        let rows = db
            .prepare_cached(
                "SELECT site, seq_first, waiting FROM sync_outbox
                 WHERE (hlc, site, seq_first) > (?1, ?2, ?3)
                 ORDER BY hlc, site, seq_first LIMIT ?4",
            )?
            .query_map(
                rusqlite::params![hlc, site, seq - log::SPAN as i64, limit as i64],
                |r| {
                    Ok((
                        r.get::<_, Vec<u8>>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                },
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (site, first, waiting) in rows {
            let site = Uuid::from_slice(&site).unwrap_or_default();
            for bit in 0..log::SPAN {
                if (waiting as u64) >> bit & 1 == 1 {
                    ids.push((site, first as u64 + bit));
                }
            }
        }
        log::find_on(db, &ids)
    })
    .await?;
    let mut batch: Vec<Change> = ids.iter().filter_map(|id| found.remove(id)).collect();
    batch.sort_by_key(|c| c.stamp_order());
    batch.retain(|c| after.is_none_or(|a| c.stamp_order() > a));
    batch.truncate(limit as usize);
    Ok(batch)
}

/// Takes changes out of the outbox: each clears its bit in its entry's row, and a row with
/// none left goes.
async fn leave_outbox(conn: &mut SqliteConnection, ids: &[(Uuid, u64)]) -> Result<()> {
    super::raw::on_handle(conn, |db| leave_outbox_on(db, ids)).await
}

fn leave_outbox_on(db: &rusqlite::Connection, ids: &[(Uuid, u64)]) -> Result<()> {
    let found = log::find_on(db, ids)?;
    // The changes of one write share its clock and site, and its outbox entries: each entry is
    // read and written once per acknowledgement, not once per change (a push of 500 changes
    // made 1,000 statements, most of a large push's time on the device).
    let mut writes: BTreeMap<(u64, Uuid), Vec<u64>> = BTreeMap::new();
    for id in ids {
        if let Some(c) = found.get(id) {
            writes.entry((c.hlc.0, c.site)).or_default().push(c.seq);
        }
    }
    let mut entries_of = db.prepare_cached(
        "SELECT seq_first, waiting FROM sync_outbox
         WHERE hlc = ?1 AND site = ?2 AND seq_first BETWEEN ?3 AND ?4",
    )?;
    let mut gone = db.prepare_cached(
        "DELETE FROM sync_outbox WHERE hlc = ?1 AND site = ?2 AND seq_first = ?3",
    )?;
    let mut still = db.prepare_cached(
        "UPDATE sync_outbox SET waiting = ?4, pending = pending - ?5
         WHERE hlc = ?1 AND site = ?2 AND seq_first = ?3",
    )?;
    for ((hlc, site), seqs) in writes {
        let site = site.as_bytes().as_slice();
        let hlc = hlc as i64;
        let low = seqs.iter().min().copied().unwrap_or(0) as i64;
        let high = seqs.iter().max().copied().unwrap_or(0) as i64;
        // Each entry's bits left, and how many this acknowledgement cleared.
        let mut entries = entries_of
            .query_map(
                rusqlite::params![hlc, site, low - (log::SPAN as i64 - 1), high],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64, 0i64)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for seq in seqs {
            let holder = entries.iter_mut().find(|(first, waiting, _)| {
                (*first..*first + log::SPAN).contains(&seq) && waiting >> (seq - first) & 1 == 1
            });
            if let Some((first, waiting, cleared)) = holder {
                *waiting &= !(1u64 << (seq - *first));
                *cleared += 1;
            }
        }
        for (first, left, cleared) in entries.into_iter().filter(|e| e.2 > 0) {
            if left == 0 {
                gone.execute(rusqlite::params![hlc, site, first as i64])?;
            } else {
                still.execute(rusqlite::params![
                    hlc,
                    site,
                    first as i64,
                    left as i64,
                    cleared
                ])?;
            }
        }
    }
    Ok(())
}

/// Takes acknowledged changes out of the outbox and remembers the refusals, in one
/// transaction. Retryable refusals stay in the outbox.
pub async fn acknowledge(
    pool: &SqlitePool,
    accepted: &[ChangeId],
    refused: &[Rejection],
    at_ms: u64,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    let ids: Vec<(Uuid, u64)> = accepted.iter().map(|id| (id.site, id.seq)).collect();
    leave_outbox(&mut tx, &ids).await?;
    let final_refusals: Vec<(Uuid, u64)> = refused
        .iter()
        .filter(|r| !r.code.retryable())
        .map(|r| (r.site, r.seq))
        .collect();
    leave_outbox(&mut tx, &final_refusals).await?;
    // Nearly always nothing is held or refused: then there is nothing to look up per change.
    let (any_held, any_refused): (bool, bool) = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM quarantine), EXISTS (SELECT 1 FROM sync_rejection)",
    )
    .fetch_one(&mut *tx)
    .await?;
    for id in accepted {
        // Held back here, accepted by the hub, which judged its maker: it reaches the rows.
        if any_held {
            release(&mut tx, id.site, id.seq).await?;
        }
        // Refused for now, accepted since: no longer a refusal to show.
        if any_refused {
            let site = id.site.as_bytes().to_vec();
            let seq = id.seq as i64;
            sqlx::query!(
                "DELETE FROM sync_rejection WHERE site = ? AND seq = ?",
                site,
                seq
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    let at = at_ms as i64;
    for r in refused {
        let site = r.site.as_bytes().to_vec();
        let seq = r.seq as i64;
        if !r.code.retryable() {
            // Refused for good: it never reaches the rows, and the refusal is listed instead.
            sqlx::query("DELETE FROM quarantine WHERE site = ? AND seq = ?")
                .bind(site.clone())
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        let code = serde_json::to_value(r.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        sqlx::query!(
            "INSERT OR REPLACE INTO sync_rejection (site, seq, at_ms, code, reason)
             VALUES (?, ?, ?, ?, ?)",
            site,
            seq,
            at,
            code,
            r.reason
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Remembers a meeting host's refusals of changes this device sent it, for the Sync panel. They
/// stay in the outbox: the coalition's hub has the last word, and its acceptance clears them.
pub async fn note_refusals(pool: &SqlitePool, refused: &[Rejection], at_ms: u64) -> Result<()> {
    let mut tx = pool.begin().await?;
    for r in refused {
        let code = serde_json::to_value(r.code)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        sqlx::query(
            "INSERT OR REPLACE INTO sync_rejection (site, seq, at_ms, code, reason)
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(r.site.as_bytes().to_vec())
        .bind(r.seq as i64)
        .bind(at_ms as i64)
        .bind(code)
        .bind(&r.reason)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Holds a logged change back from the rows, with why ([`crate::sync::judge`]); a change held
/// again keeps the time it was first held.
pub(crate) async fn hold(
    conn: &mut SqliteConnection,
    (site, seq): (Uuid, u64),
    at_ms: u64,
    code: &str,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO quarantine (site, seq, at_ms, code, reason) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (site, seq) DO UPDATE SET code = excluded.code, reason = excluded.reason",
    )
    .bind(site.as_bytes().to_vec())
    .bind(seq as i64)
    .bind(at_ms as i64)
    .bind(code)
    .bind(reason)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Lets a held change into the rows, through the merge (its stamp decides as for any change).
async fn release(conn: &mut SqliteConnection, site: Uuid, seq: u64) -> Result<()> {
    let site_bytes = site.as_bytes().to_vec();
    let held = sqlx::query("DELETE FROM quarantine WHERE site = ? AND seq = ?")
        .bind(site_bytes.clone())
        .bind(seq as i64)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if held == 0 {
        return Ok(());
    }
    if let Some(change) = log::find(conn, &[(site, seq)]).await?.remove(&(site, seq)) {
        super::apply::merge_logged(conn, &[&change]).await?;
    }
    Ok(())
}

/// The held changes, newest first, one line per record and reason (as [`recent_rejections`]).
pub async fn recent_held(pool: &SqlitePool, limit: u32) -> Result<Vec<RefusedChange>> {
    let held: Vec<Refusal> =
        sqlx::query_as("SELECT site, seq, at_ms, code, reason FROM quarantine")
            .fetch_all(pool)
            .await?;
    let mut lines = refusal_lines(pool, held).await?;
    lines.truncate(limit as usize);
    Ok(lines)
}

/// A refusal or a hold as stored: (site, seq, when, code, reason).
type Refusal = (Vec<u8>, i64, i64, String, String);

/// Refusals or holds as the Sync panel lists them: one line per record and reason, newest
/// first, with the fields each names (a refused creation of a record is one line, not one per
/// field). A change the log does not hold makes a line of its own with no record.
async fn refusal_lines(pool: &SqlitePool, refusals: Vec<Refusal>) -> Result<Vec<RefusedChange>> {
    let ids: Vec<(Uuid, u64)> = refusals
        .iter()
        .map(|(site, seq, ..)| (Uuid::from_slice(site).unwrap_or_default(), *seq as u64))
        .collect();
    let found = log::find(&mut *pool.acquire().await?, &ids).await?;
    let mut lines: BTreeMap<(String, Uuid, String, String), RefusedChange> = BTreeMap::new();
    for ((_, _, at_ms, code, reason), id) in refusals.into_iter().zip(&ids) {
        let change = found.get(id);
        let table = change.map(|c| c.table.clone()).unwrap_or_default();
        let row = change.map(|c| c.row).unwrap_or_default();
        let line = lines
            .entry((table.clone(), row, code.clone(), reason.clone()))
            .or_insert_with(|| RefusedChange {
                at_ms: at_ms as f64,
                table,
                row,
                columns: Vec::new(),
                code,
                reason,
            });
        line.at_ms = line.at_ms.max(at_ms as f64);
        if let Some(c) = change {
            if !line.columns.contains(&c.column) {
                line.columns.push(c.column.clone());
            }
        }
    }
    let mut lines: Vec<RefusedChange> = lines.into_values().collect();
    lines.sort_by(|a, b| b.at_ms.total_cmp(&a.at_ms));
    Ok(lines)
}

/// How many changes are held.
pub async fn held_count(pool: &SqlitePool) -> Result<u32> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quarantine")
        .fetch_one(pool)
        .await?;
    Ok(n as u32)
}

/// The hub's refusal of changes to one record for one reason, for the sync panel: a refused
/// creation of a record is one line, not one per field.
#[derive(Debug, Clone, PartialEq, serde::Serialize, specta::Type)]
pub struct RefusedChange {
    /// When the latest of them was refused.
    pub at_ms: f64,
    /// The record's table.
    pub table: String,
    /// The record's id.
    pub row: Uuid,
    /// The fields refused (`$row` for creating, archiving or restoring the record itself).
    pub columns: Vec<String>,
    /// The hub's reason, as a code (`forbidden`, `invalid`, ...).
    pub code: String,
    /// The hub's reason, in its words.
    pub reason: String,
}

/// The most recent refusals, newest first, one per record and reason.
pub async fn recent_rejections(pool: &SqlitePool, limit: u32) -> Result<Vec<RefusedChange>> {
    let mut lines = refusal_lines(pool, rejections(pool).await?).await?;
    lines.truncate(limit as usize);
    Ok(lines)
}

async fn rejections(pool: &SqlitePool) -> Result<Vec<Refusal>> {
    Ok(
        sqlx::query_as("SELECT site, seq, at_ms, code, reason FROM sync_rejection")
            .fetch_all(pool)
            .await?,
    )
}

/// How many lines [`recent_rejections`] has in all.
pub async fn rejection_count(pool: &SqlitePool) -> Result<u32> {
    Ok(refusal_lines(pool, rejections(pool).await?).await?.len() as u32)
}

/// How far this replica has pulled each bucket from `hub`.
pub async fn load_cursors(pool: &SqlitePool, hub: &str) -> Result<BTreeMap<String, BucketCursor>> {
    let rows = sqlx::query!(
        r#"SELECT bucket AS "bucket!", server_seq AS "server_seq!: i64", following AS "following!: bool"
           FROM sync_cursor WHERE hub = ?"#,
        hub
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.bucket,
                BucketCursor {
                    server_seq: r.server_seq,
                    following: r.following,
                },
            )
        })
        .collect())
}

pub(crate) async fn save_cursors(
    conn: &mut SqliteConnection,
    hub: &str,
    cursors: &BTreeMap<String, BucketCursor>,
) -> Result<()> {
    for (bucket, c) in cursors {
        sqlx::query!(
            "INSERT OR REPLACE INTO sync_cursor (hub, bucket, server_seq, following)
             VALUES (?, ?, ?, ?)",
            hub,
            bucket,
            c.server_seq,
            c.following
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// This replica's version vector, computed from the changes it holds (never adopted from a
/// peer).
pub async fn version_vector(pool: &SqlitePool) -> Result<VersionVector> {
    Ok(log::sites(&mut *pool.acquire().await?)
        .await?
        .into_iter()
        .collect())
}

/// Every change above `known` (all of them for an empty vector), oldest clock first.
pub async fn changes_beyond(pool: &SqlitePool, known: &VersionVector) -> Result<Vec<Change>> {
    let mut conn = pool.acquire().await?;
    let mut out = Vec::new();
    for (site, last) in log::sites(&mut conn).await? {
        let after = known.get(&site).copied().unwrap_or(0);
        if after < last {
            out.extend(log::range(&mut conn, site, after + 1, last).await?);
        }
    }
    out.sort_by_key(|c| c.stamp_order());
    Ok(out)
}

/// What `peer` is known to hold.
pub async fn peer_version(pool: &SqlitePool, peer: Uuid) -> Result<VersionVector> {
    let peer = peer.as_bytes().to_vec();
    let rows = sqlx::query!(
        r#"SELECT site AS "site!: Vec<u8>", seq AS "seq!: i64" FROM peer_version WHERE peer = ?"#,
        peer
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((Uuid::from_slice(&r.site).ok()?, r.seq as u64)))
        .collect())
}

/// The devices this one has imported a bundle from, each with the name of the person its
/// certificate names when this device holds that certificate (a bundle carries its maker's).
pub async fn bundle_peers(pool: &SqlitePool) -> Result<Vec<(Uuid, Option<String>)>> {
    // Runtime-checked: two small reads over tables of a few rows, not worth a query file each.
    let peers: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT DISTINCT peer FROM peer_version ORDER BY peer")
            .fetch_all(pool)
            .await?;
    let mut out = Vec::new();
    for peer in peers {
        let Ok(peer) = Uuid::from_slice(&peer) else {
            continue;
        };
        let name: Option<String> = sqlx::query_scalar(
            "SELECT p.name FROM device_certificate c JOIN person p ON p.id = c.person
             WHERE c.site = ? ORDER BY c.expires_ms DESC LIMIT 1",
        )
        .bind(peer.to_string())
        .fetch_optional(pool)
        .await?;
        out.push((peer, name));
    }
    Ok(out)
}

/// Raises what `peer` is known to hold (never lowers it).
pub async fn note_peer_version(pool: &SqlitePool, peer: Uuid, vv: &VersionVector) -> Result<()> {
    let peer = peer.as_bytes().to_vec();
    let mut tx = pool.begin().await?;
    for (site, seq) in vv {
        let site = site.as_bytes().to_vec();
        let seq = *seq as i64;
        sqlx::query!(
            "INSERT INTO peer_version (peer, site, seq) VALUES (?, ?, ?)
             ON CONFLICT (peer, site) DO UPDATE SET seq = MAX(seq, excluded.seq)",
            peer,
            site,
            seq
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
