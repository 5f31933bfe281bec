//! The Caucus hub: the coalition's sync service (`caucus-relay`, with PostgreSQL), its
//! command line (`caucus-hub serve | invite | revoke | devices`), and what its tests and the
//! benchmarks run hubs on.
//!
//! - [`harness`]: a throwaway PostgreSQL cluster and hub processes, for the tests and the
//!   benchmarks.
//! - The service itself is re-exported from `caucus-relay`: [`db`], [`server`], [`limits`],
//!   [`provenance`], [`error`].

pub mod harness;

pub use caucus_relay::{db, error, limits, provenance, server, HubDb, Policy};
