// Storage formats measured side by side (issue: storage v2), kept as the record of what was
// measured before the format was chosen. Not part of the build. To run it again, beside the
// project: a crate with this file as src/main.rs and
//   rusqlite = { version = "0.32", features = ["bundled"] }  (libsqlite3-sys 0.30, as ours)
//   uuid = { version = "1", features = ["v4"] }
// then `cargo run --release -- PATH/TO/crates/caucus-core/migrations`.

// Throwaway: the same 100,000 field changes (12,500 organizations x 8 writes, as the baseline
// example) written by a raw SQLite connection in four formats. WAL, synchronous=FULL.
use rusqlite::{params, Connection};
use std::time::Instant;


struct C { site: [u8; 16], seq: i64, hlc: i64, row: String, col: &'static str, value: String }

fn changes() -> Vec<C> {
    let site = *uuid::Uuid::new_v4().as_bytes();
    let cols = ["$row", "name", "country", "region", "themes", "status", "name", "country"];
    let mut out = Vec::new();
    for r in 0..12_500u64 {
        for col in cols {
            let seq = out.len() as i64 + 1;
            let value = match col {
                "themes" => r#"["human rights"]"#.to_string(),
                "region" => "\"europe\"".into(),
                "status" => "\"member\"".into(),
                "country" => "\"NL\"".into(),
                "$row" => "null".into(),
                _ => format!("\"Organization {r}\""),
            };
            out.push(C { site, seq, hlc: 1_000_000 + seq, row: uuid::Uuid::from_u128(r as u128 + 1).to_string(), col, value });
        }
    }
    out
}

fn open(path: &str, migrate: bool) -> Connection {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(format!("{path}-wal"));
    let c = Connection::open(path).unwrap();
    c.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;").unwrap();
    if migrate {
        let migrations = std::env::args().nth(1).expect("the migrations' folder");
        let mut files: Vec<_> = std::fs::read_dir(migrations).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for f in files { c.execute_batch(&std::fs::read_to_string(f).unwrap()).unwrap(); }
    }
    c
}

fn drop_search(c: &Connection) {
    let names: Vec<String> = c.prepare("SELECT name FROM sqlite_master WHERE type='trigger' AND name LIKE '%search%'").unwrap()
        .query_map([], |r| r.get(0)).unwrap().map(|r| r.unwrap()).collect();
    for n in names { c.execute_batch(&format!("DROP TRIGGER \"{n}\"")).unwrap(); }
}

/// The final rows, as a plain insert writes them.
fn plain(cs: &[C], with_search: bool) -> f64 {
    let c = open("/tmp/proto-plain.db", true);
    if !with_search { drop_search(&c); }
    let mut rows: Vec<(String, [String; 5])> = Vec::new();
    for ch in cs.chunks(8) { rows.push((ch[0].row.clone(), [ch[6].value.clone(), ch[7].value.clone(), ch[3].value.clone(), ch[4].value.clone(), ch[5].value.clone()])); }
    let t = Instant::now();
    for batch in rows.chunks(5000) {
        let tx = c.unchecked_transaction().unwrap();
        {
            let mut st = tx.prepare_cached("INSERT INTO organization (id, bucket, cl, name, country, region, themes, status) VALUES (?,?,?,?,?,?,?,?)").unwrap();
            for (id, v) in batch { st.execute(params![id, "coalition", 1, v[0], v[1], v[2], v[3], v[4]]).unwrap(); }
        }
        tx.commit().unwrap();
    }
    t.elapsed().as_secs_f64()
}

/// Today's format, through a raw connection: a log row and an outbox row per change, a clock
/// row per winning field, the row inserted whole (search triggers on).
fn today(cs: &[C]) -> f64 {
    let c = open("/tmp/proto-today.db", true);
    let t = Instant::now();
    for batch in cs.chunks(5000) {
        let tx = c.unchecked_transaction().unwrap();
        {
            let mut log = tx.prepare_cached("INSERT OR IGNORE INTO change_log (site, seq, hlc, actor, bucket, tbl, row_id, col, value, cl, schema_version, signature) VALUES (?,?,?,NULL,'coalition','organization',?,?,?,1,1,NULL)").unwrap();
            let mut outbox = tx.prepare_cached("INSERT OR IGNORE INTO sync_outbox (hlc, site, seq) VALUES (?,?,?)").unwrap();
            let mut clock = tx.prepare_cached("INSERT OR REPLACE INTO field_clock (tbl, row_id, col, cl, hlc, site, seq) VALUES ('organization',?,?,1,?,?,?)").unwrap();
            let mut row = tx.prepare_cached("INSERT INTO organization (id, bucket, cl, name, country, region, themes, status) VALUES (?,'coalition',1,?,?,?,?,?)").unwrap();
            for ch in batch {
                log.execute(params![ch.site, ch.seq, ch.hlc, ch.row, ch.col, ch.value]).unwrap();
                outbox.execute(params![ch.hlc, ch.site, ch.seq]).unwrap();
            }
            for r in batch.chunks(8) {
                for ch in &r[1..] { clock.execute(params![ch.row, ch.col, ch.hlc, ch.site, ch.seq]).unwrap(); }
                row.execute(params![r[0].row, r[6].value, r[7].value, r[3].value, r[4].value, r[5].value]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    t.elapsed().as_secs_f64()
}

/// A compact format: sites interned, one log entry per write of a row (its fields packed), the
/// winning stamps packed in a column beside the row, no outbox table (a watermark), the search
/// index built after the merge.
fn compact(cs: &[C], with_search_after: bool) -> (f64, f64) {
    let c = open("/tmp/proto-compact.db", true);
    drop_search(&c);
    c.execute_batch("
        CREATE TABLE site (no INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE);
        CREATE TABLE log (arrival INTEGER PRIMARY KEY, site INTEGER NOT NULL, seq_first INTEGER NOT NULL,
            seq_last INTEGER NOT NULL, hlc INTEGER NOT NULL, actor INTEGER, bucket INTEGER NOT NULL,
            tbl INTEGER NOT NULL, row_id BLOB NOT NULL, cl INTEGER NOT NULL, fields BLOB NOT NULL, signature BLOB);
        CREATE UNIQUE INDEX log_site ON log (site, seq_first);
        CREATE INDEX log_row ON log (tbl, row_id);
        ALTER TABLE organization ADD COLUMN stamps BLOB;").unwrap();
    let t = Instant::now();
    c.execute("INSERT INTO site (no, id) VALUES (1, ?)", params![cs[0].site]).unwrap();
    for batch in cs.chunks(5000) {
        let tx = c.unchecked_transaction().unwrap();
        {
            let mut log = tx.prepare_cached("INSERT INTO log (site, seq_first, seq_last, hlc, actor, bucket, tbl, row_id, cl, fields) VALUES (1,?,?,?,NULL,1,1,?,1,?)").unwrap();
            let mut row = tx.prepare_cached("INSERT INTO organization (id, bucket, cl, name, country, region, themes, status, stamps) VALUES (?,'coalition',1,?,?,?,?,?,?)").unwrap();
            for r in batch.chunks(8) {
                let row_id = uuid::Uuid::parse_str(&r[0].row).unwrap();
                let mut fields = Vec::with_capacity(128);
                let mut stamps = Vec::with_capacity(64);
                for (i, ch) in r.iter().enumerate() {
                    fields.push(i as u8);
                    fields.extend((ch.value.len() as u16).to_le_bytes());
                    fields.extend(ch.value.as_bytes());
                    stamps.push(i as u8);
                    stamps.extend(ch.hlc.to_le_bytes());
                    stamps.push(1);
                    stamps.extend((ch.seq as u32).to_le_bytes());
                }
                log.execute(params![r[0].seq, r[7].seq, r[7].hlc, &row_id.as_bytes()[..], fields]).unwrap();
                row.execute(params![r[0].row, r[6].value, r[7].value, r[3].value, r[4].value, r[5].value, stamps]).unwrap();
            }
        }
        tx.commit().unwrap();
    }
    let merged = t.elapsed().as_secs_f64();
    let t = Instant::now();
    if with_search_after {
        c.execute_batch("BEGIN; INSERT INTO search_index (rowid, kind, id, target_kind, target_id, title, body)
            SELECT (1 << 40) | rowid, 'organization', id, 'organization', id, name, country || ' ' || region || ' ' || themes
            FROM organization WHERE cl % 2 = 1; COMMIT;").unwrap();
        let n: i64 = c.query_row("SELECT count(*) FROM search_index", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 12_500);
    }
    (merged, t.elapsed().as_secs_f64())
}

fn main() {
    let cs = changes();
    let n = cs.len() as f64;
    for run in 1..=3 {
        let p = plain(&cs, false);
        let pf = plain(&cs, true);
        let td = today(&cs);
        let (cp, idx) = compact(&cs, true);
        println!("run {run}: plain {:.0}/s, plain+fts {:.0}/s, today's format raw {:.0}/s ({:.2}x plain), compact {:.0}/s ({:.2}x plain), index after {:.3}s",
            n / p, n / pf, n / td, td / p, n / cp, cp / p, idx);
    }
}
