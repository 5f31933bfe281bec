//! One generator per record kind, in the order the coalition is built: the directory, the
//! groups and their members, then the work (recommendations, comments, issues, meetings).

use super::vocabulary::*;
use super::*;

impl Dataset {
    pub(super) fn organization(&mut self, i: usize) {
        let f = 0.05 * i as f64 / self.counts.organizations as f64;
        let at = self.time_at(f);
        let id = id_at(&mut self.rng, at);
        let (country, region) = COUNTRIES[i % COUNTRIES.len()];
        let kind = ORG_KINDS[self.rng.random_range(0..ORG_KINDS.len())];
        let place = FAMILY[self.rng.random_range(0..FAMILY.len())];
        let themes: Vec<&str> = (0..self.rng.random_range(1..4))
            .map(|_| THEMES[self.rng.random_range(0..THEMES.len())])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let fields = json!({
            "name": format!("{place} {kind} {country}-{i}"),
            "country": country,
            "region": region,
            "themes": themes,
            "status": "member",
        });
        self.create(
            &schema::ORGANIZATION,
            COALITION_BUCKET,
            id,
            at,
            None,
            fields,
        );
        self.organizations.push(id);
    }

    pub(super) fn person(&mut self, i: usize) {
        let f = 0.1 * i as f64 / self.counts.people as f64;
        let at = self.time_at(f);
        let id = id_at(&mut self.rng, at);
        let org = self.organizations[i % self.organizations.len()];
        let given = GIVEN[self.rng.random_range(0..GIVEN.len())];
        let family = FAMILY[self.rng.random_range(0..FAMILY.len())];
        let fields = json!({
            "name": format!("{given} {family} {i}"),
            "email": format!("{}.{}{i}@example.org", given.to_lowercase(), family.to_lowercase()),
            "organization_id": org.to_string(),
            "secretariat_admin": i == 0,
        });
        self.create(&schema::PERSON, COALITION_BUCKET, id, at, None, fields);
        self.people.push((id, org));
    }

    pub(super) fn group(&mut self, i: usize) {
        let at = self.time_at(0.1 + 0.02 * i as f64 / self.counts.groups as f64);
        let id = id_at(&mut self.rng, at);
        let language = self.language();
        let kind = if i == 0 {
            "steering_committee"
        } else {
            GROUP_KINDS[i % GROUP_KINDS.len()]
        };
        let name = format!("{} {i}", self.text(language, 3));
        let mandate = self.paragraph(language);
        let fields = json!({"name": name, "kind": kind, "mandate": mandate, "region": Value::Null});
        let actor = Some(self.people[0].0);
        self.create(&schema::GROUP, COALITION_BUCKET, id, at, actor, fields);
        self.groups.push(GroupState {
            id,
            members: Vec::new(),
        });
    }

    /// About 200 members per group at scale 1 (every person in some three groups).
    pub(super) fn memberships(&mut self, g: usize) {
        let group = self.groups[g].id;
        let bucket = group.to_string();
        let per = (self.people.len() * 3 / self.groups.len()).clamp(3, 400);
        let mut members = Vec::with_capacity(per);
        for k in 0..per {
            let person = self.person_any();
            if members.contains(&person) {
                continue;
            }
            let at = self.time_at(0.12 + 0.05 * k as f64 / per as f64);
            let role = match k {
                0 => "leader",
                1 => "focal_point",
                _ if k % 20 == 0 => "observer",
                _ => "member",
            };
            let id = caucus_core::model::Membership::id_for(group, person);
            let fields = json!({"group_id": bucket, "person_id": person.to_string(), "role": role});
            self.create(&schema::MEMBERSHIP, &bucket, id, at, Some(person), fields);
            members.push(person);
        }
        self.groups[g].members = members;
    }

    pub(super) fn recommendation(&mut self, i: usize) {
        let f = 0.15 + 0.8 * i as f64 / self.counts.recommendations as f64;
        let at = self.time_at(f);
        let id = id_at(&mut self.rng, at);
        let g = self.rng.random_range(0..self.groups.len());
        let bucket = self.groups[g].id.to_string();
        let author = self.groups[g].members[self.rng.random_range(0..self.groups[g].members.len())];
        let language = self.language();
        let title = {
            let n = self.rng.random_range(4..10);
            self.text(language, n)
        };
        let body = self.paragraph(language);
        let fields = json!({
            "group_id": bucket, "author_id": author.to_string(), "co_author_ids": [],
            "addressee": "coalition", "addressee_ids": [], "title": title, "body": body,
            "language": WORDS[language].0, "state": "open", "answer_draft": "",
            "answer_draft_decision": Value::Null, "answer": "", "duplicate_of": Value::Null,
        });
        self.create(
            &schema::RECOMMENDATION,
            &bucket,
            id,
            at,
            Some(author),
            fields,
        );
        // Its history: reviewed, then decided, some retitled, over the following years.
        let leader = self.groups[g].members[0];
        let mut when = at;
        if self.rng.random_bool(0.7) {
            when = self.later(when);
            self.edit(
                &schema::RECOMMENDATION,
                &bucket,
                id,
                when,
                Some(leader),
                Map::from_iter([("state".into(), json!("under_review"))]),
            );
            if self.rng.random_bool(0.6) {
                when = self.later(when);
                let (state, answer) = if self.rng.random_bool(0.7) {
                    ("adopted", self.paragraph(language))
                } else {
                    ("not_adopted", self.paragraph(language))
                };
                self.edit(
                    &schema::RECOMMENDATION,
                    &bucket,
                    id,
                    when,
                    Some(leader),
                    Map::from_iter([
                        ("state".into(), json!(state)),
                        ("answer".into(), json!(answer)),
                    ]),
                );
            }
        }
        if self.rng.random_bool(0.2) {
            when = self.later(when);
            let title = {
                let n = self.rng.random_range(4..10);
                self.text(language, n)
            };
            self.edit(
                &schema::RECOMMENDATION,
                &bucket,
                id,
                when,
                Some(author),
                Map::from_iter([("title".into(), json!(title))]),
            );
        }
        // An endorsement by the author's organization, and a translation for one in ten.
        if let Some(&(_, org)) = self.people.iter().find(|(p, _)| *p == author) {
            let e = caucus_core::model::Endorsement::id_for(id, org);
            let fields = json!({"recommendation_id": id.to_string(), "organization_id": org.to_string(), "person_id": author.to_string()});
            let when = self.later(at);
            self.create(&schema::ENDORSEMENT, &bucket, e, when, Some(author), fields);
        }
        if i.is_multiple_of(10) {
            let other = (language + 1) % WORDS.len();
            let t = caucus_core::model::Translation::id_for(
                id,
                serde_json::from_value(json!(WORDS[other].0))
                    .unwrap_or(caucus_core::model::Language::En),
            );
            let title = self.text(other, 6);
            let body = self.paragraph(other);
            let fields = json!({"recommendation_id": id.to_string(), "language": WORDS[other].0, "title": title, "body": body, "machine": i.is_multiple_of(20)});
            let when = self.later(at);
            self.create(&schema::TRANSLATION, &bucket, t, when, Some(author), fields);
        }
        self.recs.push(Rec {
            id,
            group: g,
            at,
            language,
        });
    }

    pub(super) fn comment(&mut self, _i: usize) {
        let r = self.rng.random_range(0..self.recs.len());
        let (rec, g, rec_at, language) = (
            self.recs[r].id,
            self.recs[r].group,
            self.recs[r].at,
            self.recs[r].language,
        );
        let at = self.later(rec_at);
        let id = id_at(&mut self.rng, at);
        let bucket = self.groups[g].id.to_string();
        let author = self.groups[g].members[self.rng.random_range(0..self.groups[g].members.len())];
        let n = self.rng.random_range(8..30);
        let body = self.text(language, n);
        let kind = if self.rng.random_bool(0.1) {
            "progress_note"
        } else {
            "comment"
        };
        let fields = json!({"recommendation_id": rec.to_string(), "author_id": author.to_string(), "body": body, "kind": kind});
        self.create(&schema::COMMENT, &bucket, id, at, Some(author), fields);
    }

    pub(super) fn tracked_issue(&mut self, i: usize) {
        let f = 0.15 + 0.8 * i as f64 / self.counts.tracked_issues as f64;
        let at = self.time_at(f);
        let id = id_at(&mut self.rng, at);
        let g = self.rng.random_range(0..self.groups.len());
        let bucket = self.groups[g].id.to_string();
        let members = &self.groups[g].members;
        let assignee = members[self.rng.random_range(0..members.len())];
        let leader = members[0];
        let language = self.language();
        let title = {
            let n = self.rng.random_range(3..8);
            self.text(language, n)
        };
        let description = self.paragraph(language);
        let priority = PRIORITIES[self.rng.random_range(0..PRIORITIES.len())];
        let fields = json!({
            "group_id": bucket, "title": title, "description": description, "status": "open",
            "priority": priority, "due_date": Value::Null, "assignee_ids": [assignee.to_string()],
            "labels": [THEMES[i % THEMES.len()]], "recommendation_ids": [],
        });
        self.create(
            &schema::TRACKED_ISSUE,
            &bucket,
            id,
            at,
            Some(leader),
            fields,
        );
        let mut when = at;
        for _ in 0..self.rng.random_range(0..3) {
            when = self.later(when);
            let status = ISSUE_STATUSES[self.rng.random_range(1..ISSUE_STATUSES.len())];
            self.edit(
                &schema::TRACKED_ISSUE,
                &bucket,
                id,
                when,
                Some(assignee),
                Map::from_iter([("status".into(), json!(status))]),
            );
        }
    }

    pub(super) fn meeting(&mut self, i: usize) {
        let f = 0.15 + 0.8 * i as f64 / self.counts.meetings as f64;
        let at = self.time_at(f);
        let id = id_at(&mut self.rng, at);
        let g = self.rng.random_range(0..self.groups.len());
        let bucket = self.groups[g].id.to_string();
        let members = self.groups[g].members.clone();
        let leader = members[0];
        let language = self.language();
        let day = caucus_core::hlc::day_of(at + 14 * DAY_MS, 0);
        let title = self.text(language, 5);
        let minutes = self.paragraph(language);
        let fields = json!({"group_id": bucket, "title": title, "starts_at": format!("{day}T10:00"), "place": "The Hague", "minutes": minutes});
        self.create(&schema::MEETING, &bucket, id, at, Some(leader), fields);
        for position in 0..3 {
            let item = id_at(&mut self.rng, at);
            let title = self.text(language, 4);
            let fields = json!({"meeting_id": id.to_string(), "position": position, "title": title, "notes": ""});
            self.create(
                &schema::AGENDA_ITEM,
                &bucket,
                item,
                at,
                Some(leader),
                fields,
            );
        }
        for person in members.iter().take(5) {
            let a = caucus_core::model::Attendance::id_for(id, *person);
            let fields = json!({"meeting_id": id.to_string(), "person_id": person.to_string(), "present": true});
            self.create(&schema::ATTENDANCE, &bucket, a, at, Some(leader), fields);
        }
        let d = id_at(&mut self.rng, at);
        let text = self.paragraph(language);
        let fields = json!({"meeting_id": id.to_string(), "text": text, "issue_ids": [], "recommendation_ids": []});
        self.create(&schema::DECISION, &bucket, d, at, Some(leader), fields);
    }
}
