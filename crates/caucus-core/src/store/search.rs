//! Full-text search over the replica (SQLite FTS5, kept by triggers: `migrations/0003_search.sql`).

use crate::error::Result;
use serde::Serialize;
use sqlx::SqlitePool;
use uuid::Uuid;

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

/// The FTS5 query for what a person typed: each word as a quoted prefix, all required. Quoting
/// makes every character literal, so no input is FTS syntax.
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '"')
        // A word with no letter or digit indexes as nothing; leave it out.
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(8)
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
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
    let rows = if newest_bound(pool, &query).await?.is_none() {
        ranked(pool, &query, 0, limit).await?
    } else {
        let titles = format!("{{title}} : ({query})");
        let from = newest_bound(pool, &titles).await?.unwrap_or(0);
        let mut rows = ranked(pool, &titles, from, limit).await?;
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
        assert_eq!(fts_query("trust fund"), Some("\"trust\"* \"fund\"*".into()));
        assert_eq!(
            fts_query("a\"b OR c*"),
            Some("\"a\"* \"b\"* \"OR\"* \"c*\"*".into())
        );
    }
}
