//! The change: one field of one row, written once by one site. Every write to user data, local
//! or remote, is a list of changes applied by [`crate::store::apply`]; this module holds the
//! merge rule they all go through, and [`Replica`], an in-memory reference model of it.
//!
//! Merge rule, per field: the change with the highest [`Stamp`] wins, where a stamp orders by
//! causal length, then hybrid logical clock, then site id (then the site's sequence number). A row's causal length is the highest
//! one seen for it (odd = alive, even = deleted). Every field's value is a maximum over a total
//! order, so applying changes is commutative, associative and idempotent; a change seen twice
//! is recognised by `(site, seq)` and ignored.

use crate::hlc::Hlc;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The pseudo-column of a row's own existence: a change to it carries only a causal length
/// (odd creates or restores the row, even deletes it).
pub const ROW_COLUMN: &str = "$row";

/// Schema version written into every change, so a newer peer's columns can be recognised.
pub const SCHEMA_VERSION: u32 = 1;

/// One field write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// The site (device) that made the change.
    pub site: Uuid,
    /// The site's own sequence number, from 1, without gaps.
    pub seq: u64,
    /// The change's clock: when it was made, as its site counted time.
    pub hlc: Hlc,
    /// The person who made the change, when known.
    pub actor: Option<Uuid>,
    /// A group id, or [`crate::schema::COALITION_BUCKET`].
    pub bucket: String,
    /// The table of the row it writes ([`crate::schema::TABLES`]).
    pub table: String,
    /// The row's id.
    pub row: Uuid,
    /// The field it writes, or [`ROW_COLUMN`] for the row's causal length.
    pub column: String,
    /// The value written (null for [`ROW_COLUMN`]).
    pub value: serde_json::Value,
    /// The row's causal length when the change was made.
    pub cl: u64,
    /// The [`SCHEMA_VERSION`] of the replica that made it.
    pub schema_version: u32,
    /// On the last change of each signed span of a write: its maker's signature over the span
    /// ([`crate::signature`]). Absent on the span's other changes, on a hub's compensating
    /// changes, and on changes written before devices signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// On the last change of a signed span of a write: the span's length and its maker's
/// signature (made and checked by [`crate::signature`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// The span is the site's changes with sequence numbers `seq - changes + 1 ..= seq`.
    pub changes: u32,
    /// ed25519 signature of [`crate::signature::span_message`], hex.
    pub ed25519: String,
}

impl Change {
    /// The order to send changes in: by clock, which respects causality (a membership before
    /// the recommendation its holder posted next), then by origin.
    pub fn stamp_order(&self) -> (Hlc, Uuid, u64) {
        (self.hlc, self.site, self.seq)
    }

    /// The stamp the merge compares it by ([`wins`]).
    pub fn stamp(&self) -> Stamp {
        Stamp {
            cl: self.cl,
            hlc: self.hlc,
            site: self.site,
            seq: self.seq,
        }
    }
}

/// The total order that decides which write of a field wins. The site's sequence number comes
/// last: one write may stamp several changes with the same clock, and `(site, seq)` is unique,
/// so no two distinct changes ever tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    /// The row's causal length: odd while alive, even once archived ([`is_alive`]).
    pub cl: u64,
    /// The change's clock.
    pub hlc: Hlc,
    /// The site that made it.
    pub site: Uuid,
    /// That site's sequence number: no two changes share a (site, seq).
    pub seq: u64,
}

/// Whether an incoming write replaces the current one. This is the whole merge decision; the
/// store and the reference model both call it.
pub fn wins(incoming: &Stamp, current: Option<&Stamp>) -> bool {
    current.is_none_or(|c| incoming > c)
}

/// Whether a row with this causal length is alive.
pub fn is_alive(cl: u64) -> bool {
    cl % 2 == 1
}

/// An in-memory replica: the reference model of merge, used by the property tests to state the
/// laws and by the store tests as the expected outcome.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replica {
    seen: BTreeSet<(Uuid, u64)>,
    /// Every row seen, by table and id.
    pub rows: BTreeMap<(String, Uuid), Row>,
}

/// A row in a [`Replica`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// The row's causal length.
    pub cl: u64,
    /// Each field's winning value and the stamp it won with.
    pub fields: BTreeMap<String, (Stamp, serde_json::Value)>,
}

impl Replica {
    /// Applies one change; returns false for a duplicate.
    pub fn apply(&mut self, change: &Change) -> bool {
        if !self.seen.insert((change.site, change.seq)) {
            return false;
        }
        let row = self
            .rows
            .entry((change.table.clone(), change.row))
            .or_default();
        row.cl = row.cl.max(change.cl);
        if change.column != ROW_COLUMN {
            let stamp = change.stamp();
            let current = row.fields.get(&change.column).map(|(s, _)| s);
            if wins(&stamp, current) {
                row.fields
                    .insert(change.column.clone(), (stamp, change.value.clone()));
            }
        }
        true
    }

    /// The visible state: each row's causal length and field values, without clocks.
    pub fn state(&self) -> BTreeMap<(String, Uuid), (u64, BTreeMap<String, serde_json::Value>)> {
        self.rows
            .iter()
            .map(|(k, r)| {
                let fields = r
                    .fields
                    .iter()
                    .map(|(c, (_, v))| (c.clone(), v.clone()))
                    .collect();
                (k.clone(), (r.cl, fields))
            })
            .collect()
    }

    /// Merges another replica's state into this one (state-based merge: the join of the two).
    pub fn merge(&mut self, other: &Replica) {
        self.seen.extend(other.seen.iter().copied());
        for (key, theirs) in &other.rows {
            let ours = self.rows.entry(key.clone()).or_default();
            ours.cl = ours.cl.max(theirs.cl);
            for (col, (stamp, value)) in &theirs.fields {
                if wins(stamp, ours.fields.get(col).map(|(s, _)| s)) {
                    ours.fields.insert(col.clone(), (*stamp, value.clone()));
                }
            }
        }
    }
}
