//! Rows as the hub holds them: each field's winning change, a row's bucket and causal length.

use super::*;

pub(super) async fn row_view(
    tx: &mut AnyConnection,
    table: &str,
    row: Uuid,
) -> Result<Option<RowView>> {
    let id = row.to_string();
    let Some(meta) = sqlx::query("SELECT bucket, cl FROM hub_row WHERE tbl = $1 AND row_id = $2")
        .bind(table)
        .bind(&id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Ok(None);
    };
    let fields = sqlx::query("SELECT col, value FROM hub_field WHERE tbl = $1 AND row_id = $2")
        .bind(table)
        .bind(&id)
        .fetch_all(&mut *tx)
        .await?;
    let mut map = Map::new();
    for f in fields {
        let col: String = f.try_get("col")?;
        if col != ROW_COLUMN {
            let value: String = f.try_get("value")?;
            map.insert(col, serde_json::from_str(&value).unwrap_or(Value::Null));
        }
    }
    let cl: i64 = meta.try_get("cl")?;
    Ok(Some(RowView {
        bucket: meta.try_get("bucket")?,
        cl: cl as u64,
        fields: map,
    }))
}

/// The change that holds a field's value on the hub.
pub(super) async fn winning_change(
    tx: &mut AnyConnection,
    table: &str,
    row: Uuid,
    column: &str,
) -> Result<Option<Change>> {
    let body: Option<String> = sqlx::query_scalar(
        "SELECT c.body FROM hub_field f JOIN hub_change c ON c.server_seq = f.server_seq
         WHERE f.tbl = $1 AND f.row_id = $2 AND f.col = $3",
    )
    .bind(table)
    .bind(row.to_string())
    .bind(column)
    .fetch_optional(&mut *tx)
    .await?;
    Ok(body.and_then(|b| serde_json::from_str(&b).ok()))
}

pub(super) async fn row_bucket(
    tx: &mut AnyConnection,
    table: &str,
    row: Uuid,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT bucket FROM hub_row WHERE tbl = $1 AND row_id = $2")
            .bind(table)
            .bind(row.to_string())
            .fetch_optional(&mut *tx)
            .await?,
    )
}

pub(super) async fn field_winner(
    tx: &mut AnyConnection,
    table: &str,
    row: Uuid,
    column: &str,
) -> Result<Option<(Stamp, Value)>> {
    let Some(r) = sqlx::query(
        "SELECT cl, hlc, site, seq, value FROM hub_field WHERE tbl = $1 AND row_id = $2 AND col = $3",
    )
    .bind(table)
    .bind(row.to_string())
    .bind(column)
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let (cl, hlc, seq): (i64, i64, i64) = (r.try_get("cl")?, r.try_get("hlc")?, r.try_get("seq")?);
    let site: String = r.try_get("site")?;
    let value: String = r.try_get("value")?;
    Ok(Some((
        Stamp {
            cl: cl as u64,
            hlc: Hlc(hlc as u64),
            site: Uuid::parse_str(&site).unwrap_or_default(),
            seq: seq as u64,
        },
        serde_json::from_str(&value).unwrap_or(Value::Null),
    )))
}
