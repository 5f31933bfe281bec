// Text CRDTs measured side by side (issue: the meeting room), kept as the record of what was
// measured before one was chosen. Not part of the build. To run it again, beside the project:
// a crate with this file as src/main.rs and
//   yrs = "0.28"   loro = "1"   automerge = "0.12"   rand = "0.8"
// then `cargo run --release -- yrs` (or loro, automerge), one library per process so that the
// peak memory is its own.
//
// The document: 20,000 words of minutes typed by 5 writers at once. Each writer types a
// sentence of 10 words key by key (a transaction per key, as an editor sends them) at a
// sentence boundary of its own copy, deleting a word after every fifth sentence; after each
// sentence its update (everything since its last one) goes to the 4 others, which apply it.
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::time::Instant;

trait Replica: Sized {
    fn new(id: u64) -> Self;
    fn insert(&mut self, pos: usize, s: &str);
    fn delete(&mut self, pos: usize, len: usize);
    fn text(&self) -> String;
    /// Everything this replica did since the last call, as bytes for the others.
    fn take_update(&mut self) -> Vec<u8>;
    fn apply(&mut self, update: &[u8]);
    fn snapshot(&mut self) -> Vec<u8>;
    fn load(bytes: &[u8]) -> Self;
}

mod y {
    use yrs::updates::decoder::Decode;
    use yrs::{Doc, GetString, Options, ReadTxn, StateVector, Text, TextRef, Transact, Update};
    // Each transaction's own update, merged when sent (as Yjs's `mergeUpdates`): a diff from a
    // state vector would carry the whole delete set every time.
    pub struct R { doc: Doc, text: TextRef, pending: Vec<Vec<u8>> }
    impl super::Replica for R {
        fn new(id: u64) -> Self {
            let doc = Doc::with_options(Options { client_id: yrs::block::ClientID::new(id + 1), ..Options::default() });
            let text = doc.get_or_insert_text("t");
            R { doc, text, pending: Vec::new() }
        }
        fn insert(&mut self, pos: usize, s: &str) {
            let mut t = self.doc.transact_mut();
            self.text.insert(&mut t, pos as u32, s);
            self.pending.push(t.encode_update_v2());
        }
        fn delete(&mut self, pos: usize, len: usize) {
            let mut t = self.doc.transact_mut();
            self.text.remove_range(&mut t, pos as u32, len as u32);
            self.pending.push(t.encode_update_v2());
        }
        fn text(&self) -> String { self.text.get_string(&self.doc.transact()) }
        fn take_update(&mut self) -> Vec<u8> {
            yrs::merge_updates_v2(std::mem::take(&mut self.pending)).unwrap()
        }
        fn apply(&mut self, update: &[u8]) {
            let mut t = self.doc.transact_mut();
            t.apply_update(Update::decode_v2(update).unwrap()).unwrap();
        }
        fn snapshot(&mut self) -> Vec<u8> {
            self.doc.transact().encode_state_as_update_v2(&StateVector::default())
        }
        fn load(bytes: &[u8]) -> Self {
            let mut r = Self::new(99);
            r.apply(bytes);
            r
        }
    }
}

mod l {
    use loro::{ExportMode, LoroDoc, LoroText, VersionVector};
    pub struct R { doc: LoroDoc, text: LoroText, sent: VersionVector }
    impl super::Replica for R {
        fn new(id: u64) -> Self {
            let doc = LoroDoc::new();
            doc.set_peer_id(id + 1).unwrap();
            let text = doc.get_text("t");
            R { doc, text, sent: VersionVector::default() }
        }
        fn insert(&mut self, pos: usize, s: &str) { self.text.insert(pos, s).unwrap(); self.doc.commit(); }
        fn delete(&mut self, pos: usize, len: usize) { self.text.delete(pos, len).unwrap(); self.doc.commit(); }
        fn text(&self) -> String { self.text.to_string() }
        fn take_update(&mut self) -> Vec<u8> {
            let u = self.doc.export(ExportMode::updates(&self.sent)).unwrap();
            self.sent = self.doc.oplog_vv();
            u
        }
        fn apply(&mut self, update: &[u8]) { self.doc.import(update).unwrap(); }
        fn snapshot(&mut self) -> Vec<u8> { self.doc.export(ExportMode::Snapshot).unwrap() }
        fn load(bytes: &[u8]) -> Self {
            let r = Self::new(99);
            r.doc.import(bytes).unwrap();
            r
        }
    }
}

mod a {
    use automerge::{transaction::Transactable, AutoCommit, ObjId, ObjType, ReadDoc, ROOT};
    pub struct R { doc: AutoCommit, text: ObjId, sent: Vec<automerge::ChangeHash> }
    impl super::Replica for R {
        fn new(id: u64) -> Self {
            // Every writer starts from the same first change, as a record's text would.
            let mut doc = AutoCommit::new().with_actor(automerge::ActorId::from([0u8; 16]));
            let text = doc.put_object(ROOT, "t", ObjType::Text).unwrap();
            doc.commit();
            doc.set_actor(automerge::ActorId::from((id + 1).to_be_bytes().to_vec()));
            let sent = doc.get_heads();
            R { doc, text, sent }
        }
        fn insert(&mut self, pos: usize, s: &str) { self.doc.splice_text(&self.text, pos, 0, s).unwrap(); self.doc.commit(); }
        fn delete(&mut self, pos: usize, len: usize) { self.doc.splice_text(&self.text, pos, len as isize, "").unwrap(); self.doc.commit(); }
        fn text(&self) -> String { self.doc.text(&self.text).unwrap() }
        fn take_update(&mut self) -> Vec<u8> {
            let u = self.doc.save_after(&self.sent);
            self.sent = self.doc.get_heads();
            u
        }
        // A writer applies only after sending its own (the workload), so what it holds after
        // applying has been sent.
        fn apply(&mut self, update: &[u8]) { self.doc.load_incremental(update).unwrap(); self.sent = self.doc.get_heads(); }
        fn snapshot(&mut self) -> Vec<u8> { self.doc.save() }
        fn load(bytes: &[u8]) -> Self {
            let mut doc = AutoCommit::load(bytes).unwrap();
            let (_, text) = doc.get(ROOT, "t").unwrap().unwrap();
            let sent = doc.get_heads();
            R { doc, text, sent }
        }
    }
}

const WORDS: &[&str] = &["the", "committee", "on", "budget", "and", "finance", "recommends", "that", "states",
    "parties", "ratify", "rome", "statute", "court", "victims", "trust", "fund", "assembly", "bureau",
    "report", "session", "hague", "new", "york", "registry", "prosecutor", "cooperation", "arrest",
    "warrants", "complementarity", "legal", "aid", "outreach", "amendments", "kampala", "aggression"];

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status").unwrap().lines()
        .find(|l| l.starts_with("VmHWM")).and_then(|l| l.split_whitespace().nth(1)).unwrap().parse().unwrap()
}

fn run<R: Replica>(name: &str) {
    const WRITERS: usize = 5;
    const SENTENCES: usize = 2_000; // x 10 words = 20,000 words
    let mut rng = StdRng::seed_from_u64(7);
    let mut reps: Vec<R> = (0..WRITERS).map(|i| R::new(i as u64)).collect();
    let mut lens = vec![0usize; WRITERS]; // each copy's length in chars (ASCII)
    let mut keys = 0u64;
    let mut type_s = 0.0;
    let mut peer_ms: Vec<f64> = Vec::new();
    let mut log_bytes = 0usize;
    let start = Instant::now();
    for s in 0..SENTENCES {
        let w = s % WRITERS;
        // A sentence boundary of this writer's copy: the end, or just after a ". ".
        let text = reps[w].text();
        let bounds: Vec<usize> = text.match_indices(". ").map(|(i, _)| i + 2).collect();
        let mut pos = if bounds.is_empty() || rng.gen_bool(0.3) { lens[w] } else { bounds[rng.gen_range(0..bounds.len())] };
        let sentence: String = (0..10).map(|_| WORDS[rng.gen_range(0..WORDS.len())]).collect::<Vec<_>>().join(" ") + ". ";
        let t = Instant::now();
        for ch in sentence.chars() {
            reps[w].insert(pos, ch.encode_utf8(&mut [0; 4]));
            pos += 1;
            keys += 1;
        }
        lens[w] += sentence.len();
        if s % 5 == 4 && lens[w] > 20 {
            let at = rng.gen_range(0..lens[w] - 10);
            reps[w].delete(at, 6);
            lens[w] -= 6;
        }
        type_s += t.elapsed().as_secs_f64();
        // To the others: encode once, each applies.
        let t = Instant::now();
        let update = reps[w].take_update();
        log_bytes += update.len();
        for o in 0..WRITERS {
            if o != w {
                reps[o].apply(&update);
            }
        }
        peer_ms.push(t.elapsed().as_secs_f64() * 1e3 / (WRITERS - 1) as f64);
        for o in 0..WRITERS {
            if o != w { lens[o] = reps[o].text().len(); }
        }
    }
    let total = start.elapsed().as_secs_f64();
    let final_text = reps[0].text();
    let converged = reps.iter().all(|r| r.text() == final_text);
    let words = final_text.split_whitespace().count();
    let snap = reps[0].snapshot();
    let t = Instant::now();
    let loaded = R::load(&snap);
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(loaded.text(), final_text);
    let n = peer_ms.len();
    println!(
        "{name}: converged {converged}, {words} words, {} bytes of text; typing {:.2} µs/key ({keys} keys); \
         update to a peer: mean {:.3} ms, p95 {:.3} ms, last 100 p95 {:.3} ms; \
         snapshot {} bytes ({:.2}x the text); updates summed {} bytes ({:.2}x); load {:.1} ms; \
         total {:.1} s; peak memory of 5+1 copies {} MiB",
        final_text.len(), type_s * 1e6 / keys as f64,
        peer_ms.iter().sum::<f64>() / n as f64, percentile(&mut peer_ms.clone(), 0.95),
        percentile(&mut peer_ms[n - 100..].to_vec(), 0.95),
        snap.len(), snap.len() as f64 / final_text.len() as f64,
        log_bytes, log_bytes as f64 / final_text.len() as f64, load_ms, total, peak_kib() / 1024
    );
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("yrs") => run::<y::R>("yrs 0.28"),
        Some("loro") => run::<l::R>("loro 1.17"),
        Some("automerge") => run::<a::R>("automerge 0.12"),
        _ => eprintln!("which: yrs, loro or automerge"),
    }
}
