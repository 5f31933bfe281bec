//! A replica that receives its own later changes — restored from a backup, it pulls back what
//! it wrote since — never reuses their sequence numbers: a new write with a used number would
//! be taken for a duplicate and lost.

use caucus_core::api::*;
use caucus_core::Caucus;
use serde_json::json;

#[tokio::test]
async fn a_restored_replica_writes_after_its_own_returning_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("laptop.db");
    let laptop = Caucus::open(&path).await.expect("open");
    let org = dispatch(
        &laptop,
        "create_organization",
        json!({"name": "Human Rights First", "country": "US", "region": "americas"}),
    )
    .await
    .expect("create");
    let admin = dispatch(
        &laptop,
        "create_person",
        json!({"name": "Lead Admin", "secretariat_admin": true}),
    )
    .await
    .expect("the first admin");
    dispatch(
        &laptop,
        "set_acting_person",
        json!({"person_id": admin["id"]}),
    )
    .await
    .expect("act");
    // The backup: a consistent copy of the database as it is now.
    let backup = dir.path().join("backup.db");
    sqlx::query("VACUUM INTO ?")
        .bind(backup.to_string_lossy().to_string())
        .execute(laptop.store().pool())
        .await
        .expect("backup");
    let later = dispatch(
        &laptop,
        "update_organization",
        json!({"id": org["id"], "name": "Human Rights First (HRF)"}),
    )
    .await
    .expect("later edit");
    let written_since = laptop.store().all_changes().await.expect("log");

    // The laptop is restored from the backup and receives what it wrote since (from the hub).
    let restored = Caucus::open(&backup).await.expect("restored");
    restored
        .store()
        .merge_remote(&written_since, caucus_core::hlc::wall_ms())
        .await
        .expect("its own changes come back");
    let edited = dispatch(
        &restored,
        "update_organization",
        json!({"id": org["id"], "name": "Human Rights First, New York"}),
    )
    .await
    .expect("a new edit after the restore");
    assert_eq!(
        edited["name"],
        json!("Human Rights First, New York"),
        "the new edit is written, not mistaken for one of the returned changes (was {})",
        later["name"]
    );
    let site = restored.store().site_id().await;
    let own: Vec<u64> = restored
        .store()
        .all_changes()
        .await
        .expect("log")
        .into_iter()
        .filter(|c| c.site == site)
        .map(|c| c.seq)
        .collect();
    let mut unique = own.clone();
    unique.dedup();
    assert_eq!(own, unique, "no sequence number is used twice");
    assert_eq!(
        own.len() as u64,
        *own.last().expect("some"),
        "the numbers have no gap"
    );
}
