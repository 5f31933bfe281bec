//! The hub figures: a new device's first sync from a SQLite hub and from a PostgreSQL hub, the
//! latency of 1,000 devices pulling at once, and the throughput of two hub processes over one
//! PostgreSQL against one. Every hub is a `caucus-hub serve` process of this build on loopback
//! (found beside the benchmark's own binary), so the devices and the hub do not share a runtime.

use caucus_core::api::{ConnectHub, NoInput};
use caucus_core::sync::protocol::{BucketCursor, DeviceCredentials, EnrolRequest, PullRequest};
use caucus_core::sync::Transport;
use caucus_core::Caucus;
use caucus_device::transport::HttpTransport;
use caucus_hub::harness::HubProcess;
use caucus_hub::{HubDb, Policy};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The `caucus-hub` binary built with this one.
pub fn hub_binary() -> Res<PathBuf> {
    let me = std::env::current_exe().map_err(err)?;
    let bin = me.with_file_name("caucus-hub");
    if bin.exists() {
        Ok(bin)
    } else {
        Err(format!(
            "{} is missing: build it with `cargo build -p caucus-hub` in the same profile",
            bin.display()
        ))
    }
}

/// A hub process holding the dataset, and a handle on its database for invites.
pub struct SeededHub {
    pub process: HubProcess,
    pub db: HubDb,
    admin: Uuid,
    /// A member of exactly three groups and nothing more: whose device follows the coalition's
    /// bucket and those three (`initial_sync_s_member`).
    pub member: Option<Uuid>,
    people: Vec<Uuid>,
    /// Each bucket's last server sequence, as the seeding device learnt them.
    heads: BTreeMap<String, i64>,
    pub seed_s: f64,
}

/// Loads the dataset of `scale` into a new hub database at `db_url`, then starts a hub process
/// over it. The dataset's changes are written as an accepted push writes them, without being
/// judged ([`HubDb::import_unjudged`]): a push of the whole coalition through a hub's judge
/// took a quarter of an hour (docs/benchmarks.md, "A large push: seeding a hub"), and what is
/// measured here is what devices then pull, not the push.
pub async fn seed(scale: f64, seed: u64, db_url: &str) -> Res<SeededHub> {
    let db = HubDb::open(db_url, Policy::Authorize).await.map_err(err)?;
    let started = Instant::now();
    // The dataset is made (and signed) on a thread of its own while the hub writes.
    let (send, mut batches) = tokio::sync::mpsc::channel(2);
    let making = tokio::task::spawn_blocking(move || {
        let end = caucus_core::hlc::wall_ms() - 60_000;
        let mut data = crate::dataset::Dataset::new(scale, seed, end);
        while let Some(batch) = data.next_batch(20_000) {
            if send.blocking_send(batch).is_err() {
                break;
            }
        }
    });
    let (mut total, mut next_report) = (0, 500_000);
    while let Some(batch) = batches.recv().await {
        total += db.import_unjudged(&batch).await.map_err(err)?;
        if total >= next_report {
            let s = started.elapsed().as_secs_f64();
            eprintln!("  {total} changes into the hub ({:.0}/s)", total as f64 / s);
            next_report += 500_000;
        }
    }
    making.await.map_err(err)?;
    let seed_s = started.elapsed().as_secs_f64();
    let pool = db.pool();
    let admin: String = sqlx::query_scalar(
        "SELECT row_id FROM hub_field
         WHERE tbl = 'person' AND col = 'secretariat_admin' AND value = 'true' LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .map_err(err)?;
    let admin = Uuid::parse_str(&admin).map_err(err)?;
    let people: Vec<String> =
        sqlx::query_scalar("SELECT row_id FROM hub_row WHERE tbl = 'person' ORDER BY row_id")
            .fetch_all(pool)
            .await
            .map_err(err)?;
    let people = people
        .iter()
        .filter_map(|p| Uuid::parse_str(p).ok())
        .collect();
    let member = member_of(&db, admin).await?;
    // The dataset's changes were made on 200 devices: each is enrolled (as the admin), so a
    // device's first sync receives their certificates and judges their signatures.
    let sites: Vec<String> = sqlx::query_scalar("SELECT DISTINCT site FROM hub_change")
        .fetch_all(pool)
        .await
        .map_err(err)?;
    let now = caucus_core::hlc::wall_ms();
    for site in sites.iter().filter_map(|s| Uuid::parse_str(s).ok()) {
        let key = crate::dataset::device_key(site);
        let request = caucus_core::sync::protocol::EnrolRequest {
            invite_code: invite(&db, admin).await?,
            public_key: hex::encode(key.verifying_key().to_bytes()),
            site,
            device_name: "dataset device".into(),
            person_id: None,
            certificate: None,
            guest_name: None,
        };
        db.enrol(&request, now).await.map_err(err)?;
    }
    let heads: Vec<(String, i64)> =
        sqlx::query_as("SELECT bucket, MAX(server_seq) FROM hub_change GROUP BY bucket")
            .fetch_all(pool)
            .await
            .map_err(err)?;
    let process = HubProcess::start(&hub_binary()?, db_url)?;
    eprintln!(
        "  hub ({}) loaded with {total} changes in {seed_s:.1} s",
        if db_url.starts_with("postgres") {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
    Ok(SeededHub {
        process,
        db,
        admin,
        member,
        people,
        heads: heads.into_iter().collect(),
        seed_s,
    })
}

/// A living person in exactly three groups, not the admin, found in the hub's own rows: whose
/// device follows the coalition's bucket and those three.
pub async fn member_of(db: &HubDb, admin: Uuid) -> Res<Option<Uuid>> {
    let people: Vec<String> = sqlx::query_scalar(
        "SELECT p.value FROM hub_field p
         JOIN hub_row r ON r.tbl = 'membership' AND r.row_id = p.row_id AND r.cl % 2 = 1
         WHERE p.tbl = 'membership' AND p.col = 'person_id'
         GROUP BY p.value HAVING COUNT(*) = 3 ORDER BY p.value LIMIT 2",
    )
    .fetch_all(db.pool())
    .await
    .map_err(err)?;
    Ok(people
        .iter()
        .filter_map(|p| serde_json::from_str::<Uuid>(p).ok())
        .find(|p| *p != admin))
}

/// A hub seeded by an earlier run (`caucus-bench first-sync --hub FILE`), started again over its
/// file: only its first syncs are measured, so it needs only its admin and its member.
pub async fn reopen(db_url: &str, admin: Uuid, member: Option<Uuid>) -> Res<SeededHub> {
    let process = HubProcess::start(&hub_binary()?, db_url)?;
    let db = HubDb::open(db_url, Policy::Authorize).await.map_err(err)?;
    let member = match member {
        Some(m) => Some(m),
        None => member_of(&db, admin).await?,
    };
    Ok(SeededHub {
        process,
        db,
        admin,
        member,
        people: Vec::new(),
        heads: BTreeMap::new(),
        seed_s: 0.0,
    })
}

impl SeededHub {
    /// The secretariat admin the hub was seeded as.
    pub fn admin(&self) -> Uuid {
        self.admin
    }
}

async fn invite(db: &HubDb, person: Uuid) -> Res<String> {
    db.create_invite(Some(person), 600_000, false, caucus_core::hlc::wall_ms())
        .await
        .map_err(err)
}

/// A new device's first sync of everything `person` reads: seconds, from the invite's
/// redemption to the last page merged.
pub async fn first_sync(hub: &SeededHub, dir: &Path, name: &str, person: Uuid) -> Res<f64> {
    let fresh = Caucus::open(&dir.join(format!("{name}.db")))
        .await
        .map_err(err)?;
    fresh.set_transport(Arc::new(HttpTransport::default()));
    let code = invite(&hub.db, person).await?;
    let started = Instant::now();
    let status = fresh
        .connect_hub(ConnectHub {
            url: hub.process.url.clone(),
            invite_code: code,
            device_name: name.into(),
        })
        .await
        .map_err(err)?;
    let seconds = started.elapsed().as_secs_f64();
    if let Some(f) = status.last_failure {
        return Err(format!("the first sync failed: {}", f.message));
    }
    let _ = fresh.sync_status(NoInput {}).await;
    fresh.store().close().await;
    Ok(seconds)
}

/// An enrolled device: the token and key its pulls carry (signed, as a real device's are).
pub struct Device {
    credentials: DeviceCredentials,
}

/// Enrols `n` devices, one per person of the dataset (cycling if there are fewer people).
pub async fn enrol(hub: &SeededHub, n: usize) -> Res<Vec<Device>> {
    let mut devices = Vec::with_capacity(n);
    for i in 0..n {
        let person = hub.people[i % hub.people.len().max(1)];
        let key = device_key(i);
        let reply = hub
            .db
            .enrol(
                &EnrolRequest {
                    invite_code: invite(&hub.db, person).await?,
                    public_key: hex::encode(key.verifying_key().to_bytes()),
                    site: Uuid::now_v7(),
                    device_name: format!("bench device {i}"),
                    person_id: None,
                    certificate: None,
                    guest_name: None,
                },
                caucus_core::hlc::wall_ms(),
            )
            .await
            .map_err(err)?;
        devices.push(Device {
            credentials: DeviceCredentials {
                token: reply.token,
                key,
            },
        });
    }
    Ok(devices)
}

fn device_key(i: usize) -> ed25519_dalek::SigningKey {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

/// What a device that synced a minute ago asks: every bucket followed, from a little before
/// its head, so each pull carries a page of recent changes as a periodic sync does.
fn recent_pull(heads: &BTreeMap<String, i64>) -> PullRequest {
    PullRequest {
        cursors: heads
            .iter()
            .map(|(bucket, head)| {
                (
                    bucket.clone(),
                    BucketCursor {
                        server_seq: (head - 20).max(0),
                        following: true,
                    },
                )
            })
            .collect(),
        limit: 500,
        wait_ms: 0,
    }
}

/// Every device pulls `rounds` times, all devices at once: the latencies in milliseconds.
pub async fn concurrent_pulls(
    hub: &SeededHub,
    urls: &[String],
    devices: &[Device],
    rounds: usize,
) -> Res<Vec<f64>> {
    let transport = Arc::new(HttpTransport::default());
    let request = Arc::new(recent_pull(&hub.heads));
    let start = Arc::new(tokio::sync::Barrier::new(devices.len()));
    let mut tasks = tokio::task::JoinSet::new();
    for (i, device) in devices.iter().enumerate() {
        let (transport, request, start) = (transport.clone(), request.clone(), start.clone());
        let url = urls[i % urls.len()].clone();
        let credentials = device.credentials.clone();
        tasks.spawn(async move {
            start.wait().await;
            let mut times = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                let t = Instant::now();
                transport
                    .pull(&url, &credentials, &request)
                    .await
                    .map_err(|e| e.to_string())?;
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            Ok::<_, String>(times)
        });
    }
    let mut all = Vec::new();
    while let Some(done) = tasks.join_next().await {
        all.extend(done.map_err(err)??);
    }
    Ok(all)
}

/// Pulls per second that `devices` sustain for `seconds` against the hubs at `urls` (each
/// device keeps to one hub, the devices spread evenly).
pub async fn throughput(
    hub: &SeededHub,
    urls: &[String],
    devices: &[Device],
    seconds: f64,
) -> Res<f64> {
    let transport = Arc::new(HttpTransport::default());
    let request = Arc::new(recent_pull(&hub.heads));
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, device) in devices.iter().enumerate() {
        let (transport, request) = (transport.clone(), request.clone());
        let url = urls[i % urls.len()].clone();
        let credentials = device.credentials.clone();
        tasks.spawn(async move {
            let mut n = 0u64;
            while Instant::now() < until {
                transport
                    .pull(&url, &credentials, &request)
                    .await
                    .map_err(|e| e.to_string())?;
                n += 1;
            }
            Ok::<_, String>(n)
        });
    }
    let mut pulls = 0;
    while let Some(done) = tasks.join_next().await {
        pulls += done.map_err(err)??;
    }
    Ok(pulls as f64 / started.elapsed().as_secs_f64())
}
