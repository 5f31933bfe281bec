//! The command API end to end on a real SQLite file, through `dispatch` as the HTTP bridge and
//! the Tauri shell call it: the demo coalition, a team's whole recommendation flow, history,
//! and a table of bad inputs that must each fail with a typed error and change nothing.

use caucus_core::api::dispatch;
use caucus_core::Caucus;
use serde_json::{json, Value};

async fn open() -> (tempfile::TempDir, Caucus) {
    let dir = tempfile::tempdir().expect("temp dir");
    let caucus = Caucus::open(&dir.path().join("caucus.db"))
        .await
        .expect("open replica");
    (dir, caucus)
}

async fn call(c: &Caucus, name: &str, input: Value) -> Value {
    dispatch(c, name, input.clone())
        .await
        .unwrap_or_else(|e| panic!("{name}({input}) failed: {e}"))
}

async fn change_count(c: &Caucus) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM change_log")
        .fetch_one(c.store().pool())
        .await
        .expect("count changes")
}

#[tokio::test]
async fn demo_coalition_loads_once_with_its_teams() {
    let (_dir, c) = open().await;
    let session = call(&c, "get_session", json!({})).await;
    assert_eq!(session["empty"], json!(true), "a new replica starts empty");
    let summary = call(&c, "load_demo_data", json!({})).await;
    assert_eq!(
        summary["organizations"],
        json!(16),
        "nine steering committee members and seven emeritus"
    );
    let teams = call(&c, "list_groups", json!({"kind": "issue_team"})).await;
    let names: Vec<&str> = teams
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names.len(), 13, "the coalition's thirteen issue teams");
    assert!(names.contains(&"Trust funds for victims"));
    let session = call(&c, "get_session", json!({})).await;
    assert_eq!(session["acting_person"]["name"], json!("Melinda Reed"));
    let again = dispatch(&c, "load_demo_data", json!({}))
        .await
        .expect_err("second load");
    assert_eq!(
        again.code, "conflict",
        "the demo never loads over existing data"
    );
}

#[tokio::test]
async fn a_team_takes_a_recommendation_from_draft_to_adopted_with_history() {
    let (_dir, c) = open().await;
    call(&c, "load_demo_data", json!({})).await;
    let admin = call(&c, "get_session", json!({})).await["acting_person"].clone();

    let team = call(&c, "create_group", json!({"name": "Universal ratification", "kind": "issue_team", "mandate": "Ratification of the Rome Statute"})).await;
    let team_id = team["id"].as_str().expect("id").to_string();
    call(
        &c,
        "join_group",
        json!({"group_id": team_id, "role": "leader"}),
    )
    .await;
    let issue = call(&c, "create_tracked_issue", json!({"group_id": team_id, "title": "Country of the month", "due_date": "2026-12-31", "labels": ["URC"]})).await;
    assert_eq!(issue["status"], json!("open"));
    // A patch without a due date leaves it; an empty one clears it.
    let kept = call(
        &c,
        "update_tracked_issue",
        json!({"id": issue["id"], "title": "Country of the month: Ukraine"}),
    )
    .await;
    assert_eq!(kept["due_date"], json!("2026-12-31"));
    let cleared = call(
        &c,
        "update_tracked_issue",
        json!({"id": issue["id"], "due_date": ""}),
    )
    .await;
    assert_eq!(cleared["due_date"], Value::Null, "the due date is cleared");

    // A member of another organization posts; the leader answers.
    let orgs = call(&c, "list_organizations", json!({})).await;
    let hrw = orgs
        .as_array()
        .expect("list")
        .iter()
        .find(|o| o["name"] == "Human Rights Watch")
        .expect("HRW")["id"]
        .clone();
    let member = call(
        &c,
        "create_person",
        json!({"name": "A. Member", "organization_id": hrw}),
    )
    .await;
    call(&c, "set_acting_person", json!({"person_id": member["id"]})).await;
    // Joining oneself is asking: an applicant posts nothing until a leader accepts them.
    let asked = call(&c, "join_group", json!({"group_id": team_id})).await;
    assert_eq!(asked["role"], json!("applicant"));
    let early = dispatch(
        &c,
        "create_recommendation",
        json!({"group_id": team_id, "title": "Too early", "body": "Not a member yet.", "language": "en"}),
    )
    .await
    .expect_err("an applicant posts");
    assert_eq!(early.code, "forbidden", "{}", early.message);
    let own_promotion = dispatch(
        &c,
        "update_membership",
        json!({"id": asked["id"], "role": "member"}),
    )
    .await
    .expect_err("an applicant makes themselves a member");
    assert_eq!(own_promotion.code, "forbidden", "{}", own_promotion.message);
    let as_member = dispatch(
        &c,
        "join_group",
        json!({"group_id": team_id, "role": "member"}),
    )
    .await
    .expect_err("someone not leading the team joins it as a member");
    assert_eq!(as_member.code, "forbidden", "{}", as_member.message);
    call(&c, "set_acting_person", json!({"person_id": admin["id"]})).await;
    let accepted = call(
        &c,
        "update_membership",
        json!({"id": asked["id"], "role": "member"}),
    )
    .await;
    assert_eq!(accepted["role"], json!("member"));
    call(&c, "set_acting_person", json!({"person_id": member["id"]})).await;
    // Joining is one's own; putting someone else in the team is the leaders' (the hub would
    // refuse it), so the command refuses it before anything is written.
    let before = change_count(&c).await;
    let added = dispatch(
        &c,
        "join_group",
        json!({"group_id": team_id, "person_id": admin["id"], "role": "member"}),
    )
    .await
    .expect_err("a member adds someone else");
    assert_eq!(added.code, "forbidden", "{}", added.message);
    assert_eq!(
        change_count(&c).await,
        before,
        "a refused add writes nothing"
    );
    let rec = call(&c, "create_recommendation", json!({"group_id": team_id, "title": "Focus on APIC", "body": "Urge **ratification**.", "language": "en"})).await;
    assert_eq!(rec["state"], json!("draft"));
    let id = rec["id"].clone();
    let opened = call(
        &c,
        "transition_recommendation",
        json!({"id": id, "to": "open"}),
    )
    .await;
    assert_eq!(opened["state"], json!("open"));
    let denied = dispatch(
        &c,
        "transition_recommendation",
        json!({"id": id, "to": "under_review"}),
    )
    .await
    .expect_err("member reviews");
    assert_eq!(
        denied.code, "forbidden",
        "a member may not put a recommendation under review"
    );
    call(
        &c,
        "endorse_recommendation",
        json!({"recommendation_id": id}),
    )
    .await;
    let twice = dispatch(
        &c,
        "endorse_recommendation",
        json!({"recommendation_id": id}),
    )
    .await
    .expect_err("endorse twice");
    assert_eq!(twice.code, "conflict", "one endorsement per organization");
    call(
        &c,
        "create_comment",
        json!({"recommendation_id": id, "body": "We support this."}),
    )
    .await;

    call(&c, "set_acting_person", json!({"person_id": admin["id"]})).await;
    call(
        &c,
        "transition_recommendation",
        json!({"id": id, "to": "under_review"}),
    )
    .await;
    let drafted = call(
        &c,
        "draft_answer",
        json!({"id": id, "decision": "adopted", "text": "Adopted for the next session."}),
    )
    .await;
    assert_eq!(
        drafted["state"],
        json!("under_review"),
        "a drafted answer changes no state"
    );
    let adopted = call(&c, "publish_answer", json!({"id": id})).await;
    assert_eq!(adopted["state"], json!("adopted"));
    assert_eq!(adopted["answer"], json!("Adopted for the next session."));

    let history = call(
        &c,
        "record_history",
        json!({"kind": "recommendation", "id": id}),
    )
    .await;
    let states: Vec<&Value> = history
        .as_array()
        .expect("history")
        .iter()
        .filter(|h| h["column"] == "state")
        .map(|h| &h["value"])
        .collect();
    assert_eq!(
        states,
        vec![
            &json!("draft"),
            &json!("open"),
            &json!("under_review"),
            &json!("adopted")
        ],
        "every state the recommendation passed through"
    );
    let by_member = history
        .as_array()
        .expect("history")
        .iter()
        .find(|h| h["value"] == "open")
        .expect("open entry");
    assert_eq!(
        by_member["actor_name"],
        json!("A. Member"),
        "history names who made each change"
    );

    // Leaving and rejoining reuses the one membership record.
    call(&c, "leave_group", json!({"group_id": team_id})).await;
    let rejoined = call(&c, "join_group", json!({"group_id": team_id})).await;
    assert_eq!(rejoined["archived"], json!(false));
}

/// Each bad input must fail with the given code and leave the change log as it was.
#[tokio::test]
async fn bad_input_is_refused_with_a_typed_error_and_changes_nothing() {
    let (_dir, c) = open().await;
    call(&c, "load_demo_data", json!({})).await;
    let teams = call(&c, "list_groups", json!({"kind": "issue_team"})).await;
    // The convenor (acting after the demo loads) is this team's focal point.
    let team = teams
        .as_array()
        .expect("list")
        .iter()
        .find(|t| t["name"] == "Gender justice")
        .expect("team")["id"]
        .clone();
    let person = call(&c, "get_session", json!({})).await["acting_person"]["id"].clone();
    let member = call(&c, "create_person", json!({"name": "Observer Person"})).await;
    let rec = call(&c, "list_recommendations", json!({})).await[0].clone();
    let missing = "0190a0f0-0000-7000-8000-000000000000";

    let cases: Vec<(&str, Value, &str, Option<&str>)> = vec![
        (
            "create_organization",
            json!({"country": "NL", "region": "europe"}),
            "invalid",
            Some("name"),
        ),
        (
            "create_organization",
            json!({"name": 42, "country": "NL", "region": "europe"}),
            "invalid",
            Some("name"),
        ),
        (
            "create_organization",
            json!({"name": "X", "country": "NL", "region": "europe", "rogue": 1}),
            "invalid",
            Some("rogue"),
        ),
        (
            "create_organization",
            json!({"name": "", "country": "NL", "region": "europe"}),
            "invalid",
            Some("name"),
        ),
        (
            "create_organization",
            json!({"name": "x".repeat(201), "country": "NL", "region": "europe"}),
            "invalid",
            Some("name"),
        ),
        (
            "create_organization",
            json!({"name": "a\u{0}b", "country": "NL", "region": "europe"}),
            "invalid",
            Some("name"),
        ),
        (
            "create_organization",
            json!({"name": "a\u{7}b", "country": "NL", "region": "europe"}),
            "invalid",
            Some("name"),
        ),
        (
            "create_organization",
            json!({"name": "abc\u{202E}fdp.exe", "country": "NL", "region": "europe"}),
            "invalid",
            Some("name"),
        ),
        (
            "create_organization",
            json!({"name": "X", "country": "Netherlands", "region": "europe"}),
            "invalid",
            Some("country"),
        ),
        (
            "create_organization",
            json!({"name": "X", "country": "NL", "region": "atlantis"}),
            "invalid",
            Some("region"),
        ),
        (
            "create_group",
            json!({"name": "X", "kind": "secret_society"}),
            "invalid",
            Some("kind"),
        ),
        (
            "get_group",
            json!({"id": "not-a-uuid"}),
            "invalid",
            Some("id"),
        ),
        ("get_group", json!({"id": missing}), "not_found", None),
        (
            "update_group",
            json!({"id": missing, "name": "Y"}),
            "not_found",
            None,
        ),
        (
            "archive_organization",
            json!({"id": missing}),
            "not_found",
            None,
        ),
        (
            "create_tracked_issue",
            json!({"group_id": missing, "title": "T"}),
            "invalid",
            Some("group_id"),
        ),
        (
            "create_tracked_issue",
            json!({"group_id": team, "title": "T", "due_date": "2026-02-30"}),
            "invalid",
            Some("due_date"),
        ),
        (
            "create_tracked_issue",
            json!({"group_id": team, "title": "T", "labels": ["a", "a"]}),
            "invalid",
            Some("labels[1]"),
        ),
        (
            "create_recommendation",
            json!({"group_id": team, "title": "T", "body": "", "language": "en"}),
            "invalid",
            Some("body"),
        ),
        (
            "create_recommendation",
            json!({"group_id": team, "title": "T", "body": "B", "language": "de"}),
            "invalid",
            Some("language"),
        ),
        (
            "join_group",
            json!({"group_id": team, "person_id": person}),
            "conflict",
            None,
        ),
        (
            "transition_recommendation",
            json!({"id": rec["id"], "to": "adopted"}),
            "conflict",
            None,
        ),
        (
            "draft_answer",
            json!({"id": rec["id"], "decision": "adopted", "text": ""}),
            "conflict",
            None,
        ),
        ("unknown_command", json!({}), "unknown_command", None),
        (
            "set_acting_person",
            json!({"person_id": missing}),
            "not_found",
            None,
        ),
        (
            "record_history",
            json!({"kind": "recommendation", "id": missing}),
            "not_found",
            None,
        ),
    ];
    for (name, input, code, field) in cases {
        let before = change_count(&c).await;
        let err = dispatch(&c, name, input.clone())
            .await
            .expect_err(&format!("{name}({input}) must be refused"));
        assert_eq!(err.code, code, "{name}({input}): {}", err.message);
        if let Some(field) = field {
            assert_eq!(
                err.field.as_deref(),
                Some(field),
                "{name}({input}): {}",
                err.message
            );
        }
        assert_eq!(
            change_count(&c).await,
            before,
            "{name}({input}) must change nothing"
        );
    }

    // A person with no role in the team may not move its recommendations.
    call(&c, "set_acting_person", json!({"person_id": member["id"]})).await;
    let before = change_count(&c).await;
    let err = dispatch(
        &c,
        "transition_recommendation",
        json!({"id": rec["id"], "to": "under_review"}),
    )
    .await
    .expect_err("no role");
    assert_eq!(err.code, "forbidden");
    assert_eq!(change_count(&c).await, before);
}

/// The migrations create exactly the columns the merge registry names.
#[tokio::test]
async fn schema_registry_matches_the_migrations() {
    let (_dir, c) = open().await;
    for table in caucus_core::schema::TABLES {
        let cols: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT name FROM pragma_table_info('{}')",
            table.name
        ))
        .fetch_all(c.store().pool())
        .await
        .expect("table info");
        let mut expected: Vec<String> = ["id", "bucket", "cl"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        expected.extend(table.columns.iter().map(|c| c.name.to_string()));
        // Each field's winning stamp, beside the row (store::stamps), comes last (0012).
        expected.push("stamps".to_string());
        assert_eq!(cols, expected, "table {}", table.name);
    }
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(c.store().pool())
        .await
        .expect("mode");
    assert_eq!(mode, "wal");
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(c.store().pool())
        .await
        .expect("sync");
    assert_eq!(
        sync, 2,
        "synchronous=FULL so acknowledged writes survive power loss"
    );
}

/// A real database acts as one person: the one who created the coalition (or, once enrolled,
/// the one the hub certified). Only the demo offers "Acting as".
#[tokio::test]
async fn only_the_demo_acts_as_someone_else() {
    let (_dir, c) = open().await;
    let fresh = call(&c, "get_session", json!({})).await;
    assert_eq!(fresh["demo"], json!(false));
    assert_eq!(
        fresh["may_choose_person"],
        json!(true),
        "a fresh install may set up its coalition"
    );
    let session = call(
        &c,
        "create_coalition",
        json!({
            "organization": {"name": "Coalition for the International Criminal Court", "country": "NL", "region": "europe"},
            "name": "Amal Haddad",
            "email": "amal@example.org"
        }),
    )
    .await;
    let me = session["acting_person"]["id"]
        .as_str()
        .expect("acting")
        .to_string();
    assert_eq!(
        session["admin"],
        json!(true),
        "its first person is the secretariat"
    );
    assert_eq!(session["may_choose_person"], json!(false));
    assert_eq!(session["demo"], json!(false));
    let org = session["acting_person"]["organization_id"].clone();
    let other = call(
        &c,
        "create_person",
        json!({"name": "Someone Else", "organization_id": org}),
    )
    .await;
    let before = change_count(&c).await;
    for person in [json!(other["id"]), Value::Null] {
        let err = dispatch(&c, "set_acting_person", json!({"person_id": person}))
            .await
            .expect_err("a real database cannot act as another");
        assert_eq!(err.code, "forbidden", "{}", err.message);
    }
    let session = call(&c, "get_session", json!({})).await;
    assert_eq!(
        session["acting_person"]["id"],
        json!(me),
        "still its own person"
    );
    assert_eq!(change_count(&c).await, before, "nothing written");
    let err = dispatch(
        &c,
        "create_coalition",
        json!({"organization": {"name": "Another", "country": "FR", "region": "europe"}, "name": "X"}),
    )
    .await
    .expect_err("one coalition per database");
    assert_eq!(err.code, "conflict", "{}", err.message);

    let (_dir2, demo) = open().await;
    call(&demo, "load_demo_data", json!({})).await;
    let session = call(&demo, "get_session", json!({})).await;
    assert_eq!(session["demo"], json!(true), "the demo says it is the demo");
    assert_eq!(session["may_choose_person"], json!(true));
    let people = call(&demo, "list_people", json!({})).await;
    let someone = people[3]["id"].clone();
    let session = call(&demo, "set_acting_person", json!({"person_id": someone})).await;
    assert_eq!(session["acting_person"]["id"], someone, "the demo switches");
}
