//! The real bridge, started as a newcomer's tooling finds it, and what the sweep reads of its
//! database file between calls.

use serde_json::Value;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::Row;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a call may take before the sweep calls it a hang.
pub const HANG: Duration = Duration::from_secs(30);

pub struct Bridge {
    child: Child,
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a call answered.
pub enum Outcome {
    Answered {
        status: u16,
        body: Value,
        took: Duration,
    },
    /// No answer in [`HANG`], or the connection broke (the bridge died).
    Broken(String),
}

impl Bridge {
    /// Starts `caucus-bridge` on a demo replica in `folder` (its working folder too, so
    /// anything written to a relative path lands there).
    pub fn start(folder: &Path, db: &Path) -> Bridge {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caucus-bridge"))
            .args(["--demo", "--db"])
            .arg(db)
            .current_dir(folder)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the bridge starts");
        let stdout = child.stdout.take().expect("the bridge's output");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the bridge says where it listens");
        let mut words = line.split_whitespace();
        assert_eq!(words.next(), Some("CAUCUS_BRIDGE"), "bridge said {line:?}");
        let base = words.next().expect("an address").to_string();
        let token = words.next().expect("a token").to_string();
        let http = reqwest::Client::builder()
            .timeout(HANG)
            .no_proxy()
            .build()
            .expect("an HTTP client");
        Bridge {
            child,
            base,
            token,
            http,
        }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn address(&self) -> &str {
        &self.base
    }

    /// Calls `command` with `body` as the request's raw text.
    pub async fn call(&self, command: &str, body: String) -> Outcome {
        let started = Instant::now();
        let sent = self
            .http
            .post(format!("{}/api/{command}", self.base))
            .bearer_auth(&self.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let reply = match sent {
            Ok(reply) => reply,
            Err(e) => return Outcome::Broken(format!("no answer: {e}")),
        };
        let status = reply.status().as_u16();
        let text = match reply.text().await {
            Ok(text) => text,
            Err(e) => return Outcome::Broken(format!("the answer broke off: {e}")),
        };
        match serde_json::from_str(&text) {
            Ok(body) => Outcome::Answered {
                status,
                body,
                took: started.elapsed(),
            },
            Err(_) => Outcome::Broken(format!(
                "{status}, not JSON: {}",
                text.chars().take(200).collect::<String>()
            )),
        }
    }

    /// Calls `command` with `input`, for the sweep's own setup: it must succeed.
    pub async fn must(&self, command: &str, input: Value) -> Value {
        match self.call(command, input.to_string()).await {
            Outcome::Answered {
                status: 200, body, ..
            } => body,
            Outcome::Answered { status, body, .. } => {
                panic!("{command} {input} answered {status} {body}")
            }
            Outcome::Broken(e) => panic!("{command} {input}: {e}"),
        }
    }
}

/// What the database holds, as the sweep compares it around a refused call: the rows of
/// every table (the change log only grows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(Vec<(String, i64)>);

impl Fingerprint {
    pub fn change_log(&self) -> i64 {
        self.0
            .iter()
            .find(|(t, _)| t == "change_log")
            .map_or(0, |(_, n)| *n)
    }

    /// The tables that differ from `other`'s, for a failure's message.
    pub fn differences(&self, other: &Fingerprint) -> String {
        self.0
            .iter()
            .zip(&other.0)
            .filter(|(a, b)| a != b)
            .map(|((t, a), (_, b))| format!("{t}: {a} → {b}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A read-only look at the bridge's database file.
pub struct Look {
    pool: SqlitePool,
    tables: Vec<String>,
}

impl Look {
    pub async fn open(db: &Path) -> Look {
        let options = SqliteConnectOptions::new().filename(db).read_only(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .expect("the database opens read-only");
        let tables = sqlx::query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        )
        .fetch_all(&pool)
        .await
        .expect("the tables")
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
        Look { pool, tables }
    }

    pub async fn fingerprint(&self) -> Fingerprint {
        // One statement, one snapshot of every table.
        let counts = self
            .tables
            .iter()
            .map(|t| format!("(SELECT count(*) FROM \"{t}\")"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = sqlx::query(&format!("SELECT {counts}"))
            .fetch_one(&self.pool)
            .await
            .expect("the counts");
        Fingerprint(
            self.tables
                .iter()
                .enumerate()
                .map(|(i, t)| (t.clone(), row.get::<i64, _>(i)))
                .collect(),
        )
    }
}
