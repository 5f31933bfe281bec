//! Notifications on real replicas: what a team leader and an author hear, why, and what each
//! group choice (every change, daily digest, nothing) does to it.

use caucus_core::api::*;
use caucus_core::error::ApiError;
use caucus_core::hlc::Hlc;
use caucus_core::store::sync_state;
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

const HERE: NotificationQuery = NotificationQuery {
    utc_offset_minutes: 0,
};

struct Team {
    group: Value,
    leader: Value,
    rec: Value,
    author: Value,
}

async fn budget_team(c: &Caucus) -> Team {
    let groups = call(c, "list_groups", json!({})).await;
    let group = groups
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "Budget and finance")
        .expect("budget team")
        .clone();
    let members = call(c, "list_memberships", json!({"group_id": group["id"]})).await;
    let leader = members
        .as_array()
        .expect("m")
        .iter()
        .find(|m| m["role"] == "leader")
        .expect("a leader")["person_id"]
        .clone();
    let rec = call(c, "list_recommendations", json!({"group_id": group["id"]})).await[0].clone();
    let author = rec["author_id"].clone();
    assert_ne!(
        leader, author,
        "the demo's first budget recommendation is a member's"
    );
    Team {
        group,
        leader,
        rec,
        author,
    }
}

#[tokio::test]
async fn members_hear_from_their_groups_and_say_why() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = Caucus::open(&dir.path().join("c.db")).await.expect("open");
    c.load_demo_data(NoInput {}).await.expect("demo");
    let team = budget_team(&c).await;

    // Nothing is news before anyone else acts.
    call(&c, "set_acting_person", json!({"person_id": team.leader})).await;
    c.mark_notifications_read(HERE).await.expect("read");
    let start = c.notifications(HERE).await.expect("notifications");
    assert_eq!(start.unread, 0);
    let budget = start
        .groups
        .iter()
        .find(|g| g.group_id == uuid(&team.group["id"]))
        .expect("the leader's own group is listed");
    assert_eq!(
        budget.hearing,
        Hearing::Every,
        "members hear every change by default"
    );
    assert!(budget.default);

    // The author comments: the leader hears it as a member of the group, unread.
    call(&c, "set_acting_person", json!({"person_id": team.author})).await;
    call(
        &c,
        "create_comment",
        json!({"recommendation_id": team.rec["id"], "body": "The 2027 figures are in."}),
    )
    .await;
    call(&c, "set_acting_person", json!({"person_id": team.leader})).await;
    let n = c.notifications(HERE).await.expect("notifications");
    let comment = n
        .items
        .iter()
        .find(|i| i.kind == "comment")
        .unwrap_or_else(|| panic!("the comment is news: {n:?}"));
    assert_eq!(comment.why, Why::GroupMember);
    assert_eq!(comment.role, Some(caucus_core::model::Role::Leader));
    assert_eq!(comment.target_id, uuid(&team.rec["id"]));
    assert!(comment.created && comment.unread && comment.by_name.is_some());
    assert_eq!(
        comment.what,
        What::Commented,
        "the line says a comment came"
    );
    assert_eq!(n.unread, 1);
    let read = c.mark_notifications_read(HERE).await.expect("read");
    assert_eq!(read.unread, 0);
    assert!(
        read.items.iter().all(|i| !i.unread),
        "still listed, no longer unread"
    );

    // The leader reviews the recommendation: the author always hears about their own.
    call(&c, "set_acting_person", json!({"person_id": team.author})).await;
    c.mark_notifications_read(HERE).await.expect("read");
    call(&c, "set_acting_person", json!({"person_id": team.leader})).await;
    call(
        &c,
        "transition_recommendation",
        json!({"id": team.rec["id"], "to": "under_review"}),
    )
    .await;
    call(&c, "set_acting_person", json!({"person_id": team.author})).await;
    let n = c.notifications(HERE).await.expect("notifications");
    let own = n
        .items
        .iter()
        .find(|i| i.kind == "recommendation" && i.id == uuid(&team.rec["id"]))
        .unwrap_or_else(|| panic!("the author hears of the review: {n:?}"));
    assert_eq!(own.why, Why::YourRecommendation);
    assert!(!own.created, "an edit of a record older than the last read");
    assert_eq!(
        (own.what, own.state),
        (
            What::Moved,
            Some(caucus_core::model::RecommendationState::UnderReview)
        ),
        "the line says what became of it"
    );

    // Even with the group turned off.
    let off = c
        .hear_from_group(HearFromGroup {
            group_id: uuid(&team.group["id"]),
            hearing: Hearing::Off,
            utc_offset_minutes: 0,
        })
        .await
        .expect("off");
    assert!(off
        .items
        .iter()
        .all(|i| i.why == Why::YourRecommendation && i.id == uuid(&team.rec["id"])));
    assert!(!off.items.is_empty());

    // An issue assigned to the author, and a comment on their recommendation, reach them too
    // with the group off, each with its reason.
    call(&c, "set_acting_person", json!({"person_id": team.leader})).await;
    let issue = call(
        &c,
        "create_tracked_issue",
        json!({"group_id": team.group["id"], "title": "Follow the audit", "assignee_ids": [team.author]}),
    )
    .await;
    call(
        &c,
        "create_comment",
        json!({"recommendation_id": team.rec["id"], "body": "Under review this week."}),
    )
    .await;
    call(&c, "set_acting_person", json!({"person_id": team.author})).await;
    let n = c.notifications(HERE).await.expect("notifications");
    let assigned = n
        .items
        .iter()
        .find(|i| i.kind == "tracked_issue" && i.id == uuid(&issue["id"]))
        .unwrap_or_else(|| panic!("the assignee hears of the issue: {n:?}"));
    assert_eq!(assigned.why, Why::AssignedToYou);
    assert_eq!(assigned.target_kind, "tracked_issue");
    assert_eq!(assigned.target_id, uuid(&issue["id"]));
    assert_eq!(
        assigned.title, "Follow the audit",
        "an issue leads to its own page, by its title"
    );
    assert_eq!(
        assigned.what,
        What::AssignedToYou,
        "the line says what happened: {assigned:?}"
    );
    let on_own = n
        .items
        .iter()
        .find(|i| i.target_id == uuid(&team.rec["id"]))
        .expect("the recommendation is listed once");
    assert_eq!(on_own.why, Why::YourRecommendation);
    assert_eq!(on_own.title, team.rec["title"].as_str().expect("title"));
    assert!(n
        .items
        .iter()
        .all(|i| matches!(i.why, Why::YourRecommendation | Why::AssignedToYou)));

    // The leader chooses a digest: today's changes wait for tomorrow's.
    call(&c, "set_acting_person", json!({"person_id": team.leader})).await;
    let digest = c
        .hear_from_group(HearFromGroup {
            group_id: uuid(&team.group["id"]),
            hearing: Hearing::Digest,
            utc_offset_minutes: 0,
        })
        .await
        .expect("digest");
    assert!(digest
        .items
        .iter()
        .all(|i| i.group_id != uuid(&team.group["id"])));
    assert!(digest.held_for_digest >= 1, "{digest:?}");

    // Bad input changes nothing.
    let err = c
        .notifications(NotificationQuery {
            utc_offset_minutes: 24 * 60,
        })
        .await
        .expect_err("no such time zone");
    assert_eq!(
        ApiError::from(err).field.as_deref(),
        Some("utc_offset_minutes")
    );
    let err = c
        .hear_from_group(HearFromGroup {
            group_id: Uuid::now_v7(),
            hearing: Hearing::Every,
            utc_offset_minutes: 0,
        })
        .await
        .expect_err("no such group");
    assert_eq!(err.code(), "not_found");
}

/// Yesterday's changes, arriving today from a device that was offline, form yesterday's
/// digest for a person who chose one; a person who hears every change gets them one by one.
#[tokio::test]
async fn a_digest_gathers_a_day() {
    let dir = tempfile::tempdir().expect("temp dir");
    let here = Caucus::open(&dir.path().join("here.db"))
        .await
        .expect("open");
    let there = Caucus::open(&dir.path().join("there.db"))
        .await
        .expect("open");
    here.load_demo_data(NoInput {}).await.expect("demo");
    let demo = sync_state::changes_beyond(here.store().pool(), &Default::default())
        .await
        .expect("demo changes");
    there
        .store()
        .merge_remote(&demo, caucus_core::hlc::wall_ms())
        .await
        .expect("same coalition there");
    let team = budget_team(&here).await;

    // There, yesterday: the author comments twice.
    let before = sync_state::version_vector(there.store().pool())
        .await
        .expect("vv");
    call(
        &there,
        "set_acting_person",
        json!({"person_id": team.author}),
    )
    .await;
    for body in ["First point.", "Second point."] {
        call(
            &there,
            "create_comment",
            json!({"recommendation_id": team.rec["id"], "body": body}),
        )
        .await;
    }
    let yesterday = caucus_core::hlc::wall_ms() - 86_400_000;
    let mut made = sync_state::changes_beyond(there.store().pool(), &before)
        .await
        .expect("made");
    for (i, change) in made.iter_mut().enumerate() {
        change.hlc = Hlc::new(yesterday, i as u16);
    }
    here.store()
        .merge_remote(&made, caucus_core::hlc::wall_ms())
        .await
        .expect("arrives today");

    call(
        &here,
        "set_acting_person",
        json!({"person_id": team.leader}),
    )
    .await;
    let every = here.notifications(HERE).await.expect("notifications");
    let news = every
        .items
        .iter()
        .find(|i| i.target_id == uuid(&team.rec["id"]))
        .unwrap_or_else(|| panic!("the comments are news: {every:?}"));
    assert!(
        news.also_changed >= 2,
        "the recommendation and both comments are one notification: {news:?}"
    );
    let digest = here
        .hear_from_group(HearFromGroup {
            group_id: uuid(&team.group["id"]),
            hearing: Hearing::Digest,
            utc_offset_minutes: 0,
        })
        .await
        .expect("digest");
    let day = digest
        .digests
        .iter()
        .find(|d| d.group_id == uuid(&team.group["id"]))
        .unwrap_or_else(|| panic!("yesterday's digest: {digest:?}"));
    assert_eq!(day.changes, 2);
    assert!(day.unread);
    assert_eq!(day.items.len(), 1, "one recommendation, commented twice");
    assert!(digest.items.iter().all(|i| i.kind != "comment"));
}
