//! The shell's database commands on a real file: encrypting keeps the replica working; a wrong
//! current passphrase when changing it is refused and the replica stays open, unchanged. What
//! changes on the open replica reaches the window as events, before and after re-encryption.

use caucus_app::replica::Replica;
use caucus_core::api::{Encrypt, NoInput, Unlock};
use caucus_core::events::Event;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A window that keeps what it was told.
fn window() -> (caucus_app::replica::Notify, Arc<Mutex<Vec<Event>>>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let keep = heard.clone();
    (
        Arc::new(move |e| keep.lock().expect("events").push(e)),
        heard,
    )
}

/// Waits (a few seconds at most) for the window to hear an event that `wanted` picks.
async fn hears(heard: &Mutex<Vec<Event>>, wanted: impl Fn(&Event) -> bool) -> bool {
    for _ in 0..100 {
        if heard.lock().expect("events").iter().any(&wanted) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// Adds an organization (the demo's convenor acts) and says whether the window heard it.
async fn a_write_is_heard(replica: &Replica, heard: &Mutex<Vec<Event>>, name: &str) -> bool {
    let caucus = replica.get().await.expect("open");
    let org = caucus
        .create_organization(caucus_core::model::NewOrganization {
            name: name.into(),
            country: "NL".into(),
            region: caucus_core::model::Region::Europe,
            themes: Vec::new(),
            status: None,
        })
        .await
        .expect("create");
    hears(heard, |e| {
        matches!(e, Event::Changed { tables, rows, .. }
            if tables.iter().any(|t| t == "organization") && rows.contains(&org.id))
    })
    .await
}

#[test]
fn a_wrong_current_passphrase_changes_nothing_and_keeps_the_replica_open() {
    tauri::async_runtime::block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("caucus.db");
        let (notify, heard) = window();
        let replica = Replica::start(path.clone(), true, notify)
            .await
            .expect("replica");
        assert!(
            a_write_is_heard(&replica, &heard, "Heard before").await,
            "a write reaches the window"
        );
        async fn groups(r: &Replica) -> usize {
            r.get()
                .await
                .expect("open")
                .list_groups(Default::default())
                .await
                .expect("groups")
                .len()
        }
        let before = groups(&replica).await;
        assert!(before > 0, "the demo coalition is there");

        replica
            .encrypt_database(Encrypt {
                current: None,
                passphrase: "first passphrase".into(),
            })
            .await
            .expect("encrypt");
        assert!(
            replica
                .database_status(NoInput {})
                .await
                .expect("status")
                .encrypted
        );
        assert_eq!(
            groups(&replica).await,
            before,
            "open again after encrypting"
        );
        assert!(
            a_write_is_heard(&replica, &heard, "Heard after").await,
            "the replica opened again still tells the window"
        );

        let e = replica
            .encrypt_database(Encrypt {
                current: Some("not the passphrase".into()),
                passphrase: "second passphrase".into(),
            })
            .await
            .expect_err("refused");
        assert_eq!(e.code(), "wrong_passphrase");
        assert_eq!(groups(&replica).await, before, "still open, unchanged");

        // A new start is locked until the passphrase is given.
        replica
            .get()
            .await
            .expect("open")
            .store()
            .pool()
            .close()
            .await;
        let again = Replica::start(path, false, Arc::new(|_| {}))
            .await
            .expect("start");
        assert!(
            again
                .database_status(NoInput {})
                .await
                .expect("status")
                .locked
        );
        let locked = again.get().await.err().expect("locked");
        assert_eq!(locked.code.as_str(), "passphrase_required");
        assert_eq!(
            again
                .unlock_database(Unlock {
                    passphrase: "second passphrase".into()
                })
                .await
                .expect_err("the refused change did not apply")
                .code(),
            "wrong_passphrase"
        );
        again
            .unlock_database(Unlock {
                passphrase: "first passphrase".into(),
            })
            .await
            .expect("unlock");
        assert_eq!(groups(&again).await, before);
        let _ = again
            .get()
            .await
            .expect("open")
            .get_session(NoInput {})
            .await;
    });
}
