//! What a Caucus device needs around the core, for the desktop shell and the HTTP bridge
//! alike:
//!
//! - [`replica`]: opening the device's replica (plain or encrypted, with the demo coalition
//!   if asked) with its ways out and its background sync, in one call.
//! - [`transport`]: the HTTP transport to a hub or a meeting host.
//! - [`meeting`]: meetings on the local network: hosting one (the sync service of
//!   `caucus-relay`, in the app) and finding them by mDNS.
//!
//! The coalition's hub itself, with PostgreSQL, is `caucus-hub`; a device never links it.

pub mod meeting;
pub mod replica;
pub mod transport;

pub use replica::{Device, Options};
