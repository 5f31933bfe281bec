//! USB bundles between devices: a round trip, replays and out-of-order imports, damaged and
//! altered files, and a bundle from another coalition's hub.

mod common;

use caucus_core::api::*;
use caucus_core::Caucus;
use caucus_hub::Policy;
use common::*;
use serde_json::json;

async fn export(
    device: &Caucus,
    path: &std::path::Path,
    peer: Option<uuid::Uuid>,
) -> BundleSummary {
    device
        .export_bundle(ExportBundle {
            path: path.to_string_lossy().into(),
            peer,
        })
        .await
        .expect("export")
}

async fn import(
    device: &Caucus,
    path: &std::path::Path,
) -> caucus_core::error::Result<BundleSummary> {
    device
        .import_bundle(ImportBundle {
            path: Some(path.to_string_lossy().into()),
            content_base64: None,
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bundles_carry_changes_once_and_refuse_damage() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, admin) = demo_device(dir.path(), "a").await;
    let b = device(dir.path(), "b").await;

    // Everything, then only what the peer lacks.
    let first = dir.path().join("first.caucus");
    let all = export(&a, &first, None).await;
    let held = a.store().all_changes().await.expect("log").len() as u32;
    assert_eq!(all.changes, held, "the demo coalition travels whole");
    let got = import(&b, &first).await.expect("import");
    assert_eq!(
        got.applied, all.changes,
        "every change is new to an empty device"
    );
    assert_eq!(
        dump(&a).await,
        dump(&b).await,
        "the bundle carries the whole replica"
    );
    let again = import(&b, &first).await.expect("a replayed bundle imports");
    assert_eq!(
        (again.applied, again.duplicates),
        (0, all.changes),
        "a replay changes nothing"
    );

    // B answers with its own edit; A learns B's version vector from B's bundle.
    let group = dispatch(&b, "list_groups", json!({}))
        .await
        .expect("groups")[0]["id"]
        .clone();
    b.set_acting_person(ActAs {
        person_id: Some(admin),
    })
    .await
    .expect("act");
    dispatch(
        &b,
        "update_group",
        json!({"id": group, "mandate": "Edited on B"}),
    )
    .await
    .expect("edit");
    let reply = dir.path().join("reply.caucus");
    export(&b, &reply, Some(a.store().site_id().await)).await;
    let got = import(&a, &reply).await.expect("import reply");
    assert!(got.applied >= 1, "A receives B's edit");
    // The Sync panel offers a bundle for B (B's certificate is not known here: no hub).
    let peers = a
        .sync_status(NoInput {})
        .await
        .expect("status")
        .bundle_peers;
    assert_eq!(
        peers.iter().map(|p| p.site).collect::<Vec<_>>(),
        vec![b.store().site_id().await],
        "the one device a bundle came from, never itself"
    );
    assert_eq!(dump(&a).await, dump(&b).await, "both hold the same records");
    // A now knows what B holds: a bundle for B carries only what B lacks.
    let for_b = export(
        &a,
        &dir.path().join("for-b.caucus"),
        Some(b.store().site_id().await),
    )
    .await;
    assert_eq!(for_b.changes, 0, "B already holds everything A has");

    // Out of order: an older bundle after a newer one changes nothing.
    let older = import(&a, &first).await.expect("old bundle");
    assert_eq!(older.applied, 0, "an older bundle is only duplicates");
    assert_eq!(dump(&a).await, dump(&b).await);

    // Truncated, altered, and not a bundle at all: nothing applied, a reason given.
    let c = device(dir.path(), "c").await;
    let bytes = std::fs::read(&first).expect("read");
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("altered", {
            let mut b = bytes.clone();
            let i = b.len() - 10;
            b[i] ^= 0xff;
            b
        }),
        ("not a bundle", b"PK\x03\x04 a zip file".to_vec()),
        ("empty", Vec::new()),
    ];
    for (what, data) in cases {
        let path = dir.path().join(format!("{what}.caucus"));
        std::fs::write(&path, data).expect("write");
        let err = import(&c, &path).await.expect_err(what);
        assert_eq!(err.code(), "sync_bundle_damaged", "{what}: {err}");
        assert!(
            c.get_session(NoInput {}).await.expect("session").empty,
            "{what}: nothing was applied"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_from_another_coalitions_hub_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ours = Hub::start(
        &dir.path().join("ours.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let theirs = Hub::start(
        &dir.path().join("theirs.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let (a, admin) = demo_device(dir.path(), "a").await;
    connect(&a, &theirs.url, theirs.invite(admin).await, "theirs").await;
    let (b, admin_b) = demo_device(dir.path(), "b").await;
    connect(&b, &ours.url, ours.invite(admin_b).await, "ours").await;
    let path = dir.path().join("foreign.caucus");
    export(&a, &path, None).await;
    let before = dump(&b).await;
    let err = import(&b, &path).await.expect_err("foreign bundle");
    assert_eq!(err.code(), "sync_bundle_foreign", "{err}");
    assert_eq!(before, dump(&b).await, "nothing was imported");
    ours.stop().await;
    theirs.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_path_that_is_not_a_file_is_refused_and_holds_nothing_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = device(dir.path(), "importer").await;
    // A pipe that never delivers, and a folder: refused before anything is read.
    let fifo = dir.path().join("never.caucus");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // A guard against a hang, not a speed target: a refusal is immediate.
    let guard = std::time::Duration::from_secs(30);
    for path in [fifo.as_path(), dir.path()] {
        let refused = tokio::time::timeout(guard, import(&d, path))
            .await
            .expect("the import answers")
            .expect_err("not a file");
        assert_eq!(refused.code(), "invalid", "{refused}");
        assert!(refused.to_string().contains("not a file"), "{refused}");
    }
    // Two at once, and another command meanwhile, all answer.
    let (a, b, session) = tokio::time::timeout(guard, async {
        tokio::join!(
            import(&d, &fifo),
            import(&d, &fifo),
            d.get_session(NoInput {})
        )
    })
    .await
    .expect("nothing waits on the pipe");
    assert!(a.is_err() && b.is_err());
    assert!(session.expect("session").empty, "nothing was imported");
}
