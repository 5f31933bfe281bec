//! The local replica in SQLite: opening it, the one write path ([`apply`]), and reads.
//!
//! The database runs in WAL mode with `synchronous=FULL`, so a write that returned has
//! survived a crash or a power cut.

pub mod apply;
pub mod certificates;
pub mod cipher;
pub mod export;
pub mod guest_passes;
pub mod history;
pub(crate) mod log;
pub mod merge;
mod raw;
pub mod read;
pub mod search;
pub mod stamps;
pub mod sync_state;
pub mod texts;
pub mod upgrade;

use crate::change::{Change, ROW_COLUMN, SCHEMA_VERSION};
use crate::error::{CoreError, Result};
use crate::hlc::{self, Clock, Hlc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::Mutex;
use uuid::Uuid;

/// The page cache of each connection, at most, in KiB (see [`Store::open`]).
pub const CACHE_KIB: u32 = 32 * 1024;

pub use apply::{ApplyReport, Origin};

/// One field of one row to write locally.
#[derive(Debug, Clone)]
pub struct Edit {
    /// The row's bucket (a group id, or the coalition's).
    pub bucket: String,
    /// The row's table.
    pub table: &'static str,
    /// The row's id.
    pub row: Uuid,
    /// A column name, or [`ROW_COLUMN`] to set the row's causal length.
    pub column: &'static str,
    /// The value to write (null for [`ROW_COLUMN`]).
    pub value: serde_json::Value,
    /// The row's causal length for this write.
    pub cl: u64,
}

impl Edit {
    /// The causal-length change that creates, archives or restores a row.
    pub fn row(bucket: &str, table: &'static str, row: Uuid, cl: u64) -> Self {
        Edit {
            bucket: bucket.to_string(),
            table,
            row,
            column: ROW_COLUMN,
            value: serde_json::Value::Null,
            cl,
        }
    }
}

/// Checks the values of a write, a row at a time ([`crate::model::value::check_values`]).
fn check_edits(edits: &[Edit]) -> Result<()> {
    let mut rows: std::collections::HashMap<(&str, Uuid), Vec<&Edit>> = Default::default();
    for e in edits.iter().filter(|e| e.column != ROW_COLUMN) {
        rows.entry((e.table, e.row)).or_default().push(e);
    }
    for ((table, _), list) in rows {
        let errors =
            crate::model::value::check_values(table, list.iter().map(|e| (e.column, &e.value)));
        if let Some(error) = errors.into_iter().flatten().next() {
            return Err(error);
        }
    }
    Ok(())
}

/// This device as a writer: its site id, clock, next sequence number, and the key it signs
/// its writes with.
#[derive(Debug)]
struct LocalSite {
    site: Uuid,
    clock: Clock,
    next_seq: u64,
    key: ed25519_dalek::SigningKey,
}

/// Where the device's ed25519 key is kept: inside the database, so an encrypted database
/// keeps it encrypted, and it goes wherever the replica goes.
const DEVICE_KEY: &str = "device.key";

/// An open replica.
#[derive(Debug)]
pub struct Store {
    pool: SqlitePool,
    path: std::path::PathBuf,
    /// Held for the whole of a local write: sequence numbers and clocks are handed out in
    /// commit order, and only advanced once the transaction commits.
    local: Mutex<LocalSite>,
    /// Told after every commit that changes what a screen may show.
    events: crate::events::Events,
    /// Told after every local write (a permit kept until someone waits): at a meeting, a
    /// write is sent to the host at once ([`Store::written`]).
    wrote: std::sync::Arc<tokio::sync::Notify>,
}

impl Store {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, None).await
    }

    /// Opens the database at `path`, encrypted under `passphrase` if one is given (a new file
    /// is created encrypted; see [`cipher`]). A wrong passphrase is refused before anything is
    /// read or written, and never creates, resets or overwrites the file; an encrypted file
    /// opened without one asks for it.
    pub async fn open_with(path: &Path, passphrase: Option<&str>) -> Result<Store> {
        Self::open_reporting(path, passphrase, &|_| {}).await
    }

    /// [`Store::open_with`], telling `progress` how a format upgrade goes when the file was
    /// made by an earlier version ([`upgrade`]).
    pub async fn open_reporting(
        path: &Path,
        passphrase: Option<&str>,
        progress: &(dyn Fn(upgrade::UpgradeProgress) + Sync),
    ) -> Result<Store> {
        let state = cipher::file_state(path).map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))?;
        let key = match (passphrase, state) {
            (None, cipher::FileState::Encrypted) => return Err(CoreError::PassphraseRequired),
            (None, _) => None,
            (Some(p), state) => {
                let key = cipher::key_for(path, p)?;
                if state == cipher::FileState::Encrypted {
                    cipher::probe(path, &key).await?;
                }
                Some(key)
            }
        };
        let mut options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(false)
            // SQLite's page cache per connection, at most (the default is 2 MB): a merge
            // touches the log's, the clocks' and the rows' B-trees at once, and with 2 MB
            // it read and wrote the same pages again through the kernel.
            .pragma("cache_size", format!("-{}", CACHE_KIB));
        if let Some(key) = &key {
            // sqlx sends `key` before every other pragma of a new connection.
            options = options.pragma("key", key.clone());
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|e| {
                if key.is_some() && cipher::is_not_a_database(&e) {
                    CoreError::WrongPassphrase
                } else {
                    CoreError::Storage(e)
                }
            })?;
        if key.is_some() {
            cipher::require_sqlcipher(&mut *pool.acquire().await?).await?;
        }
        sqlx::migrate!("./migrations").run(&pool).await?;
        upgrade::run(&pool, progress).await?;
        Self::apply_newly_known_columns(&pool).await?;
        let local = Self::load_site(&pool).await?;
        Ok(Store {
            pool,
            path: path.to_path_buf(),
            local: Mutex::new(local),
            events: Default::default(),
            wrote: Default::default(),
        })
    }

    /// Reads the site id (creating it on first open), and derives the clock and the next
    /// sequence number from the log itself, so they can never fall behind what was committed.
    async fn load_site(pool: &SqlitePool) -> Result<LocalSite> {
        let existing = sqlx::query_scalar!("SELECT value FROM local_state WHERE key = 'site_id'")
            .fetch_optional(pool)
            .await?;
        let site = match existing.and_then(|s| Uuid::parse_str(&s).ok()) {
            Some(site) => site,
            None => {
                let site = Uuid::now_v7();
                let text = site.to_string();
                sqlx::query!(
                    "INSERT OR REPLACE INTO local_state (key, value) VALUES ('site_id', ?)",
                    text
                )
                .execute(pool)
                .await?;
                site
            }
        };
        let mut conn = pool.acquire().await?;
        let max_seq = log::last_seq(&mut conn, site).await?;
        // Along the clock index: one seek.
        let max_hlc: Option<i64> = sqlx::query_scalar("SELECT MAX(hlc) FROM log_entry")
            .fetch_one(&mut *conn)
            .await?;
        let max_hlc = max_hlc.unwrap_or(0);
        Ok(LocalSite {
            site,
            clock: Clock::starting_at(Hlc(max_hlc as u64)),
            next_seq: max_seq + 1,
            key: Self::load_key(pool).await?,
        })
    }

    /// The device's signing key, created the first time the database is opened.
    async fn load_key(pool: &SqlitePool) -> Result<ed25519_dalek::SigningKey> {
        let stored = sqlx::query_scalar!("SELECT value FROM local_state WHERE key = ?", DEVICE_KEY)
            .fetch_optional(pool)
            .await?;
        if let Some(bytes) = stored
            .and_then(|h| hex::decode(h).ok())
            .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        {
            return Ok(ed25519_dalek::SigningKey::from_bytes(&bytes));
        }
        let key = ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>());
        let text = hex::encode(key.to_bytes());
        sqlx::query!(
            "INSERT OR REPLACE INTO local_state (key, value) VALUES (?, ?)",
            DEVICE_KEY,
            text
        )
        .execute(pool)
        .await?;
        Ok(key)
    }

    /// After an upgrade, applies the logged changes to tables and columns this version knows
    /// and the previous one did not: they were kept in the log when they arrived, and now
    /// reach the rows. The known columns are remembered in `local_state`.
    async fn apply_newly_known_columns(pool: &SqlitePool) -> Result<()> {
        let known: Vec<String> = crate::schema::TABLES
            .iter()
            .flat_map(|t| {
                std::iter::once(format!("{}.{}", t.name, ROW_COLUMN)).chain(
                    t.columns
                        .iter()
                        .map(move |c| format!("{}.{}", t.name, c.name)),
                )
            })
            .collect();
        let known_json = serde_json::to_string(&known).unwrap_or_default();
        let mut tx = pool.begin().await?;
        let before =
            sqlx::query_scalar!("SELECT value FROM local_state WHERE key = 'known_columns'")
                .fetch_optional(&mut *tx)
                .await?;
        if before.as_deref() == Some(known_json.as_str()) {
            return Ok(());
        }
        let before: Vec<String> = before
            .and_then(|b| serde_json::from_str(&b).ok())
            .unwrap_or_default();
        let mut newly_known = Vec::new();
        for name in known.iter().filter(|k| !before.contains(k)) {
            let Some((table, column)) = name.split_once('.') else {
                continue;
            };
            newly_known.extend(history::changes_to_column(&mut tx, table, column).await?);
        }
        // One merge of them all: it is a maximum per field, so their order does not matter.
        let refs: Vec<&Change> = newly_known.iter().collect();
        apply::merge_logged(&mut tx, &refs).await?;
        sqlx::query!(
            "INSERT OR REPLACE INTO local_state (key, value) VALUES ('known_columns', ?)",
            known_json
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection pool, for reads (writes go through [`Store::write`] and the merges).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// This replica's site id, stamped on every change it makes.
    pub async fn site_id(&self) -> Uuid {
        self.local.lock().await.site
    }

    /// Where this replica tells what changed ([`crate::events`]).
    pub fn events(&self) -> &crate::events::Events {
        &self.events
    }

    /// The key this device signs its writes and its hub requests with.
    pub async fn device_key(&self) -> ed25519_dalek::SigningKey {
        self.local.lock().await.key.clone()
    }

    /// Writes local edits: stamps each as a change from this site and applies them through
    /// [`apply::apply`] in one transaction. This is how every local change to user data is made.
    /// A value its field may not hold is refused (nothing is written): every replica would
    /// leave it out of its rows, and the hub would refuse it.
    pub async fn write(&self, actor: Option<Uuid>, edits: Vec<Edit>) -> Result<Vec<Change>> {
        check_edits(&edits)?;
        let mut local = self.local.lock().await;
        let mut clock = local.clock;
        let hlc = clock.tick(hlc::wall_ms());
        let mut changes: Vec<Change> = edits
            .into_iter()
            .enumerate()
            .map(|(i, e)| Change {
                site: local.site,
                seq: local.next_seq + i as u64,
                hlc,
                actor,
                bucket: e.bucket,
                table: e.table.to_string(),
                row: e.row,
                column: e.column.to_string(),
                value: e.value,
                cl: e.cl,
                schema_version: SCHEMA_VERSION,
                signature: None,
            })
            .collect();
        crate::signature::sign_write(&local.key, &mut changes);
        let mut tx = self.pool.begin().await?;
        let report = apply::apply(&mut tx, &changes, Origin::Unsynced).await?;
        if report.duplicates > 0 {
            // A number this site already used: the write would be taken for an old one and
            // lost. Nothing is written (the transaction rolls back).
            return Err(CoreError::conflict(
                "this device's change numbers are out of step with its log; nothing was written",
            ));
        }
        tx.commit().await?;
        // Only now that the changes are durable do the clock and sequence move on.
        local.clock = clock;
        local.next_seq += changes.len() as u64;
        drop(local);
        self.events.send_changed(&changes);
        self.wrote.notify_one();
        Ok(changes)
    }

    /// Resolves after the next local write (or at once, if one came since the last call).
    pub async fn written(&self) {
        self.wrote.notified().await
    }

    /// Applies changes from elsewhere (a hub, a peer, a bundle) in one transaction, through the
    /// same merge as local edits. Refuses the whole batch if any clock is too far ahead.
    /// Changes from peers and bundles are queued for the home hub.
    pub async fn merge_remote(&self, changes: &[Change], wall_ms: u64) -> Result<ApplyReport> {
        self.merge_batch(changes, wall_ms, Origin::Unsynced, None)
            .await
    }

    /// Applies a page pulled from a hub and moves that hub's cursors, in one transaction: a
    /// crash leaves either both or neither, and a repeated page is only duplicates.
    pub async fn merge_pulled(
        &self,
        changes: &[Change],
        wall_ms: u64,
        origin: Origin,
        cursors: (
            &str,
            &std::collections::BTreeMap<String, crate::sync::protocol::BucketCursor>,
        ),
    ) -> Result<ApplyReport> {
        self.merge_batch(changes, wall_ms, origin, Some(cursors))
            .await
    }

    async fn merge_batch(
        &self,
        changes: &[Change],
        wall_ms: u64,
        origin: Origin,
        cursors: Option<(
            &str,
            &std::collections::BTreeMap<String, crate::sync::protocol::BucketCursor>,
        )>,
    ) -> Result<ApplyReport> {
        for c in changes {
            Clock::check_remote(c.hlc, wall_ms)?;
        }
        let mut local = self.local.lock().await;
        let mut tx = self.pool.begin().await?;
        let report = apply::apply(&mut tx, changes, origin).await?;
        if let Some((hub, cursors)) = cursors {
            sync_state::save_cursors(&mut tx, hub, cursors).await?;
        }
        tx.commit().await?;
        for c in changes {
            local.clock.observe(c.hlc);
            // This site's own changes can come back (a replica restored from a backup pulls
            // what it wrote since): the next write must not reuse their numbers, or it would
            // be taken for a duplicate and lost.
            if c.site == local.site {
                local.next_seq = local.next_seq.max(c.seq + 1);
            }
        }
        drop(local);
        if report.applied > 0 {
            self.events.send_changed(changes);
        }
        Ok(report)
    }

    /// Reads a device-local setting.
    pub async fn local_setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar!("SELECT value FROM local_state WHERE key = ?", key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Writes a device-local setting. Settings are not user data and are never synced, so they
    /// do not go through the change log.
    pub async fn set_local_setting(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(v) => {
                sqlx::query!(
                    "INSERT OR REPLACE INTO local_state (key, value) VALUES (?, ?)",
                    key,
                    v
                )
                .execute(&self.pool)
                .await?
            }
            None => {
                sqlx::query!("DELETE FROM local_state WHERE key = ?", key)
                    .execute(&self.pool)
                    .await?
            }
        };
        self.events.send(crate::events::Event::Device);
        Ok(())
    }

    /// Every change in the log, in (site, seq) order: what a peer would need to rebuild this
    /// replica.
    pub async fn all_changes(&self) -> Result<Vec<Change>> {
        history::all_changes(&self.pool).await
    }

    /// Closes every connection: when this returns, the last one has closed and checkpointed
    /// the WAL away, so the file can be copied or replaced (re-encryption does).
    ///
    /// sqlx's `Pool::close` can return with a connection still open: a connection dropped just
    /// before goes back to the pool on a spawned task, and if it lands among the idle ones after
    /// `close` last looked, it stays open (measured: about one close in ten in the encryption
    /// test left the WAL behind for good). So close again until none is left.
    ///
    /// Even then the WAL can stay: the pool's connections close on their own threads, and
    /// SQLite checkpoints and deletes the WAL only in a connection that closes while no other
    /// holds the file. Two closing at the same moment each see the other and both leave it
    /// (under load, about one close in twenty-five in the encryption test: every connection
    /// closed, the WAL still there). So a WAL left behind is checkpointed away by one more
    /// connection, alone on the file, opened and closed here.
    pub async fn close(&self) {
        self.pool.close().await;
        // `size` counts every open connection, idle ones included (`num_idle` is not kept up
        // to date by `close`, so it cannot tell).
        // Ten seconds at most: on a loaded machine the task that returns a dropped connection
        // once took longer than a second to run, and the connection then stayed open for good.
        let until = std::time::Instant::now() + Duration::from_secs(10);
        while self.pool.size() > 0 {
            if std::time::Instant::now() >= until {
                tracing::warn!("a database connection did not close within ten seconds");
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.pool.close().await;
        }
        if cipher::sibling(&self.path, "-wal").exists() {
            self.checkpoint_alone().await;
        }
    }

    /// Opens one connection with the pool's options (the key included), checkpoints the WAL
    /// into the file and closes it: the only connection on the file, its close deletes the WAL.
    async fn checkpoint_alone(&self) {
        use sqlx::{ConnectOptions, Connection};
        let done = async {
            let mut conn = self.pool.connect_options().connect().await?;
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut conn)
                .await?;
            conn.close().await
        };
        if let Err(e) = done.await {
            tracing::warn!(error = %e, "the WAL left by the closed pool could not be checkpointed");
        }
    }
}
