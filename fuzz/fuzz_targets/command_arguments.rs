//! A command's arguments as the HTTP bridge or the shell receives them (see
//! `caucus_core::sync::robustness::command_arguments`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| caucus_core::sync::robustness::command_arguments(data));
