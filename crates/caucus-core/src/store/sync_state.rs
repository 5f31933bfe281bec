//! The device's sync state in SQLite: the outbox of changes the home hub lacks, the cursors
//! per hub and bucket, what peers are known to hold, and the hub's refusals.

use super::history::LogRow;
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
    let n: i64 = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM sync_outbox"#)
        .fetch_one(pool)
        .await?;
    Ok(n as u64)
}

/// The next changes to push, oldest clock first, so the hub sees a membership before the
/// recommendation its holder then posted.
/// `after` continues from the last change of the previous batch (changes refused for now stay
/// in the outbox, so the outbox itself cannot say where a sync got to). The outbox is keyed in
/// this order, so a batch is a walk along its key, however large the outbox.
pub async fn outbox_batch(
    pool: &SqlitePool,
    limit: u32,
    after: Option<(crate::hlc::Hlc, Uuid, u64)>,
) -> Result<Vec<Change>> {
    // Before every stamp: clocks and sequences are never negative.
    let (hlc, site, seq) = match after {
        Some((hlc, site, seq)) => (hlc.0 as i64, site.as_bytes().to_vec(), seq as i64),
        None => (-1, Vec::new(), -1),
    };
    let rows: Vec<LogRow> = sqlx::query_as(
        "SELECT c.site, c.seq, c.hlc, c.actor, c.bucket, c.tbl, c.row_id, c.col, c.value, c.cl,
                c.schema_version, c.signature
         FROM sync_outbox o JOIN change_log c ON c.site = o.site AND c.seq = o.seq
         WHERE (o.hlc, o.site, o.seq) > (?, ?, ?)
         ORDER BY o.hlc, o.site, o.seq LIMIT ?",
    )
    .bind(hlc)
    .bind(site)
    .bind(seq)
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(LogRow::into_change).collect())
}

/// Takes one change out of the outbox. The outbox is keyed by push order, (hlc, site, seq):
/// the change's clock comes from the log, so the row is found by its key.
async fn leave_outbox(conn: &mut SqliteConnection, site: Uuid, seq: u64) -> Result<()> {
    sqlx::query(
        "DELETE FROM sync_outbox
         WHERE hlc = (SELECT hlc FROM change_log WHERE site = ?1 AND seq = ?2)
           AND site = ?1 AND seq = ?2",
    )
    .bind(site.as_bytes().to_vec())
    .bind(seq as i64)
    .execute(&mut *conn)
    .await?;
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
    for id in accepted {
        leave_outbox(&mut tx, id.site, id.seq).await?;
        // Held back here, accepted by the hub, which judged its maker: it reaches the rows.
        release(&mut tx, id.site, id.seq).await?;
        // Refused for now, accepted since: no longer a refusal to show.
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
    let at = at_ms as i64;
    for r in refused {
        let site = r.site.as_bytes().to_vec();
        let seq = r.seq as i64;
        if !r.code.retryable() {
            leave_outbox(&mut tx, r.site, r.seq).await?;
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
    let row: Option<LogRow> = sqlx::query_as(
        "SELECT site, seq, hlc, actor, bucket, tbl, row_id, col, value, cl, schema_version,
                signature
         FROM change_log WHERE site = ? AND seq = ?",
    )
    .bind(site_bytes)
    .bind(seq as i64)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = row {
        super::apply::merge_logged(conn, &[&row.into_change()]).await?;
    }
    Ok(())
}

/// One line of the quarantine: when, code, reason, table, row, the fields.
type HeldLine = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The held changes, newest first, one line per record and reason (as [`recent_rejections`]).
pub async fn recent_held(pool: &SqlitePool, limit: u32) -> Result<Vec<RefusedChange>> {
    let rows: Vec<HeldLine> = sqlx::query_as(
        "SELECT MAX(q.at_ms), q.code, q.reason, c.tbl, c.row_id, group_concat(DISTINCT c.col)
             FROM quarantine q LEFT JOIN change_log c ON c.site = q.site AND c.seq = q.seq
             GROUP BY c.tbl, c.row_id, q.code, q.reason
             ORDER BY 1 DESC LIMIT ?",
    )
    .bind(limit as i64)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at_ms, code, reason, table, row, cols)| RefusedChange {
            at_ms: at_ms as f64,
            table: table.unwrap_or_default(),
            row: row
                .and_then(|id| Uuid::parse_str(&id).ok())
                .unwrap_or_default(),
            columns: cols
                .map(|c| c.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
            code,
            reason,
        })
        .collect())
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
    let limit = limit as i64;
    let rows = sqlx::query!(
        r#"SELECT MAX(r.at_ms) AS "at_ms!: i64", r.code AS "code!", r.reason AS "reason!",
                  c.tbl AS "tbl?", c.row_id AS "row_id?", group_concat(DISTINCT c.col) AS "cols?: String"
           FROM sync_rejection r LEFT JOIN change_log c ON c.site = r.site AND c.seq = r.seq
           GROUP BY c.tbl, c.row_id, r.code, r.reason
           ORDER BY 1 DESC LIMIT ?"#,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RefusedChange {
            at_ms: r.at_ms as f64,
            table: r.tbl.unwrap_or_default(),
            row: r
                .row_id
                .and_then(|id| Uuid::parse_str(&id).ok())
                .unwrap_or_default(),
            columns: r
                .cols
                .map(|c| c.split(',').map(str::to_string).collect())
                .unwrap_or_default(),
            code: r.code,
            reason: r.reason,
        })
        .collect())
}

/// How many lines [`recent_rejections`] has in all.
pub async fn rejection_count(pool: &SqlitePool) -> Result<u32> {
    let n = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM (
               SELECT 1 FROM sync_rejection r LEFT JOIN change_log c ON c.site = r.site AND c.seq = r.seq
               GROUP BY c.tbl, c.row_id, r.code, r.reason
           )"#
    )
    .fetch_one(pool)
    .await?;
    Ok(n as u32)
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
    let rows = sqlx::query!(
        r#"SELECT site AS "site!: Vec<u8>", MAX(seq) AS "seq!: i64" FROM change_log GROUP BY site"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((Uuid::from_slice(&r.site).ok()?, r.seq as u64)))
        .collect())
}

/// Every change above `known` (all of them for an empty vector), oldest clock first.
pub async fn changes_beyond(pool: &SqlitePool, known: &VersionVector) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for (site, _) in version_vector(pool).await? {
        let bytes = site.as_bytes().to_vec();
        let after = known.get(&site).copied().unwrap_or(0) as i64;
        let rows = sqlx::query_as!(
            LogRow,
            r#"SELECT site AS "site!: Vec<u8>", seq AS "seq!: i64", hlc AS "hlc!: i64", actor,
                      bucket AS "bucket!", tbl AS "tbl!", row_id AS "row_id!", col AS "col!",
                      value AS "value!", cl AS "cl!: i64", schema_version AS "schema_version!: i64",
                      signature
               FROM change_log WHERE site = ? AND seq > ? ORDER BY seq"#,
            bytes,
            after
        )
        .fetch_all(pool)
        .await?;
        out.extend(rows.into_iter().map(LogRow::into_change));
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
