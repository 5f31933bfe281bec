//! The session: which device this is, who is acting on it, and the demo coalition.

use super::Caucus;
use crate::error::{CoreError, Result};
use crate::model::{Group, GroupFilter, Membership, Person, Role};
use crate::store::read;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub(crate) const ACTING_PERSON: &str = "acting_person";
/// Set on a database made by loading the demo coalition: only there may a device act as
/// anyone ("Acting as"), to try each role.
pub const DEMO: &str = "demo";

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
    /// This database is the demo coalition: "Acting as" lets one try every role. A real
    /// database acts only as its device's person.
    pub demo: bool,
    /// Whether this device may choose who it acts as now: always in the demo; in a real
    /// database only once, before anyone is chosen and before it enrols with a hub (the person
    /// setting up a new coalition).
    pub may_choose_person: bool,
    /// The name this laptop joined a meeting under as a guest (it is nobody of the coalition
    /// until it enrols): the app shows only the meeting's public agenda.
    pub guest: Option<String>,
}

/// Start a new coalition on a fresh install: its first organization, and its first person,
/// who is the secretariat's administrator and the person this device acts as.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct CreateCoalition {
    /// The organization that runs the secretariat.
    pub organization: crate::model::NewOrganization,
    /// Your name.
    pub name: String,
    /// Your email (optional).
    #[serde(default)]
    pub email: String,
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
        takes_minutes: false,
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
        let demo = self.is_demo().await?;
        let guest = self.guest_name().await?;
        Ok(Session {
            site_id: self.store.site_id().await,
            may_choose_person: demo
                || (acting_person.is_none() && guest.is_none() && !self.is_enrolled().await?),
            guest,
            acting_person,
            memberships,
            steering,
            admin,
            powers,
            empty: read::is_empty(self.store.pool()).await?,
            demo,
        })
    }

    /// Whether this database is the demo coalition.
    pub(crate) async fn is_demo(&self) -> Result<bool> {
        Ok(self.store.local_setting(DEMO).await?.as_deref() == Some("1"))
    }

    /// Whether this device holds a certificate from a hub: it is its person's, for good.
    async fn is_enrolled(&self) -> Result<bool> {
        Ok(self
            .store
            .local_setting(crate::api::sync::HUB_CERTIFICATE)
            .await?
            .is_some())
    }

    /// Chooses who this device acts as. Only the demo may switch between people; a real
    /// database chooses once, the person setting up a new coalition, and a device enrolled with
    /// a hub acts only as the person its certificate names.
    pub async fn set_acting_person(&self, input: ActAs) -> Result<Session> {
        if !self.is_demo().await? {
            let current = self.acting_person_id().await?;
            if current.is_some() && current == input.person_id {
                return self.get_session(super::NoInput {}).await;
            }
            if current.is_some() || self.is_enrolled().await? || input.person_id.is_none() {
                return Err(CoreError::forbidden(
                    "this device acts as its own person: only the demo coalition lets you act as \
                     someone else",
                ));
            }
        }
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
        // Control characters (U+0000 among them) separate words: the index holds none, and the
        // full-text query must never see one.
        let text: String = q
            .text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        crate::store::search::search(self.store.pool(), &text, q.limit.unwrap_or(20)).await
    }

    /// Starts a new coalition in an empty database: its first organization and its first
    /// person, the secretariat's administrator, whom this device acts as from now on.
    pub async fn create_coalition(&self, input: CreateCoalition) -> Result<Session> {
        use crate::model::{NewContext, NewInput};
        // Both records are the new person's own: their history and My work say so.
        let me = Uuid::now_v7();
        let by_me = |id| NewContext {
            id,
            actor: Some(me),
        };
        let organization = input.organization.build(&by_me(Uuid::now_v7()))?;
        use crate::model::Entity as _;
        organization
            .validate()
            .map_err(|e| e.within("organization"))?;
        let person = crate::model::NewPerson {
            name: input.name,
            email: input.email,
            organization_id: Some(organization.id),
            secretariat_admin: true,
        }
        .build(&by_me(me))?;
        person.validate()?;
        // Checked after the values, so a form's mistakes are named whatever the database.
        if !read::is_empty(self.store.pool()).await? {
            return Err(CoreError::conflict(
                "this database already holds a coalition: a new one starts in an empty database",
            ));
        }
        let acting = super::records::pipeline::Acting {
            person: Some(person.clone()),
        };
        // An empty database is being set up: nobody's rights are asked yet.
        let bucket = self.placed(&organization).await?;
        self.insert(&acting, organization, &bucket).await?;
        let bucket = self.placed(&person).await?;
        self.insert(&acting, person, &bucket).await?;
        self.store
            .set_local_setting(ACTING_PERSON, Some(&me.to_string()))
            .await?;
        self.found_coalition(me).await?;
        self.get_session(super::NoInput {}).await
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
