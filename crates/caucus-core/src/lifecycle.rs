//! The recommendation lifecycle and who may move it.
//!
//! ```text
//! draft ─author─▶ open ─leader/focal point─▶ under review ─answer published─▶ adopted
//!                                                  │                        referred ─steering─▶ adopted / not adopted
//!                                                  │                        not adopted (reason)
//!                                                  │                        duplicate (link)
//! answered ─leader/focal point─▶ follow-up ─▶ closed;  the author may withdraw until closed.
//! ```
//! Answers are drafted and published in two steps, so a leader can prepare one offline and a
//! focal point publish it later. The functions here are pure: the caller gathers the actor's
//! roles and the record, and writes the result through the change log.

use crate::error::{CoreError, Result};
use crate::model::{Decision, Recommendation, RecommendationState as S, Role};
use uuid::Uuid;

/// The acting person as the lifecycle sees them, in the recommendation's group.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    /// The person acting.
    pub person: Uuid,
    /// Their role in the recommendation's group, if a member.
    pub role: Option<Role>,
    /// A member of the steering committee (decides referred recommendations).
    pub steering: bool,
}

impl Actor {
    fn answers(&self) -> bool {
        matches!(self.role, Some(Role::Leader | Role::FocalPoint))
    }
}

fn forbid(what: &str) -> CoreError {
    CoreError::forbidden(what.to_string())
}

/// Checks a plain transition (everything but publishing an answer).
pub fn check_transition(rec: &Recommendation, to: S, actor: &Actor) -> Result<()> {
    let from = rec.state;
    if from == to {
        return Err(CoreError::conflict(format!(
            "the recommendation is already {}",
            state_name(to)
        )));
    }
    match (from, to) {
        (S::Closed | S::Withdrawn, _) => Err(CoreError::conflict(format!(
            "the recommendation is {}: its state can no longer change",
            state_name(from)
        ))),
        (_, S::Withdrawn) => {
            if rec.is_author(actor.person) {
                Ok(())
            } else {
                Err(forbid("only an author may withdraw a recommendation"))
            }
        }
        (S::Draft, S::Open) => {
            if rec.is_author(actor.person) {
                Ok(())
            } else {
                Err(forbid("only an author may open a draft"))
            }
        }
        (S::Open, S::UnderReview) | (S::UnderReview, S::Open) => leader_or_focal(actor),
        (S::Adopted | S::NotAdopted | S::Duplicate, S::FollowUp) => leader_or_focal(actor),
        (S::Adopted | S::NotAdopted | S::Duplicate | S::FollowUp, S::Closed) => {
            leader_or_focal(actor)
        }
        (_, S::Adopted | S::Referred | S::NotAdopted | S::Duplicate) => Err(CoreError::conflict(
            "an answer is drafted and then published; it is not a plain state change",
        )),
        _ => Err(CoreError::conflict(format!(
            "a recommendation cannot go from {} to {}",
            state_name(from),
            state_name(to)
        ))),
    }
}

fn leader_or_focal(actor: &Actor) -> Result<()> {
    if actor.answers() {
        Ok(())
    } else {
        Err(forbid("only the team's leader or focal point may do this"))
    }
}

/// Checks drafting an answer: leaders and focal points answer what is under review; the
/// steering committee answers what was referred to it (adopted or not adopted).
pub fn check_draft_answer(
    rec: &Recommendation,
    decision: Decision,
    text: &str,
    duplicate_of: Option<Uuid>,
    actor: &Actor,
) -> Result<()> {
    match rec.state {
        S::UnderReview => leader_or_focal(actor)?,
        S::Referred => {
            if !actor.steering {
                return Err(forbid(
                    "only the steering committee decides a referred recommendation",
                ));
            }
            if !matches!(decision, Decision::Adopted | Decision::NotAdopted) {
                return Err(CoreError::invalid(
                    "decision",
                    "the steering committee adopts or does not adopt",
                ));
            }
        }
        other => {
            return Err(CoreError::conflict(format!(
                "the recommendation is {}: put it under review before answering",
                state_name(other)
            )))
        }
    }
    if decision == Decision::NotAdopted && text.trim().is_empty() {
        return Err(CoreError::invalid(
            "text",
            "give the reason the recommendation is not adopted",
        ));
    }
    match (decision, duplicate_of) {
        (Decision::Duplicate, None) => Err(CoreError::invalid(
            "duplicate_of",
            "link the recommendation this one duplicates",
        )),
        (Decision::Duplicate, Some(d)) if d == rec.id => Err(CoreError::invalid(
            "duplicate_of",
            "a recommendation cannot duplicate itself",
        )),
        (d, Some(_)) if d != Decision::Duplicate => Err(CoreError::invalid(
            "duplicate_of",
            "only a duplicate links to another recommendation",
        )),
        _ => Ok(()),
    }
}

/// Checks publishing the drafted answer, and returns the state it moves to.
pub fn check_publish(rec: &Recommendation, actor: &Actor) -> Result<S> {
    let decision = rec
        .answer_draft_decision
        .ok_or_else(|| CoreError::conflict("there is no drafted answer to publish"))?;
    match rec.state {
        S::UnderReview => leader_or_focal(actor)?,
        S::Referred if actor.steering => {}
        S::Referred => {
            return Err(forbid(
                "only the steering committee publishes the answer to a referred recommendation",
            ))
        }
        other => {
            return Err(CoreError::conflict(format!(
                "the recommendation is {}: there is no answer to publish",
                state_name(other)
            )))
        }
    }
    Ok(decision.state())
}

/// Checks editing a recommendation's text: authors while it is a draft or open, the team's
/// leader and focal point at any time before it is closed.
pub fn check_edit(rec: &Recommendation, actor: &Actor) -> Result<()> {
    if matches!(rec.state, S::Closed | S::Withdrawn) {
        return Err(CoreError::conflict(format!(
            "the recommendation is {}: it can no longer be edited",
            state_name(rec.state)
        )));
    }
    if actor.answers() || (rec.is_author(actor.person) && matches!(rec.state, S::Draft | S::Open)) {
        Ok(())
    } else {
        Err(forbid(
            "only its authors (before review) or the team's leader and focal point may edit it",
        ))
    }
}

/// Archiving hides a recommendation from lists: the team's leader or focal point only.
pub fn check_archive(actor: &Actor) -> Result<()> {
    if actor.answers() {
        Ok(())
    } else {
        Err(forbid(
            "only the team's leader or focal point may archive a recommendation",
        ))
    }
}

/// What the acting person may do with a recommendation, for the screens to offer exactly
/// that: each answer is the check above, asked of every possibility.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, specta::Type)]
pub struct Actions {
    /// The plain moves they may make (opening, review, follow-up, closing, withdrawing).
    pub moves: Vec<S>,
    /// Edit its title, body and language.
    pub edit: bool,
    /// Draft the team's answer (or the steering committee's, once referred).
    pub answer: bool,
    /// Publish the drafted answer.
    pub publish: bool,
    /// Archive it (the team's leader or focal point).
    pub archive: bool,
}

/// [`Actions`] for `actor` on `rec`.
pub fn actions(rec: &Recommendation, actor: &Actor) -> Actions {
    Actions {
        moves: S::ALL
            .iter()
            .copied()
            .filter(|to| check_transition(rec, *to, actor).is_ok())
            .collect(),
        edit: check_edit(rec, actor).is_ok(),
        // A valid draft of either body, so only the role and the state decide.
        answer: check_draft_answer(rec, Decision::Adopted, "-", None, actor).is_ok(),
        publish: check_publish(rec, actor).is_ok(),
        archive: check_archive(actor).is_ok(),
    }
}

/// The lowercase name of a state, for messages.
pub fn state_name(s: S) -> &'static str {
    match s {
        S::Draft => "draft",
        S::Open => "open",
        S::UnderReview => "under review",
        S::Adopted => "adopted",
        S::Referred => "referred",
        S::NotAdopted => "not adopted",
        S::Duplicate => "duplicate",
        S::FollowUp => "follow-up",
        S::Closed => "closed",
        S::Withdrawn => "withdrawn",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Addressee, Language};

    fn rec(state: S, author: Uuid) -> Recommendation {
        Recommendation {
            id: Uuid::now_v7(),
            archived: false,
            unreadable: Vec::new(),
            group_id: Uuid::now_v7(),
            author_id: author,
            co_author_ids: vec![],
            addressee: Addressee::Group,
            addressee_ids: vec![],
            title: "t".into(),
            body: "b".into(),
            language: Language::En,
            state,
            answer_draft: String::new(),
            answer_draft_decision: None,
            answer: String::new(),
            duplicate_of: None,
        }
    }

    #[test]
    fn the_screens_are_offered_exactly_what_the_checks_allow() {
        let author = Uuid::now_v7();
        let lead = Uuid::now_v7();
        let other = Uuid::now_v7();
        let actor = |person, role| Actor {
            person,
            role: Some(role),
            steering: false,
        };
        let member = actor(author, Role::Member);
        let leader = actor(lead, Role::Leader);
        let bystander = actor(other, Role::Member);
        assert_eq!(
            actions(&rec(S::Draft, author), &member).moves,
            vec![S::Open, S::Withdrawn],
            "the author opens or withdraws a draft"
        );
        assert_eq!(
            actions(&rec(S::Open, author), &leader).moves,
            vec![S::UnderReview],
            "the leader reviews"
        );
        assert!(actions(&rec(S::Open, author), &bystander).moves.is_empty());
        assert!(actions(&rec(S::UnderReview, author), &leader).answer);
        assert!(!actions(&rec(S::UnderReview, author), &bystander).answer);
        assert!(
            !actions(&rec(S::Referred, author), &leader).answer,
            "a referred recommendation is the steering committee's"
        );
        let steering = Actor {
            steering: true,
            ..bystander
        };
        assert!(actions(&rec(S::Referred, author), &steering).answer);
        assert!(actions(&rec(S::Open, author), &member).edit);
        assert!(!actions(&rec(S::UnderReview, author), &member).edit);
        assert!(actions(&rec(S::Open, author), &leader).archive);
        assert!(!actions(&rec(S::Open, author), &member).archive);
    }

    #[test]
    fn each_role_may_make_only_its_own_moves() {
        let author = Uuid::now_v7();
        let someone = Uuid::now_v7();
        let as_role = |role: Option<Role>, person| Actor {
            person,
            role,
            steering: false,
        };
        // (from, to, actor, allowed)
        let cases = [
            (S::Draft, S::Open, as_role(Some(Role::Member), author), true),
            (
                S::Draft,
                S::Open,
                as_role(Some(Role::Leader), someone),
                false,
            ),
            (
                S::Open,
                S::UnderReview,
                as_role(Some(Role::Leader), someone),
                true,
            ),
            (
                S::Open,
                S::UnderReview,
                as_role(Some(Role::FocalPoint), someone),
                true,
            ),
            (
                S::Open,
                S::UnderReview,
                as_role(Some(Role::Member), author),
                false,
            ),
            (
                S::Open,
                S::UnderReview,
                as_role(Some(Role::Observer), someone),
                false,
            ),
            (S::Open, S::Withdrawn, as_role(None, author), true),
            (
                S::UnderReview,
                S::Withdrawn,
                as_role(Some(Role::Leader), someone),
                false,
            ),
            (
                S::Adopted,
                S::FollowUp,
                as_role(Some(Role::Leader), someone),
                true,
            ),
            (
                S::FollowUp,
                S::Closed,
                as_role(Some(Role::FocalPoint), someone),
                true,
            ),
            (
                S::FollowUp,
                S::Closed,
                as_role(Some(Role::Member), someone),
                false,
            ),
            (
                S::UnderReview,
                S::Adopted,
                as_role(Some(Role::Leader), someone),
                false,
            ),
            (
                S::Closed,
                S::Open,
                as_role(Some(Role::Leader), someone),
                false,
            ),
            (S::Withdrawn, S::Open, as_role(None, author), false),
        ];
        for (from, to, actor, allowed) in cases {
            let r = rec(from, author);
            assert_eq!(
                check_transition(&r, to, &actor).is_ok(),
                allowed,
                "{from:?} -> {to:?} as {:?} (author: {})",
                actor.role,
                actor.person == author
            );
        }
    }

    #[test]
    fn answers_need_their_reason_and_link() {
        let leader = Actor {
            person: Uuid::now_v7(),
            role: Some(Role::Leader),
            steering: false,
        };
        let r = rec(S::UnderReview, Uuid::now_v7());
        assert!(check_draft_answer(&r, Decision::Adopted, "", None, &leader).is_ok());
        assert!(check_draft_answer(&r, Decision::NotAdopted, " ", None, &leader).is_err());
        assert!(check_draft_answer(&r, Decision::Duplicate, "", None, &leader).is_err());
        assert!(
            check_draft_answer(&r, Decision::Duplicate, "", Some(Uuid::now_v7()), &leader).is_ok()
        );
        let referred = rec(S::Referred, Uuid::now_v7());
        assert!(
            check_draft_answer(&referred, Decision::Adopted, "", None, &leader).is_err(),
            "a team leader does not decide what was referred to the steering committee"
        );
        let steering = Actor {
            steering: true,
            ..leader
        };
        assert!(check_draft_answer(&referred, Decision::Adopted, "", None, &steering).is_ok());
    }

    #[test]
    fn publishing_moves_to_the_drafted_decision() {
        let focal = Actor {
            person: Uuid::now_v7(),
            role: Some(Role::FocalPoint),
            steering: false,
        };
        let mut r = rec(S::UnderReview, Uuid::now_v7());
        assert!(check_publish(&r, &focal).is_err(), "nothing drafted yet");
        r.answer_draft_decision = Some(Decision::Referred);
        assert_eq!(check_publish(&r, &focal).ok(), Some(S::Referred));
    }
}
