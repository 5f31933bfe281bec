//! The coalition's records, the inputs that create and change them, and their validation.
//!
//! Each record type implements [`Entity`]: its table in [`crate::schema`], whole-record
//! validation, and the records it refers to. Creating goes through a [`NewInput`], editing
//! through a [`PatchInput`] (absent fields stay as they are), listing through a
//! [`FilterInput`]. All inputs refuse unknown fields.

mod coalition;
mod group;
mod issue;
mod meeting;
mod recommendation;
pub mod value;

pub use coalition::*;
pub use group::*;
pub use issue::*;
pub use meeting::*;
pub use recommendation::*;

use crate::error::Result;
use crate::schema::Table;
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use uuid::Uuid;

/// A synced record.
pub trait Entity: Serialize + DeserializeOwned + specta::Type + Send + Sync + 'static {
    const TABLE: &'static Table;
    /// A valid record of neutral values (nil ids, the first state, "?" where a name is
    /// required). One field's value is checked by putting it into this record
    /// ([`value::check_value`]), and a field that cannot be read is read as its value here.
    fn template() -> Self;
    fn id(&self) -> Uuid;
    /// The id this record must have, for kinds whose id derives from its parts (one membership
    /// per group and person): two devices adding the same pair offline write one record.
    fn derived_id(&self) -> Option<Uuid> {
        None
    }
    /// Checks every field of the whole record (after a create or a patch).
    fn validate(&self) -> Result<()>;
    /// The records this one points at, which must exist.
    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }
}

/// A pointer from one record to another, checked on every write.
pub struct Reference {
    pub field: &'static str,
    pub table: &'static Table,
    pub id: Uuid,
}

impl Reference {
    pub fn new(field: &'static str, table: &'static Table, id: Uuid) -> Self {
        Reference { field, table, id }
    }
}

/// What a create knows besides its input.
pub struct NewContext {
    /// A fresh UUIDv7 (used unless the record's id is derived from its parts).
    pub id: Uuid,
    /// The acting person, if one is chosen.
    pub actor: Option<Uuid>,
}

/// The input of a create command.
pub trait NewInput: DeserializeOwned + specta::Type + Send {
    type Entity: Entity;
    fn build(self, ctx: &NewContext) -> Result<Self::Entity>;
}

/// The input of an update command: the record's id and the fields to change.
pub trait PatchInput: Serialize + DeserializeOwned + specta::Type + Send {
    type Entity: Entity;
    fn id(&self) -> Uuid;
}

/// The input of a list command: equality filters on columns (absent = any).
pub trait FilterInput: Serialize + DeserializeOwned + specta::Type + Send {
    type Entity: Entity;
    fn include_archived(&self) -> bool;
}

/// The input of get and archive commands.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct IdInput {
    pub id: Uuid,
}

/// The five working languages of the coalition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Fr,
    Es,
    Ar,
    Pt,
}

/// Checks a list of ids for duplicates and size.
pub(crate) fn id_list(field: &str, ids: &[Uuid]) -> Result<()> {
    if ids.len() > 200 {
        return Err(crate::CoreError::invalid(field, "at most 200 entries"));
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(crate::CoreError::invalid(
                format!("{field}[{i}]"),
                "duplicate entry",
            ));
        }
    }
    Ok(())
}

/// Implements [`FilterInput`] for a filter struct with an `include_archived` field.
macro_rules! filter_input {
    ($filter:ty => $entity:ty) => {
        impl $crate::model::FilterInput for $filter {
            type Entity = $entity;
            fn include_archived(&self) -> bool {
                self.include_archived.unwrap_or(false)
            }
        }
    };
}

/// Implements [`PatchInput`] for a patch struct with an `id` field.
macro_rules! patch_input {
    ($patch:ty => $entity:ty) => {
        impl $crate::model::PatchInput for $patch {
            type Entity = $entity;
            fn id(&self) -> uuid::Uuid {
                self.id
            }
        }
    };
}

pub(crate) use filter_input;
pub(crate) use patch_input;
