//! Pairing and discovery messages (see `caucus_core::sync::robustness::pairing`).
#![no_main]

use arbitrary::Arbitrary;
use std::net::IpAddr;

#[derive(Arbitrary, Debug)]
struct Announcement {
    fullname: String,
    addresses: Vec<IpAddr>,
    port: u16,
    properties: Vec<(String, String)>,
    enrol: Vec<u8>,
}

libfuzzer_sys::fuzz_target!(|a: Announcement| {
    caucus_core::sync::robustness::pairing(&a.fullname, &a.addresses, a.port, &a.properties, &a.enrol)
});
