//! A replica made in the format before the field stamps moved beside the rows (migration
//! 0012) and the log became an entry per write of a row (0013) upgrades with nothing lost: every row, every field's winning stamp, every log entry and
//! history line, every change still waiting for the hub. The upgrade is one transaction: a
//! SIGKILL in the middle of it leaves the old format whole, and the next open finishes it.
//!
//! The older replica is made by this version's writes, then rewritten in the older format
//! (`rewrite_in_the_previous_format`: the `field_clock` table of 0001 filled from the
//! stamps, the `stamps` columns dropped, the per-field `change_log` filled from the entries,
//! 0012 and 0013 marked not applied), so it holds exactly what the previous release held for
//! the same writes.

use caucus_core::change::{Change, ROW_COLUMN, SCHEMA_VERSION};
use caucus_core::hlc::{wall_ms, Hlc};
use caucus_core::store::upgrade::{self, UpgradeProgress};
use caucus_core::store::{history, stamps, sync_state, Edit, Store};
use caucus_core::sync::protocol::ChangeId;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use uuid::Uuid;

const CHILD_ENV: &str = "CAUCUS_UPGRADE_CHILD";
const KILL_TEST: &str =
    "a_kill_during_the_upgrade_leaves_the_old_format_and_the_next_open_finishes";

/// Everything the upgrade must keep.
#[derive(Debug, PartialEq)]
struct Snapshot {
    /// Each table's rows (every column but the stamps), as JSON arrays, by id.
    rows: BTreeMap<String, Vec<String>>,
    /// Each row's winning stamps, by (table, id), sorted by column.
    stamps: BTreeMap<(String, String), Vec<(String, caucus_core::change::Stamp)>>,
    log: Vec<Change>,
    outbox: Vec<Change>,
    /// The history of every organization.
    histories: Vec<Vec<history::HistoryEntry>>,
}

async fn snapshot(store: &Store) -> Snapshot {
    let pool = store.pool();
    let mut rows = BTreeMap::new();
    let mut all_stamps = BTreeMap::new();
    for table in caucus_core::schema::TABLES {
        let columns: Vec<&str> = ["id", "bucket", "cl"]
            .into_iter()
            .chain(table.columns.iter().map(|c| c.name))
            .collect();
        let listed: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT json_array({}) FROM {} ORDER BY id",
            columns.join(", "),
            table.name
        ))
        .fetch_all(pool)
        .await
        .expect("rows");
        rows.insert(table.name.to_string(), listed);
        let packed: Vec<(String, Option<Vec<u8>>)> =
            sqlx::query_as(&format!("SELECT id, stamps FROM {}", table.name))
                .fetch_all(pool)
                .await
                .expect("stamps");
        for (id, bytes) in packed {
            let mut decoded = stamps::decode(bytes.as_deref().unwrap_or_default()).expect("stamps");
            decoded.sort_by(|a, b| a.0.cmp(&b.0));
            all_stamps.insert((table.name.to_string(), id), decoded);
        }
    }
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM organization ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("ids");
    let mut histories = Vec::new();
    for id in ids {
        let id = Uuid::parse_str(&id).expect("id");
        histories.push(
            history::history(pool, "organization", id)
                .await
                .expect("history"),
        );
    }
    Snapshot {
        rows,
        stamps: all_stamps,
        log: store.all_changes().await.expect("log"),
        outbox: sync_state::outbox_batch(pool, u32::MAX, None)
            .await
            .expect("outbox"),
        histories,
    }
}

/// Organizations written here (each created, then renamed: a superseded value in its
/// history), a remote site's changes that win some fields and lose others, and a change to a
/// table this version does not know.
async fn write_replica(store: &Store, organizations: usize) {
    let mut ids = Vec::new();
    for chunk in 0..organizations.div_ceil(100) {
        let mut edits = Vec::new();
        for i in chunk * 100..((chunk + 1) * 100).min(organizations) {
            let row = Uuid::now_v7();
            ids.push(row);
            edits.push(Edit::row("coalition", "organization", row, 1));
            for (column, value) in [
                ("name", json!(format!("Organization {i}"))),
                ("country", json!("KE")),
                ("region", json!("africa")),
                ("status", json!("member")),
            ] {
                edits.push(Edit {
                    bucket: "coalition".into(),
                    table: "organization",
                    row,
                    column,
                    value,
                    cl: 1,
                });
            }
        }
        store.write(None, edits).await.expect("create");
    }
    let renames: Vec<Edit> = ids
        .iter()
        .step_by(3)
        .map(|&row| Edit {
            bucket: "coalition".into(),
            table: "organization",
            row,
            column: "name",
            value: json!("Renamed here"),
            cl: 1,
        })
        .collect();
    store.write(None, renames).await.expect("rename");
    let remote = Uuid::now_v7();
    let mut remote_changes = Vec::new();
    for (k, &row) in ids.iter().step_by(2).enumerate() {
        // An old clock loses to the names written here; a new one wins the country.
        for (column, value, hlc) in [
            ("name", json!("Lost remotely"), Hlc::new(1, 0)),
            ("country", json!("UG"), Hlc::new(wall_ms() + 1, 0)),
        ] {
            remote_changes.push(Change {
                site: remote,
                seq: remote_changes.len() as u64 + 1,
                hlc,
                actor: None,
                bucket: "coalition".into(),
                table: "organization".into(),
                row,
                column: column.into(),
                value,
                cl: 1,
                schema_version: SCHEMA_VERSION,
                signature: None,
            });
        }
        if k == 0 {
            remote_changes.push(Change {
                site: remote,
                seq: remote_changes.len() as u64 + 1,
                hlc: Hlc::new(wall_ms(), 0),
                actor: None,
                bucket: "coalition".into(),
                table: "future_table".into(),
                row,
                column: ROW_COLUMN.into(),
                value: json!(null),
                cl: 1,
                schema_version: SCHEMA_VERSION + 1,
                signature: None,
            });
        }
    }
    store
        .merge_remote(&remote_changes, wall_ms())
        .await
        .expect("remote merge");
    // The hub has taken the first three changes waiting: the rest of their write still waits.
    let taken: Vec<ChangeId> = sync_state::outbox_batch(store.pool(), 3, None)
        .await
        .expect("outbox")
        .iter()
        .map(|c| ChangeId {
            site: c.site,
            seq: c.seq,
        })
        .collect();
    sync_state::acknowledge(store.pool(), &taken, &[], wall_ms())
        .await
        .expect("acknowledged");
}

/// Makes a replica in the older format at `path`; returns what it holds and how many field
/// stamps and log changes the upgrade packs.
async fn older_replica(path: &Path, organizations: usize) -> (Snapshot, u32) {
    let store = Store::open(path).await.expect("open");
    write_replica(&store, organizations).await;
    let before = snapshot(&store).await;
    let count: u32 =
        before.stamps.values().map(|s| s.len() as u32).sum::<u32>() + before.log.len() as u32;
    upgrade::rewrite_in_the_previous_format(store.pool())
        .await
        .expect("the older format");
    let stamps_column: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('organization') WHERE name = 'stamps'",
    )
    .fetch_one(store.pool())
    .await
    .expect("columns");
    assert_eq!(stamps_column, 0, "the older format has no stamps column");
    store.close().await;
    (before, count)
}

async fn has_table(store: &Store, name: &str) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sqlite_master WHERE name = ?")
        .bind(name)
        .fetch_one(store.pool())
        .await
        .expect("schema")
        == 1
}

#[tokio::test]
async fn a_replica_in_the_format_before_stamps_upgrades_with_nothing_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("older.db");
    let (before, count) = older_replica(&path, 600).await;
    assert!(
        count > 4_000,
        "the replica holds {count} stamps and changes"
    );

    let told = Mutex::new(Vec::<UpgradeProgress>::new());
    let store = Store::open_reporting(&path, None, &|p| told.lock().expect("lock").push(p))
        .await
        .expect("the upgraded open");
    let told = told.into_inner().expect("lock");
    assert_eq!(
        told.first().map(|p| p.done),
        Some(0),
        "progress starts at zero"
    );
    // The search index is built again too (migration 0016), a record at a time.
    let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM search_index")
        .fetch_one(store.pool())
        .await
        .expect("index");
    assert!(indexed > 0, "the records are searchable again");
    let count = count + indexed as u32;
    assert_eq!(
        told.last().copied(),
        Some(UpgradeProgress {
            done: count,
            total: count
        }),
        "progress ends at the count of stamps, changes and searchable records"
    );
    assert!(told.windows(2).all(|w| w[0].done <= w[1].done));
    assert!(!has_table(&store, "field_clock_to_pack").await);
    assert!(!has_table(&store, "field_clock").await);
    assert!(!has_table(&store, "change_log_to_pack").await);
    let after = snapshot(&store).await;
    assert_eq!(after.rows, before.rows, "every row as it was");
    assert_eq!(after.stamps, before.stamps, "every field's winning stamp");
    assert_eq!(after.log, before.log, "every log entry, unknown tables too");
    assert_eq!(
        after.outbox, before.outbox,
        "every change still waiting for the hub"
    );
    assert_eq!(after.histories, before.histories, "every history line");
    assert!(
        after.histories.iter().flatten().any(|h| !h.current),
        "the histories hold superseded values"
    );

    // The upgraded replica merges on: a newer name wins and becomes the current one.
    let id = Uuid::parse_str(
        &after
            .stamps
            .keys()
            .find(|(t, _)| t == "organization")
            .expect("org")
            .1,
    )
    .expect("id");
    let site = Uuid::now_v7();
    store
        .merge_remote(
            &[Change {
                site,
                seq: 1,
                hlc: Hlc::new(wall_ms() + 10, 0),
                actor: None,
                bucket: "coalition".into(),
                table: "organization".into(),
                row: id,
                column: "name".into(),
                value: json!("Newest"),
                cl: 1,
                schema_version: SCHEMA_VERSION,
                signature: None,
            }],
            wall_ms(),
        )
        .await
        .expect("merge");
    let lines = history::history(store.pool(), "organization", id)
        .await
        .expect("history");
    let names: Vec<_> = lines.iter().filter(|h| h.column == "name").collect();
    assert!(names.iter().filter(|h| h.current).count() == 1);
    assert_eq!(names.iter().find(|h| h.current).map(|h| h.site), Some(site));

    // Opening again has nothing left to do.
    store.close().await;
    let again = Mutex::new(0);
    Store::open_reporting(&path, None, &|_| *again.lock().expect("lock") += 1)
        .await
        .expect("reopen")
        .close()
        .await;
    assert_eq!(again.into_inner().expect("lock"), 0, "no second upgrade");
}

/// The child: opens the older replica, printing each progress report and pausing after it,
/// so that the parent's kill lands inside the upgrade's transaction.
async fn child(path: &Path) {
    let out = std::io::stdout();
    let _ = Store::open_reporting(path, None, &|p| {
        let mut out = out.lock();
        let _ = writeln!(out, "PACKED {} {}", p.done, p.total);
        let _ = out.flush();
        std::thread::sleep(std::time::Duration::from_millis(40));
    })
    .await;
}

#[test]
fn a_kill_during_the_upgrade_leaves_the_old_format_and_the_next_open_finishes() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Ok(path) = std::env::var(CHILD_ENV) {
        runtime.block_on(child(Path::new(&path)));
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("older.db");
    let (before, count) = runtime.block_on(older_replica(&path, 2_000));
    let reports = count / 1_000;
    assert!(
        reports >= 6,
        "{count} stamps and changes: too few reports to kill between"
    );
    let exe = std::env::current_exe().expect("the test binary");
    for (kill, after_report) in [1u32, reports / 2, reports - 2].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args([KILL_TEST, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the child starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut seen = 0;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("PACKED ") {
                seen += 1;
                if seen > after_report {
                    break;
                }
            }
        }
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        assert!(
            seen > after_report,
            "kill {kill}: the child stopped reporting"
        );
        // The old format is whole: the table to pack is there, and the file is sound.
        runtime.block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
                .await
                .expect("connect");
            let left: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master
                 WHERE name IN ('field_clock_to_pack', 'change_log_to_pack')",
            )
            .fetch_one(&pool)
            .await
            .expect("schema");
            assert_eq!(left, 2, "kill {kill}: the upgrade committed in part");
            let entries: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM log_entry")
                .fetch_one(&pool)
                .await
                .expect("entries");
            assert_eq!(entries, 0, "kill {kill}: some of the log was packed");
            let packed: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM organization WHERE stamps IS NOT NULL")
                    .fetch_one(&pool)
                    .await
                    .expect("stamps");
            assert_eq!(packed, 0, "kill {kill}: some rows' stamps were kept");
            let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&pool)
                .await
                .expect("integrity");
            assert_eq!(integrity, "ok", "kill {kill}");
            pool.close().await;
        });
    }
    runtime.block_on(async {
        let store = Store::open(&path).await.expect("the open after the kills");
        let after = snapshot(&store).await;
        assert_eq!(after, before, "after three kills, nothing lost");
        store.close().await;
    });
}
