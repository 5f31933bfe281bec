//! Record history, read from the change log: who changed which field, when, from which device,
//! and the values that were superseded.

use crate::change::Change;
use crate::error::Result;
use crate::hlc::Hlc;
use serde::Serialize;
use sqlx::SqlitePool;
use uuid::Uuid;

/// One field write in a record's history.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct HistoryEntry {
    /// Milliseconds since the Unix epoch, from the change's clock.
    pub at_ms: f64,
    /// The device that made the change.
    pub site: Uuid,
    /// The person who made it, when known.
    pub actor_id: Option<Uuid>,
    /// Their name, as this replica knows it.
    pub actor_name: Option<String>,
    /// The field, or `$row` for creating, archiving or restoring the record.
    pub column: String,
    /// The value written (any JSON value; null for `$row`).
    #[specta(type = specta_typescript::Unknown)]
    pub value: serde_json::Value,
    /// Whether this is the value the record holds now.
    pub current: bool,
}

/// A record's history, oldest first.
pub async fn history(pool: &SqlitePool, table: &str, id: Uuid) -> Result<Vec<HistoryEntry>> {
    let row = id.to_string();
    let rows = sqlx::query!(
        r#"SELECT c.hlc AS "hlc!: i64", c.site AS "site!: Vec<u8>", c.seq AS "seq!: i64", c.actor,
                  p.name AS "actor_name?", c.col AS "col!", c.value AS "value!"
           FROM change_log c
           LEFT JOIN person p ON p.id = c.actor
           WHERE c.tbl = ? AND c.row_id = ?
           ORDER BY c.hlc, c.site, c.seq"#,
        table,
        row
    )
    .fetch_all(pool)
    .await?;
    // The winning stamps, beside the row (none for a table this version does not know).
    let winners = match crate::schema::table(table) {
        Some(known) => {
            // The identifier comes from the static registry.
            let bytes: Option<Option<Vec<u8>>> =
                sqlx::query_scalar(&format!("SELECT stamps FROM {} WHERE id = ?", known.name))
                    .bind(&row)
                    .fetch_optional(pool)
                    .await?;
            super::stamps::decode(bytes.flatten().as_deref().unwrap_or_default())?
        }
        None => Vec::new(),
    };
    let won = |col: &str, site: &[u8], seq: i64| {
        super::stamps::get(&winners, col)
            .is_some_and(|s| s.site.as_bytes() == site && s.seq == seq as u64)
    };
    Ok(rows
        .into_iter()
        .map(|r| HistoryEntry {
            at_ms: Hlc(r.hlc as u64).ms() as f64,
            site: Uuid::from_slice(&r.site).unwrap_or_default(),
            actor_id: r.actor.and_then(|a| Uuid::parse_str(&a).ok()),
            actor_name: r.actor_name,
            current: r.col == crate::change::ROW_COLUMN || won(&r.col, &r.site, r.seq),
            column: r.col,
            value: serde_json::from_str(&r.value).unwrap_or(serde_json::Value::Null),
        })
        .collect())
}

/// Every change in the log, in (site, seq) order.
pub async fn all_changes(pool: &SqlitePool) -> Result<Vec<Change>> {
    let rows = sqlx::query_as!(
        LogRow,
        r#"SELECT site AS "site!: Vec<u8>", seq AS "seq!: i64", hlc AS "hlc!: i64", actor,
                  bucket AS "bucket!", tbl AS "tbl!", row_id AS "row_id!", col AS "col!",
                  value AS "value!", cl AS "cl!: i64", schema_version AS "schema_version!: i64",
                  signature
           FROM change_log ORDER BY site, seq"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(LogRow::into_change).collect())
}

/// The logged changes to one column of one table (`$row` for the rows themselves).
pub async fn changes_to_column(
    conn: &mut sqlx::SqliteConnection,
    table: &str,
    column: &str,
) -> Result<Vec<Change>> {
    let rows = sqlx::query_as!(
        LogRow,
        r#"SELECT site AS "site!: Vec<u8>", seq AS "seq!: i64", hlc AS "hlc!: i64", actor,
                  bucket AS "bucket!", tbl AS "tbl!", row_id AS "row_id!", col AS "col!",
                  value AS "value!", cl AS "cl!: i64", schema_version AS "schema_version!: i64",
                  signature
           FROM change_log WHERE tbl = ? AND col = ?"#,
        table,
        column
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(LogRow::into_change).collect())
}

/// A change as stored in `change_log`.
#[derive(sqlx::FromRow)]
pub(crate) struct LogRow {
    pub(crate) site: Vec<u8>,
    pub(crate) seq: i64,
    pub(crate) hlc: i64,
    pub(crate) actor: Option<String>,
    pub(crate) bucket: String,
    pub(crate) tbl: String,
    pub(crate) row_id: String,
    pub(crate) col: String,
    pub(crate) value: String,
    pub(crate) cl: i64,
    pub(crate) schema_version: i64,
    /// [`crate::signature::Signature`] as JSON, on the last change of a signed span.
    pub(crate) signature: Option<String>,
}

impl LogRow {
    pub(crate) fn into_change(self) -> Change {
        Change {
            site: Uuid::from_slice(&self.site).unwrap_or_default(),
            seq: self.seq as u64,
            hlc: Hlc(self.hlc as u64),
            actor: self.actor.and_then(|a| Uuid::parse_str(&a).ok()),
            bucket: self.bucket,
            table: self.tbl,
            row: Uuid::parse_str(&self.row_id).unwrap_or_default(),
            column: self.col,
            value: serde_json::from_str(&self.value).unwrap_or(serde_json::Value::Null),
            cl: self.cl as u64,
            schema_version: self.schema_version as u32,
            signature: self.signature.and_then(|s| serde_json::from_str(&s).ok()),
        }
    }
}

/// Every state written to a group's recommendations: (recommendation, clock, state), in clock
/// order — the winner at any moment is the last one before it (states only move forward in
/// the lifecycle, and concurrent moves are rare enough for a dashboard).
pub async fn state_changes(pool: &SqlitePool, bucket: &str) -> Result<Vec<(Uuid, u64, String)>> {
    let rows = sqlx::query!(
        r#"SELECT row_id AS "row_id!", hlc AS "hlc!: i64", value AS "value!"
           FROM change_log WHERE tbl = 'recommendation' AND col = 'state' AND bucket = ?
           ORDER BY hlc, site, seq"#,
        bucket
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let state = serde_json::from_str::<serde_json::Value>(&r.value).ok()?;
            Some((
                Uuid::parse_str(&r.row_id).ok()?,
                r.hlc as u64,
                state.as_str()?.to_string(),
            ))
        })
        .collect())
}
