//! What the hub's tests and `make bench` run hubs on: a throwaway PostgreSQL 15 cluster (a
//! temp folder, a free loopback port, stopped and deleted when dropped) and `caucus-hub serve`
//! processes on loopback.
//!
//! initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user (the
//! Debian package creates it) on a folder given to that user.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A `caucus-hub serve` process on a free loopback port, killed when dropped.
pub struct HubProcess {
    pub url: String,
    child: Child,
}

impl HubProcess {
    /// Starts `bin serve --db db_url` and waits for the line that gives its address.
    pub fn start(bin: &Path, db_url: &str) -> Result<HubProcess, String> {
        let mut child = Command::new(bin)
            .args(["serve", "--db", db_url, "--bind", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("{} did not start: {e}", bin.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut line);
        }
        match line.split_whitespace().nth(1) {
            Some(url) if line.starts_with("CAUCUS_HUB ") => Ok(HubProcess {
                url: url.to_string(),
                child,
            }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!(
                    "caucus-hub printed {line:?} instead of its address"
                ))
            }
        }
    }

    /// The process id, to read its memory or signal it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A PostgreSQL 15 cluster of its own.
pub struct Postgres {
    pub url: String,
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
}

fn is_root() -> bool {
    std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout == b"0\n")
            .unwrap_or(false)
}

/// Runs one of PostgreSQL's tools (as `postgres` when we are root); Err with its stderr.
fn as_postgres(bin: &Path, tool: &str, args: &[&str]) -> Result<(), String> {
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(tool));
        c
    } else {
        Command::new(bin.join(tool))
    };
    let out = cmd
        .args(args)
        .output()
        .map_err(|e| format!("{tool} did not run: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{tool} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

impl Postgres {
    /// Creates and starts the cluster (about a second). fsync is off: the cluster is thrown
    /// away, and what is measured over it is the hub, not the disk.
    pub fn start() -> Result<Postgres, String> {
        let bin = PathBuf::from("/usr/lib/postgresql/15/bin");
        if !bin.join("initdb").exists() {
            return Err("PostgreSQL 15 is missing: run scripts/bootstrap".into());
        }
        let dir = tempfile::tempdir().map_err(|e| format!("no temp folder for PostgreSQL: {e}"))?;
        let data = dir.path().join("data");
        if is_root() {
            let _ = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status();
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .map_err(|e| format!("no free loopback port: {e}"))?;
        let data_s = data.to_string_lossy().to_string();
        as_postgres(
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
        )?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            dir.path().display()
        );
        let log = dir.path().join("log").to_string_lossy().to_string();
        as_postgres(
            &bin,
            "pg_ctl",
            &["-D", &data_s, "-o", &opts, "-l", &log, "-w", "start"],
        )?;
        Ok(Postgres {
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            dir,
            bin,
            port,
        })
    }

    /// A fresh database in the cluster, for one hub: its URL.
    pub fn database(&self, name: &str) -> Result<String, String> {
        let port = self.port.to_string();
        as_postgres(
            &self.bin,
            "createdb",
            &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
        )?;
        Ok(format!(
            "postgres://postgres@127.0.0.1:{}/{name}",
            self.port
        ))
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
