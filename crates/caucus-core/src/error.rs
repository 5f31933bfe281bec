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
    /// A command failed inside Caucus (a panic, caught where commands are dispatched): a
    /// fault of the program, not of the input; what it was writing was not kept.
    #[error("{0} failed inside Caucus; nothing of it was kept (the log says more)")]
    Internal(String),
    /// The passphrase given does not open the encrypted database (nothing was changed).
    #[error("the passphrase does not open this database")]
    WrongPassphrase,
    /// The database is encrypted and no passphrase was given.
    #[error("this database is encrypted: give its passphrase to open it")]
    PassphraseRequired,
    /// The database failed underneath us.
    #[error("storage error: {0}")]
    Storage(#[from] sqlx::Error),
    /// The database failed underneath the merge, which runs on SQLite's own handle.
    #[error("storage error: {0}")]
    Sqlite(#[from] rusqlite::Error),
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

    /// The same error for a value nested in `outer`: an invalid field's path gains it
    /// (`organization.name`).
    pub fn within(self, outer: &str) -> Self {
        match self {
            CoreError::Invalid { field, reason } => CoreError::Invalid {
                field: format!("{outer}.{field}"),
                reason,
            },
            other => other,
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
    pub fn error_code(&self) -> ErrorCode {
        match self {
            CoreError::Invalid { .. } => ErrorCode::Invalid,
            CoreError::NotFound { .. } => ErrorCode::NotFound,
            CoreError::Forbidden { .. } => ErrorCode::Forbidden,
            CoreError::Conflict { .. } => ErrorCode::Conflict,
            CoreError::Clock { .. } => ErrorCode::Clock,
            CoreError::Sync { code, .. } => code.error_code(),
            CoreError::UnknownCommand(_) => ErrorCode::UnknownCommand,
            CoreError::Internal(_) => ErrorCode::Internal,
            CoreError::WrongPassphrase => ErrorCode::WrongPassphrase,
            CoreError::PassphraseRequired => ErrorCode::PassphraseRequired,
            CoreError::Storage(e) => match sqlite_primary_code(e) {
                Some(SQLITE_FULL) => ErrorCode::DiskFull,
                Some(SQLITE_IOERR) => ErrorCode::DiskError,
                _ => ErrorCode::Storage,
            },
            CoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                rusqlite::ErrorCode::DiskFull => ErrorCode::DiskFull,
                rusqlite::ErrorCode::SystemIoFailure => ErrorCode::DiskError,
                _ => ErrorCode::Storage,
            },
            CoreError::Sqlite(_) => ErrorCode::Storage,
            CoreError::Migrate(_) => ErrorCode::Storage,
        }
    }

    /// [`CoreError::error_code`] as the text it crosses a boundary as.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }
}

/// Every code an error reaches a front end with: generated into the UI's bindings, which
/// switch on it and translate it, and the one table of what each becomes over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An argument is malformed (HTTP 422).
    Invalid,
    /// A record does not exist (404).
    NotFound,
    /// The acting person may not do this (403).
    Forbidden,
    /// It contradicts the current state (409).
    Conflict,
    /// A remote clock is too far ahead (409).
    Clock,
    /// No such command (404).
    UnknownCommand,
    /// The command failed inside Caucus, a fault of the program (500).
    Internal,
    /// The passphrase does not open the database (403).
    WrongPassphrase,
    /// The database is encrypted and waits for its passphrase (423).
    PassphraseRequired,
    /// The database failed (500).
    Storage,
    /// The disk is full (507).
    DiskFull,
    /// The disk failed to read or write (500).
    DiskError,
    /// The HTTP bridge's token is missing or wrong (401, from the bridge only).
    Unauthorized,
    /// The front end could not reach the backend at all (only the UI's transport makes it).
    Transport,
    /// No hub is set up on this device (502 for this and every `sync_` code: the bridge
    /// worked, the hub or meeting host did not).
    SyncNotConnected,
    SyncUnreachable,
    SyncVersionMismatch,
    SyncClockSkew,
    SyncPayloadTooLarge,
    SyncRevoked,
    SyncUnauthorized,
    SyncInvalidInvite,
    SyncRateLimited,
    SyncHub,
    SyncBundleDamaged,
    SyncBundleForeign,
    /// A guest asked to join a meeting and waits for its host to let them in.
    SyncGuestWaiting,
}

impl ErrorCode {
    /// The code as text, as it is serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Invalid => "invalid",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::Conflict => "conflict",
            ErrorCode::Clock => "clock",
            ErrorCode::UnknownCommand => "unknown_command",
            ErrorCode::Internal => "internal",
            ErrorCode::WrongPassphrase => "wrong_passphrase",
            ErrorCode::PassphraseRequired => "passphrase_required",
            ErrorCode::Storage => "storage",
            ErrorCode::DiskFull => "disk_full",
            ErrorCode::DiskError => "disk_error",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Transport => "transport",
            ErrorCode::SyncNotConnected => "sync_not_connected",
            ErrorCode::SyncUnreachable => "sync_unreachable",
            ErrorCode::SyncVersionMismatch => "sync_version_mismatch",
            ErrorCode::SyncClockSkew => "sync_clock_skew",
            ErrorCode::SyncPayloadTooLarge => "sync_payload_too_large",
            ErrorCode::SyncRevoked => "sync_revoked",
            ErrorCode::SyncUnauthorized => "sync_unauthorized",
            ErrorCode::SyncInvalidInvite => "sync_invalid_invite",
            ErrorCode::SyncRateLimited => "sync_rate_limited",
            ErrorCode::SyncHub => "sync_hub",
            ErrorCode::SyncBundleDamaged => "sync_bundle_damaged",
            ErrorCode::SyncBundleForeign => "sync_bundle_foreign",
            ErrorCode::SyncGuestWaiting => "sync_guest_waiting",
        }
    }

    /// Every code, in declaration order (for the UI's catalogue test and the fuzzer).
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::Invalid,
        ErrorCode::NotFound,
        ErrorCode::Forbidden,
        ErrorCode::Conflict,
        ErrorCode::Clock,
        ErrorCode::UnknownCommand,
        ErrorCode::Internal,
        ErrorCode::WrongPassphrase,
        ErrorCode::PassphraseRequired,
        ErrorCode::Storage,
        ErrorCode::DiskFull,
        ErrorCode::DiskError,
        ErrorCode::Unauthorized,
        ErrorCode::Transport,
        ErrorCode::SyncNotConnected,
        ErrorCode::SyncUnreachable,
        ErrorCode::SyncVersionMismatch,
        ErrorCode::SyncClockSkew,
        ErrorCode::SyncPayloadTooLarge,
        ErrorCode::SyncRevoked,
        ErrorCode::SyncUnauthorized,
        ErrorCode::SyncInvalidInvite,
        ErrorCode::SyncRateLimited,
        ErrorCode::SyncHub,
        ErrorCode::SyncBundleDamaged,
        ErrorCode::SyncBundleForeign,
        ErrorCode::SyncGuestWaiting,
    ];

    /// The HTTP status the loopback bridge answers this code with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Invalid => 422,
            ErrorCode::NotFound | ErrorCode::UnknownCommand => 404,
            ErrorCode::Forbidden | ErrorCode::WrongPassphrase => 403,
            ErrorCode::Conflict | ErrorCode::Clock => 409,
            ErrorCode::PassphraseRequired => 423,
            ErrorCode::Unauthorized => 401,
            ErrorCode::DiskFull => 507,
            ErrorCode::Storage
            | ErrorCode::DiskError
            | ErrorCode::Transport
            | ErrorCode::Internal => 500,
            ErrorCode::SyncNotConnected
            | ErrorCode::SyncUnreachable
            | ErrorCode::SyncVersionMismatch
            | ErrorCode::SyncClockSkew
            | ErrorCode::SyncPayloadTooLarge
            | ErrorCode::SyncRevoked
            | ErrorCode::SyncUnauthorized
            | ErrorCode::SyncInvalidInvite
            | ErrorCode::SyncRateLimited
            | ErrorCode::SyncHub
            | ErrorCode::SyncBundleDamaged
            | ErrorCode::SyncBundleForeign => 502,
            // Not yet: the host has not answered (a refusal would be another code).
            ErrorCode::SyncGuestWaiting => 409,
        }
    }
}

/// A code compares with its text, as tests and logs spell it.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
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
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        let field = match &e {
            CoreError::Invalid { field, .. } => Some(field.clone()),
            _ => None,
        };
        if matches!(
            e,
            CoreError::Storage(_) | CoreError::Sqlite(_) | CoreError::Migrate(_)
        ) {
            tracing::error!(error = %e, "storage failure");
        }
        ApiError {
            code: e.error_code(),
            message: e.to_string(),
            field,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ApiError {}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn every_code_serializes_as_its_text_and_has_a_status() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).expect("json"),
                serde_json::json!(code.as_str()),
                "{code:?}"
            );
            assert!((400..600).contains(&code.http_status()), "{code:?}");
        }
    }
}

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
    /// A guest waits for the meeting's host to let them in.
    GuestWaiting,
}

impl SyncFailure {
    /// The code as text.
    pub fn code(self) -> &'static str {
        self.error_code().as_str()
    }

    pub fn error_code(self) -> ErrorCode {
        match self {
            SyncFailure::NotConnected => ErrorCode::SyncNotConnected,
            SyncFailure::Unreachable => ErrorCode::SyncUnreachable,
            SyncFailure::VersionMismatch => ErrorCode::SyncVersionMismatch,
            SyncFailure::ClockSkew => ErrorCode::SyncClockSkew,
            SyncFailure::PayloadTooLarge => ErrorCode::SyncPayloadTooLarge,
            SyncFailure::Revoked => ErrorCode::SyncRevoked,
            SyncFailure::Unauthorized => ErrorCode::SyncUnauthorized,
            SyncFailure::InvalidInvite => ErrorCode::SyncInvalidInvite,
            SyncFailure::RateLimited => ErrorCode::SyncRateLimited,
            SyncFailure::Hub => ErrorCode::SyncHub,
            SyncFailure::BundleDamaged => ErrorCode::SyncBundleDamaged,
            SyncFailure::BundleForeign => ErrorCode::SyncBundleForeign,
            SyncFailure::GuestWaiting => ErrorCode::SyncGuestWaiting,
        }
    }
}
