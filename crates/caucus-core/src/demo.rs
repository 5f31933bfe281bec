//! The demo coalition: the Coalition for the International Criminal Court's steering
//! committee, issue teams, working groups and regional networks, with a few tracked issues and
//! recommendations. It is written through the public commands, so every record has its history
//! in the change log like any other.
//!
//! The organizations, teams and working groups are the coalition's own; the people other than
//! its convenors are placeholders named after the organization they represent.

use crate::api::{ActAs, Caucus, DemoSummary};
use crate::error::Result;
use crate::model::*;
use uuid::Uuid;

/// (name, country, region, themes, steering committee: true, emeritus: false)
const ORGANIZATIONS: &[(&str, &str, Region, &[&str], bool)] = &[
    (
        "Amnesty International",
        "GB",
        Region::Europe,
        &["human rights"],
        true,
    ),
    (
        "Asociación Pro Derechos Humanos",
        "PE",
        Region::Americas,
        &["human rights"],
        true,
    ),
    (
        "International Federation for Human Rights",
        "FR",
        Region::Europe,
        &["human rights"],
        true,
    ),
    (
        "Human Rights First",
        "US",
        Region::Americas,
        &["human rights"],
        true,
    ),
    (
        "Human Rights Watch",
        "US",
        Region::Americas,
        &["human rights"],
        true,
    ),
    (
        "No Peace Without Justice",
        "IT",
        Region::Europe,
        &["international law", "peace"],
        true,
    ),
    (
        "Parliamentarians for Global Action",
        "US",
        Region::Americas,
        &["international law"],
        true,
    ),
    (
        "Women's Initiatives for Gender Justice",
        "NL",
        Region::Europe,
        &["women's issues", "gender justice"],
        true,
    ),
    (
        "World Federalist Movement/Institute for Global Policy",
        "US",
        Region::Americas,
        &["international law", "peace"],
        true,
    ),
    (
        "European Law Students' Association",
        "BE",
        Region::Europe,
        &["international law"],
        false,
    ),
    (
        "Rights and Democracy",
        "CA",
        Region::Americas,
        &["human rights"],
        false,
    ),
    (
        "Asian Forum for Human Rights and Development (FORUM-ASIA)",
        "TH",
        Region::AsiaPacific,
        &["human rights"],
        false,
    ),
    (
        "Civil Resource Development and Documentation Centre (CIRDDOC)",
        "NG",
        Region::Africa,
        &["human rights", "women's issues"],
        false,
    ),
    (
        "Comisión Andina de Juristas",
        "PE",
        Region::Americas,
        &["international law"],
        false,
    ),
    (
        "Human Rights Network Uganda (HURINET-Uganda)",
        "UG",
        Region::Africa,
        &["human rights"],
        false,
    ),
    (
        "The Redress Trust",
        "GB",
        Region::Europe,
        &["rights of victims"],
        false,
    ),
];

const ISSUE_TEAMS: &[&str] = &[
    "Budget and finance",
    "Building - ICC premises",
    "Children",
    "Communications and outreach",
    "Cooperation agreements and enforcement",
    "Crimes of aggression",
    "ICC and ASP Elections",
    "Gender justice",
    "Legal representation",
    "Recruitment of ICC staff",
    "Review conferences",
    "Strategic planning",
    "Trust funds for victims",
];

const TEAM_MANDATE: &str = "Helps coordinate and focus the input of member NGOs on this issue and \
facilitates an efficient division of labour among NGO experts. The team monitors key developments \
in its area and recommends strategies to the coalition as a whole or to individual members. \
Membership is open to all coalition members.";

/// (name, region, national coalitions in the region by 2009)
const REGIONAL_NETWORKS: &[(&str, Region, u32)] = &[
    ("Africa regional network", Region::Africa, 21),
    (
        "Asia and the Pacific regional network",
        Region::AsiaPacific,
        14,
    ),
    ("Europe regional network", Region::Europe, 14),
    ("Latin America regional network", Region::Americas, 9),
    (
        "Middle East and North Africa regional network",
        Region::MiddleEastNorthAfrica,
        11,
    ),
];

fn person(name: &str, organization_id: Uuid, admin: bool) -> NewPerson {
    NewPerson {
        name: name.to_string(),
        email: String::new(),
        organization_id: Some(organization_id),
        secretariat_admin: admin,
    }
}

/// Loads the demo coalition (the caller checks the replica is empty) and acts as its convenor.
pub async fn load(c: &Caucus) -> Result<DemoSummary> {
    // Marked first: the demo acts as each of its people in turn while it is written.
    c.store()
        .set_local_setting(crate::api::DEMO, Some("1"))
        .await?;
    let mut orgs = Vec::new();
    for (name, country, region, themes, _) in ORGANIZATIONS {
        orgs.push(
            c.create_organization(NewOrganization {
                name: name.to_string(),
                country: country.to_string(),
                region: *region,
                themes: themes.iter().map(|t| t.to_string()).collect(),
                status: Some(MembershipStatus::Member),
            })
            .await?,
        );
    }
    let org = |name: &str| {
        orgs.iter()
            .find(|o| o.name == name)
            .map(|o| o.id)
            .unwrap_or_default()
    };

    // The convenor acts for the secretariat; every other person represents a member.
    let convenor = c
        .create_person(person(
            "Melinda Reed",
            org("Women's Initiatives for Gender Justice"),
            true,
        ))
        .await?;
    c.set_acting_person(ActAs {
        person_id: Some(convenor.id),
    })
    .await?;
    let pace = c
        .create_person(person(
            "William Pace",
            org("World Federalist Movement/Institute for Global Policy"),
            false,
        ))
        .await?;
    let mut reps = Vec::new();
    for o in &orgs {
        reps.push(
            c.create_person(person(&format!("Representative, {}", o.name), o.id, false))
                .await?,
        );
    }
    let rep = |org_name: &str| {
        reps.iter()
            .find(|p| p.name.ends_with(org_name))
            .map(|p| p.id)
            .unwrap_or_default()
    };

    let steering = c
        .create_group(NewGroup {
            name: "Steering Committee".into(),
            kind: GroupKind::SteeringCommittee,
            mandate: "A core group of NGOs that provides policy and programme coherence for the \
coalition's efforts, guides the work of the secretariat, and decides recommendations referred to it."
                .into(),
            region: None,
        })
        .await?;
    for (name, _, _, _, current) in ORGANIZATIONS {
        if *current {
            join(c, steering.id, rep(name), Role::Member).await?;
        }
    }
    join(c, steering.id, convenor.id, Role::FocalPoint).await?;

    let mut teams = Vec::new();
    for name in ISSUE_TEAMS {
        teams.push(
            c.create_group(NewGroup {
                name: name.to_string(),
                kind: GroupKind::IssueTeam,
                mandate: TEAM_MANDATE.into(),
                region: None,
            })
            .await?,
        );
    }
    for (name, mandate) in [
        ("Faith and Ethics Network", "Brings together faith-based organizations working for a fair, effective and independent court."),
        ("Victims' Rights Working Group", "Works for the rights of victims before the court: participation, representation and reparations."),
    ] {
        c.create_group(NewGroup {
            name: name.into(),
            kind: GroupKind::WorkingGroup,
            mandate: mandate.into(),
            region: None,
        })
        .await?;
    }
    for (name, region, national) in REGIONAL_NETWORKS {
        c.create_group(NewGroup {
            name: name.to_string(),
            kind: GroupKind::RegionalNetwork,
            mandate: format!(
                "Supports the {national} national coalitions of the region in the campaign for \
ratification and implementation of the Rome Statute, and in education about the court."
            ),
            region: Some(*region),
        })
        .await?;
    }
    let team = |name: &str| {
        teams
            .iter()
            .find(|g| g.name == name)
            .map(|g| g.id)
            .unwrap_or_default()
    };

    // Leaders and focal points of a few teams, and some members.
    let budget = team("Budget and finance");
    let elections = team("ICC and ASP Elections");
    let cooperation = team("Cooperation agreements and enforcement");
    let gender = team("Gender justice");
    join(c, budget, rep("Human Rights Watch"), Role::Leader).await?;
    join(c, budget, pace.id, Role::FocalPoint).await?;
    join(c, budget, rep("The Redress Trust"), Role::Member).await?;
    join(c, elections, rep("Amnesty International"), Role::Leader).await?;
    join(c, elections, convenor.id, Role::FocalPoint).await?;
    join(
        c,
        elections,
        rep("Comisión Andina de Juristas"),
        Role::Member,
    )
    .await?;
    join(
        c,
        cooperation,
        rep("International Federation for Human Rights"),
        Role::Leader,
    )
    .await?;
    join(c, cooperation, pace.id, Role::FocalPoint).await?;
    join(
        c,
        cooperation,
        rep("Human Rights Network Uganda (HURINET-Uganda)"),
        Role::Member,
    )
    .await?;
    join(
        c,
        gender,
        rep("Women's Initiatives for Gender Justice"),
        Role::Leader,
    )
    .await?;
    join(c, gender, convenor.id, Role::FocalPoint).await?;
    join(
        c,
        gender,
        rep("Civil Resource Development and Documentation Centre (CIRDDOC)"),
        Role::Member,
    )
    .await?;

    let issues = [
        (
            budget,
            "Proposed programme budget of the Court for the next Assembly session",
            IssueStatus::ActionNeeded,
            Priority::High,
            Some("2026-12-01"),
            vec!["budget", "ASP"],
        ),
        (
            budget,
            "Arrears of States Parties",
            IssueStatus::Monitoring,
            Priority::Normal,
            None,
            vec!["budget"],
        ),
        (
            elections,
            "Nomination and election of six judges",
            IssueStatus::Open,
            Priority::Urgent,
            Some("2026-12-10"),
            vec!["judges", "ASP"],
        ),
        (
            cooperation,
            "Ratification of the Agreement on Privileges and Immunities (APIC)",
            IssueStatus::Monitoring,
            Priority::Normal,
            None,
            vec!["APIC", "ratification"],
        ),
        (
            cooperation,
            "Implementing legislation for the crimes of the Rome Statute",
            IssueStatus::Open,
            Priority::High,
            None,
            vec!["implementation"],
        ),
        (
            gender,
            "Gender balance in the election of judges",
            IssueStatus::Open,
            Priority::Normal,
            None,
            vec!["judges", "gender"],
        ),
    ];
    for (group_id, title, status, priority, due, labels) in issues {
        c.create_tracked_issue(NewTrackedIssue {
            group_id,
            title: title.into(),
            description: String::new(),
            status: Some(status),
            priority: Some(priority),
            due_date: due.map(str::to_string),
            assignee_ids: vec![],
            labels: labels.into_iter().map(str::to_string).collect(),
        })
        .await?;
    }

    // The budget team's meeting at the Assembly, with its agenda.
    let meeting = c
        .create_meeting(NewMeeting {
            group_id: budget,
            title: "Budget team briefing before the Assembly of States Parties".into(),
            starts_at: "2026-12-02T09:00".into(),
            place: "The Hague".into(),
        })
        .await?;
    for (position, title) in [
        (1, "The Committee on Budget and Finance report"),
        (2, "Joint NGO letter on the programme budget"),
        (3, "Division of labour for the session"),
    ] {
        c.create_agenda_item(NewAgendaItem {
            meeting_id: meeting.id,
            position,
            title: title.into(),
            notes: String::new(),
        })
        .await?;
    }

    // Recommendations are posted by representatives, in their own language.
    let recommendations = [
        (rep("International Federation for Human Rights"), cooperation, Language::Fr,
         "Exhorter les États à ratifier l'Accord sur les privilèges et immunités",
         "Les membres de la coalition devraient demander aux États qui ne l'ont pas encore fait de **ratifier et mettre en œuvre l'APIC**, afin que les fonctionnaires de la Cour exercent leurs fonctions en toute indépendance."),
        (rep("Human Rights Network Uganda (HURINET-Uganda)"), cooperation, Language::En,
         "Include all Rome Statute crimes in domestic legislation",
         "As the Court opens new investigations, members should press their governments to adopt **implementing legislation** covering war crimes, crimes against humanity and genocide, and full cooperation with the Court."),
        (rep("Comisión Andina de Juristas"), elections, Language::Es,
         "Examen público de las candidaturas judiciales",
         "Proponemos que la coalición publique un cuestionario para todas las candidaturas y organice mesas redondas públicas antes de la elección."),
        (rep("The Redress Trust"), budget, Language::En,
         "Protect the budget of the Trust Fund for Victims",
         "The coalition should oppose any cut to the Secretariat of the Trust Fund for Victims in the proposed programme budget."),
        (rep("Civil Resource Development and Documentation Centre (CIRDDOC)"), gender, Language::Ar,
         "تعزيز التوازن بين الجنسين في انتخاب القضاة",
         "ندعو الدول الأطراف إلى ترشيح عدد أكبر من النساء ذوات الخبرة في العنف الجنسي والعنف القائم على النوع الاجتماعي."),
    ];
    let mut count = 0;
    for (author, group_id, language, title, body) in recommendations {
        c.set_acting_person(ActAs {
            person_id: Some(author),
        })
        .await?;
        c.create_recommendation(NewRecommendation {
            group_id,
            title: title.into(),
            body: body.into(),
            language,
            addressee: Some(Addressee::Coalition),
            addressee_ids: vec![],
            co_author_ids: vec![],
            open: true,
        })
        .await?;
        count += 1;
    }
    c.set_acting_person(ActAs {
        person_id: Some(convenor.id),
    })
    .await?;

    Ok(DemoSummary {
        organizations: orgs.len() as u32,
        people: reps.len() as u32 + 2,
        groups: (1 + ISSUE_TEAMS.len() + 2 + REGIONAL_NETWORKS.len()) as u32,
        recommendations: count,
    })
}

async fn join(c: &Caucus, group_id: Uuid, person_id: Uuid, role: Role) -> Result<Membership> {
    c.join_group(JoinGroup {
        group_id,
        person_id: Some(person_id),
        role: Some(role),
    })
    .await
}
