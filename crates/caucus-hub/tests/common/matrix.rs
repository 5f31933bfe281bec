//! The authorization matrix every channel is held to: the people of one coalition (a
//! secretariat admin, a team's leader, member and observer, and a member of another team) and
//! the writes each may or may not make, as a tampered or outdated app would send them.
#![allow(dead_code)]

use super::*;
use caucus_core::store::Edit;
use caucus_core::Caucus;
use serde_json::{json, Value};
use uuid::Uuid;

/// The people and the group every scenario starts from, created on the admin's device.
pub struct Coalition {
    pub org: Uuid,
    pub other_org: Uuid,
    pub admin: Uuid,
    pub leader: Uuid,
    pub member: Uuid,
    pub observer: Uuid,
    pub outsider: Uuid,
    pub group: Uuid,
    pub other_group: Uuid,
}

pub async fn set_up(a: &Caucus) -> Coalition {
    let org = id(&call(a, "create_organization", json!({"name": "Parliamentarians for Global Action", "country": "US", "region": "americas"})).await);
    let person = |name: &str, admin: bool| json!({"name": name, "organization_id": org.to_string(), "secretariat_admin": admin});
    let admin = id(&call(a, "create_person", person("Melinda Reed", true)).await);
    call(
        a,
        "set_acting_person",
        json!({"person_id": admin.to_string()}),
    )
    .await;
    let other_org = id(&call(
        a,
        "create_organization",
        json!({"name": "Coalition pour la Cour pénale internationale", "country": "FR", "region": "europe"}),
    )
    .await);
    let leader = id(&call(a, "create_person", person("Team Leader", false)).await);
    let member = id(&call(a, "create_person", person("Team Member", false)).await);
    let observer = id(&call(a, "create_person", person("Team Observer", false)).await);
    let outsider = id(&call(a, "create_person", person("Other Team Member", false)).await);
    let group = id(&call(a, "create_group", json!({"name": "Budget and Finance Team", "kind": "issue_team", "mandate": "The Court's budget."})).await);
    let other_group = id(&call(
        a,
        "create_group",
        json!({"name": "Victims' Rights Working Group", "kind": "working_group"}),
    )
    .await);
    for (person, group, role) in [
        (admin, group, "focal_point"),
        (leader, group, "leader"),
        (member, group, "member"),
        (observer, group, "observer"),
        (outsider, other_group, "member"),
    ] {
        call(
            a,
            "join_group",
            json!({"group_id": group.to_string(), "person_id": person.to_string(), "role": role}),
        )
        .await;
    }
    Coalition {
        org,
        other_org,
        admin,
        leader,
        member,
        observer,
        outsider,
        group,
        other_group,
    }
}

/// The raw change a tampered or outdated app could send: written straight into the
/// device's log, past the app's own rights checks.
pub async fn raw_write(device: &Caucus, actor: Uuid, edits: Vec<Edit>) {
    device
        .store()
        .write(Some(actor), edits)
        .await
        .expect("raw write");
}

pub fn field(
    bucket: &str,
    table: &'static str,
    row: Uuid,
    column: &'static str,
    value: Value,
) -> Edit {
    Edit {
        bucket: bucket.to_string(),
        table,
        row,
        column,
        value,
        cl: 1,
    }
}

/// One cell row of the matrix: what is tried, the roles that may, and the edits for one actor.
pub type Case = (
    &'static str,
    Vec<&'static str>,
    Box<dyn Fn(Uuid) -> Vec<Edit>>,
);

/// The cases, in the order the matrix tries them (later ones rely on earlier refusals).
pub fn cases(p: &Coalition) -> Vec<Case> {
    let g = p.group.to_string();
    let coalition = "coalition";
    let group = p.group;
    let admin = p.admin;
    let g2 = g.clone();
    let g3 = g.clone();
    let g4 = g.clone();
    let g5 = g.clone();
    let g6 = g.clone();
    let (org, other_org) = (p.org, p.other_org);
    vec![
        (
            "create an organization (coalition bucket)",
            vec![],
            Box::new(move |_| {
                let row = Uuid::now_v7();
                vec![
                    Edit::row(coalition, "organization", row, 1),
                    field(coalition, "organization", row, "name", json!("Rogue NGO")),
                ]
            }),
        ),
        (
            "rename another person (coalition bucket)",
            vec![],
            Box::new(move |_| {
                vec![field(
                    coalition,
                    "person",
                    admin,
                    "name",
                    json!("Renamed by someone else"),
                )]
            }),
        ),
        (
            "rename oneself (coalition bucket)",
            vec!["leader", "member", "observer", "outsider"],
            Box::new(move |me| {
                vec![field(
                    coalition,
                    "person",
                    me,
                    "name",
                    json!(format!("Self-named {me}")),
                )]
            }),
        ),
        (
            "edit the group's mandate (group row)",
            vec!["leader"],
            Box::new(move |me| {
                vec![field(
                    coalition,
                    "coalition_group",
                    group,
                    "mandate",
                    json!(format!("Mandate by {me}")),
                )]
            }),
        ),
        (
            "make oneself secretariat admin (one's own person record)",
            vec![],
            Box::new(move |me| {
                vec![field(
                    coalition,
                    "person",
                    me,
                    "secretariat_admin",
                    json!(true),
                )]
            }),
        ),
        (
            "move oneself to another organization (one's own person record)",
            vec![],
            Box::new(move |me| {
                vec![field(
                    coalition,
                    "person",
                    me,
                    "organization_id",
                    json!(other_org.to_string()),
                )]
            }),
        ),
        (
            "suspend an organization (its status)",
            vec![],
            Box::new(move |_| {
                vec![field(
                    coalition,
                    "organization",
                    org,
                    "status",
                    json!("suspended"),
                )]
            }),
        ),
        (
            "make the group the steering committee (its kind)",
            vec![],
            Box::new(move |_| {
                vec![field(
                    coalition,
                    "coalition_group",
                    group,
                    "kind",
                    json!("steering_committee"),
                )]
            }),
        ),
        (
            "schedule a meeting (group bucket)",
            vec!["leader"],
            Box::new(move |_| {
                let row = Uuid::now_v7();
                vec![
                    Edit::row(&g5, "meeting", row, 1),
                    field(&g5, "meeting", row, "group_id", json!(g5.clone())),
                    field(&g5, "meeting", row, "title", json!("Budget hearing")),
                    field(&g5, "meeting", row, "starts_at", json!("2026-12-09T10:00")),
                ]
            }),
        ),
        (
            "name oneself the group's focal point (membership)",
            vec!["leader"],
            Box::new(move |me| {
                let row = caucus_core::model::Membership::id_for(group, me);
                vec![
                    Edit::row(&g6, "membership", row, 1),
                    field(&g6, "membership", row, "group_id", json!(g6.clone())),
                    field(&g6, "membership", row, "person_id", json!(me.to_string())),
                    field(&g6, "membership", row, "role", json!("focal_point")),
                ]
            }),
        ),
        (
            // After the attempts above: none of them gave anyone the secretariat's rights.
            "archive the group",
            vec![],
            Box::new(move |_| vec![Edit::row(coalition, "coalition_group", group, 2)]),
        ),
        (
            "create a tracked issue (group bucket)",
            vec!["leader"],
            Box::new(move |_| {
                let row = Uuid::now_v7();
                vec![
                    Edit::row(&g2, "tracked_issue", row, 1),
                    field(&g2, "tracked_issue", row, "group_id", json!(g2.clone())),
                    field(&g2, "tracked_issue", row, "title", json!("Budget hearing")),
                ]
            }),
        ),
        (
            "post a recommendation (group bucket)",
            vec!["leader", "member"],
            Box::new(move |me| {
                let row = Uuid::now_v7();
                vec![
                    Edit::row(&g3, "recommendation", row, 1),
                    field(&g3, "recommendation", row, "group_id", json!(g3.clone())),
                    field(
                        &g3,
                        "recommendation",
                        row,
                        "author_id",
                        json!(me.to_string()),
                    ),
                    field(
                        &g3,
                        "recommendation",
                        row,
                        "title",
                        json!("A recommendation"),
                    ),
                ]
            }),
        ),
        (
            // Not an actor's own membership: a promotion would give its target the rights
            // of the cells after it (the hub judges by the rights it holds when a change
            // arrives, and so does every replica).
            "demote the focal point (group bucket)",
            vec!["leader"],
            Box::new(move |_| {
                let row = caucus_core::model::Membership::id_for(group, admin);
                vec![field(&g4, "membership", row, "role", json!("member"))]
            }),
        ),
    ]
}

// What people see: records that are not archived. A refused creation leaves only an
// archived, empty tombstone (the compensating change that undoes it on any peer that
// already received it by meeting host or bundle).
pub async fn visible(d: &Caucus) -> Vec<String> {
    dump(d)
        .await
        .into_values()
        .flatten()
        .filter(|r| r.contains("\"archived\":false"))
        .collect()
}
