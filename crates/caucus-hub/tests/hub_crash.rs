//! Nothing the hub acknowledged is lost: a device pushes batches to a `caucus-hub serve`
//! process on a SQLite file while the test kills the hub with SIGKILL at random moments. After
//! each kill the hub starts again on the same file, every change it had acknowledged is there,
//! and the device's retry of everything it sent (acknowledged or not) adds no duplicate.
//! `make test` runs 20 kills (`CAUCUS_HUB_KILLS` for more).

mod common;

use caucus_core::change::{Change, ROW_COLUMN};
use caucus_core::hlc::{wall_ms, Hlc};
use caucus_core::store::Edit;
use caucus_core::sync::protocol::*;
use caucus_core::sync::Transport;
use caucus_device::transport::HttpTransport;
use caucus_hub::{HubDb, Policy};
use common::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use uuid::Uuid;

/// Rows per push; each row is its `$row` and a name.
const ROWS: u64 = 50;

fn batch(site: Uuid, admin: Uuid, first_seq: u64) -> Vec<Change> {
    let mut changes = Vec::new();
    let hlc = Hlc::new(wall_ms(), 0);
    for r in 0..ROWS {
        let row = Uuid::now_v7();
        for (i, (column, value)) in [
            (ROW_COLUMN, json!(null)),
            ("name", json!(format!("Org {first_seq}-{r}"))),
        ]
        .into_iter()
        .enumerate()
        {
            changes.push(Change {
                site,
                seq: first_seq + r * 2 + i as u64,
                hlc,
                actor: Some(admin),
                bucket: "coalition".into(),
                table: "organization".into(),
                row,
                column: column.into(),
                value,
                cl: 1,
                schema_version: 1,
                signature: None,
            });
        }
    }
    changes
}

/// Every (site, seq) the hub holds for `site`, read through a new device's first sync.
async fn held(url: &str, token: &DeviceCredentials, site: Uuid) -> BTreeSet<u64> {
    let t = HttpTransport::default();
    let mut request = PullRequest {
        cursors: Default::default(),
        limit: MAX_PULL_CHANGES,
        wait_ms: 0,
    };
    let mut seqs = BTreeSet::new();
    loop {
        let reply = t.pull(url, token, &request).await.expect("pull");
        seqs.extend(
            reply
                .changes
                .iter()
                .filter(|c| c.site == site)
                .map(|c| c.seq),
        );
        if !reply.more {
            return seqs;
        }
        request.cursors = reply.cursors;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_pushes_survive_a_killed_hub_and_retries_add_nothing() {
    let kills: usize = std::env::var("CAUCUS_HUB_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("hub.db").to_string_lossy().to_string();
    // The coalition's first admin, set up on a device that enrols through HTTP.
    let admin = Uuid::now_v7();
    let device = device(dir.path(), "d").await;
    let mut edits = vec![Edit::row("coalition", "person", admin, 1)];
    edits.push(Edit {
        bucket: "coalition".into(),
        table: "person",
        row: admin,
        column: "secretariat_admin",
        value: json!(true),
        cl: 1,
    });
    device
        .store()
        .write(Some(admin), edits)
        .await
        .expect("admin");
    let mut hub = hub_process(&db);
    let invites = HubDb::open(&db, Policy::Authorize).await.expect("hub db");
    let code = invites
        .create_invite(Some(admin), 600_000, false, wall_ms())
        .await
        .expect("invite");
    invites.close().await;
    connect(&device, &hub.url, code, "d").await;
    let token = credentials(&device).await;
    let site = device.store().site_id().await;

    let acknowledged = Arc::new(Mutex::new(BTreeSet::<u64>::new()));
    let mut sent: Vec<Vec<Change>> = Vec::new();
    let mut next_seq = 1_000_000u64;
    let mut seed = wall_ms() | 1;
    for kill in 0..kills {
        // Pushes until the kill: each batch new, its acknowledgement recorded.
        let batches: Vec<Vec<Change>> = (0..8)
            .map(|b| batch(site, admin, next_seq + b * ROWS * 2))
            .collect();
        next_seq += 8 * ROWS * 2;
        sent.extend(batches.iter().cloned());
        let (url, token_c, acked) = (hub.url.clone(), token.clone(), acknowledged.clone());
        let pusher = tokio::spawn(async move {
            let t = HttpTransport::default();
            for changes in batches {
                match t
                    .push(
                        &url,
                        &token_c,
                        &PushRequest {
                            changes,
                            guest_passes: Vec::new(),
                        },
                    )
                    .await
                {
                    Ok(reply) => {
                        assert!(reply.rejected.is_empty(), "{:?}", reply.rejected);
                        let mut acked = acked.lock().expect("acked");
                        acked.extend(reply.accepted.iter().map(|id| id.seq));
                    }
                    Err(_) => return,
                }
            }
        });
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(20 + seed % 300)).await;
        drop(hub); // SIGKILL
        let _ = pusher.await;
        hub = hub_process(&db);
        let there = held(&hub.url, &token, site).await;
        let acked = acknowledged.lock().expect("acked").clone();
        let lost: Vec<&u64> = acked.difference(&there).collect();
        assert!(
            lost.is_empty(),
            "kill {kill}: {} acknowledged changes lost, first {:?}",
            lost.len(),
            lost.first()
        );
    }
    // The device retries everything it ever sent: what the hub had is acknowledged again and
    // not stored twice; what it never received is stored now.
    let t = HttpTransport::default();
    for changes in &sent {
        let reply = t
            .push(
                &hub.url,
                &token,
                &PushRequest {
                    changes: changes.clone(),
                    guest_passes: Vec::new(),
                },
            )
            .await
            .expect("retry");
        assert_eq!(
            reply.accepted.len(),
            changes.len(),
            "a retry is acknowledged"
        );
    }
    let after: BTreeSet<u64> = held(&hub.url, &token, site)
        .await
        .into_iter()
        .filter(|seq| *seq >= 1_000_000)
        .collect();
    let expected: BTreeSet<u64> = sent.iter().flatten().map(|c| c.seq).collect();
    assert!(
        after == expected,
        "after the retries the hub holds {} of the {} changes sent; first missing {:?}",
        after.len(),
        expected.len(),
        expected.difference(&after).next()
    );
    let hub_db = HubDb::open(&db, Policy::Authorize).await.expect("hub db");
    let stored = hub_db.change_count().await.expect("count");
    // The device's own admin changes, plus every change it sent: none twice.
    assert_eq!(
        stored as usize,
        expected.len() + 2,
        "the log holds each change once"
    );
    hub_db.close().await;
    println!(
        "HUB CRASH kills: {kills}, changes acknowledged before a kill: {}, lost: 0",
        acknowledged.lock().expect("acked").len()
    );
}
