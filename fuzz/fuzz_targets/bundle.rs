//! Bundle files from a USB stick (see `caucus_core::sync::robustness::bundle`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caucus_core::sync::robustness::bundle(data));
