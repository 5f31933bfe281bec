//! Edits of a text written together (see `caucus_core::sync::robustness::text_edit`).
#![no_main]

static QUIET: std::sync::Once = std::sync::Once::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    // yrs panics on some damaged updates (an unwrap while merging edits that wait for their
    // predecessors); Caucus catches those panics and refuses the edit (`collab`). libFuzzer's
    // hook would abort on the caught ones too: only a panic that escapes is a crash here.
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    caucus_core::sync::robustness::text_edit(data)
});
