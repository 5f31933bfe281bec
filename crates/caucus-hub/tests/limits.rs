//! The hub's rate limits and invite codes over HTTP on loopback (with the address limits on, as
//! for a caller on the network): enrolment attempts run out (even the right code is then
//! refused until the wait is over), a device's requests run out, each refusal is a 429 with the
//! seconds to wait; an invite works once and not after it expires.

use caucus_core::hlc::wall_ms;
use caucus_core::sync::protocol::*;
use caucus_hub::limits::{Limits, Rate};
use caucus_hub::{HubDb, Policy};
use std::sync::Arc;
use uuid::Uuid;

struct Served {
    url: String,
    db: Arc<HubDb>,
    _dir: tempfile::TempDir,
}

async fn serve(limits: Limits) -> Served {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Arc::new(
        HubDb::open(
            &dir.path().join("hub.db").to_string_lossy(),
            Policy::Authorize,
        )
        .await
        .expect("hub"),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let served = db.clone();
    tokio::spawn(async move {
        let _ =
            caucus_hub::server::serve_with(served, listener, limits, std::future::pending()).await;
    });
    Served { url, db, _dir: dir }
}

/// Posts `body` to `path`: the status, the Retry-After seconds, and the wire error if any.
async fn post(
    url: &str,
    path: &str,
    device: Option<&DeviceCredentials>,
    body: serde_json::Value,
) -> (u16, Option<u64>, Option<WireError>) {
    let body = serde_json::to_vec(&body).expect("json");
    let mut request = reqwest::Client::new().post(format!("{url}{path}"));
    for (name, value) in request_headers(device, path, &body) {
        request = request.header(name, value);
    }
    let request = request.body(body);
    let response = request.send().await.expect("the hub answers");
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let error = response.json::<WireError>().await.ok();
    (status, retry, error)
}

/// A device enrolled with `code` straight in the hub's database (no request spent), its key
/// made from `seed`.
async fn enrol_directly(hub: &Served, code: String, seed: u8) -> DeviceCredentials {
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    let enrolled = hub
        .db
        .enrol(
            &EnrolRequest {
                invite_code: code,
                public_key: hex::encode(key.verifying_key().to_bytes()),
                site: Uuid::now_v7(),
                device_name: "Amal's laptop".into(),
                person_id: None,
                certificate: None,
                guest_name: None,
            },
            wall_ms(),
        )
        .await
        .expect("enrol directly");
    DeviceCredentials {
        token: enrolled.token,
        key,
    }
}

fn enrolment(code: &str) -> serde_json::Value {
    serde_json::json!({
        "invite_code": code,
        "public_key": format!("{:064x}", 7),
        "site": Uuid::now_v7(),
        "device_name": "Amal's laptop",
    })
}

#[tokio::test]
async fn enrolment_attempts_and_device_requests_run_out_with_a_time_to_wait() {
    let hub = serve(Limits {
        enrol_per_address: Rate {
            burst: 3,
            per_minute: 1,
        },
        sync_per_device: Rate {
            burst: 5,
            per_minute: 1,
        },
        exempt_loopback: false,
        ..Limits::default()
    })
    .await;
    let person = Uuid::now_v7();
    let code = hub
        .db
        .create_invite(Some(person), 600_000, false, wall_ms())
        .await
        .expect("invite");
    for guess in ["AAAAA-AAAAA", "BBBBB-BBBBB", "CCCCC-CCCCC"] {
        let (status, _, e) = post(&hub.url, "/v1/enrol", None, enrolment(guess)).await;
        assert_eq!(status, 403, "a wrong code is refused");
        assert_eq!(e.map(|e| e.code), Some(WireErrorCode::InvalidInvite));
    }
    let (status, retry, e) = post(&hub.url, "/v1/enrol", None, enrolment(&code)).await;
    assert_eq!(status, 429, "out of attempts, even with the right code");
    assert_eq!(e.map(|e| e.code), Some(WireErrorCode::RateLimited));
    assert!(
        retry.is_some_and(|s| (1..=60).contains(&s)),
        "says how long to wait: {retry:?}"
    );

    // A device's requests: its burst, then a wait.
    let device = enrol_directly(&hub, code, 9).await;
    let pull = serde_json::json!({"cursors": {}, "limit": 10});
    for _ in 0..5 {
        let (status, _, _) = post(&hub.url, "/v1/pull", Some(&device), pull.clone()).await;
        assert_eq!(status, 200);
    }
    let (status, retry, e) = post(&hub.url, "/v1/pull", Some(&device), pull).await;
    assert_eq!(status, 429);
    assert_eq!(e.map(|e| e.code), Some(WireErrorCode::RateLimited));
    assert!(retry.is_some_and(|s| s >= 1));
}

#[tokio::test]
async fn an_invite_works_once_and_not_after_it_expires() {
    let hub = serve(Limits::default()).await;
    let person = Uuid::now_v7();
    let code = hub
        .db
        .create_invite(Some(person), 600_000, false, wall_ms())
        .await
        .expect("invite");
    let (status, _, _) = post(&hub.url, "/v1/enrol", None, enrolment(&code)).await;
    assert_eq!(status, 200, "the invite enrols a device");
    let (status, _, e) = post(&hub.url, "/v1/enrol", None, enrolment(&code)).await;
    assert_eq!(
        (status, e.map(|e| e.code)),
        (403, Some(WireErrorCode::InvalidInvite)),
        "and only one"
    );
    let expired = hub
        .db
        .create_invite(Some(person), 1, false, wall_ms() - 10_000)
        .await
        .expect("invite");
    let (status, _, e) = post(&hub.url, "/v1/enrol", None, enrolment(&expired)).await;
    assert_eq!(
        (status, e.map(|e| e.code)),
        (403, Some(WireErrorCode::InvalidInvite)),
        "an expired invite is refused"
    );
}

#[tokio::test]
async fn a_device_over_its_rate_waits_as_told_and_its_pull_goes_through() {
    let hub = serve(Limits {
        sync_per_device: Rate {
            burst: 2,
            per_minute: 60,
        },
        exempt_loopback: false,
        ..Limits::default()
    })
    .await;
    let code = hub
        .db
        .create_invite(Some(Uuid::now_v7()), 600_000, false, wall_ms())
        .await
        .expect("invite");
    let device = enrol_directly(&hub, code, 11).await;
    let transport = caucus_device::transport::HttpTransport::default();
    let request = PullRequest {
        cursors: Default::default(),
        limit: 10,
        wait_ms: 0,
    };
    let started = std::time::Instant::now();
    for _ in 0..4 {
        caucus_core::sync::Transport::pull(&transport, &hub.url, &device, &request)
            .await
            .expect("a pull over the rate waits, then goes through");
    }
    // Two from the burst, then one a second.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1_500),
        "the device waited: {:?}",
        started.elapsed()
    );
}
