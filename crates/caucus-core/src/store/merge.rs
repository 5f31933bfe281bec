//! A merge a judge takes part in ([`crate::sync::judge`]): the changes a meeting or a bundle
//! brought are logged (and queued for the hub) first, then let into the rows only as the judge
//! accepts them, in one transaction. A change the judge refuses stays in the log, in the
//! quarantine with its reason, until a later judgement or the hub lets it in.

use super::apply::{self, ApplyReport, Origin};
use super::log;
use super::{sync_state, LocalSite, Store};
use crate::change::Change;
use crate::error::Result;
use crate::hlc::Clock;
use crate::sync::protocol::BucketCursor;
use sqlx::{Sqlite, SqliteConnection, Transaction};
use std::collections::{BTreeMap, HashSet};
use uuid::Uuid;

/// One judged merge, open until [`Merging::commit`]. Dropped without committing, it leaves
/// the replica as it was.
pub struct Merging<'s> {
    store: &'s Store,
    local: tokio::sync::MutexGuard<'s, LocalSite>,
    tx: Transaction<'s, Sqlite>,
    /// Everything that arrived, for the clock and this site's numbers.
    arrived: Vec<(crate::hlc::Hlc, Uuid, u64)>,
    /// Changes let into the rows, for the screens.
    merged: Vec<Change>,
    /// The quarantined changes this merge read: letting one in takes it out of the quarantine.
    waiting: HashSet<(Uuid, u64)>,
    report: ApplyReport,
}

impl Store {
    /// Opens a judged merge of `changes` from elsewhere, after checking every clock (a clock too
    /// far ahead refuses the whole batch, as [`Store::merge_remote`] does).
    pub async fn begin_merge(&self, changes: &[Change], wall_ms: u64) -> Result<Merging<'_>> {
        for c in changes {
            Clock::check_remote(c.hlc, wall_ms)?;
        }
        let local = self.local.lock().await;
        let tx = self.pool.begin().await?;
        Ok(Merging {
            store: self,
            local,
            tx,
            arrived: changes.iter().map(|c| (c.hlc, c.site, c.seq)).collect(),
            merged: Vec::new(),
            waiting: HashSet::new(),
            report: ApplyReport::default(),
        })
    }
}

impl Merging<'_> {
    /// The transaction's connection, for the judge's reads.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// Logs `changes` and queues them for the home hub, letting none into the rows: returns
    /// those new to the log.
    pub async fn log(&mut self, changes: &[Change]) -> Result<Vec<Change>> {
        let all: HashSet<(Uuid, u64)> = changes.iter().map(|c| (c.site, c.seq)).collect();
        let mut new = Vec::new();
        let report =
            apply::apply_holding(&mut self.tx, changes, Origin::Unsynced, &all, &mut new).await?;
        self.report.applied += report.applied;
        self.report.duplicates += report.duplicates;
        let new: HashSet<(Uuid, u64)> = new.into_iter().collect();
        Ok(changes
            .iter()
            .filter(|c| new.contains(&(c.site, c.seq)))
            .cloned()
            .collect())
    }

    /// The changes waiting in the quarantine with one of `codes`, from the log.
    pub async fn quarantined(&mut self, codes: &[&str]) -> Result<Vec<Change>> {
        self.held_with(None, codes).await
    }

    /// The changes waiting in the quarantine, of these sites, with one of `codes`.
    pub async fn quarantined_of(&mut self, sites: &[Uuid], codes: &[&str]) -> Result<Vec<Change>> {
        let mut out = Vec::new();
        for site in sites {
            out.extend(self.held_with(Some(*site), codes).await?);
        }
        Ok(out)
    }

    /// The quarantined changes (of `site`, if given) with one of `codes`; remembered as read,
    /// so letting one in takes it out of the quarantine.
    async fn held_with(&mut self, site: Option<Uuid>, codes: &[&str]) -> Result<Vec<Change>> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; codes.len()].join(", ");
        let sql = format!(
            "SELECT site, seq FROM quarantine
             WHERE (?1 IS NULL OR site = ?1) AND code IN ({marks})"
        );
        let mut query =
            sqlx::query_as::<_, (Vec<u8>, i64)>(&sql).bind(site.map(|s| s.as_bytes().to_vec()));
        for code in codes {
            query = query.bind(*code);
        }
        let ids: Vec<(Uuid, u64)> = query
            .fetch_all(&mut *self.tx)
            .await?
            .into_iter()
            .map(|(site, seq)| (Uuid::from_slice(&site).unwrap_or_default(), seq as u64))
            .collect();
        let mut found = log::find(&mut self.tx, &ids).await?;
        let changes: Vec<Change> = ids.iter().filter_map(|id| found.remove(id)).collect();
        self.waiting.extend(changes.iter().map(|c| (c.site, c.seq)));
        Ok(changes)
    }

    /// The logged changes of `site` with sequence numbers in `seqs` (to complete a signed span).
    pub async fn logged(&mut self, site: Uuid, seqs: &[u64]) -> Result<Vec<Change>> {
        let (Some(low), Some(high)) = (seqs.iter().min(), seqs.iter().max()) else {
            return Ok(Vec::new());
        };
        let wanted: HashSet<u64> = seqs.iter().copied().collect();
        Ok(log::range(&mut self.tx, site, *low, *high)
            .await?
            .into_iter()
            .filter(|c| wanted.contains(&c.seq))
            .collect())
    }

    /// Lets logged changes into the rows (out of the quarantine, if they were in it): the same
    /// merge as any change, so their stamps decide.
    pub async fn admit(&mut self, changes: &[Change]) -> Result<()> {
        if changes.is_empty() {
            return Ok(());
        }
        let refs: Vec<&Change> = changes.iter().collect();
        let merged = apply::merge_logged(&mut self.tx, &refs).await?;
        self.report.superseded += merged.superseded;
        self.report.invalid += merged.invalid;
        for c in changes
            .iter()
            .filter(|c| self.waiting.contains(&(c.site, c.seq)))
        {
            sqlx::query("DELETE FROM quarantine WHERE site = ? AND seq = ?")
                .bind(c.site.as_bytes().to_vec())
                .bind(c.seq as i64)
                .execute(&mut *self.tx)
                .await?;
        }
        self.merged.extend_from_slice(changes);
        Ok(())
    }

    /// Keeps a logged change out of the rows, in the quarantine, with why (a code the Sync
    /// panel translates, and words for the logs).
    pub async fn hold(
        &mut self,
        id: (Uuid, u64),
        at_ms: u64,
        code: &str,
        reason: &str,
    ) -> Result<()> {
        sync_state::hold(&mut self.tx, id, at_ms, code, reason).await
    }

    /// Moves the cursors of the hub the changes were pulled from, in the same transaction.
    pub async fn save_cursors(
        &mut self,
        hub: &str,
        cursors: &BTreeMap<String, BucketCursor>,
    ) -> Result<()> {
        sync_state::save_cursors(&mut self.tx, hub, cursors).await
    }

    /// Commits, and tells the screens what reached the rows. `held`: how many of the changes
    /// new to the log the judge kept out of them.
    pub async fn commit(mut self, held: u32) -> Result<ApplyReport> {
        self.tx.commit().await?;
        for (hlc, site, seq) in &self.arrived {
            self.local.clock.observe(*hlc);
            // As in every merge: this site's own changes coming back move its numbers on.
            if *site == self.local.site {
                self.local.next_seq = self.local.next_seq.max(seq + 1);
            }
        }
        drop(self.local);
        if !self.merged.is_empty() {
            self.store.events.send_changed(&self.merged);
        }
        self.report.held = held;
        Ok(self.report)
    }
}
