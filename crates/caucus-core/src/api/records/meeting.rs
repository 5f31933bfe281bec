//! Meetings and their records: agenda items, decisions (the generic commands; a group's
//! leaders keep them) and attendance, one record per person and meeting.

use super::record_commands;
use crate::api::Caucus;
use crate::error::Result;
use crate::model::*;
use crate::rights::Operation;
use serde_json::{Map, Value};
use uuid::Uuid;

record_commands!(
    Meeting,
    NewMeeting,
    MeetingPatch,
    MeetingFilter,
    create_meeting,
    update_meeting,
    get_meeting,
    list_meetings,
    archive_meeting
);
record_commands!(
    AgendaItem,
    NewAgendaItem,
    AgendaItemPatch,
    AgendaItemFilter,
    create_agenda_item,
    update_agenda_item,
    get_agenda_item,
    list_agenda_items,
    archive_agenda_item
);
record_commands!(
    MeetingDecision,
    NewMeetingDecision,
    MeetingDecisionPatch,
    MeetingDecisionFilter,
    create_decision,
    update_decision,
    get_decision,
    list_decisions,
    archive_decision
);

impl Caucus {
    pub async fn get_attendance(&self, input: IdInput) -> Result<Attendance> {
        self.get(input.id).await
    }
    pub async fn list_attendance(&self, input: AttendanceFilter) -> Result<Vec<Attendance>> {
        self.list(input).await
    }
    pub async fn update_attendance(&self, input: AttendancePatch) -> Result<Attendance> {
        self.update(input).await
    }
    pub async fn archive_attendance(&self, input: IdInput) -> Result<Attendance> {
        self.archive(input.id).await
    }

    /// Records whether a person attended; recording again updates the same record.
    pub async fn record_attendance(&self, input: NewAttendance) -> Result<Attendance> {
        let acting = self.acting().await?;
        let present = input.present;
        let record = input.build(&NewContext {
            id: Uuid::nil(),
            actor: None,
        })?;
        let bucket = self.placed(&record).await?;
        self.authorize(&acting, Operation::Create, &record, &[], &bucket)
            .await?;
        match self.get::<Attendance>(record.id).await {
            Ok(existing) if !existing.archived => {
                let mut fields = Map::new();
                fields.insert("present".into(), Value::Bool(present));
                self.update_fields(&acting, &existing, fields).await
            }
            _ => self.insert(&acting, record, &bucket).await,
        }
    }
}
