//! Edits of a text written together (see `caucus_core::sync::robustness::text_edit`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caucus_core::sync::robustness::text_edit(data));
