//! Reads of records. Each row is read as one JSON object built by SQLite from the registry
//! ([`crate::schema::Table::json_select`]) and decoded into the record type, so one generic
//! reader serves every table.

use crate::error::{CoreError, Result};
use crate::model::{Entity, FilterInput};
use crate::schema::{self, Table};
use sqlx::SqlitePool;
use uuid::Uuid;

/// A row as its record; a field this version cannot read is named in `unreadable` rather than
/// failing the read (see [`crate::model::value::read_row`]).
fn decode<E: Entity>(json: &str) -> Result<E> {
    crate::model::value::read_row(json)
}

/// One record by id, archived or not.
pub async fn get<E: Entity>(pool: &SqlitePool, id: Uuid) -> Result<E> {
    let t = E::TABLE;
    let sql = format!("SELECT {} FROM {} WHERE id = ?", t.json_select(), t.name);
    let row: Option<String> = sqlx::query_scalar(&sql)
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    match row {
        Some(json) => decode(&json),
        None => Err(CoreError::NotFound {
            entity: t.entity,
            id: id.to_string(),
        }),
    }
}

/// Records matching a filter: each present filter field must equal the column of that name.
pub async fn list<F: FilterInput>(pool: &SqlitePool, filter: &F) -> Result<Vec<F::Entity>> {
    let t = <F::Entity as Entity>::TABLE;
    let conditions =
        serde_json::to_value(filter).map_err(|e| CoreError::invalid("filter", e.to_string()))?;
    let mut sql = format!("SELECT {} FROM {} WHERE 1 = 1", t.json_select(), t.name);
    let mut binds = Vec::new();
    if let serde_json::Value::Object(map) = conditions {
        for (key, value) in map {
            if key == "include_archived" {
                continue;
            }
            // Filter fields are checked against the registry; a mismatch is a programming
            // error caught by the tests, not user input.
            let column = t
                .column(&key)
                .ok_or_else(|| CoreError::invalid(key.clone(), "not a filter of this list"))?;
            sql.push_str(&format!(" AND {} = ?", column.name));
            binds.push(match value {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            });
        }
    }
    if !filter.include_archived() {
        sql.push_str(" AND cl % 2 = 1");
    }
    sql.push_str(&format!(" ORDER BY {}, id", t.order_by));
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|json| decode(json))
        .collect()
}

/// The live records of `E` meeting `condition`, in the list's order: a fragment of SQL written
/// in the code (never from input) with a `?` for each of `binds`. For screens that need a few
/// records out of many, so the condition runs in SQLite rather than over every record decoded.
pub async fn list_where<E: Entity>(
    pool: &SqlitePool,
    condition: &str,
    binds: &[String],
) -> Result<Vec<E>> {
    let t = E::TABLE;
    let sql = format!(
        "SELECT {} FROM {} WHERE cl % 2 = 1 AND ({condition}) ORDER BY {}, id",
        t.json_select(),
        t.name,
        t.order_by
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for b in binds {
        query = query.bind(b);
    }
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|json| decode(json))
        .collect()
}

/// A row's bucket and causal length, if the row exists.
pub async fn row_meta(pool: &SqlitePool, table: &Table, id: Uuid) -> Result<Option<(String, u64)>> {
    let sql = format!("SELECT bucket, cl FROM {} WHERE id = ?", table.name);
    let row: Option<(String, i64)> = sqlx::query_as(&sql)
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|(b, cl)| (b, cl as u64)))
}

/// Whether the database holds no records at all (a fresh install).
pub async fn is_empty(pool: &SqlitePool) -> Result<bool> {
    for t in schema::TABLES {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", t.name);
        let any: bool = sqlx::query_scalar(&sql).fetch_one(pool).await?;
        if any {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether any living person is a secretariat admin (before one exists, the coalition is being
/// set up).
pub async fn has_secretariat_admin(pool: &SqlitePool) -> Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM person WHERE secretariat_admin = 1 AND cl % 2 = 1) AS "e!: bool""#
    )
    .fetch_one(pool)
    .await?)
}
