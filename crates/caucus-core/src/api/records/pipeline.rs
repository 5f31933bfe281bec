//! The write pipeline every record command goes through: who is acting (read once per
//! command), a new record built, validated and placed in its bucket once, the rights asked
//! (per field for an edit), the references checked, and the fields written as one write
//! through the change log. Each record kind's own rules are in the files beside this one.

use crate::api::Caucus;
use crate::error::{CoreError, Result};
use crate::model::*;
use crate::rights::{self, Operation, Standing};
use crate::schema::{self, BucketRule, Table, COALITION_BUCKET};
use crate::store::{read, Edit};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The person acting on this device, as one command sees them: read once, at its start.
#[derive(Debug, Clone)]
pub(crate) struct Acting {
    /// None when nobody is chosen (a new install naming its first people).
    pub person: Option<Person>,
}

impl Acting {
    pub fn id(&self) -> Option<Uuid> {
        self.person.as_ref().map(|p| p.id)
    }

    /// The person's id, or a Forbidden error saying to choose one first.
    pub fn require(&self, doing: &str) -> Result<Uuid> {
        self.id().ok_or_else(|| {
            CoreError::forbidden(format!("choose who you are acting as before {doing}"))
        })
    }

    /// Whether they are the secretariat (an admin whose record is not archived).
    pub fn admin(&self) -> bool {
        self.person
            .as_ref()
            .is_some_and(|p| p.secretariat_admin && !p.archived)
    }
}

/// A record's columns as JSON, keyed by column name (without `id`, `archived` and
/// `unreadable`).
pub(crate) fn columns_of<E: Entity>(record: &E) -> Result<Map<String, Value>> {
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
    /// The person acting on this device.
    pub(crate) async fn acting(&self) -> Result<Acting> {
        let person = match self.acting_person_id().await? {
            Some(id) => Some(read::get::<Person>(self.store().pool(), id).await?),
            None => None,
        };
        Ok(Acting { person })
    }

    /// The bucket a new record belongs to.
    pub(crate) async fn bucket_for<E: Entity>(&self, record: &E) -> Result<String> {
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
                read::row_meta(self.store().pool(), table, parent)
                    .await?
                    .map(|(bucket, _)| bucket)
                    .ok_or_else(|| CoreError::invalid(column, format!("no such {}", table.entity)))
            }
        }
    }

    /// Checks that every record `record` points at exists and is not archived.
    async fn check_references<E: Entity>(&self, record: &E) -> Result<()> {
        for r in record.references() {
            match read::row_meta(self.store().pool(), r.table, r.id).await? {
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

    /// Writes a whole new record (or restores an archived one with a derived id) that was
    /// validated and placed in `bucket`, returning it as stored.
    pub(crate) async fn insert<E: Entity>(
        &self,
        acting: &Acting,
        record: E,
        bucket: &str,
    ) -> Result<E> {
        self.check_references(&record).await?;
        let table = E::TABLE;
        let cl = match read::row_meta(self.store().pool(), table, record.id()).await? {
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
        self.store()
            .write(acting.id(), record_edits(&record, bucket, cl)?)
            .await?;
        read::get(self.store().pool(), record.id()).await
    }

    /// Validates a new record and places it in its bucket: field errors come before rights
    /// errors.
    pub(crate) async fn placed<E: Entity>(&self, record: &E) -> Result<String> {
        record.validate()?;
        self.bucket_for(record).await
    }

    /// A record whose id derives from its parts (one per pair: attendance, a minute-taker),
    /// built from a command's input, validated, placed and allowed to be created.
    pub(crate) async fn new_pair<N: NewInput>(
        &self,
        acting: &Acting,
        input: N,
    ) -> Result<(N::Entity, String)> {
        let record = input.build(&NewContext {
            id: Uuid::nil(),
            actor: None,
        })?;
        let bucket = self.placed(&record).await?;
        self.authorize(acting, Operation::Create, &record, &[], &bucket)
            .await?;
        Ok((record, bucket))
    }

    /// Creates a record from a command's input, if the acting person may.
    pub(crate) async fn create<N: NewInput>(&self, input: N) -> Result<N::Entity> {
        let acting = self.acting().await?;
        let ctx = NewContext {
            id: Uuid::now_v7(),
            actor: acting.id(),
        };
        let record = input.build(&ctx)?;
        let bucket = self.placed(&record).await?;
        self.authorize(&acting, Operation::Create, &record, &[], &bucket)
            .await?;
        self.insert(&acting, record, &bucket).await
    }

    pub(crate) async fn get<E: Entity>(&self, id: Uuid) -> Result<E> {
        read::get(self.store().pool(), id).await
    }

    pub(crate) async fn list<F: FilterInput>(&self, filter: F) -> Result<Vec<F::Entity>> {
        read::list(self.store().pool(), &filter).await
    }

    /// Applies a patch: overlays its present fields on the current record, validates the
    /// result, and writes only the fields that changed, if the acting person may change them.
    pub(crate) async fn update<P: PatchInput>(&self, patch: P) -> Result<P::Entity> {
        let acting = self.acting().await?;
        self.update_as(&acting, patch).await
    }

    /// [`Caucus::update`], for a command that already knows who is acting.
    pub(crate) async fn update_as<P: PatchInput>(
        &self,
        acting: &Acting,
        patch: P,
    ) -> Result<P::Entity> {
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
        self.authorize(acting, Operation::Update, &current, &changed, &bucket)
            .await?;
        self.update_fields(acting, &current, fields).await
    }

    /// Writes new values for some fields of `current` (validated as a whole record first).
    pub(crate) async fn update_fields<E: Entity>(
        &self,
        acting: &Acting,
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
        let (bucket, cl) = read::row_meta(self.store().pool(), table, current.id())
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
            self.store().write(acting.id(), edits).await?;
        }
        self.get(current.id()).await
    }

    /// Archives a record if the acting person may.
    pub(crate) async fn archive<E: Entity>(&self, id: Uuid) -> Result<E> {
        let acting = self.acting().await?;
        self.archive_as(&acting, id).await
    }

    /// [`Caucus::archive`], for a command that already knows who is acting.
    pub(crate) async fn archive_as<E: Entity>(&self, acting: &Acting, id: Uuid) -> Result<E> {
        let current: E = self.get(id).await?;
        let bucket = self.bucket_of(&current).await?;
        self.authorize(acting, Operation::Archive, &current, &[], &bucket)
            .await?;
        self.archive_row(acting, id).await
    }

    /// Archives a record: raises its causal length to the next even number. Nothing is erased;
    /// the history keeps every value.
    pub(crate) async fn archive_row<E: Entity>(&self, acting: &Acting, id: Uuid) -> Result<E> {
        let table: &Table = E::TABLE;
        let (bucket, cl) = read::row_meta(self.store().pool(), table, id)
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
        self.store()
            .write(
                acting.id(),
                vec![Edit::row(&bucket, table.name, id, cl + 1)],
            )
            .await?;
        self.get(id).await
    }

    /// The bucket a stored record belongs to.
    pub(crate) async fn bucket_of<E: Entity>(&self, record: &E) -> Result<String> {
        read::row_meta(self.store().pool(), E::TABLE, record.id())
            .await?
            .map(|(bucket, _)| bucket)
            .ok_or_else(|| CoreError::NotFound {
                entity: E::TABLE.entity,
                id: record.id().to_string(),
            })
    }

    /// The acting person's role in a group, if they belong to it.
    pub(crate) async fn role_in(&self, acting: &Acting, group_id: Uuid) -> Result<Option<Role>> {
        let Some(person) = acting.id() else {
            return Ok(None);
        };
        Ok(
            match self
                .get::<Membership>(Membership::id_for(group_id, person))
                .await
            {
                Ok(m) if !m.archived => Some(m.role),
                _ => None,
            },
        )
    }

    /// Checks a write against [`rights::check`]; `columns` are the fields an update changes.
    pub(crate) async fn authorize<E: Entity>(
        &self,
        acting: &Acting,
        op: Operation,
        record: &E,
        columns: &[&str],
        bucket: &str,
    ) -> Result<()> {
        let mut fields = columns_of(record)?;
        fields.insert("id".into(), Value::String(record.id().to_string()));
        // A group's own row is coalition-wide, but its leaders are found in the group.
        let group = if E::TABLE.name == schema::GROUP.name {
            Some(record.id())
        } else {
            Uuid::parse_str(bucket).ok()
        };
        let role = match group {
            Some(g) => self.role_in(acting, g).await?,
            None => None,
        };
        // An edit of the minutes by a minute-taker the meeting's leaders named.
        let meeting = fields
            .get("meeting_id")
            .and_then(Value::as_str)
            .and_then(|s| Uuid::parse_str(s).ok());
        let takes_minutes = match (
            E::TABLE.name == schema::MINUTES_EDIT.name,
            acting.id(),
            meeting,
        ) {
            (true, Some(person), Some(meeting)) => matches!(
                self.get::<crate::model::MinuteTaker>(crate::model::MinuteTaker::id_for(meeting, person)).await,
                Ok(taker) if !taker.archived
            ),
            _ => false,
        };
        let standing = acting.person.as_ref().map(|p| Standing {
            person: p.id,
            organization: p.organization_id,
            admin: acting.admin(),
            role,
            takes_minutes,
        });
        let setting_up = !read::has_secretariat_admin(self.store().pool()).await?;
        rights::check(
            E::TABLE.name,
            op,
            &fields,
            columns,
            standing.as_ref(),
            setting_up,
        )
    }
}

/// The edits that write a whole record at causal length `cl` (1 for a new row): its life
/// and every field.
pub(crate) fn record_edits<E: Entity>(record: &E, bucket: &str, cl: u64) -> Result<Vec<Edit>> {
    let table = E::TABLE;
    let mut edits = vec![Edit::row(bucket, table.name, record.id(), cl)];
    for (name, value) in columns_of(record)? {
        edits.push(field_edit(table, bucket, record.id(), &name, value, cl)?);
    }
    Ok(edits)
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

/// A patch's present fields, without its id. A patch's absent field leaves it as it is, so
/// an optional field (one a new record leaves empty, such as a due date) is cleared by an empty
/// text: it is written as none.
fn patch_fields<P: PatchInput>(patch: &P) -> Result<Map<String, Value>> {
    let template = serde_json::to_value(P::Entity::template()).unwrap_or(Value::Null);
    match serde_json::to_value(patch) {
        Ok(Value::Object(mut map)) => {
            map.remove("id");
            for (name, value) in map.iter_mut() {
                if value.as_str() == Some("") && template.get(name) == Some(&Value::Null) {
                    *value = Value::Null;
                }
            }
            Ok(map)
        }
        _ => Err(CoreError::invalid("input", "must be an object")),
    }
}
