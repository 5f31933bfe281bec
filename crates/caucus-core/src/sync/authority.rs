//! The hub's check of pushed changes: may this person make this change to this row?
//!
//! The hub is the authority for rights; a device is never trusted to filter itself. The hub
//! gathers what it knows (the row as it holds it, the pusher's person, organization and roles)
//! and asks [`authorize_row`] about the changes one write made to one row. The rules are those
//! of [`crate::rights`], applied per change, plus what only the hub can see: a change must claim
//! the bucket its row belongs to, and a recommendation's columns follow the lifecycle's roles.
//! Pure: the caller passes everything in.

use crate::change::{is_alive, Change, ROW_COLUMN};
use crate::model::{value, MembershipStatus, Role};
use crate::rights::{self, Operation, Standing};
use crate::schema::{self, BucketRule, COALITION_BUCKET};
use crate::sync::protocol::RejectCode;
use serde_json::{Map, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// The tables whose rows decide what people may do (who is the secretariat, their
/// organization and its standing, their role in each group, which group is the steering
/// committee): a change to one of them changes the rights the changes after it are judged by,
/// at the hub (its push) and on every replica (`sync::judge`) alike.
pub const RIGHTS_TABLES: &[&str] = &[
    "person",
    "membership",
    "coalition_group",
    "organization",
    "minute_taker",
];

/// The person behind a pushing device, as the hub's data describes them.
#[derive(Debug, Clone, Default)]
pub struct HubActor {
    pub person: Uuid,
    pub organization: Option<Uuid>,
    /// Their organization's standing in the coalition, when this side holds the organization
    /// ([`rights::endorsement_refusal`] says what it may not do).
    pub organization_status: Option<MembershipStatus>,
    pub admin: bool,
    /// Member of the steering committee.
    pub steering: bool,
    /// Their role per group id (alive memberships only).
    pub roles: HashMap<Uuid, Role>,
    /// The meetings whose minutes they were named to write (alive minute-takers only).
    pub minute_taker_of: std::collections::HashSet<Uuid>,
    /// For a guest let in to a meeting ([`crate::guest_pass`]): that meeting. A guest is
    /// nobody of the coalition, and may only say they attend it.
    pub guest_at: Option<Uuid>,
}

impl HubActor {
    /// A guest let in to `meeting`, acting as `person` (the id its key derives).
    pub fn guest(person: Uuid, meeting: Uuid) -> HubActor {
        HubActor {
            person,
            guest_at: Some(meeting),
            ..HubActor::default()
        }
    }
}

/// A row as the hub holds it.
#[derive(Debug, Clone, Default)]
pub struct RowView {
    pub bucket: String,
    pub cl: u64,
    /// Current value of each column.
    pub fields: Map<String, Value>,
}

/// The outcome for one change.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Accept,
    Reject(RejectCode, String),
}

/// The record as it would be after the changes: the hub's row with the batch's values on top.
pub fn prospective(
    current: Option<&RowView>,
    row: Uuid,
    changes: &[&Change],
) -> Map<String, Value> {
    let mut record = current.map(|r| r.fields.clone()).unwrap_or_default();
    let mut ordered: Vec<&&Change> = changes.iter().filter(|c| c.column != ROW_COLUMN).collect();
    ordered.sort_by_key(|c| c.stamp());
    for c in ordered {
        record.insert(c.column.clone(), c.value.clone());
    }
    record.insert("id".into(), Value::String(row.to_string()));
    record
}

/// Where the bucket of a new row comes from: `Ok(Some(bucket))` when the record says it,
/// `Ok(None)` when it is the bucket of a parent row the caller must look up (table, id), and
/// an error reason when the record lacks what the rule needs.
pub enum BucketSource {
    Known(String),
    Parent(&'static str, Uuid),
    Missing(&'static str),
}

pub fn bucket_source(table: &schema::Table, record: &Map<String, Value>) -> BucketSource {
    let uuid_in = |col: &'static str| {
        record
            .get(col)
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok())
    };
    match table.bucket {
        BucketRule::Coalition => BucketSource::Known(COALITION_BUCKET.to_string()),
        BucketRule::GroupColumn(col) => match uuid_in(col) {
            Some(g) => BucketSource::Known(g.to_string()),
            None => BucketSource::Missing(col),
        },
        BucketRule::Parent { column, table } => match uuid_in(column) {
            Some(p) => BucketSource::Parent(table, p),
            None => BucketSource::Missing(column),
        },
    }
}

fn uuid_of(record: &Map<String, Value>, field: &str) -> Option<Uuid> {
    record
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn uuids_of(record: &Map<String, Value>, field: &str) -> Vec<Uuid> {
    record
        .get(field)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .collect()
        })
        .unwrap_or_default()
}

/// What a change does to its row, as the rights name it. `None`: it cannot change anything
/// (its causal length is below the row's), so there is nothing to authorize beyond the bucket.
fn operation(change: &Change, current: Option<&RowView>, creating: bool) -> Option<Operation> {
    let cl_before = current.map(|r| r.cl).unwrap_or(0);
    if change.cl > cl_before {
        if !is_alive(change.cl) {
            return Some(Operation::Archive);
        }
        if cl_before == 0 {
            return Some(Operation::Create);
        }
        // Restoring an archived row needs the same right as archiving it.
        return Some(Operation::Archive);
    }
    if change.column == ROW_COLUMN {
        return None;
    }
    Some(if creating {
        Operation::Create
    } else {
        Operation::Update
    })
}

/// Checks the changes one push makes to one row. `expected_bucket` is the bucket the row
/// belongs to (the hub's, or worked out for a new row); `setting_up` is true while the hub
/// knows no secretariat admin. Returns one verdict per change, in order.
///
/// Besides the person's rights, every change's value must be one its field may hold (the
/// commands' own validation, [`value::check_values`]), a new row whose id derives from its parts
/// must have that id, and a field fixed at creation ([`schema::Table::fixed`]) keeps its value.
pub fn authorize_row(
    actor: Option<&HubActor>,
    setting_up: bool,
    table_name: &str,
    row: Uuid,
    current: Option<&RowView>,
    expected_bucket: &str,
    changes: &[&Change],
) -> Vec<Verdict> {
    let Some(table) = schema::table(table_name) else {
        return changes
            .iter()
            .map(|_| {
                Verdict::Reject(
                    RejectCode::UnknownToHub,
                    format!("the hub does not know records of kind \"{table_name}\" yet"),
                )
            })
            .collect();
    };
    let record = prospective(current, row, changes);
    let creating = current.is_none_or(|r| r.cl == 0);
    let fields: Vec<&&Change> = changes.iter().filter(|c| c.column != ROW_COLUMN).collect();
    let mut value_errors = value::check_values(
        table.name,
        fields.iter().map(|c| (c.column.as_str(), &c.value)),
    )
    .into_iter();
    let misnamed =
        creating && value::expected_id(table.name, &record).is_some_and(|expected| expected != row);
    changes
        .iter()
        .map(|c| {
            let value_error = if c.column == ROW_COLUMN {
                None
            } else {
                value_errors.next().flatten()
            };
            if c.column != ROW_COLUMN && table.column(&c.column).is_none() {
                return Verdict::Reject(
                    RejectCode::UnknownToHub,
                    format!("the hub does not know the field \"{}\" yet", c.column),
                );
            }
            if c.bucket != expected_bucket {
                return Verdict::Reject(
                    RejectCode::WrongBucket,
                    format!(
                        "this {} belongs to another group than the change says",
                        table.entity
                    ),
                );
            }
            if let Some(e) = value_error {
                return Verdict::Reject(RejectCode::Invalid, e.to_string());
            }
            if misnamed {
                return Verdict::Reject(
                    RejectCode::Invalid,
                    format!(
                        "this {}'s id does not match what it joins: there is one per pair",
                        table.entity
                    ),
                );
            }
            let Some(op) = operation(c, current, creating) else {
                return Verdict::Accept;
            };
            if op == Operation::Update && table.fixed.contains(&c.column.as_str()) {
                let held = current.and_then(|r| r.fields.get(&c.column));
                if held.is_some_and(|v| v != &c.value) {
                    return Verdict::Reject(
                        RejectCode::Forbidden,
                        format!(
                            "a {}'s {} is set when it is created and cannot change",
                            table.entity,
                            c.column.replace('_', " ")
                        ),
                    );
                }
            }
            match check(actor, setting_up, table, op, c, current, &record) {
                Ok(()) => Verdict::Accept,
                Err(reason) => Verdict::Reject(RejectCode::Forbidden, reason),
            }
        })
        .collect()
}

fn check(
    actor: Option<&HubActor>,
    setting_up: bool,
    table: &schema::Table,
    op: Operation,
    change: &Change,
    current: Option<&RowView>,
    record: &Map<String, Value>,
) -> Result<(), String> {
    // The group whose roles decide: a group's own row, else the row's bucket.
    let group = if table.name == schema::GROUP.name {
        uuid_of(record, "id")
    } else {
        Uuid::parse_str(&change.bucket).ok()
    };
    let role = actor.and_then(|a| group.and_then(|g| a.roles.get(&g).copied()));
    let standing = actor.map(|a| Standing {
        person: a.person,
        organization: a.organization,
        admin: a.admin,
        role,
        takes_minutes: table.name == schema::MINUTES_EDIT.name
            && uuid_of(record, "meeting_id").is_some_and(|m| a.minute_taker_of.contains(&m)),
    });
    let leads = |a: &HubActor| a.admin || matches!(role, Some(Role::Leader | Role::FocalPoint));
    let refuse = |why: &str| Err(why.to_string());
    if let Some(meeting) = actor.and_then(|a| a.guest_at) {
        // A guest's one write: their own attendance at the meeting they were let in to.
        let own = actor.is_some_and(|a| uuid_of(record, "person_id") == Some(a.person));
        return if table.name == schema::ATTENDANCE.name
            && own
            && uuid_of(record, "meeting_id") == Some(meeting)
            && op != Operation::Archive
        {
            Ok(())
        } else {
            refuse("a guest at a meeting may only say they attend it")
        };
    }
    match table.name {
        "membership" => {
            let Some(a) = actor else {
                return refuse("choose who you are acting as first");
            };
            let own = uuid_of(record, "person_id") == Some(a.person);
            let role = record.get("role").and_then(Value::as_str);
            // What anyone may take on their own: following, and asking to join. A member is
            // made by the group's leaders.
            let self_chosen = matches!(role, Some("observer" | "applicant"));
            let plain_role = self_chosen || role == Some("member");
            let changes_role = change.column == "role";
            match op {
                _ if leads(a) => Ok(()),
                Operation::Create if own && self_chosen => Ok(()),
                // Leaving is always one's own to do; joining again is asking again.
                Operation::Archive if own && (!is_alive(change.cl) || self_chosen) => Ok(()),
                Operation::Update if own && !changes_role && plain_role => Ok(()),
                _ if own && op == Operation::Create && role == Some("member") => {
                    refuse("a member is made by the group's leader or focal point: ask to join")
                }
                _ => refuse("only the group's leader or focal point may change this membership"),
            }
        }
        "endorsement" if op != Operation::Archive => {
            let Some(a) = actor else {
                return refuse("choose who you are acting as first");
            };
            if a.admin {
                Ok(())
            } else if a.organization.is_none()
                || uuid_of(record, "organization_id") != a.organization
            {
                refuse("only someone of the organization may endorse in its name")
            } else if uuid_of(record, "person_id") != Some(a.person) {
                refuse("an endorsement is made in its maker's own name")
            } else if let Some(why) = a.organization_status.and_then(rights::endorsement_refusal) {
                refuse(why)
            } else {
                Ok(())
            }
        }
        "recommendation" if op != Operation::Create => {
            recommendation(actor, role, op, change, current, record)
        }
        _ => {
            let columns: &[&str] = if change.column == ROW_COLUMN {
                &[]
            } else {
                &[change.column.as_str()]
            };
            rights::check(
                table.name,
                op,
                record,
                columns,
                standing.as_ref(),
                setting_up,
            )
            .map_err(|e| match e {
                // The panel already says "not allowed": the reason alone.
                crate::error::CoreError::Forbidden { reason } => reason,
                other => other.to_string(),
            })
        }
    }
}

/// Edits to a recommendation, by column: the lifecycle's roles without its order of states,
/// since offline edits meet at the hub in any order.
fn recommendation(
    actor: Option<&HubActor>,
    role: Option<Role>,
    op: Operation,
    change: &Change,
    current: Option<&RowView>,
    record: &Map<String, Value>,
) -> Result<(), String> {
    let Some(a) = actor else {
        return Err("choose who you are acting as first".into());
    };
    // The secretariat administers the coalition's data, history included (a first device
    // seeds the hub with records others wrote); the app keeps lifecycle moves to the roles.
    if a.admin {
        return Ok(());
    }
    let before = current.map(|r| &r.fields).unwrap_or(record);
    let author = uuid_of(before, "author_id") == Some(a.person)
        || uuids_of(before, "co_author_ids").contains(&a.person);
    let answers = matches!(role, Some(Role::Leader | Role::FocalPoint));
    let allowed = match (op, change.column.as_str()) {
        (Operation::Archive, _) => author || answers,
        (_, "group_id" | "author_id") => before.get(&change.column) == Some(&change.value),
        (_, "state") => match change.value.as_str() {
            Some("open" | "withdrawn" | "draft") => author || answers,
            Some("adopted" | "not_adopted") => answers || a.steering,
            _ => answers,
        },
        (_, "answer_draft" | "answer_draft_decision" | "answer" | "duplicate_of") => {
            answers || a.steering
        }
        _ => author || answers,
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "this role may not change the recommendation's {}",
            change.column.replace('_', " ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hlc::Hlc;
    use serde_json::json;

    fn change(table: &str, row: Uuid, bucket: &str, column: &str, value: Value, cl: u64) -> Change {
        Change {
            site: Uuid::nil(),
            seq: 1,
            hlc: Hlc(1),
            actor: None,
            bucket: bucket.into(),
            table: table.into(),
            row,
            column: column.into(),
            value,
            cl,
            schema_version: 1,
            signature: None,
        }
    }

    #[test]
    fn a_guest_may_only_say_they_attend_the_meeting_they_were_let_in_to() {
        let (guest, meeting, other) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let bucket = Uuid::now_v7().to_string();
        let actor = HubActor::guest(guest, meeting);
        let attend = |meeting: Uuid, person: Uuid| {
            let row = crate::model::Attendance::id_for(meeting, person);
            let changes = [
                change("attendance", row, &bucket, ROW_COLUMN, Value::Null, 1),
                change("attendance", row, &bucket, "meeting_id", json!(meeting), 1),
                change("attendance", row, &bucket, "person_id", json!(person), 1),
                change("attendance", row, &bucket, "present", json!(true), 1),
            ];
            let refs: Vec<&Change> = changes.iter().collect();
            authorize_row(Some(&actor), false, "attendance", row, None, &bucket, &refs)
        };
        assert!(attend(meeting, guest).iter().all(|v| *v == Verdict::Accept));
        for refused in [attend(other, guest), attend(meeting, Uuid::now_v7())] {
            assert!(
                refused
                    .iter()
                    .all(|v| matches!(v, Verdict::Reject(RejectCode::Forbidden, _))),
                "another meeting, or someone else's attendance: {refused:?}"
            );
        }
        let row = Uuid::now_v7();
        let post = [change(
            "tracked_issue",
            row,
            &bucket,
            ROW_COLUMN,
            Value::Null,
            1,
        )];
        let refs: Vec<&Change> = post.iter().collect();
        assert!(matches!(
            authorize_row(
                Some(&actor),
                false,
                "tracked_issue",
                row,
                None,
                &bucket,
                &refs
            )[0],
            Verdict::Reject(RejectCode::Forbidden, _)
        ));
    }

    #[test]
    fn anyone_asks_to_join_but_does_not_make_themselves_a_member() {
        let me = Uuid::now_v7();
        let group = Uuid::now_v7();
        let bucket = group.to_string();
        let actor = HubActor {
            person: me,
            ..Default::default()
        };
        let row = crate::model::Membership::id_for(group, me);
        let join = [
            change("membership", row, &bucket, ROW_COLUMN, Value::Null, 1),
            change(
                "membership",
                row,
                &bucket,
                "person_id",
                json!(me.to_string()),
                1,
            ),
            change("membership", row, &bucket, "group_id", json!(bucket), 1),
            change("membership", row, &bucket, "role", json!("applicant"), 1),
        ];
        let refs: Vec<&Change> = join.iter().collect();
        let verdicts = authorize_row(Some(&actor), false, "membership", row, None, &bucket, &refs);
        assert!(
            verdicts.iter().all(|v| *v == Verdict::Accept),
            "asking to join is open: {verdicts:?}"
        );
        // Joining oneself as a member is a leader's to grant.
        let mut as_member = join.clone();
        as_member[3] = change("membership", row, &bucket, "role", json!("member"), 1);
        let refs: Vec<&Change> = as_member.iter().collect();
        let verdicts = authorize_row(Some(&actor), false, "membership", row, None, &bucket, &refs);
        assert!(
            verdicts
                .iter()
                .all(|v| matches!(v, Verdict::Reject(RejectCode::Forbidden, _))),
            "a member is made by the group's leaders: {verdicts:?}"
        );

        let mut fields = Map::new();
        fields.insert("person_id".into(), json!(me.to_string()));
        fields.insert("group_id".into(), json!(bucket));
        fields.insert("role".into(), json!("member"));
        let current = RowView {
            bucket: bucket.clone(),
            cl: 1,
            fields,
        };
        let promote = change("membership", row, &bucket, "role", json!("leader"), 1);
        let verdicts = authorize_row(
            Some(&actor),
            false,
            "membership",
            row,
            Some(&current),
            &bucket,
            &[&promote],
        );
        assert!(
            matches!(verdicts[0], Verdict::Reject(RejectCode::Forbidden, _)),
            "no self-promotion"
        );
        let mut asked = current.clone();
        asked.fields.insert("role".into(), json!("applicant"));
        let accept = change("membership", row, &bucket, "role", json!("member"), 1);
        let verdicts = authorize_row(
            Some(&actor),
            false,
            "membership",
            row,
            Some(&asked),
            &bucket,
            &[&accept],
        );
        assert!(
            matches!(verdicts[0], Verdict::Reject(RejectCode::Forbidden, _)),
            "an applicant does not accept themselves"
        );
    }

    #[test]
    fn a_change_must_claim_its_rows_bucket() {
        let actor = HubActor {
            admin: true,
            ..Default::default()
        };
        let row = Uuid::now_v7();
        let c = change("organization", row, "some-group", "name", json!("X"), 1);
        let v = authorize_row(
            Some(&actor),
            false,
            "organization",
            row,
            None,
            COALITION_BUCKET,
            &[&c],
        );
        assert!(matches!(v[0], Verdict::Reject(RejectCode::WrongBucket, _)));
    }
}
