//! `caucus-bridge`: serves the command API over HTTP on loopback, with the built UI, so the UI
//! can run in an ordinary browser (browser tests, browser development).
//!
//! It binds 127.0.0.1 only and refuses any request without the random token it prints at
//! start. The desktop app never starts it.
//!
//! `GET /api/events` streams the replica's [events](caucus_core::events) as server-sent
//! events, one JSON object per `data:` line, so the screens reload what changed as the desktop
//! shell's do (it gives them as Tauri events).
//!
//! Usage: `caucus-bridge --db PATH [--demo] [--port N] [--ui DIR]`
//! Prints one line when ready: `CAUCUS_BRIDGE http://127.0.0.1:PORT TOKEN`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use caucus_core::api::dispatch;
use caucus_core::error::ErrorCode;
use caucus_core::events::Event;
use caucus_core::{ApiError, Caucus};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tokio::sync::broadcast::error::RecvError;
use tower_http::services::ServeDir;

struct Bridge {
    caucus: Arc<Caucus>,
    token: String,
}

/// Command-line options.
struct Options {
    db: std::path::PathBuf,
    demo: bool,
    port: u16,
    ui: Option<std::path::PathBuf>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut o = Options {
        db: std::path::PathBuf::new(),
        demo: false,
        port: 0,
        ui: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--db" => o.db = args.next().ok_or("--db needs a path")?.into(),
            "--demo" => o.demo = true,
            "--port" => {
                o.port = args
                    .next()
                    .and_then(|p| p.parse().ok())
                    .ok_or("--port needs a number")?
            }
            "--ui" => o.ui = Some(args.next().ok_or("--ui needs a folder")?.into()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if o.db.as_os_str().is_empty() {
        return Err("usage: caucus-bridge --db PATH [--demo] [--port N] [--ui DIR]".into());
    }
    Ok(o)
}

/// The status of a refusal: the core's one table ([`ErrorCode::http_status`]).
fn error_status(e: &ApiError) -> StatusCode {
    StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// The refusal of a request without the bridge's token, or `None` when it carries it.
fn refuse_unauthorized(bridge: &Bridge, headers: &HeaderMap) -> Option<Response> {
    // One Authorization header only: with two, a proxy and the bridge could read different
    // ones. Its value is compared exactly (HTTP drops whitespace around a value, RFC 9110).
    let mut given = headers.get_all("authorization").iter();
    let authorized = given
        .next()
        .filter(|_| given.next().is_none())
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| constant_time_eq(t.as_bytes(), bridge.token.as_bytes()));
    if authorized {
        return None;
    }
    let e = ApiError {
        code: ErrorCode::Unauthorized,
        message: "missing or wrong bridge token".into(),
        field: None,
    };
    Some((error_status(&e), Json(e)).into_response())
}

/// `GET /api/events`: the replica's events as they happen. A listener that falls behind is
/// told everything changed ([`Event::everything`]) rather than dropped.
async fn events(State(bridge): State<Arc<Bridge>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = refuse_unauthorized(&bridge, &headers) {
        return refusal;
    }
    let receiver = bridge.caucus.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(event) => event,
            Err(RecvError::Lagged(_)) => Event::everything(),
            Err(RecvError::Closed) => return None,
        };
        let sse = SseEvent::default().json_data(&event);
        Some((sse, receiver))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `POST /api/{command}` with the JSON arguments as body.
async fn command(
    State(bridge): State<Arc<Bridge>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    if let Some(refusal) = refuse_unauthorized(&bridge, &headers) {
        return refusal;
    }
    // Every refusal in the API's shape, the body's size included.
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            let too_large = rejection.status() == StatusCode::PAYLOAD_TOO_LARGE;
            let e = ApiError {
                code: ErrorCode::Invalid,
                message: if too_large {
                    format!(
                        "the request is larger than {} MiB: import a file this large by its path",
                        MAX_BODY >> 20
                    )
                } else {
                    format!("the request's body could not be read: {rejection}")
                },
                field: Some("input".into()),
            };
            let status = if too_large {
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                error_status(&e)
            };
            return (status, Json(e)).into_response();
        }
    };
    let input: serde_json::Value = if body.is_empty() {
        serde_json::json!({})
    } else {
        match caucus_core::api::json::arguments(&body) {
            Ok(v) => v,
            Err(e) => return (error_status(&e), Json(e)).into_response(),
        }
    };
    match dispatch(&bridge.caucus, &name, input).await {
        Ok(v) => Json(v).into_response(),
        Err(e) => (error_status(&e), Json(e)).into_response(),
    }
}

/// The largest request the bridge reads.
const MAX_BODY: usize = 256 * 1024 * 1024;

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("caucus-bridge: {e}");
            std::process::exit(2);
        }
    };
    let mut options = caucus_device::Options::new(o.db.clone());
    options.demo = o.demo;
    options.report = Some(Arc::new(caucus_report::TypstReports::new()));
    let device = match caucus_device::Device::open(&options, None).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("caucus-bridge: cannot open {}: {e}", o.db.display());
            std::process::exit(1);
        }
    };
    let caucus = device.caucus().clone();
    let token = uuid::Uuid::new_v4().simple().to_string();
    let bridge = Arc::new(Bridge { caucus, token });
    let mut app = Router::new()
        .route("/api/events", get(events))
        .route("/api/{command}", post(command))
        // Large enough for a bundle handed over by the file picker (as base64).
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(bridge.clone());
    if let Some(ui) = o.ui {
        app = app.fallback_service(ServeDir::new(ui));
    }
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, o.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("caucus-bridge: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let local = listener.local_addr().unwrap_or(addr);
    println!("CAUCUS_BRIDGE http://{local} {}", bridge.token);
    if let Err(e) = axum::serve(listener, app).await {
        eprintln!("caucus-bridge: {e}");
        std::process::exit(1);
    }
}
