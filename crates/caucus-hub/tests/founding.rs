//! A coalition started on a laptop, before it has a hub: the laptop certifies itself with the
//! coalition's own key; the hub is later started with that key (`caucus-hub adopt`), enrols
//! the founder, and certifies the others under the same id and key. A hub started without the
//! key is refused by the founder's laptop, and a hub already in use cannot adopt one.

mod common;

use caucus_core::api::*;
use caucus_core::certificate::{Certificate, CoalitionKey};
use caucus_core::model::{GroupFilter, NewOrganization, Region};
use caucus_hub::Policy;
use common::*;
use serde_json::json;

async fn setting(device: &caucus_core::Caucus, key: &str) -> Option<String> {
    device.store().local_setting(key).await.expect("setting")
}

#[tokio::test]
async fn a_coalition_started_on_a_laptop_keeps_its_key_when_its_hub_adopts_it() {
    let dir = tempfile::tempdir().expect("as the test set it up");
    let founder = device(dir.path(), "founder").await;
    let session = founder
        .create_coalition(CreateCoalition {
            organization: NewOrganization {
                name: "Coalition Secretariat".into(),
                country: "NL".into(),
                region: Region::Europe,
                themes: Vec::new(),
                status: None,
            },
            name: "Amira Haddad".into(),
            email: "amira@example.org".into(),
        })
        .await
        .expect("the coalition starts");
    let me = session.acting_person.expect("acts as the founder").id;

    // The laptop certified itself as the new hub would, and may no longer act as another.
    let status = founder
        .sync_status(NoInput {})
        .await
        .expect("as the test set it up");
    assert!(status.founding && !status.connected);
    let hub_id = setting(&founder, "hub.id").await.expect("a coalition id");
    let hub_key = caucus_core::certificate::decode_key(
        &setting(&founder, "hub.key")
            .await
            .expect("as the test set it up"),
    )
    .expect("a coalition key");
    let own: Certificate = serde_json::from_str(
        &setting(&founder, "hub.certificate")
            .await
            .expect("as the test set it up"),
    )
    .expect("as the test set it up");
    assert_eq!(own.person, me);
    own.verify(
        hub_id.parse().expect("as the test set it up"),
        &hub_key,
        caucus_core::hlc::wall_ms(),
    )
    .expect("the laptop's own certificate is good under the coalition's key");
    assert!(founder
        .set_acting_person(ActAs { person_id: None })
        .await
        .is_err());
    let group = call(
        &founder,
        "create_group",
        json!({"name": "Budget and Finance", "kind": "issue_team"}),
    )
    .await;

    let key_path = dir.path().join("coalition-key.json");
    let saved = founder
        .export_coalition_key(ExportCoalitionKey {
            path: key_path.to_string_lossy().into_owned(),
        })
        .await
        .expect("the key is saved");
    assert_eq!(saved.hub_id.to_string(), hub_id);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_path)
            .expect("as the test set it up")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "only its owner reads the key file");
    }
    let key_file = std::fs::read(&key_path).expect("as the test set it up");

    // A hub started without the coalition's key: the laptop refuses it and keeps everything.
    let stranger = Hub::start(
        &dir.path().join("stranger.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    let refused = founder
        .connect_hub(ConnectHub {
            url: stranger.url.clone(),
            invite_code: stranger.invite(me).await,
            device_name: "Amira's laptop".into(),
        })
        .await
        .expect_err("a hub without the coalition's key is refused");
    assert!(
        refused.to_string().contains("caucus-hub adopt"),
        "the refusal says what to do: {refused}"
    );
    let status = founder
        .sync_status(NoInput {})
        .await
        .expect("as the test set it up");
    assert!(status.founding && !status.connected);
    assert_eq!(
        setting(&founder, "hub.id")
            .await
            .expect("as the test set it up"),
        hub_id
    );
    // That hub has enrolled a device now: it serves a coalition and cannot adopt another.
    let in_use = stranger.db.adopt(&key_file).await;
    assert!(in_use.is_err(), "a hub in use does not adopt a coalition");
    stranger.stop().await;

    // Bad key files are refused with a reason.
    let empty = Hub::start(
        &dir.path().join("hub.db").to_string_lossy(),
        Policy::Authorize,
    )
    .await;
    for bad in [&b"{}"[..], b"not json", &key_file[..key_file.len() / 2]] {
        assert!(empty.db.adopt(bad).await.is_err());
    }
    assert!(CoalitionKey::decode(&key_file).is_ok());
    empty.stop().await;

    // The coalition's hub, started with the key: the founder enrols as themself.
    let hub_db = dir.path().join("hub.db").to_string_lossy().into_owned();
    let adopting = caucus_hub::HubDb::open(&hub_db, Policy::Authorize)
        .await
        .expect("as the test set it up");
    assert_eq!(adopting.adopt(&key_file).await.expect("adopted"), me);
    assert!(
        adopting.adopt(&key_file).await.is_err(),
        "a hub adopts one coalition's key, once"
    );
    adopting.close().await;
    let hub = Hub::start(&hub_db, Policy::Authorize).await;
    assert_eq!(hub.db.hub_id().to_string(), hub_id);
    assert_eq!(hub.db.public_key(), hub_key);
    let status = connect(&founder, &hub.url, hub.invite(me).await, "Amira's laptop").await;
    assert!(status.connected && !status.founding);
    assert_eq!(status.person_id, Some(me));
    assert_eq!(
        setting(&founder, "coalition.key").await,
        None,
        "the hub holds the key now"
    );
    assert!(founder
        .export_coalition_key(ExportCoalitionKey {
            path: key_path.to_string_lossy().into_owned(),
        })
        .await
        .is_err());
    // What the founder wrote before the hub existed is the hub's now, judged as theirs.
    assert!(hub.db.change_count().await.expect("as the test set it up") > 0);
    assert!(status.refused.is_empty(), "refused: {:?}", status.refused);

    // A second person, invited by the founder, receives it all from the hub.
    let person = call(
        &founder,
        "create_person",
        json!({"name": "Jonas Berg", "email": "jonas@example.org"}),
    )
    .await;
    sync(&founder).await;
    let other = device(dir.path(), "jonas").await;
    connect(
        &other,
        &hub.url,
        hub.invite(id(&person)).await,
        "Jonas's laptop",
    )
    .await;
    let groups = other
        .list_groups(GroupFilter::default())
        .await
        .expect("groups");
    assert!(groups.iter().any(|g| g.id == id(&group)));
    hub.stop().await;
}
