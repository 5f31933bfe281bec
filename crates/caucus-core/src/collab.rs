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
    let again = TextDoc::load(&doc.state()).map_err(|_| damaged())?;
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
    pub fn state(&self) -> Vec<u8> {
        self.doc
            .transact()
            .encode_state_as_update_v2(&StateVector::default())
    }

    /// What this text holds that a holder of `known` (a state vector, version 1 of its encoding
    /// as Yjs's `encodeStateVector` writes it) lacks.
    pub fn since(&self, known: &[u8]) -> Result<Vec<u8>> {
        let sv = catch_unwind(|| StateVector::decode_v1(known))
            .ok()
            .and_then(|r| r.ok())
            .ok_or_else(|| invalid("known", "not a state vector"))?;
        Ok(self.doc.transact().encode_state_as_update_v2(&sv))
    }

    /// This text's state vector (version 1).
    pub fn state_vector(&self) -> Vec<u8> {
        self.doc.transact().state_vector().encode_v1()
    }
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
        let mut reloaded = TextDoc::load(&early.state()).expect("loads");
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
    }
}
