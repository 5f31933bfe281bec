//! Shared pieces of the hub tests: a hub on loopback (in this process, or as a separate
//! `caucus-hub` process), a PostgreSQL cluster of the test's own, devices, and a dump of a
//! replica's records to compare replicas by.
#![allow(dead_code)]

use caucus_core::api::*;
use caucus_core::schema::TABLES;
use caucus_core::Caucus;
use caucus_hub::client::HttpTransport;
use caucus_hub::{HubDb, Policy};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use uuid::Uuid;

/// A hub serving on a loopback port inside the test process.
pub struct Hub {
    pub url: String,
    pub db: Arc<HubDb>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Hub {
    pub async fn start(db_url: &str, policy: Policy) -> Hub {
        let db = Arc::new(
            HubDb::open(db_url, policy)
                .await
                .expect("the hub database opens"),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = db.clone();
        let task = tokio::spawn(async move {
            let _ = caucus_hub::server::serve(served, listener, async {
                let _ = stopped.await;
            })
            .await;
        });
        Hub {
            url,
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// An invite for `person`, as `caucus-hub invite` makes one.
    pub async fn invite(&self, person: Uuid) -> String {
        self.db
            .create_invite(
                Some(person),
                10 * 60_000,
                false,
                caucus_core::hlc::wall_ms(),
            )
            .await
            .expect("invite")
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.db.close().await;
    }
}

/// A `caucus-hub serve` process.
pub struct HubProcess {
    pub url: String,
    child: Child,
}

impl HubProcess {
    pub fn start(db_url: &str) -> HubProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caucus-hub"))
            .args(["serve", "--db", db_url, "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("caucus-hub starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line)
            .expect("ready line");
        let url = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_else(|| panic!("caucus-hub printed {line:?} instead of its address"))
            .to_string();
        HubProcess { url, child }
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PostgreSQL 15 cluster in a temp folder, on a free loopback port, stopped on drop.
pub struct Postgres {
    pub url: String,
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

fn as_postgres(bin: &Path, tool: &str, args: &[&str]) -> std::process::Output {
    let root = std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false);
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    };
    cmd.args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} did not run: {e}"))
}

impl Postgres {
    pub fn start() -> Postgres {
        let bin = PathBuf::from("/usr/lib/postgresql/15/bin");
        assert!(
            bin.join("initdb").exists(),
            "PostgreSQL 15 is missing: run scripts/bootstrap"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("data");
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let data_s = data.to_string_lossy().to_string();
        let out = as_postgres(
            &bin,
            "initdb",
            &[
                "-D",
                &data_s,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            dir.path().display()
        );
        let log = dir.path().join("log").to_string_lossy().to_string();
        let out = as_postgres(
            &bin,
            "pg_ctl",
            &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        );
        assert!(
            out.status.success(),
            "pg_ctl start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            bin,
            port,
        }
    }

    /// A fresh database in the cluster, for one hub.
    pub fn database(&self, name: &str) -> String {
        let port = self.port.to_string();
        let out = as_postgres(
            &self.bin,
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
        );
        assert!(
            out.status.success(),
            "createdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data").to_string_lossy().to_string();
        let _ = as_postgres(
            &self.bin,
            "pg_ctl",
            &["-D", &data, "-m", "immediate", "stop"],
        );
    }
}

/// A device: a replica in its own file, with the HTTP transport.
pub async fn device(dir: &Path, name: &str) -> Caucus {
    let caucus = Caucus::open(&dir.join(format!("{name}.db")))
        .await
        .expect("replica opens");
    caucus.set_transport(Arc::new(HttpTransport::default()));
    caucus
}

/// A device holding the demo coalition, and its secretariat admin (the person it acts as).
pub async fn demo_device(dir: &Path, name: &str) -> (Caucus, Uuid) {
    let d = device(dir, name).await;
    d.load_demo_data(NoInput {}).await.expect("demo");
    let admin = d
        .get_session(NoInput {})
        .await
        .expect("session")
        .acting_person
        .expect("the demo acts as its admin")
        .id;
    (d, admin)
}

/// Calls a command by name, as the front ends do, failing the test with its error.
pub async fn call(device: &Caucus, command: &str, input: serde_json::Value) -> serde_json::Value {
    dispatch(device, command, input.clone())
        .await
        .unwrap_or_else(|e| panic!("{command}({input}) failed: {e}"))
}

/// The `id` of a record returned by a command.
pub fn id(v: &serde_json::Value) -> Uuid {
    Uuid::parse_str(v["id"].as_str().expect("an id")).expect("a uuid")
}

pub async fn connect(device: &Caucus, hub_url: &str, code: String, name: &str) -> SyncStatus {
    device
        .connect_hub(ConnectHub {
            url: hub_url.to_string(),
            invite_code: code,
            device_name: name.to_string(),
        })
        .await
        .unwrap_or_else(|e| panic!("{name} connects: {e}"))
}

pub async fn sync(device: &Caucus) -> SyncStatus {
    device.sync_now(NoInput {}).await.expect("sync succeeds")
}

/// Every record of a replica, as JSON text per table, sorted by id: equal dumps mean equal
/// replicas as people see them.
pub async fn dump(device: &Caucus) -> BTreeMap<&'static str, Vec<String>> {
    dump_buckets(device, None).await
}

/// The buckets a replica holds records of.
pub async fn buckets(device: &Caucus) -> Vec<String> {
    sqlx::query_scalar("SELECT DISTINCT bucket FROM change_log ORDER BY bucket")
        .fetch_all(device.store().pool())
        .await
        .expect("buckets")
}

/// [`dump`], limited to some buckets (a member's replica holds only its groups').
pub async fn dump_buckets(
    device: &Caucus,
    only: Option<&[String]>,
) -> BTreeMap<&'static str, Vec<String>> {
    let mut out = BTreeMap::new();
    let filter = only
        .map(|b| serde_json::to_string(b).expect("json"))
        .unwrap_or_else(|| "null".into());
    for t in TABLES {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {} FROM {} WHERE ?1 = 'null' OR bucket IN (SELECT value FROM json_each(?1))
             ORDER BY id",
            t.json_select(),
            t.name
        ))
        .bind(&filter)
        .fetch_all(device.store().pool())
        .await
        .expect("dump");
        out.insert(t.name, rows);
    }
    out
}
