//! The device's HTTP transport to a hub (or a meeting host): [`caucus_core::sync::Transport`]
//! over reqwest. Failures become [`CoreError::Sync`] with a code the UI explains.

use caucus_core::error::{CoreError, Result};
use caucus_core::sync::protocol::*;
use caucus_core::sync::{BoxFuture, SyncFailure, Transport};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

pub struct HttpTransport {
    http: reqwest::Client,
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(120))
                .build()
                .unwrap_or_default(),
        }
    }
}

impl HttpTransport {
    async fn call<Q: Serialize + Sync, A: DeserializeOwned + Send + 'static>(
        &self,
        url: &str,
        path: &str,
        device: Option<&DeviceCredentials>,
        request: &Q,
    ) -> Result<A> {
        let body = serde_json::to_vec(request).map_err(|e| {
            CoreError::sync(
                SyncFailure::Hub,
                format!("a request could not be written: {e}"),
            )
        })?;
        let mut waited = Duration::ZERO;
        let response = loop {
            // Signed afresh on every attempt: a signature carries a nonce the hub takes once.
            let mut builder = self
                .http
                .post(format!("{url}{path}"))
                .header(reqwest::header::CONTENT_TYPE, "application/json");
            for (name, value) in request_headers(device, path, &body) {
                builder = builder.header(name, value);
            }
            let response = builder.body(body.clone()).send().await.map_err(|e| {
                CoreError::sync(
                    SyncFailure::Unreachable,
                    format!(
                        "the hub at {url} could not be reached ({}); check the network and the address",
                        short(&e)
                    ),
                )
            })?;
            // A device over its rate waits as the hub says and asks again, so a long first
            // sync slows down rather than fails; enrolment is never retried (its limit is there
            // against guessing).
            match retry_after(&response) {
                Some(wait) if device.is_some() && waited + wait <= MAX_RATE_WAIT => {
                    waited += wait;
                    tokio::time::sleep(wait).await;
                }
                _ => break response,
            }
        };
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| {
            CoreError::sync(
                SyncFailure::Unreachable,
                format!("the hub stopped answering: {}", short(&e)),
            )
        })?;
        if status.is_success() {
            let apart = bytes.len() > DECODE_APART_BYTES;
            let decode = move || serde_json::from_slice::<A>(&bytes);
            // A page of a first sync is a megabyte of JSON: decoded on a blocking thread, it
            // overlaps the merge of the page before (the exchange merges a page while it fetches
            // the next) instead of waiting for it.
            let decoded = if apart {
                tokio::task::spawn_blocking(decode).await.ok()
            } else {
                Some(decode())
            };
            return decoded.and_then(|d| d.ok()).ok_or_else(|| {
                CoreError::sync(SyncFailure::Hub, "the hub's answer was not understood")
            });
        }
        Err(match serde_json::from_slice::<WireError>(&bytes) {
            Ok(e) => CoreError::sync(SyncFailure::from(e.code), e.message),
            Err(_) if status == reqwest::StatusCode::PAYLOAD_TOO_LARGE => CoreError::sync(
                SyncFailure::PayloadTooLarge,
                "a request was larger than the hub accepts",
            ),
            Err(_) => CoreError::sync(SyncFailure::Hub, format!("the hub answered {status}")),
        })
    }
}

/// How long one request waits in all for a hub that says it is asked too often.
const MAX_RATE_WAIT: Duration = Duration::from_secs(60);

/// The wait a 429 answer asks for (`Retry-After`, in seconds), if it is one.
fn retry_after(response: &reqwest::Response) -> Option<Duration> {
    if response.status() != reqwest::StatusCode::TOO_MANY_REQUESTS {
        return None;
    }
    let seconds = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(1);
    Some(Duration::from_secs(seconds.clamp(1, 30)))
}

/// Answers larger than this are decoded on a blocking thread.
const DECODE_APART_BYTES: usize = 64 << 10;

fn short(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "connection refused".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else {
        e.to_string().chars().take(200).collect()
    }
}

impl Transport for HttpTransport {
    fn enrol<'a>(
        &'a self,
        url: &'a str,
        request: &'a EnrolRequest,
    ) -> BoxFuture<'a, Result<EnrolReply>> {
        Box::pin(self.call(url, "/v1/enrol", None, request))
    }

    fn push<'a>(
        &'a self,
        url: &'a str,
        device: &'a DeviceCredentials,
        request: &'a PushRequest,
    ) -> BoxFuture<'a, Result<PushReply>> {
        Box::pin(self.call(url, "/v1/push", Some(device), request))
    }

    fn pull<'a>(
        &'a self,
        url: &'a str,
        device: &'a DeviceCredentials,
        request: &'a PullRequest,
    ) -> BoxFuture<'a, Result<PullReply>> {
        Box::pin(self.call(url, "/v1/pull", Some(device), request))
    }
}
