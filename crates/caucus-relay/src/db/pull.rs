//! A device's pull: the buckets its person may read, a compacted snapshot of a bucket it does
//! not follow yet, then the bucket's log.

use super::actors::load_actor;
use super::*;
use caucus_core::certificate::Certificate;
use serde_json::value::RawValue;

/// A page of a pull, its changes as the JSON the hub stored.
pub struct Page {
    /// Everything but the changes (`changes` is empty).
    pub reply: PullReply,
    /// The changes, in order: a JSON array.
    pub changes: Box<RawValue>,
}

impl Page {
    /// The page as the wire's [`PullReply`], written without decoding its changes: the same
    /// fields in the same order, skipped when empty as `PullReply` skips them.
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        #[derive(serde::Serialize)]
        struct Wire<'a> {
            changes: &'a RawValue,
            cursors: &'a std::collections::BTreeMap<String, BucketCursor>,
            more: bool,
            snapshot_remaining: u64,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            certificates: &'a [Certificate],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            revoked: &'a [RevokedDevice],
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            guest_passes: &'a [caucus_core::guest_pass::GuestPass],
        }
        let r = &self.reply;
        serde_json::to_vec(&Wire {
            changes: &self.changes,
            cursors: &r.cursors,
            more: r.more,
            snapshot_remaining: r.snapshot_remaining,
            certificates: &r.certificates,
            revoked: &r.revoked,
            guest_passes: &r.guest_passes,
        })
    }
}

impl HubDb {
    /// The buckets a device's person may read: the coalition's, and their groups' (every group's
    /// for the secretariat, for the host of a meeting, and for every device at a meeting that
    /// relays).
    async fn readable(&self, conn: &mut AnyConnection, device: &Device) -> Result<Vec<String>> {
        let actor = load_actor(conn, device.person).await?;
        let mut buckets: BTreeSet<String> = actor.roles.keys().map(Uuid::to_string).collect();
        buckets.insert(COALITION_BUCKET.to_string());
        if actor.admin || self.policy == Policy::Relay || self.is_host(device.site) {
            // Each bucket once, by hopping along the (bucket, server_seq) index: a DISTINCT
            // would read every row the hub holds, on every pull of the secretariat.
            let all: Vec<String> = sqlx::query_scalar(
                "WITH RECURSIVE b(bucket) AS (
                     SELECT MIN(bucket) FROM hub_change
                     UNION ALL
                     SELECT (SELECT MIN(bucket) FROM hub_change WHERE bucket > b.bucket)
                     FROM b WHERE b.bucket IS NOT NULL
                 )
                 SELECT bucket FROM b WHERE bucket IS NOT NULL",
            )
            .fetch_all(&mut *conn)
            .await?;
            buckets.extend(all);
        }
        Ok(buckets.into_iter().collect())
    }

    /// One page of what the device lacks ([`HubDb::page`]), its changes decoded.
    pub async fn pull(&self, device: &Device, request: &PullRequest) -> Result<PullReply> {
        let page = self.page(device, request).await?;
        let mut reply = page.reply;
        reply.changes = serde_json::from_str(page.changes.get())
            .map_err(|e| HubError::Invalid(format!("a stored change is damaged: {e}")))?;
        Ok(reply)
    }

    /// One page of what the device lacks, across its readable buckets: a compacted snapshot
    /// (the winning change of each field) for a bucket it does not follow yet, then the
    /// bucket's log after its cursor. The changes stay the JSON the hub stored, sent as they
    /// are ([`Page::to_json`]): decoding and encoding every change again cost the hub as much as
    /// reading it.
    pub async fn page(&self, device: &Device, request: &PullRequest) -> Result<Page> {
        // A meeting hub holds a pull that finds nothing open until a push lands: the host's
        // push to the laptops joined to it, which ask again at once.
        let wait = match self.policy {
            Policy::Meeting | Policy::Relay => request.wait_ms.min(MAX_PULL_WAIT_MS),
            Policy::Authorize => 0,
        };
        let mut pushed = self.pushed.subscribe();
        let page = self.page_now(device, request).await?;
        if wait == 0 || page.changes.get() != "[]" {
            return Ok(page);
        }
        let waited = std::time::Duration::from_millis(wait);
        if tokio::time::timeout(waited, pushed.changed())
            .await
            .is_err()
        {
            return Ok(page);
        }
        self.page_now(device, request).await
    }

    async fn page_now(&self, device: &Device, request: &PullRequest) -> Result<Page> {
        if self.guest_meeting(device)?.is_some() {
            let mut reply = self.pull_guest(request).await?;
            let changes = serde_json::value::to_raw_value(&std::mem::take(&mut reply.changes))
                .map_err(|e| HubError::Invalid(e.to_string()))?;
            return Ok(Page { reply, changes });
        }
        let limit = request.limit.clamp(1, MAX_PULL_CHANGES) as usize;
        let mut reply = PullReply::default();
        // Runs of stored changes' JSON, each joined by commas.
        let mut bodies: Vec<String> = Vec::new();
        let mut count = 0usize;
        let mut sites: BTreeSet<Uuid> = BTreeSet::new();
        let mut conn = self.pool.acquire().await?;
        for bucket in self.readable(&mut conn, device).await? {
            let mut cursor = request.cursors.get(&bucket).copied().unwrap_or_default();
            let budget = limit.saturating_sub(count);
            if budget == 0 {
                reply.more = true;
                reply.cursors.insert(bucket, cursor);
                continue;
            }
            // The page's rows of this bucket come back as ONE row: their bodies and sites
            // joined by commas, in server order. sqlx hands every row from SQLite's thread to
            // the hub's through a channel, a wake-up each: two thousand a page were most of
            // what a first sync's hub spent (`perf`: futex wake-ups and task switches).
            let from = if cursor.following {
                "SELECT server_seq, site, body FROM hub_change
                 WHERE bucket = $1 AND server_seq > $2 ORDER BY server_seq LIMIT $3"
            } else {
                if cursor.server_seq == 0 {
                    let n: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM hub_field WHERE bucket = $1")
                            .bind(&bucket)
                            .fetch_one(&mut *conn)
                            .await?;
                    reply.snapshot_remaining += n as u64;
                }
                "SELECT c.server_seq, c.site, c.body FROM hub_field f JOIN hub_change c ON c.server_seq = f.server_seq
                 WHERE f.bucket = $1 AND f.server_seq > $2 ORDER BY f.server_seq LIMIT $3"
            };
            let row = sqlx::query(&format!(
                "SELECT COUNT(*) AS n, MAX(server_seq) AS last,
                        string_agg(site, ',' ORDER BY server_seq) AS sites,
                        string_agg(body, ',' ORDER BY server_seq) AS bodies
                 FROM ({from}) page"
            ))
            .bind(&bucket)
            .bind(cursor.server_seq)
            .bind(budget as i64)
            .fetch_one(&mut *conn)
            .await?;
            let n: i64 = row.try_get("n")?;
            let mut full = false;
            if n > 0 {
                let last: i64 = row.try_get("last")?;
                let joined: String = row.try_get("bodies")?;
                let joined_sites: String = row.try_get("sites")?;
                for site in joined_sites.split(',') {
                    sites.insert(Uuid::parse_str(site).map_err(|e| {
                        HubError::Invalid(format!("a stored change's site is damaged: {e}"))
                    })?);
                }
                bodies.push(joined);
                count += n as usize;
                cursor.server_seq = last;
                if n as usize == budget {
                    // Whether anything is left after this page.
                    let next = sqlx::query(&format!("SELECT 1 AS one FROM ({from}) page"))
                        .bind(&bucket)
                        .bind(last)
                        .bind(1i64)
                        .fetch_optional(&mut *conn)
                        .await?;
                    full = next.is_some();
                }
            }
            if full {
                reply.more = true;
            } else {
                // The snapshot is complete: follow the log from here on.
                cursor.following = true;
            }
            reply.cursors.insert(bucket, cursor);
        }
        if matches!(self.policy, Policy::Relay | Policy::Meeting) {
            // The passes of the guests let in here, for their changes.
            reply.guest_passes = self.passes_of(&sites);
            // The coalition's certificates, as the host and the attendees brought them: the
            // receiver judges what the meeting relays by them.
            let presented = self.presented.lock().unwrap_or_else(|p| p.into_inner());
            for site in &sites {
                reply
                    .certificates
                    .extend(presented.get(site).into_iter().flatten().cloned());
            }
            if let Some(trust) = self
                .meeting
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
            {
                reply.revoked = trust.revoked.clone();
            }
        }
        if self.policy == Policy::Authorize {
            reply.certificates = self.certificates_of(&mut conn, &sites).await?;
            for site in &sites {
                let bodies: Vec<String> =
                    sqlx::query_scalar("SELECT body FROM hub_guest_pass WHERE site = $1")
                        .bind(site.to_string())
                        .fetch_all(&mut *conn)
                        .await?;
                reply.guest_passes.extend(
                    bodies.iter().filter_map(|b| {
                        caucus_core::guest_pass::GuestPass::decode(b.as_bytes()).ok()
                    }),
                );
            }
            // Every removed device, so replicas refuse their later changes offline too.
            for row in sqlx::query(
                "SELECT public_key, revoked_ms FROM hub_device WHERE revoked_ms IS NOT NULL",
            )
            .fetch_all(&mut *conn)
            .await?
            {
                let key: String = row.try_get("public_key")?;
                let at: i64 = row.try_get("revoked_ms")?;
                reply.revoked.push(RevokedDevice {
                    device_key: key,
                    revoked_ms: at.max(0) as u64,
                });
            }
        }
        // Checked as JSON, not decoded: the hub wrote each from a change it decoded.
        let changes = RawValue::from_string(format!("[{}]", bodies.join(",")))
            .map_err(|e| HubError::Invalid(format!("a stored change is damaged: {e}")))?;
        Ok(Page { reply, changes })
    }

    /// The certificates of the devices enrolled with `sites`. A certificate is
    /// issued again from the device's enrolment (the same bytes each time: ed25519 signatures
    /// are deterministic), and kept in memory so a page costs no signing.
    async fn certificates_of(
        &self,
        conn: &mut AnyConnection,
        sites: &BTreeSet<Uuid>,
    ) -> Result<Vec<Certificate>> {
        if sites.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = String::from(
            "SELECT person_id, site, public_key, enrolled_ms FROM hub_device WHERE site IN (",
        );
        for i in 0..sites.len() {
            sql.push_str(&format!("{}${}", if i == 0 { "" } else { ", " }, i + 1));
        }
        sql.push(')');
        let mut query = sqlx::query(&sql);
        for site in sites {
            query = query.bind(site.to_string());
        }
        let mut out = Vec::new();
        for row in query.fetch_all(&mut *conn).await? {
            let person: String = row.try_get("person_id")?;
            let site: String = row.try_get("site")?;
            let key: String = row.try_get("public_key")?;
            let enrolled: i64 = row.try_get("enrolled_ms")?;
            let (Ok(person), Ok(site), Some(bytes)) = (
                Uuid::parse_str(&person),
                Uuid::parse_str(&site),
                hex::decode(&key)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok()),
            ) else {
                continue;
            };
            let mut cache = self.certificates.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(certificate) = cache.get(&(site, bytes)) {
                out.push(certificate.clone());
                continue;
            }
            // Decoding the key (a point decompression) only for a certificate not issued yet:
            // done for every maker of every page, it cost a first sync's hub a tenth of its time.
            let Some(key) = caucus_core::certificate::decode_key(&key) else {
                continue;
            };
            let certificate =
                Certificate::issue(&self.key, self.hub_id, person, site, &key, enrolled as u64);
            cache.insert((site, bytes), certificate.clone());
            out.push(certificate);
        }
        Ok(out)
    }
}
