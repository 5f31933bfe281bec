//! A group's report, made from the demo coalition on a real replica, in English and in
//! Arabic: a PDF file, laid out in each language's direction, with member text shown as
//! text whatever it contains.

use caucus_core::api::*;
use caucus_core::model::Language;
use caucus_core::Caucus;
use caucus_report::TypstReports;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use typst::layout::{Abs, FrameItem, Point};

async fn call(c: &Caucus, command: &str, input: Value) -> Value {
    dispatch(c, command, input.clone())
        .await
        .unwrap_or_else(|e| panic!("{command}({input}): {e}"))
}

fn labels(language: Language) -> BTreeMap<String, String> {
    let pairs: &[(&str, &str)] = match language {
        Language::Ar => &[
            ("title", "تقرير التوصيات"),
            ("answer", "الرد"),
            ("state.open", "مفتوحة"),
        ],
        _ => &[
            ("title", "Recommendations report"),
            ("answer", "Answer"),
            ("state.open", "Open"),
        ],
    };
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every run of text on a page: its text, left edge and right edge.
fn runs(frame: &typst::layout::Frame, at: Point, out: &mut Vec<(String, Abs, Abs)>) {
    for (pos, item) in frame.items() {
        let here = at + *pos;
        match item {
            FrameItem::Group(group) => {
                let shifted = here + Point::new(group.transform.tx, group.transform.ty);
                runs(&group.frame, shifted, out);
            }
            FrameItem::Text(text) => {
                out.push((text.text.to_string(), here.x, here.x + text.width()));
            }
            _ => {}
        }
    }
}

async fn demo() -> (tempfile::TempDir, Caucus, Value) {
    let dir = tempfile::tempdir().expect("temp dir");
    let c = Caucus::open(&dir.path().join("c.db")).await.expect("open");
    c.load_demo_data(NoInput {}).await.expect("demo");
    c.set_report_renderer(Arc::new(TypstReports::new()));
    let group = call(&c, "list_groups", json!({}))
        .await
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["name"] == "Budget and finance")
        .expect("budget team")
        .clone();
    (dir, c, group)
}

#[tokio::test]
async fn a_group_report_is_a_pdf_in_each_direction() {
    let (dir, c, group) = demo().await;
    let group_id = serde_json::from_value(group["id"].clone()).expect("id");
    let listed = call(&c, "list_recommendations", json!({"group_id": group["id"]})).await;
    let published = listed
        .as_array()
        .expect("recs")
        .iter()
        .filter(|r| r["state"] != "draft")
        .count() as u32;
    let renderer = TypstReports::new();
    for language in [Language::En, Language::Ar] {
        let path = dir.path().join(format!("report-{language:?}.pdf"));
        let input = ExportReport {
            group_id,
            path: path.to_string_lossy().into(),
            language,
            labels: labels(language),
        };
        let summary = c.export_report(input.clone()).await.expect("report");
        assert_eq!(summary.recommendations, published);
        assert!(summary.pages >= 1);
        let pdf = std::fs::read(&path).expect("written");
        assert!(pdf.starts_with(b"%PDF-"), "a PDF file");
        assert!(
            pdf.windows(5).rev().take(64).any(|w| w == b"%%EOF"),
            "a whole PDF file"
        );
        assert_eq!(summary.bytes as usize, pdf.len());
        // Kept with the screenshots, to look at (the browser tests draw them).
        let kept =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-results/report");
        std::fs::create_dir_all(&kept).expect("test-results");
        std::fs::write(
            kept.join(format!("budget-{language:?}.pdf").to_lowercase()),
            &pdf,
        )
        .expect("kept");

        // Where the group's name sits on the first page: at the start edge of the text area,
        // which is the right edge in Arabic.
        let report = c.group_report(&input).await.expect("report data");
        let document = renderer.layout(&report).expect("laid out");
        let page = &document.pages[0].frame;
        let mut found = Vec::new();
        runs(page, Point::zero(), &mut found);
        let run = |wanted: &str| {
            found
                .iter()
                .find(|(text, _, _)| text.contains(wanted))
                .unwrap_or_else(|| panic!("{wanted:?} is on page 1: {found:?}"))
                .clone()
        };
        let margin = Abs::cm(2.0);
        let width = page.width();
        match language {
            Language::Ar => {
                // The Arabic heading, and the English name under it (a left-to-right run in
                // a right-to-left line: its last word is at the right edge).
                for wanted in ["تقرير التوصيات", "finance"] {
                    let (_, _, end) = run(wanted);
                    assert!(
                        (width - margin - end).abs() < Abs::pt(2.0),
                        "{wanted:?} ends at the right edge in Arabic: {end:?} of {width:?}"
                    );
                }
            }
            _ => {
                let (_, start, _) = run("Budget and finance");
                assert!(
                    (start - margin).abs() < Abs::pt(2.0),
                    "left-aligned in English: starts at {start:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn member_text_is_shown_never_run() {
    let (dir, c, group) = demo().await;
    let group_id = serde_json::from_value(group["id"].clone()).expect("id");
    let convenor = call(&c, "get_session", json!({})).await["acting_person"]["id"].clone();
    call(
        &c,
        "join_group",
        json!({"group_id": group["id"], "person_id": convenor, "role": "leader"}),
    )
    .await;
    let hostile = [
        "#panic(\"report\") = heading *bold* $x$",
        "#read(\"/etc/passwd\")",
        "<script>alert(1)</script>",
        "] #{ } [ @label <label> \\",
    ];
    for title in hostile {
        call(
            &c,
            "create_recommendation",
            json!({"group_id": group["id"], "title": title, "body": format!("Body: {title}"), "language": "en", "addressee": "coalition", "open": true}),
        )
        .await;
    }
    let input = ExportReport {
        group_id,
        path: dir.path().join("hostile.pdf").to_string_lossy().into(),
        language: Language::En,
        labels: labels(Language::En),
    };
    c.export_report(input.clone())
        .await
        .expect("laid out anyway");
    let report = c.group_report(&input).await.expect("report data");
    let document = TypstReports::new().layout(&report).expect("laid out");
    let mut text = String::new();
    for page in &document.pages {
        let mut found = Vec::new();
        runs(&page.frame, Point::zero(), &mut found);
        for (t, _, _) in found {
            text.push_str(&t);
        }
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for title in hostile {
        let wanted: String = title.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(compact.contains(&wanted), "{title:?} is printed as typed");
    }
}

#[tokio::test]
async fn bad_requests_are_refused_and_write_nothing() {
    let (dir, c, group) = demo().await;
    let group_id = serde_json::from_value(group["id"].clone()).expect("id");
    let at = |name: &str| dir.path().join(name).to_string_lossy().to_string();
    let cases = [
        (at("report.txt"), labels(Language::En), "path"),
        ("relative.pdf".to_string(), labels(Language::En), "path"),
        (
            dir.path()
                .join("missing/report.pdf")
                .to_string_lossy()
                .into(),
            labels(Language::En),
            "path",
        ),
        (
            at("report.pdf"),
            (0..65)
                .map(|i| (format!("k{i}"), "v".to_string()))
                .collect(),
            "labels",
        ),
    ];
    for (path, labels, field) in cases {
        let err = c
            .export_report(ExportReport {
                group_id,
                path,
                language: Language::En,
                labels,
            })
            .await
            .expect_err("refused");
        let err = caucus_core::error::ApiError::from(err);
        assert_eq!(err.field.as_deref(), Some(field), "{err:?}");
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(
        names
            .iter()
            .all(|n| !n.to_string_lossy().contains("report")),
        "nothing written: {names:?}"
    );
}

/// Long member-written texts in every script, as long as a field may hold (about 100 KB):
/// with spaces and without, the report is made (before, a long Arabic text made every report
/// of its group panic inside the PDF writer).
#[tokio::test]
async fn a_group_holding_the_longest_texts_in_every_script_still_makes_its_report() {
    let (dir, c, group) = demo().await;
    let group_id = serde_json::from_value(group["id"].clone()).expect("id");
    let words = [
        "منظمة العفو الدولية تطالب بالعدالة للضحايا",
        "國際刑事法院締約國大會",
        "Международный уголовный суд",
        "Coalition for the International Criminal Court",
    ];
    for (n, phrase) in words.iter().enumerate() {
        let spaced: String = std::iter::repeat_n(
            *phrase,
            caucus_core::text::BODY_MAX / phrase.chars().count() / 2,
        )
        .collect::<Vec<_>>()
        .join(" ");
        let unbroken: String = phrase
            .chars()
            .filter(|c| !c.is_whitespace())
            .cycle()
            .take(caucus_core::text::BODY_MAX / 2)
            .collect();
        for (kind, text) in [("spaced", &spaced), ("unbroken", &unbroken)] {
            call(
                &c,
                "update_group",
                json!({"id": group["id"], "mandate": text}),
            )
            .await;
            let path = dir.path().join(format!("long-{n}-{kind}.pdf"));
            let summary = c
                .export_report(ExportReport {
                    group_id,
                    path: path.to_string_lossy().into(),
                    language: Language::Ar,
                    labels: labels(Language::Ar),
                })
                .await
                .unwrap_or_else(|e| panic!("{phrase} {kind}: {e}"));
            assert!(summary.pages > 1, "{phrase} {kind}: the text fills pages");
        }
    }
}
