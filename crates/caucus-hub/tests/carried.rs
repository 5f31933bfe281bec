//! What a member's own enrolled device can try against the real hub with a modified app, or
//! an older one, beyond a role's rights (those are the matrix of `sync_hub.rs`): changing
//! sides and endorsing for another organization, values the schema does not allow, changes
//! carried for a removed device by bundle and by meeting host, changes in another device's
//! name, an oversized push, more refusals than the panel shows at first. Each is refused with
//! its reason shown where it was sent from, changes nothing on any other replica, and leaves
//! every list readable everywhere.

mod common;

use caucus_core::api::*;
use caucus_core::change::Change;
use caucus_core::model::Endorsement;
use caucus_core::sync::protocol::{PushRequest, MAX_BODY_BYTES};
use caucus_core::sync::Transport;
use caucus_core::Caucus;
use caucus_device::meeting::{LanConfig, LanMeetings};
use caucus_device::transport::HttpTransport;
use caucus_hub::Policy;
use common::*;
use serde_json::{json, Value};
use std::sync::Arc;
use uuid::Uuid;

/// A coalition on a hub: the admin's device, a leader's, a member's and an observer's, one
/// team, and a recommendation the member wrote.
struct Scene {
    _dir: tempfile::TempDir,
    hub: Hub,
    admin: Caucus,
    leader: Caucus,
    member: Caucus,
    observer: Caucus,
    member_id: Uuid,
    group: Uuid,
    rec: Uuid,
    org: Uuid,
    other_org: Uuid,
    dir: std::path::PathBuf,
}

async fn scene() -> Scene {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let admin = device(dir.path(), "admin").await;
    let org = id(&call(
        &admin,
        "create_organization",
        json!({"name": "Women's Initiatives for Gender Justice", "country": "NL", "region": "europe"}),
    )
    .await);
    let person = |name: &str, is_admin: bool| json!({"name": name, "organization_id": org.to_string(), "secretariat_admin": is_admin});
    let admin_id = id(&call(&admin, "create_person", person("Melinda Reed", true)).await);
    call(
        &admin,
        "set_acting_person",
        json!({"person_id": admin_id.to_string()}),
    )
    .await;
    let other_org = id(&call(
        &admin,
        "create_organization",
        json!({"name": "Avocats Sans Frontières", "country": "BE", "region": "europe"}),
    )
    .await);
    let leader_id = id(&call(&admin, "create_person", person("Team Leader", false)).await);
    let member_id = id(&call(&admin, "create_person", person("Team Member", false)).await);
    let observer_id = id(&call(&admin, "create_person", person("Team Observer", false)).await);
    let group = id(&call(
        &admin,
        "create_group",
        json!({"name": "Gender Justice Team", "kind": "issue_team"}),
    )
    .await);
    for (p, role) in [
        (leader_id, "leader"),
        (member_id, "member"),
        (observer_id, "observer"),
    ] {
        call(
            &admin,
            "join_group",
            json!({"group_id": group.to_string(), "person_id": p.to_string(), "role": role}),
        )
        .await;
    }
    connect(&admin, &hub.url, hub.invite(admin_id).await, "admin").await;
    let mut devices = Vec::new();
    for (name, person) in [
        ("leader", leader_id),
        ("member", member_id),
        ("observer", observer_id),
    ] {
        let d = device(dir.path(), name).await;
        connect(&d, &hub.url, hub.invite(person).await, name).await;
        devices.push(d);
    }
    let observer = devices.pop().expect("observer");
    let member = devices.pop().expect("member");
    let leader = devices.pop().expect("leader");
    let rec = id(&call(
        &member,
        "create_recommendation",
        json!({"group_id": group.to_string(), "title": "Gender focal points in every organ",
               "body": "Each organ of the Court names a gender focal point.", "language": "en",
               "open": true}),
    )
    .await);
    sync(&member).await;
    for d in [&admin, &leader, &observer] {
        sync(d).await;
    }
    let path = dir.path().to_path_buf();
    Scene {
        _dir: dir,
        hub,
        admin,
        leader,
        member,
        observer,
        member_id,
        group,
        rec,
        org,
        other_org,
        dir: path,
    }
}

impl Scene {
    fn all(&self) -> [(&'static str, &Caucus); 4] {
        [
            ("admin", &self.admin),
            ("leader", &self.leader),
            ("member", &self.member),
            ("observer", &self.observer),
        ]
    }

    /// Every device syncs, then every list reads on every device.
    async fn settle(&self, why: &str) {
        for (_, d) in self.all() {
            let _ = d.sync_now(NoInput {}).await;
        }
        for (name, d) in self.all() {
            every_list_reads(d, &format!("{name}, {why}")).await;
        }
    }
}

/// The refusal of changes to `table` with `code`, as the sync panel of `device` shows it.
async fn refusal(device: &Caucus, table: &str, code: &str) -> Option<RefusedChange> {
    device
        .refused_changes(NoInput {})
        .await
        .expect("refusals")
        .into_iter()
        .find(|r| r.table == table && r.code == code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_changes_sides_or_endorses_for_another_organization() {
    let s = scene().await;
    let me = s.member_id;
    let site = s.member.store().site_id().await;
    let seq = next_seq(&s.member, site).await;
    let endorsement = Endorsement::id_for(s.rec, s.other_org);
    let bucket = s.group.to_string();
    let mut changes = vec![raw_change(
        site,
        seq,
        me,
        "coalition",
        "person",
        me,
        "organization_id",
        json!(s.other_org.to_string()),
    )];
    for (i, (column, value)) in [
        ("$row", Value::Null),
        ("recommendation_id", json!(s.rec.to_string())),
        ("organization_id", json!(s.other_org.to_string())),
        ("person_id", json!(me.to_string())),
    ]
    .into_iter()
    .enumerate()
    {
        changes.push(raw_change(
            site,
            seq + 1 + i as u64,
            me,
            &bucket,
            "endorsement",
            endorsement,
            column,
            value,
        ));
    }
    queue_raw(&s.member, &changes).await;
    let status = sync(&s.member).await;
    assert!(
        status.refused.iter().any(|r| r.table == "person"
            && r.columns == vec!["organization_id".to_string()]
            && r.code == "forbidden"),
        "moving oneself to another organization is refused, with the field named: {:?}",
        status.refused
    );
    let endorsing = refusal(&s.member, "endorsement", "forbidden")
        .await
        .expect("endorsing for another organization is refused");
    assert!(
        endorsing.reason.contains("organization"),
        "the reason says why: {}",
        endorsing.reason
    );
    s.settle("after the member tried to change sides").await;
    for (name, d) in s.all() {
        let person = call(d, "get_person", json!({"id": me.to_string()})).await;
        assert_eq!(
            person["organization_id"],
            json!(s.org.to_string()),
            "{name}: the member still acts for their own organization"
        );
        let endorsements = call(
            d,
            "list_endorsements",
            json!({"recommendation_id": s.rec.to_string()}),
        )
        .await;
        assert_eq!(
            endorsements.as_array().map(Vec::len),
            Some(0),
            "{name}: no endorsement in the other organization's name"
        );
    }
    // The member may still endorse for their own organization.
    call(
        &s.member,
        "endorse_recommendation",
        json!({"recommendation_id": s.rec.to_string()}),
    )
    .await;
    let status = sync(&s.member).await;
    assert_eq!(status.pending, 0, "one's own endorsement is accepted");
    s.hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_value_the_schema_does_not_allow_is_refused_and_never_breaks_a_screen() {
    let s = scene().await;
    let me = s.member_id;
    let comment = id(&call(
        &s.member,
        "create_comment",
        json!({"recommendation_id": s.rec.to_string(), "body": "Also the Registry."}),
    )
    .await);
    sync(&s.member).await;
    let before: Vec<Value> = {
        let mut v = Vec::new();
        for (_, d) in s.all() {
            v.push(call(d, "get_recommendation", json!({"id": s.rec.to_string()})).await);
        }
        v
    };
    let site = s.member.store().site_id().await;
    let seq = next_seq(&s.member, site).await;
    let bucket = s.group.to_string();
    let poison = [
        ("recommendation", s.rec, "co_author_ids", json!({"x": 1})),
        ("recommendation", s.rec, "language", json!("klingon")),
        ("comment", comment, "kind", json!("bogus")),
    ];
    let changes: Vec<Change> = poison
        .iter()
        .enumerate()
        .map(|(i, (table, row, column, value))| {
            raw_change(
                site,
                seq + i as u64,
                me,
                &bucket,
                table,
                *row,
                column,
                value.clone(),
            )
        })
        .collect();
    queue_raw(&s.member, &changes).await;
    let status = sync(&s.member).await;
    for (table, _, column, _) in &poison {
        let r = status
            .refused
            .iter()
            .find(|r| r.table == *table && r.columns.contains(&column.to_string()))
            .unwrap_or_else(|| panic!("{table}.{column} is refused: {:?}", status.refused));
        assert_eq!(r.code, "invalid", "{table}.{column}: {}", r.reason);
        assert!(
            r.reason.contains(column),
            "the reason names the field: {}",
            r.reason
        );
    }
    assert_eq!(status.pending, 0, "a refused value is not retried");
    s.settle("after the member pushed values the schema does not allow")
        .await;
    for ((name, d), before) in s.all().into_iter().zip(before) {
        let rec = call(d, "get_recommendation", json!({"id": s.rec.to_string()})).await;
        assert_eq!(rec, before, "{name}: the recommendation is as it was");
        let c = call(d, "get_comment", json!({"id": comment.to_string()})).await;
        assert_eq!(c["kind"], json!("comment"), "{name}: the comment's kind");
    }

    // A replica that holds a bad value from an older version reads the record anyway, names
    // the field, and an edit repairs it.
    sqlx::query(
        "UPDATE recommendation SET language = 'klingon', co_author_ids = '{\"x\":1}' WHERE id = ?",
    )
    .bind(s.rec.to_string())
    .execute(s.leader.store().pool())
    .await
    .expect("an older version's value");
    every_list_reads(&s.leader, "the leader holding an older version's values").await;
    let rec = call(
        &s.leader,
        "get_recommendation",
        json!({"id": s.rec.to_string()}),
    )
    .await;
    assert_eq!(
        rec["unreadable"],
        json!(["co_author_ids", "language"]),
        "the unreadable fields are named: {rec}"
    );
    assert_eq!(
        rec["title"],
        before_title(&s).await,
        "the rest reads as it is"
    );
    let repaired = call(
        &s.leader,
        "update_recommendation",
        json!({"id": s.rec.to_string(), "language": "fr"}),
    )
    .await;
    assert_eq!(repaired["language"], json!("fr"));
    assert_eq!(
        repaired["unreadable"],
        json!(["co_author_ids"]),
        "the edited field reads again"
    );
    s.hub.stop().await;
}

/// The bodies of a recommendation's comments that are not archived.
async fn comments_on(d: &Caucus, rec: Uuid) -> Vec<String> {
    d.list_comments(caucus_core::model::CommentFilter {
        recommendation_id: Some(rec),
        include_archived: None,
    })
    .await
    .expect("comments")
    .into_iter()
    .map(|c| c.body)
    .collect()
}

async fn before_title(s: &Scene) -> Value {
    call(
        &s.admin,
        "get_recommendation",
        json!({"id": s.rec.to_string()}),
    )
    .await["title"]
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_a_removed_device_made_are_refused_when_a_bundle_or_a_meeting_carries_them() {
    let s = scene().await;
    // Written before the observer's laptop is removed, not yet synced: still the observer's.
    call(
        &s.observer,
        "create_comment",
        json!({"recommendation_id": s.rec.to_string(), "body": "Written before the laptop was lost."}),
    )
    .await;
    let device_id = s
        .observer
        .sync_status(NoInput {})
        .await
        .expect("status")
        .device_id
        .expect("enrolled");
    assert!(s
        .hub
        .db
        .revoke(device_id, caucus_core::hlc::wall_ms())
        .await
        .expect("revoke"));
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    call(
        &s.observer,
        "create_comment",
        json!({"recommendation_id": s.rec.to_string(), "body": "Written after the laptop was removed."}),
    )
    .await;
    let err = s
        .observer
        .sync_now(NoInput {})
        .await
        .expect_err("the removed device is refused");
    assert_eq!(err.code(), "sync_revoked");

    // By bundle: the member carries the observer's changes to the hub. The member has heard
    // of the removal (its pulls list removed devices), so it holds the later comment back
    // itself, before the hub says anything.
    sync(&s.member).await;
    let path = s.dir.join("from-observer.caucus");
    s.observer
        .export_bundle(ExportBundle {
            path: path.to_string_lossy().into(),
            peer: None,
        })
        .await
        .expect("export");
    s.member
        .import_bundle(ImportBundle {
            path: Some(path.to_string_lossy().into()),
            content_base64: None,
        })
        .await
        .expect("import");
    let held = s.member.sync_status(NoInput {}).await.expect("status").held;
    assert!(
        held.iter()
            .any(|h| h.table == "comment" && h.code == "revoked"),
        "the importer holds what the removed device wrote after its removal: {held:?}"
    );
    assert!(
        !comments_on(&s.member, s.rec)
            .await
            .contains(&"Written after the laptop was removed.".to_string()),
        "and does not show it"
    );
    let status = sync(&s.member).await;
    let refused = refusal(&s.member, "comment", "forbidden")
        .await
        .unwrap_or_else(|| panic!("the later comment is refused: {:?}", status.refused));
    assert!(
        refused.reason.contains("removed"),
        "the carrier is told why: {}",
        refused.reason
    );
    s.settle("after a bundle carried a removed device's changes")
        .await;
    for (name, d) in s.all() {
        if name == "observer" {
            continue;
        }
        assert_eq!(
            comments_on(d, s.rec).await,
            vec!["Written before the laptop was lost.".to_string()],
            "{name}: the comment written before the removal arrives, the later one nowhere"
        );
    }

    // By meeting: the member hosts, the removed laptop joins and sends a new change, and the
    // member carries it to the hub.
    let lan = LanConfig {
        bind: "127.0.0.1".parse().expect("ip"),
        mdns_port: 21_000 + (std::process::id() % 20_000) as u16,
        loopback_only: true,
    };
    for d in [&s.member, &s.observer] {
        d.set_meetings(Arc::new(LanMeetings::new(lan.clone())));
    }
    let hosted = s
        .member
        .host_meeting(HostMeeting {
            name: "Gender team, The Hague".into(),
            public_meeting: None,
        })
        .await
        .expect("host")
        .meeting
        .expect("hosting");
    // The meeting knows the coalition's removals from its host: the removed laptop cannot
    // join it at all.
    let err = s
        .observer
        .join_meeting(JoinMeeting {
            url: hosted.url.clone(),
            pairing_code: hosted.pairing_code.clone().expect("code"),
            guest_name: None,
        })
        .await
        .expect_err("a removed laptop cannot join the meeting");
    assert_eq!(err.code(), "sync_revoked", "{err}");
    s.member
        .leave_meeting(NoInput {})
        .await
        .expect("stop hosting");
    s.hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_in_another_devices_name_is_refused_and_never_stands_in_for_its_own() {
    let s = scene().await;
    let issue = id(&call(
        &s.leader,
        "create_tracked_issue",
        json!({"group_id": s.group.to_string(), "title": "Gender strategy review"}),
    )
    .await);
    s.settle("before").await;
    let leader_site = s.leader.store().site_id().await;
    let leader_person = s
        .leader
        .sync_status(NoInput {})
        .await
        .expect("status")
        .person_id
        .expect("person");
    // The leader's next sequence numbers, which the leader has not used yet.
    let seq = next_seq(&s.leader, leader_site).await;
    let bucket = s.group.to_string();
    let forged = |seq: u64, title: &str| {
        raw_change(
            leader_site,
            seq,
            leader_person,
            &bucket,
            "tracked_issue",
            issue,
            "title",
            json!(title),
        )
    };
    // Unsigned, and signed with the member's own key.
    let unsigned = forged(seq, "Renamed in the leader's name");
    let mut signed = vec![forged(seq + 1, "Signed by someone else")];
    caucus_core::signature::sign_write(&s.member.store().device_key().await, &mut signed);
    queue_raw(&s.member, &[unsigned]).await;
    queue_raw(&s.member, &signed).await;
    let status = sync(&s.member).await;
    let refused: Vec<&RefusedChange> = status
        .refused
        .iter()
        .filter(|r| r.table == "tracked_issue")
        .collect();
    assert_eq!(
        refused.len(),
        2,
        "both are refused, each with its reason: {refused:?}"
    );
    assert!(refused.iter().all(|r| r.code == "unproven"), "{refused:?}");
    assert!(
        refused
            .iter()
            .any(|r| r.reason.contains("not that of the device it names")),
        "a signature by another key is named as such: {refused:?}"
    );
    assert!(
        refused.iter().any(|r| r.reason.contains("did not come")),
        "a missing signature is named as such: {refused:?}"
    );
    s.settle("after the member wrote in the leader's name")
        .await;
    for (name, d) in s.all() {
        if name == "member" {
            continue;
        }
        let seen = call(d, "get_tracked_issue", json!({"id": issue.to_string()})).await;
        assert_eq!(
            seen["title"],
            json!("Gender strategy review"),
            "{name}: nothing in the leader's name was accepted"
        );
    }
    // The leader's own changes with those sequence numbers are accepted, not mistaken for the
    // forgeries.
    for title in [
        "Gender strategy review, 2027",
        "Gender strategy review, final",
    ] {
        call(
            &s.leader,
            "update_tracked_issue",
            json!({"id": issue.to_string(), "title": title}),
        )
        .await;
    }
    let status = sync(&s.leader).await;
    assert_eq!(status.pending, 0, "the leader's own edits are accepted");
    sync(&s.admin).await;
    let seen = call(
        &s.admin,
        "get_tracked_issue",
        json!({"id": issue.to_string()}),
    )
    .await;
    assert_eq!(seen["title"], json!("Gender strategy review, final"));

    // Nor can the member enrol a device claiming the leader's site.
    let code = s.hub.invite(s.member_id).await;
    let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
    let err = s
        .hub
        .db
        .enrol(
            &caucus_core::sync::protocol::EnrolRequest {
                invite_code: code,
                public_key: hex::encode(key.verifying_key().to_bytes()),
                site: leader_site,
                device_name: "borrowed".into(),
                person_id: None,
                certificate: None,
                guest_name: None,
            },
            caucus_core::hlc::wall_ms(),
        )
        .await
        .expect_err("a site is one person's");
    assert!(err.to_string().contains("someone else"), "{err}");
    s.hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_push_and_many_refusals_are_reported_in_full() {
    let s = scene().await;
    // Over the body limit: refused in the protocol's shape, as every refusal is.
    let body = serde_json::to_vec(&PushRequest {
        changes: vec![raw_change(
            s.member.store().site_id().await,
            next_seq(&s.member, s.member.store().site_id().await).await,
            s.member_id,
            "coalition",
            "person",
            s.member_id,
            "name",
            json!("x".repeat(MAX_BODY_BYTES + 1)),
        )],
        guest_passes: Vec::new(),
    })
    .expect("json");
    let credentials = credentials(&s.member).await;
    let mut request = reqwest::Client::new().post(format!("{}/v1/push", s.hub.url));
    for (name, value) in
        caucus_core::sync::protocol::request_headers(Some(&credentials), "/v1/push", &body)
    {
        request = request.header(name, value);
    }
    let response = request
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 413);
    let error: Value = response.json().await.expect("a JSON error");
    assert_eq!(error["code"], json!("payload_too_large"), "{error}");
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    let request: PushRequest = serde_json::from_slice(&body).expect("decodes");
    let err = HttpTransport::default()
        .push(&s.hub.url, &credentials, &request)
        .await
        .expect_err("too large");
    assert_eq!(err.code(), "sync_payload_too_large", "{err}");

    // Twenty-five refused creations of people: the panel shows twenty, says how many there
    // are, and lists them all on request.
    let site = s.member.store().site_id().await;
    let mut seq = next_seq(&s.member, site).await;
    let mut changes = Vec::new();
    for i in 0..25 {
        let row = Uuid::now_v7();
        for (column, value) in [
            ("$row", Value::Null),
            ("name", json!(format!("Invented person {i}"))),
        ] {
            changes.push(raw_change(
                site,
                seq,
                s.member_id,
                "coalition",
                "person",
                row,
                column,
                value,
            ));
            seq += 1;
        }
    }
    queue_raw(&s.member, &changes).await;
    let status = sync(&s.member).await;
    assert_eq!(status.refused.len(), 20, "the panel shows twenty at first");
    assert_eq!(
        status.refused_total, 25,
        "one line per refused record, all counted"
    );
    let all = s.member.refused_changes(NoInput {}).await.expect("all");
    assert_eq!(all.len(), 25, "and lists them all on request");
    assert!(
        all.iter()
            .all(|r| r.columns.contains(&"$row".to_string()) && r.code == "forbidden"),
        "each names the record's creation: {all:?}"
    );
    s.settle("after twenty-five refused creations").await;
    s.hub.stop().await;
}

/// A device is one person: the hub certifies each device's key and site as its person at
/// enrolment, every device keeps the hub's key, and a device learns the certificates of the
/// devices whose changes it pulls, so it can later tell their makers from forgers with no hub
/// in reach. Only certificates the coalition's hub signed, for the coalition, are kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_device_is_certified_as_its_person_and_learns_the_others_certificates() {
    use caucus_core::certificate::{Certificate, Refusal};
    use caucus_core::store::certificates;
    let s = scene().await;
    let now = caucus_core::hlc::wall_ms();
    let (hub, hub_key) = certificates::trust(s.member.store())
        .await
        .expect("settings")
        .expect("the member's device keeps its hub's key");
    assert_eq!(hub_key, s.hub.db.public_key(), "the hub's own key");
    let site = s.member.store().site_id().await;
    let key = s.member.store().device_key().await.verifying_key();
    let own = certificates::of_site(s.member.store().pool(), site)
        .await
        .expect("read");
    assert_eq!(own.len(), 1, "its own certificate: {own:?}");
    assert_eq!(own[0].person, s.member_id, "certified as its person");
    assert_eq!(own[0].verify(hub, &hub_key, now), Ok(key), "for its key");

    // The observer pulled the member's recommendation, and the certificate with it.
    let learned = certificates::of_site(s.observer.store().pool(), site)
        .await
        .expect("read");
    assert_eq!(learned, own, "the observer holds the member's certificate");

    // A certificate the hub did not sign, or another coalition's, is not kept.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let forged = Certificate::issue(
        &stranger,
        hub,
        s.member_id,
        Uuid::now_v7(),
        &stranger.verifying_key(),
        now,
    );
    let foreign = Certificate::issue(
        &stranger,
        Uuid::now_v7(),
        s.member_id,
        Uuid::now_v7(),
        &stranger.verifying_key(),
        now,
    );
    let (kept, refused) = certificates::remember(
        s.observer.store().pool(),
        (hub, &hub_key),
        &[forged, foreign],
        now,
    )
    .await
    .expect("remember");
    assert_eq!(kept, 0);
    let reasons: Vec<Refusal> = refused.into_iter().map(|(_, why)| why).collect();
    assert_eq!(reasons, vec![Refusal::Forged, Refusal::ForeignHub]);
    assert_eq!(
        certificates::count(s.observer.store().pool())
            .await
            .expect("count"),
        3,
        "its own, and those of the admin's and the member's devices, whose changes it pulled \
         (the leader's device wrote nothing)"
    );
}

/// A comment's write as `site` would have made it: its row and fields, numbered from `seq`,
/// by `actor`, signed with `key`.
fn comment_write(
    site: Uuid,
    seq: u64,
    actor: Uuid,
    key: &ed25519_dalek::SigningKey,
    (group, rec): (Uuid, Uuid),
    body: &str,
) -> Vec<Change> {
    let row = Uuid::now_v7();
    let hlc = caucus_core::hlc::Hlc::new(caucus_core::hlc::wall_ms() - 1_000, 0);
    let fields = [
        (caucus_core::change::ROW_COLUMN, Value::Null),
        ("recommendation_id", json!(rec.to_string())),
        ("author_id", json!(actor.to_string())),
        ("body", json!(body)),
        ("kind", json!("comment")),
    ];
    let mut changes: Vec<Change> = fields
        .into_iter()
        .enumerate()
        .map(|(i, (column, value))| Change {
            site,
            seq: seq + i as u64,
            hlc,
            actor: Some(actor),
            bucket: group.to_string(),
            table: "comment".into(),
            row,
            column: column.into(),
            value,
            cl: 1,
            schema_version: caucus_core::change::SCHEMA_VERSION,
            signature: None,
        })
        .collect();
    caucus_core::signature::sign_write(key, &mut changes);
    changes
}

/// Every replica judges what a bundle brings: a change it cannot trace to a device the hub
/// certified, as the person that device acts for, is held back from its records and listed
/// with why, passed on to the hub, and released when the hub accepts it; the hub refusing it
/// drops it. Forged: a member's device claiming a leader's comment, a change re-signed with a
/// key nobody enrolled, a device certified by another coalition's hub, an expired certificate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_importer_holds_back_what_it_cannot_trace_to_a_certified_maker() {
    use caucus_core::certificate::{Certificate, VALID_MS};
    use caucus_core::sync::bundle::Bundle;
    let s = scene().await;
    let now = caucus_core::hlc::wall_ms();
    let hub_id = s.hub.db.hub_id();
    let leader_id = call(&s.leader, "get_session", json!({})).await["acting_person"]["id"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .expect("the leader acts as themselves");
    let member_site = s.member.store().site_id().await;
    let member_key = s.member.store().device_key().await;
    let place = (s.group, s.rec);
    let seq = 1_000_000;

    // A member's device signing a comment in the leader's name.
    let mut forged = comment_write(
        member_site,
        seq,
        leader_id,
        &member_key,
        place,
        "FORGED: other person",
    );
    // The member's site, signed by a key nobody enrolled.
    let stranger = ed25519_dalek::SigningKey::from_bytes(&[41; 32]);
    forged.extend(comment_write(
        member_site,
        seq + 10,
        s.member_id,
        &stranger,
        place,
        "FORGED: wrong key",
    ));
    // A device certified by another coalition's hub.
    let foreign_key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let foreign_site = Uuid::now_v7();
    let foreign = Certificate::issue(
        &stranger,
        Uuid::now_v7(),
        s.member_id,
        foreign_site,
        &foreign_key.verifying_key(),
        now,
    );
    forged.extend(comment_write(
        foreign_site,
        1,
        s.member_id,
        &foreign_key,
        place,
        "FORGED: foreign certificate",
    ));
    // A device whose certificate from this hub expired.
    let old_key = ed25519_dalek::SigningKey::from_bytes(&[43; 32]);
    let old_site = Uuid::now_v7();
    let expired = s.hub.db.certify(
        s.member_id,
        old_site,
        &old_key.verifying_key(),
        now - 2 * VALID_MS,
    );
    forged.extend(comment_write(
        old_site,
        1,
        s.member_id,
        &old_key,
        place,
        "FORGED: expired certificate",
    ));
    // And a genuine comment by the observer, in a bundle that brings no certificate for it.
    let observer_site = s.observer.store().site_id().await;
    let observer_id = call(&s.observer, "get_session", json!({})).await["acting_person"]["id"]
        .as_str()
        .and_then(|id| Uuid::parse_str(id).ok())
        .expect("observer");
    let observer_key = s.observer.store().device_key().await;
    let genuine = comment_write(
        observer_site,
        seq,
        observer_id,
        &observer_key,
        place,
        "Genuine, certificate unknown here",
    );
    let mut carried = forged.clone();
    carried.extend(genuine.clone());

    let path = s.dir.join("forged.caucus");
    let bytes = Bundle::encode_certified(
        &member_key,
        Some(hub_id),
        member_site,
        now,
        Default::default(),
        &carried,
        caucus_core::sync::bundle::Makers {
            certificates: vec![foreign, expired],
            guest_passes: Vec::new(),
        },
    )
    .expect("bundle");
    std::fs::write(&path, bytes).expect("write");
    let summary = s
        .leader
        .import_bundle(ImportBundle {
            path: Some(path.to_string_lossy().into()),
            content_base64: None,
        })
        .await
        .expect("the bundle itself is whole");
    assert_eq!(
        summary.held as usize,
        carried.len(),
        "every change is held: {summary:?}"
    );
    assert_eq!(summary.applied, 0);
    let bodies = comments_on(&s.leader, s.rec).await;
    assert!(
        bodies
            .iter()
            .all(|b| !b.starts_with("FORGED") && !b.starts_with("Genuine")),
        "nothing held reaches the records: {bodies:?}"
    );
    let status = s.leader.sync_status(NoInput {}).await.expect("status");
    let mut codes: Vec<&str> = status.held.iter().map(|h| h.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec![
            "certificate_expired",
            "certificate_foreign",
            "other_person",
            "uncertified",
            "wrong_key"
        ],
        "each held with its reason: {:?}",
        status.held
    );
    assert_eq!(status.held_total as usize, carried.len());

    // The hub decides: it accepts the observer's genuine comment (released into the records),
    // refuses for good the comment claimed in the leader's name (dropped from the quarantine,
    // listed as a refusal), and cannot prove the others either (they stay held, and it is
    // asked again at every sync).
    let after = sync(&s.leader).await;
    let mut codes: Vec<&str> = after.held.iter().map(|h| h.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec!["certificate_expired", "certificate_foreign", "wrong_key"],
        "what the hub cannot prove either stays held: {:?}",
        after.held
    );
    assert!(
        after.refused.iter().any(|r| r.table == "comment"),
        "the refused forgery is listed: {:?}",
        after.refused
    );
    let bodies = comments_on(&s.leader, s.rec).await;
    assert!(
        bodies.contains(&"Genuine, certificate unknown here".to_string()),
        "the accepted change is released into the records: {bodies:?}"
    );
    s.settle("after the hub judged a forged bundle").await;
    for (name, d) in s.all() {
        let bodies = comments_on(d, s.rec).await;
        assert!(
            bodies.iter().all(|b| !b.starts_with("FORGED")),
            "{name}: no forgery anywhere: {bodies:?}"
        );
    }
    s.hub.stop().await;
}
