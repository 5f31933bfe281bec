//! Endorsements: one per organization, made for the acting person's own organization while
//! the recommendation is open or under review; withdrawn by someone of that organization.

use crate::api::Caucus;
use crate::error::{CoreError, Result};
use crate::lifecycle;
use crate::model::*;

impl Caucus {
    pub async fn get_endorsement(&self, input: IdInput) -> Result<Endorsement> {
        self.get(input.id).await
    }
    pub async fn list_endorsements(&self, input: EndorsementFilter) -> Result<Vec<Endorsement>> {
        self.list(input).await
    }
    pub async fn archive_endorsement(&self, input: IdInput) -> Result<Endorsement> {
        self.archive(input.id).await
    }

    /// Endorses a recommendation for the acting person's organization (one endorsement per
    /// organization).
    pub async fn endorse_recommendation(&self, input: Endorse) -> Result<Endorsement> {
        let acting = self.acting().await?;
        let person_id = acting.require("endorsing")?;
        let organization_id = acting
            .person
            .as_ref()
            .and_then(|p| p.organization_id)
            .ok_or_else(|| {
                CoreError::forbidden("only people who act for an organization can endorse")
            })?;
        let organization: Organization = self.get(organization_id).await?;
        if let Some(refusal) = crate::rights::endorsement_refusal(organization.status) {
            return Err(CoreError::forbidden(refusal));
        }
        let rec: Recommendation = self.get(input.recommendation_id).await?;
        if !matches!(
            rec.state,
            RecommendationState::Open | RecommendationState::UnderReview
        ) {
            return Err(CoreError::conflict(format!(
                "the recommendation is {}: it can no longer be endorsed",
                lifecycle::state_name(rec.state)
            )));
        }
        let endorsement = Endorsement {
            id: Endorsement::id_for(rec.id, organization_id),
            archived: false,
            unreadable: Vec::new(),
            recommendation_id: rec.id,
            organization_id,
            person_id,
        };
        let bucket = self.placed(&endorsement).await?;
        self.insert(&acting, endorsement, &bucket)
            .await
            .map_err(|e| match e {
                CoreError::Conflict { .. } => CoreError::conflict(
                    "your organization has already endorsed this recommendation",
                ),
                other => other,
            })
    }
}
