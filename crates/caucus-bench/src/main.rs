//! `caucus-bench`: the performance figures of Caucus at coalition scale.
//!
//! `caucus-bench [--scale S] [--seed N] [--runs R] [--docs docs/benchmarks.md]` generates the
//! dataset (see `dataset.rs`), measures each figure `R` times (median and spread), prints a
//! table, writes `target/bench/summary.json` (one flat object of named figures) and, with
//! `--docs`, replaces the measured section of that file with the table, the machine and the
//! date. `caucus-bench dataset --scale S --db FILE` only writes the dataset into a replica
//! (`--directory`: only its organizations and people). `caucus-bench merge --scale S` only
//! merges the dataset's first million changes into an empty replica, for a profiler.
//! `caucus-bench first-sync --scale S [--hub FILE]` only measures a new device's first sync
//! from a SQLite hub loaded with the dataset (kept at FILE, and reused when it is there).
//! `caucus-bench first-screen --db FILE` times what the first screen asks of the core;
//! `caucus-bench window --db FILE` measures the release app's cold start (plain and encrypted)
//! and memory in the real window on copies of that replica.
//!
//! Figures not measured by this version are written as null, with the reason in the table.

mod dataset;
mod hubs;
mod measure;

use std::path::PathBuf;

#[derive(Debug)]
struct Args {
    scale: f64,
    seed: u64,
    runs: usize,
    /// The largest scale the hub figures are measured at (all of the dataset unless said).
    sync_scale: f64,
    docs: Option<PathBuf>,
    out: PathBuf,
    dataset_only: Option<PathBuf>,
    /// With `dataset`: only the organizations and people.
    directory: bool,
    /// `merge`: only the merge of the dataset's first million changes into an empty replica,
    /// generated beforehand, so a profiler sees the merge alone.
    merge_only: bool,
    /// Only the replica's figures (no hub, no window): a quick look at the merge.
    replica_only: bool,
    /// `previous-format --db FILE`: rewrite the replica at FILE in the format before this
    /// version's, as the previous release left it (for the upgrade's window test, and to
    /// watch the app upgrade a large replica).
    previous_format: bool,
    /// `search --db FILE`: only the search figure, on the replica at FILE, `--runs` times.
    search_only: bool,
    /// `first-sync [--hub FILE]`: only a new device's first sync from a SQLite hub seeded with
    /// the dataset (kept at FILE for the next run).
    first_sync_only: bool,
    /// `first-screen --db FILE`: only what the first screen asks of the core, command by
    /// command, on the replica at FILE.
    first_screen_only: bool,
    /// `window --db FILE`: only the release app's cold start (plain and encrypted) and memory
    /// in the real window, on copies of the replica at FILE.
    window_only: bool,
    /// `minutes`: only the minutes figures (the text CRDT's cost, an edit reaching another
    /// laptop at a meeting).
    minutes_only: bool,
    load: measure::HubLoad,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        scale: 1.0,
        seed: 2002,
        runs: 3,
        sync_scale: 100.0,
        docs: None,
        out: PathBuf::from("target/bench"),
        dataset_only: None,
        directory: false,
        merge_only: false,
        replica_only: false,
        previous_format: false,
        search_only: false,
        first_sync_only: false,
        first_screen_only: false,
        window_only: false,
        minutes_only: false,
        load: measure::HubLoad::default(),
    };
    let mut it = std::env::args().skip(1).peekable();
    let mut dataset = false;
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "dataset" => dataset = true,
            "merge" => args.merge_only = true,
            "previous-format" => args.previous_format = true,
            "search" => args.search_only = true,
            "first-sync" => args.first_sync_only = true,
            "first-screen" => args.first_screen_only = true,
            "window" => args.window_only = true,
            "minutes" => args.minutes_only = true,
            "--directory" => args.directory = true,
            "--replica-only" => args.replica_only = true,
            "--scale" => {
                args.scale = value("--scale")?
                    .parse()
                    .map_err(|_| "--scale is a number such as 0.1, 1 or 10")?;
                if !(0.001..=100.0).contains(&args.scale) {
                    return Err("--scale is between 0.001 and 100".into());
                }
            }
            "--seed" => args.seed = value("--seed")?.parse().map_err(|_| "--seed is a number")?,
            "--runs" => {
                args.runs = value("--runs")?.parse().map_err(|_| "--runs is a number")?;
                args.runs = args.runs.clamp(1, 20);
            }
            "--sync-scale" => {
                args.sync_scale = value("--sync-scale")?
                    .parse()
                    .map_err(|_| "--sync-scale is a number")?;
                if !(0.001..=100.0).contains(&args.sync_scale) {
                    return Err("--sync-scale is between 0.001 and 100".into());
                }
            }
            "--devices" => {
                args.load.devices = value("--devices")?
                    .parse()
                    .map_err(|_| "--devices is a number of devices")?;
                if !(1..=10_000).contains(&args.load.devices) {
                    return Err("--devices is between 1 and 10000".into());
                }
            }
            "--loop-seconds" => {
                args.load.loop_seconds = value("--loop-seconds")?
                    .parse()
                    .map_err(|_| "--loop-seconds is a number of seconds")?;
                if !(0.1..=600.0).contains(&args.load.loop_seconds) {
                    return Err("--loop-seconds is between 0.1 and 600".into());
                }
            }
            "--docs" => args.docs = Some(value("--docs")?.into()),
            "--out" => args.out = value("--out")?.into(),
            "--db" | "--hub" => args.dataset_only = Some(value(&arg)?.into()),
            "--help" | "-h" => {
                return Err(
                    "caucus-bench [--scale S] [--seed N] [--runs R] [--sync-scale S] [--devices N] [--loop-seconds S] [--replica-only] [--docs FILE] [--out DIR]\n\
                            caucus-bench dataset --scale S [--seed N] [--directory] --db FILE\n\
                            caucus-bench merge --scale S [--seed N]\n\
                            caucus-bench previous-format --db FILE\n\
                            caucus-bench search --db FILE [--runs R]\n\
                            caucus-bench first-sync --scale S [--runs R] [--hub FILE]\n\
                            caucus-bench first-screen --db FILE [--runs R]\n\
                            caucus-bench window --db FILE [--runs R]\n\
                            caucus-bench minutes [--runs R]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    if dataset && args.dataset_only.is_none() {
        return Err("caucus-bench dataset needs --db FILE".into());
    }
    if args.previous_format && (dataset || args.dataset_only.is_none()) {
        return Err("caucus-bench previous-format needs --db FILE (and nothing else)".into());
    }
    if args.first_screen_only && (dataset || args.dataset_only.is_none()) {
        return Err("caucus-bench first-screen needs --db FILE".into());
    }
    if args.window_only && (dataset || args.dataset_only.is_none()) {
        return Err("caucus-bench window needs --db FILE".into());
    }
    if args.search_only && (dataset || args.dataset_only.is_none()) {
        return Err("caucus-bench search needs --db FILE".into());
    }
    Ok(args)
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        if args.merge_only {
            return measure::merge_only(args.scale, args.seed).await;
        }
        if args.minutes_only {
            return measure::minutes_only(args.seed, args.runs).await;
        }
        if args.first_sync_only {
            return measure::first_sync_only(
                args.scale,
                args.seed,
                args.runs,
                args.dataset_only.as_deref(),
            )
            .await;
        }
        match &args.dataset_only {
            Some(db) if args.previous_format => measure::rewrite_in_previous_format(db).await,
            Some(db) if args.first_screen_only => measure::first_screen_only(db, args.runs).await,
            Some(db) if args.window_only => measure::window_only(db, args.runs).await,
            Some(db) if args.search_only => measure::search_only(db, args.runs).await,
            Some(db) if args.directory => measure::write_directory(db, args.scale, args.seed)
                .await
                .map(|_| ()),
            Some(db) => measure::write_dataset(db, args.scale, args.seed)
                .await
                .map(|_| ()),
            None => {
                measure::run(
                    args.scale,
                    args.sync_scale,
                    args.seed,
                    args.runs,
                    &args.load,
                    args.replica_only,
                    &args.out,
                    args.docs.as_deref(),
                )
                .await
            }
        }
    });
    if let Err(e) = result {
        eprintln!("caucus-bench: {e}");
        std::process::exit(1);
    }
}
