//! Rights without the hub: the authorization matrix of `sync_hub.rs` run against the three
//! offline channels — a device importing a bundle, a meeting host, a device receiving from a
//! meeting that only relays — and what a meeting serves to whom. The coalition's hub is on
//! loopback for the devices' enrolment and first sync; after that nobody syncs with it, so
//! every verdict below is the channel's own.

mod common;

use caucus_core::api::*;
use caucus_core::Caucus;
use caucus_device::meeting::{LanConfig, LanMeetings};
use caucus_hub::Policy;
use common::matrix::*;
use common::*;
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// The coalition's devices, enrolled with the hub and holding what they may read.
struct Scene {
    dir: tempfile::TempDir,
    hub: Hub,
    admin: Caucus,
    people: Coalition,
    devices: Vec<(&'static str, Uuid, Caucus)>,
}

async fn scene() -> Scene {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let admin = device(dir.path(), "admin").await;
    let people = set_up(&admin).await;
    connect(&admin, &hub.url, hub.invite(people.admin).await, "admin").await;
    let mut devices = Vec::new();
    for (name, person) in [
        ("leader", people.leader),
        ("member", people.member),
        ("observer", people.observer),
        ("outsider", people.outsider),
    ] {
        let d = device(dir.path(), name).await;
        connect(&d, &hub.url, hub.invite(person).await, name).await;
        devices.push((name, person, d));
    }
    // Everyone knows everyone's certificate (each pull brings those of the devices whose
    // changes it carries).
    for (_, _, d) in &devices {
        sync(d).await;
    }
    sync(&admin).await;
    Scene {
        dir,
        hub,
        admin,
        people,
        devices,
    }
}

/// How one channel judged the matrix.
#[derive(Default, Debug)]
struct Tally {
    refused: u32,
    applied: u32,
    wrongly_applied: u32,
    wrongly_refused: u32,
}

/// Runs every cell of the matrix: `deliver` takes the offender's raw write to the receiver by
/// the channel; `refusals` counts what the channel has refused so far (held or answered), so a
/// cell's refusal is told from an earlier one.
async fn run_matrix<'a, D, R>(
    s: &'a Scene,
    receiver: &'a Caucus,
    channel: &str,
    deliver: D,
    refusals: R,
) -> Tally
where
    D: Fn(&'a Caucus) -> caucus_core::sync::BoxFuture<'a, ()>,
    R: Fn(&'a Caucus) -> caucus_core::sync::BoxFuture<'a, u32>,
{
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for (case, allowed, edits) in &cases(&s.people) {
        for (name, person, d) in &s.devices {
            let before = visible(receiver).await;
            let refused_before = refusals(d).await;
            raw_write(d, *person, edits(*person)).await;
            deliver(d).await;
            let after = visible(receiver).await;
            let refused_after = refusals(d).await;
            let refused_now = refused_after > refused_before;
            let may = allowed.contains(name);
            let diff: Vec<&String> = after.iter().filter(|r| !before.contains(r)).collect();
            match (may, before != after, refused_now) {
                (true, true, false) => tally.applied += 1,
                (false, false, true) => tally.refused += 1,
                (false, true, _) => {
                    tally.wrongly_applied += 1;
                    failures.push(format!(
                        "{name} may not {case}, yet the receiver shows it: {diff:?}"
                    ));
                }
                (false, false, false) => failures.push(format!(
                    "{name} may not {case}: nothing changed, but no refusal says why ({refused_before} \
                     then {refused_after}; receiver holds {:?}; sender was told {:?})",
                    receiver.sync_status(NoInput {}).await.expect("status").held.first(),
                    d.sync_status(NoInput {}).await.expect("status").refused.first(),
                )),
                (true, _, _) => {
                    tally.wrongly_refused += 1;
                    failures.push(format!("{name} may {case}, yet it was not applied"));
                }
            }
            every_list_reads(
                receiver,
                &format!("{channel}: after {name} tried to {case}"),
            )
            .await;
        }
    }
    eprintln!("{channel}: {tally:?}");
    assert!(failures.is_empty(), "{channel}: {failures:#?}");
    tally
}

/// The meeting this device is in, exchanged with directly: the home hub is left out, so the
/// verdict is the meeting's (and the receiving device's).
async fn exchange_with_meeting(d: &Caucus) {
    let s = d.store();
    let setting = |key: &'static str| async move {
        s.local_setting(key)
            .await
            .expect("setting")
            .unwrap_or_else(|| panic!("in a meeting: {key}"))
    };
    let (url, token, hub) = (
        setting("meeting.url").await,
        setting("meeting.token").await,
        setting("meeting.hub_id").await,
    );
    d.sync_with_peer_hub(&url, &token, &hub, false)
        .await
        .expect("exchange with the meeting");
}

/// Changes held by `d`, one by one (the Sync panel groups them by record and reason).
async fn held_total(d: &Caucus) -> u32 {
    count(d, "SELECT COUNT(*) FROM quarantine").await
}

/// Refusals `d` was told of, one by one.
async fn refused_total(d: &Caucus) -> u32 {
    count(d, "SELECT COUNT(*) FROM sync_rejection").await
}

async fn count(d: &Caucus, sql: &str) -> u32 {
    let n: i64 = sqlx::query_scalar(sql)
        .fetch_one(d.store().pool())
        .await
        .expect("count");
    n as u32
}

fn lan(offset: u32) -> LanConfig {
    LanConfig {
        bind: "127.0.0.1".parse().expect("ip"),
        mdns_port: 23_000 + ((std::process::id() + offset) % 20_000) as u16,
        loopback_only: true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_importer_applies_the_hubs_rights_table() {
    let s = scene().await;
    let dir: &Path = s.dir.path();
    let receiver = &s.admin;
    let tally = run_matrix(
        &s,
        receiver,
        "bundle importer",
        |d| {
            Box::pin(async move {
                let path = dir.join(format!("{}.caucus", d.store().site_id().await));
                d.export_bundle(ExportBundle {
                    path: path.to_string_lossy().into(),
                    peer: None,
                })
                .await
                .expect("export");
                receiver
                    .import_bundle(ImportBundle {
                        path: Some(path.to_string_lossy().into()),
                        content_base64: None,
                    })
                    .await
                    .expect("import");
            })
        },
        // Held by the importer, shown in its Sync panel with the reason.
        move |_| Box::pin(held_total(receiver)),
    )
    .await;
    assert_eq!(tally.wrongly_applied, 0);
    let held = receiver.sync_status(NoInput {}).await.expect("status");
    assert!(
        held.held
            .iter()
            .all(|h| h.code == "forbidden" && !h.reason.is_empty()),
        "every held write says why: {:?}",
        held.held
    );
    // The hub still has the last word: once the importer syncs, what it held is refused there
    // and leaves the quarantine.
    sync(receiver).await;
    assert_eq!(
        held_total(receiver).await,
        0,
        "the hub decided every held change"
    );
    s.hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_host_accepts_only_what_each_person_may_write() {
    let s = scene().await;
    let host = &s.admin;
    host.set_meetings(Arc::new(LanMeetings::new(lan(0))));
    let hosted = host
        .host_meeting(HostMeeting {
            name: "Assembly of States Parties, day 3".into(),
            public_meeting: None,
        })
        .await
        .expect("host")
        .meeting
        .expect("hosting");
    for (_, _, d) in &s.devices {
        d.join_meeting(JoinMeeting {
            url: hosted.url.clone(),
            pairing_code: hosted.pairing_code.clone().expect("code"),
            guest_name: None,
        })
        .await
        .expect("join");
    }
    let tally = run_matrix(
        &s,
        host,
        "meeting host",
        move |d| {
            Box::pin(async move {
                exchange_with_meeting(d).await;
                exchange_with_meeting(host).await;
            })
        },
        // Refused by the meeting, with the reason shown on the sender.
        |d| Box::pin(refused_total(d)),
    )
    .await;
    assert_eq!(tally.wrongly_applied, 0);
    let (_, _, observer) = &s.devices[2];
    let refused = observer.sync_status(NoInput {}).await.expect("status");
    assert!(
        refused
            .refused
            .iter()
            .all(|r| r.code == "forbidden" && !r.reason.is_empty()),
        "the meeting says why: {:?}",
        refused.refused
    );
    let held = host.sync_status(NoInput {}).await.expect("status").held;
    assert!(
        held.is_empty(),
        "nothing refused reached the host's replica to be held: {held:?}"
    );
    host.leave_meeting(NoInput {}).await.expect("stop hosting");
    s.hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_receiving_from_a_relaying_meeting_judges_for_itself() {
    let s = scene().await;
    // A meeting host that does not judge (an older or altered app): it relays everything.
    let relay = Hub::start(
        &s.dir.path().join("relay.db").to_string_lossy(),
        Policy::Relay,
    )
    .await;
    let code = relay
        .db
        .create_invite(None, 3_600_000, true, caucus_core::hlc::wall_ms())
        .await
        .expect("pairing code");
    let receiver = &s.admin;
    for d in std::iter::once(receiver).chain(s.devices.iter().map(|(_, _, d)| d)) {
        d.join_meeting(JoinMeeting {
            url: relay.url.clone(),
            pairing_code: code.clone(),
            guest_name: None,
        })
        .await
        .expect("join");
    }
    // The receiver gives the meeting what it holds, as a host seeds its own meeting.
    let setting = |key| async move {
        receiver
            .store()
            .local_setting(key)
            .await
            .expect("setting")
            .expect(key)
    };
    receiver
        .sync_with_peer_hub(
            &setting("meeting.url").await,
            &setting("meeting.token").await,
            &setting("meeting.hub_id").await,
            true,
        )
        .await
        .expect("seed the meeting");
    let tally = run_matrix(
        &s,
        receiver,
        "device receiving from a meeting",
        move |d| {
            Box::pin(async move {
                exchange_with_meeting(d).await;
                exchange_with_meeting(receiver).await;
            })
        },
        move |_| Box::pin(held_total(receiver)),
    )
    .await;
    assert_eq!(tally.wrongly_applied, 0);
    relay.stop().await;
    s.hub.stop().await;
}

/// Who `d` holds as attending `meeting`.
async fn attendance(d: &Caucus, meeting: Uuid) -> Vec<String> {
    call(
        d,
        "list_attendance",
        serde_json::json!({"meeting_id": meeting.to_string()}),
    )
    .await
    .as_array()
    .expect("attendance")
    .iter()
    .map(|a| a["person_id"].as_str().unwrap_or_default().to_string())
    .collect()
}

/// A device-local setting that must be there.
async fn setting(d: &Caucus, key: &str) -> String {
    d.store()
        .local_setting(key)
        .await
        .expect("setting")
        .unwrap_or_else(|| panic!("{key} is set"))
}

/// Every change a replica ever received, by bucket: what reached it over the wire.
async fn logged_buckets(d: &Caucus) -> Vec<String> {
    sqlx::query_scalar("SELECT DISTINCT bucket FROM change_log ORDER BY bucket")
        .fetch_all(d.store().pool())
        .await
        .expect("log")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_serves_each_person_only_the_groups_they_may_read() {
    let s = scene().await;
    let host = &s.admin;
    let (team, other) = (s.people.group, s.people.other_group);
    // Written at the session, after the last sync with the hub: only the meeting carries them.
    for (group, title) in [
        (team, "Budget hearing"),
        (other, "Victims' trust fund report"),
    ] {
        call(
            host,
            "create_tracked_issue",
            serde_json::json!({"group_id": group.to_string(), "title": title}),
        )
        .await;
    }
    host.set_meetings(Arc::new(LanMeetings::new(lan(7))));
    let hosted = host
        .host_meeting(HostMeeting {
            name: "Secretariat briefing".into(),
            public_meeting: None,
        })
        .await
        .expect("host")
        .meeting
        .expect("hosting");
    let (_, _, observer) = &s.devices[2];
    let (_, _, outsider) = &s.devices[3];
    for d in [observer, outsider] {
        d.join_meeting(JoinMeeting {
            url: hosted.url.clone(),
            pairing_code: hosted.pairing_code.clone().expect("code"),
            guest_name: None,
        })
        .await
        .expect("join");
        exchange_with_meeting(d).await;
    }
    let coalition = caucus_core::schema::COALITION_BUCKET.to_string();
    let mut want = vec![coalition.clone(), team.to_string()];
    want.sort();
    assert_eq!(
        logged_buckets(observer).await,
        want,
        "the team's observer received only the coalition's records and its team's"
    );
    let mut want = vec![coalition, other.to_string()];
    want.sort();
    assert_eq!(
        logged_buckets(outsider).await,
        want,
        "the other team's member received only the coalition's records and its team's"
    );
    let issues = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .expect("issues")
            .iter()
            .map(|i| i["title"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let seen = issues(
        call(
            observer,
            "list_tracked_issues",
            serde_json::json!({"group_id": team.to_string()}),
        )
        .await,
    );
    assert!(
        seen.contains(&"Budget hearing".to_string()),
        "the observer reads its team's new issue from the meeting: {seen:?}"
    );
    host.leave_meeting(NoInput {}).await.expect("stop hosting");
    s.hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_is_let_in_by_name_and_reads_only_the_public_agenda() {
    let s = scene().await;
    let host = &s.admin;
    let team = s.people.group.to_string();
    let public = id(&call(
        host,
        "create_meeting",
        serde_json::json!({"group_id": team, "title": "Briefing for delegations",
                           "starts_at": "2026-12-03T10:00", "place": "World Forum, room 4"}),
    )
    .await);
    let private = id(&call(
        host,
        "create_meeting",
        serde_json::json!({"group_id": team, "title": "Strategy session", "starts_at": "2026-12-03T15:00"}),
    )
    .await);
    let mut public_rows = vec![public.to_string()];
    for (meeting, title) in [
        (public, "The Court's budget proposal"),
        (public, "Questions from delegations"),
        (private, "Which delegations to lobby"),
    ] {
        let item = id(&call(
            host,
            "create_agenda_item",
            serde_json::json!({"meeting_id": meeting.to_string(), "position": 1, "title": title}),
        )
        .await);
        if meeting == public {
            public_rows.push(item.to_string());
        }
    }
    call(
        host,
        "create_tracked_issue",
        serde_json::json!({"group_id": team, "title": "Budget hearing"}),
    )
    .await;
    host.set_meetings(Arc::new(LanMeetings::new(lan(11))));
    let hosted = host
        .host_meeting(HostMeeting {
            name: "Briefing for delegations".into(),
            public_meeting: Some(public),
        })
        .await
        .expect("host")
        .meeting
        .expect("hosting");
    assert_eq!(hosted.public_meeting, Some(public));
    let code = hosted.pairing_code.clone().expect("code");

    // A new laptop at the session: nobody of the coalition.
    let guest = device(s.dir.path(), "guest").await;
    let join = |name: Option<&str>| JoinMeeting {
        url: hosted.url.clone(),
        pairing_code: code.clone(),
        guest_name: name.map(str::to_string),
    };
    let nameless = guest.join_meeting(join(None)).await;
    assert_eq!(
        nameless.expect_err("a guest says who they are").code(),
        "invalid"
    );
    let waiting = guest.join_meeting(join(Some("Amal Haddad"))).await;
    assert_eq!(
        waiting.expect_err("the host has not let them in").code(),
        "sync_guest_waiting"
    );
    assert!(
        guest
            .sync_status(NoInput {})
            .await
            .expect("status")
            .meeting
            .is_none(),
        "a waiting guest has joined nothing"
    );
    let asked = host.meeting_guests(NoInput {}).await.expect("guests");
    assert_eq!(asked.len(), 1, "{asked:?}");
    assert_eq!(asked[0].name, "Amal Haddad");
    assert!(!asked[0].admitted);
    let unknown = host
        .admit_guest(AdmitGuest {
            key: "00".repeat(32),
        })
        .await;
    assert_eq!(
        unknown.expect_err("nobody asked with it").code(),
        "not_found"
    );
    let admitted = host
        .admit_guest(AdmitGuest {
            key: asked[0].key.clone(),
        })
        .await
        .expect("admit");
    assert!(admitted[0].admitted);

    let status = guest
        .join_meeting(join(Some("Amal Haddad")))
        .await
        .expect("let in");
    let synced = guest
        .sync_now(NoInput {})
        .await
        .expect("a guest syncs with its meeting");
    assert_eq!(
        synced.last_success_ms, None,
        "a laptop with no hub synced with a meeting only: \"last synced with the hub\" stays unset"
    );
    let joined = status.meeting.expect("at the meeting");
    assert!(joined.guest);
    assert_eq!(
        joined.public_meeting,
        Some(public),
        "the guest finds the agenda it may read"
    );
    let session = guest.get_session(NoInput {}).await.expect("session");
    assert_eq!(session.guest.as_deref(), Some("Amal Haddad"));
    // The host's device vouched for the guest, for the shared meeting, under the key the
    // coalition's hub certified for it.
    let pass =
        caucus_core::guest_pass::GuestPass::decode(setting(&guest, "guest.pass").await.as_bytes())
            .expect("a pass");
    let host_certificate = caucus_core::certificate::Certificate::decode(
        setting(host, "hub.certificate").await.as_bytes(),
    )
    .expect("the host's certificate");
    let host_key =
        caucus_core::certificate::decode_key(&host_certificate.device_key).expect("the host's key");
    let guest_key = pass
        .verify(&host_key, caucus_core::hlc::wall_ms())
        .expect("the pass is the host's");
    assert_eq!(pass.meeting, public);
    assert_eq!(pass.name, "Amal Haddad");
    assert_eq!(pass.host_site, host_certificate.site);
    assert_eq!(hex::encode(guest_key.to_bytes()), asked[0].key);
    assert!(
        !session.may_choose_person,
        "a guest acts as nobody of the coalition"
    );
    exchange_with_meeting(&guest).await;

    // On the wire and in its replica: the public meeting and its agenda, nothing else.
    let mut received: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT row_id FROM change_log ORDER BY row_id")
            .fetch_all(guest.store().pool())
            .await
            .expect("log");
    received.sort();
    public_rows.sort();
    assert_eq!(
        received, public_rows,
        "a guest receives only the public meeting and its agenda"
    );
    let agenda = call(
        &guest,
        "list_agenda_items",
        serde_json::json!({"meeting_id": public.to_string()}),
    )
    .await;
    assert_eq!(agenda.as_array().map(Vec::len), Some(2), "{agenda}");
    let hidden = guest
        .get_meeting(caucus_core::model::IdInput { id: private })
        .await
        .expect_err("the private meeting never reached the guest");
    assert_eq!(hidden.code(), "not_found");

    // The guest says they attend; a forged write of theirs (the private meeting, someone
    // else's attendance) is refused by the meeting, and never reaches anyone.
    guest
        .attend_as_guest(NoInput {})
        .await
        .expect("the guest attends");
    let forge = |meeting: Uuid, person: Uuid| {
        let row = caucus_core::model::Attendance::id_for(meeting, person);
        let edit = |column: &'static str, value: serde_json::Value| caucus_core::store::Edit {
            bucket: team.clone(),
            table: "attendance",
            row,
            column,
            value,
            cl: 1,
        };
        vec![
            caucus_core::store::Edit::row(&team, "attendance", row, 1),
            edit("meeting_id", serde_json::json!(meeting)),
            edit("person_id", serde_json::json!(person)),
            edit("present", serde_json::json!(true)),
        ]
    };
    for (meeting, person) in [(private, pass.person), (public, s.people.member)] {
        guest
            .store()
            .write(Some(pass.person), forge(meeting, person))
            .await
            .expect("written on the guest's own laptop");
    }
    exchange_with_meeting(&guest).await;
    assert_eq!(
        refused_total(&guest).await,
        8,
        "the meeting refused both forged writes, field by field"
    );
    exchange_with_meeting(host).await;
    assert_eq!(
        attendance(host, public).await,
        vec![pass.person.to_string()],
        "the host's replica let in the guest's attendance, by its pass"
    );
    assert!(attendance(host, private).await.is_empty());
    assert_eq!(
        held_total(host).await,
        0,
        "nothing of the guest's waits: {:?}",
        0
    );
    let names = host
        .meeting_guests_present(caucus_core::api::MeetingGuestsPresent { meeting_id: public })
        .await
        .expect("guests present");
    assert_eq!(
        names.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(),
        ["Amal Haddad"]
    );

    // A USB bundle from the host carries the guest's pass too: a team member who was not
    // there lets the guest's attendance in on the strength of it.
    let bundle = s.dir.path().join("with-a-guest.caucus");
    host.export_bundle(ExportBundle {
        path: bundle.to_string_lossy().into(),
        peer: None,
    })
    .await
    .expect("export");
    let (_, _, member) = &s.devices[1];
    let summary = member
        .import_bundle(ImportBundle {
            path: Some(bundle.to_string_lossy().into()),
            content_base64: None,
        })
        .await
        .expect("import");
    assert_eq!(summary.held, 0, "nothing held: {summary:?}");
    assert_eq!(
        attendance(member, public).await,
        vec![pass.person.to_string()]
    );

    // Back in reach of the coalition's hub. The guest's laptop enrols first, as a person of
    // the coalition: its log goes to the hub whole, the attendance it signed as a guest judged
    // by its pass (and kept), the writes the meeting refused refused again.
    let status = connect(
        &guest,
        &s.hub.url,
        s.hub.invite(s.people.observer).await,
        "guest",
    )
    .await;
    assert!(status.connected);
    assert_eq!(
        guest.get_session(NoInput {}).await.expect("session").guest,
        None,
        "enrolled, the laptop is its person's"
    );
    // The host then: the hub has the guest's attendance already, and the pass with it.
    host.leave_meeting(NoInput {}).await.expect("stop hosting");
    sync(host).await;
    let refusals: Vec<(String, String)> = sqlx::query_as("SELECT code, reason FROM sync_rejection")
        .fetch_all(host.store().pool())
        .await
        .expect("refusals");
    assert!(
        refusals.is_empty(),
        "the hub let the guest's attendance in: {refusals:?}"
    );
    let (_, _, leader) = &s.devices[0];
    sync(leader).await;
    assert_eq!(
        attendance(leader, public).await,
        vec![pass.person.to_string()],
        "the guest's attendance reached the team from the hub"
    );
    assert!(attendance(leader, private).await.is_empty());
    let leader_names = leader
        .meeting_guests_present(caucus_core::api::MeetingGuestsPresent { meeting_id: public })
        .await
        .expect("guests present");
    assert_eq!(
        leader_names.len(),
        1,
        "the pass came with it: {leader_names:?}"
    );

    // The host meets again (its meeting hub keeps its enrolments): the old guest's token is
    // nobody's now, until the host lets it in again; it reads nothing.
    let again = host
        .host_meeting(HostMeeting {
            name: "Briefing, day 2".into(),
            public_meeting: None,
        })
        .await
        .expect("host again")
        .meeting
        .expect("hosting");
    let old_token = setting(&guest, "meeting.token").await;
    let refused = guest
        .sync_with_peer_hub(&again.url, &old_token, "day-2", false)
        .await
        .expect_err("a guest of another day is not let in");
    assert_eq!(refused.code(), "sync_guest_waiting", "{refused}");
    host.leave_meeting(NoInput {}).await.expect("stop hosting");
    s.hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_membership_in_a_bundle_gives_its_rights_to_what_follows_it() {
    let s = scene().await;
    let (_, _, leader) = &s.devices[0];
    let (_, _, outsider) = &s.devices[3];
    let team = s.people.group.to_string();
    // Offline, the team's leader makes the other team's member a member of this team, and
    // hands it over on a USB stick; the new member posts in the team at once.
    call(
        leader,
        "join_group",
        serde_json::json!({"group_id": team, "person_id": s.people.outsider.to_string(), "role": "member"}),
    )
    .await;
    let handed = s.dir.path().join("accepted.caucus");
    leader
        .export_bundle(ExportBundle {
            path: handed.to_string_lossy().into(),
            peer: None,
        })
        .await
        .expect("export the acceptance");
    let taken = outsider
        .import_bundle(ImportBundle {
            path: Some(handed.to_string_lossy().into()),
            content_base64: None,
        })
        .await
        .expect("import the acceptance");
    assert_eq!(
        taken.held, 0,
        "the leader's acceptance is theirs to give: {taken:?}"
    );
    call(
        outsider,
        "create_recommendation",
        serde_json::json!({"group_id": team, "title": "Publish the Court's budget proposal early",
               "body": "Member organizations need it before the Committee meets.", "language": "en",
               "open": true}),
    )
    .await;
    let path = s.dir.path().join("joined.caucus");
    outsider
        .export_bundle(ExportBundle {
            path: path.to_string_lossy().into(),
            peer: None,
        })
        .await
        .expect("export");
    let summary = s
        .admin
        .import_bundle(ImportBundle {
            path: Some(path.to_string_lossy().into()),
            content_base64: None,
        })
        .await
        .expect("import");
    assert_eq!(
        summary.held, 0,
        "the acceptance, carried in the member's bundle before their post, lets the post in: {summary:?}"
    );
    let titles: Vec<String> = call(
        &s.admin,
        "list_recommendations",
        serde_json::json!({"group_id": team}),
    )
    .await
    .as_array()
    .expect("list")
    .iter()
    .map(|r| r["title"].as_str().unwrap_or_default().to_string())
    .collect();
    assert!(
        titles.contains(&"Publish the Court's budget proposal early".to_string()),
        "{titles:?}"
    );
    s.hub.stop().await;
}

/// A suspended organization endorses nothing, by any channel: the secretariat suspends it while
/// one of its people, offline, endorses a recommendation; the secretariat's laptop holds the
/// endorsement that comes by USB stick, with the reason, and the hub refuses it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_organization_endorses_nothing_by_any_channel() {
    let s = scene().await;
    let (_, _, member) = &s.devices[1];
    let rec = endorsed_offline_while_suspended(&s, Suspension::ReachesTheHubFirst).await;
    let status = s.admin.sync_status(NoInput {}).await.expect("status");
    assert!(
        status
            .held
            .iter()
            .any(|h| h.code == "forbidden" && h.reason.contains("suspended")),
        "the secretariat's laptop holds the endorsement and says why: {:?}",
        status.held
    );
    assert_eq!(
        endorsements(&s.admin, &rec["id"]).await,
        0,
        "nothing endorsed there"
    );
    // The hub knows of the suspension, and refuses the endorsement when it comes.
    sync(member).await;
    sync(member).await;
    assert_eq!(
        endorsements(member, &rec["id"]).await,
        0,
        "the hub's refusal undoes it on the member's laptop"
    );
    let refused = member.sync_status(NoInput {}).await.expect("status");
    assert!(
        refused
            .refused
            .iter()
            .any(|r| r.reason.contains("suspended")),
        "the member is told why: {:?}",
        refused.refused
    );
    // Once it has synced, the member's laptop refuses it before anything is written.
    let again = dispatch(
        member,
        "endorse_recommendation",
        serde_json::json!({"recommendation_id": rec["id"]}),
    )
    .await
    .expect_err("a suspended organization endorses");
    assert_eq!(again.code, "forbidden", "{}", again.message);
    s.hub.stop().await;
}

/// Whether the secretariat's suspension reaches the hub before the endorsement does.
#[derive(PartialEq)]
enum Suspension {
    ReachesTheHubFirst,
    StaysOnTheLaptop,
}

/// The leader posts a recommendation everyone syncs; the secretariat suspends the member's
/// organization; the member, offline and unaware, endorses it and hands a bundle to the
/// secretariat's laptop, which imports it. Returns the recommendation.
async fn endorsed_offline_while_suspended(s: &Scene, suspension: Suspension) -> serde_json::Value {
    let (_, _, leader) = &s.devices[0];
    let (_, _, member) = &s.devices[1];
    let rec = call(
        leader,
        "create_recommendation",
        serde_json::json!({"group_id": s.people.group.to_string(),
               "title": "Fund the Trust Fund for Victims",
               "body": "States Parties should raise their voluntary contributions.",
               "language": "en", "open": true}),
    )
    .await;
    sync(leader).await;
    sync(member).await;
    sync(&s.admin).await;
    call(
        &s.admin,
        "update_organization",
        serde_json::json!({"id": s.people.org.to_string(), "status": "suspended"}),
    )
    .await;
    if suspension == Suspension::ReachesTheHubFirst {
        sync(&s.admin).await;
    }
    call(
        member,
        "endorse_recommendation",
        serde_json::json!({"recommendation_id": rec["id"]}),
    )
    .await;
    let path = s.dir.path().join("endorsed.caucus");
    member
        .export_bundle(ExportBundle {
            path: path.to_string_lossy().into(),
            peer: None,
        })
        .await
        .expect("export");
    s.admin
        .import_bundle(ImportBundle {
            path: Some(path.to_string_lossy().into()),
            content_base64: None,
        })
        .await
        .expect("import");
    rec
}

async fn endorsements(d: &Caucus, recommendation: &serde_json::Value) -> usize {
    call(
        d,
        "list_endorsements",
        serde_json::json!({"recommendation_id": recommendation}),
    )
    .await
    .as_array()
    .expect("list")
    .len()
}

/// The suspension and the endorsement reach the hub in ONE push: the secretariat's laptop,
/// offline, suspends the organization and then imports a bundle carrying an endorsement one of
/// its people made; it holds the endorsement, and its next sync takes both to the hub, which
/// judges the endorsement by the organization as the push has just written it, not as it was
/// before the push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspension_and_an_endorsement_in_one_push_are_judged_in_order() {
    let s = scene().await;
    let (_, _, leader) = &s.devices[0];
    let (_, _, member) = &s.devices[1];
    let rec = endorsed_offline_while_suspended(&s, Suspension::StaysOnTheLaptop).await;
    assert_eq!(endorsements(&s.admin, &rec["id"]).await, 0, "held there");
    // One sync: the suspension and the held endorsement go up together.
    sync(&s.admin).await;
    sync(leader).await;
    assert_eq!(
        endorsements(leader, &rec["id"]).await,
        0,
        "the hub refused the endorsement its push carried after the suspension"
    );
    sync(member).await;
    sync(member).await;
    assert_eq!(
        endorsements(member, &rec["id"]).await,
        0,
        "undone where it was made"
    );
    // The member's own push of it is refused too. (Its reason names the fields, not the
    // suspension: the hub keeps no refusal, and the compensation the secretariat's push wrote
    // makes the member's creation read as a change to a record that exists.)
    let refused = member.sync_status(NoInput {}).await.expect("status");
    assert!(
        refused
            .refused
            .iter()
            .any(|r| r.table == "endorsement" && r.code == "forbidden"),
        "the member is told it was refused: {:?}",
        refused.refused
    );
    s.hub.stop().await;
}
