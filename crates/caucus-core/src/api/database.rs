//! The inputs and outputs of the desktop shell's database commands
//! ([`crate::for_each_shell_command`]): the shell implements them on the database file
//! ([`crate::store::cipher`]); they are declared here so the UI's client is generated with the
//! rest.

use serde::{Deserialize, Serialize};

/// Whether the database is encrypted, whether it is still waiting for its passphrase, and
/// whether it is being opened (with the progress of a format upgrade, when the file was made
/// by an earlier version).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct DatabaseStatus {
    /// Whether the file is encrypted.
    pub encrypted: bool,
    /// Whether it waits for its passphrase (nothing is open yet).
    pub locked: bool,
    /// Whether it is being opened now: the commands wait until it is open.
    pub opening: bool,
    /// How far the upgrade of the file to this version's format has got, while one runs.
    pub upgrade: Option<crate::store::upgrade::UpgradeProgress>,
}

/// Open the encrypted database with its passphrase.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Unlock {
    /// The passphrase it is encrypted with.
    pub passphrase: String,
}

/// Encrypt the database under `passphrase`, or change its passphrase.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(deny_unknown_fields)]
pub struct Encrypt {
    /// The passphrase it is encrypted with now (none for a plaintext database).
    pub current: Option<String>,
    /// The new passphrase.
    pub passphrase: String,
}

/// A command that answers nothing but success.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, specta::Type)]
pub struct Done {}
