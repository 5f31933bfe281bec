//! The one write path: applies a batch of changes, local or remote, to the replica.
//!
//! For each change: record it in the log (a change already there is a duplicate and is
//! skipped), raise the row's causal length to the change's, and, if the change's stamp beats
//! the field's current one ([`crate::change::wins`]), write the value and the new stamp.
//! Changes to tables or columns this version does not know stay in the log, to be forwarded
//! and applied after an upgrade.

use crate::change::{wins, Change, Stamp, ROW_COLUMN};
use crate::error::Result;
use crate::hlc::Hlc;
use crate::schema::{self, Kind};
use serde::Serialize;
use sqlx::SqliteConnection;
use uuid::Uuid;

/// What a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct ApplyReport {
    /// Changes new to this replica.
    pub applied: u32,
    /// Changes seen before, ignored.
    pub duplicates: u32,
    /// New changes whose value lost to a field's current one (kept in the log for history).
    pub superseded: u32,
}

/// Whether the changes of a batch still have to reach the home hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Made here, or received from a meeting peer or a bundle: queued for the home hub.
    Unsynced,
    /// Pulled from the home hub, which has them.
    HomeHub,
}

/// Applies `changes` on `conn`, which the caller holds inside a transaction.
pub async fn apply(
    conn: &mut SqliteConnection,
    changes: &[Change],
    origin: Origin,
) -> Result<ApplyReport> {
    let mut report = ApplyReport::default();
    for c in changes {
        let site = c.site.as_bytes().to_vec();
        let seq = c.seq as i64;
        let hlc = c.hlc.0 as i64;
        let actor = c.actor.map(|a| a.to_string());
        let row = c.row.to_string();
        let value = c.value.to_string();
        let cl = c.cl as i64;
        let version = c.schema_version as i64;
        let inserted = sqlx::query!(
            "INSERT OR IGNORE INTO change_log
                 (site, seq, hlc, actor, bucket, tbl, row_id, col, value, cl, schema_version)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            site,
            seq,
            hlc,
            actor,
            c.bucket,
            c.table,
            row,
            c.column,
            value,
            cl,
            version
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if inserted == 0 {
            report.duplicates += 1;
            continue;
        }
        report.applied += 1;
        if origin == Origin::Unsynced {
            sqlx::query!(
                "INSERT OR IGNORE INTO sync_outbox (site, seq) VALUES (?, ?)",
                site,
                seq
            )
            .execute(&mut *conn)
            .await?;
        }
        if !merge_into_replica(conn, c).await? {
            report.superseded += 1;
        }
    }
    Ok(report)
}

/// Merges one logged change into the replica's rows and field clocks. Returns false when the
/// change lost to the field's current value. Safe to repeat: the merge is a maximum.
pub(crate) async fn merge_into_replica(conn: &mut SqliteConnection, c: &Change) -> Result<bool> {
    let site = c.site.as_bytes().to_vec();
    let seq = c.seq as i64;
    let hlc = c.hlc.0 as i64;
    let row = c.row.to_string();
    let cl = c.cl as i64;
    let Some(table) = schema::table(&c.table) else {
        return Ok(true);
    };
    // Identifiers below come from the static registry, never from the change.
    sqlx::query(&format!(
        "INSERT INTO {t} (id, bucket, cl) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET cl = MAX(cl, excluded.cl)",
        t = table.name
    ))
    .bind(&row)
    .bind(&c.bucket)
    .bind(cl)
    .execute(&mut *conn)
    .await?;
    if c.column == ROW_COLUMN {
        return Ok(true);
    }
    let Some(column) = table.column(&c.column) else {
        return Ok(true);
    };
    let current = sqlx::query!(
        r#"SELECT cl AS "cl!: i64", hlc AS "hlc!: i64", site AS "site!: Vec<u8>", seq AS "seq!: i64"
           FROM field_clock WHERE tbl = ? AND row_id = ? AND col = ?"#,
        c.table,
        row,
        c.column
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| Stamp {
        cl: r.cl as u64,
        hlc: Hlc(r.hlc as u64),
        site: Uuid::from_slice(&r.site).unwrap_or_default(),
        seq: r.seq as u64,
    });
    if !wins(&c.stamp(), current.as_ref()) {
        return Ok(false);
    }
    sqlx::query!(
        "INSERT OR REPLACE INTO field_clock (tbl, row_id, col, cl, hlc, site, seq)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        c.table,
        row,
        c.column,
        cl,
        hlc,
        site,
        seq
    )
    .execute(&mut *conn)
    .await?;
    let sql = format!(
        "UPDATE {} SET {} = ?1 WHERE id = ?2",
        table.name, column.name
    );
    let query = sqlx::query(&sql);
    // Values are coerced to the column's kind the same way on every replica, so even a
    // malformed remote value leaves all replicas identical.
    let query = match column.kind {
        Kind::Text => query.bind(match &c.value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }),
        Kind::OptText => query.bind(c.value.as_str().map(str::to_string)),
        Kind::Bool => query.bind(c.value.as_bool().unwrap_or(false)),
        Kind::Int => query.bind(c.value.as_i64().unwrap_or(0)),
        Kind::Json => query.bind(if c.value.is_array() || c.value.is_object() {
            c.value.to_string()
        } else {
            "[]".to_string()
        }),
    };
    query.bind(&row).execute(&mut *conn).await?;
    Ok(true)
}
