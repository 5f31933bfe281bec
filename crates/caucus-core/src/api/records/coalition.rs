//! Organizations, people and groups: the generic commands, with the rights of
//! [`crate::rights`] (the secretariat sets them up; a person edits their own name and email; a
//! group's leaders edit its name, mandate and region).

use super::record_commands;
use crate::model::*;

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
