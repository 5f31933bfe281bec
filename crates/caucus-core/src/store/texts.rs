//! Texts written together, on a replica: each text's merged state kept beside its record
//! (`text_doc`), and the text as it reads written into the record's own column, whenever a
//! batch brings edits of it or the record itself (see [`crate::collab`]).
//!
//! Which texts are written together, and where their edits come from: a meeting's minutes,
//! from `minutes_edit`.

use super::apply::RowMerge;
use crate::collab::{self, TextDoc};
use crate::error::Result;
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

/// A text written together: the record's table and column, and the edits' table with its
/// column naming the record.
struct Written {
    table: &'static str,
    column: &'static str,
    edits: &'static str,
    parent: &'static str,
}

const TEXTS: &[Written] = &[Written {
    table: "meeting",
    column: "minutes",
    edits: "minutes_edit",
    parent: "meeting_id",
}];

/// Merges the batch's new edits into their texts, and writes each text touched into its
/// record's column (a record that arrives after its edits gets its text too). Returns the
/// records whose column was written, by table, for search.
pub(super) fn merge(
    db: &rusqlite::Connection,
    merges: &[RowMerge<'_>],
) -> Result<Vec<(&'static str, String)>> {
    let mut rewritten = Vec::new();
    for text in TEXTS {
        // Each record's new edits, in the batch's order (any order gives the same text).
        let mut edits: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for m in merges.iter().filter(|m| m.table.name == text.edits) {
            let Some((_, change)) = m.winners.iter().find(|(c, _)| c.name == "edit") else {
                continue;
            };
            let Some(edit) = change.value.as_str() else {
                continue;
            };
            let parent: Option<String> = db
                .prepare_cached(&format!(
                    "SELECT {} FROM {} WHERE id = ?1",
                    text.parent, text.edits
                ))?
                .query_row([&m.row], |r| r.get(0))
                .optional()?;
            if let Some(parent) = parent.filter(|p| !p.is_empty()) {
                edits.entry(parent).or_default().push(edit.to_string());
            }
        }
        // Records the batch wrote the column of, or created: their text is the merged one.
        for m in merges.iter().filter(|m| m.table.name == text.table) {
            if m.existing.is_none() || m.winners.iter().any(|(c, _)| c.name == text.column) {
                edits.entry(m.row.clone()).or_default();
            }
        }
        for (row, new) in edits {
            let stored = load(db, text, &row)?;
            if stored.is_none() && new.is_empty() {
                continue;
            }
            let mut doc = match &stored {
                Some(state) => match TextDoc::load(state) {
                    Ok(doc) => doc,
                    // A stored state that does not load is rebuilt from the edits themselves.
                    Err(_) => rebuilt(db, text, &row)?,
                },
                None => TextDoc::new(),
            };
            for edit in &new {
                // Checked when it arrived (its record's value check); a damaged one is left out
                // the same way on every replica.
                let applied = collab::decode_edit("edit", edit).and_then(|b| doc.apply(&b));
                if let Err(error) = applied {
                    // A failed merge may leave the text half changed: start again from every
                    // edit stored (this one included, and left out the same way).
                    tracing::warn!(%error, "an edit of a text is left out");
                    doc = rebuilt(db, text, &row)?;
                }
            }
            if !new.is_empty() {
                // A state that cannot be written (an edit waiting in it is damaged) is merged
                // again from the edits, leaving out those that break it.
                let state = match doc.state() {
                    Ok(state) => state,
                    Err(_) => {
                        doc = rebuilt(db, text, &row)?;
                        doc.state()?
                    }
                };
                db.prepare_cached(
                    "INSERT INTO text_doc (tbl, row_id, col, state) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (tbl, row_id, col) DO UPDATE SET state = excluded.state",
                )?
                .execute(rusqlite::params![
                    text.table,
                    row,
                    text.column,
                    state
                ])?;
            }
            let written = db
                .prepare_cached(&format!(
                    "UPDATE {} SET {} = ?2 WHERE id = ?1 AND {} IS NOT ?2",
                    text.table, text.column, text.column
                ))?
                .execute(rusqlite::params![row, doc.text()])?;
            if written > 0 {
                rewritten.push((text.table, row));
            }
        }
    }
    Ok(rewritten)
}

/// A text merged again from every edit of it the replica holds, in the order they were made,
/// leaving out those that do not merge.
fn rebuilt(db: &rusqlite::Connection, text: &Written, row: &str) -> Result<TextDoc> {
    let mut doc = TextDoc::new();
    let mut read = db.prepare_cached(&format!(
        "SELECT edit FROM {} WHERE {} = ?1 ORDER BY id",
        text.edits, text.parent
    ))?;
    let edits = read.query_map([row], |r| r.get::<_, String>(0))?;
    for edit in edits {
        let edit = edit?;
        let mut next = TextDoc::load(&doc.state()?)?;
        if collab::decode_edit("edit", &edit)
            .and_then(|b| next.apply(&b))
            .and_then(|()| next.state())
            .is_ok()
        {
            doc = next;
        }
    }
    Ok(doc)
}

/// A text's stored state, if anyone has edited it together.
fn load(db: &rusqlite::Connection, text: &Written, row: &str) -> Result<Option<Vec<u8>>> {
    Ok(db
        .prepare_cached("SELECT state FROM text_doc WHERE tbl = ?1 AND row_id = ?2 AND col = ?3")?
        .query_row(rusqlite::params![text.table, row, text.column], |r| {
            r.get(0)
        })
        .optional()?)
}

/// A meeting's minutes as their merged state, if anyone has edited them together.
pub async fn minutes_state(
    conn: &mut sqlx::SqliteConnection,
    meeting: uuid::Uuid,
) -> Result<Option<Vec<u8>>> {
    Ok(sqlx::query_scalar(
        "SELECT state FROM text_doc WHERE tbl = 'meeting' AND row_id = ? AND col = 'minutes'",
    )
    .bind(meeting.to_string())
    .fetch_optional(&mut *conn)
    .await?)
}
