//! A group's dashboard on a real replica: issues by status now, recommendations by state per
//! month from the change log.

use caucus_core::api::*;
use caucus_core::model::IdInput;
use caucus_core::Caucus;
use serde_json::json;
use uuid::Uuid;

#[tokio::test]
async fn the_dashboard_counts_what_the_group_holds() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = Caucus::open(&dir.path().join("c.db")).await.expect("open");
    c.load_demo_data(NoInput {}).await.expect("demo");
    let groups = dispatch(&c, "list_groups", json!({}))
        .await
        .expect("groups");
    let budget = groups
        .as_array()
        .expect("list")
        .iter()
        .find(|g| g["name"] == "Budget and finance")
        .expect("budget");
    let id = Uuid::parse_str(budget["id"].as_str().expect("id")).expect("uuid");
    let d = c.group_dashboard(IdInput { id }).await.expect("dashboard");
    let issues: u32 = d.issues_by_status.iter().map(|c| c.count).sum();
    let listed = dispatch(&c, "list_tracked_issues", json!({"group_id": id}))
        .await
        .expect("issues");
    assert_eq!(
        issues as usize,
        listed.as_array().expect("list").len(),
        "every issue counted once"
    );
    assert_eq!(d.recommendations_by_month.len(), 12, "twelve months");
    let now = d.recommendations_by_month.last().expect("this month");
    let recs = dispatch(&c, "list_recommendations", json!({"group_id": id}))
        .await
        .expect("recs");
    let counted: u32 = now.counts.iter().map(|c| c.count).sum();
    assert_eq!(
        counted as usize,
        recs.as_array().expect("list").len(),
        "this month holds every recommendation"
    );
    for r in recs.as_array().expect("list") {
        assert!(
            now.counts.iter().any(|c| c.key == r["state"]),
            "its current state is counted: {}",
            r["state"]
        );
    }
    let err = c
        .group_dashboard(IdInput { id: Uuid::now_v7() })
        .await
        .expect_err("no such group");
    assert_eq!(err.code(), "not_found");
}
