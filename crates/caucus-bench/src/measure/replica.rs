//! What a replica costs: writing the dataset, merging into an empty file against plain inserts,
//! an edit and its update, one merge, search, and the log's metadata against the data.

use super::*;

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

pub(super) async fn write_some(db: &Path, mut data: Dataset) -> Res<(usize, f64)> {
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

/// The merge figure alone, for a profiler: generates the first million changes of the dataset
/// (or all of it), then merges them into an empty replica and prints the rate. Under perf, skip
/// the generation with `perf record -D` and the milliseconds it printed.
pub async fn merge_only(scale: f64, seed: u64) -> Res<()> {
    let started = Instant::now();
    let changes = first_changes(scale, seed, MERGE_N, caucus_core::hlc::wall_ms() - 60_000);
    eprintln!(
        "{} changes generated in {} ms",
        changes.len(),
        started.elapsed().as_millis()
    );
    let dir = tempfile::tempdir().map_err(err)?;
    let (s, lag) = merge_into_empty(dir.path(), "merge.db", &changes).await?;
    eprintln!(
        "merged in {s:.2} s ({:.0} changes/s); search found the last title {lag:.3} s later",
        changes.len() as f64 / s
    );
    Ok(())
}

/// The first `n` changes of the dataset.
pub(super) fn first_changes(scale: f64, seed: u64, n: usize, end_ms: u64) -> Vec<Change> {
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

/// Merge-applies `changes` into an empty replica: seconds, and how long after the merge search
/// found the last record titled in it (the index is brought up to date per batch).
pub(super) async fn merge_into_empty(
    dir: &Path,
    name: &str,
    changes: &[Change],
) -> Res<(f64, f64)> {
    merge_into_new(dir, name, changes, None).await
}

/// [`merge_into_empty`], into a new replica encrypted under `passphrase` if one is given.
pub(super) async fn merge_into_new(
    dir: &Path,
    name: &str,
    changes: &[Change],
    passphrase: Option<&str>,
) -> Res<(f64, f64)> {
    let store = Store::open_with(&dir.join(name), passphrase)
        .await
        .map_err(err)?;
    let started = Instant::now();
    for batch in changes.chunks(BATCH) {
        store
            .merge_remote(batch, caucus_core::hlc::wall_ms())
            .await
            .map_err(err)?;
    }
    let s = started.elapsed().as_secs_f64();
    let merged = Instant::now();
    let last = changes
        .iter()
        .rev()
        .find(|c| c.table == "recommendation" && c.column == "title");
    if let Some((row, Some(title))) = last.map(|c| (c.row, c.value.as_str())) {
        loop {
            let hits = caucus_core::store::search::search(store.pool(), title, 100)
                .await
                .map_err(err)?;
            if hits.iter().any(|h| h.id == row) {
                break;
            }
            if merged.elapsed() > std::time::Duration::from_secs(60) {
                return Err(format!(
                    "search did not find {row} a minute after the merge"
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
    let lag = merged.elapsed().as_secs_f64();
    store.pool().close().await;
    Ok((s, lag))
}

/// What a judged merge needs: the changes signed by their sites' device keys, and the
/// certificates of those devices from one hub.
pub(super) struct Signed {
    changes: Vec<Change>,
    hub: (Uuid, ed25519_dalek::VerifyingKey),
    certificates: Vec<caucus_core::certificate::Certificate>,
}

/// Signs `changes` as their devices would (a key per site, each write on its own) and
/// certifies each site, as a hub would. The dataset's devices write for many people each,
/// where a real device is one person's: every site is certified for the secretariat's first
/// admin and its changes are theirs, so the judge accepts them all and the figure is what
/// judging costs when nothing is refused.
pub(super) fn signed(changes: &[Change]) -> Signed {
    let admin = changes
        .iter()
        .find(|c| c.table == "person" && c.column == "secretariat_admin" && c.value == json!(true))
        .map(|c| c.row)
        .unwrap_or_default();
    let hub_key = ed25519_dalek::SigningKey::from_bytes(&rand::random());
    let hub_id = Uuid::now_v7();
    let mut by_site: BTreeMap<Uuid, Vec<Change>> = BTreeMap::new();
    let mut order: std::collections::HashMap<(Uuid, u64), usize> = Default::default();
    for (i, c) in changes.iter().enumerate() {
        by_site.entry(c.site).or_default().push(c.clone());
        order.insert((c.site, c.seq), i);
    }
    let now = caucus_core::hlc::wall_ms();
    let mut out = Vec::with_capacity(changes.len());
    let mut certificates = Vec::new();
    for (site, mut list) in by_site {
        list.sort_by_key(|c| c.seq);
        let key = ed25519_dalek::SigningKey::from_bytes(&rand::random());
        for c in &mut list {
            c.actor = Some(admin);
            c.signature = None;
        }
        // Each write signed on its own, as its device signs it: a write is the consecutive
        // changes of one clock.
        let mut start = 0;
        while start < list.len() {
            let mut end = start + 1;
            while end < list.len()
                && list[end].seq == list[end - 1].seq + 1
                && list[end].hlc == list[start].hlc
            {
                end += 1;
            }
            caucus_core::signature::sign_write(&key, &mut list[start..end]);
            start = end;
        }
        certificates.push(caucus_core::certificate::Certificate::issue(
            &hub_key,
            hub_id,
            admin,
            site,
            &key.verifying_key(),
            now,
        ));
        out.extend(list);
    }
    // Back in the order they were made, as a bundle carries them.
    out.sort_by_key(|c| order.get(&(c.site, c.seq)).copied());
    Signed {
        changes: out,
        hub: (hub_id, hub_key.verifying_key()),
        certificates,
    }
}

/// Merges signed changes into an empty replica enrolled with their hub, judged as a bundle
/// import is (who made each, and whether they may), in the batches an import cuts: seconds,
/// and how many were held.
pub(super) async fn judged_merge_into_empty(
    dir: &Path,
    name: &str,
    signed: &Signed,
) -> Res<(f64, u32)> {
    use caucus_core::store::certificates;
    let store = Store::open(&dir.join(name)).await.map_err(err)?;
    let (hub_id, hub_key) = signed.hub;
    store
        .set_local_setting(certificates::HUB_ID, Some(&hub_id.to_string()))
        .await
        .map_err(err)?;
    store
        .set_local_setting(
            certificates::HUB_KEY,
            Some(&hex::encode(hub_key.to_bytes())),
        )
        .await
        .map_err(err)?;
    let now = caucus_core::hlc::wall_ms();
    certificates::remember(store.pool(), (hub_id, &hub_key), &signed.certificates, now)
        .await
        .map_err(err)?;
    let started = Instant::now();
    let mut held = 0;
    for batch in caucus_core::sync::judge::batches(&signed.changes, BATCH) {
        let report = caucus_core::sync::judge::merge_judged(
            &store,
            batch,
            &[],
            &[],
            caucus_core::hlc::wall_ms(),
            None,
        )
        .await
        .map_err(err)?;
        held += report.held;
    }
    let s = started.elapsed().as_secs_f64();
    if held > 0 {
        let why: Vec<(String, i64)> =
            sqlx::query_as("SELECT code, COUNT(*) FROM quarantine GROUP BY code")
                .fetch_all(store.pool())
                .await
                .map_err(err)?;
        eprintln!("  held by reason: {why:?}");
    }
    store.pool().close().await;
    Ok((s, held))
}

/// A row as a plain insert writes it: its bucket, fields and causal length.
pub(super) type Row = (String, Map<String, Value>, u64);

/// The rows those changes make, inserted the fastest plain way this machine does: raw
/// prepared statements (rusqlite, no worker thread between), every column of a row per
/// statement, in transactions of [`BATCH`] rows, the replica's pragmas (WAL, synchronous=FULL, its page cache).
/// When `with_search`, the search index is then built once, one statement per kind (the
/// fastest way to have it); otherwise not at all: the baseline the merge is held to, so a slow
/// baseline does not flatter it. Seconds.
pub(super) async fn plain_insert(
    dir: &Path,
    name: &str,
    changes: &[Change],
    with_search: bool,
) -> Res<f64> {
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
    // The schema, made by the replica itself; then the file alone.
    let path = dir.join(name);
    Store::open(&path).await.map_err(err)?.close().await;
    let mut db = rusqlite::Connection::open(&path).map_err(err)?;
    db.pragma_update(None, "journal_mode", "wal").map_err(err)?;
    db.pragma_update(None, "synchronous", "full").map_err(err)?;
    db.pragma_update(
        None,
        "cache_size",
        -i64::from(caucus_core::store::CACHE_KIB),
    )
    .map_err(err)?;
    let mut by_table: BTreeMap<&str, Vec<(&Uuid, &Row)>> = BTreeMap::new();
    for ((table, id), row) in &rows {
        by_table.entry(table.as_str()).or_default().push((id, row));
    }
    let started = Instant::now();
    let mut tx = db.transaction().map_err(err)?;
    let mut in_tx = 0;
    for (table, rows) in by_table {
        let Some(t) = schema::table(table) else {
            continue;
        };
        let names: String = t.columns.iter().map(|c| format!(", {}", c.name)).collect();
        let marks: String = (0..t.columns.len())
            .map(|i| format!(", ?{}", i + 4))
            .collect();
        let sql = format!(
            "INSERT INTO {} (id, bucket, cl{names}) VALUES (?1, ?2, ?3{marks})",
            t.name
        );
        for chunk in rows.chunks(BATCH) {
            {
                let mut insert = tx.prepare_cached(&sql).map_err(err)?;
                for (id, (bucket, fields, cl)) in chunk {
                    let mut values: Vec<rusqlite::types::Value> = vec![
                        id.to_string().into(),
                        bucket.clone().into(),
                        (*cl as i64).into(),
                    ];
                    for c in t.columns {
                        let v = fields.get(c.name).cloned().unwrap_or(Value::Null);
                        values.push(match c.kind {
                            Kind::Text => v.as_str().unwrap_or_default().to_string().into(),
                            Kind::OptText => v.as_str().map(str::to_string).into(),
                            Kind::Bool => (v.as_bool().unwrap_or(false) as i64).into(),
                            Kind::Int => v.as_i64().unwrap_or(0).into(),
                            Kind::Json => v.to_string().into(),
                        });
                    }
                    insert
                        .execute(rusqlite::params_from_iter(values))
                        .map_err(err)?;
                }
            }
            in_tx += chunk.len();
            if in_tx >= BATCH {
                tx.commit().map_err(err)?;
                tx = db.transaction().map_err(err)?;
                in_tx = 0;
            }
        }
    }
    if with_search {
        caucus_core::store::search::rebuild_on(&tx, &|_| {}).map_err(err)?;
    }
    tx.commit().map_err(err)?;
    let s = started.elapsed().as_secs_f64();
    drop(db);
    Ok(s)
}

/// Median seconds of `k` local edits through the change log, and of `k` plain UPDATEs of the
/// same field, on the loaded replica.
pub(super) async fn edit_and_update(caucus: &Caucus, k: usize) -> Res<(f64, f64)> {
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
pub(super) async fn merge_one(caucus: &Caucus, k: usize) -> Res<f64> {
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
pub(super) async fn search_p95(caucus: &Caucus) -> Res<f64> {
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
/// accounting (dbstat). The full-text index is derived data and counted in neither. The field
/// stamps kept beside the rows (store::stamps) are metadata inside the user tables' pages:
/// their bytes move from one side to the other.
/// What a replica's pages hold, in bytes ([`metadata_ratio`]).
pub(super) struct Sizes {
    /// What sync keeps beside the records: the stamps, the log's keys and indexes, the
    /// outbox, the cursors.
    pub meta: u64,
    /// The values the log keeps for every field's history.
    pub history: u64,
    /// The records themselves, with their indexes.
    pub data: u64,
}

pub(super) async fn metadata_ratio(caucus: &Caucus) -> Res<Sizes> {
    let pool = caucus.store().pool();
    let sizes: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            .fetch_all(pool)
            .await
            .map_err(err)?;
    let user: Vec<&str> = schema::TABLES.iter().map(|t| t.name).collect();
    let mut meta = 0u64;
    let mut data = 0u64;
    for (name, bytes) in sizes {
        let bytes = bytes as u64;
        let owner = sqlx_owner(&name);
        if SYNC_TABLES.contains(&owner.as_str()) {
            meta += bytes;
        } else if user.contains(&owner.as_str()) {
            data += bytes;
        }
    }
    for table in schema::TABLES {
        let stamps: i64 = sqlx::query_scalar(&format!(
            "SELECT COALESCE(SUM(length(stamps)), 0) FROM {}",
            table.name
        ))
        .fetch_one(pool)
        .await
        .map_err(err)?;
        let stamps = (stamps.max(0) as u64).min(data);
        meta += stamps;
        data -= stamps;
    }
    let history: i64 = sqlx::query_scalar("SELECT COALESCE(SUM(length(value)), 0) FROM change_log")
        .fetch_one(pool)
        .await
        .map_err(err)?;
    let history = (history.max(0) as u64).min(meta);
    Ok(Sizes {
        meta: meta - history,
        history,
        data,
    })
}

/// `search_p95_ms` alone on the replica at `db`, `runs` times (each run: every query of the
/// benchmark three times), printed: for working on search without writing a dataset each time.
pub async fn search_only(db: &Path, runs: usize) -> Res<()> {
    if !db.exists() {
        return Err(format!("no replica at {}", db.display()));
    }
    let caucus = Caucus::open(db).await.map_err(err)?;
    for r in 0..runs {
        println!(
            "run {}: search p95 {:.2} ms",
            r + 1,
            search_p95(&caucus).await?
        );
    }
    caucus.store().close().await;
    Ok(())
}

/// The passphrase of the encrypted figures' replicas.
pub(super) const PASSPHRASE: &str = "benchmark passphrase 2026";

/// A copy of the replica at `big` (closed), encrypted (SQLCipher, the key from Argon2id), open.
pub(super) async fn encrypted_copy(dir: &Path, big: &Path) -> Res<Caucus> {
    let copy = dir.join("encrypted.db");
    std::fs::copy(big, &copy).map_err(err)?;
    let started = Instant::now();
    caucus_core::store::cipher::reencrypt(&copy, None, PASSPHRASE)
        .await
        .map_err(err)?;
    eprintln!(
        "  the replica encrypted in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Caucus::open_with(&copy, Some(PASSPHRASE))
        .await
        .map_err(err)
}

/// Rewrites the replica at `db` (closed) in the format before this version's; the next open
/// upgrades it.
pub async fn rewrite_in_previous_format(db: &Path) -> Res<()> {
    if !db.exists() {
        return Err(format!("no replica at {}", db.display()));
    }
    let store = Store::open(db).await.map_err(err)?;
    caucus_core::store::upgrade::rewrite_in_the_previous_format(store.pool())
        .await
        .map_err(err)?;
    store.close().await;
    eprintln!("{} is in the previous format", db.display());
    Ok(())
}

/// Seconds to open a copy of the replica at `big` rewritten in the format before this
/// version's (each field's stamp in a table of its own), the upgrade included.
pub(super) async fn migrate(dir: &Path, big: &Path, run: usize) -> Res<f64> {
    let old = dir.join(format!("old-format-{run}.db"));
    std::fs::copy(big, &old).map_err(err)?;
    rewrite_in_previous_format(&old).await?;
    let started = Instant::now();
    let told = std::sync::atomic::AtomicU32::new(0);
    let store = Store::open_reporting(&old, None, &|p| {
        told.store(p.total, std::sync::atomic::Ordering::Relaxed)
    })
    .await
    .map_err(err)?;
    let seconds = started.elapsed().as_secs_f64();
    store.close().await;
    eprintln!(
        "  an upgrade of {} field stamps and log changes, with the open: {seconds:.2} s",
        told.load(std::sync::atomic::Ordering::Relaxed)
    );
    let _ = std::fs::remove_file(&old);
    Ok(seconds)
}

/// The tables sync keeps beside the records: the log, its interned names, the outbox, the
/// cursors.
const SYNC_TABLES: [&str; 6] = [
    "log_entry",
    "log_id",
    "log_name",
    "sync_outbox",
    "sync_cursor",
    "peer_version",
];

/// The table an index or table page belongs to (indexes are named after their table).
pub(super) fn sqlx_owner(name: &str) -> String {
    let name = name.strip_prefix("sqlite_autoindex_").unwrap_or(name);
    for t in schema::TABLES.iter().map(|t| t.name).chain(SYNC_TABLES) {
        if name == t || name.starts_with(&format!("{t}_")) {
            return t.to_string();
        }
    }
    name.to_string()
}
