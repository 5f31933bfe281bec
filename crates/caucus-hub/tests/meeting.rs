//! A meeting with no internet: one laptop hosts on the local network (here: loopback only,
//! mDNS on `lo` and a private port), the others find it and sync with it; one more edit goes
//! by USB bundle; later everyone syncs with the coalition's hub and all three converge with no
//! lost edit.

mod common;

use caucus_core::api::*;
use caucus_core::Caucus;
use caucus_device::meeting::{LanConfig, LanMeetings};
use caucus_hub::Policy;
use common::*;
use serde_json::json;
use std::sync::Arc;

/// Syncs while the coalition's hub is out of reach: the meeting exchange happens, and the
/// failure to reach the hub is reported as exactly that.
async fn sync_offline(device: &Caucus) {
    let err = device
        .sync_now(NoInput {})
        .await
        .expect_err("the hub is unreachable");
    assert_eq!(err.code(), "sync_unreachable", "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_devices_converge_through_a_meeting_host_a_bundle_and_the_hub() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub_db = dir.path().join("hub.db").to_string_lossy().to_string();
    let hub = Hub::start(&hub_db, Policy::Authorize).await;
    let hub_url = hub.url.clone();
    let lan = LanConfig {
        bind: "127.0.0.1".parse().expect("ip"),
        mdns_port: 20_000 + (std::process::id() % 20_000) as u16,
        loopback_only: true,
    };
    let devices: Vec<Caucus> = {
        let mut v = Vec::new();
        for name in ["a", "b", "c"] {
            let d = device(dir.path(), name).await;
            d.set_meetings(Arc::new(LanMeetings::new(lan.clone())));
            v.push(d);
        }
        v
    };
    let (a, b, c) = (&devices[0], &devices[1], &devices[2]);

    // The coalition: an admin who also leads the team, a leader and a member.
    let org = id(&call(
        a,
        "create_organization",
        json!({"name": "No Peace Without Justice", "country": "IT", "region": "europe"}),
    )
    .await);
    let person = |name: &str, admin: bool| json!({"name": name, "organization_id": org.to_string(), "secretariat_admin": admin});
    let admin = id(&call(a, "create_person", person("Melinda Reed", true)).await);
    call(
        a,
        "set_acting_person",
        json!({"person_id": admin.to_string()}),
    )
    .await;
    let leader = id(&call(a, "create_person", person("Team Leader", false)).await);
    let member = id(&call(a, "create_person", person("Team Member", false)).await);
    let group = id(&call(
        a,
        "create_group",
        json!({"name": "Budget and Finance Team", "kind": "issue_team"}),
    )
    .await);
    for (p, role) in [
        (admin, "focal_point"),
        (leader, "leader"),
        (member, "member"),
    ] {
        call(
            a,
            "join_group",
            json!({"group_id": group.to_string(), "person_id": p.to_string(), "role": role}),
        )
        .await;
    }
    connect(a, &hub_url, hub.invite(admin).await, "host laptop").await;
    connect(b, &hub_url, hub.invite(leader).await, "leader laptop").await;
    connect(c, &hub_url, hub.invite(member).await, "member laptop").await;
    let rec = id(&call(c, "create_recommendation", json!({"group_id": group.to_string(), "title": "Fund the Registry", "body": "Fund it.", "language": "en", "open": true})).await);
    for d in [c, a, b] {
        sync(d).await;
    }

    // The meeting: no internet.
    hub.stop().await;
    let status = a
        .host_meeting(HostMeeting {
            name: "Budget team, 27 November".into(),
            public_meeting: None,
        })
        .await
        .expect("host");
    let meeting = status.meeting.expect("hosting");
    let code = meeting
        .pairing_code
        .clone()
        .expect("a pairing code to show");
    assert!(meeting.hosting);
    assert_eq!(code.len(), 6, "a short code to type: {code}");
    let found = b.find_meetings(NoInput {}).await.expect("discovery");
    assert!(
        found
            .iter()
            .any(|m| m.url == meeting.url && m.name == "Budget team, 27 November"),
        "the meeting is found on the local network: {found:?} (hosted at {})",
        meeting.url
    );
    let wrong = c
        .join_meeting(JoinMeeting {
            url: meeting.url.clone(),
            pairing_code: "WRONG1".into(),
            guest_name: None,
        })
        .await;
    assert_eq!(
        wrong.expect_err("a wrong code").code(),
        "sync_invalid_invite"
    );
    for d in [b, c] {
        d.join_meeting(JoinMeeting {
            url: meeting.url.clone(),
            pairing_code: code.clone(),
            guest_name: None,
        })
        .await
        .expect("join");
    }
    // Offline edits during the meeting: distinct fields and the same field.
    call(
        b,
        "update_recommendation",
        json!({"id": rec.to_string(), "title": "Leader's title"}),
    )
    .await;
    call(
        c,
        "update_recommendation",
        json!({"id": rec.to_string(), "body": "Member's body at the meeting"}),
    )
    .await;
    call(
        a,
        "update_recommendation",
        json!({"id": rec.to_string(), "title": "Host's title", "language": "fr"}),
    )
    .await;
    let issue = call(
        b,
        "create_tracked_issue",
        json!({"group_id": group.to_string(), "title": "Registry budget line"}),
    )
    .await;
    for _ in 0..2 {
        for d in [b, c, a] {
            sync_offline(d).await;
        }
    }
    let seen = call(c, "get_recommendation", json!({"id": rec.to_string()})).await;
    assert_eq!(
        seen["title"],
        json!("Host's title"),
        "the meeting converged on the later title"
    );
    assert_eq!(seen["language"], json!("fr"));
    call(c, "get_tracked_issue", json!({"id": issue["id"]})).await;

    // After the meeting the member edits again, with no network, and carries a bundle to the host.
    for d in [b, c] {
        d.leave_meeting(NoInput {}).await.expect("leave");
    }
    a.leave_meeting(NoInput {}).await.expect("stop hosting");
    call(
        c,
        "create_comment",
        json!({"recommendation_id": rec.to_string(), "body": "Written on the train."}),
    )
    .await;
    let bundle = dir.path().join("usb.caucus");
    c.export_bundle(ExportBundle {
        path: bundle.to_string_lossy().into(),
        peer: None,
    })
    .await
    .expect("export");
    a.import_bundle(ImportBundle {
        path: Some(bundle.to_string_lossy().into()),
        content_base64: None,
    })
    .await
    .expect("import");

    // The internet is back: the hub (same address) and everyone syncs.
    let port = hub_url.rsplit(':').next().expect("port");
    let hub = loop {
        // The old socket may linger a moment; the same address is what the devices know.
        let db = Arc::new(
            caucus_hub::HubDb::open(&hub_db, Policy::Authorize)
                .await
                .expect("reopen"),
        );
        match tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await {
            Ok(listener) => {
                tokio::spawn(caucus_hub::server::serve(
                    db.clone(),
                    listener,
                    std::future::pending(),
                ));
                break db;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    };
    for _ in 0..2 {
        for d in [a, b, c] {
            let status = sync(d).await;
            assert!(
                status.refused.is_empty(),
                "nothing here is forbidden: {:?}",
                status.refused
            );
        }
    }
    for d in [a, b, c] {
        assert_eq!(
            d.sync_status(NoInput {}).await.expect("status").pending,
            0,
            "everything reached the hub"
        );
    }
    let shared = vec!["coalition".to_string(), group.to_string()];
    let first = dump_buckets(a, Some(&shared)).await;
    assert_eq!(
        first,
        dump_buckets(b, Some(&shared)).await,
        "host and leader converge"
    );
    assert_eq!(
        first,
        dump_buckets(c, Some(&shared)).await,
        "host and member converge"
    );
    let seen = call(b, "get_recommendation", json!({"id": rec.to_string()})).await;
    assert_eq!(
        seen["body"],
        json!("Member's body at the meeting"),
        "the member's edit is not lost"
    );
    assert_eq!(seen["title"], json!("Host's title"));
    let comments = call(
        b,
        "list_comments",
        json!({"recommendation_id": rec.to_string()}),
    )
    .await;
    assert_eq!(
        comments.as_array().map(Vec::len),
        Some(1),
        "the bundle's comment reached everyone"
    );
    hub.close().await;
}
