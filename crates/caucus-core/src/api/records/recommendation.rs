//! Recommendations and their translations: posting, editing, archiving, and the lifecycle's
//! moves (a plain transition, drafting an answer, publishing it), each decided by
//! [`crate::lifecycle`] for the acting person's role in the recommendation's group.

use super::pipeline::Acting;
use super::record_commands;
use crate::api::Caucus;
use crate::error::Result;
use crate::lifecycle::{self, Actor};
use crate::model::*;
use serde_json::{Map, Value};
use uuid::Uuid;

impl Caucus {
    pub async fn get_recommendation(&self, input: IdInput) -> Result<Recommendation> {
        self.get(input.id).await
    }
    pub async fn list_recommendations(
        &self,
        input: RecommendationFilter,
    ) -> Result<Vec<Recommendation>> {
        self.list(input).await
    }

    /// Posts a recommendation in the acting person's name (a draft, unless opened at once).
    pub async fn create_recommendation(&self, input: NewRecommendation) -> Result<Recommendation> {
        self.create(input).await
    }

    pub async fn update_recommendation(
        &self,
        input: RecommendationPatch,
    ) -> Result<Recommendation> {
        let acting = self.acting().await?;
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(&acting, rec.group_id, "editing a recommendation")
            .await?;
        lifecycle::check_edit(&rec, &actor)?;
        self.update_as(&acting, input).await
    }

    /// Archiving hides a recommendation from lists; only the team's leader or focal point may.
    pub async fn archive_recommendation(&self, input: IdInput) -> Result<Recommendation> {
        let acting = self.acting().await?;
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(&acting, rec.group_id, "archiving a recommendation")
            .await?;
        lifecycle::check_archive(&actor)?;
        self.archive_as(&acting, input.id).await
    }

    pub async fn transition_recommendation(&self, input: Transition) -> Result<Recommendation> {
        let acting = self.acting().await?;
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(&acting, rec.group_id, "changing a recommendation's state")
            .await?;
        lifecycle::check_transition(&rec, input.to, &actor)?;
        let mut fields = Map::new();
        fields.insert(
            "state".into(),
            serde_json::to_value(input.to).unwrap_or(Value::Null),
        );
        self.update_fields(&acting, &rec, fields).await
    }

    pub async fn draft_answer(&self, input: DraftAnswer) -> Result<Recommendation> {
        crate::text::body("text", &input.text, true)?;
        let acting = self.acting().await?;
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(&acting, rec.group_id, "answering a recommendation")
            .await?;
        lifecycle::check_draft_answer(
            &rec,
            input.decision,
            &input.text,
            input.duplicate_of,
            &actor,
        )?;
        let mut fields = Map::new();
        fields.insert("answer_draft".into(), Value::String(input.text));
        fields.insert(
            "answer_draft_decision".into(),
            serde_json::to_value(input.decision).unwrap_or(Value::Null),
        );
        fields.insert(
            "duplicate_of".into(),
            serde_json::to_value(input.duplicate_of).unwrap_or(Value::Null),
        );
        self.update_fields(&acting, &rec, fields).await
    }

    pub async fn publish_answer(&self, input: IdInput) -> Result<Recommendation> {
        let acting = self.acting().await?;
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(&acting, rec.group_id, "publishing an answer")
            .await?;
        let state = lifecycle::check_publish(&rec, &actor)?;
        let mut fields = Map::new();
        fields.insert(
            "state".into(),
            serde_json::to_value(state).unwrap_or(Value::Null),
        );
        fields.insert("answer".into(), Value::String(rec.answer_draft.clone()));
        fields.insert("answer_draft".into(), Value::String(String::new()));
        fields.insert("answer_draft_decision".into(), Value::Null);
        self.update_fields(&acting, &rec, fields).await
    }

    /// The acting person as the lifecycle sees them, for a recommendation's group.
    async fn lifecycle_actor(&self, acting: &Acting, group_id: Uuid, doing: &str) -> Result<Actor> {
        let person = acting.require(doing)?;
        let (memberships, steering) = self.memberships_of(person).await?;
        let role = memberships
            .iter()
            .find(|m| m.group_id == group_id)
            .map(|m| m.role);
        Ok(Actor {
            person,
            role,
            steering,
        })
    }
}

record_commands!(
    Translation,
    NewTranslation,
    TranslationPatch,
    TranslationFilter,
    create_translation,
    update_translation,
    get_translation,
    list_translations,
    archive_translation
);
