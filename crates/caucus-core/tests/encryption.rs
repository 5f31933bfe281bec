//! The encrypted database (SQLCipher under an Argon2id key): no plaintext of a record is found
//! in any of its files; a wrong passphrase is refused and leaves every byte as it was; a
//! plaintext database is encrypted in place; changing the passphrase keeps every record.

use caucus_core::api::*;
use caucus_core::model::{NewOrganization, OrganizationFilter, Region};
use caucus_core::store::cipher::{self, FileState};
use caucus_core::{Caucus, CoreError};
use sha2::{Digest, Sha256};
use std::path::Path;

const CANARY: &str = "Canary-7f3a Coalition witness list";

/// Every file of the database (the file, its WAL and its shared memory) as (name, bytes).
fn files(db: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = db.parent().expect("dir");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read(&p).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

fn digest(db: &Path) -> Vec<(String, String)> {
    files(db)
        .into_iter()
        .map(|(name, bytes)| (name, hex::encode(Sha256::digest(&bytes))))
        .collect()
}

/// Whether any file holds the canary, in UTF-8 or UTF-16 (either byte order).
fn canary_found(db: &Path) -> Vec<String> {
    let needles: Vec<Vec<u8>> = vec![
        CANARY.as_bytes().to_vec(),
        CANARY
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect(),
        CANARY
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect(),
        b"Canary-7f3a".to_vec(),
    ];
    files(db)
        .into_iter()
        .filter(|(_, bytes)| {
            needles
                .iter()
                .any(|n| bytes.windows(n.len()).any(|w| w == n.as_slice()))
        })
        .map(|(name, _)| name)
        .collect()
}

/// Waits until the closed pool's last connection has checkpointed and removed its WAL (a
/// pool closes its connections on their own threads). Up to 30 s: on a loaded two-core
/// machine (the whole suite in parallel) the checkpoint once took longer than 10.
async fn settle(db: &Path) {
    let wal = db.with_file_name(format!(
        "{}-wal",
        db.file_name().expect("name").to_string_lossy()
    ));
    for _ in 0..300 {
        if !wal.exists() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the WAL is still there 30 s after the pool closed");
}

async fn write_canary(caucus: &Caucus, n: usize) -> Vec<uuid::Uuid> {
    let mut ids = Vec::new();
    for i in 0..n {
        let org = caucus
            .create_organization(NewOrganization {
                name: format!("{CANARY} {i}"),
                country: "KE".into(),
                region: Region::Africa,
                themes: vec![],
                status: None,
            })
            .await
            .expect("create");
        ids.push(org.id);
    }
    ids
}

async fn names(caucus: &Caucus) -> Vec<String> {
    let mut names: Vec<String> = caucus
        .list_organizations(OrganizationFilter::default())
        .await
        .expect("list")
        .into_iter()
        .map(|o| o.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn an_encrypted_database_holds_no_plaintext_and_refuses_a_wrong_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("caucus.db");
    let caucus = Caucus::open_with(&db, Some("correct horse battery"))
        .await
        .expect("a new encrypted database");
    let cipher_version: String = sqlx::query_scalar("PRAGMA cipher_version")
        .fetch_one(caucus.store().pool())
        .await
        .expect("SQLCipher answers");
    assert!(!cipher_version.is_empty());
    caucus.load_demo_data(NoInput {}).await.expect("demo");
    write_canary(&caucus, 50).await;
    let expected = names(&caucus).await;
    // While it is open (the WAL holds the latest pages) and after it is closed.
    assert_eq!(canary_found(&db), Vec::<String>::new(), "open");
    let found = caucus
        .search(SearchQuery {
            text: "Canary".into(),
            limit: None,
        })
        .await
        .expect("search works inside");
    assert!(!found.is_empty(), "the canary is searchable once open");
    caucus.store().close().await;
    assert_eq!(canary_found(&db), Vec::<String>::new(), "closed");
    assert_eq!(
        cipher::file_state(&db).expect("state"),
        FileState::Encrypted
    );

    // Wrong passphrases, none: refused, every byte as it was.
    settle(&db).await;
    let before = digest(&db);
    for wrong in ["correct horse battery!", "", "Correct horse battery"] {
        let e = Caucus::open_with(&db, Some(wrong))
            .await
            .err()
            .expect("refused");
        assert!(
            matches!(e, CoreError::WrongPassphrase),
            "{wrong:?}: {e} ({})",
            e.code()
        );
    }
    let e = Caucus::open(&db).await.err().expect("refused");
    assert!(matches!(e, CoreError::PassphraseRequired), "{e}");
    assert_eq!(digest(&db), before, "a refused open changed nothing");

    let reopened = Caucus::open_with(&db, Some("correct horse battery"))
        .await
        .expect("the right passphrase opens it");
    assert_eq!(names(&reopened).await, expected);
    reopened.store().close().await;
}

#[tokio::test]
async fn encrypting_and_changing_the_passphrase_keep_every_record() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("caucus.db");
    let plain = Caucus::open(&db).await.expect("plaintext");
    plain.load_demo_data(NoInput {}).await.expect("demo");
    write_canary(&plain, 20).await;
    let expected = names(&plain).await;
    let history_len = |c: &Caucus| {
        let pool = c.store().pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM change_log")
                .fetch_one(&pool)
                .await
                .expect("log")
        }
    };
    let log = history_len(&plain).await;
    let rowids = |c: &Caucus| {
        let pool = c.store().pool().clone();
        async move {
            sqlx::query_as::<_, (i64, String)>("SELECT rowid, id FROM organization ORDER BY rowid")
                .fetch_all(&pool)
                .await
                .expect("rowids")
        }
    };
    // A gap in the rowids, as deletions leave: the copy must keep them, not renumber.
    sqlx::query("UPDATE organization SET rowid = rowid + 1000 WHERE rowid = (SELECT MAX(rowid) FROM organization)")
        .execute(plain.store().pool())
        .await
        .expect("gap");
    let placed = rowids(&plain).await;
    plain.store().close().await;
    settle(&db).await;
    assert!(!canary_found(&db).is_empty(), "plaintext holds the canary");

    // A passphrase too short is refused and changes nothing.
    let before = digest(&db);
    let e = cipher::reencrypt(&db, None, "short")
        .await
        .expect_err("refused");
    assert_eq!(e.code(), "invalid");
    assert_eq!(digest(&db), before);

    cipher::reencrypt(&db, None, "first passphrase")
        .await
        .expect("encrypt");
    assert_eq!(
        canary_found(&db),
        Vec::<String>::new(),
        "encrypted in place"
    );
    let first = Caucus::open_with(&db, Some("first passphrase"))
        .await
        .expect("opens");
    assert_eq!(names(&first).await, expected);
    assert_eq!(history_len(&first).await, log, "the history came along");
    first.store().close().await;
    settle(&db).await;

    // Changing it: the old passphrase wrong is refused; right, the new one opens every record.
    let before = digest(&db);
    let e = cipher::reencrypt(&db, Some("not the passphrase"), "second passphrase")
        .await
        .expect_err("refused");
    assert!(matches!(e, CoreError::WrongPassphrase), "{e}");
    assert_eq!(digest(&db), before, "a refused change changed nothing");
    cipher::reencrypt(&db, Some("first passphrase"), "second passphrase")
        .await
        .expect("change");
    assert!(matches!(
        Caucus::open_with(&db, Some("first passphrase")).await.err(),
        Some(CoreError::WrongPassphrase)
    ));
    let second = Caucus::open_with(&db, Some("second passphrase"))
        .await
        .expect("the new passphrase opens it");
    assert_eq!(names(&second).await, expected);
    assert_eq!(history_len(&second).await, log);
    assert_eq!(rowids(&second).await, placed, "every rowid kept");
    // And it is still a working replica: its search index came along, and it takes writes.
    let found = second
        .search(SearchQuery {
            text: "Canary".into(),
            limit: None,
        })
        .await
        .expect("search");
    assert!(!found.is_empty(), "the search index came along");
    write_canary(&second, 1).await;
    second.store().close().await;
    assert_eq!(canary_found(&db), Vec::<String>::new());
}
