//! The wire protocol against a real hub on loopback: plain-worded errors for a version
//! mismatch, a clock far off, an oversized request and a missing token; a retried push adds
//! nothing; pulls are paged by server cursor; a new device's first sync is the compacted
//! snapshot, not the log.

mod common;

use caucus_core::api::*;
use caucus_core::change::Change;
use caucus_core::hlc::{wall_ms, Hlc};
use caucus_core::sync::protocol::*;
use caucus_core::sync::Transport;
use caucus_device::transport::HttpTransport;
use caucus_hub::Policy;
use common::*;
use serde_json::json;

async fn raw(url: &str, path: &str, headers: &[(&str, String)], body: Vec<u8>) -> (u16, WireError) {
    let mut req = reqwest::Client::new()
        .post(format!("{url}{path}"))
        .body(body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let res = req.send().await.expect("the hub answers");
    let status = res.status().as_u16();
    let bytes = res.bytes().await.expect("body");
    let error = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("a wire error, not {:?}", String::from_utf8_lossy(&bytes)));
    (status, error)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_explains_what_it_refuses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let now = || wall_ms().to_string();
    let (status, e) = raw(
        &hub.url,
        "/v1/pull",
        &[(PROTOCOL_HEADER, "0".into()), (CLOCK_HEADER, now())],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(
        (status, e.code),
        (426, WireErrorCode::VersionMismatch),
        "{}",
        e.message
    );
    let ahead = (wall_ms() + 10 * 60_000).to_string();
    let (status, e) = raw(
        &hub.url,
        "/v1/pull",
        &[(PROTOCOL_HEADER, "1".into()), (CLOCK_HEADER, ahead)],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!((status, e.code), (409, WireErrorCode::ClockSkew));
    assert!(
        e.message.contains("10 minutes"),
        "says by how much: {}",
        e.message
    );
    let (status, e) = raw(
        &hub.url,
        "/v1/pull",
        &[(PROTOCOL_HEADER, "1".into()), (CLOCK_HEADER, now())],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!((status, e.code), (401, WireErrorCode::Unauthorized));

    // A device, to push with.
    let (a, admin) = demo_device(dir.path(), "a").await;
    connect(&a, &hub.url, hub.invite(admin).await, "a").await;
    let token = credentials(&a).await;
    let site = a.store().site_id().await;
    let t = HttpTransport::default();
    let change = |seq: u64, name: String| Change {
        site,
        seq,
        hlc: Hlc::new(wall_ms(), 0),
        actor: Some(admin),
        bucket: "coalition".into(),
        table: "person".into(),
        row: admin,
        column: "name".into(),
        value: json!(name),
        cl: 1,
        schema_version: 1,
        signature: None,
    };
    let too_many = PushRequest {
        changes: (0..MAX_PUSH_CHANGES as u64 + 1)
            .map(|i| change(10_000 + i, format!("n{i}")))
            .collect(),
        guest_passes: Vec::new(),
    };
    let err = t
        .push(&hub.url, &token, &too_many)
        .await
        .expect_err("too many changes");
    assert_eq!(err.code(), "sync_payload_too_large", "{err}");
    let huge = PushRequest {
        changes: vec![change(20_000, "x".repeat(MAX_BODY_BYTES + 1))],
        guest_passes: Vec::new(),
    };
    let err = t
        .push(&hub.url, &token, &huge)
        .await
        .expect_err("too many bytes");
    assert_eq!(err.code(), "sync_payload_too_large", "{err}");

    // A retried push is acknowledged again and adds nothing.
    let batch = PushRequest {
        changes: (0..5)
            .map(|i| change(30_000 + i, format!("Melinda Reed {i}")))
            .collect(),
        guest_passes: Vec::new(),
    };
    let first = t.push(&hub.url, &token, &batch).await.expect("push");
    let held = hub.db.change_count().await.expect("count");
    let again = t.push(&hub.url, &token, &batch).await.expect("retry");
    assert_eq!(
        first.accepted, again.accepted,
        "the retry is acknowledged the same"
    );
    assert_eq!(first.accepted.len(), 5);
    assert_eq!(
        held,
        hub.db.change_count().await.expect("count"),
        "the retry stored nothing"
    );

    // The hub writes a push in batches: a push that repeats a change and mixes changes it
    // holds with new ones stores each new one once, and the field holds the latest write.
    let mut mixed = batch.changes.clone();
    mixed.push(change(30_010, "Melinda Reed, later".into()));
    mixed.push(change(30_010, "Melinda Reed, later".into()));
    mixed.push(change(30_011, "Melinda Reed, last".into()));
    let reply = t
        .push(
            &hub.url,
            &token,
            &PushRequest {
                changes: mixed,
                guest_passes: Vec::new(),
            },
        )
        .await
        .expect("mixed push");
    assert_eq!(reply.accepted.len(), 8, "every change is acknowledged");
    assert!(reply.rejected.is_empty(), "{:?}", reply.rejected);
    assert_eq!(
        hub.db.change_count().await.expect("count"),
        held + 2,
        "the two new changes are stored once each"
    );
    let snapshot = t
        .pull(
            &hub.url,
            &token,
            &PullRequest {
                cursors: Default::default(),
                limit: MAX_PULL_CHANGES,
                wait_ms: 0,
            },
        )
        .await
        .expect("pull");
    let names: Vec<&Change> = snapshot
        .changes
        .iter()
        .filter(|c| c.table == "person" && c.row == admin && c.column == "name")
        .collect();
    assert_eq!(names.len(), 1, "the snapshot holds one winner per field");
    assert_eq!(names[0].value, json!("Melinda Reed, last"));
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_are_paged_and_a_first_sync_is_the_snapshot() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let (a, admin) = demo_device(dir.path(), "a").await;
    // The same field rewritten many times: the log grows, the snapshot does not.
    let group = dispatch(&a, "list_groups", json!({}))
        .await
        .expect("groups")[0]["id"]
        .clone();
    for i in 0..50 {
        dispatch(
            &a,
            "update_group",
            json!({"id": group, "mandate": format!("Mandate, version {i}")}),
        )
        .await
        .expect("edit");
    }
    connect(&a, &hub.url, hub.invite(admin).await, "a").await;
    let logged = hub.db.change_count().await.expect("count") as usize;

    // Page by page, with a small page: cursors only move forward, and every page is bounded.
    let b = device(dir.path(), "b").await;
    let status = connect(&b, &hub.url, hub.invite(admin).await, "b").await;
    assert!(status.last_failure.is_none());
    let token = credentials(&b).await;
    let t = HttpTransport::default();
    let mut request = PullRequest {
        cursors: Default::default(),
        limit: 25,
        wait_ms: 0,
    };
    let mut received = 0;
    let mut pages = 0;
    let device = hub.db.device_by_token(&token.token).await.expect("device");
    loop {
        let page = t.pull(&hub.url, &token, &request).await.expect("pull");
        // The server writes a page from the changes' stored JSON without decoding them: what a
        // device reads is exactly the decoded page.
        assert_eq!(
            page,
            hub.db.pull(&device, &request).await.expect("decoded pull"),
            "the stored JSON is the page"
        );
        assert!(page.changes.len() <= 25, "a page holds at most the limit");
        for (bucket, cursor) in &page.cursors {
            let before = request.cursors.get(bucket).map_or(0, |c| c.server_seq);
            assert!(cursor.server_seq >= before, "cursors only move forward");
        }
        received += page.changes.len();
        pages += 1;
        request.cursors = page.cursors;
        if !page.more {
            break;
        }
    }
    assert!(pages > 2, "the snapshot came in {pages} pages");
    assert!(
        received < logged - 40,
        "a first sync is the snapshot ({received} changes), not the log ({logged})"
    );
    let mandate = dispatch(&b, "get_group", json!({"id": group}))
        .await
        .expect("group")["mandate"]
        .clone();
    assert_eq!(
        mandate,
        json!("Mandate, version 49"),
        "the snapshot holds the latest value"
    );

    // Following the log: only what is new arrives.
    dispatch(
        &a,
        "update_group",
        json!({"id": group, "mandate": "Latest"}),
    )
    .await
    .expect("edit");
    sync(&a).await;
    let page = t.pull(&hub.url, &token, &request).await.expect("pull");
    assert_eq!(page.changes.len(), 1, "one new change, nothing else");
    hub.stop().await;
}
