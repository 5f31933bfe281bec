//! The printable report of a group: its recommendations and their published answers, as a PDF
//! made on the device. This module gathers the report; a [`ReportRenderer`] set by the shell
//! (the `caucus-report` crate, through Typst) lays it out. Member-written text travels as data,
//! never as markup, so nothing a member typed can change the document.

use super::Caucus;
use crate::error::{CoreError, Result};
use crate::model::*;
use crate::store::read;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// Lays out a report as a PDF document.
pub trait ReportRenderer: Send + Sync {
    fn render_pdf(&self, report: &GroupReport) -> std::result::Result<RenderedReport, String>;
}

/// A laid-out report.
pub struct RenderedReport {
    pub pdf: Vec<u8>,
    pub pages: u32,
}

/// Write a group's report to a PDF file.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct ExportReport {
    pub group_id: Uuid,
    /// Where to write (an absolute path ending in .pdf; its folder must exist).
    pub path: String,
    /// The language of the report's headings; right-to-left for Arabic.
    pub language: Language,
    /// The report's headings in that language, by key (the UI's catalogue holds them):
    /// `title`, `mandate`, `generated`, `recommendations`, `answer`, `noAnswer`,
    /// `endorsements`, `addressee`, `author`, `page`, and `state.<state>` for each state.
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ReportSummary {
    pub path: String,
    pub recommendations: u32,
    pub pages: u32,
    pub bytes: f64,
}

/// What a report shows; the renderer's only input.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub language: Language,
    pub rtl: bool,
    pub labels: BTreeMap<String, String>,
    /// YYYY-MM-DD, in UTC.
    pub generated_on: String,
    pub group: ReportGroup,
    pub recommendations: Vec<ReportRecommendation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportGroup {
    pub name: String,
    pub mandate: String,
    pub leaders: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportRecommendation {
    pub title: String,
    /// The language the member wrote in (its text runs in that direction).
    pub language: Language,
    pub state: RecommendationState,
    pub author: String,
    pub body: String,
    pub endorsements: u32,
    /// The published answer (a drafted answer is not the team's word yet).
    pub answer: String,
}

const MAX_LABELS: usize = 64;

fn check_labels(labels: &BTreeMap<String, String>) -> Result<()> {
    if labels.len() > MAX_LABELS {
        return Err(CoreError::invalid(
            "labels",
            format!("at most {MAX_LABELS} labels"),
        ));
    }
    for (key, value) in labels {
        if key.is_empty() || key.len() > 64 || value.chars().count() > 300 {
            return Err(CoreError::invalid(
                format!("labels.{}", key.chars().take(64).collect::<String>()),
                "a label key is 1 to 64 characters and its text at most 300",
            ));
        }
    }
    Ok(())
}

impl Caucus {
    /// Sets what lays out PDF reports (the shells set it; without it reports are refused).
    pub fn set_report_renderer(&self, renderer: Arc<dyn ReportRenderer>) {
        let _ = self.report.set(renderer);
    }

    pub async fn export_report(&self, input: ExportReport) -> Result<ReportSummary> {
        if !input.path.ends_with(".pdf") {
            return Err(CoreError::invalid(
                "path",
                "choose a file ending in .pdf to write to",
            ));
        }
        let path = super::sync::file_to_write(&input.path, "the report")?;
        check_labels(&input.labels)?;
        let renderer = self.report.get().cloned().ok_or_else(|| {
            CoreError::invalid("path", "this build of Caucus cannot make PDF reports")
        })?;
        let report = self.group_report(&input).await?;
        let count = report.recommendations.len() as u32;
        // Typst is CPU-bound: lay out off the async threads.
        let rendered = tokio::task::spawn_blocking(move || renderer.render_pdf(&report))
            .await
            .map_err(|e| CoreError::invalid("report", e.to_string()))?
            .map_err(|e| CoreError::invalid("report", e))?;
        super::sync::write_chosen_file(&path, &rendered.pdf, "the report")?;
        Ok(ReportSummary {
            path: input.path,
            recommendations: count,
            pages: rendered.pages,
            bytes: rendered.pdf.len() as f64,
        })
    }

    /// What the report of `input` shows.
    pub async fn group_report(&self, input: &ExportReport) -> Result<GroupReport> {
        let group: Group = self.get(input.group_id).await?;
        let pool = self.store.pool();
        let people: BTreeMap<Uuid, String> = read::list(pool, &PersonFilter::default())
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let name_of = |id: &Uuid| people.get(id).cloned().unwrap_or_default();
        let leaders = read::list(
            pool,
            &MembershipFilter {
                group_id: Some(group.id),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .filter(|m| m.role == Role::Leader)
        .map(|m| name_of(&m.person_id))
        .collect();
        let mut recommendations = Vec::new();
        let listed = read::list(
            pool,
            &RecommendationFilter {
                group_id: Some(group.id),
                ..Default::default()
            },
        )
        .await?;
        for r in listed
            .into_iter()
            .filter(|r| r.state != RecommendationState::Draft)
        {
            let endorsements = read::list(
                pool,
                &EndorsementFilter {
                    recommendation_id: Some(r.id),
                    ..Default::default()
                },
            )
            .await?
            .len() as u32;
            recommendations.push(ReportRecommendation {
                title: r.title,
                language: r.language,
                state: r.state,
                author: name_of(&r.author_id),
                body: r.body,
                endorsements,
                answer: r.answer,
            });
        }
        let now = crate::hlc::wall_ms();
        Ok(GroupReport {
            language: input.language,
            rtl: input.language == Language::Ar,
            labels: input.labels.clone(),
            generated_on: crate::hlc::day_of(now, 0),
            group: ReportGroup {
                name: group.name,
                mandate: group.mandate,
                leaders,
            },
            recommendations,
        })
    }
}
