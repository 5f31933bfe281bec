//! The part of a format upgrade that SQL cannot say, run by the open after the migrations.
//!
//! Migration 0012 keeps each field's winning stamp beside its row, in an encoding SQL cannot
//! write ([`super::stamps`]); it renames the old `field_clock` table to
//! `field_clock_to_pack`, and this step packs that table into the rows and drops it. Migration
//! 0013 keeps the log as an entry per write of a row ([`super::log`]); it renames the old log
//! to `change_log_to_pack`, and this step packs it into entries and drops it. Both are one
//! transaction: a kill before its commit changes nothing (the tables are still there and the
//! next open packs them again). Progress is told as rows are packed, so the app can show it.
//! Migration 0016 makes search know the languages, with terms only Rust computes; it leaves
//! `search_to_build`, and this step builds the index from the records and drops it.

use super::log;
use super::raw;
use super::stamps::{self, Stamps};
use crate::change::{Change, Stamp};
use crate::error::Result;
use crate::hlc::Hlc;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use uuid::Uuid;

/// The work table migration 0012 leaves for this step.
const TO_PACK: &str = "field_clock_to_pack";
/// The work table migration 0013 leaves.
const LOG_TO_PACK: &str = "change_log_to_pack";
/// The mark migration 0016 (and a first sync) leaves: the search index is to be built.
const SEARCH_TO_BUILD: &str = super::search::TO_BUILD;

/// How far an upgrade has got, in field stamps and changes packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct UpgradeProgress {
    /// Stamps, changes and searchable records done so far.
    pub done: u32,
    /// Stamps, changes and searchable records the upgrade has to do in all.
    pub total: u32,
}

/// How often progress is told, in stamps.
const TELL_EVERY: u64 = 1_000;

/// Runs what the migrations left to pack, if anything: the field stamps of 0012, then the log
/// of 0013; `progress` is told along the way over both (and once at the end). Returns whether
/// there was anything to do.
pub async fn run(pool: &SqlitePool, progress: &(dyn Fn(UpgradeProgress) + Sync)) -> Result<bool> {
    let stamps = left(pool, TO_PACK).await?;
    let log = left(pool, LOG_TO_PACK).await?;
    let search = match left(pool, SEARCH_TO_BUILD).await? {
        Some(_) => {
            let mut conn = pool.acquire().await?;
            Some(raw::on_handle(&mut conn, |db| Ok(super::search::records(db)?)).await?)
        }
        None => None,
    };
    if stamps.is_none() && log.is_none() && search.unwrap_or(0) == 0 {
        if search.is_some() {
            // Nothing to index (a new database): nothing to tell.
            sqlx::query(&format!("DROP TABLE {SEARCH_TO_BUILD}"))
                .execute(pool)
                .await?;
        }
        return Ok(false);
    }
    let total = stamps.unwrap_or(0) + log.unwrap_or(0) + search.unwrap_or(0);
    let tell = |done: u64| {
        progress(UpgradeProgress {
            done: done.min(total).min(u32::MAX as u64) as u32,
            total: total.min(u32::MAX as u64) as u32,
        })
    };
    tell(0);
    // One transaction for both: a kill anywhere leaves the previous format whole.
    let mut tx = pool.begin().await?;
    raw::on_handle(&mut tx, |db| {
        if stamps.is_some() {
            pack(db, &|done| tell(done))?;
        }
        if log.is_some() {
            let before = stamps.unwrap_or(0);
            pack_log(db, &|done| tell(before + done))?;
        }
        if search.is_some() {
            let before = stamps.unwrap_or(0) + log.unwrap_or(0);
            super::search::rebuild_on(db, &|done| tell(before + done))?;
            db.execute_batch(&format!("DROP TABLE {SEARCH_TO_BUILD}"))?;
        }
        Ok(())
    })
    .await?;
    tx.commit().await?;
    tell(total);
    Ok(true)
}

/// How many rows `table` holds, if it is there.
async fn left(pool: &SqlitePool, table: &str) -> Result<Option<u64>> {
    let there: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(table)
            .fetch_optional(pool)
            .await?;
    if there.is_none() {
        return Ok(None);
    }
    // The name is one of the two constants above.
    let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(pool)
        .await?;
    Ok(Some(n.max(0) as u64))
}

fn pack(db: &rusqlite::Connection, tell: &dyn Fn(u64)) -> Result<()> {
    // In key order (tbl, row_id, col): each row's stamps arrive together.
    let mut read = db.prepare(&format!(
        "SELECT tbl, row_id, col, cl, hlc, site, seq FROM {TO_PACK} ORDER BY tbl, row_id, col"
    ))?;
    let mut rows = read.query([])?;
    let mut current: Option<(String, String)> = None;
    let mut stamps: Stamps = Vec::new();
    let mut done = 0u64;
    while let Some(r) = rows.next()? {
        let key = (r.get::<_, String>(0)?, r.get::<_, String>(1)?);
        if current.as_ref() != Some(&key) {
            if let Some((table, row)) = current.take() {
                write(db, &table, &row, &stamps)?;
            }
            stamps.clear();
            current = Some(key);
        }
        let site: Vec<u8> = r.get(5)?;
        stamps.push((
            r.get(2)?,
            Stamp {
                cl: r.get::<_, i64>(3)? as u64,
                hlc: Hlc(r.get::<_, i64>(4)? as u64),
                site: Uuid::from_slice(&site).unwrap_or_default(),
                seq: r.get::<_, i64>(6)? as u64,
            },
        ));
        done += 1;
        if done.is_multiple_of(TELL_EVERY) {
            tell(done);
        }
    }
    if let Some((table, row)) = current {
        write(db, &table, &row, &stamps)?;
    }
    drop(rows);
    drop(read);
    db.execute_batch(&format!("DROP TABLE {TO_PACK}"))?;
    Ok(())
}

/// Packs the per-field log migration 0013 left into entries, in (site, seq) order: a write's
/// changes are consecutive there, so they share entries as the merge would have made them.
fn pack_log(db: &rusqlite::Connection, tell: &dyn Fn(u64)) -> Result<()> {
    let mut read = db.prepare(&format!(
        "SELECT site, seq, hlc, actor, bucket, tbl, row_id, col, value, cl, schema_version,
                signature
         FROM {LOG_TO_PACK} ORDER BY site, seq"
    ))?;
    let mut rows = read.query([])?;
    let mut interned = log::Interned::default();
    let mut batch: Vec<Change> = Vec::with_capacity(PACK_BATCH);
    let mut done = 0u64;
    let flush = |batch: &mut Vec<Change>, interned: &mut log::Interned| -> Result<()> {
        let refs: Vec<&Change> = batch.iter().collect();
        log::append(db, interned, &refs, false)?;
        batch.clear();
        Ok(())
    };
    while let Some(r) = rows.next()? {
        let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
        let site: Vec<u8> = r.get(0)?;
        let actor: Option<String> = r.get(3)?;
        let signature: Option<String> = r.get(11)?;
        batch.push(Change {
            site: Uuid::from_slice(&site).unwrap_or_default(),
            seq: r.get::<_, i64>(1)? as u64,
            hlc: Hlc(r.get::<_, i64>(2)? as u64),
            actor: actor.and_then(|a| Uuid::parse_str(&a).ok()),
            bucket: text(4)?,
            table: text(5)?,
            row: Uuid::parse_str(&text(6)?).unwrap_or_default(),
            column: text(7)?,
            value: serde_json::from_str(&text(8)?).unwrap_or(serde_json::Value::Null),
            cl: r.get::<_, i64>(9)? as u64,
            schema_version: r.get::<_, i64>(10)? as u32,
            signature: signature.and_then(|s| serde_json::from_str(&s).ok()),
        });
        done += 1;
        // A batch ends where a write of a row does, so no entry is cut in two.
        let n = batch.len();
        if n > PACK_BATCH
            && (batch[n - 1].site, batch[n - 1].row, batch[n - 1].hlc)
                != (batch[n - 2].site, batch[n - 2].row, batch[n - 2].hlc)
        {
            let last = batch.pop().expect("a change");
            flush(&mut batch, &mut interned)?;
            batch.push(last);
        }
        if done.is_multiple_of(TELL_EVERY) {
            tell(done);
        }
    }
    flush(&mut batch, &mut interned)?;
    drop(rows);
    drop(read);
    db.execute_batch(&format!("DROP TABLE {LOG_TO_PACK}"))?;
    // Each waiting change sets its bit in its entry's outbox row. The entries were just cut
    // from each site's changes in seq order, so their ranges do not overlap: the one whose
    // range covers a change holds it.
    db.execute_batch(
        "INSERT INTO sync_outbox (hlc, site, seq_first, waiting, pending)
         SELECT o.hlc, o.site, e.seq_first, 1 << (o.seq - e.seq_first), 1
         FROM sync_outbox_to_pack o
         JOIN log_id s ON s.id = o.site
         JOIN log_entry e ON e.site = s.no
             AND e.seq_last BETWEEN o.seq AND o.seq + 63 AND e.seq_first <= o.seq
         WHERE true
         ON CONFLICT (hlc, site, seq_first) DO UPDATE
             SET waiting = waiting | excluded.waiting, pending = pending + 1;
         DROP TABLE sync_outbox_to_pack;",
    )?;
    Ok(())
}

/// Changes packed at a time, at least (a batch ends between two writes).
const PACK_BATCH: usize = 5_000;

/// One row's stamps. The old table only ever held the tables of the registry; any other name
/// is left out rather than written into SQL.
fn write(db: &rusqlite::Connection, table: &str, row: &str, stamps: &Stamps) -> Result<()> {
    let Some(known) = crate::schema::table(table) else {
        return Ok(());
    };
    db.prepare_cached(&format!(
        "UPDATE {} SET stamps = ?1 WHERE id = ?2",
        known.name
    ))?
    .execute(rusqlite::params![stamps::encode(stamps), row])?;
    Ok(())
}

/// Rewrites an open replica in the format before migrations 0012 to 0015 (a `field_clock`
/// row per field, no `stamps` column, a `change_log` row per field change, no titles' search
/// index nor My work's indexes, none of them applied): what a replica made by an earlier release looks like, for the upgrade's tests and
/// `caucus-bench`'s `migration_s`. Not for the app.
#[doc(hidden)]
pub async fn rewrite_in_the_previous_format(pool: &SqlitePool) -> Result<()> {
    let mut tx = pool.begin().await?;
    raw::on_handle(&mut tx, |db| {
        // The log as 0001, 0005 and 0006 made it, filled from the entries through the view.
        db.execute_batch(
            "CREATE TABLE change_log_before (
                 site           BLOB NOT NULL,
                 seq            INTEGER NOT NULL,
                 hlc            INTEGER NOT NULL,
                 actor          TEXT,
                 bucket         TEXT NOT NULL,
                 tbl            TEXT NOT NULL,
                 row_id         TEXT NOT NULL,
                 col            TEXT NOT NULL,
                 value          TEXT NOT NULL,
                 cl             INTEGER NOT NULL,
                 schema_version INTEGER NOT NULL,
                 signature      TEXT,
                 PRIMARY KEY (site, seq)
             ) WITHOUT ROWID;
             INSERT INTO change_log_before
                 SELECT site, seq, hlc, actor, bucket, tbl, row_id, col, value, cl,
                        schema_version, signature
                 FROM change_log;
             DROP VIEW change_log;
             DROP TABLE log_entry;
             DROP TABLE log_id;
             DROP TABLE log_name;
             ALTER TABLE change_log_before RENAME TO change_log;
             CREATE TABLE sync_outbox_before (
                 hlc  INTEGER NOT NULL,
                 site BLOB NOT NULL,
                 seq  INTEGER NOT NULL,
                 PRIMARY KEY (hlc, site, seq)
             ) WITHOUT ROWID;
             INSERT INTO sync_outbox_before
                 WITH RECURSIVE bit(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM bit WHERE i < 63)
                 SELECT o.hlc, o.site, o.seq_first + bit.i FROM sync_outbox o, bit
                 WHERE (o.waiting >> bit.i) & 1;
             DROP TABLE sync_outbox;
             ALTER TABLE sync_outbox_before RENAME TO sync_outbox;
             DROP TABLE search_title;
             DROP INDEX recommendation_addressee;
             DROP INDEX tracked_issue_assignees;
             CREATE INDEX change_log_row ON change_log (tbl, row_id, hlc);
             CREATE INDEX change_log_hlc ON change_log (hlc);",
        )?;
        // The table as 0001_foundation.sql made it.
        db.execute_batch(
            "CREATE TABLE field_clock (
                 tbl    TEXT NOT NULL,
                 row_id TEXT NOT NULL,
                 col    TEXT NOT NULL,
                 cl     INTEGER NOT NULL,
                 hlc    INTEGER NOT NULL,
                 site   BLOB NOT NULL,
                 seq    INTEGER NOT NULL,
                 PRIMARY KEY (tbl, row_id, col)
             ) WITHOUT ROWID;",
        )?;
        let mut insert = db.prepare(
            "INSERT INTO field_clock (tbl, row_id, col, cl, hlc, site, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        // Tables the later migrations made (0019), gone in that format.
        db.execute_batch("DROP TABLE minutes_edit; DROP TABLE text_doc; DROP TABLE minute_taker;")?;
        for table in crate::schema::TABLES.iter().filter(|t| {
            t.name != crate::schema::MINUTES_EDIT.name && t.name != crate::schema::MINUTE_TAKER.name
        }) {
            let mut read = db.prepare(&format!("SELECT id, stamps FROM {}", table.name))?;
            let mut rows = read.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let bytes: Option<Vec<u8>> = r.get(1)?;
                let stamps = stamps::decode(bytes.as_deref().unwrap_or_default())?;
                for (col, s) in stamps {
                    insert.execute(rusqlite::params![
                        table.name,
                        id,
                        col,
                        s.cl as i64,
                        s.hlc.0 as i64,
                        s.site.as_bytes().as_slice(),
                        s.seq as i64
                    ])?;
                }
            }
            drop(rows);
            drop(read);
            db.execute_batch(&format!("ALTER TABLE {} DROP COLUMN stamps", table.name))?;
        }
        db.execute_batch("DELETE FROM _sqlx_migrations WHERE version >= 12")?;
        Ok(())
    })
    .await?;
    tx.commit().await?;
    Ok(())
}
