//! What the hubs and the window cost: devices pulling at once and in a loop, and the app's
//! screens over a large replica.

use super::*;

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

pub(super) const LOOPING_DEVICES: usize = 64;

/// The hub figures over the dataset of `scale` (see `hubs.rs`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn hub_figures(
    dir: &Path,
    scale: f64,
    seed: u64,
    runs: usize,
    load: &HubLoad,
    sync_sqlite: &mut Figure,
    sync_member: &mut Figure,
    sync_pg: &mut Figure,
    pull: &mut Figure,
    two_hubs: &mut Figure,
    seeding: &mut Map<String, Value>,
) -> Res<()> {
    let hub = hubs::seed(scale, seed, &dir.join("hub.db").display().to_string()).await?;
    seeding.insert("hub_load_s_sqlite".into(), json!(round(hub.seed_s)));
    for r in 0..runs {
        let s = hubs::first_sync(&hub, dir, &format!("fresh-sqlite-{r}"), hub.admin()).await?;
        eprintln!("  run {}: first sync from the SQLite hub {s:.1} s", r + 1);
        sync_sqlite.runs.push(s);
        remove_replica(dir, &format!("fresh-sqlite-{r}"));
    }
    match hub.member {
        Some(member) => {
            for r in 0..runs {
                let s = hubs::first_sync(&hub, dir, &format!("member-{r}"), member).await?;
                eprintln!(
                    "  run {}: a member's first sync (three groups) {s:.2} s",
                    r + 1
                );
                sync_member.runs.push(s);
                remove_replica(dir, &format!("member-{r}"));
            }
        }
        None => {
            sync_member.missing = Some("no person of the dataset is in exactly three groups".into())
        }
    }
    drop(hub);
    remove_replica(dir, "hub");

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
    let hub = hubs::seed(scale, seed, &url).await?;
    seeding.insert("hub_load_s_postgres".into(), json!(round(hub.seed_s)));
    for r in 0..runs {
        let s = hubs::first_sync(&hub, dir, &format!("fresh-pg-{r}"), hub.admin()).await?;
        eprintln!(
            "  run {}: first sync from the PostgreSQL hub {s:.1} s",
            r + 1
        );
        sync_pg.runs.push(s);
        remove_replica(dir, &format!("fresh-pg-{r}"));
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

/// The first-sync figures alone (`caucus-bench first-sync`): a SQLite hub loaded with the
/// dataset of `scale` (or the one an earlier run left at `keep`, with its admin and its member
/// of three groups beside it in `<keep>.admin`), then `runs` new devices' first syncs of
/// everything the admin reads, and `runs` of what the member reads.
pub async fn first_sync_only(scale: f64, seed: u64, runs: usize, keep: Option<&Path>) -> Res<()> {
    let dir = tempfile::tempdir().map_err(err)?;
    let hub_path = keep.map_or_else(|| dir.path().join("hub.db"), Path::to_path_buf);
    let admin_path = hub_path.with_extension("admin");
    let url = hub_path.display().to_string();
    let known = std::fs::read_to_string(&admin_path).ok();
    let hub = match known
        .as_deref()
        .map(|k| k.split_whitespace().collect::<Vec<_>>())
    {
        Some(ids) if hub_path.exists() && !ids.is_empty() => {
            let admin = Uuid::parse_str(ids[0]).map_err(err)?;
            let member = ids.get(1).map(|m| Uuid::parse_str(m)).transpose();
            let member = member.map_err(err)?;
            eprintln!("the hub at {} (loaded before)", hub_path.display());
            hubs::reopen(&url, admin, member).await?
        }
        _ => hubs::seed(scale, seed, &url).await?,
    };
    let ids: Vec<String> = [Some(hub.admin()), hub.member]
        .iter()
        .flatten()
        .map(Uuid::to_string)
        .collect();
    std::fs::write(&admin_path, ids.join("\n")).map_err(err)?;
    let mut who = vec![("everything", hub.admin())];
    who.extend(hub.member.map(|m| ("a member of three groups", m)));
    for (what, person) in who {
        for r in 0..runs {
            let name = format!("fresh-{r}");
            let s = hubs::first_sync(&hub, dir.path(), &name, person).await?;
            let changes = count_changes(&dir.path().join(format!("{name}.db"))).await?;
            println!(
                "run {}, {what}: first sync of {changes} changes in {s:.2} s ({:.0}/s)",
                r + 1,
                changes as f64 / s
            );
            remove_replica(dir.path(), &name);
        }
    }
    Ok(())
}

/// Removes a replica a first sync wrote, with its WAL.
fn remove_replica(dir: &Path, name: &str) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("{name}.db{suffix}")));
    }
}

/// How many changes the replica at `db` logged.
async fn count_changes(db: &Path) -> Res<i64> {
    let caucus = Caucus::open(db).await.map_err(err)?;
    let n = sqlx::query_scalar("SELECT COALESCE(SUM(seq_last - seq_first + 1), 0) FROM log_entry")
        .fetch_one(caucus.store().pool())
        .await
        .map_err(err)?;
    caucus.store().close().await;
    Ok(n)
}

/// What the first screen asks of the core, command by command (`caucus-bench first-screen --db
/// FILE`): the replica opened, then what the shell and My work load on start, acting as a
/// group leader, `runs` times (the first run reads from a cold page cache only if the file
/// was not read just before). The window's cold start adds WebKit's own start to these; the
/// shell asks for them at once, so the UI waits for about the slowest, not the sum.
pub async fn first_screen_only(db: &Path, runs: usize) -> Res<()> {
    if !db.exists() {
        return Err(format!("no replica at {}", db.display()));
    }
    for r in 0..runs {
        let started = Instant::now();
        let caucus = Caucus::open(db).await.map_err(err)?;
        let mut line = format!("run {}: open {:.1} ms", r + 1, ms(started));
        if r == 0 {
            act_as_leader(&caucus).await?;
        }
        let t = Instant::now();
        caucus
            .get_session(caucus_core::api::NoInput {})
            .await
            .map_err(err)?;
        line += &format!(", session {:.1}", ms(t));
        let t = Instant::now();
        let people = caucus.list_people(Default::default()).await.map_err(err)?;
        line += &format!(", people ({}) {:.1}", people.len(), ms(t));
        let t = Instant::now();
        caucus
            .notifications(caucus_core::api::NotificationQuery {
                utc_offset_minutes: 0,
            })
            .await
            .map_err(err)?;
        line += &format!(", notifications {:.1}", ms(t));
        let t = Instant::now();
        caucus
            .my_work(caucus_core::api::NoInput {})
            .await
            .map_err(err)?;
        line += &format!(", my work {:.1}; all {:.1} ms", ms(t), ms(started));
        println!("{line}");
        caucus.store().close().await;
    }
    Ok(())
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Acts as the first leader of a group, as the window figures do.
pub(super) async fn act_as_leader(big: &Caucus) -> Res<()> {
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
    Ok(())
}

/// The figures the real window measures.
pub(super) struct WindowFigures<'a> {
    pub cold: &'a mut Figure,
    pub rss: &'a mut Figure,
    /// The cold start on the encrypted copy over the plain one's, run by run.
    pub encrypted_cold: &'a mut Figure,
}

/// Cold start and resident memory in the real window under Xvfb, by `tests/bench/window.mjs`
/// (WebDriver through tauri-driver), with the app and the empty Tauri window built beside this
/// binary. The app opens the dataset acting as a group leader, on My work.
pub(super) async fn window_figures(
    big: &Caucus,
    big_path: &Path,
    encrypted_path: &Path,
    runs: usize,
    figures: WindowFigures<'_>,
    extra: &mut Map<String, Value>,
) -> Res<()> {
    let WindowFigures {
        cold,
        rss,
        encrypted_cold,
    } = figures;
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
        encrypted_cold.missing = Some(why.clone());
        rss.missing = Some(why);
        return Ok(());
    }
    act_as_leader(big).await?;
    let mut node = std::process::Command::new("node");
    node.arg(script)
        .arg("--app")
        .arg(&app)
        .arg("--empty")
        .arg(&empty)
        .arg("--db")
        .arg(big_path)
        .arg("--encrypted-db")
        .arg(encrypted_path)
        .args(["--passphrase", PASSPHRASE])
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
    let encrypted_ms = numbers("encrypted_cold_start_ms");
    encrypted_cold.runs = encrypted_ms
        .iter()
        .zip(&cold.runs)
        .map(|(e, plain)| e / plain.max(1.0))
        .collect();
    rss.runs = app_kb
        .iter()
        .zip(&empty_kb)
        .map(|(a, e)| a / e.max(1.0))
        .collect();
    let empty_start = numbers("empty_start_ms");
    for (r, ((ms, a), e)) in cold.runs.iter().zip(&app_kb).zip(&empty_kb).enumerate() {
        eprintln!(
            "  run {}: first screen in {ms:.0} ms (encrypted {:.0} ms, an empty window {:.0} ms); \
             resident {:.0} MB against {:.0} MB for an empty window",
            r + 1,
            encrypted_ms.get(r).copied().unwrap_or(f64::NAN),
            empty_start.get(r).copied().unwrap_or(f64::NAN),
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
    // The floor under the cold start: an empty Tauri window's own start, timed the same way.
    let mut empty_ms = numbers("empty_start_ms");
    extra.insert(
        "empty_tauri_start_ms".into(),
        json!((!empty_ms.is_empty()).then(|| round(p(&mut empty_ms, 0.5)))),
    );
    Ok(())
}

/// The window's figures alone (`caucus-bench window --db FILE`): cold start and memory of the
/// release app on a copy of the replica at `db`, and its cold start on an encrypted copy, acting
/// as a group leader, `runs` times. The copies go in the temporary folder (`TMPDIR`).
pub async fn window_only(db: &Path, runs: usize) -> Res<()> {
    if !db.exists() {
        return Err(format!("no replica at {}", db.display()));
    }
    let dir = tempfile::tempdir().map_err(err)?;
    let plain = dir.path().join("plain.db");
    std::fs::copy(db, &plain).map_err(err)?;
    let encrypted = encrypted_copy(dir.path(), &plain).await?;
    act_as_leader(&encrypted).await?;
    encrypted.store().close().await;
    drop(encrypted);
    let big = Caucus::open(&plain).await.map_err(err)?;
    let (mut cold, mut rss) = (
        Figure::new("cold_start_ms", 1000.0, true, "ms"),
        Figure::reported("rss_ratio_vs_empty_tauri", "×"),
    );
    let mut encrypted_cold = Figure::reported("encrypted_cold_start_ratio", "×");
    let figures = WindowFigures {
        cold: &mut cold,
        rss: &mut rss,
        encrypted_cold: &mut encrypted_cold,
    };
    let mut extra = Map::new();
    let encrypted_path = dir.path().join("encrypted.db");
    window_figures(&big, &plain, &encrypted_path, runs, figures, &mut extra).await?;
    big.store().close().await;
    for f in [&cold, &rss, &encrypted_cold] {
        if let Some(why) = &f.missing {
            return Err(why.clone());
        }
        println!("{}: {:.3?}", f.name, f.runs);
    }
    Ok(())
}
