//! Minutes written together ([`caucus_core::collab`]): what the text CRDT costs on a 20,000-word
//! document typed by 5 writers at once, and how soon an edit reaches another laptop at a
//! meeting (a host and two laptops on loopback, each syncing in the background as the app does).

use super::{err, p, Res};
use base64::Engine;
use caucus_core::api::sync::sync_in_background;
use caucus_core::api::*;
use caucus_core::collab::{self, TextDoc};
use caucus_core::model::{EditMinutes, IdInput, MinutesQuery};
use caucus_core::Caucus;
use caucus_device::meeting::{LanConfig, LanMeetings};
use caucus_device::transport::HttpTransport;
use caucus_hub::{HubDb, Policy};
use rand::{rngs::StdRng, Rng, SeedableRng};
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, Options, ReadTxn, StateVector, Text, Transact, Update};

/// What the text CRDT costs on the 20,000-word document.
pub(super) struct CrdtCost {
    /// Every edit as the change log keeps it (base64 in its record), over the text's bytes.
    pub log_ratio: f64,
    /// The merged state a replica stores (`text_doc`), over the text's bytes.
    pub state_ratio: f64,
    /// Merging one writer's sentence into the replica's text, p95.
    pub merge_p95_ms: f64,
}

const WORDS: &[&str] = &[
    "the",
    "committee",
    "on",
    "budget",
    "and",
    "finance",
    "recommends",
    "that",
    "states",
    "parties",
    "ratify",
    "rome",
    "statute",
    "court",
    "victims",
    "trust",
    "fund",
    "assembly",
    "bureau",
    "report",
    "session",
    "registry",
    "prosecutor",
    "cooperation",
    "arrest",
    "warrants",
    "complementarity",
    "legal",
    "aid",
    "outreach",
    "amendments",
    "kampala",
];

/// Five writers type 2,000 sentences of ten words key by key (a transaction per key, as the
/// screen's Yjs copy makes them), each at a sentence boundary of its own copy, deleting a word
/// after every fifth; after each sentence its edit goes to the four others and to a replica.
pub(super) fn crdt_cost(seed: u64) -> Res<CrdtCost> {
    const WRITERS: usize = 5;
    const SENTENCES: usize = 2_000;
    let mut rng = StdRng::seed_from_u64(seed);
    let writers: Vec<Doc> = (0..WRITERS)
        .map(|i| {
            Doc::with_options(Options {
                client_id: yrs::block::ClientID::new(i as u64 + 1),
                ..Options::default()
            })
        })
        .collect();
    let mut replica = TextDoc::new();
    let mut log_bytes = 0usize;
    let mut merge_ms = Vec::with_capacity(SENTENCES);
    let text_of = |d: &Doc| {
        let t = d.get_or_insert_text(collab::TEXT_NAME);
        let s = t.get_string(&d.transact());
        s
    };
    for s in 0..SENTENCES {
        let w = &writers[s % WRITERS];
        let text = w.get_or_insert_text(collab::TEXT_NAME);
        let current = text_of(w);
        let bounds: Vec<u32> = current
            .match_indices(". ")
            .map(|(i, _)| i as u32 + 2)
            .collect();
        let at = if bounds.is_empty() || rng.random_bool(0.3) {
            current.len() as u32
        } else {
            bounds[rng.random_range(0..bounds.len())]
        };
        let sentence = (0..10)
            .map(|_| WORDS[rng.random_range(0..WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
            + ". ";
        let mut keys = Vec::with_capacity(sentence.len() + 1);
        for (i, ch) in sentence.chars().enumerate() {
            let mut txn = w.transact_mut();
            text.insert(&mut txn, at + i as u32, ch.encode_utf8(&mut [0; 4]));
            keys.push(txn.encode_update_v2());
        }
        if s % 5 == 4 && current.len() > 20 {
            let from = rng.random_range(0..current.len() as u32 - 10);
            let mut txn = w.transact_mut();
            text.remove_range(&mut txn, from, 6);
            keys.push(txn.encode_update_v2());
        }
        let edit = yrs::merge_updates_v2(keys).map_err(err)?;
        log_bytes += collab::encode(&edit).len();
        for (o, other) in writers.iter().enumerate() {
            if o != s % WRITERS {
                other
                    .transact_mut()
                    .apply_update(Update::decode_v2(&edit).map_err(err)?)
                    .map_err(err)?;
            }
        }
        let started = Instant::now();
        replica.apply(&edit).map_err(err)?;
        merge_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let text = replica.text();
    if writers.iter().any(|w| text_of(w) != text) {
        return Err("the writers' copies did not converge".into());
    }
    let bytes = text.len().max(1) as f64;
    Ok(CrdtCost {
        log_ratio: log_bytes as f64 / bytes,
        state_ratio: replica.state().map_err(err)?.len() as f64 / bytes,
        merge_p95_ms: p(&mut merge_ms, 0.95),
    })
}

async fn call(device: &Caucus, command: &str, input: Value) -> Res<Value> {
    dispatch(device, command, input)
        .await
        .map_err(|e| format!("{command}: {e}"))
}

fn id(v: &Value) -> Res<Uuid> {
    v["id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| "a record without an id".to_string())
}

/// A laptop's screen on the minutes: its own copy, sending what the replica lacks.
struct Screen {
    doc: Doc,
    replica_sv: Vec<u8>,
}

impl Screen {
    fn take(&mut self, update: &str, sv: &str) -> Res<()> {
        let b64 = base64::engine::general_purpose::STANDARD;
        let update = b64.decode(update).map_err(err)?;
        self.doc
            .transact_mut()
            .apply_update(Update::decode_v2(&update).map_err(err)?)
            .map_err(err)?;
        self.replica_sv = b64.decode(sv).map_err(err)?;
        Ok(())
    }

    async fn type_at_end(&mut self, device: &Caucus, meeting: Uuid, s: &str) -> Res<()> {
        let text = self.doc.get_or_insert_text(collab::TEXT_NAME);
        {
            let mut txn = self.doc.transact_mut();
            let end = text.len(&txn);
            text.insert(&mut txn, end, s);
        }
        let sv = StateVector::decode_v1(&self.replica_sv).unwrap_or_default();
        let edit = collab::encode(&self.doc.transact().encode_state_as_update_v2(&sv));
        let known = collab::encode(&self.doc.transact().state_vector().encode_v1());
        let state = device
            .edit_minutes(EditMinutes {
                meeting_id: meeting,
                edit,
                known: Some(known),
            })
            .await
            .map_err(err)?;
        self.take(&state.update, &state.state_vector)
    }
}

/// The time from an edit of the minutes on one laptop until another laptop's replica reads it
/// (its screen is told at that moment), at a meeting on loopback: `edits` edits, alternately by
/// two laptops, each timed to both others. Milliseconds.
pub(super) async fn edit_to_peer(dir: &Path, edits: usize) -> Res<Vec<f64>> {
    let hub = Arc::new(
        HubDb::open(
            &dir.join("minutes-hub.db").to_string_lossy(),
            Policy::Authorize,
        )
        .await
        .map_err(err)?,
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(err)?;
    let hub_url = format!("http://{}", listener.local_addr().map_err(err)?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(caucus_hub::server::serve(hub.clone(), listener, async {
        let _ = stopped.await;
    }));
    let lan = LanConfig {
        bind: "127.0.0.1".parse().map_err(err)?,
        mdns_port: 40_000 + (std::process::id() % 10_000) as u16,
        loopback_only: true,
    };
    let mut devices = Vec::new();
    for name in ["host", "leader", "co-leader"] {
        let d = Caucus::open(&dir.join(format!("minutes-{name}.db")))
            .await
            .map_err(err)?;
        d.set_transport(Arc::new(HttpTransport::default()));
        d.set_meetings(Arc::new(LanMeetings::new(lan.clone())));
        devices.push(Arc::new(d));
    }
    let (a, b, c) = (&*devices[0], &*devices[1], &*devices[2]);
    let org = id(&call(
        a,
        "create_organization",
        json!({"name": "Coalition secretariat", "country": "NL", "region": "europe"}),
    )
    .await?)?;
    let person = |name: &str, admin: bool| json!({"name": name, "organization_id": org.to_string(), "secretariat_admin": admin});
    let admin = id(&call(a, "create_person", person("Host", true)).await?)?;
    call(
        a,
        "set_acting_person",
        json!({"person_id": admin.to_string()}),
    )
    .await?;
    let leader = id(&call(a, "create_person", person("Leader", false)).await?)?;
    let co_leader = id(&call(a, "create_person", person("Co-leader", false)).await?)?;
    let group = id(&call(
        a,
        "create_group",
        json!({"name": "Budget team", "kind": "issue_team"}),
    )
    .await?)?;
    for (p, role) in [
        (admin, "focal_point"),
        (leader, "leader"),
        (co_leader, "leader"),
    ] {
        call(
            a,
            "join_group",
            json!({"group_id": group.to_string(), "person_id": p.to_string(), "role": role}),
        )
        .await?;
    }
    let meeting = id(&call(a, "create_meeting", json!({"group_id": group.to_string(), "title": "Budget team", "starts_at": "2026-12-08T10:00"})).await?)?;
    for (d, p, name) in [
        (a, admin, "host"),
        (b, leader, "leader"),
        (c, co_leader, "co-leader"),
    ] {
        let code = hub
            .create_invite(Some(p), 600_000, false, caucus_core::hlc::wall_ms())
            .await
            .map_err(err)?;
        d.connect_hub(ConnectHub {
            url: hub_url.clone(),
            invite_code: code,
            device_name: name.into(),
        })
        .await
        .map_err(err)?;
    }
    for d in [a, b, c] {
        d.sync_now(NoInput {}).await.map_err(err)?;
    }
    // The meeting, with no internet.
    let _ = stop.send(());
    let _ = served.await;
    let hosted = a
        .host_meeting(HostMeeting {
            name: "Budget team".into(),
            public_meeting: None,
        })
        .await
        .map_err(err)?
        .meeting
        .ok_or("not hosting")?;
    for d in [b, c] {
        d.join_meeting(JoinMeeting {
            url: hosted.url.clone(),
            pairing_code: hosted.pairing_code.clone().ok_or("no code")?,
            guest_name: None,
        })
        .await
        .map_err(err)?;
    }
    let running: Vec<_> = devices
        .iter()
        .map(|d| tokio::spawn(sync_in_background(d.clone(), Duration::from_secs(60))))
        .collect();
    let mut screens = Vec::new();
    for d in [b, c] {
        let state = d
            .minutes(MinutesQuery {
                meeting_id: meeting,
                known: None,
            })
            .await
            .map_err(err)?;
        let mut s = Screen {
            doc: Doc::new(),
            replica_sv: Vec::new(),
        };
        s.take(&state.update, &state.state_vector)?;
        screens.push(s);
    }
    let mut took = Vec::new();
    for i in 0..edits {
        let (writer, readers) = if i % 2 == 0 { (b, [a, c]) } else { (c, [a, b]) };
        // The writer's screen first takes what the others wrote.
        let screen = &mut screens[i % 2];
        let state = writer
            .minutes(MinutesQuery {
                meeting_id: meeting,
                known: Some(collab::encode(
                    &screen.doc.transact().state_vector().encode_v1(),
                )),
            })
            .await
            .map_err(err)?;
        screen.take(&state.update, &state.state_vector)?;
        let sentence = format!("Point {i} is agreed. ");
        let started = Instant::now();
        screen.type_at_end(writer, meeting, &sentence).await?;
        for reader in readers {
            loop {
                let m = reader
                    .get_meeting(IdInput { id: meeting })
                    .await
                    .map_err(err)?;
                if m.minutes.contains(&sentence) {
                    took.push(started.elapsed().as_secs_f64() * 1000.0);
                    break;
                }
                if started.elapsed() > Duration::from_secs(10) {
                    return Err(format!(
                        "an edit did not reach a laptop in 10 s ({sentence})"
                    ));
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    }
    for r in running {
        r.abort();
    }
    for d in [b, c] {
        let _ = d.leave_meeting(NoInput {}).await;
    }
    let _ = a.leave_meeting(NoInput {}).await;
    hub.close().await;
    Ok(took)
}
