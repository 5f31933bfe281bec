//! The nonces of signed requests, so a captured request cannot be sent again.

use super::*;

impl HubDb {
    /// Records a request's nonce; false when the device already sent it (a replay). Kept in
    /// the database, so a request replayed to another hub process over the same PostgreSQL is
    /// refused too. A nonce is kept only while its request's clock would still pass the skew
    /// check: after that the clock refuses the replay, so older nonces are dropped now and
    /// then.
    pub async fn remember_nonce(
        &self,
        device: Uuid,
        nonce: &str,
        clock_ms: u64,
        now_ms: u64,
    ) -> Result<bool> {
        // Every request writes its nonce: on SQLite it takes its turn with the pushes, whose
        // transactions read before they write and fail at once ("database is locked", no
        // busy wait) when another connection wrote in between (seen at a meeting, where the
        // laptops push and pull many times a second).
        let _one_writer = match self.backend {
            Backend::Sqlite => Some(self.sqlite_writer.lock().await),
            Backend::Postgres => None,
        };
        let fresh = sqlx::query(
            "INSERT INTO hub_request_nonce (device_id, nonce, clock_ms) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(device.to_string())
        .bind(nonce)
        .bind(clock_ms as i64)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        if rand::random::<u16>().is_multiple_of(1024) {
            let horizon = now_ms.saturating_sub(2 * MAX_CLOCK_SKEW_MS);
            sqlx::query("DELETE FROM hub_request_nonce WHERE clock_ms < $1")
                .bind(horizon as i64)
                .execute(&self.pool)
                .await?;
        }
        Ok(fresh)
    }
}
