//! PDF reports through Typst: the layout is `report.typ`, the fonts are bundled Noto Sans and
//! Noto Naskh Arabic (Typst shapes Arabic and lays out right-to-left), and the report's data
//! arrives as one JSON input, so member-written text is shown, never evaluated.

use caucus_core::api::{GroupReport, RenderedReport, ReportRenderer};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use std::sync::Mutex;
use typst::foundations::{Dict, IntoValue};
use typst::layout::PagedDocument;
use typst_as_lib::TypstEngine;

const TEMPLATE: &str = include_str!("report.typ");
const FONTS: [&[u8]; 4] = [
    include_bytes!("../fonts/NotoSans-Regular.ttf"),
    include_bytes!("../fonts/NotoSans-Bold.ttf"),
    include_bytes!("../fonts/NotoNaskhArabic-Regular.ttf"),
    include_bytes!("../fonts/NotoNaskhArabic-Bold.ttf"),
];

/// The Typst report renderer. Building it parses the fonts once; rendering reuses them.
pub struct TypstReports {
    engine: Mutex<TypstEngine<typst_as_lib::TypstTemplateMainFile>>,
}

impl Default for TypstReports {
    fn default() -> Self {
        Self::new()
    }
}

impl TypstReports {
    pub fn new() -> Self {
        let engine = TypstEngine::builder()
            .main_file(TEMPLATE)
            .fonts(FONTS)
            .build();
        TypstReports {
            engine: Mutex::new(engine),
        }
    }

    /// Lays out the report: the document, for tests that read what is on each page.
    pub fn layout(&self, report: &GroupReport) -> Result<PagedDocument, String> {
        let mut report = report.clone();
        report.group.mandate = breakable(&plain_text(&report.group.mandate));
        report.group.name = breakable(&report.group.name);
        for r in &mut report.recommendations {
            r.title = breakable(&r.title);
            r.body = breakable(&plain_text(&r.body));
            r.answer = breakable(&plain_text(&r.answer));
        }
        // Each member-written text runs in its own direction (as `dir="auto"` does on screen):
        // an English paragraph in an Arabic report keeps its full stop at its end.
        let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
        let base = if report.rtl { "rtl" } else { "ltr" };
        let mark = |object: &mut serde_json::Value, field: &str| {
            let dir = object[field].as_str().map_or(base, |t| direction(t, base));
            object[format!("{field}_dir")] = dir.into();
        };
        mark(&mut value["group"], "name");
        mark(&mut value["group"], "mandate");
        if let Some(list) = value["recommendations"].as_array_mut() {
            for r in list {
                for field in ["title", "body", "answer"] {
                    mark(r, field);
                }
            }
        }
        let json = value.to_string();
        let mut inputs = Dict::new();
        inputs.insert("report".into(), json.into_value());
        let engine = self.engine.lock().map_err(|_| "the report engine failed")?;
        engine
            .compile_with_input(inputs)
            .output
            .map_err(|e| format!("the report could not be laid out: {e:?}"))
    }
}

impl ReportRenderer for TypstReports {
    fn render_pdf(&self, report: &GroupReport) -> Result<RenderedReport, String> {
        let document = self.layout(report)?;
        let pdf = typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
            .map_err(|e| format!("the PDF could not be written: {e:?}"))?;
        Ok(RenderedReport {
            pdf,
            pages: document.pages.len() as u32,
        })
    }
}

/// The longest run of characters without a break opportunity a report prints: about a line.
const LONGEST_UNBROKEN: usize = 60;

/// `text` with a zero-width space inside every run of more than [`LONGEST_UNBROKEN`]
/// characters that holds no space: a line can then end there, instead of one line running
/// off the page (and, past 64 KiB, the PDF writer failing on it).
pub fn breakable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars() {
        if c.is_whitespace() {
            run = 0;
        } else {
            if run == LONGEST_UNBROKEN {
                out.push('\u{200B}');
                run = 0;
            }
            run += 1;
        }
        out.push(c);
    }
    out
}

/// The direction of a text by its first strong character (Unicode's rule for `dir="auto"`),
/// or `base` when it has none.
pub fn direction(text: &str, base: &'static str) -> &'static str {
    for c in text.chars() {
        let rtl = matches!(c as u32,
            0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF);
        if rtl {
            return "rtl";
        }
        if c.is_alphabetic() {
            return "ltr";
        }
    }
    base
}

/// Markdown as the plain text a printed page shows: paragraphs separated by blank lines, list
/// items as bullets, links followed by their address; emphasis marks dropped.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut link: Vec<String> = Vec::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("• "),
            Event::Start(Tag::Link { dest_url, .. }) => link.push(dest_url.to_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = link.pop() {
                    out.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::Item) => out.push('\n'),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock) => {
                out.push_str("\n\n")
            }
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_)) => out.push('\n'),
            // Raw HTML is shown as the text it is, never interpreted.
            Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            _ => {}
        }
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::{breakable, plain_text, LONGEST_UNBROKEN};

    #[test]
    fn a_run_without_spaces_gets_a_place_to_break_and_words_stay_whole() {
        let word = "ب".repeat(LONGEST_UNBROKEN * 3 + 1);
        let broken = breakable(&word);
        assert_eq!(broken.matches('\u{200B}').count(), 3);
        assert_eq!(broken.replace('\u{200B}', ""), word, "nothing else changes");
        let sentence = "The Court's budget for 2027";
        assert_eq!(breakable(sentence), sentence);
    }

    #[test]
    fn markdown_becomes_printable_text() {
        assert_eq!(
            plain_text("Focus on **one country** each month.\n\n- Budget\n- [Statute](https://example.org)"),
            "Focus on one country each month.\n\n• Budget\n• Statute (https://example.org)"
        );
        assert_eq!(
            plain_text("<script>alert(1)</script>"),
            "<script>alert(1)</script>"
        );
        assert_eq!(plain_text("مرحبا *بكم*"), "مرحبا بكم");
    }

    #[test]
    fn direction_follows_the_first_strong_character() {
        use super::direction;
        assert_eq!(direction("2026: التحالف", "ltr"), "rtl");
        assert_eq!(direction("« Budget » التحالف", "rtl"), "ltr");
        assert_eq!(direction("2026 - 11", "rtl"), "rtl");
        assert_eq!(direction("", "ltr"), "ltr");
    }
}
