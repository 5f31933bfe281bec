-- The local replica: synced records, their field clocks, and the change log.
-- Records have no foreign keys: remote changes arrive in any order, and a comment may land
-- before its recommendation. References are checked when a person writes, not on merge.

-- Device-local state, never synced: site id, clock, next sequence number, acting person.
CREATE TABLE local_state (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Every field write ever applied here, local or remote. (site, seq) identifies a change, so a
-- change seen twice is ignored. Values are kept for history and for forwarding.
CREATE TABLE change_log (
    site           BLOB NOT NULL,
    seq            INTEGER NOT NULL,
    hlc            INTEGER NOT NULL,
    actor          TEXT,
    bucket         TEXT NOT NULL,
    tbl            TEXT NOT NULL,
    row_id         TEXT NOT NULL,
    col            TEXT NOT NULL,
    value          TEXT NOT NULL,
    cl             INTEGER NOT NULL,
    schema_version INTEGER NOT NULL,
    PRIMARY KEY (site, seq)
) WITHOUT ROWID;
CREATE INDEX change_log_row ON change_log (tbl, row_id, hlc);

-- The winning stamp of each field: (cl, hlc, site, seq) of the change whose value the row holds.
CREATE TABLE field_clock (
    tbl    TEXT NOT NULL,
    row_id TEXT NOT NULL,
    col    TEXT NOT NULL,
    cl     INTEGER NOT NULL,
    hlc    INTEGER NOT NULL,
    site   BLOB NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (tbl, row_id, col)
) WITHOUT ROWID;

-- Synced records. Every one has: id (UUID text), bucket, and cl, the causal length (odd = alive,
-- even = archived). Defaults keep a row readable when only some of its fields have arrived.
CREATE TABLE organization (
    id      TEXT PRIMARY KEY NOT NULL,
    bucket  TEXT NOT NULL,
    cl      INTEGER NOT NULL DEFAULT 0,
    name    TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT 'ZZ',
    region  TEXT NOT NULL DEFAULT 'europe',
    themes  TEXT NOT NULL DEFAULT '[]',
    status  TEXT NOT NULL DEFAULT 'member'
);
CREATE INDEX organization_name ON organization (name);

CREATE TABLE person (
    id                TEXT PRIMARY KEY NOT NULL,
    bucket            TEXT NOT NULL,
    cl                INTEGER NOT NULL DEFAULT 0,
    name              TEXT NOT NULL DEFAULT '',
    email             TEXT NOT NULL DEFAULT '',
    organization_id   TEXT,
    secretariat_admin INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX person_organization ON person (organization_id);

CREATE TABLE coalition_group (
    id      TEXT PRIMARY KEY NOT NULL,
    bucket  TEXT NOT NULL,
    cl      INTEGER NOT NULL DEFAULT 0,
    name    TEXT NOT NULL DEFAULT '',
    kind    TEXT NOT NULL DEFAULT 'issue_team',
    mandate TEXT NOT NULL DEFAULT '',
    region  TEXT
);

CREATE TABLE membership (
    id        TEXT PRIMARY KEY NOT NULL,
    bucket    TEXT NOT NULL,
    cl        INTEGER NOT NULL DEFAULT 0,
    group_id  TEXT NOT NULL DEFAULT '',
    person_id TEXT NOT NULL DEFAULT '',
    role      TEXT NOT NULL DEFAULT 'member'
);
CREATE INDEX membership_group ON membership (group_id);
CREATE INDEX membership_person ON membership (person_id);

CREATE TABLE tracked_issue (
    id                 TEXT PRIMARY KEY NOT NULL,
    bucket             TEXT NOT NULL,
    cl                 INTEGER NOT NULL DEFAULT 0,
    group_id           TEXT NOT NULL DEFAULT '',
    title              TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'open',
    priority           TEXT NOT NULL DEFAULT 'normal',
    due_date           TEXT,
    assignee_ids       TEXT NOT NULL DEFAULT '[]',
    labels             TEXT NOT NULL DEFAULT '[]',
    recommendation_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX tracked_issue_group ON tracked_issue (group_id);

CREATE TABLE recommendation (
    id                    TEXT PRIMARY KEY NOT NULL,
    bucket                TEXT NOT NULL,
    cl                    INTEGER NOT NULL DEFAULT 0,
    group_id              TEXT NOT NULL DEFAULT '',
    author_id             TEXT NOT NULL DEFAULT '',
    co_author_ids         TEXT NOT NULL DEFAULT '[]',
    addressee             TEXT NOT NULL DEFAULT 'group',
    addressee_ids         TEXT NOT NULL DEFAULT '[]',
    title                 TEXT NOT NULL DEFAULT '',
    body                  TEXT NOT NULL DEFAULT '',
    language              TEXT NOT NULL DEFAULT 'en',
    state                 TEXT NOT NULL DEFAULT 'draft',
    answer_draft          TEXT NOT NULL DEFAULT '',
    answer_draft_decision TEXT,
    answer                TEXT NOT NULL DEFAULT '',
    duplicate_of          TEXT
);
CREATE INDEX recommendation_group ON recommendation (group_id);

CREATE TABLE translation (
    id                TEXT PRIMARY KEY NOT NULL,
    bucket            TEXT NOT NULL,
    cl                INTEGER NOT NULL DEFAULT 0,
    recommendation_id TEXT NOT NULL DEFAULT '',
    language          TEXT NOT NULL DEFAULT 'en',
    title             TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    machine           INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX translation_recommendation ON translation (recommendation_id);

CREATE TABLE endorsement (
    id                TEXT PRIMARY KEY NOT NULL,
    bucket            TEXT NOT NULL,
    cl                INTEGER NOT NULL DEFAULT 0,
    recommendation_id TEXT NOT NULL DEFAULT '',
    organization_id   TEXT NOT NULL DEFAULT '',
    person_id         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX endorsement_recommendation ON endorsement (recommendation_id);

CREATE TABLE comment (
    id                TEXT PRIMARY KEY NOT NULL,
    bucket            TEXT NOT NULL,
    cl                INTEGER NOT NULL DEFAULT 0,
    recommendation_id TEXT NOT NULL DEFAULT '',
    author_id         TEXT NOT NULL DEFAULT '',
    body              TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL DEFAULT 'comment'
);
CREATE INDEX comment_recommendation ON comment (recommendation_id);

CREATE TABLE meeting (
    id        TEXT PRIMARY KEY NOT NULL,
    bucket    TEXT NOT NULL,
    cl        INTEGER NOT NULL DEFAULT 0,
    group_id  TEXT NOT NULL DEFAULT '',
    title     TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL DEFAULT '2000-01-01T00:00',
    place     TEXT NOT NULL DEFAULT '',
    minutes   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX meeting_group ON meeting (group_id);

CREATE TABLE agenda_item (
    id         TEXT PRIMARY KEY NOT NULL,
    bucket     TEXT NOT NULL,
    cl         INTEGER NOT NULL DEFAULT 0,
    meeting_id TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL DEFAULT 0,
    title      TEXT NOT NULL DEFAULT '',
    notes      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agenda_item_meeting ON agenda_item (meeting_id);

CREATE TABLE attendance (
    id         TEXT PRIMARY KEY NOT NULL,
    bucket     TEXT NOT NULL,
    cl         INTEGER NOT NULL DEFAULT 0,
    meeting_id TEXT NOT NULL DEFAULT '',
    person_id  TEXT NOT NULL DEFAULT '',
    present    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attendance_meeting ON attendance (meeting_id);

CREATE TABLE decision (
    id                 TEXT PRIMARY KEY NOT NULL,
    bucket             TEXT NOT NULL,
    cl                 INTEGER NOT NULL DEFAULT 0,
    meeting_id         TEXT NOT NULL DEFAULT '',
    text               TEXT NOT NULL DEFAULT '',
    issue_ids          TEXT NOT NULL DEFAULT '[]',
    recommendation_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX decision_meeting ON decision (meeting_id);
