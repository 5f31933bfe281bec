//! Device certificates (see `caucus_core::sync::robustness::certificate`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caucus_core::sync::robustness::certificate(data));
