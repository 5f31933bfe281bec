//! The open replica, and the database's encryption: the shell's own commands, outside the core
//! command list because they act on the file, not on records.
//!
//! An encrypted database starts locked: every command answers `passphrase_required` until
//! `unlock_database` opens it. `encrypt_database` (a plaintext database, or a new passphrase
//! for an encrypted one) closes the replica, writes the file anew under the new key
//! (`caucus_core::store::cipher::reencrypt`), and opens it again; nothing is lost if any step
//! fails, and a wrong current passphrase changes nothing.
//!
//! While a replica is open its [events](caucus_core::events) go to the window through the
//! `Notify` the shell gives (a Tauri event), so the screens reload what changed.

use caucus_core::api::{DatabaseStatus, Done, Encrypt, NoInput, Unlock};
use caucus_core::events::Event;
use caucus_core::store::cipher::{self, FileState};
use caucus_core::{ApiError, Caucus, CoreError};
use caucus_device::{Device, Options};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::RwLock;

/// Where an open replica's events go (the window).
pub type Notify = Arc<dyn Fn(Event) + Send + Sync>;

/// The replica the commands act on, once it is open.
pub struct Replica {
    options: Options,
    open: RwLock<Option<Device>>,
    notify: Notify,
}

impl Replica {
    /// Opens the plaintext database at `path` now (loading the demo coalition if asked and
    /// empty); an encrypted one waits for its passphrase.
    pub async fn start(path: PathBuf, demo: bool, notify: Notify) -> Result<Replica, String> {
        let mut options = Options::new(path);
        options.demo = demo;
        options.report = Some(Arc::new(caucus_report::TypstReports::new()));
        let replica = Replica {
            options,
            open: RwLock::new(None),
            notify,
        };
        let path = replica.path().clone();
        let state = cipher::file_state(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if state != FileState::Encrypted {
            replica
                .open_with(None)
                .await
                .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        }
        Ok(replica)
    }

    fn path(&self) -> &PathBuf {
        &self.options.path
    }

    /// The open replica, or `passphrase_required` while the database is locked.
    pub async fn get(&self) -> Result<Arc<Caucus>, ApiError> {
        self.open
            .read()
            .await
            .as_ref()
            .map(|d| d.caucus().clone())
            .ok_or_else(|| ApiError::from(CoreError::PassphraseRequired))
    }

    async fn open_with(&self, passphrase: Option<&str>) -> Result<(), CoreError> {
        let device = Device::open(&self.options, passphrase).await?;
        forward_events(device.caucus(), self.notify.clone());
        *self.open.write().await = Some(device);
        // Whatever the window showed before (nothing, or the replica before re-encryption)
        // is to be read again.
        (self.notify)(Event::everything());
        Ok(())
    }

    /// Whether the database is encrypted and whether it waits for its passphrase.
    pub async fn database_status(&self, _: NoInput) -> Result<DatabaseStatus, CoreError> {
        let locked = self.open.read().await.is_none();
        Ok(DatabaseStatus {
            encrypted: cipher::file_state(self.path()).is_ok_and(|s| s == FileState::Encrypted),
            locked,
        })
    }

    /// Opens the encrypted database with its passphrase (nothing to do if it is open).
    pub async fn unlock_database(&self, input: Unlock) -> Result<Done, CoreError> {
        if self.open.read().await.is_some() {
            return Ok(Done {});
        }
        if input.passphrase.is_empty() || input.passphrase.chars().count() > 1024 {
            return Err(CoreError::WrongPassphrase);
        }
        self.open_with(Some(&input.passphrase)).await?;
        Ok(Done {})
    }

    /// Encrypts the database under `input.passphrase` (or changes its passphrase), then opens
    /// it again under the new one. Whatever fails, the database opens as before.
    pub async fn encrypt_database(&self, input: Encrypt) -> Result<Done, CoreError> {
        cipher::check_new_passphrase(&input.passphrase)?;
        let mut open = self.open.write().await;
        let Some(current) = open.take() else {
            return Err(CoreError::PassphraseRequired);
        };
        let was_encrypted =
            cipher::file_state(self.path()).is_ok_and(|s| s == FileState::Encrypted);
        if was_encrypted {
            // The current passphrase is checked while the replica stays open: a wrong one
            // changes nothing, not even for a moment.
            let checked = match input.current.as_deref() {
                Some(p) => cipher::check_passphrase(self.path(), p).await,
                None => Err(CoreError::invalid(
                    "current",
                    "give the passphrase the database has now",
                )),
            };
            if let Err(e) = checked {
                *open = Some(current);
                return Err(e);
            }
        }
        current.close().await;
        let result = cipher::reencrypt(
            self.path(),
            input.current.as_deref().filter(|_| was_encrypted),
            &input.passphrase,
        )
        .await;
        drop(open);
        match result {
            Ok(()) => self
                .open_with(Some(&input.passphrase))
                .await
                .map(|()| Done {}),
            Err(e) => {
                // As it was: the old file is untouched, and its passphrase was checked above.
                let again = input.current.as_deref().filter(|_| was_encrypted);
                self.open_with(again).await?;
                Err(e)
            }
        }
    }
}

/// Hands every event of `caucus` to `notify` until the replica closes; a window that fell
/// behind is told everything changed.
fn forward_events(caucus: &Caucus, notify: Notify) {
    use tokio::sync::broadcast::error::RecvError;
    let mut events = caucus.subscribe();
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => notify(event),
                Err(RecvError::Lagged(_)) => notify(Event::everything()),
                Err(RecvError::Closed) => break,
            }
        }
    });
}
