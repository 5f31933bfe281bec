//! The hub's database: SQLite (a file) or PostgreSQL (a `postgres://` URL), through sqlx's
//! `Any` driver, with a migration set for each. Everything the hub knows is here, so several
//! hub processes can serve one PostgreSQL database.
//!
//! Appends are serialized per bucket (a PostgreSQL advisory lock, or one writer for SQLite),
//! so server sequence numbers within a bucket commit in order and a reader following
//! `server_seq > cursor` never skips a late commit.

use crate::error::HubError;
use crate::provenance::Provenance;
use caucus_core::change::{is_alive, Change, Stamp, ROW_COLUMN};
use caucus_core::hlc::{Clock, Hlc};
use caucus_core::model::{value, Role};
use caucus_core::schema::{self, COALITION_BUCKET};
use caucus_core::sync::authority::{self, BucketSource, HubActor, RowView, Verdict};
use caucus_core::sync::protocol::*;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::any::AnyPoolOptions;
use sqlx::AnyConnection;
use sqlx::{AnyPool, Connection, Executor, Row};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use uuid::Uuid;

type Result<T, E = HubError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Whether the hub judges pushed changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// A coalition hub: every change is checked against its author's role.
    Authorize,
    /// A meeting host of a device that has not enrolled with a hub (the demo): relays without
    /// judging. The home hub judges everything when the host and the attendees sync onward,
    /// and its compensating changes repair any peer.
    Relay,
    /// A meeting host of an enrolled coalition ([`HubDb::trust_coalition`]): admits a device
    /// only with its certificate from the coalition's hub, serves it only the buckets its
    /// person may read, and accepts from it only what that person may write. A refusal is
    /// answered with its reason and not undone here: the change never entered the meeting,
    /// and it still goes to the coalition's hub, which has the last word.
    Meeting,
}

/// What a meeting hub knows of its coalition.
struct MeetingTrust {
    hub_id: Uuid,
    hub_key: ed25519_dalek::VerifyingKey,
    host_site: Uuid,
    revoked: Vec<RevokedDevice>,
}

/// An enrolled device, as a request's token identifies it.
#[derive(Debug, Clone)]
pub struct Device {
    pub id: Uuid,
    pub person: Uuid,
    pub site: Uuid,
    /// The ed25519 key it enrolled with, which signs its requests.
    pub public_key: Vec<u8>,
}

/// A device as an administrator lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceRow {
    pub id: String,
    pub person_id: String,
    pub name: String,
    pub enrolled_ms: i64,
    pub revoked_ms: Option<i64>,
}

/// The writer of compensating changes: one site per hub process, with its own sequence and
/// clock, so two processes never collide.
struct Writer {
    site: Uuid,
    seq: AtomicU64,
    clock: Mutex<Clock>,
}

pub struct HubDb {
    pool: AnyPool,
    backend: Backend,
    hub_id: Uuid,
    /// The key the hub signs device certificates with ([`caucus_core::certificate`]).
    key: ed25519_dalek::SigningKey,
    /// Certificates issued again for pulls, by site and device key.
    certificates: Mutex<HashMap<(Uuid, [u8; 32]), caucus_core::certificate::Certificate>>,
    policy: Policy,
    /// For [`Policy::Meeting`]: the coalition it judges for.
    meeting: Mutex<Option<MeetingTrust>>,
    /// For a meeting hub: the coalition's certificates its devices presented (and its host
    /// believes), by site, passed on with what those devices made so every receiver can judge
    /// it. A relaying meeting passes them on unchecked: each receiver checks them itself.
    presented: Mutex<HashMap<Uuid, Vec<caucus_core::certificate::Certificate>>>,
    /// For a meeting hub: the guests who asked to join, and whether the host let them in.
    guests: Mutex<Vec<guests::GuestEntry>>,
    /// For a meeting hub: the meeting whose record and agenda guests read.
    public_meeting: Mutex<Option<Uuid>>,
    /// Called when a guest asks to join (the host's screen listens).
    guest_asked: Mutex<Option<Box<dyn Fn() + Send + Sync>>>,
    /// SQLite has one writer; taking turns here avoids busy errors between our own
    /// connections. PostgreSQL uses advisory locks instead.
    sqlite_writer: tokio::sync::Mutex<()>,
    writer: Writer,
    /// Counts the pushes committed, for the pulls a meeting hub holds open until one lands
    /// ([`PullRequest::wait_ms`]).
    pushed: tokio::sync::watch::Sender<u64>,
}

/// The database a URL names: PostgreSQL for a `postgres://` URL, else a SQLite file.
fn backend_of(url: &str) -> Backend {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// `rows` tuples of `width` placeholders: `($1, $2, …), ($n, …)` for PostgreSQL, `(?, ?, …)`
/// for SQLite ([`placeholder`]).
fn push_placeholders(sql: &mut String, backend: Backend, rows: usize, width: usize) {
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&placeholder(backend, r * width + c + 1));
        }
        sql.push(')');
    }
}

/// The `n`th bound value (from 1) of a statement made of many: `$n` for PostgreSQL, and for
/// SQLite an anonymous `?`, bound in the order written. SQLite looks each numbered name up in
/// a list, when preparing and again when binding, so a statement of 4,000 numbered values spent
/// most of a large push's time comparing names (`perf`: `strncmp`, `sqlite3_bind_parameter_name`).
fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${n}"),
    }
}

mod actors;
mod devices;
mod guests;
mod nonces;
mod pull;
pub use pull::Page;
mod push;
mod rows;

impl HubDb {
    /// Opens (creating and migrating) the hub database at `url`: a `postgres://` URL, or a
    /// SQLite file path (or `sqlite://` URL).
    pub async fn open(url: &str, policy: Policy) -> Result<HubDb> {
        if backend_of(url) == Backend::Postgres && !cfg!(feature = "postgres") {
            return Err(HubError::Invalid(
                "this build has no PostgreSQL support: the coalition's hub (caucus-hub) has it"
                    .into(),
            ));
        }
        sqlx::any::install_default_drivers();
        let backend = backend_of(url);
        let url = match backend {
            Backend::Postgres => url.to_string(),
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                format!("sqlite://{path}?mode=rwc")
            }
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 16 })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // The pages are mapped rather than read: a first sync reads the
                        // whole snapshot, and each read through the kernel into every
                        // connection's own small cache cost the hub a third of its time.
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;
                             PRAGMA mmap_size=4294967296;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        let fresh = Uuid::now_v7().to_string();
        sqlx::query(
            "INSERT INTO hub_meta (key, value) VALUES ('hub_id', $1) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&fresh)
        .execute(&pool)
        .await?;
        let hub_id: String = sqlx::query_scalar("SELECT value FROM hub_meta WHERE key = 'hub_id'")
            .fetch_one(&pool)
            .await?;
        let hub_id = Uuid::parse_str(&hub_id)
            .map_err(|_| HubError::Invalid("the hub's id in its database is damaged".into()))?;
        // The key the hub certifies devices with: made once, kept with the hub's data (a new
        // key would make every certificate it issued unbelievable).
        let fresh_key = hex::encode(rand::random::<[u8; 32]>());
        sqlx::query(
            "INSERT INTO hub_meta (key, value) VALUES ('hub_key', $1) ON CONFLICT (key) DO NOTHING",
        )
        .bind(&fresh_key)
        .execute(&pool)
        .await?;
        let key: String = sqlx::query_scalar("SELECT value FROM hub_meta WHERE key = 'hub_key'")
            .fetch_one(&pool)
            .await?;
        let key: [u8; 32] = hex::decode(&key)
            .ok()
            .and_then(|k| k.try_into().ok())
            .ok_or_else(|| HubError::Invalid("the hub's key in its database is damaged".into()))?;
        let key = ed25519_dalek::SigningKey::from_bytes(&key);
        Ok(HubDb {
            pool,
            backend,
            hub_id,
            key,
            certificates: Default::default(),
            policy,
            meeting: Mutex::new(None),
            presented: Mutex::new(HashMap::new()),
            guests: Mutex::new(Vec::new()),
            public_meeting: Mutex::new(None),
            guest_asked: Mutex::new(None),
            sqlite_writer: tokio::sync::Mutex::new(()),
            writer: Writer {
                site: Uuid::now_v7(),
                seq: AtomicU64::new(1),
                clock: Mutex::new(Clock::default()),
            },
            pushed: tokio::sync::watch::Sender::new(0),
        })
    }

    /// Makes a new hub the hub of a coalition started on a laptop: it takes the coalition's
    /// id and key from the file the laptop saved ([`caucus_core::certificate::CoalitionKey`]),
    /// so the certificate the laptop gave itself, and every bundle it wrote, stay good. Only a
    /// hub that has enrolled no device and holds no change may; returns the founder, to invite.
    pub async fn adopt(&self, key_file: &[u8]) -> Result<Uuid> {
        let (file, key) = caucus_core::certificate::CoalitionKey::decode(key_file)
            .map_err(|e| HubError::Invalid(e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        let devices: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hub_device")
            .fetch_one(&mut *tx)
            .await?;
        let changes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM hub_change")
            .fetch_one(&mut *tx)
            .await?;
        // A hub adopts one coalition's key, once: a second file would silently make the
        // invite it printed for the first founder lead into another coalition.
        let adopted: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM hub_meta WHERE key = 'adopted_by'")
                .fetch_one(&mut *tx)
                .await?;
        if devices > 0 || changes > 0 || adopted > 0 {
            return Err(HubError::Invalid(
                "this hub already serves a coalition: start the new coalition's hub on an empty \
                 database"
                    .into(),
            ));
        }
        sqlx::query("INSERT INTO hub_meta (key, value) VALUES ('adopted_by', $1)")
            .bind(file.founder.to_string())
            .execute(&mut *tx)
            .await?;
        for (name, value) in [
            ("hub_id", file.hub_id.to_string()),
            ("hub_key", hex::encode(key.to_bytes())),
        ] {
            sqlx::query("UPDATE hub_meta SET value = $1 WHERE key = $2")
                .bind(value)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(file.founder)
    }

    /// Makes a [`Policy::Meeting`] hub judge for the host's coalition.
    pub fn trust_coalition(&self, trust: caucus_core::sync::meeting::CoalitionTrust) {
        for c in &trust.certificates {
            if c.verify(trust.hub_id, &trust.hub_key, caucus_core::hlc::wall_ms())
                .is_ok()
            {
                self.present(c);
            }
        }
        *self.meeting.lock().unwrap_or_else(|p| p.into_inner()) = Some(MeetingTrust {
            hub_id: trust.hub_id,
            hub_key: trust.hub_key,
            host_site: trust.host_site,
            revoked: trust.revoked,
        });
    }

    /// Keeps a certificate to pass on with its device's changes.
    fn present(&self, c: &caucus_core::certificate::Certificate) {
        let mut presented = self.presented.lock().unwrap_or_else(|p| p.into_inner());
        let held = presented.entry(c.site).or_default();
        if !held.contains(c) {
            held.push(c.clone());
        }
    }

    /// Whether `site` is the meeting's host, whose replica judged what it gives its meeting.
    fn is_host(&self, site: Uuid) -> bool {
        self.meeting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|t| t.host_site == site)
    }

    pub fn hub_id(&self) -> Uuid {
        self.hub_id
    }

    /// A certificate from this hub that `key` and `site` act for `person`, issued at
    /// `issued_ms` (enrolment issues one; this is for tooling and tests).
    pub fn certify(
        &self,
        person: Uuid,
        site: Uuid,
        key: &ed25519_dalek::VerifyingKey,
        issued_ms: u64,
    ) -> caucus_core::certificate::Certificate {
        caucus_core::certificate::Certificate::issue(
            &self.key,
            self.hub_id,
            person,
            site,
            key,
            issued_ms,
        )
    }

    /// The public key devices check the hub's certificates with.
    pub fn public_key(&self) -> ed25519_dalek::VerifyingKey {
        self.key.verifying_key()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// The hub's connections, for tools that read its tables (the benchmark finds the people
    /// and the heads of a hub it loaded).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// How many changes the hub holds.
    pub async fn change_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM hub_change")
            .fetch_one(&self.pool)
            .await?)
    }
}
