//! One field's value on its own, as a change carries it: whether the field may hold it, the
//! neutral value a field is given when a write is undone, and reading a stored row that holds a
//! value this version cannot read.
//!
//! The check is the commands' own validation, not a second copy of it: the value is put into
//! the record kind's template (a valid record of neutral values, [`Entity::template`]), decoded
//! into the record type and validated, and only an error about that field counts. A rule
//! between two fields (an addressee of "organizations" needs at least one) stays the commands'
//! to enforce: offline edits of the two fields meet in any order, so a replica cannot refuse
//! one of them for what the other says.
//!
//! Every replica runs the same check on every change it merges, and the hub on every change it
//! receives, so a value the schema does not allow is stored nowhere it could break a read.

use super::*;
use crate::error::{CoreError, Result};
use crate::schema::{Kind, Table};
use serde_json::{Map, Value};
use std::marker::PhantomData;
use std::sync::OnceLock;
use uuid::Uuid;

/// What the checks need of one record kind, for a table named at run time.
trait KindRules: Sync {
    fn table(&self) -> &'static Table;
    /// The template record as JSON fields (with `id` and `archived`).
    fn template(&self) -> &Map<String, Value>;
    /// Decodes and validates these fields as a whole record.
    fn check(&self, record: Map<String, Value>) -> Result<(), Refusal>;
    /// The id a record with these fields must have, for kinds whose id derives from its parts.
    fn derived_id(&self, record: Map<String, Value>) -> Option<Uuid>;
}

/// Why a record failed its check.
enum Refusal {
    /// A field does not decode as its type (serde's words).
    Decode(String),
    /// The record decodes but its validation refuses it.
    Invalid(CoreError),
}

struct Rules<E> {
    template: OnceLock<Map<String, Value>>,
    kind: PhantomData<fn() -> E>,
}

impl<E> Rules<E> {
    const fn new() -> Self {
        Rules {
            template: OnceLock::new(),
            kind: PhantomData,
        }
    }
}

/// A record's JSON fields.
fn fields_of(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl<E: Entity> KindRules for Rules<E> {
    fn table(&self) -> &'static Table {
        E::TABLE
    }
    fn template(&self) -> &Map<String, Value> {
        self.template
            .get_or_init(|| fields_of(serde_json::to_value(E::template()).unwrap_or_default()))
    }
    fn check(&self, record: Map<String, Value>) -> Result<(), Refusal> {
        let decoded: E = serde_json::from_value(Value::Object(record))
            .map_err(|e| Refusal::Decode(e.to_string()))?;
        decoded.validate().map_err(Refusal::Invalid)
    }
    fn derived_id(&self, record: Map<String, Value>) -> Option<Uuid> {
        serde_json::from_value::<E>(Value::Object(record))
            .ok()
            .and_then(|e| e.derived_id())
    }
}

static ORGANIZATION: Rules<Organization> = Rules::new();
static PERSON: Rules<Person> = Rules::new();
static GROUP: Rules<Group> = Rules::new();
static MEMBERSHIP: Rules<Membership> = Rules::new();
static TRACKED_ISSUE: Rules<TrackedIssue> = Rules::new();
static RECOMMENDATION: Rules<Recommendation> = Rules::new();
static TRANSLATION: Rules<Translation> = Rules::new();
static ENDORSEMENT: Rules<Endorsement> = Rules::new();
static COMMENT: Rules<Comment> = Rules::new();
static MEETING: Rules<Meeting> = Rules::new();
static AGENDA_ITEM: Rules<AgendaItem> = Rules::new();
static ATTENDANCE: Rules<Attendance> = Rules::new();
static DECISION: Rules<MeetingDecision> = Rules::new();
static MINUTES_EDIT: Rules<MinutesEdit> = Rules::new();
static MINUTE_TAKER: Rules<MinuteTaker> = Rules::new();

/// Every record kind, one per table of [`schema::TABLES`] (a test checks the two agree).
static KINDS: &[&dyn KindRules] = &[
    &ORGANIZATION,
    &PERSON,
    &GROUP,
    &MEMBERSHIP,
    &TRACKED_ISSUE,
    &RECOMMENDATION,
    &TRANSLATION,
    &ENDORSEMENT,
    &COMMENT,
    &MEETING,
    &AGENDA_ITEM,
    &ATTENDANCE,
    &DECISION,
    &MINUTES_EDIT,
    &MINUTE_TAKER,
];

fn kind(table: &str) -> Option<&'static dyn KindRules> {
    KINDS.iter().copied().find(|k| k.table().name == table)
}

/// Whether an error of a whole-record check is about `column` (itself, or an entry of it).
fn about(error: &CoreError, column: &str) -> bool {
    match error {
        CoreError::Invalid { field, .. } => {
            field == column
                || field
                    .strip_prefix(column)
                    .is_some_and(|rest| rest.starts_with('['))
        }
        _ => false,
    }
}

/// Checks one field's value as the commands would. Tables and columns this version does not
/// know pass: they are kept and forwarded, and checked by a version that knows them.
pub fn check_value(table: &str, column: &str, value: &Value) -> Result<()> {
    let Some(kind) = kind(table) else {
        return Ok(());
    };
    let Some(column) = kind.table().column(column) else {
        return Ok(());
    };
    let mut record = kind.template().clone();
    record.insert(column.name.to_string(), value.clone());
    match kind.check(record) {
        Ok(()) => Ok(()),
        // The template decodes, so a decoding error is this value's.
        Err(Refusal::Decode(reason)) => Err(CoreError::invalid(
            column.name,
            format!("this field cannot hold {}: {reason}", shown(value)),
        )),
        Err(Refusal::Invalid(e)) if about(&e, column.name) => Err(e),
        Err(Refusal::Invalid(_)) => Ok(()),
    }
}

/// Checks several fields of one row, as one write carries them: one decode for the lot when
/// all are good (the usual case), each field on its own otherwise. Returns each field's error.
pub fn check_values<'a>(
    table: &str,
    fields: impl IntoIterator<Item = (&'a str, &'a Value)>,
) -> Vec<Option<CoreError>> {
    let fields: Vec<(&str, &Value)> = fields.into_iter().collect();
    let Some(kind) = kind(table) else {
        return fields.iter().map(|_| None).collect();
    };
    let known: Vec<(&'static str, &Value)> = fields
        .iter()
        .filter_map(|(c, v)| kind.table().column(c).map(|c| (c.name, *v)))
        .collect();
    let distinct = known
        .iter()
        .enumerate()
        .all(|(i, (c, _))| known[..i].iter().all(|(d, _)| d != c));
    if distinct {
        let mut record = kind.template().clone();
        for (column, value) in &known {
            record.insert(column.to_string(), (*value).clone());
        }
        if kind.check(record).is_ok() {
            return fields.iter().map(|_| None).collect();
        }
    }
    fields
        .iter()
        .map(|(c, v)| check_value(table, c, v).err())
        .collect()
}

/// A value as an error message shows it: short, whatever its size.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// The value a field is given when a write to it is undone and nothing was written before:
/// empty where the field may be empty, else the template's (a nil id, the first state, "?" for
/// a name). It passes [`check_value`], so every replica applies it, and an undone creation
/// leaves a row that every list can read.
pub fn neutral_value(table: &str, column: &str) -> Value {
    let Some(kind) = kind(table) else {
        return Value::Null;
    };
    let Some(column) = kind.table().column(column) else {
        return Value::Null;
    };
    let empty = match column.kind {
        Kind::Text => Value::String(String::new()),
        Kind::OptText => Value::Null,
        Kind::Bool => Value::Bool(false),
        Kind::Int => Value::from(0),
        Kind::Json => Value::Array(Vec::new()),
    };
    let mut record = kind.template().clone();
    record.insert(column.name.to_string(), empty.clone());
    if kind.check(record).is_ok() {
        empty
    } else {
        kind.template()
            .get(column.name)
            .cloned()
            .unwrap_or(Value::Null)
    }
}

/// The id a record of `table` with these fields must have, if the kind derives its id from
/// its parts (a membership from its group and person): a second record for the same pair would
/// count twice. `None` for kinds with free ids, and for fields that do not decode.
pub fn expected_id(table: &str, fields: &Map<String, Value>) -> Option<Uuid> {
    let kind = kind(table)?;
    let mut record = kind.template().clone();
    for (k, v) in fields {
        if kind.table().column(k).is_some() {
            record.insert(k.clone(), v.clone());
        }
    }
    kind.derived_id(record)
}

/// Reads a stored row (as [`Table::json_select`] gives it). A field whose value does not decode
/// (written by an older version, or damaged) is read as the template's value and named in
/// `unreadable`, so one bad value never makes a record, or the list it is in, unreadable.
pub(crate) fn read_row<E: Entity>(json: &str) -> Result<E> {
    let failed = match serde_json::from_str::<E>(json) {
        Ok(record) => return Ok(record),
        Err(e) => e,
    };
    let damaged = || {
        CoreError::Storage(sqlx::Error::Decode(
            format!("{} row does not decode: {failed}", E::TABLE.entity).into(),
        ))
    };
    let Ok(Value::Object(stored)) = serde_json::from_str::<Value>(json) else {
        return Err(damaged());
    };
    let template = fields_of(serde_json::to_value(E::template()).unwrap_or_default());
    let mut record = template.clone();
    let mut unreadable = Vec::new();
    for (field, value) in stored {
        let mut probe = template.clone();
        probe.insert(field.clone(), value.clone());
        if serde_json::from_value::<E>(Value::Object(probe)).is_ok() {
            record.insert(field, value);
        } else {
            unreadable.push(Value::String(field));
        }
    }
    record.insert("unreadable".into(), Value::Array(unreadable));
    serde_json::from_value(Value::Object(record)).map_err(|_| damaged())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A field is declared on its record's type and in the registry; the two must name the
    /// same fields, or a field would be shown but never synced (or synced but never shown).
    /// The migrations are held to the registry by `schema_registry_matches_the_migrations`.
    #[test]
    fn every_record_field_is_a_registered_column_and_back() {
        use std::collections::BTreeSet;
        for table in crate::schema::TABLES {
            let kind = kind(table.name).expect("rules");
            let fields: BTreeSet<&str> = kind
                .template()
                .keys()
                .map(String::as_str)
                .filter(|k| !["id", "archived", "unreadable"].contains(k))
                .collect();
            let columns: BTreeSet<&str> = table.columns.iter().map(|c| c.name).collect();
            assert_eq!(
                fields, columns,
                "{}: the record's fields and the registry's columns",
                table.name
            );
        }
    }

    /// The field names of the struct `T`, as its type description gives them.
    fn field_names<T: specta::Type>() -> Vec<String> {
        use specta::datatype::{DataType, Fields};
        let mut types = specta::Types::default();
        types.register_mut::<T>();
        let name = std::any::type_name::<T>()
            .rsplit("::")
            .next()
            .unwrap_or_default();
        let named = types
            .into_unsorted_iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("{name} is described"));
        match &named.ty {
            Some(DataType::Struct(s)) => match &s.fields {
                Fields::Named(f) => f.fields.iter().map(|(n, _)| n.to_string()).collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// A patch edits registered columns only, and a filter filters by them (besides
    /// `include_archived`): a patch field the registry lacks would be dropped silently.
    #[test]
    fn patches_and_filters_name_registered_columns() {
        use crate::schema;
        fn check<P: specta::Type, F: specta::Type>(table: &schema::Table) {
            let patch = field_names::<P>();
            assert!(
                patch.len() > 1 && patch.contains(&"id".to_string()),
                "{patch:?}"
            );
            assert!(field_names::<F>().contains(&"include_archived".to_string()));
            for field in patch {
                assert!(
                    field == "id" || table.column(&field).is_some(),
                    "{}: the patch's {field} is no column of {}",
                    std::any::type_name::<P>(),
                    table.name
                );
            }
            for field in field_names::<F>() {
                assert!(
                    field == "include_archived" || table.column(&field).is_some(),
                    "{}: the filter's {field} is no column of {}",
                    std::any::type_name::<F>(),
                    table.name
                );
            }
        }
        check::<OrganizationPatch, OrganizationFilter>(&schema::ORGANIZATION);
        check::<PersonPatch, PersonFilter>(&schema::PERSON);
        check::<GroupPatch, GroupFilter>(&schema::GROUP);
        check::<MembershipPatch, MembershipFilter>(&schema::MEMBERSHIP);
        check::<TrackedIssuePatch, TrackedIssueFilter>(&schema::TRACKED_ISSUE);
        check::<RecommendationPatch, RecommendationFilter>(&schema::RECOMMENDATION);
        check::<TranslationPatch, TranslationFilter>(&schema::TRANSLATION);
        check::<CommentPatch, CommentFilter>(&schema::COMMENT);
        check::<MeetingPatch, MeetingFilter>(&schema::MEETING);
        check::<AgendaItemPatch, AgendaItemFilter>(&schema::AGENDA_ITEM);
        check::<AttendancePatch, AttendanceFilter>(&schema::ATTENDANCE);
        check::<MeetingDecisionPatch, MeetingDecisionFilter>(&schema::DECISION);
        assert!(!field_names::<EndorsementFilter>().is_empty());
        for field in field_names::<EndorsementFilter>() {
            assert!(field == "include_archived" || schema::ENDORSEMENT.column(&field).is_some());
        }
    }

    #[test]
    fn every_table_has_its_rules_and_a_valid_template() {
        use crate::schema;
        assert_eq!(KINDS.len(), schema::TABLES.len(), "one kind per table");
        for table in schema::TABLES {
            let kind = kind(table.name).unwrap_or_else(|| panic!("no rules for {}", table.name));
            let template = kind.template().clone();
            assert!(
                kind.check(template).is_ok(),
                "the template of {} is a valid record",
                table.name
            );
            for column in table.columns {
                let neutral = neutral_value(table.name, column.name);
                assert!(
                    check_value(table.name, column.name, &neutral).is_ok(),
                    "{}.{}'s neutral value {neutral} is one every replica applies",
                    table.name,
                    column.name
                );
            }
        }
    }

    #[test]
    fn values_the_schema_does_not_allow_are_refused_with_the_field_named() {
        let bad = [
            ("recommendation", "co_author_ids", json!({"a": 1})),
            ("recommendation", "language", json!("klingon")),
            ("recommendation", "title", json!("")),
            ("recommendation", "title", json!(12)),
            ("recommendation", "group_id", json!("not-a-uuid")),
            ("recommendation", "author_id", json!("")),
            ("comment", "kind", json!("bogus")),
            ("tracked_issue", "due_date", json!("2026-02-30")),
            ("tracked_issue", "labels", json!(["a", "a"])),
            ("meeting", "starts_at", json!("tomorrow")),
            ("person", "secretariat_admin", json!("yes")),
            ("organization", "country", json!("Netherlands")),
            ("agenda_item", "position", json!(1.5)),
        ];
        for (table, column, value) in bad {
            let err = check_value(table, column, &value)
                .expect_err(&format!("{table}.{column} = {value} is refused"));
            assert!(
                about(&err, column),
                "the refusal names {column}: {err} ({table})"
            );
        }
        let good = [
            ("recommendation", "language", json!("ar")),
            ("recommendation", "title", json!("تمويل الصندوق")),
            ("recommendation", "addressee", json!("organizations")),
            ("comment", "kind", json!("progress_note")),
            ("tracked_issue", "due_date", json!(null)),
            (
                "person",
                "organization_id",
                json!(Uuid::now_v7().to_string()),
            ),
            ("future_table", "anything", json!({"x": 1})),
            ("recommendation", "future_column", json!({"x": 1})),
        ];
        for (table, column, value) in good {
            assert!(
                check_value(table, column, &value).is_ok(),
                "{table}.{column} = {value} is a value the field may hold"
            );
        }
    }

    #[test]
    fn a_row_checks_its_fields_together_and_names_each_bad_one() {
        let title = json!("A title");
        let language = json!("klingon");
        let kind = json!("comment");
        let errors = check_values(
            "recommendation",
            [("title", &title), ("language", &language), ("kind", &kind)],
        );
        assert!(errors[0].is_none(), "a good title passes");
        assert!(errors[1].is_some(), "the bad language is named");
        assert!(errors[2].is_none(), "an unknown column is left for later");
    }

    #[test]
    fn a_row_with_an_unreadable_value_is_read_with_that_field_named() {
        let id = Uuid::now_v7();
        let json = json!({
            "id": id.to_string(), "archived": false, "group_id": "", "title": "Budget",
            "description": "", "status": "bogus", "priority": "high", "due_date": null,
            "assignee_ids": [], "labels": [], "recommendation_ids": {"x": 1}
        })
        .to_string();
        let issue: TrackedIssue = read_row(&json).expect("read anyway");
        assert_eq!(issue.id, id);
        assert_eq!(issue.title, "Budget", "readable fields keep their value");
        assert_eq!(issue.priority, Priority::High);
        let mut unreadable = issue.unreadable.clone();
        unreadable.sort();
        assert_eq!(
            unreadable,
            vec!["group_id", "recommendation_ids", "status"],
            "each unreadable field is named"
        );
    }

    #[test]
    fn derived_ids_come_from_the_parts() {
        let group = Uuid::now_v7();
        let person = Uuid::now_v7();
        let mut fields = Map::new();
        fields.insert("group_id".into(), json!(group.to_string()));
        fields.insert("person_id".into(), json!(person.to_string()));
        assert_eq!(
            expected_id("membership", &fields),
            Some(Membership::id_for(group, person))
        );
        assert_eq!(expected_id("tracked_issue", &fields), None);
    }
}
