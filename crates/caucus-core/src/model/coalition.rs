//! Coalition-wide records: member organizations and the people who act for them.

use super::{filter_input, patch_input, Entity, NewContext, NewInput, Reference};
use crate::error::{CoreError, Result};
use crate::schema;
use crate::text;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The coalition's regions, as its regional networks are organised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    Africa,
    Americas,
    AsiaPacific,
    Europe,
    MiddleEastNorthAfrica,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum MembershipStatus {
    Applicant,
    Member,
    Suspended,
    Former,
}

/// A member NGO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Organization {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub name: String,
    /// ISO 3166-1 alpha-2 code, upper case.
    pub country: String,
    pub region: Region,
    pub themes: Vec<String>,
    pub status: MembershipStatus,
}

fn country(value: &str) -> Result<()> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(CoreError::invalid(
            "country",
            "must be a two-letter ISO country code such as NL",
        ))
    }
}

impl Entity for Organization {
    const TABLE: &'static schema::Table = &schema::ORGANIZATION;
    fn template() -> Self {
        Organization {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            name: "?".into(),
            country: "ZZ".into(),
            region: Region::Europe,
            themes: Vec::new(),
            status: MembershipStatus::Member,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::line("name", &self.name, text::NAME_MAX)?;
        country(&self.country)?;
        text::labels("themes", &self.themes)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    pub name: String,
    pub country: String,
    pub region: Region,
    #[serde(default)]
    pub themes: Vec<String>,
    pub status: Option<MembershipStatus>,
}

impl NewInput for NewOrganization {
    type Entity = Organization;
    fn build(self, ctx: &NewContext) -> Result<Organization> {
        Ok(Organization {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            name: self.name,
            country: self.country,
            region: self.region,
            themes: self.themes,
            status: self.status.unwrap_or(MembershipStatus::Member),
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub themes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MembershipStatus>,
}
patch_input!(OrganizationPatch => Organization);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct OrganizationFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<MembershipStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(OrganizationFilter => Organization);

/// Someone who acts for an organization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct Person {
    pub id: Uuid,
    pub archived: bool,
    /// Fields this device holds a value for that it cannot read (damaged, or written by
    /// another version): read as their neutral value until someone writes them again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<String>,
    pub name: String,
    /// May be empty.
    pub email: String,
    pub organization_id: Option<Uuid>,
    /// Coalition-wide setup rights (the secretariat).
    pub secretariat_admin: bool,
}

impl Entity for Person {
    const TABLE: &'static schema::Table = &schema::PERSON;
    fn template() -> Self {
        Person {
            id: Uuid::nil(),
            archived: false,
            unreadable: Vec::new(),
            name: "?".into(),
            email: String::new(),
            organization_id: None,
            secretariat_admin: false,
        }
    }
    fn id(&self) -> Uuid {
        self.id
    }
    fn validate(&self) -> Result<()> {
        text::line("name", &self.name, text::NAME_MAX)?;
        if !self.email.is_empty() {
            text::line("email", &self.email, text::NAME_MAX)?;
            let at = self.email.find('@');
            if at.is_none_or(|i| i == 0 || i == self.email.len() - 1) || self.email.contains(' ') {
                return Err(CoreError::invalid("email", "must be an email address"));
            }
        }
        Ok(())
    }
    fn references(&self) -> Vec<Reference> {
        self.organization_id
            .map(|id| Reference::new("organization_id", &schema::ORGANIZATION, id))
            .into_iter()
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub name: String,
    #[serde(default)]
    pub email: String,
    pub organization_id: Option<Uuid>,
    #[serde(default)]
    pub secretariat_admin: bool,
}

impl NewInput for NewPerson {
    type Entity = Person;
    fn build(self, ctx: &NewContext) -> Result<Person> {
        Ok(Person {
            id: ctx.id,
            archived: false,
            unreadable: Vec::new(),
            name: self.name,
            email: self.email,
            organization_id: self.organization_id,
            secretariat_admin: self.secretariat_admin,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub id: Uuid,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secretariat_admin: Option<bool>,
}
patch_input!(PersonPatch => Person);

#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct PersonFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub include_archived: Option<bool>,
}
filter_input!(PersonFilter => Person);
