//! The shell's database commands on a real file: encrypting keeps the replica working; a wrong
//! current passphrase when changing it is refused and the replica stays open, unchanged.

use caucus_app::replica::Replica;
use caucus_core::api::{Encrypt, NoInput, Unlock};

#[test]
fn a_wrong_current_passphrase_changes_nothing_and_keeps_the_replica_open() {
    tauri::async_runtime::block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("caucus.db");
        let replica = Replica::start(path.clone(), true).await.expect("replica");
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
        let again = Replica::start(path, false).await.expect("start");
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
