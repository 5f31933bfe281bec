//! Texts written together: a meeting's minutes are a text CRDT (yrs, the Rust twin of the Yjs
//! the screens edit with; docs/design-notes.md says why it was chosen), not a field that the
//! last writer wins.
//!
//! Each edit is its own record (a [`crate::model::MinutesEdit`]: who, which meeting, the Yjs
//! update in version 2 of its encoding, base64), created once and never changed, so every
//! channel carries it as it carries any record and the hub's snapshot of a group holds every
//! edit, not one winner. A replica keeps each text's merged state beside its record
//! (`text_doc`) and writes the text it reads as into the record's own column (`meeting.minutes`)
//! whenever an edit or the record arrives: merging the same edits in any order gives the same
//! text, since the CRDT's merge is a union.
//!
//! An edit is outside data: its bytes are checked (base64, size, decoding, applying to an empty
//! text without a panic) before it is stored, here and on every replica that receives it, and a
//! decoder that panics is treated as a refusal.

use crate::error::{CoreError, Result};
use base64::Engine;
use std::panic::{catch_unwind, AssertUnwindSafe};
use yrs::updates::decoder::Decode;
use yrs::updates::encoder::Encode;
use yrs::{Doc, GetString, ReadTxn, StateVector, Transact, Update};

/// The name of the text inside each document (the screens' `ydoc.getText("text")`).
pub const TEXT_NAME: &str = "text";

/// The largest edit, in bytes once decoded: a long paste of a report's text, with room.
pub const EDIT_MAX_BYTES: usize = 256 * 1024;

/// The merged state of one text.
pub struct TextDoc {
    doc: Doc,
}

fn invalid(field: &str, why: impl Into<String>) -> CoreError {
    CoreError::invalid(field, why.into())
}

/// Decodes an edit's bytes from base64 and checks them: at most [`EDIT_MAX_BYTES`], a Yjs
/// update (version 2) that applies to an empty text.
pub fn decode_edit(field: &str, encoded: &str) -> Result<Vec<u8>> {
    if encoded.len() > EDIT_MAX_BYTES * 4 / 3 + 4 {
        return Err(invalid(
            field,
            format!(
                "an edit is at most {} KiB: paste a long text in parts",
                EDIT_MAX_BYTES / 1024
            ),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| invalid(field, "an edit of a text must be base64"))?;
    if bytes.len() > EDIT_MAX_BYTES {
        return Err(invalid(
            field,
            format!("an edit is at most {} KiB", EDIT_MAX_BYTES / 1024),
        ));
    }
    let damaged = || invalid(field, "this is not an edit of a text (a damaged update)");
    let mut doc = TextDoc::new();
    doc.apply(&bytes).map_err(|_| damaged())?;
    // What it merges into must be stored and read back the same: an update can decode and
    // apply, yet leave a state that does not load (found by the decoders' mutation run).
    let again = doc
        .state()
        .and_then(|state| TextDoc::load(&state))
        .map_err(|_| damaged())?;
    if again.text() != doc.text() {
        return Err(damaged());
    }
    Ok(bytes)
}

/// Encodes bytes for a record's field.
pub fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Default for TextDoc {
    fn default() -> Self {
        Self::new()
    }
}

impl TextDoc {
    /// An empty text.
    pub fn new() -> TextDoc {
        let doc = Doc::new();
        doc.get_or_insert_text(TEXT_NAME);
        TextDoc { doc }
    }

    /// A text from its stored state ([`TextDoc::state`]).
    pub fn load(state: &[u8]) -> Result<TextDoc> {
        let mut doc = TextDoc::new();
        doc.apply(state)?;
        Ok(doc)
    }

    /// Merges an update in (any order, any number of times: the result is the same). An update
    /// whose predecessors have not arrived is kept and used when they do.
    pub fn apply(&mut self, update: &[u8]) -> Result<()> {
        let damaged = || invalid("update", "a damaged edit of a text");
        if !plausible_update(update) {
            return Err(damaged());
        }
        let applied = catch_unwind(AssertUnwindSafe(|| {
            let update = Update::decode_v2(update).map_err(|_| damaged())?;
            self.doc
                .transact_mut()
                .apply_update(update)
                .map_err(|_| damaged())
        }));
        match applied {
            Ok(r) => r,
            Err(_) => {
                // The document may be half changed: start over from what it held.
                self.doc = Doc::new();
                self.doc.get_or_insert_text(TEXT_NAME);
                Err(damaged())
            }
        }
    }

    /// The text as it reads now.
    pub fn text(&self) -> String {
        let txn = self.doc.transact();
        txn.get_text(TEXT_NAME)
            .map(|t| t.get_string(&txn))
            .unwrap_or_default()
    }

    /// Everything this text holds, as one update (version 2): what is stored, and what a screen
    /// opening the text starts from.
    pub fn state(&self) -> Result<Vec<u8>> {
        self.since_vector(&StateVector::default())
    }

    /// What this text holds beyond `sv`. yrs merges the edits still waiting for their
    /// predecessors as it encodes, and a damaged one panics there: refused, like a damaged edit.
    fn since_vector(&self, sv: &StateVector) -> Result<Vec<u8>> {
        catch_unwind(AssertUnwindSafe(|| {
            self.doc.transact().encode_state_as_update_v2(sv)
        }))
        .map_err(|_| invalid("update", "a damaged edit of a text is waiting in it"))
    }

    /// What this text holds that a holder of `known` (a state vector, version 1 of its encoding
    /// as Yjs's `encodeStateVector` writes it) lacks.
    pub fn since(&self, known: &[u8]) -> Result<Vec<u8>> {
        if !plausible_state_vector(known) {
            return Err(invalid("known", "not a state vector"));
        }
        let sv = catch_unwind(|| StateVector::decode_v1(known))
            .ok()
            .and_then(|r| r.ok())
            .ok_or_else(|| invalid("known", "not a state vector"))?;
        self.since_vector(&sv)
    }

    /// This text's state vector (version 1).
    pub fn state_vector(&self) -> Vec<u8> {
        self.doc.transact().state_vector().encode_v1()
    }
}

/// Reads a LEB128 number at `at`, moving past it; None past the end or beyond 64 bits.
fn var_uint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n: u64 = 0;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

/// Whether an update's counts fit in its bytes before yrs reserves room for them (a count of
/// clients or of a client's blocks it cannot hold asked for gigabytes: found by `make fuzz`).
/// Version 2 of the encoding: a flag byte, nine length-prefixed columns, then the rest, which
/// opens with the count of clients and the first client's count of blocks and clock.
fn plausible_update(bytes: &[u8]) -> bool {
    let mut at = usize::from(!bytes.is_empty());
    for _ in 0..9 {
        let Some(len) = var_uint(bytes, &mut at) else {
            return false;
        };
        let Some(next) = usize::try_from(len).ok().and_then(|l| at.checked_add(l)) else {
            return false;
        };
        at = next;
        if at > bytes.len() {
            return false;
        }
    }
    let rest = bytes.len() - at;
    let Some(clients) = var_uint(bytes, &mut at) else {
        return false;
    };
    if clients > rest as u64 {
        return false;
    }
    // Each client's count of blocks and first clock follow, when its blocks hold text (what a
    // screen's edit holds: their content is in the columns). Each block takes a byte of a
    // column at least. Content read from the rest (embedded values, formatting) moves what
    // follows, which this walk does not follow: yrs still reserves room for such a count
    // before failing (try_reserve: refused when it cannot be had).
    for _ in 0..clients {
        match (var_uint(bytes, &mut at), var_uint(bytes, &mut at)) {
            (Some(blocks), Some(_clock)) if blocks <= bytes.len() as u64 => {}
            _ => return false,
        }
    }
    true
}

/// Whether a state vector's count of entries fits in its bytes (each entry takes two at least):
/// yrs reserves room for the count before reading them, so four bytes claiming billions of
/// entries asked for gigabytes (found by `make fuzz`).
fn plausible_state_vector(bytes: &[u8]) -> bool {
    let mut at = 0;
    var_uint(bytes, &mut at).is_some_and(|count| count <= ((bytes.len() - at) / 2) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::{Options, Text};

    /// A writer's edit: `s` inserted at `at` (in bytes of ASCII text) in its own copy.
    fn typed(writer: &Doc, at: u32, s: &str) -> Vec<u8> {
        let text = writer.get_or_insert_text(TEXT_NAME);
        let mut txn = writer.transact_mut();
        text.insert(&mut txn, at, s);
        txn.encode_update_v2()
    }

    fn writer(id: u64) -> Doc {
        Doc::with_options(Options {
            client_id: yrs::block::ClientID::new(id),
            ..Options::default()
        })
    }

    #[test]
    fn edits_merge_in_any_order_and_an_early_one_waits_for_its_predecessor() {
        let a = writer(1);
        let first = typed(&a, 0, "The Bureau met. ");
        let second = typed(&a, 16, "It agreed the agenda.");
        let b = writer(2);
        let other = typed(&b, 0, "Present: five members. ");

        // `second` builds on `first`: arriving alone it is kept, not lost, and stored.
        let mut early = TextDoc::new();
        early.apply(&second).expect("applies");
        early.apply(&other).expect("applies");
        let mut reloaded = TextDoc::load(&early.state().expect("encodes")).expect("loads");
        reloaded.apply(&first).expect("applies");

        let mut in_order = TextDoc::new();
        for u in [&first, &second, &other, &second] {
            in_order.apply(u).expect("applies");
        }
        assert_eq!(reloaded.text(), in_order.text());
        assert!(in_order
            .text()
            .contains("The Bureau met. It agreed the agenda."));
        assert!(in_order.text().contains("Present: five members. "));

        // What a holder of `first` lacks brings it level.
        let mut behind = TextDoc::new();
        behind.apply(&first).expect("applies");
        let missing = in_order
            .since(&behind.state_vector())
            .expect("a state vector");
        behind.apply(&missing).expect("applies");
        assert_eq!(behind.text(), in_order.text());
    }

    #[test]
    fn damaged_edits_are_refused_and_change_nothing() {
        let mut doc = TextDoc::new();
        doc.apply(&typed(&writer(3), 0, "kept")).expect("applies");
        for bad in [&b"\x00\x01\x02garbage"[..], &[0xff; 64][..]] {
            assert!(doc.apply(bad).is_err());
        }
        assert_eq!(doc.text(), "kept");
        assert!(decode_edit("update", "%%%").is_err(), "not base64");
        assert!(decode_edit("update", &encode(&[0xff; 64])).is_err());
        let huge = encode(&vec![0u8; EDIT_MAX_BYTES + 1]);
        let refused = decode_edit("update", &huge).expect_err("too big");
        assert!(refused.to_string().contains("256 KiB"), "{refused}");
        assert!(doc.since(b"\xff\xff").is_err());
        // A count of entries its bytes cannot hold (it asked yrs for gigabytes).
        assert!(doc.since(b"\xff\xff\xff\x28").is_err());
        assert!(doc.since(&TextDoc::new().state_vector()).is_ok());
    }
}
