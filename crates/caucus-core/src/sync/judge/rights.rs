//! What a change's maker may write, judged by a replica against the rows it holds: the same
//! rules the hub applies ([`crate::sync::authority`]), asked with the replica's own view of
//! the row, its bucket and the maker's person, organization and roles.
//!
//! Changes are judged in the order they arrived (a carrier keeps the order they were made in,
//! as a hub judges a push in its order), a run at a time (consecutive changes one site made to
//! one row: one write's fields travel together), and accepted ones are let into the rows in
//! batches, before anything they could alter is read: a row a run reads, and a person's rights
//! once a pending person or membership row concerns them. So a membership created earlier in
//! the same bundle gives its rights to what follows, as it does at the hub, without letting
//! every membership in on its own (measured: a flush per membership made the judge 7 times
//! slower than the merge).

use super::provenance::Maker;
use super::Held;
use crate::change::{is_alive, Change};
use crate::error::Result;
use crate::model::Role;
use crate::schema;
use crate::store::merge::Merging;
use crate::sync::authority::{self, BucketSource, HubActor, RowView, Verdict};
use crate::sync::protocol::RejectCode;
use serde_json::{Map, Value};
use sqlx::SqliteConnection;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Accepted changes waiting to be let in.
const PENDING_MAX: usize = 2_000;

/// Judges `candidates` (whose makers are known) and lets the accepted ones into the rows;
/// returns the refused ones, with why.
pub(super) async fn judge(
    m: &mut Merging<'_>,
    candidates: Vec<Change>,
    makers: &HashMap<(Uuid, u64), std::result::Result<Maker, Held>>,
) -> Result<Vec<((Uuid, u64), Held)>> {
    let mut refused = Vec::new();
    let mut pending: Vec<Change> = Vec::new();
    let mut pending_rows: HashSet<(String, Uuid)> = HashSet::new();
    let mut actors: HashMap<Uuid, HubActor> = HashMap::new();
    let mut rights = Stale::default();
    let mut setting_up = !has_admin(m.conn()).await?;
    let mut start = 0;
    while start < candidates.len() {
        let first = &candidates[start];
        let (table, row, site) = (first.table.clone(), first.row, first.site);
        let end = candidates[start..]
            .iter()
            .position(|c| c.table != table || c.row != row || c.site != site)
            .map_or(candidates.len(), |n| start + n);
        let run: Vec<Change> = candidates[start..end].to_vec();
        start = end;
        let mut person = None;
        let mut guest_at = None;
        let mut fresh: Vec<&Change> = Vec::new();
        for c in &run {
            match makers.get(&(c.site, c.seq)) {
                Some(Ok(Maker::Own | Maker::Hub)) => {
                    pending_rows.insert((c.table.clone(), c.row));
                    pending.push(c.clone());
                }
                Some(Ok(Maker::Person(p))) => {
                    person = Some(*p);
                    fresh.push(c);
                }
                Some(Ok(Maker::Guest { person: p, meeting })) => {
                    // A guest's rights are its pass's, not a record's.
                    guest_at = Some(*meeting);
                    person = Some(*p);
                    fresh.push(c);
                }
                Some(Err(why)) => refused.push(((c.site, c.seq), why.clone())),
                None => refused.push((
                    (c.site, c.seq),
                    Held::new("unsigned", "its maker could not be told"),
                )),
            }
        }
        if let (Some(person), false) = (person, fresh.is_empty()) {
            if pending_rows.contains(&(table.clone(), row)) {
                flush(m, &mut pending, &mut pending_rows).await?;
            }
            let current = row_view(m.conn(), &table, row).await?;
            let expected = match (&current, schema::table(&table)) {
                (Some(v), _) if v.cl > 0 => Some(v.bucket.clone()),
                (_, None) => Some(fresh[0].bucket.clone()),
                (_, Some(t)) => match authority::bucket_source(
                    t,
                    &authority::prospective(current.as_ref(), row, &fresh),
                ) {
                    BucketSource::Known(b) => Some(b),
                    BucketSource::Parent(pt, pid) => {
                        if pending_rows.contains(&(pt.to_string(), pid)) {
                            flush(m, &mut pending, &mut pending_rows).await?;
                        }
                        row_bucket(m.conn(), pt, pid).await?
                    }
                    BucketSource::Missing(_) => None,
                },
            };
            let verdicts: Vec<Verdict> = match &expected {
                None => fresh
                    .iter()
                    .map(|_| {
                        Verdict::Reject(
                            RejectCode::Orphan,
                            "the record it belongs to has not reached this device yet".into(),
                        )
                    })
                    .collect(),
                Some(bucket) => {
                    if rights.stale(person) {
                        // What is pending changes this person's rights: let it in, then read.
                        flush(m, &mut pending, &mut pending_rows).await?;
                        rights.settle(&mut actors);
                        setting_up = !has_admin(m.conn()).await?;
                    }
                    let guest = guest_at.map(|meeting| HubActor::guest(person, meeting));
                    if guest.is_none() {
                        if let std::collections::hash_map::Entry::Vacant(slot) =
                            actors.entry(person)
                        {
                            slot.insert(load_actor(m.conn(), person).await?);
                        }
                    }
                    authority::authorize_row(
                        guest.as_ref().or(actors.get(&person)),
                        setting_up,
                        &table,
                        row,
                        current.as_ref(),
                        bucket,
                        &fresh,
                    )
                }
            };
            for (c, verdict) in fresh.into_iter().zip(verdicts) {
                match verdict {
                    // What this version does not know stays in the log, as the merge keeps it.
                    Verdict::Accept | Verdict::Reject(RejectCode::UnknownToHub, _) => {
                        pending_rows.insert((c.table.clone(), c.row));
                        pending.push(c.clone());
                    }
                    Verdict::Reject(code, reason) => {
                        refused.push(((c.site, c.seq), Held::new(code_name(code), &reason)));
                    }
                }
            }
        }
        if pending_rows.contains(&(table.clone(), row)) {
            // Rights come from these rows: what follows is judged by them as let in, once it
            // asks about the person they concern.
            match table.as_str() {
                "person" if setting_up => {
                    // The coalition's first administrator ends its setting up at once.
                    flush(m, &mut pending, &mut pending_rows).await?;
                    rights.settle(&mut actors);
                    setting_up = !has_admin(m.conn()).await?;
                }
                "person" => rights.touch(row),
                "membership" => match membership_person(m.conn(), &run, row).await? {
                    Some(p) => rights.touch(p),
                    None => rights.everyone = true,
                },
                "coalition_group" => rights.everyone = true,
                // Its standing decides whether its people endorse (rare: everyone's again).
                "organization" => rights.everyone = true,
                _ => {}
            }
        }
        if pending.len() >= PENDING_MAX {
            flush(m, &mut pending, &mut pending_rows).await?;
            rights.settle(&mut actors);
        }
    }
    flush(m, &mut pending, &mut pending_rows).await?;
    Ok(refused)
}

/// The people whose rights pending changes alter: their cached rights are stale until the
/// changes are let in.
#[derive(Default)]
struct Stale {
    people: HashSet<Uuid>,
    /// A group's kind changed (the steering committee): everyone's.
    everyone: bool,
}

impl Stale {
    fn touch(&mut self, person: Uuid) {
        self.people.insert(person);
    }

    fn stale(&self, person: Uuid) -> bool {
        self.everyone || self.people.contains(&person)
    }

    /// After the pending changes were let in: forget what they made stale.
    fn settle(&mut self, actors: &mut HashMap<Uuid, HubActor>) {
        if self.everyone {
            actors.clear();
        } else {
            actors.retain(|p, _| !self.people.contains(p));
        }
        self.people.clear();
        self.everyone = false;
    }
}

/// Whose membership a run changes: its `person_id` as the run writes it, else as held.
async fn membership_person(
    conn: &mut SqliteConnection,
    run: &[Change],
    row: Uuid,
) -> Result<Option<Uuid>> {
    if let Some(p) = run
        .iter()
        .rev()
        .find(|c| c.column == "person_id")
        .and_then(|c| c.value.as_str())
        .and_then(|s| Uuid::parse_str(s).ok())
    {
        return Ok(Some(p));
    }
    let held: Option<String> = sqlx::query_scalar("SELECT person_id FROM membership WHERE id = ?")
        .bind(row.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(held.and_then(|s| Uuid::parse_str(&s).ok()))
}

/// Lets the pending changes into the rows.
async fn flush(
    m: &mut Merging<'_>,
    pending: &mut Vec<Change>,
    rows: &mut HashSet<(String, Uuid)>,
) -> Result<()> {
    rows.clear();
    m.admit(&std::mem::take(pending)).await
}

/// A refusal's code as the Sync panel names it (the hub's codes, in snake case).
fn code_name(code: RejectCode) -> &'static str {
    match code {
        RejectCode::Forbidden => "forbidden",
        RejectCode::WrongBucket => "wrong_bucket",
        RejectCode::Orphan => "orphan",
        RejectCode::Invalid => "invalid",
        RejectCode::ClockAhead => "clock_ahead",
        RejectCode::UnknownToHub => "unknown",
        RejectCode::Unproven => "uncertified",
    }
}

/// The row as this replica holds it: its bucket, causal length and fields.
async fn row_view(conn: &mut SqliteConnection, table: &str, row: Uuid) -> Result<Option<RowView>> {
    let Some(t) = schema::table(table) else {
        return Ok(None);
    };
    // Identifiers come from the static registry, never from the change.
    let sql = format!(
        "SELECT bucket, cl, {} FROM {} WHERE id = ?",
        t.json_select(),
        t.name
    );
    let found: Option<(String, i64, String)> = sqlx::query_as(&sql)
        .bind(row.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.map(|(bucket, cl, json)| {
        let mut fields: Map<String, Value> = match serde_json::from_str(&json) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        fields.remove("id");
        fields.remove("archived");
        RowView {
            bucket,
            cl: cl as u64,
            fields,
        }
    }))
}

async fn row_bucket(conn: &mut SqliteConnection, table: &str, row: Uuid) -> Result<Option<String>> {
    let Some(t) = schema::table(table) else {
        return Ok(None);
    };
    let sql = format!("SELECT bucket FROM {} WHERE id = ? AND cl > 0", t.name);
    Ok(sqlx::query_scalar(&sql)
        .bind(row.to_string())
        .fetch_optional(&mut *conn)
        .await?)
}

async fn has_admin(conn: &mut SqliteConnection) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM person WHERE secretariat_admin = 1 AND cl % 2 = 1)",
    )
    .fetch_one(&mut *conn)
    .await?)
}

/// The person as this replica knows them: secretariat or not, organization, and their role in
/// each group whose memberships it holds.
async fn load_actor(conn: &mut SqliteConnection, person: Uuid) -> Result<HubActor> {
    let id = person.to_string();
    let mut actor = HubActor {
        person,
        ..Default::default()
    };
    let found: Option<(bool, Option<String>, i64)> =
        sqlx::query_as("SELECT secretariat_admin, organization_id, cl FROM person WHERE id = ?")
            .bind(&id)
            .fetch_optional(&mut *conn)
            .await?;
    if let Some((admin, organization, cl)) = found {
        if is_alive(cl as u64) {
            actor.admin = admin;
            actor.organization = organization.and_then(|o| Uuid::parse_str(&o).ok());
        }
    }
    if let Some(organization) = actor.organization {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM organization WHERE id = ? AND cl % 2 = 1")
                .bind(organization.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        // An organization this replica does not hold yet is judged by those that do.
        actor.organization_status =
            status.and_then(|s| serde_json::from_value(Value::String(s)).ok());
    }
    let takings: Vec<String> = sqlx::query_scalar(
        "SELECT meeting_id FROM minute_taker WHERE person_id = ? AND cl % 2 = 1",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    actor.minute_taker_of = takings
        .iter()
        .filter_map(|m| Uuid::parse_str(m).ok())
        .collect();
    let roles: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT m.group_id, m.role,
                EXISTS (SELECT 1 FROM coalition_group g
                        WHERE g.id = m.group_id AND g.kind = 'steering_committee')
         FROM membership m WHERE m.person_id = ? AND m.cl % 2 = 1",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    for (group, role, steering) in roles {
        let Ok(group) = Uuid::parse_str(&group) else {
            continue;
        };
        // A role this version does not know gives no rights.
        let role = serde_json::from_value::<Role>(Value::String(role)).unwrap_or(Role::Observer);
        actor.steering |= steering;
        actor.roles.insert(group, role);
    }
    Ok(actor)
}
