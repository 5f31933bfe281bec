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

/// How a column's value is read as text for the index and its snippets.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// As it is.
    Plain,
    /// Markdown, as the words a reader sees (no `**`, no link targets).
    Markdown,
    /// A JSON list of words (labels, themes), as the words.
    List,
}

/// What the index holds of one kind of record: an entry's rowid is `(number << 40) | the
/// record's rowid`, so a record's entry is found directly.
pub(crate) struct Indexed {
    pub(crate) table: &'static str,
    number: i64,
    kind: &'static str,
    target_kind: &'static str,
    /// The column naming the record to open (`id`: the record itself).
    target_id: &'static str,
    /// The column of its title, if it has one.
    title: Option<&'static str>,
    body: &'static [(&'static str, Form)],
    /// The column of its language, if it has one: its words are stemmed in that language only.
    language: Option<&'static str>,
}

/// Every kind of record search finds.
pub(crate) const INDEXED: [Indexed; 10] = [
    Indexed {
        table: "organization",
        number: 1,
        kind: "organization",
        target_kind: "organization",
        target_id: "id",
        title: Some("name"),
        body: &[
            ("country", Form::Plain),
            ("region", Form::Plain),
            ("themes", Form::List),
        ],
        language: None,
    },
    Indexed {
        table: "person",
        number: 2,
        kind: "person",
        target_kind: "person",
        target_id: "id",
        title: Some("name"),
        body: &[("email", Form::Plain)],
        language: None,
    },
    Indexed {
        table: "coalition_group",
        number: 3,
        kind: "group",
        target_kind: "group",
        target_id: "id",
        title: Some("name"),
        body: &[("mandate", Form::Markdown)],
        language: None,
    },
    Indexed {
        table: "tracked_issue",
        number: 4,
        kind: "tracked_issue",
        target_kind: "tracked_issue",
        target_id: "id",
        title: Some("title"),
        body: &[("description", Form::Markdown), ("labels", Form::List)],
        language: None,
    },
    Indexed {
        table: "recommendation",
        number: 5,
        kind: "recommendation",
        target_kind: "recommendation",
        target_id: "id",
        title: Some("title"),
        body: &[("body", Form::Markdown), ("answer", Form::Markdown)],
        language: Some("language"),
    },
    Indexed {
        table: "translation",
        number: 6,
        kind: "translation",
        target_kind: "recommendation",
        target_id: "recommendation_id",
        title: Some("title"),
        body: &[("body", Form::Markdown)],
        language: Some("language"),
    },
    Indexed {
        table: "comment",
        number: 7,
        kind: "comment",
        target_kind: "recommendation",
        target_id: "recommendation_id",
        title: None,
        body: &[("body", Form::Markdown)],
        language: None,
    },
    Indexed {
        table: "meeting",
        number: 8,
        kind: "meeting",
        target_kind: "meeting",
        target_id: "id",
        title: Some("title"),
        body: &[("place", Form::Plain), ("minutes", Form::Markdown)],
        language: None,
    },
    Indexed {
        table: "agenda_item",
        number: 9,
        kind: "agenda_item",
        target_kind: "meeting",
        target_id: "meeting_id",
        title: Some("title"),
        body: &[("notes", Form::Markdown)],
        language: None,
    },
    Indexed {
        table: "decision",
        number: 10,
        kind: "decision",
        target_kind: "meeting",
        target_id: "meeting_id",
        title: None,
        body: &[("text", Form::Markdown)],
        language: None,
    },
];

/// One record's entry, as [`Indexed::entry`] reads it.
struct Entry {
    rowid: i64,
    id: String,
    target_id: String,
    title: String,
    body: String,
    language: Option<String>,
}

impl Indexed {
    /// Whether a write of `column` changes what the index holds.
    pub(crate) fn reads(&self, column: &str) -> bool {
        self.title == Some(column)
            || self.body.iter().any(|(c, _)| *c == column)
            || self.language == Some(column)
            || (self.target_id != "id" && self.target_id == column)
    }

    /// The statement reading this kind's live records for the index (append `AND …`).
    fn select(&self) -> String {
        let body: Vec<&str> = self.body.iter().map(|(c, _)| *c).collect();
        format!(
            "SELECT rowid, id, {target}, {title}, {language}, {body} FROM {table} WHERE cl % 2 = 1",
            target = self.target_id,
            title = self.title.unwrap_or("''"),
            language = self.language.unwrap_or("NULL"),
            body = body.join(", "),
            table = self.table,
        )
    }

    /// A record's entry from a row of [`Indexed::select`].
    fn entry(&self, row: &rusqlite::Row) -> rusqlite::Result<Entry> {
        let mut body = String::new();
        for (i, (_, form)) in self.body.iter().enumerate() {
            let value: Option<String> = row.get(5 + i)?;
            let text = readable(value.as_deref().unwrap_or_default(), *form);
            if !text.is_empty() {
                if !body.is_empty() {
                    body.push(' ');
                }
                body.push_str(&text);
            }
        }
        Ok(Entry {
            rowid: (self.number << 40) | row.get::<_, i64>(0)?,
            id: row.get(1)?,
            target_id: row.get::<_, Option<String>>(2)?.unwrap_or_default(),
            title: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
            language: row.get(4)?,
            body,
        })
    }

    /// Adds the entries of this kind's live records that `tail` (`AND …`, with `params`)
    /// selects.
    fn add(
        &self,
        db: &rusqlite::Connection,
        tail: &str,
        params: impl rusqlite::Params,
    ) -> rusqlite::Result<(u64, i64)> {
        let mut read = db.prepare_cached(&format!("{} {tail}", self.select()))?;
        let mut add = db.prepare_cached(
            "INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body,
                                       title_terms, body_terms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        let mut add_title =
            db.prepare_cached("INSERT INTO search_title (rowid, title_terms) VALUES (?1, ?2)")?;
        let mut rows = read.query(params)?;
        let (mut added, mut last) = (0, 0);
        while let Some(row) = rows.next()? {
            let e = self.entry(row)?;
            last = row.get(0)?;
            let language = e.language.as_deref();
            let title_terms = terms(&e.title, language);
            add.execute(rusqlite::params![
                e.rowid,
                self.kind,
                e.id,
                self.target_kind,
                e.target_id,
                e.title,
                e.body,
                title_terms,
                terms(&e.body, language),
            ])?;
            if !title_terms.is_empty() {
                add_title.execute(rusqlite::params![e.rowid, title_terms])?;
            }
            added += 1;
        }
        Ok((added, last))
    }
}

/// A column's value as the words a reader sees.
fn readable(value: &str, form: Form) -> String {
    match form {
        Form::Plain => value.to_string(),
        Form::List => serde_json::from_str::<Vec<String>>(value)
            .map(|words| words.join(" "))
            .unwrap_or_else(|_| value.to_string()),
        Form::Markdown => {
            use pulldown_cmark::{Event, Parser, TagEnd};
            let mut out = String::with_capacity(value.len());
            for event in Parser::new(value) {
                match event {
                    // Markup a member typed is shown as text, so it is searched as text.
                    Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                        out.push_str(&t)
                    }
                    Event::SoftBreak
                    | Event::HardBreak
                    | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_))
                        if !out.ends_with(' ') && !out.is_empty() =>
                    {
                        out.push(' ')
                    }
                    _ => {}
                }
            }
            out.trim_end().to_string()
        }
    }
}

/// The stemmers of the coalition's languages (the Snowball algorithms), by language code.
fn stemmer(language: &str) -> Option<rust_stemmers::Stemmer> {
    use rust_stemmers::{Algorithm, Stemmer};
    let algorithm = match language {
        "en" => Algorithm::English,
        "fr" => Algorithm::French,
        "es" => Algorithm::Spanish,
        "pt" => Algorithm::Portuguese,
        "ar" => Algorithm::Arabic,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// The languages of Latin script a text of unknown language is stemmed in.
const LATIN: [&str; 4] = ["en", "fr", "es", "pt"];
/// Every language a record may say it is in; the index of each is its slot in [`KnownTerms`].
const LANGUAGES: [&str; 5] = ["en", "fr", "es", "pt", "ar"];

fn is_arabic(word: &str) -> bool {
    word.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
}

/// The terms of the words a thread has met: one map of words for each of [`LANGUAGES`], and a
/// last one for a text whose language is unknown.
type KnownTerms = [std::collections::HashMap<String, Vec<String>>; LANGUAGES.len() + 1];

/// The terms a word is found by: the word folded (lower case, no diacritics, Arabic letter
/// forms made one), and its stems — in `language`, or when it is unknown in Arabic for an
/// Arabic word and in each Latin-script language for the others. Arabic words also lose a
/// leading conjunction (و, ف) before an article, which the stemmer keeps.
fn word_terms(word: &str, language: Option<&str>, out: &mut Vec<String>) {
    // A coalition's texts use a vocabulary of tens of thousands of words over and over: the
    // terms of each (word, language) are kept for the thread, so each is stemmed once.
    thread_local! {
        static KNOWN: std::cell::RefCell<KnownTerms> = std::cell::RefCell::new(Default::default());
    }
    const KEEP_AT_MOST: usize = 100_000;
    let slot = language
        .and_then(|l| LANGUAGES.iter().position(|k| *k == l))
        .unwrap_or(LANGUAGES.len());
    KNOWN.with(|known| {
        let known = &mut known.borrow_mut()[slot];
        if !known.contains_key(word) {
            if known.len() >= KEEP_AT_MOST {
                known.clear();
            }
            let mut terms = Vec::new();
            stem_word(word, LANGUAGES.get(slot).copied(), &mut terms);
            known.insert(word.to_string(), terms);
        }
        for t in &known[word] {
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
    });
}

/// [`word_terms`] without the memory.
fn stem_word(word: &str, language: Option<&str>, out: &mut Vec<String>) {
    let lower = word.to_lowercase();
    let mut add = |term: String| {
        if !term.is_empty() && !out.contains(&term) {
            out.push(term);
        }
    };
    add(fold(&lower));
    let arabic = is_arabic(&lower);
    let one;
    let languages: &[&str] = match language {
        _ if arabic => &["ar"],
        // Unknown, or a Latin-script word in an Arabic text (a name, an acronym).
        None | Some("ar") => &LATIN,
        Some(l) => {
            one = [l];
            &one
        }
    };
    for l in languages {
        if let Some(s) = stemmer(l) {
            add(fold(&s.stem(&lower)));
        }
    }
    if arabic {
        if let Some(rest) = lower
            .strip_prefix('و')
            .or_else(|| lower.strip_prefix('ف'))
            .filter(|r| r.starts_with("ال") || r.starts_with("لل") || r.starts_with("بال"))
        {
            if let Some(s) = stemmer("ar") {
                add(fold(&s.stem(rest)));
            }
        }
    }
}

/// A text's terms, space separated, for the index ([`word_terms`] of each of its words).
pub fn terms(text: &str, language: Option<&str>) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut word = Vec::new();
    for (s, e) in tokens(text) {
        word.clear();
        word_terms(&text[s..e], language, &mut word);
        for t in &word {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        }
    }
    out
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
    for id in ids {
        kind.add(db, "AND id = ?1", [id])?;
    }
    Ok(())
}

/// The mark that the index is to be built from the records (left by migration 0016, and by a
/// first sync): while it stands, merges leave the index alone, and [`super::upgrade::run`]
/// builds it and removes the mark (at the end of the first sync, or at the next open after a
/// kill). A first sync's snapshot is most of the coalition arriving at once, and indexing it
/// page by page cost a third of the device's time (`perf`, docs/benchmarks.md).
pub(crate) const TO_BUILD: &str = "search_to_build";

/// Whether the index waits to be built ([`TO_BUILD`]).
pub(crate) fn waits_for_build(db: &rusqlite::Connection) -> rusqlite::Result<bool> {
    db.prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
        .exists([TO_BUILD])
}

/// Marks the index to be built from the records once, instead of kept by every merge.
pub async fn build_later(pool: &sqlx::SqlitePool) -> Result<()> {
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {TO_BUILD} (pending INTEGER NOT NULL)"
    ))
    .execute(pool)
    .await?;
    Ok(())
}

/// Whether the index waits to be built ([`TO_BUILD`]).
pub async fn build_pending(pool: &sqlx::SqlitePool) -> Result<bool> {
    let mut conn = pool.acquire().await?;
    super::raw::on_handle(&mut conn, |db| Ok(waits_for_build(db)?)).await
}

/// Builds the whole index again from the records, on `db` (in whatever transaction it holds);
/// `tell` is told how many records are indexed so far, every thousand.
pub fn rebuild_on(db: &rusqlite::Connection, tell: &dyn Fn(u64)) -> rusqlite::Result<u64> {
    db.execute_batch("DELETE FROM search_index; DELETE FROM search_title;")?;
    let mut done = 0;
    for kind in &INDEXED {
        let mut from = 0i64;
        // A thousand records at a time, so progress can be told.
        loop {
            let (added, last) = kind.add(db, "AND rowid > ?1 ORDER BY rowid LIMIT 1000", [from])?;
            if added == 0 {
                break;
            }
            done += added;
            tell(done);
            from = last;
        }
    }
    Ok(done)
}

/// Builds the whole index again from the records ([`rebuild_on`]).
pub async fn rebuild(conn: &mut sqlx::SqliteConnection) -> Result<()> {
    super::raw::on_handle(conn, |db| Ok(rebuild_on(db, &|_| {})?)).await?;
    Ok(())
}

/// How many records the index is built from (for an upgrade's progress).
pub(crate) fn records(db: &rusqlite::Connection) -> rusqlite::Result<u64> {
    let mut n = 0u64;
    for kind in &INDEXED {
        let c: i64 = db.query_row(
            &format!("SELECT COUNT(*) FROM {} WHERE cl % 2 = 1", kind.table),
            [],
            |r| r.get(0),
        )?;
        n += c.max(0) as u64;
    }
    Ok(n)
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

/// The FTS5 query for what a person typed: each word by its terms ([`word_terms`]: the word
/// folded, or its stem in any of the coalition's languages), all words required, the last one
/// also as a prefix (it may still be being typed; the words before it were ended by a space).
/// Quoting makes every character literal, so no input is FTS syntax. Only the last word is a
/// prefix because FTS5 builds the whole list of every term under a prefix for each statement:
/// for a common word on the whole coalition that is most of a search's time
/// (docs/benchmarks.md).
pub fn fts_query(text: &str) -> Option<String> {
    let words: Vec<&str> = words(text)
        .into_iter()
        .flat_map(|w| tokens(w).into_iter().map(move |(s, e)| &w[s..e]))
        .collect();
    let (last, before) = words.split_last()?;
    let group = |word: &str, prefix: bool| {
        let mut found = Vec::new();
        word_terms(word, None, &mut found);
        let alternatives: Vec<String> = found
            .iter()
            .enumerate()
            .map(|(i, t)| {
                // The first term is the word itself: the one a prefix extends.
                if prefix && i == 0 {
                    format!("\"{t}\"*")
                } else {
                    format!("\"{t}\"")
                }
            })
            .collect();
        format!("({})", alternatives.join(" OR "))
    };
    let mut query: Vec<String> = before.iter().map(|w| group(w, false)).collect();
    query.push(group(last, true));
    // FTS5 reads two bare phrases as both required, but not two groups.
    Some(query.join(" AND "))
}

/// The words of what a person typed.
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
            let rank = "bm25(search_index, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0, 1.0)";
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
        // Arabic's tatweel only stretches a word.
        .filter(|c| !is_combining_mark(*c) && *c != '\u{0640}')
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

/// Marks the words of a text that a search matched, as the index matched them: a word whose
/// terms share one with a typed word's, or that starts with the last typed word.
struct Marker {
    whole: Vec<String>,
    prefix: Option<String>,
}

impl Marker {
    fn new(typed: &str) -> Marker {
        let mut whole: Vec<String> = Vec::new();
        let mut prefix = None;
        let all: Vec<&str> = words(typed)
            .into_iter()
            .flat_map(|w| tokens(w).into_iter().map(move |(s, e)| &w[s..e]))
            .collect();
        for (i, word) in all.iter().enumerate() {
            let mut found = Vec::new();
            word_terms(word, None, &mut found);
            if i + 1 == all.len() && !found.is_empty() {
                prefix = Some(found.remove(0));
            }
            whole.extend(found);
        }
        Marker { whole, prefix }
    }

    fn matches(&self, word: &str) -> bool {
        let folded = fold(&word.to_lowercase());
        if self.prefix.as_ref().is_some_and(|p| folded.starts_with(p)) {
            return true;
        }
        let mut found = Vec::new();
        word_terms(word, None, &mut found);
        found.iter().any(|t| self.whole.contains(t))
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
        let q = fts_query("trust fund").expect("a query");
        assert!(q.starts_with("(\"trust\""), "{q}");
        assert!(q.contains("(\"fund\"*"), "the last word is a prefix: {q}");
        // Quotes and operators are words like any other, and FTS5 reads the query.
        let q = fts_query("a\"b OR c* NEAR(").expect("a query");
        assert!(!q.contains("\"\"\""), "{q}");
        assert!(q.contains("\"or\""), "{q}");
    }

    #[test]
    fn words_are_found_by_their_forms_in_each_language() {
        let found = |text: &str, language: Option<&str>, typed: &str| {
            let mut word = Vec::new();
            super::word_terms(typed, None, &mut word);
            let indexed: Vec<String> = super::terms(text, language)
                .split(' ')
                .map(str::to_string)
                .collect();
            word.iter().any(|t| indexed.contains(t))
        };
        // Arabic with and without the article, and after a preposition.
        assert!(found("انتخاب القضاة", Some("ar"), "قضاة"));
        assert!(found("صندوق استئماني للضحايا", Some("ar"), "الضحايا"));
        assert!(found("والمحكمة", None, "المحكمة"));
        // French without its accents; Spanish and Portuguese plurals, language known or not.
        assert!(found("Élections des juges", Some("fr"), "election"));
        assert!(found("las víctimas", Some("es"), "víctima"));
        assert!(found(
            "organizaciones de la sociedad civil",
            None,
            "organización"
        ));
        assert!(found("os direitos das vítimas", Some("pt"), "direito"));
        assert!(found("organizações", None, "organização"));
        assert!(!found("the budget", Some("en"), "victims"));
    }

    #[test]
    fn markdown_and_lists_are_indexed_as_the_words_people_read() {
        use super::{readable, Form};
        assert_eq!(
            readable(
                "Urge **ratification** of [the Statute](https://example.org).\n\n- APIC",
                Form::Markdown
            ),
            "Urge ratification of the Statute. APIC"
        );
        assert_eq!(readable(r#"["URC","budget"]"#, Form::List), "URC budget");
    }
}
