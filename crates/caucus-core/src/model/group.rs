//! Groups of every kind and the memberships that tie people to them with a role.

use super::{filter_input, patch_input, Entity, NewContext, NewInput, Reference, Region};
use crate::error::Result;
use crate::schema;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    IssueTeam,
    WorkingGroup,
    RegionalNetwork,
    NationalCoalition,
    Caucus,
    SteeringCommittee,
}

/// An issue team, working group, network, caucus or the steering committee.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Group {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub name: String,
    pub kind: GroupKind,
    /// Markdown.
    pub mandate: String,
    pub region: Option<Region>,
}

impl Entity for Group {
    const TABLE: &'static schema::Table = &schema::GROUP;
    fn template() -> Self {
        Group {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            name: "?".into(),
            kind: GroupKind::IssueTeam,
            mandate: String::new(),
            region: None,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::line("name", &self.name, text::NAME_MAX)?;
        text::body("mandate", &self.mandate, true)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    pub name: String,
    pub kind: GroupKind,
    #[serde(default)]
    pub mandate: String,
    pub region: Option<Region>,
}

impl NewInput for NewGroup {
    type Entity = Group;
    fn build(self, ctx: &NewContext) -> Result<Group> {
        Ok(Group {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            name: self.name,
            kind: self.kind,
            mandate: self.mandate,
            region: self.region,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<GroupKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mandate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}
patch_input!(GroupPatch => Group);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct GroupFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<GroupKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(GroupFilter => Group);

/// A person's role in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Leader,
    FocalPoint,
    Member,
    Observer,
    /// Asked to join: no rights in the group until a leader or the secretariat makes them a
    /// member (or declines by removing them).
    Applicant,
}

/// Person × group × role. Its id is derived from the pair, so two devices that add the same
/// person to the same group offline create one membership, not two.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Membership {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub group_id: Uuid,
    pub person_id: Uuid,
    pub role: Role,
}

impl Membership {
    pub fn id_for(group_id: Uuid, person_id: Uuid) -> Uuid {
        pair_id(b"membership", group_id, person_id)
    }
}

/// A deterministic id for a record that is unique per pair of records.
pub(crate) fn pair_id(kind: &[u8], a: Uuid, b: Uuid) -> Uuid {
    let mut name = kind.to_vec();
    name.extend_from_slice(a.as_bytes());
    name.extend_from_slice(b.as_bytes());
    Uuid::new_v5(&Uuid::NAMESPACE_OID, &name)
}

impl Entity for Membership {
    const TABLE: &'static schema::Table = &schema::MEMBERSHIP;
    fn template() -> Self {
        Membership {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            group_id: Uuid::nil(),
            person_id: Uuid::nil(),
            role: Role::Member,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn derived_id(&self) -> Option<Uuid> {
        Some(Membership::id_for(self.group_id, self.person_id))
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn references(&self) -> Vec<Reference> {
        vec![
            Reference::new("group_id", &schema::GROUP, self.group_id),
            Reference::new("person_id", &schema::PERSON, self.person_id),
        ]
    }
}

/// Join a group (the acting person, unless `person_id` names someone else).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct JoinGroup {
    pub group_id: Uuid,
    pub person_id: Option<Uuid>,
    pub role: Option<Role>,
}

/// Leave a group (the acting person, unless `person_id` names someone else).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct LeaveGroup {
    pub group_id: Uuid,
    pub person_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MembershipPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
}
patch_input!(MembershipPatch => Membership);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct MembershipFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(MembershipFilter => Membership);
