//! Caucus core: everything a front end needs, and nothing about any front end.
//!
//! - [`model`]: the coalition's records and their validation.
//! - [`lifecycle`], [`rights`]: the recommendation lifecycle, and who may change what.
//! - [`hlc`], [`change`]: the hybrid logical clock and the per-field change with its merge rule.
//! - [`signature`]: the signature a device puts on the changes it writes.
//! - [`store`]: SQLite, migrations, and the one write path that applies changes.
//! - [`sync`]: the sync protocol, the device's side of it, the hub's rights check, bundles.
//! - [`api`]: the command API, declared once in [`api::commands`] for every transport.
//! - [`demo`]: the demo coalition.
//! - [`bindings`]: the TypeScript types and client generated for `ui/src/api`.

pub mod api;
pub mod bindings;
pub mod change;
pub mod demo;
pub mod error;
pub mod hlc;
pub mod lifecycle;
pub mod model;
pub mod rights;
pub mod schema;
pub mod signature;
pub mod store;
pub mod sync;
pub mod text;

pub use api::Caucus;
pub use error::{ApiError, CoreError};
