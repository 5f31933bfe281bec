//! Every sync payload a hub or a device decodes from the network (see
//! `caucus_core::sync::robustness::sync_payload`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caucus_core::sync::robustness::sync_payload(data));
