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

/// Starts a hub over `db_url` and pushes the whole of `seeder` (a copy of the dataset, acting
/// as the coalition's first secretariat admin) into it, as that device's first sync does.
pub async fn seed(seeder_path: &Path, db_url: &str) -> Res<SeededHub> {
    let process = HubProcess::start(&hub_binary()?, db_url)?;
    let db = HubDb::open(db_url, Policy::Authorize).await.map_err(err)?;
    let seeder = Caucus::open(seeder_path).await.map_err(err)?;
    let pool = seeder.store().pool();
    let admin: String =
        sqlx::query_scalar("SELECT id FROM person WHERE secretariat_admin = 1 LIMIT 1")
            .fetch_one(pool)
            .await
            .map_err(err)?;
    let admin = Uuid::parse_str(&admin).map_err(err)?;
    let people: Vec<String> = sqlx::query_scalar("SELECT id FROM person ORDER BY id")
        .fetch_all(pool)
        .await
        .map_err(err)?;
    let people = people
        .iter()
        .filter_map(|p| Uuid::parse_str(p).ok())
        .collect();
    let member: Option<String> = sqlx::query_scalar(
        "SELECT m.person_id FROM membership m JOIN person p ON p.id = m.person_id
         WHERE m.cl % 2 = 1 AND p.cl % 2 = 1 AND p.secretariat_admin = 0
         GROUP BY m.person_id HAVING COUNT(*) = 3 ORDER BY m.person_id LIMIT 1",
    )
    .fetch_optional(pool)
    .await
    .map_err(err)?;
    let member = member.and_then(|m| Uuid::parse_str(&m).ok());
    // The dataset's changes were made on 200 devices: the hub judges each by the device that
    // made it, so they are enrolled first (as the admin, whose rights cover the whole history),
    // and the seeder only carries their changes.
    let sites: Vec<Vec<u8>> = sqlx::query_scalar(
        "SELECT id FROM log_id WHERE no IN (SELECT DISTINCT site FROM log_entry)",
    )
    .fetch_all(pool)
    .await
    .map_err(err)?;
    let now = caucus_core::hlc::wall_ms();
    for site in sites.iter().filter_map(|s| Uuid::from_slice(s).ok()) {
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
    seeder.set_transport(Arc::new(HttpTransport::default()));
    let started = Instant::now();
    let code = invite(&db, admin).await?;
    let status = seeder
        .connect_hub(ConnectHub {
            url: process.url.clone(),
            invite_code: code,
            device_name: "seed".into(),
        })
        .await
        .map_err(err)?;
    if let Some(f) = status.last_failure {
        return Err(format!("seeding the hub failed: {}", f.message));
    }
    let seed_s = started.elapsed().as_secs_f64();
    let heads: Vec<(String, i64)> =
        sqlx::query_as("SELECT bucket, server_seq FROM sync_cursor WHERE following = 1")
            .fetch_all(pool)
            .await
            .map_err(err)?;
    seeder.store().close().await;
    eprintln!(
        "  hub ({}) seeded in {seed_s:.1} s",
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

/// A hub seeded by an earlier run (`caucus-bench first-sync --hub FILE`), started again over its
/// file: only its first syncs are measured, so it needs only its admin and its member.
pub async fn reopen(db_url: &str, admin: Uuid, member: Option<Uuid>) -> Res<SeededHub> {
    let process = HubProcess::start(&hub_binary()?, db_url)?;
    let db = HubDb::open(db_url, Policy::Authorize).await.map_err(err)?;
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
