//! Signed requests: a push or pull counts only as its device signed it, and only once. A
//! captured request sent again is refused, to the same hub process and to another over the
//! same PostgreSQL; a body swapped under a signature, a request signed with another key, and a
//! token with no signature are refused and change nothing.

mod common;

use caucus_core::change::Change;
use caucus_core::hlc::{wall_ms, Hlc};
use caucus_core::sync::protocol::*;
use caucus_hub::{HubDb, Policy};
use common::*;
use serde_json::json;

/// A request as it went over the wire once: path, headers and body, to send again.
#[derive(Clone)]
struct Captured {
    path: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

/// A request as the device sends it, but signed with `key` (the device's own, or another).
fn signed(
    device: &DeviceCredentials,
    key: &ed25519_dalek::SigningKey,
    path: &'static str,
    body: Vec<u8>,
) -> Captured {
    let signer = DeviceCredentials {
        token: device.token.clone(),
        key: key.clone(),
    };
    Captured {
        path,
        headers: request_headers(Some(&signer), path, &body),
        body,
    }
}

/// Sends a captured request: the status and the body.
async fn send(url: &str, request: &Captured) -> (u16, String) {
    let mut builder = reqwest::Client::new()
        .post(format!("{url}{}", request.path))
        .body(request.body.clone());
    for (k, v) in &request.headers {
        builder = builder.header(*k, v);
    }
    let response = builder.send().await.expect("the hub answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

fn refused(answer: &(u16, String), why: &str) {
    assert_eq!(answer.0, 401, "refused ({why}): {}", answer.1);
    let error: WireError = serde_json::from_str(&answer.1).expect("a wire error");
    assert_eq!(error.code, WireErrorCode::Unauthorized, "{why}");
}

fn pull_body() -> Vec<u8> {
    serde_json::to_vec(&PullRequest {
        cursors: Default::default(),
        limit: 10,
        wait_ms: 0,
    })
    .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_counts_once_and_only_as_its_device_signed_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let (a, admin) = demo_device(dir.path(), "a").await;
    connect(&a, &hub.url, hub.invite(admin).await, "a").await;
    let device = credentials(&a).await;
    let held = hub.db.change_count().await.expect("count");

    // A pull, signed: answered once, refused the second time.
    let pull = signed(&device, &device.key, "/v1/pull", pull_body());
    assert_eq!(send(&hub.url, &pull).await.0, 200, "the signed pull");
    let again = send(&hub.url, &pull).await;
    refused(&again, "the same request again");
    assert!(
        again.1.contains("already received"),
        "says why: {}",
        again.1
    );

    // A push whose body is swapped under a signed pull's headers; one signed with a key the
    // device did not enrol; one with the token alone. None is stored.
    let site = a.store().site_id().await;
    let change = Change {
        site,
        seq: 9_000_000,
        hlc: Hlc::new(wall_ms(), 0),
        actor: Some(admin),
        bucket: "coalition".into(),
        table: "person".into(),
        row: admin,
        column: "name".into(),
        value: json!("Forged name"),
        cl: 1,
        schema_version: 1,
        signature: None,
    };
    let push_body = serde_json::to_vec(&PushRequest {
        changes: vec![change],
        guest_passes: Vec::new(),
    })
    .expect("json");
    let mut swapped = signed(&device, &device.key, "/v1/push", pull_body());
    swapped.body = push_body.clone();
    refused(
        &send(&hub.url, &swapped).await,
        "a body swapped under a signature",
    );
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let resigned = signed(&device, &stranger, "/v1/push", push_body.clone());
    let answer = send(&hub.url, &resigned).await;
    refused(&answer, "signed with another key");
    assert!(answer.1.contains("signature"), "says why: {}", answer.1);
    let mut unsigned = signed(&device, &device.key, "/v1/push", push_body.clone());
    unsigned
        .headers
        .retain(|(k, _)| *k != SIGNATURE_HEADER && *k != NONCE_HEADER);
    refused(
        &send(&hub.url, &unsigned).await,
        "a token with no signature",
    );
    // Signed for the pull route, sent to the push route.
    let mut rerouted = signed(&device, &device.key, "/v1/pull", push_body.clone());
    rerouted.path = "/v1/push";
    refused(
        &send(&hub.url, &rerouted).await,
        "a signature for another route",
    );
    assert_eq!(
        hub.db.change_count().await.expect("count"),
        held,
        "no refused push was stored"
    );

    // The device's own sync still works: every request it sends is new.
    for _ in 0..3 {
        let status = a
            .sync_now(caucus_core::api::NoInput {})
            .await
            .expect("sync");
        assert!(status.last_failure.is_none());
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_replayed_to_a_second_hub_process_is_refused() {
    let pg = Postgres::start().expect("a PostgreSQL cluster starts");
    let shared = pg.database("shared").expect("createdb");
    let invites = HubDb::open(&shared, Policy::Authorize)
        .await
        .expect("hub db");
    let one = hub_process(&shared);
    let two = hub_process(&shared);
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, admin) = demo_device(dir.path(), "a").await;
    let code = invites
        .create_invite(Some(admin), 600_000, false, wall_ms())
        .await
        .expect("invite");
    connect(&a, &one.url, code, "a").await;
    let device = credentials(&a).await;
    let pull = signed(&device, &device.key, "/v1/pull", pull_body());
    assert_eq!(
        send(&one.url, &pull).await.0,
        200,
        "the first process answers"
    );
    refused(
        &send(&two.url, &pull).await,
        "the same request to the second process",
    );
    let fresh = signed(&device, &device.key, "/v1/pull", pull_body());
    assert_eq!(
        send(&two.url, &fresh).await.0,
        200,
        "a new request to the second process"
    );
    invites.close().await;
}
