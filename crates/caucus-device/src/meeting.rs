//! A meeting hosted on a laptop: the hub embedded in the app, bound to the local network,
//! found by the others through mDNS (`_caucus._tcp`), entered with a short pairing code.
//!
//! The meeting hub of an enrolled host judges as the coalition's hub would ([`Policy::Meeting`]):
//! a device joins as the person its certificate names, reads what that person may read and
//! sends what they may write. A host that has not enrolled (the demo) relays
//! ([`Policy::Relay`]). Either way every device judges what it receives, and the coalition's
//! hub judges everything again when the host and the attendees sync onward.

use caucus_core::error::{CoreError, Result};
use caucus_core::sync::meeting::{
    parse_announcement, CoalitionTrust, FoundMeeting, HostedMeeting, MeetingGuest, Meetings,
    SERVICE_TYPE,
};
use caucus_core::sync::protocol::PROTOCOL_VERSION;
use caucus_core::sync::{BoxFuture, SyncFailure};
use caucus_relay::{HubDb, Policy};
use mdns_sd::{IfKind, ServiceDaemon, ServiceEvent, ServiceInfo};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a pairing code works: a long meeting day.
const PAIRING_TTL_MS: u64 = 12 * 3_600_000;
/// How long finding meetings listens.
const DISCOVERY_WINDOW: Duration = Duration::from_secs(3);

/// Where meetings are hosted and looked for.
#[derive(Debug, Clone)]
pub struct LanConfig {
    /// The address the meeting hub listens on (all interfaces by default).
    pub bind: IpAddr,
    /// The UDP port mDNS uses (5353; tests use another).
    pub mdns_port: u16,
    /// Announce and look only on the loopback interface (tests: no traffic leaves the machine).
    pub loopback_only: bool,
}

impl Default for LanConfig {
    fn default() -> Self {
        LanConfig {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            mdns_port: 5353,
            loopback_only: false,
        }
    }
}

impl LanConfig {
    /// The defaults, overridden by `CAUCUS_MEETING_BIND`, `CAUCUS_MDNS_PORT` and
    /// `CAUCUS_MDNS_LOOPBACK=1` (used by the tests of the app).
    pub fn from_env() -> Self {
        let mut c = LanConfig::default();
        if let Some(ip) = std::env::var("CAUCUS_MEETING_BIND")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            c.bind = ip;
        }
        if let Some(port) = std::env::var("CAUCUS_MDNS_PORT")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            c.mdns_port = port;
        }
        c.loopback_only = std::env::var("CAUCUS_MDNS_LOOPBACK").is_ok_and(|v| v == "1");
        c
    }

    fn daemon(&self) -> Result<ServiceDaemon> {
        let fail = |e: mdns_sd::Error| {
            CoreError::sync(
                SyncFailure::Unreachable,
                format!("the local network cannot be searched: {e}"),
            )
        };
        let daemon = ServiceDaemon::new_with_port(self.mdns_port).map_err(fail)?;
        if self.loopback_only {
            daemon.disable_interface(IfKind::All).map_err(fail)?;
            daemon.enable_interface(IfKind::LoopbackV4).map_err(fail)?;
            daemon.set_multicast_loop_v4(true).map_err(fail)?;
        }
        Ok(daemon)
    }
}

struct Hosting {
    db: Arc<HubDb>,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
    mdns: Option<(ServiceDaemon, String)>,
}

/// [`Meetings`] on the local network.
pub struct LanMeetings {
    config: LanConfig,
    hosting: tokio::sync::Mutex<Option<Hosting>>,
}

impl LanMeetings {
    pub fn new(config: LanConfig) -> Self {
        LanMeetings {
            config,
            hosting: tokio::sync::Mutex::new(None),
        }
    }
}

/// The address the others reach this laptop at: the one its default route leaves from
/// (found without sending anything), else loopback.
fn lan_address() -> IpAddr {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

fn hub_failure(e: impl std::fmt::Display) -> CoreError {
    CoreError::sync(
        SyncFailure::Hub,
        format!("the meeting could not start: {e}"),
    )
}

impl Meetings for LanMeetings {
    fn host<'a>(
        &'a self,
        db: &'a Path,
        name: &'a str,
        trust: Option<CoalitionTrust>,
        public_meeting: Option<uuid::Uuid>,
        events: caucus_core::events::Events,
    ) -> BoxFuture<'a, Result<HostedMeeting>> {
        Box::pin(async move {
            let mut hosting = self.hosting.lock().await;
            if hosting.is_some() {
                return Err(CoreError::conflict("a meeting is already hosted here"));
            }
            let policy = if trust.is_some() {
                Policy::Meeting
            } else {
                Policy::Relay
            };
            let hub = Arc::new(
                HubDb::open(&db.to_string_lossy(), policy)
                    .await
                    .map_err(hub_failure)?,
            );
            if let Some(trust) = trust {
                hub.trust_coalition(trust);
            }
            hub.set_public_meeting(public_meeting);
            hub.on_guest(Box::new(move || {
                events.send(caucus_core::events::Event::Device);
            }));
            let listener = tokio::net::TcpListener::bind(SocketAddr::new(self.config.bind, 0))
                .await
                .map_err(hub_failure)?;
            let port = listener.local_addr().map_err(hub_failure)?.port();
            let ip = if self.config.bind.is_unspecified() {
                lan_address()
            } else {
                self.config.bind
            };
            let url = match ip {
                IpAddr::V4(v4) => format!("http://{v4}:{port}"),
                IpAddr::V6(v6) => format!("http://[{v6}]:{port}"),
            };
            let code = hub
                .create_invite(None, PAIRING_TTL_MS, true, caucus_core::hlc::wall_ms())
                .await
                .map_err(hub_failure)?;
            let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
            let served = hub.clone();
            let task = tokio::spawn(async move {
                let _ = caucus_relay::server::serve(served, listener, async {
                    let _ = stopped.await;
                })
                .await;
            });
            // Announcing is a convenience: if the network refuses multicast, the host still
            // shows its address and code to type.
            let mdns = self.config.daemon().ok().and_then(|daemon| {
                let host = format!("caucus-{}.local.", &hub.hub_id().simple().to_string()[..12]);
                let props = [
                    ("v", PROTOCOL_VERSION.to_string()),
                    ("hub", hub.hub_id().to_string()),
                ];
                let info =
                    ServiceInfo::new(SERVICE_TYPE, name, &host, ip, port, &props[..]).ok()?;
                let fullname = info.get_fullname().to_string();
                daemon.register(info).ok()?;
                Some((daemon, fullname))
            });
            *hosting = Some(Hosting {
                db: hub,
                stop,
                task,
                mdns,
            });
            Ok(HostedMeeting {
                url,
                pairing_code: code,
            })
        })
    }

    fn stop(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if let Some(h) = self.hosting.lock().await.take() {
                if let Some((daemon, fullname)) = h.mdns {
                    let _ = daemon.unregister(&fullname);
                    let _ = daemon.shutdown();
                }
                let _ = h.stop.send(());
                let _ = h.task.await;
                h.db.close().await;
            }
            Ok(())
        })
    }

    fn guests(&self) -> BoxFuture<'_, Result<Vec<MeetingGuest>>> {
        Box::pin(async move {
            Ok(match self.hosting.lock().await.as_ref() {
                Some(h) => h.db.guests(),
                None => Vec::new(),
            })
        })
    }

    fn admit_guest<'a>(
        &'a self,
        key: &'a str,
        pass: Option<caucus_core::guest_pass::GuestPass>,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(async move {
            Ok(match self.hosting.lock().await.as_ref() {
                Some(h) => h.db.admit_guest(key, pass),
                None => false,
            })
        })
    }

    fn discover(&self) -> BoxFuture<'_, Result<Vec<FoundMeeting>>> {
        let config = self.config.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let daemon = config.daemon()?;
                let events = daemon.browse(SERVICE_TYPE).map_err(|e| {
                    CoreError::sync(
                        SyncFailure::Unreachable,
                        format!("the local network cannot be searched: {e}"),
                    )
                })?;
                let mut found = Vec::new();
                let until = Instant::now() + DISCOVERY_WINDOW;
                while let Some(left) = until.checked_duration_since(Instant::now()) {
                    match events.recv_timeout(left) {
                        Ok(ServiceEvent::ServiceResolved(s)) => {
                            let addresses: Vec<IpAddr> =
                                s.addresses.iter().map(|a| a.to_ip_addr()).collect();
                            let props: Vec<(String, String)> = s
                                .txt_properties
                                .iter()
                                .map(|p| (p.key().to_string(), p.val_str().to_string()))
                                .collect();
                            if let Some(m) =
                                parse_announcement(&s.fullname, &addresses, s.port, &props)
                            {
                                if !found.contains(&m) {
                                    found.push(m);
                                }
                            }
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                let _ = daemon.shutdown();
                Ok(found)
            })
            .await
            .map_err(|e| CoreError::sync(SyncFailure::Unreachable, e.to_string()))?
        })
    }
}
