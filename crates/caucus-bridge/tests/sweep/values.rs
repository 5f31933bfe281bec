//! The hostile values of each kind of field, and what a text field holds (from its name: the
//! types say only "a string").

use super::shape::Shape;
use serde_json::{json, Value};

/// A value to put in a field: JSON, raw JSON text (what `serde_json::Value` cannot hold: a
/// lone surrogate escape, a number beyond f64), or the field left out.
#[derive(Debug, Clone)]
pub enum Raw {
    Json(Value),
    Text(String),
    Missing,
}

/// One hostile value.
#[derive(Debug, Clone)]
pub struct Hostile {
    pub label: String,
    pub value: Raw,
    /// Storing it is a defect whatever the command (a NUL, a control character, a megabyte,
    /// an impossible date, an id that names nothing or names the wrong kind of record).
    pub never_stored: bool,
}

fn v(label: impl Into<String>, value: Value) -> Hostile {
    Hostile {
        label: label.into(),
        value: Raw::Json(value),
        never_stored: false,
    }
}

fn bad(label: impl Into<String>, value: Value) -> Hostile {
    Hostile {
        never_stored: true,
        ..v(label, value)
    }
}

fn raw(label: &str, text: &str) -> Hostile {
    Hostile {
        label: label.into(),
        value: Raw::Text(text.into()),
        never_stored: true,
    }
}

/// Raw JSON text a field of this kind may legitimately hold.
fn raw_ok(label: &str, text: &str) -> Hostile {
    Hostile {
        never_stored: false,
        ..raw(label, text)
    }
}

/// What a text field holds, from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Free,
    Date,
    DateTime,
    WritePath,
    ReadPath,
    Url,
    Base64,
    /// An edit of a text written together: a Yjs update, base64.
    TextEdit,
}

pub fn meaning(command: &str, field: &str) -> Meaning {
    match field {
        "due_date" => Meaning::Date,
        "starts_at" => Meaning::DateTime,
        "path" if command == "import_bundle" => Meaning::ReadPath,
        "path" => Meaning::WritePath,
        "url" => Meaning::Url,
        "content_base64" => Meaning::Base64,
        // A state vector of the screen's copy of the minutes (optional: starts from null).
        "known" => Meaning::Base64,
        "edit" if command == "edit_minutes" => Meaning::TextEdit,
        _ => Meaning::Free,
    }
}

/// Sample text in the scripts the coalition writes in, and in some that stress a layout.
pub const SCRIPTS: &[(&str, &str)] = &[
    ("latin", "Cour pénale internationale, Statut de Rome. "),
    ("arabic", "المحكمة الجنائية الدولية ونظام روما الأساسي. "),
    ("cjk", "国际刑事法院罗马规约。"),
    ("cyrillic", "Международный уголовный суд. "),
    ("devanagari", "अंतर्राष्ट्रीय आपराधिक न्यायालय। "),
    ("hebrew", "בית הדין הפלילי הבינלאומי. "),
    ("thai", "ศาลอาญาระหว่างประเทศ "),
    ("emoji", "⚖️👩🏽‍⚖️🇺🇳 "),
    ("combining", "e\u{301}\u{302}a\u{308}\u{20dd} "),
];

/// Exactly `n` characters of `sample`, repeated, with no space at either end.
pub fn text_of(sample: &str, n: usize) -> String {
    let mut chars: Vec<char> = sample.chars().cycle().take(n).collect();
    for end in [0, n.saturating_sub(1)] {
        if chars.get(end).is_some_and(|c| c.is_whitespace()) {
            chars[end] = 'x';
        }
    }
    chars.into_iter().collect()
}

/// The lengths a text may be: the core's limits for names, titles and bodies.
pub const LENGTHS: &[usize] = &[
    caucus_core::text::NAME_MAX,
    caucus_core::text::TITLE_MAX,
    caucus_core::text::BODY_MAX,
];

/// Which scripts the long texts of the `index`th field are written in: one in turn in the
/// bounded run, every one in the long run.
fn scripts(index: usize, all: bool) -> Vec<(&'static str, &'static str)> {
    if all {
        SCRIPTS.to_vec()
    } else {
        vec![SCRIPTS[index % SCRIPTS.len()]]
    }
}

fn megabyte() -> String {
    "a".repeat(1 << 20)
}

/// What the sweep knows of the replica and the machine, for values that must be real.
pub struct Context {
    pub command: String,
    pub field: String,
    /// An existing id of the kind the field names, and one of another kind.
    pub id: Option<String>,
    pub other_kind_id: Option<String>,
    /// A folder of the sweep's own, and odd files in it.
    pub folder: String,
    pub fifo: String,
    pub sparse: String,
    pub garbage: String,
    pub empty: String,
    pub bundle: String,
    /// The field's place among all fields, to take turns between scripts.
    pub index: usize,
    pub all_scripts: bool,
}

/// Every hostile value for a field of `shape` holding `meaning`.
pub fn hostile(shape: &Shape, meaning: Meaning, cx: &Context) -> Vec<Hostile> {
    let mut out = vec![Hostile {
        label: "missing".into(),
        value: Raw::Missing,
        never_stored: false,
    }];
    out.push(v("null", Value::Null));
    out.extend(wrong_types(shape));
    match shape.bare() {
        Shape::Text => out.extend(text(meaning, cx)),
        Shape::Uuid => out.extend(uuid(cx)),
        Shape::Int { min, max } => out.extend(int(*min, *max)),
        Shape::Float => out.extend([raw("1e400", "1e400"), v("-0.0", json!(-0.0))]),
        Shape::Bool => {}
        Shape::Enum(variants) => out.extend(enumeration(variants)),
        Shape::List(element) => {
            out.push(v("empty list", json!([])));
            if let Some(base) = super::base_of(element, meaning, cx) {
                out.push(v("the same twice", json!([base, base])));
                out.push(v("10,000 entries", Value::Array(vec![base; 10_000])));
            }
            // Each hostile element alone, at `field[0]` (a list cannot miss an element).
            for h in hostile(element, meaning, cx) {
                let value = match h.value {
                    Raw::Missing => continue,
                    Raw::Json(e) => Raw::Json(json!([e])),
                    Raw::Text(t) => Raw::Text(format!("[{t}]")),
                };
                out.push(Hostile {
                    label: format!("[{}]", h.label),
                    value,
                    ..h
                });
            }
        }
        Shape::Map(_) => out.extend([
            v("empty key", json!({"": "x"})),
            v("NUL in a key", json!({"a\u{0}b": "x"})),
            v("a megabyte value", json!({ "title": megabyte() })),
            v("a number value", json!({ "title": 1 })),
            v(
                "10,000 entries",
                Value::Object((0..10_000).map(|i| (format!("k{i}"), json!("v"))).collect()),
            ),
        ]),
        Shape::Object(_) | Shape::Nullable(_) => {}
    }
    out
}

/// A value of every JSON type but the field's own.
fn wrong_types(shape: &Shape) -> Vec<Hostile> {
    let mut out = Vec::new();
    let bare = shape.bare();
    let is_text = matches!(bare, Shape::Text | Shape::Uuid | Shape::Enum(_));
    if !is_text {
        out.push(bad("a string", json!("1")));
    }
    if !matches!(bare, Shape::Int { .. } | Shape::Float) {
        out.push(bad("a number", json!(1)));
    }
    if !matches!(bare, Shape::Bool) {
        out.push(bad("true", json!(true)));
    }
    if !matches!(bare, Shape::List(_)) {
        out.push(bad("a list", json!(["x"])));
    }
    if !matches!(bare, Shape::Object(_) | Shape::Map(_)) {
        out.push(bad("an object", json!({"x": 1})));
    }
    out
}

fn text(meaning: Meaning, cx: &Context) -> Vec<Hostile> {
    let mut out = vec![
        v("empty", json!("")),
        v("a space", json!(" ")),
        v("whitespace", json!("\t \n")),
        v("padded", json!(" padded ")),
        v("padded with wide spaces", json!("\u{a0}x\u{3000}")),
        bad("NUL", json!("a\u{0}b")),
        bad("a bell", json!("a\u{7}b")),
        bad("an ANSI escape", json!("a\u{1b}[31mb")),
        bad("DEL", json!("a\u{7f}b")),
        bad("C1 NEL", json!("a\u{85}b")),
        raw("a lone leading surrogate", r#""a\ud800b""#),
        raw("a lone trailing surrogate", r#""\udc00""#),
        raw("a reversed pair", r#""\udc00\ud800""#),
        bad("a megabyte", json!(megabyte())),
    ];
    match meaning {
        Meaning::Free => {
            out.extend([
                v("bidi override", json!("\u{202e}abc\u{202c}")),
                v("zero widths", json!("a\u{200b}b\u{feff}c\u{200d}")),
                v("noncharacters", json!("a\u{fffe}b\u{10ffff}")),
                v("line separators", json!("a\u{2028}b\u{2029}c")),
                v("lines and a tab", json!("line one\nline two\r\n\ttabbed")),
                v(
                    "markup",
                    json!("<script>alert(1)</script> **bold** [x](javascript:y)"),
                ),
                v("SQL", json!("'; DROP TABLE person; --")),
                v("search syntax", json!("\"unterminated NEAR( a* OR -b")),
                v("a quote", json!("\"")),
                v("a star", json!("*")),
            ]);
            for (script, sample) in scripts(cx.index, cx.all_scripts) {
                for &n in LENGTHS {
                    // The longest text once per field, in turn, in the bounded run.
                    if n == caucus_core::text::BODY_MAX
                        && !cx.all_scripts
                        && !cx.index.is_multiple_of(3)
                    {
                        continue;
                    }
                    out.push(v(format!("{n} {script}"), json!(text_of(sample, n))));
                    out.push(v(
                        format!("{} {script}", n + 1),
                        json!(text_of(sample, n + 1)),
                    ));
                }
            }
        }
        Meaning::Date => {
            for d in [
                "2026-01-+5",
                "2026-+1-01",
                "+2026-01-01",
                "2026-02-30",
                "2026-13-01",
                "2026-00-10",
                "0000-01-01",
                "1899-12-31",
                "2026-1-1",
                "20260101",
                "2026-01-01T10:00",
                " 2026-01-01",
                "٢٠٢٦-٠١-٠١",
                "２０２６-０１-０１",
                "2026-01-01\u{0}",
            ] {
                out.push(bad(format!("date {d:?}"), json!(d)));
            }
            for d in ["2028-02-29", "2026-12-31", "9999-12-31"] {
                out.push(v(format!("date {d}"), json!(d)));
            }
        }
        Meaning::DateTime => {
            for d in [
                "T+9:30",
                "2026-01-01T+9:30",
                "2026-01-01T24:00",
                "2026-01-01T10:60",
                "2026-01-01T1:00",
                "2026-01-01 10:00",
                "2026-01-01T10:00:00",
                "2026-01-01T10:00Z",
                "2026-02-30T10:00",
                "2026-01-01",
                "٢٠٢٦-٠١-٠١T١٠:٠٠",
            ] {
                out.push(bad(format!("time {d:?}"), json!(d)));
            }
            for d in ["2028-02-29T23:59", "2026-12-31T00:00"] {
                out.push(v(format!("time {d}"), json!(d)));
            }
        }
        Meaning::WritePath | Meaning::ReadPath => {
            let f = &cx.folder;
            out.extend([
                v("relative", json!("relative.file")),
                v("the root", json!("/")),
                v("a folder", json!(f)),
                v("a missing folder", json!(format!("{f}/missing/x.file"))),
                v("NUL inside", json!(format!("{f}/a\u{0}b"))),
                v("a name too long", json!(format!("{f}/{}", "n".repeat(300)))),
                v("a bidi name", json!(format!("{f}/\u{202e}fdp.exe"))),
                v("an Arabic name", json!(format!("{f}/تقرير.file"))),
            ]);
            if meaning == Meaning::ReadPath {
                out.extend([
                    v("a FIFO", json!(cx.fifo)),
                    v("a device", json!("/dev/zero")),
                    v("a 10 GB sparse file", json!(cx.sparse)),
                    v("garbage", json!(cx.garbage)),
                    v("an empty file", json!(cx.empty)),
                    v("a missing file", json!(format!("{f}/nothing.bundle"))),
                ]);
            }
        }
        // Loopback or unparseable only: nothing here may leave the machine.
        Meaning::Url => out.extend([
            v("no scheme", json!("127.0.0.1:1")),
            v("ftp", json!("ftp://127.0.0.1:1/")),
            v("no host", json!("http://")),
            v("a port too big", json!("http://127.0.0.1:99999/")),
            v("a broken address", json!("http://[::1")),
            v("javascript", json!("javascript:alert(1)")),
            v("a file", json!("file:///etc/passwd")),
            v("NUL in the path", json!("http://127.0.0.1:1/\u{0}")),
            v(
                "a long path",
                json!(format!("http://127.0.0.1:1/{}", "a".repeat(2100))),
            ),
            v("a closed port", json!("http://127.0.0.1:1")),
        ]),
        Meaning::Base64 | Meaning::TextEdit => out.extend([
            v("not base64", json!("!!!")),
            v("padding only", json!("====")),
            v("unpadded", json!("YQ")),
            v("garbage bytes", json!("AAECAwQFBgcICQ==")),
            v("a megabyte of zeros", json!("A".repeat(1 << 20))),
        ]),
    }
    out
}

fn uuid(cx: &Context) -> Vec<Hostile> {
    let mut out = vec![
        bad("not an id", json!("not-an-id")),
        bad("empty", json!("")),
        bad("the nil id", json!("00000000-0000-0000-0000-000000000000")),
        bad(
            "an id nothing has",
            json!("0190c0de-7a11-7b0b-8000-5ee95ee95ee9"),
        ),
        bad(
            "an id with a space",
            json!(" 0190c0de-7a11-7b0b-8000-5ee95ee95ee9"),
        ),
        bad("a megabyte", json!(megabyte())),
        raw("a lone surrogate", r#""\ud800""#),
    ];
    if let Some(other) = &cx.other_kind_id {
        out.push(bad("an id of another kind", json!(other)));
    }
    if let Some(id) = &cx.id {
        out.push(v("upper case", json!(id.to_uppercase())));
        out.push(v("braced", json!(format!("{{{id}}}"))));
        out.push(v("without hyphens", json!(id.replace('-', ""))));
    }
    out
}

fn int(min: i128, max: i128) -> Vec<Hostile> {
    vec![
        v("zero", json!(0)),
        v("minus one", json!(-1)),
        v("the least", Value::from(min as i64)),
        v("the most", json!(max as u64)),
        raw("one below the least", &(min - 1).to_string()),
        raw("one above the most", &(max + 1).to_string()),
        raw_ok("2^53 + 1", "9007199254740993"),
        bad("a fraction", json!(1.5)),
        raw("1e400", "1e400"),
        raw_ok("-0", "-0"),
    ]
}

fn enumeration(variants: &[String]) -> Vec<Hostile> {
    let first = variants.first().cloned().unwrap_or_default();
    let homoglyph: String = first
        .chars()
        .map(|c| match c {
            'a' => 'а',
            'e' => 'е',
            'o' => 'о',
            c => c,
        })
        .collect();
    let mut out = vec![
        bad("empty", json!("")),
        bad("unknown", json!("nope")),
        bad("upper case", json!(first.to_uppercase())),
        bad("a trailing space", json!(format!("{first} "))),
        bad("NUL inside", json!(format!("{first}\u{0}"))),
    ];
    if homoglyph != first {
        out.push(bad("a Cyrillic look-alike", json!(homoglyph)));
    }
    out
}
