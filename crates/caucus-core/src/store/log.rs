//! The change log, one entry per write of a row (migration 0013).
//!
//! A field change is still what the merge laws speak of, identified by (site, seq); the log
//! keeps every one, with its value, for history and forwarding. What changed is how: a
//! site's consecutive changes to one row with the same clock, causal length, maker, bucket and
//! schema version share an entry, whose keys are interned integers and a 16-byte row id, and
//! whose fields are a JSON array of `[seq - seq_first, column, value]` (with the span's
//! signature as a fourth element where a change carries one). Before, each field was a log row
//! with every key as text and two indexes over them: half of a merge's time.
//!
//! JSON, not a binary packing, so that SQL can still read the fields (the `change_log` view,
//! for tests and for reading a replica by hand); the values are JSON already.

use crate::change::{Change, Signature};
use crate::error::{CoreError, Result};
use crate::hlc::Hlc;
use rusqlite::OptionalExtension;
use sqlx::SqliteConnection;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// The most sequence numbers an entry spans (seq_last - seq_first < SPAN): the entry holding a
/// change is then found in the index (site, seq_last) between its seq and seq + SPAN - 1.
pub(crate) const SPAN: u64 = 64;

/// Interned ids (sites, makers) and names (tables, buckets), as a batch looks them up.
#[derive(Default)]
pub(crate) struct Interned {
    ids: HashMap<Uuid, i64>,
    names: HashMap<String, i64>,
}

impl Interned {
    /// The number of `id`, interning it if it is new.
    pub(crate) fn id(&mut self, db: &rusqlite::Connection, id: Uuid) -> Result<i64> {
        if let Some(no) = self.ids.get(&id) {
            return Ok(*no);
        }
        let bytes = id.as_bytes().as_slice();
        let no = match db
            .prepare_cached("SELECT no FROM log_id WHERE id = ?1")?
            .query_row([bytes], |r| r.get(0))
            .optional()?
        {
            Some(no) => no,
            None => {
                db.prepare_cached("INSERT INTO log_id (id) VALUES (?1)")?
                    .execute([bytes])?;
                db.last_insert_rowid()
            }
        };
        self.ids.insert(id, no);
        Ok(no)
    }

    /// The number of `name`, interning it if it is new.
    pub(crate) fn name(&mut self, db: &rusqlite::Connection, name: &str) -> Result<i64> {
        if let Some(no) = self.names.get(name) {
            return Ok(*no);
        }
        let no = match db
            .prepare_cached("SELECT no FROM log_name WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()?
        {
            Some(no) => no,
            None => {
                db.prepare_cached("INSERT INTO log_name (name) VALUES (?1)")?
                    .execute([name])?;
                db.last_insert_rowid()
            }
        };
        self.names.insert(name.to_string(), no);
        Ok(no)
    }
}

/// Whether `next` continues the entry that starts with `first` and ends with `last`.
fn continues(first: &Change, last: &Change, next: &Change) -> bool {
    next.site == first.site
        && next.seq > last.seq
        && next.seq - first.seq < SPAN
        && next.row == first.row
        && next.hlc == first.hlc
        && next.cl == first.cl
        && next.actor == first.actor
        && next.schema_version == first.schema_version
        && next.table == first.table
        && next.bucket == first.bucket
}

/// Cuts changes (in the order given) into the runs that share an entry.
pub(crate) fn runs<'a, 'c>(changes: &'a [&'c Change]) -> Vec<&'a [&'c Change]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=changes.len() {
        if i == changes.len() || !continues(changes[start], changes[i - 1], changes[i]) {
            if i > start {
                out.push(&changes[start..i]);
            }
            start = i;
        }
    }
    out
}

/// The entry's fields as JSON: `[[seq - seq_first, column, value(, signature)], ...]`.
fn encode_fields(run: &[&Change]) -> String {
    let first = run[0].seq;
    let mut out = String::with_capacity(64 * run.len());
    out.push('[');
    for (i, c) in run.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        out.push_str(&(c.seq - first).to_string());
        out.push(',');
        out.push_str(&serde_json::Value::from(c.column.as_str()).to_string());
        out.push(',');
        out.push_str(&c.value.to_string());
        if let Some(signature) = &c.signature {
            out.push(',');
            out.push_str(&serde_json::to_string(signature).unwrap_or_else(|_| "null".into()));
        }
        out.push(']');
    }
    out.push(']');
    out
}

/// Writes changes new to the log, an entry per run ([`runs`]); with `queue`, each entry also
/// waits in the outbox for the home hub, all its changes at once.
pub(crate) fn append(
    db: &rusqlite::Connection,
    interned: &mut Interned,
    changes: &[&Change],
    queue: bool,
) -> Result<()> {
    let mut outbox = db.prepare_cached(
        "INSERT INTO sync_outbox (hlc, site, seq_first, waiting, pending)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut insert = db.prepare_cached(
        "INSERT INTO log_entry
             (site, seq_first, seq_last, hlc, actor, bucket, tbl, row_id, cl, schema_version,
              fields, offsets)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for run in runs(changes) {
        let (first, last) = (run[0], run[run.len() - 1]);
        let offsets = run.iter().fold(0u64, |m, c| m | 1 << (c.seq - first.seq));
        let site = interned.id(db, first.site)?;
        let actor = first.actor.map(|a| interned.id(db, a)).transpose()?;
        let bucket = interned.name(db, &first.bucket)?;
        let table = interned.name(db, &first.table)?;
        insert.execute(rusqlite::params![
            site,
            first.seq as i64,
            last.seq as i64,
            first.hlc.0 as i64,
            actor,
            bucket,
            table,
            first.row.as_bytes().as_slice(),
            first.cl as i64,
            first.schema_version as i64,
            encode_fields(run),
            offsets as i64,
        ])?;
        if queue {
            outbox.execute(rusqlite::params![
                first.hlc.0 as i64,
                first.site.as_bytes().as_slice(),
                first.seq as i64,
                offsets as i64,
                run.len() as i64,
            ])?;
        }
    }
    Ok(())
}

/// Tells which changes of a batch the log already holds, earlier in the batch included.
#[derive(Default)]
pub(crate) struct Duplicates {
    /// Per site: its number and the highest seq logged before the batch (None: none).
    before: HashMap<Uuid, Option<(i64, u64)>>,
    batch: HashSet<(Uuid, u64)>,
}

impl Duplicates {
    /// Whether `c` is logged already; if not, it counts as logged from now on.
    pub(crate) fn seen(&mut self, db: &rusqlite::Connection, c: &Change) -> Result<bool> {
        if !self.batch.insert((c.site, c.seq)) {
            return Ok(true);
        }
        let before = match self.before.get(&c.site) {
            Some(b) => *b,
            None => {
                let b = site_no(db, c.site)?
                    .map(|no| Ok::<_, CoreError>((no, max_seq(db, no)?)))
                    .transpose()?
                    .and_then(|(no, max)| max.map(|m| (no, m)));
                self.before.insert(c.site, b);
                b
            }
        };
        // Most changes arrive newer than any their site has here: no lookup.
        let Some((site, max)) = before else {
            return Ok(false);
        };
        if c.seq > max {
            return Ok(false);
        }
        holds(db, site, c.seq)
    }
}

/// The number `site` is interned as, if the log knows it.
fn site_no(db: &rusqlite::Connection, site: Uuid) -> Result<Option<i64>> {
    Ok(db
        .prepare_cached("SELECT no FROM log_id WHERE id = ?1")?
        .query_row([site.as_bytes().as_slice()], |r| r.get(0))
        .optional()?)
}

/// The highest seq the log holds of the site numbered `site`.
fn max_seq(db: &rusqlite::Connection, site: i64) -> Result<Option<u64>> {
    let max: Option<i64> = db
        .prepare_cached("SELECT MAX(seq_last) FROM log_entry WHERE site = ?1")?
        .query_row([site], |r| r.get(0))?;
    Ok(max.map(|m| m as u64))
}

/// Whether an entry of the site numbered `site` holds `seq`: read from the site index alone
/// (its offsets), never the entry's fields.
fn holds(db: &rusqlite::Connection, site: i64, seq: u64) -> Result<bool> {
    Ok(db
        .prepare_cached(
            "SELECT 1 FROM log_entry
             WHERE site = ?1 AND seq_last BETWEEN ?2 AND ?3 AND seq_first <= ?2
               AND (offsets >> (?2 - seq_first)) & 1 = 1
             LIMIT 1",
        )?
        .query_row(
            rusqlite::params![site, seq as i64, (seq + SPAN - 1) as i64],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// One field of an entry.
struct Field {
    offset: u64,
    column: String,
    value: serde_json::Value,
    signature: Option<Signature>,
}

/// A log entry this version cannot read: a storage error, as SQLite reports a value it cannot
/// read.
fn damaged(what: &str) -> CoreError {
    CoreError::Internal(format!("a change log entry is damaged: {what}"))
}

fn decode_fields(json: &str) -> Result<Vec<Field>> {
    let list: Vec<Vec<serde_json::Value>> =
        serde_json::from_str(json).map_err(|e| damaged(&e.to_string()))?;
    list.into_iter()
        .map(|mut f| {
            if f.len() < 3 || f.len() > 4 {
                return Err(damaged(
                    "a field is not [offset, column, value(, signature)]",
                ));
            }
            let signature = if f.len() == 4 {
                serde_json::from_value(f.pop().unwrap_or_default()).ok()
            } else {
                None
            };
            let value = f.pop().unwrap_or_default();
            let column = f
                .pop()
                .and_then(|c| c.as_str().map(str::to_string))
                .ok_or_else(|| damaged("a column is not a name"))?;
            let offset = f
                .pop()
                .and_then(|o| o.as_u64())
                .filter(|o| *o < SPAN)
                .ok_or_else(|| damaged("an offset is out of range"))?;
            Ok(Field {
                offset,
                column,
                value,
                signature,
            })
        })
        .collect()
}

/// An entry as SQL reads it, with its names resolved ([`SELECT`]).
#[derive(sqlx::FromRow)]
pub(crate) struct Entry {
    pub(crate) site: Vec<u8>,
    pub(crate) seq_first: i64,
    pub(crate) hlc: i64,
    pub(crate) actor: Option<Vec<u8>>,
    pub(crate) bucket: String,
    pub(crate) tbl: String,
    pub(crate) row_id: Vec<u8>,
    pub(crate) cl: i64,
    pub(crate) schema_version: i64,
    pub(crate) fields: String,
}

/// Reads entries with their names: append `WHERE …` over `e` (the entry), `s` (its site).
pub(crate) const SELECT: &str = "SELECT s.id AS site, e.seq_first, e.hlc, a.id AS actor,
        b.name AS bucket, t.name AS tbl, e.row_id, e.cl, e.schema_version, e.fields
    FROM log_entry e
    JOIN log_id s ON s.no = e.site
    LEFT JOIN log_id a ON a.no = e.actor
    JOIN log_name b ON b.no = e.bucket
    JOIN log_name t ON t.no = e.tbl";

impl Entry {
    /// An entry as rusqlite reads it, in [`SELECT`]'s order.
    pub(crate) fn read(row: &rusqlite::Row) -> rusqlite::Result<Entry> {
        Ok(Entry {
            site: row.get(0)?,
            seq_first: row.get(1)?,
            hlc: row.get(2)?,
            actor: row.get(3)?,
            bucket: row.get(4)?,
            tbl: row.get(5)?,
            row_id: row.get(6)?,
            cl: row.get(7)?,
            schema_version: row.get(8)?,
            fields: row.get(9)?,
        })
    }

    /// The site's uuid.
    pub(crate) fn site(&self) -> Uuid {
        Uuid::from_slice(&self.site).unwrap_or_default()
    }

    /// The row's uuid.
    pub(crate) fn row(&self) -> Uuid {
        Uuid::from_slice(&self.row_id).unwrap_or_default()
    }

    /// The maker's uuid, when known.
    pub(crate) fn actor(&self) -> Option<Uuid> {
        self.actor.as_deref().and_then(|a| Uuid::from_slice(a).ok())
    }

    /// The entry's changes, in seq order.
    pub(crate) fn changes(&self) -> Result<Vec<Change>> {
        let (site, row, actor) = (self.site(), self.row(), self.actor());
        Ok(decode_fields(&self.fields)?
            .into_iter()
            .map(|f| Change {
                site,
                seq: self.seq_first as u64 + f.offset,
                hlc: Hlc(self.hlc as u64),
                actor,
                bucket: self.bucket.clone(),
                table: self.tbl.clone(),
                row,
                column: f.column,
                value: f.value,
                cl: self.cl as u64,
                schema_version: self.schema_version as u32,
                signature: f.signature,
            })
            .collect())
    }
}

/// The entries covering `site`'s seqs `low..=high` (their changes may lie outside it).
pub(crate) async fn of_site(
    conn: &mut SqliteConnection,
    site: Uuid,
    low: u64,
    high: u64,
) -> Result<Vec<Entry>> {
    super::raw::on_handle(conn, |db| of_site_on(db, site, low, high)).await
}

/// [`of_site`] on SQLite's handle.
fn of_site_on(db: &rusqlite::Connection, site: Uuid, low: u64, high: u64) -> Result<Vec<Entry>> {
    let entries = db
        .prepare_cached(&format!(
            "{SELECT} WHERE e.site = (SELECT no FROM log_id WHERE id = ?1)
               AND e.seq_last >= ?2 AND e.seq_last <= ?3 + {SPAN} - 1 AND e.seq_first <= ?3
             ORDER BY e.seq_last"
        ))?
        .query_map(
            rusqlite::params![
                site.as_bytes().as_slice(),
                low.min(i64::MAX as u64) as i64,
                high.min(i64::MAX as u64 - SPAN) as i64
            ],
            Entry::read,
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(entries)
}

/// `site`'s changes with seqs in `low..=high`, in seq order.
pub(crate) async fn range(
    conn: &mut SqliteConnection,
    site: Uuid,
    low: u64,
    high: u64,
) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for entry in of_site(conn, site, low, high).await? {
        out.extend(
            entry
                .changes()?
                .into_iter()
                .filter(|c| (low..=high).contains(&c.seq)),
        );
    }
    out.sort_by_key(|c| c.seq);
    Ok(out)
}

/// The logged changes named in `ids`, those the log holds, by id (with the other changes of
/// the entries that hold them).
pub(crate) async fn find(
    conn: &mut SqliteConnection,
    ids: &[(Uuid, u64)],
) -> Result<HashMap<(Uuid, u64), Change>> {
    super::raw::on_handle(conn, |db| find_on(db, ids)).await
}

/// [`find`] on SQLite's handle: a push's acknowledgement and its next batch each read a few
/// hundred entries, which sqlx handed over a row at a time between two threads (`perf`: half a
/// large push's time on the device was the kernel switching them).
pub(crate) fn find_on(
    db: &rusqlite::Connection,
    ids: &[(Uuid, u64)],
) -> Result<HashMap<(Uuid, u64), Change>> {
    let mut by_site: BTreeMap<Uuid, Vec<u64>> = BTreeMap::new();
    for &(site, seq) in ids {
        by_site.entry(site).or_default().push(seq);
    }
    let mut found: HashMap<(Uuid, u64), Change> = HashMap::new();
    for (site, mut seqs) in by_site {
        seqs.sort_unstable();
        seqs.dedup();
        // A batch of a site's changes is mostly a run of its seqs (a push is in clock order,
        // and a site's clock grows with its seq): near seqs are read as one range, one
        // statement for a run rather than one per entry; far ones are read apart.
        let mut at = 0;
        while at < seqs.len() {
            let low = seqs[at];
            let mut high = low;
            at += 1;
            while at < seqs.len() && seqs[at] - high <= SPAN {
                high = seqs[at];
                at += 1;
            }
            for entry in of_site_on(db, site, low, high)? {
                for c in entry.changes()? {
                    found.insert((c.site, c.seq), c);
                }
            }
        }
    }
    Ok(found)
}

/// The highest seq the log holds of `site` (0: none).
pub(crate) async fn last_seq(conn: &mut SqliteConnection, site: Uuid) -> Result<u64> {
    let max: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(seq_last) FROM log_entry
         WHERE site = (SELECT no FROM log_id WHERE id = ?)",
    )
    .bind(site.as_bytes().to_vec())
    .fetch_one(&mut *conn)
    .await?;
    Ok(max.unwrap_or(0) as u64)
}

/// Every site the log holds changes of, with the highest seq of each.
pub(crate) async fn sites(conn: &mut SqliteConnection) -> Result<Vec<(Uuid, u64)>> {
    let rows: Vec<(Vec<u8>, Option<i64>)> = sqlx::query_as(
        "SELECT i.id, (SELECT MAX(seq_last) FROM log_entry WHERE site = i.no) FROM log_id i",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, max)| Some((Uuid::from_slice(&id).ok()?, max? as u64)))
        .collect())
}

/// The entries of one row of `table`, in clock order.
pub(crate) async fn of_row(
    conn: &mut SqliteConnection,
    table: &str,
    row: Uuid,
) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as::<_, Entry>(&format!(
        "{SELECT} WHERE e.tbl = (SELECT no FROM log_name WHERE name = ?1) AND e.row_id = ?2
         ORDER BY e.hlc, e.site, e.seq_first"
    ))
    .bind(table)
    .bind(row.as_bytes().to_vec())
    .fetch_all(&mut *conn)
    .await?)
}

/// The entries of `table` (of `bucket`, if given).
pub(crate) async fn of_table(
    conn: &mut SqliteConnection,
    table: &str,
    bucket: Option<&str>,
) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as::<_, Entry>(&format!(
        "{SELECT} WHERE e.tbl = (SELECT no FROM log_name WHERE name = ?1)
           AND (?2 IS NULL OR e.bucket = (SELECT no FROM log_name WHERE name = ?2))
         ORDER BY e.hlc, e.site, e.seq_first"
    ))
    .bind(table)
    .bind(bucket)
    .fetch_all(&mut *conn)
    .await?)
}

/// Every entry, in (site, seq) order.
pub(crate) async fn all(conn: &mut SqliteConnection) -> Result<Vec<Entry>> {
    Ok(
        sqlx::query_as::<_, Entry>(&format!("{SELECT} ORDER BY e.site, e.seq_first"))
            .fetch_all(&mut *conn)
            .await?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(seq: u64, column: &str, hlc: u64) -> Change {
        Change {
            site: Uuid::from_u128(7),
            seq,
            hlc: Hlc(hlc),
            actor: Some(Uuid::from_u128(9)),
            bucket: "coalition".into(),
            table: "organization".into(),
            row: Uuid::from_u128(11),
            column: column.into(),
            value: json!({"a": [1, "x\"y"]}),
            cl: 1,
            schema_version: 1,
            signature: None,
        }
    }

    #[test]
    fn a_write_of_a_row_is_one_run_and_its_fields_come_back_whole() {
        let mut last = change(3, "country", 5);
        last.signature = Some(Signature {
            changes: 3,
            ed25519: "ab".into(),
        });
        let cs = [change(1, "$row", 5), change(2, "name", 5), last];
        let refs: Vec<&Change> = cs.iter().collect();
        let runs = runs(&refs);
        assert_eq!(runs.len(), 1);
        let entry = Entry {
            site: cs[0].site.as_bytes().to_vec(),
            seq_first: 1,
            hlc: 5,
            actor: Some(Uuid::from_u128(9).as_bytes().to_vec()),
            bucket: "coalition".into(),
            tbl: "organization".into(),
            row_id: Uuid::from_u128(11).as_bytes().to_vec(),
            cl: 1,
            schema_version: 1,
            fields: encode_fields(runs[0]),
        };
        assert_eq!(entry.changes().expect("decodes"), cs.to_vec());
    }

    #[test]
    fn runs_break_at_another_clock_row_gap_or_span() {
        let mut other_row = change(3, "name", 5);
        other_row.row = Uuid::from_u128(12);
        let cs = [
            change(1, "name", 5),
            change(2, "country", 6),
            other_row,
            change(4, "name", 5),
            change(4 + SPAN, "region", 5),
            change(3, "status", 5),
        ];
        let refs: Vec<&Change> = cs.iter().collect();
        let lens: Vec<usize> = runs(&refs).iter().map(|r| r.len()).collect();
        assert_eq!(lens, vec![1, 1, 1, 1, 1, 1]);
        let cs = [
            change(1, "name", 5),
            change(5, "country", 5),
            change(9, "x", 5),
        ];
        let refs: Vec<&Change> = cs.iter().collect();
        assert_eq!(runs(&refs).len(), 1, "gaps within the span share an entry");
    }

    #[test]
    fn damaged_fields_are_refused_with_an_error() {
        for bad in [
            "",
            "[",
            "[[1]]",
            "[[\"x\",\"c\",1]]",
            "[[99,\"c\",1]]",
            "[[0,5,1]]",
            "{}",
        ] {
            assert!(decode_fields(bad).is_err(), "{bad}");
        }
    }
}
