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

use super::log;
use super::raw;
use super::search;
use super::stamps::{self, Stamps};
use super::texts;
use crate::change::{wins, Change, ROW_COLUMN};
use crate::error::Result;
use crate::schema::{self, Column, Kind};
use rusqlite::types::Value;
use serde::Serialize;
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet};
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
    raw::on_handle(conn, |db| {
        let mut report = ApplyReport::default();
        let fresh = log(db, changes, origin, held, newly_held, &mut report)?;
        let merged = merge_rows(db, &fresh)?;
        report.superseded = merged.superseded;
        report.invalid = merged.invalid;
        Ok(report)
    })
    .await
}

/// Logs `changes` (and queues them for the hub unless it sent them): returns those new to the
/// log and not held, to merge. A change seen before, even earlier in this batch, is ignored.
fn log<'c>(
    db: &rusqlite::Connection,
    changes: &'c [Change],
    origin: Origin,
    held: &HashSet<(Uuid, u64)>,
    newly_held: &mut Vec<(Uuid, u64)>,
    report: &mut ApplyReport,
) -> Result<Vec<&'c Change>> {
    let mut duplicates = log::Duplicates::default();
    let mut logged = Vec::with_capacity(changes.len());
    let mut fresh = Vec::with_capacity(changes.len());
    for c in changes {
        if duplicates.seen(db, c)? {
            report.duplicates += 1;
            continue;
        }
        logged.push(c);
        report.applied += 1;
        if held.contains(&(c.site, c.seq)) {
            report.held += 1;
            newly_held.push((c.site, c.seq));
        } else {
            fresh.push(c);
        }
    }
    let queue = origin == Origin::Unsynced;
    log::append(db, &mut log::Interned::default(), &logged, queue)?;
    Ok(fresh)
}

/// What the batch makes of one row: its causal length, and the fields it wins.
pub(super) struct RowMerge<'a> {
    pub(super) table: &'static schema::Table,
    pub(super) row: String,
    bucket: &'a str,
    cl: i64,
    /// The row's causal length before the batch; None when the row is new.
    pub(super) existing: Option<i64>,
    pub(super) winners: Vec<(&'static Column, &'a Change)>,
    /// The row's field stamps with the winners' (written only when there are winners).
    stamps: Stamps,
}

impl RowMerge<'_> {
    /// Whether the batch changes what search holds of the row.
    fn reindexes(&self, kind: &search::Indexed) -> bool {
        self.existing != Some(self.cl) || self.winners.iter().any(|(c, _)| kind.reads(c.name))
    }
}

/// What merging a batch into the rows did with its changes.
pub(crate) struct Merged {
    /// Lost to a field's current or batch-mate value.
    pub(crate) superseded: u32,
    /// Left out: the value is not one the field may hold.
    pub(crate) invalid: u32,
}

/// Merges newly logged changes into the replica's rows and field clocks (see
/// [`merge_rows`]). Safe to repeat: the merge is a maximum.
pub(crate) async fn merge_logged(
    conn: &mut SqliteConnection,
    changes: &[&Change],
) -> Result<Merged> {
    if changes.is_empty() {
        return Ok(Merged {
            superseded: 0,
            invalid: 0,
        });
    }
    raw::on_handle(conn, |db| merge_rows(db, changes)).await
}

/// Merges a batch of newly logged changes into the rows. Each row's causal length and field
/// clocks are read once; a new row is inserted whole (so a field no change wrote keeps its
/// column's default); an existing row gets one UPDATE of its causal length and every field
/// the batch wins; then search is brought up to date for the rows whose indexed text or
/// archiving changed. The result is the same as merging each change in turn, because the merge
/// is a maximum per field over the changes whose values are valid.
fn merge_rows(db: &rusqlite::Connection, changes: &[&Change]) -> Result<Merged> {
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

    let mut superseded = 0u32;
    let mut invalid = 0u32;
    let mut merges = Vec::with_capacity(rows.len());
    // Changes to tables this version does not know stay in the log, for an upgrade.
    for group in rows {
        let Some(table) = schema::table(&group[0].table) else {
            continue;
        };
        let first = group[0];
        let row = first.row.to_string();
        let (existing, mut clocks) = current(db, table.name, &row)?;
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
        best.retain(|(column, c)| wins(&c.stamp(), stamps::get(&clocks, column.name)));
        superseded += (before - best.len()) as u32;
        for (column, c) in &best {
            stamps::set(&mut clocks, column.name, c.stamp());
        }
        let batch_cl = group.iter().map(|c| c.cl).max().unwrap_or(first.cl) as i64;
        merges.push(RowMerge {
            table,
            row,
            bucket: &first.bucket,
            cl: existing.map_or(batch_cl, |cl| cl.max(batch_cl)),
            existing,
            winners: best,
            stamps: clocks,
        });
    }

    write_rows(db, &merges)?;
    let rewritten = texts::merge(db, &merges)?;
    // Search, for the rows whose indexed text or archiving changed; none while the index waits
    // to be built from the records once (a first sync's snapshot).
    let kinds = if search::waits_for_build(db)? {
        &[][..]
    } else {
        &search::INDEXED[..]
    };
    for kind in kinds {
        let mut done: HashSet<&str> = HashSet::new();
        for fresh in [true, false] {
            let ids: Vec<&str> = merges
                .iter()
                .filter(|m| m.table.name == kind.table && m.existing.is_none() == fresh)
                .filter(|m| m.reindexes(kind))
                .map(|m| m.row.as_str())
                .collect();
            search::reindex(db, kind, &ids, fresh)?;
            done.extend(ids);
        }
        // Texts written together that the batch's edits rewrote, in rows it did not write.
        let ids: Vec<&str> = rewritten
            .iter()
            .filter(|(table, id)| *table == kind.table && !done.contains(id.as_str()))
            .map(|(_, id)| id.as_str())
            .collect();
        search::reindex(db, kind, &ids, false)?;
    }
    Ok(Merged {
        superseded,
        invalid,
    })
}

/// A row's causal length (None when it does not exist) and its fields' stamps, in one read.
fn current(
    db: &rusqlite::Connection,
    table: &'static str,
    row: &str,
) -> Result<(Option<i64>, Stamps)> {
    use rusqlite::OptionalExtension;
    // The identifier comes from the static registry, never from the change.
    let found = db
        .prepare_cached(&format!("SELECT cl, stamps FROM {table} WHERE id = ?1"))?
        .query_row([row], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
        })
        .optional()?;
    let Some((cl, bytes)) = found else {
        return Ok((None, Vec::new()));
    };
    let stamps = stamps::decode(bytes.as_deref().unwrap_or_default())?;
    Ok((Some(cl), stamps))
}

/// New rows inserted whole with the fields they won and their stamps; existing rows updated
/// with their causal length, stamps and the fields they won, when the batch changes anything.
fn write_rows(db: &rusqlite::Connection, merges: &[RowMerge<'_>]) -> Result<()> {
    let mut values: Vec<Value> = Vec::new();
    for m in merges {
        values.clear();
        // Identifiers below come from the static registry, never from the change.
        let sql = if m.existing.is_none() {
            let names: String = m
                .winners
                .iter()
                .map(|(c, _)| format!(", {}", c.name))
                .collect();
            let marks: String = (0..m.winners.len())
                .map(|i| format!(", ?{}", i + 5))
                .collect();
            values.extend([
                Value::Text(m.row.clone()),
                Value::Text(m.bucket.to_string()),
                Value::Integer(m.cl),
                encoded(&m.stamps),
            ]);
            format!(
                "INSERT INTO {} (id, bucket, cl, stamps{names}) VALUES (?1, ?2, ?3, ?4{marks})",
                m.table.name
            )
        } else if m.winners.is_empty() && m.existing == Some(m.cl) {
            continue;
        } else if m.winners.is_empty() {
            values.extend([Value::Text(m.row.clone()), Value::Integer(m.cl)]);
            format!("UPDATE {} SET cl = ?2 WHERE id = ?1", m.table.name)
        } else {
            let sets: String = m
                .winners
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!(", {} = ?{}", c.name, i + 4))
                .collect();
            values.extend([
                Value::Text(m.row.clone()),
                Value::Integer(m.cl),
                encoded(&m.stamps),
            ]);
            format!(
                "UPDATE {} SET cl = ?2, stamps = ?3{sets} WHERE id = ?1",
                m.table.name
            )
        };
        values.extend(
            m.winners
                .iter()
                .map(|(c, change)| column_value(c.kind, &change.value)),
        );
        db.prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(values.iter()))?;
    }
    Ok(())
}

fn encoded(stamps: &Stamps) -> Value {
    Value::Blob(stamps::encode(stamps))
}

/// A field's value coerced to its column's kind, the same way on every replica, so even a
/// malformed remote value leaves all replicas identical.
fn column_value(kind: Kind, value: &serde_json::Value) -> Value {
    match kind {
        Kind::Text => Value::Text(match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        }),
        Kind::OptText => value
            .as_str()
            .map_or(Value::Null, |s| Value::Text(s.to_string())),
        Kind::Bool => Value::Integer(value.as_bool().unwrap_or(false) as i64),
        Kind::Int => Value::Integer(value.as_i64().unwrap_or(0)),
        Kind::Json => Value::Text(if value.is_array() || value.is_object() {
            value.to_string()
        } else {
            "[]".to_string()
        }),
    }
}
