//! A full disk: a write that needs space the file may not take fails with the `disk_full`
//! code the UI explains, changes nothing (records, log and outbox as before, the file sound),
//! and the same write succeeds once there is room again.
//!
//! The disk is "filled" with SQLite's `max_page_count` on every connection of the pool: the
//! same SQLITE_FULL a full disk raises, without needing a small filesystem.

use caucus_core::api::dispatch;
use caucus_core::Caucus;
use serde_json::{json, Value};

async fn count(c: &Caucus, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(c.store().pool())
        .await
        .expect("count")
}

/// Sets `max_page_count` on every connection the pool may hand out.
async fn limit_pages(c: &Caucus, pages: i64) {
    let pool = c.store().pool();
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        let mut conn = pool.acquire().await.expect("connection");
        sqlx::query(&format!("PRAGMA max_page_count = {pages}"))
            .execute(&mut *conn)
            .await
            .expect("pragma");
        held.push(conn);
    }
}

#[tokio::test]
async fn a_full_disk_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = Caucus::open(&dir.path().join("caucus.db"))
        .await
        .expect("open");
    dispatch(&c, "load_demo_data", json!({}))
        .await
        .expect("demo");
    let pages = count(&c, "PRAGMA page_count").await;
    limit_pages(&c, pages + 2).await;

    // Organizations until the file cannot grow.
    let mut failure = None;
    let mut before = (0, 0, 0);
    for i in 0..200 {
        before = (
            count(&c, "SELECT COUNT(*) FROM organization").await,
            count(&c, "SELECT COUNT(*) FROM change_log").await,
            count(&c, "SELECT COUNT(*) FROM sync_outbox").await,
        );
        let input = json!({
            "name": format!("Observatory {i}"), "country": "NL", "region": "europe",
            "themes": ["budget", "victims"],
        });
        match dispatch(&c, "create_organization", input).await {
            Ok(_) => {}
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let failure = failure.expect("the file filled up within 200 organizations");
    assert_eq!(failure.code, "disk_full", "{failure}");
    let after = (
        count(&c, "SELECT COUNT(*) FROM organization").await,
        count(&c, "SELECT COUNT(*) FROM change_log").await,
        count(&c, "SELECT COUNT(*) FROM sync_outbox").await,
    );
    assert_eq!(after, before, "the failed write changed nothing");
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(c.store().pool())
        .await
        .expect("integrity");
    assert_eq!(integrity, "ok");

    // Room again: the same kind of write goes through, and the earlier ones are all there.
    limit_pages(&c, 1 << 30).await;
    let org: Value = dispatch(
        &c,
        "create_organization",
        json!({"name": "Observatory after", "country": "NL", "region": "europe", "themes": []}),
    )
    .await
    .expect("a write once there is room");
    assert_eq!(org["name"], json!("Observatory after"));
    assert_eq!(
        count(&c, "SELECT COUNT(*) FROM organization").await,
        before.0 + 1
    );
}
