//! Meetings and their records: agenda items, attendance, decisions. Each part is its own record
//! so that two note-takers working offline add items without overwriting each other.

use super::group::pair_id;
use super::{filter_input, id_list, patch_input, Entity, NewContext, NewInput, Reference};
use crate::error::Result;
use crate::schema;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Meeting {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub group_id: Uuid,
    pub title: String,
    /// `YYYY-MM-DDTHH:MM`, local time at the meeting's place.
    pub starts_at: String,
    pub place: String,
    /// Markdown, written together: read here, edited through `edit_minutes`
    /// ([`MinutesEdit`]).
    pub minutes: String,
}

impl Entity for Meeting {
    const TABLE: &'static schema::Table = &schema::MEETING;
    fn template() -> Self {
        Meeting {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            group_id: Uuid::nil(),
            title: "?".into(),
            starts_at: "2000-01-01T00:00".into(),
            place: String::new(),
            minutes: String::new(),
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::line("title", &self.title, text::TITLE_MAX)?;
        text::date_time("starts_at", &self.starts_at)?;
        text::optional_line("place", &self.place, text::NAME_MAX)?;
        text::body("minutes", &self.minutes, true)
    }
    fn references(&self) -> Vec<Reference> {
        vec![Reference::new("group_id", &schema::GROUP, self.group_id)]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    pub group_id: Uuid,
    pub title: String,
    pub starts_at: String,
    #[serde(default)]
    pub place: String,
}

impl NewInput for NewMeeting {
    type Entity = Meeting;
    fn build(self, ctx: &NewContext) -> Result<Meeting> {
        Ok(Meeting {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            group_id: self.group_id,
            title: self.title,
            starts_at: self.starts_at,
            place: self.place,
            minutes: String::new(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MeetingPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
}
patch_input!(MeetingPatch => Meeting);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MeetingFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(MeetingFilter => Meeting);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct AgendaItem {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub meeting_id: Uuid,
    pub position: i32,
    pub title: String,
    pub notes: String,
}

impl Entity for AgendaItem {
    const TABLE: &'static schema::Table = &schema::AGENDA_ITEM;
    fn template() -> Self {
        AgendaItem {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            meeting_id: Uuid::nil(),
            position: 0,
            title: "?".into(),
            notes: String::new(),
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        if !(0..=10_000).contains(&self.position) {
            return Err(crate::CoreError::invalid(
                "position",
                "must be between 0 and 10000",
            ));
        }
        text::line("title", &self.title, text::TITLE_MAX)?;
        text::body("notes", &self.notes, true)
    }
    fn references(&self) -> Vec<Reference> {
        vec![Reference::new(
            "meeting_id",
            &schema::MEETING,
            self.meeting_id,
        )]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewAgendaItem {
    pub meeting_id: Uuid,
    pub position: i32,
    pub title: String,
    #[serde(default)]
    pub notes: String,
}

impl NewInput for NewAgendaItem {
    type Entity = AgendaItem;
    fn build(self, ctx: &NewContext) -> Result<AgendaItem> {
        Ok(AgendaItem {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            meeting_id: self.meeting_id,
            position: self.position,
            title: self.title,
            notes: self.notes,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}
patch_input!(AgendaItemPatch => AgendaItem);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AgendaItemFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(AgendaItemFilter => AgendaItem);

/// Whether a person attended a meeting. One per person and meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Attendance {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub meeting_id: Uuid,
    pub person_id: Uuid,
    pub present: bool,
}

impl Attendance {
    /// One attendance record per person and meeting, whoever records it.
    pub fn id_for(meeting_id: Uuid, person_id: Uuid) -> Uuid {
        pair_id(b"attendance", meeting_id, person_id)
    }
}

impl Entity for Attendance {
    const TABLE: &'static schema::Table = &schema::ATTENDANCE;
    fn template() -> Self {
        Attendance {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            meeting_id: Uuid::nil(),
            person_id: Uuid::nil(),
            present: false,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn derived_id(&self) -> Option<Uuid> {
        Some(Attendance::id_for(self.meeting_id, self.person_id))
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::new("meeting_id", &schema::MEETING, self.meeting_id),
            Reference::new("person_id", &schema::PERSON, self.person_id),
        ]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewAttendance {
    pub meeting_id: Uuid,
    pub person_id: Uuid,
    pub present: bool,
}

impl NewInput for NewAttendance {
    type Entity = Attendance;
    fn build(self, _ctx: &NewContext) -> Result<Attendance> {
        Ok(Attendance {
            id: Attendance::id_for(self.meeting_id, self.person_id),
            archived: false,
            unreadable: Vec::new(),
            meeting_id: self.meeting_id,
            person_id: self.person_id,
            present: self.present,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AttendancePatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub present: Option<bool>,
}
patch_input!(AttendancePatch => Attendance);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct AttendanceFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(AttendanceFilter => Attendance);

/// A decision taken at a meeting, linking the issues and recommendations it concerns.
/// Linking never changes a recommendation's state by itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct MeetingDecision {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub meeting_id: Uuid,
    pub text: String,
    pub issue_ids: Vec<Uuid>,
    pub recommendation_ids: Vec<Uuid>,
}

impl Entity for MeetingDecision {
    const TABLE: &'static schema::Table = &schema::DECISION;
    fn template() -> Self {
        MeetingDecision {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            meeting_id: Uuid::nil(),
            text: "?".into(),
            issue_ids: Vec::new(),
            recommendation_ids: Vec::new(),
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::body("text", &self.text, false)?;
        id_list("issue_ids", &self.issue_ids)?;
        id_list("recommendation_ids", &self.recommendation_ids)
    }
    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![Reference::new(
            "meeting_id",
            &schema::MEETING,
            self.meeting_id,
        )];
        refs.extend(
            self.issue_ids
                .iter()
                .map(|id| Reference::new("issue_ids", &schema::TRACKED_ISSUE, *id)),
        );
        refs.extend(
            self.recommendation_ids
                .iter()
                .map(|id| Reference::new("recommendation_ids", &schema::RECOMMENDATION, *id)),
        );
        refs
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewMeetingDecision {
    pub meeting_id: Uuid,
    pub text: String,
    #[serde(default)]
    pub issue_ids: Vec<Uuid>,
    #[serde(default)]
    pub recommendation_ids: Vec<Uuid>,
}

impl NewInput for NewMeetingDecision {
    type Entity = MeetingDecision;
    fn build(self, ctx: &NewContext) -> Result<MeetingDecision> {
        Ok(MeetingDecision {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            meeting_id: self.meeting_id,
            text: self.text,
            issue_ids: self.issue_ids,
            recommendation_ids: self.recommendation_ids,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MeetingDecisionPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue_ids: Option<Vec<Uuid>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_ids: Option<Vec<Uuid>>,
}
patch_input!(MeetingDecisionPatch => MeetingDecision);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MeetingDecisionFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(MeetingDecisionFilter => MeetingDecision);

/// One edit of a meeting's minutes, by one person: a Yjs update of the text (version 2,
/// base64), merged with every other edit by the text CRDT ([`crate::collab`]). Created once,
/// never changed; the meeting's `minutes` reads as all of its edits merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct MinutesEdit {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub meeting_id: Uuid,
    pub author_id: Uuid,
    pub edit: String,
}

impl Entity for MinutesEdit {
    const TABLE: &'static schema::Table = &schema::MINUTES_EDIT;
    fn template() -> Self {
        MinutesEdit {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            meeting_id: Uuid::nil(),
            author_id: Uuid::nil(),
            // An empty text's state: encoding an empty text cannot fail.
            edit: crate::collab::encode(&crate::collab::TextDoc::new().state().unwrap_or_default()),
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        crate::collab::decode_edit("edit", &self.edit).map(|_| ())
    }
    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::new("meeting_id", &schema::MEETING, self.meeting_id),
            Reference::new("author_id", &schema::PERSON, self.author_id),
        ]
    }
}

/// An edit of a meeting's minutes, from the screen's copy of the text.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct EditMinutes {
    pub meeting_id: Uuid,
    /// What the screen's copy holds that this replica's text lacks: a Yjs update (version 2),
    /// base64 (`Y.encodeStateAsUpdateV2(doc, stateVector)`).
    pub edit: String,
    /// The state vector of the screen's copy (base64): the answer holds only what it lacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
}

/// A meeting's minutes as a screen starts editing them, or what it lacks.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MinutesQuery {
    pub meeting_id: Uuid,
    /// The state vector of the screen's copy (base64, `Y.encodeStateVector`): only what it lacks
    /// comes back. Absent: everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known: Option<String>,
}

/// The minutes' text CRDT, for a screen.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct MinutesState {
    /// A Yjs update (version 2, base64): everything the screen's copy lacks.
    pub update: String,
    /// This replica's state vector (version 1, base64): what the screen sends its edits against.
    pub state_vector: String,
    /// The minutes as they read.
    pub text: String,
    /// Whether anyone has edited the minutes together yet. When not, `text` is what was written
    /// before (a single field): the first editor's copy starts from it.
    pub written_together: bool,
    /// Whether the acting person may edit them.
    pub may_edit: bool,
}

/// A person a meeting's leaders named to write its minutes with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct MinuteTaker {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub meeting_id: Uuid,
    pub person_id: Uuid,
}

impl MinuteTaker {
    /// One record per person and meeting: two leaders naming the same person offline name
    /// them once.
    pub fn id_for(meeting_id: Uuid, person_id: Uuid) -> Uuid {
        pair_id(b"minute_taker", meeting_id, person_id)
    }
}

impl Entity for MinuteTaker {
    const TABLE: &'static schema::Table = &schema::MINUTE_TAKER;
    fn template() -> Self {
        MinuteTaker {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            meeting_id: Uuid::nil(),
            person_id: Uuid::nil(),
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn derived_id(&self) -> Option<Uuid> {
        Some(MinuteTaker::id_for(self.meeting_id, self.person_id))
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::new("meeting_id", &schema::MEETING, self.meeting_id),
            Reference::new("person_id", &schema::PERSON, self.person_id),
        ]
    }
}

/// Names a person to write a meeting's minutes.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewMinuteTaker {
    pub meeting_id: Uuid,
    pub person_id: Uuid,
}

impl NewInput for NewMinuteTaker {
    type Entity = MinuteTaker;
    fn build(self, _ctx: &NewContext) -> Result<MinuteTaker> {
        Ok(MinuteTaker {
            id: MinuteTaker::id_for(self.meeting_id, self.person_id),
            archived: false,
            unreadable: Vec::new(),
            meeting_id: self.meeting_id,
            person_id: self.person_id,
        })
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MinuteTakerFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meeting_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(MinuteTakerFilter => MinuteTaker);
