//! The Caucus desktop shell: opens the local replica and exposes the command API to the window.
//!
//! - [`commands`]: one thin Tauri command per entry of the core command list.
//! - [`replica`]: the open replica, and the database's encryption (unlock, encrypt).
//! - [`setup`]: where the database lives, and the demo coalition on first start.

pub mod commands;
pub mod replica;
pub mod setup;

pub use setup::run;
