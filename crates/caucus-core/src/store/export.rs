//! Records as plain JSON objects, for exports: every column of every record of a table that is
//! not archived, optionally only one group's.

use crate::error::Result;
use crate::schema::Table;
use serde_json::{Map, Value};
use sqlx::SqlitePool;

/// The live records of `table` (of one bucket, if given), as JSON objects in the table's order.
pub async fn records(
    pool: &SqlitePool,
    table: &Table,
    bucket: Option<&str>,
) -> Result<Vec<Map<String, Value>>> {
    // Identifiers come from the static registry; the bucket is bound.
    let sql = format!(
        "SELECT {} FROM {} WHERE cl % 2 = 1 AND (?1 IS NULL OR bucket = ?1) ORDER BY {}",
        table.json_select(),
        table.name,
        table.order_by
    );
    let rows: Vec<String> = sqlx::query_scalar(&sql)
        .bind(bucket)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| match serde_json::from_str(&r) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        })
        .collect())
}
