//! The wire protocol between a device and a hub (or a meeting host, which runs the same hub).
//!
//! JSON over HTTP. Every request carries [`PROTOCOL_HEADER`] with [`PROTOCOL_VERSION`] and
//! [`CLOCK_HEADER`] with the device's wall clock; the hub refuses a different version and a
//! clock more than [`MAX_CLOCK_SKEW_MS`] off its own. Requests are bounded by
//! [`MAX_PUSH_CHANGES`] and [`MAX_BODY_BYTES`]; pulls are paged.
//!
//! A device's push and pull also carry its bearer token, a fresh [`NONCE_HEADER`] and a
//! [`SIGNATURE_HEADER`]: its ed25519 signature (the key it enrolled with) over the path, the
//! clock, the nonce and the body's hash ([`signed_message`]). A stolen token alone is not
//! enough, a captured request cannot be sent again (the hub keeps the nonces it has seen for as
//! long as the clock would still let the request in), and a body cannot be swapped under a
//! signature.
//!
//! Every type here is decoded from outside data, so each refuses unknown fields and is fuzzed
//! (`fuzz/fuzz_targets/sync_payload.rs`).

use crate::change::Change;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The one wire-format version. A hub and a device that disagree refuse to talk, with
/// [`WireErrorCode::VersionMismatch`].
pub const PROTOCOL_VERSION: u32 = 1;
/// Header naming the protocol version of a request.
pub const PROTOCOL_HEADER: &str = "caucus-protocol";
/// Header with the device's wall clock, in milliseconds since the Unix epoch.
pub const CLOCK_HEADER: &str = "caucus-clock";
/// Header with the request's nonce: 32 hex digits, new for every request.
pub const NONCE_HEADER: &str = "caucus-nonce";
/// Header with the device's signature of [`signed_message`], hex.
pub const SIGNATURE_HEADER: &str = "caucus-signature";
/// The most a device's clock may differ from the hub's.
pub const MAX_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;
/// How far ahead of the hub's clock a pushed change may be stamped (DESIGN: "the hub refuses
/// > 60 s ahead of its own clock").
pub const MAX_CHANGE_AHEAD_MS: u64 = 60 * 1000;
/// Changes per push request.
pub const MAX_PUSH_CHANGES: usize = 500;
/// Changes per pull page.
pub const MAX_PULL_CHANGES: u32 = 2000;
/// Bytes per request body. A push of [`MAX_PUSH_CHANGES`] changes stays well under it unless
/// the values are huge; the client splits batches by size too.
pub const MAX_BODY_BYTES: usize = 4 << 20;

/// What a device's request proves it holds: the token the hub gave it and the key it enrolled.
#[derive(Clone)]
pub struct DeviceCredentials {
    pub token: String,
    pub key: ed25519_dalek::SigningKey,
}

/// A new nonce: 16 random bytes, hex.
pub fn new_nonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// Whether `nonce` has the form [`new_nonce`] gives.
pub fn is_nonce(nonce: &str) -> bool {
    nonce.len() == 32 && nonce.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The bytes a device signs for a request: a domain tag, then the path, the clock header, the
/// nonce and the SHA-256 of the body, each on its own line.
pub fn signed_message(path: &str, clock_ms: u64, nonce: &str, body: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    format!(
        "caucus-request-v1\n{path}\n{clock_ms}\n{nonce}\n{}",
        hex::encode(sha2::Sha256::digest(body))
    )
    .into_bytes()
}

/// The signature headers' value for a request.
pub fn sign_request(
    key: &ed25519_dalek::SigningKey,
    path: &str,
    clock_ms: u64,
    nonce: &str,
    body: &[u8],
) -> String {
    use ed25519_dalek::Signer;
    hex::encode(
        key.sign(&signed_message(path, clock_ms, nonce, body))
            .to_bytes(),
    )
}

/// The headers of a request to a hub sent now: the protocol version and the clock, and for a
/// device's request its token, a new nonce (so a retry is a new request, never a replay) and
/// its signature over this path, clock, nonce and `body`.
pub fn request_headers(
    device: Option<&DeviceCredentials>,
    path: &str,
    body: &[u8],
) -> Vec<(&'static str, String)> {
    let clock = crate::hlc::wall_ms();
    let mut headers = vec![
        (PROTOCOL_HEADER, PROTOCOL_VERSION.to_string()),
        (CLOCK_HEADER, clock.to_string()),
    ];
    if let Some(device) = device {
        let nonce = new_nonce();
        headers.push(("authorization", format!("Bearer {}", device.token)));
        headers.push((
            SIGNATURE_HEADER,
            sign_request(&device.key, path, clock, &nonce, body),
        ));
        headers.push((NONCE_HEADER, nonce));
    }
    headers
}

/// Whether `signature` (hex) is `public_key`'s signature of the request.
pub fn verify_request(
    public_key: &[u8],
    path: &str,
    clock_ms: u64,
    nonce: &str,
    body: &[u8],
    signature: &str,
) -> bool {
    let Ok(key) = <[u8; 32]>::try_from(public_key) else {
        return false;
    };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&key) else {
        return false;
    };
    let Some(signature) = hex::decode(signature)
        .ok()
        .and_then(|s| <[u8; 64]>::try_from(s.as_slice()).ok())
    else {
        return false;
    };
    key.verify_strict(
        &signed_message(path, clock_ms, nonce, body),
        &ed25519_dalek::Signature::from_bytes(&signature),
    )
    .is_ok()
}

/// Enrolling a device with an invite code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolRequest {
    pub invite_code: String,
    /// The device's ed25519 public key, hex.
    pub public_key: String,
    /// The device's site id (the `site` of its changes).
    pub site: Uuid,
    /// A name people recognise in the device list ("Amal's laptop").
    pub device_name: String,
    /// Who the device acts as. Only a meeting host asks; a hub's invite names the person.
    #[serde(default)]
    pub person_id: Option<Uuid>,
    /// The device's certificate from the coalition's hub. Only a meeting host asks: it admits
    /// a device as the person its certificate names, and serves it only what they may read.
    #[serde(default)]
    pub certificate: Option<crate::certificate::Certificate>,
    /// The name of a guest asking to join a meeting with no certificate (a new laptop at the
    /// session): the meeting's host lets them in by this name, and they read only what the
    /// host made public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnrolReply {
    pub device_id: Uuid,
    /// The bearer token for every later request. The hub keeps only its hash.
    pub token: String,
    /// The hub's id: changes, cursors and bundles belong to one hub's coalition.
    pub hub_id: Uuid,
    pub person_id: Uuid,
    /// The hub's certificate that this device acts for `person_id`.
    pub certificate: crate::certificate::Certificate,
    /// The hub's public key, hex: what the device checks every certificate with.
    pub hub_key: String,
    /// For a guest let in to a meeting: the host's pass, which its writes travel with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guest_pass: Option<crate::guest_pass::GuestPass>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushRequest {
    pub changes: Vec<Change>,
    /// The passes of the guests whose changes this push carries: the hub has no enrolment
    /// for a guest's device, and judges its changes by the pass its host signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guest_passes: Vec<crate::guest_pass::GuestPass>,
}

/// A change named by its origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeId {
    pub site: Uuid,
    pub seq: u64,
}

impl ChangeId {
    pub fn of(c: &Change) -> Self {
        ChangeId {
            site: c.site,
            seq: c.seq,
        }
    }
}

/// Why the hub refused one pushed change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RejectCode {
    /// The person's role may not make this change.
    Forbidden,
    /// The change claims a bucket its row does not belong to.
    WrongBucket,
    /// Stamped too far ahead of the hub's clock; retried once the clocks agree.
    ClockAhead,
    /// A table or column this hub version does not know; retried after the hub upgrades.
    UnknownToHub,
    /// Belongs under a record (a comment's recommendation) that has not reached the hub yet;
    /// retried on the next sync.
    Orphan,
    /// Malformed (an empty table name, a bad value).
    Invalid,
    /// Made on another device, and not yet provable: that device is not enrolled, or its
    /// signature did not come whole with the change. Retried: the maker's own sync, or a whole
    /// copy of its write, settles it.
    Unproven,
}

impl RejectCode {
    /// Whether the device should keep the change and push it again later.
    pub fn retryable(self) -> bool {
        matches!(
            self,
            RejectCode::ClockAhead
                | RejectCode::UnknownToHub
                | RejectCode::Orphan
                | RejectCode::Unproven
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    pub site: Uuid,
    pub seq: u64,
    pub code: RejectCode,
    /// In plain words, for the sync panel.
    pub reason: String,
}

/// The hub's answer to a push: every change of the request is either accepted (stored now, or
/// already stored by an earlier try) or rejected with a reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushReply {
    pub accepted: Vec<ChangeId>,
    pub rejected: Vec<Rejection>,
    /// For each refused change, the hub's winning changes that undo it (its row's life and
    /// the field's value), for the pusher to apply now: it may not read the bucket it wrote to.
    #[serde(default)]
    pub compensations: Vec<Change>,
}

/// Where a device stands in one bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BucketCursor {
    /// The highest server sequence received from this bucket.
    pub server_seq: i64,
    /// True once the device holds the bucket's compacted snapshot and follows its log.
    pub following: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullRequest {
    /// The device's cursor per bucket; a readable bucket missing here starts with a snapshot.
    pub cursors: BTreeMap<String, BucketCursor>,
    /// Changes per page, at most [`MAX_PULL_CHANGES`].
    pub limit: u32,
    /// When the device lacks nothing, how long a meeting hub may hold the pull open for a push
    /// from another laptop, in milliseconds (at most [`MAX_PULL_WAIT_MS`]): the host's push to
    /// the laptops joined to it. Zero, and always at the coalition's hub: answer at once.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub wait_ms: u64,
}

/// The longest a meeting hub holds a pull open: well under the transport's timeout.
pub const MAX_PULL_WAIT_MS: u64 = 25_000;

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PullReply {
    pub changes: Vec<Change>,
    /// The cursors after this page, for every readable bucket.
    pub cursors: BTreeMap<String, BucketCursor>,
    /// More pages are waiting.
    pub more: bool,
    /// Changes still to come in snapshots this pull started (for a first sync's progress bar);
    /// counted on the page that starts a snapshot, else 0.
    pub snapshot_remaining: u64,
    /// The certificates of the devices that made this page's changes, so the device can tell
    /// their makers apart from forgers when it meets their changes elsewhere (a meeting, a
    /// bundle). Only the coalition's hub sends them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<crate::certificate::Certificate>,
    /// The devices the hub removed, and when: their later changes are not believed anywhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked: Vec<RevokedDevice>,
    /// The passes of the guests who made this page's changes (a guest at a meeting has no
    /// certificate): believed under the key the certificate of their host names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guest_passes: Vec<crate::guest_pass::GuestPass>,
}

/// A device the hub removed from the coalition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevokedDevice {
    /// Its ed25519 public key, hex.
    pub device_key: String,
    /// When it was removed, in ms since the epoch.
    pub revoked_ms: u64,
}

/// Why a whole request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WireErrorCode {
    VersionMismatch,
    ClockSkew,
    PayloadTooLarge,
    Unauthorized,
    Revoked,
    InvalidInvite,
    Invalid,
    RateLimited,
    Internal,
    /// A guest's request to join a meeting waits for its host.
    GuestWaiting,
}

/// The body of every failed response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireError {
    pub code: WireErrorCode,
    pub message: String,
}

/// The failure a hub's error code stands for.
impl From<WireErrorCode> for crate::error::SyncFailure {
    fn from(code: WireErrorCode) -> Self {
        use crate::error::SyncFailure;
        match code {
            WireErrorCode::VersionMismatch => SyncFailure::VersionMismatch,
            WireErrorCode::ClockSkew => SyncFailure::ClockSkew,
            WireErrorCode::PayloadTooLarge => SyncFailure::PayloadTooLarge,
            WireErrorCode::Unauthorized => SyncFailure::Unauthorized,
            WireErrorCode::Revoked => SyncFailure::Revoked,
            WireErrorCode::InvalidInvite => SyncFailure::InvalidInvite,
            WireErrorCode::RateLimited => SyncFailure::RateLimited,
            WireErrorCode::GuestWaiting => SyncFailure::GuestWaiting,
            WireErrorCode::Invalid | WireErrorCode::Internal => SyncFailure::Hub,
        }
    }
}
