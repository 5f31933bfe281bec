//! Nothing acknowledged is lost. A child process (this test binary again, in child mode) writes
//! local edits and merges remote batches into a replica, and prints an acknowledgement after
//! each write returns; the parent kills it with SIGKILL at a random moment, reopens the file and
//! checks that every acknowledged write is there in full, that no write is there in part, and
//! that `PRAGMA integrity_check` answers ok. Then again, on the same file, for 50 kills; then
//! on a new file, so that a long run's checks stay as quick as its first (each check reads the
//! whole file).
//!
//! `make test` runs 50 kills; `make soak` runs 1,000 (`CAUCUS_CRASH_KILLS`) and prints the
//! count of losses. A failure prints the kill and the seed that timed it.

use caucus_core::change::{Change, ROW_COLUMN};
use caucus_core::hlc::{wall_ms, Hlc};
use caucus_core::store::{Edit, Store};
use serde_json::json;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use uuid::Uuid;

const CHILD_ENV: &str = "CAUCUS_CRASH_CHILD";
const TEST_NAME: &str = "acknowledged_writes_survive_sigkill";
/// Fields of every organization the child writes: all of them, or (after a kill) none.
const FIELDS: [&str; 4] = ["name", "country", "region", "status"];
/// Rows per remote batch.
const BATCH_ROWS: usize = 20;
/// Kills survived by one file before the next starts afresh.
const KILLS_PER_FILE: usize = 50;

fn organization_fields(name: &str) -> [(&'static str, serde_json::Value); 4] {
    [
        ("name", json!(name)),
        ("country", json!("KE")),
        ("region", json!("africa")),
        ("status", json!("member")),
    ]
}

/// The child: writes until killed, acknowledging each write once it has returned.
async fn child(db: &Path, round: u64) {
    let store = Store::open(db).await.expect("the child opens the replica");
    let remote = Uuid::now_v7();
    let mut remote_seq = 1;
    let out = std::io::stdout();
    for k in 0.. {
        if k % 2 == 0 {
            let row = Uuid::now_v7();
            let name = format!("local {round}-{k}");
            let mut edits = vec![Edit::row("coalition", "organization", row, 1)];
            for (column, value) in organization_fields(&name) {
                edits.push(Edit {
                    bucket: "coalition".into(),
                    table: "organization",
                    row,
                    column,
                    value,
                    cl: 1,
                });
            }
            store.write(None, edits).await.expect("local write");
            let mut out = out.lock();
            let _ = writeln!(out, "ACK local {row} {name}");
            let _ = out.flush();
        } else {
            let mut changes = Vec::new();
            let hlc = Hlc::new(wall_ms(), 0);
            let mut rows = Vec::new();
            for r in 0..BATCH_ROWS {
                let row = Uuid::now_v7();
                rows.push(row);
                let name = format!("remote {round}-{k}-{r}");
                let mut fields = vec![(ROW_COLUMN, json!(null))];
                fields.extend(organization_fields(&name));
                for (column, value) in fields {
                    changes.push(Change {
                        site: remote,
                        seq: remote_seq,
                        hlc,
                        actor: None,
                        bucket: "coalition".into(),
                        table: "organization".into(),
                        row,
                        column: column.into(),
                        value,
                        cl: 1,
                        schema_version: 1,
                        signature: None,
                    });
                    remote_seq += 1;
                }
            }
            let first = changes[0].seq;
            store
                .merge_remote(&changes, wall_ms())
                .await
                .expect("remote merge");
            let mut out = out.lock();
            let _ = writeln!(out, "ACK remote {remote} {first} {}", remote_seq - 1);
            let _ = out.flush();
        }
    }
}

/// A small seeded generator for the kill times, so a failing run names its seed.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[derive(Default)]
struct Acknowledged {
    local: Vec<(Uuid, String)>,
    remote: Vec<(Uuid, u64, u64)>,
}

impl Acknowledged {
    fn read(&mut self, line: &str) {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["ACK", "local", row, name @ ..] => self.local.push((
                Uuid::parse_str(row).expect("row id"),
                name.join(" ").to_string(),
            )),
            ["ACK", "remote", site, first, last] => self.remote.push((
                Uuid::parse_str(site).expect("site"),
                first.parse().expect("seq"),
                last.parse().expect("seq"),
            )),
            _ => {}
        }
    }

    fn count(&self) -> usize {
        self.local.len() + self.remote.len()
    }
}

/// Every acknowledged write is present in full; every organization present is whole; the file
/// is sound. Returns the number of acknowledged writes missing.
async fn check(db: &Path, acked: &Acknowledged, kill: usize, seed: u64) -> usize {
    let store = Store::open(db)
        .await
        .expect("the replica reopens after the kill");
    let pool = store.pool();
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .expect("integrity check");
    assert_eq!(
        integrity, "ok",
        "kill {kill} (seed {seed}): the file is damaged"
    );
    let rows: Vec<(String, String, String, String, String, i64)> =
        sqlx::query_as("SELECT id, name, country, region, status, cl FROM organization")
            .fetch_all(pool)
            .await
            .expect("organizations");
    let mut names = BTreeSet::new();
    for (id, name, country, region, status, cl) in &rows {
        assert!(
            !name.is_empty() && country == "KE" && region == "africa" && status == "member" && *cl == 1,
            "kill {kill} (seed {seed}): organization {id} is half written: {name:?} {country:?} {region:?} {status:?} cl {cl}"
        );
        names.insert((id.clone(), name.clone()));
    }
    let logged: Vec<(Vec<u8>, i64)> = sqlx::query_as("SELECT site, seq FROM change_log")
        .fetch_all(pool)
        .await
        .expect("log");
    let logged: BTreeSet<(Uuid, u64)> = logged
        .into_iter()
        .map(|(site, seq)| (Uuid::from_slice(&site).expect("site"), seq as u64))
        .collect();
    let per_row: Vec<(String, i64)> =
        sqlx::query_as("SELECT row_id, COUNT(*) FROM change_log GROUP BY row_id")
            .fetch_all(pool)
            .await
            .expect("log rows");
    for (row, n) in per_row {
        assert_eq!(
            n as usize,
            FIELDS.len() + 1,
            "kill {kill} (seed {seed}): the log holds part of the write of {row}"
        );
    }
    let mut lost = 0;
    for (row, name) in &acked.local {
        if !names.contains(&(row.to_string(), name.clone())) {
            eprintln!("kill {kill} (seed {seed}): acknowledged local write {name} ({row}) is lost");
            lost += 1;
        }
    }
    for (site, first, last) in &acked.remote {
        if !(*first..=*last).all(|seq| logged.contains(&(*site, seq))) {
            eprintln!(
                "kill {kill} (seed {seed}): acknowledged merge {site} {first}..{last} is lost"
            );
            lost += 1;
        }
    }
    pool.close().await;
    lost
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Ok(db) = std::env::var(CHILD_ENV) {
        let round = std::env::var("CAUCUS_CRASH_ROUND")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        runtime.block_on(child(Path::new(&db), round));
        return;
    }
    let kills: usize = std::env::var("CAUCUS_CRASH_KILLS")
        .ok()
        .and_then(|k| k.parse().ok())
        .unwrap_or(50);
    let seed0: u64 = std::env::var("CAUCUS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| wall_ms() | 1);
    let dir = tempfile::tempdir().expect("temp dir");
    let exe = std::env::current_exe().expect("the test binary");
    let mut acked = Acknowledged::default();
    let mut acked_before = 0;
    let mut seed = seed0;
    let mut lost = 0;
    let mut db = dir.path().join("crash-0.db");
    for kill in 0..kills {
        if kill % KILLS_PER_FILE == 0 {
            acked_before += acked.count();
            acked = Acknowledged::default();
            db = dir
                .path()
                .join(format!("crash-{}.db", kill / KILLS_PER_FILE));
            // Created (and migrated) before the first child, so a kill during the very first
            // open is not counted as a kill of a write.
            runtime.block_on(async {
                Store::open(&db)
                    .await
                    .expect("replica")
                    .pool()
                    .close()
                    .await;
            });
        }
        let before = acked.count();
        let mut child = Command::new(&exe)
            .args([TEST_NAME, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &db)
            .env("CAUCUS_CRASH_ROUND", kill.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the child starts");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .collect::<Vec<String>>()
        });
        // The child needs a moment to open the file; kill anywhere from before its first
        // write to well into its writing.
        std::thread::sleep(Duration::from_millis(30 + next(&mut seed) % 400));
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        for line in reader.join().expect("reader") {
            acked.read(&line);
        }
        lost += runtime.block_on(check(&db, &acked, kill, seed0));
        eprintln!(
            "kill {}: {} writes acknowledged by this child, {} in all",
            kill + 1,
            acked.count() - before,
            acked_before + acked.count()
        );
    }
    let acked_total = acked_before + acked.count();
    println!(
        "CRASH kills: {kills}, acknowledged writes: {acked_total}, losses: {lost} (seed {seed0})"
    );
    assert_eq!(lost, 0, "acknowledged writes were lost (seed {seed0})");
    assert!(
        acked_total > kills,
        "the children acknowledged too few writes to test anything"
    );
}
