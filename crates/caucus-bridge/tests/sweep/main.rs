//! The hostile-input sweep: every command of the one command list, called through the real
//! HTTP bridge on a demo replica, with hostile values in every field of its input.
//!
//! The fields come from the types the list declares ([`shape`]); the values from their kind
//! ([`values`]). Each call must answer in the API's shape, never a 500, a hang or a broken
//! connection. A refusal must change nothing (every table's rows and the change log compared
//! before and after) and, when it says a value is invalid, name the field. A value that is
//! stored must read back byte for byte, from the command's answer and from the record's own
//! getter; and a value no command may keep (a NUL, a control character, a megabyte, an
//! impossible date, an id naming nothing) must never be stored.
//!
//! `make test` runs it bounded (the long texts take turns between scripts); `make soak` sets
//! `CAUCUS_SWEEP_ALL=1`: every script at every length in every text field, and 60 seeded
//! combinations of two or three hostile fields per command (`CAUCUS_SWEEP_SEED`).

mod bridge;
mod shape;
mod values;

use bridge::{Bridge, Fingerprint, Look, Outcome};
use serde_json::{json, Map, Value};
use shape::{Field, Shape};
use std::collections::HashMap;
use std::fmt::Write as _;
use values::{Context, Hostile, Meaning, Raw};

/// The record kinds, as the command names spell them.
const KINDS: &[&str] = &[
    "organization",
    "person",
    "group",
    "membership",
    "tracked_issue",
    "recommendation",
    "translation",
    "endorsement",
    "comment",
    "meeting",
    "agenda_item",
    "attendance",
    "decision",
];

/// The command listing every record of a kind.
fn lister(kind: &str) -> String {
    match kind {
        "person" => "list_people".into(),
        "attendance" => "list_attendance".into(),
        k => format!("list_{k}s"),
    }
}

/// The kind of record a command's `id` names.
fn id_kind(command: &str) -> Option<&'static str> {
    match command {
        "recommendation_page" | "transition_recommendation" | "draft_answer" | "publish_answer" => {
            Some("recommendation")
        }
        "group_dashboard" => Some("group"),
        // Its base names an organization (the first kind of the list).
        "record_history" => Some("organization"),
        _ => {
            let noun = command.split_once('_')?.1;
            KINDS.iter().copied().find(|k| *k == noun)
        }
    }
}

/// The kind of record a field names, from its name.
fn field_kind(command: &str, field: &str) -> Option<&'static str> {
    Some(match field {
        "id" => return id_kind(command),
        "group_id" => "group",
        "person_id" | "author_id" | "assignee_ids" | "co_author_ids" => "person",
        "organization_id" | "addressee_ids" => "organization",
        "recommendation_id" | "recommendation_ids" | "duplicate_of" => "recommendation",
        "meeting_id" | "public_meeting" => "meeting",
        "issue_ids" => "tracked_issue",
        _ => return None,
    })
}

/// The commands that move a recommendation through review and answer it.
const REVIEW: &[&str] = &[
    "transition_recommendation",
    "draft_answer",
    "publish_answer",
];

/// Fields whose sweep starts from `null`: what a command does with them is a different task
/// (a bundle's content given instead of its path, a peer's bundle, a duplicate's original).
const NULL_BASE: &[&str] = &[
    "content_base64",
    "peer",
    "public_meeting",
    "duplicate_of",
    "guest_name",
];

/// Values a field starts from where the first legitimate one would be refused as a whole (a
/// recommendation cannot go back to draft).
const BASES: &[(&str, &str, &str)] = &[("transition_recommendation", "to", "under_review")];

/// The legitimate value a field starts from.
pub fn base_of(shape: &Shape, meaning: Meaning, cx: &Context) -> Option<Value> {
    Some(match shape {
        Shape::Nullable(inner) => base_of(inner, meaning, cx).unwrap_or(Value::Null),
        Shape::Text => json!(match meaning {
            Meaning::Date => "2027-03-01".to_string(),
            Meaning::DateTime => "2027-03-01T10:00".to_string(),
            Meaning::WritePath => format!("{}/out.{}", cx.folder, extension(&cx.command)),
            Meaning::ReadPath => cx.bundle.clone(),
            Meaning::Url => "http://127.0.0.1:1".to_string(),
            Meaning::Base64 => return None,
            // "Sweep value" typed by one writer (yrs, version 2 of the encoding).
            Meaning::TextEdit => "AAADsuQzAAABBBIPdGV4dFN3ZWVwIHZhbHVlBAsBAQAAAQEAAA==".to_string(),
            Meaning::Free => match cx.field.as_str() {
                "country" => "KE",
                "email" => "sweep@example.org",
                "text" => "court",
                "pairing_code" => "123456",
                _ => "Sweep value",
            }
            .to_string(),
        }),
        Shape::Uuid => json!(cx.id.clone()?),
        Shape::Int { .. } => json!(1),
        Shape::Float => json!(1.0),
        Shape::Bool => json!(false),
        Shape::Enum(variants) => json!(variants.first()?),
        Shape::List(_) => json!([]),
        Shape::Map(_) => json!({}),
        Shape::Object(_) => return None,
    })
}

/// What a command writes, as its file's name ends.
fn extension(command: &str) -> &'static str {
    match command {
        "export_report" => "pdf",
        "export_records" => "csv",
        "export_bundle" => "bundle",
        _ => "file",
    }
}

/// Whether a value read back is the value sent: the same JSON, or the same id however it
/// was spelled (upper case, braced, without hyphens).
fn same(read: &Value, sent: &Value) -> bool {
    let id = |v: &Value| v.as_str().and_then(|s| uuid::Uuid::parse_str(s).ok());
    match (read, sent) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (a, b) => a == b || id(a).is_some_and(|a| Some(a) == id(b)),
    }
}

/// What the sweep knows between commands.
struct Sweep {
    bridge: Bridge,
    look: Look,
    folder: String,
    files: HashMap<&'static str, String>,
    ids: HashMap<&'static str, Vec<String>>,
    /// The recommendation the review commands answer, and the leader answering it.
    review: Option<(String, Value)>,
    getters: HashMap<&'static str, &'static str>,
    outputs: HashMap<&'static str, &'static str>,
    all_scripts: bool,
    /// How many combinations of hostile fields each command gets, from `seed`.
    combinations: usize,
    seed: u64,
    /// The fields a combination made hostile besides the one tried.
    combined: Vec<String>,
    field_index: usize,
    counts: Counts,
    failures: Vec<String>,
}

#[derive(Default, Debug)]
struct Counts {
    commands: usize,
    fields: usize,
    values: usize,
    refusals: usize,
    round_trips: usize,
    reads: usize,
    slowest: (u128, String),
}

impl Sweep {
    async fn refresh_ids(&mut self) {
        for &kind in KINDS {
            let list = self
                .bridge
                .must(&lister(kind), json!({"include_archived": false}))
                .await;
            let ids = list
                .as_array()
                .into_iter()
                .flatten()
                .filter(|r| r["archived"] != json!(true))
                .filter_map(|r| r["id"].as_str().map(String::from))
                .collect();
            self.ids.insert(kind, ids);
        }
    }

    fn context(&self, command: &str, field: &str) -> Context {
        let kind = field_kind(command, field);
        let id = kind.and_then(|k| {
            let ids = self.ids.get(k)?;
            // The review commands answer the last recommendation, so the first stays open for
            // the commands that need one open (endorsing it).
            if REVIEW.contains(&command) && k == "recommendation" {
                self.review.as_ref().map(|(id, _)| id.clone())
            } else {
                ids.first().cloned()
            }
        });
        let other = if kind == Some("person") {
            "organization"
        } else {
            "person"
        };
        let other_kind_id = kind.and_then(|_| self.ids.get(other)?.first().cloned());
        Context {
            command: command.into(),
            field: field.into(),
            id,
            other_kind_id,
            folder: self.folder.clone(),
            fifo: self.files["fifo"].clone(),
            sparse: self.files["sparse"].clone(),
            garbage: self.files["garbage"].clone(),
            empty: self.files["empty"].clone(),
            bundle: self.files["bundle"].clone(),
            index: self.field_index,
            all_scripts: self.all_scripts,
        }
    }

    /// The legitimate input a command's sweep starts from.
    fn base(&self, command: &str, fields: &[Field]) -> Value {
        let mut object = Map::new();
        for f in fields {
            let chosen = BASES
                .iter()
                .find(|(c, n, _)| *c == command && *n == f.name)
                .map(|(_, _, v)| json!(v));
            let value = match &f.shape {
                Shape::Object(inner) => Some(self.base(command, inner)),
                Shape::Nullable(_) if NULL_BASE.contains(&f.name.as_str()) => Some(Value::Null),
                _ if chosen.is_some() => chosen,
                shape => base_of(
                    shape,
                    values::meaning(command, &f.name),
                    &self.context(command, &f.name),
                ),
            };
            if let Some(value) = value {
                object.insert(f.name.clone(), value);
            }
        }
        Value::Object(object)
    }

    async fn sweep_command(&mut self, command: &'static str, shape: &Shape) {
        let Shape::Object(fields) = shape else {
            panic!("{command}: an input is an object");
        };
        self.refresh_ids().await;
        self.prepare(command).await;
        let base = self.base(command, fields);
        self.counts.commands += 1;
        // The base itself, unless it would archive the record every other value names.
        if !command.starts_with("archive_") {
            let h = Hostile {
                label: "the base input".into(),
                value: Raw::Missing,
                never_stored: false,
            };
            self.try_one(command, &base, "", &h).await;
        }
        let mut paths = Vec::new();
        flatten(fields, "", &mut paths);
        let mut every = Vec::new();
        for (path, shape, field_name) in paths {
            self.counts.fields += 1;
            self.field_index += 1;
            let cx = self.context(command, &field_name);
            let meaning = values::meaning(command, &field_name);
            let hostile = values::hostile(&shape, meaning, &cx);
            for h in &hostile {
                self.try_one(command, &base, &path, h).await;
            }
            every.push((path, hostile));
        }
        for _ in 0..self.combinations {
            self.try_combination(command, &base, &every).await;
        }
        for (label, body) in whole_bodies(&base) {
            let h = Hostile {
                label: label.into(),
                value: Raw::Text(body),
                never_stored: true,
            };
            self.try_one(command, &base, "input", &h).await;
        }
        self.restore(command).await;
    }

    /// Two or three fields hostile at once, chosen by the seeded generator: the earlier ones
    /// set into the base, the last one tried and judged as a value alone is.
    async fn try_combination(
        &mut self,
        command: &'static str,
        base: &Value,
        every: &[(String, Vec<Hostile>)],
    ) {
        if every.len() < 2 {
            return;
        }
        let k = (2 + self.random() % 2).min(every.len());
        let mut picked: Vec<usize> = Vec::new();
        // Fields apart: not one inside another (`organization` and `organization.name`).
        for _ in 0..100 {
            if picked.len() == k {
                break;
            }
            let i = self.random() % every.len();
            let apart = picked.iter().all(|&j| !names(&every[i].0, &every[j].0));
            if apart {
                picked.push(i);
            }
        }
        if picked.len() < 2 {
            return;
        }
        let k = picked.len();
        let mut body = base.clone();
        let mut labels = Vec::new();
        let mut never_stored = false;
        self.combined.clear();
        for &i in &picked[..k - 1] {
            let (path, hostile) = &every[i];
            // Raw text cannot sit in a `Value`: the earlier fields take JSON or leave.
            let usable: Vec<&Hostile> = hostile
                .iter()
                .filter(|h| !matches!(h.value, Raw::Text(_)))
                .collect();
            if usable.is_empty() {
                continue;
            }
            let h = usable[self.random() % usable.len()];
            let (text, _) = body_with(&body, path, &h.value);
            body = serde_json::from_str(&text).expect("JSON in, JSON out");
            labels.push(format!("{path} = {}", h.label));
            never_stored |= h.never_stored;
            self.combined.push(path.clone());
        }
        let (path, hostile) = &every[picked[k - 1]];
        if hostile.is_empty() {
            return;
        }
        let h = &hostile[self.random() % hostile.len()];
        labels.push(h.label.clone());
        let combined = Hostile {
            label: labels.join(", and "),
            value: h.value.clone(),
            never_stored: never_stored || h.never_stored,
        };
        self.try_one(command, &body, path, &combined).await;
        self.combined.clear();
    }

    /// The next number of the seeded generator (xorshift64).
    fn random(&mut self) -> usize {
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed = x;
        (x >> 11) as usize
    }

    /// Puts the replica where a command's values can be judged, not refused as a whole.
    async fn prepare(&mut self, command: &str) {
        match command {
            // Only its authors may edit a recommendation before review.
            "update_recommendation" => {
                let id = &self.ids["recommendation"][0];
                let r = self
                    .bridge
                    .must("get_recommendation", json!({ "id": id }))
                    .await;
                self.bridge
                    .must("set_acting_person", json!({ "person_id": r["author_id"] }))
                    .await;
            }
            // Only the team's leader moves a recommendation through review and answers it.
            "transition_recommendation" | "draft_answer" | "publish_answer" => {
                let (id, leader) = match self.review.clone() {
                    Some(chosen) => chosen,
                    None => self.open_recommendation_and_leader().await,
                };
                self.review = Some((id, leader.clone()));
                self.bridge
                    .must("set_acting_person", json!({ "person_id": leader }))
                    .await;
            }
            "meeting_guests" | "admit_guest" => {
                self.bridge
                    .must("host_meeting", json!({ "name": "Sweep meeting" }))
                    .await;
            }
            _ => {}
        }
    }

    /// An open recommendation (the last one, so the first stays open for the commands that
    /// endorse one) and a leader of its team.
    async fn open_recommendation_and_leader(&self) -> (String, Value) {
        for id in self.ids["recommendation"].iter().rev() {
            let r = self
                .bridge
                .must("get_recommendation", json!({ "id": id }))
                .await;
            if r["state"] != json!("open") {
                continue;
            }
            let members = self
                .bridge
                .must("list_memberships", json!({ "group_id": r["group_id"] }))
                .await;
            let leader = members
                .as_array()
                .into_iter()
                .flatten()
                .find(|m| m["role"] == json!("leader"))
                .map(|m| m["person_id"].clone());
            if let Some(leader) = leader {
                return (id.clone(), leader);
            }
        }
        panic!("the demo has an open recommendation in a team with a leader");
    }

    /// Undoes what a legitimate value of a command changes for the commands after it.
    async fn restore(&mut self, command: &str) {
        match command {
            "host_meeting" | "join_meeting" | "meeting_guests" | "admit_guest" => {
                self.bridge.must("leave_meeting", json!({})).await;
            }
            _ => {}
        }
        let admin = self.ids["admin"][0].clone();
        self.bridge
            .must("set_acting_person", json!({ "person_id": admin }))
            .await;
    }

    /// Calls `command` with `base` where `path` holds `h`, and judges the answer.
    async fn try_one(&mut self, command: &'static str, base: &Value, path: &str, h: &Hostile) {
        self.counts.values += 1;
        let (body, sent) = body_with(base, path, &h.value);
        let before = self.look.fingerprint().await;
        let outcome = self.bridge.call(command, body).await;
        let after = self.look.fingerprint().await;
        let what = format!("{command} {path} = {}", h.label);
        let (status, answer, took) = match outcome {
            Outcome::Broken(e) => return self.fail(format!("{what}: {e}")),
            Outcome::Answered { status, body, took } => (status, body, took),
        };
        if took.as_millis() > self.counts.slowest.0 {
            self.counts.slowest = (took.as_millis(), what.clone());
        }
        if status != 200 {
            return self.judge_refusal(&what, path, status, &answer, &before, &after);
        }
        let stored = after.change_log() != before.change_log();
        if !stored {
            self.counts.reads += 1;
            return;
        }
        if h.never_stored {
            return self.fail(format!("{what}: stored ({})", before.differences(&after)));
        }
        // A legitimate value kept: it reads back as it was sent, in the answer and from the
        // record's getter.
        // Top-level text and lists only: a nested field is not a field of the answer.
        let field = path;
        let Some(sent) = sent.filter(|s| s.is_string() || s.is_array()) else {
            return;
        };
        if path.contains('.') || answer.get(field).is_none() {
            return;
        }
        if !same(&answer[field], &sent) {
            return self.fail(format!(
                "{what}: kept as {} (sent {})",
                clip(&answer[field]),
                clip(&sent)
            ));
        }
        let getter = self.outputs.get(command).and_then(|o| self.getters.get(o));
        if let (Some(getter), Some(id)) = (getter, answer["id"].as_str()) {
            let read = self.bridge.must(getter, json!({ "id": id })).await;
            if !same(&read[field], &sent) {
                return self.fail(format!(
                    "{what}: {getter} reads {} (sent {})",
                    clip(&read[field]),
                    clip(&sent)
                ));
            }
        }
        self.counts.round_trips += 1;
    }

    fn judge_refusal(
        &mut self,
        what: &str,
        path: &str,
        status: u16,
        answer: &Value,
        before: &Fingerprint,
        after: &Fingerprint,
    ) {
        let code = answer["code"].as_str().unwrap_or_default();
        let typed = answer["message"].is_string()
            && answer
                .get("field")
                .is_some_and(|f| f.is_null() || f.is_string());
        let known: Option<caucus_core::error::ErrorCode> =
            serde_json::from_value(answer["code"].clone()).ok();
        let Some(known) = known.filter(|_| typed) else {
            return self.fail(format!("{what}: untyped answer {status} {}", clip(answer)));
        };
        if known.http_status() != status {
            return self.fail(format!("{what}: {code} answered with status {status}"));
        }
        if status >= 500 && !code.starts_with("sync_") {
            return self.fail(format!("{what}: {status} {}", clip(answer)));
        }
        if before != after {
            return self.fail(format!(
                "{what}: refused ({code}) but changed {}",
                before.differences(after)
            ));
        }
        if code == "invalid" && path != "input" && !path.is_empty() {
            let field = answer["field"].as_str().unwrap_or_default();
            let combined = self.combined.iter().any(|p| names(field, p));
            if !names(field, path) && !combined {
                return self.fail(format!(
                    "{what}: refused naming {field:?}, not {path:?}: {}",
                    clip(&answer["message"])
                ));
            }
        }
        if path.is_empty() && code == "invalid" {
            return self.fail(format!(
                "{what}: the base input is invalid: {}",
                clip(answer)
            ));
        }
        if path.is_empty() {
            // Printed, so a reader sees which commands' values meet a refusal of the whole.
            println!(
                "SWEEP BASE {what}: refused ({code}) {}",
                clip(&answer["message"])
            );
        }
        self.counts.refusals += 1;
    }

    fn fail(&mut self, failure: String) {
        eprintln!("SWEEP FAILURE {failure}");
        self.failures.push(failure);
    }
}

/// Whether an error's `field` names the field at `path` (or what holds it, or a part of it).
fn names(field: &str, path: &str) -> bool {
    let within = |a: &str, b: &str| {
        a == b
            || a.strip_prefix(b)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    within(field, path) || within(path, field)
}

/// Every field, nested ones included, as (path, shape, name).
fn flatten(fields: &[Field], prefix: &str, out: &mut Vec<(String, Shape, String)>) {
    for f in fields {
        let path = if prefix.is_empty() {
            f.name.clone()
        } else {
            format!("{prefix}.{}", f.name)
        };
        if let Shape::Object(inner) = &f.shape {
            flatten(inner, &path, out);
        }
        out.push((path, f.shape.clone(), f.name.clone()));
    }
}

/// A placeholder for raw JSON text in a serialized body.
const RAW: &str = "\u{e000}sweep-raw\u{e000}";

/// The request body: `base` with `value` at `path` (a dotted path into nested objects), and
/// the JSON value sent there when it is JSON. A path of `input` replaces the whole body.
fn body_with(base: &Value, path: &str, value: &Raw) -> (String, Option<Value>) {
    if path == "input" {
        if let Raw::Text(t) = value {
            return (t.clone(), None);
        }
    }
    let mut body = base.clone();
    if path.is_empty() {
        return (body.to_string(), None);
    }
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut at = &mut body;
    for p in parts {
        at = &mut at[p];
    }
    let object = at.as_object_mut().expect("a path into objects");
    let sent = match value {
        Raw::Missing => {
            object.remove(last);
            None
        }
        Raw::Json(v) => {
            object.insert(last.into(), v.clone());
            Some(v.clone())
        }
        Raw::Text(_) => {
            object.insert(last.into(), json!(RAW));
            None
        }
    };
    let mut text = body.to_string();
    if let Raw::Text(t) = value {
        text = text.replace(&format!("\"{RAW}\""), t);
    }
    (text, sent)
}

/// Whole bodies that are not the input at all.
fn whole_bodies(base: &Value) -> Vec<(&'static str, String)> {
    let text = base.to_string();
    let mut extra = base.clone();
    extra["zzz_extra"] = json!(1);
    let duplicate = match base.as_object().and_then(|o| o.iter().next()) {
        Some((k, v)) => format!("{{\"{k}\":{v},{}", &text[1..]),
        None => "{\"a\":1,\"a\":2}".into(),
    };
    vec![
        ("not JSON", "not json".into()),
        ("null", "null".into()),
        ("a list", "[]".into()),
        ("a number", "1".into()),
        ("a string", "\"x\"".into()),
        ("unclosed", "{".into()),
        ("a byte-order mark", format!("\u{feff}{text}")),
        ("trailing garbage", format!("{text}x")),
        (
            "not UTF-8",
            String::from_utf8_lossy(b"{\"a\":\"\xff\"}").into_owned(),
        ),
        (
            "nested 10,000 deep",
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
        ("an extra field", extra.to_string()),
        ("a duplicate field", duplicate),
    ]
}

fn clip(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 160 {
        format!(
            "{}… ({} bytes)",
            s.chars().take(160).collect::<String>(),
            s.len()
        )
    } else {
        s
    }
}

/// Odd files for the fields that read one.
fn odd_files(folder: &std::path::Path) -> HashMap<&'static str, String> {
    let at = |name: &str| folder.join(name).to_string_lossy().into_owned();
    let fifo = at("never-writes.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {fifo}");
    let sparse = at("sparse.bundle");
    std::fs::File::create(&sparse)
        .and_then(|f| f.set_len(10 << 30))
        .expect("a sparse file");
    let garbage = at("garbage.bundle");
    std::fs::write(
        &garbage,
        (0..=255u8).cycle().take(1 << 16).collect::<Vec<_>>(),
    )
    .expect("a garbage file");
    let empty = at("empty.bundle");
    std::fs::write(&empty, b"").expect("an empty file");
    HashMap::from([
        ("fifo", fifo),
        ("sparse", sparse),
        ("garbage", garbage),
        ("empty", empty),
        ("bundle", at("sweep.bundle")),
    ])
}

/// The getter of each record type, and each command's output type, from the command list.
fn getters_and_outputs() -> (
    HashMap<&'static str, &'static str>,
    HashMap<&'static str, &'static str>,
) {
    let mut getters = HashMap::new();
    let mut outputs = HashMap::new();
    macro_rules! collect {
        ($($name:ident ( $input:ty ) -> $output:ty;)*) => {
            $(
                let (name, input, output) =
                    (stringify!($name), stringify!($input), stringify!($output));
                if name.starts_with("get_") && input == "IdInput" {
                    getters.insert(output, name);
                }
                outputs.insert(name, output);
            )*
        };
    }
    caucus_core::for_each_command!(collect);
    (getters, outputs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_refuses_hostile_input_in_the_api_shape_and_keeps_only_what_reads_back() {
    let dir = tempfile::tempdir().expect("a folder");
    let db = dir.path().join("sweep.db");
    let bridge = Bridge::start(dir.path(), &db);
    let look = Look::open(&db).await;
    let (getters, outputs) = getters_and_outputs();
    let long = std::env::var_os("CAUCUS_SWEEP_ALL").is_some();
    let seed = std::env::var("CAUCUS_SWEEP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_cafe_u64)
        | 1;
    if long {
        println!("SWEEP seed {seed} (CAUCUS_SWEEP_SEED to repeat it)");
    }
    let mut sweep = Sweep {
        bridge,
        look,
        folder: dir.path().to_string_lossy().into_owned(),
        files: odd_files(dir.path()),
        ids: HashMap::new(),
        review: None,
        getters,
        outputs,
        all_scripts: long,
        combinations: if long { 60 } else { 0 },
        seed,
        combined: Vec::new(),
        field_index: 0,
        counts: Counts::default(),
        failures: Vec::new(),
    };
    // Act as the secretariat, who may do the most, so legitimate values get stored.
    let people = sweep.bridge.must("list_people", json!({})).await;
    let admin = people
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["secretariat_admin"] == json!(true))
        .and_then(|p| p["id"].as_str())
        .expect("the demo has a secretariat person")
        .to_string();
    sweep.ids.insert("admin", vec![admin.clone()]);
    sweep
        .bridge
        .must("set_acting_person", json!({ "person_id": admin }))
        .await;
    // A record of every kind, for the commands that name one.
    sweep.refresh_ids().await;
    let meeting = sweep.ids["meeting"][0].clone();
    sweep
        .bridge
        .must(
            "record_attendance",
            json!({ "meeting_id": meeting, "person_id": admin, "present": true }),
        )
        .await;
    sweep
        .bridge
        .must(
            "create_decision",
            json!({ "meeting_id": meeting, "text": "Sweep decision" }),
        )
        .await;
    let bundle = sweep.files["bundle"].clone();
    sweep
        .bridge
        .must("export_bundle", json!({ "path": bundle }))
        .await;

    let only = std::env::var("CAUCUS_SWEEP_ONLY").ok();
    for (command, shape) in shape::commands() {
        if only
            .as_deref()
            .is_some_and(|o| !o.split(',').any(|c| c == command))
        {
            continue;
        }
        sweep.sweep_command(command, &shape).await;
    }

    let c = &sweep.counts;
    let mut summary = String::new();
    let _ = write!(
        summary,
        "SWEEP commands={} fields={} values={} refusals={} round_trips={} other_answers={} \
         failures={} slowest={} ms ({})",
        c.commands,
        c.fields,
        c.values,
        c.refusals,
        c.round_trips,
        c.reads,
        sweep.failures.len(),
        c.slowest.0,
        c.slowest.1,
    );
    println!("{summary}");
    assert!(
        sweep.failures.is_empty(),
        "{summary}\n{}",
        sweep.failures.join("\n")
    );
}

/// The token is compared exactly: the bearer scheme as written, nothing before or after the
/// token, no other token. (Whitespace after a header's value is not part of it in HTTP, RFC
/// 9110 §5.5: the parser drops it before the bridge sees the value, as every server's does.)
#[tokio::test]
async fn the_bridge_takes_its_token_exactly_and_refuses_in_the_api_shape() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().expect("a folder");
    let bridge = Bridge::start(dir.path(), &dir.path().join("token.db"));
    let token = bridge.token().to_string();
    let address = bridge.address().trim_start_matches("http://").to_string();
    let ask = |authorization: String| {
        let address = address.clone();
        async move {
            let mut socket = tokio::net::TcpStream::connect(&address)
                .await
                .expect("connects");
            let request = format!(
                "POST /api/get_session HTTP/1.1\r\nHost: x\r\n{authorization}\
                 Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            );
            socket.write_all(request.as_bytes()).await.expect("sends");
            let mut reply = String::new();
            socket.read_to_string(&mut reply).await.expect("an answer");
            reply
        }
    };
    let exact = ask(format!("Authorization: Bearer {token}\r\n")).await;
    assert!(exact.starts_with("HTTP/1.1 200"), "{exact}");
    for wrong in [
        String::new(),
        format!("Authorization: Bearer  {token}\r\n"),
        format!("Authorization: bearer {token}\r\n"),
        format!("Authorization: Bearer {token}x\r\n"),
        format!("Authorization: Bearer {token} {token}\r\n"),
        format!("Authorization: Bearer {}\r\n", &token[..token.len() - 1]),
        format!("Authorization: Bearer {}\r\n", token.to_uppercase()),
        format!("Authorization: {token}\r\n"),
        format!("Authorization: Bearer {token}\r\nAuthorization: Bearer x\r\n"),
    ] {
        let reply = ask(wrong.clone()).await;
        let refused = reply.starts_with("HTTP/1.1 401") || reply.starts_with("HTTP/1.1 400");
        assert!(refused, "{wrong:?} answered {reply}");
        if reply.starts_with("HTTP/1.1 401") {
            assert!(reply.contains(r#""code":"unauthorized""#), "{reply}");
        }
    }
}
