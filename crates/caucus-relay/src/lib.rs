//! The sync service: what the coalition's hub (`caucus-hub`) and a laptop hosting a meeting
//! (`caucus-device`) both run. It relays changes between devices by bucket and, as a hub, is
//! the authority for rights.
//!
//! - [`db`]: the database (SQLite, or PostgreSQL with the `postgres` feature): devices,
//!   invites, changes, winners, the push and the pull.
//! - [`provenance`]: who made the changes a device only carries.
//! - [`server`]: the HTTP routes (axum).
//! - [`limits`]: rate limits per device, per address and on enrolment.
//! - [`error`]: errors and their HTTP mapping.

pub mod db;
pub mod error;
pub mod limits;
pub mod provenance;
pub mod server;

pub use db::{HubDb, Policy};
