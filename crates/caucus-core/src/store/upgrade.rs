//! The part of a format upgrade that SQL cannot say, run by the open after the migrations.
//!
//! Migration 0012 keeps each field's winning stamp beside its row, in an encoding SQL cannot
//! write ([`super::stamps`]); it renames the old `field_clock` table to
//! `field_clock_to_pack`, and this step packs that table into the rows and drops it, in one
//! transaction. A kill before the commit changes nothing: the table is still there and the
//! next open packs it again. Progress is told as rows are packed, so the app can show it.

use super::raw;
use super::stamps::{self, Stamps};
use crate::change::Stamp;
use crate::error::Result;
use crate::hlc::Hlc;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;
use uuid::Uuid;

/// The work table migration 0012 leaves for this step.
const TO_PACK: &str = "field_clock_to_pack";

/// How far an upgrade has got, in field stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct UpgradeProgress {
    /// Stamps packed into their rows so far.
    pub done: u32,
    /// Stamps the upgrade has to pack in all.
    pub total: u32,
}

/// How often progress is told, in stamps.
const TELL_EVERY: u64 = 1_000;

/// Packs the stamps left by migration 0012 into their rows, if any are left; `progress` is
/// told along the way (and once at the end). Returns whether there was anything to do.
pub async fn pack_field_clocks(
    pool: &SqlitePool,
    progress: &(dyn Fn(UpgradeProgress) + Sync),
) -> Result<bool> {
    let left: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(TO_PACK)
            .fetch_optional(pool)
            .await?;
    if left.is_none() {
        return Ok(false);
    }
    let mut tx = pool.begin().await?;
    raw::on_handle(&mut tx, |db| pack(db, progress)).await?;
    tx.commit().await?;
    Ok(true)
}

fn pack(db: &rusqlite::Connection, progress: &(dyn Fn(UpgradeProgress) + Sync)) -> Result<()> {
    let total: i64 = db.query_row(&format!("SELECT COUNT(*) FROM {TO_PACK}"), [], |r| r.get(0))?;
    let total = total.max(0) as u64;
    let tell = |done: u64| {
        progress(UpgradeProgress {
            done: done.min(u32::MAX as u64) as u32,
            total: total.min(u32::MAX as u64) as u32,
        })
    };
    tell(0);
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
    tell(total);
    Ok(())
}

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

/// Rewrites an open replica in the format before migration 0012 (a `field_clock` row per
/// field, no `stamps` column, 0012 not applied): what a replica made by the previous release
/// looks like, for the upgrade's tests and `caucus-bench`'s `migration_s`. Not for the app.
#[doc(hidden)]
pub async fn rewrite_in_the_format_before_stamps(pool: &SqlitePool) -> Result<()> {
    let mut tx = pool.begin().await?;
    raw::on_handle(&mut tx, |db| {
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
        for table in crate::schema::TABLES {
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
