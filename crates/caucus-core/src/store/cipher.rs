//! The encrypted database: SQLCipher (AES-256 on every page, the WAL included) under a key
//! derived from the person's passphrase by Argon2id, memory-hard, so a seized laptop's file
//! cannot be tried against passphrases at GPU speed.
//!
//! The Argon2 salt is SQLCipher's own: the first 16 bytes of an encrypted file are its random
//! salt, kept in clear. A new database gets a random salt, given to SQLCipher with the raw key
//! (`x'<key><salt>'`), so the file carries it; opening reads it back from the file. No other
//! file holds anything about the key.
//!
//! Encrypting a plaintext database and changing the passphrase both write a complete new file
//! with `sqlcipher_export`, check it opens under the new key with every row, and only then
//! rename it over the old one: a crash or a wrong step leaves the old file as it was.

use crate::error::{CoreError, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The header of a plaintext SQLite file.
const PLAINTEXT_HEADER: &[u8; 16] = b"SQLite format 3\0";
const SALT_LEN: usize = 16;
/// Argon2id cost: 64 MiB of memory, 3 passes, one lane (about half a second on a laptop).
const ARGON2_MEMORY_KIB: u32 = 64 * 1024;
const ARGON2_PASSES: u32 = 3;
/// The fewest characters a passphrase has (the UI says it from the bindings).
pub const MIN_PASSPHRASE_CHARS: usize = 8;
const MAX_PASSPHRASE_CHARS: usize = 1024;

/// What is at a database path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// No file yet.
    Missing,
    /// A plain SQLite database.
    Plaintext,
    /// Not a plain SQLite database: an encrypted one (or not a database at all).
    Encrypted,
}

/// Whether the file at `path` is missing (or empty), plain SQLite, or encrypted.
pub fn file_state(path: &Path) -> std::io::Result<FileState> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Missing),
        Err(e) => return Err(e),
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileState::Missing,
        16 if &header == PLAINTEXT_HEADER => FileState::Plaintext,
        _ => FileState::Encrypted,
    })
}

/// Checks a new passphrase's length (a passphrase to open a file is only tried).
pub fn check_new_passphrase(passphrase: &str) -> Result<()> {
    let n = passphrase.chars().count();
    if n < MIN_PASSPHRASE_CHARS {
        return Err(CoreError::invalid(
            "passphrase",
            format!("use at least {MIN_PASSPHRASE_CHARS} characters"),
        ));
    }
    if n > MAX_PASSPHRASE_CHARS {
        return Err(CoreError::invalid(
            "passphrase",
            format!("use at most {MAX_PASSPHRASE_CHARS} characters"),
        ));
    }
    Ok(())
}

/// The 256-bit page key for `passphrase` and the file's salt.
pub fn derive_key(passphrase: &str, salt: &[u8; SALT_LEN]) -> Result<[u8; 32]> {
    let params = argon2::Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, Some(32))
        .map_err(|e| CoreError::invalid("passphrase", e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut key = [0u8; 32];
    argon
        .hash_password_into(passphrase.as_bytes(), salt, &mut key)
        .map_err(|e| CoreError::invalid("passphrase", e.to_string()))?;
    Ok(key)
}

/// The value of `PRAGMA key` for a raw key (and, for a new file, the salt it is to carry).
fn key_pragma(key: &[u8; 32], salt: Option<&[u8; SALT_LEN]>) -> String {
    match salt {
        Some(salt) => format!("\"x'{}{}'\"", hex::encode(key), hex::encode(salt)),
        None => format!("\"x'{}'\"", hex::encode(key)),
    }
}

fn read_salt(path: &Path) -> Result<[u8; SALT_LEN]> {
    let mut salt = [0u8; SALT_LEN];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut salt))
        .map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))?;
    Ok(salt)
}

/// The `PRAGMA key` to open (or create) the file at `path` with `passphrase`. Refuses a
/// passphrase for a plaintext file: it would be ignored, and the person would believe the file
/// encrypted.
pub(crate) fn key_for(path: &Path, passphrase: &str) -> Result<String> {
    match file_state(path).map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))? {
        FileState::Missing => {
            check_new_passphrase(passphrase)?;
            let salt: [u8; SALT_LEN] = rand::random();
            Ok(key_pragma(&derive_key(passphrase, &salt)?, Some(&salt)))
        }
        FileState::Encrypted => Ok(key_pragma(
            &derive_key(passphrase, &read_salt(path)?)?,
            None,
        )),
        FileState::Plaintext => Err(CoreError::conflict(
            "this database is not encrypted yet: encrypt it first",
        )),
    }
}

/// Connection options for `path` under `key` (a `PRAGMA key` value), without creating it.
fn options(path: &Path, key: Option<&str>) -> Result<SqliteConnectOptions> {
    let mut options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .journal_mode(SqliteJournalMode::Wal);
    if let Some(key) = key {
        options = options.pragma("key", key.to_string());
    }
    Ok(options)
}

/// Tries `key` on the encrypted file at `path` with a read-only connection, so that a wrong
/// key can never write: closing a read-write connection would checkpoint the WAL into the file
/// even under a wrong key (the pages are copied still encrypted, but a refused open must not
/// touch a byte).
pub(crate) async fn probe(path: &Path, key: &str) -> Result<()> {
    let mut conn = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
        .read_only(true)
        .pragma("key", key.to_string())
        .connect()
        .await
        .map_err(not_a_database_is_wrong_key)?;
    let read = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sqlite_master")
        .fetch_one(&mut conn)
        .await
        .map_err(not_a_database_is_wrong_key);
    conn.close().await?;
    read.map(|_| ())
}

/// Whether `passphrase` opens the encrypted file at `path` (read-only; the file may be open
/// elsewhere meanwhile).
pub async fn check_passphrase(path: &Path, passphrase: &str) -> Result<()> {
    if file_state(path).map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))? != FileState::Encrypted
    {
        return Err(CoreError::conflict("this database is not encrypted"));
    }
    probe(path, &key_for(path, passphrase)?).await
}

fn not_a_database_is_wrong_key(e: sqlx::Error) -> CoreError {
    if is_not_a_database(&e) {
        CoreError::WrongPassphrase
    } else {
        CoreError::Storage(e)
    }
}

/// Whether the error is SQLite's "file is not a database" (26): what a wrong key gives.
pub(crate) fn is_not_a_database(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().and_then(|c| c.parse::<i64>().ok()).map(|c| c & 0xff) == Some(26))
}

/// Fails unless SQLCipher is what answers: without it `PRAGMA key` is silently ignored and the
/// file would be written in clear.
pub(crate) async fn require_sqlcipher(conn: &mut SqliteConnection) -> Result<()> {
    let version: Option<String> = sqlx::query_scalar("PRAGMA cipher_version")
        .fetch_optional(&mut *conn)
        .await?;
    match version {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err(CoreError::conflict(
            "this build of Caucus cannot encrypt its database (SQLCipher is missing)",
        )),
    }
}

/// Copies the whole of `main` into the attached, empty `encrypted`, keeping every rowid:
/// `sqlcipher_export` inserts `SELECT *`, which renumbers the rowids of tables without an
/// INTEGER PRIMARY KEY, and the search index addresses records by rowid. Tables first, then
/// their rows (a virtual table's rows through its shadow tables, emptied of the rows its
/// creation wrote), then indexes and triggers, so no trigger fires on the copy.
async fn copy_into_attached(conn: &mut SqliteConnection) -> Result<()> {
    let objects: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT type, name, sql FROM main.sqlite_master WHERE sql IS NOT NULL ORDER BY rowid",
    )
    .fetch_all(&mut *conn)
    .await?;
    let quoted = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let virtual_tables: Vec<&str> = objects
        .iter()
        .filter(|(kind, _, sql)| kind == "table" && sql.starts_with("CREATE VIRTUAL TABLE"))
        .map(|(_, name, _)| name.as_str())
        .collect();
    let is_shadow = |name: &str| {
        virtual_tables
            .iter()
            .any(|v| name.starts_with(&format!("{v}_")))
    };
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    // Tables: plain ones, then virtual ones (which create their shadow tables).
    for virtual_pass in [false, true] {
        for (kind, name, sql) in &objects {
            let is_virtual = sql.starts_with("CREATE VIRTUAL TABLE");
            if kind != "table"
                || is_virtual != virtual_pass
                || is_shadow(name)
                || name.starts_with("sqlite_")
            {
                continue;
            }
            let keyword = if is_virtual {
                "CREATE VIRTUAL TABLE "
            } else {
                "CREATE TABLE "
            };
            let Some(rest) = sql.strip_prefix(keyword) else {
                return Err(CoreError::conflict(format!("cannot copy table {name}")));
            };
            sqlx::query(&format!("{keyword}encrypted.{rest}"))
                .execute(&mut *tx)
                .await?;
        }
    }
    // Rows, rowids kept.
    for (kind, name, sql) in &objects {
        if kind != "table" || sql.starts_with("CREATE VIRTUAL TABLE") {
            continue;
        }
        let target = format!("encrypted.{}", quoted(name));
        if is_shadow(name) {
            sqlx::query(&format!("DELETE FROM {target}"))
                .execute(&mut *tx)
                .await?;
        }
        let copy = if sql.to_ascii_uppercase().contains("WITHOUT ROWID") {
            format!("INSERT INTO {target} SELECT * FROM main.{}", quoted(name))
        } else {
            let columns: Vec<String> = sqlx::query_scalar(&format!(
                "SELECT name FROM pragma_table_info('{}')",
                name.replace('\'', "''")
            ))
            .fetch_all(&mut *tx)
            .await?;
            let columns: Vec<String> = columns.iter().map(|c| quoted(c)).collect();
            format!(
                "INSERT INTO {target} (rowid, {cols}) SELECT rowid, {cols} FROM main.{}",
                quoted(name),
                cols = columns.join(", ")
            )
        };
        sqlx::query(&copy).execute(&mut *tx).await?;
    }
    let sequences: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM main.sqlite_master WHERE name = 'sqlite_sequence'",
    )
    .fetch_one(&mut *tx)
    .await?;
    if sequences > 0 {
        sqlx::query("DELETE FROM encrypted.sqlite_sequence")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO encrypted.sqlite_sequence SELECT * FROM main.sqlite_sequence")
            .execute(&mut *tx)
            .await?;
    }
    // Indexes, triggers and views last.
    for (kind, name, sql) in &objects {
        if !matches!(kind.as_str(), "index" | "trigger" | "view") || is_shadow(name) {
            continue;
        }
        let keyword = match kind.as_str() {
            "index" if sql.starts_with("CREATE UNIQUE INDEX") => "CREATE UNIQUE INDEX ",
            "index" => "CREATE INDEX ",
            "trigger" => "CREATE TRIGGER ",
            _ => "CREATE VIEW ",
        };
        let Some(rest) = sql.strip_prefix(keyword) else {
            return Err(CoreError::conflict(format!("cannot copy {kind} {name}")));
        };
        sqlx::query(&format!("{keyword}encrypted.{rest}"))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Rows in every table of the open database, to compare a copy with its original.
async fn row_counts(conn: &mut SqliteConnection, schema: &str) -> Result<Vec<(String, i64)>> {
    let tables: Vec<String> = sqlx::query_scalar(&format!(
        "SELECT name FROM {schema}.sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut counts = Vec::with_capacity(tables.len());
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {schema}.\"{}\"",
            table.replace('"', "\"\"")
        ))
        .fetch_one(&mut *conn)
        .await?;
        counts.push((table, n));
    }
    Ok(counts)
}

/// The file beside `path` whose name is its name and `suffix` (`-wal`, `-shm`).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Writes the database at `path` (opened with `from`, a passphrase or none for plaintext)
/// anew, encrypted under `to`, and puts it in place. The database must not be open elsewhere.
pub async fn reencrypt(path: &Path, from: Option<&str>, to: &str) -> Result<()> {
    check_new_passphrase(to)?;
    let state = file_state(path).map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))?;
    let from_key = match (state, from) {
        (FileState::Missing, _) => {
            return Err(CoreError::NotFound {
                entity: "database",
                id: path.display().to_string(),
            })
        }
        (FileState::Plaintext, None) => None,
        (FileState::Plaintext, Some(_)) => {
            return Err(CoreError::conflict(
                "this database is not encrypted yet: encrypt it first",
            ))
        }
        (FileState::Encrypted, None) => return Err(CoreError::PassphraseRequired),
        (FileState::Encrypted, Some(p)) => {
            let key = key_for(path, p)?;
            probe(path, &key).await?;
            Some(key)
        }
    };
    let mut conn = options(path, from_key.as_deref())?
        .connect()
        .await
        .map_err(not_a_database_is_wrong_key)?;
    require_sqlcipher(&mut conn).await?;
    let before = row_counts(&mut conn, "main").await?;

    let next = sibling(path, ".encrypting");
    for stale in [next.clone(), sibling(&next, "-wal"), sibling(&next, "-shm")] {
        let _ = std::fs::remove_file(stale);
    }
    // An empty file for ATTACH to fill: the source was opened without the right to create.
    std::fs::File::create(&next).map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))?;
    let salt: [u8; SALT_LEN] = rand::random();
    // Argon2 runs once: the same key creates the copy and reopens it.
    let new_key = derive_key(to, &salt)?;
    let to_key = key_pragma(&new_key, Some(&salt));
    sqlx::query(&format!(
        "ATTACH DATABASE '{}' AS encrypted KEY {to_key}",
        next.display().to_string().replace('\'', "''")
    ))
    .execute(&mut conn)
    .await?;
    copy_into_attached(&mut conn).await?;
    let user_version: i64 = sqlx::query_scalar("PRAGMA main.user_version")
        .fetch_one(&mut conn)
        .await?;
    sqlx::query(&format!("PRAGMA encrypted.user_version = {user_version}"))
        .execute(&mut conn)
        .await?;
    let copied = row_counts(&mut conn, "encrypted").await?;
    sqlx::query("DETACH DATABASE encrypted")
        .execute(&mut conn)
        .await?;
    // Checkpoint and close the old file, so no WAL of it is left beside the new one.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    if copied != before {
        let _ = std::fs::remove_file(&next);
        return Err(CoreError::conflict(
            "the encrypted copy did not match the database; nothing was changed",
        ));
    }
    // The new file opens under the new key before it replaces anything.
    let mut check = options(&next, Some(&key_pragma(&new_key, None)))?
        .connect()
        .await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut check)
        .await?;
    let reopened = row_counts(&mut check, "main").await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut check)
        .await?;
    check.close().await?;
    if integrity != "ok" || reopened != before {
        let _ = std::fs::remove_file(&next);
        return Err(CoreError::conflict(
            "the encrypted copy did not check out; nothing was changed",
        ));
    }
    std::fs::File::open(&next)
        .and_then(|f| f.sync_all())
        .map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))?;
    // The last connection to close checkpoints the WAL away. A pool closed just before this
    // call may still be closing its last connection on its own thread, so wait for that; a WAL
    // that stays belongs to someone else who has the file open, and would be replayed into
    // the new file (or have the new file's WAL deleted under it).
    let wal = sibling(path, "-wal");
    for _ in 0..100 {
        if !wal.exists() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    if wal.exists() {
        let _ = std::fs::remove_file(&next);
        return Err(CoreError::conflict(
            "the database is open elsewhere; close every other Caucus window first",
        ));
    }
    std::fs::rename(&next, path).map_err(|e| CoreError::Storage(sqlx::Error::Io(e)))?;
    if let Some(dir) = path.parent() {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}
