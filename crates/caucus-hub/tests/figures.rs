//! Sync figures for the notes and docs/benchmarks.md (not a pass/fail test; speed targets
//! live in the benchmarks): a first sync of the demo coalition, and 100,000 field changes
//! pushed and then pulled by a new device, through a SQLite hub and a PostgreSQL hub.
//!
//! `cargo test --release -p caucus-hub --test figures -- --ignored --nocapture`

mod common;

use caucus_core::store::Edit;
use caucus_core::Caucus;
use caucus_hub::{HubDb, Policy};
use common::*;
use serde_json::json;
use std::time::Instant;
use uuid::Uuid;

/// 100,000 field changes: 10,000 organizations of ten fields each (the row and nine columns,
/// some written twice), in writes of 100 rows.
async fn write_changes(d: &Caucus, actor: Uuid) -> usize {
    let mut n = 0;
    for batch in 0..100 {
        let mut edits = Vec::new();
        for i in 0..100 {
            let row = Uuid::now_v7();
            edits.push(Edit::row("coalition", "organization", row, 1));
            for (col, value) in [
                ("name", json!(format!("Organization {batch}-{i}"))),
                ("country", json!("KE")),
                ("region", json!("africa")),
                ("themes", json!(["victims", "budget"])),
                ("status", json!("member")),
                ("name", json!(format!("Organisation {batch}-{i}"))),
                ("country", json!("UG")),
                ("region", json!("africa")),
                ("status", json!("member")),
            ] {
                edits.push(Edit {
                    bucket: "coalition".into(),
                    table: "organization",
                    row,
                    column: col,
                    value,
                    cl: 1,
                });
            }
        }
        n += edits.len();
        d.store().write(Some(actor), edits).await.expect("write");
    }
    n
}

async fn figures(backend: &str, hub_url_db: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(hub_url_db, Policy::Authorize).await;
    let (a, admin) = demo_device(dir.path(), "a").await;
    let demo_changes = a.store().all_changes().await.expect("log").len();
    let t = Instant::now();
    connect(&a, &hub.url, hub.invite(admin).await, "a").await;
    let demo_push = t.elapsed();
    let b = device(dir.path(), "b").await;
    let t = Instant::now();
    connect(&b, &hub.url, hub.invite(admin).await, "b").await;
    let demo_first_sync = t.elapsed();

    let n = write_changes(&a, admin).await;
    let t = Instant::now();
    sync(&a).await;
    let push = t.elapsed();
    let c = device(dir.path(), "c").await;
    let t = Instant::now();
    connect(&c, &hub.url, hub.invite(admin).await, "c").await;
    let first_sync = t.elapsed();
    let t = Instant::now();
    sync(&b).await;
    let follow = t.elapsed();
    let received = c.store().all_changes().await.expect("log").len();
    println!(
        "FIGURES {backend}: demo {demo_changes} changes: push {:.2} s, first sync {:.2} s | \
         {n} changes: push {:.2} s ({:.0}/s), new device's first sync (snapshot, {received} changes) {:.2} s ({:.0}/s), \
         existing device pulls the log {:.2} s ({:.0}/s)",
        demo_push.as_secs_f64(),
        demo_first_sync.as_secs_f64(),
        push.as_secs_f64(),
        n as f64 / push.as_secs_f64(),
        first_sync.as_secs_f64(),
        received as f64 / first_sync.as_secs_f64(),
        follow.as_secs_f64(),
        n as f64 / follow.as_secs_f64(),
    );
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "figures, not a check: run with --ignored --nocapture"]
async fn sync_figures_sqlite() {
    let dir = tempfile::tempdir().expect("temp dir");
    figures("sqlite", &dir.path().join("hub.db").to_string_lossy()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "figures, not a check: run with --ignored --nocapture"]
async fn sync_figures_postgres() {
    let pg = Postgres::start().expect("a PostgreSQL cluster starts");
    let url = pg.database("figures").expect("createdb");
    figures("postgres", &url).await;
    let _ = HubDb::open(&url, Policy::Authorize).await;
}
