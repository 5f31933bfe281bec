//! Guests at a meeting: a laptop with no certificate from the coalition (a new delegate at the
//! session) joins with the pairing code and a name, waits until the host's person lets them in
//! by that name, and then reads only the meeting the host made public (its record and agenda)
//! and writes only what its host's pass allows ([`caucus_core::guest_pass`]: its own
//! attendance there). Enrolment with the coalition's hub later makes the guest a person.
//!
//! Guests live in the meeting hub's memory: a meeting lasts a day, and a guest let in to one
//! is let in to nothing else.

use super::rows::row_bucket;
use super::*;
use caucus_core::guest_pass::{guest_person, GuestPass};
use caucus_core::sync::meeting::MeetingGuest;

/// At most this many guests wait at once: the list is the host's to read, not a store for
/// whoever finds the meeting's port.
const MAX_WAITING: usize = 200;

/// A guest's device, as the meeting knows it.
#[derive(Debug, Clone)]
pub(super) struct GuestEntry {
    key: ed25519_dalek::VerifyingKey,
    site: Uuid,
    name: String,
    asked_ms: u64,
    admitted: bool,
    /// The host's pass for the public meeting, given to the guest when it is let in.
    pass: Option<GuestPass>,
}

/// A guest's name: what the host reads aloud, so one line of at most 100 characters.
fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(HubError::Invalid(
            "say your name, in one line of at most 100 characters, so the host can let you in"
                .into(),
        ));
    }
    Ok(name.to_string())
}

impl HubDb {
    /// The meeting whose record and agenda guests may read (none: guests read nothing).
    pub fn set_public_meeting(&self, meeting: Option<Uuid>) {
        *self
            .public_meeting
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = meeting;
    }

    /// Calls `told` whenever a guest asks to join or gives another name.
    pub fn on_guest(&self, told: Box<dyn Fn() + Send + Sync>) {
        *self.guest_asked.lock().unwrap_or_else(|p| p.into_inner()) = Some(told);
    }

    /// A guest asking to join: let in (as the id its key derives, with the host's pass) if the
    /// host admitted its key, else put on (or kept on) the list the host sees, and told to wait.
    pub(super) fn guest_enrols(
        &self,
        key: &ed25519_dalek::VerifyingKey,
        site: Uuid,
        name: &str,
        now_ms: u64,
    ) -> Result<(Uuid, Option<GuestPass>)> {
        let name = check_name(name)?;
        let mut guests = self.guests.lock().unwrap_or_else(|p| p.into_inner());
        let waiting = guests.iter().filter(|g| !g.admitted).count();
        match guests.iter_mut().find(|g| g.key == *key) {
            Some(g) if g.admitted => return Ok((guest_person(key), g.pass.clone())),
            // Asking again (the device asks every few seconds while it waits): the host
            // has something new to read only if the name changed.
            Some(g) if g.name == name && g.site == site => return Err(HubError::GuestWaiting),
            Some(g) => {
                g.name = name;
                g.site = site;
            }
            None if waiting >= MAX_WAITING => {
                return Err(HubError::Invalid(
                    "too many guests are waiting at this meeting; ask the host".into(),
                ));
            }
            None => guests.push(GuestEntry {
                key: *key,
                site,
                name,
                asked_ms: now_ms,
                admitted: false,
                pass: None,
            }),
        }
        drop(guests);
        if let Some(told) = &*self.guest_asked.lock().unwrap_or_else(|p| p.into_inner()) {
            told();
        }
        Err(HubError::GuestWaiting)
    }

    /// The guests who asked to join, in the order they asked.
    pub fn guests(&self) -> Vec<MeetingGuest> {
        self.guests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|g| MeetingGuest {
                key: hex::encode(g.key.to_bytes()),
                site: g.site,
                name: g.name.clone(),
                asked_ms: g.asked_ms as f64,
                admitted: g.admitted,
            })
            .collect()
    }

    /// Lets in the guest whose device has `key` (hex), with the host's pass for the public
    /// meeting if there is one; false if no guest asked with that key, or the pass is
    /// another guest's.
    pub fn admit_guest(&self, key: &str, pass: Option<GuestPass>) -> bool {
        let mut guests = self.guests.lock().unwrap_or_else(|p| p.into_inner());
        let key = key.trim().to_ascii_lowercase();
        match guests
            .iter_mut()
            .find(|g| hex::encode(g.key.to_bytes()) == key)
        {
            Some(g)
                if pass.as_ref().is_none_or(|p| {
                    p.device_key.eq_ignore_ascii_case(&key) && p.site == g.site
                }) =>
            {
                g.admitted = true;
                g.pass = pass;
                true
            }
            _ => false,
        }
    }

    /// For a guest let in: the meeting its pass is for (none: the host shares no meeting).
    /// None for a device that is not a guest. A guest's device is told by its person, the id
    /// its own key derives; one this meeting has not let in (its enrolment outlived a
    /// restarted meeting, whose list is gone) is refused until the host lets it in again.
    pub(super) fn guest_meeting(&self, device: &Device) -> Result<Option<Option<Uuid>>> {
        let Some(key) = <[u8; 32]>::try_from(device.public_key.as_slice())
            .ok()
            .and_then(|k| ed25519_dalek::VerifyingKey::from_bytes(&k).ok())
        else {
            return Ok(None);
        };
        if guest_person(&key) != device.person {
            return Ok(None);
        }
        self.guests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .find(|g| g.admitted && g.key == key)
            .map(|g| Some(g.pass.as_ref().map(|p| p.meeting)))
            .ok_or(HubError::GuestWaiting)
    }

    /// The passes of the guests let in at these sites, to go with their changes.
    pub(super) fn passes_of(&self, sites: &BTreeSet<Uuid>) -> Vec<GuestPass> {
        self.guests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .filter(|g| sites.contains(&g.site))
            .filter_map(|g| g.pass.clone())
            .collect()
    }

    /// A guest's pull: the public meeting's record and agenda items (their winning changes
    /// after the cursor), in one bucket's cursor, and nothing else the meeting holds.
    pub(super) async fn pull_guest(&self, request: &PullRequest) -> Result<PullReply> {
        let mut reply = PullReply::default();
        let meeting = *self
            .public_meeting
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let Some(meeting) = meeting else {
            return Ok(reply);
        };
        let mut conn = self.pool.acquire().await?;
        let Some(bucket) = row_bucket(&mut conn, "meeting", meeting).await? else {
            return Ok(reply);
        };
        let mut cursor = request.cursors.get(&bucket).copied().unwrap_or_default();
        let limit = request.limit.clamp(1, MAX_PULL_CHANGES) as i64;
        let rows = sqlx::query(
            "SELECT c.server_seq, c.body FROM hub_field f JOIN hub_change c ON c.server_seq = f.server_seq
             WHERE f.bucket = $1 AND f.server_seq > $2
               AND ((f.tbl = 'meeting' AND f.row_id = $3)
                 OR (f.tbl = 'agenda_item' AND f.row_id IN (
                     SELECT row_id FROM hub_field
                     WHERE tbl = 'agenda_item' AND col = 'meeting_id' AND value = $4)))
             ORDER BY f.server_seq LIMIT $5",
        )
        .bind(&bucket)
        .bind(cursor.server_seq)
        .bind(meeting.to_string())
        .bind(Value::String(meeting.to_string()).to_string())
        .bind(limit + 1)
        .fetch_all(&mut *conn)
        .await?;
        reply.more = rows.len() as i64 > limit;
        for row in rows.iter().take(limit as usize) {
            let body: String = row.try_get("body")?;
            reply.changes.push(
                serde_json::from_str(&body)
                    .map_err(|e| HubError::Invalid(format!("a stored change is damaged: {e}")))?,
            );
            cursor.server_seq = row.try_get("server_seq")?;
        }
        // Always read as a snapshot of the public rows: a guest never follows the bucket's
        // whole log, which holds the group's other records.
        cursor.following = false;
        reply.cursors.insert(bucket, cursor);
        Ok(reply)
    }
}
