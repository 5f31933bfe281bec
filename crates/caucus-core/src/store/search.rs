//! Full-text search over the replica (SQLite FTS5, `migrations/0003_search.sql`).
//!
//! The index is derived from the records and holds only those not archived; it is not user
//! data (never synced, never logged). The merge brings it up to date at the end of each batch,
//! for the rows the batch touched, in the batch's transaction ([`reindex`]): per-row triggers
//! cost a merge as much again as the rows themselves (docs/benchmarks.md), and a first sync
//! writes many rows per statement.

use crate::error::Result;
use serde::Serialize;
use sqlx::SqlitePool;
use uuid::Uuid;

/// What the index holds of one kind of record: an entry's rowid is `(number << 40) | the
/// record's rowid`, so a record's entry is found directly. The expressions are SQL over the
/// record's own columns; `columns` are those they read (with `cl`, which archives).
pub(crate) struct Indexed {
    pub(crate) table: &'static str,
    number: i64,
    kind: &'static str,
    target_kind: &'static str,
    target_id: &'static str,
    title: &'static str,
    body: &'static str,
    columns: &'static [&'static str],
}

/// Every kind of record search finds, as `0003_search.sql` first indexed them.
pub(crate) const INDEXED: [Indexed; 8] = [
    Indexed {
        table: "organization",
        number: 1,
        kind: "organization",
        target_kind: "organization",
        target_id: "id",
        title: "name",
        body: "country || ' ' || region || ' ' || themes",
        columns: &["name", "country", "region", "themes"],
    },
    Indexed {
        table: "person",
        number: 2,
        kind: "person",
        target_kind: "person",
        target_id: "id",
        title: "name",
        body: "email",
        columns: &["name", "email"],
    },
    Indexed {
        table: "coalition_group",
        number: 3,
        kind: "group",
        target_kind: "group",
        target_id: "id",
        title: "name",
        body: "mandate",
        columns: &["name", "mandate"],
    },
    Indexed {
        table: "tracked_issue",
        number: 4,
        kind: "tracked_issue",
        target_kind: "group",
        target_id: "group_id",
        title: "title",
        body: "description || ' ' || labels",
        columns: &["title", "description", "labels", "group_id"],
    },
    Indexed {
        table: "recommendation",
        number: 5,
        kind: "recommendation",
        target_kind: "recommendation",
        target_id: "id",
        title: "title",
        body: "body || ' ' || answer",
        columns: &["title", "body", "answer"],
    },
    Indexed {
        table: "translation",
        number: 6,
        kind: "translation",
        target_kind: "recommendation",
        target_id: "recommendation_id",
        title: "title",
        body: "body",
        columns: &["title", "body", "recommendation_id"],
    },
    Indexed {
        table: "comment",
        number: 7,
        kind: "comment",
        target_kind: "recommendation",
        target_id: "recommendation_id",
        title: "''",
        body: "body",
        columns: &["body", "recommendation_id"],
    },
    Indexed {
        table: "meeting",
        number: 8,
        kind: "meeting",
        target_kind: "meeting",
        target_id: "id",
        title: "title",
        body: "place || ' ' || minutes",
        columns: &["title", "place", "minutes"],
    },
];

impl Indexed {
    /// Whether a write of `column` changes what the index holds.
    pub(crate) fn reads(&self, column: &str) -> bool {
        self.columns.contains(&column)
    }

    /// The index entries of this kind's live records, selected for `INSERT INTO search_index`.
    fn entries(&self) -> String {
        format!(
            "INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
             SELECT ({number} << 40) | rowid, '{kind}', id, '{target_kind}', {target_id}, {title}, {body}
             FROM {table} WHERE cl % 2 = 1",
            number = self.number,
            kind = self.kind,
            target_kind = self.target_kind,
            target_id = self.target_id,
            title = self.title,
            body = self.body,
            table = self.table,
        )
    }
}

/// Brings the index entries of these records of one kind (by id) up to date: what a batch
/// wrote to them, an archive or a restore. `fresh`: the records did not exist before the
/// batch, so they have no entry to remove. Runs on the merge's handle, in its transaction.
pub(crate) fn reindex(
    db: &rusqlite::Connection,
    kind: &Indexed,
    ids: &[&str],
    fresh: bool,
) -> rusqlite::Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if !fresh {
        let mut remove = db.prepare_cached(&format!(
            "DELETE FROM search_index
             WHERE rowid = ({} << 40) | (SELECT rowid FROM {} WHERE id = ?1)",
            kind.number, kind.table
        ))?;
        for id in ids {
            remove.execute([id])?;
        }
    }
    let mut add = db.prepare_cached(&format!("{} AND id = ?1", kind.entries()))?;
    for id in ids {
        add.execute([id])?;
    }
    Ok(())
}

/// The statements that build the whole index again from the records, one per kind: after
/// records were written without it (a plain copy of rows, the benchmark's baseline).
pub fn rebuild_sql() -> String {
    let mut sql = String::from("DELETE FROM search_index;\n");
    for kind in &INDEXED {
        sql.push_str(&kind.entries());
        sql.push_str(";\n");
    }
    sql
}

/// Builds the whole index again from the records ([`rebuild_sql`]).
pub async fn rebuild(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    sqlx::raw_sql(&rebuild_sql()).execute(&mut *conn).await?;
    Ok(())
}

/// Marks around a matched word in [`SearchHit::snippet`] (control characters, so they can never
/// come from the text itself; the UI turns them into highlighting without parsing HTML).
pub const MATCH_START: char = '\u{2}';
/// The end of a matched word (see [`MATCH_START`]).
pub const MATCH_END: char = '\u{3}';

/// One record found.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct SearchHit {
    /// organization, person, group, tracked_issue, recommendation, translation, comment, meeting.
    pub kind: String,
    /// The record found.
    pub id: Uuid,
    /// The record to open for it: a comment opens its recommendation, an issue its group.
    pub target_kind: String,
    /// The record to open.
    pub target_id: Uuid,
    /// The title, matched words marked as in the snippet.
    pub title: String,
    /// Text around the match, matched words between [`MATCH_START`] and [`MATCH_END`].
    pub snippet: String,
}

/// The FTS5 query for what a person typed: each word quoted, all required, the last one as a
/// prefix (it may still be being typed; the words before it were ended by a space). Quoting
/// makes every character literal, so no input is FTS syntax. Only the last word is a prefix
/// because FTS5 builds the whole list of every term under a prefix for each statement: for a
/// common word on the whole coalition that is most of a search's time (docs/benchmarks.md).
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == '"')
        // A word with no letter or digit indexes as nothing; leave it out.
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(8)
        .collect();
    let (last, before) = words.split_last()?;
    let mut query: Vec<String> = before.iter().map(|w| format!("\"{w}\"")).collect();
    query.push(format!("\"{last}\"*"));
    Some(query.join(" "))
}

/// Ranking reads every match it ranks, so a word found in tens of thousands of records would
/// take tens of milliseconds. Above this many matches, the ranked set is bounded: the newest
/// this many records with the words in their title, then the newest records with them anywhere.
pub const RANKED_AT_MOST: i64 = 500;

#[derive(sqlx::FromRow)]
struct HitRow {
    rowid: i64,
    kind: String,
    id: String,
    target_kind: String,
    target_id: String,
    title: String,
    snippet: String,
}

const HIT_COLUMNS: &str = "SELECT rowid, kind, id, target_kind, target_id,
        highlight(search_index, 4, char(2), char(3)) AS title,
        snippet(search_index, 5, char(2), char(3), '…', 12) AS snippet
    FROM search_index WHERE search_index MATCH ?";

/// The rowid of the `RANKED_AT_MOST`th newest match, if there are that many.
async fn newest_bound(pool: &SqlitePool, query: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
    )
    .bind(query)
    .bind(RANKED_AT_MOST - 1)
    .fetch_optional(pool)
    .await?)
}

/// The best `limit` matches of `query` among those at or above `from` (a title match counts ten
/// times a body match).
async fn ranked(pool: &SqlitePool, query: &str, from: i64, limit: i64) -> Result<Vec<HitRow>> {
    Ok(sqlx::query_as(&format!(
        "{HIT_COLUMNS} AND rowid >= ? ORDER BY bm25(search_index, 10.0, 1.0) LIMIT ?"
    ))
    .bind(query)
    .bind(from)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// At most `limit` records matching `text`, best first (every word must match; the last may be
/// the start of one).
pub async fn search(pool: &SqlitePool, text: &str, limit: u32) -> Result<Vec<SearchHit>> {
    let Some(query) = fts_query(text) else {
        return Ok(Vec::new());
    };
    let limit = limit.clamp(1, 100) as i64;
    // Title matches first: when they alone are too many to rank, so is everything, and the
    // bound over every match need not be read.
    let titles = format!("{{title}} : ({query})");
    let title_bound = newest_bound(pool, &titles).await?;
    let rows = if title_bound.is_none() && newest_bound(pool, &query).await?.is_none() {
        ranked(pool, &query, 0, limit).await?
    } else {
        let mut rows = ranked(pool, &titles, title_bound.unwrap_or(0), limit).await?;
        if (rows.len() as i64) < limit {
            let newest: Vec<HitRow> =
                sqlx::query_as(&format!("{HIT_COLUMNS} ORDER BY rowid DESC LIMIT ?"))
                    .bind(&query)
                    .bind(limit * 2)
                    .fetch_all(pool)
                    .await?;
            for row in newest {
                if (rows.len() as i64) < limit && rows.iter().all(|r| r.rowid != row.rowid) {
                    rows.push(row);
                }
            }
        }
        rows
    };
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(SearchHit {
                id: Uuid::parse_str(&r.id).ok()?,
                target_id: Uuid::parse_str(&r.target_id).ok()?,
                kind: r.kind,
                target_kind: r.target_kind,
                title: r.title,
                snippet: r.snippet,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_text_never_becomes_fts_syntax() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("trust fund"), Some("\"trust\" \"fund\"*".into()));
        assert_eq!(
            fts_query("a\"b OR c*"),
            Some("\"a\" \"b\" \"OR\" \"c*\"*".into())
        );
    }
}
