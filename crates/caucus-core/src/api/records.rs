//! The record commands: generic create, update, get, list and archive, and the commands with
//! rules of their own (memberships, endorsements, the recommendation lifecycle).

use super::Caucus;
use crate::error::{CoreError, Result};
use crate::lifecycle::{self, Actor};
use crate::model::*;
use crate::rights::{self, Operation, Standing};
use crate::schema::{self, BucketRule, Table, COALITION_BUCKET};
use crate::store::{read, Edit};
use serde_json::{Map, Value};
use uuid::Uuid;

/// A record's columns as JSON, keyed by column name (without `id` and `archived`).
fn columns_of<E: Entity>(record: &E) -> Result<Map<String, Value>> {
    match serde_json::to_value(record) {
        Ok(Value::Object(mut map)) => {
            map.remove("id");
            map.remove("archived");
            map.remove("unreadable");
            Ok(map)
        }
        _ => Err(CoreError::invalid(
            "record",
            "does not serialize to an object",
        )),
    }
}

impl Caucus {
    /// The bucket a new record belongs to.
    async fn bucket_for<E: Entity>(&self, record: &E) -> Result<String> {
        let columns = columns_of(record)?;
        let uuid_in = |col: &str| -> Result<Uuid> {
            columns
                .get(col)
                .and_then(Value::as_str)
                .and_then(|s| Uuid::parse_str(s).ok())
                .ok_or_else(|| CoreError::invalid(col.to_string(), "missing"))
        };
        match E::TABLE.bucket {
            BucketRule::Coalition => Ok(COALITION_BUCKET.to_string()),
            BucketRule::GroupColumn(col) => Ok(uuid_in(col)?.to_string()),
            BucketRule::Parent { column, table } => {
                let parent = uuid_in(column)?;
                let table = schema::table(table)
                    .ok_or_else(|| CoreError::invalid(column, "unknown parent"))?;
                read::row_meta(self.store.pool(), table, parent)
                    .await?
                    .map(|(bucket, _)| bucket)
                    .ok_or_else(|| CoreError::invalid(column, format!("no such {}", table.entity)))
            }
        }
    }

    /// Checks that every record `record` points at exists and is not archived.
    async fn check_references<E: Entity>(&self, record: &E) -> Result<()> {
        for r in record.references() {
            match read::row_meta(self.store.pool(), r.table, r.id).await? {
                Some((_, cl)) if crate::change::is_alive(cl) => {}
                Some(_) => {
                    return Err(CoreError::invalid(
                        r.field,
                        format!("that {} is archived", r.table.entity),
                    ))
                }
                None => {
                    return Err(CoreError::invalid(
                        r.field,
                        format!("no {} with id {}", r.table.entity, r.id),
                    ))
                }
            }
        }
        Ok(())
    }

    /// Validates and writes a whole new record (or restores an archived one with a derived
    /// id), returning it as stored.
    pub(crate) async fn insert<E: Entity>(&self, record: E) -> Result<E> {
        record.validate()?;
        self.check_references(&record).await?;
        let table = E::TABLE;
        let cl = match read::row_meta(self.store.pool(), table, record.id()).await? {
            None => 1,
            Some((_, cl)) if crate::change::is_alive(cl) => {
                return Err(CoreError::conflict(format!(
                    "this {} exists already",
                    table.entity
                )))
            }
            // Archived: the write restores it, with the next odd causal length.
            Some((_, cl)) => cl + 1,
        };
        let bucket = self.bucket_for(&record).await?;
        let mut edits = vec![Edit::row(&bucket, table.name, record.id(), cl)];
        for (name, value) in columns_of(&record)? {
            edits.push(field_edit(table, &bucket, record.id(), &name, value, cl)?);
        }
        let actor = self.acting_person_id().await?;
        self.store.write(actor, edits).await?;
        read::get(self.store.pool(), record.id()).await
    }

    pub(crate) async fn create<N: NewInput>(&self, input: N) -> Result<N::Entity> {
        let ctx = NewContext {
            id: Uuid::now_v7(),
            actor: self.acting_person_id().await?,
        };
        let record = input.build(&ctx)?;
        // Field errors come before rights errors; `insert` checks references and writes.
        record.validate()?;
        let bucket = self.bucket_for(&record).await?;
        self.authorize(Operation::Create, &record, &[], &bucket)
            .await?;
        self.insert(record).await
    }

    pub(crate) async fn get<E: Entity>(&self, id: Uuid) -> Result<E> {
        read::get(self.store.pool(), id).await
    }

    pub(crate) async fn list<F: FilterInput>(&self, filter: F) -> Result<Vec<F::Entity>> {
        read::list(self.store.pool(), &filter).await
    }

    /// Applies a patch: overlays its present fields on the current record, validates the
    /// result, and writes only the fields that changed.
    pub(crate) async fn update<P: PatchInput>(&self, patch: P) -> Result<P::Entity> {
        let current: P::Entity = self.get(patch.id()).await?;
        let bucket = self.bucket_of(&current).await?;
        let fields = patch_fields(&patch)?;
        let before = columns_of(&current)?;
        // Rights are per field: ask about the fields this patch changes.
        let changed: Vec<&str> = fields
            .iter()
            .filter(|(name, value)| before.get(name.as_str()) != Some(value))
            .map(|(name, _)| name.as_str())
            .collect();
        self.authorize(Operation::Update, &current, &changed, &bucket)
            .await?;
        self.update_fields(&current, fields).await
    }

    /// Writes new values for some fields of `current` (validated as a whole record first).
    pub(crate) async fn update_fields<E: Entity>(
        &self,
        current: &E,
        fields: Map<String, Value>,
    ) -> Result<E> {
        let table = E::TABLE;
        if current_archived(current)? {
            return Err(CoreError::conflict(format!(
                "this {} is archived and cannot be edited",
                table.entity
            )));
        }
        let mut merged = serde_json::to_value(current)
            .map_err(|e| CoreError::invalid("record", e.to_string()))?;
        let before = columns_of(current)?;
        if let Value::Object(map) = &mut merged {
            for (k, v) in fields {
                map.insert(k, v);
            }
        }
        let updated: E = serde_json::from_value(merged)
            .map_err(|e| CoreError::invalid("input", e.to_string()))?;
        updated.validate()?;
        self.check_references(&updated).await?;
        let (bucket, cl) = read::row_meta(self.store.pool(), table, current.id())
            .await?
            .ok_or_else(|| CoreError::NotFound {
                entity: table.entity,
                id: current.id().to_string(),
            })?;
        let mut edits = Vec::new();
        for (name, value) in columns_of(&updated)? {
            if before.get(&name) != Some(&value) {
                edits.push(field_edit(table, &bucket, current.id(), &name, value, cl)?);
            }
        }
        if !edits.is_empty() {
            let actor = self.acting_person_id().await?;
            self.store.write(actor, edits).await?;
        }
        self.get(current.id()).await
    }

    /// Archives a record if the acting person may.
    pub(crate) async fn archive<E: Entity>(&self, id: Uuid) -> Result<E> {
        let current: E = self.get(id).await?;
        let bucket = self.bucket_of(&current).await?;
        self.authorize(Operation::Archive, &current, &[], &bucket)
            .await?;
        self.archive_row(id).await
    }

    /// Archives a record: raises its causal length to the next even number. Nothing is erased;
    /// the history keeps every value.
    pub(crate) async fn archive_row<E: Entity>(&self, id: Uuid) -> Result<E> {
        let table: &Table = E::TABLE;
        let (bucket, cl) = read::row_meta(self.store.pool(), table, id)
            .await?
            .ok_or_else(|| CoreError::NotFound {
                entity: table.entity,
                id: id.to_string(),
            })?;
        if !crate::change::is_alive(cl) {
            return Err(CoreError::conflict(format!(
                "this {} is already archived",
                table.entity
            )));
        }
        let actor = self.acting_person_id().await?;
        self.store
            .write(actor, vec![Edit::row(&bucket, table.name, id, cl + 1)])
            .await?;
        self.get(id).await
    }

    /// The bucket a stored record belongs to.
    async fn bucket_of<E: Entity>(&self, record: &E) -> Result<String> {
        read::row_meta(self.store.pool(), E::TABLE, record.id())
            .await?
            .map(|(bucket, _)| bucket)
            .ok_or_else(|| CoreError::NotFound {
                entity: E::TABLE.entity,
                id: record.id().to_string(),
            })
    }

    /// The acting person's standing in the group of `bucket` (none for coalition records).
    async fn standing(&self, bucket: &str) -> Result<Option<Standing>> {
        let Some(person_id) = self.acting_person_id().await? else {
            return Ok(None);
        };
        let person: Person = self.get(person_id).await?;
        let role = match Uuid::parse_str(bucket) {
            Ok(group_id) => match self
                .get::<Membership>(Membership::id_for(group_id, person_id))
                .await
            {
                Ok(m) if !m.archived => Some(m.role),
                _ => None,
            },
            Err(_) => None,
        };
        Ok(Some(Standing {
            person: person_id,
            organization: person.organization_id,
            admin: person.secretariat_admin && !person.archived,
            role,
        }))
    }

    /// Checks a write against [`rights::check`]; `columns` are the fields an update changes.
    async fn authorize<E: Entity>(
        &self,
        op: Operation,
        record: &E,
        columns: &[&str],
        bucket: &str,
    ) -> Result<()> {
        let mut fields = columns_of(record)?;
        fields.insert("id".into(), Value::String(record.id().to_string()));
        // A group's own row is coalition-wide, but its leaders are found in the group.
        let group = if E::TABLE.name == schema::GROUP.name {
            record.id().to_string()
        } else {
            bucket.to_string()
        };
        let standing = self.standing(&group).await?;
        let setting_up = !read::has_secretariat_admin(self.store.pool()).await?;
        rights::check(
            E::TABLE.name,
            op,
            &fields,
            columns,
            standing.as_ref(),
            setting_up,
        )
    }

    /// A person's current memberships, and whether one of them is in the steering committee.
    pub(crate) async fn memberships_of(&self, person: Uuid) -> Result<(Vec<Membership>, bool)> {
        let memberships = read::list(
            self.store.pool(),
            &MembershipFilter {
                person_id: Some(person),
                ..Default::default()
            },
        )
        .await?;
        let mut steering = false;
        for m in &memberships {
            let group: Group = self.get(m.group_id).await?;
            steering |= group.kind == GroupKind::SteeringCommittee && !group.archived;
        }
        Ok((memberships, steering))
    }

    /// The acting person as the lifecycle sees them, for a recommendation's group.
    async fn lifecycle_actor(&self, group_id: Uuid, doing: &str) -> Result<Actor> {
        let person = self.require_actor(doing).await?;
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

    /// May the acting person assign leadership roles in this group? The secretariat and the
    /// group's own leaders and focal points may.
    async fn check_role_assignment(&self, group_id: Uuid, role: Role) -> Result<()> {
        if matches!(role, Role::Member | Role::Observer) {
            return Ok(());
        }
        let person = self.require_actor("assigning a role").await?;
        let me: Person = self.get(person).await?;
        if me.secretariat_admin {
            return Ok(());
        }
        let mine = self
            .get::<Membership>(Membership::id_for(group_id, person))
            .await;
        match mine {
            Ok(m) if !m.archived && matches!(m.role, Role::Leader | Role::FocalPoint) => Ok(()),
            _ => Err(CoreError::forbidden(
                "only the secretariat or the group's leader or focal point may name leaders and focal points",
            )),
        }
    }
}

/// The edit that writes one field, with the column name taken from the registry.
fn field_edit(
    table: &'static Table,
    bucket: &str,
    row: Uuid,
    name: &str,
    value: Value,
    cl: u64,
) -> Result<Edit> {
    let column = table
        .column(name)
        .ok_or_else(|| CoreError::invalid(name.to_string(), "not a column"))?;
    Ok(Edit {
        bucket: bucket.to_string(),
        table: table.name,
        row,
        column: column.name,
        value,
        cl,
    })
}

fn current_archived<E: Entity>(record: &E) -> Result<bool> {
    Ok(serde_json::to_value(record)
        .ok()
        .and_then(|v| v.get("archived").and_then(Value::as_bool))
        .unwrap_or(false))
}

/// A patch's present fields, without its id.
fn patch_fields<P: PatchInput>(patch: &P) -> Result<Map<String, Value>> {
    match serde_json::to_value(patch) {
        Ok(Value::Object(mut map)) => {
            map.remove("id");
            Ok(map)
        }
        _ => Err(CoreError::invalid("input", "must be an object")),
    }
}

/// The five generic commands of an entity, as methods named in the command list.
macro_rules! record_commands {
    ($entity:ty, $new:ty, $patch:ty, $filter:ty,
     $create:ident, $update:ident, $get:ident, $list:ident, $archive:ident) => {
        impl Caucus {
            pub async fn $create(&self, input: $new) -> Result<$entity> {
                self.create(input).await
            }
            pub async fn $update(&self, input: $patch) -> Result<$entity> {
                self.update(input).await
            }
            record_commands!(@read $entity, $filter, $get, $list, $archive);
        }
    };
    (@read $entity:ty, $filter:ty, $get:ident, $list:ident, $archive:ident) => {
        pub async fn $get(&self, input: IdInput) -> Result<$entity> {
            self.get(input.id).await
        }
        pub async fn $list(&self, input: $filter) -> Result<Vec<$entity>> {
            self.list(input).await
        }
        pub async fn $archive(&self, input: IdInput) -> Result<$entity> {
            self.archive(input.id).await
        }
    };
}

record_commands!(
    Organization,
    NewOrganization,
    OrganizationPatch,
    OrganizationFilter,
    create_organization,
    update_organization,
    get_organization,
    list_organizations,
    archive_organization
);
record_commands!(
    Person,
    NewPerson,
    PersonPatch,
    PersonFilter,
    create_person,
    update_person,
    get_person,
    list_people,
    archive_person
);
record_commands!(
    Group,
    NewGroup,
    GroupPatch,
    GroupFilter,
    create_group,
    update_group,
    get_group,
    list_groups,
    archive_group
);
record_commands!(
    TrackedIssue,
    NewTrackedIssue,
    TrackedIssuePatch,
    TrackedIssueFilter,
    create_tracked_issue,
    update_tracked_issue,
    get_tracked_issue,
    list_tracked_issues,
    archive_tracked_issue
);
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
    pub async fn get_membership(&self, input: IdInput) -> Result<Membership> {
        self.get(input.id).await
    }
    pub async fn list_memberships(&self, input: MembershipFilter) -> Result<Vec<Membership>> {
        self.list(input).await
    }

    /// Joins a group: membership is open to everyone; naming leaders needs rights.
    pub async fn join_group(&self, input: JoinGroup) -> Result<Membership> {
        let person_id = match input.person_id {
            Some(id) => id,
            None => self.require_actor("joining a group").await?,
        };
        let role = input.role.unwrap_or(Role::Member);
        self.check_role_assignment(input.group_id, role).await?;
        let id = Membership::id_for(input.group_id, person_id);
        if let Ok(existing) = self.get::<Membership>(id).await {
            if !existing.archived {
                return Err(CoreError::conflict(
                    "this person is already a member of the group",
                ));
            }
        }
        self.insert(Membership {
            id,
            archived: false,
            unreadable: Vec::new(),
            group_id: input.group_id,
            person_id,
            role,
        })
        .await
    }

    pub async fn leave_group(&self, input: LeaveGroup) -> Result<Membership> {
        let person_id = match input.person_id {
            Some(id) => id,
            None => self.require_actor("leaving a group").await?,
        };
        let id = Membership::id_for(input.group_id, person_id);
        match self.get::<Membership>(id).await {
            // Leaving is always allowed; removing someone else is the group's leaders' call.
            Ok(m) if !m.archived && Some(person_id) == self.acting_person_id().await? => {
                self.archive_row(id).await
            }
            Ok(m) if !m.archived => self.archive(id).await,
            _ => Err(CoreError::conflict(
                "this person is not a member of the group",
            )),
        }
    }

    pub async fn update_membership(&self, input: MembershipPatch) -> Result<Membership> {
        let current: Membership = self.get(input.id).await?;
        if let Some(role) = input.role {
            self.check_role_assignment(current.group_id, role).await?;
        }
        self.update(input).await
    }

    pub async fn get_recommendation(&self, input: IdInput) -> Result<Recommendation> {
        self.get(input.id).await
    }
    pub async fn list_recommendations(
        &self,
        input: RecommendationFilter,
    ) -> Result<Vec<Recommendation>> {
        self.list(input).await
    }

    pub async fn create_recommendation(&self, input: NewRecommendation) -> Result<Recommendation> {
        self.require_actor("posting a recommendation").await?;
        self.create(input).await
    }

    pub async fn update_recommendation(
        &self,
        input: RecommendationPatch,
    ) -> Result<Recommendation> {
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(rec.group_id, "editing a recommendation")
            .await?;
        lifecycle::check_edit(&rec, &actor)?;
        self.update(input).await
    }

    /// Archiving hides a recommendation from lists; only the team's leader or focal point may.
    pub async fn archive_recommendation(&self, input: IdInput) -> Result<Recommendation> {
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(rec.group_id, "archiving a recommendation")
            .await?;
        if !matches!(actor.role, Some(Role::Leader | Role::FocalPoint)) {
            return Err(CoreError::forbidden(
                "only the team's leader or focal point may archive a recommendation",
            ));
        }
        self.archive(input.id).await
    }

    pub async fn transition_recommendation(&self, input: Transition) -> Result<Recommendation> {
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(rec.group_id, "changing a recommendation's state")
            .await?;
        lifecycle::check_transition(&rec, input.to, &actor)?;
        let mut fields = Map::new();
        fields.insert(
            "state".into(),
            serde_json::to_value(input.to).unwrap_or(Value::Null),
        );
        self.update_fields(&rec, fields).await
    }

    pub async fn draft_answer(&self, input: DraftAnswer) -> Result<Recommendation> {
        crate::text::body("text", &input.text, true)?;
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(rec.group_id, "answering a recommendation")
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
        self.update_fields(&rec, fields).await
    }

    pub async fn publish_answer(&self, input: IdInput) -> Result<Recommendation> {
        let rec: Recommendation = self.get(input.id).await?;
        let actor = self
            .lifecycle_actor(rec.group_id, "publishing an answer")
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
        self.update_fields(&rec, fields).await
    }

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
        let person_id = self.require_actor("endorsing").await?;
        let person: Person = self.get(person_id).await?;
        let organization_id = person.organization_id.ok_or_else(|| {
            CoreError::forbidden("only people who act for an organization can endorse")
        })?;
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
        self.insert(Endorsement {
            id: Endorsement::id_for(rec.id, organization_id),
            archived: false,
            unreadable: Vec::new(),
            recommendation_id: rec.id,
            organization_id,
            person_id,
        })
        .await
        .map_err(|e| match e {
            CoreError::Conflict { .. } => {
                CoreError::conflict("your organization has already endorsed this recommendation")
            }
            other => other,
        })
    }

    pub async fn get_comment(&self, input: IdInput) -> Result<Comment> {
        self.get(input.id).await
    }
    pub async fn list_comments(&self, input: CommentFilter) -> Result<Vec<Comment>> {
        self.list(input).await
    }
    pub async fn create_comment(&self, input: NewComment) -> Result<Comment> {
        self.require_actor("commenting").await?;
        self.create(input).await
    }
    /// Only a comment's author edits it (see [`rights`]).
    pub async fn update_comment(&self, input: CommentPatch) -> Result<Comment> {
        self.update(input).await
    }
    pub async fn archive_comment(&self, input: IdInput) -> Result<Comment> {
        self.archive(input.id).await
    }

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
        let present = input.present;
        let record = input.build(&NewContext {
            id: Uuid::nil(),
            actor: None,
        })?;
        let bucket = self.bucket_for(&record).await?;
        self.authorize(Operation::Create, &record, &[], &bucket)
            .await?;
        match self.get::<Attendance>(record.id).await {
            Ok(existing) if !existing.archived => {
                let mut fields = Map::new();
                fields.insert("present".into(), Value::Bool(present));
                self.update_fields(&existing, fields).await
            }
            _ => self.insert(record).await,
        }
    }
}
