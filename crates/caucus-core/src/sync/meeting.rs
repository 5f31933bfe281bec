//! Meetings without internet: one laptop hosts (a hub inside the app, on the local network)
//! and shows a short pairing code; the others find it and sync with it. Later the host, and
//! every attendee, sync onward to the coalition's hub, which judges every change then.
//!
//! The hosting itself (an HTTP server and mDNS) is not in core: a front end hands the replica
//! a [`Meetings`] (caucus-device's); the commands are in `api::sync::meeting`.

use super::protocol::RevokedDevice;
use super::BoxFuture;
use crate::certificate::Certificate;
use crate::error::Result;
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::Path;
use uuid::Uuid;

/// The mDNS service type meeting hosts announce.
pub const SERVICE_TYPE: &str = "_caucus._tcp.local.";

/// Reads one mDNS announcement into a meeting to offer, or nothing if it is not one of ours
/// (another protocol version, no address). Decodes data from the network, so it is fuzzed.
pub fn parse_announcement(
    fullname: &str,
    addresses: &[IpAddr],
    port: u16,
    properties: &[(String, String)],
) -> Option<FoundMeeting> {
    let prop = |k: &str| {
        properties
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if prop("v")? != super::protocol::PROTOCOL_VERSION.to_string() || port == 0 {
        return None;
    }
    let name = fullname.strip_suffix(SERVICE_TYPE)?.trim_end_matches('.');
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return None;
    }
    let ip = addresses
        .iter()
        .find(|a| a.is_ipv4())
        .or(addresses.first())?;
    let host = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    Some(FoundMeeting {
        name: name.replace("\\.", ".").replace("\\\\", "\\"),
        url: format!("http://{host}:{port}"),
    })
}

/// A meeting this device hosts.
#[derive(Debug, Clone)]
pub struct HostedMeeting {
    /// Where peers reach it.
    pub url: String,
    /// The code peers join with.
    pub pairing_code: String,
}

/// A meeting host found on the local network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct FoundMeeting {
    /// The name it is announced under.
    pub name: String,
    /// Where to reach it.
    pub url: String,
}

/// What a host knows of its coalition, handed to the meeting hub so the meeting judges as the
/// coalition's hub would: it admits a device only with a certificate from that hub, serves it
/// only what its person may read, and accepts from it only what that person may write.
#[derive(Debug, Clone)]
pub struct CoalitionTrust {
    /// The coalition's hub.
    pub hub_id: Uuid,
    /// The key that hub certifies devices with.
    pub hub_key: VerifyingKey,
    /// The hosting device's site: what it gives its meeting is its own replica, judged as it
    /// arrived.
    pub host_site: Uuid,
    /// The device certificates the host believes, passed on with what they made.
    pub certificates: Vec<Certificate>,
    /// The devices the hub removed.
    pub revoked: Vec<RevokedDevice>,
}

/// A guest who asked to join the meeting this device hosts: a laptop with no certificate
/// from the coalition, known by the name it gave until the host lets it in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct MeetingGuest {
    /// The guest device's public key, hex: what the host lets in.
    pub key: String,
    /// The guest device's site (the `site` of every change it makes).
    pub site: Uuid,
    /// The name the guest gave.
    pub name: String,
    /// When they first asked.
    pub asked_ms: f64,
    /// Whether the host let them in.
    pub admitted: bool,
}

/// Hosting and finding meetings on the local network.
pub trait Meetings: Send + Sync {
    /// Starts a meeting hub with its database at `db`, announced as `name`. With `trust`, the
    /// meeting judges who joins and what they send; without (a device not enrolled with a
    /// hub, such as the demo), it relays. Guests the host lets in read `public_meeting`'s
    /// record and agenda, and nothing else. A guest asking to join is told on `events`
    /// ([`crate::events::Event::Device`]), so the host's screen shows them at once.
    fn host<'a>(
        &'a self,
        db: &'a Path,
        name: &'a str,
        trust: Option<CoalitionTrust>,
        public_meeting: Option<Uuid>,
        events: crate::events::Events,
    ) -> BoxFuture<'a, Result<HostedMeeting>>;
    /// Stops the meeting this device hosts.
    fn stop(&self) -> BoxFuture<'_, Result<()>>;
    /// The guests who asked to join the hosted meeting.
    fn guests(&self) -> BoxFuture<'_, Result<Vec<MeetingGuest>>>;
    /// Lets in the guest whose device key is `key`, with the host's pass for the meeting it
    /// shares; false if no guest asked with it.
    fn admit_guest<'a>(
        &'a self,
        key: &'a str,
        pass: Option<crate::guest_pass::GuestPass>,
    ) -> BoxFuture<'a, Result<bool>>;
    /// Meetings announced on the local network now.
    fn discover(&self) -> BoxFuture<'_, Result<Vec<FoundMeeting>>>;
}
