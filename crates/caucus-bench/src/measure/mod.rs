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

mod hub;
mod minutes;
mod replica;
mod report;

use hub::*;
pub use hub::{first_screen_only, first_sync_only, window_only, HubLoad};
use replica::*;
pub use replica::{
    merge_only, rewrite_in_previous_format, search_only, write_dataset, write_directory,
};
use report::*;

pub(super) type Res<T> = Result<T, String>;

pub(super) fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

pub(super) const BATCH: usize = 5_000;
/// The merge benchmark's size at scale 1 (smaller datasets merge all they have).
pub(super) const MERGE_N: usize = 1_000_000;

/// A figure: its runs, and its target (`below` = lower is better).
pub(super) struct Figure {
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

    /// A figure reported beside the others, with no target to meet.
    fn reported(name: &'static str, unit: &'static str) -> Figure {
        Figure::new(name, f64::NAN, true, unit)
    }

    fn met(&self) -> Option<bool> {
        if self.target.is_nan() {
            return None;
        }
        self.median().map(|m| {
            if self.below {
                m <= self.target
            } else {
                m >= self.target
            }
        })
    }
}

/// One run of the minutes figures: the text CRDT's cost, and an edit's p95 to another laptop.
async fn minutes_run(dir: &Path, seed: u64, r: usize) -> Res<(minutes::CrdtCost, f64)> {
    let cost = minutes::crdt_cost(seed + r as u64)?;
    let run_dir = dir.join(format!("minutes-{r}"));
    std::fs::create_dir_all(&run_dir).map_err(err)?;
    let mut took = minutes::edit_to_peer(&run_dir, 20).await?;
    let p95 = p(&mut took, 0.95);
    eprintln!(
        "  minutes: an edit reached another laptop in {:.1} ms (median of {}), p95 {p95:.1} ms; \
         the text CRDT kept {:.2}× the text in its edits, stored {:.2}×, merged a sentence in \
         {:.3} ms (p95)",
        p(&mut took, 0.5),
        took.len(),
        cost.log_ratio,
        cost.state_ratio,
        cost.merge_p95_ms
    );
    Ok((cost, p95))
}

/// `caucus-bench minutes`: only the minutes figures, `runs` times.
pub async fn minutes_only(seed: u64, runs: usize) -> Res<()> {
    let dir = tempfile::tempdir().map_err(err)?;
    for r in 0..runs {
        minutes_run(dir.path(), seed, r).await?;
    }
    Ok(())
}

pub(super) fn p(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let i = ((values.len() as f64 - 1.0) * q).round() as usize;
    values[i.min(values.len() - 1)]
}

/// Every measurement, `runs` times each, written to `out` (and the table into `docs`).
#[allow(clippy::too_many_arguments)] // the command line's options, one each
pub async fn run(
    scale: f64,
    sync_cap: f64,
    seed: u64,
    runs: usize,
    load: &HubLoad,
    replica_only: bool,
    out: &Path,
    docs: Option<&Path>,
) -> Res<()> {
    let dir = tempfile::tempdir().map_err(err)?;
    let counts = Counts::at(scale);
    let mut merge_rate = Figure::new("merge_changes_per_s", 300_000.0, false, "changes/s");
    let mut merge_ratio = Figure::new("merge_vs_insert_ratio", 1.5, true, "×");
    // Beside it, the plain insert with the search index built once after the rows.
    let mut merge_fts_ratio = Figure::new("merge_vs_insert_fts_ratio", 1.5, true, "×");
    // How long after a merge search finds what it brought: the index follows per batch.
    let mut search_lag = Figure::new("search_lag_s", 1.0, true, "s");
    let mut edit_ratio = Figure::new("edit_vs_update_ratio", 1.5, true, "×");
    let mut merge_one_ms = Figure::new("merge_one_on_big_replica_ms", 2.0, true, "ms");
    let mut sync_sqlite = Figure::new("initial_sync_s_sqlite", 20.0, true, "s");
    // A member's device: the coalition's bucket and three groups'.
    let mut sync_member = Figure::new("initial_sync_s_member", 3.0, true, "s");
    let mut sync_pg = Figure::new("initial_sync_s_postgres", 20.0, true, "s");
    let mut search = Figure::new("search_p95_ms", 10.0, true, "ms");
    let mut cold = Figure::new("cold_start_ms", 1000.0, true, "ms");
    let mut rss = Figure::new("rss_ratio_vs_empty_tauri", 1.25, true, "×");
    let mut pull = Figure::new("hub_pull_p99_ms_1000_devices", 100.0, true, "ms");
    let mut two_hubs = Figure::new("hub_two_vs_one_ratio", 1.7, false, "×");
    let mut metadata = Figure::new("sync_metadata_ratio", 0.5, true, "×");
    // Beside it: the superseded and current values every field's history keeps.
    let mut history = Figure::reported("history_bytes_ratio", "×");
    // Opening a replica the previous format wrote, the upgrade included.
    let mut migration = Figure::reported("migration_s", "s");
    // A bundle's or a meeting's changes, judged by the receiver: signatures, certificates and
    // the rights table against the memberships it holds.
    let mut judged_rate = Figure::new("judged_merge_changes_per_s", 300_000.0, false, "changes/s");
    let mut judged_ratio = Figure::new("judged_vs_merge_ratio", 1.5, true, "×");
    // The same merge and search with the replica encrypted (SQLCipher, key from Argon2id).
    let mut encrypted_merge = Figure::new("encrypted_merge_ratio", 1.3, true, "×");
    let mut encrypted_search = Figure::new("encrypted_search_p95_ratio", 1.3, true, "×");
    // The release app's cold start on the encrypted copy, against the plain one's.
    let mut encrypted_cold = Figure::new("encrypted_cold_start_ratio", 1.3, true, "×");
    // Minutes written together: an edit reaching another laptop at a meeting (p95), and what
    // the text CRDT keeps of a 20,000-word document typed by 5 writers.
    let mut minutes_to_peer = Figure::new("minutes_edit_to_peer_ms", 1000.0, true, "ms");
    let mut crdt_log = Figure::reported("minutes_crdt_log_ratio", "×");
    let mut crdt_state = Figure::reported("minutes_crdt_state_ratio", "×");
    let mut crdt_merge = Figure::reported("minutes_crdt_merge_p95_ms", "ms");

    // The whole dataset, once, through the one write path.
    let big_path = dir.path().join("big.db");
    let (total, load_s) = write_dataset(&big_path, scale, seed).await?;

    // Merge vs plain insert, side by side, `runs` times.
    let n = MERGE_N.min(total);
    let end = caucus_core::hlc::wall_ms() - 60_000;
    let changes = first_changes(scale, seed, n, end);
    for r in 0..runs {
        let (merged, lag) =
            merge_into_empty(dir.path(), &format!("merge-{r}.db"), &changes).await?;
        search_lag.runs.push(lag);
        let inserted = plain_insert(dir.path(), &format!("insert-{r}.db"), &changes, false).await?;
        let with_search =
            plain_insert(dir.path(), &format!("insert-fts-{r}.db"), &changes, true).await?;
        merge_rate.runs.push(n as f64 / merged);
        merge_ratio.runs.push(merged / inserted);
        merge_fts_ratio.runs.push(merged / with_search);
        eprintln!(
            "  run {}: merge {n} changes {merged:.2} s, plain insert of the rows {inserted:.2} s \
             ({with_search:.2} s with the search index built after)",
            r + 1
        );
        for name in [
            format!("merge-{r}.db"),
            format!("insert-{r}.db"),
            format!("insert-fts-{r}.db"),
        ] {
            let _ = std::fs::remove_file(dir.path().join(&name));
        }
    }
    let signed = signed(&changes);
    for r in 0..runs {
        let (merged, _) = merge_into_empty(dir.path(), &format!("plain-{r}.db"), &changes).await?;
        let (judged, held) =
            judged_merge_into_empty(dir.path(), &format!("judged-{r}.db"), &signed).await?;
        let (encrypted, _) = merge_into_new(
            dir.path(),
            &format!("encrypted-{r}.db"),
            &changes,
            Some(PASSPHRASE),
        )
        .await?;
        judged_rate.runs.push(n as f64 / judged);
        judged_ratio.runs.push(judged / merged);
        encrypted_merge.runs.push(encrypted / merged);
        eprintln!(
            "  run {}: judged merge of {n} signed changes {judged:.2} s ({held} held), encrypted \
             {encrypted:.2} s, plain {merged:.2} s",
            r + 1
        );
        for name in [
            format!("plain-{r}.db"),
            format!("judged-{r}.db"),
            format!("encrypted-{r}.db"),
        ] {
            let _ = std::fs::remove_file(dir.path().join(&name));
        }
    }
    drop(signed);
    drop(changes);

    let encrypted = encrypted_copy(dir.path(), &big_path).await?;
    let mut encrypted_p95 = Vec::new();
    for _ in 0..runs {
        encrypted_p95.push(search_p95(&encrypted).await?);
    }
    // Kept for the window's encrypted cold start, opening on the same screen as the plain one.
    act_as_leader(&encrypted).await?;
    encrypted.store().close().await;
    drop(encrypted);
    let encrypted_path = dir.path().join("encrypted.db");
    // What the key's derivation costs on its own: an encrypted start pays it once.
    let started = Instant::now();
    caucus_core::store::cipher::derive_key(PASSPHRASE, &[7; 16]).map_err(err)?;
    let argon2id_ms = started.elapsed().as_secs_f64() * 1000.0;

    for r in 0..runs {
        migration
            .runs
            .push(migrate(dir.path(), &big_path, r).await?);
    }

    let big = Caucus::open(&big_path).await.map_err(err)?;
    for _ in 0..runs {
        let (edit, update) = edit_and_update(&big, 200).await?;
        edit_ratio.runs.push(edit / update);
        eprintln!(
            "  a local edit {:.3} ms, a plain UPDATE of the field {:.3} ms (medians)",
            edit * 1000.0,
            update * 1000.0
        );
        merge_one_ms.runs.push(merge_one(&big, 50).await?);
        search.runs.push(search_p95(&big).await?);
    }
    for (plain, encrypted) in search.runs.iter().zip(&encrypted_p95) {
        encrypted_search.runs.push(encrypted / plain.max(1e-9));
    }
    eprintln!("  search p95 encrypted: {encrypted_p95:.2?} ms");
    let sizes = metadata_ratio(&big).await?;
    metadata
        .runs
        .push(sizes.meta as f64 / sizes.data.max(1) as f64);
    history
        .runs
        .push(sizes.history as f64 / sizes.data.max(1) as f64);

    let sync_scale = scale.min(sync_cap);
    let mut seeding = Map::new();
    if replica_only {
        for f in [
            &mut sync_sqlite,
            &mut sync_member,
            &mut sync_pg,
            &mut pull,
            &mut two_hubs,
            &mut cold,
            &mut rss,
            &mut encrypted_cold,
        ] {
            f.missing = Some("not measured (--replica-only)".into());
        }
    } else {
        hub_figures(
            dir.path(),
            sync_scale,
            seed,
            runs,
            load,
            &mut sync_sqlite,
            &mut sync_member,
            &mut sync_pg,
            &mut pull,
            &mut two_hubs,
            &mut seeding,
        )
        .await?;
        if sync_scale < scale {
            for f in [&mut sync_sqlite, &mut sync_member, &mut sync_pg] {
                f.missing = Some(format!(
                    "measured at scale {sync_scale} of the {scale} dataset (--sync-scale)"
                ));
            }
        }
        let window = WindowFigures {
            cold: &mut cold,
            rss: &mut rss,
            encrypted_cold: &mut encrypted_cold,
        };
        window_figures(&big, &big_path, &encrypted_path, runs, window, &mut seeding).await?;
        seeding.insert("argon2id_ms".into(), json!(round(argon2id_ms)));
    }

    for r in 0..runs {
        let (cost, to_peer) = minutes_run(dir.path(), seed, r).await?;
        crdt_log.runs.push(cost.log_ratio);
        crdt_state.runs.push(cost.state_ratio);
        crdt_merge.runs.push(cost.merge_p95_ms);
        minutes_to_peer.runs.push(to_peer);
    }

    let figures = [
        &merge_ratio,
        &merge_fts_ratio,
        &merge_rate,
        &search_lag,
        &edit_ratio,
        &merge_one_ms,
        &sync_sqlite,
        &sync_member,
        &sync_pg,
        &search,
        &cold,
        &rss,
        &pull,
        &two_hubs,
        &metadata,
        &history,
        &migration,
        &judged_rate,
        &judged_ratio,
        &encrypted_merge,
        &encrypted_search,
        &encrypted_cold,
        &minutes_to_peer,
        &crdt_log,
        &crdt_state,
        &crdt_merge,
    ];
    let mut summary = serde_json::Map::new();
    summary.insert("scale".into(), json!(scale));
    summary.insert("seed".into(), json!(seed));
    summary.insert("runs".into(), json!(runs));
    summary.insert("dataset_changes".into(), json!(total));
    summary.insert("dataset_load_s".into(), json!(round(load_s)));
    summary.insert("merge_n".into(), json!(n));
    summary.insert("initial_sync_scale".into(), json!(scale.min(sync_cap)));
    summary.insert("metadata_bytes".into(), json!(sizes.meta));
    summary.insert("history_bytes".into(), json!(sizes.history));
    summary.insert("user_table_bytes".into(), json!(sizes.data));
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
