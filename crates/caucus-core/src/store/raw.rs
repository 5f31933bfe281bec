//! SQLite's own handle, for the merge's hot path.
//!
//! sqlx runs each statement on its connection's worker thread and hands the rows back through a
//! channel: two thread switches and several allocations a statement, which were most of a
//! merge's time (perf: a third in the kernel's task switching). The merge runs a few small
//! statements per change, so it takes the handle from sqlx's connection ([`on_handle`]) and
//! runs them with rusqlite, prepared once per batch, in the transaction sqlx's connection holds.

use crate::error::Result;
use sqlx::SqliteConnection;

/// Prepared statements kept for a batch: one per table and shape of row it writes.
const STATEMENTS: usize = 128;

/// Runs `work` on `conn`'s SQLite handle, inside whatever transaction `conn` holds. The
/// connection's worker is locked out meanwhile; `work` runs on the calling thread, so a batch
/// is kept to what a merge does in tens of milliseconds (the sync pages, the write path).
pub(crate) async fn on_handle<T>(
    conn: &mut SqliteConnection,
    work: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let mut handle = conn.lock_handle().await?;
    #[allow(unsafe_code)]
    // SAFETY: the handle is sqlx's open connection, locked for as long as `db` lives (both are
    // dropped below, `db` first); `from_handle` borrows it and never closes it, and dropping
    // `db` finalizes the statements it prepared. Both crates link the same libsqlite3-sys.
    let db = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }?;
    db.set_prepared_statement_cache_capacity(STATEMENTS);
    let out = work(&db);
    drop(db);
    drop(handle);
    out
}
