//! Minutes written together at a meeting with no internet: three laptops type into one
//! meeting's minutes at the same time through a meeting host (loopback only), and all end with
//! the same text holding every sentence typed; a fourth joining later receives it; a member
//! who may not write minutes is refused; two laptops edit offline and meet again by bundle.
//!
//! Each laptop's "screen" is a yrs document, as the Meeting screen's Yjs document is: it sends
//! what the replica lacks and applies what the replica answers.

mod common;

use base64::Engine;
use caucus_core::api::sync::sync_in_background;
use caucus_core::api::*;
use caucus_core::model::{EditMinutes, MinutesQuery, MinutesState};
use caucus_core::Caucus;
use caucus_device::meeting::{LanConfig, LanMeetings};
use caucus_hub::Policy;
use common::*;
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A screen's copy of one meeting's minutes.
struct Screen {
    doc: Doc,
    meeting: Uuid,
    /// The replica's state vector as last answered: edits are sent against it.
    replica_sv: Vec<u8>,
}

impl Screen {
    async fn open(device: &Caucus, meeting: Uuid) -> Screen {
        let mut s = Screen {
            doc: Doc::new(),
            meeting,
            replica_sv: Vec::new(),
        };
        let state = device
            .minutes(MinutesQuery {
                meeting_id: meeting,
                known: None,
            })
            .await
            .expect("the minutes");
        s.take(&state);
        s
    }

    fn take(&mut self, state: &MinutesState) {
        let update = B64.decode(&state.update).expect("base64");
        self.doc
            .transact_mut()
            .apply_update(Update::decode_v2(&update).expect("an update"))
            .expect("applies");
        self.replica_sv = B64.decode(&state.state_vector).expect("base64");
    }

    fn text(&self) -> String {
        let txn = self.doc.transact();
        txn.get_text("text")
            .map(|t| t.get_string(&txn))
            .unwrap_or_default()
    }

    fn known(&self) -> String {
        B64.encode(self.doc.transact().state_vector().encode_v1())
    }

    /// Types `sentence` at the end of this copy and sends it.
    async fn type_at_end(
        &mut self,
        device: &Caucus,
        sentence: &str,
    ) -> caucus_core::error::Result<()> {
        let text = self.doc.get_or_insert_text("text");
        {
            let mut txn = self.doc.transact_mut();
            let end = text.len(&txn);
            text.insert(&mut txn, end, sentence);
        }
        let sv = StateVector::decode_v1(&self.replica_sv).unwrap_or_default();
        let edit = B64.encode(self.doc.transact().encode_state_as_update_v2(&sv));
        let state = device
            .edit_minutes(EditMinutes {
                meeting_id: self.meeting,
                edit,
                known: Some(self.known()),
            })
            .await?;
        self.take(&state);
        Ok(())
    }

    /// Takes what the replica has that this copy lacks (the screen does it on an event).
    async fn refresh(&mut self, device: &Caucus) {
        let state = device
            .minutes(MinutesQuery {
                meeting_id: self.meeting,
                known: Some(self.known()),
            })
            .await
            .expect("the minutes");
        self.take(&state);
    }
}

/// Types eight sentences into the minutes on `dev`, syncing with the meeting host after each.
async fn typist(dev: &Caucus, meeting: Uuid, who: &str) -> (Screen, Vec<String>) {
    let mut screen = Screen::open(dev, meeting).await;
    let mut typed = Vec::new();
    for i in 0..8 {
        let sentence = format!("{who} notes point {i}. ");
        screen.type_at_end(dev, &sentence).await.expect("an edit");
        typed.push(sentence);
        let _ = dev.sync_now(NoInput {}).await;
        screen.refresh(dev).await;
    }
    (screen, typed)
}

async fn minutes_of(device: &Caucus, meeting: Uuid) -> String {
    call(device, "get_meeting", json!({"id": meeting.to_string()})).await["minutes"]
        .as_str()
        .expect("minutes")
        .to_string()
}

/// Syncs with the meeting host while the coalition's hub is out of reach.
async fn sync_at_meeting(device: &Caucus) {
    let err = device
        .sync_now(NoInput {})
        .await
        .expect_err("the hub is unreachable");
    assert_eq!(err.code(), "sync_unreachable", "{err}");
}

/// A coalition of four laptops (the secretariat, who will host; a leader; a co-leader; a
/// member), enrolled at a hub and synced, and a meeting of their team.
struct Coalition {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    hub: Hub,
    devices: Vec<Arc<Caucus>>,
    meeting: Uuid,
    /// The member (on the fourth laptop).
    member: Uuid,
}

async fn coalition(mdns_offset: u32) -> Coalition {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub_db = dir.path().join("hub.db").to_string_lossy().to_string();
    let hub = Hub::start(&hub_db, Policy::Authorize).await;
    let lan = LanConfig {
        bind: "127.0.0.1".parse().expect("ip"),
        mdns_port: 20_000 + ((std::process::id() + mdns_offset) % 20_000) as u16,
        loopback_only: true,
    };
    let mut devices = Vec::new();
    for name in ["host", "leader", "co-leader", "member"] {
        let d = device(dir.path(), name).await;
        d.set_meetings(Arc::new(LanMeetings::new(lan.clone())));
        devices.push(Arc::new(d));
    }
    let (a, b, c, d) = (&*devices[0], &*devices[1], &*devices[2], &*devices[3]);

    let org = id(&call(
        a,
        "create_organization",
        json!({"name": "Parliamentarians for Global Action", "country": "US", "region": "americas"}),
    )
    .await);
    let person = |name: &str, admin: bool| json!({"name": name, "organization_id": org.to_string(), "secretariat_admin": admin});
    let admin = id(&call(a, "create_person", person("Host Secretariat", true)).await);
    call(
        a,
        "set_acting_person",
        json!({"person_id": admin.to_string()}),
    )
    .await;
    let leader = id(&call(a, "create_person", person("Team Leader", false)).await);
    let co_leader = id(&call(a, "create_person", person("Co-Leader", false)).await);
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
        (co_leader, "leader"),
        (member, "member"),
    ] {
        call(
            a,
            "join_group",
            json!({"group_id": group.to_string(), "person_id": p.to_string(), "role": role}),
        )
        .await;
    }
    let meeting = id(&call(
        a,
        "create_meeting",
        json!({"group_id": group.to_string(), "title": "Budget team, 8 December", "starts_at": "2026-12-08T10:00"}),
    )
    .await);
    connect(a, &hub.url, hub.invite(admin).await, "host laptop").await;
    connect(b, &hub.url, hub.invite(leader).await, "leader laptop").await;
    connect(c, &hub.url, hub.invite(co_leader).await, "co-leader laptop").await;
    connect(d, &hub.url, hub.invite(member).await, "member laptop").await;
    for dev in [a, b, c, d] {
        sync(dev).await;
    }

    Coalition {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        hub,
        devices,
        meeting,
        member,
    }
}

/// The meeting, with no internet: `host` hosts, `joining` join. Returns its url and code.
async fn meet(hub: Hub, host: &Caucus, joining: &[&Caucus]) -> (String, String) {
    hub.stop().await;
    let hosted = host
        .host_meeting(HostMeeting {
            name: "Budget team".into(),
            public_meeting: None,
        })
        .await
        .expect("host")
        .meeting
        .expect("hosting");
    let code = hosted.pairing_code.clone().expect("a code");
    for dev in joining {
        dev.join_meeting(JoinMeeting {
            url: hosted.url.clone(),
            pairing_code: code.clone(),
            guest_name: None,
        })
        .await
        .expect("join");
    }
    (hosted.url, code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_laptops_write_the_minutes_at_once_through_a_meeting_host_and_a_bundle() {
    let Coalition {
        _dir,
        dir,
        hub,
        devices,
        meeting,
        member,
    } = coalition(7_919).await;
    let (a, b, c, d) = (&*devices[0], &*devices[1], &*devices[2], &*devices[3]);
    let (url, code) = meet(hub, a, &[b, c]).await;
    // Three laptops type at once, each syncing with the host after every sentence.
    // One task, three typists: each waits on its own syncs while the others type.
    let (ra, rb, rc) = tokio::join!(
        typist(a, meeting, "Host"),
        typist(b, meeting, "Leader"),
        typist(c, meeting, "Co-leader")
    );
    let mut screens = Vec::new();
    let mut sentences = Vec::new();
    for r in [ra, rb, rc] {
        let (screen, typed) = r;
        screens.push(screen);
        sentences.extend(typed);
    }
    for _ in 0..2 {
        for dev in [b, c, a] {
            sync_at_meeting(dev).await;
        }
    }
    let text = minutes_of(a, meeting).await;
    for sentence in &sentences {
        assert!(
            text.contains(sentence.as_str()),
            "{sentence:?} is in {text:?}"
        );
    }
    assert_eq!(
        text.len(),
        sentences.iter().map(String::len).sum::<usize>(),
        "each once"
    );
    for (dev, screen) in [b, c, a].into_iter().zip(screens.iter_mut()) {
        assert_eq!(
            minutes_of(dev, meeting).await,
            text,
            "every laptop reads the same"
        );
        screen.refresh(dev).await;
        assert_eq!(screen.text(), text, "every screen shows the same");
    }

    // A fourth laptop joins later and receives the minutes; its person may not write them.
    d.join_meeting(JoinMeeting {
        url: url.clone(),
        pairing_code: code.clone(),
        guest_name: None,
    })
    .await
    .expect("join");
    sync_at_meeting(d).await;
    assert_eq!(
        minutes_of(d, meeting).await,
        text,
        "the latecomer reads them"
    );
    let mut late = Screen::open(d, meeting).await;
    assert_eq!(late.text(), text);
    let refused = late
        .type_at_end(d, "A member's sentence. ")
        .await
        .expect_err("a member may not write the minutes");
    assert_eq!(refused.code(), "forbidden", "{refused}");
    assert_eq!(minutes_of(d, meeting).await, text, "nothing of it kept");

    // The leader names the member a minute-taker, at the meeting: the member's edits are let in
    // by their own laptop, the host and every other laptop.
    let named = call(
        b,
        "name_minute_taker",
        json!({"meeting_id": meeting.to_string(), "person_id": member.to_string()}),
    )
    .await;
    for dev in [b, d] {
        sync_at_meeting(dev).await;
    }
    let mut taker = Screen::open(d, meeting).await;
    taker
        .type_at_end(d, "The member takes the minutes. ")
        .await
        .expect("a named minute-taker writes the minutes");
    for dev in [d, a, b, c] {
        sync_at_meeting(dev).await;
    }
    for dev in [a, b, c] {
        assert!(
            minutes_of(dev, meeting)
                .await
                .ends_with("The member takes the minutes. "),
            "the minute-taker's edit reached every laptop"
        );
        let status = dev.sync_status(NoInput {}).await.expect("status");
        assert!(
            status.refused.is_empty(),
            "nothing refused: {:?}",
            status.refused
        );
    }
    // Withdrawn: refused again, and what they wrote before stays.
    call(b, "archive_minute_taker", json!({"id": named["id"]})).await;
    for dev in [b, d] {
        sync_at_meeting(dev).await;
    }
    let refused = taker
        .type_at_end(d, "Once more. ")
        .await
        .expect_err("a withdrawn minute-taker may not write");
    assert_eq!(refused.code(), "forbidden", "{refused}");
    let text = minutes_of(a, meeting).await;

    // After the meeting: two laptops edit offline, then meet by bundle.
    for dev in [b, c, d] {
        dev.leave_meeting(NoInput {}).await.expect("leave");
    }
    a.leave_meeting(NoInput {}).await.expect("stop hosting");
    let mut on_b = Screen::open(b, meeting).await;
    on_b.type_at_end(b, "Written on the train. ")
        .await
        .expect("offline edit");
    let mut on_c = Screen::open(c, meeting).await;
    on_c.type_at_end(c, "Written at the airport. ")
        .await
        .expect("offline edit");
    let bundle = dir.join("usb.caucus");
    c.export_bundle(ExportBundle {
        path: bundle.to_string_lossy().into(),
        peer: None,
    })
    .await
    .expect("export");
    b.import_bundle(ImportBundle {
        path: Some(bundle.to_string_lossy().into()),
        content_base64: None,
    })
    .await
    .expect("import");
    let merged = minutes_of(b, meeting).await;
    assert!(merged.starts_with(&text), "{merged:?}");
    assert!(merged.contains("Written on the train. "));
    assert!(merged.contains("Written at the airport. "));
    on_b.refresh(b).await;
    assert_eq!(
        on_b.text(),
        merged,
        "the open screen takes the bundle's edit"
    );

    // The meeting's history tells who wrote the minutes, run by run, ending with them as read.
    let history = b
        .record_history(HistoryQuery {
            kind: RecordKind::Meeting,
            id: meeting,
        })
        .await
        .expect("history");
    let minutes: Vec<_> = history.iter().filter(|e| e.column == "minutes").collect();
    let writers: std::collections::BTreeSet<_> = minutes
        .iter()
        .filter_map(|e| e.actor_name.clone())
        .collect();
    assert_eq!(
        writers.into_iter().collect::<Vec<_>>(),
        [
            "Co-Leader",
            "Host Secretariat",
            "Team Leader",
            "Team Member"
        ],
        "everyone who wrote is named"
    );
    let current: Vec<_> = minutes.iter().filter(|e| e.current).collect();
    assert_eq!(current.len(), 1, "one current text");
    assert_eq!(current[0].value, json!(merged));
}

/// Waits until `device`'s minutes contain `sentence`, up to ten seconds: how long it took.
async fn arrives(device: &Caucus, meeting: Uuid, sentence: &str) -> std::time::Duration {
    let started = std::time::Instant::now();
    while started.elapsed() < std::time::Duration::from_secs(10) {
        if minutes_of(device, meeting).await.contains(sentence) {
            return started.elapsed();
        }
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    panic!("{sentence:?} did not reach the other laptop on its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_meeting_an_edit_reaches_the_other_laptops_with_nobody_syncing() {
    let Coalition {
        _dir,
        dir: _,
        hub,
        devices,
        meeting,
        ..
    } = coalition(11_003).await;
    let (a, b, c) = (&*devices[0], &*devices[1], &*devices[2]);
    meet(hub, a, &[b, c]).await;
    // Each laptop as the app runs it: syncing in the background (a minute apart on the clock;
    // at a meeting at once after a write, and whenever the host says someone pushed).
    let every = std::time::Duration::from_secs(60);
    let running: Vec<_> = devices[..3]
        .iter()
        .map(|d| tokio::spawn(sync_in_background(d.clone(), every)))
        .collect();
    let mut on_b = Screen::open(b, meeting).await;
    let mut on_c = Screen::open(c, meeting).await;
    let mut took = Vec::new();
    for i in 0..10 {
        let sentence = format!("The leader adds point {i}. ");
        on_b.type_at_end(b, &sentence).await.expect("an edit");
        took.push(arrives(c, meeting, &sentence).await);
        took.push(arrives(a, meeting, &sentence).await);
        let answer = format!("The co-leader answers {i}. ");
        on_c.refresh(c).await;
        on_c.type_at_end(c, &answer).await.expect("an edit");
        took.push(arrives(b, meeting, &answer).await);
        on_b.refresh(b).await;
    }
    took.sort();
    println!(
        "an edit of the minutes reached another laptop's replica in: median {:?}, p95 {:?}, max {:?} ({} edits)",
        took[took.len() / 2],
        took[took.len() * 95 / 100],
        took[took.len() - 1],
        took.len()
    );
    for r in running {
        r.abort();
    }
}
