//! Sync: how changes travel between replicas.
//!
//! - [`protocol`]: the wire types between a device and a hub (or a meeting host).
//! - [`exchange`]: one exchange with a hub or a meeting host: push the outbox, pull each
//!   bucket (a snapshot first).
//! - [`authority`]: the hub's check of every pushed change against the pusher's role.
//! - [`bundle`]: the signed, compressed file that carries changes by USB stick.
//! - [`meeting`]: hosting and joining a meeting on the local network.
//!
//! Nothing here names the command API: the sync commands are in `api::sync`. Transports are
//! not here either: core has no HTTP; a front end brings a [`Transport`] (caucus-device's).

#[allow(missing_docs)]
pub mod authority;
#[allow(missing_docs)]
pub mod bundle;
pub mod exchange;
pub mod judge;
pub mod meeting;
#[allow(missing_docs)]
pub mod protocol;
pub mod robustness;

use crate::error::Result;
pub use crate::error::SyncFailure;
use protocol::*;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, for the object-safe traits a front end implements ([`Transport`],
/// [`meeting::Meetings`]).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How a device reaches a hub. Errors are [`crate::CoreError::Sync`] with a [`SyncFailure`].
pub trait Transport: Send + Sync {
    /// Enrols this device at the hub at `url` with an invite.
    fn enrol<'a>(
        &'a self,
        url: &'a str,
        request: &'a EnrolRequest,
    ) -> BoxFuture<'a, Result<EnrolReply>>;
    /// Sends changes to the hub at `url`, as `device`.
    fn push<'a>(
        &'a self,
        url: &'a str,
        device: &'a DeviceCredentials,
        request: &'a PushRequest,
    ) -> BoxFuture<'a, Result<PushReply>>;
    /// Asks the hub at `url` for changes beyond this device's cursors, as `device`.
    fn pull<'a>(
        &'a self,
        url: &'a str,
        device: &'a DeviceCredentials,
        request: &'a PullRequest,
    ) -> BoxFuture<'a, Result<PullReply>>;
}
