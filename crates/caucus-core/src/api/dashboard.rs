//! A group's dashboard: its tracked issues by status now, and its recommendations by state at
//! the end of each of the last twelve months, read from the change log.

use super::Caucus;
use crate::error::Result;
use crate::hlc::Hlc;
use crate::model::*;
use crate::store::read;
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Count {
    /// A status or state name.
    pub key: String,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct MonthCounts {
    /// `YYYY-MM`.
    pub month: String,
    pub counts: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Serialize, specta::Type)]
pub struct Dashboard {
    pub issues_by_status: Vec<Count>,
    pub recommendations_by_month: Vec<MonthCounts>,
}

/// Days since 1970-01-01 → (year, month), by the civil calendar (Howard Hinnant's algorithm).
fn year_month(days: i64) -> (i64, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// Milliseconds at the start of (year, month).
fn month_start_ms(year: i64, month: u32) -> i64 {
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * i64::from(m) + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400_000
}

impl Caucus {
    pub async fn group_dashboard(&self, input: IdInput) -> Result<Dashboard> {
        let group: Group = self.get(input.id).await?;
        let pool = self.store.pool();
        let issues = read::list(
            pool,
            &TrackedIssueFilter {
                group_id: Some(group.id),
                ..Default::default()
            },
        )
        .await?;
        let mut by_status: BTreeMap<String, u32> = BTreeMap::new();
        for i in &issues {
            let key = serde_json::to_value(i.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            *by_status.entry(key).or_default() += 1;
        }
        // Every state change of the group's recommendations, in clock order.
        let bucket = group.id.to_string();
        let changes = crate::store::history::state_changes(pool, &bucket).await?;
        let alive: std::collections::HashSet<Uuid> = read::list(
            pool,
            &RecommendationFilter {
                group_id: Some(group.id),
                ..Default::default()
            },
        )
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
        let now = crate::hlc::wall_ms() as i64;
        let (mut year, mut month) = year_month(now / 86_400_000);
        let mut months = Vec::new();
        for _ in 0..12 {
            months.push((year, month));
            if month == 1 {
                year -= 1;
                month = 12;
            } else {
                month -= 1;
            }
        }
        months.reverse();
        let mut out = Vec::new();
        for (y, m) in months {
            let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            let end = month_start_ms(ny, nm).min(now + 1);
            let mut state_at: BTreeMap<Uuid, String> = BTreeMap::new();
            for (row, hlc, state) in &changes {
                if (Hlc(*hlc).ms() as i64) < end && alive.contains(row) {
                    state_at.insert(*row, state.clone());
                }
            }
            let mut counts: BTreeMap<String, u32> = BTreeMap::new();
            for s in state_at.into_values() {
                *counts.entry(s).or_default() += 1;
            }
            out.push(MonthCounts {
                month: format!("{y:04}-{m:02}"),
                counts: counts
                    .into_iter()
                    .map(|(key, count)| Count { key, count })
                    .collect(),
            });
        }
        Ok(Dashboard {
            issues_by_status: by_status
                .into_iter()
                .map(|(key, count)| Count { key, count })
                .collect(),
            recommendations_by_month: out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_calendar_is_right() {
        assert_eq!(year_month(0), (1970, 1));
        assert_eq!(year_month(20_784), (2026, 11)); // 2026-11-27
        assert_eq!(month_start_ms(2026, 12), 1_796_083_200_000);
        assert_eq!(
            month_start_ms(2024, 3) - month_start_ms(2024, 2),
            29 * 86_400_000,
            "leap year"
        );
    }
}
