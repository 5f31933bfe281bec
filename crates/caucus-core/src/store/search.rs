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

    /// The title entries of this kind's live records, for `search_title` (a kind without titles
    /// has none).
    fn title_entries(&self) -> String {
        format!(
            "INSERT INTO search_title (rowid, title)
             SELECT ({number} << 40) | rowid, {title} FROM {table}
             WHERE cl % 2 = 1 AND {title} != ''",
            number = self.number,
            title = self.title,
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
        for index in ["search_index", "search_title"] {
            let mut remove = db.prepare_cached(&format!(
                "DELETE FROM {index}
                 WHERE rowid = ({} << 40) | (SELECT rowid FROM {} WHERE id = ?1)",
                kind.number, kind.table
            ))?;
            for id in ids {
                remove.execute([id])?;
            }
        }
    }
    for entries in [kind.entries(), kind.title_entries()] {
        let mut add = db.prepare_cached(&format!("{entries} AND id = ?1"))?;
        for id in ids {
            add.execute([id])?;
        }
    }
    Ok(())
}

/// The statements that build the whole index again from the records, one per kind: after
/// records were written without it (a plain copy of rows, the benchmark's baseline).
pub fn rebuild_sql() -> String {
    let mut sql = String::from("DELETE FROM search_index;\nDELETE FROM search_title;\n");
    for kind in &INDEXED {
        sql.push_str(&kind.entries());
        sql.push_str(";\n");
        sql.push_str(&kind.title_entries());
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
    let words = words(text);
    let (last, before) = words.split_last()?;
    let mut query: Vec<String> = before.iter().map(|w| format!("\"{w}\"")).collect();
    query.push(format!("\"{last}\"*"));
    Some(query.join(" "))
}

/// The words of what a person typed, as [`fts_query`] quotes them.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c.is_whitespace() || c == '"')
        // A word with no letter or digit indexes as nothing; leave it out.
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .take(8)
        .collect()
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
    body: String,
}

/// The rowid of the `RANKED_AT_MOST`th newest match in `index`, if there are that many.
async fn newest_bound(pool: &SqlitePool, index: &str, query: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT rowid FROM {index} WHERE {index} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"
    ))
    .bind(query)
    .bind(RANKED_AT_MOST - 1)
    .fetch_optional(pool)
    .await?)
}

/// The rowids of the best `limit` matches in `index` among those at or above `from`.
async fn ranked(
    pool: &SqlitePool,
    index: &str,
    rank: &str,
    query: &str,
    from: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT rowid FROM {index} WHERE {index} MATCH ? AND rowid >= ? ORDER BY {rank} LIMIT ?"
    ))
    .bind(query)
    .bind(from)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// At most `limit` records matching `text`, best first (every word must match; the last may be
/// the start of one).
///
/// Only rowids are ranked; the hits are then read by rowid and their words marked here
/// ([`Marker`]): FTS5's own highlight and snippet need the match, and running it again for
/// twenty rows costs as much as the search (a prefix is expanded again each time).
pub async fn search(pool: &SqlitePool, text: &str, limit: u32) -> Result<Vec<SearchHit>> {
    let Some(query) = fts_query(text) else {
        return Ok(Vec::new());
    };
    let limit = limit.clamp(1, 100) as i64;
    // Title matches first, from the titles' own index: when they alone are too many to rank,
    // so is everything, and the bound over every match need not be read.
    let title_bound = newest_bound(pool, "search_title", &query).await?;
    let ids =
        if title_bound.is_none() && newest_bound(pool, "search_index", &query).await?.is_none() {
            // A title match counts ten times a body match.
            let rank = "bm25(search_index, 10.0, 1.0)";
            ranked(pool, "search_index", rank, &query, 0, limit).await?
        } else {
            let rank = "bm25(search_title)";
            let from = title_bound.unwrap_or(0);
            let mut ids = ranked(pool, "search_title", rank, &query, from, limit).await?;
            if (ids.len() as i64) < limit {
                let newest: Vec<i64> = sqlx::query_scalar(
                    "SELECT rowid FROM search_index WHERE search_index MATCH ?
                 ORDER BY rowid DESC LIMIT ?",
                )
                .bind(&query)
                .bind(limit * 2)
                .fetch_all(pool)
                .await?;
                for id in newest {
                    if (ids.len() as i64) < limit && !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
            ids
        };
    let rows: Vec<HitRow> = sqlx::query_as(
        "SELECT rowid, kind, id, target_kind, target_id, title, body FROM search_index
         WHERE rowid IN (SELECT value FROM json_each(?))",
    )
    .bind(serde_json::to_string(&ids).unwrap_or_default())
    .fetch_all(pool)
    .await?;
    let marker = Marker::new(text);
    Ok(ids
        .iter()
        .filter_map(|id| rows.iter().find(|r| r.rowid == *id))
        .filter_map(|r| {
            Some(SearchHit {
                id: Uuid::parse_str(&r.id).ok()?,
                target_id: Uuid::parse_str(&r.target_id).ok()?,
                kind: r.kind.clone(),
                target_kind: r.target_kind.clone(),
                title: marker.highlight(&r.title),
                snippet: marker.snippet(&r.body, SNIPPET_WORDS),
            })
        })
        .collect())
}

/// Words in a snippet, as FTS5's `snippet(…, 12)` gave them.
const SNIPPET_WORDS: usize = 12;

/// A word as the index compares it (`unicode61 remove_diacritics 2`): lower case, without
/// diacritics.
fn fold(word: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    word.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of a text as the index splits them: runs of letters and digits, by byte range.
fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Marks the words of a text that a search matched, as the index matched them: each typed word
/// whole, the last one also as the start of a word.
struct Marker {
    whole: Vec<String>,
    prefix: Option<String>,
}

impl Marker {
    fn new(typed: &str) -> Marker {
        let mut folded: Vec<String> = Vec::new();
        for word in words(typed) {
            folded.extend(tokens(word).into_iter().map(|(s, e)| fold(&word[s..e])));
        }
        let prefix = folded.pop();
        Marker {
            whole: folded,
            prefix,
        }
    }

    fn matches(&self, word: &str) -> bool {
        let word = fold(word);
        self.whole.contains(&word) || self.prefix.as_ref().is_some_and(|p| word.starts_with(p))
    }

    /// `text[from..to]` with its matched words between [`MATCH_START`] and [`MATCH_END`].
    fn mark(&self, text: &str, words: &[(usize, usize)], from: usize, to: usize) -> String {
        let mut out = String::with_capacity(to - from + 8);
        let mut at = from;
        for &(s, e) in words {
            if s < from || e > to || !self.matches(&text[s..e]) {
                continue;
            }
            out.push_str(&text[at..s]);
            out.push(MATCH_START);
            out.push_str(&text[s..e]);
            out.push(MATCH_END);
            at = e;
        }
        out.push_str(&text[at..to]);
        out
    }

    fn highlight(&self, text: &str) -> String {
        self.mark(text, &tokens(text), 0, text.len())
    }

    /// At most `size` words of `text` around its matches (the window with the most of them),
    /// with `…` where it was cut.
    fn snippet(&self, text: &str, size: usize) -> String {
        let words = tokens(text);
        if words.is_empty() {
            return String::new();
        }
        let hit: Vec<bool> = words
            .iter()
            .map(|&(s, e)| self.matches(&text[s..e]))
            .collect();
        let mut best = (0usize, 0usize);
        for start in 0..words.len() {
            if start > 0 && !hit[start] {
                continue;
            }
            // A little context before the first match.
            let start = start.saturating_sub(2);
            let count = hit[start..(start + size).min(words.len())]
                .iter()
                .filter(|h| **h)
                .count();
            if count > best.1 {
                best = (start, count);
            }
        }
        let first = best.0;
        let last = (first + size).min(words.len()) - 1;
        let from = if first == 0 { 0 } else { words[first].0 };
        let to = if last == words.len() - 1 {
            text.len()
        } else {
            words[last].1
        };
        let mut out = String::new();
        if first > 0 {
            out.push('…');
        }
        out.push_str(&self.mark(text, &words, from, to));
        if last < words.len() - 1 {
            out.push('…');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{fts_query, Marker, MATCH_END, MATCH_START};

    fn plain(marked: &str) -> String {
        marked.replace(MATCH_START, "[").replace(MATCH_END, "]")
    }

    #[test]
    fn matched_words_are_marked_as_the_index_matches_them() {
        let m = Marker::new("election jug");
        assert_eq!(
            plain(&m.highlight("Élection des juges, 2026")),
            "[Élection] des [juges], 2026"
        );
        let m = Marker::new("القضاة");
        assert_eq!(plain(&m.highlight("انتخاب القضاة")), "انتخاب [القضاة]");
        let m = Marker::new("fund");
        let body = "one two three four five six seven eight nine ten eleven twelve \
                    thirteen fourteen the trust fund for victims and more words after it, a few more to cut";
        let s = plain(&m.snippet(body, 12));
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("trust [fund] for"), "{s}");
        assert_eq!(plain(&m.snippet("no match here", 12)), "no match here");
        assert_eq!(m.snippet("", 12), "");
    }

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
