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
use caucus_core::model::value::neutral_value;
use caucus_core::schema::{self, Table, COALITION_BUCKET};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use uuid::Uuid;
use vocabulary::*;

mod records;
mod vocabulary;

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
    /// The last write's stamp ([`Dataset::stamp`]).
    last_stamp: Option<Hlc>,
    /// Each column's neutral value, for the fields a record leaves out.
    neutral: std::collections::HashMap<(&'static str, &'static str), Value>,
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
            last_stamp: None,
            neutral: Default::default(),
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
        let at = self.stamp(at);
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
        // Every column of the registry gets a value: one the generator chose, else the field's
        // neutral value, so a new column needs nothing here to stay valid.
        for column in table.columns {
            let value = fields.get(column.name).cloned().unwrap_or_else(|| {
                self.neutral
                    .entry((table.name, column.name))
                    .or_insert_with(|| neutral_value(table.name, column.name))
                    .clone()
            });
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
        let at = self.stamp(at);
        for (column, value) in fields {
            let Some(column) = table.column(&column) else {
                continue;
            };
            self.push(device, table, bucket, id, column.name, value, 1, at, actor);
        }
        self.sign(device, start);
    }

    /// The stamp of a write made at `at` ms: after every write made before it in the same
    /// millisecond, as a device that had received those writes would stamp it. A meeting's
    /// agenda items are made at the meeting's own time on other devices: stamped alike, they
    /// were pushed before their meeting whenever their device's id sorted first, and the hub
    /// refused them as orphans.
    fn stamp(&mut self, at: u64) -> Hlc {
        let next = match self.last_stamp {
            Some(last) if last.ms() == at && last.counter() < u16::MAX => {
                Hlc::new(at, last.counter() + 1)
            }
            _ => Hlc::new(at, 0),
        };
        self.last_stamp = Some(next);
        next
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
        hlc: Hlc,
        actor: Option<Uuid>,
    ) {
        self.seqs[device] += 1;
        // One clock for every change of a write, as a device stamps them.
        self.out.push(Change {
            site: self.sites[device],
            seq: self.seqs[device],
            hlc,
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
