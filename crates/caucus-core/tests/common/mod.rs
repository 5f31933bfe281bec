//! Shared by the integration tests: random changes for property tests, and case counts.
#![allow(dead_code)]

use caucus_core::change::{Change, ROW_COLUMN, SCHEMA_VERSION};
use caucus_core::hlc::Hlc;
use proptest::prelude::*;
use uuid::Uuid;

/// Property-test case count: `CAUCUS_PROPTEST_CASES` if set, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("CAUCUS_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub const SITES: [u128; 4] = [1, 2, 3, 4];
pub const ROWS: [u128; 3] = [10, 11, 12];
pub const COLUMNS: [&str; 3] = [ROW_COLUMN, "name", "country"];

/// One write before sequence numbers are assigned: (site, row, column, value, cl, hlc).
pub type Draft = (usize, usize, usize, u8, u64, u64);

pub fn draft() -> impl Strategy<Value = Draft> {
    (
        0..SITES.len(),
        0..ROWS.len(),
        0..COLUMNS.len(),
        0u8..4,
        1u64..5,
        1u64..40,
    )
}

/// Turns drafts into changes with gap-free per-site sequence numbers, so each (site, seq)
/// names exactly one change.
pub fn changes(drafts: &[Draft]) -> Vec<Change> {
    let mut next = [0u64; SITES.len()];
    drafts
        .iter()
        .map(|&(s, r, c, v, cl, hlc)| {
            next[s] += 1;
            let column = COLUMNS[c];
            Change {
                site: Uuid::from_u128(SITES[s]),
                seq: next[s],
                hlc: Hlc::new(hlc, 0),
                actor: None,
                bucket: "coalition".into(),
                table: "organization".into(),
                row: Uuid::from_u128(ROWS[r]),
                column: column.into(),
                value: if column == ROW_COLUMN {
                    serde_json::Value::Null
                } else if column == "country" {
                    serde_json::json!(["NL", "FR", "UG", "PE"][v as usize])
                } else {
                    serde_json::json!(format!("name {v}"))
                },
                cl,
                schema_version: SCHEMA_VERSION,
                signature: None,
            }
        })
        .collect()
}

/// A delivery order: a permutation of `n` items with some delivered twice.
pub fn delivery(n: usize) -> impl Strategy<Value = Vec<usize>> {
    (
        Just((0..n).collect::<Vec<_>>()).prop_shuffle(),
        prop::collection::vec(0..n.max(1), 0..=n),
    )
        .prop_map(move |(mut order, dups)| {
            if n > 0 {
                order.extend(dups);
            }
            order
        })
        .prop_shuffle()
}
