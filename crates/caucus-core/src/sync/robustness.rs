//! What every decoder of outside data must hold, whatever the bytes: no panic, bounded
//! allocation, and what decodes encodes again. The fuzz targets (`fuzz/`, `make fuzz`) and the
//! short mutation run of `make test` (`tests/decoders.rs`) both call these.

use super::bundle::Bundle;
use super::meeting::parse_announcement;
use super::protocol::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::IpAddr;

fn round_trip<T: DeserializeOwned + Serialize>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let again = serde_json::to_vec(&value).expect("what decodes encodes");
        serde_json::from_slice::<T>(&again).expect("what encodes decodes");
    }
}

/// What a receiver reads out of a change beyond its JSON: its value checked against its field
/// ([`crate::model::value`]) and its signature's span checked against a key
/// ([`crate::signature`]). Refused or accepted, never a panic.
fn judge(changes: &[crate::change::Change]) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[5; 32]).verifying_key();
    for c in changes {
        let _ = crate::model::value::check_value(&c.table, &c.column, &c.value);
        if crate::signature::span_of(c).is_some() {
            let span: Vec<&crate::change::Change> =
                changes.iter().filter(|o| o.site == c.site).collect();
            let _ = crate::signature::verify_span(&key, &span);
        }
    }
    let _ = crate::model::value::check_values(
        changes.first().map_or("", |c| c.table.as_str()),
        changes.iter().map(|c| (c.column.as_str(), &c.value)),
    );
}

/// A device certificate someone handed over (a hub's reply, a bundle, a meeting peer), a
/// meeting's guest pass, or a coalition's key file: refused with a reason or believed, never a panic; what decodes
/// encodes to the same certificate, and a certificate believed under one hub's key names that
/// hub and carries a key.
pub fn certificate(data: &[u8]) {
    use crate::certificate::Certificate;
    let hub_key = ed25519_dalek::SigningKey::from_bytes(&[11; 32]);
    let check = |c: &Certificate| {
        if let Ok(key) = c.verify(c.hub, &hub_key.verifying_key(), c.issued_ms) {
            assert_eq!(crate::certificate::decode_key(&c.device_key), Some(key));
        }
        let _ = c.verify(uuid::Uuid::nil(), &hub_key.verifying_key(), 0);
    };
    // A coalition's key file (`caucus-hub adopt` reads one): refused with a reason or read.
    if let Ok((file, key)) = crate::certificate::CoalitionKey::decode(data) {
        assert_eq!(
            hex::decode(&file.signing_key).ok(),
            Some(key.to_bytes().to_vec())
        );
    }
    // A guest pass: believed only under the key that signed it, for the guest its key names.
    if let Ok(pass) = crate::guest_pass::GuestPass::decode(data) {
        let again = serde_json::to_vec(&pass).expect("what decodes encodes");
        assert_eq!(
            crate::guest_pass::GuestPass::decode(&again).ok(),
            Some(pass.clone())
        );
        if let Ok(key) = pass.verify(&hub_key.verifying_key(), pass.issued_ms) {
            assert_eq!(crate::guest_pass::guest_person(&key), pass.person);
        }
        if let Some(guest) = crate::certificate::decode_key(&pass.device_key) {
            let issued = crate::guest_pass::GuestPass::issue(
                &hub_key,
                crate::guest_pass::Admission {
                    meeting: pass.meeting,
                    name: &pass.name,
                    site: pass.site,
                    device_key: &guest,
                    host_site: pass.host_site,
                },
                pass.issued_ms,
            );
            assert_eq!(
                issued.verify(&hub_key.verifying_key(), pass.issued_ms),
                Ok(guest),
                "a pass its host signed is believed on the day it was issued"
            );
        }
    }
    if let Ok(c) = Certificate::decode(data) {
        let again = serde_json::to_vec(&c).expect("what decodes encodes");
        assert_eq!(Certificate::decode(&again).ok(), Some(c.clone()));
        check(&c);
        // The same fields under the hub's real signature: the verifier's accepting path.
        if let Some(device) = crate::certificate::decode_key(&c.device_key) {
            let issued =
                Certificate::issue(&hub_key, c.hub, c.person, c.site, &device, c.issued_ms);
            check(&issued);
        }
    }
}

/// Every sync payload a hub or a device decodes from the network.
pub fn sync_payload(data: &[u8]) {
    round_trip::<PushRequest>(data);
    round_trip::<PushReply>(data);
    round_trip::<PullRequest>(data);
    round_trip::<PullReply>(data);
    if let Ok(push) = serde_json::from_slice::<PushRequest>(data) {
        judge(&push.changes);
    }
    if let Ok(pull) = serde_json::from_slice::<PullReply>(data) {
        judge(&pull.changes);
        for c in &pull.certificates {
            certificate(&serde_json::to_vec(c).expect("encodes"));
        }
    }
    round_trip::<EnrolRequest>(data);
    round_trip::<EnrolReply>(data);
    round_trip::<WireError>(data);
}

/// A bundle file: refused or decoded, never a panic; a decoded one holds what its header says.
/// The bytes are tried as a whole file, and as the compressed payload of a validly signed one
/// (the signature would otherwise keep a fuzzer from ever reaching the payload decoder).
pub fn bundle(data: &[u8]) {
    if let Ok(b) = Bundle::decode(data) {
        assert_eq!(b.changes.len() as u64, b.header.change_count);
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let count = data.first().copied().unwrap_or(0) as u64 % 4;
    let sealed = Bundle::seal(
        &key,
        None,
        uuid::Uuid::nil(),
        0,
        Default::default(),
        count,
        data,
    )
    .expect("sealing never fails");
    if let Ok(b) = Bundle::decode(&sealed) {
        assert_eq!(b.changes.len() as u64, count);
    }
}

/// A meeting host's mDNS announcement, and the enrolment request a host receives.
pub fn pairing(
    fullname: &str,
    addresses: &[IpAddr],
    port: u16,
    properties: &[(String, String)],
    enrol: &[u8],
) {
    if let Some(found) = parse_announcement(fullname, addresses, port, properties) {
        assert!(
            found.url.starts_with("http://"),
            "only a plain local address is offered"
        );
        assert!(
            !found.name.chars().any(char::is_control),
            "no control characters reach the screen"
        );
    }
    round_trip::<EnrolRequest>(enrol);
}

/// A command's arguments as the HTTP bridge or the shell receives them: the first byte picks
/// the command, the rest is its JSON. Refused with a typed error or decoded, never a panic; an
/// unknown command name is refused too.
pub fn command_arguments(data: &[u8]) {
    use crate::api::{decode_arguments, COMMAND_NAMES};
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let name = COMMAND_NAMES[pick as usize % COMMAND_NAMES.len()];
    // As the bridge reads a request: its strict JSON reader, then the command's arguments.
    if let Ok(value) = crate::api::json::arguments(body) {
        let _ = decode_arguments(name, value);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        assert!(
            decode_arguments(text, serde_json::Value::Null).is_err()
                || COMMAND_NAMES.contains(&text)
        );
    }
}

/// An edit of a text written together (a Yjs update from another laptop, [`crate::collab`]):
/// refused with a reason or merged, never a panic (a panic inside yrs is caught and refused),
/// in an empty text and in a written one; an edit the check accepts merges into a state that
/// loads to the same text; the same bytes read as a state vector are refused or answered.
pub fn text_edit(data: &[u8]) {
    use crate::collab::{decode_edit, encode, TextDoc};
    let _ = decode_edit("edit", &String::from_utf8_lossy(data));
    if let Ok(bytes) = decode_edit("edit", &encode(data)) {
        // An edit the check lets in merges, and what it merges into is stored and loads again.
        let mut empty = TextDoc::new();
        empty.apply(&bytes).expect("an accepted edit merges");
        let state = empty.state().expect("an accepted edit's text is stored");
        let loaded = TextDoc::load(&state).expect("a stored text loads");
        assert_eq!(loaded.text(), empty.text());
    }
    let _ = TextDoc::new().apply(data);
    let mut written = TextDoc::new();
    let seed = {
        use yrs::{Text, Transact};
        // "Minutes." typed by one writer: what a real edit builds on.
        let doc = yrs::Doc::new();
        let text = doc.get_or_insert_text(crate::collab::TEXT_NAME);
        let mut txn = doc.transact_mut();
        text.insert(&mut txn, 0, "Minutes.");
        txn.encode_update_v2()
    };
    written.apply(&seed).expect("a real edit");
    let _ = written.apply(data);
    let _ = written.text();
    let _ = written.since(data);
}
