//! "My work" on a real replica: what waits for a team leader, what is assigned to them, what
//! is addressed to their organization, and what others changed since they last looked.

use caucus_core::api::*;
use caucus_core::model::IdInput;
use caucus_core::Caucus;
use serde_json::{json, Value};
use uuid::Uuid;

async fn call(c: &Caucus, command: &str, input: Value) -> Value {
    dispatch(c, command, input.clone())
        .await
        .unwrap_or_else(|e| panic!("{command}({input}): {e}"))
}

fn uuid(v: &Value) -> Uuid {
    Uuid::parse_str(v.as_str().expect("string")).expect("uuid")
}

#[tokio::test]
async fn a_leader_sees_what_waits_for_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = Caucus::open(&dir.path().join("c.db")).await.expect("open");
    c.load_demo_data(NoInput {}).await.expect("demo");
    let groups = call(&c, "list_groups", json!({})).await;
    let budget = groups
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "Budget and finance")
        .expect("budget team")
        .clone();
    let members = call(&c, "list_memberships", json!({"group_id": budget["id"]})).await;
    let leader = members
        .as_array()
        .expect("m")
        .iter()
        .find(|m| m["role"] == "leader")
        .expect("a leader")["person_id"]
        .clone();
    let rec = call(
        &c,
        "list_recommendations",
        json!({"group_id": budget["id"]}),
    )
    .await[0]
        .clone();
    let author = rec["author_id"].clone();

    // The leader puts the recommendation under review and is assigned an issue.
    call(&c, "set_acting_person", json!({"person_id": leader})).await;
    call(&c, "mark_my_work_seen", json!({})).await;
    call(
        &c,
        "transition_recommendation",
        json!({"id": rec["id"], "to": "under_review"}),
    )
    .await;
    let issue = call(&c, "create_tracked_issue", json!({"group_id": budget["id"], "title": "Follow the Committee on Budget and Finance", "assignee_ids": [leader]})).await;
    let work = c.my_work(NoInput {}).await.expect("my work");
    assert_eq!(
        work.awaiting_my_answer
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>(),
        vec![uuid(&rec["id"])],
        "the leader answers what is under review"
    );
    assert_eq!(
        work.assigned_to_me.iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![uuid(&issue["id"])]
    );
    assert!(
        work.changed_since_last_look.is_empty(),
        "one's own changes are not news: {:?}",
        work.changed_since_last_look
    );

    // The author comments: news for the leader, leading to the recommendation.
    call(&c, "set_acting_person", json!({"person_id": author})).await;
    call(
        &c,
        "create_comment",
        json!({"recommendation_id": rec["id"], "body": "Figures from the Committee attached."}),
    )
    .await;
    let org = c
        .get_person(IdInput { id: uuid(&author) })
        .await
        .expect("author")
        .organization_id;
    call(&c, "set_acting_person", json!({"person_id": leader})).await;
    let work = c.my_work(NoInput {}).await.expect("my work");
    let news = &work.changed_since_last_look;
    assert!(
        news.iter().any(|n| n.kind == "comment"
            && n.target_kind == "recommendation"
            && n.target_id == uuid(&rec["id"])),
        "{news:?}"
    );
    assert!(
        news.iter().all(|n| n.by_name.is_some()),
        "each change says who made it"
    );
    let seen = c.mark_my_work_seen(NoInput {}).await.expect("seen");
    assert!(seen.changed_since_last_look.is_empty(), "marked seen");

    // A recommendation addressed to the author's organization shows for the author.
    call(&c, "set_acting_person", json!({"person_id": leader})).await;
    call(&c, "create_recommendation", json!({"group_id": budget["id"], "title": "Ask for the audit report", "body": "Please share it.", "language": "en", "addressee": "organizations", "addressee_ids": [org], "open": true})).await;
    call(&c, "set_acting_person", json!({"person_id": author})).await;
    let work = c.my_work(NoInput {}).await.expect("my work");
    assert!(work
        .addressed_to_my_organization
        .iter()
        .any(|r| r.title == "Ask for the audit report"));
    assert!(
        work.awaiting_my_answer.is_empty(),
        "a member answers nothing"
    );

    // One addressed to the steering committee reaches its members, and nobody else.
    call(&c, "set_acting_person", json!({"person_id": leader})).await;
    call(&c, "create_recommendation", json!({"group_id": budget["id"], "title": "Put the budget on the steering committee's agenda", "body": "Before the Assembly.", "language": "en", "addressee": "steering_committee", "open": true})).await;
    let groups = call(&c, "list_groups", json!({"kind": "steering_committee"})).await;
    let steering = groups.as_array().expect("groups")[0]["id"].clone();
    let on_it =
        call(&c, "list_memberships", json!({"group_id": steering})).await[0]["person_id"].clone();
    call(&c, "set_acting_person", json!({"person_id": on_it})).await;
    let work = c.my_work(NoInput {}).await.expect("my work");
    assert!(
        work.addressed_to_my_committee
            .iter()
            .any(|r| r.title == "Put the budget on the steering committee's agenda"),
        "{:?}",
        work.addressed_to_my_committee
    );
    call(&c, "set_acting_person", json!({"person_id": author})).await;
    let work = c.my_work(NoInput {}).await.expect("my work");
    assert!(work.addressed_to_my_committee.is_empty());
}
