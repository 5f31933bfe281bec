//! The hub's HTTP face: three routes, each a thin handler over [`HubDb`], behind rate limits.
//! Every request must name the protocol version and carry the device's clock; a push or pull
//! must also be signed by the device's key with a nonce never used before; bodies are bounded.

use crate::db::{Device, HubDb};
use crate::error::HubError;
use crate::limits::{Limiter, Limits};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use caucus_core::hlc::wall_ms;
use caucus_core::sync::protocol::*;
use std::sync::Arc;

/// Checks the version and clock headers of a request; returns the clock.
fn check_headers(headers: &HeaderMap) -> Result<u64, HubError> {
    let version = headers
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none");
    if version != PROTOCOL_VERSION.to_string() {
        return Err(HubError::VersionMismatch(
            version.chars().take(16).collect(),
            PROTOCOL_VERSION,
        ));
    }
    let device_ms: u64 = headers
        .get(CLOCK_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| HubError::Invalid(format!("the {CLOCK_HEADER} header is missing")))?;
    let skew = device_ms.abs_diff(wall_ms());
    if skew > MAX_CLOCK_SKEW_MS {
        return Err(HubError::ClockSkew((skew + 30_000) / 60_000));
    }
    Ok(device_ms)
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The device behind a request: checked headers, a bearer token that names a device that is
/// not revoked, that device's signature over this path, clock, nonce and body, and a nonce the
/// hub has not seen from it before. The signature is checked before the nonce is recorded, so
/// a forger cannot use up a device's nonces.
async fn authenticate(
    hub: &HubDb,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Device, HubError> {
    let clock = check_headers(headers)?;
    let token = header(headers, axum::http::header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(HubError::Unauthorized)?;
    let device = hub.device_by_token(token).await?;
    let nonce = header(headers, NONCE_HEADER)
        .filter(|n| is_nonce(n))
        .ok_or(HubError::BadSignature)?;
    let signature = header(headers, SIGNATURE_HEADER).ok_or(HubError::BadSignature)?;
    if !verify_request(&device.public_key, path, clock, nonce, body, signature) {
        return Err(HubError::BadSignature);
    }
    if !hub
        .remember_nonce(device.id, nonce, clock, wall_ms())
        .await?
    {
        return Err(HubError::Replayed);
    }
    Ok(device)
}

/// A request's body, at most [`MAX_BODY_BYTES`]: a larger one is refused in the protocol's
/// error shape (413, `payload_too_large`), as every other refusal is, not as axum's plain text.
struct Body(axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Body {
    type Rejection = HubError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, HubError> {
        match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(Body(bytes)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(HubError::PayloadTooLarge(format!(
                    "at most {} MiB per request",
                    MAX_BODY_BYTES >> 20
                )))
            }
            Err(e) => Err(HubError::Invalid(format!(
                "the request's body could not be read: {e}"
            ))),
        }
    }
}

/// Decodes a JSON body into a protocol type, refusing what it does not know.
fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, HubError> {
    serde_json::from_slice(body)
        .map_err(|e| HubError::Invalid(format!("the request is malformed: {e}")))
}

async fn enrol(
    State(hub): State<Arc<HubDb>>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<EnrolReply>, HubError> {
    check_headers(&headers)?;
    let request: EnrolRequest = decode(&body)?;
    Ok(Json(hub.enrol(&request, wall_ms()).await?))
}

async fn push(
    State(hub): State<Arc<HubDb>>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Json<PushReply>, HubError> {
    let device = authenticate(&hub, "/v1/push", &headers, &body).await?;
    let request: PushRequest = decode(&body)?;
    if request.changes.len() > MAX_PUSH_CHANGES {
        return Err(HubError::PayloadTooLarge(format!(
            "{} changes; at most {MAX_PUSH_CHANGES} per request",
            request.changes.len()
        )));
    }
    if request.guest_passes.len() > MAX_PUSH_CHANGES {
        return Err(HubError::PayloadTooLarge(format!(
            "{} guest passes; at most {MAX_PUSH_CHANGES} per request",
            request.guest_passes.len()
        )));
    }
    Ok(Json(
        hub.push_with(&device, &request.changes, &request.guest_passes, wall_ms())
            .await?,
    ))
}

async fn pull(
    State(hub): State<Arc<HubDb>>,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<impl IntoResponse, HubError> {
    let device = authenticate(&hub, "/v1/pull", &headers, &body).await?;
    let request: PullRequest = decode(&body)?;
    if request.cursors.len() > 100_000 {
        return Err(HubError::PayloadTooLarge("too many buckets".into()));
    }
    // A `PullReply`, its changes written as the hub stored them.
    let json = hub
        .page(&device, &request)
        .await?
        .to_json()
        .map_err(|e| HubError::Invalid(format!("a page could not be written: {e}")))?;
    Ok((
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json,
    ))
}

/// The hub's routes, for `caucus-hub serve` and for a meeting host inside the app, behind the
/// rate limits (see [`crate::limits`]).
pub fn router(hub: Arc<HubDb>, limits: Limits) -> Router {
    Router::new()
        .route("/v1/enrol", post(enrol))
        .route("/v1/push", post(push))
        .route("/v1/pull", post(pull))
        .route("/v1/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(Limiter::new(limits)),
            crate::limits::limit,
        ))
        .with_state(hub)
}

/// Serves the hub on `listener` with the default limits until `shutdown` resolves.
pub async fn serve(
    hub: Arc<HubDb>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(hub, listener, Limits::default(), shutdown).await
}

/// Serves the hub with the given limits. Each request carries its peer's address, for the
/// limits per address.
pub async fn serve_with(
    hub: Arc<HubDb>,
    listener: tokio::net::TcpListener,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(hub, limits).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
