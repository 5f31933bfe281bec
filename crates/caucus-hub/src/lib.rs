//! The Caucus hub: relays changes between a coalition's devices, and is the authority for
//! rights.
//!
//! - [`db`]: the hub's database (SQLite or PostgreSQL): devices, invites, changes, winners.
//! - [`server`]: the HTTP routes (axum).
//! - [`client`]: the devices' HTTP transport to a hub.
//! - [`meeting`]: a meeting hosted on a laptop, found by mDNS.
//! - [`provenance`]: who made the changes a device only carries.
//! - [`error`]: errors and their HTTP mapping.
//! - [`limits`]: rate limits per device, per address and on enrolment.
//! - [`harness`]: a throwaway PostgreSQL cluster and hub processes, for the tests and the
//!   benchmarks.

pub mod client;
pub mod db;
pub mod error;
pub mod harness;
pub mod limits;
pub mod meeting;
pub mod provenance;
pub mod server;

pub use db::{HubDb, Policy};
