//! Memberships: anyone may follow a group as an observer or ask to join it (the coalition's
//! teams are open to every member organization, and a leader accepts); adding someone else,
//! making an applicant a member, naming leaders and focal points, and removing someone else,
//! is the secretariat's or the group's leaders' (as the hub and every replica judge it:
//! `sync::authority`).

use super::pipeline::Acting;
use crate::api::Caucus;
use crate::error::{CoreError, Result};
use crate::model::*;
use crate::store::read;
use uuid::Uuid;

impl Caucus {
    pub async fn get_membership(&self, input: IdInput) -> Result<Membership> {
        self.get(input.id).await
    }
    pub async fn list_memberships(&self, input: MembershipFilter) -> Result<Vec<Membership>> {
        self.list(input).await
    }

    /// Joins a group, asks to join it, or adds someone to it. Anyone may follow a group as an
    /// observer or ask to join (without a role, joining oneself is asking, unless one leads the
    /// group); adding someone else, and any role above applicant, need the secretariat or the
    /// group's leader or focal point.
    pub async fn join_group(&self, input: JoinGroup) -> Result<Membership> {
        let acting = self.acting().await?;
        let person_id = match input.person_id {
            Some(id) => id,
            None => acting.require("joining a group")?,
        };
        let leads = self.leads_group(&acting, input.group_id).await?;
        let role = input
            .role
            .unwrap_or(if leads { Role::Member } else { Role::Applicant });
        if role == Role::Member && !leads {
            return Err(CoreError::forbidden(
                "ask to join the group: one of its leaders or the secretariat makes you a member",
            ));
        }
        self.check_role_assignment(&acting, input.group_id, role)
            .await?;
        if Some(person_id) != acting.id() {
            // The hub refuses it from anyone else: refused here, it never waits in the outbox
            // to be undone.
            self.check_leads(
                &acting,
                input.group_id,
                "only the secretariat or the group's leader or focal point may add someone else to the group",
            )
            .await?;
        }
        let id = Membership::id_for(input.group_id, person_id);
        if let Ok(existing) = self.get::<Membership>(id).await {
            if !existing.archived {
                return Err(CoreError::conflict(
                    "this person is already a member of the group",
                ));
            }
        }
        let membership = Membership {
            id,
            archived: false,
            unreadable: Vec::new(),
            group_id: input.group_id,
            person_id,
            role,
        };
        let bucket = self.placed(&membership).await?;
        self.insert(&acting, membership, &bucket).await
    }

    pub async fn leave_group(&self, input: LeaveGroup) -> Result<Membership> {
        let acting = self.acting().await?;
        let person_id = match input.person_id {
            Some(id) => id,
            None => acting.require("leaving a group")?,
        };
        let id = Membership::id_for(input.group_id, person_id);
        match self.get::<Membership>(id).await {
            // Leaving is always allowed; removing someone else is the group's leaders' call.
            Ok(m) if !m.archived && Some(person_id) == acting.id() => {
                self.archive_row(&acting, id).await
            }
            Ok(m) if !m.archived => self.archive_as(&acting, id).await,
            _ => Err(CoreError::conflict(
                "this person is not a member of the group",
            )),
        }
    }

    pub async fn update_membership(&self, input: MembershipPatch) -> Result<Membership> {
        let acting = self.acting().await?;
        let current: Membership = self.get(input.id).await?;
        if let Some(role) = input.role {
            self.check_role_assignment(&acting, current.group_id, role)
                .await?;
        }
        self.update_as(&acting, input).await
    }

    /// A person's current memberships, and whether one of them is in the steering committee.
    pub(crate) async fn memberships_of(&self, person: Uuid) -> Result<(Vec<Membership>, bool)> {
        let memberships = read::list(
            self.store().pool(),
            &MembershipFilter {
                person_id: Some(person),
                ..Default::default()
            },
        )
        .await?;
        let mut steering = false;
        for m in &memberships {
            let group: Group = self.get(m.group_id).await?;
            steering |= group.kind == GroupKind::SteeringCommittee && !group.archived;
        }
        Ok((memberships, steering))
    }

    /// May the acting person assign leadership roles in this group? The secretariat and the
    /// group's own leaders and focal points may.
    async fn check_role_assignment(
        &self,
        acting: &Acting,
        group_id: Uuid,
        role: Role,
    ) -> Result<()> {
        if matches!(role, Role::Member | Role::Observer | Role::Applicant) {
            return Ok(());
        }
        self.check_leads(
            acting,
            group_id,
            "only the secretariat or the group's leader or focal point may name leaders and focal points",
        )
        .await
    }

    /// Refuses with `refusal` unless the acting person is the secretariat or leads the group.
    async fn check_leads(&self, acting: &Acting, group_id: Uuid, refusal: &str) -> Result<()> {
        acting.require("managing a group's members")?;
        if self.leads_group(acting, group_id).await? {
            Ok(())
        } else {
            Err(CoreError::forbidden(refusal))
        }
    }

    /// Whether the acting person is the secretariat or the group's leader or focal point.
    async fn leads_group(&self, acting: &Acting, group_id: Uuid) -> Result<bool> {
        if acting.admin() {
            return Ok(true);
        }
        Ok(matches!(
            self.role_in(acting, group_id).await?,
            Some(Role::Leader | Role::FocalPoint)
        ))
    }
}
