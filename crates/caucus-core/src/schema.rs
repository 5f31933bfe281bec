//! The registry of synced tables and their columns. The merge writes fields by name, so every
//! table and column a change may touch is listed here, and only names from this list ever reach
//! SQL text. `store` tests check that the migrations create exactly these columns.

/// The bucket of coalition-wide records (organizations and people); every other record belongs
/// to the bucket of its group.
pub const COALITION_BUCKET: &str = "coalition";

/// How a column's JSON value is stored in SQLite and read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// TEXT; a string, possibly empty.
    Text,
    /// TEXT or NULL.
    OptText,
    /// INTEGER 0/1, read back as a JSON boolean.
    Bool,
    /// INTEGER.
    Int,
    /// TEXT holding a JSON array.
    Json,
}

/// A synced column of a table.
#[derive(Debug)]
pub struct Column {
    /// Its SQL name, also the `column` of every change to it.
    pub name: &'static str,
    /// How its JSON value is stored.
    pub kind: Kind,
}

/// Where a new row's bucket comes from.
#[derive(Debug, Clone, Copy)]
pub enum BucketRule {
    /// Coalition-wide.
    Coalition,
    /// The bucket is the group id in this column.
    GroupColumn(&'static str),
    /// The bucket is that of the row in `table` whose id is in `column`.
    Parent {
        /// The column holding the parent's id.
        column: &'static str,
        /// The parent's table.
        table: &'static str,
    },
}

/// A synced table: its columns, and how its rows are placed and ordered.
#[derive(Debug)]
pub struct Table {
    /// SQL table name, also the `table` of every change to it.
    pub name: &'static str,
    /// The name people and errors use ("recommendation").
    pub entity: &'static str,
    /// Its synced columns (besides `id`, `bucket` and `cl`), in SQL order.
    pub columns: &'static [Column],
    /// Where a new row's bucket comes from.
    pub bucket: BucketRule,
    /// Columns set when the row is created and never changed after: what places the row (its
    /// group or parent), what its id derives from, whose it is. A change that rewrites one
    /// with another value is refused wherever it arrives.
    pub fixed: &'static [&'static str],
    /// Column lists are sorted by: a name or title, else creation order (ids are UUIDv7).
    pub order_by: &'static str,
}

impl Table {
    /// The column called `name`, if this table has it.
    pub fn column(&self, name: &str) -> Option<&'static Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The SELECT expression that reads one row as a JSON object matching the record struct.
    pub fn json_select(&self) -> String {
        let mut parts = vec![
            "'id', id".to_string(),
            "'archived', json(CASE WHEN cl % 2 = 0 THEN 'true' ELSE 'false' END)".to_string(),
        ];
        for c in self.columns {
            let expr = match c.kind {
                Kind::Text | Kind::OptText | Kind::Int => c.name.to_string(),
                Kind::Bool => {
                    format!("json(CASE WHEN {} THEN 'true' ELSE 'false' END)", c.name)
                }
                Kind::Json => format!("json({})", c.name),
            };
            parts.push(format!("'{}', {}", c.name, expr));
        }
        format!("json_object({})", parts.join(", "))
    }
}

macro_rules! columns {
    ($($name:ident: $kind:ident),* $(,)?) => {
        &[$(Column { name: stringify!($name), kind: Kind::$kind }),*]
    };
}

/// Member organizations (coalition-wide).
pub static ORGANIZATION: Table = Table {
    name: "organization",
    entity: "organization",
    columns: columns!(name: Text, country: Text, region: Text, themes: Json, status: Text),
    bucket: BucketRule::Coalition,
    fixed: &[],
    order_by: "name",
};
/// People, each of an organization or the secretariat (coalition-wide).
pub static PERSON: Table = Table {
    name: "person",
    entity: "person",
    columns: columns!(name: Text, email: Text, organization_id: OptText, secretariat_admin: Bool),
    bucket: BucketRule::Coalition,
    fixed: &[],
    order_by: "name",
};
/// Teams, working groups, regional networks and the steering committee (coalition-wide, so
/// every member can find and join one).
pub static GROUP: Table = Table {
    name: "coalition_group",
    entity: "group",
    columns: columns!(name: Text, kind: Text, mandate: Text, region: OptText),
    // Coalition-wide, so every member organization can find a group and join it; the group's
    // own records live in its bucket, readable by its members.
    bucket: BucketRule::Coalition,
    fixed: &[],
    order_by: "name",
};
/// A person's role in a group (its id derives from the pair).
pub static MEMBERSHIP: Table = Table {
    name: "membership",
    entity: "membership",
    columns: columns!(group_id: Text, person_id: Text, role: Text),
    bucket: BucketRule::GroupColumn("group_id"),
    fixed: &["group_id", "person_id"],
    order_by: "id",
};
/// The issues a group monitors.
pub static TRACKED_ISSUE: Table = Table {
    name: "tracked_issue",
    entity: "tracked issue",
    columns: columns!(
        group_id: Text, title: Text, description: Text, status: Text, priority: Text,
        due_date: OptText, assignee_ids: Json, labels: Json, recommendation_ids: Json
    ),
    bucket: BucketRule::GroupColumn("group_id"),
    fixed: &["group_id"],
    order_by: "id",
};
/// Recommendations, through their lifecycle.
pub static RECOMMENDATION: Table = Table {
    name: "recommendation",
    entity: "recommendation",
    columns: columns!(
        group_id: Text, author_id: Text, co_author_ids: Json, addressee: Text,
        addressee_ids: Json, title: Text, body: Text, language: Text, state: Text,
        answer_draft: Text, answer_draft_decision: OptText, answer: Text, duplicate_of: OptText
    ),
    bucket: BucketRule::GroupColumn("group_id"),
    fixed: &["group_id", "author_id"],
    order_by: "id",
};
/// A recommendation's text in another language (one per language).
pub static TRANSLATION: Table = Table {
    name: "translation",
    entity: "translation",
    columns: columns!(recommendation_id: Text, language: Text, title: Text, body: Text, machine: Bool),
    bucket: BucketRule::Parent {
        column: "recommendation_id",
        table: "recommendation",
    },
    fixed: &["recommendation_id", "language"],
    order_by: "id",
};
/// An organization's endorsement of a recommendation (one per pair).
pub static ENDORSEMENT: Table = Table {
    name: "endorsement",
    entity: "endorsement",
    columns: columns!(recommendation_id: Text, organization_id: Text, person_id: Text),
    bucket: BucketRule::Parent {
        column: "recommendation_id",
        table: "recommendation",
    },
    fixed: &["recommendation_id", "organization_id", "person_id"],
    order_by: "id",
};
/// Comments on a recommendation.
pub static COMMENT: Table = Table {
    name: "comment",
    entity: "comment",
    columns: columns!(recommendation_id: Text, author_id: Text, body: Text, kind: Text),
    bucket: BucketRule::Parent {
        column: "recommendation_id",
        table: "recommendation",
    },
    fixed: &["recommendation_id", "author_id"],
    order_by: "id",
};
/// A group's meetings.
pub static MEETING: Table = Table {
    name: "meeting",
    entity: "meeting",
    columns: columns!(group_id: Text, title: Text, starts_at: Text, place: Text, minutes: Text),
    bucket: BucketRule::GroupColumn("group_id"),
    fixed: &["group_id"],
    order_by: "starts_at",
};
/// A meeting's agenda, item by item.
pub static AGENDA_ITEM: Table = Table {
    name: "agenda_item",
    entity: "agenda item",
    columns: columns!(meeting_id: Text, position: Int, title: Text, notes: Text),
    bucket: BucketRule::Parent {
        column: "meeting_id",
        table: "meeting",
    },
    fixed: &["meeting_id"],
    order_by: "position",
};
/// Who attended a meeting (one per person).
pub static ATTENDANCE: Table = Table {
    name: "attendance",
    entity: "attendance",
    columns: columns!(meeting_id: Text, person_id: Text, present: Bool),
    bucket: BucketRule::Parent {
        column: "meeting_id",
        table: "meeting",
    },
    fixed: &["meeting_id", "person_id"],
    order_by: "id",
};
/// A meeting's decisions.
pub static DECISION: Table = Table {
    name: "decision",
    entity: "decision",
    columns: columns!(meeting_id: Text, text: Text, issue_ids: Json, recommendation_ids: Json),
    bucket: BucketRule::Parent {
        column: "meeting_id",
        table: "meeting",
    },
    fixed: &["meeting_id"],
    order_by: "id",
};
/// Edits of a meeting's minutes, each a record of its own (see [`crate::collab`]): created
/// once, never changed, merged into the meeting's `minutes` by the text CRDT.
pub static MINUTES_EDIT: Table = Table {
    name: "minutes_edit",
    entity: "edit of the minutes",
    columns: columns!(meeting_id: Text, author_id: Text, edit: Text),
    bucket: BucketRule::Parent {
        column: "meeting_id",
        table: "meeting",
    },
    fixed: &["meeting_id", "author_id", "edit"],
    order_by: "id",
};

/// The people a meeting's leaders name to write its minutes with them (one per person).
pub static MINUTE_TAKER: Table = Table {
    name: "minute_taker",
    entity: "minute-taker",
    columns: columns!(meeting_id: Text, person_id: Text),
    bucket: BucketRule::Parent {
        column: "meeting_id",
        table: "meeting",
    },
    fixed: &["meeting_id", "person_id"],
    order_by: "id",
};

/// Every synced table.
pub static TABLES: &[&Table] = &[
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

/// The table of a change, if this version knows it.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().copied().find(|t| t.name == name)
}
