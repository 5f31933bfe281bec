//! The session: which device this is, who is acting on it, and the demo coalition.

use super::Caucus;
use crate::error::{CoreError, Result};
use crate::model::{Group, GroupFilter, Membership, Person, Role};
use crate::store::read;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(crate) const ACTING_PERSON: &str = "acting_person";

/// For commands that take no arguments.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

/// Choose the person this device acts as (or none).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ActAs {
    pub person_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Session {
    pub site_id: Uuid,
    pub acting_person: Option<Person>,
    /// The acting person's current memberships, so the UI can offer only what their roles
    /// allow (the core checks again on every command).
    pub memberships: Vec<Membership>,
    /// Whether the acting person sits on the steering committee.
    pub steering: bool,
    /// Whether the acting person is the secretariat (sets up organizations, people, groups).
    pub admin: bool,
    /// What the acting person may do in each group they may do anything in (every group, for
    /// the secretariat), as the rights table answers it: the screens offer exactly this.
    pub powers: Vec<GroupPowers>,
    /// True when the replica holds no records yet.
    pub empty: bool,
}

/// What the acting person may do in one group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct GroupPowers {
    pub group_id: Uuid,
    /// Keep the group's records: its issues, meetings, members and roles, its name and mandate
    /// (its leader, its focal point, the secretariat).
    pub keep: bool,
    /// Post recommendations in it (its members, not its observers).
    pub post: bool,
}

/// The kinds of record whose history can be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Organization,
    Person,
    Group,
    Membership,
    TrackedIssue,
    Recommendation,
    Translation,
    Endorsement,
    Comment,
    Meeting,
    AgendaItem,
    Attendance,
    Decision,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    pub kind: RecordKind,
    pub id: Uuid,
}

/// Search everything on this device.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    pub text: String,
    /// At most this many hits (default 20, at most 100).
    pub limit: Option<u32>,
}

/// What loading the demo coalition created.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct DemoSummary {
    pub organizations: u32,
    pub people: u32,
    pub groups: u32,
    pub recommendations: u32,
}

/// What `person` may do in `group`, asked of the rights table itself: keeping the group's
/// records is creating a tracked issue there, posting is creating a recommendation in their
/// own name.
fn powers_in(person: &Person, admin: bool, group: Uuid, role: Option<Role>) -> GroupPowers {
    use crate::rights::{check, Operation, Standing};
    let standing = Standing {
        person: person.id,
        organization: person.organization_id,
        admin,
        role,
    };
    let mut own = serde_json::Map::new();
    own.insert("author_id".into(), person.id.to_string().into());
    let may = |table: &str, record: &serde_json::Map<String, serde_json::Value>| {
        check(
            table,
            Operation::Create,
            record,
            &[],
            Some(&standing),
            false,
        )
        .is_ok()
    };
    GroupPowers {
        group_id: group,
        keep: may("tracked_issue", &serde_json::Map::new()),
        post: may("recommendation", &own),
    }
}

impl Caucus {
    pub async fn get_session(&self, _: NoInput) -> Result<Session> {
        let acting_person = match self.acting_person_id().await? {
            Some(id) => Some(read::get::<Person>(self.store.pool(), id).await?),
            None => None,
        };
        let (memberships, steering) = match &acting_person {
            Some(p) => self.memberships_of(p.id).await?,
            None => (Vec::new(), false),
        };
        let admin = acting_person
            .as_ref()
            .is_some_and(|p| p.secretariat_admin && !p.archived);
        let powers = match &acting_person {
            Some(p) if admin => {
                let groups: Vec<Group> = self.list(GroupFilter::default()).await?;
                groups
                    .iter()
                    .map(|g| powers_in(p, true, g.id, None))
                    .collect()
            }
            Some(p) => memberships
                .iter()
                .map(|m| powers_in(p, false, m.group_id, Some(m.role)))
                .collect(),
            None => Vec::new(),
        };
        Ok(Session {
            site_id: self.store.site_id().await,
            acting_person,
            memberships,
            steering,
            admin,
            powers,
            empty: read::is_empty(self.store.pool()).await?,
        })
    }

    pub async fn set_acting_person(&self, input: ActAs) -> Result<Session> {
        if let Some(id) = input.person_id {
            let person = read::get::<Person>(self.store.pool(), id).await?;
            if person.archived {
                return Err(CoreError::invalid("person_id", "that person is archived"));
            }
        }
        let value = input.person_id.map(|id| id.to_string());
        self.store
            .set_local_setting(ACTING_PERSON, value.as_deref())
            .await?;
        self.get_session(super::NoInput {}).await
    }

    pub(crate) async fn acting_person_id(&self) -> Result<Option<Uuid>> {
        Ok(self
            .store
            .local_setting(ACTING_PERSON)
            .await?
            .and_then(|s| Uuid::parse_str(&s).ok()))
    }

    /// Finds records by the words typed, across every kind, offline.
    pub async fn search(&self, q: SearchQuery) -> Result<Vec<crate::store::search::SearchHit>> {
        if q.text.chars().count() > 200 {
            return Err(CoreError::invalid("text", "type at most 200 characters"));
        }
        crate::store::search::search(self.store.pool(), &q.text, q.limit.unwrap_or(20)).await
    }

    /// Loads the demo coalition into an empty replica and acts as its secretariat admin.
    pub async fn load_demo_data(&self, _: NoInput) -> Result<DemoSummary> {
        if !read::is_empty(self.store.pool()).await? {
            return Err(CoreError::conflict(
                "the demo coalition can only be loaded into an empty database",
            ));
        }
        crate::demo::load(self).await
    }
}
