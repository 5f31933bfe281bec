//! Notifications: what others did in the groups a person hears from, each with the reason it
//! is shown. They are read from the change log, never stored: a notification is a view of
//! changes this replica already holds.
//!
//! Each person chooses per group: every change, a daily digest, or nothing. The default is
//! every change for the groups they belong to and nothing for the rest. Whatever the group's
//! choice, a person always hears about their own recommendations and the issues assigned to
//! them. The choices and the "read up to" mark are device settings of the person (like the
//! language), not user data, so they are not synced.

use super::Caucus;
use crate::error::{CoreError, Result};
use crate::hlc::day_of;
use crate::model::*;
use crate::schema;
use crate::store::read;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// How far back notifications reach.
const WINDOW_DAYS: u64 = 30;
/// At most this many changed records are read per call.
const MAX_ITEMS: i64 = 300;
const DAY_MS: u64 = 86_400_000;

/// What a person hears from a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Hearing {
    /// Every change, as it arrives.
    Every,
    /// One summary a day, for the days that have ended.
    Digest,
    /// Nothing (except the person's own recommendations and assigned issues).
    Off,
}

/// Why a notification is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The person wrote (or co-wrote) the recommendation.
    YourRecommendation,
    /// The tracked issue is assigned to the person.
    AssignedToYou,
    /// The person belongs to the group (with `role`) and hears every change from it.
    GroupMember,
    /// The person does not belong to the group but chose to hear from it.
    GroupFollowed,
}

/// What happened to a record, as the newest change others made to it says: what a
/// notification's line tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum What {
    /// The record was created (or restored).
    Created,
    /// Some of its fields changed.
    Changed,
    /// It was archived (an endorsement: withdrawn).
    Archived,
    /// A recommendation moved to `state` (adopted, referred, …).
    Moved,
    /// A tracked issue's status became `status`.
    StatusChanged,
    /// A tracked issue was given to the person.
    AssignedToYou,
    /// A new comment on the recommendation.
    Commented,
    /// An organization endorsed the recommendation.
    Endorsed,
    /// A new translation of the recommendation.
    Translated,
    /// Someone asked to join the group.
    AskedToJoin,
    /// The group's members or their roles changed.
    MembersChanged,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Notification {
    /// The table changed (recommendation, comment, tracked_issue, …) and its row.
    pub kind: String,
    pub id: Uuid,
    /// What to open for it, and its title.
    pub target_kind: String,
    pub target_id: Uuid,
    pub title: String,
    pub group_id: Uuid,
    pub group_name: String,
    /// The row appeared since the person last marked notifications read (a new comment, a
    /// new recommendation), rather than changed.
    pub created: bool,
    pub at_ms: f64,
    pub by_name: Option<String>,
    pub why: Why,
    /// The person's role in the group, for "why you see this".
    pub role: Option<Role>,
    pub unread: bool,
    /// Other changed records leading to the same target (three agenda items of one meeting
    /// are one notification of the meeting).
    pub also_changed: u32,
    /// What that newest change did.
    pub what: What,
    /// For [`What::Moved`]: the recommendation's new state.
    pub state: Option<RecommendationState>,
    /// For [`What::StatusChanged`]: the issue's new status.
    pub status: Option<IssueStatus>,
}

/// One day of a group's changes, for a person who chose a daily digest.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Digest {
    pub group_id: Uuid,
    pub group_name: String,
    /// The day, in the person's time zone (YYYY-MM-DD).
    pub day: String,
    pub changes: u32,
    /// The records changed that day, newest first (at most five).
    pub items: Vec<Notification>,
    pub role: Option<Role>,
    pub unread: bool,
}

/// A group the person can hear from, and what they chose.
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct GroupHearing {
    pub group_id: Uuid,
    pub group_name: String,
    pub role: Option<Role>,
    pub hearing: Hearing,
    /// The choice is the default (not made by the person).
    pub default: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Notifications {
    pub items: Vec<Notification>,
    pub digests: Vec<Digest>,
    /// Changes of today in digest groups: they come in tomorrow's digest.
    pub held_for_digest: u32,
    pub unread: u32,
    pub read_up_to_ms: Option<f64>,
    pub groups: Vec<GroupHearing>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// The person's time zone, as minutes east of UTC (for digest days).
    pub utc_offset_minutes: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct HearFromGroup {
    pub group_id: Uuid,
    pub hearing: Hearing,
    pub utc_offset_minutes: i32,
}

/// Adds a notification to a list read newest first, folding it into an earlier one that leads
/// to the same record: the list names each record once, with its newest change.
fn gather(items: &mut Vec<Notification>, item: Notification) {
    match items
        .iter_mut()
        .find(|i| i.target_kind == item.target_kind && i.target_id == item.target_id)
    {
        Some(first) => {
            first.also_changed += 1;
            first.unread |= item.unread;
            // A personal reason is the stronger reason to be shown.
            if matches!(item.why, Why::YourRecommendation | Why::AssignedToYou) {
                first.why = item.why;
            }
        }
        None => items.push(item),
    }
}

fn choices_key(person: Uuid) -> String {
    format!("notifications.{person}.groups")
}

fn read_key(person: Uuid) -> String {
    format!("notifications.{person}.read_up_to_ms")
}

fn check_offset(minutes: i32) -> Result<i64> {
    if !(-14 * 60..=14 * 60).contains(&minutes) {
        return Err(CoreError::invalid(
            "utc_offset_minutes",
            "a time zone is between 14 hours west and 14 hours east of UTC",
        ));
    }
    Ok(i64::from(minutes) * 60_000)
}

impl Caucus {
    pub async fn notifications(&self, q: NotificationQuery) -> Result<Notifications> {
        let offset = check_offset(q.utc_offset_minutes)?;
        let Some(me) = self.acting_person_id().await? else {
            return Ok(Notifications {
                items: Vec::new(),
                digests: Vec::new(),
                held_for_digest: 0,
                unread: 0,
                read_up_to_ms: None,
                groups: Vec::new(),
            });
        };
        let groups = self.group_hearings(me).await?;
        let read_up_to: Option<u64> = self
            .store
            .local_setting(&read_key(me))
            .await?
            .and_then(|v| v.parse().ok());
        let now = crate::hlc::wall_ms();
        let since = now.saturating_sub(WINDOW_DAYS * DAY_MS);
        let unread_after = read_up_to.unwrap_or(0);

        let buckets: Vec<String> = groups.iter().map(|g| g.group_id.to_string()).collect();
        let buckets = serde_json::to_string(&buckets).unwrap_or_default();
        let since_hlc = crate::hlc::Hlc::new(since, 0).0 as i64;
        // Along the clock index, over the window's entries only: left to itself SQLite walks
        // the whole log in row order for the GROUP BY (1.3 s on the whole coalition's replica
        // against 60-80 ms).
        let found: Vec<LoggedRow> = sqlx::query_as(
            "SELECT b.name, t.name, e.row_id, MAX(e.hlc), a.id,
                    (SELECT MIN(f.hlc) FROM log_entry f
                      WHERE f.tbl = e.tbl AND f.row_id = e.row_id),
                    e.rowid
             FROM log_entry e INDEXED BY log_entry_hlc
             JOIN log_name b ON b.no = e.bucket
             JOIN log_name t ON t.no = e.tbl
             LEFT JOIN log_id a ON a.no = e.actor
             WHERE e.hlc > ? AND (a.id IS NULL OR a.id != ?)
               AND b.name IN (SELECT value FROM json_each(?))
             GROUP BY e.tbl, e.row_id ORDER BY 4 DESC LIMIT ?",
        )
        .bind(since_hlc)
        .bind(me.as_bytes().to_vec())
        .bind(buckets)
        .bind(MAX_ITEMS)
        .fetch_all(self.store.pool())
        .await?;
        let rows = changed_rows(self.store.pool(), found).await?;
        let placed: Vec<(&'static schema::Table, Uuid)> = rows
            .iter()
            .filter_map(|r| Some((schema::table(&r.tbl)?, Uuid::parse_str(&r.row_id).ok()?)))
            .collect();
        let leads = self.leads(&placed).await?;
        let stakes = self.stakes(me, &leads).await?;
        let mut items = Vec::new();
        let mut digests: BTreeMap<(String, Uuid), Digest> = BTreeMap::new();
        let mut held_for_digest = 0;
        let today = day_of(now, offset);
        // The newest entry of each row (`a.id` and `e.rowid` are read from the row `MAX` chose),
        // for saying what it did once the list is known.
        let mut newest: HashMap<(String, Uuid), i64> = HashMap::new();
        for r in rows {
            let Some(table) = schema::table(&r.tbl) else {
                continue;
            };
            let (Ok(id), Ok(group_id)) = (Uuid::parse_str(&r.row_id), Uuid::parse_str(&r.bucket))
            else {
                continue;
            };
            let Some(group) = groups.iter().find(|g| g.group_id == group_id) else {
                continue;
            };
            let Some((target_kind, target_id, title)) = leads.get(&(table.name, id)).cloned()
            else {
                continue;
            };
            newest.insert((table.name.to_string(), id), r.newest);
            let at = crate::hlc::Hlc(r.at as u64).ms();
            let personal = stakes.reason((table.name, id), target_id);
            let why = match (personal, group.hearing) {
                (Some(why), _) => why,
                (None, Hearing::Off) => continue,
                (None, _) if group.role.is_some() => Why::GroupMember,
                (None, _) => Why::GroupFollowed,
            };
            let item = Notification {
                kind: table.name.to_string(),
                id,
                target_kind: target_kind.to_string(),
                target_id,
                title,
                group_id,
                group_name: group.group_name.clone(),
                created: read_up_to.is_some_and(|read| crate::hlc::Hlc(r.first as u64).ms() > read),
                at_ms: at as f64,
                by_name: r.by_name,
                why,
                role: group.role,
                unread: at > unread_after,
                also_changed: 0,
                what: What::Changed,
                state: None,
                status: None,
            };
            if personal.is_none() && group.hearing == Hearing::Digest {
                let day = day_of(at, offset);
                if day == today {
                    held_for_digest += 1;
                    continue;
                }
                let digest = digests
                    .entry((day.clone(), group_id))
                    .or_insert_with(|| Digest {
                        group_id,
                        group_name: group.group_name.clone(),
                        day: day.clone(),
                        changes: 0,
                        items: Vec::new(),
                        role: group.role,
                        unread: false,
                    });
                digest.changes += 1;
                digest.unread |= item.unread;
                gather(&mut digest.items, item);
            } else {
                gather(&mut items, item);
            }
        }
        let mut digests: Vec<Digest> = digests.into_values().collect();
        for digest in &mut digests {
            digest.items.truncate(5);
        }
        // Only for what is shown, in one read of their newest entries.
        let shown: Vec<i64> = items
            .iter()
            .chain(digests.iter().flat_map(|d| d.items.iter()))
            .filter_map(|i| newest.get(&(i.kind.clone(), i.id)).copied())
            .collect();
        let entries: Vec<crate::store::log::Entry> = sqlx::query_as(&format!(
            "{} WHERE e.rowid IN (SELECT value FROM json_each(?))",
            crate::store::log::SELECT
        ))
        .bind(serde_json::to_string(&shown).unwrap_or_default())
        .fetch_all(self.store.pool())
        .await?;
        let by_row: HashMap<(&str, Uuid), &crate::store::log::Entry> = entries
            .iter()
            .map(|e| ((e.tbl.as_str(), e.row()), e))
            .collect();
        for item in items
            .iter_mut()
            .chain(digests.iter_mut().flat_map(|d| d.items.iter_mut()))
        {
            if let Some(entry) = by_row.get(&(item.kind.as_str(), item.id)) {
                describe(item, entry, me)?;
            }
        }
        digests.sort_by(|a, b| b.day.cmp(&a.day).then(a.group_name.cmp(&b.group_name)));
        let unread = (items.iter().filter(|i| i.unread).count()
            + digests.iter().filter(|d| d.unread).count()) as u32;
        Ok(Notifications {
            items,
            digests,
            held_for_digest,
            unread,
            read_up_to_ms: read_up_to.map(|v| v as f64),
            groups,
        })
    }

    /// Marks every notification up to now as read.
    pub async fn mark_notifications_read(&self, q: NotificationQuery) -> Result<Notifications> {
        check_offset(q.utc_offset_minutes)?;
        let me = self.require_actor("marking notifications read").await?;
        let now = crate::hlc::wall_ms().to_string();
        self.store
            .set_local_setting(&read_key(me), Some(&now))
            .await?;
        self.notifications(q).await
    }

    /// Chooses what the acting person hears from a group.
    pub async fn hear_from_group(&self, input: HearFromGroup) -> Result<Notifications> {
        check_offset(input.utc_offset_minutes)?;
        let me = self.require_actor("choosing notifications").await?;
        let group: Group = self.get(input.group_id).await?;
        if group.archived {
            return Err(CoreError::invalid("group_id", "this group is archived"));
        }
        let mut choices = self.hearing_choices(me).await?;
        choices.insert(input.group_id, input.hearing);
        let json = serde_json::to_string(&choices).unwrap_or_default();
        self.store
            .set_local_setting(&choices_key(me), Some(&json))
            .await?;
        self.notifications(NotificationQuery {
            utc_offset_minutes: input.utc_offset_minutes,
        })
        .await
    }

    async fn hearing_choices(&self, me: Uuid) -> Result<BTreeMap<Uuid, Hearing>> {
        Ok(self
            .store
            .local_setting(&choices_key(me))
            .await?
            .and_then(|v| serde_json::from_str(&v).ok())
            .unwrap_or_default())
    }

    /// The groups the person belongs to or chose to hear from, with what they hear.
    async fn group_hearings(&self, me: Uuid) -> Result<Vec<GroupHearing>> {
        let (memberships, _) = self.memberships_of(me).await?;
        let choices = self.hearing_choices(me).await?;
        let groups = read::list(self.store.pool(), &GroupFilter::default()).await?;
        let mut out: Vec<GroupHearing> = groups
            .into_iter()
            .filter_map(|g| {
                let role = memberships
                    .iter()
                    .find(|m| m.group_id == g.id)
                    .map(|m| m.role);
                let chosen = choices.get(&g.id).copied();
                if role.is_none() && chosen.is_none() {
                    return None;
                }
                let default = if role.is_some() {
                    Hearing::Every
                } else {
                    Hearing::Off
                };
                Some(GroupHearing {
                    group_id: g.id,
                    group_name: g.name,
                    role,
                    hearing: chosen.unwrap_or(default),
                    default: chosen.is_none(),
                })
            })
            .collect();
        out.sort_by(|a, b| a.group_name.cmp(&b.group_name));
        Ok(out)
    }

    /// Which of the changed rows' records are the person's own: the recommendations they
    /// wrote or co-wrote, the tracked issues assigned to them. A query for each, over all the
    /// rows at once.
    async fn stakes(
        &self,
        me: Uuid,
        leads: &HashMap<(&'static str, Uuid), crate::api::my_work::Lead>,
    ) -> Result<Stakes> {
        let mut issues = Vec::new();
        let mut recommendations = Vec::new();
        for ((table, id), (_, target, _)) in leads {
            match *table {
                "tracked_issue" => issues.push(id.to_string()),
                "recommendation" => recommendations.push(id.to_string()),
                // What a comment, translation or endorsement leads to is its recommendation.
                "comment" | "translation" | "endorsement" => {
                    recommendations.push(target.to_string())
                }
                _ => {}
            }
        }
        let me_text = me.to_string();
        let ids = |found: Vec<String>| -> HashSet<Uuid> {
            found
                .iter()
                .filter_map(|id| Uuid::parse_str(id).ok())
                .collect()
        };
        let assigned = sqlx::query_scalar(
            "SELECT id FROM tracked_issue WHERE id IN (SELECT value FROM json_each(?))
               AND EXISTS (SELECT 1 FROM json_each(assignee_ids) WHERE value = ?)",
        )
        .bind(serde_json::to_string(&issues).unwrap_or_default())
        .bind(&me_text)
        .fetch_all(self.store.pool())
        .await?;
        let authored = sqlx::query_scalar(
            "SELECT id FROM recommendation WHERE id IN (SELECT value FROM json_each(?))
               AND (author_id = ? OR EXISTS (SELECT 1 FROM json_each(co_author_ids) WHERE value = ?))",
        )
        .bind(serde_json::to_string(&recommendations).unwrap_or_default())
        .bind(&me_text)
        .bind(&me_text)
        .fetch_all(self.store.pool())
        .await?;
        Ok(Stakes {
            assigned: ids(assigned),
            authored: ids(authored),
        })
    }
}

/// The person's own records among those changed, which they always hear about whatever they
/// chose for the group.
struct Stakes {
    /// Tracked issues assigned to them.
    assigned: HashSet<Uuid>,
    /// Recommendations they wrote or co-wrote.
    authored: HashSet<Uuid>,
}

impl Stakes {
    /// The person's own stake in a changed row: their recommendation (or a comment,
    /// translation or endorsement of it), an issue assigned to them.
    fn reason(&self, (table, id): (&str, Uuid), target_id: Uuid) -> Option<Why> {
        match table {
            "recommendation" => self
                .authored
                .contains(&id)
                .then_some(Why::YourRecommendation),
            "comment" | "translation" | "endorsement" => self
                .authored
                .contains(&target_id)
                .then_some(Why::YourRecommendation),
            "tracked_issue" => self.assigned.contains(&id).then_some(Why::AssignedToYou),
            _ => None,
        }
    }
}

/// A row others changed, as the notifications read it from the log.
struct ChangedRow {
    bucket: String,
    tbl: String,
    row_id: String,
    /// The clock of its newest change.
    at: i64,
    /// Who made that change, by the name this replica knows.
    by_name: Option<String>,
    /// The clock of its first change (its creation).
    first: i64,
    /// Its newest log entry's rowid.
    newest: i64,
}

/// A changed row as the log holds it: (bucket, table, row id bytes, newest clock, maker id
/// bytes, first clock, newest entry's rowid).
type LoggedRow = (String, String, Vec<u8>, i64, Option<Vec<u8>>, i64, i64);

/// Names the rows' makers.
async fn changed_rows(pool: &sqlx::SqlitePool, found: Vec<LoggedRow>) -> Result<Vec<ChangedRow>> {
    let makers: Vec<Option<&[u8]>> = found.iter().map(|r| r.4.as_deref()).collect();
    let names = crate::store::history::maker_names(pool, &makers).await?;
    Ok(found
        .iter()
        .zip(names)
        .map(
            |((bucket, tbl, row, at, _, first, newest), by_name)| ChangedRow {
                bucket: bucket.clone(),
                tbl: tbl.clone(),
                row_id: Uuid::from_slice(row).unwrap_or_default().to_string(),
                at: *at,
                by_name,
                first: *first,
                newest: *newest,
            },
        )
        .collect())
}

/// Says what `entry`, the newest change others made to the item's row, did ([`What`]).
fn describe(item: &mut Notification, entry: &crate::store::log::Entry, me: Uuid) -> Result<()> {
    use crate::change::ROW_COLUMN;
    let changes = entry.changes()?;
    let value = |column: &str| {
        changes
            .iter()
            .rev()
            .find(|c| c.column == column)
            .map(|c| &c.value)
    };
    let row = changes.iter().find(|c| c.column == ROW_COLUMN);
    let created = row.is_some_and(|c| crate::change::is_alive(c.cl));
    if row.is_some() && !created {
        item.what = What::Archived;
        return Ok(());
    }
    fn parsed<T: serde::de::DeserializeOwned>(value: Option<&serde_json::Value>) -> Option<T> {
        value.and_then(|v| serde_json::from_value(v.clone()).ok())
    }
    item.what = match item.kind.as_str() {
        "recommendation" => match parsed::<RecommendationState>(value("state")) {
            Some(state) if !(created && state == RecommendationState::Draft) => {
                item.state = Some(state);
                What::Moved
            }
            _ if created => What::Created,
            _ => What::Changed,
        },
        "tracked_issue" => {
            let to_me = value("assignee_ids")
                .and_then(|v| v.as_array())
                .is_some_and(|ids| ids.iter().any(|i| i.as_str() == Some(&me.to_string())));
            match parsed::<IssueStatus>(value("status")) {
                _ if to_me => What::AssignedToYou,
                Some(status) if !created => {
                    item.status = Some(status);
                    What::StatusChanged
                }
                _ if created => What::Created,
                _ => What::Changed,
            }
        }
        "comment" if created => What::Commented,
        "endorsement" if created => What::Endorsed,
        "translation" if created => What::Translated,
        "membership" => match value("role").and_then(|v| v.as_str()) {
            Some("applicant") => What::AskedToJoin,
            _ => What::MembersChanged,
        },
        _ if created => What::Created,
        _ => What::Changed,
    };
    Ok(())
}
