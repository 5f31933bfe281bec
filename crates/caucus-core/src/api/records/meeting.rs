//! Meetings and their records: agenda items, decisions (the generic commands; a group's
//! leaders keep them) and attendance, one record per person and meeting.

use super::pipeline::Acting;
use super::record_commands;
use crate::api::Caucus;
use crate::collab::{self, TextDoc};
use crate::error::Result;
use crate::model::*;
use crate::rights::Operation;
use base64::Engine;
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
        let (record, bucket) = self.new_pair(&acting, input).await?;
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

impl Caucus {
    /// Names a person to write a meeting's minutes (naming them again changes nothing; naming
    /// someone whose naming was withdrawn names them again).
    pub async fn name_minute_taker(&self, input: NewMinuteTaker) -> Result<MinuteTaker> {
        let acting = self.acting().await?;
        let (record, bucket) = self.new_pair(&acting, input).await?;
        match self.get::<MinuteTaker>(record.id).await {
            Ok(existing) if !existing.archived => Ok(existing),
            _ => self.insert(&acting, record, &bucket).await,
        }
    }
    pub async fn list_minute_takers(&self, input: MinuteTakerFilter) -> Result<Vec<MinuteTaker>> {
        self.list(input).await
    }
    /// Withdraws a person's naming: their later edits of the minutes are refused; those made
    /// before stay in them.
    pub async fn archive_minute_taker(&self, input: IdInput) -> Result<MinuteTaker> {
        self.archive(input.id).await
    }
}

/// Minutes written together ([`crate::collab`]): a screen edits its own copy of the text and
/// sends what this replica lacks; every edit is a record of its own.
impl Caucus {
    /// The minutes' text as a screen starts from, or what its copy (`known`) lacks.
    pub async fn minutes(&self, input: MinutesQuery) -> Result<MinutesState> {
        let meeting: Meeting = self.get(input.meeting_id).await?;
        let acting = self.acting().await?;
        let may_edit = self.may_edit_minutes(&acting, &meeting).await?;
        let stored = self.minutes_doc(meeting.id).await?;
        minutes_state(&meeting, stored.as_ref(), input.known.as_deref(), may_edit)
    }

    /// Adds an edit of the minutes, from a screen's copy of the text: what it holds that this
    /// replica's text lacks. An edit that brings nothing new stores nothing. Answers as
    /// [`Caucus::minutes`] with the screen's `known`.
    pub async fn edit_minutes(&self, input: EditMinutes) -> Result<MinutesState> {
        let meeting: Meeting = self.get(input.meeting_id).await?;
        if meeting.archived {
            return Err(crate::CoreError::conflict(
                "this meeting is archived: restore it to edit its minutes",
            ));
        }
        let acting = self.acting().await?;
        let bytes = collab::decode_edit("edit", &input.edit)?;
        let stored = self.minutes_doc(meeting.id).await?;
        let written_before = stored.is_some();
        let mut doc = stored.unwrap_or_default();
        let before = (doc.state_vector(), doc.text());
        doc.apply(&bytes)?;
        // New text adds to the state vector; a deletion only changes the text.
        let changed = (doc.state_vector(), doc.text()) != before;
        if changed {
            // The whole text is checked as the field always was, before anything is stored.
            crate::text::body("minutes", &doc.text(), true)?;
            let record = MinutesEdit {
                id: Uuid::now_v7(),
                archived: false,
                unreadable: Vec::new(),
                meeting_id: meeting.id,
                author_id: acting.require("editing the minutes")?,
                edit: input.edit,
            };
            let bucket = self.placed(&record).await?;
            self.authorize(&acting, Operation::Create, &record, &[], &bucket)
                .await?;
            self.insert(&acting, record, &bucket).await?;
        }
        let may_edit = self.may_edit_minutes(&acting, &meeting).await?;
        // The replica merged the same edit into the same text: `doc` is what it now holds.
        let written = (changed || written_before).then_some(&doc);
        minutes_state(&meeting, written, input.known.as_deref(), may_edit)
    }

    async fn may_edit_minutes(&self, acting: &Acting, meeting: &Meeting) -> Result<bool> {
        let Some(person) = acting.id() else {
            return Ok(false);
        };
        let probe = MinutesEdit {
            author_id: person,
            meeting_id: meeting.id,
            ..MinutesEdit::template()
        };
        let bucket = self.bucket_of(meeting).await?;
        Ok(!meeting.archived
            && self
                .authorize(acting, Operation::Create, &probe, &[], &bucket)
                .await
                .is_ok())
    }

    /// The minutes' merged text, if anyone has edited them together.
    async fn minutes_doc(&self, meeting: Uuid) -> Result<Option<TextDoc>> {
        let mut conn = self.store().pool().acquire().await?;
        crate::store::texts::minutes_state(&mut conn, meeting)
            .await?
            .map(|state| TextDoc::load(&state))
            .transpose()
    }
}

/// The minutes as a screen takes them: `doc` is their merged text when anyone has edited them
/// together (else the single field written before starts the first editor's copy).
fn minutes_state(
    meeting: &Meeting,
    doc: Option<&TextDoc>,
    known: Option<&str>,
    may_edit: bool,
) -> Result<MinutesState> {
    let empty = TextDoc::new();
    let written = doc.unwrap_or(&empty);
    let update = match known {
        Some(known) => {
            let known = base64::engine::general_purpose::STANDARD
                .decode(known)
                .map_err(|_| crate::CoreError::invalid("known", "must be base64"))?;
            written.since(&known)?
        }
        None => written.state()?,
    };
    Ok(MinutesState {
        update: collab::encode(&update),
        state_vector: collab::encode(&written.state_vector()),
        text: match doc {
            Some(doc) => doc.text(),
            None => meeting.minutes.clone(),
        },
        written_together: doc.is_some(),
        may_edit,
    })
}
