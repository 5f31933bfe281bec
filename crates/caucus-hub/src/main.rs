//! `caucus-hub`: the coalition's sync hub.
//!
//! ```text
//! caucus-hub serve   --db URL [--bind 127.0.0.1:7878]
//! caucus-hub invite  --db URL --person UUID [--expires 10m]
//! caucus-hub revoke  --db URL --device UUID
//! caucus-hub devices --db URL
//! caucus-hub adopt   --db URL --key FILE [--expires 1d]
//! ```
//! `adopt` makes a new hub the hub of a coalition started on a laptop (the key file its Sync
//! screen saves), and prints an invite for the person who started it.
//! `URL` is a SQLite file path or a `postgres://` URL. `serve` prints
//! `CAUCUS_HUB http://ADDR HUB_ID` once it listens.

use caucus_hub::{HubDb, Policy};
use std::sync::Arc;
use uuid::Uuid;

const USAGE: &str = "usage:
  caucus-hub serve   --db URL [--bind 127.0.0.1:7878]
  caucus-hub invite  --db URL --person UUID [--expires 10m]
  caucus-hub revoke  --db URL --device UUID
  caucus-hub devices --db URL
  caucus-hub adopt   --db URL --key FILE [--expires 1d]
URL is a SQLite file path or a postgres:// URL.";

/// `10m`, `2h`, `7d`, `30s`.
fn duration_ms(text: &str) -> Result<u64, String> {
    let (n, unit) = text.split_at(text.len().saturating_sub(1));
    let n: u64 = n
        .parse()
        .map_err(|_| format!("not a duration: {text} (try 10m, 2h or 7d)"))?;
    let unit = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("not a duration: {text} (try 10m, 2h or 7d)")),
    };
    Ok(n.saturating_mul(unit))
}

struct Args {
    command: String,
    flags: std::collections::HashMap<String, String>,
}

fn args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let command = it.next().ok_or(USAGE)?;
    let mut flags = std::collections::HashMap::new();
    while let Some(flag) = it.next() {
        let name = flag
            .strip_prefix("--")
            .ok_or_else(|| format!("unexpected {flag}\n{USAGE}"))?;
        let value = it.next().ok_or_else(|| format!("--{name} needs a value"))?;
        flags.insert(name.to_string(), value);
    }
    Ok(Args { command, flags })
}

async fn run() -> Result<(), String> {
    let a = args()?;
    let flag = |name: &str| {
        a.flags
            .get(name)
            .cloned()
            .ok_or_else(|| format!("--{name} is required\n{USAGE}"))
    };
    let uuid = |name: &str| -> Result<Uuid, String> {
        Uuid::parse_str(&flag(name)?).map_err(|_| format!("--{name} must be an id (a UUID)"))
    };
    let db_url = flag("db")?;
    let hub = HubDb::open(&db_url, Policy::Authorize)
        .await
        .map_err(|e| format!("cannot open the hub database: {e}"))?;
    let now = caucus_core::hlc::wall_ms();
    match a.command.as_str() {
        "serve" => {
            let bind = a
                .flags
                .get("bind")
                .cloned()
                .unwrap_or_else(|| "127.0.0.1:7878".into());
            let listener = tokio::net::TcpListener::bind(&bind)
                .await
                .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            println!("CAUCUS_HUB http://{addr} {}", hub.hub_id());
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            caucus_hub::server::serve(Arc::new(hub), listener, shutdown)
                .await
                .map_err(|e| e.to_string())
        }
        "invite" => {
            let person = uuid("person")?;
            let ttl = duration_ms(a.flags.get("expires").map_or("10m", String::as_str))?;
            let code = hub
                .create_invite(Some(person), ttl, false, now)
                .await
                .map_err(|e| e.to_string())?;
            println!("{code}");
            Ok(())
        }
        "revoke" => {
            let device = uuid("device")?;
            if hub.revoke(device, now).await.map_err(|e| e.to_string())? {
                println!("revoked {device}");
                Ok(())
            } else {
                Err(format!("no active device {device}"))
            }
        }
        "devices" => {
            for d in hub.devices().await.map_err(|e| e.to_string())? {
                println!(
                    "{}\t{}\t{}\t{}",
                    d.id,
                    d.person_id,
                    d.name,
                    if d.revoked_ms.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
            Ok(())
        }
        "adopt" => {
            let path = flag("key")?;
            let file = std::fs::read(&path)
                .map_err(|e| format!("cannot read the key file {path}: {e}"))?;
            let founder = hub.adopt(&file).await.map_err(|e| e.to_string())?;
            hub.close().await;
            // Opened again: the hub's id and key are read once, at open.
            let hub = HubDb::open(&db_url, Policy::Authorize)
                .await
                .map_err(|e| format!("cannot open the hub database: {e}"))?;
            let ttl = duration_ms(a.flags.get("expires").map_or("1d", String::as_str))?;
            let code = hub
                .create_invite(Some(founder), ttl, false, now)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "hub {} of the coalition; invite for its founder: {code}",
                hub.hub_id()
            );
            Ok(())
        }
        other => Err(format!("unknown command {other}\n{USAGE}")),
    }
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = run().await {
        eprintln!("caucus-hub: {e}");
        std::process::exit(2);
    }
}
