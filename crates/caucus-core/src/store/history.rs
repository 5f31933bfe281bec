//! Record history, read from the change log: who changed which field, when, from which device,
//! and the values that were superseded.

use super::log;
use crate::change::Change;
use crate::error::Result;
use serde::Serialize;
use sqlx::SqlitePool;
use std::collections::HashMap;
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
    let mut conn = pool.acquire().await?;
    let mut changes = Vec::new();
    for entry in log::of_row(&mut conn, table, id).await? {
        changes.extend(entry.changes()?);
    }
    changes.sort_by_key(|c| (c.hlc, c.site, c.seq));
    // The winning stamps, beside the row (none for a table this version does not know).
    let winners = match crate::schema::table(table) {
        Some(known) => {
            // The identifier comes from the static registry.
            let bytes: Option<Option<Vec<u8>>> =
                sqlx::query_scalar(&format!("SELECT stamps FROM {} WHERE id = ?", known.name))
                    .bind(&row)
                    .fetch_optional(&mut *conn)
                    .await?;
            super::stamps::decode(bytes.flatten().as_deref().unwrap_or_default())?
        }
        None => Vec::new(),
    };
    let names = person_names(&mut conn, changes.iter().filter_map(|c| c.actor)).await?;
    let won = |c: &Change| {
        super::stamps::get(&winners, &c.column).is_some_and(|s| s.site == c.site && s.seq == c.seq)
    };
    let mut entries: Vec<HistoryEntry> = changes
        .into_iter()
        .map(|c| HistoryEntry {
            at_ms: c.hlc.ms() as f64,
            site: c.site,
            actor_id: c.actor,
            actor_name: c.actor.and_then(|a| names.get(&a).cloned()),
            current: c.column == crate::change::ROW_COLUMN || won(&c),
            column: c.column,
            value: c.value,
        })
        .collect();
    if table == crate::schema::MEETING.name {
        let written = minutes_history(&mut conn, id).await?;
        if !written.is_empty() {
            // The minutes read as their edits merged: the single field before is not current.
            for e in entries.iter_mut().filter(|e| e.column == "minutes") {
                e.current = false;
            }
            entries.extend(written);
            entries.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
        }
    }
    Ok(entries)
}

/// Edits of the minutes by one person on one device this close together are one entry.
const MINUTES_RUN_MS: u64 = 5 * 60_000;

/// A meeting's minutes written together, as the history of its `minutes` field: the text after
/// each run of edits by one person on one device (a few minutes apart at most), replaying the
/// edits in the order they were made. A history of keystrokes would be unreadable.
async fn minutes_history(
    conn: &mut sqlx::SqliteConnection,
    meeting: Uuid,
) -> Result<Vec<HistoryEntry>> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM minutes_edit WHERE meeting_id = ?")
        .bind(meeting.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let mut made = Vec::new();
    for id in ids.iter().filter_map(|i| Uuid::parse_str(i).ok()) {
        for entry in log::of_row(conn, crate::schema::MINUTES_EDIT.name, id).await? {
            made.extend(
                entry
                    .changes()?
                    .into_iter()
                    .filter(|c| c.column == "edit" && c.value.is_string()),
            );
        }
    }
    made.sort_by_key(|c| (c.hlc, c.site, c.seq));
    let names = person_names(conn, made.iter().filter_map(|c| c.actor)).await?;
    let mut doc = crate::collab::TextDoc::new();
    let mut out: Vec<HistoryEntry> = Vec::new();
    let mut last: Option<(Uuid, Option<Uuid>, u64)> = None;
    for c in &made {
        let applied = crate::collab::decode_edit("edit", c.value.as_str().unwrap_or_default())
            .and_then(|b| doc.apply(&b));
        if applied.is_err() {
            continue;
        }
        let at = c.hlc.ms();
        let same_run = last.is_some_and(|(site, actor, prev)| {
            site == c.site && actor == c.actor && at.saturating_sub(prev) <= MINUTES_RUN_MS
        });
        let entry = HistoryEntry {
            at_ms: at as f64,
            site: c.site,
            actor_id: c.actor,
            actor_name: c.actor.and_then(|a| names.get(&a).cloned()),
            column: "minutes".into(),
            value: serde_json::Value::String(doc.text()),
            current: false,
        };
        match out.last_mut() {
            Some(previous) if same_run => *previous = entry,
            _ => out.push(entry),
        }
        last = Some((c.site, c.actor, at));
    }
    if let Some(final_entry) = out.last_mut() {
        final_entry.current = true;
    }
    Ok(out)
}

/// The names this replica knows of the people in `ids`.
async fn person_names(
    conn: &mut sqlx::SqliteConnection,
    ids: impl Iterator<Item = Uuid>,
) -> Result<HashMap<Uuid, String>> {
    let mut names = HashMap::new();
    for id in ids.collect::<std::collections::BTreeSet<_>>() {
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM person WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(name) = name {
            names.insert(id, name);
        }
    }
    Ok(names)
}

/// The name of each maker in `makers` (a person's id as the log holds it, 16 bytes), in order:
/// None where the maker is unknown or not here.
pub(crate) async fn maker_names(
    pool: &SqlitePool,
    makers: &[Option<&[u8]>],
) -> Result<Vec<Option<String>>> {
    let ids: Vec<Option<Uuid>> = makers
        .iter()
        .map(|m| m.and_then(|m| Uuid::from_slice(m).ok()))
        .collect();
    let names = person_names(&mut *pool.acquire().await?, ids.iter().flatten().copied()).await?;
    Ok(ids
        .into_iter()
        .map(|id| id.and_then(|id| names.get(&id).cloned()))
        .collect())
}

/// Every change in the log, in (site, seq) order.
pub async fn all_changes(pool: &SqlitePool) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for entry in log::all(&mut *pool.acquire().await?).await? {
        out.extend(entry.changes()?);
    }
    out.sort_by_key(|c| (c.site, c.seq));
    Ok(out)
}

/// The logged changes to one column of one table (`$row` for the rows themselves).
pub async fn changes_to_column(
    conn: &mut sqlx::SqliteConnection,
    table: &str,
    column: &str,
) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for entry in log::of_table(conn, table, None).await? {
        out.extend(entry.changes()?.into_iter().filter(|c| c.column == column));
    }
    Ok(out)
}

/// Every state written to a group's recommendations: (recommendation, clock, state), in clock
/// order — the winner at any moment is the last one before it (states only move forward in
/// the lifecycle, and concurrent moves are rare enough for a dashboard).
pub async fn state_changes(pool: &SqlitePool, bucket: &str) -> Result<Vec<(Uuid, u64, String)>> {
    let mut out = Vec::new();
    for entry in log::of_table(&mut *pool.acquire().await?, "recommendation", Some(bucket)).await? {
        for c in entry.changes()? {
            if c.column == "state" {
                if let Some(state) = c.value.as_str() {
                    out.push(((c.hlc, c.site, c.seq), c.row, state.to_string()));
                }
            }
        }
    }
    out.sort_by_key(|(order, ..)| *order);
    Ok(out
        .into_iter()
        .map(|((hlc, ..), row, state)| (row, hlc.0, state))
        .collect())
}
