//! The fuzz targets' properties, run in `make test` for a short, bounded time: every decoder
//! of outside data gets valid inputs and random mutations of them (flipped, inserted and
//! deleted bytes, truncations, splices). `make fuzz` runs the coverage-guided fuzzer for long.
//! The seed is printed; `CAUCUS_FUZZ_SEED` replays it, `CAUCUS_FUZZ_SECONDS` sets the time per
//! target (default 3). Inputs that once crashed live in `fuzz/regressions/<target>/`.

use caucus_core::change::Change;
use caucus_core::hlc::Hlc;
use caucus_core::sync::bundle::Bundle;
use caucus_core::sync::protocol::*;
use caucus_core::sync::robustness;
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};
use uuid::Uuid;

fn change(i: u64) -> Change {
    Change {
        site: Uuid::now_v7(),
        seq: i + 1,
        hlc: Hlc(1 << 30),
        actor: Some(Uuid::now_v7()),
        bucket: "coalition".into(),
        table: "organization".into(),
        row: Uuid::now_v7(),
        column: "name".into(),
        value: serde_json::json!("Coalición por la Corte Penal Internacional — التحالف"),
        cl: 1,
        schema_version: 1,
        signature: None,
    }
}

fn mutate(rng: &mut rand::rngs::StdRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.random_range(0..seeds.len())].clone();
    for _ in 0..rng.random_range(1..8) {
        let len = data.len();
        match rng.random_range(0..6) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] ^= 1 << rng.random_range(0..8);
            }
            1 => {
                let i = rng.random_range(0..=len);
                data.insert(i, rng.random());
            }
            2 if len > 0 => {
                data.remove(rng.random_range(0..len));
            }
            3 => data.truncate(rng.random_range(0..=len)),
            4 if len > 0 => {
                let i = rng.random_range(0..len);
                data[i] = *b"{}[]\",:0-e\\"
                    .get(rng.random_range(0..11))
                    .unwrap_or(&b'0');
            }
            _ => {
                let other = &seeds[rng.random_range(0..seeds.len())];
                let cut = rng.random_range(0..=other.len());
                let at = rng.random_range(0..=len);
                data.splice(at..at, other[cut..].iter().copied());
            }
        }
    }
    data
}

fn budget() -> Duration {
    Duration::from_secs_f64(
        std::env::var("CAUCUS_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3.0),
    )
}

fn run(target: &str, seeds: Vec<Vec<u8>>, check: impl Fn(&[u8])) {
    let seed: u64 = std::env::var("CAUCUS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("{target}: seed {seed} (replay with CAUCUS_FUZZ_SEED={seed})");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/regressions")
        .join(target);
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            check(&std::fs::read(e.path()).expect("regression input"));
        }
    }
    for s in &seeds {
        check(s);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let until = Instant::now() + budget();
    let mut runs = 0u64;
    while Instant::now() < until {
        check(&mutate(&mut rng, &seeds));
        runs += 1;
    }
    println!("{target}: {runs} mutated inputs, no failure");
    assert!(runs > 0, "the time budget allows at least one run");
}

#[test]
fn sync_payloads_never_crash_the_decoder() {
    let push = PushRequest {
        changes: (0..3).map(change).collect(),
        guest_passes: Vec::new(),
    };
    let mut signed: Vec<Change> = (0..4).map(change).collect();
    let site = signed[0].site;
    for c in &mut signed {
        c.site = site;
        c.table = "recommendation".into();
        c.column = "language".into();
        c.value = serde_json::json!("ar");
    }
    caucus_core::signature::sign_write(
        &ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
        &mut signed,
    );
    let signed = PushRequest {
        changes: signed,
        guest_passes: Vec::new(),
    };
    let pull = PullReply {
        changes: vec![change(9)],
        cursors: [(
            "coalition".to_string(),
            BucketCursor {
                server_seq: 7,
                following: true,
            },
        )]
        .into(),
        more: true,
        snapshot_remaining: 3,
        certificates: vec![caucus_core::certificate::Certificate::issue(
            &ed25519_dalek::SigningKey::from_bytes(&[11; 32]),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            &ed25519_dalek::SigningKey::from_bytes(&[12; 32]).verifying_key(),
            1_800_000_000_000,
        )],
        revoked: vec![RevokedDevice {
            device_key: "00".repeat(32),
            revoked_ms: 1_800_000_000_000,
        }],
        // A guest's pass, so the fuzzer starts from one.
        guest_passes: vec![caucus_core::guest_pass::GuestPass::issue(
            &ed25519_dalek::SigningKey::from_bytes(&[11; 32]),
            caucus_core::guest_pass::Admission {
                meeting: Uuid::now_v7(),
                name: "Amal Haddad",
                site: Uuid::now_v7(),
                device_key: &ed25519_dalek::SigningKey::from_bytes(&[13; 32]).verifying_key(),
                host_site: Uuid::now_v7(),
            },
            1_800_000_000_000,
        )],
    };
    let enrol = EnrolRequest {
        invite_code: "ABCDE-FGHJK".into(),
        public_key: "00".repeat(32),
        site: Uuid::now_v7(),
        device_name: "Amal's laptop".into(),
        person_id: None,
        certificate: None,
        guest_name: Some("Amal Haddad".into()),
    };
    let seeds = vec![
        serde_json::to_vec(&push).expect("json"),
        serde_json::to_vec(&signed).expect("json"),
        serde_json::to_vec(&pull).expect("json"),
        serde_json::to_vec(&enrol).expect("json"),
        serde_json::to_vec(&PullRequest::default()).expect("json"),
        br#"{"code":"revoked","message":"x"}"#.to_vec(),
    ];
    run("sync_payload", seeds, robustness::sync_payload);
}

#[test]
fn certificates_never_crash_the_decoder() {
    let hub = ed25519_dalek::SigningKey::from_bytes(&[11; 32]);
    let device = ed25519_dalek::SigningKey::from_bytes(&[12; 32]);
    let issued = caucus_core::certificate::Certificate::issue(
        &hub,
        Uuid::now_v7(),
        Uuid::now_v7(),
        Uuid::now_v7(),
        &device.verifying_key(),
        1_800_000_000_000,
    );
    let seeds = vec![serde_json::to_vec(&issued).expect("json")];
    run("certificate", seeds, robustness::certificate);
}

#[test]
fn text_edits_never_crash_the_decoder() {
    use yrs::{Text, Transact};
    // Real edits: typing, a paste in Arabic, a deletion, and a whole text's state.
    let doc = yrs::Doc::new();
    let text = doc.get_or_insert_text(caucus_core::collab::TEXT_NAME);
    let mut seeds = Vec::new();
    for (at, s) in [(0, "The Bureau met. "), (16, "اجتمع المكتب. "), (3, "x")] {
        let mut txn = doc.transact_mut();
        text.insert(&mut txn, at, s);
        seeds.push(txn.encode_update_v2());
    }
    {
        let mut txn = doc.transact_mut();
        text.remove_range(&mut txn, 2, 5);
        seeds.push(txn.encode_update_v2());
    }
    let mut whole = caucus_core::collab::TextDoc::new();
    for s in &seeds {
        whole.apply(s).expect("a real edit");
    }
    seeds.push(whole.state().expect("encodes"));
    seeds.push(whole.state_vector());
    run("text_edit", seeds, robustness::text_edit);
}

#[test]
fn bundles_never_crash_the_decoder() {
    let key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
    let changes: Vec<Change> = (0..20).map(change).collect();
    let seeds = vec![
        Bundle::encode(
            &key,
            Some(Uuid::now_v7()),
            Uuid::now_v7(),
            1,
            Default::default(),
            &changes,
        )
        .expect("bundle"),
        Bundle::encode(&key, None, Uuid::now_v7(), 1, Default::default(), &[]).expect("bundle"),
    ];
    run("bundle", seeds, robustness::bundle);
}

#[test]
fn pairing_messages_never_crash_the_decoder() {
    let seeds = vec![br#"{"invite_code":"K7M2QX","public_key":"00","site":"01a21f2d-b141-7396-b8b4-088c75dc070f","device_name":"x","person_id":null}"#.to_vec()];
    run("pairing", seeds, |data| {
        // Split the bytes into the announcement's parts, as the network would hand them over.
        let text = String::from_utf8_lossy(data);
        let mut parts = text.splitn(4, '|');
        let fullname = format!("{}._caucus._tcp.local.", parts.next().unwrap_or_default());
        let port = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        let props: Vec<(String, String)> = parts
            .next()
            .unwrap_or_default()
            .split(';')
            .filter_map(|kv| {
                kv.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .chain([("v".to_string(), "1".to_string())])
            .collect();
        let addresses = ["127.0.0.1".parse().expect("ip"), "::1".parse().expect("ip")];
        robustness::pairing(&fullname, &addresses, port, &props, data);
    });
}

#[test]
fn command_arguments_never_crash_the_decoder() {
    let names = caucus_core::api::COMMAND_NAMES;
    let pick = |name: &str| names.iter().position(|n| *n == name).expect("a command") as u8;
    let with = |name: &str, json: &str| {
        let mut data = vec![pick(name)];
        data.extend_from_slice(json.as_bytes());
        data
    };
    let seeds = vec![
        with(
            "create_organization",
            r#"{"name":"Asociación Pro Derechos Humanos","country":"ES","region":"europe","themes":["victims"]}"#,
        ),
        with(
            "create_recommendation",
            r#"{"group_id":"0190f2a4-0000-7000-8000-000000000001","title":"Protect the budget","body":"**Fund** the Court","language":"en","addressees":["states_parties"]}"#,
        ),
        with("search", r#"{"text":"الضحايا","limit":20}"#),
        with(
            "hear_from_group",
            r#"{"group_id":"0190f2a4-0000-7000-8000-000000000001","hearing":"digest","utc_offset_minutes":180}"#,
        ),
        with("get_session", "{}"),
        b"\x00create_organization".to_vec(),
    ];
    run("command_arguments", seeds, robustness::command_arguments);
}
