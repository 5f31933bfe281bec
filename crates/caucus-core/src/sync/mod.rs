//! Sync: how changes travel between replicas.
//!
//! - [`protocol`]: the wire types between a device and a hub (or a meeting host).
//! - [`client`]: the device side: push the outbox, pull each bucket (a snapshot first), the
//!   status the sync panel shows.
//! - [`authority`]: the hub's check of every pushed change against the pusher's role.
//! - [`bundle`]: the signed, compressed file that carries changes by USB stick.
//! - [`meeting`]: hosting and joining a meeting on the local network.
//!
//! Transports are not here: core has no HTTP. A front end hands [`Caucus`](crate::Caucus) a
//! [`Transport`] (caucus-hub's HTTP client) with [`Caucus::set_transport`](crate::Caucus::set_transport).

pub mod authority;
pub mod bundle;
pub mod client;
pub mod meeting;
pub mod protocol;
pub mod robustness;

use crate::error::Result;
use protocol::*;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How a device reaches a hub. Errors are [`crate::CoreError::Sync`] with a [`SyncFailure`].
pub trait Transport: Send + Sync {
    fn enrol<'a>(
        &'a self,
        url: &'a str,
        request: &'a EnrolRequest,
    ) -> BoxFuture<'a, Result<EnrolReply>>;
    fn push<'a>(
        &'a self,
        url: &'a str,
        device: &'a DeviceCredentials,
        request: &'a PushRequest,
    ) -> BoxFuture<'a, Result<PushReply>>;
    fn pull<'a>(
        &'a self,
        url: &'a str,
        device: &'a DeviceCredentials,
        request: &'a PullRequest,
    ) -> BoxFuture<'a, Result<PullReply>>;
}

/// Why a sync failed, as the UI tells the person (each has a translated message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncFailure {
    /// No hub is set up on this device.
    NotConnected,
    /// The hub could not be reached (no network, wrong address, hub down).
    Unreachable,
    /// The hub speaks another protocol version: one of the two needs updating.
    VersionMismatch,
    /// This device's clock is more than five minutes off the hub's.
    ClockSkew,
    /// A request was larger than the hub accepts.
    PayloadTooLarge,
    /// This device was removed from the coalition's hub.
    Revoked,
    /// The hub does not know this device's token.
    Unauthorized,
    /// The invite code is wrong, used or expired.
    InvalidInvite,
    /// The hub asks to slow down.
    RateLimited,
    /// The hub failed; the message says what it could.
    Hub,
    /// A bundle file is damaged, truncated or altered.
    BundleDamaged,
    /// A bundle file comes from another coalition's hub.
    BundleForeign,
}

impl SyncFailure {
    pub fn code(self) -> &'static str {
        match self {
            SyncFailure::NotConnected => "sync_not_connected",
            SyncFailure::Unreachable => "sync_unreachable",
            SyncFailure::VersionMismatch => "sync_version_mismatch",
            SyncFailure::ClockSkew => "sync_clock_skew",
            SyncFailure::PayloadTooLarge => "sync_payload_too_large",
            SyncFailure::Revoked => "sync_revoked",
            SyncFailure::Unauthorized => "sync_unauthorized",
            SyncFailure::InvalidInvite => "sync_invalid_invite",
            SyncFailure::RateLimited => "sync_rate_limited",
            SyncFailure::Hub => "sync_hub",
            SyncFailure::BundleDamaged => "sync_bundle_damaged",
            SyncFailure::BundleForeign => "sync_bundle_foreign",
        }
    }

    /// The failure a hub's error code stands for.
    pub fn from_wire(code: WireErrorCode) -> Self {
        match code {
            WireErrorCode::VersionMismatch => SyncFailure::VersionMismatch,
            WireErrorCode::ClockSkew => SyncFailure::ClockSkew,
            WireErrorCode::PayloadTooLarge => SyncFailure::PayloadTooLarge,
            WireErrorCode::Unauthorized => SyncFailure::Unauthorized,
            WireErrorCode::Revoked => SyncFailure::Revoked,
            WireErrorCode::InvalidInvite => SyncFailure::InvalidInvite,
            WireErrorCode::RateLimited => SyncFailure::RateLimited,
            WireErrorCode::Invalid | WireErrorCode::Internal => SyncFailure::Hub,
        }
    }
}
