//! Rate limits, so a stolen token or a guessing script cannot wear the hub down: enrolment
//! attempts per address and across the hub (an invite or pairing code cannot be guessed in any
//! useful time), and sync requests per device and per address. A request over a limit is
//! answered 429 with the seconds to wait (`Retry-After`), before anything reads the database.
//!
//! Each limit is a token bucket: `burst` requests at once, refilled at `per_minute`. The limits
//! leave ordinary use untouched: a first sync pages through a large coalition quickly, and a
//! meeting's laptops share one address.

use crate::error::HubError;
use axum::extract::{ConnectInfo, State};
use axum::http::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub burst: u32,
    pub per_minute: u32,
}

#[derive(Debug, Clone)]
pub struct Limits {
    /// Enrolment (and pairing) attempts from one address.
    pub enrol_per_address: Rate,
    /// Enrolment attempts across the hub, whatever their address.
    pub enrol_per_hub: Rate,
    /// Pushes and pulls by one device (one token).
    pub sync_per_device: Rate,
    /// Pushes and pulls from one address (a meeting's laptops share one).
    pub sync_per_address: Rate,
    /// Loopback callers skip the address limits: a hub behind a reverse proxy on its own
    /// machine sees every device as 127.0.0.1, and must still serve them all (the device limits
    /// apply to everyone).
    pub exempt_loopback: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            enrol_per_address: Rate {
                burst: 10,
                per_minute: 2,
            },
            enrol_per_hub: Rate {
                burst: 200,
                per_minute: 100,
            },
            // A first sync of the whole coalition is over two thousand pages, asked for as
            // fast as the device merges them (about a hundred a second at the speed it aims
            // for): it must not run into this.
            sync_per_device: Rate {
                burst: 600,
                per_minute: 6_000,
            },
            sync_per_address: Rate {
                burst: 5_000,
                per_minute: 30_000,
            },
            exempt_loopback: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    EnrolAddress(IpAddr),
    EnrolHub,
    SyncDevice([u8; 16]),
    SyncAddress(IpAddr),
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before idle (full) ones are swept away, bounding the memory an address sweep
/// can take.
const MAX_BUCKETS: usize = 100_000;

pub struct Limiter {
    limits: Limits,
    buckets: Mutex<HashMap<Key, Bucket>>,
}

impl Limiter {
    pub fn new(limits: Limits) -> Limiter {
        Limiter {
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from the bucket; Err with the whole seconds to wait when it is empty.
    fn take(&self, key: Key, rate: Rate, now: Instant) -> Result<(), u64> {
        let per_second = f64::from(rate.per_minute.max(1)) / 60.0;
        let burst = f64::from(rate.burst.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_BUCKETS {
            buckets.retain(|_, b| {
                b.tokens + now.duration_since(b.at).as_secs_f64() * per_second < burst
            });
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled = bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * per_second;
        bucket.tokens = refilled.min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }

    /// The limits a request to `path` from `address` with `token` falls under.
    fn check(&self, path: &str, address: Option<IpAddr>, token: Option<&str>) -> Result<(), u64> {
        let now = Instant::now();
        let l = &self.limits;
        let address = address.filter(|a| !(l.exempt_loopback && a.is_loopback()));
        match path {
            "/v1/enrol" => {
                if let Some(a) = address {
                    self.take(Key::EnrolAddress(a), l.enrol_per_address, now)?;
                }
                self.take(Key::EnrolHub, l.enrol_per_hub, now)
            }
            "/v1/push" | "/v1/pull" => {
                if let Some(a) = address {
                    self.take(Key::SyncAddress(a), l.sync_per_address, now)?;
                }
                match token {
                    // Keyed by a digest of the token, never the token itself.
                    Some(t) => {
                        let digest = Sha256::digest(t.as_bytes());
                        let mut key = [0u8; 16];
                        key.copy_from_slice(&digest[..16]);
                        self.take(Key::SyncDevice(key), l.sync_per_device, now)
                    }
                    None => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }
}

/// The middleware: refuses a request over a limit before its handler runs.
pub async fn limit(
    State(limiter): State<Arc<Limiter>>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let address = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let token = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match limiter.check(request.uri().path(), address, token) {
        Ok(()) => next.run(request).await,
        Err(seconds) => HubError::RateLimited(seconds).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_allows_its_burst_then_says_how_long_to_wait() {
        let limiter = Limiter::new(Limits::default());
        let rate = Rate {
            burst: 3,
            per_minute: 6,
        };
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take(Key::EnrolHub, rate, t0), Ok(()));
        }
        assert_eq!(limiter.take(Key::EnrolHub, rate, t0), Err(10));
        // Ten seconds refill one request.
        let later = t0 + Duration::from_secs(10);
        assert_eq!(limiter.take(Key::EnrolHub, rate, later), Ok(()));
        assert!(limiter.take(Key::EnrolHub, rate, later).is_err());
    }

    #[test]
    fn loopback_skips_address_limits_but_not_device_limits() {
        let limiter = Limiter::new(Limits {
            sync_per_device: Rate {
                burst: 2,
                per_minute: 1,
            },
            sync_per_address: Rate {
                burst: 1,
                per_minute: 1,
            },
            ..Limits::default()
        });
        let local = Some(IpAddr::from([127, 0, 0, 1]));
        let remote = Some(IpAddr::from([192, 0, 2, 7]));
        assert!(limiter.check("/v1/pull", local, Some("a")).is_ok());
        assert!(limiter.check("/v1/pull", local, Some("a")).is_ok());
        assert!(
            limiter.check("/v1/pull", local, Some("a")).is_err(),
            "the device's own limit"
        );
        assert!(limiter.check("/v1/pull", remote, Some("b")).is_ok());
        assert!(
            limiter.check("/v1/pull", remote, Some("c")).is_err(),
            "the address's limit, across devices"
        );
    }
}
