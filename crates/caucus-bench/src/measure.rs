//! The measurements. Each compares like with like in one process and one run (ratios), and is
//! repeated to give a median and its spread: these machines are noisy.

use crate::dataset::{Counts, Dataset};
use crate::hubs;
use caucus_core::api::SearchQuery;
use caucus_core::change::{Change, ROW_COLUMN};
use caucus_core::schema::{self, Kind};
use caucus_core::store::{Edit, Store};
use caucus_core::Caucus;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

type Res<T> = Result<T, String>;

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

const BATCH: usize = 5_000;
/// The merge benchmark's size at scale 1 (smaller datasets merge all they have).
const MERGE_N: usize = 1_000_000;

/// A figure: its runs, and its target (`below` = lower is better).
struct Figure {
    name: &'static str,
    target: f64,
    below: bool,
    unit: &'static str,
    runs: Vec<f64>,
    /// Why it was not measured, when it was not.
    missing: Option<String>,
}

impl Figure {
    fn new(name: &'static str, target: f64, below: bool, unit: &'static str) -> Figure {
        Figure {
            name,
            target,
            below,
            unit,
            runs: Vec::new(),
            missing: None,
        }
    }

    fn median(&self) -> Option<f64> {
        let mut v = self.runs.clone();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(v[v.len() / 2])
    }

    fn spread(&self) -> Option<(f64, f64)> {
        let min = self.runs.iter().copied().reduce(f64::min)?;
        let max = self.runs.iter().copied().reduce(f64::max)?;
        Some((min, max))
    }

    fn met(&self) -> Option<bool> {
        self.median().map(|m| {
            if self.below {
                m <= self.target
            } else {
                m >= self.target
            }
        })
    }
}

fn p(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 - 1.0) * q).round() as usize;
    values[i.min(values.len() - 1)]
}

/// Writes the dataset of `scale` into a replica at `db` through the merge; returns the number
/// of changes and the seconds it took.
pub async fn write_dataset(db: &Path, scale: f64, seed: u64) -> Res<(usize, f64)> {
    write_some(
        db,
        Dataset::new(scale, seed, caucus_core::hlc::wall_ms() - 60_000),
    )
    .await
}

/// Writes only the directory (organizations and people) of `scale`.
pub async fn write_directory(db: &Path, scale: f64, seed: u64) -> Res<(usize, f64)> {
    let data = Dataset::new(scale, seed, caucus_core::hlc::wall_ms() - 60_000).directory_only();
    write_some(db, data).await
}

async fn write_some(db: &Path, mut data: Dataset) -> Res<(usize, f64)> {
    let scale = data.scale;
    let caucus = Caucus::open(db).await.map_err(err)?;
    if data.directory() {
        let c = data.counts;
        eprintln!(
            "the directory at scale {scale}: {} organizations, {} people",
            c.organizations, c.people
        );
    } else {
        eprintln!("dataset at scale {scale}: {:?}", data.counts);
    }
    let started = Instant::now();
    let mut total = 0;
    let mut next_report = 100_000;
    while let Some(batch) = data.next_batch(BATCH) {
        caucus
            .store()
            .merge_remote(&batch, caucus_core::hlc::wall_ms())
            .await
            .map_err(err)?;
        total += batch.len();
        if total >= next_report {
            let s = started.elapsed().as_secs_f64();
            eprintln!("  {total} changes merged ({:.0}/s)", total as f64 / s);
            next_report += 100_000;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "  {total} changes in {seconds:.1} s ({:.0}/s) into {}",
        total as f64 / seconds,
        db.display()
    );
    caucus.store().close().await;
    Ok((total, seconds))
}

/// The first `n` changes of the dataset.
fn first_changes(scale: f64, seed: u64, n: usize, end_ms: u64) -> Vec<Change> {
    let mut data = Dataset::new(scale, seed, end_ms);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        match data.next_batch(BATCH.min(n - out.len())) {
            Some(batch) => out.extend(batch),
            None => break,
        }
    }
    out
}

/// Merge-applies `changes` into an empty replica: seconds.
async fn merge_into_empty(dir: &Path, name: &str, changes: &[Change]) -> Res<f64> {
    let store = Store::open(&dir.join(name)).await.map_err(err)?;
    let started = Instant::now();
    for batch in changes.chunks(BATCH) {
        store
            .merge_remote(batch, caucus_core::hlc::wall_ms())
            .await
            .map_err(err)?;
    }
    let s = started.elapsed().as_secs_f64();
    store.pool().close().await;
    Ok(s)
}

/// A row as a plain insert writes it: its bucket, fields and causal length.
type Row = (String, Map<String, Value>, u64);

/// The rows those changes make, inserted with plain INSERTs into an empty replica of the same
/// schema and settings (same triggers), in transactions of the same size: seconds.
async fn plain_insert(dir: &Path, name: &str, changes: &[Change]) -> Res<f64> {
    // The rows, as the merge would leave them (the highest clock per field).
    let mut rows: BTreeMap<(String, Uuid), Row> = BTreeMap::new();
    let mut clocks: BTreeMap<(String, Uuid, String), u64> = BTreeMap::new();
    for c in changes {
        let row = rows
            .entry((c.table.clone(), c.row))
            .or_insert_with(|| (c.bucket.clone(), Map::new(), 1));
        if c.column == ROW_COLUMN {
            continue;
        }
        let key = (c.table.clone(), c.row, c.column.clone());
        if clocks.get(&key).is_none_or(|h| *h < c.hlc.0) {
            clocks.insert(key, c.hlc.0);
            row.1.insert(c.column.clone(), c.value.clone());
        }
    }
    let store = Store::open(&dir.join(name)).await.map_err(err)?;
    let pool = store.pool();
    let started = Instant::now();
    let rows: Vec<_> = rows.into_iter().collect();
    for chunk in rows.chunks(BATCH) {
        let mut tx = pool.begin().await.map_err(err)?;
        for ((table, id), (bucket, fields, cl)) in chunk {
            let Some(t) = schema::table(table) else {
                continue;
            };
            let names: Vec<&str> = t.columns.iter().map(|c| c.name).collect();
            let marks = vec!["?"; names.len() + 3].join(", ");
            let sql = format!(
                "INSERT INTO {} (id, bucket, cl, {}) VALUES ({marks})",
                t.name,
                names.join(", ")
            );
            let mut q = sqlx::query(&sql)
                .bind(id.to_string())
                .bind(bucket)
                .bind(*cl as i64);
            for c in t.columns {
                let v = fields.get(c.name).cloned().unwrap_or(Value::Null);
                q = match c.kind {
                    Kind::Text => q.bind(v.as_str().unwrap_or_default().to_string()),
                    Kind::OptText => q.bind(v.as_str().map(str::to_string)),
                    Kind::Bool => q.bind(v.as_bool().unwrap_or(false)),
                    Kind::Int => q.bind(v.as_i64().unwrap_or(0)),
                    Kind::Json => q.bind(v.to_string()),
                };
            }
            q.execute(&mut *tx).await.map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
    }
    let s = started.elapsed().as_secs_f64();
    store.pool().close().await;
    Ok(s)
}

/// Median seconds of `k` local edits through the change log, and of `k` plain UPDATEs of the
/// same field, on the loaded replica.
async fn edit_and_update(caucus: &Caucus, k: usize) -> Res<(f64, f64)> {
    let pool = caucus.store().pool();
    let recs: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, bucket, cl FROM recommendation ORDER BY id LIMIT ?")
            .bind(k as i64)
            .fetch_all(pool)
            .await
            .map_err(err)?;
    let mut edits = Vec::new();
    let mut updates = Vec::new();
    for (i, (id, bucket, cl)) in recs.iter().enumerate() {
        let row = Uuid::parse_str(id).map_err(err)?;
        let edit = Edit {
            bucket: bucket.clone(),
            table: schema::RECOMMENDATION.name,
            row,
            column: "title",
            value: json!(format!("Edited title {i}")),
            cl: *cl as u64,
        };
        let started = Instant::now();
        caucus.store().write(None, vec![edit]).await.map_err(err)?;
        edits.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        sqlx::query("UPDATE recommendation SET title = ? WHERE id = ?")
            .bind(format!("Updated title {i}"))
            .bind(id)
            .execute(pool)
            .await
            .map_err(err)?;
        updates.push(started.elapsed().as_secs_f64());
    }
    Ok((p(&mut edits, 0.5), p(&mut updates, 0.5)))
}

/// Median milliseconds to merge one remote change into the loaded replica.
async fn merge_one(caucus: &Caucus, k: usize) -> Res<f64> {
    let recs: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT id, bucket, cl FROM recommendation ORDER BY id DESC LIMIT ?")
            .bind(k as i64)
            .fetch_all(caucus.store().pool())
            .await
            .map_err(err)?;
    let mut times = Vec::new();
    for (id, bucket, cl) in recs {
        let now = caucus_core::hlc::wall_ms();
        let change = Change {
            site: Uuid::now_v7(),
            seq: 1,
            hlc: caucus_core::hlc::Hlc::new(now, 0),
            actor: None,
            bucket,
            table: "recommendation".into(),
            row: Uuid::parse_str(&id).map_err(err)?,
            column: "title".into(),
            value: json!("A title from another device"),
            cl: cl as u64,
            schema_version: caucus_core::change::SCHEMA_VERSION,
            signature: None,
        };
        let started = Instant::now();
        caucus
            .store()
            .merge_remote(&[change], now)
            .await
            .map_err(err)?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(p(&mut times, 0.5))
}

/// p95 milliseconds of a fixed set of searches, in the five languages.
async fn search_p95(caucus: &Caucus) -> Res<f64> {
    const QUERIES: &[&str] = &[
        "victims",
        "budget trust",
        "judges election",
        "reparations",
        "Amina",
        "Diallo",
        "cour",
        "victimes",
        "justice",
        "élection juges",
        "fonds",
        "víctimas",
        "presupuesto",
        "elección",
        "jueces",
        "testigos",
        "الضحايا",
        "العدالة",
        "انتخاب القضاة",
        "الميزانية",
        "الشهود",
        "vítimas",
        "orçamento",
        "eleição",
        "juízes",
        "testemunhas",
        "Coalition",
        "Legal Aid Society",
        "NL",
        "Observatory",
    ];
    let mut times = Vec::new();
    for _ in 0..3 {
        for q in QUERIES {
            let started = Instant::now();
            caucus
                .search(SearchQuery {
                    text: q.to_string(),
                    limit: Some(20),
                })
                .await
                .map_err(err)?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(p(&mut times, 0.95))
}

/// Bytes of change-log and clock metadata ÷ bytes of the user tables, by SQLite's page
/// accounting (dbstat). The full-text index is derived data and counted in neither.
async fn metadata_ratio(caucus: &Caucus) -> Res<(f64, u64, u64)> {
    let sizes: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            .fetch_all(caucus.store().pool())
            .await
            .map_err(err)?;
    let user: Vec<&str> = schema::TABLES.iter().map(|t| t.name).collect();
    let mut meta = 0u64;
    let mut data = 0u64;
    for (name, bytes) in sizes {
        let bytes = bytes as u64;
        let owner = sqlx_owner(&name);
        if [
            "change_log",
            "field_clock",
            "sync_outbox",
            "sync_cursor",
            "peer_version",
        ]
        .contains(&owner.as_str())
        {
            meta += bytes;
        } else if user.contains(&owner.as_str()) {
            data += bytes;
        }
    }
    Ok((meta as f64 / data.max(1) as f64, meta, data))
}

/// The table an index or table page belongs to (indexes are named after their table).
fn sqlx_owner(name: &str) -> String {
    let name = name.strip_prefix("sqlite_autoindex_").unwrap_or(name);
    for t in schema::TABLES.iter().map(|t| t.name).chain([
        "change_log",
        "field_clock",
        "sync_outbox",
        "sync_cursor",
        "peer_version",
    ]) {
        if name == t || name.starts_with(&format!("{t}_")) {
            return t.to_string();
        }
    }
    name.to_string()
}

/// The hubs' load: devices pulling at once for the latency figure, and how long 64 of them
/// pull in a loop for the throughput one.
#[derive(Debug)]
pub struct HubLoad {
    pub devices: usize,
    pub loop_seconds: f64,
}

impl Default for HubLoad {
    fn default() -> Self {
        HubLoad {
            devices: 1_000,
            loop_seconds: 10.0,
        }
    }
}

const LOOPING_DEVICES: usize = 64;

/// The hub figures over a copy of the dataset at `sync_scale` (see `hubs.rs`).
#[allow(clippy::too_many_arguments)]
async fn hub_figures(
    dir: &Path,
    seeder: &Path,
    runs: usize,
    load: &HubLoad,
    sync_sqlite: &mut Figure,
    sync_pg: &mut Figure,
    pull: &mut Figure,
    two_hubs: &mut Figure,
    seeding: &mut Map<String, Value>,
) -> Res<()> {
    let seeder_pg = dir.join("seeder-pg.db");
    std::fs::copy(seeder, &seeder_pg).map_err(err)?;

    let hub = hubs::seed(seeder, &dir.join("hub.db").display().to_string()).await?;
    seeding.insert("hub_seed_s_sqlite".into(), json!(round(hub.seed_s)));
    for r in 0..runs {
        let s = hubs::first_sync(&hub, dir, &format!("fresh-sqlite-{r}")).await?;
        eprintln!("  run {}: first sync from the SQLite hub {s:.1} s", r + 1);
        sync_sqlite.runs.push(s);
    }
    drop(hub);

    let pg = match caucus_hub::harness::Postgres::start() {
        Ok(pg) => pg,
        Err(e) => {
            for f in [sync_pg, pull, two_hubs] {
                f.missing = Some(format!("PostgreSQL did not start: {e}"));
            }
            return Ok(());
        }
    };
    let url = pg.database("bench")?;
    let hub = hubs::seed(&seeder_pg, &url).await?;
    seeding.insert("hub_seed_s_postgres".into(), json!(round(hub.seed_s)));
    for r in 0..runs {
        let s = hubs::first_sync(&hub, dir, &format!("fresh-pg-{r}")).await?;
        eprintln!(
            "  run {}: first sync from the PostgreSQL hub {s:.1} s",
            r + 1
        );
        sync_pg.runs.push(s);
    }

    let devices = hubs::enrol(&hub, load.devices).await?;
    let one = [hub.process.url.clone()];
    for r in 0..runs {
        let mut times = hubs::concurrent_pulls(&hub, &one, &devices, 3).await?;
        let p99 = p(&mut times, 0.99);
        eprintln!(
            "  run {}: {} pulls by {} devices at once, p50 {:.0} ms, p99 {p99:.0} ms",
            r + 1,
            times.len(),
            devices.len(),
            p(&mut times, 0.5)
        );
        pull.runs.push(p99);
    }

    let second = caucus_hub::harness::HubProcess::start(&hubs::hub_binary()?, &url)?;
    let both = [hub.process.url.clone(), second.url.clone()];
    let looping = &devices[..LOOPING_DEVICES.min(devices.len())];
    for r in 0..runs {
        let single = hubs::throughput(&hub, &one, looping, load.loop_seconds).await?;
        let double = hubs::throughput(&hub, &both, looping, load.loop_seconds).await?;
        eprintln!(
            "  run {}: {} devices pulling in a loop: one hub {single:.0}/s, two hubs {double:.0}/s",
            r + 1,
            looping.len()
        );
        two_hubs.runs.push(double / single);
    }
    drop(second);
    drop(hub);
    drop(pg);
    Ok(())
}

/// Cold start and resident memory in the real window under Xvfb, by `tests/bench/window.mjs`
/// (WebDriver through tauri-driver), with the app and the empty Tauri window built beside this
/// binary. The app opens the dataset acting as a group leader, on My work.
async fn window_figures(
    big: &Caucus,
    big_path: &Path,
    runs: usize,
    cold: &mut Figure,
    rss: &mut Figure,
    extra: &mut Map<String, Value>,
) -> Res<()> {
    let script = Path::new("tests/bench/window.mjs");
    let bin_dir = std::env::current_exe()
        .map_err(err)?
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let (app, empty) = (bin_dir.join("caucus"), bin_dir.join("empty-window"));
    let missing = if !script.exists() {
        Some("run caucus-bench from the workspace root (tests/bench/window.mjs)".to_string())
    } else if !app.exists() || !empty.exists() {
        Some(format!(
            "build the app beside the benchmark: cargo build -p caucus-app (in {})",
            bin_dir.display()
        ))
    } else {
        None
    };
    if let Some(why) = missing {
        cold.missing = Some(why.clone());
        rss.missing = Some(why);
        return Ok(());
    }
    let leader: String = sqlx::query_scalar(
        "SELECT person_id FROM membership WHERE role = 'leader' AND cl % 2 = 1 ORDER BY id LIMIT 1",
    )
    .fetch_one(big.store().pool())
    .await
    .map_err(err)?;
    big.set_acting_person(caucus_core::api::ActAs {
        person_id: Some(Uuid::parse_str(&leader).map_err(err)?),
    })
    .await
    .map_err(err)?;
    let mut node = std::process::Command::new("node");
    node.arg(script)
        .arg("--app")
        .arg(&app)
        .arg("--empty")
        .arg(&empty)
        .arg("--db")
        .arg(big_path)
        .args(["--runs", &runs.to_string()])
        .stderr(std::process::Stdio::inherit());
    let out = tokio::task::spawn_blocking(move || node.output())
        .await
        .map_err(err)?
        .map_err(|e| format!("node did not run: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    let figures: Value = serde_json::from_str(line)
        .map_err(|_| format!("the window benchmark failed ({}): {text}", out.status))?;
    let numbers = |key: &str| -> Vec<f64> {
        figures[key]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let (app_kb, empty_kb) = (numbers("app_rss_kb"), numbers("empty_rss_kb"));
    cold.runs = numbers("cold_start_ms");
    rss.runs = app_kb
        .iter()
        .zip(&empty_kb)
        .map(|(a, e)| a / e.max(1.0))
        .collect();
    for (r, ((ms, a), e)) in cold.runs.iter().zip(&app_kb).zip(&empty_kb).enumerate() {
        eprintln!(
            "  run {}: first screen in {ms:.0} ms; resident {:.0} MB against {:.0} MB for an empty window",
            r + 1,
            a / 1024.0,
            e / 1024.0
        );
    }
    let mb = |v: &[f64]| {
        let mut v = v.to_vec();
        json!(if v.is_empty() {
            None
        } else {
            Some(round(p(&mut v, 0.5) / 1024.0))
        })
    };
    extra.insert("app_rss_mb".into(), mb(&app_kb));
    extra.insert("empty_tauri_rss_mb".into(), mb(&empty_kb));
    Ok(())
}

pub async fn run(
    scale: f64,
    sync_cap: f64,
    seed: u64,
    runs: usize,
    load: &HubLoad,
    out: &Path,
    docs: Option<&Path>,
) -> Res<()> {
    let dir = tempfile::tempdir().map_err(err)?;
    let counts = Counts::at(scale);
    let mut merge_rate = Figure::new("merge_changes_per_s", 300_000.0, false, "changes/s");
    let mut merge_ratio = Figure::new("merge_vs_insert_ratio", 1.5, true, "×");
    let mut edit_ratio = Figure::new("edit_vs_update_ratio", 1.5, true, "×");
    let mut merge_one_ms = Figure::new("merge_one_on_big_replica_ms", 2.0, true, "ms");
    let mut sync_sqlite = Figure::new("initial_sync_s_sqlite", 20.0, true, "s");
    let mut sync_pg = Figure::new("initial_sync_s_postgres", 20.0, true, "s");
    let mut search = Figure::new("search_p95_ms", 10.0, true, "ms");
    let mut cold = Figure::new("cold_start_ms", 1000.0, true, "ms");
    let mut rss = Figure::new("rss_ratio_vs_empty_tauri", 1.25, true, "×");
    let mut pull = Figure::new("hub_pull_p99_ms_1000_devices", 100.0, true, "ms");
    let mut two_hubs = Figure::new("hub_two_vs_one_ratio", 1.7, false, "×");
    let mut metadata = Figure::new("sync_metadata_ratio", 1.5, true, "×");

    // The whole dataset, once, through the one write path.
    let big_path = dir.path().join("big.db");
    let (total, load_s) = write_dataset(&big_path, scale, seed).await?;
    if scale <= sync_cap {
        // The hubs are seeded from the dataset as loaded, before the edits below.
        std::fs::copy(&big_path, dir.path().join("big-copy.db")).map_err(err)?;
    }

    // Merge vs plain insert, side by side, `runs` times.
    let n = MERGE_N.min(total);
    let end = caucus_core::hlc::wall_ms() - 60_000;
    let changes = first_changes(scale, seed, n, end);
    for r in 0..runs {
        let merged = merge_into_empty(dir.path(), &format!("merge-{r}.db"), &changes).await?;
        let inserted = plain_insert(dir.path(), &format!("insert-{r}.db"), &changes).await?;
        merge_rate.runs.push(n as f64 / merged);
        merge_ratio.runs.push(merged / inserted);
        eprintln!(
            "  run {}: merge {n} changes {merged:.2} s, plain insert of the rows {inserted:.2} s",
            r + 1
        );
        for name in [format!("merge-{r}.db"), format!("insert-{r}.db")] {
            let _ = std::fs::remove_file(dir.path().join(&name));
        }
    }
    drop(changes);

    let big = Caucus::open(&big_path).await.map_err(err)?;
    for _ in 0..runs {
        let (edit, update) = edit_and_update(&big, 200).await?;
        edit_ratio.runs.push(edit / update);
        merge_one_ms.runs.push(merge_one(&big, 50).await?);
        search.runs.push(search_p95(&big).await?);
    }
    let (ratio, meta_bytes, data_bytes) = metadata_ratio(&big).await?;
    metadata.runs.push(ratio);

    let sync_scale = scale.min(sync_cap);
    let seeder = dir.path().join("seeder.db");
    if sync_scale < scale {
        write_dataset(&seeder, sync_scale, seed).await?;
    } else {
        std::fs::copy(dir.path().join("big-copy.db"), &seeder).map_err(err)?;
    }
    let mut seeding = Map::new();
    hub_figures(
        dir.path(),
        &seeder,
        runs,
        load,
        &mut sync_sqlite,
        &mut sync_pg,
        &mut pull,
        &mut two_hubs,
        &mut seeding,
    )
    .await?;
    if sync_scale < scale {
        for f in [&mut sync_sqlite, &mut sync_pg] {
            f.missing = Some(format!(
                "measured at scale {sync_scale} of the {scale} dataset (--sync-scale)"
            ));
        }
    }
    window_figures(&big, &big_path, runs, &mut cold, &mut rss, &mut seeding).await?;

    let figures = [
        &merge_ratio,
        &merge_rate,
        &edit_ratio,
        &merge_one_ms,
        &sync_sqlite,
        &sync_pg,
        &search,
        &cold,
        &rss,
        &pull,
        &two_hubs,
        &metadata,
    ];
    let mut summary = serde_json::Map::new();
    summary.insert("scale".into(), json!(scale));
    summary.insert("seed".into(), json!(seed));
    summary.insert("runs".into(), json!(runs));
    summary.insert("dataset_changes".into(), json!(total));
    summary.insert("dataset_load_s".into(), json!(round(load_s)));
    summary.insert("merge_n".into(), json!(n));
    summary.insert("initial_sync_scale".into(), json!(scale.min(sync_cap)));
    summary.insert("metadata_bytes".into(), json!(meta_bytes));
    summary.insert("user_table_bytes".into(), json!(data_bytes));
    summary.extend(seeding);
    for f in figures {
        summary.insert(f.name.into(), json!(f.median().map(round)));
        if let Some((min, max)) = f.spread() {
            summary.insert(format!("{}_min", f.name), json!(round(min)));
            summary.insert(format!("{}_max", f.name), json!(round(max)));
        }
    }
    std::fs::create_dir_all(out).map_err(err)?;
    let path = out.join("summary.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&Value::Object(summary)).map_err(err)?,
    )
    .map_err(err)?;

    let table = table(&figures, scale, &counts, total, load_s, runs);
    println!("{table}");
    println!("summary: {}", path.display());
    if let Some(docs) = docs {
        update_docs(docs, &table)?;
        println!("updated {}", docs.display());
    }
    Ok(())
}

fn round(v: f64) -> f64 {
    if v.abs() >= 100.0 {
        v.round()
    } else {
        (v * 1000.0).round() / 1000.0
    }
}

fn show(v: f64) -> String {
    if v.abs() >= 1000.0 {
        let s = format!("{:.0}", v);
        let mut out = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        out
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}

fn table(
    figures: &[&Figure],
    scale: f64,
    counts: &Counts,
    total: usize,
    load_s: f64,
    runs: usize,
) -> String {
    let machine = machine();
    let date = caucus_core::hlc::day_of(caucus_core::hlc::wall_ms(), 0);
    let mut t = format!(
        "Measured {date} on {machine}; scale {scale} ({} organizations, {} people, {} groups, \
         {} recommendations, {} comments, {} tracked issues, {} meetings: {} changes, loaded \
         through the merge in {load_s:.1} s, {}/s); {runs} runs, median (min–max).\n\n\
         | figure | target | median | spread | |\n|---|---|---|---|---|\n",
        counts.organizations,
        counts.people,
        counts.groups,
        counts.recommendations,
        counts.comments,
        counts.tracked_issues,
        counts.meetings,
        show(total as f64),
        show(total as f64 / load_s.max(1e-9)),
    );
    for f in figures {
        let target = format!(
            "{} {} {}",
            if f.below { "≤" } else { "≥" },
            show(f.target),
            f.unit
        );
        let line = match (f.median(), f.spread(), &f.missing) {
            (Some(m), Some((lo, hi)), note) => format!(
                "| `{}` | {target} | {} {} | {}–{} | {}{} |\n",
                f.name,
                show(m),
                f.unit,
                show(lo),
                show(hi),
                match (note, f.met()) {
                    // Measured on less than the whole dataset: not judged against the target.
                    (Some(_), _) => "",
                    (None, Some(true)) => "met",
                    (None, _) => "**missed**",
                },
                note.as_ref().map_or(String::new(), |n| n.clone())
            ),
            (_, _, Some(why)) => format!("| `{}` | {target} | — | — | {why} |\n", f.name),
            _ => format!("| `{}` | {target} | — | — | |\n", f.name),
        };
        t.push_str(&line);
    }
    t
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(String::new(), |kb| format!(", {:.0} GiB", kb / 1_048_576.0));
    format!("{cpu}, {cores} cores{mem}")
}

const START: &str = "<!-- make bench: start -->";
const END: &str = "<!-- make bench: end -->";

/// Replaces the measured section of the benchmarks document (or appends one).
fn update_docs(path: &Path, table: &str) -> Res<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{START}\n{table}{END}");
    let updated = match (text.find(START), text.find(END)) {
        (Some(a), Some(b)) if b > a => {
            format!("{}{section}{}", &text[..a], &text[b + END.len()..])
        }
        _ => format!(
            "{}\n\n## `make bench`: the figures at coalition scale\n\n{section}\n",
            text.trim_end()
        ),
    };
    std::fs::write(path, updated).map_err(err)
}
