//! The open replica, and the database's encryption: the shell's own commands, outside the core
//! command list because they act on the file, not on records.
//!
//! A plaintext database opens in the background as the window appears: a file made by an
//! earlier version is upgraded to this version's format as it opens, which on a large replica
//! takes a while, and the window shows how far it has got (`database_status`); the commands
//! wait until it is open. An encrypted database starts locked: every command answers
//! `passphrase_required` until `unlock_database` opens it (its upgrade, if any, shown the
//! same way). `encrypt_database` (a plaintext database, or a new passphrase for an encrypted
//! one) closes the replica, writes the file anew under the new key
//! (`caucus_core::store::cipher::reencrypt`), and opens it again; nothing is lost if any step
//! fails, and a wrong current passphrase changes nothing.
//!
//! While a replica is open its [events](caucus_core::events) go to the window through the
//! `Notify` the shell gives (a Tauri event), so the screens reload what changed.

use caucus_core::api::{DatabaseStatus, Done, Encrypt, NoInput, Unlock};
use caucus_core::events::Event;
use caucus_core::store::cipher::{self, FileState};
use caucus_core::store::upgrade::UpgradeProgress;
use caucus_core::{ApiError, Caucus, CoreError};
use caucus_device::{Device, Options};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::RwLock;

/// Where an open replica's events go (the window).
pub type Notify = Arc<dyn Fn(Event) + Send + Sync>;

/// The replica the commands act on, once it is open.
pub struct Replica {
    options: Options,
    open: Arc<RwLock<Option<Device>>>,
    notify: Notify,
    opening: Arc<Opening>,
}

/// What the window is told while the database opens.
#[derive(Default)]
struct Opening {
    /// An open is under way (the slot's write lock is held by it).
    now: AtomicBool,
    /// The format upgrade's progress, while one runs.
    upgrade: Mutex<Option<UpgradeProgress>>,
    /// Why the background open at start failed: every command answers it.
    failed: Mutex<Option<ApiError>>,
}

impl Replica {
    /// Starts opening the plaintext database at `path` (loading the demo coalition if asked
    /// and empty) in the background; an encrypted one waits for its passphrase. Returns at
    /// once, so the window can show how the open goes.
    pub async fn start(path: PathBuf, demo: bool, notify: Notify) -> Result<Replica, String> {
        let mut options = Options::new(path);
        options.demo = demo;
        options.report = Some(Arc::new(caucus_report::TypstReports::new()));
        let replica = Replica {
            options,
            open: Arc::new(RwLock::new(None)),
            notify,
            opening: Arc::default(),
        };
        let path = replica.path().clone();
        let state = cipher::file_state(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if state != FileState::Encrypted {
            // The slot is locked before this returns: no command can find it empty and
            // answer that a passphrase is needed.
            let mut slot = replica.open.clone().write_owned().await;
            let (options, notify, opening) = (
                replica.options.clone(),
                replica.notify.clone(),
                replica.opening.clone(),
            );
            opening.now.store(true, Ordering::SeqCst);
            tauri::async_runtime::spawn(async move {
                if let Err(e) = open_into(&mut slot, &options, None, &notify, &opening).await {
                    tracing::error!("cannot open {}: {e}", options.path.display());
                    *lock(&opening.failed) = Some(ApiError::from(e));
                    drop(slot);
                    // The window shows why the database did not open (an open that succeeds
                    // tells it to read everything itself).
                    notify(Event::everything());
                }
            });
        }
        Ok(replica)
    }

    fn path(&self) -> &PathBuf {
        &self.options.path
    }

    /// The open replica (waiting while it opens), or `passphrase_required` while the
    /// database is locked, or why it could not be opened.
    pub async fn get(&self) -> Result<Arc<Caucus>, ApiError> {
        if let Some(device) = self.open.read().await.as_ref() {
            return Ok(device.caucus().clone());
        }
        Err(self
            .failed()
            .unwrap_or_else(|| ApiError::from(CoreError::PassphraseRequired)))
    }

    fn failed(&self) -> Option<ApiError> {
        lock(&self.opening.failed).clone()
    }

    async fn open_with(&self, passphrase: Option<&str>) -> Result<(), CoreError> {
        let mut slot = self.open.write().await;
        self.opening.now.store(true, Ordering::SeqCst);
        let opened = open_into(
            &mut slot,
            &self.options,
            passphrase,
            &self.notify,
            &self.opening,
        )
        .await;
        drop(slot);
        if opened.is_ok() {
            *lock(&self.opening.failed) = None;
        }
        opened
    }

    /// Whether the database is encrypted and whether it waits for its passphrase.
    /// Never waits for an open under way: it says how far it has got.
    pub async fn database_status(&self, _: NoInput) -> Result<DatabaseStatus, ApiError> {
        let encrypted = cipher::file_state(self.path()).is_ok_and(|s| s == FileState::Encrypted);
        let upgrade = *lock(&self.opening.upgrade);
        let locked = match self.open.try_read() {
            Ok(open) => open.is_none(),
            // An open (or a re-encryption) holds the slot: nothing to unlock meanwhile.
            Err(_) => false,
        };
        if locked && !encrypted {
            if let Some(failed) = self.failed() {
                return Err(failed);
            }
        }
        Ok(DatabaseStatus {
            encrypted,
            locked,
            opening: self.opening.now.load(Ordering::SeqCst),
            upgrade,
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

/// The value behind `mutex`, even if a thread panicked holding it (what it guards is plain
/// data, whole after every write).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// Opens the replica into `slot` (its write lock held by the caller), telling `opening` how
/// an upgrade goes, and the window that everything is to be read again.
async fn open_into(
    slot: &mut Option<Device>,
    options: &Options,
    passphrase: Option<&str>,
    notify: &Notify,
    opening: &Opening,
) -> Result<(), CoreError> {
    let progress = |p: UpgradeProgress| {
        *lock(&opening.upgrade) = Some(p);
    };
    let opened = Device::open_reporting(options, passphrase, &progress).await;
    *lock(&opening.upgrade) = None;
    opening.now.store(false, Ordering::SeqCst);
    let device = opened?;
    forward_events(device.caucus(), notify.clone());
    *slot = Some(device);
    // Whatever the window showed before (nothing, or the replica before re-encryption)
    // is to be read again.
    notify(Event::everything());
    Ok(())
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
