//! What a guest at a meeting does on its own laptop: say they attend. A guest is nobody of
//! the coalition, so this replica asks no rights of its own; the write is signed by the
//! guest's key like every write, travels with the host's pass ([`crate::guest_pass`]), and
//! the meeting, every device it reaches and the coalition's hub judge it by that pass
//! ([`crate::sync::authority`]).

use super::meeting::GUEST_PASS;
use super::SyncStatus;
use crate::api::{Caucus, NoInput};
use crate::error::{CoreError, Result};
use crate::guest_pass::GuestPass;
use crate::model::Attendance;
use crate::store::read;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The meeting whose guests to name.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MeetingGuestsPresent {
    pub meeting_id: Uuid,
}

/// A guest who attended a meeting: nobody of the coalition, named as the host let them in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct GuestPresent {
    /// The id the guest acted under (the `person_id` of their attendance).
    pub person_id: Uuid,
    /// The name the host let in.
    pub name: String,
}

impl Caucus {
    /// The guests present at a meeting: those whose attendance this replica holds, by the
    /// names their hosts signed.
    pub async fn meeting_guests_present(
        &self,
        input: MeetingGuestsPresent,
    ) -> Result<Vec<GuestPresent>> {
        let pool = self.store().pool();
        let present: Vec<String> = sqlx::query_scalar(
            "SELECT person_id FROM attendance WHERE meeting_id = ? AND present = 1 AND cl % 2 = 1",
        )
        .bind(input.meeting_id.to_string())
        .fetch_all(pool)
        .await?;
        Ok(crate::store::guest_passes::names_at(
            pool,
            input.meeting_id,
            (
                self.store().site_id().await,
                self.device_key().await?.verifying_key(),
            ),
        )
        .await?
        .into_iter()
        .filter(|(person, _)| present.contains(&person.to_string()))
        .map(|(person_id, name)| GuestPresent { person_id, name })
        .collect())
    }

    /// The host's pass of the meeting this laptop is at as a guest.
    pub(crate) async fn guest_pass(&self) -> Result<Option<GuestPass>> {
        Ok(self
            .store()
            .local_setting(GUEST_PASS)
            .await?
            .and_then(|p| GuestPass::decode(p.as_bytes()).ok()))
    }

    /// Says this guest attends the meeting they were let in to, and tells the meeting at once.
    pub async fn attend_as_guest(&self, _: NoInput) -> Result<SyncStatus> {
        let pass = self.guest_pass().await?.ok_or_else(|| {
            CoreError::forbidden(
                "only a guest let in to a meeting whose agenda its host shares says they attend",
            )
        })?;
        let id = Attendance::id_for(pass.meeting, pass.person);
        let held = read::row_meta(self.store().pool(), &crate::schema::ATTENDANCE, id)
            .await?
            .map(|(_, cl)| cl);
        if !held.is_some_and(crate::change::is_alive) {
            let bucket = read::row_meta(self.store().pool(), &crate::schema::MEETING, pass.meeting)
                .await?
                .map(|(bucket, _)| bucket)
                .ok_or_else(|| {
                    CoreError::conflict("the meeting's agenda has not reached this laptop yet")
                })?;
            let record = Attendance {
                id,
                archived: false,
                unreadable: Vec::new(),
                meeting_id: pass.meeting,
                person_id: pass.person,
                present: true,
            };
            let cl = held.map_or(1, |cl| cl + 1);
            let edits = crate::api::records::pipeline::record_edits(&record, &bucket, cl)?;
            self.store().write(Some(pass.person), edits).await?;
        }
        self.sync_meeting(false).await?;
        self.sync_status(NoInput {}).await
    }
}
