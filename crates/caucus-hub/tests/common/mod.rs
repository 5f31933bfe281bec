//! Shared pieces of the hub tests: a hub on loopback (in this process, or as a separate
//! `caucus-hub` process), a PostgreSQL cluster of the test's own, devices, and a dump of a
//! replica's records to compare replicas by.
#![allow(dead_code)]

pub mod matrix;

use caucus_core::api::*;
use caucus_core::schema::TABLES;
use caucus_core::Caucus;
use caucus_device::transport::HttpTransport;
#[allow(unused_imports)] // not every test binary runs PostgreSQL
pub use caucus_hub::harness::{HubProcess, Postgres};
use caucus_hub::{HubDb, Policy};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use uuid::Uuid;

/// A hub serving on a loopback port inside the test process.
pub struct Hub {
    pub url: String,
    pub db: Arc<HubDb>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Hub {
    pub async fn start(db_url: &str, policy: Policy) -> Hub {
        let db = Arc::new(
            HubDb::open(db_url, policy)
                .await
                .expect("the hub database opens"),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        let task = tokio::spawn(async move {
            let _ = caucus_hub::server::serve(served, listener, async {
                let _ = stopped.await;
            })
            .await;
        });
        Hub {
            url,
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// An invite for `person`, as `caucus-hub invite` makes one.
    pub async fn invite(&self, person: Uuid) -> String {
        self.db
            .create_invite(
                Some(person),
                10 * 60_000,
                false,
                caucus_core::hlc::wall_ms(),
            )
            .await
            .expect("invite")
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.db.close().await;
    }
}

/// A `caucus-hub serve` process of this build.
pub fn hub_process(db_url: &str) -> HubProcess {
    HubProcess::start(Path::new(env!("CARGO_BIN_EXE_caucus-hub")), db_url)
        .expect("caucus-hub serve starts")
}

/// A device: a replica in its own file, with the HTTP transport.
pub async fn device(dir: &Path, name: &str) -> Caucus {
    let caucus = Caucus::open(&dir.join(format!("{name}.db")))
        .await
        .expect("replica opens");
    caucus.set_transport(Arc::new(HttpTransport::default()));
    caucus
}

/// A device holding the demo coalition, and its secretariat admin (the person it acts as).
pub async fn demo_device(dir: &Path, name: &str) -> (Caucus, Uuid) {
    let d = device(dir, name).await;
    d.load_demo_data(NoInput {}).await.expect("demo");
    let admin = d
        .get_session(NoInput {})
        .await
        .expect("session")
        .acting_person
        .expect("the demo acts as its admin")
        .id;
    (d, admin)
}

/// Calls a command by name, as the front ends do, failing the test with its error.
pub async fn call(device: &Caucus, command: &str, input: serde_json::Value) -> serde_json::Value {
    dispatch(device, command, input.clone())
        .await
        .unwrap_or_else(|e| panic!("{command}({input}) failed: {e}"))
}

/// The `id` of a record returned by a command.
pub fn id(v: &serde_json::Value) -> Uuid {
    Uuid::parse_str(v["id"].as_str().expect("an id")).expect("a uuid")
}

pub async fn connect(device: &Caucus, hub_url: &str, code: String, name: &str) -> SyncStatus {
    device
        .connect_hub(ConnectHub {
            url: hub_url.to_string(),
            invite_code: code,
            device_name: name.to_string(),
        })
        .await
        .unwrap_or_else(|e| panic!("{name} connects: {e}"))
}

pub async fn sync(device: &Caucus) -> SyncStatus {
    device.sync_now(NoInput {}).await.expect("sync succeeds")
}

/// Every record of a replica, as JSON text per table, sorted by id: equal dumps mean equal
/// replicas as people see them.
pub async fn dump(device: &Caucus) -> BTreeMap<&'static str, Vec<String>> {
    dump_buckets(device, None).await
}

/// The buckets a replica holds records of.
pub async fn buckets(device: &Caucus) -> Vec<String> {
    sqlx::query_scalar("SELECT DISTINCT bucket FROM change_log ORDER BY bucket")
        .fetch_all(device.store().pool())
        .await
        .expect("buckets")
}

/// [`dump`], limited to some buckets (a member's replica holds only its groups').
pub async fn dump_buckets(
    device: &Caucus,
    only: Option<&[String]>,
) -> BTreeMap<&'static str, Vec<String>> {
    let mut out = BTreeMap::new();
    let filter = only
        .map(|b| serde_json::to_string(b).expect("json"))
        .unwrap_or_else(|| "null".into());
    for t in TABLES {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {} FROM {} WHERE ?1 = 'null' OR bucket IN (SELECT value FROM json_each(?1))
             ORDER BY id",
            t.json_select(),
            t.name
        ))
        .bind(&filter)
        .fetch_all(device.store().pool())
        .await
        .expect("dump");
        out.insert(t.name, rows);
    }
    out
}

/// The credentials a connected device signs its hub requests with.
pub async fn credentials(device: &Caucus) -> caucus_core::sync::protocol::DeviceCredentials {
    caucus_core::sync::protocol::DeviceCredentials {
        token: device
            .store()
            .local_setting("hub.token")
            .await
            .expect("setting")
            .expect("the device is connected"),
        key: device.device_key().await.expect("device key"),
    }
}

/// Every list command, with and without archived records.
pub const LISTS: &[&str] = &[
    "list_organizations",
    "list_people",
    "list_groups",
    "list_memberships",
    "list_tracked_issues",
    "list_recommendations",
    "list_translations",
    "list_endorsements",
    "list_comments",
    "list_meetings",
    "list_agenda_items",
    "list_attendance",
    "list_decisions",
];

/// Reads every list, My work, the notifications and each group's dashboard, as the screens do:
/// every one must answer, whatever the replica holds (a refused creation's undone row, a value
/// it cannot read). Panics naming the command that failed.
pub async fn every_list_reads(device: &Caucus, why: &str) {
    for list in LISTS {
        for input in [
            serde_json::json!({}),
            serde_json::json!({"include_archived": true}),
        ] {
            if let Err(e) = dispatch(device, list, input.clone()).await {
                panic!("{why}: {list}({input}) answers {e}");
            }
        }
    }
    for (command, input) in [
        ("my_work", serde_json::json!({})),
        (
            "notifications",
            serde_json::json!({"utc_offset_minutes": 0}),
        ),
        ("sync_status", serde_json::json!({})),
        ("refused_changes", serde_json::json!({})),
    ] {
        if let Err(e) = dispatch(device, command, input).await {
            panic!("{why}: {command} answers {e}");
        }
    }
    let groups = dispatch(device, "list_groups", serde_json::json!({}))
        .await
        .expect("groups");
    for g in groups.as_array().into_iter().flatten() {
        if let Err(e) = dispatch(
            device,
            "group_dashboard",
            serde_json::json!({"id": g["id"]}),
        )
        .await
        {
            panic!("{why}: group_dashboard of {} answers {e}", g["name"]);
        }
    }
}

/// Queues changes in a device's outbox as if it had made or received them, past every check
/// of this version's app: what a tampered app, or an older version, would send. They go
/// through the one merge (which leaves a value its field may not hold out of the rows).
pub async fn queue_raw(device: &Caucus, changes: &[caucus_core::change::Change]) {
    device
        .store()
        .merge_remote(changes, caucus_core::hlc::wall_ms())
        .await
        .expect("queued");
}

/// A change as a tampered app would stamp it: by `site`, with sequence number `seq`, now.
#[allow(clippy::too_many_arguments)]
pub fn raw_change(
    site: Uuid,
    seq: u64,
    actor: Uuid,
    bucket: &str,
    table: &str,
    row: Uuid,
    column: &str,
    value: serde_json::Value,
) -> caucus_core::change::Change {
    caucus_core::change::Change {
        site,
        seq,
        hlc: caucus_core::hlc::Hlc::new(caucus_core::hlc::wall_ms(), 0),
        actor: Some(actor),
        bucket: bucket.to_string(),
        table: table.to_string(),
        row,
        column: column.to_string(),
        value,
        cl: 1,
        schema_version: caucus_core::change::SCHEMA_VERSION,
        signature: None,
    }
}

/// The next sequence number `site` would use, as far as `device` knows.
pub async fn next_seq(device: &Caucus, site: Uuid) -> u64 {
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) FROM change_log WHERE site = ?")
        .bind(site.as_bytes().to_vec())
        .fetch_one(device.store().pool())
        .await
        .expect("max seq");
    max.unwrap_or(0) as u64 + 1
}
