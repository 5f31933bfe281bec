//! Meetings without internet, as commands: hosting one on this laptop, finding and joining
//! one, leaving it, and the exchange with its host. The hosting itself is
//! [`crate::sync::meeting::Meetings`], which a front end brings.

use super::SyncStatus;
use crate::api::{Caucus, NoInput};
use crate::error::{CoreError, Result, SyncFailure};
use crate::sync::meeting::{CoalitionTrust, FoundMeeting, MeetingGuest, Meetings};
use crate::sync::protocol::EnrolRequest;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

// Device-local settings of the meeting this device is in.
pub(crate) const MEETING_URL: &str = "meeting.url";
pub(crate) const MEETING_TOKEN: &str = "meeting.token";
pub(crate) const MEETING_HUB: &str = "meeting.hub_id";
pub(crate) const MEETING_NAME: &str = "meeting.name";
pub(crate) const MEETING_CODE: &str = "meeting.pairing_code";
/// The meeting record guests read, on the host.
pub(crate) const MEETING_PUBLIC: &str = "meeting.public";
/// The name this laptop joined meetings under as a guest: set until it enrols with the
/// coalition's hub and becomes its person.
pub(crate) const GUEST_NAME: &str = "guest.name";
/// The host's pass of the meeting this laptop is at as a guest.
pub(crate) const GUEST_PASS: &str = "guest.pass";

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct HostMeeting {
    /// How the meeting appears to the others ("Budget team, 27 November").
    pub name: String,
    /// The meeting record whose agenda guests may read (none: guests see nothing).
    #[serde(default)]
    pub public_meeting: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct JoinMeeting {
    pub url: String,
    pub pairing_code: String,
    /// The name to give the host, for a laptop that is nobody of the coalition yet: it joins
    /// as a guest, once the host lets it in.
    #[serde(default)]
    pub guest_name: Option<String>,
}

/// A guest to let in, by their device's key.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AdmitGuest {
    pub key: String,
}

/// The meeting this device is in, for the sync panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct MeetingInfo {
    pub name: String,
    pub url: String,
    pub hosting: bool,
    /// Shown by the host, for the others to type.
    pub pairing_code: Option<String>,
    /// The meeting record guests read: the one the host made public, or on a guest's laptop
    /// the one it received.
    pub public_meeting: Option<Uuid>,
    /// This laptop is at the meeting as a guest.
    pub guest: bool,
}

impl Caucus {
    /// Gives the replica its way to host and find meetings. Called once by the front end.
    pub fn set_meetings(&self, meetings: std::sync::Arc<dyn Meetings>) {
        let _ = self.sync.meetings.set(meetings);
    }

    fn meetings(&self) -> Result<std::sync::Arc<dyn Meetings>> {
        self.sync.meetings.get().cloned().ok_or_else(|| {
            CoreError::sync(
                SyncFailure::NotConnected,
                "this version of Caucus cannot host or find meetings",
            )
        })
    }

    pub(crate) async fn meeting_info(&self) -> Result<Option<MeetingInfo>> {
        let s = self.store();
        let Some(url) = s.local_setting(MEETING_URL).await? else {
            return Ok(None);
        };
        let code = s.local_setting(MEETING_CODE).await?;
        let guest = self.guest_name().await?.is_some();
        let public_meeting = if guest {
            // A guest's replica holds the one meeting the host made public, if any.
            sqlx::query_scalar::<_, String>("SELECT id FROM meeting WHERE cl % 2 = 1 LIMIT 1")
                .fetch_optional(s.pool())
                .await?
        } else {
            s.local_setting(MEETING_PUBLIC).await?
        };
        Ok(Some(MeetingInfo {
            name: s.local_setting(MEETING_NAME).await?.unwrap_or_default(),
            url,
            hosting: code.is_some(),
            pairing_code: code,
            public_meeting: public_meeting.and_then(|m| Uuid::parse_str(&m).ok()),
            guest,
        }))
    }

    /// The meeting's hub, to sync with: (url, token, hub id).
    pub(crate) async fn meeting_link(&self) -> Result<Option<(String, String, String)>> {
        let s = self.store();
        Ok(
            match (
                s.local_setting(MEETING_URL).await?,
                s.local_setting(MEETING_TOKEN).await?,
                s.local_setting(MEETING_HUB).await?,
            ) {
                (Some(u), Some(t), Some(h)) => Some((u, t, h)),
                _ => None,
            },
        )
    }

    /// Hosts a meeting on this laptop: starts the meeting hub, enrols this device with it and
    /// gives it everything this device holds, so the others can sync with it.
    pub async fn host_meeting(&self, input: HostMeeting) -> Result<SyncStatus> {
        let name = input.name.trim().to_string();
        crate::text::line("name", &name, 100)?;
        if self.meeting_info().await?.is_some() {
            return Err(CoreError::conflict("leave the current meeting first"));
        }
        let person = self.require_actor("hosting a meeting").await?;
        if let Some(m) = input.public_meeting {
            // Only a meeting this laptop holds, so the guests' agenda is one the host can see.
            crate::store::read::get::<crate::model::Meeting>(self.store().pool(), m).await?;
        }
        let db = self.store().path().with_extension("meeting-hub.db");
        let s = self.store();
        let trust = match crate::store::certificates::trust(s).await? {
            Some((hub_id, hub_key)) => Some(CoalitionTrust {
                hub_id,
                hub_key,
                host_site: s.site_id().await,
                certificates: crate::store::certificates::all(s.pool()).await?,
                revoked: crate::store::certificates::revoked(s.pool()).await?,
            }),
            None => None,
        };
        let hosted = self
            .meetings()?
            .host(&db, &name, trust, input.public_meeting, s.events().clone())
            .await?;
        self.enrol_in_meeting(
            &hosted.url,
            &hosted.pairing_code,
            Joining::Person(person),
            &name,
        )
        .await?;
        s.set_local_setting(MEETING_CODE, Some(&hosted.pairing_code))
            .await?;
        s.set_local_setting(
            MEETING_PUBLIC,
            input.public_meeting.map(|m| m.to_string()).as_deref(),
        )
        .await?;
        self.sync_meeting(true).await?;
        self.sync_status(NoInput {}).await
    }

    pub async fn find_meetings(&self, _: NoInput) -> Result<Vec<FoundMeeting>> {
        self.meetings()?.discover().await
    }

    /// Joins a meeting with the host's pairing code, and syncs with it.
    pub async fn join_meeting(&self, input: JoinMeeting) -> Result<SyncStatus> {
        let url = input.url.trim().trim_end_matches('/').to_string();
        super::check_url(&url)?;
        if self.meeting_info().await?.is_some() {
            return Err(CoreError::conflict("leave the current meeting first"));
        }
        let joining = match self.acting_person_id().await? {
            Some(person) => Joining::Person(person),
            None => {
                let name = input.guest_name.as_deref().unwrap_or_default().trim();
                if name.is_empty() {
                    return Err(CoreError::invalid(
                        "guest_name",
                        "this laptop is nobody of the coalition yet: say your name to join as \
                         a guest",
                    ));
                }
                crate::text::line("guest_name", name, 100)?;
                Joining::Guest(name.to_string())
            }
        };
        self.enrol_in_meeting(&url, input.pairing_code.trim(), joining.clone(), "")
            .await?;
        if let Joining::Guest(name) = &joining {
            self.store()
                .set_local_setting(GUEST_NAME, Some(name))
                .await?;
        }
        self.sync_meeting(false).await?;
        self.sync_status(NoInput {}).await
    }

    /// Leaves the meeting (stopping it, on the host). Everything received stays, and goes on
    /// to the coalition's hub at the next sync.
    pub async fn leave_meeting(&self, _: NoInput) -> Result<SyncStatus> {
        let hosting = self.meeting_info().await?.is_some_and(|m| m.hosting);
        if hosting {
            // One last exchange, so nothing the others sent stays only in the meeting hub.
            let _ = self.sync_meeting(false).await;
            self.meetings()?.stop().await?;
        }
        for key in [
            MEETING_URL,
            MEETING_TOKEN,
            MEETING_HUB,
            MEETING_NAME,
            MEETING_CODE,
            MEETING_PUBLIC,
            GUEST_PASS,
        ] {
            self.store().set_local_setting(key, None).await?;
        }
        self.sync_status(NoInput {}).await
    }

    async fn enrol_in_meeting(
        &self,
        url: &str,
        code: &str,
        joining: Joining,
        name: &str,
    ) -> Result<()> {
        if code.is_empty() || code.len() > 32 {
            return Err(CoreError::invalid(
                "pairing_code",
                "type the code the host shows",
            ));
        }
        let key = self.device_key().await?;
        let request = EnrolRequest {
            invite_code: code.to_string(),
            public_key: hex::encode(key.verifying_key().to_bytes()),
            site: self.store().site_id().await,
            device_name: "meeting".into(),
            person_id: match &joining {
                Joining::Person(p) => Some(*p),
                Joining::Guest(_) => None,
            },
            // A meeting of an enrolled coalition admits this device as its certified person.
            certificate: match &joining {
                Joining::Person(_) => self
                    .store()
                    .local_setting(super::HUB_CERTIFICATE)
                    .await?
                    .and_then(|c| serde_json::from_str(&c).ok()),
                Joining::Guest(_) => None,
            },
            guest_name: match &joining {
                Joining::Person(_) => None,
                Joining::Guest(name) => Some(name.clone()),
            },
        };
        let reply = self.transport()?.enrol(url, &request).await?;
        let s = self.store();
        if let Joining::Guest(_) = &joining {
            // The host's pass: what this guest's writes at the meeting travel with.
            let pass = reply
                .guest_pass
                .as_ref()
                .and_then(|p| serde_json::to_string(p).ok());
            s.set_local_setting(GUEST_PASS, pass.as_deref()).await?;
        }
        s.set_local_setting(MEETING_URL, Some(url)).await?;
        s.set_local_setting(MEETING_TOKEN, Some(&reply.token))
            .await?;
        s.set_local_setting(MEETING_HUB, Some(&reply.hub_id.to_string()))
            .await?;
        s.set_local_setting(MEETING_NAME, Some(name)).await?;
        Ok(())
    }

    /// The guests who asked to join the meeting this laptop hosts.
    pub async fn meeting_guests(&self, _: NoInput) -> Result<Vec<MeetingGuest>> {
        self.require_hosting().await?;
        self.meetings()?.guests().await
    }

    /// Lets in a guest by their device's key; they may then read the meeting's public agenda.
    pub async fn admit_guest(&self, input: AdmitGuest) -> Result<Vec<MeetingGuest>> {
        self.require_hosting().await?;
        let key = input.key.trim().to_ascii_lowercase();
        let asked = self.meetings()?.guests().await?;
        let guest = asked.iter().find(|g| g.key == key);
        let pass = match (guest, self.store().local_setting(MEETING_PUBLIC).await?) {
            // The host's device vouches for the guest, for the meeting it shares: the pass
            // its writes there travel with.
            (Some(g), Some(meeting)) => {
                let meeting = Uuid::parse_str(&meeting).map_err(|_| {
                    CoreError::invalid("meeting", "the shared meeting's id is damaged")
                })?;
                let device_key = crate::certificate::decode_key(&g.key)
                    .ok_or_else(|| CoreError::invalid("key", "not a device key"))?;
                Some(crate::guest_pass::GuestPass::issue(
                    &self.device_key().await?,
                    crate::guest_pass::Admission {
                        meeting,
                        name: &g.name,
                        site: g.site,
                        device_key: &device_key,
                        host_site: self.store().site_id().await,
                    },
                    crate::hlc::wall_ms(),
                ))
            }
            _ => None,
        };
        if guest.is_none() || !self.meetings()?.admit_guest(&key, pass).await? {
            return Err(CoreError::NotFound {
                entity: "guest",
                id: input.key.chars().take(64).collect(),
            });
        }
        // The host's list of guests follows.
        self.store().events().send(crate::events::Event::Device);
        self.meetings()?.guests().await
    }

    async fn require_hosting(&self) -> Result<()> {
        match self.meeting_info().await? {
            Some(m) if m.hosting => Ok(()),
            _ => Err(CoreError::conflict("this laptop hosts no meeting")),
        }
    }

    /// The name this laptop joined a meeting under as a guest, until it enrols.
    pub(crate) async fn guest_name(&self) -> Result<Option<String>> {
        self.store().local_setting(GUEST_NAME).await
    }

    /// Exchanges changes with the meeting's hub. `everything`: send the whole replica (the
    /// host seeding its meeting hub), not only what the coalition's hub lacks.
    pub(crate) async fn sync_meeting(&self, everything: bool) -> Result<()> {
        let Some((url, token, hub)) = self.meeting_link().await? else {
            return Ok(());
        };
        self.sync_with_peer_hub(&url, &token, &hub, everything)
            .await
    }
}

/// Who a laptop joins a meeting as: its person, or a guest by name.
#[derive(Debug, Clone)]
enum Joining {
    Person(Uuid),
    Guest(String),
}
