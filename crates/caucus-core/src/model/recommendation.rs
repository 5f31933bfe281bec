//! Recommendations and what hangs off them: translations, endorsements by organizations and
//! comments. The lifecycle rules live in [`crate::lifecycle`].

use super::group::pair_id;
use super::{
    filter_input, id_list, patch_input, Entity, Language, NewContext, NewInput, Reference,
};
use crate::error::{CoreError, Result};
use crate::schema;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a recommendation is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationState {
    Draft,
    Open,
    UnderReview,
    Adopted,
    Referred,
    NotAdopted,
    Duplicate,
    FollowUp,
    Closed,
    Withdrawn,
}

/// The answer a team gives to a recommendation under review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Adopted,
    Referred,
    NotAdopted,
    Duplicate,
}

impl RecommendationState {
    /// Every state, in lifecycle order.
    pub const ALL: &'static [RecommendationState] = &[
        RecommendationState::Draft,
        RecommendationState::Open,
        RecommendationState::UnderReview,
        RecommendationState::Adopted,
        RecommendationState::Referred,
        RecommendationState::NotAdopted,
        RecommendationState::Duplicate,
        RecommendationState::FollowUp,
        RecommendationState::Closed,
        RecommendationState::Withdrawn,
    ];
}

impl Decision {
    pub fn state(self) -> RecommendationState {
        match self {
            Decision::Adopted => RecommendationState::Adopted,
            Decision::Referred => RecommendationState::Referred,
            Decision::NotAdopted => RecommendationState::NotAdopted,
            Decision::Duplicate => RecommendationState::Duplicate,
        }
    }
}

/// Whom a recommendation is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    /// The coalition as a whole.
    Coalition,
    /// The team it is posted in.
    Group,
    /// The member organizations in `addressee_ids`.
    Organizations,
    /// The coalition's steering committee (the group of that kind).
    SteeringCommittee,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Recommendation {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub group_id: Uuid,
    pub author_id: Uuid,
    pub co_author_ids: Vec<Uuid>,
    pub addressee: Addressee,
    pub addressee_ids: Vec<Uuid>,
    pub title: String,
    /// Markdown, in `language`.
    pub body: String,
    pub language: Language,
    pub state: RecommendationState,
    /// An answer being prepared (visible to the team, not yet the team's answer).
    pub answer_draft: String,
    pub answer_draft_decision: Option<Decision>,
    /// The published answer (for "not adopted", the reason).
    pub answer: String,
    /// For a duplicate: the recommendation it duplicates.
    pub duplicate_of: Option<Uuid>,
}

impl Recommendation {
    /// The author or a co-author.
    pub fn is_author(&self, person: Uuid) -> bool {
        self.author_id == person || self.co_author_ids.contains(&person)
    }
}

impl Entity for Recommendation {
    const TABLE: &'static schema::Table = &schema::RECOMMENDATION;
    fn template() -> Self {
        Recommendation {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            group_id: Uuid::nil(),
            author_id: Uuid::nil(),
            co_author_ids: Vec::new(),
            addressee: Addressee::Group,
            addressee_ids: Vec::new(),
            title: "?".into(),
            body: "?".into(),
            language: Language::En,
            state: RecommendationState::Draft,
            answer_draft: String::new(),
            answer_draft_decision: None,
            answer: String::new(),
            duplicate_of: None,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::line("title", &self.title, text::TITLE_MAX)?;
        text::body("body", &self.body, false)?;
        text::body("answer_draft", &self.answer_draft, true)?;
        text::body("answer", &self.answer, true)?;
        id_list("co_author_ids", &self.co_author_ids)?;
        id_list("addressee_ids", &self.addressee_ids)?;
        if self.addressee == Addressee::Organizations && self.addressee_ids.is_empty() {
            return Err(CoreError::invalid(
                "addressee_ids",
                "name at least one organization",
            ));
        }
        if self.duplicate_of == Some(self.id) {
            return Err(CoreError::invalid(
                "duplicate_of",
                "a recommendation cannot duplicate itself",
            ));
        }
        Ok(())
    }
    fn references(&self) -> Vec<Reference> {
        let mut refs = vec![
            Reference::new("group_id", &schema::GROUP, self.group_id),
            Reference::new("author_id", &schema::PERSON, self.author_id),
        ];
        refs.extend(
            self.co_author_ids
                .iter()
                .map(|id| Reference::new("co_author_ids", &schema::PERSON, *id)),
        );
        refs.extend(
            self.addressee_ids
                .iter()
                .map(|id| Reference::new("addressee_ids", &schema::ORGANIZATION, *id)),
        );
        refs.extend(
            self.duplicate_of
                .map(|id| Reference::new("duplicate_of", &schema::RECOMMENDATION, id)),
        );
        refs
    }
}

/// Post a recommendation. It starts as a draft (co-authors only) unless `open` is true.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewRecommendation {
    pub group_id: Uuid,
    pub title: String,
    pub body: String,
    pub language: Language,
    pub addressee: Option<Addressee>,
    #[serde(default)]
    pub addressee_ids: Vec<Uuid>,
    #[serde(default)]
    pub co_author_ids: Vec<Uuid>,
    #[serde(default)]
    pub open: bool,
}

impl NewInput for NewRecommendation {
    type Entity = Recommendation;
    fn build(self, ctx: &NewContext) -> Result<Recommendation> {
        let author_id = ctx.actor.ok_or_else(|| {
            CoreError::forbidden("choose who you are acting as before posting a recommendation")
        })?;
        Ok(Recommendation {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            group_id: self.group_id,
            author_id,
            co_author_ids: self.co_author_ids,
            addressee: self.addressee.unwrap_or(Addressee::Group),
            addressee_ids: self.addressee_ids,
            title: self.title,
            body: self.body,
            language: self.language,
            state: if self.open {
                RecommendationState::Open
            } else {
                RecommendationState::Draft
            },
            answer_draft: String::new(),
            answer_draft_decision: None,
            answer: String::new(),
            duplicate_of: None,
        })
    }
}

/// Edit a recommendation's text (authors while draft or open; leaders and focal points too).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct RecommendationPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addressee: Option<Addressee>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addressee_ids: Option<Vec<Uuid>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub co_author_ids: Option<Vec<Uuid>>,
}
patch_input!(RecommendationPatch => Recommendation);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct RecommendationFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<RecommendationState>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(RecommendationFilter => Recommendation);

/// Move a recommendation to a new state (not to an answered one: answers are drafted and
/// published, see [`DraftAnswer`]).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub id: Uuid,
    pub to: RecommendationState,
}

/// Draft the team's answer; nothing changes for the recommendation's state until it is
/// published.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct DraftAnswer {
    pub id: Uuid,
    pub decision: Decision,
    pub text: String,
    /// Required when the decision is "duplicate".
    pub duplicate_of: Option<Uuid>,
}

/// A recommendation's title and body in another language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Translation {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub recommendation_id: Uuid,
    pub language: Language,
    pub title: String,
    pub body: String,
    /// Machine translated (true) or by a person (false).
    pub machine: bool,
}

impl Translation {
    /// One translation per language: two translators offline edit the same record.
    pub fn id_for(recommendation_id: Uuid, language: Language) -> Uuid {
        pair_id(
            format!("translation:{language:?}").as_bytes(),
            recommendation_id,
            Uuid::nil(),
        )
    }
}

impl Entity for Translation {
    const TABLE: &'static schema::Table = &schema::TRANSLATION;
    fn template() -> Self {
        Translation {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            recommendation_id: Uuid::nil(),
            language: Language::En,
            title: "?".into(),
            body: "?".into(),
            machine: false,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn derived_id(&self) -> Option<Uuid> {
        Some(Translation::id_for(self.recommendation_id, self.language))
    }
    fn validate(&self) -> Result<()> {
        text::line("title", &self.title, text::TITLE_MAX)?;
        text::body("body", &self.body, false)
    }
    fn references(&self) -> Vec<Reference> {
        vec![Reference::new(
            "recommendation_id",
            &schema::RECOMMENDATION,
            self.recommendation_id,
        )]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewTranslation {
    pub recommendation_id: Uuid,
    pub language: Language,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub machine: bool,
}

impl NewInput for NewTranslation {
    type Entity = Translation;
    fn build(self, _ctx: &NewContext) -> Result<Translation> {
        Ok(Translation {
            id: Translation::id_for(self.recommendation_id, self.language),
            archived: false,
            unreadable: Vec::new(),
            recommendation_id: self.recommendation_id,
            language: self.language,
            title: self.title,
            body: self.body,
            machine: self.machine,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct TranslationPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub machine: Option<bool>,
}
patch_input!(TranslationPatch => Translation);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct TranslationFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(TranslationFilter => Translation);

/// An organization's endorsement of a recommendation, made by one of its people. One per
/// organization: the id derives from the pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Endorsement {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub recommendation_id: Uuid,
    pub organization_id: Uuid,
    pub person_id: Uuid,
}

impl Endorsement {
    pub fn id_for(recommendation_id: Uuid, organization_id: Uuid) -> Uuid {
        pair_id(b"endorsement", recommendation_id, organization_id)
    }
}

impl Entity for Endorsement {
    const TABLE: &'static schema::Table = &schema::ENDORSEMENT;
    fn template() -> Self {
        Endorsement {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            recommendation_id: Uuid::nil(),
            organization_id: Uuid::nil(),
            person_id: Uuid::nil(),
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn derived_id(&self) -> Option<Uuid> {
        Some(Endorsement::id_for(
            self.recommendation_id,
            self.organization_id,
        ))
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::new(
                "recommendation_id",
                &schema::RECOMMENDATION,
                self.recommendation_id,
            ),
            Reference::new(
                "organization_id",
                &schema::ORGANIZATION,
                self.organization_id,
            ),
            Reference::new("person_id", &schema::PERSON, self.person_id),
        ]
    }
}

/// Endorse a recommendation for the acting person's organization.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Endorse {
    pub recommendation_id: Uuid,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct EndorsementFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(EndorsementFilter => Endorsement);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CommentKind {
    Comment,
    /// A follow-up progress note.
    ProgressNote,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Comment {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub recommendation_id: Uuid,
    pub author_id: Uuid,
    /// Markdown.
    pub body: String,
    pub kind: CommentKind,
}

impl Entity for Comment {
    const TABLE: &'static schema::Table = &schema::COMMENT;
    fn template() -> Self {
        Comment {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            recommendation_id: Uuid::nil(),
            author_id: Uuid::nil(),
            body: "?".into(),
            kind: CommentKind::Comment,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::body("body", &self.body, false)
    }
    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::new(
                "recommendation_id",
                &schema::RECOMMENDATION,
                self.recommendation_id,
            ),
            Reference::new("author_id", &schema::PERSON, self.author_id),
        ]
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub recommendation_id: Uuid,
    pub body: String,
    pub kind: Option<CommentKind>,
}

impl NewInput for NewComment {
    type Entity = Comment;
    fn build(self, ctx: &NewContext) -> Result<Comment> {
        let author_id = ctx.actor.ok_or_else(|| {
            CoreError::forbidden("choose who you are acting as before commenting")
        })?;
        Ok(Comment {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            recommendation_id: self.recommendation_id,
            author_id,
            body: self.body,
            kind: self.kind.unwrap_or(CommentKind::Comment),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct CommentPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}
patch_input!(CommentPatch => Comment);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct CommentFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(CommentFilter => Comment);
