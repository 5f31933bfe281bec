//! Errors callers branch on, and the `{ code, message, field }` shape they cross a boundary in.

use serde::Serialize;

/// Every way a core operation can fail. Front ends decide by variant (or by [`ApiError::code`]),
/// never by message text.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// An argument is malformed; `field` names it (dotted path for nested fields).
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    /// A referenced record does not exist.
    #[error("no {entity} with id {id}")]
    NotFound { entity: &'static str, id: String },
    /// The acting person's role does not allow this.
    #[error("not allowed: {reason}")]
    Forbidden { reason: String },
    /// The request contradicts the current state (a duplicate membership, a wrong transition).
    #[error("{reason}")]
    Conflict { reason: String },
    /// A remote clock is too far ahead of ours to be trusted.
    #[error("{reason}")]
    Clock { reason: String },
    /// Syncing with a hub, a meeting host or a bundle failed; `code` says how (see
    /// [`SyncFailure`]), `reason` says it in plain words.
    #[error("{reason}")]
    Sync { code: SyncFailure, reason: String },
    /// The command name is not in the command list.
    #[error("unknown command {0}")]
    UnknownCommand(String),
    /// The passphrase given does not open the encrypted database (nothing was changed).
    #[error("the passphrase does not open this database")]
    WrongPassphrase,
    /// The database is encrypted and no passphrase was given.
    #[error("this database is encrypted: give its passphrase to open it")]
    PassphraseRequired,
    /// The database failed underneath us.
    #[error("storage error: {0}")]
    Storage(#[from] sqlx::Error),
    /// A migration failed while opening the database.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl CoreError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        CoreError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn forbidden(reason: impl Into<String>) -> Self {
        CoreError::Forbidden {
            reason: reason.into(),
        }
    }

    pub fn sync(code: SyncFailure, reason: impl Into<String>) -> Self {
        CoreError::Sync {
            code,
            reason: reason.into(),
        }
    }

    pub fn conflict(reason: impl Into<String>) -> Self {
        CoreError::Conflict {
            reason: reason.into(),
        }
    }

    /// The stable code a front end switches on (and translates).
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Invalid { .. } => "invalid",
            CoreError::NotFound { .. } => "not_found",
            CoreError::Forbidden { .. } => "forbidden",
            CoreError::Conflict { .. } => "conflict",
            CoreError::Clock { .. } => "clock",
            CoreError::Sync { code, .. } => code.code(),
            CoreError::UnknownCommand(_) => "unknown_command",
            CoreError::WrongPassphrase => "wrong_passphrase",
            CoreError::PassphraseRequired => "passphrase_required",
            CoreError::Storage(e) => match sqlite_primary_code(e) {
                Some(SQLITE_FULL) => "disk_full",
                Some(SQLITE_IOERR) => "disk_error",
                _ => "storage",
            },
            CoreError::Migrate(_) => "storage",
        }
    }
}

/// SQLite's primary result codes the person can act on: the disk is full (free space), or it
/// failed to read or write (a failing disk, a removed drive). Either way the transaction was
/// rolled back and nothing changed.
const SQLITE_FULL: i64 = 13;
const SQLITE_IOERR: i64 = 10;

fn sqlite_primary_code(e: &sqlx::Error) -> Option<i64> {
    let sqlx::Error::Database(db) = e else {
        return None;
    };
    // sqlx reports the extended code; its low byte is the primary one.
    db.code()?.parse::<i64>().ok().map(|c| c & 0xff)
}

/// An error as it crosses to a front end: the UI switches on `code`, shows a translated message
/// for it, and falls back to `message`; `field` points at the form field at fault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        let field = match &e {
            CoreError::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        if matches!(e, CoreError::Storage(_) | CoreError::Migrate(_)) {
            tracing::error!(error = %e, "storage failure");
        }
        ApiError {
            code: e.code().to_string(),
            message: e.to_string(),
            field,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Why a sync failed, as the UI tells the person (each has a translated message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum SyncFailure {
    /// No hub is set up on this device.
    NotConnected,
    /// The hub could not be reached (no network, wrong address, hub down).
    Unreachable,
    /// The hub speaks another protocol version: one of the two needs updating.
    VersionMismatch,
    /// This device's clock is more than five minutes off the hub's.
    ClockSkew,
    /// A request was larger than the hub accepts.
    PayloadTooLarge,
    /// This device was removed from the coalition's hub.
    Revoked,
    /// The hub does not know this device's token.
    Unauthorized,
    /// The invite code is wrong, used or expired.
    InvalidInvite,
    /// The hub asks to slow down.
    RateLimited,
    /// The hub failed; the message says what it could.
    Hub,
    /// A bundle file is damaged, truncated or altered.
    BundleDamaged,
    /// A bundle file comes from another coalition's hub.
    BundleForeign,
}

impl SyncFailure {
    pub fn code(self) -> &'static str {
        match self {
            SyncFailure::NotConnected => "sync_not_connected",
            SyncFailure::Unreachable => "sync_unreachable",
            SyncFailure::VersionMismatch => "sync_version_mismatch",
            SyncFailure::ClockSkew => "sync_clock_skew",
            SyncFailure::PayloadTooLarge => "sync_payload_too_large",
            SyncFailure::Revoked => "sync_revoked",
            SyncFailure::Unauthorized => "sync_unauthorized",
            SyncFailure::InvalidInvite => "sync_invalid_invite",
            SyncFailure::RateLimited => "sync_rate_limited",
            SyncFailure::Hub => "sync_hub",
            SyncFailure::BundleDamaged => "sync_bundle_damaged",
            SyncFailure::BundleForeign => "sync_bundle_foreign",
        }
    }
}
