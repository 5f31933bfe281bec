//! What a screen shows, in one call, with what the acting person may do there: the screen
//! renders the answer and offers exactly the actions it lists (the core checks each again when
//! it is taken).

use super::records::pipeline::Acting;
use super::Caucus;
use crate::error::Result;
use crate::lifecycle::{self, Actor};
use crate::model::*;
use serde::Serialize;
use uuid::Uuid;

/// A person's or an organization's name, for the ids a page mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct Named {
    /// The person's or organization's id.
    pub id: Uuid,
    /// Their name, as this replica knows it.
    pub name: String,
}

/// A recommendation's screen.
#[derive(Debug, Clone, Serialize, specta::Type)]
pub struct RecommendationPage {
    /// The recommendation.
    pub recommendation: Recommendation,
    /// The group it was posted in.
    pub group: Group,
    /// Its comments, oldest first.
    pub comments: Vec<Comment>,
    /// The organizations' endorsements of it.
    pub endorsements: Vec<Endorsement>,
    /// Its translations.
    pub translations: Vec<Translation>,
    /// The people and organizations the page mentions (authors, endorsers, commenters,
    /// addressees), so the screen names them without reading the whole directory.
    pub names: Vec<Named>,
    /// When each comment was posted, in the comments' order.
    pub posted: Vec<Posted>,
    /// What the acting person may do here.
    pub may: RecommendationActions,
}

/// When a record was posted: the clock of its first change, as the log holds it (a comment has
/// no field for it; every replica's log says it the same).
#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Posted {
    /// The record.
    pub id: Uuid,
    /// Milliseconds since the Unix epoch.
    pub at_ms: f64,
}

/// What the acting person may do on a recommendation's screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct RecommendationActions {
    /// The lifecycle's part: moves, editing, answering, publishing, archiving.
    #[serde(flatten)]
    pub lifecycle: lifecycle::Actions,
    /// Endorse it for their organization now.
    pub endorse: bool,
    /// Their organization's standing in the coalition when it keeps them from endorsing
    /// (suspended, applying, former); None when it does not.
    pub standing: Option<MembershipStatus>,
    /// Their organization's endorsement, which they may withdraw.
    pub withdraw: Option<Uuid>,
    /// Comment on it.
    pub comment: bool,
    /// Edit and archive these comments (their own).
    pub own_comments: Vec<Uuid>,
}

impl Caucus {
    /// Everything a recommendation's screen shows, and what the acting person may do there.
    pub async fn recommendation_page(&self, input: IdInput) -> Result<RecommendationPage> {
        let acting = self.acting().await?;
        let recommendation: Recommendation = self.get(input.id).await?;
        let group: Group = self.get(recommendation.group_id).await?;
        let comments = self
            .list_comments(CommentFilter {
                recommendation_id: Some(input.id),
                include_archived: None,
            })
            .await?;
        let endorsements = self
            .list_endorsements(EndorsementFilter {
                recommendation_id: Some(input.id),
                organization_id: None,
                include_archived: None,
            })
            .await?;
        let translations = self
            .list_translations(TranslationFilter {
                recommendation_id: Some(input.id),
                include_archived: None,
            })
            .await?;
        let may = self
            .recommendation_actions(&acting, &recommendation, &comments, &endorsements)
            .await?;
        let mut people: Vec<Uuid> = std::iter::once(recommendation.author_id)
            .chain(recommendation.co_author_ids.iter().copied())
            .chain(endorsements.iter().map(|e| e.person_id))
            .chain(comments.iter().map(|c| c.author_id))
            .collect();
        let mut organizations: Vec<Uuid> = endorsements
            .iter()
            .map(|e| e.organization_id)
            .chain(recommendation.addressee_ids.iter().copied())
            .collect();
        people.sort_unstable();
        people.dedup();
        organizations.sort_unstable();
        organizations.dedup();
        let mut names = Vec::new();
        for id in people {
            if let Ok(p) = self.get::<Person>(id).await {
                names.push(Named { id, name: p.name });
            }
        }
        for id in organizations {
            if let Ok(o) = self.get::<Organization>(id).await {
                names.push(Named { id, name: o.name });
            }
        }
        let posted = self.posted(&comments).await?;
        Ok(RecommendationPage {
            recommendation,
            group,
            comments,
            posted,
            endorsements,
            translations,
            names,
            may,
        })
    }

    /// When each comment was posted: the clock of its first log entry, in one read.
    async fn posted(&self, comments: &[Comment]) -> Result<Vec<Posted>> {
        if comments.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT row_id, MIN(hlc) FROM log_entry
             WHERE tbl = (SELECT no FROM log_name WHERE name = 'comment') AND row_id IN ({})
             GROUP BY row_id",
            vec!["?"; comments.len()].join(", ")
        );
        let mut query = sqlx::query_as::<_, (Vec<u8>, i64)>(&sql);
        for c in comments {
            query = query.bind(c.id.as_bytes().to_vec());
        }
        let first: std::collections::HashMap<Vec<u8>, i64> = query
            .fetch_all(self.store().pool())
            .await?
            .into_iter()
            .collect();
        Ok(comments
            .iter()
            .filter_map(|c| {
                let hlc = first.get(c.id.as_bytes().as_slice())?;
                Some(Posted {
                    id: c.id,
                    at_ms: crate::hlc::Hlc(*hlc as u64).ms() as f64,
                })
            })
            .collect())
    }

    async fn recommendation_actions(
        &self,
        acting: &Acting,
        rec: &Recommendation,
        comments: &[Comment],
        endorsements: &[Endorsement],
    ) -> Result<RecommendationActions> {
        let Some(person) = acting.id() else {
            return Ok(RecommendationActions {
                lifecycle: lifecycle::Actions {
                    moves: Vec::new(),
                    edit: false,
                    answer: false,
                    publish: false,
                    archive: false,
                },
                endorse: false,
                standing: None,
                withdraw: None,
                comment: false,
                own_comments: Vec::new(),
            });
        };
        let (memberships, steering) = self.memberships_of(person).await?;
        let actor = Actor {
            person,
            role: memberships
                .iter()
                .find(|m| m.group_id == rec.group_id)
                .map(|m| m.role),
            steering,
        };
        let organization = acting.person.as_ref().and_then(|p| p.organization_id);
        let standing = match organization {
            Some(id) => self
                .get::<Organization>(id)
                .await
                .ok()
                .map(|o| o.status)
                .filter(|s| *s != MembershipStatus::Member),
            None => None,
        };
        let ours = endorsements
            .iter()
            .find(|e| Some(e.organization_id) == organization)
            .map(|e| e.id);
        let endorsable = matches!(
            rec.state,
            RecommendationState::Open | RecommendationState::UnderReview
        );
        Ok(RecommendationActions {
            lifecycle: lifecycle::actions(rec, &actor),
            endorse: organization.is_some() && ours.is_none() && endorsable && standing.is_none(),
            standing: standing.filter(|_| ours.is_none() && endorsable),
            withdraw: ours,
            comment: true,
            own_comments: comments
                .iter()
                .filter(|c| c.author_id == person)
                .map(|c| c.id)
                .collect(),
        })
    }
}
