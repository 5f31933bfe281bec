//! Baseline figures of the store, until `make bench` exists (it will replace this):
//! merge-apply of remote changes into a fresh replica, a local edit through the command API,
//! and loading the demo coalition. Run in release:
//! `SQLX_OFFLINE=true cargo run --release -p caucus-core --example baseline`

use caucus_core::api::NoInput;
use caucus_core::change::{Change, ROW_COLUMN, SCHEMA_VERSION};
use caucus_core::hlc::{self, Hlc};
use caucus_core::model::OrganizationPatch;
use caucus_core::store::Store;
use caucus_core::Caucus;
use std::time::Instant;
use uuid::Uuid;

/// 100,000 changes: 12,500 organizations, each created and given seven field writes.
fn remote_changes(now: u64) -> Vec<Change> {
    let site = Uuid::now_v7();
    let columns = [
        ROW_COLUMN, "name", "country", "region", "themes", "status", "name", "country",
    ];
    let mut changes = Vec::new();
    for r in 0..12_500u64 {
        for column in columns {
            let seq = changes.len() as u64 + 1;
            let value = match column {
                "themes" => serde_json::json!(["human rights"]),
                "region" => serde_json::json!("europe"),
                "status" => serde_json::json!("member"),
                "country" => serde_json::json!("NL"),
                ROW_COLUMN => serde_json::Value::Null,
                _ => serde_json::json!(format!("Organization {r}")),
            };
            changes.push(Change {
                site,
                seq,
                hlc: Hlc::new(now, (seq % 60_000) as u16),
                actor: None,
                bucket: "coalition".into(),
                table: "organization".into(),
                row: Uuid::from_u128(r as u128 + 1),
                column: column.into(),
                value,
                cl: 1,
                schema_version: SCHEMA_VERSION,
                signature: None,
            });
        }
    }
    changes
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let now = hlc::wall_ms();

    let store = Store::open(&dir.path().join("merge.db"))
        .await
        .expect("open");
    let changes = remote_changes(now);
    let started = Instant::now();
    for batch in changes.chunks(1000) {
        store.merge_remote(batch, now).await.expect("merge");
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "merge_changes_per_s {:.0}  ({} changes in batches of 1000, {:.2} s)",
        changes.len() as f64 / secs,
        changes.len(),
        secs
    );

    let started = Instant::now();
    let caucus = Caucus::open(&dir.path().join("demo.db"))
        .await
        .expect("open");
    caucus.load_demo_data(NoInput {}).await.expect("demo");
    println!(
        "demo_load_ms {:.0}",
        started.elapsed().as_secs_f64() * 1000.0
    );

    let orgs = caucus
        .list_organizations(Default::default())
        .await
        .expect("list");
    let edits = 500;
    let started = Instant::now();
    for i in 0..edits {
        let org = &orgs[i % orgs.len()];
        caucus
            .update_organization(OrganizationPatch {
                id: org.id,
                name: Some(format!("{} {i}", org.name)),
                country: None,
                region: None,
                themes: None,
                status: None,
            })
            .await
            .expect("edit");
    }
    println!(
        "local_edit_ms {:.2}  (mean of {edits} edits through the command API)",
        started.elapsed().as_secs_f64() * 1000.0 / edits as f64
    );
}
