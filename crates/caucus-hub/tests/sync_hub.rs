//! Devices syncing through a real hub on loopback: convergence of concurrent offline edits
//! (SQLite hub, PostgreSQL hub, two hub processes over one PostgreSQL), and the hub's
//! authority: the authorization matrix, revoked devices, expired and reused invites.

mod common;

use caucus_core::api::*;
use caucus_core::Caucus;
use caucus_hub::{HubDb, Policy};
use common::matrix::*;
use common::*;
use serde_json::{json, Value};
use uuid::Uuid;

/// Equal records in every bucket the last device holds (the others may read more).
async fn assert_converged(devices: &[&Caucus], why: &str) {
    let shared = buckets(devices[devices.len() - 1]).await;
    let first = dump_buckets(devices[0], Some(&shared)).await;
    for (i, d) in devices.iter().enumerate().skip(1) {
        let other = dump_buckets(d, Some(&shared)).await;
        for (table, rows) in &first {
            assert_eq!(
                rows, &other[table],
                "{why}: device {i} differs from device 0 in {table}"
            );
        }
    }
}

/// Three devices, each syncing through its own hub URL (one hub, or several hub processes
/// over one database), edit one recommendation offline — distinct fields and the same
/// field — and sync in several orders.
async fn three_devices_converge(urls: [&str; 3], invites: &HubDb) {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = device(dir.path(), "a").await;
    let people = set_up(&a).await;
    let now = caucus_core::hlc::wall_ms();
    let code = |p: Uuid| async move {
        invites
            .create_invite(Some(p), 600_000, false, now)
            .await
            .expect("invite")
    };
    connect(&a, urls[0], code(people.admin).await, "Melinda's laptop").await;
    let b = device(dir.path(), "b").await;
    let status = connect(&b, urls[1], code(people.leader).await, "Leader's laptop").await;
    assert!(
        status.last_failure.is_none(),
        "first sync of the leader: {status:?}"
    );
    let c = device(dir.path(), "c").await;
    connect(&c, urls[2], code(people.member).await, "Member's laptop").await;
    let rec = id(&call(
        &c,
        "create_recommendation",
        json!({
            "group_id": people.group.to_string(), "title": "Fund the Trust Fund for Victims",
            "body": "The Assembly should fund the Trust Fund.", "language": "en", "open": true
        }),
    )
    .await);
    for d in [&c, &a, &b] {
        sync(d).await;
    }
    assert_converged(&[&a, &b, &c], "after the recommendation was shared").await;
    // The leader's My work says what that sync brought: the member's recommendation.
    let work = b.my_work(NoInput {}).await.expect("my work");
    let arrival = work.last_arrival.expect("the sync brought something");
    assert!(arrival.count >= 1.0, "{arrival:?}");
    assert!(
        work.arrived_in_last_sync
            .iter()
            .any(|r| r.target_id == rec && r.target_kind == "recommendation"),
        "the recommendation is listed as brought by the last sync: {:?}",
        work.arrived_in_last_sync
    );

    let devices = [&a, &b, &c];
    for (round, order) in [[0usize, 1, 2], [2, 1, 0], [1, 2, 0]].iter().enumerate() {
        // Offline: the leader and the focal point edit the title (same field), the author the
        // body, the focal point the language (distinct fields).
        let body = format!("Round {round}: the Assembly should fund the Trust Fund in full.");
        call(
            &b,
            "update_recommendation",
            json!({"id": rec.to_string(), "title": format!("Leader's title {round}")}),
        )
        .await;
        call(
            &c,
            "update_recommendation",
            json!({"id": rec.to_string(), "body": body}),
        )
        .await;
        let language = if round % 2 == 0 { "fr" } else { "es" };
        call(&a, "update_recommendation", json!({"id": rec.to_string(), "title": format!("Focal point's title {round}"), "language": language})).await;
        for _ in 0..2 {
            for &i in order {
                let status = sync(devices[i]).await;
                assert!(
                    status.refused.is_empty(),
                    "round {round}: nothing here is forbidden, but the hub refused {:?}",
                    status.refused
                );
            }
        }
        assert_converged(&[&a, &b, &c], &format!("round {round}, order {order:?}")).await;
        let seen = call(&b, "get_recommendation", json!({"id": rec.to_string()})).await;
        assert_eq!(
            seen["body"],
            json!(body),
            "the author's edit to the body is not lost"
        );
        assert_eq!(
            seen["language"],
            json!(language),
            "the focal point's edit to the language is not lost"
        );
        assert_eq!(
            seen["title"],
            json!(format!("Focal point's title {round}")),
            "the later of two edits to the title wins everywhere"
        );
        let pending = sync(&a).await.pending;
        assert_eq!(pending, 0, "everything reached the hub");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_devices_converge_through_a_sqlite_hub() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    three_devices_converge([&hub.url, &hub.url, &hub.url], &hub.db).await;
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_devices_converge_through_postgres_and_two_hub_processes() {
    let pg = Postgres::start().expect("a PostgreSQL cluster starts");
    // One hub on its own database.
    let single = pg.database("single").expect("createdb");
    let hub = Hub::start(&single, Policy::Authorize).await;
    three_devices_converge([&hub.url, &hub.url, &hub.url], &hub.db).await;
    hub.stop().await;
    // Two hub processes over one database; devices use either.
    let shared = pg.database("shared").expect("createdb");
    let invites = HubDb::open(&shared, Policy::Authorize)
        .await
        .expect("hub db");
    let one = hub_process(&shared);
    let two = hub_process(&shared);
    three_devices_converge([&one.url, &two.url, &one.url], &invites).await;
    invites.close().await;
}

/// After a refusal, the offender holds every record of the buckets it reads exactly as the
/// admin (who reads everything) does. Of a bucket it cannot read it holds only the fragments it
/// wrote itself: each field there is the admin's value, or one it never received (empty).
async fn converged_back(admin: &Caucus, offender: &Caucus, why: &str) {
    let readable: Vec<String> = sqlx::query_scalar("SELECT DISTINCT bucket FROM sync_cursor")
        .fetch_all(offender.store().pool())
        .await
        .expect("cursors");
    assert_eq!(
        dump_buckets(admin, Some(&readable)).await,
        dump_buckets(offender, Some(&readable)).await,
        "{why}: the buckets it reads converge"
    );
    let theirs: std::collections::BTreeMap<String, Value> = dump(admin)
        .await
        .into_values()
        .flatten()
        .map(|r| serde_json::from_str::<Value>(&r).expect("json"))
        .map(|v| (v["id"].as_str().unwrap_or_default().to_string(), v))
        .collect();
    for row in dump(offender).await.into_values().flatten() {
        let mine: Value = serde_json::from_str(&row).expect("json");
        let id = mine["id"].as_str().unwrap_or_default();
        let Some(admins) = theirs.get(id) else {
            panic!("{why}: it holds a record the hub never had: {row}");
        };
        for (field, value) in mine.as_object().expect("object") {
            let empty = matches!(value, Value::Null) || value == &json!("") || value == &json!([]);
            assert!(
                &admins[field] == value || (empty && field != "archived"),
                "{why}: its {field} is {value}, the hub's is {}",
                admins[field]
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_refuses_what_a_role_may_not_write_and_peers_converge_back() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let a = device(dir.path(), "admin").await;
    let p = set_up(&a).await;
    connect(&a, &hub.url, hub.invite(p.admin).await, "admin").await;
    let mut devices = Vec::new();
    for (name, person) in [
        ("leader", p.leader),
        ("member", p.member),
        ("observer", p.observer),
        ("outsider", p.outsider),
    ] {
        let d = device(dir.path(), name).await;
        connect(&d, &hub.url, hub.invite(person).await, name).await;
        devices.push((name, person, d));
    }
    let cases = cases(&p);
    for (case, allowed, edits) in &cases {
        for (name, person, d) in &devices {
            let before_admin = visible(&a).await;
            raw_write(d, *person, edits(*person)).await;
            let status = sync(d).await;
            let may = allowed.contains(name);
            sync(&a).await;
            let after_admin = visible(&a).await;
            if may {
                assert!(
                    status.pending == 0,
                    "{name} may {case}: accepted ({:?})",
                    status.refused.first()
                );
                assert_ne!(
                    before_admin, after_admin,
                    "{name} may {case}: the admin sees it"
                );
            } else {
                assert_eq!(
                    before_admin, after_admin,
                    "{name} may not {case}: no row changes on peers"
                );
                assert!(
                    status.refused.iter().any(|r| r.code == "forbidden"),
                    "{name} may not {case}: the refusal is shown with its reason"
                );
                // The offender pulled the hub's compensating changes: every record it holds is
                // as the admin (who reads everything) holds it.
                sync(d).await;
                converged_back(&a, d, &format!("{name} after trying to {case}")).await;
            }
            // Bring everyone level before the next cell; every screen still reads everywhere.
            for (_, _, other) in &devices {
                sync(other).await;
            }
            sync(&a).await;
            every_list_reads(&a, &format!("the admin after {name} tried to {case}")).await;
            for (other, _, d) in &devices {
                every_list_reads(d, &format!("{other} after {name} tried to {case}")).await;
            }
        }
    }

    // The self-promotions and moves left no trace: one secretariat admin, everyone in their
    // organization, the group still a team.
    let people = call(&a, "list_people", json!({})).await;
    let admins: Vec<&Value> = people
        .as_array()
        .expect("people")
        .iter()
        .filter(|p| p["secretariat_admin"] == json!(true))
        .collect();
    assert_eq!(admins.len(), 1, "only the admin is an admin: {admins:?}");
    assert!(
        people
            .as_array()
            .expect("people")
            .iter()
            .all(|person| person["organization_id"] == json!(p.org.to_string())),
        "nobody changed sides: {people}"
    );
    let team = call(&a, "get_group", json!({"id": p.group.to_string()})).await;
    assert_eq!(
        team["kind"],
        json!("issue_team"),
        "the team is still a team"
    );

    // A revoked device is refused on its next request.
    let (_, _, observer) = &devices[2];
    let device_id = observer
        .sync_status(NoInput {})
        .await
        .expect("status")
        .device_id
        .expect("enrolled");
    assert!(hub
        .db
        .revoke(device_id, caucus_core::hlc::wall_ms())
        .await
        .expect("revoke"));
    let err = observer
        .sync_now(NoInput {})
        .await
        .expect_err("a revoked device is refused");
    assert_eq!(err.code(), "sync_revoked", "{err}");
    let status = observer.sync_status(NoInput {}).await.expect("status");
    assert_eq!(
        status.last_failure.map(|f| f.code.as_str()),
        Some("sync_revoked"),
        "the panel shows why"
    );

    // An expired invite and a reused invite are refused.
    let expired = hub
        .db
        .create_invite(Some(p.member), 0, false, caucus_core::hlc::wall_ms())
        .await
        .expect("invite");
    let late = device(dir.path(), "late").await;
    let err = late
        .connect_hub(ConnectHub {
            url: hub.url.clone(),
            invite_code: expired,
            device_name: "late".into(),
        })
        .await
        .expect_err("an expired invite is refused");
    assert_eq!(err.code(), "sync_invalid_invite");
    let code = hub.invite(p.member).await;
    let first = device(dir.path(), "first").await;
    connect(&first, &hub.url, code.clone(), "first").await;
    let second = device(dir.path(), "second").await;
    let err = second
        .connect_hub(ConnectHub {
            url: hub.url.clone(),
            invite_code: code,
            device_name: "second".into(),
        })
        .await
        .expect_err("a used invite is refused");
    assert_eq!(err.code(), "sync_invalid_invite");
    let _ = p.other_group;
    hub.stop().await;
}
