//! Who may change what, outside the recommendation lifecycle (see [`crate::lifecycle`]).
//!
//! | records | create | edit | archive |
//! |---|---|---|---|
//! | organizations (status included) | secretariat | secretariat | secretariat |
//! | groups | secretariat | secretariat; the group's leader or focal point edits its name, mandate and region ([`GROUP_LEADER_FIELDS`]), never its kind | secretariat |
//! | people | secretariat | secretariat; the person their own name and email ([`OWN_PERSON_FIELDS`]), never their secretariat flag or organization | secretariat |
//! | memberships | (join and leave: see `join_group`) | the group's leader or focal point | the group's leader or focal point |
//! | tracked issues, meetings and their records | the group's leader or focal point | same | same |
//! | edits of a meeting's minutes | the group's leader or focal point, or a minute-taker they named for the meeting, in their own name | never (an edit is merged for good) | never |
//! | a meeting's minute-takers | the group's leader or focal point | — | same |
//! | recommendations | a member of the group (not an observer) | (lifecycle) | (lifecycle) |
//! | comments, translations | anyone acting | the author / anyone | the author, or the group's leader or focal point |
//! | endorsements | (see `endorse_recommendation`) | — | someone of the organization |
//!
//! The secretariat (a person marked secretariat admin) may do everything above except
//! lifecycle moves. Before any secretariat admin exists, the coalition is being set up, and
//! creating organizations and people is open, so a new install can name its first admin.
//!
//! Rights are per field where it matters: [`check`] is told which fields a write changes. The
//! same table decides in the app when an edit is made and at the hub for every change it
//! receives ([`crate::sync::authority`]).

use crate::error::{CoreError, Result};
use crate::model::{MembershipStatus, Role};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The fields of their own person record a person may edit. Every other field (their
/// secretariat flag, their organization) is the secretariat's: a person who could set them
/// could make themselves an admin, or endorse in another organization's name.
pub const OWN_PERSON_FIELDS: &[&str] = &["name", "email"];

/// The fields of a group its leaders and focal points may edit. Its kind is the secretariat's:
/// the steering committee's members decide referred recommendations, so a leader who could
/// turn their team into one would give its members that right.
pub const GROUP_LEADER_FIELDS: &[&str] = &["name", "mandate", "region"];

/// A write the rights are asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Creating a record (or restoring an archived one).
    Create,
    /// Changing fields of a live record.
    Update,
    /// Archiving a record.
    Archive,
}

/// The acting person as the rights see them, in the group the record belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    /// The person acting.
    pub person: Uuid,
    /// The person's organization.
    pub organization: Option<Uuid>,
    /// Whether they are the secretariat (coalition-wide setup rights).
    pub admin: bool,
    /// Their role in the record's group, if the record belongs to one and they are a member.
    pub role: Option<Role>,
    /// Whether the meeting the record belongs to named them a minute-taker (for an edit of
    /// its minutes; false elsewhere).
    pub takes_minutes: bool,
}

impl Standing {
    fn leads(&self) -> bool {
        self.admin || matches!(self.role, Some(Role::Leader | Role::FocalPoint))
    }
}

fn uuid_field(record: &Map<String, Value>, field: &str) -> Option<Uuid> {
    record
        .get(field)
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

fn deny(reason: &str) -> Result<()> {
    Err(CoreError::forbidden(reason.to_string()))
}

/// Why an organization of this standing may not endorse (nor, later, sign): only a member of
/// the coalition in good standing speaks in its name.
pub fn endorsement_refusal(status: MembershipStatus) -> Option<&'static str> {
    match status {
        MembershipStatus::Member => None,
        MembershipStatus::Suspended => {
            Some("your organization's membership of the coalition is suspended: it cannot endorse")
        }
        MembershipStatus::Applicant => Some(
            "your organization has applied to the coalition and is not a member yet: it cannot endorse",
        ),
        MembershipStatus::Former => {
            Some("your organization is no longer a member of the coalition: it cannot endorse")
        }
    }
}

/// Whether every field written is one of `allowed`.
fn only(columns: &[&str], allowed: &[&str]) -> bool {
    columns.iter().all(|c| allowed.contains(c))
}

/// Checks a write to a record of `table` (its fields as JSON after the write). `columns` are
/// the fields an update changes (ignored for creating and archiving). `standing` is `None`
/// when no person is chosen; `setting_up` is true while no secretariat admin exists.
pub fn check(
    table: &str,
    op: Operation,
    record: &Map<String, Value>,
    columns: &[&str],
    standing: Option<&Standing>,
    setting_up: bool,
) -> Result<()> {
    if setting_up && matches!(table, "organization" | "person") && op == Operation::Create {
        return Ok(());
    }
    let Some(me) = standing else {
        return deny("choose who you are acting as first");
    };
    match (table, op) {
        ("organization", _) | ("coalition_group", Operation::Create | Operation::Archive) => {
            if me.admin {
                Ok(())
            } else {
                deny("only the secretariat sets up organizations and groups")
            }
        }
        ("person", _) if me.admin => Ok(()),
        ("person", Operation::Update) if uuid_field(record, "id") == Some(me.person) => {
            if only(columns, OWN_PERSON_FIELDS) {
                Ok(())
            } else {
                deny("only the secretariat changes a person's organization or secretariat rights")
            }
        }
        ("person", _) => deny("only the secretariat manages people"),
        ("coalition_group", Operation::Update)
            if !me.admin && !only(columns, GROUP_LEADER_FIELDS) =>
        {
            deny("only the secretariat changes what kind of group this is")
        }
        (
            "coalition_group" | "membership" | "tracked_issue" | "meeting" | "agenda_item"
            | "attendance" | "decision" | "minute_taker",
            _,
        ) => {
            if me.leads() {
                Ok(())
            } else {
                deny("only the group's leader or focal point may do this")
            }
        }
        ("recommendation" | "comment", Operation::Create)
            if !me.admin && uuid_field(record, "author_id") != Some(me.person) =>
        {
            deny("a recommendation or comment is posted in its author's own name")
        }
        ("minutes_edit", Operation::Create) => {
            if uuid_field(record, "author_id") != Some(me.person) {
                deny("an edit of the minutes is made in its author's own name")
            } else if me.leads() || me.takes_minutes {
                Ok(())
            } else {
                deny("only the group's leader or focal point, and the minute-takers they name, may write the minutes")
            }
        }
        ("minutes_edit", _) => deny(
            "an edit of the minutes is merged into them for good: edit the minutes again instead",
        ),
        ("recommendation", Operation::Create) => {
            if me.admin
                || matches!(
                    me.role,
                    Some(Role::Leader | Role::FocalPoint | Role::Member)
                )
            {
                Ok(())
            } else {
                deny("join the group as a member to post a recommendation in it")
            }
        }
        // Edits and archiving of recommendations are decided by the lifecycle.
        ("recommendation", _) => Ok(()),
        ("comment" | "translation", Operation::Create) => Ok(()),
        ("comment", Operation::Update) => {
            if uuid_field(record, "author_id") == Some(me.person) {
                Ok(())
            } else {
                deny("only its author may edit a comment")
            }
        }
        ("translation", Operation::Update) => Ok(()),
        ("comment" | "translation", Operation::Archive) => {
            if uuid_field(record, "author_id") == Some(me.person) || me.leads() {
                Ok(())
            } else {
                deny("only the author or the group's leader or focal point may archive this")
            }
        }
        ("endorsement", Operation::Archive) => {
            if me.admin
                || (me.organization.is_some()
                    && uuid_field(record, "organization_id") == me.organization)
            {
                Ok(())
            } else {
                deny("only someone of the endorsing organization may withdraw its endorsement")
            }
        }
        _ => deny("this change is not allowed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn each_role_may_do_only_its_part() {
        let person = Uuid::now_v7();
        let org = Uuid::now_v7();
        let as_role = |role: Option<Role>, admin: bool| Standing {
            person,
            organization: Some(org),
            admin,
            role,
            takes_minutes: false,
        };
        let member = as_role(Some(Role::Member), false);
        let observer = as_role(Some(Role::Observer), false);
        let leader = as_role(Some(Role::Leader), false);
        let admin = as_role(None, true);
        let empty = rec(json!({}));
        let authored = rec(json!({ "author_id": person.to_string() }));
        // (table, op, record, standing, allowed)
        let cases = [
            ("organization", Operation::Create, &empty, &member, false),
            ("organization", Operation::Create, &empty, &admin, true),
            ("coalition_group", Operation::Create, &empty, &leader, false),
            ("coalition_group", Operation::Update, &empty, &leader, true),
            ("coalition_group", Operation::Update, &empty, &member, false),
            ("tracked_issue", Operation::Create, &empty, &member, false),
            ("tracked_issue", Operation::Create, &empty, &leader, true),
            ("meeting", Operation::Update, &empty, &admin, true),
            (
                "recommendation",
                Operation::Create,
                &authored,
                &member,
                true,
            ),
            (
                "recommendation",
                Operation::Create,
                &authored,
                &observer,
                false,
            ),
            (
                "recommendation",
                Operation::Create,
                &authored,
                &as_role(None, false),
                false,
            ),
            ("translation", Operation::Create, &empty, &observer, true),
        ];
        for (table, op, record, standing, allowed) in cases {
            assert_eq!(
                check(table, op, record, &[], Some(standing), false).is_ok(),
                allowed,
                "{table} {op:?} as {:?} (admin {})",
                standing.role,
                standing.admin
            );
        }
        let own = rec(json!({ "author_id": person.to_string() }));
        let theirs = rec(json!({ "author_id": Uuid::now_v7().to_string() }));
        assert!(check(
            "comment",
            Operation::Update,
            &own,
            &["body"],
            Some(&member),
            false
        )
        .is_ok());
        assert!(check(
            "comment",
            Operation::Update,
            &theirs,
            &["body"],
            Some(&member),
            false
        )
        .is_err());
        assert!(
            check(
                "comment",
                Operation::Archive,
                &theirs,
                &[],
                Some(&leader),
                false
            )
            .is_ok(),
            "leaders moderate"
        );
        let ours = rec(json!({ "organization_id": org.to_string() }));
        assert!(check(
            "endorsement",
            Operation::Archive,
            &ours,
            &[],
            Some(&member),
            false
        )
        .is_ok());
        assert!(check(
            "endorsement",
            Operation::Archive,
            &theirs,
            &[],
            Some(&member),
            false
        )
        .is_err());
    }

    #[test]
    fn a_person_edits_their_own_name_and_email_only() {
        let me = Uuid::now_v7();
        let member = Standing {
            person: me,
            organization: None,
            admin: false,
            role: None,
            takes_minutes: false,
        };
        let admin = Standing {
            admin: true,
            person: Uuid::now_v7(),
            ..member
        };
        let own = rec(json!({ "id": me.to_string() }));
        let someone = rec(json!({ "id": Uuid::now_v7().to_string() }));
        let update = |record, columns: &[&str], who| {
            check(
                "person",
                Operation::Update,
                record,
                columns,
                Some(who),
                false,
            )
            .is_ok()
        };
        assert!(
            update(&own, &["name", "email"], &member),
            "one's own name and email"
        );
        assert!(
            !update(&own, &["secretariat_admin"], &member),
            "no self-promotion"
        );
        assert!(
            !update(&own, &["organization_id"], &member),
            "no changing sides"
        );
        assert!(
            !update(&own, &["name", "organization_id"], &member),
            "not even with a name"
        );
        assert!(
            !update(&someone, &["name"], &member),
            "not someone else's name"
        );
        assert!(
            update(&own, &["secretariat_admin"], &admin),
            "the secretariat may"
        );
        assert!(
            update(&someone, &["organization_id"], &admin),
            "the secretariat may"
        );
        let group = rec(json!({ "id": Uuid::now_v7().to_string() }));
        let leader = Standing {
            role: Some(Role::Leader),
            ..member
        };
        let group_update = |columns: &[&str], who| {
            check(
                "coalition_group",
                Operation::Update,
                &group,
                columns,
                Some(who),
                false,
            )
            .is_ok()
        };
        assert!(
            group_update(&["mandate", "name"], &leader),
            "leaders keep the group"
        );
        assert!(
            !group_update(&["kind"], &leader),
            "but do not make it the steering committee"
        );
        assert!(group_update(&["kind"], &admin));
    }

    #[test]
    fn one_posts_in_ones_own_name() {
        let me = Uuid::now_v7();
        let member = Standing {
            person: me,
            organization: None,
            admin: false,
            role: Some(Role::Member),
            takes_minutes: false,
        };
        let mine = rec(json!({ "author_id": me.to_string() }));
        let theirs = rec(json!({ "author_id": Uuid::now_v7().to_string() }));
        for table in ["recommendation", "comment"] {
            assert!(check(table, Operation::Create, &mine, &[], Some(&member), false).is_ok());
            assert!(
                check(table, Operation::Create, &theirs, &[], Some(&member), false).is_err(),
                "no {table} in someone else's name"
            );
        }
    }

    #[test]
    fn a_new_install_can_name_its_first_people_and_no_one_else_acts_anonymously() {
        let empty = Map::new();
        assert!(check("organization", Operation::Create, &empty, &[], None, true).is_ok());
        assert!(check("person", Operation::Create, &empty, &[], None, true).is_ok());
        assert!(check(
            "coalition_group",
            Operation::Create,
            &empty,
            &[],
            None,
            true
        )
        .is_err());
        assert!(check("organization", Operation::Create, &empty, &[], None, false).is_err());
    }
}
