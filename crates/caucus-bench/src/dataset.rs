//! A deterministic coalition at scale: from a seed and a scale factor, the same changes every
//! time. At scale 1: 2,500 organizations in 150 countries, 10,000 people, 150 groups of every
//! kind with their memberships, 50,000 recommendations (with endorsements, translations and
//! ten years of state and title edits), 300,000 comments, 80,000 tracked issues (with status
//! history) and 20,000 meetings (agenda, attendance, a decision); text in the five languages.
//!
//! The generator yields batches of changes as the devices that made them would have sent them:
//! each record is created by one of 200 devices and later edited by others, every change
//! stamped with a clock between ten years ago and now. Loading goes through the one write
//! path (`Store::merge_remote`), like anything else that arrives.

use caucus_core::change::{Change, ROW_COLUMN, SCHEMA_VERSION};
use caucus_core::hlc::Hlc;
use caucus_core::schema::{self, Table, COALITION_BUCKET};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use uuid::Uuid;

const DAY_MS: u64 = 86_400_000;
const YEARS_MS: u64 = 10 * 365 * DAY_MS;
/// Devices that made the changes.
const DEVICES: usize = 200;

/// The key a dataset device signs its writes with, derived from its site id so that a hub
/// seeded with the dataset can enrol the devices that made it (see `hubs::seed`).
pub fn device_key(site: Uuid) -> ed25519_dalek::SigningKey {
    use sha2::Digest;
    let digest =
        sha2::Sha256::digest([b"caucus-bench-device".as_slice(), site.as_bytes()].concat());
    ed25519_dalek::SigningKey::from_bytes(&digest.into())
}

/// How many of each record a scale makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub organizations: usize,
    pub people: usize,
    pub groups: usize,
    pub recommendations: usize,
    pub comments: usize,
    pub tracked_issues: usize,
    pub meetings: usize,
}

impl Counts {
    pub fn at(scale: f64) -> Counts {
        let n = |base: f64, min: usize| ((base * scale).round() as usize).max(min);
        Counts {
            organizations: n(2_500.0, 10),
            people: n(10_000.0, 20),
            groups: n(150.0, 6),
            recommendations: n(50_000.0, 10),
            comments: n(300_000.0, 20),
            tracked_issues: n(80_000.0, 10),
            meetings: n(20_000.0, 5),
        }
    }
}

/// 150 countries (ISO 3166 codes), each with its region, cycling the coalition's regions.
const COUNTRIES: &[(&str, &str)] = &[
    ("NG", "africa"),
    ("KE", "africa"),
    ("UG", "africa"),
    ("GH", "africa"),
    ("SN", "africa"),
    ("ZA", "africa"),
    ("CD", "africa"),
    ("CI", "africa"),
    ("ML", "africa"),
    ("BF", "africa"),
    ("CM", "africa"),
    ("TZ", "africa"),
    ("ZM", "africa"),
    ("ZW", "africa"),
    ("MW", "africa"),
    ("MZ", "africa"),
    ("BJ", "africa"),
    ("TG", "africa"),
    ("NE", "africa"),
    ("GN", "africa"),
    ("SL", "africa"),
    ("LR", "africa"),
    ("GM", "africa"),
    ("BW", "africa"),
    ("NA", "africa"),
    ("LS", "africa"),
    ("RW", "africa"),
    ("BI", "africa"),
    ("CF", "africa"),
    ("TD", "africa"),
    ("GA", "africa"),
    ("CG", "africa"),
    ("MG", "africa"),
    ("MU", "africa"),
    ("SC", "africa"),
    ("CV", "africa"),
    ("KM", "africa"),
    ("DJ", "africa"),
    ("ET", "africa"),
    ("SD", "africa"),
    ("AR", "americas"),
    ("BR", "americas"),
    ("CL", "americas"),
    ("CO", "americas"),
    ("PE", "americas"),
    ("MX", "americas"),
    ("GT", "americas"),
    ("HN", "americas"),
    ("SV", "americas"),
    ("NI", "americas"),
    ("CR", "americas"),
    ("PA", "americas"),
    ("VE", "americas"),
    ("EC", "americas"),
    ("BO", "americas"),
    ("PY", "americas"),
    ("UY", "americas"),
    ("DO", "americas"),
    ("HT", "americas"),
    ("JM", "americas"),
    ("TT", "americas"),
    ("CA", "americas"),
    ("US", "americas"),
    ("BB", "americas"),
    ("GY", "americas"),
    ("SR", "americas"),
    ("BZ", "americas"),
    ("CU", "americas"),
    ("PH", "asia_pacific"),
    ("ID", "asia_pacific"),
    ("MY", "asia_pacific"),
    ("TH", "asia_pacific"),
    ("KH", "asia_pacific"),
    ("BD", "asia_pacific"),
    ("NP", "asia_pacific"),
    ("LK", "asia_pacific"),
    ("IN", "asia_pacific"),
    ("PK", "asia_pacific"),
    ("JP", "asia_pacific"),
    ("KR", "asia_pacific"),
    ("MN", "asia_pacific"),
    ("TL", "asia_pacific"),
    ("AU", "asia_pacific"),
    ("NZ", "asia_pacific"),
    ("FJ", "asia_pacific"),
    ("WS", "asia_pacific"),
    ("VU", "asia_pacific"),
    ("PG", "asia_pacific"),
    ("AF", "asia_pacific"),
    ("MM", "asia_pacific"),
    ("VN", "asia_pacific"),
    ("LA", "asia_pacific"),
    ("NL", "europe"),
    ("FR", "europe"),
    ("DE", "europe"),
    ("ES", "europe"),
    ("PT", "europe"),
    ("IT", "europe"),
    ("BE", "europe"),
    ("GB", "europe"),
    ("IE", "europe"),
    ("SE", "europe"),
    ("NO", "europe"),
    ("DK", "europe"),
    ("FI", "europe"),
    ("PL", "europe"),
    ("CZ", "europe"),
    ("SK", "europe"),
    ("HU", "europe"),
    ("RO", "europe"),
    ("BG", "europe"),
    ("GR", "europe"),
    ("HR", "europe"),
    ("SI", "europe"),
    ("RS", "europe"),
    ("BA", "europe"),
    ("AL", "europe"),
    ("UA", "europe"),
    ("GE", "europe"),
    ("AM", "europe"),
    ("AT", "europe"),
    ("CH", "europe"),
    ("LU", "europe"),
    ("LT", "europe"),
    ("LV", "europe"),
    ("EE", "europe"),
    ("MT", "europe"),
    ("CY", "europe"),
    ("IS", "europe"),
    ("MD", "europe"),
    ("ME", "europe"),
    ("MK", "europe"),
    ("TN", "middle_east_north_africa"),
    ("MA", "middle_east_north_africa"),
    ("JO", "middle_east_north_africa"),
    ("PS", "middle_east_north_africa"),
    ("LB", "middle_east_north_africa"),
    ("EG", "middle_east_north_africa"),
    ("DZ", "middle_east_north_africa"),
    ("IQ", "middle_east_north_africa"),
    ("YE", "middle_east_north_africa"),
    ("SY", "middle_east_north_africa"),
    ("LY", "middle_east_north_africa"),
    ("BH", "middle_east_north_africa"),
    ("QA", "middle_east_north_africa"),
    ("KW", "middle_east_north_africa"),
    ("OM", "middle_east_north_africa"),
    ("SA", "middle_east_north_africa"),
    ("AE", "middle_east_north_africa"),
    ("ER", "africa"),
];

const THEMES: &[&str] = &[
    "victims",
    "gender",
    "budget",
    "elections",
    "ratification",
    "legal",
    "outreach",
    "prosecutions",
    "complementarity",
    "detention",
    "reparations",
    "witnesses",
];

/// Words to write with, per language (Arabic text is Arabic script).
const WORDS: [(&str, &[&str]); 5] = [
    (
        "en",
        &[
            "court",
            "victims",
            "justice",
            "states",
            "parties",
            "budget",
            "trust",
            "fund",
            "judges",
            "election",
            "reparations",
            "witness",
            "protection",
            "outreach",
            "registry",
            "prosecutor",
            "complementarity",
            "assembly",
            "review",
            "statute",
            "cooperation",
            "arrest",
            "warrants",
            "legal",
            "aid",
            "gender",
            "balance",
            "ratify",
            "implement",
            "report",
        ],
    ),
    (
        "fr",
        &[
            "cour",
            "victimes",
            "justice",
            "États",
            "parties",
            "budget",
            "fonds",
            "juges",
            "élection",
            "réparations",
            "témoins",
            "protection",
            "sensibilisation",
            "greffe",
            "procureur",
            "complémentarité",
            "assemblée",
            "examen",
            "statut",
            "coopération",
            "arrestation",
            "mandats",
            "aide",
            "juridique",
            "genre",
            "équilibre",
            "ratifier",
            "mettre",
            "œuvre",
            "rapport",
        ],
    ),
    (
        "es",
        &[
            "corte",
            "víctimas",
            "justicia",
            "Estados",
            "partes",
            "presupuesto",
            "fondo",
            "jueces",
            "elección",
            "reparaciones",
            "testigos",
            "protección",
            "difusión",
            "secretaría",
            "fiscal",
            "complementariedad",
            "asamblea",
            "revisión",
            "estatuto",
            "cooperación",
            "detención",
            "órdenes",
            "asistencia",
            "jurídica",
            "género",
            "equilibrio",
            "ratificar",
            "aplicar",
            "informe",
            "acceso",
        ],
    ),
    (
        "ar",
        &[
            "المحكمة",
            "الضحايا",
            "العدالة",
            "الدول",
            "الأطراف",
            "الميزانية",
            "الصندوق",
            "القضاة",
            "انتخاب",
            "جبر",
            "الضرر",
            "الشهود",
            "حماية",
            "التوعية",
            "قلم",
            "المدعي",
            "التكامل",
            "جمعية",
            "مراجعة",
            "النظام",
            "الأساسي",
            "التعاون",
            "القبض",
            "أوامر",
            "المساعدة",
            "القانونية",
            "التوازن",
            "الجنسين",
            "التصديق",
            "تقرير",
        ],
    ),
    (
        "pt",
        &[
            "tribunal",
            "vítimas",
            "justiça",
            "Estados",
            "partes",
            "orçamento",
            "fundo",
            "juízes",
            "eleição",
            "reparações",
            "testemunhas",
            "proteção",
            "divulgação",
            "secretaria",
            "procurador",
            "complementaridade",
            "assembleia",
            "revisão",
            "estatuto",
            "cooperação",
            "detenção",
            "mandados",
            "assistência",
            "jurídica",
            "género",
            "equilíbrio",
            "ratificar",
            "aplicar",
            "relatório",
            "acesso",
        ],
    ),
];

const GIVEN: &[&str] = &[
    "Amina", "Jorge", "Fatou", "Li", "Olga", "Mohamed", "Ana", "Kwame", "Sofia", "Rania", "Pedro",
    "Aiko", "Nadia", "Samuel", "Leila", "Tomás", "Grace", "Yusuf", "Marta", "Ibrahim",
];
const FAMILY: &[&str] = &[
    "Diallo", "García", "Okafor", "Chen", "Petrova", "Haddad", "Silva", "Mensah", "Rossi",
    "Khalil", "Santos", "Tanaka", "Benali", "Mwangi", "Farouk", "Costa", "Achieng", "Demir",
    "López", "Nasser",
];
const ORG_KINDS: &[&str] = &[
    "Coalition",
    "Centre for Justice",
    "Human Rights Network",
    "Lawyers' Association",
    "Women's Initiative",
    "Victims' Forum",
    "Institute",
    "Foundation",
    "Legal Aid Society",
    "Observatory",
];
const GROUP_KINDS: &[&str] = &[
    "issue_team",
    "working_group",
    "regional_network",
    "national_coalition",
    "caucus",
];
const ISSUE_STATUSES: &[&str] = &["open", "monitoring", "action_needed", "resolved"];
const PRIORITIES: &[&str] = &["low", "normal", "high", "urgent"];

/// A record's id: a UUIDv7 for its creation time, with the rest from the generator.
fn id_at(rng: &mut StdRng, ms: u64) -> Uuid {
    let random: [u8; 10] = rng.random();
    uuid::Builder::from_unix_timestamp_millis(ms, &random).into_uuid()
}

struct GroupState {
    id: Uuid,
    members: Vec<Uuid>,
}

struct Rec {
    id: Uuid,
    group: usize,
    at: u64,
    language: usize,
}

/// The generator's state: what later records point at.
pub struct Dataset {
    rng: StdRng,
    pub scale: f64,
    pub counts: Counts,
    /// Ten years ago, in ms since the epoch; the last change is at `end_ms`.
    start_ms: u64,
    end_ms: u64,
    sites: Vec<Uuid>,
    seqs: Vec<u64>,
    organizations: Vec<Uuid>,
    people: Vec<(Uuid, Uuid)>,
    groups: Vec<GroupState>,
    recs: Vec<Rec>,
    /// Changes made and not yet handed out.
    out: Vec<Change>,
    stage: usize,
    done_in_stage: usize,
    /// Stages to make (all of them, or only the directory's two).
    stages: usize,
}

impl Dataset {
    /// The coalition of `scale` (1.0 = the full coalition) from `seed`, its history ending at
    /// `end_ms` (pass the current time so that no clock is ahead of it).
    pub fn new(scale: f64, seed: u64, end_ms: u64) -> Dataset {
        let mut rng = StdRng::seed_from_u64(seed);
        let sites = (0..DEVICES)
            .map(|_| Uuid::from_bytes(rng.random()))
            .collect();
        Dataset {
            rng,
            scale,
            counts: Counts::at(scale),
            start_ms: end_ms - YEARS_MS,
            end_ms,
            sites,
            seqs: vec![0; DEVICES],
            organizations: Vec::new(),
            people: Vec::new(),
            groups: Vec::new(),
            recs: Vec::new(),
            out: Vec::new(),
            stage: 0,
            done_in_stage: 0,
            stages: 8,
        }
    }

    /// Whether this makes only the directory.
    pub fn directory(&self) -> bool {
        self.stages == 2
    }

    /// Only the directory: the organizations and their people.
    pub fn directory_only(mut self) -> Dataset {
        self.stages = 2;
        self
    }

    /// The next batch of about `size` changes, or None when the coalition is complete.
    pub fn next_batch(&mut self, size: usize) -> Option<Vec<Change>> {
        while self.out.len() < size && self.stage < self.stages {
            if !self.step() {
                self.stage += 1;
                self.done_in_stage = 0;
            }
        }
        if self.out.is_empty() {
            return None;
        }
        let take = self.out.len().min(size);
        Some(self.out.drain(..take).collect())
    }

    /// Makes the next record of the current stage; false when the stage is complete.
    fn step(&mut self) -> bool {
        let i = self.done_in_stage;
        let c = self.counts;
        match self.stage {
            0 if i < c.organizations => self.organization(i),
            1 if i < c.people => self.person(i),
            2 if i < c.groups => self.group(i),
            3 if i < c.groups => self.memberships(i),
            4 if i < c.recommendations => self.recommendation(i),
            5 if i < c.comments => self.comment(i),
            6 if i < c.tracked_issues => self.tracked_issue(i),
            7 if i < c.meetings => self.meeting(i),
            _ => return false,
        }
        self.done_in_stage += 1;
        true
    }

    /// A time in the ten years, at fraction `f` of the way (0..1), with some jitter.
    fn time_at(&mut self, f: f64) -> u64 {
        let jitter = self.rng.random_range(0..DAY_MS);
        let span = (self.end_ms - self.start_ms - 2 * DAY_MS) as f64;
        self.start_ms + (span * f.clamp(0.0, 1.0)) as u64 + jitter
    }

    fn later(&mut self, after: u64) -> u64 {
        let room = self.end_ms.saturating_sub(after).max(2);
        (after + self.rng.random_range(1..room)).min(self.end_ms - 1)
    }

    fn text(&mut self, language: usize, words: usize) -> String {
        let list = WORDS[language].1;
        let mut out = Vec::with_capacity(words);
        for _ in 0..words {
            out.push(list[self.rng.random_range(0..list.len())]);
        }
        let mut s = out.join(" ");
        if let Some(first) = s.get(..1) {
            if first.is_ascii() {
                s.replace_range(..1, &first.to_uppercase());
            }
        }
        s
    }

    fn paragraph(&mut self, language: usize) -> String {
        let sentences = self.rng.random_range(2..5);
        (0..sentences)
            .map(|_| {
                let n = self.rng.random_range(6..16);
                format!("{}.", self.text(language, n))
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn language(&mut self) -> usize {
        // English most, then French, Spanish, Arabic, Portuguese.
        match self.rng.random_range(0..100) {
            0..=44 => 0,
            45..=64 => 1,
            65..=79 => 2,
            80..=91 => 3,
            _ => 4,
        }
    }

    fn person_any(&mut self) -> Uuid {
        self.people[self.rng.random_range(0..self.people.len())].0
    }

    /// The changes that create a row: its causal length, then each field.
    fn create(
        &mut self,
        table: &'static Table,
        bucket: &str,
        id: Uuid,
        at: u64,
        actor: Option<Uuid>,
        fields: Value,
    ) {
        let device = self.rng.random_range(0..DEVICES);
        let Value::Object(fields) = fields else {
            return;
        };
        let start = self.out.len();
        self.push(
            device,
            table,
            bucket,
            id,
            ROW_COLUMN,
            Value::Null,
            1,
            at,
            actor,
        );
        for column in table.columns {
            let value = fields.get(column.name).cloned().unwrap_or(Value::Null);
            self.push(device, table, bucket, id, column.name, value, 1, at, actor);
        }
        self.sign(device, start);
    }

    /// A later edit of fields of a row, from another device.
    fn edit(
        &mut self,
        table: &'static Table,
        bucket: &str,
        id: Uuid,
        at: u64,
        actor: Option<Uuid>,
        fields: Map<String, Value>,
    ) {
        let device = self.rng.random_range(0..DEVICES);
        let start = self.out.len();
        for (column, value) in fields {
            let Some(column) = table.column(&column) else {
                continue;
            };
            self.push(device, table, bucket, id, column.name, value, 1, at, actor);
        }
        self.sign(device, start);
    }

    /// Signs the write made of the changes from `start` on, as its device would.
    fn sign(&mut self, device: usize, start: usize) {
        let key = device_key(self.sites[device]);
        caucus_core::signature::sign_write(&key, &mut self.out[start..]);
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        device: usize,
        table: &'static Table,
        bucket: &str,
        row: Uuid,
        column: &'static str,
        value: Value,
        cl: u64,
        at: u64,
        actor: Option<Uuid>,
    ) {
        self.seqs[device] += 1;
        // One clock for every change of a write, as a device stamps them.
        self.out.push(Change {
            site: self.sites[device],
            seq: self.seqs[device],
            hlc: Hlc::new(at, 0),
            actor,
            bucket: bucket.to_string(),
            table: table.name.to_string(),
            row,
            column: column.to_string(),
            value,
            cl,
            schema_version: SCHEMA_VERSION,
            signature: None,
        });
    }

    fn organization(&mut self, i: usize) {
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

    fn person(&mut self, i: usize) {
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

    fn group(&mut self, i: usize) {
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
    fn memberships(&mut self, g: usize) {
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

    fn recommendation(&mut self, i: usize) {
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

    fn comment(&mut self, _i: usize) {
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

    fn tracked_issue(&mut self, i: usize) {
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

    fn meeting(&mut self, i: usize) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use caucus_core::api::{dispatch, NoInput};
    use caucus_core::model::*;

    fn all(scale: f64, seed: u64, end: u64) -> Vec<Change> {
        let mut d = Dataset::new(scale, seed, end);
        let mut out = Vec::new();
        while let Some(b) = d.next_batch(1_000) {
            out.extend(b);
        }
        out
    }

    #[test]
    fn the_same_seed_makes_the_same_coalition() {
        let end = 1_800_000_000_000;
        let a = all(0.002, 7, end);
        let b = all(0.002, 7, end);
        assert_eq!(a, b);
        assert_ne!(a, all(0.002, 8, end), "another seed, another coalition");
        assert!(a
            .iter()
            .all(|c| c.hlc.ms() < end && c.hlc.ms() > end - YEARS_MS));
        let languages: std::collections::BTreeSet<_> = a
            .iter()
            .filter(|c| c.column == "language")
            .filter_map(|c| c.value.as_str())
            .collect();
        assert_eq!(
            languages.len(),
            5,
            "text in the five languages: {languages:?}"
        );
    }

    /// Every generated record is one the app accepts: it reads back through the commands and
    /// passes its own validation.
    #[tokio::test]
    async fn every_record_is_valid() {
        let dir = tempfile::tempdir().expect("dir");
        let caucus = caucus_core::Caucus::open(&dir.path().join("d.db"))
            .await
            .expect("open");
        let changes = all(0.002, 3, caucus_core::hlc::wall_ms() - 60_000);
        for batch in changes.chunks(5_000) {
            let report = caucus
                .store()
                .merge_remote(batch, caucus_core::hlc::wall_ms())
                .await
                .expect("merged");
            assert_eq!(report.invalid, 0, "every value is one its field may hold");
        }
        let _ = caucus.get_session(NoInput {}).await.expect("session");
        macro_rules! check {
            ($command:literal, $ty:ty, $min:expr) => {{
                let listed = dispatch(&caucus, $command, serde_json::json!({}))
                    .await
                    .expect($command);
                let records: Vec<$ty> = serde_json::from_value(listed).expect("decodes");
                assert!(records.len() >= $min, "{}: {}", $command, records.len());
                for r in &records {
                    r.validate()
                        .unwrap_or_else(|e| panic!("{}: {e}: {r:?}", $command));
                }
            }};
        }
        let counts = Counts::at(0.002);
        check!("list_organizations", Organization, counts.organizations);
        check!("list_people", Person, counts.people);
        check!("list_groups", Group, counts.groups);
        check!("list_memberships", Membership, counts.groups);
        check!(
            "list_recommendations",
            Recommendation,
            counts.recommendations
        );
        check!("list_comments", Comment, counts.comments);
        check!("list_tracked_issues", TrackedIssue, counts.tracked_issues);
        check!("list_meetings", Meeting, counts.meetings);
        check!("list_agenda_items", AgendaItem, counts.meetings);
        check!("list_attendance", Attendance, counts.meetings);
        check!("list_decisions", MeetingDecision, counts.meetings);
        check!("list_endorsements", Endorsement, 1);
        check!("list_translations", Translation, 1);
    }
}
