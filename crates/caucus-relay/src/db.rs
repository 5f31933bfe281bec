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
    /// A meeting host: relays without judging. The home hub judges everything when the host
    /// and the attendees sync onward, and its compensating changes repair any peer.
    Relay,
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
    policy: Policy,
    /// SQLite has one writer; taking turns here avoids busy errors between our own
    /// connections. PostgreSQL uses advisory locks instead.
    sqlite_writer: tokio::sync::Mutex<()>,
    writer: Writer,
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

/// Invite codes: ten characters from an alphabet without look-alikes, shown as two groups.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn new_code(len: usize) -> String {
    let raw: String = (0..len)
        .map(|_| CODE_ALPHABET[rand::random_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    if len > 6 {
        format!("{}-{}", &raw[..len / 2], &raw[len / 2..])
    } else {
        raw
    }
}

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
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;",
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
        Ok(HubDb {
            pool,
            backend,
            hub_id,
            policy,
            sqlite_writer: tokio::sync::Mutex::new(()),
            writer: Writer {
                site: Uuid::now_v7(),
                seq: AtomicU64::new(1),
                clock: Mutex::new(Clock::default()),
            },
        })
    }

    pub fn hub_id(&self) -> Uuid {
        self.hub_id
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Creates an invite for `person` (none: the device says who it is, for a meeting host),
    /// valid for `ttl_ms`, and returns the code to hand over. Only its hash is stored.
    pub async fn create_invite(
        &self,
        person: Option<Uuid>,
        ttl_ms: u64,
        reusable: bool,
        now_ms: u64,
    ) -> Result<String> {
        let code = new_code(if reusable { 6 } else { 10 });
        sqlx::query(
            "INSERT INTO hub_invite (code_hash, person_id, created_ms, expires_ms, reusable)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hash(&normalize_code(&code)))
        .bind(person.map(|p| p.to_string()))
        .bind(now_ms as i64)
        .bind(now_ms.saturating_add(ttl_ms) as i64)
        .bind(reusable as i64)
        .execute(&self.pool)
        .await?;
        Ok(code)
    }

    /// Redeems an invite: a single-use one is marked used in the same statement that checks
    /// it, so two devices racing with one code cannot both enrol.
    pub async fn enrol(&self, request: &EnrolRequest, now_ms: u64) -> Result<EnrolReply> {
        let code_hash = hash(&normalize_code(&request.invite_code));
        let public_key = hex::decode(&request.public_key)
            .ok()
            .filter(|k| k.len() == 32)
            .ok_or_else(|| {
                HubError::Invalid("the device key is not an ed25519 public key".into())
            })?;
        let name = request.device_name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(HubError::Invalid(
                "give the device a name of at most 100 characters".into(),
            ));
        }
        let mut tx = self.pool.begin().await?;
        let invite = sqlx::query(
            "SELECT person_id, reusable FROM hub_invite
             WHERE code_hash = $1 AND expires_ms > $2 AND (used_ms IS NULL OR reusable = 1)",
        )
        .bind(&code_hash)
        .bind(now_ms as i64)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(HubError::InvalidInvite)?;
        let invited: Option<String> = invite.try_get("person_id")?;
        let used = sqlx::query(
            "UPDATE hub_invite SET used_ms = $1
             WHERE code_hash = $2 AND (used_ms IS NULL OR reusable = 1)",
        )
        .bind(now_ms as i64)
        .bind(&code_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used != 1 {
            return Err(HubError::InvalidInvite);
        }
        let person = match invited.as_deref().map(Uuid::parse_str) {
            Some(Ok(p)) => p,
            Some(Err(_)) => return Err(HubError::InvalidInvite),
            None => request
                .person_id
                .ok_or_else(|| HubError::Invalid("say who this device acts as".into()))?,
        };
        // A site is one person's: the changes it makes are judged by that person's rights, so
        // no one may enrol a copy of the records already enrolled for someone else.
        let bound: Vec<String> =
            sqlx::query_scalar("SELECT person_id FROM hub_device WHERE site = $1")
                .bind(request.site.to_string())
                .fetch_all(&mut *tx)
                .await?;
        if bound.iter().any(|p| *p != person.to_string()) {
            return Err(HubError::Invalid(
                "this device's copy of the coalition is enrolled for someone else: a device is \
                 one person's"
                    .into(),
            ));
        }
        let device_id = Uuid::now_v7();
        let token = hex::encode(rand::random::<[u8; 32]>());
        sqlx::query(
            "INSERT INTO hub_device (id, person_id, site, name, public_key, token_hash, enrolled_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(device_id.to_string())
        .bind(person.to_string())
        .bind(request.site.to_string())
        .bind(name)
        .bind(hex::encode(public_key))
        .bind(hash(&token))
        .bind(now_ms as i64)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(EnrolReply {
            device_id,
            token,
            hub_id: self.hub_id,
            person_id: person,
        })
    }

    /// The device a bearer token belongs to. Checked on every request, so a revocation takes
    /// effect on the next one.
    pub async fn device_by_token(&self, token: &str) -> Result<Device> {
        let row = sqlx::query(
            "SELECT id, person_id, site, public_key, revoked_ms FROM hub_device WHERE token_hash = $1",
        )
        .bind(hash(token))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(HubError::Unauthorized)?;
        let revoked: Option<i64> = row.try_get("revoked_ms")?;
        if revoked.is_some() {
            return Err(HubError::Revoked);
        }
        let uuid = |col: &str| -> Result<Uuid> {
            let s: String = row.try_get(col)?;
            Uuid::parse_str(&s).map_err(|_| HubError::Unauthorized)
        };
        Ok(Device {
            id: uuid("id")?,
            person: uuid("person_id")?,
            site: uuid("site")?,
            public_key: hex::decode(row.try_get::<String, _>("public_key")?)
                .map_err(|_| HubError::Unauthorized)?,
        })
    }

    /// Records a request's nonce; false when the device already sent it (a replay). Kept in
    /// the database, so a request replayed to another hub process over the same PostgreSQL is
    /// refused too. A nonce is kept only while its request's clock would still pass the skew
    /// check: after that the clock refuses the replay, so older nonces are dropped now and
    /// then.
    pub async fn remember_nonce(
        &self,
        device: Uuid,
        nonce: &str,
        clock_ms: u64,
        now_ms: u64,
    ) -> Result<bool> {
        let fresh = sqlx::query(
            "INSERT INTO hub_request_nonce (device_id, nonce, clock_ms) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(device.to_string())
        .bind(nonce)
        .bind(clock_ms as i64)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        if rand::random::<u16>().is_multiple_of(1024) {
            let horizon = now_ms.saturating_sub(2 * MAX_CLOCK_SKEW_MS);
            sqlx::query("DELETE FROM hub_request_nonce WHERE clock_ms < $1")
                .bind(horizon as i64)
                .execute(&self.pool)
                .await?;
        }
        Ok(fresh)
    }

    pub async fn revoke(&self, device: Uuid, now_ms: u64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE hub_device SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL",
        )
        .bind(now_ms as i64)
        .bind(device.to_string())
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn devices(&self) -> Result<Vec<DeviceRow>> {
        let rows = sqlx::query(
            "SELECT id, person_id, name, enrolled_ms, revoked_ms FROM hub_device ORDER BY enrolled_ms",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeviceRow {
                    id: r.try_get("id")?,
                    person_id: r.try_get("person_id")?,
                    name: r.try_get("name")?,
                    enrolled_ms: r.try_get("enrolled_ms")?,
                    revoked_ms: r.try_get("revoked_ms")?,
                })
            })
            .collect()
    }

    /// How many changes the hub holds.
    pub async fn change_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM hub_change")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Stores the changes the device's people may make, refuses the others with a reason, and
    /// answers for every change. A retried push finds its changes stored and adds nothing.
    pub async fn push(
        &self,
        device: &Device,
        changes: &[Change],
        now_ms: u64,
    ) -> Result<PushReply> {
        let _one_writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        };
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        if self.backend == Backend::Postgres {
            let buckets: BTreeSet<&str> = changes.iter().map(|c| c.bucket.as_str()).collect();
            // Sorted, so two pushes never wait on each other's locks in opposite orders.
            for bucket in buckets {
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                    .bind(bucket)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let mut reply = PushReply::default();
        let mut setting_up = !has_admin(&mut tx).await?;
        let mut actors: HashMap<Uuid, HubActor> = HashMap::new();
        let held = already_stored(&mut tx, changes).await?;
        // Who made what the device only carries (the others' changes it relays).
        let provenance = match self.policy {
            Policy::Authorize => Some(
                Provenance::establish(&mut tx, device.site, changes, |c| {
                    malformed(c).is_none() && !held.contains(&(c.site, c.seq))
                })
                .await?,
            ),
            Policy::Relay => None,
        };
        let mut pending = Pending::default();
        let mut start = 0;
        while start < changes.len() {
            // A run: consecutive changes to one row by one maker (one write's fields travel
            // together), judged by that maker's rights.
            let (table, row, site) = (
                &changes[start].table,
                changes[start].row,
                changes[start].site,
            );
            let end = changes[start..]
                .iter()
                .position(|c| &c.table != table || c.row != row || c.site != site)
                .map_or(changes.len(), |n| start + n);
            let run = &changes[start..end];
            start = end;
            let mut fresh = Vec::new();
            // Changes refused for who made them, before any rights are asked.
            let mut unproven: Vec<(&Change, Verdict)> = Vec::new();
            let mut maker = device.person;
            let mut in_run = HashSet::new();
            for c in run {
                let id = (c.site, c.seq);
                if let Some(reason) = malformed(c) {
                    reply.rejected.push(reject(c, RejectCode::Invalid, reason));
                } else if held.contains(&id) || pending.ids.contains(&id) || !in_run.insert(id) {
                    reply.accepted.push(ChangeId::of(c));
                } else {
                    match provenance.as_ref().map(|p| p.maker_of(c, device.person)) {
                        Some(Err((code, reason))) => {
                            unproven.push((c, Verdict::Reject(code, reason)));
                        }
                        Some(Ok(person)) => {
                            maker = person;
                            fresh.push(c);
                        }
                        None => fresh.push(c),
                    }
                }
            }
            if fresh.is_empty() && unproven.is_empty() {
                continue;
            }
            if pending.touches(table, row) {
                pending.flush(&mut tx).await?;
            }
            let current = row_view(&mut tx, table, row).await?;
            let expected = match (&current, schema::table(table)) {
                _ if fresh.is_empty() => None,
                (Some(v), _) if v.cl > 0 => Some(v.bucket.clone()),
                (_, None) => Some(fresh[0].bucket.clone()),
                (_, Some(t)) => {
                    match authority::bucket_source(
                        t,
                        &authority::prospective(current.as_ref(), row, &fresh),
                    ) {
                        BucketSource::Known(b) => Some(b),
                        BucketSource::Parent(pt, pid) => {
                            if pending.touches(pt, pid) {
                                pending.flush(&mut tx).await?;
                            }
                            row_bucket(&mut tx, pt, pid).await?
                        }
                        BucketSource::Missing(_) => None,
                    }
                }
            };
            let verdicts: Vec<Verdict> = match (&expected, self.policy) {
                _ if fresh.is_empty() => Vec::new(),
                (None, _) => fresh
                    .iter()
                    .map(|_| {
                        Verdict::Reject(
                            RejectCode::Orphan,
                            "the record it belongs to has not reached the hub yet".into(),
                        )
                    })
                    .collect(),
                (Some(bucket), Policy::Relay) => fresh
                    .iter()
                    .map(|c| {
                        if &c.bucket == bucket {
                            Verdict::Accept
                        } else {
                            Verdict::Reject(
                                RejectCode::WrongBucket,
                                "the change names the wrong group".into(),
                            )
                        }
                    })
                    .collect(),
                (Some(bucket), Policy::Authorize) => {
                    let person = maker;
                    if let std::collections::hash_map::Entry::Vacant(slot) = actors.entry(person) {
                        slot.insert(load_actor(&mut tx, person).await?);
                    }
                    authority::authorize_row(
                        actors.get(&person),
                        setting_up,
                        table,
                        row,
                        current.as_ref(),
                        bucket,
                        &fresh,
                    )
                }
            };
            let judged = unproven
                .into_iter()
                .chain(fresh.iter().copied().zip(verdicts));
            for (c, verdict) in judged {
                let verdict = if c.hlc.ms() > now_ms.saturating_add(MAX_CHANGE_AHEAD_MS) {
                    Verdict::Reject(
                        RejectCode::ClockAhead,
                        "stamped ahead of the hub's clock: the device's clock is wrong".into(),
                    )
                } else {
                    verdict
                };
                match verdict {
                    Verdict::Accept => {
                        pending.add(c);
                        reply.accepted.push(ChangeId::of(c));
                    }
                    Verdict::Reject(code, reason) => {
                        if matches!(code, RejectCode::Forbidden | RejectCode::Invalid) {
                            // Compensation reads the hub's current values: write first.
                            pending.flush(&mut tx).await?;
                            let mut columns = self.compensate(&mut tx, c, now_ms).await?;
                            columns.push(ROW_COLUMN.to_string());
                            columns.push(c.column.clone());
                            for column in &columns {
                                if let Some(undo) =
                                    winning_change(&mut tx, &c.table, c.row, column).await?
                                {
                                    if !reply.compensations.contains(&undo) {
                                        reply.compensations.push(undo);
                                    }
                                }
                            }
                        }
                        reply.rejected.push(reject(c, code, reason));
                    }
                }
            }
            if matches!(table.as_str(), "person" | "membership" | "coalition_group") {
                // Rights come from these rows: judge what follows by them as written.
                pending.flush(&mut tx).await?;
                actors.clear();
                setting_up = !has_admin(&mut tx).await?;
            } else if pending.changes.len() >= PENDING_MAX {
                pending.flush(&mut tx).await?;
            }
        }
        pending.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(reply)
    }

    /// Writes the changes that undo a refused one on every peer that already applied it (it
    /// may have travelled by meeting host or bundle): the field's value as the hub holds it,
    /// and the row's life as the hub holds it, each stamped to win over the refused change.
    /// A refused creation (a row the hub never held) is undone whole: archived, with every
    /// field at its neutral value ([`value::neutral_value`]), so every replica reads it and
    /// every list that includes it. Returns the fields it wrote (`$row` included).
    async fn compensate(
        &self,
        tx: &mut AnyConnection,
        refused: &Change,
        now_ms: u64,
    ) -> Result<Vec<String>> {
        let current = row_view(tx, &refused.table, refused.row).await?;
        let row_cl = current.as_ref().map_or(0, |r| r.cl);
        let mut undo = Vec::new();
        let new_cl = (refused.cl > row_cl).then(|| {
            if is_alive(refused.cl) == is_alive(row_cl) {
                refused.cl
            } else {
                refused.cl + 1
            }
        });
        if let Some(cl) = new_cl {
            undo.push((ROW_COLUMN.to_string(), Value::Null, cl));
        }
        let field_cl = new_cl.unwrap_or(refused.cl);
        let table = schema::table(&refused.table);
        let columns: Vec<String> = match (row_cl, table) {
            // Never held: every field, so the undone row is whole wherever it lands.
            (0, Some(t)) => t.columns.iter().map(|c| c.name.to_string()).collect(),
            _ if refused.column != ROW_COLUMN => vec![refused.column.clone()],
            _ => Vec::new(),
        };
        for column in columns {
            match field_winner(tx, &refused.table, refused.row, &column).await? {
                Some((stamp, value)) if refused.stamp() > stamp => {
                    undo.push((column, value, field_cl));
                }
                Some(_) => {}
                // The hub never held this field: every replica gets the same neutral value, so
                // the refused one is gone from the (archived) row everywhere.
                None => {
                    let neutral = value::neutral_value(&refused.table, &column);
                    undo.push((column, neutral, field_cl));
                }
            }
        }
        let mut written = Vec::new();
        for (column, value, cl) in undo {
            let hlc = {
                let mut clock = self.writer.clock.lock().unwrap_or_else(|p| p.into_inner());
                clock.observe(refused.hlc);
                clock.tick(now_ms)
            };
            let change = Change {
                site: self.writer.site,
                seq: self.writer.seq.fetch_add(1, Ordering::SeqCst),
                hlc,
                actor: None,
                bucket: refused.bucket.clone(),
                table: refused.table.clone(),
                row: refused.row,
                column: column.clone(),
                value,
                cl,
                schema_version: refused.schema_version,
                signature: None,
            };
            store_change(tx, &change).await?;
            written.push(column);
        }
        Ok(written)
    }

    /// The buckets a person may read: the coalition's, and their groups' (every group's for
    /// the secretariat, and for a meeting host, which relays everything it holds).
    async fn readable(&self, conn: &mut AnyConnection, person: Uuid) -> Result<Vec<String>> {
        let actor = load_actor(conn, person).await?;
        let mut buckets: BTreeSet<String> = actor.roles.keys().map(Uuid::to_string).collect();
        buckets.insert(COALITION_BUCKET.to_string());
        if actor.admin || self.policy == Policy::Relay {
            // Each bucket once, by hopping along the (bucket, server_seq) index: a DISTINCT
            // would read every row the hub holds, on every pull of the secretariat.
            let all: Vec<String> = sqlx::query_scalar(
                "WITH RECURSIVE b(bucket) AS (
                     SELECT MIN(bucket) FROM hub_change
                     UNION ALL
                     SELECT (SELECT MIN(bucket) FROM hub_change WHERE bucket > b.bucket)
                     FROM b WHERE b.bucket IS NOT NULL
                 )
                 SELECT bucket FROM b WHERE bucket IS NOT NULL",
            )
            .fetch_all(&mut *conn)
            .await?;
            buckets.extend(all);
        }
        Ok(buckets.into_iter().collect())
    }

    /// One page of what the device lacks, across its readable buckets: a compacted snapshot
    /// (the winning change of each field) for a bucket it does not follow yet, then the
    /// bucket's log after its cursor.
    pub async fn pull(&self, device: &Device, request: &PullRequest) -> Result<PullReply> {
        let limit = request.limit.clamp(1, MAX_PULL_CHANGES) as usize;
        let mut reply = PullReply::default();
        let mut conn = self.pool.acquire().await?;
        for bucket in self.readable(&mut conn, device.person).await? {
            let mut cursor = request.cursors.get(&bucket).copied().unwrap_or_default();
            let budget = limit.saturating_sub(reply.changes.len());
            if budget == 0 {
                reply.more = true;
                reply.cursors.insert(bucket, cursor);
                continue;
            }
            let sql = if cursor.following {
                "SELECT server_seq, body FROM hub_change
                 WHERE bucket = $1 AND server_seq > $2 ORDER BY server_seq LIMIT $3"
            } else {
                if cursor.server_seq == 0 {
                    let n: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM hub_field WHERE bucket = $1")
                            .bind(&bucket)
                            .fetch_one(&mut *conn)
                            .await?;
                    reply.snapshot_remaining += n as u64;
                }
                "SELECT c.server_seq, c.body FROM hub_field f JOIN hub_change c ON c.server_seq = f.server_seq
                 WHERE f.bucket = $1 AND f.server_seq > $2 ORDER BY f.server_seq LIMIT $3"
            };
            let rows = sqlx::query(sql)
                .bind(&bucket)
                .bind(cursor.server_seq)
                .bind(budget as i64 + 1)
                .fetch_all(&mut *conn)
                .await?;
            let full = rows.len() > budget;
            for row in rows.iter().take(budget) {
                let seq: i64 = row.try_get("server_seq")?;
                let body: String = row.try_get("body")?;
                let change: Change = serde_json::from_str(&body)
                    .map_err(|e| HubError::Invalid(format!("a stored change is damaged: {e}")))?;
                reply.changes.push(change);
                cursor.server_seq = seq;
            }
            if full {
                reply.more = true;
            } else {
                // The snapshot is complete: follow the log from here on.
                cursor.following = true;
            }
            reply.cursors.insert(bucket, cursor);
        }
        Ok(reply)
    }
}

fn reject(c: &Change, code: RejectCode, reason: String) -> Rejection {
    Rejection {
        site: c.site,
        seq: c.seq,
        code,
        reason,
    }
}

/// Bounds on what a change may name, before anything reads it.
fn malformed(c: &Change) -> Option<String> {
    let name_ok = |s: &str| !s.is_empty() && s.len() <= 64;
    if !name_ok(&c.table) || !name_ok(&c.column) || !name_ok(&c.bucket) {
        return Some("the change's table, field or group name is malformed".into());
    }
    if c.seq == 0 || c.seq > i64::MAX as u64 || c.hlc.0 > i64::MAX as u64 || c.cl > i64::MAX as u64
    {
        return Some("the change's numbers are out of range".into());
    }
    None
}

/// Accepted changes not yet written: the push judges row by row but writes in batches, and
/// writes what is pending before it reads anything a pending change could alter.
#[derive(Default)]
struct Pending<'a> {
    changes: Vec<&'a Change>,
    rows: HashSet<(&'a str, Uuid)>,
    ids: HashSet<(Uuid, u64)>,
}

/// Changes per statement when writing a batch: within every driver's limit on bound values.
const WRITE_CHUNK: usize = 400;
/// Pending changes that make the push write them out.
const PENDING_MAX: usize = 2_000;

impl<'a> Pending<'a> {
    fn add(&mut self, c: &'a Change) {
        self.rows.insert((c.table.as_str(), c.row));
        self.ids.insert((c.site, c.seq));
        self.changes.push(c);
    }

    fn touches(&self, table: &str, row: Uuid) -> bool {
        self.rows.contains(&(table, row))
    }

    /// Writes every pending change: appended to the log in the order accepted, then folded
    /// into the winners and the rows' causal lengths, a few hundred rows per statement.
    async fn flush(&mut self, tx: &mut AnyConnection) -> Result<()> {
        if self.changes.is_empty() {
            return Ok(());
        }
        let mut server_seqs: HashMap<(Uuid, u64), i64> = HashMap::new();
        for chunk in self.changes.chunks(WRITE_CHUNK) {
            let mut sql = String::from("INSERT INTO hub_change (site, seq, bucket, body) VALUES ");
            push_placeholders(&mut sql, chunk.len(), 4);
            sql.push_str(" RETURNING server_seq, site, seq");
            let mut q = sqlx::query(&sql);
            for c in chunk {
                let body =
                    serde_json::to_string(c).map_err(|e| HubError::Invalid(e.to_string()))?;
                q = q
                    .bind(c.site.to_string())
                    .bind(c.seq as i64)
                    .bind(c.bucket.clone())
                    .bind(body);
            }
            for r in q.fetch_all(&mut *tx).await? {
                let site: String = r.try_get("site")?;
                let seq: i64 = r.try_get("seq")?;
                let site = Uuid::parse_str(&site)
                    .map_err(|_| HubError::Invalid("a stored change's site is damaged".into()))?;
                server_seqs.insert((site, seq as u64), r.try_get("server_seq")?);
            }
        }
        // One statement may not update a row twice (PostgreSQL refuses it): keep the winner of
        // each field and the highest causal length of each row, as the upserts would.
        let mut fields: HashMap<(&str, Uuid, &str), &Change> = HashMap::new();
        let mut rows: HashMap<(&str, Uuid), (&str, u64)> = HashMap::new();
        for c in &self.changes {
            let key = (c.table.as_str(), c.row, c.column.as_str());
            match fields.get(&key) {
                Some(held) if held.stamp() >= c.stamp() => {}
                _ => {
                    fields.insert(key, c);
                }
            }
            let row = rows
                .entry((c.table.as_str(), c.row))
                .or_insert((c.bucket.as_str(), c.cl));
            row.1 = row.1.max(c.cl);
        }
        let fields: Vec<&Change> = fields.into_values().collect();
        for chunk in fields.chunks(WRITE_CHUNK) {
            let mut sql = String::from(
                "INSERT INTO hub_field (tbl, row_id, col, cl, hlc, site, seq, value, bucket, server_seq) VALUES ",
            );
            push_placeholders(&mut sql, chunk.len(), 10);
            sql.push_str(
                " ON CONFLICT (tbl, row_id, col) DO UPDATE SET
                     cl = excluded.cl, hlc = excluded.hlc, site = excluded.site, seq = excluded.seq,
                     value = excluded.value, bucket = excluded.bucket, server_seq = excluded.server_seq
                 WHERE (excluded.cl, excluded.hlc, excluded.site, excluded.seq)
                     > (hub_field.cl, hub_field.hlc, hub_field.site, hub_field.seq)",
            );
            let mut q = sqlx::query(&sql);
            for c in chunk {
                let server_seq = *server_seqs.get(&(c.site, c.seq)).ok_or_else(|| {
                    HubError::Invalid("a change was not appended to the hub's log".into())
                })?;
                q = q
                    .bind(c.table.clone())
                    .bind(c.row.to_string())
                    .bind(c.column.clone())
                    .bind(c.cl as i64)
                    .bind(c.hlc.0 as i64)
                    .bind(c.site.to_string())
                    .bind(c.seq as i64)
                    .bind(c.value.to_string())
                    .bind(c.bucket.clone())
                    .bind(server_seq);
            }
            q.execute(&mut *tx).await?;
        }
        let rows: Vec<_> = rows.into_iter().collect();
        for chunk in rows.chunks(WRITE_CHUNK) {
            let mut sql = String::from("INSERT INTO hub_row (tbl, row_id, bucket, cl) VALUES ");
            push_placeholders(&mut sql, chunk.len(), 4);
            sql.push_str(
                " ON CONFLICT (tbl, row_id) DO UPDATE SET cl = excluded.cl WHERE excluded.cl > hub_row.cl",
            );
            let mut q = sqlx::query(&sql);
            for ((table, row), (bucket, cl)) in chunk {
                q = q
                    .bind(table.to_string())
                    .bind(row.to_string())
                    .bind(bucket.to_string())
                    .bind(*cl as i64);
            }
            q.execute(&mut *tx).await?;
        }
        self.changes.clear();
        self.rows.clear();
        self.ids.clear();
        Ok(())
    }
}

/// `($1, $2, …), ($n, …)`: `rows` tuples of `width` numbered placeholders, which both SQLite
/// and PostgreSQL read.
fn push_placeholders(sql: &mut String, rows: usize, width: usize) {
    use std::fmt::Write;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..width {
            let _ = write!(
                sql,
                "{}${}",
                if c == 0 { "" } else { ", " },
                r * width + c + 1
            );
        }
        sql.push(')');
    }
}

/// The changes of a push the hub already holds, by (site, seq): a device pushes its changes in
/// order, so one range query per site finds them; a sparse range (a relay forwarding a few
/// changes of many sites) is looked up change by change instead of reading the whole range.
async fn already_stored(
    tx: &mut AnyConnection,
    changes: &[Change],
) -> Result<HashSet<(Uuid, u64)>> {
    let mut sites: BTreeMap<Uuid, Vec<u64>> = BTreeMap::new();
    for c in changes.iter().filter(|c| malformed(c).is_none()) {
        sites.entry(c.site).or_default().push(c.seq);
    }
    let mut held = HashSet::new();
    for (site, seqs) in sites {
        let (low, high) = (seqs.iter().min(), seqs.iter().max());
        let (Some(&low), Some(&high)) = (low, high) else {
            continue;
        };
        if high - low < 4 * seqs.len() as u64 + 64 {
            let found: Vec<i64> = sqlx::query_scalar(
                "SELECT seq FROM hub_change WHERE site = $1 AND seq >= $2 AND seq <= $3",
            )
            .bind(site.to_string())
            .bind(low as i64)
            .bind(high as i64)
            .fetch_all(&mut *tx)
            .await?;
            held.extend(found.into_iter().map(|s| (site, s as u64)));
        } else {
            for seq in seqs {
                let found = sqlx::query("SELECT 1 FROM hub_change WHERE site = $1 AND seq = $2")
                    .bind(site.to_string())
                    .bind(seq as i64)
                    .fetch_optional(&mut *tx)
                    .await?;
                if found.is_some() {
                    held.insert((site, seq));
                }
            }
        }
    }
    Ok(held)
}

/// Appends a change and folds it into the winners and the row's causal length.
async fn store_change(tx: &mut AnyConnection, c: &Change) -> Result<()> {
    let body = serde_json::to_string(c).map_err(|e| HubError::Invalid(e.to_string()))?;
    let server_seq: i64 = sqlx::query_scalar(
        "INSERT INTO hub_change (site, seq, bucket, body) VALUES ($1, $2, $3, $4) RETURNING server_seq",
    )
    .bind(c.site.to_string())
    .bind(c.seq as i64)
    .bind(&c.bucket)
    .bind(body)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO hub_field (tbl, row_id, col, cl, hlc, site, seq, value, bucket, server_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tbl, row_id, col) DO UPDATE SET
             cl = excluded.cl, hlc = excluded.hlc, site = excluded.site, seq = excluded.seq,
             value = excluded.value, bucket = excluded.bucket, server_seq = excluded.server_seq
         WHERE (excluded.cl, excluded.hlc, excluded.site, excluded.seq)
             > (hub_field.cl, hub_field.hlc, hub_field.site, hub_field.seq)",
    )
    .bind(&c.table)
    .bind(c.row.to_string())
    .bind(&c.column)
    .bind(c.cl as i64)
    .bind(c.hlc.0 as i64)
    .bind(c.site.to_string())
    .bind(c.seq as i64)
    .bind(c.value.to_string())
    .bind(&c.bucket)
    .bind(server_seq)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO hub_row (tbl, row_id, bucket, cl) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tbl, row_id) DO UPDATE SET cl = excluded.cl WHERE excluded.cl > hub_row.cl",
    )
    .bind(&c.table)
    .bind(c.row.to_string())
    .bind(&c.bucket)
    .bind(c.cl as i64)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

async fn row_view(tx: &mut AnyConnection, table: &str, row: Uuid) -> Result<Option<RowView>> {
    let id = row.to_string();
    let Some(meta) = sqlx::query("SELECT bucket, cl FROM hub_row WHERE tbl = $1 AND row_id = $2")
        .bind(table)
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(None);
    };
    let fields = sqlx::query("SELECT col, value FROM hub_field WHERE tbl = $1 AND row_id = $2")
        .bind(table)
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
    let mut map = Map::new();
    for f in fields {
        let col: String = f.try_get("col")?;
        if col != ROW_COLUMN {
            let value: String = f.try_get("value")?;
            map.insert(col, serde_json::from_str(&value).unwrap_or(Value::Null));
        }
    }
    let cl: i64 = meta.try_get("cl")?;
    Ok(Some(RowView {
        bucket: meta.try_get("bucket")?,
        cl: cl as u64,
        fields: map,
    }))
}

/// The change that holds a field's value on the hub.
async fn winning_change(
    tx: &mut AnyConnection,
    table: &str,
    row: Uuid,
    column: &str,
) -> Result<Option<Change>> {
    let body: Option<String> = sqlx::query_scalar(
        "SELECT c.body FROM hub_field f JOIN hub_change c ON c.server_seq = f.server_seq
         WHERE f.tbl = $1 AND f.row_id = $2 AND f.col = $3",
    )
    .bind(table)
    .bind(row.to_string())
    .bind(column)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
}

async fn row_bucket(tx: &mut AnyConnection, table: &str, row: Uuid) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT bucket FROM hub_row WHERE tbl = $1 AND row_id = $2")
            .bind(table)
            .bind(row.to_string())
            .fetch_optional(&mut *tx)
            .await?,
    )
}

async fn field_winner(
    tx: &mut AnyConnection,
    table: &str,
    row: Uuid,
    column: &str,
) -> Result<Option<(Stamp, Value)>> {
    let Some(r) = sqlx::query(
        "SELECT cl, hlc, site, seq, value FROM hub_field WHERE tbl = $1 AND row_id = $2 AND col = $3",
    )
    .bind(table)
    .bind(row.to_string())
    .bind(column)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let (cl, hlc, seq): (i64, i64, i64) = (r.try_get("cl")?, r.try_get("hlc")?, r.try_get("seq")?);
    let site: String = r.try_get("site")?;
    let value: String = r.try_get("value")?;
    Ok(Some((
        Stamp {
            cl: cl as u64,
            hlc: Hlc(hlc as u64),
            site: Uuid::parse_str(&site).unwrap_or_default(),
            seq: seq as u64,
        },
        serde_json::from_str(&value).unwrap_or(Value::Null),
    )))
}

async fn has_admin(tx: &mut AnyConnection) -> Result<bool> {
    Ok(sqlx::query(
        "SELECT 1 FROM hub_field f JOIN hub_row r ON r.tbl = f.tbl AND r.row_id = f.row_id
         WHERE f.tbl = 'person' AND f.col = 'secretariat_admin' AND f.value = 'true' AND r.cl % 2 = 1
         LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?
    .is_some())
}

fn json_str(value: &str) -> Option<String> {
    serde_json::from_str::<Value>(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
}

/// The person as the hub's data describes them: secretariat or not, organization, and the
/// role in each group they belong to.
async fn load_actor(tx: &mut AnyConnection, person: Uuid) -> Result<HubActor> {
    let id = person.to_string();
    let mut actor = HubActor {
        person,
        ..Default::default()
    };
    if let Some(view) = row_view(tx, "person", person).await? {
        if is_alive(view.cl) {
            actor.admin = view.fields.get("secretariat_admin") == Some(&Value::Bool(true));
            actor.organization = view
                .fields
                .get("organization_id")
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok());
        }
    }
    let rows = sqlx::query(
        "SELECT g.value AS grp, ro.value AS role
         FROM hub_field p
         JOIN hub_row r ON r.tbl = 'membership' AND r.row_id = p.row_id
         JOIN hub_field g ON g.tbl = 'membership' AND g.row_id = p.row_id AND g.col = 'group_id'
         LEFT JOIN hub_field ro ON ro.tbl = 'membership' AND ro.row_id = p.row_id AND ro.col = 'role'
         WHERE p.tbl = 'membership' AND p.col = 'person_id' AND p.value = $1 AND r.cl % 2 = 1",
    )
    .bind(Value::String(id).to_string())
    .fetch_all(&mut *tx)
    .await?;
    let steering: BTreeSet<String> = sqlx::query_scalar::<_, String>(
        "SELECT row_id FROM hub_field WHERE tbl = 'coalition_group' AND col = 'kind' AND value = $1",
    )
    .bind(Value::String("steering_committee".into()).to_string())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut roles = BTreeMap::new();
    for r in rows {
        let group: String = r.try_get("grp")?;
        let role: Option<String> = r.try_get("role")?;
        let Some(group) = json_str(&group).and_then(|g| Uuid::parse_str(&g).ok()) else {
            continue;
        };
        let role = role
            .and_then(|r: String| serde_json::from_str::<Role>(&r).ok())
            .unwrap_or(Role::Member);
        actor.steering |= steering.contains(&group.to_string());
        roles.insert(group, role);
    }
    actor.roles = roles.into_iter().collect();
    Ok(actor)
}
