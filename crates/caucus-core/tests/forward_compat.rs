//! Changes from a newer version: columns and tables this version does not know are kept in the
//! log and forwarded, and reach the rows once an upgrade knows them.

use caucus_core::change::{Change, ROW_COLUMN, SCHEMA_VERSION};
use caucus_core::hlc::{self, Hlc};
use caucus_core::store::Store;
use serde_json::json;
use uuid::Uuid;

fn change(seq: u64, table: &str, column: &str, value: serde_json::Value) -> Change {
    Change {
        site: Uuid::from_u128(7),
        seq,
        hlc: Hlc::new(hlc::wall_ms(), seq as u16),
        actor: None,
        bucket: "coalition".into(),
        table: table.into(),
        row: Uuid::from_u128(42),
        column: column.into(),
        value,
        cl: 1,
        schema_version: SCHEMA_VERSION + 1,
        signature: None,
    }
}

#[tokio::test]
async fn unknown_columns_are_kept_forwarded_and_applied_after_an_upgrade() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("caucus.db");
    let store = Store::open(&path).await.expect("open");
    let batch = vec![
        change(1, "organization", ROW_COLUMN, json!(null)),
        change(2, "organization", "name", json!("Redress")),
        change(3, "organization", "motto", json!("Justice for victims")),
        change(4, "future_table", "anything", json!(1)),
    ];
    let report = store
        .merge_remote(&batch, hlc::wall_ms())
        .await
        .expect("merge");
    assert_eq!(report.applied, 4, "every change is new, known or not");
    let forwarded = store.all_changes().await.expect("log");
    assert_eq!(
        forwarded, batch,
        "the log keeps and forwards changes it cannot apply yet"
    );

    // Simulate a replica last opened by a version that did not know organization.name: the
    // value is not in the row, and the remembered columns lack it.
    sqlx::query("UPDATE organization SET name = '' WHERE id = ?")
        .bind(Uuid::from_u128(42).to_string())
        .execute(store.pool())
        .await
        .expect("clear");
    let bytes: Vec<u8> = sqlx::query_scalar("SELECT stamps FROM organization WHERE id = ?")
        .bind(Uuid::from_u128(42).to_string())
        .fetch_one(store.pool())
        .await
        .expect("stamps");
    let mut stamps = caucus_core::store::stamps::decode(&bytes).expect("decodes");
    stamps.retain(|(column, _)| column != "name");
    sqlx::query("UPDATE organization SET stamps = ? WHERE id = ?")
        .bind(caucus_core::store::stamps::encode(&stamps))
        .bind(Uuid::from_u128(42).to_string())
        .execute(store.pool())
        .await
        .expect("clear the name's stamp");
    let known: String =
        sqlx::query_scalar("SELECT value FROM local_state WHERE key = 'known_columns'")
            .fetch_one(store.pool())
            .await
            .expect("known columns");
    let older: Vec<String> = serde_json::from_str::<Vec<String>>(&known)
        .expect("json")
        .into_iter()
        .filter(|c| c != "organization.name")
        .collect();
    sqlx::query("UPDATE local_state SET value = ? WHERE key = 'known_columns'")
        .bind(serde_json::to_string(&older).expect("json"))
        .execute(store.pool())
        .await
        .expect("forget");
    store.close().await;

    // The "upgraded" open applies the logged change to the column it now knows.
    let store = Store::open(&path).await.expect("reopen");
    let name: String = sqlx::query_scalar("SELECT name FROM organization WHERE id = ?")
        .bind(Uuid::from_u128(42).to_string())
        .fetch_one(store.pool())
        .await
        .expect("name");
    assert_eq!(
        name, "Redress",
        "the kept change reached the row after the upgrade"
    );
}
