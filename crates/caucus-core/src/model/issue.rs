//! Tracked issues: what a team monitors or acts on.

use super::{filter_input, id_list, patch_input, Entity, NewContext, NewInput, Reference};
use crate::error::Result;
use crate::schema;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum IssueStatus {
    Open,
    Monitoring,
    ActionNeeded,
    Resolved,
    Archived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct TrackedIssue {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub group_id: Uuid,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub status: IssueStatus,
    pub priority: Priority,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub assignee_ids: Vec<Uuid>,
    pub labels: Vec<String>,
    pub recommendation_ids: Vec<Uuid>,
}

impl Entity for TrackedIssue {
    const TABLE: &'static schema::Table = &schema::TRACKED_ISSUE;
    fn template() -> Self {
        TrackedIssue {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            group_id: Uuid::nil(),
            title: "?".into(),
            description: String::new(),
            status: IssueStatus::Open,
            priority: Priority::Normal,
            due_date: None,
            assignee_ids: Vec::new(),
            labels: Vec::new(),
            recommendation_ids: Vec::new(),
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::line("title", &self.title, text::TITLE_MAX)?;
        text::body("description", &self.description, true)?;
        if let Some(d) = &self.due_date {
            text::date("due_date", d)?;
        }
        id_list("assignee_ids", &self.assignee_ids)?;
        text::labels("labels", &self.labels)?;
        id_list("recommendation_ids", &self.recommendation_ids)
    }
    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![Reference::new("group_id", &schema::GROUP, self.group_id)];
        refs.extend(
            self.assignee_ids
                .iter()
                .map(|id| Reference::new("assignee_ids", &schema::PERSON, *id)),
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
pub struct NewTrackedIssue {
    pub group_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub status: Option<IssueStatus>,
    pub priority: Option<Priority>,
    pub due_date: Option<String>,
    #[serde(default)]
    pub assignee_ids: Vec<Uuid>,
    #[serde(default)]
    pub labels: Vec<String>,
}

impl NewInput for NewTrackedIssue {
    type Entity = TrackedIssue;
    fn build(self, ctx: &NewContext) -> Result<TrackedIssue> {
        Ok(TrackedIssue {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            group_id: self.group_id,
            title: self.title,
            description: self.description,
            status: self.status.unwrap_or(IssueStatus::Open),
            priority: self.priority.unwrap_or(Priority::Normal),
            due_date: self.due_date,
            assignee_ids: self.assignee_ids,
            labels: self.labels,
            recommendation_ids: Vec::new(),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct TrackedIssuePatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<IssueStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// A day (`YYYY-MM-DD`); `""` clears it (absent leaves it as it is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_ids: Option<Vec<Uuid>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_ids: Option<Vec<Uuid>>,
}
patch_input!(TrackedIssuePatch => TrackedIssue);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct TrackedIssueFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<IssueStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(TrackedIssueFilter => TrackedIssue);
