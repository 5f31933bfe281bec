//! "My work": what waits for the acting person — recommendations to answer, issues assigned to
//! them, recommendations addressed to their organization — and what others changed since they
//! last looked.

use super::sync::{LastArrival, LAST_ARRIVAL};
use super::{Caucus, NoInput};
use crate::error::Result;
use crate::model::*;
use crate::schema::{self, Kind};
use crate::store::read;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

const LAST_SEEN: &str = "my_work.last_seen_ms";

/// A record someone else changed.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct ChangedRecord {
    /// The table changed (recommendation, comment, tracked_issue, …).
    pub kind: String,
    pub id: Uuid,
    /// What to open for it, and its title: a comment opens its recommendation.
    pub target_kind: String,
    pub target_id: Uuid,
    pub title: String,
    pub at_ms: f64,
    pub by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct MyWork {
    /// Recommendations open or under review in groups the person leads or is focal point of,
    /// and referred ones for the steering committee.
    pub awaiting_my_answer: Vec<Recommendation>,
    /// Open tracked issues assigned to the person.
    pub assigned_to_me: Vec<TrackedIssue>,
    /// Recommendations addressed to the person's organization and not yet closed.
    pub addressed_to_my_organization: Vec<Recommendation>,
    /// For a member of the steering committee: recommendations addressed to it and not yet
    /// closed.
    pub addressed_to_my_committee: Vec<Recommendation>,
    /// What others changed since the person last marked it seen, newest first (at most 50).
    pub changed_since_last_look: Vec<ChangedRecord>,
    pub last_seen_ms: Option<f64>,
    /// What the last sync that brought anything brought from others, newest first (at most
    /// 50; empty when it brought more than [`ARRIVAL_LIST_LIMIT`] changes, as a first sync
    /// does: then only the count is given).
    pub arrived_in_last_sync: Vec<ChangedRecord>,
    pub last_arrival: Option<Arrival>,
}

/// When the last sync that brought anything ran, and how many changes it brought.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Arrival {
    pub at_ms: f64,
    pub count: f64,
}

/// Above this many changes, a sync's arrivals are counted, not listed: listing them means
/// reading each, and a first sync brings the whole coalition.
const ARRIVAL_LIST_LIMIT: u64 = 5_000;
/// Changes read, newest first, to find the records others changed: a write is a few field
/// changes, so this many cover well over the 50 records listed.
const CHANGED_SCAN: i64 = 2_000;

/// The record a change to `table` leads to: (kind, column holding the target's id).
fn target_of(table: &str) -> (&'static str, Option<&'static str>) {
    match table {
        "comment" | "translation" | "endorsement" => ("recommendation", Some("recommendation_id")),
        // A tracked issue has its own page; a membership is its group's news.
        "tracked_issue" => ("tracked_issue", None),
        "membership" => ("group", Some("group_id")),
        "agenda_item" | "attendance" | "decision" => ("meeting", Some("meeting_id")),
        "recommendation" => ("recommendation", None),
        "meeting" => ("meeting", None),
        "coalition_group" => ("group", None),
        "person" => ("person", None),
        _ => ("organization", None),
    }
}

fn title_column(kind: &str) -> &'static str {
    match kind {
        "group" | "person" | "organization" => "name",
        _ => "title",
    }
}

fn table_of(kind: &str) -> &'static str {
    match kind {
        "group" => "coalition_group",
        "recommendation" => "recommendation",
        "meeting" => "meeting",
        "tracked_issue" => "tracked_issue",
        "person" => "person",
        _ => "organization",
    }
}

impl Caucus {
    pub async fn my_work(&self, _: NoInput) -> Result<MyWork> {
        let last_seen: Option<u64> = self
            .store
            .local_setting(LAST_SEEN)
            .await?
            .and_then(|v| v.parse().ok());
        let Some(me) = self.acting_person_id().await? else {
            return Ok(MyWork {
                awaiting_my_answer: Vec::new(),
                assigned_to_me: Vec::new(),
                addressed_to_my_organization: Vec::new(),
                addressed_to_my_committee: Vec::new(),
                changed_since_last_look: Vec::new(),
                last_seen_ms: last_seen.map(|v| v as f64),
                arrived_in_last_sync: Vec::new(),
                last_arrival: None,
            });
        };
        let person: Person = self.get(me).await?;
        let (memberships, steering) = self.memberships_of(me).await?;
        let answering: Vec<Uuid> = memberships
            .iter()
            .filter(|m| matches!(m.role, Role::Leader | Role::FocalPoint))
            .map(|m| m.group_id)
            .collect();
        let pool = self.store.pool();
        // Each list is narrowed in SQLite (a coalition holds tens of thousands of
        // recommendations and issues: decoding them all made My work the slowest part of the
        // first screen), then checked exactly here.
        let mut waiting = Vec::new();
        let mut binds = Vec::new();
        if !answering.is_empty() {
            // Open ones wait for a leader to take them up, those under review for the answer.
            waiting.push(format!(
                "(state IN (?, ?) AND group_id IN ({}))",
                vec!["?"; answering.len()].join(", ")
            ));
            binds.push(enum_text(&RecommendationState::Open));
            binds.push(enum_text(&RecommendationState::UnderReview));
            binds.extend(answering.iter().map(Uuid::to_string));
        }
        if steering {
            waiting.push("state = ?".to_string());
            binds.push(enum_text(&RecommendationState::Referred));
        }
        let awaiting_my_answer = if waiting.is_empty() {
            Vec::new()
        } else {
            read::list_where::<Recommendation>(pool, &waiting.join(" OR "), &binds)
                .await?
                .into_iter()
                .filter(|r| {
                    (matches!(
                        r.state,
                        RecommendationState::Open | RecommendationState::UnderReview
                    ) && answering.contains(&r.group_id))
                        || (r.state == RecommendationState::Referred && steering)
                })
                .collect()
        };
        let addressed_to_my_organization = match person.organization_id {
            None => Vec::new(),
            Some(organization) => read::list_where::<Recommendation>(
                pool,
                "addressee = ? AND instr(addressee_ids, ?) > 0",
                &[
                    enum_text(&Addressee::Organizations),
                    organization.to_string(),
                ],
            )
            .await?
            .into_iter()
            .filter(|r| {
                r.addressee == Addressee::Organizations
                    && r.addressee_ids.contains(&organization)
                    && !matches!(
                        r.state,
                        RecommendationState::Closed | RecommendationState::Withdrawn
                    )
            })
            .collect(),
        };
        let addressed_to_my_committee = if steering {
            read::list_where::<Recommendation>(
                pool,
                "addressee = ?",
                &[enum_text(&Addressee::SteeringCommittee)],
            )
            .await?
            .into_iter()
            .filter(|r| {
                r.addressee == Addressee::SteeringCommittee
                    && !matches!(
                        r.state,
                        RecommendationState::Draft
                            | RecommendationState::Closed
                            | RecommendationState::Withdrawn
                    )
            })
            .collect()
        } else {
            Vec::new()
        };
        let assigned_to_me = read::list_where::<TrackedIssue>(
            pool,
            "id IN (SELECT id FROM tracked_issue INDEXED BY tracked_issue_assignees
                    WHERE instr(assignee_ids, ?) > 0)",
            &[me.to_string()],
        )
        .await?
        .into_iter()
        .filter(|i| i.assignee_ids.contains(&me) && i.status != IssueStatus::Resolved)
        .collect();
        let (arrived_in_last_sync, last_arrival) = self.last_arrival().await?;
        Ok(MyWork {
            awaiting_my_answer,
            assigned_to_me,
            addressed_to_my_organization,
            addressed_to_my_committee,
            changed_since_last_look: self.changed_since(me, last_seen.unwrap_or(0)).await?,
            last_seen_ms: last_seen.map(|v| v as f64),
            arrived_in_last_sync,
            last_arrival,
        })
    }

    /// Marks everything up to now as seen.
    pub async fn mark_my_work_seen(&self, _: NoInput) -> Result<MyWork> {
        let now = crate::hlc::wall_ms().to_string();
        self.store.set_local_setting(LAST_SEEN, Some(&now)).await?;
        self.my_work(NoInput {}).await
    }

    /// What the last sync that brought anything brought, read from the log by the version
    /// vectors noted before and after it.
    async fn last_arrival(&self) -> Result<(Vec<ChangedRecord>, Option<Arrival>)> {
        let Some(arrival) = self
            .store
            .local_setting(LAST_ARRIVAL)
            .await?
            .and_then(|v| serde_json::from_str::<LastArrival>(&v).ok())
        else {
            return Ok((Vec::new(), None));
        };
        let summary = Arrival {
            at_ms: arrival.at_ms as f64,
            count: arrival.count as f64,
        };
        if arrival.count > ARRIVAL_LIST_LIMIT {
            return Ok((Vec::new(), Some(summary)));
        }
        let me = self.store.site_id().await;
        let mut rows = Vec::new();
        for (site, after) in &arrival.after {
            let before = arrival.before.get(site).copied().unwrap_or(0);
            if *site == me || *after <= before {
                continue;
            }
            let (site, before, after) = (site.as_bytes().to_vec(), before as i64, *after as i64);
            let found: Vec<LoggedRow> = sqlx::query_as(
                "SELECT t.name, e.row_id, MAX(e.hlc), a.id
                 FROM log_entry e
                 JOIN log_name t ON t.no = e.tbl
                 LEFT JOIN log_id a ON a.no = e.actor
                 WHERE e.site = (SELECT no FROM log_id WHERE id = ?)
                   AND e.seq_last > ? AND e.seq_first <= ?
                 GROUP BY e.tbl, e.row_id ORDER BY 3 DESC LIMIT 50",
            )
            .bind(site)
            .bind(before)
            .bind(after)
            .fetch_all(self.store.pool())
            .await?;
            rows.extend(named(self.store.pool(), found).await?);
        }
        // The same record may have come from several devices: keep its newest change.
        rows.sort_by_key(|r| std::cmp::Reverse(r.2));
        let mut seen = std::collections::HashSet::new();
        rows.retain(|r| seen.insert((r.0.clone(), r.1.clone())));
        rows.truncate(50);
        Ok((self.changed_records(rows).await?, Some(summary)))
    }

    /// Each changed row as the record it leads to, skipping rows this replica cannot place.
    async fn changed_records(
        &self,
        rows: Vec<(String, String, i64, Option<String>)>,
    ) -> Result<Vec<ChangedRecord>> {
        let placed: Vec<(&'static schema::Table, Uuid)> = rows
            .iter()
            .filter_map(|(tbl, row_id, _, _)| {
                Some((schema::table(tbl)?, Uuid::parse_str(row_id).ok()?))
            })
            .collect();
        let leads = self.leads(&placed).await?;
        let mut out = Vec::new();
        for (tbl, row_id, at, by_name) in rows {
            let Some(table) = schema::table(&tbl) else {
                continue;
            };
            let Ok(id) = Uuid::parse_str(&row_id) else {
                continue;
            };
            let Some((target_kind, target_id, title)) = leads.get(&(table.name, id)).cloned()
            else {
                continue;
            };
            // Each record once, with its newest change (rows come newest first).
            if out
                .iter()
                .any(|c: &ChangedRecord| c.target_kind == target_kind && c.target_id == target_id)
            {
                continue;
            }
            out.push(ChangedRecord {
                kind: table.name.to_string(),
                id,
                target_kind: target_kind.to_string(),
                target_id,
                title,
                at_ms: crate::hlc::Hlc(at as u64).ms() as f64,
                by_name,
            });
        }
        Ok(out)
    }

    /// The newest records others changed since `since_ms`: read from the newest
    /// `CHANGED_SCAN` changes along the log's clock index, so the cost does not grow with the
    /// log (a first look, with nothing marked seen, would otherwise group all of it).
    async fn changed_since(&self, me: Uuid, since_ms: u64) -> Result<Vec<ChangedRecord>> {
        let since = crate::hlc::Hlc::new(since_ms, 0).0 as i64;
        let found: Vec<LoggedRow> = sqlx::query_as(
            "SELECT t.name, c.row_id, MAX(c.hlc), c.actor_id
             FROM (SELECT e.tbl, e.row_id, e.hlc, a.id AS actor_id FROM log_entry e
                   LEFT JOIN log_id a ON a.no = e.actor
                   WHERE e.hlc > ? AND (a.id IS NULL OR a.id != ?)
                   ORDER BY e.hlc DESC LIMIT ?) c
             JOIN log_name t ON t.no = c.tbl
             GROUP BY c.tbl, c.row_id ORDER BY 3 DESC LIMIT 50",
        )
        .bind(since)
        .bind(me.as_bytes().to_vec())
        .bind(CHANGED_SCAN)
        .fetch_all(self.store.pool())
        .await?;
        let rows = named(self.store.pool(), found).await?;
        self.changed_records(rows).await
    }

    /// Where each changed row leads (a comment to its recommendation, a tracked issue to its
    /// group) and that record's title, by a query per table and one per kind of record rather
    /// than two per row: the notifications place up to 300 rows on the first screen. A row this
    /// replica does not hold has no lead.
    pub(crate) async fn leads(
        &self,
        rows: &[(&'static schema::Table, Uuid)],
    ) -> Result<HashMap<(&'static str, Uuid), Lead>> {
        let pool = self.store.pool();
        let mut by_table: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for (table, id) in rows {
            by_table.entry(table.name).or_default().push(id.to_string());
        }
        // (table, row) -> (kind, the record it leads to)
        let mut targets: HashMap<(&'static str, Uuid), (&'static str, Uuid)> = HashMap::new();
        for (name, ids) in &by_table {
            let Some(table) = schema::table(name) else {
                continue;
            };
            let (kind, via) = target_of(table.name);
            let col = match via {
                None => "id",
                Some(col) if table.column(col).is_some_and(|c| c.kind == Kind::Text) => col,
                Some(_) => continue,
            };
            // Identifiers come from the static registry, never from the data.
            let found: Vec<(String, String)> = sqlx::query_as(&format!(
                "SELECT id, {col} FROM {} WHERE id IN (SELECT value FROM json_each(?))",
                table.name
            ))
            .bind(serde_json::to_string(ids).unwrap_or_default())
            .fetch_all(pool)
            .await?;
            for (id, target) in found {
                if let (Ok(id), Ok(target)) = (Uuid::parse_str(&id), Uuid::parse_str(&target)) {
                    targets.insert((table.name, id), (kind, target));
                }
            }
        }
        let mut by_kind: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for (kind, target) in targets.values() {
            by_kind.entry(kind).or_default().push(target.to_string());
        }
        let mut titles: HashMap<Uuid, String> = HashMap::new();
        for (kind, ids) in &by_kind {
            let found: Vec<(String, String)> = sqlx::query_as(&format!(
                "SELECT id, {} FROM {} WHERE id IN (SELECT value FROM json_each(?))",
                title_column(kind),
                table_of(kind)
            ))
            .bind(serde_json::to_string(ids).unwrap_or_default())
            .fetch_all(pool)
            .await?;
            titles.extend(
                found
                    .into_iter()
                    .filter_map(|(id, title)| Some((Uuid::parse_str(&id).ok()?, title))),
            );
        }
        Ok(targets
            .into_iter()
            .map(|(row, (kind, target))| {
                let title = titles.get(&target).cloned().unwrap_or_default();
                (row, (kind, target, title))
            })
            .collect())
    }
}

/// What a changed row leads to: the kind of record, its id and its title.
pub(crate) type Lead = (&'static str, Uuid, String);

/// An enum's value as its column holds it (its serde name).
fn enum_text(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// A changed row as the log holds it: (table, row id bytes, newest clock, maker id bytes).
type LoggedRow = (String, Vec<u8>, i64, Option<Vec<u8>>);

/// Changed rows as (table, row id, newest clock, its maker's name).
async fn named(
    pool: &sqlx::SqlitePool,
    found: Vec<LoggedRow>,
) -> Result<Vec<(String, String, i64, Option<String>)>> {
    let makers: Vec<Option<&[u8]>> = found.iter().map(|r| r.3.as_deref()).collect();
    let names = crate::store::history::maker_names(pool, &makers).await?;
    Ok(found
        .iter()
        .zip(names)
        .map(|((tbl, row, at, _), by_name)| {
            let row = Uuid::from_slice(row).unwrap_or_default().to_string();
            (tbl.clone(), row, *at, by_name)
        })
        .collect())
}
