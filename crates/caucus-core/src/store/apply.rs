//! The one write path: applies a batch of changes, local or remote, to the replica.
//!
//! For each change: record it in the log (a change already there is a duplicate and is
//! skipped), raise the row's causal length to the change's, and, if the change's stamp beats
//! the field's current one ([`crate::change::wins`]), write the value and the new stamp.
//! Changes to tables or columns this version does not know stay in the log, to be forwarded
//! and applied after an upgrade. So do changes whose value their field may not hold
//! ([`crate::model::value::check_values`], the commands' own validation): every replica of this
//! version leaves the same ones out, so they still agree, and no bad value reaches a row that a
//! screen must read. The hub refuses them and undoes them on older replicas.

use crate::change::{wins, Change, Stamp, ROW_COLUMN};
use crate::error::Result;
use crate::hlc::Hlc;
use crate::schema::{self, Column, Kind};
use serde::Serialize;
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet};

/// Changes logged per statement (12 values each, well under SQLite's 32,766 parameters).
const LOG_CHUNK: usize = 500;
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
    /// New changes whose value their field may not hold: kept in the log, never applied.
    pub invalid: u32,
    /// New changes held back from the rows (logged, passed on to the hub): their maker could
    /// not be traced to a certified device ([`crate::sync::judge`]).
    pub held: u32,
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
    apply_holding(conn, changes, origin, &HashSet::new(), &mut Vec::new()).await
}

/// [`apply`], logging (and queueing for the hub) but not merging into the rows the changes
/// named in `held` ((site, seq)): what the replica could not trace to a certified maker. The
/// held changes new to the log are added to `newly_held`.
pub async fn apply_holding(
    conn: &mut SqliteConnection,
    changes: &[Change],
    origin: Origin,
    held: &HashSet<(Uuid, u64)>,
    newly_held: &mut Vec<(Uuid, u64)>,
) -> Result<ApplyReport> {
    let mut report = ApplyReport::default();
    let mut fresh = Vec::with_capacity(changes.len());
    // The log first, many changes per statement: what the statement returns is what was new
    // (a change seen before, even earlier in this batch, is ignored and not returned).
    for chunk in changes.chunks(LOG_CHUNK) {
        let tuples = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT OR IGNORE INTO change_log
                 (site, seq, hlc, actor, bucket, tbl, row_id, col, value, cl, schema_version,
                  signature)
             VALUES {tuples} RETURNING site, seq"
        );
        let mut insert = sqlx::query_as::<_, (Vec<u8>, i64)>(&sql);
        for c in chunk {
            insert = insert
                .bind(c.site.as_bytes().to_vec())
                .bind(c.seq as i64)
                .bind(c.hlc.0 as i64)
                .bind(c.actor.map(|a| a.to_string()))
                .bind(&c.bucket)
                .bind(&c.table)
                .bind(c.row.to_string())
                .bind(&c.column)
                .bind(c.value.to_string())
                .bind(c.cl as i64)
                .bind(c.schema_version as i64)
                .bind(
                    c.signature
                        .as_ref()
                        .and_then(|s| serde_json::to_string(s).ok()),
                );
        }
        let mut new: HashSet<(Vec<u8>, i64)> =
            insert.fetch_all(&mut *conn).await?.into_iter().collect();
        let mut queued = Vec::new();
        for c in chunk {
            if new.remove(&(c.site.as_bytes().to_vec(), c.seq as i64)) {
                report.applied += 1;
                queued.push(c);
                if held.contains(&(c.site, c.seq)) {
                    report.held += 1;
                    newly_held.push((c.site, c.seq));
                } else {
                    fresh.push(c);
                }
            } else {
                report.duplicates += 1;
            }
        }
        if origin == Origin::Unsynced && !queued.is_empty() {
            let tuples = vec!["(?, ?, ?)"; queued.len()].join(", ");
            let sql = format!("INSERT OR IGNORE INTO sync_outbox (hlc, site, seq) VALUES {tuples}");
            let mut outbox = sqlx::query(&sql);
            for c in queued {
                outbox = outbox
                    .bind(c.hlc.0 as i64)
                    .bind(c.site.as_bytes().to_vec())
                    .bind(c.seq as i64);
            }
            outbox.execute(&mut *conn).await?;
        }
    }
    let merged = merge_logged(conn, &fresh).await?;
    report.superseded = merged.superseded;
    report.invalid = merged.invalid;
    Ok(report)
}

/// Rows looked up, or clocks written, per statement.
const ROW_CHUNK: usize = 500;
/// Bound values per statement, under SQLite's 32,766.
const MAX_BINDS: usize = 30_000;

/// What the batch makes of one row: its causal length, and the fields it wins.
struct RowMerge<'a> {
    table: &'static schema::Table,
    row: String,
    bucket: &'a str,
    cl: i64,
    /// The row's causal length before the batch; None when the row is new.
    existing: Option<i64>,
    winners: Vec<(&'static Column, &'a Change)>,
}

/// What merging a batch into the rows did with its changes.
pub(crate) struct Merged {
    /// Lost to a field's current or batch-mate value.
    pub(crate) superseded: u32,
    /// Left out: the value is not one the field may hold.
    pub(crate) invalid: u32,
}

/// Merges a batch of newly logged changes into the replica. The rows' causal lengths and
/// field clocks are read a table at a time; a new row is inserted whole (many rows per
/// statement, so the search index, kept by triggers, is written once per row); an existing row
/// gets one UPDATE of its causal length and every field the batch wins. The result is the
/// same as merging each change in turn, because the merge is a maximum per field over the
/// changes whose values are valid.
pub(crate) async fn merge_logged(
    conn: &mut SqliteConnection,
    changes: &[&Change],
) -> Result<Merged> {
    // Rows in the order they first appear, each with its changes.
    let mut index: HashMap<(&str, Uuid), usize> = HashMap::new();
    let mut rows: Vec<Vec<&Change>> = Vec::new();
    for c in changes {
        let slot = *index.entry((c.table.as_str(), c.row)).or_insert_with(|| {
            rows.push(Vec::new());
            rows.len() - 1
        });
        rows[slot].push(c);
    }
    // Changes to tables this version does not know stay in the log, for an upgrade.
    let rows: Vec<(&'static schema::Table, Vec<&Change>)> = rows
        .into_iter()
        .filter_map(|group| schema::table(&group[0].table).map(|t| (t, group)))
        .collect();
    let mut by_table: HashMap<&'static str, Vec<String>> = HashMap::new();
    for (table, group) in &rows {
        by_table
            .entry(table.name)
            .or_default()
            .push(group[0].row.to_string());
    }
    let mut lengths: HashMap<(&'static str, String), i64> = HashMap::new();
    let mut clocks: HashMap<(&'static str, String, String), Stamp> = HashMap::new();
    for (table, ids) in &by_table {
        for chunk in ids.chunks(ROW_CHUNK) {
            let marks = vec!["?"; chunk.len()].join(", ");
            // Identifiers come from the static registry, never from the change.
            let sql = format!("SELECT id, cl FROM {table} WHERE id IN ({marks})");
            let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for (id, cl) in q.fetch_all(&mut *conn).await? {
                lengths.insert((table, id), cl);
            }
            let sql = format!(
                "SELECT row_id, col, cl, hlc, site, seq FROM field_clock
                 WHERE tbl = ? AND row_id IN ({marks})"
            );
            let mut q =
                sqlx::query_as::<_, (String, String, i64, i64, Vec<u8>, i64)>(&sql).bind(*table);
            for id in chunk {
                q = q.bind(id);
            }
            for (row, col, cl, hlc, site, seq) in q.fetch_all(&mut *conn).await? {
                let stamp = Stamp {
                    cl: cl as u64,
                    hlc: Hlc(hlc as u64),
                    site: Uuid::from_slice(&site).unwrap_or_default(),
                    seq: seq as u64,
                };
                clocks.insert((table, row, col), stamp);
            }
        }
    }

    let mut superseded = 0u32;
    let mut invalid = 0u32;
    let mut merges = Vec::with_capacity(rows.len());
    for (table, group) in &rows {
        let first = group[0];
        let row = first.row.to_string();
        let fields: Vec<(&'static Column, &Change)> = group
            .iter()
            .filter(|c| c.column != ROW_COLUMN)
            .filter_map(|c| table.column(&c.column).map(|column| (column, *c)))
            .collect();
        let errors = crate::model::value::check_values(
            table.name,
            fields.iter().map(|(column, c)| (column.name, &c.value)),
        );
        // The batch's best valid change per known column, if it beats the field's current one.
        let mut best: Vec<(&'static Column, &Change)> = Vec::new();
        for ((column, c), error) in fields.into_iter().zip(errors) {
            if let Some(error) = error {
                tracing::warn!(table = table.name, %error, "a change's value is left out of the row");
                invalid += 1;
                continue;
            }
            match best.iter_mut().find(|(col, _)| col.name == column.name) {
                Some(slot) => {
                    superseded += 1;
                    if wins(&c.stamp(), Some(&slot.1.stamp())) {
                        slot.1 = c;
                    }
                }
                None => best.push((column, c)),
            }
        }
        let before = best.len();
        best.retain(|(column, c)| {
            wins(
                &c.stamp(),
                clocks.get(&(table.name, row.clone(), column.name.to_string())),
            )
        });
        superseded += (before - best.len()) as u32;
        let batch_cl = group.iter().map(|c| c.cl).max().unwrap_or(first.cl) as i64;
        let existing = lengths.get(&(table.name, row.clone())).copied();
        merges.push(RowMerge {
            table,
            row,
            bucket: &first.bucket,
            cl: existing.map_or(batch_cl, |cl| cl.max(batch_cl)),
            existing,
            winners: best,
        });
    }

    write_clocks(conn, &merges).await?;
    // New rows, whole, many per statement: grouped by table and the fields they carry, so a
    // field no change wrote keeps its column's default.
    let mut inserts: HashMap<(&'static str, Vec<&'static str>), Vec<&RowMerge>> = HashMap::new();
    for m in merges.iter().filter(|m| m.existing.is_none()) {
        let columns = m.winners.iter().map(|(c, _)| c.name).collect();
        inserts.entry((m.table.name, columns)).or_default().push(m);
    }
    for ((table, columns), group) in inserts {
        let width = columns.len() + 3;
        for chunk in group.chunks((MAX_BINDS / width).clamp(1, ROW_CHUNK)) {
            let tuple = format!("({})", vec!["?"; width].join(", "));
            let names: String = columns.iter().map(|c| format!(", {c}")).collect();
            let sql = format!(
                "INSERT INTO {table} (id, bucket, cl{names}) VALUES {}",
                vec![tuple.as_str(); chunk.len()].join(", ")
            );
            let mut q = sqlx::query(&sql);
            for m in chunk {
                q = q.bind(&m.row).bind(m.bucket).bind(m.cl);
                for (column, c) in &m.winners {
                    q = bind_value(q, column.kind, &c.value);
                }
            }
            q.execute(&mut *conn).await?;
        }
    }
    // Existing rows: one UPDATE each, when the batch changes anything.
    for m in merges.iter().filter(|m| m.existing.is_some()) {
        if m.winners.is_empty() && m.existing == Some(m.cl) {
            continue;
        }
        let sets: String = m
            .winners
            .iter()
            .enumerate()
            .map(|(i, (column, _))| format!(", {} = ?{}", column.name, i + 2))
            .collect();
        let sql = format!(
            "UPDATE {} SET cl = ?1{sets} WHERE id = ?{}",
            m.table.name,
            m.winners.len() + 2
        );
        let mut q = sqlx::query(&sql).bind(m.cl);
        for (column, c) in &m.winners {
            q = bind_value(q, column.kind, &c.value);
        }
        q.bind(&m.row).execute(&mut *conn).await?;
    }
    Ok(Merged {
        superseded,
        invalid,
    })
}

/// The winning stamps of a batch, many per statement.
async fn write_clocks(conn: &mut SqliteConnection, merges: &[RowMerge<'_>]) -> Result<()> {
    let all: Vec<(&RowMerge, &'static Column, &Change)> = merges
        .iter()
        .flat_map(|m| m.winners.iter().map(move |(column, c)| (m, *column, *c)))
        .collect();
    for chunk in all.chunks(ROW_CHUNK) {
        let tuples = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT OR REPLACE INTO field_clock (tbl, row_id, col, cl, hlc, site, seq) VALUES {tuples}"
        );
        let mut q = sqlx::query(&sql);
        for (m, column, c) in chunk {
            q = q
                .bind(m.table.name)
                .bind(&m.row)
                .bind(column.name)
                .bind(c.cl as i64)
                .bind(c.hlc.0 as i64)
                .bind(c.site.as_bytes().to_vec())
                .bind(c.seq as i64);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
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
    if crate::model::value::check_value(table.name, column.name, &c.value).is_err() {
        return Ok(false);
    }
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
    bind_value(sqlx::query(&sql), column.kind, &c.value)
        .bind(&row)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds a field's value coerced to its column's kind, the same way on every replica, so even
/// a malformed remote value leaves all replicas identical.
fn bind_value<'q>(query: Query<'q>, kind: Kind, value: &serde_json::Value) -> Query<'q> {
    match kind {
        Kind::Text => query.bind(match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }),
        Kind::OptText => query.bind(value.as_str().map(str::to_string)),
        Kind::Bool => query.bind(value.as_bool().unwrap_or(false)),
        Kind::Int => query.bind(value.as_i64().unwrap_or(0)),
        Kind::Json => query.bind(if value.is_array() || value.is_object() {
            value.to_string()
        } else {
            "[]".to_string()
        }),
    }
}
